#!/usr/bin/env bash
# The README's run command. Starts RabbitMQ and PostgreSQL (reusing running servers), the Ingress on port
# 5756 and the Processor (health on 5757) with the Development configuration. Ctrl-C stops everything it started.
# Any setting can be overridden with environment variables, e.g. TwitterBot__Auth__ConsumerSecret=...
set -euo pipefail
cd "$(dirname "$0")/.."
source build/lib/servers.sh

pids=()
stop() {
  trap - EXIT INT TERM
  echo
  echo "==> stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  stop_servers_if_ours
}
trap stop EXIT INT TERM

ensure_servers
echo "==> building"
for project in Ingress/Ingress.csproj Processor/Processor.csproj; do dotnet build "$project" --configuration Debug --nologo -v quiet; done

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
start() { (cd "$1/bin/Debug/net10.0" && exec dotnet "TwitterBot.$1.dll") & pids+=("$!"); }
start Ingress
start Processor

cat <<TXT

==> running (Ctrl-C stops everything this script started)
    webhook        http://127.0.0.1:5756/webhooks   (CRC: GET /webhooks?crc_token=...)
    Ingress health http://127.0.0.1:5756/health/ready
    Processor      http://127.0.0.1:5757/health/ready
    RabbitMQ UI    http://127.0.0.1:15672  (guest / guest)
TXT
wait -n "${pids[@]}"
