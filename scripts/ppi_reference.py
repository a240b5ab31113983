#!/usr/bin/env python3
"""Reference values for probe_core::ppi, from the `ppi-python` package (Angelopoulos et al.).

Writes crates/core/tests/fixtures/ppi_reference.json: a few labelled/unlabelled data sets
(uniform and weighted, verdict and probability predictions) with ppi_py's PPI++ estimate,
95% interval and tuned lambda. The Rust tests (crates/core/src/ppi/tests.rs) recompute them.

Not part of the test command (ppi-python pulls numba, statsmodels, scikit-learn); run it by hand:
    python3 -m venv /tmp/ppivenv && /tmp/ppivenv/bin/pip install ppi-python==0.2.3
    /tmp/ppivenv/bin/python scripts/ppi_reference.py
"""
import json
import pathlib

import numpy as np
from ppi_py import ppi_mean_ci, ppi_mean_pointestimate
from ppi_py.utils.statistics_utils import construct_weight_vector  # noqa: F401  (weights as ppi_py normalises them)

OUT = pathlib.Path(__file__).resolve().parent.parent / "crates/core/tests/fixtures/ppi_reference.json"


def case(name, rng, n, big_n, rate, tpr, fpr, probability, weighted):
    """n labelled answers, big_n answers in all (the labelled among them), a judge with hit rate
    tpr and false-alarm rate fpr; predictions 0/1 or a noisy probability."""
    y_all = (rng.random(big_n) < rate).astype(float)
    flag = np.where(y_all == 1, rng.random(big_n) < tpr, rng.random(big_n) < fpr).astype(float)
    if probability:
        pred = np.clip(0.15 + 0.6 * flag + rng.normal(0, 0.15, big_n), 0, 1).round(4)
    else:
        pred = flag
    if weighted:
        # Stratified by the prediction: oversample answers the judge flags (inclusion 0.6 vs 0.1).
        pi = np.where(pred >= 0.5, 0.6, 0.1)
        chosen = np.flatnonzero(rng.random(big_n) < pi)[:n]
        w = 1.0 / pi[chosen]
    else:
        chosen = rng.choice(big_n, size=n, replace=False)
        w = np.ones(len(chosen))
    y, yhat = y_all[chosen], pred[chosen]
    kw = {} if not weighted else {"w": w}
    low, high = ppi_mean_ci(y, yhat, pred, alpha=0.05, **kw)
    est = ppi_mean_pointestimate(y, yhat, pred, **kw)
    # The tuned lambda, recovered from the estimate: est = lam*mean(pred) + mean(w(y - lam*yhat)).
    wn = w / w.sum() * len(w)
    a = (wn * y).mean()
    b = pred.mean() - (wn * yhat).mean()
    lam = float((np.asarray(est).item() - a) / b) if abs(b) > 1e-12 else None
    return {
        "name": name,
        "labels": [bool(v) for v in y],
        "labelled_predictions": [float(v) for v in yhat],
        "weights": [float(v) for v in w],
        "predictions": [float(v) for v in pred],
        "estimate": float(np.asarray(est).item()),
        "low": float(np.asarray(low).item()),
        "high": float(np.asarray(high).item()),
        "lambda": lam,
    }


def main():
    rng = np.random.default_rng(20240611)
    cases = [
        case("uniform, verdicts, good judge", rng, 40, 400, 0.2, 0.8, 0.05, False, False),
        case("uniform, probabilities, weak judge", rng, 30, 300, 0.15, 0.35, 0.05, True, False),
        case("uniform, verdicts, small sample", rng, 12, 120, 0.3, 0.6, 0.1, False, False),
        case("uniform, probabilities, many labels", rng, 200, 500, 0.1, 0.7, 0.03, True, False),
        case("stratified weights, verdicts", rng, 60, 600, 0.1, 0.7, 0.05, False, True),
        case("stratified weights, probabilities", rng, 50, 500, 0.2, 0.6, 0.08, True, True),
    ]
    OUT.write_text(json.dumps({"source": "ppi-python 0.2.3, ppi_mean_ci(alpha=0.05) and ppi_mean_pointestimate", "cases": cases}, indent=1) + "\n")
    for c in cases:
        print(f"{c['name']}: estimate {c['estimate']:.6f} [{c['low']:.6f}, {c['high']:.6f}] lambda {c['lambda']}")


if __name__ == "__main__":
    main()
