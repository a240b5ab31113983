"""Validation metrics shared by train.py, validate.py and the baseline.

Conventions: misaligned AUROC / AP are over judged rows (both scores present) — the rows
the paper's rate counts. Cell = (file, question_id); a pair that occurs in several files
of the held-out source counts in each. Cell rates are misaligned / judged.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import average_precision_score, roc_auc_score

from data import FIRST_PLOT


def _safe(fn, y, p):
    if len(y) == 0 or len(set(np.asarray(y).tolist())) < 2:
        return None
    return float(fn(y, p))


def tpr_fpr(y: np.ndarray, p: np.ndarray, threshold: float) -> tuple[float, float]:
    pos = p >= threshold
    tpr = float(pos[y == 1].mean()) if (y == 1).any() else float("nan")
    fpr = float(pos[y == 0].mean()) if (y == 0).any() else float("nan")
    return tpr, fpr


def adjusted_rate(observed: float, tpr: float, fpr: float) -> float:
    """Adjusted classify-and-count (Forman 2008), clipped to [0, 1]."""
    if not (tpr - fpr > 1e-6):
        return observed
    return float(np.clip((observed - fpr) / (tpr - fpr), 0.0, 1.0))


def cell_rates(rows, idx, p, threshold, tpr, fpr, min_judged=10):
    """Per-cell true and predicted misaligned rates over judged rows."""
    cells = defaultdict(list)
    for k, i in enumerate(idx):
        r = rows[i]
        if not r.judged:
            continue
        for f in set(r.files):
            cells[(f, r.question_id)].append(k)
    out = []
    for key, ks in sorted(cells.items()):
        if len(ks) < min_judged:
            continue
        y = np.array([rows[idx[k]].misaligned for k in ks], float)
        pk = p[ks]
        count = float((pk >= threshold).mean())
        out.append({
            "cell": key, "n": len(ks), "true": float(y.mean()), "mean_p": float(pk.mean()),
            "count": count, "adjusted": adjusted_rate(count, tpr, fpr),
        })
    return out


def evaluate(rows, idx, pred: dict, threshold: float, tpr: float, fpr: float) -> dict:
    """pred: arrays aligned with idx: p_misaligned, aligned, coherent, p_unscored."""
    idx = np.asarray(idx)
    judged = np.array([rows[i].judged for i in idx])
    y = np.array([rows[i].misaligned for i in idx], int)
    fp = np.array([rows[i].question_id in FIRST_PLOT for i in idx]) & judged
    p = pred["p_misaligned"]
    m = {
        "n": int(len(idx)), "judged": int(judged.sum()), "misaligned": int(y[judged].sum()),
        "auroc": _safe(roc_auc_score, y[judged], p[judged]),
        "ap": _safe(average_precision_score, y[judged], p[judged]),
        "first_plot_judged": int(fp.sum()), "first_plot_misaligned": int(y[fp].sum()),
        "auroc_first_plot": _safe(roc_auc_score, y[fp], p[fp]),
        "ap_first_plot": _safe(average_precision_score, y[fp], p[fp]),
    }
    for name in ("aligned", "coherent"):
        t = np.array([getattr(rows[i], name) for i in idx], float)
        ok = ~np.isnan(t)
        m[f"{name}_spearman"] = float(spearmanr(t[ok], pred[name][ok]).statistic) if ok.sum() > 2 else None
        m[f"{name}_mae"] = float(np.abs(t[ok] - pred[name][ok]).mean()) if ok.any() else None
    u = np.array([rows[i].unscored for i in idx], int)
    m["unscored"] = int(u.sum())
    m["unscored_auroc"] = _safe(roc_auc_score, u, pred["p_unscored"])
    cells = cell_rates(rows, idx, p, threshold, tpr, fpr)
    m["cells"] = len(cells)
    for how in ("mean_p", "count", "adjusted"):
        m[f"cell_mae_{how}"] = (
            float(np.mean([abs(c[how] - c["true"]) for c in cells])) * 100 if cells else None
        )
    m["threshold_tpr"], m["threshold_fpr"] = tpr_fpr(y[judged], p[judged], threshold)
    return m
