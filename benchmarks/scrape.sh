#!/usr/bin/env bash
# Scrape latency of dynamo-obs' /metrics (its own system status server) against Prometheus
# client_java 1.10.0's HTTPServer exporter, over one keep-alive connection, with a new connection
# per request, and over keep-alive asking for gzip as Prometheus does (wrk -t1 -c1). The client_java exporter runs twice: as is, and with
# -Dsun.net.httpserver.nodelay=true (the JDK HttpServer then sets TCP_NODELAY), which tests whether
# its keep-alive latency is Nagle + delayed ACK. See BENCHMARKS.md.
#
#   benchmarks/scrape.sh
#
# Env: JDKS ("17 25"), DURATION (5s per measurement, after a 2 s warm-up), AGENT_REV or AGENT_JAR
# (as in startup.sh), SKIP_BUILD=1.
# Writes benchmarks/results/scrape-<date>.csv and .md (the table, also on stdout).
set -euo pipefail
source "$(dirname "$0")/common.sh"

DURATION=${DURATION:-5s}
read -r -a JDK_LIST <<< "${JDKS:-17 25}"
command -v wrk >/dev/null || { log "wrk is missing: apt-get install -y wrk"; exit 1; }
command -v curl >/dev/null || { log "curl is missing"; exit 1; }

build
JAVA_HOMES=()
for j in "${JDK_LIST[@]}"; do JAVA_HOMES+=("$(resolve_jdk "$j")"); done
CSV="$RESULTS_DIR/scrape-$STAMP.csv"
MD="$RESULTS_DIR/scrape-$STAMP.md"
LOGS="$BENCH_DIR/target/scrape-logs"
rm -rf "$LOGS"; mkdir -p "$LOGS"
echo "jdk,java_version,target,connection,body_bytes,requests,duration_s,req_per_s,avg_ms,p50_ms,p99_ms,max_ms,err_connect,err_read,err_write,err_timeout,non2xx" > "$CSV"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

wait_200() { # url cap_seconds
  local i
  for i in $(seq $(($2 * 20))); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.05
  done
  return 1
}

measure_url() { # jdk_home target url
  local jh=$1 target=$2 url=$3 bytes mode extra out line
  bytes=$(curl -s "$url" | wc -c)
  gz=$(curl -s -H 'Accept-Encoding: gzip' "$url" | wc -c)
  wrk -t1 -c1 -d2s "$url" >/dev/null # warm-up: JIT, connection setup paths
  for mode in keep-alive close keep-alive+gzip; do
    case $mode in
      keep-alive) extra=() ;;
      close) extra=(-H 'Connection: close') ;;
      keep-alive+gzip) extra=(-H 'Accept-Encoding: gzip') ;; # what Prometheus itself sends
    esac
    out=$(wrk -t1 -c1 -d"$DURATION" "${extra[@]}" -s "$BENCH_DIR/wrk-report.lua" "$url")
    line=$(grep '^WRKRESULT' <<< "$out") || { log "wrk gave no result: $out"; exit 1; }
    awk -v pre="$(jdk_label "$jh"),$(jdk_version "$jh"),$target,$mode,$([[ $mode == *gzip ]] && echo "$gz" || echo "$bytes")" '{
        for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
        printf "%s,%d,%.2f,%.1f,%.3f,%.3f,%.3f,%.3f,%d,%d,%d,%d,%d\n", pre, v["requests"], v["duration_us"] / 1e6,
          v["requests"] / (v["duration_us"] / 1e6), v["avg_us"] / 1000, v["p50_us"] / 1000, v["p99_us"] / 1000,
          v["max_us"] / 1000, v["connect"], v["read"], v["write"], v["timeout"], v["non2xx"] }' <<< "$line" >> "$CSV"
    log "  $(tail -n1 "$CSV")"
  done
}

# wrk expects a server that closes the connection to say so ("Connection: close"); when it does not,
# wrk counts a read error for each closed connection and reconnects. Recorded to explain those errors.
close_headers() { # title url
  { echo "# $1"; curl -s -D - -o /dev/null -H 'Connection: close' "$2" | tr -d '\r' | grep -v -i '^date:' | sed '/^$/d'; } \
    >> "$LOGS/close-headers.txt"
}

for jh in "${JAVA_HOMES[@]}"; do
  label=$(jdk_label "$jh")
  log "$label: dynamo-obs /metrics"
  port=$(free_port); sys=$(free_port)
  run_group env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS DYN_SYSTEM_PORT="$sys" DYN_SYSTEM_HOST=127.0.0.1 OTEL_EXPORT_ENABLED=false \
    "$jh/bin/java" -javaagent:"$AGENT_JAR_COPY" -cp "$BENCH_JAR" dynamo.obs.benchmarks.startup.MinimalHttpApp "$port" \
    > "$LOGS/$label-dynamo-obs.log" 2>&1
  g=$GROUP_PID
  wait_200 "http://127.0.0.1:$sys/health" 20 || { log "dynamo-obs never became healthy; see $LOGS"; exit 1; }
  for i in $(seq 20); do # some inference traffic, so the request metrics have samples
    curl -sf -o /dev/null -H 'Content-Type: application/json' -d '{"model":"bench","messages":[]}' \
      "http://127.0.0.1:$port/v1/chat/completions"
  done
  measure_url "$jh" dynamo-obs "http://127.0.0.1:$sys/metrics"
  close_headers "$label dynamo-obs" "http://127.0.0.1:$sys/metrics"
  stop_group "$g"

  for variant in client_java "client_java+nodelay"; do
    log "$label: $variant HTTPServer /metrics"
    port=$(free_port)
    opts=(); [[ $variant == *nodelay ]] && opts=(-Dsun.net.httpserver.nodelay=true)
    run_group env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS "$jh/bin/java" "${opts[@]}" -cp "$BENCH_JAR:$BENCH_DIR/target/lib/*" \
      dynamo.obs.benchmarks.scrape.ClientJavaExporterApp "$port" > "$LOGS/$label-$variant.log" 2>&1
    g=$GROUP_PID
    wait_200 "http://127.0.0.1:$port/metrics" 20 || { log "$variant never answered; see $LOGS"; exit 1; }
    measure_url "$jh" "$variant" "http://127.0.0.1:$port/metrics"
    close_headers "$label $variant" "http://127.0.0.1:$port/metrics"
    stop_group "$g"
  done
done

{
  echo "## Scrape latency ($STAMP)"
  echo
  machine_facts "${JAVA_HOMES[@]}"
  echo "- wrk $(wrk -v 2>&1 | awk 'NR==1{print $2}') -t1 -c1 -d$DURATION (after a 2 s warm-up); \"close\" = -H 'Connection: close'; \"keep-alive+gzip\" = -H 'Accept-Encoding: gzip', as Prometheus scrapes (body bytes = compressed size)"
  echo "- client_java = io.prometheus:prometheus-metrics-exporter-httpserver 1.10.0 HTTPServer with JvmMetrics + 1 counter + 1 histogram (dynamo.obs.benchmarks.scrape.ClientJavaExporterApp); +nodelay = -Dsun.net.httpserver.nodelay=true"
  echo "- raw results: benchmarks/results/$(basename "$CSV")"
  echo
  echo "| JDK | /metrics of | connection | body bytes | requests | req/s | avg ms | p50 ms | p99 ms | max ms | wrk errors connect/read/write/timeout/non-2xx |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
  awk -F, 'NR > 1 { printf "| %s | %s | %s | %s | %d | %.0f | %.2f | %.2f | %.2f | %.2f | %s/%s/%s/%s/%s |\n", $1, $3, $4, $5, $6, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17 }' "$CSV"
  echo
  echo "Target: dynamo-obs /metrics over keep-alive in single-digit ms (judged on the mean; p99 shown beside it):"
  echo
  awk -F, 'NR > 1 && $3 == "dynamo-obs" && $4 == "keep-alive" {
      printf "- %s: avg %.2f ms → %s (p99 %.2f ms%s)\n", $1, $9, ($9 < 10) ? "met" : "NOT met", $11,
        ($11 < 10) ? ", also < 10 ms" : ", not < 10 ms" }' "$CSV"
  echo
  echo "Response headers to GET /metrics with Connection: close (curl -D -, Date left out):"
  echo
  echo '```'
  cat "$LOGS/close-headers.txt"
  echo '```'
} | tee "$MD"
