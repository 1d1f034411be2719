#!/usr/bin/env bash
# A collector outage under load (SPEC §7): the demo deployment (frontend → router → one worker, every
# JVM with dynamo-obs and export on) serves a fixed rate of chat completions while its collector is
# absent; then the collector (SinkCollector, which counts what it receives) starts, and the script
# waits until the agents' buffers are empty. Reports what was produced, delivered and dropped.
#
#   benchmarks/outage.sh                       # 60 s at 200 requests/s, as the issue asks
#   RATE=100 OUTAGE=30s benchmarks/outage.sh
#
# Env: RATE (200 requests/s), OUTAGE (60s), JDK (17), AGENT_REV or AGENT_JAR (as in startup.sh), SKIP_BUILD=1,
# and OTEL_BSP_MAX_QUEUE_SIZE / OTEL_BLRP_MAX_QUEUE_SIZE to try other buffer sizes.
# Writes benchmarks/results/outage-<date>.md (also on stdout); logs in benchmarks/target/outage-logs/.
set -euo pipefail
source "$(dirname "$0")/common.sh"

RATE=${RATE:-200}
OUTAGE=${OUTAGE:-60s}
JAVA_HOME_RUN=$(resolve_jdk "${JDK:-17}")
JAVA="$JAVA_HOME_RUN/bin/java"
MODEL="Qwen/Qwen3-0.6B"
ROLES=(worker router frontend)
command -v hey >/dev/null || { log "hey is missing: apt-get install -y hey"; exit 1; }

build_tree examples
EXAMPLES_JAR="$TREE_DIR/examples/target/dynamo-obs-examples.jar"
MD="$RESULTS_DIR/outage-$STAMP.md"
LOGS="$BENCH_DIR/target/outage-logs"
rm -rf "$LOGS"; mkdir -p "$LOGS"

read -r -a PORTS <<< "$(free_ports 7)"
WPORT=${PORTS[0]}; RPORT=${PORTS[1]}; FPORT=${PORTS[2]}; COLLECTOR=${PORTS[6]}
declare -A SYS=([worker]=${PORTS[3]} [router]=${PORTS[4]} [frontend]=${PORTS[5]})
KEEP_ENV="OTEL_BSP_MAX_QUEUE_SIZE OTEL_BLRP_MAX_QUEUE_SIZE" clean_env

for role in "${ROLES[@]}"; do
  envs=(DYN_SYSTEM_PORT="${SYS[$role]}" DYN_SYSTEM_HOST=127.0.0.1 OTEL_EXPORT_ENABLED=true
    OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$COLLECTOR" OTEL_SERVICE_NAME="dynamo-$role")
  case $role in
    worker) main=dynamo.obs.examples.worker.WorkerServer
      args=(--port="$WPORT" --worker-id=worker-1 --models="$MODEL" --ttft-ms=0 --itl-ms=0 --output-tokens=8)
      envs+=(DYN_COMPONENT=backend "DYN_OBS_WORKER_METHODS=dynamo.obs.examples.engine.SimulatedEngine[generate]") ;;
    router) main=dynamo.obs.examples.router.RouterServer
      args=(--port="$RPORT" --workers="http://127.0.0.1:$WPORT")
      envs+=(DYN_COMPONENT=router "DYN_OBS_ROUTER_METHODS=dynamo.obs.examples.router.WorkerPicker[pickWorker]"
        DYN_SYSTEM_STARTING_HEALTH_STATUS=ready) ;;
    frontend) main=dynamo.obs.examples.frontend.FrontendServer
      args=(--port="$FPORT" --router="http://127.0.0.1:$RPORT" --models="$MODEL")
      envs+=(DYN_COMPONENT=frontend) ;;
  esac
  # nodelay: the JDK server's keep-alive answers otherwise wait for delayed ACKs (see load.sh)
  run_group "${CLEAN_ENV[@]}" "${envs[@]}" "$JAVA" -Dsun.net.httpserver.nodelay=true -javaagent:"$AGENT_JAR_COPY" -cp "$EXAMPLES_JAR" "$main" \
    "${args[@]}" > "$LOGS/$role.log" 2>&1
done

metric_sum() { # family [role...]: the sum over the three JVMs
  local role t=0 v
  for role in "${ROLES[@]}"; do
    v=$(curl -s --max-time 5 "http://127.0.0.1:${SYS[$role]}/metrics" | awk -v f="$1" '
      index($0, f "{") == 1 || index($0, f " ") == 1 { s += $NF } END { printf "%d", s }')
    t=$((t + v))
  done
  echo "$t"
}
for i in $(seq 600); do
  curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$FPORT/v1/models" && break
  sleep 0.2
done
for role in "${ROLES[@]}"; do
  for i in $(seq 300); do
    curl -s --max-time 1 "http://127.0.0.1:${SYS[$role]}/metrics" | grep -q '^dynamo_obs_instrumentation_active 1' && break
    sleep 0.2
  done
done

BODY="{\"model\":\"$MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":8}"
log "outage: $OUTAGE at $RATE requests/s with no collector on 127.0.0.1:$COLLECTOR"
hey -z "$OUTAGE" -c 8 -q $((RATE / 8)) -m POST -T application/json -d "$BODY" \
  "http://127.0.0.1:$FPORT/v1/chat/completions" > "$LOGS/hey.txt"
REQUESTS=$(metric_sum dynamo_frontend_requests_total)
WAITING=$(metric_sum dynamo_obs_export_queue_size)
DROPPED_AT_END=$(metric_sum dynamo_obs_export_dropped_total)
FAILURES=$(metric_sum dynamo_obs_export_failures_total)
log "requests $REQUESTS; waiting to export $WAITING; dropped $DROPPED_AT_END; failed attempts $FAILURES"

run_group "${CLEAN_ENV[@]}" "$JAVA" -cp "$TREE_BENCH/dynamo-obs-benchmarks.jar:$TREE_BENCH/lib/*" \
  dynamo.obs.benchmarks.collector.SinkCollector --port="$COLLECTOR" --counts="$LOGS/collector.counts" \
  > "$LOGS/collector.log" 2>&1
T0=$SECONDS
while :; do
  sleep 1
  left=$(metric_sum dynamo_obs_export_queue_size)
  (( left == 0 )) && break
  (( SECONDS - T0 > 300 )) && { log "buffers not empty after 300 s: $left"; break; }
done
DRAIN_S=$((SECONDS - T0))
sleep 2
EXPORTED=$(metric_sum dynamo_obs_exported_total)
DROPPED=$(metric_sum dynamo_obs_export_dropped_total)
RECEIVED=$(cat "$LOGS/collector.counts")
{
  echo "## Collector outage under load ($STAMP)"
  echo
  machine_facts "$JAVA_HOME_RUN"
  echo "- deployment: FrontendServer → RouterServer → WorkerServer (fast engine, 8 tokens), dynamo-obs on each with OTEL_EXPORT_ENABLED=true, default buffers unless set (OTEL_BSP_MAX_QUEUE_SIZE=${OTEL_BSP_MAX_QUEUE_SIZE:-32768}, OTEL_BLRP_MAX_QUEUE_SIZE=${OTEL_BLRP_MAX_QUEUE_SIZE:-65536})"
  echo "- load: hey -z $OUTAGE -c 8 -q $((RATE / 8)) (≈ $RATE requests/s) of unary chat completions while no collector listens"
  echo
  echo "| what | value |"
  echo "|---|---:|"
  echo "| requests served during the outage (frontend requests_total) | $REQUESTS |"
  echo "| $(grep -m1 'Requests/sec' "$LOGS/hey.txt" | sed 's/^ *//; s/:/ |/') |"
  echo "| spans + log records waiting when the outage ended | $WAITING |"
  echo "| failed export attempts during the outage | $FAILURES |"
  echo "| dropped (buffer full), whole run | $DROPPED |"
  echo "| delivered after the collector started (agents' dynamo_obs_exported_total) | $EXPORTED |"
  echo "| received by the collector | $RECEIVED |"
  echo "| time to empty the buffers once the collector was there | ${DRAIN_S} s |"
} | tee "$MD"
