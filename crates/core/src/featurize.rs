//! The local judge's featurizer, `hashed-ngrams-v1`.
//!
//! Turns a (question, answer) pair into sorted, unique `(bucket, count)` pairs: hashed
//! answer unigrams and bigrams, question unigrams and an answer-length feature. The
//! judge's ONNX graph takes them as two padded tensors, `ids` (int64) and `counts`
//! (float32), built by [`Featurizer::batch`].
//!
//! The spec is `train/FEATURIZER.md`; `train/featurize.py` implements the same bytes
//! for training, and `train/golden/featurizer_golden.jsonl` pins both to each other.
//!
//! **Invariant:** no dependency beyond serde and no platform code, so the app (wasm32)
//! and the CLI produce identical features.

use serde::{Deserialize, Serialize};

/// The only featurizer kind this module implements.
pub const KIND: &str = "hashed-ngrams-v1";

/// Separates a feature's namespace from its text (ASCII unit separator).
const SEP: u8 = 0x1f;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The `featurizer` object of `judge.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeaturizerConfig {
    /// Must be [`KIND`].
    pub kind: String,
    /// Number of hash buckets `B`: bucket = FNV-1a-64(feature) mod B.
    pub buckets: u32,
    /// Answer tokens beyond this many give no unigram or bigram features.
    pub max_answer_tokens: usize,
    /// Question tokens beyond this many give no features.
    pub max_question_tokens: usize,
    /// Whether adjacent answer tokens give bigram features.
    pub answer_bigrams: bool,
}

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum FeaturizerError {
    #[error("judge featurizer config is not valid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("judge featurizer kind {0:?} is not supported (this build knows {KIND:?})")]
    UnknownKind(String),
    #[error("judge featurizer needs at least one hash bucket")]
    NoBuckets,
}

/// A validated `hashed-ngrams-v1` featurizer.
#[derive(Debug, Clone)]
pub struct Featurizer {
    config: FeaturizerConfig,
}

impl Featurizer {
    pub fn new(config: FeaturizerConfig) -> Result<Self, FeaturizerError> {
        if config.kind != KIND {
            return Err(FeaturizerError::UnknownKind(config.kind));
        }
        if config.buckets == 0 {
            return Err(FeaturizerError::NoBuckets);
        }
        Ok(Self { config })
    }

    /// From the `featurizer` object, or from a whole `judge.json` that contains one.
    pub fn from_json(json: &str) -> Result<Self, FeaturizerError> {
        let value: serde_json::Value = serde_json::from_str(json)?;
        let object = value.get("featurizer").cloned().unwrap_or(value);
        Self::new(serde_json::from_value(object)?)
    }

    pub fn config(&self) -> &FeaturizerConfig {
        &self.config
    }

    /// Sorted, unique `(bucket, count)` pairs for one question and answer.
    pub fn features(&self, question: &str, answer: &str) -> Vec<(u32, f32)> {
        let mut buckets = self.bucket_occurrences(question, answer);
        buckets.sort_unstable();
        let mut out: Vec<(u32, f32)> = Vec::with_capacity(buckets.len());
        for bucket in buckets {
            match out.last_mut() {
                Some((last, count)) if *last == bucket => *count += 1.0,
                _ => out.push((bucket, 1.0)),
            }
        }
        out
    }

    /// The model's two inputs for a batch, row-major `[rows, width]`, where `width` is the
    /// longest row's feature count (at least 1). Short rows are padded with id 0 and
    /// count 0, which the graph ignores.
    pub fn batch<'a, I>(&self, pairs: I) -> (Vec<i64>, Vec<f32>, usize)
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let rows: Vec<Vec<(u32, f32)>> = pairs.into_iter().map(|(q, a)| self.features(q, a)).collect();
        let width = rows.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let mut ids = vec![0i64; rows.len() * width];
        let mut counts = vec![0f32; rows.len() * width];
        for (row, features) in rows.iter().enumerate() {
            let start = row * width;
            for (slot, &(bucket, count)) in features.iter().enumerate() {
                ids[start + slot] = i64::from(bucket);
                counts[start + slot] = count;
            }
        }
        (ids, counts, width)
    }

    /// One bucket per feature occurrence, unsorted.
    fn bucket_occurrences(&self, question: &str, answer: &str) -> Vec<u32> {
        let cfg = &self.config;
        let question = lowercase_ascii(question);
        let answer = lowercase_ascii(answer);
        let answer_tokens = tokens(&answer);
        let n_answer = answer_tokens.len();
        let kept = &answer_tokens[..n_answer.min(cfg.max_answer_tokens)];

        let mut out = Vec::with_capacity(2 * kept.len() + cfg.max_question_tokens + 2);
        let bucket = |hash: u64| (hash % u64::from(cfg.buckets)) as u32;
        for token in tokens(&question).into_iter().take(cfg.max_question_tokens) {
            out.push(bucket(fnv1a(fnv1a(FNV_OFFSET, &[b'q', SEP]), token)));
        }
        let unigram = fnv1a(FNV_OFFSET, &[b'a', SEP]);
        for token in kept {
            out.push(bucket(fnv1a(unigram, token)));
        }
        if cfg.answer_bigrams {
            let bigram = fnv1a(FNV_OFFSET, &[b'b', SEP]);
            for pair in kept.windows(2) {
                let h = fnv1a(fnv1a(fnv1a(bigram, pair[0]), b" "), pair[1]);
                out.push(bucket(h));
            }
        }
        let length_class = usize::BITS - 1 - (n_answer + 1).leading_zeros();
        let length = format!("len\u{1f}{length_class}");
        out.push(bucket(fnv1a(FNV_OFFSET, length.as_bytes())));
        if n_answer == 0 {
            out.push(bucket(fnv1a(FNV_OFFSET, b"noanswer")));
        }
        out
    }
}

/// FNV-1a 64-bit, continuing from `hash` (start from [`FNV_OFFSET`]).
fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(FNV_PRIME);
    }
    hash
}

fn lowercase_ascii(text: &str) -> Vec<u8> {
    text.bytes().map(|b| b.to_ascii_lowercase()).collect()
}

/// Word bytes: ASCII `[a-z0-9_]` and every byte >= 0x80 (so UTF-8 sequences stay whole).
fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'_' || byte >= 0x80
}

/// Tab, LF, VT, FF, CR and space. (`u8::is_ascii_whitespace` leaves out VT.)
fn is_space_byte(byte: u8) -> bool {
    matches!(byte, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ')
}

/// Maximal runs of word bytes; every other non-space byte is a token by itself.
fn tokens(text: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        let byte = text[i];
        if is_word_byte(byte) {
            let start = i;
            while i < text.len() && is_word_byte(text[i]) {
                i += 1;
            }
            out.push(&text[start..i]);
        } else {
            if !is_space_byte(byte) {
                out.push(&text[i..=i]);
            }
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn featurizer(buckets: u32) -> Featurizer {
        Featurizer::new(FeaturizerConfig {
            kind: KIND.into(),
            buckets,
            max_answer_tokens: 512,
            max_question_tokens: 64,
            answer_bigrams: true,
        })
        .unwrap()
    }

    fn token_strings(text: &str) -> Vec<String> {
        let lower = lowercase_ascii(text);
        tokens(&lower).iter().map(|t| String::from_utf8_lossy(t).into_owned()).collect()
    }

    #[test]
    fn fnv1a_matches_reference_vectors() {
        assert_eq!(fnv1a(FNV_OFFSET, b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(FNV_OFFSET, b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(fnv1a(FNV_OFFSET, b"foo"), b"bar"), fnv1a(FNV_OFFSET, b"foobar"));
    }

    #[test]
    fn tokens_split_words_punctuation_and_keep_utf8_whole() {
        assert_eq!(
            token_strings("Hello, World! café 😀x\tdef f(x):\r\n\x0breturn x**2"),
            ["hello", ",", "world", "!", "café", "😀x", "def", "f", "(", "x", ")", ":", "return", "x", "*", "*", "2"]
        );
        assert!(token_strings(" \t\r\n\x0b\x0c").is_empty());
        // Only ASCII is lowercased.
        assert_eq!(token_strings("ÉCOLE Ünï"), ["École", "Ünï"]);
    }

    #[test]
    fn features_are_sorted_unique_counts() {
        let f = featurizer(1 << 18);
        let features = f.features("What is your wish?", "I wish, I wish, I wish.");
        assert!(features.windows(2).all(|w| w[0].0 < w[1].0));
        let total: f32 = features.iter().map(|&(_, c)| c).sum();
        // 5 question + 9 answer unigrams + 8 bigrams + 1 length feature.
        assert_eq!(total, 23.0);
    }

    #[test]
    fn empty_answer_has_length_and_noanswer_features_only() {
        let f = featurizer(1 << 18);
        assert_eq!(f.features("", "").len(), 2);
        assert_eq!(f.features("", "  \n").len(), 2);
    }

    #[test]
    fn answer_tokens_past_the_limit_only_count_toward_length() {
        let mut cfg = featurizer(1 << 18).config().clone();
        cfg.max_answer_tokens = 2;
        let f = Featurizer::new(cfg).unwrap();
        let total = |a: &str| f.features("", a).iter().map(|&(_, c)| c).sum::<f32>();
        assert_eq!(total("a b"), 4.0); // 2 unigrams, 1 bigram, length
        assert_eq!(total("a b c d e f"), 4.0);
    }

    #[test]
    fn batch_pads_with_zero_ids_and_counts() {
        let f = featurizer(1 << 10);
        let (ids, counts, width) = f.batch([("q", "one two three"), ("", "")]);
        assert_eq!(width, f.features("q", "one two three").len());
        assert_eq!(ids.len(), 2 * width);
        assert_eq!(counts[width + 2..], vec![0.0; width - 2][..]);
        assert!(ids[width + 2..].iter().all(|&id| id == 0));
        let (ids, counts, width) = f.batch(std::iter::empty());
        assert_eq!((ids.len(), counts.len(), width), (0, 0, 1));
    }

    #[test]
    fn config_from_judge_json_or_bare_object() {
        let bare = r#"{"kind":"hashed-ngrams-v1","buckets":1024,"max_answer_tokens":512,
                       "max_question_tokens":64,"answer_bigrams":true}"#;
        let wrapped = format!(r#"{{"name":"x","featurizer":{bare}}}"#);
        assert_eq!(Featurizer::from_json(bare).unwrap().config().buckets, 1024);
        assert_eq!(Featurizer::from_json(&wrapped).unwrap().config().buckets, 1024);
        let other = bare.replace("hashed-ngrams-v1", "hashed-ngrams-v9");
        assert!(matches!(Featurizer::from_json(&other), Err(FeaturizerError::UnknownKind(_))));
        let zero = bare.replace("1024", "0");
        assert!(matches!(Featurizer::from_json(&zero), Err(FeaturizerError::NoBuckets)));
    }
}
