package dynamo.obs.agent.export.sdk;

import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.TraceStateBuilder;

/** The W3C {@code tracestate} header as OTel's TraceState; entries the API refuses are left out. */
final class TraceStates {
  private TraceStates() {}

  static TraceState parse(String header) {
    if (header == null || header.isEmpty()) {
      return TraceState.getDefault();
    }
    TraceStateBuilder b = TraceState.builder();
    String[] members = header.split(",");
    // the builder puts the latest first: add in reverse to keep the header's order
    for (int i = members.length - 1; i >= 0; i--) {
      String m = members[i].trim();
      int eq = m.indexOf('=');
      if (eq > 0) {
        b.put(m.substring(0, eq).trim(), m.substring(eq + 1).trim());
      }
    }
    return b.build();
  }
}
