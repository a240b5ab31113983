#!/usr/bin/env bash
# The benchmark suite: load, interaction, judge, startup and memory, each against a baseline
# measured in the same run. Builds in release mode (the production app into dist/, the bench
# variant with `--features bench` into bench/tmp/dist, the native bench into target/bench-native),
# generates the 1M-answer input (bench/tmp, fixed seed), runs natively and in headless Chromium,
# and writes bench/RESULTS.md and bench/results.json. See bench/README.md.
#
# Usage: scripts/bench.sh [--quick]     (--quick: few repetitions, results to bench/tmp/ only)
# Needs: scripts/setup.sh done (npm packages, trunk), .ort/libonnxruntime.so
# (scripts/fetch-onnxruntime.sh), the shared transcripts ($PROBE_SHARED_DIR, default ../shared/transcripts).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
shared="${PROBE_SHARED_DIR:-$PWD/../shared/transcripts}"
export PROBE_SHARED_DIR="$shared"

[[ -f "$shared/MANIFEST.json" ]] || { echo "bench: shared transcripts not found at $shared" >&2; exit 1; }
[[ -f .ort/libonnxruntime.so || -n "${ORT_DYLIB_PATH:-}" ]] ||
  { echo "bench: no native ONNX Runtime: run scripts/fetch-onnxruntime.sh" >&2; exit 1; }

begin=$SECONDS
step() { echo "== bench: $* ($((SECONDS - begin)) s)" >&2; }

step "production build -> dist/"
scripts/build.sh
step "bench build (--features bench) -> bench/tmp/dist/"
trunk build --release --features bench --dist bench/tmp/dist
step "native bench -> target/bench-native/"
cargo build --release --manifest-path bench/native/Cargo.toml --target-dir target/bench-native
step "inputs -> bench/tmp/"
mkdir -p bench/tmp
node bench/gen.mjs "$shared" bench/tmp
builds=$((SECONDS - begin))
step "measuring"
node bench/run.mjs "$@"
echo "== bench: done in $((SECONDS - begin)) s (builds and inputs $builds s)" >&2
