#!/usr/bin/env bash
# Where a call's CPU goes: perf samples (cpu-clock, call chains) of a server's processes under LoadGen, sorted into
# kernel (send, recv, epoll_wait, scheduler), protocol decode/encode, processor, handler, Tunicorn, runtime; printed
# per call in microseconds of server CPU. Needs `perf` and a built bench (bench/run.sh, same ARTIFACTS_PATH).
#   bench/profile/profile.sh tunicorn [CLASS]   Tunicorn CLASS (default async), 2 workers, the Calculator
#   bench/profile/profile.sh floor              bench/peers/floor, 2 processes
# CONNECTIONS (default 64), SECONDS_SAMPLED (default 6) of sampling inside the measured window; SIZE=65536 profiles
# echo of SIZE bytes on the bench service instead of add(1,2) (Tunicorn only).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
artifacts="${ARTIFACTS_PATH:-$root/artifacts}"
what="${1:?tunicorn or floor}"; class="${2:-async}"
connections="${CONNECTIONS:-64}"; seconds="${SECONDS_SAMPLED:-6}"; size="${SIZE:-0}"
app="$artifacts/bin/Calculator/release/Calculator.dll"; call=(--call add)
if (( size > 0 )); then app="$artifacts/bin/BenchService/release/BenchService.dll"; call=(--call echo --size "$size"); fi
work="$(mktemp -d /tmp/tunicorn-profile-XXXXXX)"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if [[ "$what" == floor ]]; then
    "$artifacts/bench-floor/floor" "$port" 2 & server=$!
    sleep 0.5
else
    # Perf maps name JIT code; with W^X on, JIT code lives in a memfd mapping perf cannot match to them.
    DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "$artifacts/publish/Tunicorn.Cli/release_linux-x64/tunicorn" \
        "$app" -b "127.0.0.1:$port" -w 2 -k "$class" \
        --thrift-transport-factory framed >"$work/server.log" 2>&1 & server=$!
    for _ in $(seq 300); do (( $(grep -c "Worker booted" "$work/server.log") >= 2 )) && break; sleep 0.1; done
fi
pids="$(pgrep -P "$server" | paste -sd,)"; [[ "$what" == floor ]] && pids="$server,$pids"
# Warm-up 3 s (JIT, tiering), then the measured window; perf samples 1 s into it.
"$artifacts/bin/LoadGen/release/LoadGen" --port "$port" "${call[@]}" --connections "$connections" --warmup 3 \
    --duration $((seconds + 2)) --transport framed >"$work/loadgen.txt" 2>&1 & loadgen=$!
sleep 4
perf record -q -e cpu-clock -F 1999 -g -p "${pids%,}" -o "$work/perf.data" -- sleep "$seconds" 2>/dev/null
wait "$loadgen"
kill "$server"; wait "$server" 2>/dev/null || true
rate=$(sed -n 's/.*calls *[0-9]* (\([0-9.]*\)\/s).*/\1/p' "$work/loadgen.txt")
echo "$what${2:+ $class}, ${call[*]}, $connections connections: $rate calls/s over the LoadGen window (perf data in $work)"
perf script -i "$work/perf.data" -F comm,tid,ip,sym,dso 2>/dev/null | python3 "$root/bench/profile/classify.py" "$(python3 -c "print($rate * $seconds)")" 1999
