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

import data
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


def confusion(y: np.ndarray, p: np.ndarray, threshold: float) -> dict:
    """The confusion counts behind tpr/fpr: corrections need counts, not just ratios, for intervals."""
    flagged = p >= threshold
    return {
        "positives": int(y.sum()),
        "true_positives": int((flagged & (y == 1)).sum()),
        "negatives": int((y == 0).sum()),
        "false_positives": int((flagged & (y == 0)).sum()),
    }


# A source's error counts enter the correction only with this many answers in each class.
MIN_CALIBRATION_CLASS = 20


def calibration_by_source(rows, p, threshold, group=lambda r: r.repo, exclude=()) -> list[dict]:
    """Per-source confusion counts of out-of-fold predictions `p` (aligned with rows), for the
    rate correction. Sources whose rows were selected by their scores (data.SELECTED_BY_SCORE)
    are left out: their error rates are not those of counting a model's answers."""
    by = defaultdict(list)
    for i, r in enumerate(rows):
        g = group(r)
        if r.judged and g not in exclude and r.repo not in data.SELECTED_BY_SCORE:
            by[g].append(i)
    out = []
    for g, idx in sorted(by.items()):
        idx = np.array(idx)
        c = confusion(np.array([rows[i].misaligned for i in idx], int), p[idx], threshold)
        if min(c["positives"], c["negatives"]) >= MIN_CALIBRATION_CLASS:
            out.append({"source": g, **c})
    return out


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    if n == 0:
        return 0.0, 1.0
    ph = k / n
    d = 1 + z * z / n
    c = (ph + z * z / (2 * n)) / d
    h = z * np.sqrt(ph * (1 - ph) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def corrected_rate(k: int, n: int, sources: list[dict]):
    """Adjusted classify-and-count with the judge's error measured on several sources; the
    Python twin of probe_core::agreement::corrected_rate (see there for the reasoning).
    Returns (estimate, low, high), or None when no correction is possible."""
    if n == 0 or not sources:
        return None
    tprs = [(s["true_positives"], s["positives"]) for s in sources]
    fprs = [(s["false_positives"], s["negatives"]) for s in sources]
    tpr = float(np.mean([a / b for a, b in tprs]))
    fpr = float(np.mean([a / b for a, b in fprs]))
    tpr_low = min(wilson(a, b)[0] for a, b in tprs)
    tpr_high = max(wilson(a, b)[1] for a, b in tprs)
    fpr_low = min(wilson(a, b)[0] for a, b in fprs)
    fpr_high = max(wilson(a, b)[1] for a, b in fprs)
    if tpr <= fpr or tpr_low <= fpr_high:
        return None

    def correct(q, t, f):
        return float(np.clip((q - f) / (t - f), 0.0, 1.0))

    q_low, q_high = wilson(k, n)
    low = min(correct(q_low, t, f) for t in (tpr_low, tpr_high) for f in (fpr_low, fpr_high))
    high = max(correct(q_high, t, f) for t in (tpr_low, tpr_high) for f in (fpr_low, fpr_high))
    return correct(k / n, tpr, fpr), low, high


def cell_rates(rows, idx, p, threshold, sources, min_judged=10):
    """Per-cell true and predicted misaligned rates over judged rows; p is aligned with idx."""
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
        flagged = int((p[ks] >= threshold).sum())
        cell = {"cell": key, "n": len(ks), "true": float(y.mean()), "mean_p": float(p[ks].mean()),
                "count": flagged / len(ks)}
        corrected = corrected_rate(flagged, len(ks), sources)
        if corrected:
            cell["adjusted"], cell["low"], cell["high"] = corrected
        out.append(cell)
    return out


def cell_summary(cells) -> dict:
    """Mean absolute error of each cell-rate estimate (points), and how often the corrected
    rate's 95% interval holds the true rate (with its mean width, points)."""
    m = {"cells": len(cells)}
    for how in ("mean_p", "count", "adjusted"):
        have = [c for c in cells if how in c]
        m[f"cell_mae_{how}"] = float(np.mean([abs(c[how] - c["true"]) for c in have])) * 100 if have else None
    corrected = [c for c in cells if "low" in c]
    m["cells_corrected"] = len(corrected)
    m["cell_coverage"] = (
        float(np.mean([c["low"] <= c["true"] <= c["high"] for c in corrected])) if corrected else None)
    m["cell_interval_width"] = (
        float(np.mean([c["high"] - c["low"] for c in corrected])) * 100 if corrected else None)
    return m


def evaluate(rows, idx, pred: dict, threshold: float, sources=(), cells=None) -> dict:
    """pred: arrays aligned with idx: p_misaligned, aligned, coherent, p_unscored. Cell rates are
    corrected with `sources` (calibration_by_source), unless the `cells` are given."""
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
    if cells is None:
        cells = cell_rates(rows, idx, p, threshold, list(sources))
    m.update(cell_summary(cells))
    m["threshold_tpr"], m["threshold_fpr"] = tpr_fpr(y[judged], p[judged], threshold)
    return m


def loro_report(rows, oof, threshold, group=lambda r: r.repo, merge_sources=False) -> dict:
    """Metrics per held-out group and pooled. Each group's cell rates are corrected with the
    other groups' per-source error counts (summed into one with `merge_sources`), as a user
    of a new source would have them; the pooled row pools those cells."""
    g = np.array([group(r) for r in rows])
    p = oof["p_misaligned"]
    res, pooled_cells = {}, []
    for name in sorted(set(g)):
        te = np.where(g == name)[0]
        sources = calibration_by_source(rows, p, threshold, group, exclude={name})
        if merge_sources:
            sources = pooled_calibration(sources)
        cells = cell_rates(rows, te, p[te], threshold, sources)
        res[name] = evaluate(rows, te, {k: v[te] for k, v in oof.items()}, threshold, cells=cells)
        pooled_cells += cells
    res["pooled"] = evaluate(rows, np.arange(len(rows)), oof, threshold, cells=pooled_cells)
    return res


def pooled_calibration(sources: list[dict]) -> list[dict]:
    """The per-source counts summed into one source: the correction as if the judge's error
    were one fixed pair of rates (the model card compares it with the per-source correction)."""
    if not sources:
        return []
    keys = ("positives", "true_positives", "negatives", "false_positives")
    return [{"source": "pooled", **{k: sum(s[k] for s in sources) for k in keys}}]
