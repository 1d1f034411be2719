#!/usr/bin/env python3
"""Where each configuration's CPU goes, by thread group: load.sh's THREADS=1 table.

Reads load-<date>-threads.csv (round, config, kind, connections, role, thread_group, cpu_ms, requests)
and prints, per scenario, the median over the rounds of each group's CPU per request (µs) in every
configuration, with its difference from LOAD_BASE's (no-agent unless set) in the same round. Groups
under 3 µs per request in every configuration are summed into "other".
"""
import collections
import csv
import os
import statistics
import sys

MIN_US = 3.0


def main(path):
    base = os.environ.get("LOAD_BASE", "no-agent")
    # (kind, conns) -> config -> round -> (role, group) -> µs per request
    us = collections.defaultdict(lambda: collections.defaultdict(lambda: collections.defaultdict(dict)))
    configs = []
    with open(path) as f:
        for r in csv.DictReader(f):
            n = int(r["requests"])
            if n <= 0:
                continue
            if r["config"] not in configs:
                configs.append(r["config"])
            key = (r["role"], r["thread_group"])
            cell = us[(r["kind"], r["connections"])][r["config"]][r["round"]]
            cell[key] = cell.get(key, 0.0) + int(r["cpu_ms"]) * 1000.0 / n
    print("#### CPU per request by thread group (µs, median over the rounds; in brackets: vs " + base
          + " in the same round)")
    for (kind, conns), by_config in us.items():
        groups = set()
        for rounds in by_config.values():
            for cell in rounds.values():
                groups.update(cell)
        shown = sorted(g for g in groups if any(
            median_of(by_config[c], [g]) >= MIN_US for c in by_config))
        print()
        print(f"{kind}, {conns} connection{'s' if conns != '1' else ''}")
        print()
        cols = [c for c in configs if c in by_config]
        print("| JVM | threads | " + " | ".join(cols) + " |")
        print("|---|---|" + "---:|" * len(cols))
        rows = [(role, group, [(role, group)]) for role, group in shown]
        for role in sorted({g[0] for g in groups}):
            rest = [g for g in groups if g[0] == role and g not in shown]
            rows.append((role, "other", rest))
            rows.append((role, "**total**", [g for g in groups if g[0] == role]))
        rows.sort(key=lambda r: (("frontend", "router", "worker").index(r[0]), r[1] in ("other", "**total**"),
                                 r[1] == "**total**", r[1]))
        for role, label, keys in rows:
            if not keys and label == "other":
                continue
            cells = []
            for c in cols:
                m = median_of(by_config[c], keys)
                d = paired(by_config[c], by_config.get(base), keys) if c != base and base in by_config else None
                cells.append(f"{m:.0f}" + (f" ({d:+.0f})" if d is not None else ""))
            print(f"| {role} | {label} | " + " | ".join(cells) + " |")
    print()
    print("Per thread: user + system time from /proc/PID/task/*/stat around each window ÷ the requests wrk completed"
          " in it; a group is a thread name with its numbers as N (C1 and C2 compiler threads are one group)."
          " Threads that ended during a window are not counted.")


def total(cell, keys):
    return sum(cell.get(k, 0.0) for k in keys)


def median_of(rounds, keys):
    return statistics.median(total(cell, keys) for cell in rounds.values()) if rounds else 0.0


def paired(rounds, base_rounds, keys):
    diffs = [total(cell, keys) - total(base_rounds[r], keys) for r, cell in rounds.items() if r in base_rounds]
    return statistics.median(diffs) if diffs else None


if __name__ == "__main__":
    main(sys.argv[1])
