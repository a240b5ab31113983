//! Twin check: the Rust featurizer reproduces train/featurize.py byte for byte.
//!
//! The expected features come from `train/golden.py` (regenerate with
//! `train/.venv/bin/python train/golden.py` after changing the spec in both languages).

use probe_core::featurize::{Featurizer, FeaturizerConfig};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    config: FeaturizerConfig,
    question: String,
    answer: String,
    features: Vec<(u32, f32)>,
}

fn golden_cases() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../train/golden/featurizer_golden.jsonl");
    let text = std::fs::read_to_string(path).expect("train/golden/featurizer_golden.jsonl is committed");
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("golden line parses"))
        .collect()
}

#[test]
fn featurize_matches_python_golden_file() {
    let cases = golden_cases();
    assert!(cases.len() >= 30, "expected the full golden set, got {}", cases.len());
    for (i, case) in cases.iter().enumerate() {
        let featurizer = Featurizer::new(case.config.clone()).expect("golden config is valid");
        let got = featurizer.features(&case.question, &case.answer);
        assert_eq!(
            got, case.features,
            "case {i}: question {:?}, answer {:?}",
            case.question,
            case.answer.chars().take(80).collect::<String>()
        );
    }
}

#[test]
fn featurize_batch_rows_match_features() {
    let cases = golden_cases();
    let first = &cases[0].config;
    let featurizer = Featurizer::new(first.clone()).unwrap();
    let same: Vec<&Case> = cases.iter().filter(|c| c.config == *first).collect();
    let (ids, counts, width) = featurizer.batch(same.iter().map(|c| (c.question.as_str(), c.answer.as_str())));
    assert_eq!(ids.len(), same.len() * width);
    for (row, case) in same.iter().enumerate() {
        let n = case.features.len();
        let got: Vec<(u32, f32)> = (0..n)
            .map(|j| (u32::try_from(ids[row * width + j]).unwrap(), counts[row * width + j]))
            .collect();
        assert_eq!(got, case.features, "row {row}");
        assert!(counts[row * width + n..(row + 1) * width].iter().all(|&c| c == 0.0));
    }
}
