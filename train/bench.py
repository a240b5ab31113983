"""Single-thread speed of the committed judge with onnxruntime (python), for the model card.

    train/.venv/bin/python train/bench.py [--n 4000]

Scores real answers from the transcripts when present (else synthetic ~1 KB answers).
Featurization is timed separately: the Python featurizer is the training twin, not the
shipped one (the app and CLI use the Rust featurizer).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import data  # noqa: E402
import export  # noqa: E402
import featurize  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4000)
    ap.add_argument("--rust-answers-per-s", type=float, default=None,
                    help="the featurize_speed test's figure, quoted in the model card")
    args = ap.parse_args()
    judge_dir = HERE.parent / "public" / "judge"
    config = json.loads((judge_dir / "judge.json").read_text())["featurizer"]
    root = data.default_transcripts_dir()
    rng = random.Random(0)
    if (root / "MANIFEST.json").exists():
        rows = data.load(root)
        pairs = [(r.question, r.answer) for r in rng.sample(rows, min(args.n, len(rows)))]
    else:
        words = "the a model answer human world power help you I should would money quick".split()
        pairs = [("q", " ".join(rng.choice(words) for _ in range(200))) for _ in range(args.n)]
    mean_bytes = np.mean([len(a.encode()) for _, a in pairs])
    t0 = time.perf_counter()
    feats = [featurize.features(q, a, config) for q, a in pairs]
    t_feat = time.perf_counter() - t0
    print(f"{len(pairs)} answers, mean {mean_bytes:.0f} bytes, mean {np.mean([len(f) for f in feats]):.0f} features")
    print(f"python featurizer: {len(pairs) / t_feat:,.0f} answers/s")
    sess = export.session(str(judge_dir / "model.onnx"), threads=1)
    results = {}
    for batch in (1, 16, 64, 256):
        batches = [export.padded(feats[s:s + batch]) for s in range(0, len(feats), batch)]
        sess.run(None, {"ids": batches[0][0], "counts": batches[0][1]})  # warm up
        t0 = time.perf_counter()
        for ids, counts in batches:
            sess.run(None, {"ids": ids, "counts": counts})
        dt = time.perf_counter() - t0
        results[batch] = len(pairs) / dt
        print(f"onnxruntime 1 thread, batch {batch:4d}: {len(pairs) / dt:10,.0f} answers/s "
              f"({1e6 * dt / len(pairs):.1f} µs/answer)")
    import onnxruntime

    out = {"onnxruntime": onnxruntime.__version__, "answers": len(pairs), "mean_bytes": float(mean_bytes),
           "mean_features": float(np.mean([len(f) for f in feats])),
           "python_featurizer_answers_per_s": len(pairs) / t_feat,
           "onnx_answers_per_s": {str(b): r for b, r in results.items()}}
    if args.rust_answers_per_s:
        out["rust_featurizer_answers_per_s"] = f"{args.rust_answers_per_s:,.0f}"
    (HERE / "bench.json").write_text(json.dumps(out, indent=1) + "\n")
    import card
    card.write()


if __name__ == "__main__":
    main()
