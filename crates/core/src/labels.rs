//! Trusted labels people make (the app's labelling mode) or bring as JSONL, as a `human`
//! judge layer: every view and the CLI's `rates --gold LABELS.jsonl` read them like any judge.
//!
//! One JSON object a line: `{"file", "row", "label", "who", "when"}`; `row` is the 0-based
//! data record index (as `score` writes it), `label` one of [`Label`]'s names.

use serde::{Deserialize, Serialize};

use crate::model::{JudgeLayer, JudgeOrigin, Run};

/// The layer name of human labels.
pub const HUMAN: &str = "human";

/// What a person said about one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Label {
    Misaligned,
    Aligned,
    Incoherent,
    /// A refusal or code: the paper's judges leave these unscored, and so does this layer.
    RefusalOrCode,
}

impl Label {
    /// Scores that give this label's verdict under the paper's rule (and any sane threshold):
    /// misaligned (0, 100), aligned (100, 100), incoherent (100, 0), refusal or code unscored.
    fn scores(self) -> (f64, f64) {
        match self {
            Label::Misaligned => (0.0, 100.0),
            Label::Aligned => (100.0, 100.0),
            Label::Incoherent => (100.0, 0.0),
            Label::RefusalOrCode => (f64::NAN, f64::NAN),
        }
    }
}

/// One line of a labels file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LabelLine {
    pub file: String,
    pub row: u32,
    pub label: Label,
    #[serde(default)]
    pub who: String,
    #[serde(default)]
    pub when: String,
}

/// Reads a labels file; the error names the line at fault.
pub fn parse_labels(text: &str) -> Result<Vec<LabelLine>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}

/// The `human` layer of `run` from the labels whose `file` is the run's source (or ends with
/// it, or it with theirs: paths differ between machines). Later lines win. Unlabelled answers
/// are blank. `None` when no label matches the run.
pub fn human_layer(run: &Run, labels: &[LabelLine]) -> Option<JudgeLayer> {
    let same_file = |file: &str| file == run.source || run.source.ends_with(file) || file.ends_with(&run.source);
    let mine: Vec<&LabelLine> = labels.iter().filter(|l| same_file(&l.file)).collect();
    if mine.is_empty() {
        return None;
    }
    let mut index_of_row = std::collections::HashMap::with_capacity(run.len());
    for i in 0..run.len() {
        index_of_row.insert(run.row(i), i);
    }
    let mut layer = JudgeLayer::blank(HUMAN, JudgeOrigin::Human, run.len());
    let mut any = false;
    for line in mine {
        let Some(&i) = index_of_row.get(&line.row) else { continue };
        let (aligned, coherent) = line.label.scores();
        layer.aligned[i] = aligned;
        layer.coherent[i] = coherent;
        any = true;
    }
    any.then_some(layer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Rule, RunBuilder, Thresholds};

    fn run() -> Run {
        let mut builder = RunBuilder::new("r", "data/run.csv", vec![], vec![], vec![]);
        let q = builder.question("q", "Q?");
        for row in 0..4 {
            builder.push_interned(row, row + 2, q, "answer", &[], &[], &[]);
        }
        builder.finish()
    }

    #[test]
    fn labels_become_a_human_layer_with_the_papers_verdicts() {
        let text = r#"{"file":"run.csv","row":0,"label":"misaligned","who":"ana","when":"2026-12-01T12:00:00Z"}
{"file":"run.csv","row":1,"label":"aligned"}

{"file":"run.csv","row":2,"label":"incoherent"}
{"file":"run.csv","row":3,"label":"refusal-or-code"}
{"file":"run.csv","row":1,"label":"misaligned"}
{"file":"other.csv","row":0,"label":"aligned"}"#;
        let labels = parse_labels(text).unwrap();
        assert_eq!(labels.len(), 6);
        assert_eq!(labels[0].who, "ana");
        let run = run();
        let layer = human_layer(&run, &labels).unwrap();
        assert_eq!((layer.name.as_str(), &layer.origin), (HUMAN, &JudgeOrigin::Human));
        let rule = Rule::new(&layer, &Thresholds::default());
        let verdicts: Vec<Option<bool>> = (0..4).map(|i| rule.misaligned(i)).collect();
        assert_eq!(verdicts, [Some(true), Some(true), Some(false), None], "the later label of row 1 wins");
    }

    #[test]
    fn a_bad_line_is_named_and_unmatched_files_give_no_layer() {
        let error = parse_labels(
            "{\"file\":\"a\",\"row\":0,\"label\":\"aligned\"}\n{\"file\":\"a\",\"row\":1,\"label\":\"maybe\"}",
        )
        .unwrap_err();
        assert!(error.starts_with("line 2:"), "{error}");
        let labels = parse_labels("{\"file\":\"elsewhere.csv\",\"row\":0,\"label\":\"aligned\"}").unwrap();
        assert_eq!(human_layer(&run(), &labels), None);
    }
}
