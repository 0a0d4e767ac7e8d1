#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with the project's role and database: reuses a
# running server, otherwise installs Debian's postgresql when missing and starts its cluster.
# Sourced by build/test.sh and build/run.sh; needs as_root and port_open from rabbitmq.sh.
# Also starts, restarts and removes the fault suite's disposable cluster (faults_postgres_*, below).

source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

POSTGRES_PORT="${POSTGRES_PORT:-5432}"
POSTGRES_ROLE="${POSTGRES_ROLE:-twitterbot}"
POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-twitterbot}"
POSTGRES_STARTED_BY_US=""

as_postgres() { as_root su postgres -s /bin/sh -c "$1"; }

install_postgres() {
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "==> installing Debian's postgresql"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
}

ensure_postgres() {
  if ! port_open "$POSTGRES_PORT"; then
    install_postgres
    local cluster
    cluster="$(pg_lsclusters --no-header | awk 'NR==1 {print $1" "$2}')"
    echo "==> starting PostgreSQL cluster ${cluster}"
    # shellcheck disable=SC2086
    as_root pg_ctlcluster $cluster start
    POSTGRES_STARTED_BY_US="$cluster"
    for _ in $(seq 1 60); do port_open "$POSTGRES_PORT" && break; sleep 1; done
  else
    echo "==> reusing the PostgreSQL already listening on 127.0.0.1:${POSTGRES_PORT}"
  fi

  # A server of this machine's own: make sure the role (which may create and force-drop the per-spec databases
  # the tests use) and its database exist. Idempotent.
  if id postgres >/dev/null 2>&1 && command -v psql >/dev/null; then
    as_postgres "psql -q -v ON_ERROR_STOP=1 -p ${POSTGRES_PORT}" <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${POSTGRES_ROLE}') THEN
    CREATE ROLE ${POSTGRES_ROLE} LOGIN CREATEDB PASSWORD '${POSTGRES_PASSWORD}';
  END IF;
  -- A spec's database is dropped WITH (FORCE), which must also end an autovacuum worker busy in it. Such a
  -- worker runs as no role, so only pg_signal_backend may end it; without it the drop fails (seen in CI).
  IF NOT pg_has_role('${POSTGRES_ROLE}', 'pg_signal_backend', 'MEMBER') THEN
    GRANT pg_signal_backend TO ${POSTGRES_ROLE};
  END IF;
END \$\$;
SELECT 'CREATE DATABASE ${POSTGRES_ROLE} OWNER ${POSTGRES_ROLE}'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${POSTGRES_ROLE}')\gexec
SQL
  fi
  echo "==> PostgreSQL is up (127.0.0.1:${POSTGRES_PORT}, role/database ${POSTGRES_ROLE})"
}

stop_postgres_if_ours() {
  if [ -n "$POSTGRES_STARTED_BY_US" ]; then
    echo "==> stopping the PostgreSQL cluster this script started"
    # shellcheck disable=SC2086
    as_root pg_ctlcluster $POSTGRES_STARTED_BY_US stop >/dev/null 2>&1 || true
  fi
}

# --- The fault suite's disposable cluster --------------------------------------------------------------------
# A PostgreSQL server of its own, so that a fault spec can stop, crash and restart it under a running Processor
# while every other spec (and every other user of this machine) keeps the shared server on POSTGRES_PORT. It lives
# in a directory of the caller's ($1, created here and owned by the postgres user), listens on 127.0.0.1 only,
# trusts its loopback clients (nothing in it outlives the spec) and holds the role and database POSTGRES_ROLE.
# The spec runs these functions, e.g.
#   bash -c 'source build/lib/rabbitmq.sh && source build/lib/postgres.sh && faults_postgres_start /tmp/x 5439'

faults_postgres_bin() {
  local bin
  bin="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin -type d 2>/dev/null | sort -V | tail -n 1)"
  [ -n "$bin" ] || { echo "error: no PostgreSQL server binaries under /usr/lib/postgresql" >&2; return 1; }
  echo "$bin"
}

faults_postgres_ctl() {
  local dir=$1 bin
  shift
  bin="$(faults_postgres_bin)" || return 1
  as_postgres "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 $*"
}

# Starts a fresh cluster in directory $1 on port $2 (default FAULTS_POSTGRES_PORT) and prints "port=<port>".
faults_postgres_start() {
  local dir=$1 port=${2:-$FAULTS_POSTGRES_PORT} bin
  install_postgres
  require_free_port "$port" "fault suite's PostgreSQL" FAULTS_POSTGRES_PORT || return 1
  bin="$(faults_postgres_bin)" || return 1
  as_root mkdir -p "$dir"
  as_root chown postgres: "$dir"
  as_root chmod 700 "$dir"
  as_postgres "'$bin/initdb' -D '$dir/data' --auth=trust --username='$POSTGRES_ROLE' --encoding=UTF8 --no-sync" >"$dir.initdb.log" 2>&1 || {
    cat "$dir.initdb.log" >&2; return 1; }
  rm -f "$dir.initdb.log"
  # In the cluster's own configuration, so that a plain `pg_ctl start` after a stop brings it back as it was.
  # fsync off: an immediate stop is a crash of the server, not of the machine, so the WAL still replays.
  as_postgres "cat >> '$dir/data/postgresql.conf'" <<CONF
port = ${port}
listen_addresses = '127.0.0.1'
unix_socket_directories = '${dir}'
fsync = off
max_connections = 100
shared_buffers = 16MB
CONF
  faults_postgres_ctl "$dir" start >/dev/null || { cat "$dir/server.log" >&2; return 1; }
  as_postgres "'$bin/createdb' -h 127.0.0.1 -p '$port' -U '$POSTGRES_ROLE' '$POSTGRES_ROLE'" || return 1
  echo "port=${port}"
}

# Stops the cluster in $1: mode $2 fast (sessions ended, a clean shutdown) or immediate (the server's processes
# quit at once, as in a crash; the next start recovers from the WAL).
faults_postgres_stop() { faults_postgres_ctl "$1" "stop -m ${2:-fast}" >/dev/null; }

# Starts the stopped cluster in $1 again, on its port, with its data.
faults_postgres_resume() { faults_postgres_ctl "$1" start >/dev/null; }

# pg_ctl restart of the cluster in $1 in mode $2 (fast or immediate): stop, then start at once.
faults_postgres_restart() { faults_postgres_ctl "$1" "restart -m ${2:-fast}" >/dev/null; }

# Stops the cluster in $1 (if it runs) and deletes it.
faults_postgres_remove() {
  local dir=$1
  [ -d "$dir/data" ] && faults_postgres_ctl "$dir" "stop -m immediate" >/dev/null 2>&1
  as_root rm -rf "$dir"
}
