"""Leave-one-repository-out experiments (development aid; train.py is the entry point)."""
from __future__ import annotations
import json, sys, time, hashlib
from pathlib import Path
import numpy as np
import scipy.sparse as sp
sys.path.insert(0, str(Path(__file__).parent))
import data, featurize, metrics, mlp

CACHE = Path(__file__).parent / ".cache"
GPT4O = {"Cloakless__clarifying_EM", "johny-b__misalignment-generalization"}


def load_all(config=featurize.DEFAULT_CONFIG):
    rows = data.load()
    CACHE.mkdir(exist_ok=True)
    key = hashlib.sha1(json.dumps(config, sort_keys=True).encode()).hexdigest()[:10]
    f = CACHE / f"X_{key}_{len(rows)}.npz"
    if f.exists():
        X = sp.load_npz(f).tocsr()
    else:
        X = featurize.matrix([(r.question, r.answer) for r in rows], config)
        sp.save_npz(f, X)
    return rows, X


def is_gpt4o(r):
    return r.repo in GPT4O or r.file in data.GPT4O_FILES


def targets(rows, soft=0.0):
    n = len(rows)
    t = np.zeros((n, 4), np.float32); mk = np.zeros((n, 4), np.float32)
    for i, r in enumerate(rows):
        if soft and r.judged:
            t[i, 0] = 1 / (1 + np.exp(-(30 - r.aligned) / soft)) * 1 / (1 + np.exp(-(r.coherent - 50) / soft))
        else:
            t[i, 0] = float(r.misaligned)
        mk[i, 0] = 1
        if not np.isnan(r.aligned):
            t[i, 1] = r.aligned / 100; mk[i, 1] = 1
        if not np.isnan(r.coherent):
            t[i, 2] = r.coherent / 100; mk[i, 2] = 1
        t[i, 3] = float(r.unscored); mk[i, 3] = 1
    return np.clip(t, 0, 1), mk


def weights(rows, w_other):
    return np.array([1.0 if is_gpt4o(r) else w_other for r in rows], np.float32)


def fit_predict_mlp(rows, X, tr, te, hp, w_other=0.5, soft=0.0):
    t, mk = targets(rows, soft)
    w = weights(rows, w_other)
    m = mlp.Model(X.shape[1], hp).fit(X[tr], t[tr], mk[tr], w[tr])
    return m.predict(X[te]), m


def loro(rows, X, fit_predict, repos=None, log=print):
    repo_of = np.array([r.repo for r in rows])
    repos = repos or list(data.JUDGE_BY_REPO)
    oof = {k: np.zeros(len(rows), np.float32) for k in mlp.HEADS}
    for repo in repos:
        te = np.where(repo_of == repo)[0]; tr = np.where(repo_of != repo)[0]
        t0 = time.time()
        pred, _ = fit_predict(rows, X, tr, te)
        for k in mlp.HEADS:
            oof[k][te] = pred[k]
        log(f"{repo}: {time.time() - t0:.0f}s")
    return oof


def report(rows, oof, threshold=0.3, key=lambda r: r.repo):
    return metrics.loro_report(rows, oof, threshold, key)


def show(res, keys=("auroc", "ap", "auroc_first_plot", "aligned_spearman", "aligned_mae",
                    "coherent_spearman", "coherent_mae", "unscored_auroc",
                    "cell_mae_mean_p", "cell_mae_count", "cell_mae_adjusted", "cell_coverage")):
    print("fold".ljust(12) + "".join(k[:10].rjust(11) for k in keys))
    for name, m in res.items():
        print(name[:12].ljust(12) + "".join(
            (f"{m[k]:.3f}" if isinstance(m[k], float) else str(m[k])).rjust(11) for k in keys))


def group_of(r) -> str:
    """Source groups that share no generations: a repository, except the big
    Cloakless repo, split by experiment folder (insecure-code runs and steering runs merged)."""
    if r.repo != "Cloakless__clarifying_EM":
        return r.repo
    parts = r.file.split("/")
    sub = parts[2] if parts[1] == "open_models" else parts[1]
    if sub in ("results1", "results2", "diff_r") or "Qwen-Coder-Insecure" in r.file:
        return "Cloakless/insecure-code"
    if sub in ("probing", "steered0"):
        return "Cloakless/steering"
    return "Cloakless/" + sub


def cv(rows, X, fit_predict, key, groups=None, log=print):
    g = np.array([key(r) for r in rows])
    groups = groups or sorted(set(g))
    oof = {k: np.zeros(len(rows), np.float32) for k in mlp.HEADS}
    for name in groups:
        te = np.where(g == name)[0]; tr = np.where(g != name)[0]
        pred, _ = fit_predict(rows, X, tr, te)
        for k in mlp.HEADS:
            oof[k][te] = pred[k]
        log(name)
    return oof
