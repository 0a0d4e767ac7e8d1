#!/usr/bin/env bash
# The README's test command. Makes sure RabbitMQ and PostgreSQL answer on loopback (reusing running servers,
# otherwise installing and starting Debian's rabbitmq-server and postgresql), then runs the whole test suite
# and prints its summary. The servers are left running so that the next run starts faster.
set -euo pipefail
cd "$(dirname "$0")/.."
source build/lib/servers.sh

ensure_servers

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
echo "==> dotnet test TwitterBot.sln"
status=0
dotnet test TwitterBot.sln --configuration Release \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=tests.trx" --results-directory "$results" || status=$?

# One plain closing line, whatever the runner printed above it.
counters="$(grep -o '<Counters [^>]*>' "$results"/*.trx 2>/dev/null | head -n 1 || true)"
count() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
if [ -n "$counters" ]; then
  # Name every failed test with the first lines of its message, so a red CI log ends with what broke.
  awk '
    /<UnitTestResult / && /outcome="Failed"/ { failed = 1; match($0, /testName="[^"]*"/); print "FAILED " substr($0, RSTART + 10, RLENGTH - 11); lines = 0 }
    failed && /<Message>/ { inside = 1; sub(/.*<Message>/, "") }
    failed && inside { done = sub(/<\/Message>.*/, ""); if (lines++ < 12) print "    " $0; if (done) { inside = 0; failed = 0 } }
  ' "$results"/*.trx || true
  # The ten slowest specs, so that a suite growing towards its 15 minutes says where the time went.
  echo "slowest:"
  grep -o '<UnitTestResult [^>]*>' "$results"/*.trx \
    | sed -n 's/.*testName="\([^"]*\)".*duration="\([0-9:.]*\)".*/\2 \1/p' | sort -r | head -n 10 | sed 's/^/    /' || true
  echo "tests: $(count passed) passed, $(count failed) failed, $(( $(count total) - $(count executed) )) skipped"
else
  echo "tests: no results were written (the build or the test host failed)"
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
