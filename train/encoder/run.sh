#!/usr/bin/env bash
# Rebuilds public/judge-encoder/ from ../shared/transcripts. Resumable: each step keeps its
# results in train/encoder/.cache and skips what is there (delete .cache to start over).
# ENCODER_SAMPLE_ROWS (default: common.SAMPLE_ROWS, the shipped judge's sample) limits the rows encoded.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=train/.venv/bin/python
$PY train/encoder/oof_reference.py          # the fast judge's and the TF-IDF baseline's LORO predictions (~10 min)
$PY train/encoder/features.py               # frozen int8 MiniLM features, ~15-60 rows/s on 2 cores
$PY train/encoder/loro.py --variants bag,enc,hybrid,hybrid_q   # the variants of the card
$PY train/encoder/build.py                  # LORO of the recipe, the shipped model, judge.json, golden, card
