#!/usr/bin/env bash
# Whole-process overhead under load: the demo deployment of examples/ (frontend → router → one worker
# with a fast simulated engine) with no agent, with dynamo-obs on every JVM, and with the OpenTelemetry
# Java agent (common.sh's OTEL_AGENT_VERSION) on every JVM (exporters off), loaded by wrk over loopback with chat completions.
# The three stacks run side by side; the measurement windows are interleaved, their order rotated
# from round to round, and each window records the load generator's figures, the CPU time the three
# JVMs of the stack used, and how busy the machine was. See BENCHMARKS.md.
#
#   benchmarks/load.sh
#
#   CONFIGS="dynamo-obs dynamo-obs-export dynamo-obs-export-down dynamo-obs-export-slow" LOAD_BASE=dynamo-obs benchmarks/load.sh
#
# Env: CONFIGS ("no-agent dynamo-obs otel-javaagent"; also dynamo-obs-export, -export-down, -export-slow,
# dynamo-obs-without-<instrumentation>, e.g. dynamo-obs-without-executors, to see what one instrumentation costs,
# and dynamo-obs-frontend / otel-javaagent-frontend: the agent on the frontend JVM only, router and worker
# plain — the frontend in front of a fast simulated engine; NAME#2 is another stack of configuration NAME,
# launched and measured apart from it: an A/A control that shows what two launches of the same thing differ by),
# LOAD_BASE (the configuration the others are compared with: no-agent), ROUNDS (6), DURATION (4s per window), WARMUP (40s per stack and kind of request), PROFILE (1: one
# more window on the dynamo-obs stack under JFR after the measurement, PROFILE_DURATION 8s; 0: none;
# PROFILE_CONFIG: another configuration's stack, e.g. dynamo-obs-export),
# SCENARIOS ("unary:8 unary:1 stream:8": kind:connections; a kind "unary/40" paces each connection, 0–80 ms (40 on average)
# between an answer and its next request, e.g. "unary/40:8" ≈ 190 req/s: latency at a steady load below
# saturation), JDK (17; or 25, or a JAVA_HOME),
# THREADS (0; 1: CPU per thread group per window too, in load-<date>-threads.csv and the report),
# SETTLE_WINDOW (10, seconds), SETTLE_PCT (1), SETTLE_MAX (300, seconds): after the warm-up each stack serves
# windows until its JVMs spend less than SETTLE_PCT % of a CPU compiling over a whole turn of its kinds (SETTLE_MAX=0: no such phase),
# AGENT_REV or AGENT_JAR (as in startup.sh), SKIP_BUILD=1.
# Writes benchmarks/results/load-<date>.csv and .md (the report, also on stdout).
set -euo pipefail
source "$(dirname "$0")/common.sh"

ROUNDS=${ROUNDS:-6}
DURATION=${DURATION:-4s}
# long enough for the JIT to settle: with 8 s the compiler threads were still busy in the measured windows,
# more so with an agent (more code), which counted as per-request cost (BENCHMARKS.md)
WARMUP=${WARMUP:-40s}
read -r -a SCENARIO_LIST <<< "${SCENARIOS:-unary:8 unary:1 stream:8}"
JAVA_HOME_RUN=$(resolve_jdk "${JDK:-17}")
JAVA="$JAVA_HOME_RUN/bin/java"
MODEL="Qwen/Qwen3-0.6B"
# dynamo-obs-export*: dynamo-obs with OTEL_EXPORT_ENABLED=true and the collector up (a SinkCollector that
# counts and keeps nothing), down (nothing listens) or slow (answers every export 5 s late)
read -r -a CONFIGS <<< "${CONFIGS:-no-agent dynamo-obs otel-javaagent}"
N=${#CONFIGS[@]}
ROLES=(worker router frontend)
command -v wrk >/dev/null || { log "wrk is missing: apt-get install -y wrk"; exit 1; }
command -v curl >/dev/null || { log "curl is missing"; exit 1; }

build_tree examples
OTEL_AGENT_JAR="$TREE_BENCH/agents/opentelemetry-javaagent-$OTEL_AGENT_VERSION.jar"
[[ -f "$OTEL_AGENT_JAR" ]] || { log "no $OTEL_AGENT_JAR (run without SKIP_BUILD)"; exit 1; }
# the examples are copied too, so a rebuild by someone else mid-run cannot change them
EXAMPLES_JAR="$BENCH_DIR/target/agents/dynamo-obs-examples.jar"
cp "$TREE_DIR/examples/target/dynamo-obs-examples.jar" "$EXAMPLES_JAR"
CSV="$RESULTS_DIR/load-$STAMP.csv"
MD="$RESULTS_DIR/load-$STAMP.md"
THREADS_CSV="$RESULTS_DIR/load-$STAMP-threads.csv"
LATENCY_CSV="$RESULTS_DIR/load-$STAMP-latency.csv"
LOGS="$BENCH_DIR/target/load-logs"
rm -rf "$LOGS"; mkdir -p "$LOGS"
[[ ${THREADS:-0} == 1 ]] && echo "round,config,kind,connections,role,thread_group,cpu_ms,requests" > "$THREADS_CSV"
# every window's latencies in 1 % buckets (load-chat.lua), so the report can pool a configuration's windows
echo "round,config,kind,connections,bucket_us,count" > "$LATENCY_CSV"
echo "round,config,kind,connections,requests,duration_s,req_per_s,avg_ms,p50_ms,p90_ms,p99_ms,max_ms,err_connect,err_read,err_write,err_timeout,non2xx,cpu_ms_frontend,cpu_ms_router,cpu_ms_worker,load1,other_java,other_cpu_cores" > "$CSV"

# 6 distinct free ports per stack (3 app, 3 system) and 2 for the collectors
read -r -a PORTS <<< "$(free_ports $((N * 6 + 2)))"
COLLECTOR_PORT=${PORTS[N * 6]}
SLOW_COLLECTOR_PORT=${PORTS[N * 6 + 1]}

clean_env

declare -A PID URL SYS

start_stack() { # config index: app ports PORTS[6i..6i+2], system ports PORTS[6i+3..6i+5]
  local cfg=$1 i=$2 r role main port args envs opts as
  local wport=${PORTS[i * 6]} rport=${PORTS[i * 6 + 1]} fport=${PORTS[i * 6 + 2]}
  for r in 0 1 2; do
    role=${ROLES[r]}
    envs=(); opts=(-Dsun.net.httpserver.nodelay=true)
    case $role in
      worker) main=dynamo.obs.examples.worker.WorkerServer; port=$wport
        args=(--port="$port" --worker-id=worker-1 --models="$MODEL" --ttft-ms=0 --itl-ms=0 --output-tokens=8) ;;
      router) main=dynamo.obs.examples.router.RouterServer; port=$rport
        args=(--port="$port" --workers="http://127.0.0.1:$wport") ;;
      frontend) main=dynamo.obs.examples.frontend.FrontendServer; port=$fport
        args=(--port="$port" --router="http://127.0.0.1:$rport" --models="$MODEL") ;;
    esac
    as=${cfg%%#*} # a *-frontend stack runs its router and worker as no-agent
    [[ $as == *-frontend && $role != frontend ]] && as=no-agent
    case $as in
      dynamo-obs*)
        SYS[$cfg-$role]=${PORTS[i * 6 + 3 + r]}
        envs=(DYN_SYSTEM_PORT="${SYS[$cfg-$role]}" DYN_SYSTEM_HOST=127.0.0.1 OTEL_SERVICE_NAME="dynamo-$role")
        case ${cfg%%#*} in
          dynamo-obs|dynamo-obs-frontend) envs+=(OTEL_EXPORT_ENABLED=false) ;;
          # a diagnostic: dynamo-obs with one instrumentation switched off, e.g. dynamo-obs-without-executors
          dynamo-obs-without-*) local off=${cfg%%#*}; off=${off#dynamo-obs-without-}; off=${off//-/_}
            envs+=(OTEL_EXPORT_ENABLED=false "DYN_OBS_INSTRUMENTATION_${off^^}_ENABLED=false") ;;
          dynamo-obs-export) envs+=(OTEL_EXPORT_ENABLED=true OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$COLLECTOR_PORT") ;;
          dynamo-obs-export-slow) envs+=(OTEL_EXPORT_ENABLED=true OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SLOW_COLLECTOR_PORT") ;;
          # nothing listens there: every export fails and the buffers fill, then drop the oldest
          dynamo-obs-export-down) envs+=(OTEL_EXPORT_ENABLED=true OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:9") ;;
          *) log "unknown configuration $cfg"; exit 1 ;;
        esac
        case $role in
          worker) envs+=(DYN_COMPONENT=backend "DYN_OBS_WORKER_METHODS=dynamo.obs.examples.engine.SimulatedEngine[generate]") ;;
          router) envs+=(DYN_COMPONENT=router "DYN_OBS_ROUTER_METHODS=dynamo.obs.examples.router.WorkerPicker[pickWorker]"
            DYN_SYSTEM_STARTING_HEALTH_STATUS=ready) ;;
          frontend) envs+=(DYN_COMPONENT=frontend) ;;
        esac
        opts+=(-javaagent:"$AGENT_JAR_COPY") ;;
      otel-javaagent|otel-javaagent-frontend)
        opts+=(-javaagent:"$OTEL_AGENT_JAR" -Dotel.traces.exporter=none -Dotel.metrics.exporter=none
          -Dotel.logs.exporter=none -Dotel.service.name="dynamo-$role") ;;
    esac
    run_group "${CLEAN_ENV[@]}" "${envs[@]}" "$JAVA" "${opts[@]}" -cp "$EXAMPLES_JAR" "$main" "${args[@]}" \
      > "$LOGS/$cfg-$role.log" 2>&1
    PID[$cfg-$role]=$GROUP_PID
    OUR_PIDS+=("$GROUP_PID")
    URL[$cfg-$role]="http://127.0.0.1:$port"
  done
}

wait_up() { # config role path
  local i
  for i in $(seq 1200); do
    curl -sf -o /dev/null --max-time 1 "${URL[$1-$2]}$3" && return 0
    kill -0 "${PID[$1-$2]}" 2>/dev/null || { log "$1 $2 exited; see $LOGS/$1-$2.log"; exit 1; }
    sleep 0.1
  done
  log "$1 $2 did not answer ${URL[$1-$2]}$3 within 120 s; see $LOGS/$1-$2.log"; exit 1
}

# THREADS=1: each window also records every thread group's CPU time in the stack's three JVMs (a group is
# a thread name with its numbers as N: frontend-http-N, C2 CompilerThreN, dynamo-obs-export-…), so the
# report says where a configuration's added CPU goes (request threads, the JIT, GC, the agent's threads)
thread_cpu() { # config: "role<TAB>group<TAB>ms" for every thread of its three JVMs
  local role
  for role in "${ROLES[@]}"; do
    task_cpu "${PID[$1-$role]}" | awk -F'\t' -v role="$role" '{ g = $2; gsub(/[0-9]+/, "N", g); printf "%s\t%s\t%d\n", role, g, $3 }'
  done
}

# sum of every sample of a counter family on a dynamo-obs system port
counter_sum() { # role family [config]
  metric_sum "${SYS[${3:-$AGENT_CFG}-$1]}" "$2"
}

CHAT_PATH=/v1/chat/completions
run_wrk() { # config kind connections duration
  wrk -t1 -c"$3" -d"$4" -s "$BENCH_DIR/load-chat.lua" "${URL[$1-frontend]}$CHAT_PATH" -- "$2"
}

measure() { # round config kind:connections
  local round=$1 cfg=$2 kind=${3%%:*} conns=${3##*:} out line load1 others f0 r0 w0 b0 o0 t0 other
  load1=$(cut -d' ' -f1 /proc/loadavg); others=$(other_java)
  f0=$(cpu_ms "${PID[$cfg-frontend]}"); r0=$(cpu_ms "${PID[$cfg-router]}"); w0=$(cpu_ms "${PID[$cfg-worker]}")
  [[ ${THREADS:-0} == 1 ]] && thread_cpu "$cfg" > "$LOGS/threads-before.tsv"
  b0=$(busy_ms); o0=$(ours_ms); t0=$(date +%s%N)
  out=$(run_wrk "$cfg" "$kind" "$conns" "$DURATION")
  [[ ${THREADS:-0} == 1 ]] && thread_cpu "$cfg" > "$LOGS/threads-after.tsv"
  other=$(awk -v b="$(( $(busy_ms) - b0 - $(ours_ms) + o0 ))" -v t="$(( $(date +%s%N) - t0 ))" \
    'BEGIN { printf "%.2f", b / (t / 1e6) }')
  line=$(grep '^WRKRESULT' <<< "$out") || { log "wrk gave no result: $out"; exit 1; }
  grep '^WRKHIST' <<< "$out" | tr ' ' '\n' | awk -F: -v pre="$round,$cfg,$kind,$conns" 'NF == 2 { print pre "," $1 "," $2 }' >> "$LATENCY_CSV" || true
  awk -v pre="$round,$cfg,$kind,$conns" -v f="$(( $(cpu_ms "${PID[$cfg-frontend]}") - f0 ))" \
      -v r="$(( $(cpu_ms "${PID[$cfg-router]}") - r0 ))" -v w="$(( $(cpu_ms "${PID[$cfg-worker]}") - w0 ))" \
      -v post="$load1,$others,$other" '{
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      printf "%s,%d,%.2f,%.1f,%.3f,%.3f,%.3f,%.3f,%.3f,%d,%d,%d,%d,%d,%d,%d,%d,%s\n", pre, v["requests"],
        v["duration_us"] / 1e6, v["requests"] / (v["duration_us"] / 1e6), v["avg_us"] / 1000, v["p50_us"] / 1000,
        v["p90_us"] / 1000, v["p99_us"] / 1000, v["max_us"] / 1000, v["connect"], v["read"], v["write"],
        v["timeout"], v["non2xx"], f, r, w, post }' <<< "$line" >> "$CSV"
  log "  $(tail -n1 "$CSV")"
  if [[ ${THREADS:-0} == 1 ]]; then # per group: CPU in the window (threads that ended during it are not counted)
    awk -F'\t' -v pre="$round,$cfg,$kind,$conns" -v n="$(cut -d, -f5 <<< "$(tail -n1 "$CSV")")" '
      FNR == NR { b[$1 "\t" $2] += $3; next } { a[$1 "\t" $2] += $3 }
      END { for (k in a) { split(k, rg, "\t"); d = a[k] - b[k]; if (d > 0) printf "%s,%s,%s,%d,%d\n", pre, rg[1], rg[2], d, n } }' \
      "$LOGS/threads-before.tsv" "$LOGS/threads-after.tsv" >> "$THREADS_CSV"
  fi
}

# the dynamo-obs stack whose counters are checked and profiled: plain dynamo-obs, else the first variant
# with the agent on all three JVMs, else dynamo-obs-frontend
AGENT_CFG=""
for cfg in "${CONFIGS[@]}"; do
  [[ $cfg == dynamo-obs* && $cfg != *-frontend && ( -z $AGENT_CFG || $cfg == dynamo-obs ) ]] && AGENT_CFG=$cfg
done
[[ -z $AGENT_CFG && " ${CONFIGS[*]} " == *" dynamo-obs-frontend "* ]] && AGENT_CFG=dynamo-obs-frontend
[[ -n $AGENT_CFG ]] || { log "CONFIGS has no dynamo-obs configuration"; exit 1; }
AGENT_ROLES=("${ROLES[@]}")
[[ $AGENT_CFG == *-frontend ]] && AGENT_ROLES=(frontend)
if [[ " ${CONFIGS[*]} " == *" dynamo-obs-export"* ]]; then
  run_group "${CLEAN_ENV[@]}" "$JAVA" -cp "$TREE_BENCH/dynamo-obs-benchmarks.jar:$TREE_BENCH/lib/*" dynamo.obs.benchmarks.collector.SinkCollector \
    --port="$COLLECTOR_PORT" --counts="$LOGS/collector.counts" > "$LOGS/collector.log" 2>&1
  OUR_PIDS+=("$GROUP_PID"); COLLECTOR_PID=$GROUP_PID
  run_group "${CLEAN_ENV[@]}" "$JAVA" -cp "$TREE_BENCH/dynamo-obs-benchmarks.jar:$TREE_BENCH/lib/*" dynamo.obs.benchmarks.collector.SinkCollector \
    --port="$SLOW_COLLECTOR_PORT" --delay-ms=5000 --counts="$LOGS/slow-collector.counts" > "$LOGS/slow-collector.log" 2>&1
  OUR_PIDS+=("$GROUP_PID"); SLOW_COLLECTOR_PID=$GROUP_PID
fi
log "starting $N stacks x 3 JVMs on $(jdk_label "$JAVA_HOME_RUN") (logs in $LOGS)"
for ((i = 0; i < N; i++)); do start_stack "${CONFIGS[i]}" "$i"; done
for cfg in "${CONFIGS[@]}"; do
  wait_up "$cfg" worker /healthz
  wait_up "$cfg" router /healthz
  wait_up "$cfg" frontend /v1/models
  code=$(curl -s -o "$LOGS/$cfg-smoke.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"model\":\"$MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":8}" \
    "${URL[$cfg-frontend]}$CHAT_PATH")
  [[ $code == 200 ]] || { log "$cfg: a chat completion answered $code; see $LOGS"; exit 1; }
done
STARTED_S=$SECONDS

# Warm-up: every stack serves each kind of request before anything is measured (JIT, connection
# pools, the agents' instrumentation becoming active).
KINDS=$(printf '%s\n' "${SCENARIO_LIST[@]}" | cut -d: -f1 | sort -u | tr '\n' ' ')
for cfg in "${CONFIGS[@]}"; do
  for kind in $KINDS; do
    log "warm-up: $cfg $kind for $WARMUP"
    run_wrk "$cfg" "$kind" 8 "$WARMUP" > /dev/null
  done
done

# Then until the JIT is quiet: a fixed warm-up left the C2 compilers busy in the measured windows (tier-4
# compilations of hot JDK and agent methods 100 s in), and their CPU counted as per-request cost of
# whichever stack had more code to compile. Each stack serves windows of SETTLE_WINDOW (its kinds in
# turn) until the compiler threads of its three JVMs used less than SETTLE_PCT % of a CPU over each
# window of a whole turn, or for SETTLE_MAX.
SETTLE_WINDOW=${SETTLE_WINDOW:-10}; SETTLE_PCT=${SETTLE_PCT:-1}; SETTLE_MAX=${SETTLE_MAX:-300}
compile_ms() { # config: CPU time, in ms, its three JVMs' JIT compiler threads have used so far
  thread_cpu "$1" | awk -F'\t' '$2 ~ /^CN CompilerThre/ { t += $3 } END { printf "%d", t }'
}
declare -A SETTLED
read -r -a KIND_LIST <<< "$KINDS"
for cfg in "${CONFIGS[@]}"; do
  ((SETTLE_MAX > 0)) || { SETTLED[$cfg]="not waited for (SETTLE_MAX=0)"; continue; }
  spent=0; w=0; quiet=0
  while :; do
    c0=$(compile_ms "$cfg")
    run_wrk "$cfg" "${KIND_LIST[w % ${#KIND_LIST[@]}]}" 8 "${SETTLE_WINDOW}s" > /dev/null
    c1=$(compile_ms "$cfg"); w=$((w + 1)); spent=$((spent + SETTLE_WINDOW))
    pct=$(awk -v d="$((c1 - c0))" -v w="$SETTLE_WINDOW" 'BEGIN { printf "%.1f", d / (w * 10) }')
    log "settle: $cfg's JIT compilers used $((c1 - c0)) ms of CPU in a ${SETTLE_WINDOW} s window ($pct %)"
    # quiet over a whole turn of the kinds: a paced window alone is too light to tell
    if awk -v p="$pct" -v m="$SETTLE_PCT" 'BEGIN { exit !(p < m) }'; then quiet=$((quiet + 1)); else quiet=0; fi
    if ((quiet >= ${#KIND_LIST[@]})); then
      SETTLED[$cfg]="${spent} s (JIT compilers at $pct % of a CPU in the last window)"; break
    fi
    if ((spent >= SETTLE_MAX)); then
      SETTLED[$cfg]="not within ${SETTLE_MAX} s (JIT compilers at $pct % of a CPU in the last window)"; break
    fi
  done
done
SETTLE_FACTS=""
for cfg in "${CONFIGS[@]}"; do SETTLE_FACTS+="$cfg ${SETTLED[$cfg]}; "; done
MEASURE_START_S=$SECONDS

# dynamo-obs must be recording on its JVMs before the measurement starts
for role in "${AGENT_ROLES[@]}"; do
  curl -sf -o /dev/null "http://127.0.0.1:${SYS[$AGENT_CFG-$role]}/metrics" || { log "$AGENT_CFG $role: no /metrics"; exit 1; }
done
# the request counter of each JVM with the agent, before and after the measurement
declare -A REQUESTS_FAMILY=([frontend]=dynamo_frontend_requests_total [router]=dynamo_component_router_requests_total
  [worker]=dynamo_component_requests_total)
declare -A COUNTED0 COUNTED1
for role in "${AGENT_ROLES[@]}"; do
  COUNTED0[$role]=$(counter_sum "$role" "${REQUESTS_FAMILY[$role]}")
  (( COUNTED0[$role] > 0 )) || { log "dynamo-obs is not recording after the warm-up ($role: no requests)"; exit 1; }
done

for ((round = 1; round <= ROUNDS; round++)); do
  for ((k = 0; k < N; k++)); do
    cfg=${CONFIGS[(round - 1 + k) % N]}
    for sc in "${SCENARIO_LIST[@]}"; do
      measure "$round" "$cfg" "$sc"
    done
  done
done
MEASURED_S=$((SECONDS - MEASURE_START_S)); PREPARED_S=$((MEASURE_START_S - STARTED_S))

ERRORS=0
COUNTED=""
for role in "${AGENT_ROLES[@]}"; do
  COUNTED1[$role]=$(counter_sum "$role" "${REQUESTS_FAMILY[$role]}")
  COUNTED+="$role ${REQUESTS_FAMILY[$role]} +$((COUNTED1[$role] - COUNTED0[$role])), "
  ERRORS=$((ERRORS + $(counter_sum "$role" dynamo_obs_advice_errors_total)))
done
SENT=$(awk -F, -v c="$AGENT_CFG" 'NR > 1 && $2 == c { s += $5 } END { printf "%d", s }' "$CSV")
EXPORT_FACTS=""
for cfg in "${CONFIGS[@]}"; do
  [[ $cfg == dynamo-obs-export* ]] || continue
  e=0; d=0; w=0
  for role in "${ROLES[@]}"; do
    e=$((e + $(counter_sum "$role" dynamo_obs_exported_total "$cfg")))
    d=$((d + $(counter_sum "$role" dynamo_obs_export_dropped_total "$cfg")))
  done
  EXPORT_FACTS+="$cfg: exported $e, dropped $d (spans and log records, three JVMs); "
done
[[ -f "$LOGS/collector.counts" ]] && EXPORT_FACTS+="collector received $(cat "$LOGS/collector.counts"); "
[[ -f "$LOGS/slow-collector.counts" ]] && EXPORT_FACTS+="slow collector received $(cat "$LOGS/slow-collector.counts")"

# Where dynamo-obs' cost goes: one more window of the first scenario on the dynamo-obs stack (or on
# PROFILE_CONFIG's), after the measurement (so it cannot disturb it), with JFR on its three JVMs sampling
# every 1 ms.
PROFILE_MD="$LOGS/profile.md"
if [[ "${PROFILE:-1}" == 1 ]]; then
  AGENT_CFG=${PROFILE_CONFIG:-$AGENT_CFG}
  jfc="$LOGS/sample-1ms.jfc"
  sed -E '/<event name="jdk.ExecutionSample">/,/<\/event>/ s|(<setting name="period"[^>]*>)[^<]*|\11 ms|' \
    "$JAVA_HOME_RUN/lib/jfr/profile.jfc" > "$jfc"
  profile_kind=${SCENARIO_LIST[0]%%:*}; profile_conns=${SCENARIO_LIST[0]##*:}
  log "profile: $AGENT_CFG $profile_kind, $profile_conns connections, ${PROFILE_DURATION:-8s} under JFR"
  for role in "${ROLES[@]}"; do
    "$JAVA_HOME_RUN/bin/jcmd" "${PID[$AGENT_CFG-$role]}" JFR.start name=agent-share settings="$jfc" \
      filename="$LOGS/dynamo-obs-$role.jfr" > /dev/null
  done
  run_wrk "$AGENT_CFG" "$profile_kind" "$profile_conns" "${PROFILE_DURATION:-8s}" > /dev/null
  for role in "${ROLES[@]}"; do
    "$JAVA_HOME_RUN/bin/jcmd" "${PID[$AGENT_CFG-$role]}" JFR.stop name=agent-share > /dev/null
  done
  python3 "$BENCH_DIR/jfr-agent-share.py" --jfr-tool "$JAVA_HOME_RUN/bin/jfr" \
    "frontend=$LOGS/dynamo-obs-frontend.jfr" "router=$LOGS/dynamo-obs-router.jfr" "worker=$LOGS/dynamo-obs-worker.jfr" \
    > "$PROFILE_MD"
fi
for cfg in "${CONFIGS[@]}"; do
  for role in "${ROLES[@]}"; do stop_group "${PID[$cfg-$role]}"; done
done
[[ -n ${COLLECTOR_PID:-} ]] && stop_group "$COLLECTOR_PID"
[[ -n ${SLOW_COLLECTOR_PID:-} ]] && stop_group "$SLOW_COLLECTOR_PID"

{
  echo "## Load: demo deployment, ${CONFIGS[*]} ($STAMP)"
  echo
  machine_facts "$JAVA_HOME_RUN"
  echo "- examples (frontend, router, worker): $(sha256sum "$EXAMPLES_JAR" | cut -c1-12) from $([[ $TREE_DIR == "$ROOT_DIR" ]] && echo "the working tree" || echo "the same export")"
  echo "- deployment: FrontendServer → RouterServer → one WorkerServer (--ttft-ms=0 --itl-ms=0 --output-tokens=8), every JVM with -Dsun.net.httpserver.nodelay=true and default heap/GC; the $N stacks ($((N * 3)) JVMs) run side by side, idle while another is measured"
  echo "- load: wrk $(wrk -v 2>&1 | awk 'NR==1{print $2}') -t1, POST /v1/chat/completions {\"model\":\"$MODEL\",…,\"max_tokens\":8}, unary or \"stream\":true (benchmarks/load-chat.lua); connections as given per table; $DURATION per window after a $WARMUP warm-up per stack and kind"
  echo "- JIT settled before measuring (its compiler threads, three JVMs together, below $SETTLE_PCT % of a CPU over a ${SETTLE_WINDOW} s window of load): ${SETTLE_FACTS% }"
  echo "- $ROUNDS rounds, each measuring every configuration and scenario once, the order of the configurations rotated per round; warm-up and settling took $PREPARED_S s, the measurement $MEASURED_S s"
  echo "- dynamo-obs: DYN_SYSTEM_PORT set, OTEL_EXPORT_ENABLED=false, worker and router methods as in examples/demo.sh; otel-javaagent: -Dotel.traces.exporter=none -Dotel.metrics.exporter=none -Dotel.logs.exporter=none, all else default"
  echo "- $AGENT_CFG counted, over the measured windows: ${COUNTED%, }; wrk completed $SENT (requests cut off at the end of a window are counted by the agent, not by wrk); advice errors $ERRORS"
  [[ " ${CONFIGS[*]} " == *"-frontend "* ]] && echo "- dynamo-obs-frontend, otel-javaagent-frontend: the same agent on the frontend JVM only; its router and worker run without an agent (the frontend in front of a fast simulated engine)"
  [[ -n $EXPORT_FACTS ]] && echo "- export: $EXPORT_FACTS"
  echo "- raw results: benchmarks/results/$(basename "$CSV") (and -latency.csv: every window's latencies in 1 % buckets$([[ ${THREADS:-0} == 1 ]] && echo "; -threads.csv"))"
  echo
  LOAD_BASE="${LOAD_BASE:-no-agent}" python3 "$BENCH_DIR/load-report.py" "$CSV" "$LATENCY_CSV"
  if [[ -s "$PROFILE_MD" ]]; then
    echo
    echo "#### Where dynamo-obs' cost goes (JFR)"
    echo
    echo "One more window after the measurement: the $AGENT_CFG stack, $profile_kind, $profile_conns connections, ${PROFILE_DURATION:-8s}, JFR on its three JVMs (profile settings, execution sampled every 1 ms; the recordings stay in benchmarks/target/load-logs/). A CPU sample counts as the agent's when an agent frame (dynamo.obs.agent, .bootstrap, .shaded) is on its stack and is not only a wrapper passing the application's work through (the body streams' read/write, context-carrying tasks). Advice woven into the servers' own methods runs inside them and is seen only through what it calls."
    echo
    cat "$PROFILE_MD"
  fi
  if [[ ${THREADS:-0} == 1 ]]; then
    echo
    LOAD_BASE="${LOAD_BASE:-no-agent}" python3 "$BENCH_DIR/load-threads-report.py" "$THREADS_CSV"
  fi
} | tee "$MD"
