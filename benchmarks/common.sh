# Shared by startup.sh, scrape.sh, footprint.sh, jmh.sh, load.sh and cpu.sh (sourced, not run): paths, JDK
# selection, build, machine facts, and the clean-up of every JVM the benchmark starts.
#
# Every child JVM is started through run_group, which puts it in a process group of its own
# (setsid); the EXIT/INT/TERM trap kills each group still alive, so Ctrl-C leaves nothing behind.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT_DIR=$(dirname "$BENCH_DIR")
BENCH_JAR="$BENCH_DIR/target/dynamo-obs-benchmarks.jar"
# the newest served on Maven Central when last checked (mvn versions:display-dependency-updates); also in pom.xml
OTEL_AGENT_VERSION=2.33.1
OTEL_AGENT_JAR="$BENCH_DIR/target/agents/opentelemetry-javaagent-$OTEL_AGENT_VERSION.jar"
# The agent under test: AGENT_JAR, or (AGENT_REV=<git revision>) built from a clean export of that
# commit, or by default agent/target/dynamo-obs.jar of the working tree. Copied once per run so a
# rebuild by someone else mid-run cannot mix two builds.
AGENT_REV=${AGENT_REV:-}
AGENT_JAR_SOURCE=${AGENT_JAR:-$ROOT_DIR/agent/target/dynamo-obs.jar}
AGENT_ORIGIN="working tree"
AGENT_JAR_COPY="$BENCH_DIR/target/agents/dynamo-obs.jar"
RESULTS_DIR="$BENCH_DIR/results"
STAMP=$(date -u +%Y-%m-%dT%H%MZ)
# the JVM that drives the measurements (not the one measured): the default java, quick to start
DRIVER_JAVA=${DRIVER_JAVA:-java}
DRIVER_OPTS=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k)

declare -a LIVE_GROUPS=()

log() { printf '%s\n' "$*" >&2; }

kill_groups() {
  local g
  for g in "${LIVE_GROUPS[@]:-}"; do
    [[ -n "$g" ]] || continue
    kill -TERM -- "-$g" 2>/dev/null || true
  done
  sleep 0.3
  for g in "${LIVE_GROUPS[@]:-}"; do
    [[ -n "$g" ]] || continue
    kill -KILL -- "-$g" 2>/dev/null || true
  done
  LIVE_GROUPS=()
}

on_exit() {
  local rc=$?
  kill_groups
  exit "$rc"
}
trap on_exit EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM

# run_group CMD... : runs CMD in a new session/process group in the background and sets GROUP_PID
# (pid = pgid). The caller either waits for it (wait, then forget_group) or stops it (stop_group).
run_group() {
  setsid "$@" &
  GROUP_PID=$!
  LIVE_GROUPS+=("$GROUP_PID")
}

# stop_group PID : SIGTERM to the whole group, SIGKILL after 3 s, then reap.
stop_group() {
  local g=$1 i
  kill -TERM -- "-$g" 2>/dev/null || true
  for i in $(seq 30); do
    kill -0 -- "-$g" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL -- "-$g" 2>/dev/null || true
  wait "$g" 2>/dev/null || true
  forget_group "$g"
}

forget_group() {
  local g=$1 kept=() x
  for x in "${LIVE_GROUPS[@]:-}"; do
    [[ -n "$x" && "$x" != "$g" ]] && kept+=("$x")
  done
  LIVE_GROUPS=("${kept[@]:-}")
}

# JDKS: space-separated JAVA_HOMEs; "17" and "25" are short for the machine's two JDKs.
default_java_home() { dirname "$(dirname "$(readlink -f "$(command -v java)")")"; }
resolve_jdk() {
  case "$1" in
    17) default_java_home ;;
    25) echo /usr/lib/jvm/temurin-25-jdk-amd64 ;;
    *) echo "$1" ;;
  esac
}
jdk_version() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.runtime.version/{print $2}'; }
jdk_name() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.vm.vendor/{print $2}'; }
jdk_label() { local v; v=$(jdk_version "$1"); echo "jdk${v%%[.+]*}"; }

# Builds what is missing (SKIP_BUILD=1 to use what is there): the benchmarks module always (quick),
# the agent jar only when it does not exist (others may be editing its sources).
build() {
  if [[ -n "$AGENT_REV" ]]; then
    build_agent_at_rev
  elif [[ -n "${AGENT_JAR:-}" ]]; then
    AGENT_ORIGIN="given as AGENT_JAR"
  fi
  if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    if [[ ! -f "$AGENT_JAR_SOURCE" ]]; then
      # package, never install: the local repository is shared with other builds
      log "building the agent: mvn -B -q -pl agent -am package -DskipTests"
      (cd "$ROOT_DIR" && mvn -B -q -pl agent -am package -DskipTests) >&2
    fi
    log "building benchmarks: mvn -B -q -pl benchmarks package -P '!jmh'"
    (cd "$ROOT_DIR" && mvn -B -q -pl benchmarks package -P '!jmh') >&2 # without JMH: needs no agent module
  fi
  [[ -f "$AGENT_JAR_SOURCE" ]] || { log "no agent jar at $AGENT_JAR_SOURCE"; exit 1; }
  [[ -f "$BENCH_JAR" && -f "$OTEL_AGENT_JAR" ]] || { log "benchmarks not built (run without SKIP_BUILD)"; exit 1; }
  mkdir -p "$(dirname "$AGENT_JAR_COPY")" "$RESULTS_DIR"
  copy_agent_jar
  LOAD_AT_START=$(machine_load)
}

# AGENT_REV: export that commit (git archive) under target/ and build its agent there with
# "package" (nothing is installed into ~/.m2, so other builds are not disturbed). Built once per commit.
build_agent_at_rev() {
  local commit src
  commit=$(cd "$ROOT_DIR" && git rev-parse --verify "$AGENT_REV^{commit}")
  src="$BENCH_DIR/target/agent-src-${commit:0:12}"
  AGENT_JAR_SOURCE="$src/agent/target/dynamo-obs.jar"
  AGENT_ORIGIN="built from a clean export of commit ${commit:0:12}"
  if [[ ! -f "$AGENT_JAR_SOURCE" ]]; then
    rm -rf "$src"; mkdir -p "$src"
    (cd "$ROOT_DIR" && git archive "$commit") | tar -x -C "$src"
    log "building the agent of ${commit:0:12} in $src: mvn -B -q -pl agent -am package -DskipTests"
    (cd "$src" && mvn -B -q -pl agent -am package -DskipTests) >&2
  fi
}

# Others may be rebuilding the agent while we start: copy it only once it is a complete jar that has
# not changed for 5 s (waits up to 5 min), and check the copy.
copy_agent_jar() {
  local i age
  for i in $(seq 300); do
    if [[ -f "$AGENT_JAR_SOURCE" ]]; then
      age=$(( $(date +%s) - $(stat -c %Y "$AGENT_JAR_SOURCE") ))
      if (( age >= 5 )) && unzip -tqq "$AGENT_JAR_SOURCE" >/dev/null 2>&1; then
        cp "$AGENT_JAR_SOURCE" "$AGENT_JAR_COPY.tmp"
        if unzip -p "$AGENT_JAR_COPY.tmp" META-INF/MANIFEST.MF 2>/dev/null | grep -q '^Premain-Class:'; then
          mv "$AGENT_JAR_COPY.tmp" "$AGENT_JAR_COPY"
          return 0
        fi
      fi
    fi
    ((i == 1)) && log "waiting for a complete, settled $AGENT_JAR_SOURCE (someone may be rebuilding it)"
    sleep 1
  done
  log "no complete agent jar at $AGENT_JAR_SOURCE"; exit 1
}

# Other processes compete for the 2 CPUs: say how busy the machine is, so results can be judged.
machine_load() {
  local others
  others=$(pgrep -x java | grep -v -x -e "$$" | wc -l || true)
  echo "load average $(cut -d' ' -f1-3 /proc/loadavg), $others other java process(es) running"
}

machine_facts() {
  local jh
  echo "- date (UTC): $(date -u '+%Y-%m-%d %H:%M')"
  echo "- machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r)"
  for jh in "$@"; do
    echo "- $(jdk_label "$jh"): $(jdk_name "$jh") $(jdk_version "$jh") ($jh)"
  done
  echo "- this run of $(basename "$0") took $SECONDS s so far (builds included)"
  echo "- machine load: at the start ${LOAD_AT_START:-?}; at the end $(machine_load)"
  local tree
  tree=$(cd "$ROOT_DIR" && git rev-parse --short HEAD 2>/dev/null || echo '?')
  if [[ "$AGENT_ORIGIN" == "working tree" ]]; then
    # (|| true: a clean tree is no failure under set -e)
    tree="$tree$(cd "$ROOT_DIR" && [[ -n "$(git status --porcelain -- agent bootstrap instrumentation 2>/dev/null)" ]] && echo ' + uncommitted changes in agent/bootstrap/instrumentation' || true)"
  fi
  echo "- dynamo-obs jar: $AGENT_ORIGIN (repository HEAD $tree), sha256 $(sha256sum "$AGENT_JAR_COPY" | cut -c1-12)"
}

# ---- jmh.sh and load.sh: the benchmarks module built in the same tree as the agent it measures ----

# build_tree [MODULES] : builds benchmarks (with JMH) and MODULES (comma-separated, e.g. examples)
# with everything they depend on, in one "mvn package -DskipTests", in the tree being measured:
# for AGENT_REV, the clean export of that commit (the same directory as build_agent_at_rev) with this
# working tree's benchmarks/ pom and sources copied in, so today's benchmarks measure that commit's
# agent and examples; otherwise the working tree. Sets TREE_DIR and TREE_BENCH (its benchmarks/target),
# takes the agent jar from that tree (unless AGENT_JAR is given) and copies it as build() does.
build_tree() {
  local modules=benchmarks commit
  [[ -n "${1:-}" ]] && modules="benchmarks,$1"
  if [[ -n "$AGENT_REV" ]]; then
    commit=$(cd "$ROOT_DIR" && git rev-parse --verify "$AGENT_REV^{commit}")
    TREE_DIR="$BENCH_DIR/target/agent-src-${commit:0:12}"
    AGENT_ORIGIN="built from a clean export of commit ${commit:0:12}"
    if [[ ! -f "$TREE_DIR/pom.xml" ]]; then
      rm -rf "$TREE_DIR"; mkdir -p "$TREE_DIR"
      (cd "$ROOT_DIR" && git archive "$commit") | tar -x -C "$TREE_DIR"
    fi
    if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
      rm -rf "$TREE_DIR/benchmarks/src"
      cp -r "$BENCH_DIR/src" "$BENCH_DIR/pom.xml" "$TREE_DIR/benchmarks/"
    fi
  else
    TREE_DIR=$ROOT_DIR
  fi
  TREE_BENCH="$TREE_DIR/benchmarks/target"
  if [[ -n "${AGENT_JAR:-}" ]]; then
    AGENT_ORIGIN="given as AGENT_JAR"
  else
    AGENT_JAR_SOURCE="$TREE_DIR/agent/target/dynamo-obs.jar"
  fi
  if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    log "building in $TREE_DIR: mvn -B -q -pl $modules -am package -DskipTests"
    (cd "$TREE_DIR" && mvn -B -q -pl "$modules" -am package -DskipTests) >&2
  fi
  [[ -f "$TREE_BENCH/classes/META-INF/BenchmarkList" ]] || { log "benchmarks not built in $TREE_DIR (run without SKIP_BUILD)"; exit 1; }
  mkdir -p "$(dirname "$AGENT_JAR_COPY")" "$RESULTS_DIR"
  copy_agent_jar
  LOAD_AT_START=$(machine_load)
}

# ---- load.sh, outage.sh and cpu.sh: servers started as JVMs, their CPU time, how busy the machine is ----

# the environment of every server JVM: nothing of ours or of an agent leaks in from the caller's
# (KEEP_ENV: names of DYN_*/OTEL_* variables let through)
clean_env() {
  local v
  CLEAN_ENV=(env -u JAVA_TOOL_OPTIONS -u JDK_JAVA_OPTIONS -u _JAVA_OPTIONS)
  for v in $(compgen -e); do
    [[ ($v == DYN_* || $v == OTEL_*) && " ${KEEP_ENV:-} " != *" $v "* ]] && CLEAN_ENV+=(-u "$v")
  done
  return 0
}

# free_ports N: N distinct free loopback ports, chosen at once (each socket is held until all are chosen)
free_ports() {
  python3 -c '
import socket, sys
s = [socket.socket() for _ in range(int(sys.argv[1]))]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))' "$1"
}

OUR_PIDS=()

cpu_ms() { # pid: utime + stime of the process so far, in ms (threads that ended included)
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$1/stat"
}

# task_cpu PID: "tid<TAB>name<TAB>ms" for every live thread of the process (utime + stime of
# /proc/PID/task/*/stat); the name as the kernel keeps it (15 characters), which may hold spaces and
# parentheses: it runs from the first '(' to the last ')'
task_cpu() {
  awk -v hz="$(getconf CLK_TCK)" '
    match($0, /\(.*\)/) {
      n = substr($0, RSTART + 1, RLENGTH - 2)
      split(substr($0, RSTART + RLENGTH + 1), f, " ")
      printf "%s\t%s\t%d\n", $1, n, (f[12] + f[13]) * 1000 / hz
    }' /proc/"$1"/task/*/stat 2>/dev/null || true
}

other_java() { # java processes on the machine that are not ours
  local p n=0
  for p in $(pgrep -x java || true); do
    [[ " ${OUR_PIDS[*]} " == *" $p "* ]] || n=$((n + 1))
  done
  echo "$n"
}

# CPU time, in ms, the whole machine has been busy (all CPUs), and the part of it that is this run's:
# the JVMs in OUR_PIDS and this shell's children (wrk, hey, curl…; counted once they have exited)
busy_ms() {
  awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { printf "%d", ($2 + $3 + $4 + $7 + $8 + $9) * 1000 / hz }' /proc/stat
}
ours_ms() {
  local p t=0 children
  for p in "${OUR_PIDS[@]}"; do t=$((t + $(cpu_ms "$p" 2>/dev/null || echo 0))); done
  children=$(times | tail -n1 | awk '{ split($1, u, /[ms]/); split($2, s, /[ms]/); printf "%d", (u[1] * 60 + u[2] + s[1] * 60 + s[2]) * 1000 }')
  echo $((t + children))
}

# metric_sum PORT FAMILY: the sum of every sample of a counter family on a dynamo-obs system port; -1 when
# /metrics could not be read (three tries): a busy machine must not end a run that has measured everything
metric_sum() {
  local body
  body=$(curl -sf --max-time 10 --retry 2 --retry-all-errors "http://127.0.0.1:$1/metrics" || true)
  [[ -n $body ]] || { echo -1; return 0; }
  awk -v f="$2" 'index($0, f "{") == 1 || index($0, f " ") == 1 { s += $NF } END { printf "%d", s }' <<< "$body"
}

# ---- cpu.sh and startup.sh: the server stacks of stacks.conf ----

# stack_line NAME: sets STACK_THREADS (the request threads' regex) and STACK_ARGS (an array: the JVM
# arguments with {bench}, {target} and {root} filled in; {port} is left for the caller)
stack_line() {
  local file=${STACKS_FILE:-$BENCH_DIR/stacks.conf} line name args
  line=$(grep -v '^[[:space:]]*#' "$file" | awk -v n="$1" '$1 == n' | head -n1)
  [[ -n $line ]] || { log "no stack $1 in $file"; exit 1; }
  read -r name STACK_THREADS args <<< "$line"
  args=${args//\{bench\}/$BENCH_JAR}
  args=${args//\{target\}/$BENCH_DIR/target}
  args=${args//\{root\}/$ROOT_DIR}
  read -r -a STACK_ARGS <<< "$args"
}

# the names of every stack in the list, in its order
all_stacks() {
  grep -v '^[[:space:]]*#' "${STACKS_FILE:-$BENCH_DIR/stacks.conf}" | awk 'NF >= 3 { print $1 }'
}
