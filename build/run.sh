#!/usr/bin/env bash
# The README's run command: the sandbox. Starts RabbitMQ and PostgreSQL (reusing running servers, otherwise
# installing Debian's packages), the Ingress on 5756 and the Processor (health on 5757) with the Development
# configuration, and the sandbox: an X simulator (5760) and a demo chatbot gateway (5761). The Processor
# registers its webhook and subscribes the bot with the simulator through its own start-up reconciliation;
# then you chat as a simulated X user in this terminal. Service logs go to .sandbox/*.log.
# Ctrl-C (or Ctrl-D at the prompt) stops everything it started.
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
for project in Ingress/Ingress.csproj Processor/Processor.csproj Tests/Sandbox/Sandbox.csproj; do
  dotnet build "$project" --configuration Debug --nologo -v quiet
done

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
mkdir -p .sandbox
start() { (cd "$1/bin/Debug/net10.0" && exec dotnet "TwitterBot.$2.dll") >".sandbox/$2.log" 2>&1 & pids+=("$!"); }
start Ingress Ingress
start Processor Processor

cat <<TXT

==> running (Ctrl-C stops everything this script started)
    webhook        http://127.0.0.1:5756/webhooks        log .sandbox/Ingress.log
    Ingress health http://127.0.0.1:5756/health/ready
    Processor      http://127.0.0.1:5757/health/ready    log .sandbox/Processor.log
    RabbitMQ UI    http://127.0.0.1:15672  (guest / guest)
    traces         set OTEL_EXPORTER_OTLP_ENDPOINT before this command (e.g. http://127.0.0.1:4317 for a
                   local Jaeger: docker compose up -d jaeger, then http://127.0.0.1:16686)
    X account      ASPNETCORE_ENVIRONMENT=Development dotnet Processor/bin/Debug/net10.0/TwitterBot.Processor.dll doctor

TXT
(cd Tests/Sandbox/bin/Debug/net10.0 && dotnet TwitterBot.Sandbox.dll)
