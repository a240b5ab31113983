"""Out-of-fold (leave-one-repository-out) predictions of the bundled n-gram judge's recipe and of
the TF-IDF baseline, on every row, for comparing judges on the same rows.

    train/.venv/bin/python train/encoder/oof_reference.py   -> train/encoder/.cache/oof_{judge,baseline}.npz
"""
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import baseline  # noqa: E402
import data  # noqa: E402
import train  # noqa: E402


def main():
    rows = data.load(data.default_transcripts_dir())
    X = train.featurized(rows)
    out = HERE / ".cache"
    if not (out / "oof_judge.npz").exists():
        oof = train.loro(rows, X, lambda tr, te: train.fit_judge(rows, X, tr).predict(X[te]), "judge")
        np.savez(out / "oof_judge.npz", **oof)
    if not (out / "oof_baseline.npz").exists():
        oof = train.loro(rows, X, lambda tr, te: baseline.fit_predict(rows, tr, te), "baseline")
        np.savez(out / "oof_baseline.npz", **oof)


if __name__ == "__main__":
    main()
