#!/usr/bin/env bash
# The long fuzz run of issue 3: seeded mutations of valid ThriftTest calls (tests/fuzz/fuzz_thrifttest.py) against a
# Tunicorn server of each worker class, on auto protocol and transport, until each has taken INPUTS inputs or
# MAX_SECONDS passed. Ends 0 only when no worker died or was replaced, no connection hung, every well-behaved check
# call was answered right, and nothing was logged at error level.
#
#   tests/fuzz/run-fuzz.sh                        # 100000 inputs per worker class, seed 1
#   INPUTS=20000 SEED=42 tests/fuzz/run-fuzz.sh sync async
#   fuzz_thrifttest.py --replay N --dump --seed S # one input again, as hex
#
# Uses the build under ARTIFACTS_PATH (default: artifacts/), building it when the CLI is missing, and Debian's
# /usr/bin/python3 with python3-thrift and thrift (scripts/install-deps.sh installs them).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ARTIFACTS="${ARTIFACTS_PATH:-$ROOT/artifacts}"
INPUTS="${INPUTS:-100000}"
SEED="${SEED:-1}"
MAX_SECONDS="${MAX_SECONDS:-1200}"
CLASSES=("$@")
[ ${#CLASSES[@]} -eq 0 ] && CLASSES=(sync threaded async)

CLI="$ARTIFACTS/bin/Tunicorn.Cli/release/tunicorn"
APP="$ARTIFACTS/bin/ThriftTest/release/ThriftTest.dll:Tunicorn.Examples.ThriftTest.ThriftTestHandler"
if [ ! -x "$CLI" ] || [ ! -f "${APP%%:*}" ]; then
  dotnet build "$ROOT/src/Tunicorn.Cli/Tunicorn.Cli.csproj" -c Release -p:ArtifactsPath="$ARTIFACTS" >/dev/null
  dotnet build "$ROOT/examples/ThriftTest/ThriftTest.csproj" -c Release -p:ArtifactsPath="$ARTIFACTS" >/dev/null
fi

WORK="$(mktemp -d /tmp/tunicorn-fuzz.XXXXXX)"
MASTER=""
cleanup() {
  if [ -n "$MASTER" ] && kill -0 "$MASTER" 2>/dev/null; then
    kill -TERM "$MASTER" 2>/dev/null || true
    wait "$MASTER" 2>/dev/null || true
  fi
}
trap cleanup EXIT
thrift --gen py -out "$WORK" "$ROOT/examples/ThriftTest/idl/ThriftTest.thrift" >/dev/null 2>&1

free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# "PID=RSS kB" of each worker of the running master: what a run of hostile inputs left behind in memory.
worker_rss() {
  local pid out=""
  for pid in $(pgrep -P "$MASTER"); do
    out+="$pid=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) kB "
  done
  echo "$out"
}

status=0
first=0
for class in "${CLASSES[@]}"; do
  port="$(free_port)"
  log="$WORK/server-$class.log"
  "$CLI" "$APP" -b "127.0.0.1:$port" -w 2 -k "$class" --threads 4 --worker-connections 4 \
    --thrift-protocol-factory auto --thrift-transport-factory auto --thrift-client-timeout 5 2>"$log" &
  MASTER=$!
  for _ in $(seq 100); do
    [ "$(grep -c 'Worker booted' "$log" || true)" -ge 2 ] && break
    sleep 0.2
  done
  echo "fuzzing $class workers on 127.0.0.1:$port (master $MASTER): inputs $first..$((first + INPUTS - 1)), seed $SEED"
  echo "$class: workers' RSS before: $(worker_rss)"
  if ! PYTHONPATH="$WORK" /usr/bin/python3 "$ROOT/tests/fuzz/fuzz_thrifttest.py" --port "$port" --master-pid "$MASTER" \
      --seed "$SEED" --first "$first" --inputs "$INPUTS" --max-seconds "$MAX_SECONDS" --parallel 4 --check-every 2000; then
    status=1
  fi
  echo "$class: workers' RSS after:  $(worker_rss)"
  # A worker gives memory back once it is idle (a compacting collection after an outsized message): look again later.
  sleep "${IDLE_SECONDS:-5}"
  echo "$class: workers' RSS ${IDLE_SECONDS:-5} s later: $(worker_rss)"
  # Checked before the server is stopped: until then no worker may have exited or been started again.
  if grep -a -q -E '\[(ERROR|CRITICAL)\]|Worker exiting' "$log" || [ "$(grep -a -c 'Booting worker' "$log")" -ne 2 ]; then
    echo "$class: errors or worker restarts in the server log ($log):"
    grep -a -E '\[(ERROR|CRITICAL)\]|Worker exiting|Booting worker' "$log" | tail -20
    status=1
  fi
  cleanup
  MASTER=""
  first=$((first + INPUTS))
done

if [ "$status" -eq 0 ]; then
  rm -rf "$WORK"
  echo "fuzz: ${#CLASSES[@]} worker classes, $INPUTS inputs each, seed $SEED: no worker died"
else
  echo "fuzz: FAILED (server logs kept in $WORK)"
fi
exit "$status"
