#!/usr/bin/env bash
# Serves the Apache Thrift tutorial Calculator on 127.0.0.1:9090 with 2 workers. Extra options are passed on
# to tunicorn (e.g. -k sync, --log-level debug); a -b/--bind of your own replaces 127.0.0.1:9090 (bind is a list,
# so passing it on as well would listen on both). Stop it with Ctrl-C (quick) or `kill -TERM <master pid>` (graceful).
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

default_bind=(-b 127.0.0.1:9090)
for arg in "$@"; do
    case "$arg" in
        -b | -b?* | --bind | --bind=*) default_bind=() ;;
    esac
done

exec ./tunicorn "$artifacts/bin/Calculator/release/Calculator.dll" "${default_bind[@]}" -w 2 "$@"
