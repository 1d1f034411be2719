#!/usr/bin/env bash
# Whole-process startup and footprint of an application with no agent, with dynamo-obs, and with the
# OpenTelemetry Java agent (exporters off): by default a minimal JDK-HttpServer app, or any stack of
# stacks.conf by name (time to first response, wall and CPU, peak RSS). See BENCHMARKS.md.
#
#   benchmarks/startup.sh                 # 15 runs + 2 warm-ups per configuration, JDK 17 and 25
#   RUNS=5 JDKS=17 benchmarks/startup.sh  # quicker
#   STACKS="minimal jdk-httpserver jetty12 netty42" RUNS=5 WARMUPS=1 JDKS=17 benchmarks/startup.sh
#
# Env: STACKS ("minimal": MinimalHttpApp; other names from stacks.conf or STACKS_FILE, whose command lines
# answer POST /v1/chat/completions on {port}), CONFIGS ("no-agent dynamo-obs dynamo-obs-export otel-javaagent"),
# RUNS (15), WARMUPS (2), JDKS ("17 25"; JAVA_HOMEs or 17/25), REQUESTS (50, served before the
# footprint is read), AGENT_REV (a git commit to build the agent from) or AGENT_JAR (default
# agent/target/dynamo-obs.jar), SKIP_BUILD=1; BASELINE_JAR (another dynamo-obs jar, e.g. of main) adds the configuration
# dynamo-obs-baseline (that jar, export off) to CONFIGS, for a before/after in one interleaved run.
# Writes benchmarks/results/startup-<date>.csv (raw) and .md (the tables, also on stdout); the app
# JVMs' console output goes to benchmarks/target/startup-logs/.
set -euo pipefail
source "$(dirname "$0")/common.sh"

RUNS=${RUNS:-15}
WARMUPS=${WARMUPS:-2}
REQUESTS=${REQUESTS:-50}
read -r -a JDK_LIST <<< "${JDKS:-17 25}"
read -r -a STACK_LIST <<< "${STACKS:-minimal}"

build
JAVA_HOMES=()
for j in "${JDK_LIST[@]}"; do JAVA_HOMES+=("$(resolve_jdk "$j")"); done

CSV="$RESULTS_DIR/startup-$STAMP.csv"
MD="$RESULTS_DIR/startup-$STAMP.md"
LOGS="$BENCH_DIR/target/startup-logs"
rm -rf "$LOGS"; mkdir -p "$LOGS"
echo "jdk,java_version,config,run,phase,ttfr_ms,agent_ready_ms,cpu_ms,peak_rss_kib,rss_kib,requests_ok,status,cpu_first_ms,load1,other_java,stack" > "$CSV"

# the application's JVM arguments per stack; FirstResponseTimer fills in {port}
declare -A APP
for stack in "${STACK_LIST[@]}"; do
  if [[ $stack == minimal ]]; then
    APP[$stack]="-cp $BENCH_JAR dynamo.obs.benchmarks.startup.MinimalHttpApp {port}"
  else
    stack_line "$stack"; APP[$stack]="${STACK_ARGS[*]}"
  fi
done
# dynamo-obs-export: the same with OTEL_EXPORT_ENABLED=true (spans and logs for a collector that is not there)
read -r -a CONFIGS <<< "${CONFIGS:-no-agent dynamo-obs dynamo-obs-export otel-javaagent}"
BASELINE_JAR_COPY="$BENCH_DIR/target/agents/dynamo-obs-baseline.jar"
if [[ -n ${BASELINE_JAR:-} ]]; then
  cp "$BASELINE_JAR" "$BASELINE_JAR_COPY"
  [[ " ${CONFIGS[*]} " == *" dynamo-obs-baseline "* ]] || CONFIGS+=(dynamo-obs-baseline)
fi
config_args() { # timer options, then --, then JVM options (the java binary and app are added by the caller)
  case "$1" in
    no-agent) echo "--" ;;
    dynamo-obs) echo "--health /health --env DYN_SYSTEM_PORT={systemPort} --env DYN_SYSTEM_HOST=127.0.0.1 --env OTEL_EXPORT_ENABLED=false -- -javaagent:$AGENT_JAR_COPY" ;;
    dynamo-obs-export) echo "--health /health --env DYN_SYSTEM_PORT={systemPort} --env DYN_SYSTEM_HOST=127.0.0.1 --env OTEL_EXPORT_ENABLED=true --env OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:9 -- -javaagent:$AGENT_JAR_COPY" ;;
    dynamo-obs-baseline) echo "--health /health --env DYN_SYSTEM_PORT={systemPort} --env DYN_SYSTEM_HOST=127.0.0.1 --env OTEL_EXPORT_ENABLED=false -- -javaagent:$BASELINE_JAR_COPY" ;;
    otel-javaagent) echo "-- -javaagent:$OTEL_AGENT_JAR -Dotel.traces.exporter=none -Dotel.metrics.exporter=none -Dotel.logs.exporter=none" ;;
  esac
}

measure() { # jdk_home run phase config stack
  local jh=$1 run=$2 phase=$3 cfg=$4 stack=$5 label ver args timer_opts jvm_opts out app
  ver=$(jdk_version "$jh"); label="$(jdk_label "$jh"),$ver,$cfg,$run,$phase"
  read -r -a args <<< "$(config_args "$cfg")"
  timer_opts=(); jvm_opts=()
  local seen=0 a
  for a in "${args[@]}"; do
    if [[ $seen == 0 ]]; then [[ "$a" == "--" ]] && seen=1 || timer_opts+=("$a"); else jvm_opts+=("$a"); fi
  done
  read -r -a app <<< "${APP[$stack]}"
  out=$(mktemp)
  # how busy the machine is as the run starts (other people's builds compete for the CPUs)
  local load others
  load=$(cut -d' ' -f1 /proc/loadavg)
  others=$(pgrep -x java | wc -l || true)
  run_group "$DRIVER_JAVA" "${DRIVER_OPTS[@]}" -cp "$BENCH_JAR" dynamo.obs.benchmarks.startup.FirstResponseTimer \
    --label "$label" --clk-tck "$(getconf CLK_TCK)" --requests "$REQUESTS" \
    --log "$LOGS/$(jdk_label "$jh")-$stack-$cfg-$phase-$run.log" "${timer_opts[@]}" \
    -- "$jh/bin/java" "${jvm_opts[@]}" "${app[@]}" > "$out"
  local g=$GROUP_PID rc=0
  wait "$g" || rc=$?
  forget_group "$g"
  if [[ $rc != 0 || ! -s "$out" ]]; then
    echo "$label,,,,,,0,timer exited with $rc,,$load,$others,$stack" >> "$CSV"
  else
    echo "$(cat "$out"),$load,$others,$stack" >> "$CSV"
  fi
  log "  $(tail -n1 "$CSV")"
  rm -f "$out"
}

total=$((WARMUPS + RUNS))
log "startup benchmark: ${#STACK_LIST[@]} stack(s) x ${#JAVA_HOMES[@]} JDK(s) x ${#CONFIGS[@]} configurations x ($WARMUPS warm-up + $RUNS) runs -> $CSV"
for ((i = 1; i <= total; i++)); do
  if ((i <= WARMUPS)); then phase=warmup; run=$i; else phase=measure; run=$((i - WARMUPS)); fi
  for jh in "${JAVA_HOMES[@]}"; do
    # rotate the order every run so neither drift nor "what ran just before" favours one configuration
    for ((k = 0; k < ${#CONFIGS[@]}; k++)); do
      for stack in "${STACK_LIST[@]}"; do
        measure "$jh" "$run" "$phase" "${CONFIGS[$(((i + k) % ${#CONFIGS[@]}))]}" "$stack"
      done
    done
  done
done

{
  echo "## Startup and footprint ($STAMP)"
  echo
  machine_facts "${JAVA_HOMES[@]}"
  echo "- runs: $RUNS measured + $WARMUPS warm-up per configuration and JDK, interleaved (order rotated per run); $REQUESTS requests served before the footprint is read"
  echo "- raw results: benchmarks/results/$(basename "$CSV")"
  for stack in "${STACK_LIST[@]}"; do
    echo
    if [[ ${#STACK_LIST[@]} -gt 1 || $stack != minimal ]]; then
      echo "### Stack: $stack (java … ${APP[$stack]//$ROOT_DIR\//})"
      echo
    fi
    # the report reads one stack's rows: the CSV's first 15 columns
    awk -F, -v s="$stack" 'NR == 1 || $16 == s' "$CSV" | cut -d, -f1-15 > "$LOGS/$stack.csv"
    "$DRIVER_JAVA" "${DRIVER_OPTS[@]}" -cp "$BENCH_JAR" dynamo.obs.benchmarks.startup.StartupReport "$LOGS/$stack.csv" \
      "$(IFS=,; echo "${CONFIGS[*]}")" dynamo-obs "dynamo-obs=$AGENT_JAR_COPY" "otel-javaagent=$OTEL_AGENT_JAR"
  done
  echo
  echo "### Console output of the app JVMs (first measured run; ports and times vary)"
  for stack in "${STACK_LIST[@]}"; do
    for jh in "${JAVA_HOMES[@]}"; do
      for cfg in "${CONFIGS[@]}"; do
        f="$LOGS/$(jdk_label "$jh")-$stack-$cfg-measure-1.log"
        echo
        echo "$stack, $(jdk_label "$jh") $cfg: $(wc -l < "$f") line(s)"
        if [[ -s "$f" ]]; then echo '```'; head -n 12 "$f"; echo '```'; fi
      done
    done
  done
} | tee "$MD"
