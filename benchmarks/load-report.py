#!/usr/bin/env python3
"""load-report.py LOAD.csv [LOAD-latency.csv]: the tables of BENCHMARKS.md from the windows load.sh measured.

Every comparison with no agent is paired by round: a configuration's window is compared with the
no-agent window of the same round and scenario (measured minutes apart at most), and the median of
those per-round differences is reported with their range."""
import bisect
import csv
import itertools
import random
import statistics
import sys
from collections import defaultdict

import os

BASE = os.environ.get("LOAD_BASE", "no-agent")
THROUGHPUT_LOSS_TARGET = 3.0  # % (issue)
ADDED_P99_TARGET = 0.5  # ms (issue)
EXPORT_P99_TARGET = 5.0  # % of export off (issue: traces and logs)

rows = list(csv.DictReader(open(sys.argv[1])))
CONFIGS = []
for r in rows:
    if r["config"] not in CONFIGS:
        CONFIGS.append(r["config"])
scenarios = []
for r in rows:
    s = (r["kind"], int(r["connections"]))
    if s not in scenarios:
        scenarios.append(s)

by = defaultdict(dict)  # (kind, conns, config) -> round -> row
for r in rows:
    by[(r["kind"], int(r["connections"]), r["config"])][int(r["round"])] = r


def f(r, k):
    return float(r[k])


def cpu_us_per_request(r):
    n = int(r["requests"])
    cpu = sum(int(r[k]) for k in ("cpu_ms_frontend", "cpu_ms_router", "cpu_ms_worker"))
    return cpu * 1000.0 / n if n else float("nan")


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def span(xs, fmt):
    return (fmt % min(xs)) + "–" + (fmt % max(xs)) if xs else "—"


def paired(kind, conns, cfg, value, how):
    base = by[(kind, conns, BASE)]
    out = []
    for rnd, r in sorted(by[(kind, conns, cfg)].items()):
        if rnd in base:
            out.append(how(value(r), value(base[rnd])))
    return out


def loss_pct(v, b):
    return (1 - v / b) * 100.0


def diff(v, b):
    return v - b


summary = {}  # (kind, conns, cfg) -> dict of medians for the targets
for kind, conns in scenarios:
    print(f"#### {kind}, {conns} connection{'s' if conns > 1 else ''}")
    print()
    print(f"| configuration | windows | req/s median (range) | throughput loss vs {BASE}, median (range) |"
          f" p50 ms median | added p50 ms, median (range) | p99 ms median (range) | added p99 ms vs {BASE}, median (range) |"
          " CPU µs per request, 3 JVMs, median | added CPU µs per request | wrk errors / non-2xx |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for cfg in CONFIGS:
        ws = list(by[(kind, conns, cfg)].values())
        if not ws:
            continue
        rps = [f(r, "req_per_s") for r in ws]
        p50 = [f(r, "p50_ms") for r in ws]
        p99 = [f(r, "p99_ms") for r in ws]
        cpu = [cpu_us_per_request(r) for r in ws]
        errs = sum(int(r[k]) for r in ws for k in ("err_connect", "err_read", "err_write", "err_timeout"))
        non2xx = sum(int(r["non2xx"]) for r in ws)
        if cfg == BASE:
            loss = added = added_cpu = added50 = "—"
        else:
            l = paired(kind, conns, cfg, lambda r: f(r, "req_per_s"), loss_pct)
            a = paired(kind, conns, cfg, lambda r: f(r, "p99_ms"), diff)
            c = paired(kind, conns, cfg, cpu_us_per_request, diff)
            a50 = paired(kind, conns, cfg, lambda r: f(r, "p50_ms"), diff)
            added50 = f"{med(a50):+.2f} ({span(a50, '%+.2f')})"
            p99_pct = paired(kind, conns, cfg, lambda r: f(r, "p99_ms"), lambda v, b: (v / b - 1) * 100.0)
            summary[(kind, conns, cfg)] = {"loss": med(l), "p99_pct": med(p99_pct), "p99_pct_range": span(p99_pct, "%+.1f %%"), "loss_range": span(l, "%+.1f %%"),
                                           "added_p99": med(a), "added_p99_range": span(a, "%+.2f"),
                                           "added_cpu": med(c), "added_p50": med(a50),
                                           "added_p50_range": span(a50, "%+.2f")}
            loss = f"{med(l):+.1f} % ({span(l, '%+.1f')})"
            added = f"{med(a):+.2f} ({span(a, '%+.2f')})"
            added_cpu = f"{med(c):+.0f}"
        print(f"| {cfg} | {len(ws)} | {med(rps):.0f} ({span(rps, '%.0f')}) | {loss} | {med(p50):.2f} | {added50} |"
              f" {med(p99):.2f} ({span(p99, '%.2f')}) | {added} | {med(cpu):.0f} | {added_cpu} | {errs} / {non2xx} |")
    print()

print("#### CPU per request by JVM (median, µs)")
print()
print("| scenario | configuration | frontend | router | worker |")
print("|---|---|---:|---:|---:|")
for kind, conns in scenarios:
    for cfg in CONFIGS:
        ws = list(by[(kind, conns, cfg)].values())
        if not ws:
            continue
        cells = [med([int(r[k]) * 1000.0 / int(r["requests"]) for r in ws if int(r["requests"])])
                 for k in ("cpu_ms_frontend", "cpu_ms_router", "cpu_ms_worker")]
        print(f"| {kind}, {conns} conn. | {cfg} | " + " | ".join(f"{c:.0f}" for c in cells) + " |")
print()

loads = [f(r, "load1") for r in rows]
others = sum(1 for r in rows if int(r["other_java"]) > 0)
other_cpu = [f(r, "other_cpu_cores") for r in rows]
print(f"Machine load: CPU used during the windows by everything that is not this run (other processes,"
      f" interrupts), in CPUs of the machine's 2: median {med(other_cpu):.2f}, range"
      f" {min(other_cpu):.2f}–{max(other_cpu):.2f}; other java processes running at the start of {others} of"
      f" {len(rows)} windows; 1-min load average {min(loads):.1f}–{max(loads):.1f} (it counts this run's own"
      f" threads too).")
print()
print(f"Throughput loss = 1 − req/s ÷ req/s of {BASE} in the same round (positive: slower);"
      f" added p99 = p99 − p99 of {BASE} in the same round; CPU = user + system time of the stack's three"
      " JVMs during the window ÷ requests completed.")
print()

def pooled_p99_section():
    """p99 of all the requests of a configuration's windows together (load-<date>-latency.csv), against
    the base configuration's; the interval comes from resampling the rounds (the same rounds for both)."""
    pooled = {}  # (kind, conns, cfg) -> (% vs base, interval low, interval high)
    if len(sys.argv) < 3 or not os.path.exists(sys.argv[2]):
        return pooled
    raw = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))  # (kind, conns, cfg) -> round -> µs -> n
    for r in csv.DictReader(open(sys.argv[2])):
        raw[(r["kind"], int(r["connections"]), r["config"])][int(r["round"])][int(r["bucket_us"])] += int(r["count"])
    if not raw:
        return pooled
    # each window as counts over all the buckets seen, so that pooling is a sum of vectors
    buckets = sorted({us for rounds in raw.values() for w in rounds.values() for us in w})
    hist = {key: {rnd: [w.get(us, 0) for us in buckets] for rnd, w in rounds.items()} for key, rounds in raw.items()}

    def p99(windows):
        cum = list(itertools.accumulate(map(sum, zip(*windows))))
        if not cum or not cum[-1]:
            return float("nan")
        return buckets[bisect.bisect_left(cum, 0.99 * cum[-1])] / 1000.0

    rng = random.Random(1)
    print("#### p99 of all the measured requests together")
    print()
    print(f"Each configuration's windows pooled (every request of every round, latencies in 1 % buckets), against"
          f" {BASE}'s; in brackets a 90 % interval from resampling the rounds 2,000 times (the same rounds for both"
          f" configurations).")
    print()
    print(f"| scenario | configuration | p99 ms | vs {BASE}, ms (90 % interval) | vs {BASE}, % (90 % interval) |")
    print("|---|---|---:|---:|---:|")
    for kind, conns in scenarios:
        base = hist.get((kind, conns, BASE))
        for cfg in CONFIGS:
            mine = hist.get((kind, conns, cfg))
            if not mine or not base:
                continue
            rounds = sorted(set(mine) & set(base))
            if not rounds:
                continue
            v, b = p99([mine[x] for x in rounds]), p99([base[x] for x in rounds])
            if cfg == BASE:
                print(f"| {kind}, {conns} conn. | {cfg} | {v:.2f} | — | — |")
                continue
            ms, pct = [], []
            for _ in range(2000):
                pick = [rng.choice(rounds) for _ in rounds]
                pv, pb = p99([mine[x] for x in pick]), p99([base[x] for x in pick])
                ms.append(pv - pb)
                pct.append((pv / pb - 1) * 100.0)
            ms.sort(); pct.sort()
            lo, hi = int(0.05 * len(ms)), int(0.95 * len(ms)) - 1
            print(f"| {kind}, {conns} conn. | {cfg} | {v:.2f} | {v - b:+.2f} ({ms[lo]:+.2f} … {ms[hi]:+.2f}) |"
                  f" {(v / b - 1) * 100:+.1f} % ({pct[lo]:+.1f} … {pct[hi]:+.1f}) |")
            pooled[(kind, conns, cfg)] = ((v / b - 1) * 100, pct[lo], pct[hi])
    print()
    return pooled


POOLED = pooled_p99_section()


def export_verdict(cfg, interval):
    """Judged on the pooled p99's 90 % interval: met when all of it lies at or below the target, NOT met when
    all of it lies above, otherwise the run cannot tell. A second stack of the base configuration (BASE#2) is an
    A/A control: its interval is what two launches of one configuration differ by, and it is not judged."""
    if cfg.split("#")[0] == BASE:
        return "A/A control (not judged)"
    if interval is None:
        return "cannot tell (no pooled p99)"
    _, lo, hi = interval
    if hi <= EXPORT_P99_TARGET:
        return "met"
    if lo > EXPORT_P99_TARGET:
        return "NOT met"
    return f"cannot tell (interval wider than the {EXPORT_P99_TARGET:.0f} % target)"


if BASE != "no-agent":
    # an export run: every configuration against the same agent with export off
    print(f"#### Targets (issue: p99 with export on within {EXPORT_P99_TARGET:.0f} % of export off)")
    print()
    print(f"Judged on the pooled p99 above: met when its whole 90 % interval lies at or below +{EXPORT_P99_TARGET:.0f} %,"
          " NOT met when it lies wholly above, otherwise this run cannot tell.")
    print()
    print(f"| scenario | configuration | p99 vs {BASE}, median of per-round ratios (range) |"
          " pooled p99 vs it (90 % interval) | verdict |")
    print("|---|---|---:|---:|---|")
    for kind, conns in scenarios:
        for cfg in CONFIGS:
            d = summary.get((kind, conns, cfg))
            if not d:
                continue
            interval = POOLED.get((kind, conns, cfg))
            pooled = f"{interval[0]:+.1f} % ({interval[1]:+.1f} … {interval[2]:+.1f})" if interval else "—"
            print(f"| {kind}, {conns} conn. | {cfg} | {d['p99_pct']:+.1f} % ({d['p99_pct_range']}) | {pooled} |"
                  f" {export_verdict(cfg, interval)} |")
    sys.exit(0)

def targets(ours, theirs, title, jvms):
    print(f"#### Targets (issue){title}")
    print()
    print(f"| what | target | {ours} | verdict | {theirs} (comparison) |")
    print("|---|---|---:|---|---:|")
    # what, target text, the summary's key, its range key (None: no range), format, unit, judged when, met when
    rows = [
        ("throughput loss", f"≤ {THROUGHPUT_LOSS_TARGET:.0f} %", "loss", "loss_range", "%+.1f", " %",
         lambda kind, conns: kind == "unary" and conns > 1, lambda v: v <= THROUGHPUT_LOSS_TARGET),
        ("added p99", f"≤ {ADDED_P99_TARGET} ms", "added_p99", "added_p99_range", "%+.2f", " ms",
         lambda kind, conns: kind == "unary" and conns == 1, lambda v: v <= ADDED_P99_TARGET),
        ("added p50", "(information)", "added_p50", "added_p50_range", "%+.2f", " ms", None, None),
        (f"added CPU per request ({jvms})", "(information)", "added_cpu", None, "%+.0f", " µs", None, None),
    ]
    for what, target, key, range_key, fmt, unit, judged, met in rows:
        for kind, conns in scenarios:
            d = summary.get((kind, conns, ours))
            o = summary.get((kind, conns, theirs))
            if not d:
                continue
            if judged is None:
                verdict = "—"
            elif judged(kind, conns):
                verdict = "met" if met(d[key]) else "NOT met"
            else:
                verdict = "(not judged)"
            value = (fmt % d[key]) + unit + (f" (range {d[range_key]})" if range_key else "")
            other = (fmt % o[key]) + unit if o else "—"
            print(f"| {what}, {kind}, {conns} connection{'s' if conns > 1 else ''} | {target} | {value} |"
                  f" {verdict} | {other} |")
    print()

PAIRS = [("dynamo-obs", "otel-javaagent", "", "3 JVMs"),
         ("dynamo-obs-frontend", "otel-javaagent-frontend", ": the agent on the frontend only", "3 JVMs, agent on 1")]
for ours, theirs, title, jvms in PAIRS:
    if any(c == ours for _, _, c in summary):
        targets(ours, theirs, title, jvms)
print("Judged: throughput on the unary scenario with several connections (the servers saturated), p99 on"
      " the unary scenario with one connection (a request's own latency, without queueing behind others);"
      " the other rows are shown for information.")
