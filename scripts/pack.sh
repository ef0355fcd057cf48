#!/usr/bin/env bash
# Packs every package: each project under src/ (libraries and the tunicorn tool) and under templates/, in Release,
# into artifacts/package/release/ (with .snupkg symbol packages beside them).
#   scripts/pack.sh [OUT_DIR] [extra dotnet pack options...]
# OUT_DIR puts the packages elsewhere (e.g. a local feed). ARTIFACTS_PATH builds elsewhere than artifacts/.
# The version comes from Directory.Build.props; CI overrides it: scripts/pack.sh "" -p:Version=1.2.3
# A release adds -p:ContinuousIntegrationBuild=true (the clone's path becomes /_/ in the PDBs).
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-}"
shift || true

# One list for one dotnet pack run (one restore, one build graph): a solution file of the packable projects only,
# since Tunicorn.slnx also holds examples, tests and benchmarks.
list_dir="$(mktemp -d "${TMPDIR:-/tmp}/tunicorn-pack.XXXXXX")"
trap 'rm -rf "$list_dir"' EXIT
{
    echo "<Solution>"
    for project in src/*/*.csproj templates/*/*.csproj; do
        echo "  <Project Path=\"$PWD/$project\" />"
    done
    echo "</Solution>"
} >"$list_dir/packages.slnx"

args=(-c Release -nologo -v minimal)
if [[ -n "${ARTIFACTS_PATH:-}" ]]; then
    args+=("-p:ArtifactsPath=$ARTIFACTS_PATH")
fi
if [[ -n "$out" ]]; then
    args+=("-p:PackageOutputPath=$(realpath -m "$out")/")
fi
dotnet pack "$list_dir/packages.slnx" "${args[@]}" "$@"
