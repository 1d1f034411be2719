#!/usr/bin/env bash
# Server CPU per request: how many µs of CPU the server process spends per request with no agent, with
# dynamo-obs (export off, and export on to a real OTLP gRPC receiver) and with the OpenTelemetry Java agent
# (traces and logs over OTLP gRPC to the same kind of receiver), on each server stack of stacks.conf. CPU
# time per request is what a user pays for, and unlike latency on this shared machine it is stable to a few
# per cent. See BENCHMARKS.md.
#
#   benchmarks/cpu.sh
#   STACKS="jdk-httpserver jetty12 netty42" benchmarks/cpu.sh   # the table of BENCHMARKS.md, ~26 min
#
# For each stack, its servers (FORKS JVMs per configuration) run side by side; each serves WARMUP requests, then
# ROUNDS rounds each measure every server once (REQUESTS requests), the order rotated from round to round. A
# JVM's JIT decisions hold for its life and move its CPU per request by 10-20 µs from one JVM to the next;
# several JVMs average that out (with three, two runs agreed within 0–8 µs): a configuration's figure is the mean
# of its JVMs' medians. Before the warm-up dynamo-obs' /metrics is read once, as Prometheus reads it from a
# server's start (the first scrape loads classes whose arrival makes the JVM recompile the request path). A
# window's CPU is utime+stime of the server process (/proc/PID/stat) before and after; the per-thread figures
# (/proc/PID/task/*/stat) give the breakdown: request threads (stacks.conf), JIT compiler threads, GC (GC
# workers, G1's concurrent threads, the VM Thread that runs the pauses), export (dynamo-obs' export threads; the
# OpenTelemetry agent's batch processors and OkHttp sender), console (dynamo-obs' console writer), other
# (everything else, and threads that ended within the window).
#
# The load: hey (Debian package hey), -c CONCURRENCY -disable-keepalive: every request on a new connection,
# as from many independent clients, so the per-connection work counts too; hey sends exactly -n requests, so
# every window has the same count, and it reads each streamed answer to its end. The request: a streamed
# chat completion with usage ({"stream":true,"stream_options":{"include_usage":true},"max_tokens":8}).
#
# PROFILE=1: after a stack's rounds, more windows per configuration under async-profiler
# (tools.profiler:async-profiler, loaded with jcmd JVMTI.agent_load: CPU samples by thread, every
# AP_INTERVAL ns, default 1 ms, event AP_EVENT, default cpu; itimer where perf events are not allowed) and JFR
# (the JIT's compilations and deoptimizations), then one under allocation sampling; the report adds where each
# configuration's CPU goes beyond the base's (cpu-profile-report.py). Recordings stay in benchmarks/target/cpu-logs/.
# Every server then starts with -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints, so that a sample inside
# inlined code is charged to the method it is in, not to the nearest safepoint's.
#
# Env: STACKS (all of stacks.conf), STACKS_FILE, FORKS (3), CONFIGS ("no-agent dynamo-obs dynamo-obs-export
# dynamo-obs-traces otel-javaagent"; the first is the base of "added"; dynamo-obs-b: the agent jar AGENT_JAR_B,
# export off — an A/B of two builds in one run; dynamo-obs-c: AGENT_JAR_C likewise, a third build;
# dynamo-obs-export-b: AGENT_JAR_B with export on, to its own receiver; dynamo-obs-traces: export on with
# OTEL_EXPORT_LOGS_ENABLED=false, spans only, as the OpenTelemetry agent sends for these apps, which log nothing
# per request), ROUNDS (4), WARMUP (40000 requests per server: the JIT of export on still compiles in the first
# rounds after it), REQUESTS (10000 per window), CONCURRENCY (4), MAX_TOKENS (8), JDK (17; 25 or a JAVA_HOME),
# JVM_OPTS (added to every server JVM), AGENT_REV or AGENT_JAR (as in startup.sh), SKIP_BUILD=1.
# Writes benchmarks/results/cpu-<date>.md (the report, also on stdout), .csv (one line a window) and
# -threads.csv (every thread group's CPU per window); the servers' console output goes to
# benchmarks/target/cpu-logs/.
set -euo pipefail
source "$(dirname "$0")/common.sh"

ROUNDS=${ROUNDS:-4}
WARMUP=${WARMUP:-40000}
REQUESTS=${REQUESTS:-10000}
CONCURRENCY=${CONCURRENCY:-4}
MAX_TOKENS=${MAX_TOKENS:-8}
read -r -a STACK_LIST <<< "${STACKS:-$(all_stacks | tr '\n' ' ')}"
read -r -a CONFIGS <<< "${CONFIGS:-no-agent dynamo-obs dynamo-obs-export dynamo-obs-traces otel-javaagent}"
read -r -a EXTRA_OPTS <<< "${JVM_OPTS:-}"
if [[ ${PROFILE:-0} == 1 ]]; then
  EXTRA_OPTS+=(-XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints) # exact frames inside inlined code
fi
FORKS=${FORKS:-3}
# the servers: FORKS JVMs of each configuration, each an instance "config/fork"
INSTANCES=()
for ((f = 1; f <= FORKS; f++)); do for cfg in "${CONFIGS[@]}"; do INSTANCES+=("$cfg/$f"); done; done
M=${#INSTANCES[@]}
JAVA_HOME_RUN=$(resolve_jdk "${JDK:-17}")
JAVA="$JAVA_HOME_RUN/bin/java"
command -v hey >/dev/null || { log "hey is missing: apt-get install -y hey"; exit 1; }
command -v curl >/dev/null || { log "curl is missing"; exit 1; }

build
CSV="$RESULTS_DIR/cpu-$STAMP.csv"
THREADS_CSV="$RESULTS_DIR/cpu-$STAMP-threads.csv"
MD="$RESULTS_DIR/cpu-$STAMP.md"
LOGS="$BENCH_DIR/target/cpu-logs"
rm -rf "$LOGS"; mkdir -p "$LOGS"
echo "stack,round,config,requests,non200,wall_s,req_per_s,cpu_ms,request_ms,jit_ms,gc_ms,export_ms,console_ms,other_ms,load1,other_java,other_cpu_cores,fork" > "$CSV"
echo "stack,round,config,thread,group,cpu_ms" > "$THREADS_CSV"
clean_env

# per server an app port and a system port; one receiver for each exporting configuration (its forks share
# it), so what arrives can be told apart
read -r -a PORTS <<< "$(free_ports $((M * 2 + 4)))"
declare -A COLLECTOR_PORT=([dynamo-obs-export]=${PORTS[M * 2]} [otel-javaagent]=${PORTS[M * 2 + 1]}
  [dynamo-obs-export-b]=${PORTS[M * 2 + 2]} [dynamo-obs-traces]=${PORTS[M * 2 + 3]})
EXPORTING="dynamo-obs-export dynamo-obs-export-b dynamo-obs-traces otel-javaagent"
declare -A COLLECTOR_PID
for cfg in $EXPORTING; do
  [[ " ${CONFIGS[*]} " == *" $cfg "* ]] || continue
  run_group "${CLEAN_ENV[@]}" "$JAVA" -cp "$BENCH_JAR:$BENCH_DIR/target/lib/*" dynamo.obs.benchmarks.collector.SinkCollector \
    --port="${COLLECTOR_PORT[$cfg]}" --counts="$LOGS/collector-$cfg.counts" > "$LOGS/collector-$cfg.log" 2>&1
  COLLECTOR_PID[$cfg]=$GROUP_PID; OUR_PIDS+=("$GROUP_PID")
done

# the thread groups of the breakdown, by thread name as /proc shows it (15 characters); the request threads'
# pattern is the stack's (stacks.conf); what no pattern takes is "other"
JIT_THREADS='^(C[12] CompilerThre|Sweeper thread)'
GC_THREADS='^(GC Thread|G1 |VM Thread)'
EXPORT_THREADS='^(dynamo-obs-expo|BatchSpanProces|BatchLogRecordP|OkHttp|okhttp)'
CONSOLE_THREADS='^dynamo-obs-cons'

BODY="{\"model\":\"Qwen/Qwen3-0.6B\",\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}],\"stream\":true,\"stream_options\":{\"include_usage\":true},\"max_tokens\":$MAX_TOKENS}"
declare -A PID URL SYS SENT

start_server() { # stack instance index
  local stack=$1 inst=$2 cfg=${2%/*} i=$3 envs=() opts=() port=${PORTS[i * 2]} sys=${PORTS[i * 2 + 1]}
  case $cfg in
    no-agent) ;;
    dynamo-obs|dynamo-obs-export|dynamo-obs-traces)
      envs=(DYN_SYSTEM_PORT="$sys" DYN_SYSTEM_HOST=127.0.0.1 OTEL_SERVICE_NAME="$stack")
      if [[ $cfg == dynamo-obs ]]; then envs+=(OTEL_EXPORT_ENABLED=false)
      else envs+=(OTEL_EXPORT_ENABLED=true OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:${COLLECTOR_PORT[$cfg]}"); fi
      [[ $cfg == dynamo-obs-traces ]] && envs+=(OTEL_EXPORT_LOGS_ENABLED=false)
      opts=(-javaagent:"$AGENT_JAR_COPY") ;;
    dynamo-obs-b|dynamo-obs-c|dynamo-obs-export-b) # another build (AGENT_JAR_B, _C): builds side by side in one run
      local jar=AGENT_JAR_B
      [[ $cfg == dynamo-obs-c ]] && jar=AGENT_JAR_C
      [[ -f "${!jar:-}" ]] || { log "$cfg needs $jar (a dynamo-obs.jar)"; exit 1; }
      envs=(DYN_SYSTEM_PORT="$sys" DYN_SYSTEM_HOST=127.0.0.1 OTEL_SERVICE_NAME="$stack")
      if [[ $cfg != dynamo-obs-export-b ]]; then envs+=(OTEL_EXPORT_ENABLED=false)
      else envs+=(OTEL_EXPORT_ENABLED=true OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:${COLLECTOR_PORT[$cfg]}"); fi
      opts=(-javaagent:"${!jar}") ;;
    otel-javaagent)
      opts=(-javaagent:"$OTEL_AGENT_JAR" -Dotel.service.name="$stack" -Dotel.traces.exporter=otlp -Dotel.logs.exporter=otlp
        -Dotel.metrics.exporter=none -Dotel.exporter.otlp.protocol=grpc
        -Dotel.exporter.otlp.endpoint="http://127.0.0.1:${COLLECTOR_PORT[$cfg]}") ;;
    *) log "unknown configuration $cfg"; exit 1 ;;
  esac
  run_group "${CLEAN_ENV[@]}" "${envs[@]}" "$JAVA" "${opts[@]}" "${EXTRA_OPTS[@]}" "${STACK_ARGS[@]//\{port\}/$port}" \
    > "$LOGS/$stack-${inst/\//-}.log" 2>&1
  PID[$inst]=$GROUP_PID; OUR_PIDS+=("$GROUP_PID"); SYS[$inst]=$sys
  URL[$inst]="http://127.0.0.1:$port${CHAT_PATH:-/v1/chat/completions}"
  SENT[$inst]=0
}

chat_status() { # instance
  curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Content-Type: application/json' -d "$BODY" "${URL[$1]}" || true
}

wait_up() { # stack instance
  local i
  for i in $(seq 1200); do
    [[ $(chat_status "$2") == 200 ]] && return 0
    kill -0 "${PID[$2]}" 2>/dev/null || { log "$1 $2 exited; see $LOGS/$1-${2/\//-}.log"; exit 1; }
    sleep 0.1
  done
  log "$1 $2 did not answer a chat completion within 120 s; see $LOGS/$1-${2/\//-}.log"; exit 1
}

run_hey() { # instance requests: hey's summary on stdout
  hey -n "$2" -c "$CONCURRENCY" -disable-keepalive -m POST -T application/json -d "$BODY" "${URL[$1]}"
}

measure() { # stack round instance
  local stack=$1 round=$2 inst=$3 cfg=${3%/*} pid=${PID[$3]} load1 others p0 p1 b0 o0 t0 out ok total wall other
  load1=$(cut -d' ' -f1 /proc/loadavg); others=$(other_java)
  task_cpu "$pid" > "$LOGS/threads-before.tsv"
  p0=$(cpu_ms "$pid"); b0=$(busy_ms); o0=$(ours_ms); t0=$(date +%s%N)
  out=$(run_hey "$inst" "$REQUESTS")
  SENT[$inst]=$((SENT[$inst] + REQUESTS))
  p1=$(cpu_ms "$pid"); wall=$(( $(date +%s%N) - t0 ))
  task_cpu "$pid" > "$LOGS/threads-after.tsv"
  other=$(awk -v b="$(( $(busy_ms) - b0 - $(ours_ms) + o0 ))" -v t="$wall" 'BEGIN { printf "%.2f", b / (t / 1e6) }')
  ok=$(awk '/^[[:space:]]*\[200\]/ { print $2 }' <<< "$out"); ok=${ok:-0}
  total=$(awk '/^[[:space:]]*\[[0-9]+\]/ { s += $2 } END { printf "%d", s }' <<< "$out")
  (( ok > 0 )) || { log "$stack $cfg: no 200 answers; hey said: $out"; exit 1; }
  # per thread: after - before by thread id (a thread born in the window counts from 0); the process total
  # minus the live threads' sum is what threads that ended within the window used
  awk -F'\t' -v req="$STACK_THREADS" -v jit="$JIT_THREADS" -v gc="$GC_THREADS" -v xport="$EXPORT_THREADS" \
      -v con="$CONSOLE_THREADS" -v total="$((p1 - p0))" -v pre="$stack,$round,$cfg" -v csv="$THREADS_CSV" '
    function group(n) {
      if (n ~ req) return "request"
      if (n ~ jit) return "jit"
      if (n ~ gc) return "gc"
      if (n ~ xport) return "export"
      if (n ~ con) return "console"
      return "other"
    }
    FNR == NR { before[$1] = $3; next }
    {
      d = $3 - before[$1]; if (d <= 0) next
      g = group($2); by[g] += d; live += d
      t = $2; gsub(/[0-9]+/, "N", t); byname[t "," g] += d
    }
    END {
      if (total > live) { by["other"] += total - live; byname["(threads that ended)," "other"] += total - live }
      for (k in byname) printf "%s,%s,%d\n", pre, k, byname[k] >> csv
      printf "%d,%d,%d,%d,%d,%d\n", by["request"], by["jit"], by["gc"], by["export"], by["console"], by["other"]
    }' "$LOGS/threads-before.tsv" "$LOGS/threads-after.tsv" > "$LOGS/groups.csv"
  echo "$stack,$round,$cfg,$ok,$((total - ok)),$(awk -v w="$wall" 'BEGIN { printf "%.2f", w / 1e9 }'),$(awk -v n="$ok" -v w="$wall" 'BEGIN { printf "%.0f", n / (w / 1e9) }'),$((p1 - p0)),$(cat "$LOGS/groups.csv"),$load1,$others,$other,${inst##*/}" >> "$CSV"
  log "  $(tail -n1 "$CSV") → $(awk -v c="$((p1 - p0))" -v n="$ok" 'BEGIN { printf "%.0f", c * 1000 / n }') µs/request"
}

# PROFILE=1: the profiler's library, unpacked from its Maven jar (jcmd passes its options as one quoted
# argument: unquoted, the '=' in them is read as jcmd's own); JFR settings with the JIT's events only
AP_JAR=$(ls "$BENCH_DIR"/target/agents/async-profiler-*.jar 2>/dev/null | tail -n1 || true) # the version: pom.xml
AP_LIB="$BENCH_DIR/target/agents/async-profiler/linux-x64/libasyncProfiler.so"
if [[ ${PROFILE:-0} == 1 ]]; then
  [[ -f $AP_JAR ]] || { log "no async-profiler jar in $BENCH_DIR/target/agents (run without SKIP_BUILD)"; exit 1; }
  rm -rf "$(dirname "$(dirname "$AP_LIB")")"; unzip -q -o "$AP_JAR" 'linux-x64/*' -d "$(dirname "$(dirname "$AP_LIB")")"
  cat > "$LOGS/jit.jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="JIT activity">
  <event name="jdk.Compilation"><setting name="enabled">true</setting><setting name="threshold">0 ms</setting></event>
  <event name="jdk.CompilationFailure"><setting name="enabled">true</setting></event>
  <event name="jdk.Deoptimization"><setting name="enabled">true</setting><setting name="stackTrace">false</setting></event>
</configuration>
JFC
fi

# Attaching the profiler and starting JFR make the JIT compile much anew (the first attached window spent more
# CPU compiling than serving): both are attached and a settling window is served first, then the profiled one.
profile() { # stack config: settle, a CPU window (async-profiler + JFR), then an allocation window; the first fork
  local stack=$1 cfg=$2 inst=$2/1 pid=${PID[$2/1]} base="$LOGS/profile-$1-$2" jcmd="$JAVA_HOME_RUN/bin/jcmd" p0 p1 ap
  ap() { "$jcmd" "$pid" JVMTI.agent_load "$AP_LIB" "\"$1\"" >> "$base.ap.log"; }
  log "$stack: profiling $cfg: $REQUESTS requests to settle, $REQUESTS under CPU sampling, $REQUESTS under allocation sampling"
  "$jcmd" "$pid" JFR.start name=settle settings="$LOGS/jit.jfc" > /dev/null
  ap "start,event=${AP_EVENT:-cpu},interval=${AP_INTERVAL:-1000000},threads"
  run_hey "$inst" "$REQUESTS" > /dev/null
  ap "stop,threads,collapsed,file=$base.settle.collapsed"
  "$jcmd" "$pid" JFR.stop name=settle > /dev/null
  "$jcmd" "$pid" JFR.start name=jit settings="$LOGS/jit.jfc" filename="$base.jfr" > /dev/null
  ap "start,event=${AP_EVENT:-cpu},interval=${AP_INTERVAL:-1000000},threads"
  task_cpu "$pid" > "$LOGS/threads-before.tsv"; p0=$(cpu_ms "$pid")
  run_hey "$inst" "$REQUESTS" > /dev/null
  p1=$(cpu_ms "$pid"); task_cpu "$pid" > "$LOGS/threads-after.tsv"
  ap "stop,threads,collapsed,file=$base.cpu.collapsed"
  "$jcmd" "$pid" JFR.stop name=jit > /dev/null
  # the window's CPU by thread, as the rounds measure it, beside the samples
  awk -F'\t' 'FNR == NR { b[$1] = $3; next } { d = $3 - b[$1]; if (d > 0) printf "%s\t%d\n", $2, d }' \
    "$LOGS/threads-before.tsv" "$LOGS/threads-after.tsv" > "$base.threads.tsv"
  echo "$cfg $REQUESTS $((p1 - p0))" >> "$LOGS/profile-$stack.windows"
  ap "start,event=alloc,threads"
  run_hey "$inst" "$REQUESTS" > /dev/null
  ap "stop,threads,collapsed,total,file=$base.alloc.collapsed"
  SENT[$inst]=$((SENT[$inst] + 3 * REQUESTS))
}

collector_count() { # config what(spans|logs)
  [[ -f "$LOGS/collector-$1.counts" ]] || { echo 0; return; }
  tr ' ' '\n' < "$LOGS/collector-$1.counts" | awk -F= -v k="$2" '$1 == k { print $2 }'
}

declare -a CHECKS=()
for stack in "${STACK_LIST[@]}"; do
  stack_line "$stack"
  log "$stack: starting ${CONFIGS[*]} on $(jdk_label "$JAVA_HOME_RUN") (logs in $LOGS)"
  declare -A RECEIVED0=()
  for cfg in $EXPORTING; do
    RECEIVED0[$cfg-spans]=$(collector_count "$cfg" spans); RECEIVED0[$cfg-logs]=$(collector_count "$cfg" logs)
  done
  for ((i = 0; i < M; i++)); do start_server "$stack" "${INSTANCES[i]}" "$i"; done
  for inst in "${INSTANCES[@]}"; do wait_up "$stack" "$inst"; done
  # dynamo-obs' /metrics read once before the warm-up, as Prometheus does from a server's start: the first
  # scrape loads classes that invalidate compiled code, and its recompilation would otherwise land in round 1
  for inst in "${INSTANCES[@]}"; do
    [[ $inst == dynamo-obs* ]] && metric_sum "${SYS[$inst]}" dynamo_frontend_requests_total > /dev/null
  done
  for inst in "${INSTANCES[@]}"; do
    log "$stack: warm-up $inst, $WARMUP requests"
    run_hey "$inst" "$WARMUP" > "$LOGS/$stack-${inst/\//-}-warmup.txt"
    SENT[$inst]=$((SENT[$inst] + WARMUP))
  done
  declare -A COUNTED0=()
  for inst in "${INSTANCES[@]}"; do
    [[ $inst == dynamo-obs* ]] && COUNTED0[$inst]=$(metric_sum "${SYS[$inst]}" dynamo_frontend_requests_total)
  done
  for ((round = 1; round <= ROUNDS; round++)); do
    for ((k = 0; k < M; k++)); do
      measure "$stack" "$round" "${INSTANCES[(round - 1 + k) % M]}"
    done
  done
  if [[ ${PROFILE:-0} == 1 ]]; then
    rm -f "$LOGS/profile-$stack.windows"
    for cfg in "${CONFIGS[@]}"; do profile "$stack" "$cfg"; done
  fi
  # what the agents saw and sent, summed over a configuration's forks: dynamo-obs' request counter over the
  # measured windows (0 where it does not instrument the stack), and what reached the receivers (after their
  # batches' last flush)
  sleep 6
  for cfg in "${CONFIGS[@]}"; do
    served=0 counted=0 errors=0 exported=0 dropped=0
    for ((f = 1; f <= FORKS; f++)); do
      inst=$cfg/$f; served=$((served + SENT[$inst] + 1))
      if [[ $cfg == dynamo-obs* ]]; then
        c=$(metric_sum "${SYS[$inst]}" dynamo_frontend_requests_total)
        if ((c >= 0 && COUNTED0[$inst] >= 0 && counted >= 0)); then counted=$((counted + c - COUNTED0[$inst])); else counted=-1; fi
        errors=$((errors + $(metric_sum "${SYS[$inst]}" dynamo_obs_instrumentation_errors_total)))
      fi
      if [[ $cfg == dynamo-obs-export* || $cfg == dynamo-obs-traces ]]; then
        exported=$((exported + $(metric_sum "${SYS[$inst]}" dynamo_obs_exported_total)))
        dropped=$((dropped + $(metric_sum "${SYS[$inst]}" dynamo_obs_export_dropped_total)))
      fi
    done
    line="$stack $cfg: $served requests served"
    ((FORKS > 1)) && line+=" by $FORKS JVMs"
    if [[ $cfg == dynamo-obs* ]]; then
      line+="; dynamo-obs counted $( ((counted >= 0)) && echo "$counted" || echo "? (/metrics unread)") of the"
      if [[ ${PROFILE:-0} == 1 ]]; then line+=" $(( (ROUNDS * FORKS + 3) * REQUESTS )) measured and profiled"
      else line+=" $((ROUNDS * FORKS * REQUESTS)) measured"; fi
      line+=", instrumentation errors $errors"
    fi
    if [[ $cfg == dynamo-obs-export* || $cfg == dynamo-obs-traces ]]; then line+=", exported $exported, dropped $dropped"; fi
    if [[ -n ${COLLECTOR_PORT[$cfg]:-} ]]; then
      line+="; its receiver got $(( $(collector_count "$cfg" spans) - RECEIVED0[$cfg-spans] )) spans and $(( $(collector_count "$cfg" logs) - RECEIVED0[$cfg-logs] )) log records"
    fi
    CHECKS+=("$line")
    log "$line"
  done
  for inst in "${INSTANCES[@]}"; do stop_group "${PID[$inst]}"; done
done
for cfg in "${!COLLECTOR_PID[@]}"; do stop_group "${COLLECTOR_PID[$cfg]}"; done

{
  echo "## CPU per request: ${STACK_LIST[*]} ($STAMP)"
  echo
  machine_facts "$JAVA_HOME_RUN"
  echo "- OpenTelemetry Java agent $OTEL_AGENT_VERSION: -Dotel.traces.exporter=otlp -Dotel.logs.exporter=otlp -Dotel.metrics.exporter=none -Dotel.exporter.otlp.protocol=grpc, all else default (every request traced)"
  echo "- dynamo-obs: DYN_SYSTEM_PORT set; export off (OTEL_EXPORT_ENABLED=false) or on (OTEL_EXPORT_ENABLED=true, OTLP gRPC), all else default"
  echo "- receivers: benchmarks' SinkCollector (grpc-java, the OTLP trace and log services), one per exporting configuration, on loopback; their CPU is not counted"
  echo "- load: hey $(dpkg-query -W -f '${Version}' hey 2>/dev/null || echo '?') -c $CONCURRENCY -disable-keepalive (a new connection per request), POST /v1/chat/completions streamed with usage, max_tokens $MAX_TOKENS, no engine delay; $WARMUP warm-up requests per server, then $ROUNDS rounds × $REQUESTS requests per server, the order rotated per round"
  echo "- servers: $FORKS JVM(s) per stack and configuration, default heap and GC${EXTRA_OPTS[*]:+, plus ${EXTRA_OPTS[*]}}; a stack's servers run side by side, idle while another is measured"
  for c in "${CHECKS[@]}"; do echo "- $c"; done
  echo "- raw results: benchmarks/results/$(basename "$CSV") and $(basename "$THREADS_CSV")"
  echo
  python3 "$BENCH_DIR/cpu-report.py" "$CSV" "$THREADS_CSV"
  if [[ ${PROFILE:-0} == 1 ]]; then
    for stack in "${STACK_LIST[@]}"; do
      echo
      stack_line "$stack"
      python3 "$BENCH_DIR/cpu-profile-report.py" --jfr-tool "$JAVA_HOME_RUN/bin/jfr" --logs "$LOGS" --stack "$stack" \
        --interval-ns "${AP_INTERVAL:-1000000}" --group request="$STACK_THREADS" --group jit="$JIT_THREADS" \
        --group gc="$GC_THREADS" --group export="$EXPORT_THREADS" --group console="$CONSOLE_THREADS" "${CONFIGS[@]}"
    done
  fi
} | tee "$MD"
