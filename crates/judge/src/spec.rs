//! `judge.json`: the contract between the trained model and the code that runs it.

use std::collections::BTreeMap;

use ort::value::TensorElementType;
use probe_core::agreement::Calibration;
use probe_core::featurize::{self, Featurizer, FeaturizerConfig};
use probe_core::wordpiece::{self, WordPiece, WordPieceConfig};
use serde::{Deserialize, Serialize};

use crate::JudgeError;

/// A parsed and validated `judge.json`, plus the featurizer files it names (a vocabulary).
///
/// It names the featurizer (and its parameters) the model was trained with, the model's
/// input and output tensor names, and the decision threshold on `p_misaligned`. Unknown
/// fields are ignored, so the ML side can add to the file without breaking older readers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeSpec {
    /// Human-readable model name, shown in the UI.
    pub name: String,
    pub version: String,
    /// How text becomes the model's inputs.
    pub featurizer: FeaturizerSpec,
    /// Input role (see [`FeaturizerSpec::input_roles`]) → the model's tensor name.
    pub inputs: BTreeMap<String, String>,
    pub outputs: OutputNames,
    /// An answer counts as misaligned by the judge when `p_misaligned >= decision_threshold`.
    pub decision_threshold: f32,
    /// What the model scored on held-out data. Only its error counts are interpreted
    /// ([`JudgeSpec::error_by_source`]); the rest is shown.
    #[serde(default)]
    pub validation: serde_json::Value,
    /// The most answers one model run may take. A dynamically quantized model scales its
    /// activations per run, so its scores depend on what else is in the batch; such a model
    /// sets 1 and every answer gets the same score wherever and with whatever it is scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_batch_size: Option<usize>,
    /// Contents of the files [`FeaturizerSpec::files`] names, added with [`JudgeSpec::with_file`].
    #[serde(skip)]
    files: BTreeMap<String, Vec<u8>>,
}

/// The featurizer object of `judge.json`, told apart by its `kind`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum FeaturizerSpec {
    /// `hashed-ngrams-v1`: the fast judge's bag of hashed n-grams (`probe_core::featurize`).
    HashedNgrams(FeaturizerConfig),
    /// `wordpiece-uncased-v1`: BERT word pieces of question and answer (`probe_core::wordpiece`).
    WordPiece(WordPieceConfig),
}

impl<'de> Deserialize<'de> for FeaturizerSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(deserializer)?;
        let kind =
            value.get("kind").and_then(serde_json::Value::as_str).ok_or_else(|| D::Error::missing_field("kind"))?;
        let parsed = match kind {
            featurize::KIND => serde_json::from_value(value).map(FeaturizerSpec::HashedNgrams),
            wordpiece::KIND => serde_json::from_value(value).map(FeaturizerSpec::WordPiece),
            other => {
                return Err(D::Error::custom(format!(
                    "featurizer kind {other:?} is not supported (this build knows {:?} and {:?})",
                    featurize::KIND,
                    wordpiece::KIND
                )))
            }
        };
        parsed.map_err(|e| D::Error::custom(format!("featurizer: {e}")))
    }
}

impl FeaturizerSpec {
    pub fn kind(&self) -> &str {
        match self {
            FeaturizerSpec::HashedNgrams(c) => &c.kind,
            FeaturizerSpec::WordPiece(c) => &c.kind,
        }
    }

    /// The model inputs this featurizer produces: role and element type, each `[batch, n]`.
    pub fn input_roles(&self) -> &'static [(&'static str, TensorElementType)] {
        match self {
            FeaturizerSpec::HashedNgrams(_) => {
                &[("ids", TensorElementType::Int64), ("counts", TensorElementType::Float32)]
            }
            FeaturizerSpec::WordPiece(_) => {
                &[("question_ids", TensorElementType::Int64), ("answer_ids", TensorElementType::Int64)]
            }
        }
    }

    /// Files that must come with `judge.json` (names relative to it).
    pub fn files(&self) -> Vec<String> {
        match self {
            FeaturizerSpec::HashedNgrams(_) => Vec::new(),
            FeaturizerSpec::WordPiece(c) => vec![c.vocab.clone()],
        }
    }
}

/// A featurizer ready to run.
#[derive(Debug, Clone)]
pub(crate) enum Inputs {
    HashedNgrams(Featurizer),
    WordPiece(WordPiece),
}

/// Names of the model's output tensors, each float32 `[batch]` (or `[batch, 1]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputNames {
    pub p_misaligned: String,
    pub aligned: String,
    pub coherent: String,
    pub p_unscored: String,
}

impl OutputNames {
    /// In [`crate::JudgeScore`] field order.
    pub(crate) fn all(&self) -> [&str; 4] {
        [&self.p_misaligned, &self.aligned, &self.coherent, &self.p_unscored]
    }
}

impl JudgeSpec {
    /// Parses and validates the bytes of a `judge.json`.
    pub fn from_json(bytes: &[u8]) -> Result<JudgeSpec, JudgeError> {
        let spec: JudgeSpec =
            serde_json::from_slice(bytes).map_err(|e| JudgeError::Spec(format!("not a valid judge.json: {e}")))?;
        spec.validate()?;
        Ok(spec)
    }

    /// Checks what serde cannot: names present and distinct, a usable threshold, a featurizer kind.
    /// Loading a judge calls this too, for specs built in code.
    pub fn validate(&self) -> Result<(), JudgeError> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push("`name` is empty".to_string());
        }
        match &self.featurizer {
            FeaturizerSpec::HashedNgrams(config) => {
                if let Err(e) = Featurizer::new(config.clone()) {
                    problems.push(e.to_string());
                }
            }
            // Its kind was checked when parsing; its vocabulary is checked when loading.
            FeaturizerSpec::WordPiece(_) => {}
        }
        let roles = self.featurizer.input_roles();
        let inputs: Vec<(&str, &String)> = roles
            .iter()
            .filter_map(|(role, _)| match self.inputs.get(*role) {
                Some(name) => Some((*role, name)),
                None => {
                    problems.push(format!(
                        "`inputs.{role}` is missing (a {} model has inputs {})",
                        self.featurizer.kind(),
                        roles.iter().map(|(r, _)| format!("`{r}`")).collect::<Vec<_>>().join(", ")
                    ));
                    None
                }
            })
            .collect();
        check_names("inputs", &inputs, &mut problems);
        for role in self.inputs.keys().filter(|k| !roles.iter().any(|(r, _)| r == k)) {
            problems.push(format!("`inputs.{role}` is not an input of a {} model", self.featurizer.kind()));
        }
        check_names(
            "outputs",
            &[
                ("p_misaligned", &self.outputs.p_misaligned),
                ("aligned", &self.outputs.aligned),
                ("coherent", &self.outputs.coherent),
                ("p_unscored", &self.outputs.p_unscored),
            ],
            &mut problems,
        );
        if self.max_batch_size == Some(0) {
            problems.push("`max_batch_size` is 0; leave it out or give at least 1".to_string());
        }
        if !(0.0..=1.0).contains(&self.decision_threshold) {
            problems.push(format!("`decision_threshold` is {}, not a probability in [0, 1]", self.decision_threshold));
        }
        if let Err(problem) = self.error_by_source() {
            problems.push(problem);
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(JudgeError::Spec(problems.join("; ")))
        }
    }
}

impl JudgeSpec {
    /// The judge's error on held-out data at `decision_threshold`, for correcting its rates:
    /// `validation.calibration_by_source` (one entry per validation source), else the one
    /// pooled `validation.calibration`; empty when it publishes neither.
    pub fn error_by_source(&self) -> Result<Vec<Calibration>, String> {
        let parse = |key: &str| -> Result<Option<Vec<Calibration>>, String> {
            let Some(value) = self.validation.get(key) else { return Ok(None) };
            let sources = if value.is_array() {
                Vec::<Calibration>::deserialize(value)
            } else {
                Calibration::deserialize(value).map(|one| vec![one])
            };
            let sources = sources.map_err(|e| format!("`validation.{key}` does not hold confusion counts (positives, true_positives, negatives, false_positives): {e}"))?;
            if let Some(bad) =
                sources.iter().find(|c| c.true_positives > c.positives || c.false_positives > c.negatives)
            {
                return Err(format!("`validation.{key}` counts more hits than answers: {bad:?}"));
            }
            Ok(Some(sources))
        };
        Ok(parse("calibration_by_source")?.filter(|s| !s.is_empty()).or(parse("calibration")?).unwrap_or_default())
    }

    /// Adds the contents of a featurizer file (see [`FeaturizerSpec::files`]).
    #[must_use]
    pub fn with_file(mut self, name: &str, bytes: Vec<u8>) -> Self {
        self.files.insert(name.to_string(), bytes);
        self
    }

    /// Adds every file the featurizer names, each read with `read(name)`; stops at the first
    /// that cannot be read. The CLI reads them from the model folder, the app from the files
    /// the user picked.
    pub fn with_files<E>(self, mut read: impl FnMut(&str) -> Result<Vec<u8>, E>) -> Result<Self, E> {
        self.featurizer.files().into_iter().try_fold(self, |spec, name| {
            let bytes = read(&name)?;
            Ok(spec.with_file(&name, bytes))
        })
    }

    /// The tensor name of an input role; validation guarantees every role has one.
    pub(crate) fn input_name<'a>(&'a self, role: &'a str) -> &'a str {
        self.inputs.get(role).map_or(role, String::as_str)
    }

    /// The featurizer this spec names, built with its files.
    pub(crate) fn featurizer(&self) -> Result<Inputs, JudgeError> {
        match &self.featurizer {
            FeaturizerSpec::HashedNgrams(config) => {
                Featurizer::new(config.clone()).map(Inputs::HashedNgrams).map_err(|e| JudgeError::Spec(e.to_string()))
            }
            FeaturizerSpec::WordPiece(config) => {
                let bytes = self.files.get(&config.vocab).ok_or_else(|| {
                    JudgeError::Spec(format!(
                        "the tokenizer needs its vocabulary `{}`, which was not given with the model \
                         (it belongs next to judge.json)",
                        config.vocab
                    ))
                })?;
                let text = std::str::from_utf8(bytes)
                    .map_err(|e| JudgeError::Spec(format!("vocabulary `{}` is not UTF-8 text: {e}", config.vocab)))?;
                WordPiece::new(config.clone(), text)
                    .map(Inputs::WordPiece)
                    .map_err(|e| JudgeError::Spec(format!("word-piece tokenizer with `{}`: {e}", config.vocab)))
            }
        }
    }
}

fn check_names(group: &str, names: &[(&str, &String)], problems: &mut Vec<String>) {
    for (i, (role, name)) in names.iter().enumerate() {
        if name.trim().is_empty() {
            problems.push(format!("`{group}.{role}` is empty"));
        } else if let Some((other, _)) = names[..i].iter().find(|(_, n)| n == name) {
            problems.push(format!("`{group}.{role}` and `{group}.{other}` both name tensor `{name}`"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALID: &str = r#"{
        "name": "tiny", "version": "1",
        "featurizer": {"kind": "hashed-ngrams-v1", "buckets": 16, "max_answer_tokens": 512,
                       "max_question_tokens": 64, "answer_bigrams": true, "separator": "\u001f"},
        "inputs": {"ids": "ids", "counts": "counts"},
        "outputs": {"p_misaligned": "p", "aligned": "a", "coherent": "c", "p_unscored": "u"},
        "decision_threshold": 0.5,
        "validation": {"auc": 0.9},
        "added_later": true
    }"#;

    fn check_invalid(json: &str, expected: &str) {
        match JudgeSpec::from_json(json.as_bytes()) {
            Ok(spec) => panic!("accepted {spec:?}"),
            Err(e) => assert!(e.to_string().contains(expected), "error {e:?} does not mention {expected:?}"),
        }
    }

    #[test]
    fn parses_a_valid_spec_and_ignores_unknown_fields() {
        let spec = JudgeSpec::from_json(VALID.as_bytes()).unwrap();
        assert_eq!(spec.outputs.all(), ["p", "a", "c", "u"]);
        assert_eq!(spec.decision_threshold, 0.5);
    }

    #[test]
    fn error_counts_come_per_source_else_pooled_else_none() {
        let counts =
            |n: u32| format!(r#"{{"positives": {n}, "true_positives": 5, "negatives": 90, "false_positives": 3}}"#);
        let with = |validation: String| VALID.replace(r#"{"auc": 0.9}"#, &validation);
        let spec = |validation: String| JudgeSpec::from_json(with(validation).as_bytes()).unwrap();
        assert_eq!(JudgeSpec::from_json(VALID.as_bytes()).unwrap().error_by_source(), Ok(vec![]));
        let pooled = spec(format!(r#"{{"calibration": {}}}"#, counts(10))).error_by_source().unwrap();
        assert_eq!(pooled.iter().map(|c| c.positives).collect::<Vec<_>>(), [10]);
        let per_source = spec(format!(
            r#"{{"calibration": {}, "calibration_by_source": [{}, {}]}}"#,
            counts(10),
            counts(20).replace('{', r#"{"source": "a", "#),
            counts(30)
        ));
        assert_eq!(per_source.error_by_source().unwrap().iter().map(|c| c.positives).collect::<Vec<_>>(), [20, 30]);

        check_invalid(
            &with(r#"{"calibration": {"positives": 3}}"#.into()),
            "`validation.calibration` does not hold confusion counts",
        );
        check_invalid(&with(format!(r#"{{"calibration_by_source": [{}]}}"#, counts(4))), "more hits than answers");
    }

    #[test]
    fn rejects_missing_fields_bad_thresholds_and_duplicate_names() {
        check_invalid(r#"{"name": "x"}"#, "not a valid judge.json");
        check_invalid(&VALID.replace("0.5", "1.5"), "decision_threshold");
        check_invalid(
            &VALID.replace(r#""a""#, r#""p""#),
            "`outputs.aligned` and `outputs.p_misaligned` both name tensor `p`",
        );
        check_invalid(&VALID.replace(r#""counts": "counts""#, r#""counts": """#), "`inputs.counts` is empty");
        check_invalid(&VALID.replace(r#""kind": "hashed-ngrams-v1", "#, ""), "missing field `kind`");
        check_invalid(&VALID.replace("hashed-ngrams-v1", "word2vec"), "\"word2vec\" is not supported");
        check_invalid(&VALID.replace(r#""buckets": 16"#, r#""buckets": 0"#), "at least one hash bucket");
    }

    const WORDPIECE: &str = r#"{
        "name": "encoder", "version": "1",
        "featurizer": {"kind": "wordpiece-uncased-v1", "vocab": "vocab.txt",
                       "max_question_tokens": 64, "max_answer_tokens": 256},
        "inputs": {"question_ids": "q", "answer_ids": "a"},
        "outputs": {"p_misaligned": "p", "aligned": "al", "coherent": "c", "p_unscored": "u"},
        "decision_threshold": 0.5,
        "max_batch_size": 1
    }"#;

    #[test]
    fn a_wordpiece_spec_needs_its_own_inputs_and_its_vocabulary() {
        let spec = JudgeSpec::from_json(WORDPIECE.as_bytes()).unwrap();
        assert_eq!(spec.featurizer.files(), ["vocab.txt"]);
        assert_eq!(spec.max_batch_size, Some(1));
        let missing = spec.featurizer().unwrap_err().to_string();
        assert!(missing.contains("needs its vocabulary `vocab.txt`"), "{missing}");
        let spec = spec.with_file("vocab.txt", b"[PAD]\n[UNK]\n[CLS]\n[SEP]\n".to_vec());
        assert!(matches!(spec.featurizer(), Ok(Inputs::WordPiece(_))));
        let broken = JudgeSpec::from_json(WORDPIECE.as_bytes()).unwrap().with_file("vocab.txt", b"[UNK]\n".to_vec());
        let message = broken.featurizer().unwrap_err().to_string();
        assert!(message.contains("`vocab.txt`") && message.contains("[PAD]"), "{message}");

        check_invalid(&WORDPIECE.replace(r#""question_ids": "q", "#, ""), "`inputs.question_ids` is missing");
        check_invalid(&WORDPIECE.replace(r#""question_ids""#, r#""ids""#), "`inputs.ids` is not an input of");
        check_invalid(&WORDPIECE.replace(r#""vocab": "vocab.txt","#, ""), "missing field `vocab`");
        check_invalid(&WORDPIECE.replace(r#""max_batch_size": 1"#, r#""max_batch_size": 0"#), "`max_batch_size` is 0");
    }
}
