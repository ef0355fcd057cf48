#!/usr/bin/env bash
# The master's memory under steady load with no operation at all (issue 11.11): serves the tutorial Calculator with
# 2 workers, keeps LoadGen calling add(1,2) over 4 connections for SECONDS, and samples the master's and the workers'
# RSS (VmRSS) and the master's private memory (Private_Dirty + Private_Clean of smaps_rollup) every INTERVAL seconds.
# A master that allocates per heartbeat or per report grows line by line; a flat one settles after its first
# collections.
#
#   bench/master-soak.sh [SECONDS] [INTERVAL]      # default 900 s, sampled every 30 s
#
# Uses the build under ARTIFACTS_PATH (default artifacts/): the published CLI when present (as production runs it),
# else the built one. Listens on 127.0.0.1 only; stops what it started by pid.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-900}"
interval="${2:-30}"
artifacts="${ARTIFACTS_PATH:-artifacts}"
cli="$artifacts/publish/Tunicorn.Cli/release_linux-x64/tunicorn"
[[ -x "$cli" ]] || cli="$artifacts/bin/Tunicorn.Cli/release/tunicorn"
app="$artifacts/bin/Calculator/release/Calculator.dll"
loadgen="$artifacts/bin/LoadGen/release/LoadGen"
for file in "$cli" "$app" "$loadgen"; do
    [[ -e "$file" ]] || { echo "master-soak: $file is missing: dotnet build Tunicorn.slnx -c Release" >&2; exit 1; }
done

work="$(mktemp -d /tmp/tunicorn-soak.XXXXXX)"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$cli" "$app" -b "127.0.0.1:$port" -w 2 2>"$work/server.log" &
master=$!
load=""
cleanup() {
    [[ -n "$load" ]] && kill -TERM "$load" 2>/dev/null || true
    kill -TERM "$master" 2>/dev/null || true
    wait "$master" 2>/dev/null || true
}
trap cleanup EXIT

deadline=$((SECONDS + 60))
until [[ "$(grep -c 'Worker booted' "$work/server.log" || true)" -ge 2 ]]; do
    ((SECONDS < deadline)) || { echo "master-soak: the workers did not boot; see $work/server.log" >&2; exit 1; }
    sleep 0.2
done

"$loadgen" --port "$port" --connections 4 --duration "$seconds" --warmup 0 >"$work/load.json" 2>"$work/load.err" &
load=$!

kb() { awk -v key="$1" '$1 == key ":" { print $2 }' "$2" 2>/dev/null || echo "-"; }
echo "# master $master, workers $(pgrep -P "$master" | tr '\n' ' '), $seconds s of load, log in $work"
echo "| t (s) | master RSS (kB) | master private (kB) | workers RSS (kB) |"
echo "| ---: | ---: | ---: | --- |"
start=$SECONDS
while kill -0 "$load" 2>/dev/null; do
    private=$(awk '/^Private_(Clean|Dirty):/ { sum += $2 } END { print sum }' "/proc/$master/smaps_rollup")
    workers=""
    for worker in $(pgrep -P "$master"); do workers+="$(kb VmRSS "/proc/$worker/status") "; done
    echo "| $((SECONDS - start)) | $(kb VmRSS "/proc/$master/status") | $private | $workers|"
    sleep "$interval" & wait $! || true
done
wait "$load" || true
echo "# LoadGen: $(tr -d '\n' <"$work/load.json" | head -c 300)"
