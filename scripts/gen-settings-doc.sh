#!/usr/bin/env bash
# Regenerates docs/settings.md from the settings table (src/Tunicorn/Config/Settings/*.cs) and the table of
# service_register_conf keys in docs/registry.md from src/Tunicorn/Config/Settings/RegistryConf.cs.
# The docs tests rewrite the files when TUNICORN_UPDATE_DOCS=1, so the generator and the check are the same code.
# Set ARTIFACTS_PATH to build elsewhere than artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
TUNICORN_UPDATE_DOCS=1 dotnet test tests/Tunicorn.Tests \
    ${ARTIFACTS_PATH:+-p:ArtifactsPath="$ARTIFACTS_PATH"} \
    --filter "FullyQualifiedName=Tunicorn.Tests.Config.SettingsDocumentTests.SettingsMarkdown_IsUpToDateWithTheTable|FullyQualifiedName=Tunicorn.Tests.Config.SettingsDocumentTests.RegistryMarkdown_KeysTable_IsUpToDateWithTheDeclarations"
echo "docs/settings.md and the keys of docs/registry.md regenerated"
