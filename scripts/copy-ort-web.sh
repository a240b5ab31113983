#!/usr/bin/env bash
# Copies the ONNX Runtime Web files that ort-web 0.5.0 loads into public/ort/ (gitignored), so
# the app serves them itself instead of ort-web's default CDN. Run `npm ci` first; the version
# comes from package.json (onnxruntime-web 1.30.0, the ONNX Runtime build ort-web 0.5.0 targets).
#
# What gets fetched, and why these files (checked against ort-web 0.5.0's `_loader.js` and the
# onnxruntime-web 1.30.0 scripts):
#   ort.wasm.min.js                 the entry script; ort-web adds it as a <script> from `Dist`'s base URL
#   ort-wasm-simd-threaded.mjs      imported by the entry script (resolved against the script's own URL)
#   ort-wasm-simd-threaded.wasm     fetched by the .mjs (14 MB; 3.7 MB gzip)
# With --webgpu, also the WebGPU build (ort-web `Dist::with_script_name("ort.webgpu.min.js")`):
#   ort.webgpu.min.js, ort-wasm-simd-threaded.asyncify.mjs, ort-wasm-simd-threaded.asyncify.wasm (27 MB)
#
# Usage: scripts/copy-ort-web.sh [--webgpu]
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/node_modules/onnxruntime-web/dist"
dest="$root/public/ort"

files=(ort.wasm.min.js ort-wasm-simd-threaded.mjs ort-wasm-simd-threaded.wasm)
case "${1:-}" in
  "") ;;
  --webgpu) files+=(ort.webgpu.min.js ort-wasm-simd-threaded.asyncify.mjs ort-wasm-simd-threaded.asyncify.wasm) ;;
  *) echo "usage: $0 [--webgpu]" >&2; exit 2 ;;
esac

if [[ ! -d "$src" ]]; then
  echo "copy-ort-web: $src not found; run \`npm ci\` first" >&2
  exit 1
fi
version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$root/node_modules/onnxruntime-web/package.json" | head -n1)"
if [[ "$version" != 1.30.* ]]; then
  echo "copy-ort-web: onnxruntime-web $version installed, but ort-web 0.5.0 expects 1.30.x" >&2
  exit 1
fi

mkdir -p "$dest"
for f in "${files[@]}"; do
  # cp -u: idempotent and cheap on re-runs.
  cp -u "$src/$f" "$dest/$f"
done
echo "copy-ort-web: ${#files[@]} files from onnxruntime-web $version in $dest"
