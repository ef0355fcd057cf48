#!/usr/bin/env bash
# Serves the Apache Thrift tutorial Calculator on 127.0.0.1:9090 with 2 workers. Extra options are passed on
# to tunicorn (e.g. -k sync, --log-level debug). Stop it with Ctrl-C (quick) or `kill -TERM <master pid>` (graceful).
set -euo pipefail
cd "$(dirname "$0")/.."

# ARTIFACTS_PATH, when set, builds and runs from there instead of artifacts/.
artifacts="${ARTIFACTS_PATH:-artifacts}"
build_args=()
if [[ -n "${ARTIFACTS_PATH:-}" ]]; then
    build_args=("-p:ArtifactsPath=$ARTIFACTS_PATH")
fi

scripts/install-deps.sh
dotnet build src/Tunicorn.Cli/Tunicorn.Cli.csproj -c Release -nologo -v quiet "${build_args[@]}"
dotnet build examples/Calculator/Calculator.csproj -c Release -nologo -v quiet "${build_args[@]}"

exec ./tunicorn "$artifacts/bin/Calculator/release/Calculator.dll" -b 127.0.0.1:9090 -w 2 "$@"
