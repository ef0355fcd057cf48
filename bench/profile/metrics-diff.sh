#!/usr/bin/env bash
# Where the metrics' cost lands: perf samples (cpu-clock) of the workers of two servers started side by side, metrics on
# (the default) and --no-metrics, each loaded by LoadGen in turn (ON, OFF, OFF, ON: ROUNDS pairs) after a warm-up;
# prints the leaf symbols whose server CPU a call differs most between the two (on - off, in ns a call), and each side's
# total. Needs `perf` and a built bench (`dotnet build Tunicorn.slnx -c Release`, same ARTIFACTS_PATH).
#   bench/profile/metrics-diff.sh            CONNECTIONS (default 64), SECONDS_SAMPLED (default 5), ROUNDS (default 2)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
artifacts="${ARTIFACTS_PATH:-$root/artifacts}"
tunicorn="${TUNICORN_CLI:-$artifacts/bin/Tunicorn.Cli/release/tunicorn}"
loadgen="$artifacts/bin/LoadGen/release/LoadGen"
app="$artifacts/bin/Calculator/release/Calculator.dll"
connections="${CONNECTIONS:-64}"; seconds="${SECONDS_SAMPLED:-5}"; rounds="${ROUNDS:-2}"
work="$(mktemp -d /tmp/tunicorn-metrics-diff-XXXXXX)"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
declare -A port server
for side in on off; do
    port[$side]="$(free_port)"
    extra=(); [[ "$side" == off ]] && extra=(--no-metrics)
    # Perf maps name JIT code; with W^X on, JIT code lives in a memfd mapping perf cannot match to them.
    DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 "$tunicorn" "$app" -b "127.0.0.1:${port[$side]}" -w 2 -k async \
        --thrift-transport-factory framed --no-control-socket "${extra[@]}" >"$work/$side.log" 2>&1 &
    server[$side]=$!
done
trap 'kill ${server[on]} ${server[off]} 2>/dev/null || true' EXIT
for side in on off; do
    for _ in $(seq 300); do (( $(grep -c "Worker booted" "$work/$side.log") >= 2 )) && break; sleep 0.1; done
    "$loadgen" --port "${port[$side]}" --transport framed --call add --connections "$connections" --warmup 0 --duration 10 >/dev/null
done
uptime
for r in $(seq 1 "$rounds"); do
    order=(on off); (( r % 2 == 0 )) && order=(off on)
    for side in "${order[@]}"; do
        pids="$(pgrep -P "${server[$side]}" | paste -sd,)"
        "$loadgen" --port "${port[$side]}" --transport framed --call add --connections "$connections" --warmup 1 \
            --duration $((seconds + 1)) >"$work/$side-$r.txt" 2>&1 & load=$!
        sleep 1.5
        perf record -q -e cpu-clock -F 1999 -p "$pids" -o "$work/$side-$r.data" -- sleep "$seconds" 2>/dev/null
        wait "$load"
        rate=$(sed -n 's/.*calls *[0-9]* (\([0-9.]*\)\/s).*/\1/p' "$work/$side-$r.txt")
        echo "$side round $r: $rate calls/s"
        perf script -i "$work/$side-$r.data" -F ip,sym,dso 2>/dev/null | sed -E "s/^ *[0-9a-f]+ //; s/perf-[0-9]+\.map/perf.map/; s/^/$side $(python3 -c "print($rate * $seconds)") /" >>"$work/samples.txt"
    done
done
uptime
python3 - "$work/samples.txt" <<'PY'
import collections, sys
samples = {"on": collections.Counter(), "off": collections.Counter()}
calls = {"on": 0.0, "off": 0.0}
seen = set()
for line in open(sys.argv[1]):
    side, n, rest = line.rstrip("\n").split(" ", 2)
    samples[side][rest.strip() or "?"] += 1
    if (side, n) not in seen:
        seen.add((side, n)); calls[side] += float(n)
ns = {s: {k: v * 1e9 / 1999 / calls[s] for k, v in samples[s].items()} for s in samples}
for s in ("on", "off"):
    print(f"{s}: {sum(samples[s].values())} samples over {calls[s]:.0f} calls, {sum(ns[s].values()):.0f} ns of worker CPU a call")
keys = set(ns["on"]) | set(ns["off"])
diff = sorted(keys, key=lambda k: -abs(ns["on"].get(k, 0) - ns["off"].get(k, 0)))
print("on - off (ns a call), on, off, leaf symbol:")
for k in diff[:25]:
    print(f"{ns['on'].get(k, 0) - ns['off'].get(k, 0):+8.1f} {ns['on'].get(k, 0):8.1f} {ns['off'].get(k, 0):8.1f}  {k[:150]}")
print("metrics symbols (on):")
for k in sorted(keys, key=lambda k: -ns["on"].get(k, 0)):
    if any(w in k for w in ("Metrics", "Interlocked", "Meter", "Histogram", "ConcurrentDictionary")) and ns["on"].get(k, 0) > 0:
        print(f"{ns['on'].get(k, 0):8.1f} {ns['off'].get(k, 0):8.1f}  {k[:150]}")
PY
echo "perf data in $work"
