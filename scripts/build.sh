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

# The formats module (zip readers for Inspect AI logs), imported by public/boot.js only when a
# zip arrives, so the app's startup download does not carry it.
cargo build --release --target wasm32-unknown-unknown -p probe-formats-web
wasm-bindgen --target web --no-typescript --out-dir dist/formats \
  target/wasm32-unknown-unknown/release/probe_formats_web.wasm
wasm-opt -Oz \
  dist/formats/probe_formats_web_bg.wasm -o dist/formats/probe_formats_web_bg.wasm

# The judge module (ONNX Runtime Web's glue, judge.json parsing, the featurizers), imported by
# public/boot.js only when a judge is first used.
cargo build --release --target wasm32-unknown-unknown -p probe-judge-web
wasm-bindgen --target web --no-typescript --out-dir dist/judge-web \
  target/wasm32-unknown-unknown/release/probe_judge_web.wasm
wasm-opt -Oz \
  dist/judge-web/probe_judge_web_bg.wasm -o dist/judge-web/probe_judge_web_bg.wasm
