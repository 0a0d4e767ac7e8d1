#!/usr/bin/env bash
# Makes sure a RabbitMQ broker answers on loopback: reuses a running one, otherwise installs Debian's
# rabbitmq-server when it is missing, starts it and waits until it accepts AMQP and management calls.
# Sourced by build/test.sh and build/run.sh; sets RABBITMQ_STARTED_BY_US=1 when it started the broker.

RABBITMQ_AMQP_PORT="${RABBITMQ_AMQP_PORT:-5672}"
RABBITMQ_MANAGEMENT_PORT="${RABBITMQ_MANAGEMENT_PORT:-15672}"
RABBITMQ_STARTED_BY_US=0

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: '$*' needs root; run as root or install sudo" >&2; return 1; fi
}

install_rabbitmq() {
  echo "==> installing Debian's rabbitmq-server"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
}

management_ready() {
  command -v curl >/dev/null || return 0   # nothing to check with; AMQP readiness is enough
  curl -fsS -u guest:guest "http://127.0.0.1:${RABBITMQ_MANAGEMENT_PORT}/api/overview" >/dev/null 2>&1
}

# Conversation partitions route through a consistent-hash exchange (plugin shipped with RabbitMQ).
RABBITMQ_PLUGINS="rabbitmq_management rabbitmq_consistent_hash_exchange"

has_consistent_hash_exchange() {
  curl -fsS -u guest:guest "http://127.0.0.1:${RABBITMQ_MANAGEMENT_PORT}/api/overview" 2>/dev/null | grep -q '"x-consistent-hash"'
}

ensure_rabbitmq() {
  if port_open "$RABBITMQ_AMQP_PORT" && management_ready; then
    echo "==> reusing the RabbitMQ already listening on 127.0.0.1:${RABBITMQ_AMQP_PORT}"
    if ! has_consistent_hash_exchange && command -v rabbitmq-plugins >/dev/null; then
      # shellcheck disable=SC2086
      as_root rabbitmq-plugins enable $RABBITMQ_PLUGINS >/dev/null
    fi
    has_consistent_hash_exchange || {
      echo "error: the running RabbitMQ lacks the x-consistent-hash exchange type; enable rabbitmq_consistent_hash_exchange" >&2
      return 1
    }
    return 0
  fi
  command -v rabbitmq-server >/dev/null || install_rabbitmq
  command -v curl >/dev/null || as_root apt-get install -y -qq curl >/dev/null

  if ! port_open "$RABBITMQ_AMQP_PORT"; then
    echo "==> starting rabbitmq-server"
    # Loopback only: nothing here is meant to be reachable from another machine.
    as_root mkdir -p /etc/rabbitmq
    if [ ! -f /etc/rabbitmq/rabbitmq.conf ]; then
      printf 'listeners.tcp.default = 127.0.0.1:%s\nmanagement.tcp.ip = 127.0.0.1\nmanagement.tcp.port = %s\n' \
        "$RABBITMQ_AMQP_PORT" "$RABBITMQ_MANAGEMENT_PORT" | as_root tee /etc/rabbitmq/rabbitmq.conf >/dev/null
    fi
    # shellcheck disable=SC2086
    as_root rabbitmq-plugins enable --offline $RABBITMQ_PLUGINS >/dev/null
    # From / rather than the clone: the detached broker keeps the caller's working directory (see cluster.sh).
    (cd / && as_root rabbitmq-server -detached)
    RABBITMQ_STARTED_BY_US=1
  else
    # shellcheck disable=SC2086
    as_root rabbitmq-plugins enable $RABBITMQ_PLUGINS >/dev/null
  fi

  for _ in $(seq 1 120); do
    if port_open "$RABBITMQ_AMQP_PORT" && management_ready && has_consistent_hash_exchange; then
      echo "==> RabbitMQ is up (amqp 127.0.0.1:${RABBITMQ_AMQP_PORT}, management http://127.0.0.1:${RABBITMQ_MANAGEMENT_PORT})"
      return 0
    fi
    sleep 1
  done
  echo "error: RabbitMQ did not start within 120 s; see /var/log/rabbitmq/" >&2
  return 1
}

stop_rabbitmq_if_ours() {
  if [ "$RABBITMQ_STARTED_BY_US" = 1 ]; then
    echo "==> stopping the RabbitMQ this script started"
    as_root rabbitmqctl stop >/dev/null 2>&1 || true
  fi
}
