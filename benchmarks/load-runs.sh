#!/usr/bin/env bash
# Several whole load.sh runs, one after another, reported as one: each run launches its stacks anew,
# so what differs from one launch of a JVM to the next (what the JIT compiled, where the heap landed)
# is sampled too instead of staying in every window of one run. The rounds of all the runs are pooled
# (run k's round r becomes round 100·k + r) and load-report.py's intervals resample them.
#
#   RUNS=3 CONFIGS="dynamo-obs dynamo-obs-export dynamo-obs-export-down dynamo-obs-export-slow" \
#     LOAD_BASE=dynamo-obs ROUNDS=6 SCENARIOS="unary:1 unary/40:8" benchmarks/load-runs.sh
#
# Env: RUNS (3); everything else as load.sh (the first run builds, the others reuse its jars).
# Writes benchmarks/results/load-runs-<date>.csv, -latency.csv and .md (the report, also on stdout);
# each run's own files stay beside them.
set -euo pipefail
source "$(dirname "$0")/common.sh"

RUNS=${RUNS:-3}
OUT="$RESULTS_DIR/load-runs-$STAMP"
stamps=()
for ((k = 1; k <= RUNS; k++)); do
  before=$(ls "$RESULTS_DIR" | grep -E '^load-[0-9T-]+Z\.csv$' | sort || true)
  if ((k == 1)); then
    "$BENCH_DIR/load.sh" > /dev/null
  else
    SKIP_BUILD=1 "$BENCH_DIR/load.sh" > /dev/null
  fi
  made=$(comm -13 <(echo "$before") <(ls "$RESULTS_DIR" | grep -E '^load-[0-9T-]+Z\.csv$' | sort))
  [[ -n $made ]] || { log "run $k wrote no results"; exit 1; }
  stamps+=("${made%.csv}")
  log "run $k of $RUNS: benchmarks/results/$made"
done

# one file of each kind, the rounds renumbered per run
merge() { # suffix
  local k=0 s
  for s in "${stamps[@]}"; do
    k=$((k + 1))
    awk -F, -v OFS=, -v k="$k" -v first="$k" 'NR == 1 { if (first == 1) print; next } { $1 = 100 * k + $1; print }' \
      "$RESULTS_DIR/$s$1"
  done > "$OUT$1"
}
merge .csv
merge -latency.csv

{
  echo "## Load over $RUNS runs: ${stamps[*]}"
  echo
  echo "Each run launched its stacks anew (its own report: benchmarks/results/<run>.md, with the machine, the"
  echo "deployment and the settings); the windows of all of them together, round r of run k as round 100·k + r."
  echo
  python3 "$BENCH_DIR/load-report.py" "$OUT.csv" "$OUT-latency.csv"
} | tee "$OUT.md"
