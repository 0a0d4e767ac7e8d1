# One multi-stage image definition for both services:
#   docker build -f build/Service.Dockerfile --build-arg SERVICE=Ingress .
# The runtime stage runs as the image's non-root "app" user.
ARG DOTNET_VERSION=10.0
ARG SERVICE

FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
ARG SERVICE
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY Contracts/ Contracts/
COPY ${SERVICE}/ ${SERVICE}/
# For the image's architecture (buildx sets TARGETARCH; amd64 when unset), so that ReadyToRun applies (the
# services' .csproj; start-up in BENCHMARKS.md).
ARG TARGETARCH
RUN case "${TARGETARCH:-amd64}" in arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac \
 && dotnet publish ${SERVICE}/${SERVICE}.csproj --configuration Release --runtime "$rid" --self-contained false --output /app

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION} AS runtime
ARG SERVICE
# curl serves the compose health checks.
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
ENV SERVICE_DLL=TwitterBot.${SERVICE}.dll
# Memory and speed: both services' runtimeconfig (set in their csproj) selects Workstation GC with background
# collections, which lowered their peak RSS by 15-25% on 2 cores; the Ingress also runs without dynamic PGO,
# the Processor with it (without, it drained a backlog about a quarter slower) (BENCHMARKS.md, "Footprint").
# A container memory limit is honoured on top (the GC keeps under the cgroup limit); DOTNET_GCHeapHardLimit
# caps the managed heap alone. DOTNET_gcServer=1 restores Server GC for a replica given many cores of its own (unset
# DOTNET_GCgen0size with it, below).
# The services listen on 127.0.0.1 unless `Urls` says otherwise; compose.yaml opens them to every interface.
USER app
ENTRYPOINT ["sh", "-c", "exec dotnet \"$SERVICE_DLL\""]

# Each service's own runtime settings. DOTNET_GCgen0size caps the first generation's budget, which the runtime sizes
# from the CPU's cache (tens of MiB on a server part): that budget, not live data, was most of each service's
# committed heap (the Ingress at 2,500 webhooks/s: 16-25 MiB live, 66-82 MiB committed). Capped, peak RSS fell by
# ~30 MiB (Ingress, 16 MiB: a smaller cap cost it more CPU per webhook in collections) and ~45 MiB (Processor, 4 MiB:
# no slower drain) (BENCHMARKS.md, "Footprint"). The runtime reads it from the environment only, not runtimeconfig.
FROM runtime AS Ingress
ENV DOTNET_GCgen0size=0x1000000

FROM runtime AS Processor
ENV DOTNET_GCgen0size=0x400000

FROM ${SERVICE}
