#!/usr/bin/env bash
# The README's run command: the sandbox. Starts RabbitMQ and PostgreSQL (reusing running servers, otherwise
# installing Debian's packages), the Ingress on 5756 and the Processor (health on 5757) with the Development
# configuration, and the sandbox: an X simulator (5760) and a demo chatbot gateway (5761), all on 127.0.0.1.
# The Processor registers its webhook and subscribes the bot with the simulator through its own start-up
# reconciliation; then you chat as a simulated X user in this terminal. Service logs go to .sandbox/*.log.
# Ctrl-C (or Ctrl-D at the prompt) stops everything it started.
#
# By default the bot talks XChat, as most X users' DMs now travel: TwitterBot:Api:Version 2 with
# TwitterBot:Api:Subscriptions ActivityApi (the X Activity API) and XChat on. The simulated user is an XChat
# user (own keys, a conversation key), its messages reach the bot encrypted (chat.received) and the bot's
# replies go out sealed and signed; the bot's XChat keys and the at-rest key are generated for this run only.
# --xaa is the same X Activity API account with legacy DMs only (dm.received, no XChat).
# --legacy is the Account Activity API over X API v1.1 with legacy DMs: an account opened before 2026.
# --xchat is accepted and changes nothing (the default). SANDBOX_MODE (xchat, xaa or legacy) picks the mode
# when no flag is given.
#
# Environment: SANDBOX_INGRESS_PORT, SANDBOX_PROCESSOR_PORT, SANDBOX_X_PORT, SANDBOX_GATEWAY_PORT move the
# ports; SANDBOX_LOG_DIR the logs; SANDBOX_CONFIGURATION (Debug) picks the build, SANDBOX_BUILD=0 reuses it
# as it is; SANDBOX_STOP_TIMEOUT (10 s) is how long the services get to stop before they are killed.
set -euo pipefail
cd "$(dirname "$0")/.."
usage() { echo "usage: build/run.sh [--xchat (default) | --xaa | --legacy]"; }
mode="${SANDBOX_MODE:-xchat}"
case "${1:-}" in
  "") ;;
  --xchat) mode=xchat ;;
  --xaa) mode=xaa ;;
  --legacy) mode=legacy ;;
  -h | --help) usage; exit 0 ;;
  *) usage >&2; exit 2 ;;
esac
case "$mode" in
  legacy) ;;
  xaa) export TwitterBot__Api__Version=2 TwitterBot__Api__Subscriptions=ActivityApi ;;
  xchat)
    export TwitterBot__Api__Version=2 TwitterBot__Api__Subscriptions=ActivityApi TwitterBot__XChat__Enabled=true
    export TwitterBot__XChat__ConversationKeysSecret="$(head -c 32 /dev/urandom | base64 -w0)"
    export TwitterBot__XChat__Bots__0__UserId="${TwitterBot__Bots__0__UserId:-4337869213}"
    export TwitterBot__XChat__Bots__0__PrivateKeysSecret="$(head -c 64 /dev/urandom | base64 -w0)"
    export TwitterBot__XChat__Bots__0__KeyVersion=1 ;;
  *) echo "error: SANDBOX_MODE is '${mode}'; it is xchat, xaa or legacy" >&2; usage >&2; exit 2 ;;
esac
source build/lib/servers.sh
source build/lib/ports.sh

ingress_port="${SANDBOX_INGRESS_PORT:-5756}"
processor_port="${SANDBOX_PROCESSOR_PORT:-5757}"
x_port="${SANDBOX_X_PORT:-5760}"
gateway_port="${SANDBOX_GATEWAY_PORT:-5761}"
configuration="${SANDBOX_CONFIGURATION:-Debug}"
logs="${SANDBOX_LOG_DIR:-.sandbox}"
stop_timeout="${SANDBOX_STOP_TIMEOUT:-10}"

# Before anything is built or started: a port another process holds fails the run now, naming that process.
taken=0
require_free_port "$ingress_port" Ingress SANDBOX_INGRESS_PORT || taken=1
require_free_port "$processor_port" Processor SANDBOX_PROCESSOR_PORT || taken=1
require_free_port "$x_port" "X simulator" SANDBOX_X_PORT || taken=1
require_free_port "$gateway_port" "demo gateway" SANDBOX_GATEWAY_PORT || taken=1
[ "$taken" = 0 ] || exit 1

# What this script started: each service in a session (and process group) of its own, out of reach of the
# terminal's Ctrl-C, so that stop() ends them in order and takes whatever they started with them.
names=()
pids=()
stop() {
  trap - EXIT INT TERM
  if [ "${#pids[@]}" -gt 0 ]; then
    echo
    echo "==> stopping ${names[*]}"
    local i deadline
    for i in "${!pids[@]}"; do signal TERM "${pids[$i]}"; done
    deadline=$((SECONDS + stop_timeout))
    while [ "$SECONDS" -lt "$deadline" ] && any_alive; do sleep 0.2; done
    for i in "${!pids[@]}"; do
      if alive "${pids[$i]}"; then
        echo "==> killing the ${names[$i]} (still running ${stop_timeout} s after SIGTERM)"
        signal KILL "${pids[$i]}"
      fi
    done
    wait 2>/dev/null || true
  fi
  stop_servers_if_ours
}
# A service leads its own process group (pgid = pid); the sandbox does not, so only its pid is signalled.
signal() { kill "-$1" -- "-$2" 2>/dev/null || kill "-$1" "$2" 2>/dev/null || true; }
alive() { kill -0 -- "-$1" 2>/dev/null || kill -0 "$1" 2>/dev/null; }
any_alive() {
  local pid
  for pid in "${pids[@]}"; do alive "$pid" && return 0; done
  return 1
}
trap stop EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

ensure_servers
if [ "${SANDBOX_BUILD:-1}" = 0 ]; then
  echo "==> using the existing ${configuration} builds"
else
  echo "==> building (${configuration})"
  for project in Ingress/Ingress.csproj Processor/Processor.csproj Tests/Sandbox/Sandbox.csproj; do
    dotnet build "$project" --configuration "$configuration" --nologo -v quiet
  done
fi

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
# The Development configuration's addresses, moved with the ports (explicit settings still win).
export TwitterBot__Api__WebhookUrl="${TwitterBot__Api__WebhookUrl:-http://127.0.0.1:${ingress_port}/webhooks}"
export TwitterBot__Api__TwitterUrl="${TwitterBot__Api__TwitterUrl:-http://127.0.0.1:${x_port}/1.1/}"
export TwitterBot__Api__UploadUrl="${TwitterBot__Api__UploadUrl:-http://127.0.0.1:${x_port}/1.1/}"
export Gateway__Url="${Gateway__Url:-http://127.0.0.1:${gateway_port}/}"
export SANDBOX_X_URL="http://127.0.0.1:${x_port}" SANDBOX_GATEWAY_URL="http://127.0.0.1:${gateway_port}"
mkdir -p "$logs"

setsid="$(command -v setsid || true)"
start() {
  local name=$1 url=$2
  ( cd "$name/bin/$configuration/net10.0" && export Urls="$url" && exec $setsid dotnet "TwitterBot.$name.dll" ) >"$logs/$name.log" 2>&1 &
  names+=("$name")
  pids+=("$!")
}
start Ingress "http://127.0.0.1:${ingress_port}"
start Processor "http://127.0.0.1:${processor_port}"

cat <<TXT

==> running (Ctrl-C stops everything this script started)
    webhook        http://127.0.0.1:${ingress_port}/webhooks        log ${logs}/Ingress.log
    Ingress health http://127.0.0.1:${ingress_port}/health/ready
    Processor      http://127.0.0.1:${processor_port}/health/ready    log ${logs}/Processor.log
    RabbitMQ UI    http://127.0.0.1:${RABBITMQ_MANAGEMENT_PORT}  (guest / guest)
    traces         set OTEL_EXPORTER_OTLP_ENDPOINT before this command (e.g. http://127.0.0.1:4317 for a
                   local Jaeger: docker compose up -d jaeger, then http://127.0.0.1:16686)
    X account      ASPNETCORE_ENVIRONMENT=Development dotnet Processor/bin/${configuration}/net10.0/TwitterBot.Processor.dll doctor

TXT

# The chat reads this terminal; run in the background so that a signal ends the wait below at once.
( cd "Tests/Sandbox/bin/$configuration/net10.0" && exec dotnet TwitterBot.Sandbox.dll ) <&0 &
sandbox=$!
names+=(sandbox)
pids+=("$sandbox")

# Until the chat ends; a service that exits before it is named, with the end of its log, and ends the run.
while :; do
  ended=""
  status=0
  wait -n -p ended "${pids[@]}" || status=$?
  if [ -z "$ended" ] || [ "$ended" = "$sandbox" ]; then
    exit "$status"
  fi
  for i in "${!pids[@]}"; do
    if [ "${pids[$i]}" = "$ended" ]; then
      echo "error: the ${names[$i]} exited (status ${status}) while the sandbox was running; the end of ${logs}/${names[$i]}.log:" >&2
      tail -n 25 "$logs/${names[$i]}.log" | sed 's/^/    /' >&2
      exit 1
    fi
  done
done
