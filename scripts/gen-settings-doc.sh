#!/usr/bin/env bash
# Regenerates docs/settings.md from the settings table (src/Tunicorn/Config/Settings/*.cs).
# The docs test rewrites the file when TUNICORN_UPDATE_DOCS=1, so the generator and the check are the same code.
# Set ARTIFACTS_PATH to build elsewhere than artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
TUNICORN_UPDATE_DOCS=1 dotnet test tests/Tunicorn.Tests \
    ${ARTIFACTS_PATH:+-p:ArtifactsPath="$ARTIFACTS_PATH"} \
    --filter "FullyQualifiedName=Tunicorn.Tests.Config.SettingsDocumentTests.SettingsMarkdown_IsUpToDateWithTheTable"
echo "docs/settings.md regenerated"
