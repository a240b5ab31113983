#!/usr/bin/env bash
# Sets up, builds (release) and serves Probe Explorer at http://127.0.0.1:${PORT:-8080}/
# It opens on the bundled illustrative demo data and the bundled judge.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec node tests/e2e/server.mjs --root dist --port "${PORT:-8080}"
