"""hashed-ngrams-v1: the judge's featurizer, byte for byte the same as
crates/core/src/featurize.rs. The spec is train/FEATURIZER.md; change both or neither.
"""

from __future__ import annotations

import re

KIND = "hashed-ngrams-v1"

# The shipped judge's parameters (public/judge/judge.json is the source of truth).
DEFAULT_CONFIG = {
    "kind": KIND,
    "buckets": 1 << 17,
    "max_answer_tokens": 512,
    "max_question_tokens": 0,
    "answer_bigrams": True,
}

SEP = b"\x1f"  # between a feature's namespace and its text

_FNV_OFFSET = 0xCBF29CE484222325
_FNV_PRIME = 0x100000001B3
_MASK = (1 << 64) - 1

# A token is a maximal run of [a-z0-9_] or bytes >= 0x80; any other ASCII byte that is
# not whitespace (tab, LF, VT, FF, CR, space) is a token of its own.
_TOKEN = re.compile(rb"[a-z0-9_\x80-\xff]+|[^a-z0-9_\x80-\xff\t\n\x0b\x0c\r ]")


def fnv1a64(data: bytes) -> int:
    h = _FNV_OFFSET
    for b in data:
        h = ((h ^ b) * _FNV_PRIME) & _MASK
    return h


def tokens(text: str) -> list[bytes]:
    """Tokens of `text`'s UTF-8 bytes, ASCII A-Z lowercased (bytes.lower touches only A-Z)."""
    return _TOKEN.findall(text.encode("utf-8").lower())


def feature_strings(question: str, answer: str, config: dict = DEFAULT_CONFIG) -> list[bytes]:
    """Every feature occurrence, as the byte string that gets hashed (repeats included)."""
    sep = SEP
    a_toks = tokens(answer)
    q_toks = tokens(question)[: config["max_question_tokens"]]
    n_answer = len(a_toks)
    a_toks = a_toks[: config["max_answer_tokens"]]
    out = [b"q" + sep + t for t in q_toks]
    out += [b"a" + sep + t for t in a_toks]
    if config["answer_bigrams"]:
        out += [b"b" + sep + x + b" " + y for x, y in zip(a_toks, a_toks[1:])]
    out.append(b"len" + sep + str((n_answer + 1).bit_length() - 1).encode())
    if n_answer == 0:
        out.append(b"noanswer")
    return out


def features(question: str, answer: str, config: dict = DEFAULT_CONFIG) -> list[tuple[int, float]]:
    """Sorted unique (bucket, count) pairs: what the Rust `Featurizer::features` returns."""
    buckets = config["buckets"]
    counts: dict[int, float] = {}
    for s in feature_strings(question, answer, config):
        b = fnv1a64(s) % buckets
        counts[b] = counts.get(b, 0.0) + 1.0
    return sorted(counts.items())


def matrix(pairs, config: dict = DEFAULT_CONFIG):
    """scipy CSR [len(pairs), buckets] of raw counts, for training. Memoises hashes,
    which makes it ~20x faster than calling `features` per pair."""
    import numpy as np
    import scipy.sparse as sp

    buckets = config["buckets"]
    memo: dict[bytes, int] = {}
    indptr, indices, data = [0], [], []
    for question, answer in pairs:
        counts: dict[int, float] = {}
        for s in feature_strings(question, answer, config):
            b = memo.get(s)
            if b is None:
                b = memo[s] = fnv1a64(s) % buckets
            counts[b] = counts.get(b, 0.0) + 1.0
        for b in sorted(counts):
            indices.append(b)
            data.append(counts[b])
        indptr.append(len(indices))
    return sp.csr_matrix(
        (np.asarray(data, np.float32), np.asarray(indices, np.int32), np.asarray(indptr, np.int64)),
        shape=(len(pairs), buckets),
    )
