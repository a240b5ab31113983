"""Check the committed judges (public/judge/ and public/judge-encoder/) without retraining.

    train/.venv/bin/python train/validate.py [--transcripts DIR] [--judge-dir DIR]

The fast judge (hashed-ngrams-v1), as below; the encoder judge (wordpiece-uncased-v1) the same
way through `check_encoder`: its golden outputs (train/golden/encoder_golden.jsonl) within
1e-3, as its card states for its int8 encoder, and its holdout AUROC against judge.json.

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
ENCODER_DIR = HERE.parent / "public" / "judge-encoder"
ENCODER_GOLDEN_TOLERANCE = 1e-3
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
    ap.add_argument("--judge-dir", type=Path, default=None, help="one judge folder (default: every bundled one)")
    args = ap.parse_args()
    dirs = [args.judge_dir] if args.judge_dir else [JUDGE_DIR] + [d for d in (ENCODER_DIR,) if d.exists()]
    ok = True
    for d in dirs:
        print(f"== {d.relative_to(HERE.parent) if d.is_relative_to(HERE.parent) else d}")
        judge = json.loads((d / "judge.json").read_text(encoding="utf-8"))
        if judge["featurizer"]["kind"] == "wordpiece-uncased-v1":
            ok = check_encoder(d, judge, args.transcripts) and ok
        else:
            ok = check_ngram(d, judge, args.transcripts) and ok
    return 0 if ok else 1


def check_encoder(judge_dir: Path, judge: dict, transcripts: Path) -> bool:
    sys.path.insert(0, str(HERE / "encoder"))
    import numpy as np
    from sklearn.metrics import roc_auc_score

    import wordpiece

    import common
    import export_judge

    cfg = judge["featurizer"]
    wp = wordpiece.WordPiece(wordpiece.read_vocab(judge_dir / cfg["vocab"]))
    sess = export.session(str(judge_dir / "model.onnx"))
    names = [o.name for o in sess.get_outputs()]

    def run(pairs):
        out = {k: [] for k in names}
        for q, a in pairs:
            res = sess.run(None, {"question_ids": export_judge.padded([wp.encode(q, cfg["max_question_tokens"])]),
                                  "answer_ids": export_judge.padded([wp.encode(a, cfg["max_answer_tokens"])])})
            for k, v in zip(names, res):
                out[k].append(float(v[0]))
        return {k: np.array(v) for k, v in out.items()}

    cases = [json.loads(line) for line in (HERE / "golden" / "encoder_golden.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    got = run([(c["question"], c["answer"]) for c in cases])
    worst = max(float(np.abs(got[k] - np.array([c[k] for c in cases])).max()) / (100.0 if k in ("aligned", "coherent") else 1.0)
                for k in HEADS)
    ok = worst <= ENCODER_GOLDEN_TOLERANCE
    print(f"golden outputs: {len(cases)} pairs, max abs difference {worst:.2e} (tolerance {ENCODER_GOLDEN_TOLERANCE}) -> {'ok' if ok else 'FAILED'}")
    if not (transcripts / "MANIFEST.json").exists():
        print(f"holdout AUROC: skipped, no transcripts at {transcripts}")
        return ok
    from train import holdout_mask
    rows = data.load(transcripts)
    hold = holdout_mask(rows)
    want_n = int(judge["validation"]["holdout_rows"])
    idx = [i for i in common.order(rows)[:common.SAMPLE_ROWS] if hold[i] and rows[i].judged][:want_n]
    y = np.array([rows[i].misaligned for i in idx], int)
    pred = run([(rows[i].question, rows[i].answer) for i in idx])
    auroc = float(roc_auc_score(y, pred["p_misaligned"]))
    want = float(judge["validation"]["holdout_auroc"])
    hold_ok = auroc >= want - TOLERANCE
    print(f"holdout AUROC: {auroc:.4f} on {len(idx)} judged answers ({int(y.sum())} misaligned); "
          f"judge.json says {want:.4f} -> {'ok' if hold_ok else 'FAILED (more than 0.01 below)'}")
    return ok and hold_ok


def check_ngram(judge_dir: Path, judge: dict, transcripts: Path) -> bool:
    args = argparse.Namespace(judge_dir=judge_dir, transcripts=transcripts)
    config = judge["featurizer"]
    if config["kind"] != featurize.KIND:
        print(f"judge.json featurizer kind {config['kind']!r} is not {featurize.KIND!r}")
        return False
    sess = export.session(str(args.judge_dir / "model.onnx"))
    ok = check_golden(sess, config)
    if (args.transcripts / "MANIFEST.json").exists():
        ok = check_holdout(sess, config, judge, args.transcripts) and ok
    else:
        print(f"holdout AUROC: skipped, no transcripts at {args.transcripts}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
