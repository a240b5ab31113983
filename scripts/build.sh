#!/usr/bin/env bash
# Release build of the browser app into dist/ (assumes scripts/setup.sh has run).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # wasm-opt from npm's binaryen
scripts/copy-ort-web.sh 2>/dev/null || true
trunk build --release
