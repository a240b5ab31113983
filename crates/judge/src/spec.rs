//! `judge.json`: the contract between the trained model and the code that runs it.

use probe_core::featurize::{Featurizer, FeaturizerConfig};
use serde::{Deserialize, Serialize};

use crate::JudgeError;

/// A parsed and validated `judge.json`.
///
/// It names the featurizer (and its parameters) the model was trained with, the model's
/// input and output tensor names, and the decision threshold on `p_misaligned`. Unknown
/// fields are ignored, so the ML side can add to the file without breaking older readers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeSpec {
    /// Human-readable model name, shown in the UI.
    pub name: String,
    pub version: String,
    /// The featurizer the model was trained with: `probe_core`'s, with these parameters.
    pub featurizer: FeaturizerConfig,
    pub inputs: InputNames,
    pub outputs: OutputNames,
    /// An answer counts as misaligned by the judge when `p_misaligned >= decision_threshold`.
    pub decision_threshold: f32,
    /// What the model scored on held-out data; shown, never interpreted.
    #[serde(default)]
    pub validation: serde_json::Value,
}

/// Names of the model's input tensors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputNames {
    /// int64 `[batch, n]`: feature ids, padded with 0.
    pub ids: String,
    /// float32 `[batch, n]`: feature counts, padded with 0.
    pub counts: String,
}

/// Names of the model's output tensors, each float32 `[batch]` (or `[batch, 1]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputNames {
    pub p_misaligned: String,
    pub aligned: String,
    pub coherent: String,
    pub p_unscored: String,
}

impl InputNames {
    pub(crate) fn all(&self) -> [&str; 2] {
        [&self.ids, &self.counts]
    }
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
        if let Err(e) = Featurizer::new(self.featurizer.clone()) {
            problems.push(e.to_string());
        }
        check_names("inputs", &[("ids", &self.inputs.ids), ("counts", &self.inputs.counts)], &mut problems);
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
        if !(0.0..=1.0).contains(&self.decision_threshold) {
            problems.push(format!("`decision_threshold` is {}, not a probability in [0, 1]", self.decision_threshold));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(JudgeError::Spec(problems.join("; ")))
        }
    }
}

impl JudgeSpec {
    /// The featurizer this spec names.
    pub(crate) fn featurizer(&self) -> Result<Featurizer, JudgeError> {
        Featurizer::new(self.featurizer.clone()).map_err(|e| JudgeError::Spec(e.to_string()))
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
}
