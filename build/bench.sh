#!/usr/bin/env bash
# Runs the benchmarks (BENCHMARKS.md): starts RabbitMQ and PostgreSQL like the other commands, publishes
# Release builds of both services and of the benchmark tool, and runs it. About 5 minutes with the default
# profile; pass --smoke for a seconds-long check that the tool works, or --hold 30 --rates 1000,2500 etc.
set -euo pipefail
cd "$(dirname "$0")/.."
source build/lib/servers.sh

ensure_servers

echo "==> publishing Release builds"
for project in Ingress/Ingress.csproj Processor/Processor.csproj Tests/Benchmarks/Benchmarks.csproj; do
  name="$(basename "$(dirname "$project")")"
  dotnet publish "$project" --configuration Release --nologo -v quiet --output "artifacts/bench/${name}" >/dev/null
done

echo "==> running the benchmarks"
dotnet artifacts/bench/Benchmarks/TwitterBot.Benchmarks.dll "$@" \
  --ingress artifacts/bench/Ingress --processor artifacts/bench/Processor --output BENCHMARKS.md
