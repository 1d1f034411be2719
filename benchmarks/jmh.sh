#!/usr/bin/env bash
# JMH benchmarks of the agent's hot path (benchmarks/src/jmh/java): the frontend's per-request
# recording outside the stream wrappers, one streamed server-sent event, and what a worker method's
# advice hands to the runtime (a plain return, one token through the Iterator wrapper and through a
# token handler). Time per operation and bytes allocated per operation (-prof gc) on each JDK, then a
# JFR allocation profile of every benchmark that allocates, so the report says what allocates.
# See BENCHMARKS.md.
#
#   benchmarks/jmh.sh [JMH include regex]
#
# Env: JDKS ("17 25"), JMH_OPTS ("-f 1 -wi 3 -w 1s -i 5 -r 1s"), JFR (1; 0 = no allocation profile),
# JFR_OPTS ("-f 1 -wi 2 -w 1s -i 3 -r 1s"), AGENT_REV or AGENT_JAR (as in startup.sh; here the plain
# agent module jar of that tree is what is measured), SKIP_BUILD=1.
# Writes benchmarks/results/jmh-<date>-<jdk>.json and .txt (JMH's own output), jmh-<date>-jfr.txt
# (allocation samples) and jmh-<date>.md (the report, also on stdout).
set -euo pipefail
source "$(dirname "$0")/common.sh"

INCLUDE=${1:-'dynamo\.obs\.agent\.'}
read -r -a JDK_LIST <<< "${JDKS:-17 25}"
read -r -a OPTS <<< "${JMH_OPTS:--f 1 -wi 3 -w 1s -i 5 -r 1s}"
read -r -a JFR_RUN_OPTS <<< "${JFR_OPTS:--f 1 -wi 2 -w 1s -i 3 -r 1s}"

build_tree ""
JAVA_HOMES=()
for j in "${JDK_LIST[@]}"; do JAVA_HOMES+=("$(resolve_jdk "$j")"); done
# the classes and their dependencies are copied, so a rebuild by someone else mid-run cannot mix two builds
RUN_DIR="$BENCH_DIR/target/jmh-run"
rm -rf "$RUN_DIR"; mkdir -p "$RUN_DIR"
cp -r "$TREE_BENCH/classes" "$TREE_BENCH/lib" "$RUN_DIR/"
CP="$RUN_DIR/classes:$RUN_DIR/lib/*"
AGENT_MODULE_JAR=$(ls "$RUN_DIR"/lib/dynamo-obs-agent-*.jar)

JSONS=()
for jh in "${JAVA_HOMES[@]}"; do
  label=$(jdk_label "$jh")
  json="$RESULTS_DIR/jmh-$STAMP-$label.json"
  log "$label: JMH ${OPTS[*]} -prof gc '$INCLUDE' (output in $RESULTS_DIR/jmh-$STAMP-$label.txt)"
  run_group "$jh/bin/java" -cp "$CP" org.openjdk.jmh.Main "${OPTS[@]}" -prof gc -rf json -rff "$json" "$INCLUDE" \
    > "$RESULTS_DIR/jmh-$STAMP-$label.txt" 2>&1
  g=$GROUP_PID
  wait "$g" || { log "JMH failed on $label; see $RESULTS_DIR/jmh-$STAMP-$label.txt"; exit 1; }
  forget_group "$g"
  JSONS+=("$json")
done

# Where the bytes come from: JFR's allocation samples (jdk.ObjectAllocationSample, weighted by the
# bytes they stand for) for each benchmark that allocated ≥ 8 B/op on the first JDK.
JFR_ARGS=()
if [[ "${JFR:-1}" == 1 ]]; then
  jh=${JAVA_HOMES[0]}
  allocating=$(python3 - "${JSONS[0]}" <<'EOF'
import json, re, sys
names = [b["benchmark"] for b in json.load(open(sys.argv[1]))
         if b.get("secondaryMetrics", {}).get("gc.alloc.rate.norm", {}).get("score", 0) >= 8]
print("|".join("^" + re.escape(n) + "$" for n in names))
EOF
)
  if [[ -n "$allocating" ]]; then
    JFR_DIR="$BENCH_DIR/target/jmh-jfr"
    rm -rf "$JFR_DIR"
    log "$(jdk_label "$jh"): JFR allocation profile of the benchmarks that allocate (${JFR_RUN_OPTS[*]})"
    run_group "$jh/bin/java" -cp "$CP" org.openjdk.jmh.Main "${JFR_RUN_OPTS[@]}" \
      -prof "jfr:dir=$JFR_DIR;stackDepth=32" "$allocating" > "$RESULTS_DIR/jmh-$STAMP-jfr-run.txt" 2>&1
    g=$GROUP_PID
    wait "$g" || { log "the JFR run failed; see $RESULTS_DIR/jmh-$STAMP-jfr-run.txt"; exit 1; }
    forget_group "$g"
    rm -f "$RESULTS_DIR/jmh-$STAMP-jfr-run.txt" # its timings are not reported (JFR running)
    JFR_ARGS=(--jfr "$JFR_DIR" --jfr-tool "$jh/bin/jfr" --jfr-jdk "$(jdk_label "$jh")" \
      --jfr-out "$RESULTS_DIR/jmh-$STAMP-jfr.txt")
  fi
fi

MD="$RESULTS_DIR/jmh-$STAMP.md"
{
  echo "## JMH: the agent's hot path ($STAMP)"
  echo
  machine_facts "${JAVA_HOMES[@]}"
  echo "- measured: the plain agent module jar $(basename "$AGENT_MODULE_JAR") of that tree (sha256 $(sha256sum "$AGENT_MODULE_JAR" | cut -c1-12)), called directly; Prometheus client_java $(ls "$RUN_DIR"/lib/prometheus-metrics-core-*.jar | sed 's/.*core-//; s/\.jar//')"
  echo "- inputs: $("${JAVA_HOMES[0]}/bin/java" -cp "$CP" dynamo.obs.agent.frontend.BenchmarkInputs)"
  echo "- JMH 1.37, ${OPTS[*]}, -prof gc (one thread); B/op is gc.alloc.rate.norm; ± is JMH's 99.9 % confidence interval"
  echo "- raw results: $(for j in "${JSONS[@]}"; do printf 'benchmarks/results/%s ' "$(basename "$j")"; done)(and .txt)"
  echo
  python3 "$BENCH_DIR/jmh-report.py" "${JFR_ARGS[@]}" "${JSONS[@]}"
} | tee "$MD"
