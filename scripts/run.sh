#!/usr/bin/env bash
# Runs Provision locally: Azurite (data kept under .azurite/), the AWS emulator when the settings point
# AWS at this machine, the demo seed (scripts/seed.sh), and the function app on port 7071: under Azure
# Functions Core Tools (`func start`) where they are installed, otherwise under the Functions host
# emulator in tests/Provision.FunctionsHost, which runs the same worker process. Ctrl+C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules/azurite ] || npm ci --no-audit --no-fund --loglevel=error
if [ ! -f local.settings.json ]; then
  cp local.settings.sample.json local.settings.json
  echo "Created local.settings.json from local.settings.sample.json."
fi

# Everything this script runs, built once (Debug): the app, the AWS emulator, the seed tool, the host emulator.
dotnet build scripts/run.slnf --nologo --verbosity quiet -clp:ErrorsOnly

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

if listening 10002; then
  echo "Azurite is already running."
else
  mkdir -p .azurite
  node node_modules/azurite/dist/src/azurite.js --silent --disableTelemetry --skipApiVersionCheck \
    --location .azurite --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
  pids+=($!)
  for _ in $(seq 1 50); do listening 10002 && break; sleep 0.2; done
  listening 10002 || { echo "Azurite did not start; run 'npm ci' and retry." >&2; exit 1; }
  echo "Azurite is running (data in .azurite/)."
fi

# The AWS emulator, when AWS IoT is configured at a local address (as in local.settings.sample.json).
iot_endpoint=$(node -p "require('./local.settings.json').Values.Aws__IotEndpoint || ''")
if [[ $iot_endpoint =~ ^http://(127\.0\.0\.1|localhost):([0-9]+)/?$ ]]; then
  aws_port=${BASH_REMATCH[2]}
  if listening "$aws_port"; then
    echo "Port $aws_port is in use; taking it for a running AWS emulator."
  else
    dotnet run --no-build --project tests/Provision.AwsEmulator -- --urls "http://127.0.0.1:$aws_port" &
    pids+=($!)
    for _ in $(seq 1 150); do listening "$aws_port" && break; sleep 0.2; done
    listening "$aws_port" || { echo "The AWS emulator did not start on port $aws_port." >&2; exit 1; }
  fi
fi

./scripts/seed.sh

if command -v func >/dev/null 2>&1; then
  echo "Host: Azure Functions Core Tools (func start) on http://localhost:7071"
  dotnet run --project Provision.Functions
else
  echo "Host: the Functions host emulator (tests/Provision.FunctionsHost; Core Tools not found) on http://localhost:7071"
  root=$PWD
  dotnet tests/Provision.FunctionsHost/bin/Debug/net10.0/Provision.FunctionsHost.dll \
    --app "$root/Provision.Functions/bin/Debug/net10.0" --settings "$root/local.settings.json" --port 7071
fi
