#!/usr/bin/env python3
"""The tables of cpu.sh's report: server CPU per request by stack and configuration.

Reads cpu-<date>.csv (one line a measured window) and cpu-<date>-threads.csv (each window's CPU by thread
name) and prints, per stack, the median over the rounds of µs of server CPU per request (with several JVMs
per configuration, cpu.sh's FORKS, the mean of the JVMs' medians, so that each JVM counts once), the
rounds' spread, the added µs versus the first configuration (no agent), and the breakdown by thread group
(request threads, JIT, GC, export, console, other), each with its difference from the base configuration's median, and how
many CPUs other processes kept busy meanwhile. A window whose figure is more than 10 % off its
JVM's median is listed as possibly disturbed.
"""
import collections
import csv
import statistics
import sys

GROUPS = ["request", "jit", "gc", "export", "console", "other"]
GROUP_TITLES = {"request": "request threads", "jit": "JIT", "gc": "GC", "export": "export", "console": "console",
                "other": "other"}
# issue 22's goals, added µs per request versus no agent
GOAL_EXPORT_OFF = 10
GOAL_EXPORT_ON = 25


def us(row, column):
    return float(row[column]) * 1000.0 / int(row["requests"])


def signed(x):
    return ("+" if x >= 0 else "−") + f"{abs(x):.0f}"


def main(path, threads_path):
    windows = collections.defaultdict(lambda: collections.defaultdict(list))  # stack -> config -> rows
    configs, stacks = [], []
    with open(path) as f:
        for r in csv.DictReader(f):
            if int(r["requests"]) <= 0:
                continue
            windows[r["stack"]][r["config"]].append(r)
            if r["config"] not in configs:
                configs.append(r["config"])
            if r["stack"] not in stacks:
                stacks.append(r["stack"])
    order = ["no-agent", "dynamo-obs", "dynamo-obs-b", "dynamo-obs-c", "dynamo-obs-export", "dynamo-obs-export-b",
             "dynamo-obs-traces", "otel-javaagent"]
    configs.sort(key=lambda c: order.index(c) if c in order else 99)
    base = configs[0]
    threads = collections.defaultdict(lambda: collections.defaultdict(float))  # (stack, config) -> name -> ms
    with open(threads_path) as f:
        for r in csv.DictReader(f):
            threads[(r["stack"], r["config"])][(r["thread"], r["group"])] += float(r["cpu_ms"])

    def fork(r):
        return r.get("fork") or "1"

    def by_fork(stack, config):
        forks = collections.defaultdict(list)
        for r in windows[stack][config]:
            forks[fork(r)].append(r)
        return [forks[f] for f in sorted(forks, key=int)]

    def fork_medians(stack, config, column):
        return [statistics.median(us(r, column) for r in rows) for rows in by_fork(stack, config)]

    def median(stack, config, column):
        return statistics.mean(fork_medians(stack, config, column))

    def paired(stack, config, column):
        """per round and JVM: config's µs per request minus the base's (the same fork number) in the same round"""
        b = {(r["round"], fork(r)): us(r, column) for r in windows[stack][base]}
        return [us(r, column) - b[(r["round"], fork(r))] for r in windows[stack][config]
                if (r["round"], fork(r)) in b]

    multi = any(fork(r) != "1" for s in stacks for c in configs for r in windows[s][c])

    # one table for every stack and configuration
    print("### Server CPU per request (µs; medians over the rounds)")
    print()
    print("µs/request: the median, and the rounds' range"
          + ("; with several JVMs per configuration the mean of the JVMs' medians, then each JVM's median"
             if multi else "") + ". Added: versus " + base + ", the difference of the medians, "
          "then in brackets the median and range of the per-round differences (each configuration against " + base
          + " in the same round, seconds apart). Thread groups: the median, and in brackets the difference from "
          + base + "'s.")
    print()
    print("| stack | configuration | µs/request | added | " + " | ".join(GROUP_TITLES[g] for g in GROUPS) + " |")
    print("|---|---|---:|---:|" + "---:|" * len(GROUPS))
    verdicts = []
    for s in stacks:
        b = median(s, base, "cpu_ms")
        for c in configs:
            rows = windows[s][c]
            if not rows:
                continue
            m = median(s, c, "cpu_ms")
            vals = [us(r, "cpu_ms") for r in rows]
            jvms = "; JVMs " + ", ".join(f"{v:.0f}" for v in fork_medians(s, c, "cpu_ms")) if multi else ""
            cells = [s, c, f"{m:.0f} ({min(vals):.0f}–{max(vals):.0f}{jvms})"]
            if c == base:
                cells.append("—")
            else:
                d = paired(s, c, "cpu_ms")
                cells.append(f"**{signed(m - b)}** ({signed(statistics.median(d))}: {signed(min(d))} … {signed(max(d))})")
            for g in GROUPS:
                gm = median(s, c, g + "_ms")
                cells.append(f"{gm:.1f}" if c == base else f"{gm:.1f} ({signed(gm - median(s, base, g + '_ms'))})")
            print("| " + " | ".join(cells) + " |")
        if windows[s]["dynamo-obs"] and windows[s]["dynamo-obs-export"] and windows[s]["otel-javaagent"]:
            off = median(s, "dynamo-obs", "cpu_ms") - b
            on = median(s, "dynamo-obs-export", "cpu_ms") - b
            otel = median(s, "otel-javaagent", "cpu_ms") - b
            verdicts.append(f"{s}: export off {signed(off)} µs (goal ≤ +{GOAL_EXPORT_OFF}: "
                            f"{'met' if off <= GOAL_EXPORT_OFF else 'NOT met'}); export on {signed(on)} µs "
                            f"(goal ≤ +{GOAL_EXPORT_ON} and below the OpenTelemetry agent's {signed(otel)}: "
                            f"{'met' if on <= GOAL_EXPORT_ON and on < otel else 'NOT met'})")
            if windows[s]["dynamo-obs-traces"]:
                spans = median(s, "dynamo-obs-traces", "cpu_ms") - b
                verdicts[-1] += (f"; spans only, as the OpenTelemetry agent sends here, {signed(spans)} µs "
                                 f"({'below' if spans < otel else 'not below'} its {signed(otel)})")
    print()
    print("Issue 22's goals, on the medians:")
    print()
    for v in verdicts:
        print("- " + v)

    for s in stacks:
        print()
        print(f"### {s}: rounds and threads")
        print()
        print("| configuration | µs/request by round" + (" (JVMs apart by ·)" if multi else "")
              + " | JIT µs/request by round | req/s (median) | others' CPUs (median) |")
        print("|---|---|---|---:|---:|")
        for c in configs:
            rows = windows[s][c]
            if not rows:
                continue
            forks = [sorted(f, key=lambda r: int(r["round"])) for f in by_fork(s, c)]

            def rounds(column):
                return " · ".join(" / ".join(f"{us(r, column):.0f}" for r in f) for f in forks)

            print(f"| {c} | " + rounds("cpu_ms") + " | " + rounds("jit_ms")
                  + f" | {statistics.median(float(r['req_per_s']) for r in rows):.0f}"
                  + f" | {statistics.median(float(r['other_cpu_cores']) for r in rows):.2f} |")
        flagged = []
        for c in configs:
            rows = windows[s][c]
            if not rows:
                continue
            for f in by_fork(s, c):
                m = statistics.median(us(r, "cpu_ms") for r in f)
                for r in f:
                    v = us(r, "cpu_ms")
                    if abs(v - m) > 0.1 * m:
                        flagged.append(f"{c}{' JVM ' + fork(r) if multi else ''} round {r['round']}: {v:.0f} "
                                       f"µs/request (median {m:.0f}), other processes used {r['other_cpu_cores']} CPUs, load average {r['load1']}")
        non200 = sum(int(r["non200"]) for c in configs for r in windows[s][c])
        print()
        print("Windows that look disturbed (> 10 % off their JVM's median): "
              + ("; ".join(flagged) if flagged else "none") + f". Answers other than 200: {non200}.")
        print()
        print("Largest thread groups (µs per request over all rounds; digits as N):")
        print()
        for c in configs:
            tot = sum(int(r["requests"]) for r in windows[s][c])
            if not tot:
                continue
            top = sorted(threads[(s, c)].items(), key=lambda kv: -kv[1])[:7]
            print(f"- {c}: " + ", ".join(f"{name} [{g}] {ms * 1000.0 / tot:.1f}" for (name, g), ms in top))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
