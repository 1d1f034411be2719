#!/usr/bin/env python3
"""Where each configuration's CPU per request goes: the profile part of cpu.sh's report (PROFILE=1).

Reads, for one stack, what cpu.sh's profile step left in its logs directory per configuration:
profile-STACK-CONFIG.cpu.collapsed (async-profiler CPU samples, one stack a line, the thread first),
.alloc.collapsed (allocation samples with bytes), .jfr (the JIT's compilations and deoptimizations),
.threads.tsv (the window's CPU by thread from /proc) and profile-STACK.windows (requests and CPU per window).
Prints per configuration: µs per request by thread group from the samples beside /proc's; on the request
threads the samples with an agent frame on the stack (by the outermost agent method, and by the method
on top), the methods on top that grew most against the base configuration; the export and console threads'
top methods; the JIT's compilations (how many, how long, of whose code) and deoptimizations; and the bytes
allocated per request on the request threads, the agent's share and its largest sites.

Usage: cpu-profile-report.py --jfr-tool JFR --logs DIR --stack NAME --interval-ns N --group request=REGEX ... CONFIG...
(the first CONFIG is the base)
"""
import argparse
import collections
import json
import os
import re
import subprocess

from agent_frames import AGENT, PASS_THROUGH

FRAME_SUFFIX = re.compile(r"_\[[a-z0-9]\]$")
THREAD = re.compile(r"^\[(.*?)(?: tid=\d+)?\]$")


GROUP_ORDER = ["request", "jit", "gc", "export", "console", "other"]


def grouper(patterns):
    """name -> group, by cpu.sh's patterns (in GROUP_ORDER), on the name cut to the 15 characters /proc keeps"""
    compiled = [(g, re.compile(patterns[g])) for g in GROUP_ORDER if g in patterns]

    def group(name):
        for g, p in compiled:
            if p.search(name[:15]):
                return g
        return "other"
    return group


def read_collapsed(path):
    """[(thread, [frames outermost first], weight)]"""
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                continue
            stack, _, n = line.rpartition(" ")
            frames = [FRAME_SUFFIX.sub("", x) for x in stack.split(";")]
            thread = ""
            m = THREAD.match(frames[0]) if frames else None
            if m:
                thread = m.group(1)
                frames = frames[1:]
            out.append((thread, frames, int(n)))
    return out


def is_agent(frame):
    return frame.replace("/", ".").startswith(AGENT)


def short(frame):
    return frame.replace("/", ".")


def jit_activity(jfr_tool, path):
    if not os.path.exists(path):
        return None
    try:
        text = subprocess.run([jfr_tool, "print", "--json", "--events",
                               "jdk.Compilation,jdk.Deoptimization,jdk.CompilationFailure", path],
                              capture_output=True, text=True, check=True).stdout
        events = json.loads(text)["recording"]["events"]
    except (subprocess.CalledProcessError, ValueError, KeyError):
        return None
    comp = [e["values"] for e in events if e["type"] == "jdk.Compilation"]
    deopt = [e["values"] for e in events if e["type"] == "jdk.Deoptimization"]

    def method(v):
        m = v.get("method") or {}
        t = (m.get("type") or {}).get("name", "?")
        return t.replace("/", ".") + "." + str(m.get("name", "?"))

    def millis(d):  # JFR's JSON durations: "PT0.001234S"
        m = re.match(r"PT(?:(\d+)M)?([\d.]+)S", str(d))
        return (int(m.group(1) or 0) * 60 + float(m.group(2))) * 1000 if m else 0.0

    by_method = collections.Counter()
    agent_ms = 0.0
    total_ms = 0.0
    for v in comp:
        ms = millis(v.get("duration", "PT0S"))
        total_ms += ms
        name = method(v)
        by_method[(name, v.get("compileLevel"))] += ms
        if is_agent(name):
            agent_ms += ms
    reasons = collections.Counter((method(v), v.get("reason"), v.get("action")) for v in deopt)
    return {"compilations": len(comp), "ms": total_ms, "agent_ms": agent_ms, "top": by_method.most_common(8),
            "deopts": len(deopt), "deopt_top": reasons.most_common(5)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jfr-tool", default="jfr")
    ap.add_argument("--logs", required=True)
    ap.add_argument("--stack", required=True)
    ap.add_argument("--interval-ns", type=int, default=1_000_000)
    ap.add_argument("--group", action="append", default=[], help="NAME=REGEX, as cpu.sh classifies threads")
    ap.add_argument("configs", nargs="+")
    a = ap.parse_args()
    group = grouper(dict(g.split("=", 1) for g in a.group))
    windows = {}
    with open(os.path.join(a.logs, f"profile-{a.stack}.windows")) as f:
        for line in f:
            cfg, n, cpu = line.split()
            windows[cfg] = (int(n), int(cpu))
    base = a.configs[0]
    us_per_sample = a.interval_ns / 1000.0

    def prefix(cfg):
        return os.path.join(a.logs, f"profile-{a.stack}-{cfg}")

    print(f"### Where the CPU goes: {a.stack} (async-profiler, one window of each configuration)")
    print()
    print(f"CPU sampled every {a.interval_ns / 1e6:g} ms of CPU per thread; µs per request = samples × interval ÷ "
          "requests. The agent's own work: samples with a frame of dynamo-obs on the stack, unless the nearest one only "
          "hands the application's work through (a body stream's write or flush reaching the socket); advice woven "
          "into the server's own methods runs inside them and shows only through what it calls. Each configuration's "
          "profiler and JFR were attached, and a window of load served, before the window profiled (attaching makes "
          "the JIT compile much anew).")
    leaf = {}
    for cfg in a.configs:
        if cfg not in windows:
            continue
        n, cpu_ms = windows[cfg]
        samples = read_collapsed(prefix(cfg) + ".cpu.collapsed")
        by_group = collections.Counter()
        for t, frames, w in samples:
            by_group[group(t)] += w
        proc = collections.Counter()
        tsv = prefix(cfg) + ".threads.tsv"
        if os.path.exists(tsv):
            with open(tsv) as f:
                for line in f:
                    name, ms = line.rstrip("\n").split("\t")
                    proc[group(name)] += int(ms)
        print()
        print(f"#### {cfg}: {n} requests, {cpu_ms * 1000.0 / n:.0f} µs of CPU per request in the window (/proc)")
        print()
        print("| thread group | samples µs/request | /proc µs/request |")
        print("|---|---:|---:|")
        for g in GROUP_ORDER:
            print(f"| {g} | {by_group[g] * us_per_sample / n:.1f} | {proc[g] * 1000.0 / n:.1f} |")
        req = [(fr, w) for t, fr, w in samples if group(t) == "request"]
        leaf[cfg] = collections.Counter()
        own_by_outer = collections.Counter()
        own_by_inner = collections.Counter()
        own = through = 0
        for frames, w in req:
            if frames:
                leaf[cfg][short(frames[-1])] += w
            agents = [short(f) for f in frames if is_agent(f)]
            if not agents:
                continue
            if PASS_THROUGH.search(agents[-1]) and not is_agent(frames[-1]):
                through += w  # the application's work handed through a stream wrapper
                continue
            own += w
            own_by_outer[agents[0]] += w
            own_by_inner[agents[-1]] += w
        if own or through:
            print()
            print(f"Request threads: the agent's own work {own * us_per_sample / n:.1f} µs/request (samples with an "
                  f"agent frame, less {through * us_per_sample / n:.1f} µs/request of the application's own work "
                  "handed through the agent's stream wrappers). By the outermost agent method: " + ", ".join(
                      f"`{k}` {v * us_per_sample / n:.1f}" for k, v in own_by_outer.most_common(6))
                  + ". By the innermost: " + ", ".join(
                      f"`{k}` {v * us_per_sample / n:.1f}" for k, v in own_by_inner.most_common(8)) + ".")
        if cfg != base and base in leaf:
            grew = []
            for k in set(leaf[cfg]) | set(leaf[base]):
                d = (leaf[cfg][k] / n - leaf[base][k] / windows[base][0]) * us_per_sample
                grew.append((d, k))
            grew.sort(reverse=True)
            print()
            print(f"Request threads, methods on top that grew most against {base} (µs/request): "
                  + ", ".join(f"`{k}` +{d:.1f}" for d, k in grew[:10] if d > 0) + ".")
        for g in ("export", "console"):
            tops = collections.Counter()
            for t, frames, w in samples:
                if group(t) == g and frames:
                    tops[short(frames[-1])] += w
            if tops:
                print()
                print(f"{g.capitalize()} threads, methods on top (µs/request): " + ", ".join(
                    f"`{k}` {v * us_per_sample / n:.1f}" for k, v in tops.most_common(6)) + ".")
        jit = jit_activity(a.jfr_tool, prefix(cfg) + ".jfr")
        if jit:
            print()
            print(f"JIT in the window (JFR): {jit['compilations']} compilations, {jit['ms']:.0f} ms compiling "
                  f"({jit['ms'] * 1000.0 / n:.1f} µs/request), of which dynamo-obs' own methods "
                  f"{jit['agent_ms']:.0f} ms; longest: " + ", ".join(
                      f"`{m}` (tier {lvl}) {ms:.0f} ms" for (m, lvl), ms in jit["top"][:6])
                  + f". Deoptimizations: {jit['deopts']}"
                  + ("" if not jit["deopt_top"] else " (" + ", ".join(
                      f"`{m}` {r}/{act} ×{c}" for (m, r, act), c in jit["deopt_top"]) + ")") + ".")
        alloc = read_collapsed(prefix(cfg) + ".alloc.collapsed")
        if alloc:
            req_bytes = 0
            agent_bytes = 0
            sites = collections.Counter()
            for t, frames, w in alloc:
                if group(t) != "request":
                    continue
                req_bytes += w
                agents = [short(f) for f in frames if is_agent(f)]
                if not agents or PASS_THROUGH.search(agents[-1]):
                    continue  # no agent frame, or the application's allocation under a stream wrapper
                agent_bytes += w
                # the leaf is the allocated type; the frame below it the allocating method
                sites[f"{agents[-1]} → {short(frames[-1])}"] += w
            # the allocation window is the next REQUESTS requests
            print()
            print(f"Allocation on the request threads (sampled, bytes estimated): {req_bytes / n:,.0f} B/request, "
                  f"by the agent's own work (the same rule as for CPU) {agent_bytes / n:,.0f} B/request; largest agent sites: "
                  + ", ".join(f"`{k}` {v / n:,.0f} B" for k, v in sites.most_common(6)) + ".")


if __name__ == "__main__":
    main()
