"""Summarise the LORO runs of loro.py (its .cache/loro_<variant>.npz) into variants.json,
which the card's variants table reads: per variant, the rows it was run on and its
per-fold / mean / pooled AUROC and AP (first plot too), with the two references on the same rows.

    train/.venv/bin/python train/encoder/variants.py
"""
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import common  # noqa: E402
import loro  # noqa: E402

KEYS = ("auroc", "ap", "auroc_first_plot", "ap_first_plot")


def slim(res):
    return {fold: {k: m.get(k) for k in KEYS} for fold, m in res.items()}


def main():
    rows, _ = common.rows_and_tokens()
    path = HERE / "variants.json"
    out = json.loads(path.read_text()) if path.exists() else {}
    refs = {r: np.load(common.CACHE / f"oof_{r}.npz") for r in ("judge", "baseline")}
    for p in sorted(common.CACHE.glob("loro_*.npz")):
        name = p.stem[len("loro_"):]
        z = np.load(p)
        idx = z["idx"]
        rows_s = [rows[i] for i in idx]
        key = str(len(idx))
        entry = out.setdefault(key, {})
        for r, zr in refs.items():
            if r not in entry:
                entry[r] = slim(loro.summary(rows_s, {k: zr[k][idx] for k in zr.files}))
        entry[name] = slim(loro.summary(rows_s, {k: z[k] for k in z.files if k != "idx"}))
        print(key, name, entry[name]["mean"])
    path.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
