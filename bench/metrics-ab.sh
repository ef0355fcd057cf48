#!/usr/bin/env bash
# What the metrics cost: the tutorial Calculator served by two tunicorn servers started once, one with metrics on (the
# default) and one with --no-metrics (metrics_disable), both warmed up, then loaded one at a time in many short windows
# in the order on off off on on off ..., so that the machine's other load and any drift fall on both alike. For each
# window: LoadGen's calls/s, and the workers' CPU a call over exactly LoadGen's measured part (from /proc, in ns), which
# the machine's other load disturbs much less than calls/s. Prints every window, the medians with quartiles and range,
# the ratio of the medians and the per-pair ratios. (bench/metrics_ab.py does the work.)
#   bench/metrics-ab.sh     24 windows of 3 s each side, after a warm-up of 20 to 120 s (until the background JIT is quiet: under 0.5 % of the CPU)
#   WINDOWS=40 DURATION=2 WARMUP=30 WARMUP_MAX=180 CONNECTIONS=64 WORKERS=2 WORKER_CLASS=async bench/metrics-ab.sh
# Uses the builds under ARTIFACTS_PATH (default artifacts/): Tunicorn.Cli (or TUNICORN_CLI), Calculator and LoadGen
# (`dotnet build Tunicorn.slnx -c Release` builds them). Servers listen on free 127.0.0.1 ports and are stopped by pid.
set -euo pipefail
exec /usr/bin/python3 "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/metrics_ab.py" "$@"
