#!/usr/bin/env bash
# Installs what the tests need, builds the solution in Release and runs the unit tests (tests/Tunicorn.Tests)
# and the integration tests (tests/Tunicorn.IntegrationTests). Ends with one line
#   tests: N passed, M failed
# summed over the runs (from their trx files), and exits non-zero on any build or test failure.
# Set ARTIFACTS_PATH to build elsewhere than artifacts/ (e.g. beside another build in the same checkout).
set -uo pipefail
cd "$(dirname "$0")/.."

artifacts=()
if [[ -n "${ARTIFACTS_PATH:-}" ]]; then
    artifacts=("-p:ArtifactsPath=$ARTIFACTS_PATH")
fi

if ! scripts/install-deps.sh; then
    echo "installing the dependencies failed"
    echo "tests: 0 passed, 1 failed"
    exit 1
fi

if ! dotnet build Tunicorn.slnx -c Release -nologo -v minimal "${artifacts[@]}"; then
    echo "the build failed"
    echo "tests: 0 passed, 1 failed"
    exit 1
fi

# The embedded example as one native executable: the integration tests run it as master and workers.
if ! dotnet publish examples/Calculator.Embedded -c Release -r linux-x64 -nologo -v minimal "${artifacts[@]}"; then
    echo "the NativeAOT publish of examples/Calculator.Embedded failed"
    echo "tests: 0 passed, 1 failed"
    exit 1
fi

# The CLI as installed for production (ReadyToRun): the integration tests serve with it too.
if ! dotnet publish src/Tunicorn.Cli -c Release -r linux-x64 --self-contained false -nologo -v minimal "${artifacts[@]}"; then
    echo "the ReadyToRun publish of src/Tunicorn.Cli failed"
    echo "tests: 0 passed, 1 failed"
    exit 1
fi

results="$(mktemp -d "${TMPDIR:-/tmp}/tunicorn-test-results.XXXXXX")"
trap 'rm -rf "$results"' EXIT

passed=0
failed=0
skipped=0
status=0

run_tests() {
    local project="$1" name
    name="$(basename "$project" .csproj)"
    echo "=== $name"
    # A hung test must not eat the CI budget: the blame collector ends the run after 10 minutes of no progress.
    dotnet test "$project" --no-build -c Release -nologo "${artifacts[@]}" \
        --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
        --results-directory "$results" --blame-hang-timeout 10m --blame-hang-dump-type none
    local rc=$?
    local trx="$results/$name.trx"
    if [[ ! -f "$trx" ]]; then
        echo "$name: no test results (exit $rc)"
        failed=$((failed + 1))
        status=1
        return
    fi
    # <Counters total=".." executed=".." passed=".." failed=".." ... notExecuted=".." .../>
    local counters p f n
    counters="$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)"
    p="$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    f="$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")"
    n="$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")"
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0}))
    skipped=$((skipped + ${n:-0}))
    if ((rc != 0)) && ((${f:-0} == 0)); then
        # The run failed without a failed test (crash, hang, aborted run): count it as one failure.
        failed=$((failed + 1))
    fi
    if ((rc != 0)); then
        status=1
    fi
}

for project in tests/Tunicorn.Tests/Tunicorn.Tests.csproj tests/Tunicorn.ZooKeeper.Tests/Tunicorn.ZooKeeper.Tests.csproj \
    tests/Tunicorn.IntegrationTests/Tunicorn.IntegrationTests.csproj; do
    if [[ -f "$project" ]]; then
        run_tests "$project"
    fi
done

if ((failed > 0)); then
    status=1
    # CI keeps only the tail of this output: name every failed test and its message here, just before the count.
    python3 scripts/failed-tests.py "$results"/*.trx || true
fi
if ((skipped > 0)); then
    echo "tests: $passed passed, $failed failed, $skipped skipped"
else
    echo "tests: $passed passed, $failed failed"
fi
exit "$status"
