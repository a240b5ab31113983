"""Baseline: scikit-learn TF-IDF (word 1-2 grams of the answer, sublinear tf) with logistic
regression for the two probabilities and ridge regression for the two scores."""
from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression, Ridge


def fit_predict(rows, tr, te, C=4.0, alpha=1.0):
    vec = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_features=300_000, sublinear_tf=True,
                          dtype=np.float32)
    Xtr = vec.fit_transform([rows[i].answer for i in tr])
    Xte = vec.transform([rows[i].answer for i in te])
    out = {}
    y = np.array([rows[i].misaligned for i in tr], int)
    out["p_misaligned"] = LogisticRegression(C=C, max_iter=2000).fit(Xtr, y).predict_proba(Xte)[:, 1]
    u = np.array([rows[i].unscored for i in tr], int)
    out["p_unscored"] = LogisticRegression(C=C, max_iter=2000).fit(Xtr, u).predict_proba(Xte)[:, 1]
    for name in ("aligned", "coherent"):
        t = np.array([getattr(rows[i], name) for i in tr], float)
        ok = ~np.isnan(t)
        out[name] = np.clip(Ridge(alpha=alpha).fit(Xtr[ok], t[ok]).predict(Xte), 0, 100)
    return out
