# One multi-stage image definition for both services:
#   docker build -f build/Service.Dockerfile --build-arg SERVICE=Ingress .
# The runtime stage runs as the image's non-root "app" user.
ARG DOTNET_VERSION=10.0

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
# caps the managed heap alone. DOTNET_gcServer=1 restores Server GC for a replica given many cores of its own.
# The services listen on 127.0.0.1 unless `Urls` says otherwise; compose.yaml opens them to every interface.
USER app
ENTRYPOINT ["sh", "-c", "exec dotnet \"$SERVICE_DLL\""]
