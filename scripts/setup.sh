#!/usr/bin/env bash
# Installs what building and testing Probe Explorer needs, skipping whatever is already there.
# Everything comes from package registries (crates.io, npm, PyPI, Debian): nothing from GitHub or a CDN.
#
#   scripts/setup.sh          # build tools: wasm target, Trunk, wasm-bindgen-cli, npm packages, ONNX Runtime
#   scripts/setup.sh --test   # also Debian Chromium (browser tests) and the judge's Python environment
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# Must equal the wasm-bindgen version pinned in Cargo.toml (Trunk refuses a mismatch).
WASM_BINDGEN_VERSION=0.2.130

step() { printf '\n== %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "Adding the wasm32 target"
  rustup target add wasm32-unknown-unknown
fi

if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
  step "Installing Trunk $TRUNK_VERSION (about 13 minutes on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if ! wasm-bindgen --version 2>/dev/null | grep -q "$WASM_BINDGEN_VERSION"; then
  step "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 8 minutes)"
  # Not --locked: its lock file names a crate version the registry no longer has.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

# npm writes node_modules/.package-lock.json; when it differs from the lock file, a package was
# added or changed since the last install (axe-core, say) and `npm ci` brings node_modules up to date.
if [ ! -x node_modules/.bin/wasm-opt ] || ! node -e '
  const fs = require("fs");
  const read = (file) => JSON.parse(fs.readFileSync(file, "utf8")).packages;
  const [want, have] = [read("package-lock.json"), read("node_modules/.package-lock.json")];
  const stale = Object.entries(want).some(([path, p]) => path && !p.optional && have[path]?.version !== p.version);
  process.exit(stale ? 1 : 0);
' 2>/dev/null; then
  step "Installing npm packages (wasm-opt, ONNX Runtime Web, Playwright core, PapaParse, axe-core)"
  npm ci --no-audit --no-fund
fi

scripts/fetch-onnxruntime.sh

if [ "${1:-}" = "--test" ]; then
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    step "Installing Debian Chromium and ChromeDriver for the browser tests"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
  fi
  if [ ! -x tests/fixtures/.venv/bin/python ] || ! cmp -s tests/fixtures/requirements.txt tests/fixtures/.venv/requirements.txt; then
    step "Creating the fixture writers' Python environment (tests/fixtures/.venv: inspect_ai, pyarrow, pandas, polars)"
    python3 -m venv tests/fixtures/.venv
    tests/fixtures/.venv/bin/pip install -q -r tests/fixtures/requirements.txt
    cp tests/fixtures/requirements.txt tests/fixtures/.venv/requirements.txt
  fi
  if [ ! -x train/.venv/bin/python ] || ! cmp -s train/requirements.txt train/.venv/requirements.txt; then
    step "Creating the judge's Python environment (train/.venv)"
    python3 -m venv train/.venv
    train/.venv/bin/pip install -q -r train/requirements.txt
    cp train/requirements.txt train/.venv/requirements.txt
  fi
fi
