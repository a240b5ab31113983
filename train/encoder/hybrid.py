"""The encoder judge's trainable part, in numpy: a bag of word-piece n-grams (the n-gram judge's
embedding bag, over word pieces instead of hashed words) and the frozen MiniLM's mean-pooled
states, added into one hidden layer with four sigmoid heads.

    h = ReLU(bag(answer pieces) @ W1 + std(D) @ Wd + b1),  z = h @ Wo + bo

`bag` is mlp.transform's sublinear tf-idf, L2-normalised, over word-piece unigrams (bucket =
piece id) and hashed bigrams of the first A_TOKENS answer pieces; D = the frozen encoder's
features (common.LAYERS_OUT pools of the answer, and the question's last-layer pool times
the answer's). Trained like mlp.Model: lazy Adagrad on W1, Adam elsewhere.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

import mlp

VOCAB_SIZE = 30522
BUCKETS = 1 << 17


def piece_keys(ids) -> np.ndarray:
    """Bag keys of one answer's ids ([CLS] ... [SEP], no padding): unigrams, then bigrams."""
    a = np.asarray(ids, np.int64)
    bi = VOCAB_SIZE + (a[:-1] * VOCAB_SIZE + a[1:]) % (BUCKETS - VOCAB_SIZE)
    return np.concatenate([a, bi])


def bag_matrix(id_lists) -> sp.csr_matrix:
    indptr, indices = [0], []
    for ids in id_lists:
        k = piece_keys(ids)
        indices.append(k)
        indptr.append(indptr[-1] + len(k))
    ind = np.concatenate(indices)
    X = sp.csr_matrix((np.ones(len(ind), np.float32), ind, np.array(indptr)), shape=(len(id_lists), BUCKETS))
    X.sum_duplicates()
    X.sort_indices()
    return X


def answer_ids(a512, max_tokens):
    """The judge's answer ids at max_tokens from the ids at 512 ([CLS] pieces [SEP])."""
    pieces = a512[1:-1]
    return [a512[0]] + list(pieces[:max_tokens - 2]) + [a512[-1]]


DEFAULT_HP = dict(mlp.DEFAULT_HP, hidden=32, epochs=4, opt_w1="adagrad", lr_w1=0.05, lr=2e-3,
                  dropout_in=0.2, dropout_h=0.2, dropout_d=0.1, use_bag=True, use_dense=True,
                  l2_dense=0.0)


class Hybrid:
    def __init__(self, d: int, hp: dict):
        self.hp = dict(DEFAULT_HP, **hp)
        rng = np.random.default_rng(self.hp["seed"])
        H = self.hp["hidden"]
        self.H = H
        self.idf = np.ones(BUCKETS, np.float32)
        self.W1 = (rng.standard_normal((BUCKETS, H)) * self.hp["init_w1"]).astype(np.float32)
        self.Wd = (rng.standard_normal((d, H)) * np.sqrt(1.0 / d)).astype(np.float32)
        self.b1 = np.zeros(H, np.float32)
        self.Wo = (rng.standard_normal((H, 4)) * np.sqrt(1.0 / H)).astype(np.float32)
        self.bo = np.zeros(4, np.float32)
        self.mu = np.zeros(d, np.float32)
        self.sd = np.ones(d, np.float32)

    def logits(self, Xn, Dn):
        a = self.b1[None, :] + 0.0
        if self.hp["use_bag"]:
            a = a + Xn @ self.W1
        if self.hp["use_dense"]:
            a = a + Dn @ self.Wd
        return np.maximum(a, 0.0) @ self.Wo + self.bo

    def predict(self, X, D, batch=8192):
        zs = []
        for s in range(0, X.shape[0], batch):
            Xn = mlp.transform(X[s:s + batch], self.idf)
            Dn = (D[s:s + batch].astype(np.float32) - self.mu) / self.sd
            zs.append(self.logits(Xn, Dn))
        z = np.concatenate(zs).astype(np.float32)
        s = mlp._sigmoid(z.astype(np.float64)).astype(np.float32)
        return {"p_misaligned": s[:, 0], "aligned": 100 * s[:, 1], "coherent": 100 * s[:, 2],
                "p_unscored": s[:, 3]}

    def fit(self, X, D, targets, mask, weight, log=None):
        hp = self.hp
        rng = np.random.default_rng(hp["seed"] + 1)
        self.idf = mlp.idf_from(X)
        Xn = mlp.transform(X, self.idf)
        D = D.astype(np.float32)
        self.mu = D.mean(0)
        # a floor: some pooled dimensions are (nearly) constant, and dividing by a tiny spread would
        # blow the int8 encoder's rounding noise up into the scores
        self.sd = np.maximum(D.std(0), 0.05)
        Dn = (D - self.mu) / self.sd
        n = X.shape[0]
        hw = np.asarray(hp["head_weights"], np.float32)
        dense = {k: getattr(self, k) for k in ("b1", "Wo", "bo", "Wd")}
        m = {k: np.zeros_like(v) for k, v in dense.items()}
        v = {k: np.zeros_like(v) for k, v in dense.items()}
        v1 = np.zeros_like(self.W1)
        b1_, b2_, eps = 0.9, 0.999, 1e-8
        step = 0
        wsum = weight.mean()
        for epoch in range(hp["epochs"]):
            order = rng.permutation(n)
            tot = 0.0
            for s in range(0, n, hp["batch"]):
                idx = order[s:s + hp["batch"]]
                a1 = np.zeros((len(idx), self.H), np.float32) + self.b1
                if hp["use_bag"]:
                    Xb = Xn[idx]
                    cols, inv = np.unique(Xb.indices, return_inverse=True)
                    data = Xb.data.copy()
                    if hp["dropout_in"] > 0:
                        keep = rng.random(data.shape[0]) >= hp["dropout_in"]
                        data = data * keep / (1.0 - hp["dropout_in"])
                    Xc = sp.csr_matrix((data.astype(np.float32), inv, Xb.indptr), shape=(len(idx), len(cols)))
                    W1c = self.W1[cols]
                    a1 = a1 + Xc @ W1c
                if hp["use_dense"]:
                    Db = Dn[idx]
                    if hp["dropout_d"] > 0:
                        Db = Db * (rng.random(Db.shape) >= hp["dropout_d"]) / (1.0 - hp["dropout_d"])
                    a1 = a1 + Db @ self.Wd
                h1 = np.maximum(a1, 0.0)
                if hp["dropout_h"] > 0:
                    d1 = (rng.random(h1.shape) >= hp["dropout_h"]) / (1.0 - hp["dropout_h"])
                    h1 = h1 * d1
                z = h1 @ self.Wo + self.bo
                p = mlp._sigmoid(z)
                w = (weight[idx] / wsum)[:, None] * mask[idx] * hw[None, :]
                tb = targets[idx]
                tot += float(-(w * (tb * np.log(p + 1e-7) + (1 - tb) * np.log(1 - p + 1e-7))).sum())
                dz = (w * (p - tb) / len(idx)).astype(np.float32)
                g = {"Wo": h1.T @ dz, "bo": dz.sum(0)}
                dh1 = dz @ self.Wo.T
                if hp["dropout_h"] > 0:
                    dh1 = dh1 * d1
                da1 = (dh1 * (a1 > 0)).astype(np.float32)
                g["b1"] = da1.sum(0)
                g["Wd"] = (Db.T @ da1 + hp["l2_dense"] * self.Wd) if hp["use_dense"] else np.zeros_like(self.Wd)
                step += 1
                for k in dense:
                    m[k] = b1_ * m[k] + (1 - b1_) * g[k]
                    v[k] = b2_ * v[k] + (1 - b2_) * g[k] ** 2
                    mh = m[k] / (1 - b1_ ** step)
                    vh = v[k] / (1 - b2_ ** step)
                    dense[k] -= (hp["lr"] * mh / (np.sqrt(vh) + eps)).astype(np.float32)
                if hp["use_bag"]:
                    gW1 = np.asarray(Xc.T @ da1, np.float32)
                    v1[cols] += gW1 ** 2
                    self.W1[cols] = W1c - (hp["lr_w1"] * gW1 / (np.sqrt(v1[cols]) + 1e-6)).astype(np.float32)
            if log:
                log(f"  epoch {epoch + 1}: loss {tot / n:.4f}")
        return self
