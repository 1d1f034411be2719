"""Which stack frames are dynamo-obs' own work: shared by the profile reports (jfr-agent-share.py, cpu-profile-report.py)."""
import re

# the agent, the bootstrap API that woven code calls, the instrumentation, and what the agent shades
AGENT = ("dynamo.obs.agent.", "dynamo.obs.bootstrap.", "dynamo.obs.instrumentation.", "dynamo.obs.shaded.")
# Wrappers that hand the application's own work through: a sample whose nearest agent frame is one
# of these, with only JDK or application code above it, is the application's work (a socket read
# through the request body wrapper, a task run by a context-carrying wrapper), not the agent's.
PASS_THROUGH = re.compile(r"(RecordingInputStream\.(read|skip|close)|RecordingOutputStream\.(write|flush|close)"
                          r"|InboundRequest\$\d+\.(write|flush|close)|RequestContext\$.*|StreamedResults\$.*)$")
