#!/usr/bin/env bash
# Runs every test on a fresh clone: installs Azurite (npm ci), builds, runs the in-process tests and the
# end-to-end tests (which start Azurite, the AWS emulator and the Functions host emulator themselves), and
# ends with one line for both: "N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

npm ci --no-audit --no-fund --loglevel=error
dotnet build Provision.sln --configuration Release --nologo -clp:ErrorsOnly

results="TestResults"
rm -rf "$results"
status=0
# The in-process tests, then the end-to-end tests (the real worker under the Functions host emulator).
for project in Provision.Tests Provision.EndToEndTests; do
  dotnet test "tests/$project" --configuration Release --no-build --nologo \
    --logger "trx;LogFileName=$project.trx" --logger "console;verbosity=minimal" --results-directory "$results" || status=1
done

# A test host that ends abruptly (or leaves a frozen Azurite behind) cannot stop the in-memory Azurite it
# started; nothing of this run may outlive it. run.sh's Azurite keeps its data on disk and is not matched.
pkill -KILL -f "$PWD/node_modules/azurite/dist/src/azurite.js --silent --inMemoryPersistence" || true

node scripts/trx-summary.js "$results/Provision.Tests.trx" "$results/Provision.EndToEndTests.trx"
exit $status
