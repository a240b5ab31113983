#!/usr/bin/env bash
# The benchmark suite: load, interaction, judge, startup and memory, each against a baseline
# measured in the same run. Builds in release mode (the production app into dist/, the bench
# variant with `--features bench` into bench/tmp/dist, the native bench into target/bench-native),
# generates the 1M-answer input (bench/tmp, fixed seed), runs natively and in headless Chromium,
# and writes bench/RESULTS.md and bench/results.json. See bench/README.md.
#
# Baselines from other tools, same run: DuckDB-WASM in the same browser (part `duckdb`: npm
# packages of bench/package.json into bench/node_modules) and polars / pandas against the CLI's
# `stats` (part `cli`: bench/.venv from bench/requirements.txt, the CLI in target/release-native,
# a ~300 MB realistic input from bench/gen-cli.mjs). Each install step is skipped when done.
# Part `parquet`: the same answers as CSV and as Parquet (pyarrow, from bench/.venv) loaded by the
# CLI and by the app in the tab, as ratios (bench/parquet.mjs; BENCH_PARQUET_INPUT=1m|100k).
#
# Usage: scripts/bench.sh [--quick] [--only app,duckdb,cli,parquet]
#   --quick: few repetitions, results to bench/tmp/ only.
#   --only:  run some parts only (also BENCH_ONLY=...); builds and installs only what they need;
#            a partial run writes to bench/tmp/ only. BENCH_DUCKDB_INPUT=100k and
#            BENCH_CLI_MB=30 pick smaller inputs for a quick check.
# Needs: scripts/setup.sh done (npm packages, trunk), .ort/libonnxruntime.so
# (scripts/fetch-onnxruntime.sh), the shared transcripts ($PROBE_SHARED_DIR, default ../shared/transcripts).
# The `duckdb` and `cli` parts alone need neither trunk nor ONNX Runtime.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
shared="${PROBE_SHARED_DIR:-$PWD/../shared/transcripts}"
export PROBE_SHARED_DIR="$shared"

only="${BENCH_ONLY:-app,duckdb,cli,parquet}"
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  [[ "${args[i]}" == --only ]] && only="${args[i + 1]:-}"
done
export BENCH_ONLY="$only"
has() { [[ ",$only," == *",$1,"* ]]; }

[[ -f "$shared/MANIFEST.json" ]] || { echo "bench: shared transcripts not found at $shared" >&2; exit 1; }
# bench/run.mjs measures app, duckdb and cli; bench/parquet.mjs the parquet part.
run_parts="$(tr ',' '\n' <<<"$only" | grep -v '^parquet$' | paste -sd, - || true)"
run_args=()
for ((i = 0; i < ${#args[@]}; i++)); do
  if [[ "${args[i]}" == --only ]]; then i=$((i + 1)); else run_args+=("${args[i]}"); fi
done
if has app; then
  [[ -f .ort/libonnxruntime.so || -n "${ORT_DYLIB_PATH:-}" ]] ||
    { echo "bench: no native ONNX Runtime: run scripts/fetch-onnxruntime.sh" >&2; exit 1; }
fi
[[ -d node_modules/playwright-core && -d node_modules/papaparse ]] ||
  { echo "bench: npm packages missing: run scripts/setup.sh (or npm ci)" >&2; exit 1; }

begin=$SECONDS
step() { echo "== bench: $* ($((SECONDS - begin)) s)" >&2; }

if has app; then
  step "production build -> dist/"
  scripts/build.sh
  step "bench build (--features bench) -> bench/tmp/dist/"
  trunk build --release --features bench --dist bench/tmp/dist
  # The judge module, as scripts/build.sh built it into dist/: the bench page scores through it.
  rm -rf bench/tmp/dist/judge-web && cp -r dist/judge-web bench/tmp/dist/judge-web
  step "native bench -> target/bench-native/"
  cargo build --release --manifest-path bench/native/Cargo.toml --target-dir target/bench-native
fi
if has duckdb; then
  # Bench-only npm packages, kept out of the root package.json so the test setup never installs them.
  if [[ ! -f bench/node_modules/@duckdb/duckdb-wasm/dist/duckdb-eh.wasm ||
        bench/package-lock.json -nt bench/node_modules/.package-lock.json ]]; then
    step "bench npm packages (DuckDB-WASM) -> bench/node_modules/"
    (cd bench && npm ci --no-audit --no-fund)
  fi
fi
if has parquet && ! has app; then
  step "production build -> dist/ (the tab half of the parquet part)"
  scripts/build.sh
fi
if has cli || has parquet; then
  step "CLI (release-native) -> target/release-native/probe-explorer"
  cargo build --profile release-native -p probe-explorer-cli
  if [[ ! -x bench/.venv/bin/python || bench/requirements.txt -nt bench/.venv/.installed ]]; then
    step "Python baselines (polars, pandas, pyarrow) -> bench/.venv/"
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install --quiet -r bench/requirements.txt
    touch bench/.venv/.installed
  fi
fi
step "inputs -> bench/tmp/"
mkdir -p bench/tmp
if has app || has duckdb || has parquet; then node bench/gen.mjs "$shared" bench/tmp; fi
if has cli; then
  cli_mb="${BENCH_CLI_MB:-300}"
  node bench/gen-cli.mjs "$shared" bench/tmp "$cli_mb"
  export BENCH_CLI_INPUT="bench/tmp/transcripts-${cli_mb}mb.csv"
fi
builds=$((SECONDS - begin))
step "measuring"
if [[ -n "$run_parts" ]]; then node bench/run.mjs "${run_args[@]}" --only "$run_parts"; fi
if has parquet; then node bench/parquet.mjs "${run_args[@]}"; fi
echo "== bench: done in $((SECONDS - begin)) s (builds and inputs $builds s)" >&2
