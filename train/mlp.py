"""The judge network in numpy: hashed n-gram counts -> sublinear tf * idf -> L2 norm ->
embedding bag (W1) -> ReLU -> [dense -> ReLU] -> four heads. Trained with hand-written
backprop and "lazy" Adam (only the W1 rows a minibatch touches are updated), which keeps a
[buckets, hidden] table cheap to train on two cores.

The forward pass here is the reference the ONNX graph (export.py) must match within 1e-5.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

HEADS = ("p_misaligned", "aligned", "coherent", "p_unscored")

DEFAULT_HP = {
    "hidden": 32,
    "hidden2": 0,          # 0: no second layer
    "epochs": 6,
    "batch": 256,
    "lr": 2e-3,
    "lr_w1": 2e-3,
    "init_w1": 0.05,
    "weight_decay_w1": 0.0,  # L2 on touched W1 rows, added to the gradient
    "opt_w1": "adam",
    "wide": False,         # 4 extra W1 columns that skip the ReLU and add to the 4 logits      # "adam" (lazy) or "adagrad"
    "dropout_in": 0.2,     # drops input features (inverted scaling)
    "dropout_h": 0.2,
    "head_weights": (1.0, 0.5, 0.5, 0.5),
    "seed": 0,
}


def idf_from(X: sp.csr_matrix) -> np.ndarray:
    """Smooth idf as in scikit-learn: ln((1 + n) / (1 + df)) + 1."""
    df = np.bincount(X.indices, minlength=X.shape[1]).astype(np.float64)
    return (np.log((1.0 + X.shape[0]) / (1.0 + df)) + 1.0).astype(np.float32)


def transform(X: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """log1p(count) * idf, then each row scaled to unit L2 norm (all-zero rows stay zero)."""
    Xt = X.astype(np.float32, copy=True)
    Xt.data = np.log1p(Xt.data) * idf[Xt.indices]
    norms = np.sqrt(np.asarray(Xt.multiply(Xt).sum(axis=1)).ravel()).astype(np.float32)
    scale = np.where(norms > 0, 1.0 / np.maximum(norms, 1e-12), 0.0).astype(np.float32)
    Xt.data *= np.repeat(scale, np.diff(Xt.indptr))
    return Xt


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


class Model:
    def __init__(self, buckets: int, hp: dict):
        self.hp = dict(DEFAULT_HP, **hp)
        rng = np.random.default_rng(self.hp["seed"])
        H, H2 = self.hp["hidden"], self.hp["hidden2"]
        self.idf = np.ones(buckets, np.float32)
        self.W1 = (rng.standard_normal((buckets, H + 4 * self.hp["wide"])) * self.hp["init_w1"]).astype(np.float32)
        self.b1 = np.zeros(H, np.float32)
        self.H = H
        last = H
        if H2:
            self.W2 = (rng.standard_normal((H, H2)) * np.sqrt(2.0 / H)).astype(np.float32)
            self.b2 = np.zeros(H2, np.float32)
            last = H2
        self.Wo = (rng.standard_normal((last, 4)) * np.sqrt(1.0 / last)).astype(np.float32)
        self.bo = np.zeros(4, np.float32)

    def dense_params(self):
        names = ["b1", "Wo", "bo"] + (["W2", "b2"] if self.hp["hidden2"] else [])
        return names

    # ---- forward -------------------------------------------------------------------
    def logits(self, Xn: sp.csr_matrix) -> np.ndarray:
        e = Xn @ self.W1
        h = np.maximum(e[:, :self.H] + self.b1, 0.0)
        if self.hp["hidden2"]:
            h = np.maximum(h @ self.W2 + self.b2, 0.0)
        z = h @ self.Wo + self.bo
        if self.hp["wide"]:
            z = z + e[:, self.H:]
        return z

    def predict(self, X: sp.csr_matrix, batch: int = 8192) -> dict:
        """X: raw counts. Returns the four outputs as the ONNX graph computes them."""
        outs = []
        for s in range(0, X.shape[0], batch):
            outs.append(self.logits(transform(X[s:s + batch], self.idf)))
        z = np.concatenate(outs).astype(np.float32)
        s = _sigmoid(z.astype(np.float64)).astype(np.float32)
        return {"p_misaligned": s[:, 0], "aligned": 100 * s[:, 1], "coherent": 100 * s[:, 2],
                "p_unscored": s[:, 3]}

    # ---- training ------------------------------------------------------------------
    def fit(self, X: sp.csr_matrix, targets: np.ndarray, mask: np.ndarray, weight: np.ndarray,
            log=None):
        """targets/mask: [n, 4] in head order (probabilities in [0, 1]); weight: [n]."""
        hp = self.hp
        rng = np.random.default_rng(hp["seed"] + 1)
        self.idf = idf_from(X)
        Xn = transform(X, self.idf)
        n = X.shape[0]
        hw = np.asarray(hp["head_weights"], np.float32)
        dense = {k: getattr(self, k) for k in self.dense_params()}
        m = {k: np.zeros_like(v) for k, v in dense.items()}
        v = {k: np.zeros_like(v) for k, v in dense.items()}
        m1 = np.zeros_like(self.W1)
        v1 = np.zeros_like(self.W1)
        t1 = np.zeros(self.W1.shape[0], np.int64)  # per-row step count for bias correction
        b1_, b2_, eps = 0.9, 0.999, 1e-8
        step = 0
        wsum = weight.mean()
        for epoch in range(hp["epochs"]):
            order = rng.permutation(n)
            tot = 0.0
            for s in range(0, n, hp["batch"]):
                idx = order[s:s + hp["batch"]]
                Xb = Xn[idx]
                cols, inv = np.unique(Xb.indices, return_inverse=True)
                data = Xb.data.copy()
                if hp["dropout_in"] > 0:
                    keep = rng.random(data.shape[0]) >= hp["dropout_in"]
                    data = data * keep / (1.0 - hp["dropout_in"])
                Xc = sp.csr_matrix((data.astype(np.float32), inv, Xb.indptr), shape=(len(idx), len(cols)))
                W1c = self.W1[cols]
                e = Xc @ W1c
                a1 = e[:, :self.H] + self.b1
                h1 = np.maximum(a1, 0.0)
                if hp["dropout_h"] > 0:
                    d1 = (rng.random(h1.shape) >= hp["dropout_h"]) / (1.0 - hp["dropout_h"])
                    h1 = h1 * d1
                if hp["hidden2"]:
                    a2 = h1 @ self.W2 + self.b2
                    h2 = np.maximum(a2, 0.0)
                    last = h2
                else:
                    last = h1
                z = last @ self.Wo + self.bo
                if hp["wide"]:
                    z = z + e[:, self.H:]
                p = _sigmoid(z)
                w = (weight[idx] / wsum)[:, None] * mask[idx] * hw[None, :]
                tb = targets[idx]
                tot += float(-(w * (tb * np.log(p + 1e-7) + (1 - tb) * np.log(1 - p + 1e-7))).sum())
                dz = (w * (p - tb) / len(idx)).astype(np.float32)
                g = {"Wo": last.T @ dz, "bo": dz.sum(0)}
                dlast = dz @ self.Wo.T
                if hp["hidden2"]:
                    da2 = dlast * (a2 > 0)
                    g["W2"] = h1.T @ da2
                    g["b2"] = da2.sum(0)
                    dh1 = da2 @ self.W2.T
                else:
                    dh1 = dlast
                if hp["dropout_h"] > 0:
                    dh1 = dh1 * d1
                da1 = dh1 * (a1 > 0)
                g["b1"] = da1.sum(0)
                if hp["wide"]:
                    da1 = np.concatenate([da1, dz], axis=1)
                gW1 = np.asarray(Xc.T @ da1, np.float32)
                if hp["weight_decay_w1"]:
                    gW1 += hp["weight_decay_w1"] * W1c
                step += 1
                lr = hp["lr"]
                for k in dense:
                    m[k] = b1_ * m[k] + (1 - b1_) * g[k]
                    v[k] = b2_ * v[k] + (1 - b2_) * g[k] ** 2
                    mh = m[k] / (1 - b1_ ** step)
                    vh = v[k] / (1 - b2_ ** step)
                    dense[k] -= (lr * mh / (np.sqrt(vh) + eps)).astype(np.float32)
                if hp["opt_w1"] == "adagrad":
                    v1[cols] += gW1 ** 2
                    self.W1[cols] = W1c - (hp["lr_w1"] * gW1 / (np.sqrt(v1[cols]) + 1e-6)).astype(np.float32)
                else:
                    t1[cols] += 1
                    tc = t1[cols][:, None]
                    m1[cols] = b1_ * m1[cols] + (1 - b1_) * gW1
                    v1[cols] = b2_ * v1[cols] + (1 - b2_) * gW1 ** 2
                    mh = m1[cols] / (1 - b1_ ** tc)
                    vh = v1[cols] / (1 - b2_ ** tc)
                    self.W1[cols] = W1c - (hp["lr_w1"] * mh / (np.sqrt(vh) + eps)).astype(np.float32)
            if log:
                log(f"  epoch {epoch + 1}: loss {tot / n:.4f}")
        return self
