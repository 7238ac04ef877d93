#!/usr/bin/env bash
# Set up and run Workroom on this machine: embedded SQLite, demo data, one process.
# Usage: bash ops/run.sh [extra `workroom serve` flags, e.g. --port 8080]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .

if [ -f client-pwa/package.json ]; then
  (cd client-pwa && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
fi

.venv/bin/workroom seed-demo
exec .venv/bin/workroom serve "$@"
