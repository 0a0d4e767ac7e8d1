#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with the project's role and database: reuses a
# running server, otherwise installs Debian's postgresql when missing and starts its cluster.
# Sourced by build/test.sh and build/run.sh; needs as_root and port_open from rabbitmq.sh.

POSTGRES_PORT="${POSTGRES_PORT:-5432}"
POSTGRES_ROLE="${POSTGRES_ROLE:-twitterbot}"
POSTGRES_PASSWORD="${POSTGRES_PASSWORD:-twitterbot}"
POSTGRES_STARTED_BY_US=""

as_postgres() { as_root su postgres -s /bin/sh -c "$1"; }

ensure_postgres() {
  if ! port_open "$POSTGRES_PORT"; then
    if ! command -v pg_ctlcluster >/dev/null; then
      echo "==> installing Debian's postgresql"
      as_root apt-get update -qq
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    fi
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

  # A server of this machine's own: make sure the role (which may create the per-spec databases the tests
  # use) and its database exist. Idempotent.
  if id postgres >/dev/null 2>&1 && command -v psql >/dev/null; then
    as_postgres "psql -q -v ON_ERROR_STOP=1 -p ${POSTGRES_PORT}" <<SQL >/dev/null
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${POSTGRES_ROLE}') THEN
    CREATE ROLE ${POSTGRES_ROLE} LOGIN CREATEDB PASSWORD '${POSTGRES_PASSWORD}';
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
