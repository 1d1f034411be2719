#!/usr/bin/env bash
# Runs the example deployment (2 workers, a router, a frontend) under the dynamo-obs agent, drives load through
# it, prints what each agent reports on its system port, and stops every JVM it started — also on Ctrl-C.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: examples/demo.sh [--no-build] [--help]

Builds the agent and the examples (unless --no-build), starts two workers, a router and a frontend, each with
-javaagent:<agent jar>, runs the load driver for DEMO_DURATION_S seconds, prints the client-side summary and
each process's /health and /metrics summary, then stops everything. Logs go to a temporary directory.

Environment:
  DEMO_DURATION_S=20      load duration in seconds
  DEMO_AGENT_JAR=...      agent jar to use (default: agent/target/dynamo-obs.jar)
  DEMO_NO_AGENT=1         run without the agent (no system ports, no metrics summary)
  DEMO_JAVA=java          java launcher to use
  DEMO_SYSTEM_HOST=...    bind address of the agents' system ports (default 127.0.0.1; 0.0.0.0 for a
                          Prometheus in a container, dev/docker-observability.yml)
  DEMO_MODELS=...         comma-separated models served (default: Qwen/Qwen3-0.6B,meta-llama/Llama-3.1-8B-Instruct)
  DEMO_FRONTEND_PORT=8000 DEMO_ROUTER_PORT=9100 DEMO_WORKER1_PORT=9101 DEMO_WORKER2_PORT=9102
  DEMO_FRONTEND_SYSTEM_PORT=8081 DEMO_ROUTER_SYSTEM_PORT=8084
  DEMO_WORKER1_SYSTEM_PORT=8082 DEMO_WORKER2_SYSTEM_PORT=8083
EOF
}

build=1
for arg in "$@"; do
  case "$arg" in
    --no-build) build=0 ;;
    --help|-h) usage; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; usage >&2; exit 2 ;;
  esac
done

cd "$(dirname "${BASH_SOURCE[0]}")/.."

duration=${DEMO_DURATION_S:-20}
agent_jar=${DEMO_AGENT_JAR:-agent/target/dynamo-obs.jar}
no_agent=${DEMO_NO_AGENT:-0}
java_bin=${DEMO_JAVA:-java}
models=${DEMO_MODELS:-Qwen/Qwen3-0.6B,meta-llama/Llama-3.1-8B-Instruct}
examples_jar=examples/target/dynamo-obs-examples.jar

frontend_port=${DEMO_FRONTEND_PORT:-8000}
router_port=${DEMO_ROUTER_PORT:-9100}
worker1_port=${DEMO_WORKER1_PORT:-9101}
worker2_port=${DEMO_WORKER2_PORT:-9102}
frontend_sys=${DEMO_FRONTEND_SYSTEM_PORT:-8081}
router_sys=${DEMO_ROUTER_SYSTEM_PORT:-8084}
worker1_sys=${DEMO_WORKER1_SYSTEM_PORT:-8082}
worker2_sys=${DEMO_WORKER2_SYSTEM_PORT:-8083}

pids=()

# Stops every JVM this script started: TERM, up to 5 s of grace, then KILL.
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if ((${#pids[@]} > 0)); then
    echo "stopping ${#pids[@]} JVM(s)"
    kill "${pids[@]}" 2>/dev/null || true
    for _ in $(seq 50); do
      local alive=0
      for pid in "${pids[@]}"; do
        kill -0 "$pid" 2>/dev/null && alive=1
      done
      ((alive)) || break
      sleep 0.1
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ((build)); then
  echo "building the agent and the examples"
  mvn -B -q -DskipTests package -pl agent,examples -am
fi

agent_opts=()
if [[ "$no_agent" == 1 ]]; then
  echo "DEMO_NO_AGENT=1: running without the agent"
else
  if [[ ! -f "$agent_jar" ]]; then
    echo "error: agent jar $agent_jar not found. Build it (mvn -B -q -DskipTests package -pl agent -am)," >&2
    echo "point DEMO_AGENT_JAR at one, or run without it: DEMO_NO_AGENT=1 $0" >&2
    exit 1
  fi
  agent_opts=("-javaagent:$agent_jar")
fi
if [[ ! -f "$examples_jar" ]]; then
  echo "error: $examples_jar not found; run without --no-build, or mvn -B -q -DskipTests package -pl examples -am" >&2
  exit 1
fi

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
ports=("$frontend_port" "$router_port" "$worker1_port" "$worker2_port")
[[ "$no_agent" == 1 ]] || ports+=("$frontend_sys" "$router_sys" "$worker1_sys" "$worker2_sys")
for port in "${ports[@]}"; do
  if port_in_use "$port"; then
    echo "error: port $port is already in use; stop what holds it or override the DEMO_*_PORT variables" >&2
    exit 1
  fi
done

log_dir=$(mktemp -d "${TMPDIR:-/tmp}/dynamo-obs-demo.XXXXXX")
echo "logs: $log_dir"

# start NAME SYSTEM_PORT COMPONENT SERVICE_NAME EXTRA_ENV MAIN_CLASS ARGS...
start() {
  local name=$1 system_port=$2 component=$3 service=$4 extra_env=$5 main=$6
  shift 6
  local env_vars=(DYN_SYSTEM_PORT="$system_port" DYN_SYSTEM_HOST="${DEMO_SYSTEM_HOST:-127.0.0.1}" DYN_COMPONENT="$component"
    OTEL_SERVICE_NAME="$service")
  local extra
  read -ra extra <<<"$extra_env" # space-separated NAME=VALUE pairs
  env_vars+=("${extra[@]}")
  # the services' JDK HttpServers send without Nagle's delay (docs/configuration.md), as a real frontend should
  env "${env_vars[@]}" "$java_bin" "${agent_opts[@]}" -Dsun.net.httpserver.nodelay=true -cp "$examples_jar" "$main" "$@" \
    >"$log_dir/$name.log" 2>&1 &
  pids+=($!)
  printf -v "${name}_pid" '%s' $!
  echo "started $name (pid $!)"
}

# wait_for NAME PID URL: polls URL until it answers, failing early if the process died.
wait_for() {
  local name=$1 pid=$2 url=$3
  for _ in $(seq 120); do
    if curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; then
      echo "$name is up ($url)"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "error: $name exited; last lines of $log_dir/$name.log:" >&2
      tail -n 20 "$log_dir/$name.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  echo "error: $name did not answer $url within 60 s; see $log_dir/$name.log" >&2
  exit 1
}

# A worker's "generate" endpoint is registered (and ready) once the agent has woven its engine method. The
# router serves no endpoint of its own, so its health is the starting status: start it "ready".
worker_env="DYN_OBS_WORKER_METHODS=dynamo.obs.examples.engine.SimulatedEngine[generate]"
start worker1 "$worker1_sys" backend dynamo-backend "$worker_env" dynamo.obs.examples.worker.WorkerServer \
  --port="$worker1_port" --worker-id=worker-1 --models="$models" --jitter-ms=5
start worker2 "$worker2_sys" backend dynamo-backend "$worker_env" dynamo.obs.examples.worker.WorkerServer \
  --port="$worker2_port" --worker-id=worker-2 --models="$models" --jitter-ms=5
start router "$router_sys" router dynamo-router \
  "DYN_OBS_ROUTER_METHODS=dynamo.obs.examples.router.WorkerPicker[pickWorker] DYN_SYSTEM_STARTING_HEALTH_STATUS=ready" \
  dynamo.obs.examples.router.RouterServer --port="$router_port" \
  --workers="http://127.0.0.1:$worker1_port,http://127.0.0.1:$worker2_port"
start frontend "$frontend_sys" frontend dynamo-frontend "" dynamo.obs.examples.frontend.FrontendServer \
  --port="$frontend_port" --router="http://127.0.0.1:$router_port" --models="$models"

wait_for worker1 "$worker1_pid" "http://127.0.0.1:$worker1_port/healthz"
wait_for worker2 "$worker2_pid" "http://127.0.0.1:$worker2_port/healthz"
wait_for router "$router_pid" "http://127.0.0.1:$router_port/healthz"
wait_for frontend "$frontend_pid" "http://127.0.0.1:$frontend_port/v1/models"

load_args=(--url="http://127.0.0.1:$frontend_port" --duration-s="$duration" --models="$models")
if [[ "$no_agent" != 1 ]]; then
  load_args+=(--metrics="frontend=http://127.0.0.1:$frontend_sys,router=http://127.0.0.1:$router_sys,worker1=http://127.0.0.1:$worker1_sys,worker2=http://127.0.0.1:$worker2_sys")
fi
# In the background with `wait`, so a TERM or Ctrl-C reaches the trap at once instead of after the load run.
servers=("${pids[@]}")
"$java_bin" -cp "$examples_jar" dynamo.obs.examples.load.LoadDriver "${load_args[@]}" &
driver_pid=$!
pids+=("$driver_pid")
wait "$driver_pid"
pids=("${servers[@]}") # the driver has exited and been reaped
echo "demo finished; logs in $log_dir"
