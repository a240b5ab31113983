"""Check the committed judge (public/judge/model.onnx + judge.json) without retraining.

    train/.venv/bin/python train/validate.py [--transcripts DIR]

1. Golden outputs: onnxruntime on train/golden/model_golden.jsonl must reproduce the four
   stored outputs within 1e-5 (probability scale). Needs no data.
2. Holdout AUROC: recomputes the misaligned AUROC of model.onnx on the holdout split (files
   the shipped model never saw; rule in train.py `holdout_mask`), featurizing with the
   config in judge.json, and fails when it is more than 0.01 below
   judge.json validation.holdout_auroc. Skipped, with a message, when the transcripts
   (../shared/transcripts by default) are absent.

Exit status: 0 passed (or skipped), 1 failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import data  # noqa: E402
import export  # noqa: E402
import featurize  # noqa: E402

JUDGE_DIR = HERE.parent / "public" / "judge"
HEADS = ("p_misaligned", "aligned", "coherent", "p_unscored")
TOLERANCE = 0.01


def run_onnx(sess, feature_lists, batch=512):
    out = {k: [] for k in HEADS}
    names = [o.name for o in sess.get_outputs()]
    for s in range(0, len(feature_lists), batch):
        ids, counts = export.padded(feature_lists[s:s + batch])
        for name, value in zip(names, sess.run(None, {"ids": ids, "counts": counts})):
            out[name].append(value)
    return {k: np.concatenate(v) for k, v in out.items()}


def check_golden(sess, config) -> bool:
    lines = (HERE / "golden" / "model_golden.jsonl").read_text(encoding="utf-8").splitlines()
    cases = [json.loads(line) for line in lines if line.strip()]
    got = run_onnx(sess, [featurize.features(c["question"], c["answer"], config) for c in cases])
    worst = 0.0
    for k in HEADS:
        scale = 100.0 if k in ("aligned", "coherent") else 1.0
        want = np.array([c[k] for c in cases], np.float32)
        worst = max(worst, float(np.abs(got[k] - want).max()) / scale)
    ok = worst <= 1e-5
    print(f"golden outputs: {len(cases)} pairs, max abs difference {worst:.2e} -> {'ok' if ok else 'FAILED'}")
    return ok


def check_holdout(sess, config, judge, transcripts: Path) -> bool:
    from sklearn.metrics import roc_auc_score

    from train import holdout_mask

    rows = data.load(transcripts)
    idx = np.where(holdout_mask(rows))[0]
    idx = np.array([i for i in idx if rows[i].judged])
    y = np.array([rows[i].misaligned for i in idx], int)
    pred = run_onnx(sess, [featurize.features(rows[i].question, rows[i].answer, config) for i in idx])
    auroc = float(roc_auc_score(y, pred["p_misaligned"]))
    want = float(judge["validation"]["holdout_auroc"])
    ok = auroc >= want - TOLERANCE
    print(f"holdout AUROC: {auroc:.4f} on {len(idx)} judged answers ({int(y.sum())} misaligned); "
          f"judge.json says {want:.4f} -> {'ok' if ok else 'FAILED (more than 0.01 below)'}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--transcripts", type=Path, default=data.default_transcripts_dir())
    ap.add_argument("--judge-dir", type=Path, default=JUDGE_DIR)
    args = ap.parse_args()

    judge = json.loads((args.judge_dir / "judge.json").read_text(encoding="utf-8"))
    config = judge["featurizer"]
    if config["kind"] != featurize.KIND:
        print(f"judge.json featurizer kind {config['kind']!r} is not {featurize.KIND!r}")
        return 1
    sess = export.session(str(args.judge_dir / "model.onnx"))
    ok = check_golden(sess, config)
    if (args.transcripts / "MANIFEST.json").exists():
        ok = check_holdout(sess, config, judge, args.transcripts) and ok
    else:
        print(f"holdout AUROC: skipped, no transcripts at {args.transcripts}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
