#!/usr/bin/env bash
# Release build of the browser app into dist/ (assumes scripts/setup.sh has run).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # wasm-opt from npm's binaryen
# ONNX Runtime Web, served by the app itself (fetched by the browser only when a judge is used).
scripts/copy-ort-web.sh --webgpu
# Trunk stages wasm-bindgen's output here and copies all of it: clear it, or the snippets of a
# crate the app no longer links (ort-web, now in the judge module) would still ship.
rm -rf target/wasm-bindgen/release
trunk build --release

# The lazily loaded modules, each imported by public/boot.js only when first needed, so the
# app's startup download carries none of them: `lazy_module CRATE DIR` builds one into dist/DIR.
lazy_module() {
  local crate="$1" dir="$2" wasm="${1//-/_}"
  cargo build --release --target wasm32-unknown-unknown -p "$crate"
  wasm-bindgen --target web --no-typescript --out-dir "dist/$dir" \
    "target/wasm32-unknown-unknown/release/$wasm.wasm"
  wasm-opt -Oz "dist/$dir/${wasm}_bg.wasm" -o "dist/$dir/${wasm}_bg.wasm"
}
# Zip readers for Inspect AI logs: when a zip arrives.
lazy_module probe-formats-web formats
# ONNX Runtime Web's glue, judge.json parsing, the featurizers: when a judge is first used.
lazy_module probe-judge-web judge-web
# Parquet: when a Parquet file arrives (as large as the formats module, so a module of its own:
# neither format's readers ride along with the other).
lazy_module probe-parquet-web parquet
