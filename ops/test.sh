#!/usr/bin/env bash
# Run the whole test suite: lint, types, the PWA's unit tests, and pytest on SQLite and
# PostgreSQL, with Chromium end-to-end tests. Installs whatever is missing first.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "Python environment"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

step "PostgreSQL"
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432

step "Chromium, and LibreOffice (the exports are opened as a person's spreadsheet would)"
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v soffice >/dev/null || missing="$missing libreoffice-calc-nogui"
if [ -n "$missing" ]; then
  apt-get update -qq && apt-get install -y -qq $missing >/dev/null
fi
/usr/bin/chromium --version

if [ -f client-pwa/package.json ]; then
  step "PWA: install, type-check, unit tests, build"
  (cd client-pwa && npm ci --no-audit --no-fund --loglevel=error && npm test && npm run build)
fi

step "Lint and types"
.venv/bin/ruff check sync schema tests ops
.venv/bin/mypy

step "pytest"
set +e
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: that is a failure" >&2
  exit 1
fi
exit "$status"
