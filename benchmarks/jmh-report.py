#!/usr/bin/env python3
"""jmh-report.py [--jfr DIR --jfr-tool JFR --jfr-jdk LABEL --jfr-out FILE] JMH.json...

The tables of BENCHMARKS.md from JMH's JSON results (one file per JDK, named …-<jdk>.json), the
targets of the issue judged against them, and, with --jfr, where the allocated bytes come from
according to JFR's allocation samples (one recording per benchmark, as JMH's jfr profiler writes them)."""
import argparse
import json
import os
import re
import subprocess
from collections import defaultdict

DESCRIPTIONS = [
    ("FrontendRequestBenchmark.unaryRequest",
     "(a) one unary request outside the stream wrappers: recorder, request and response body scans, every metric"),
    ("FrontendRequestBenchmark.recorderWithoutBodies",
     "(a) the recorder without body bytes (no scanning): object, begin, response start, end and its metrics"),
    ("FrontendRequestBenchmark.metricUpdatesOnly",
     "(a) the floor: the Prometheus updates of one unary request on its resolved series"),
    ("FrontendRequestBenchmark.modelLookup", "(a) the model's series from the request's model string"),
    ("FrontendRequestBenchmark.scanRequestBody", "(a) JsonFieldScanner over the request body, scanner reused"),
    ("FrontendRequestBenchmark.scanResponseBody", "(a) JsonFieldScanner over the unary response body, scanner reused"),
    ("FrontendRequestBenchmark.scanLongRequestBody", "(a) JsonFieldScanner over a request body with a 4 KiB prompt, scanner reused"),
    ("SseEventBenchmark.event", "(b) one chat.completion.chunk event: SseScanner + JsonFieldScanner + onEventEnd"),
    ("SseEventBenchmark.eventScanOnly", "(b) the same event, SSE framing and JSON scan only"),
    ("SseEventBenchmark.eventRecordOnly", "(b) the same event, the recorder only (onString + onEventEnd)"),
    ("SseEventBenchmark.streamedRequest",
     "(b) a whole streamed request as cpu.sh's stacks answer it: body, 12 events (8 tokens, usage), end"),
    ("WorkerCallBenchmark.plainReturn",
     "(c) workerCallStarted + workerCallEnded, plain return (with the advice's argument array)"),
    ("WorkerCallBenchmark.iteratorToken", "(c) one token through the Iterator wrapper"),
    ("WorkerCallBenchmark.iteratorTokenUnwrapped", "(c) the same iterator's next() without the wrapper"),
    ("WorkerCallBenchmark.handlerToken", "(c) one token: handlerInvoked, with the advice's per-call argument array"),
    ("WorkerCallBenchmark.handlerTokenReusedArgs", "(c) the same with the argument array made once"),
    ("TracedRequestBenchmark.tracedRequest",
     "(d) a traced request on its thread: traceparent parsed, span started, attributes, ended, queued"),
    ("TracedRequestBenchmark.outboundTraceparent", "(d) a routing span started and its traceparent formatted"),
    ("OtlpEncodeBenchmark.spanBatch",
     "(e) export thread, per span: a batch of 512 http-request spans packed, then framed as one OTLP message"
     " (the agent's encoder)"),
    ("OtlpEncodeBenchmark.spanBatchSdk", "(e) the same with the OpenTelemetry SDK's marshalling (before)"),
    ("OtlpEncodeBenchmark.logBatch",
     "(e) export thread, per record: a batch of 512 lifecycle records packed, then framed as one OTLP message"
     " (the agent's encoder)"),
    ("OtlpEncodeBenchmark.logBatchSdk", "(e) the same with the OpenTelemetry SDK's marshalling (before)"),
    ("LogLinesBenchmark.readableRequestReceived",
     "(f) console thread: one \"request received\" line (4 fields), Dynamo's readable form"),
    ("LogLinesBenchmark.readableRequestCompleted", "(f) the same for \"request completed\" (2 fields)"),
    ("LogLinesBenchmark.jsonlRequestCompleted", "(f) \"request completed\" as a Dynamo JSONL line"),
    ("EventFieldsBenchmark.presortedReceived",
     "(g) request thread: the fields of one \"request received\" event (4), as the agent makes them"),
    ("EventFieldsBenchmark.sortedFieldsReceived", "(g) the same as name-value pairs sorted (the way it replaced)"),
    ("EventFieldsBenchmark.treeMapReceived", "(g) the same the way before that (LinkedHashMap, then TreeMap)"),
    ("EventFieldsBenchmark.presortedCompleted", "(g) the fields of one \"request completed\" event (6)"),
    ("EventFieldsBenchmark.sortedFieldsCompleted", "(g) the same as pairs sorted"),
    ("EventFieldsBenchmark.treeMapCompleted", "(g) the same through a TreeMap"),
]
# (label, benchmark, metric, limit, unit)
TARGETS = [
    ("frontend request, outside the stream wrappers", "FrontendRequestBenchmark.unaryRequest", "ns", 1000, "≤ 1 µs"),
    ("frontend request, outside the stream wrappers", "FrontendRequestBenchmark.unaryRequest", "B", 0, "0 B"),
    ("worker call, plain return", "WorkerCallBenchmark.plainReturn", "ns", 1000, "≤ 1 µs"),
    ("streamed token, Iterator wrapper", "WorkerCallBenchmark.iteratorToken", "ns", 100, "≤ 100 ns"),
    ("streamed token, Iterator wrapper", "WorkerCallBenchmark.iteratorToken", "B", 0, "0 B"),
    ("streamed token, token handler (handlerInvoked)", "WorkerCallBenchmark.handlerToken", "ns", 100, "≤ 100 ns"),
    ("streamed token, token handler (handlerInvoked)", "WorkerCallBenchmark.handlerToken", "B", 0, "0 B"),
    ("SSE event (no target in the issue; hot-path rule: no allocation per recording)", "SseEventBenchmark.event",
     "B", 0, "0 B"),
    ("traced request on the request thread", "TracedRequestBenchmark.tracedRequest", "ns", 3000, "≤ 3 µs"),
    ("traced request on the request thread", "TracedRequestBenchmark.tracedRequest", "B", 1024, "≤ 1 KiB"),
]
ZERO_BYTES = 1.0  # below this many B/op counts as 0 (gc.alloc.rate.norm's noise)

ap = argparse.ArgumentParser()
ap.add_argument("--jfr")
ap.add_argument("--jfr-tool")
ap.add_argument("--jfr-jdk")
ap.add_argument("--jfr-out")
ap.add_argument("results", nargs="+")
args = ap.parse_args()


def short(name):
    return ".".join(name.split(".")[-2:])


results = {}  # jdk -> short name -> (ns, ns_err, bytes)
jdks = []
for path in args.results:
    jdk = re.search(r"-(jdk\d+)\.json$", path).group(1)
    jdks.append(jdk)
    results[jdk] = {}
    for b in json.load(open(path)):
        p = b["primaryMetric"]
        g = b.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {})
        results[jdk][short(b["benchmark"])] = (float(p["score"]), float(p["scoreError"]),
                                               float(g.get("score", "nan")))


def ns(v):
    return f"{v:,.1f}" if v < 100 else f"{v:,.0f}"


def err(v):
    return "—" if v != v else (f"{v:,.1f}" if v < 100 else f"{v:,.0f}")


def byt(v):
    return "0" if v < ZERO_BYTES else f"{v:,.0f}"


print("| benchmark | one operation is | " + " | ".join(f"{j} ns/op | {j} B/op" for j in jdks) + " |")
print("|---|---|" + "---:|---:|" * len(jdks))
for name, what in DESCRIPTIONS:
    if not any(name in results[j] for j in jdks):
        continue
    cells = []
    for j in jdks:
        if name in results[j]:
            s, e, b = results[j][name]
            cells += [f"{ns(s)} ± {err(e)}", byt(b)]
        else:
            cells += ["—", "—"]
    print(f"| {name} | {what} | " + " | ".join(cells) + " |")
print()
print(f"B/op below {ZERO_BYTES:.0f} is shown as 0 (JMH's allocation figure is a rate measured over the iteration).")
print()

print("#### Targets")
print()
print("| what | benchmark | target | " + " | ".join(jdks) + " | verdict |")
print("|---|---|---|" + "---:|" * len(jdks) + "---|")
for label, name, metric, limit, shown in TARGETS:
    cells, met = [], []
    for j in jdks:
        if name not in results[j]:
            cells.append("—")
            continue
        s, _, b = results[j][name]
        if metric == "ns":
            cells.append(f"{ns(s)} ns")
            met.append((j, s <= limit))
        else:
            cells.append(f"{byt(b)} B")
            met.append((j, b <= limit if limit > 0 else b < ZERO_BYTES))
    if not met:
        continue
    if all(m for _, m in met):
        verdict = "met"
    elif not any(m for _, m in met):
        verdict = "NOT met"
    else:
        verdict = "met on " + ", ".join(j for j, m in met if m) + " only"
    print(f"| {label} | {name} | {shown} | " + " | ".join(cells) + f" | {verdict} |")
print()
print("Time targets are judged on JMH's score (the mean), allocation targets on B/op.")
print()

if args.jfr and os.path.isdir(args.jfr):
    first = jdks[0]

    def frame_name(fr):
        t = fr["method"]["type"]["name"].replace("/", ".")
        t = re.sub(r"\$\$Lambda.*", "$$Lambda", t)
        simple = t.split(".")[-1]
        return f"{simple}.{fr['method']['name']}:{fr.get('lineNumber', '?')}", t

    def is_plumbing(t):
        return t.startswith("jdk.internal.") or t.startswith("java.lang.invoke.")

    def is_agent(t):
        return t.startswith("dynamo.obs.agent.") and "Benchmark" not in t and "jmh_generated" not in t

    raw_lines = []
    print(f"#### Where the bytes come from (JFR allocation samples, {args.jfr_jdk})")
    print()
    print("Each benchmark that allocated ran once more under JFR (jdk.ObjectAllocationSample, weighted by the"
          " bytes each sample stands for; measurement iterations only, samples inside the benchmark method only, the first one left out as it"
          " stands for what the thread allocated before the recording)."
          " Share = share of the sampled weight;"
          f" ≈ B/op = share × the B/op measured above on {first} (an estimate: samples, not a count).")
    print()
    for d in sorted(os.listdir(args.jfr)):
        rec = os.path.join(args.jfr, d, "profile.jfr")
        if not os.path.isfile(rec):
            continue
        bench = short(d.rsplit("-", 1)[0])
        out = subprocess.run([args.jfr_tool, "print", "--json", "--stack-depth", "64", "--events",
                              "jdk.ObjectAllocationSample", rec],
                             check=True, capture_output=True, text=True).stdout
        events = json.loads(out)["recording"]["events"]
        weights = defaultdict(float)
        total = 0.0
        samples = 0
        first_seen = set()
        for ev in events:
            v = ev["values"]
            thread = (v.get("eventThread") or {}).get("javaName") or ""
            if "-jmh-worker-" not in thread:
                continue
            if thread not in first_seen:
                # the first sample stands for all the thread allocated before the recording began
                first_seen.add(thread)
                continue
            cls = re.sub(r"\$\$Lambda.*", "$$Lambda", v["objectClass"]["name"].replace("/", "."))
            frames = (v.get("stackTrace") or {}).get("frames") or []
            # only samples taken inside the benchmark method: a sample's weight is what the thread
            # allocated since the previous one, so one taken in JMH's harness between iterations would
            # carry the benchmark's bytes under the harness' object
            if not any("jmh_generated" in fr["method"]["type"]["name"] for fr in frames):
                continue
            site, agent = "?", "— (the benchmark calls the library directly)"
            for fr in frames:
                n, t = frame_name(fr)
                if site == "?" and not is_plumbing(t):
                    site = n
                if is_agent(t):
                    agent = n
                    break
            w = float(v["weight"])
            weights[(cls, site, agent)] += w
            total += w
            samples += 1
        if not total:
            continue
        bop = results[first].get(bench, (0, 0, float("nan")))[2]
        print(f"**{bench}** ({byt(bop)} B/op on {first}; {samples} samples)")
        print()
        print("| share | ≈ B/op | object | allocated in | reached from agent code |")
        print("|---:|---:|---|---|---|")
        shown = 0.0
        for (cls, site, agent), w in sorted(weights.items(), key=lambda kv: -kv[1]):
            share = w / total
            if share < 0.02 or shown > 0.98:
                break
            shown += share
            print(f"| {share * 100:.0f} % | {share * bop:,.0f} | {cls} | {site} | {agent} |")
            raw_lines.append(f"{bench}\t{share * 100:.1f}%\t{cls}\t{site}\t{agent}")
        print()
    if args.jfr_out:
        with open(args.jfr_out, "w") as fo:
            fo.write("benchmark\tshare\tobject\tallocated_in\tagent_frame\n" + "\n".join(raw_lines) + "\n")
