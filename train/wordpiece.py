"""wordpiece-uncased-v1: BERT's uncased WordPiece tokenizer, as crates/core/src/wordpiece.rs
implements it. The spec is train/FEATURIZER.md; change both or neither.

It follows BERT's BasicTokenizer + WordPiece with one deliberate restriction so that the
Rust side needs no Unicode database: accents are stripped, and punctuation and format
characters recognised, through tables generated here from Python's unicodedata
(`rust_tables` writes crates/core/src/wordpiece_tables.rs). Accents are stripped only for
letters in the Latin, Greek and Cyrillic blocks (U+00C0-U+024F, U+0370-U+04FF,
U+1E00-U+1FFF), and free-standing combining marks (category Mn) are dropped; other
precomposed letters are kept whole where BERT would decompose them.
"""

from __future__ import annotations

import sys
import unicodedata

KIND = "wordpiece-uncased-v1"
MAX_WORD_CHARS = 100
ACCENT_BLOCKS = ((0x00C0, 0x024F), (0x0370, 0x04FF), (0x1E00, 0x1FFF))


def _ranges(pred, limit=0x110000):
    out, start = [], None
    for cp in range(limit):
        if pred(cp):
            if start is None:
                start = cp
        elif start is not None:
            out.append((start, cp - 1))
            start = None
    if start is not None:
        out.append((start, limit - 1))
    return out


def _is_punct_cp(cp: int) -> bool:
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(chr(cp)).startswith("P")


def _is_dropped_cp(cp: int) -> bool:
    """Removed before tokenizing: NUL, U+FFFD and control/format characters other than whitespace."""
    if cp in (0, 0xFFFD):
        return True
    c = chr(cp)
    if c in "\t\n\r":
        return False
    return unicodedata.category(c) in ("Cc", "Cf")


def _is_space_cp(cp: int) -> bool:
    c = chr(cp)
    return c in " \t\n\r" or unicodedata.category(c) == "Zs"


def _unaccent(cp: int) -> str:
    base = "".join(ch for ch in unicodedata.normalize("NFD", chr(cp)) if unicodedata.category(ch) != "Mn")
    return base


PUNCT = _ranges(_is_punct_cp)
MARKS = _ranges(lambda cp: unicodedata.category(chr(cp)) == "Mn")
DROPPED = _ranges(_is_dropped_cp)
SPACE = _ranges(_is_space_cp)
# (codepoint, replacement) for the accent blocks, after lowercasing; only where NFD changes it
UNACCENT = [(cp, _unaccent(cp)) for lo, hi in ACCENT_BLOCKS for cp in range(lo, hi + 1)
            if chr(cp).lower() == chr(cp) and _unaccent(cp) != chr(cp) and len(_unaccent(cp)) == 1]
_UNACCENT = dict(UNACCENT)


def _in(ranges, cp) -> bool:
    lo, hi = 0, len(ranges)
    while lo < hi:
        mid = (lo + hi) // 2
        a, b = ranges[mid]
        if cp < a:
            hi = mid
        elif cp > b:
            lo = mid + 1
        else:
            return True
    return False


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def words(text: str) -> list[str]:
    """BasicTokenizer: clean, lowercase, strip accents, split on whitespace, punctuation and CJK."""
    out, cur = [], []

    def flush():
        if cur:
            out.append("".join(cur))
            cur.clear()

    for ch in text:
        cp = ord(ch)
        if _in(DROPPED, cp):
            continue
        if _in(SPACE, cp):
            flush()
            continue
        if _is_cjk(cp) or _in(PUNCT, cp):
            flush()
            out.append(ch)
            continue
        for lc in ch.lower():
            lc = _UNACCENT.get(ord(lc), lc)
            if _in(MARKS, ord(lc)):
                continue
            if _in(PUNCT, ord(lc)):   # lowercasing never makes punctuation, but stay exact
                flush()
                out.append(lc)
            else:
                cur.append(lc)
    flush()
    return out


def read_vocab(path) -> list[str]:
    """One token per line, as the Rust side reads it (`str::lines`: LF, optional CR before it)."""
    from pathlib import Path
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


class WordPiece:
    def __init__(self, vocab: list[str]):
        self.index = {t: i for i, t in enumerate(vocab)}
        self.unk, self.cls, self.sep = self.index["[UNK]"], self.index["[CLS]"], self.index["[SEP]"]

    def word_ids(self, word: str, out: list[int]):
        if len(word) > MAX_WORD_CHARS:
            out.append(self.unk)
            return
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                sub = word[start:end] if start == 0 else "##" + word[start:end]
                found = self.index.get(sub)
                if found is not None:
                    break
                end -= 1
            if found is None:
                out.append(self.unk)
                return
            pieces.append(found)
            start = end
        out.extend(pieces)

    def encode(self, text: str, max_tokens: int) -> list[int]:
        """[CLS] + the first max_tokens - 2 word pieces + [SEP]."""
        ids = [self.cls]
        budget = max_tokens - 1
        for w in words(text):
            self.word_ids(w, ids)
            if len(ids) >= budget:
                del ids[budget:]
                break
        ids.append(self.sep)
        return ids


def rust_tables() -> str:
    """crates/core/src/wordpiece_tables.rs: the tables above, for the Rust tokenizer."""
    import sys as _sys

    def ranges(name, doc, rs):
        body = "".join(f"    (0x{a:04X}, 0x{b:04X}),\n" for a, b in rs)
        return f"/// {doc}\npub(crate) const {name}: &[(u32, u32)] = &[\n{body}];\n\n"

    unaccent = "".join(f"    (0x{cp:04X}, {repr(ch).replace(chr(39), chr(39))}),\n".replace(f"'{ch}'", f"'\\u{{{ord(ch):04x}}}'")
                       for cp, ch in UNACCENT)
    return (
        "// @generated by train/wordpiece.py (`python train/wordpiece.py --rust-tables`) from Python "
        f"{_sys.version_info.major}.{_sys.version_info.minor}'s unicodedata\n"
        f"// (Unicode {unicodedata.unidata_version}). Do not edit; regenerate with the Python side.\n\n"
        + ranges("PUNCTUATION", "ASCII symbols and Unicode punctuation (P*): each is a word of its own.", PUNCT)
        + ranges("DROPPED", "NUL, U+FFFD, and control/format characters other than tab, LF and CR: removed.", DROPPED)
        + ranges("SPACE", "Whitespace (space, tab, LF, CR, Zs): separates words.", SPACE)
        + ranges("MARKS", "Non-spacing combining marks (Mn): dropped after lowercasing, as BERT's accent stripping does.", MARKS)
        + "/// Accented Latin, Greek and Cyrillic letters (after lowercasing) and their base letter.\n"
        + f"pub(crate) const UNACCENT: &[(u32, char)] = &[\n{unaccent}];\n"
    )


if __name__ == "__main__":
    if sys.argv[1:] == ["--rust-tables"]:
        from pathlib import Path
        out = Path(__file__).resolve().parent.parent / "crates/core/src/wordpiece_tables.rs"
        out.write_text(rust_tables(), encoding="utf-8")
        print(f"wrote {out}")
