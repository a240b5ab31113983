"""Build the ONNX graph of a trained mlp.Model (opset 17, IR 8) and check it against numpy."""
from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
IR_VERSION = 8


def quantize(model, dtype: str):
    """Round W1 and idf to the stored precision, in place, so numpy and ONNX agree."""
    if dtype == "float16":
        model.W1 = model.W1.astype(np.float16).astype(np.float32)
        model.idf = model.idf.astype(np.float16).astype(np.float32)
    return model


def build(model, dtype: str = "float16", name: str = "probe-judge") -> onnx.ModelProto:
    hp = model.hp
    H, H2, wide = model.H, hp["hidden2"], hp["wide"]
    store = np.float16 if dtype == "float16" else np.float32
    inits = [
        numpy_helper.from_array(model.idf.astype(store), "idf"),
        numpy_helper.from_array(model.W1.astype(store), "W1"),
        numpy_helper.from_array(model.b1, "b1"),
        numpy_helper.from_array(model.Wo, "Wo"),
        numpy_helper.from_array(model.bo, "bo"),
        numpy_helper.from_array(np.array([1.0], np.float32), "one"),
        numpy_helper.from_array(np.array([1e-12], np.float32), "eps"),
        numpy_helper.from_array(np.array([100.0], np.float32), "hundred"),
        numpy_helper.from_array(np.array([1], np.int64), "ax1"),
    ]
    N = []

    def node(op, ins, outs, **kw):
        N.append(helper.make_node(op, ins, outs, **kw))
        return outs[0]

    # tf-idf weights, L2-normalised per row. Padding (count 0) gives log(1) = 0.
    tf = node("Log", [node("Add", ["counts", "one"], ["counts1"])], ["tf"])
    idf = "idf_g"
    node("Gather", ["idf", "ids"], ["idf_raw"], axis=0)
    if dtype == "float16":
        node("Cast", ["idf_raw"], [idf], to=TensorProto.FLOAT)
    else:
        node("Identity", ["idf_raw"], [idf])
    v = node("Mul", [tf, idf], ["v"])
    sq = node("ReduceSum", [node("Mul", [v, v], ["v2"]), "ax1"], ["sumsq"], keepdims=1)
    norm = node("Max", [node("Sqrt", [sq], ["norm0"]), "eps"], ["norm"])
    vn = node("Div", [v, norm], ["vn"])
    # embedding bag: [b, 1, n] @ [b, n, H] -> [b, H]
    node("Gather", ["W1", "ids"], ["E_raw"], axis=0)
    if dtype == "float16":
        node("Cast", ["E_raw"], ["E"], to=TensorProto.FLOAT)
    else:
        node("Identity", ["E_raw"], ["E"])
    bag = node("MatMul", [node("Unsqueeze", [vn, "ax1"], ["vn3"]), "E"], ["bag3"])
    bag = node("Squeeze", [bag, "ax1"], ["bag"])
    if wide:
        inits += [numpy_helper.from_array(np.array(v, np.int64), k) for k, v in
                  (("s0", [0]), ("sH", [H]), ("sH4", [H + 4]), ("ax_last", [-1]))]
        deep = node("Slice", [bag, "s0", "sH", "ax_last"], ["deep"])
        widez = node("Slice", [bag, "sH", "sH4", "ax_last"], ["widez"])
    else:
        deep = bag
    h = node("Relu", [node("Add", [deep, "b1"], ["a1"])], ["h1"])
    if H2:
        inits += [numpy_helper.from_array(model.W2, "W2"), numpy_helper.from_array(model.b2, "b2")]
        h = node("Relu", [node("Add", [node("MatMul", [h, "W2"], ["m2"]), "b2"], ["a2"])], ["h2"])
    z = node("Add", [node("MatMul", [h, "Wo"], ["mo"]), "bo"], ["z0"])
    if wide:
        z = node("Add", [z, widez], ["z"])
    s = node("Sigmoid", [z], ["s"])
    node("Split", [s], ["s_mis", "s_al", "s_co", "s_un"], axis=1, num_outputs=4) if OPSET >= 18 else \
        node("Split", [s], ["s_mis", "s_al", "s_co", "s_un"], axis=1)
    node("Squeeze", ["s_mis", "ax1"], ["p_misaligned"])
    node("Mul", [node("Squeeze", ["s_al", "ax1"], ["s_al1"]), "hundred"], ["aligned"])
    node("Mul", [node("Squeeze", ["s_co", "ax1"], ["s_co1"]), "hundred"], ["coherent"])
    node("Squeeze", ["s_un", "ax1"], ["p_unscored"])

    graph = helper.make_graph(
        N, name,
        [helper.make_tensor_value_info("ids", TensorProto.INT64, ["batch", "n"]),
         helper.make_tensor_value_info("counts", TensorProto.FLOAT, ["batch", "n"])],
        [helper.make_tensor_value_info(k, TensorProto.FLOAT, ["batch"])
         for k in ("p_misaligned", "aligned", "coherent", "p_unscored")],
        inits,
    )
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                          producer_name="probe-explorer train/export.py")
    m.ir_version = IR_VERSION
    onnx.checker.check_model(m, full_check=True)
    return m


def padded(feature_lists):
    """The padded batch the Rust `Featurizer::batch` builds: id 0 / count 0 padding."""
    n = max(1, max((len(f) for f in feature_lists), default=1))
    ids = np.zeros((len(feature_lists), n), np.int64)
    counts = np.zeros((len(feature_lists), n), np.float32)
    for i, f in enumerate(feature_lists):
        for j, (b, c) in enumerate(f):
            ids[i, j], counts[i, j] = b, c
    return ids, counts


def session(path_or_bytes, threads: int = 1):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    return ort.InferenceSession(path_or_bytes, so, providers=["CPUExecutionProvider"])
