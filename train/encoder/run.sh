#!/usr/bin/env bash
# Rebuilds public/judge-encoder/ from ../shared/transcripts. Resumable: each step keeps its
# results in train/encoder/.cache and skips what is there (delete .cache to start over).
# ENCODER_SAMPLE_ROWS (default: common.SAMPLE_ROWS, the shipped judge's sample) limits the rows encoded.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=train/.venv/bin/python
$PY train/encoder/oof_reference.py          # the fast judge's and the TF-IDF baseline's LORO predictions (~10 min)
$PY train/encoder/features.py               # frozen int8 MiniLM features, ~15-60 rows/s on 2 cores
$PY train/encoder/loro.py --variants bag,enc,hybrid,hybrid_q,hybrid_h64   # variants (the card's 13k/22k tables: --rows 13000 / 22000)
$PY train/encoder/build.py                  # LORO of the recipe, the shipped model, judge.json, golden, metrics.json
$PY train/encoder/variants.py               # variants.json, the card's variants tables
train/encoder/bench_native.sh ../shared/transcripts/Apoorvabatham__Persona-Hierarchy-in-Emergent-Misalignment/data/results/judge/judge_input_abl01.scored.jsonl
$PY train/encoder/card.py                   # public/judge-encoder/MODEL_CARD.md
