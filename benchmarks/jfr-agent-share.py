#!/usr/bin/env python3
"""jfr-agent-share.py --jfr-tool JFR NAME=recording.jfr...

Where the agent's cost goes in a whole process (load.sh, PROFILE=1): from a JFR recording of a JVM
under load, the share of CPU samples (jdk.ExecutionSample) that have one of the agent's frames on
the stack, the agent methods found most often (inclusive: a method counts once per sample it is on; the hand-off layers RuntimeHooks and Hooks,
on every such stack, are left out of the list),
and the share of the sampled allocation weight (jdk.ObjectAllocationSample) allocated under an
agent frame, by object and agent method. Advice woven into the application's methods runs as part
of those methods and is not seen as an agent frame; what it calls is."""
import argparse
import json
import re
import subprocess
from collections import Counter

from agent_frames import AGENT, PASS_THROUGH

ap = argparse.ArgumentParser()
ap.add_argument("--jfr-tool", required=True)
ap.add_argument("--top", type=int, default=10)
ap.add_argument("recordings", nargs="+")
args = ap.parse_args()


def events(path, kind):
    out = subprocess.run([args.jfr_tool, "print", "--json", "--stack-depth", "64", "--events", kind, path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)["recording"]["events"]


def frames(ev):
    out = []
    for fr in (ev["values"].get("stackTrace") or {}).get("frames") or []:
        t = re.sub(r"\$\$Lambda.*", "$$Lambda", fr["method"]["type"]["name"].replace("/", "."))
        out.append((t, fr["method"]["name"]))
    return out


def short(t, m):
    t = t.replace("dynamo.obs.shaded.", "(shaded) ").replace("dynamo.obs.agent.", "").replace("dynamo.obs.", "")
    return f"{t}.{m}"


for spec in args.recordings:
    name, path = spec.split("=", 1)
    samples = events(path, "jdk.ExecutionSample")
    n = with_agent = 0
    inclusive = Counter()
    for ev in samples:
        fs = frames(ev)
        if not fs:
            continue
        n += 1
        seen = []
        for t, m in fs:
            if t.startswith(AGENT) and (t, m) not in seen:
                seen.append((t, m))
        if not seen or PASS_THROUGH.search(short(*seen[0])):
            continue  # no agent frame, or the nearest one only passes the application's work through
        with_agent += 1
        for t, m in seen:
            inclusive[short(t, m)] += 1
    allocs = events(path, "jdk.ObjectAllocationSample")
    total = under_agent = 0.0
    by = Counter()
    first_seen = set()
    for ev in allocs:
        # a thread's first sample in the recording stands for all it allocated before the recording began
        thread = (ev["values"].get("eventThread") or {}).get("javaThreadId")
        if thread not in first_seen:
            first_seen.add(thread)
            continue
        w = float(ev["values"]["weight"])
        total += w
        fs = frames(ev)
        agent = next(((t, m) for t, m in fs if t.startswith(AGENT)), None)
        if agent:
            under_agent += w
            cls = re.sub(r"\$\$Lambda.*", "$$Lambda", ev["values"]["objectClass"]["name"].replace("/", "."))
            by[(cls, short(*agent))] += w
    print(f"**{name}**: {n} CPU samples, {100.0 * with_agent / n if n else 0:.1f} % with the agent's own work on the stack;"
          f" {100.0 * under_agent / total if total else 0:.1f} % of the sampled allocation weight"
          f" ({total / 1e6:,.0f} MB sampled) allocated under an agent frame")
    print()
    print("| agent method (inclusive) | % of CPU samples |")
    print("|---|---:|")
    shown = [(k, v) for k, v in inclusive.most_common() if not k.startswith(("runtime.RuntimeHooks.", "bootstrap."))]
    for k, v in shown[:args.top]:
        print(f"| {k} | {100.0 * v / n:.1f} |")
    print()
    print("| object allocated | first agent frame | % of allocation weight |")
    print("|---|---|---:|")
    for (cls, agent), w in by.most_common(min(args.top, 6)):
        print(f"| {cls} | {agent} | {100.0 * w / total:.1f} |")
    print()
