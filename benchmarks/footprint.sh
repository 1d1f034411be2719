#!/usr/bin/env bash
# Where dynamo-obs' added peak RSS goes: MinimalHttpApp with no agent and with dynamo-obs, each with
# -XX:NativeMemoryTracking=summary, read after the first response, /health 200 (dynamo-obs) and 50
# requests — the moment startup.sh reads VmHWM. One run per configuration and JDK: a diagnostic, not
# a statistic (NMT itself costs a little memory, the same in both).
#
#   benchmarks/footprint.sh
#
# Env: JDKS ("17 25"), AGENT_REV / AGENT_JAR, SKIP_BUILD=1 (as in startup.sh).
# Writes benchmarks/results/footprint-<date>.md (also on stdout).
set -euo pipefail
source "$(dirname "$0")/common.sh"

read -r -a JDK_LIST <<< "${JDKS:-17 25}"
build
JAVA_HOMES=()
for j in "${JDK_LIST[@]}"; do JAVA_HOMES+=("$(resolve_jdk "$j")"); done
MD="$RESULTS_DIR/footprint-$STAMP.md"
WORK=$(mktemp -d); trap 'rc=$?; rm -rf "$WORK"; (exit $rc); on_exit' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
poll_200() { # url [data]
  local i
  for i in $(seq 400); do
    if [[ $# -gt 1 ]]; then curl -sf -o /dev/null -d "$2" "$1" && return 0; else curl -sf -o /dev/null "$1" && return 0; fi
    sleep 0.025
  done
  log "no 200 from $1"; return 1
}

snapshot() { # jdk_home config -> $WORK/<jdk>-<config>.txt : "name kib" lines
  local jh=$1 cfg=$2 port sys g pid f body='{"model":"bench","messages":[]}'
  port=$(free_port); sys=$(free_port)
  f="$WORK/$(jdk_label "$jh")-$cfg.txt"
  if [[ $cfg == dynamo-obs ]]; then
    run_group env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS DYN_SYSTEM_PORT="$sys" DYN_SYSTEM_HOST=127.0.0.1 OTEL_EXPORT_ENABLED=false \
      "$jh/bin/java" -XX:NativeMemoryTracking=summary -javaagent:"$AGENT_JAR_COPY" -cp "$BENCH_JAR" \
      dynamo.obs.benchmarks.startup.MinimalHttpApp "$port" > "$WORK/$cfg.log" 2>&1
  else
    run_group env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS \
      "$jh/bin/java" -XX:NativeMemoryTracking=summary -cp "$BENCH_JAR" \
      dynamo.obs.benchmarks.startup.MinimalHttpApp "$port" > "$WORK/$cfg.log" 2>&1
  fi
  g=$GROUP_PID
  poll_200 "http://127.0.0.1:$port/v1/chat/completions" "$body"
  [[ $cfg == dynamo-obs ]] && poll_200 "http://127.0.0.1:$sys/health"
  for _ in $(seq 50); do curl -sf -o /dev/null -d "$body" "http://127.0.0.1:$port/v1/chat/completions"; done
  pid=$(pgrep -P "$g" -x java || echo "$g") # env execs java, so usually pid = group id
  {
    awk '/^VmHWM|^VmRSS/{sub(":", "", $1); print "process " $1, $2}' "/proc/$pid/status"
    "$jh/bin/jcmd" "$pid" GC.heap_info > "$WORK/heap.txt"
    grep -o 'used [0-9]*K' "$WORK/heap.txt" | head -1 | awk '{sub("K", "", $2); print "Java heap in use (objects)", $2}'
    # resident pages of the heap's address range: what the allocations so far have touched
    python3 - "$pid" "$WORK/heap.txt" <<'PY'
import re, sys
lo, hi = (int(x, 16) for x in re.search(r"\[0x([0-9a-f]+), 0x([0-9a-f]+)\)", open(sys.argv[2]).read()).groups())
total, inside = 0, False
for line in open(f"/proc/{sys.argv[1]}/smaps"):
    m = re.match(r"([0-9a-f]+)-([0-9a-f]+) ", line)
    if m:
        inside = int(m.group(1), 16) >= lo and int(m.group(2), 16) <= hi
    elif inside and line.startswith("Rss:"):
        total += int(line.split()[1])
print("Java heap resident", total)
PY
    "$jh/bin/jcmd" "$pid" VM.native_memory summary | sed -n 's/^-  *\([A-Za-z][A-Za-z ]*[a-z]\) (reserved=[0-9]*KB, committed=\([0-9]*\)KB.*/NMT committed: \1 \2/p'
  } > "$f"
  stop_group "$g"
}

# measure first, outside the pipe below (a pipeline runs in a subshell, where the clean-up trap is not set)
for jh in "${JAVA_HOMES[@]}"; do
  snapshot "$jh" no-agent
  snapshot "$jh" dynamo-obs
done

{
  echo "## Footprint breakdown ($STAMP)"
  echo
  machine_facts "${JAVA_HOMES[@]}"
  for jh in "${JAVA_HOMES[@]}"; do
    label=$(jdk_label "$jh")
    echo
    echo "### $label"
    echo
    echo "| KiB | no-agent | dynamo-obs | added |"
    echo "|---|---:|---:|---:|"
    awk '{ v = $NF; $NF = ""; sub(/ $/, ""); if (FNR == NR) { a[$0] = v; order[++n] = $0 } else b[$0] = v }
         END { for (i = 1; i <= n; i++) { k = order[i]; if (a[k] == b[k] && k ~ /^NMT/) continue
                 printf "| %s | %d | %d | %+d |\n", k, a[k], b[k], b[k] - a[k] } }' \
      "$WORK/$label-no-agent.txt" "$WORK/$label-dynamo-obs.txt"
  done
  echo
  echo "NMT rows equal in both are left out. \"committed\" memory is not necessarily resident: the Java heap is"
  echo "committed up front but only the pages the application has touched count in RSS (\"Java heap resident\","
  echo "from /proc/PID/smaps over the heap's address range); \"in use\" is what live and not yet collected objects take."
} | tee "$MD"
