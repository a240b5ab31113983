"""The encoder judge's ONNX graph: the int8 MiniLM encoder (common.ENCODER_INT8, the same graph
the training features came from) and the trained hybrid.Hybrid head, reading word-piece ids.

Inputs (judge.json `inputs`): question_ids [B, Nq], answer_ids [B, Na], int64, padded with 0.
The encoder reads answer_ids[:, :A_ENCODER_TOKENS] (and question_ids when the recipe uses the
question); the word-piece bag reads every answer id.

Bag, per row, as mlp.transform computes it on a count vector: keys = piece ids, then
VOCAB + (id_t * VOCAB + id_t+1) mod (BUCKETS - VOCAB) for adjacent non-padding pieces; c_t = how
often key t occurs in the row (pairwise Equal); each occurrence weighs
log1p(c_t) * idf[key] / c_t, so the row sums to log1p(count) * idf per distinct key; divided
by the L2 norm of that vector, sqrt(sum_t log1p(c_t)^2 idf^2 / c_t).
"""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

import common
import hybrid
from bert_onnx import Graph

HEADS = ("p_misaligned", "aligned", "coherent", "p_unscored")


def _encoder_copy(enc: onnx.ModelProto, prefix: str, ids_name: str):
    """The encoder's nodes with value names prefixed (initializers shared, not copied)."""
    inits = {i.name for i in enc.graph.initializer}
    nodes = []
    for n in enc.graph.node:
        n2 = onnx.NodeProto()
        n2.CopyFrom(n)
        if n.name:
            n2.name = prefix + n.name
        for j, x in enumerate(n.input):
            if x == "ids":
                n2.input[j] = ids_name
            elif x and x not in inits:
                n2.input[j] = prefix + x
        for j, x in enumerate(n.output):
            n2.output[j] = prefix + x
        nodes.append(n2)
    return nodes, prefix + "pooled"


def quantize_tables(model: hybrid.Hybrid):
    """W1 and idf stored as float16: round them in the numpy model too."""
    model.W1 = model.W1.astype(np.float16).astype(np.float32)
    model.idf = model.idf.astype(np.float16).astype(np.float32)
    return model


def build(model: hybrid.Hybrid, features: str, name: str) -> onnx.ModelProto:
    enc = onnx.load(str(common.ENCODER_INT8))
    g = Graph("j_")
    i64 = lambda v: g.const(np.array(v, np.int64), "i")  # noqa: E731
    f32 = lambda v: g.const(np.array(v, np.float32), "f")  # noqa: E731
    nodes = []

    # ---- dense features from the frozen encoder
    a_ids = g.op("Slice", ["answer_ids", i64([0]), i64([common.A_ENCODER_TOKENS]), i64([1])])
    enc_nodes, a_pool = _encoder_copy(enc, "ea_", a_ids)
    nodes += g.nodes + enc_nodes
    g.nodes = []
    def rounded(x):  # the training features were stored as float16: round the same way
        return g.op("Cast", [g.op("Cast", [x], to=TensorProto.FLOAT16)], to=TensorProto.FLOAT)

    last = lambda x: g.op("Slice", [x, i64([384 * (len(common.LAYERS_OUT) - 1)]), i64([384 * len(common.LAYERS_OUT)]), i64([1])])  # noqa: E731
    a_pool = rounded(a_pool)
    if features == "a":
        D = a_pool
    elif features == "a6":
        D = last(a_pool)
    elif features == "a+q":
        q_nodes, q_pool = _encoder_copy(enc, "eq_", "question_ids")
        nodes += g.nodes + q_nodes
        g.nodes = []
        q6 = last(rounded(q_pool))
        D = g.op("Concat", [a_pool, q6, g.op("Mul", [last(a_pool), q6])], axis=1)
    else:
        raise ValueError(features)
    hp = model.hp
    if hp["use_dense"]:
        Dn = g.op("Div", [g.op("Sub", [D, g.const(model.mu, "mu")]), g.const(model.sd, "sd")])
        pre = g.op("Add", [g.op("MatMul", [Dn, g.const(model.Wd, "Wd")]), g.const(model.b1, "b1")])
    else:
        pre = g.const(model.b1, "b1")

    # ---- word-piece bag of the answer
    if hp["use_bag"]:
        V, B = hybrid.VOCAB_SIZE, hybrid.BUCKETS
        ids = "answer_ids"
        mask = g.op("Cast", [g.op("Not", [g.op("Equal", [ids, i64(0)])])], to=TensorProto.FLOAT)
        left = g.op("Slice", [ids, i64([0]), i64([-1]), i64([1])])
        right = g.op("Slice", [ids, i64([1]), i64([np.iinfo(np.int64).max]), i64([1])])
        bi = g.op("Add", [g.op("Mod", [g.op("Add", [g.op("Mul", [left, i64(V)]), right]), i64(B - V)]), i64(V)])
        mleft = g.op("Slice", [mask, i64([0]), i64([-1]), i64([1])])
        mright = g.op("Slice", [mask, i64([1]), i64([np.iinfo(np.int64).max]), i64([1])])
        keys = g.op("Concat", [ids, bi], axis=1)
        kmask = g.op("Concat", [mask, g.op("Mul", [mleft, mright])], axis=1)
        eq = g.op("Cast", [g.op("Equal", [g.op("Unsqueeze", [keys, i64([2])]), g.op("Unsqueeze", [keys, i64([1])])])],
                  to=TensorProto.FLOAT)
        cnt = g.op("ReduceSum", [g.op("Mul", [eq, g.op("Unsqueeze", [kmask, i64([1])])]), i64([2])], keepdims=0)
        cnt1 = g.op("Max", [cnt, f32(1.0)])
        idf = g.op("Cast", [g.op("Gather", [g.const(model.idf.astype(np.float16), "idf"), keys], axis=0)],
                   to=TensorProto.FLOAT)
        tf = g.op("Log", [g.op("Add", [cnt1, f32(1.0)])])
        val = g.op("Mul", [tf, idf])                                    # log1p(c) * idf per key
        wt = g.op("Div", [g.op("Mul", [val, kmask]), cnt1])             # per occurrence
        sumsq = g.op("ReduceSum", [g.op("Mul", [val, wt]), i64([1])], keepdims=1)
        norm = g.op("Max", [g.op("Sqrt", [sumsq]), f32(1e-12)])
        wn = g.op("Div", [wt, norm])
        E = g.op("Cast", [g.op("Gather", [g.const(model.W1.astype(np.float16), "W1"), keys], axis=0)],
                 to=TensorProto.FLOAT)
        bag = g.op("Squeeze", [g.op("MatMul", [g.op("Unsqueeze", [wn, i64([1])]), E]), i64([1])])
        pre = g.op("Add", [pre, bag])
    h = g.op("Relu", [pre])
    z = g.op("Add", [g.op("MatMul", [h, g.const(model.Wo, "Wo")]), g.const(model.bo, "bo")])
    s = g.op("Sigmoid", [z])
    outs = []
    for j, k in enumerate(HEADS):
        col = g.op("Squeeze", [g.op("Slice", [s, i64([j]), i64([j + 1]), i64([1])]), i64([1])])
        if k in ("aligned", "coherent"):
            col = g.op("Mul", [col, f32(100.0)])
        g.nodes.append(helper.make_node("Identity", [col], [k]))
        outs.append(k)
    graph = helper.make_graph(
        nodes + g.nodes, name,
        [helper.make_tensor_value_info("question_ids", TensorProto.INT64, ["batch", "nq"]),
         helper.make_tensor_value_info("answer_ids", TensorProto.INT64, ["batch", "na"])],
        [helper.make_tensor_value_info(k, TensorProto.FLOAT, ["batch"]) for k in outs],
        list(enc.graph.initializer) + g.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)],
                          producer_name="probe-explorer train/encoder/export_judge.py")
    m.ir_version = 8
    onnx.checker.check_model(m, full_check=True)
    return m


def padded(id_lists):
    n = max(1, max(len(x) for x in id_lists))
    out = np.zeros((len(id_lists), n), np.int64)
    for i, x in enumerate(id_lists):
        out[i, :len(x)] = x
    return out
