#!/usr/bin/env bash
# Runs the benchmarks (BENCHMARKS.md): starts RabbitMQ and PostgreSQL like the other commands, publishes
# Release builds of both services and of the benchmark tool, and runs it. About 5 minutes with the default
# profile; pass --smoke for a seconds-long check that the tool works, or --hold 30 --rates 1000,2500 etc.
# `build/bench.sh startup [--starts 10]` measures start-up to ready of both services instead (printed, not written).
set -euo pipefail
cd "$(dirname "$0")/.."
source build/lib/servers.sh

ensure_servers

echo "==> publishing Release builds"
# The services as build/Service.Dockerfile publishes them: for linux-x64, so ReadyToRun (their .csproj) applies.
for service in Ingress Processor; do
  dotnet publish "${service}/${service}.csproj" --configuration Release --runtime linux-x64 --self-contained false \
    --nologo -v quiet --output "artifacts/bench/${service}" >/dev/null
done
dotnet publish Tests/Benchmarks/Benchmarks.csproj --configuration Release --nologo -v quiet --output artifacts/bench/Benchmarks >/dev/null

echo "==> running the benchmarks"
dotnet artifacts/bench/Benchmarks/TwitterBot.Benchmarks.dll "$@" \
  --ingress artifacts/bench/Ingress --processor artifacts/bench/Processor --output BENCHMARKS.md
