"""Frozen-encoder features of the training rows, computed with the int8 encoder graph that ships.

    train/encoder/.venv/bin/python train/encoder/features.py

Writes train/encoder/.cache/features/*.npy in shards (resumable: finished shards are kept).
Rows are processed in a fixed random order, so any prefix of the shards is a random sample.
One answer per run (batch 1): a dynamically quantized model's scores depend on its batch-mates,
so the shipped judge scores one answer at a time too (judge.json max_batch_size = 1).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import common  # noqa: E402

SHARD = 1000


def main():
    t0 = time.time()
    rows, tok = common.rows_and_tokens()
    order = common.order(rows)[:common.SAMPLE_ROWS]
    enc = common.encoder_session()
    out = common.CACHE / "features"
    out.mkdir(parents=True, exist_ok=True)
    # Unique questions first (there are few).
    qpath = out / "questions.npz"
    if not qpath.exists():
        uniq = sorted({tuple(q[:common.Q_TOKENS]) for q in tok["q"]})
        qf = np.stack([common.encode(enc, list(q)) for q in uniq]).astype(np.float16)
        np.savez(qpath, keys=np.array([" ".join(map(str, q)) for q in uniq]), feats=qf)
        print(f"{len(uniq)} questions encoded, {time.time() - t0:.0f}s", flush=True)
    for s in range(0, len(order), SHARD):
        path = out / f"answers_{s // SHARD:04d}.npy"
        if path.exists():
            continue
        idx = order[s:s + SHARD]
        feats = np.stack([common.encode(enc, tok["a"][i][:common.A_ENCODER_TOKENS]) for i in idx])
        np.save(path, feats.astype(np.float16))
        print(f"shard {s // SHARD}: rows {s}-{s + len(idx)}, {time.time() - t0:.0f}s", flush=True)
    print("done", flush=True)


if __name__ == "__main__":
    main()
