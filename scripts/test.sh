#!/usr/bin/env bash
# Runs every test on a fresh clone: installs Azurite (npm ci), builds, runs the tests (which start
# Azurite and the AWS emulator themselves), and ends with "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

npm ci --no-audit --no-fund --loglevel=error
dotnet build Provision.sln --configuration Release --nologo -clp:ErrorsOnly

results="TestResults"
rm -rf "$results"
set +e
dotnet test tests/Provision.Tests --configuration Release --no-build --nologo \
  --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=minimal" --results-directory "$results"
status=$?
set -e

node scripts/trx-summary.js "$results/tests.trx"
exit $status
