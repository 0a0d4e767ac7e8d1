#!/usr/bin/env bash
# Who holds a local TCP port, read from the kernel's socket tables (/proc/net/tcp and tcp6) and the processes'
# descriptors, so that no tool has to be installed first. Sourced by build/run.sh and postgres.sh; needs port_open
# from rabbitmq.sh.

# The disposable PostgreSQL cluster the fault suite restarts under a running Processor (postgres.sh's
# faults_postgres_start); the shared server on POSTGRES_PORT is never restarted.
FAULTS_POSTGRES_PORT="${FAULTS_POSTGRES_PORT:-5439}"

# Prints the command line and pid of the process listening on TCP port $1 ("another process" when its owner
# cannot be seen, e.g. another user's process when not run as root); fails when nothing listens there.
port_holder() {
  local port=$1 inodes inode fd pid command
  inodes="$(awk -v port="$(printf ':%04X' "$port")" \
    'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == port { print $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null || true)"
  if [ -z "$inodes" ]; then
    port_open "$port" || return 1   # without /proc: whatever answers on loopback holds it
    echo "another process"
    return 0
  fi
  for inode in $inodes; do
    fd="$(find /proc/[0-9]*/fd -maxdepth 1 -lname "socket:\[$inode\]" -print -quit 2>/dev/null || true)"
    if [ -n "$fd" ]; then
      pid="${fd#/proc/}"
      pid="${pid%%/*}"
      command="$(tr '\0\n\t' '   ' <"/proc/$pid/cmdline" 2>/dev/null | tr -s ' ' | cut -c1-100 || true)"
      echo "${command% } (pid $pid)"
      return 0
    fi
  done
  echo "another process"
}

# Fails, naming the holder, when TCP port $1 (what it is for: $2; the variable that moves it: $3) is taken.
require_free_port() {
  local port=$1 purpose=$2 variable=$3 holder
  if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
    echo "error: ${variable}=${port} is not a TCP port (1-65535)" >&2
    return 1
  fi
  if holder="$(port_holder "$port")"; then
    echo "error: port ${port} is already in use by ${holder}; the ${purpose} needs it. Stop that process, or choose another port with ${variable}=…" >&2
    return 1
  fi
}

# The local 3-node RabbitMQ cluster of cluster.sh, beside the shared broker (5672/15672/25672): node N (1-3)
# takes AMQP ${TWITTERBOT_CLUSTER_AMQP_BASE}+N-1, management ${TWITTERBOT_CLUSTER_MANAGEMENT_BASE}+N-1 and Erlang
# distribution ${TWITTERBOT_CLUSTER_DIST_BASE}+N-1 (5681-5683, 15681-15683, 25681-25683 unless moved).
TWITTERBOT_CLUSTER_AMQP_BASE="${TWITTERBOT_CLUSTER_AMQP_BASE:-5681}"
TWITTERBOT_CLUSTER_MANAGEMENT_BASE="${TWITTERBOT_CLUSTER_MANAGEMENT_BASE:-15681}"
TWITTERBOT_CLUSTER_DIST_BASE="${TWITTERBOT_CLUSTER_DIST_BASE:-25681}"
cluster_amqp_port() { echo $((TWITTERBOT_CLUSTER_AMQP_BASE + $1 - 1)); }
cluster_management_port() { echo $((TWITTERBOT_CLUSTER_MANAGEMENT_BASE + $1 - 1)); }
cluster_dist_port() { echo $((TWITTERBOT_CLUSTER_DIST_BASE + $1 - 1)); }
