#!/usr/bin/env bash
# What the metrics cost: calls/s of the tutorial Calculator served by tunicorn with metrics on (the default) and with
# --no-metrics (metrics_disable), in alternating rounds of the same run (on, off, off, on, on, off, ...), so that the machine's
# other load falls on both alike. Prints each round and the ratio of the medians (on / off), for calls/s and for the
# workers' CPU time per call (user + system, from /proc), which the machine's other load disturbs much less.
#   bench/metrics-ab.sh                 3 rounds of 8 s, 32 framed connections calling add, 2 async workers
#   ROUNDS=5 DURATION=10 CONNECTIONS=64 WORKERS=2 bench/metrics-ab.sh
# Uses the builds under ARTIFACTS_PATH (default artifacts/): Tunicorn.Cli (or TUNICORN_CLI), Calculator and LoadGen
# (`dotnet build Tunicorn.slnx -c Release` builds them). Servers listen on free 127.0.0.1 ports and are stopped by pid.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
artifacts="${ARTIFACTS_PATH:-$root/artifacts}"
tunicorn="${TUNICORN_CLI:-$artifacts/bin/Tunicorn.Cli/release/tunicorn}"
loadgen="$artifacts/bin/LoadGen/release/LoadGen"
app="$artifacts/bin/Calculator/release/Calculator.dll"
rounds="${ROUNDS:-3}"
duration="${DURATION:-8}"
connections="${CONNECTIONS:-32}"
workers="${WORKERS:-2}"
logs="$(mktemp -d /tmp/tunicorn-metrics-ab-XXXXXX)"

for file in "$tunicorn" "$loadgen" "$app"; do
    [[ -x "$file" || -f "$file" ]] || { echo "metrics-ab: $file is missing; build the solution in Release first" >&2; exit 1; }
done

free_port() { /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# One round: start the server, wait until it answers, load it, stop it by its pid. Prints calls/s.
round() {
    local label="$1"; shift
    local port pid rate
    port="$(free_port)"
    "$tunicorn" "$app" -b "127.0.0.1:$port" -w "$workers" -k async --thrift-transport-factory framed --no-control-socket "$@" \
        >"$logs/$label.out" 2>"$logs/$label.err" &
    pid=$!
    for _ in $(seq 1 300); do
        if "$loadgen" --port "$port" --transport framed --call add --connections 1 --warmup 0 --duration 0.1 >/dev/null 2>&1; then break; fi
        sleep 0.1
    done
    local workers_cpu_before workers_cpu_after
    workers_cpu_before="$(worker_cpu "$pid")"
    rate="$("$loadgen" --port "$port" --transport framed --call add --connections "$connections" --warmup 2 --duration "$duration" --json \
        | /usr/bin/python3 -c 'import json, sys; print(next(round(json.loads(l[8:])["calls_per_second"], 1) for l in sys.stdin if l.startswith("@result ")))')"
    workers_cpu_after="$(worker_cpu "$pid")"
    kill -TERM "$pid"
    wait "$pid" || true
    # calls/s, then microseconds of worker CPU per call (the calls of the warm-up and the load together are not
    # separated: LoadGen's rate times its duration and warm-up is close enough for a ratio between like rounds).
    echo "$rate $(awk -v t="$((workers_cpu_after - workers_cpu_before))" -v r="$rate" -v d="$duration" -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%.2f", t / hz * 1e6 / (r * (d + 2)) }')"
}

# Clock ticks of user and system time of the master's children (the workers), summed.
worker_cpu() {
    local total=0 child
    for child in $(pgrep -P "$1"); do
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$child/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

on=()
off=()
on_cpu=()
off_cpu=()
for r in $(seq 1 "$rounds"); do
    # Which of a pair runs first alternates, so that an order effect (the first of two servers started back to back
    # running slower or faster) falls on both sides alike.
    if (( r % 2 )); then
        read -r rate cpu < <(round "on-$r"); on+=("$rate"); on_cpu+=("$cpu")
        read -r rate cpu < <(round "off-$r" --no-metrics); off+=("$rate"); off_cpu+=("$cpu")
    else
        read -r rate cpu < <(round "off-$r" --no-metrics); off+=("$rate"); off_cpu+=("$cpu")
        read -r rate cpu < <(round "on-$r"); on+=("$rate"); on_cpu+=("$cpu")
    fi
    echo "round $r: metrics on ${on[-1]} calls/s (${on_cpu[-1]} us worker CPU a call), off ${off[-1]} calls/s (${off_cpu[-1]} us)"
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
m_on="$(median "${on[@]}")"
m_off="$(median "${off[@]}")"
echo "median: metrics on $m_on calls/s, off $m_off calls/s, on/off $(awk -v a="$m_on" -v b="$m_off" 'BEGIN { printf "%.3f", a / b }')"
ratios=()
for i in "${!on[@]}"; do ratios+=("$(awk -v a="${on[$i]}" -v b="${off[$i]}" 'BEGIN { printf "%.3f", a / b }')"); done
echo "median of the rounds' on/off ratios (each round's pair ran back to back): $(median "${ratios[@]}") (rounds: ${ratios[*]})"
c_on="$(median "${on_cpu[@]}")"
c_off="$(median "${off_cpu[@]}")"
echo "median worker CPU a call: metrics on $c_on us, off $c_off us, off/on $(awk -v a="$c_on" -v b="$c_off" 'BEGIN { printf "%.3f", b / a }') (the calls/s the same CPU buys, on relative to off)"
echo "logs: $logs"
