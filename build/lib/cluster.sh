#!/usr/bin/env bash
# A local 3-node RabbitMQ cluster (Debian's rabbitmq-server) beside the shared broker, which it leaves alone:
# nodes twitterbot-1..3@localhost, each with its own AMQP, management and distribution port (ports.sh), its own
# data, log and config under $TWITTERBOT_CLUSTER_DIR, the broker's Erlang cookie, and the plugins the project
# needs (rabbitmq.sh). Idempotent: a running, joined cluster is reused; one of which no node runs starts afresh. Sourced by the cluster fault specs;
# also usable by hand:
#   bash build/lib/cluster.sh ensure|status|hosts|kill N|stop N|start N|stop-app N|start-app N|wait-running COUNT|down
here="$(dirname "${BASH_SOURCE[0]}")"
source "$here/rabbitmq.sh"
source "$here/ports.sh"

TWITTERBOT_CLUSTER_DIR="${TWITTERBOT_CLUSTER_DIR:-/var/tmp/twitterbot-cluster}"
TWITTERBOT_CLUSTER_SIZE=3

cluster_node_name() { echo "twitterbot-$1@localhost"; }

# Runs a RabbitMQ script as the rabbitmq user (it owns the cookie in /var/lib/rabbitmq), with node N's environment.
cluster_as_node() {
  local n=$1 dir="$TWITTERBOT_CLUSTER_DIR/node-$1"
  shift
  local env=(
    HOME=/var/lib/rabbitmq
    RABBITMQ_NODENAME="$(cluster_node_name "$n")"
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    RABBITMQ_NODE_PORT="$(cluster_amqp_port "$n")"
    RABBITMQ_DIST_PORT="$(cluster_dist_port "$n")"
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
    RABBITMQ_MNESIA_BASE="$dir/mnesia"
    RABBITMQ_MNESIA_DIR="$dir/mnesia/$(cluster_node_name "$n")"
    RABBITMQ_LOG_BASE="$dir/log"
    RABBITMQ_PID_FILE="$dir/pid"
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
  )
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u rabbitmq -- env "${env[@]}" "$@"
  else
    env "${env[@]}" "$@"
  fi
}

cluster_ctl() { local n=$1; shift; cluster_as_node "$n" /usr/lib/rabbitmq/bin/rabbitmqctl -n "$(cluster_node_name "$n")" "$@"; }

cluster_node_up() { port_open "$(cluster_amqp_port "$1")"; }

cluster_management() {
  curl -fsS -u guest:guest "http://127.0.0.1:$(cluster_management_port "$1")/api/$2" 2>/dev/null
}

# How many nodes node N's management API reports running in its cluster.
cluster_running_count() { cluster_management "$1" nodes | grep -o '"running":true' | wc -l; }

cluster_prepare_node() {
  local n=$1 dir="$TWITTERBOT_CLUSTER_DIR/node-$1"
  as_root mkdir -p "$dir/mnesia" "$dir/log"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nmanagement.tcp.ip = 127.0.0.1\nmanagement.tcp.port = %s\n%s\n' \
    "$(cluster_amqp_port "$n")" "$(cluster_management_port "$n")" \
    'cluster_partition_handling = pause_minority' | as_root tee "$dir/rabbitmq.conf" >/dev/null
  echo '[].' | as_root tee "$dir/advanced.config" >/dev/null
  echo "[${RABBITMQ_PLUGINS// /,}]." | as_root tee "$dir/enabled_plugins" >/dev/null
  as_root chown -R rabbitmq:rabbitmq "$TWITTERBOT_CLUSTER_DIR"
}

# The pids of node N's Erlang VMs, answering or not (the node name is in the VM's environment, not its command line).
cluster_node_pids() {
  local pid
  for pid in $(pgrep -x beam.smp || true); do
    if as_root cat "/proc/$pid/environ" 2>/dev/null | tr '\0' '\n' | grep -qx "RABBITMQ_NODENAME=$(cluster_node_name "$1")"; then
      echo "$pid"
    fi
  done
}

# SIGKILL of whatever VM of node N is left that does not answer AMQP (a start that hung or failed half-way).
cluster_kill_stray() {
  local n=$1 pid
  for pid in $(cluster_node_pids "$n"); do
    echo "==> killing a stray VM of $(cluster_node_name "$n") (pid $pid) that does not answer"
    as_root kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  done
}

# Starts node N (a full start) unless it is up, and waits until it answers AMQP and its management API.
cluster_start_node() {
  local n=$1
  if ! cluster_node_up "$n"; then
    cluster_kill_stray "$n"
    require_free_port "$(cluster_amqp_port "$n")" "cluster node $n (AMQP)" TWITTERBOT_CLUSTER_AMQP_BASE || return 1
    require_free_port "$(cluster_dist_port "$n")" "cluster node $n (Erlang distribution)" TWITTERBOT_CLUSTER_DIST_BASE || return 1
    require_free_port "$(cluster_management_port "$n")" "cluster node $n (management)" TWITTERBOT_CLUSTER_MANAGEMENT_BASE || return 1
    cluster_prepare_node "$n"
    echo "==> starting RabbitMQ node $(cluster_node_name "$n") (amqp 127.0.0.1:$(cluster_amqp_port "$n"))"
    # From the node's own directory: a detached node keeps the caller's working directory, and once that is gone
    # (a scratch clone deleted while the cluster runs) Erlang's filename:absname fails and the node stops working.
    (cd "$TWITTERBOT_CLUSTER_DIR/node-$n" && cluster_as_node "$n" /usr/lib/rabbitmq/bin/rabbitmq-server -detached)
  fi
  cluster_wait_node "$n"
}

# Waits for node N; one that does not come up within 90 s is killed (so that the next start begins clean) and the
# errors of its log are shown.
cluster_wait_node() {
  local n=$1
  for _ in $(seq 1 180); do
    if cluster_node_up "$n" && cluster_management "$n" overview >/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "error: RabbitMQ node $(cluster_node_name "$n") did not start within 90 s; the last errors of its log:" >&2
  as_root cat "$TWITTERBOT_CLUSTER_DIR/node-$n/log/$(cluster_node_name "$n").log" 2>/dev/null \
    | grep -E '\[(error|warning)\]' | tail -n 5 | cut -c1-300 >&2 || true
  echo "(all of it in $TWITTERBOT_CLUSTER_DIR/node-$n/log)" >&2
  cluster_kill_stray "$n"
  return 1
}

# The cluster's data is disposable. When no node of it answers (after a reboot, or a test run that was killed), the
# first node restarted on the old data would wait minutes for peers that are not coming (RabbitMQ waits for its
# Mnesia tables 10 × 30 s), so the cluster starts afresh instead: stray VMs killed, data deleted.
cluster_reset_when_down() {
  local n
  for n in $(seq 1 "$TWITTERBOT_CLUSTER_SIZE"); do cluster_node_up "$n" && return 0; done
  for n in $(seq 1 "$TWITTERBOT_CLUSTER_SIZE"); do cluster_kill_stray "$n"; done
  if [ -d "$TWITTERBOT_CLUSTER_DIR" ]; then
    echo "==> no node of the cluster runs: starting it afresh (deleting $TWITTERBOT_CLUSTER_DIR)"
    as_root rm -rf "$TWITTERBOT_CLUSTER_DIR"
  fi
}

# Starts the three nodes and joins 2 and 3 to 1; reuses whatever of that already runs.
ensure_cluster() {
  command -v rabbitmq-server >/dev/null || install_rabbitmq
  command -v curl >/dev/null || as_root apt-get install -y -qq curl >/dev/null
  local n
  cluster_reset_when_down
  for n in $(seq 1 "$TWITTERBOT_CLUSTER_SIZE"); do cluster_start_node "$n" || return 1; done
  for n in $(seq 2 "$TWITTERBOT_CLUSTER_SIZE"); do
    if ! cluster_management 1 nodes | grep -q "\"name\":\"$(cluster_node_name "$n")\""; then
      echo "==> joining $(cluster_node_name "$n") to $(cluster_node_name 1)"
      local out
      # The CLI chatters about feature flags and tracking tables while a node joins; shown only when it fails.
      out="$( { cluster_ctl "$n" stop_app && cluster_ctl "$n" reset && cluster_ctl "$n" join_cluster "$(cluster_node_name 1)" \
        && cluster_ctl "$n" start_app; } 2>&1)" || { echo "$out" >&2; echo "error: $(cluster_node_name "$n") could not join" >&2; return 1; }
    fi
  done
  cluster_wait_running "$TWITTERBOT_CLUSTER_SIZE" || return 1
  echo "==> RabbitMQ cluster is up: $(cluster_hosts) (management http://127.0.0.1:$(cluster_management_port 1))"
}

# Waits until node 1 (or, when it is down, any node) sees $1 nodes running.
cluster_wait_running() {
  local want=$1 n
  for _ in $(seq 1 240); do
    for n in $(seq 1 "$TWITTERBOT_CLUSTER_SIZE"); do
      if cluster_node_up "$n" && [ "$(cluster_running_count "$n")" -ge "$want" ]; then return 0; fi
    done
    sleep 0.5
  done
  echo "error: the RabbitMQ cluster did not report $want running nodes within 120 s" >&2
  cluster_ctl 1 cluster_status >&2 || true
  return 1
}

cluster_hosts() {
  local n hosts=()
  for n in $(seq 1 "$TWITTERBOT_CLUSTER_SIZE"); do hosts+=("127.0.0.1:$(cluster_amqp_port "$n")"); done
  (IFS=,; echo "${hosts[*]}")
}

# SIGKILL of node N's Erlang VM (beam.smp): a crash, no goodbye to its peers or clients.
cluster_kill_node() {
  local n=$1 pid
  pid="$(cat "$TWITTERBOT_CLUSTER_DIR/node-$n/pid" 2>/dev/null || true)"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || { echo "error: node $n is not running" >&2; return 1; }
  echo "==> SIGKILL of $(cluster_node_name "$n") (beam pid $pid)"
  as_root kill -KILL "$pid"
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
}

# A clean full stop of node N (the VM exits); cluster_start_node brings it back.
# (With the pid file, rabbitmqctl returns only once the VM has exited.)
cluster_stop_node() {
  echo "==> stopping $(cluster_node_name "$1")"
  cluster_ctl "$1" stop "$TWITTERBOT_CLUSTER_DIR/node-$1/pid" >/dev/null
}

# The RabbitMQ application stopped/started on node N (the VM stays, the node leaves/rejoins the cluster's running set).
cluster_stop_app() { echo "==> stop_app on $(cluster_node_name "$1")"; cluster_ctl "$1" stop_app >/dev/null; }
cluster_start_app() { echo "==> start_app on $(cluster_node_name "$1")"; cluster_ctl "$1" start_app >/dev/null; }

# Stops every node of the cluster and deletes its data.
cluster_down() {
  local n
  for n in $(seq 1 "$TWITTERBOT_CLUSTER_SIZE"); do
    if cluster_node_up "$n"; then cluster_ctl "$n" stop "$TWITTERBOT_CLUSTER_DIR/node-$n/pid" >/dev/null 2>&1 || true; fi
    cluster_kill_stray "$n"
  done
  as_root rm -rf "$TWITTERBOT_CLUSTER_DIR"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-ensure}" in
    ensure) ensure_cluster ;;
    status) cluster_ctl 1 cluster_status ;;
    hosts) cluster_hosts ;;
    kill) cluster_kill_node "$2" ;;
    stop) cluster_stop_node "$2" ;;
    start) cluster_start_node "$2" ;;
    stop-app) cluster_stop_app "$2" ;;
    start-app) cluster_start_app "$2" && cluster_wait_node "$2" ;;
    wait-running) cluster_wait_running "$2" ;;
    down) cluster_down ;;
    *) echo "usage: $0 ensure|status|hosts|kill N|stop N|start N|stop-app N|start-app N|wait-running COUNT|down" >&2; exit 2 ;;
  esac
fi
