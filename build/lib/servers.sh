#!/usr/bin/env bash
# The servers every command needs on loopback: RabbitMQ and PostgreSQL (see rabbitmq.sh, postgres.sh).
here="$(dirname "${BASH_SOURCE[0]}")"
source "$here/rabbitmq.sh"
source "$here/postgres.sh"

ensure_servers() {
  ensure_rabbitmq
  ensure_postgres
}

stop_servers_if_ours() {
  stop_postgres_if_ours
  stop_rabbitmq_if_ours
}
