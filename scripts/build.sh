#!/usr/bin/env bash
# Release build of the browser app into dist/ (assumes scripts/setup.sh has run).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # wasm-opt from npm's binaryen
# ONNX Runtime Web, served by the app itself (fetched by the browser only when a judge is used).
scripts/copy-ort-web.sh --webgpu
trunk build --release
