#!/usr/bin/env bash
# Sets up and runs every test: core, CLI and judge natively; the judge's quality check;
# and the end-to-end tests in headless Chromium against the release build.
# Real-data tests use ../shared/transcripts and skip with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export ORT_DYLIB_PATH="${ORT_DYLIB_PATH:-$PWD/.ort/libonnxruntime.so}"

echo; echo "== Fixtures of other tools' formats: written again by those tools, same counts as committed"
fixtures_tmp="$(mktemp -d)"
tests/fixtures/.venv/bin/python tests/fixtures/make_fixtures.py --out "$fixtures_tmp" >/dev/null
diff tests/fixtures/formats/expected.json "$fixtures_tmp/expected.json"
rm -rf "$fixtures_tmp"

echo; echo "== Native tests (core, CLI, judge)"
cargo test --workspace --exclude probe-explorer-web

echo; echo "== The judge compiled to wasm32, in headless Chromium (ONNX Runtime Web; featurizer twin check)"
scripts/test-judge-web.sh

echo; echo "== Judge quality on the source-held-out validation split"
train/.venv/bin/python train/validate.py

echo; echo "== Browser build and end-to-end tests (headless Chromium)"
scripts/build.sh
node --test --test-concurrency=1 tests/e2e/
