"""Build the encoder judge (public/judge-encoder/) from the published transcripts.

    train/encoder/setup.sh && train/encoder/run.sh       # the whole pipeline, resumable

This step (after tokenize/features/oof_reference):
1. the rows whose frozen-encoder features exist (features.py; a fixed random order, so a
   prefix is a uniform random sample) with their word-piece bags;
2. leave-one-repository-out predictions of the chosen recipe (RECIPE), compared on the same
   rows with the bundled n-gram judge's recipe and the TF-IDF baseline (oof_reference.py,
   trained on all rows of the other repositories);
3. the shipped model: the recipe trained on every sampled row outside the fixed holdout files
   (train/train.py `holdout_mask`), exported to ONNX with the int8 encoder, checked against numpy;
4. public/judge-encoder/{model.onnx, judge.json, vocab.txt}, train/encoder/metrics.json,
   train/golden/encoder_golden.jsonl, and the card (card.py).
"""
from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import common  # noqa: E402
import export_judge  # noqa: E402
import hybrid  # noqa: E402
import loro  # noqa: E402
import metrics  # noqa: E402
import train as ngram_train  # noqa: E402

REPO = HERE.parent.parent
OUT = REPO / "public" / "judge-encoder"
NAME = "probe-judge-minilm-encoder"
VERSION = "1.0.0"
RECIPE = "hybrid"          # a key of loro.VARIANTS, chosen by loro.py (see the card)
THRESHOLD = loro.THRESHOLD
HOLDOUT_SAMPLE = 1500      # holdout rows the ONNX model is checked on (validate.py re-scores them)
SPEED_SAMPLE = 300


def log(*a):
    print(*a, flush=True)


def run_judge(sess, pairs):
    """The shipped ONNX judge on (question_ids, answer_ids) pairs, one pair per run."""
    names = [o.name for o in sess.get_outputs()]
    out = {k: np.zeros(len(pairs), np.float32) for k in names}
    for j, (q, a) in enumerate(pairs):
        res = sess.run(None, {"question_ids": export_judge.padded([q]), "answer_ids": export_judge.padded([a])})
        for k, v in zip(names, res):
            out[k][j] = v[0]
    return out


def holdout_rows(rows, idx):
    """Holdout rows of the sample, in the fixed order, judged, the first HOLDOUT_SAMPLE."""
    hold = ngram_train.holdout_mask(rows)
    return [i for i in idx if hold[i] and rows[i].judged][:HOLDOUT_SAMPLE]


def main():
    t0 = time.time()
    rows, tok = common.rows_and_tokens()
    idx, A, Q = loro.load_features(rows, tok)
    rows_s = [rows[i] for i in idx]
    log(f"{len(idx)} of {len(rows)} rows have encoder features")
    a_ids = [hybrid.answer_ids(tok["a"][i], common.A_TOKENS) for i in idx]
    X = hybrid.bag_matrix(a_ids)
    spec = dict(loro.VARIANTS[RECIPE])
    kind = spec.pop("features")
    D = loro.dense(A, Q, kind)

    # 2. leave-one-repository-out on the sample
    res = {}
    for ref in ("judge", "baseline"):
        z = np.load(common.CACHE / f"oof_{ref}.npz")
        res[ref] = loro.summary(rows_s, {k: z[k][idx] for k in z.files})
    cached = common.CACHE / f"loro_{RECIPE}.npz"
    z = np.load(cached) if cached.exists() else None
    if z is not None and len(z["idx"]) == len(idx) and (z["idx"] == idx).all():
        oof = {k: z[k] for k in z.files if k != "idx"}   # loro.py ran this recipe on these rows
    else:
        oof = loro.run_loro(rows_s, X, D, spec)
        np.savez(cached, idx=idx, **oof)
    res["encoder"] = loro.summary(rows_s, oof)
    log(loro.line("encoder", res["encoder"]))
    ablations = {}
    for name in loro.VARIANTS:
        p = common.CACHE / f"loro_{name}.npz"
        if name != RECIPE and p.exists():
            z = np.load(p)
            if len(z["idx"]) == len(idx) and (z["idx"] == idx).all():
                ablations[name] = loro.summary(rows_s, {k: z[k] for k in z.files if k != "idx"})
    judged = np.array([r.judged for r in rows_s])
    y = np.array([r.misaligned for r in rows_s], int)
    calibration = metrics.confusion(y[judged], oof["p_misaligned"][judged], THRESHOLD)
    by_source = metrics.calibration_by_source(rows_s, oof["p_misaligned"], THRESHOLD)

    # 3. the shipped model
    hold = ngram_train.holdout_mask(rows_s)
    tr = np.where(~hold)[0]
    log(f"shipped model: {len(tr)} training rows")
    model = loro.fit(rows_s, X, D, tr, spec)
    export_judge.quantize_tables(model)
    onx = export_judge.build(model, kind, NAME)
    OUT.mkdir(parents=True, exist_ok=True)
    onnx_path = OUT / "model.onnx"
    onnx_path.write_bytes(onx.SerializeToString())
    shutil.copyfile(common.VOCAB, OUT / "vocab.txt")
    sess = export_judge_session(onnx_path)

    hrows = holdout_rows(rows, idx)
    pos = {i: j for j, i in enumerate(idx)}
    hj = np.array([pos[i] for i in hrows])
    got = run_judge(sess, [(tok["q"][i], a_ids[pos[i]]) for i in hrows])
    ref = model.predict(X[hj], D[hj])
    diff = {k: float(np.abs(got[k] - ref[k]).max() / (100 if k in ("aligned", "coherent") else 1))
            for k in export_judge.HEADS}
    log(f"ONNX vs numpy on {len(hrows)} holdout rows (probability scale): {diff}")
    hold_m = metrics.evaluate(rows, np.array(hrows), got, THRESHOLD, by_source)
    log(f"holdout (ONNX): AUROC {hold_m['auroc']:.4f}, first plot {hold_m['auroc_first_plot']}")

    # speed: one thread, one answer per run, real answers
    sp_idx = list(range(SPEED_SAMPLE))
    pairs = [(tok["q"][idx[j]], a_ids[j]) for j in sp_idx]
    run_judge(sess, pairs[:20])
    t1 = time.time()
    run_judge(sess, pairs)
    speed = len(pairs) / (time.time() - t1)
    log(f"speed: {speed:.1f} answers/s (onnxruntime Python, 1 thread, batch 1)")

    # 4. files
    pooled = res["encoder"]["pooled"]
    judge_json = {
        "name": NAME,
        "version": VERSION,
        "featurizer": {"kind": "wordpiece-uncased-v1", "vocab": "vocab.txt",
                       "max_question_tokens": common.Q_TOKENS, "max_answer_tokens": common.A_TOKENS},
        "inputs": {"question_ids": "question_ids", "answer_ids": "answer_ids"},
        "outputs": {k: k for k in export_judge.HEADS},
        "decision_threshold": THRESHOLD,
        # dynamically quantized (int8): its activations are scaled per run, so one answer per run
        "max_batch_size": 1,
        "validation": {
            "method": ("leave-one-repository-out, pooled out-of-fold predictions on judged answers"
                       + ("" if len(idx) == len(rows) else f" (a uniform random sample of {len(idx)} of {len(rows)} rows)")),
            "tpr": round(calibration["true_positives"] / calibration["positives"], 4),
            "fpr": round(calibration["false_positives"] / calibration["negatives"], 4),
            "calibration": calibration,
            "calibration_by_source": by_source,
            "auroc": round(pooled["auroc"], 4),
            "auroc_first_plot": round(pooled["auroc_first_plot"], 4),
            "holdout_auroc": round(hold_m["auroc"], 4),
            "holdout_auroc_first_plot": round(hold_m["auroc_first_plot"], 4),
            "holdout_tpr": round(hold_m["threshold_tpr"], 4),
            "holdout_fpr": round(hold_m["threshold_fpr"], 4),
            "holdout_rows": len(hrows),
            "holdout": (f"the first {len(hrows)} judged rows of holdout files (sha1(path) % 10 == 0) in "
                        "train/encoder's fixed row order; see train/validate.py"),
        },
    }
    (OUT / "judge.json").write_text(json.dumps(judge_json, indent=2) + "\n", encoding="utf-8")
    write_golden(sess)
    out = {
        "recipe": RECIPE, "features": kind, "hyperparameters": {k: v for k, v in model.hp.items()},
        "rows_sampled": int(len(idx)), "rows_total": len(rows), "train_rows": int(len(tr)),
        "misaligned_sampled": int(y[judged].sum()),
        "tokens": {"question": common.Q_TOKENS, "answer_bag": common.A_TOKENS,
                   "answer_encoder": common.A_ENCODER_TOKENS, "layers_pooled": list(common.LAYERS_OUT)},
        "loro": res, "ablations": ablations,
        "holdout": {"rows": len(hrows), "encoder": hold_m},
        "onnx_bytes": onnx_path.stat().st_size, "onnx_vs_numpy": diff,
        "speed_answers_per_s_python_1_thread": round(speed, 1),
        "seconds": round(time.time() - t0),
    }
    (HERE / "metrics.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    write_card()
    log(f"done in {time.time() - t0:.0f}s: {onnx_path} ({onnx_path.stat().st_size / 1e6:.1f} MB)")


def write_card():
    """train/encoder/card.py (train/train.py puts train/ first on the path, whose card.py is the fast judge's)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("encoder_card", HERE / "card.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.write()


def export_judge_session(path):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def write_golden(sess):
    import wordpiece
    wp = wordpiece.WordPiece(wordpiece.read_vocab(common.VOCAB))
    pairs = [(wp.encode(q, common.Q_TOKENS), wp.encode(a, common.A_TOKENS)) for q, a in ngram_train.GOLDEN_PAIRS]
    got = run_judge(sess, pairs)
    path = HERE.parent / "golden" / "encoder_golden.jsonl"
    with path.open("w", encoding="utf-8") as f:
        for j, (q, a) in enumerate(ngram_train.GOLDEN_PAIRS):
            f.write(json.dumps({"question": q, "answer": a, **{k: round(float(got[k][j]), 6)
                                                              for k in export_judge.HEADS}},
                               ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
