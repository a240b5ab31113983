#!/usr/bin/env bash
# Release build of the browser app into dist/ (assumes scripts/setup.sh has run).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"   # wasm-opt from npm's binaryen
# ONNX Runtime Web, served by the app itself (fetched by the browser only when a judge is used).
scripts/copy-ort-web.sh --webgpu
trunk build --release

# The formats module (zip readers for Inspect AI logs), imported by public/boot.js only when a
# zip arrives, so the app's startup download does not carry it.
cargo build --release --target wasm32-unknown-unknown -p probe-formats-web
wasm-bindgen --target web --no-typescript --out-dir dist/formats \
  target/wasm32-unknown-unknown/release/probe_formats_web.wasm
wasm-opt -Oz \
  dist/formats/probe_formats_web_bg.wasm -o dist/formats/probe_formats_web_bg.wasm

# The Parquet module, imported by public/boot.js only when a Parquet file arrives (as large as
# the formats module, so a module of its own: neither format's readers ride along with the other).
cargo build --release --target wasm32-unknown-unknown -p probe-parquet-web
wasm-bindgen --target web --no-typescript --out-dir dist/parquet \
  target/wasm32-unknown-unknown/release/probe_parquet_web.wasm
wasm-opt -Oz \
  dist/parquet/probe_parquet_web_bg.wasm -o dist/parquet/probe_parquet_web_bg.wasm
