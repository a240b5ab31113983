"""Leave-one-repository-out comparison of encoder-judge recipes with the bundled n-gram judge and
the TF-IDF baseline, on the rows whose encoder features exist (a random sample: features.py
encodes the rows in a fixed random order).

    train/.venv/bin/python train/encoder/loro.py [--variants a,b,...] [--rows N]

Writes train/encoder/.cache/loro_<variant>.npz (out-of-fold predictions) and prints per-fold
AUROC / AP (first plot too). train/encoder/build.py turns the chosen variant into metrics.json.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import common  # noqa: E402
import data  # noqa: E402
import hybrid  # noqa: E402
import metrics  # noqa: E402
import train as ngram_train  # noqa: E402

THRESHOLD = 0.3

VARIANTS = {
    # word-piece bag alone: the n-gram judge's recipe on word pieces
    "bag": dict(use_dense=False, features="a"),
    # frozen encoder alone, answer pools
    "enc": dict(use_bag=False, features="a"),
    "enc_q": dict(use_bag=False, features="a+q"),
    # both, added into one hidden layer
    "hybrid": dict(features="a"),
    "hybrid_q": dict(features="a+q"),
    "hybrid_l6": dict(features="a6"),
    "hybrid_h64": dict(features="a", hidden=64),
    "hybrid_e6": dict(features="a", epochs=6),
}


def log(*a):
    print(*a, flush=True)


def load_features(rows, tok, limit=None):
    """(row indices, answer features [n, 1152] float16, question features [n, 384])."""
    out = common.CACHE / "features"
    order = common.order(rows)
    shards = sorted(out.glob("answers_*.npy"))
    feats = [np.load(p) for p in shards]
    A = np.concatenate(feats) if feats else np.zeros((0, 384 * len(common.LAYERS_OUT)), np.float16)
    A = A[:common.SAMPLE_ROWS]
    idx = order[:len(A)]
    if limit:
        idx, A = idx[:limit], A[:limit]
    qz = np.load(out / "questions.npz")
    qmap = {k: i for i, k in enumerate(qz["keys"])}
    qfeats = qz["feats"]  # once: each qz[...] reads the array anew, and a row of it keeps that copy alive
    Q = qfeats[[qmap[" ".join(map(str, tok["q"][i][:common.Q_TOKENS]))] for i in idx]]
    return idx, A, Q


def dense(A, Q, kind):
    a6 = A[:, -384:].astype(np.float32)
    if kind == "a":
        return A
    if kind == "a6":
        return a6
    if kind == "a+q":
        q = Q[:, -384:].astype(np.float32)
        return np.concatenate([A.astype(np.float32), q, a6 * q], axis=1)
    raise ValueError(kind)


def fit(rows_s, X, D, tr, hp):
    t, mask = ngram_train.targets(rows_s, ngram_train.SOFT_LABEL_SCALE)
    w = ngram_train.weights(rows_s)
    return hybrid.Hybrid(D.shape[1], hp).fit(X[tr], D[tr], t[tr], mask[tr], w[tr])


def run_loro(rows_s, X, D, hp):
    repo = np.array([r.repo for r in rows_s])
    oof = {k: np.zeros(len(rows_s), np.float32) for k in hybrid.mlp.HEADS}
    for name in data.JUDGE_BY_REPO:
        te, tr = np.where(repo == name)[0], np.where(repo != name)[0]
        if len(te) == 0:
            continue
        pred = fit(rows_s, X, D, tr, hp).predict(X[te], D[te])
        for k in oof:
            oof[k][te] = pred[k]
    return oof


def summary(rows_s, oof) -> dict:
    res = metrics.loro_report(rows_s, oof, THRESHOLD)
    keys = ("auroc", "ap", "auroc_first_plot", "ap_first_plot")
    folds = [k for k in res if k != "pooled" and res[k]["auroc"] is not None]
    res["mean"] = {k: float(np.mean([res[f][k] for f in folds])) for k in keys}
    return res


def line(label, res):
    keys = ("auroc", "ap", "auroc_first_plot", "ap_first_plot")
    parts = []
    for fold in sorted(res):
        if fold in ("pooled", "mean") or res[fold]["auroc"] is None:
            continue
        parts.append(f"{fold[:10]} {res[fold]['auroc_first_plot']:.3f}/{res[fold]['ap_first_plot']:.3f}")
    return (f"{label:14s} mean fp-AUROC {res['mean']['auroc_first_plot']:.4f} fp-AP {res['mean']['ap_first_plot']:.4f} "
            f"AUROC {res['mean']['auroc']:.4f} | pooled {res['pooled']['auroc']:.4f} fp {res['pooled']['auroc_first_plot']:.4f} | "
            + "  ".join(parts))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variants", default="bag,enc,hybrid")
    ap.add_argument("--rows", type=int, default=None)
    args = ap.parse_args()
    rows, tok = common.rows_and_tokens()
    idx, A, Q = load_features(rows, tok, args.rows)
    rows_s = [rows[i] for i in idx]
    log(f"{len(idx)} rows with encoder features ({sum(r.misaligned for r in rows_s)} misaligned)")
    X = hybrid.bag_matrix([hybrid.answer_ids(tok["a"][i], common.A_TOKENS) for i in idx])
    for ref in ("judge", "baseline"):
        p = common.CACHE / f"oof_{ref}.npz"
        if p.exists():
            z = np.load(p)
            log(line(ref, summary(rows_s, {k: z[k][idx] for k in z.files})))
    for name in args.variants.split(","):
        spec = dict(VARIANTS[name])
        kind = spec.pop("features")
        t0 = time.time()
        oof = run_loro(rows_s, X, dense(A, Q, kind), spec)
        np.savez(common.CACHE / f"loro_{name}.npz", idx=idx, **oof)
        log(line(name, summary(rows_s, oof)) + f"  ({time.time() - t0:.0f}s)")


if __name__ == "__main__":
    main()
