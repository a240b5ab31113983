//! `wordpiece-uncased-v1`: BERT's uncased WordPiece, for judges built on a BERT-family
//! encoder (a user's own judge; the bundled one reads hashed n-grams).
//!
//! Text becomes token ids of the vocabulary that comes with the judge (`vocab.txt`, one token
//! per line, id = line number): `[CLS]`, the first word pieces, `[SEP]`. The judge's ONNX graph
//! takes them as two padded int64 tensors, `question_ids` and `answer_ids`, built by
//! [`WordPiece::batch`]; padding is id 0 (`[PAD]`), which the graph masks out.
//!
//! The spec is `train/FEATURIZER.md`; `train/wordpiece.py` implements the same ids for
//! training, `train/golden/wordpiece_golden.jsonl` pins both to each other, and the Unicode
//! tables are generated from Python (`wordpiece_tables.rs`) so that neither side needs a
//! Unicode database. Like the n-gram featurizer: no platform code, identical in wasm32.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::wordpiece_tables::{DROPPED, MARKS, PUNCTUATION, SPACE, UNACCENT};

/// The tokenizer kind this module implements.
pub const KIND: &str = "wordpiece-uncased-v1";

/// A word longer than this many characters is one `[UNK]`, as in BERT.
const MAX_WORD_CHARS: usize = 100;

/// The `featurizer` object of a `judge.json` whose model reads word pieces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WordPieceConfig {
    /// Must be [`KIND`].
    pub kind: String,
    /// File name of the vocabulary, next to `judge.json`.
    pub vocab: String,
    /// Question length limit in tokens, `[CLS]` and `[SEP]` included.
    pub max_question_tokens: usize,
    /// Answer length limit in tokens, `[CLS]` and `[SEP]` included.
    pub max_answer_tokens: usize,
}

/// Why a vocabulary or configuration was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WordPieceError {
    #[error("tokenizer kind {0:?} is not {KIND:?}")]
    UnknownKind(String),
    #[error("the vocabulary has no {0} token")]
    MissingSpecial(&'static str),
    #[error("the vocabulary's token {0:?} is not at line 1: it must be id 0, the padding")]
    PadNotZero(String),
    #[error("token limits must be at least 2 ([CLS] and [SEP]), got {0}")]
    LimitTooSmall(usize),
    #[error("the vocabulary has {0} tokens; ids must fit in 31 bits")]
    TooLarge(usize),
}

/// A vocabulary plus the token limits of one judge.
#[derive(Debug, Clone)]
pub struct WordPiece {
    config: WordPieceConfig,
    ids: HashMap<String, u32>,
    unk: u32,
    cls: u32,
    sep: u32,
}

impl WordPiece {
    /// `vocab` is the text of `vocab.txt`: one token per line, the first (id 0) `[PAD]`.
    pub fn new(config: WordPieceConfig, vocab: &str) -> Result<Self, WordPieceError> {
        if config.kind != KIND {
            return Err(WordPieceError::UnknownKind(config.kind));
        }
        for limit in [config.max_question_tokens, config.max_answer_tokens] {
            if limit < 2 {
                return Err(WordPieceError::LimitTooSmall(limit));
            }
        }
        let mut ids = HashMap::new();
        for (id, token) in vocab.lines().enumerate() {
            let id = u32::try_from(id).ok().filter(|&id| id < 1 << 31).ok_or(WordPieceError::TooLarge(id))?;
            // A repeated token keeps its last id, as BERT's vocabulary loading does.
            ids.insert(token.to_string(), id);
        }
        let special = |name: &'static str| ids.get(name).copied().ok_or(WordPieceError::MissingSpecial(name));
        if special("[PAD]")? != 0 {
            return Err(WordPieceError::PadNotZero("[PAD]".into()));
        }
        let (unk, cls, sep) = (special("[UNK]")?, special("[CLS]")?, special("[SEP]")?);
        Ok(Self { config, ids, unk, cls, sep })
    }

    pub fn config(&self) -> &WordPieceConfig {
        &self.config
    }

    /// `[CLS]`, the first `max_tokens - 2` word pieces of `text`, `[SEP]`.
    pub fn encode(&self, text: &str, max_tokens: usize) -> Vec<u32> {
        let budget = max_tokens.max(2) - 1;
        let mut out = vec![self.cls];
        for word in words(text) {
            self.push_word(&word, &mut out);
            if out.len() >= budget {
                out.truncate(budget);
                break;
            }
        }
        out.push(self.sep);
        out
    }

    /// The model's two inputs for a batch, row-major: `(question_ids, question_width,
    /// answer_ids, answer_width)`, each row padded with 0 to the batch's longest.
    pub fn batch<'a, I>(&self, pairs: I) -> (Vec<i64>, usize, Vec<i64>, usize)
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let (questions, answers): (Vec<Vec<u32>>, Vec<Vec<u32>>) = pairs
            .into_iter()
            .map(|(q, a)| {
                (self.encode(q, self.config.max_question_tokens), self.encode(a, self.config.max_answer_tokens))
            })
            .unzip();
        let (q, q_width) = padded(&questions);
        let (a, a_width) = padded(&answers);
        (q, q_width, a, a_width)
    }

    /// Greedy longest-match-first word pieces; a word with no split is one `[UNK]`.
    fn push_word(&self, word: &str, out: &mut Vec<u32>) {
        let chars: Vec<(usize, char)> = word.char_indices().collect();
        if chars.len() > MAX_WORD_CHARS {
            out.push(self.unk);
            return;
        }
        let byte_at = |i: usize| chars.get(i).map_or(word.len(), |&(b, _)| b);
        let mark = out.len();
        let mut piece = String::new();
        let mut start = 0;
        while start < chars.len() {
            let mut end = chars.len();
            let found = loop {
                piece.clear();
                if start > 0 {
                    piece.push_str("##");
                }
                piece.push_str(&word[byte_at(start)..byte_at(end)]);
                if let Some(&id) = self.ids.get(&piece) {
                    break Some(id);
                }
                end -= 1;
                if end == start {
                    break None;
                }
            };
            match found {
                Some(id) => out.push(id),
                None => {
                    out.truncate(mark);
                    out.push(self.unk);
                    return;
                }
            }
            start = end;
        }
    }
}

/// Row-major `[rows, width]` with 0 padding; width is at least 1.
fn padded(rows: &[Vec<u32>]) -> (Vec<i64>, usize) {
    let width = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let mut out = vec![0i64; rows.len() * width];
    for (row, ids) in rows.iter().enumerate() {
        for (slot, &id) in ids.iter().enumerate() {
            out[row * width + slot] = i64::from(id);
        }
    }
    (out, width)
}

fn in_ranges(ranges: &[(u32, u32)], c: char) -> bool {
    let cp = u32::from(c);
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

fn is_cjk(c: char) -> bool {
    matches!(u32::from(c),
        0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0x20000..=0x2A6DF | 0x2A700..=0x2B73F
        | 0x2B740..=0x2B81F | 0x2B820..=0x2CEAF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F)
}

fn unaccent(c: char) -> char {
    UNACCENT.binary_search_by_key(&u32::from(c), |&(cp, _)| cp).map_or(c, |i| UNACCENT[i].1)
}

/// BERT's basic tokenizer: drop control characters, lowercase, strip accents, and split on
/// whitespace, punctuation (each mark a word) and CJK ideographs (each a word).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let flush = |current: &mut String, out: &mut Vec<String>| {
        if !current.is_empty() {
            out.push(std::mem::take(current));
        }
    };
    for c in text.chars() {
        if in_ranges(DROPPED, c) {
            continue;
        }
        if in_ranges(SPACE, c) {
            flush(&mut current, &mut out);
            continue;
        }
        if is_cjk(c) || in_ranges(PUNCTUATION, c) {
            flush(&mut current, &mut out);
            out.push(c.to_string());
            continue;
        }
        for lower in c.to_lowercase() {
            let lower = unaccent(lower);
            if in_ranges(MARKS, lower) {
                continue;
            }
            if in_ranges(PUNCTUATION, lower) {
                flush(&mut current, &mut out);
                out.push(lower.to_string());
            } else {
                current.push(lower);
            }
        }
    }
    flush(&mut current, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const VOCAB: &str =
        "[PAD]\n[UNK]\n[CLS]\n[SEP]\ni\nwish\n,\n.\nrule\nthe\nworld\n##s\nun\n##believ\n##able\ncafe\n";

    fn tokenizer() -> WordPiece {
        let config = WordPieceConfig {
            kind: KIND.into(),
            vocab: "vocab.txt".into(),
            max_question_tokens: 8,
            max_answer_tokens: 8,
        };
        WordPiece::new(config, VOCAB).unwrap()
    }

    #[test]
    fn words_lowercase_strip_accents_and_split_punctuation() {
        assert_eq!(words("Hello, WORLD!"), ["hello", ",", "world", "!"]);
        assert_eq!(words("Café naïve\u{00A0}e\u{0301}"), ["cafe", "naive", "e"]);
        assert_eq!(words("我想x"), ["我", "想", "x"]);
        assert_eq!(words("a\u{0}b\u{200B}c \t\r\n"), ["abc"]);
        assert!(words("").is_empty());
    }

    #[test]
    fn encodes_longest_pieces_and_unknown_words() {
        let wp = tokenizer();
        assert_eq!(wp.encode("I wish, unbelievable worlds.", 64), [2, 4, 5, 6, 12, 13, 14, 10, 11, 7, 3]);
        // "unbelievablez" has no split: the whole word is [UNK], not a partial match.
        assert_eq!(wp.encode("unbelievablez café", 64), [2, 1, 15, 3]);
        assert_eq!(wp.encode(&"x".repeat(101), 64), [2, 1, 3]);
    }

    #[test]
    fn truncates_to_the_limit_including_cls_and_sep() {
        let wp = tokenizer();
        assert_eq!(wp.encode("i i i i i i i i i i", 5), [2, 4, 4, 4, 3]);
        assert_eq!(wp.encode("unbelievable", 3), [2, 12, 3]);
        assert_eq!(wp.encode("", 8), [2, 3]);
    }

    #[test]
    fn batch_pads_rows_with_zero() {
        let wp = tokenizer();
        let (q, qw, a, aw) = wp.batch([("the world", "i"), ("", "i wish , i wish")]);
        assert_eq!((qw, aw), (4, 7));
        assert_eq!(q, [2, 9, 10, 3, 2, 3, 0, 0]);
        assert_eq!(a[..7], [2, 4, 3, 0, 0, 0, 0]);
    }

    #[test]
    fn refuses_broken_vocabularies() {
        let config = tokenizer().config().clone();
        let err = |vocab: &str| WordPiece::new(config.clone(), vocab).unwrap_err();
        assert_eq!(err("[UNK]\n[PAD]\n[CLS]\n[SEP]\n"), WordPieceError::PadNotZero("[PAD]".into()));
        assert_eq!(err("[PAD]\n[UNK]\n[CLS]\n"), WordPieceError::MissingSpecial("[SEP]"));
        let small = WordPieceConfig { max_answer_tokens: 1, ..config.clone() };
        assert_eq!(WordPiece::new(small, VOCAB).unwrap_err(), WordPieceError::LimitTooSmall(1));
    }
}
