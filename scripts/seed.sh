#!/usr/bin/env bash
# Seeds demo data into the storage named by local.settings.json: product "demo", device DEMO000001
# claimed by "demo-account", and release 1.1.0. Prints new tokens for the product and the device and
# curl commands that use them. Safe to run again: it creates nothing twice, it only issues new tokens.
# Storage must be running (scripts/run.sh starts Azurite, then runs this).
# Usage: scripts/seed.sh [api base url, default http://localhost:7071]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f local.settings.json ]; then
  cp local.settings.sample.json local.settings.json
  echo "Created local.settings.json from local.settings.sample.json."
fi

dotnet run --project tools/Provision.Seed -- local.settings.json "$@"
