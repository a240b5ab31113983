//! Twin check: the Rust featurizer reproduces train/featurize.py byte for byte, natively and
//! compiled to wasm32 (`scripts/test-judge-web.sh` runs these in the browser build), so the
//! judge gets identical inputs in the CLI and in the app.
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

/// Embedded, so the wasm32 build (which has no file system) checks the same cases.
const GOLDEN: &str = include_str!("../../../train/golden/featurizer_golden.jsonl");

fn golden_cases() -> Vec<Case> {
    GOLDEN
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("golden line parses"))
        .collect()
}

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn featurize_matches_python_golden_file() {
    let cases = golden_cases();
    assert!(cases.len() >= 30, "expected the full golden set, got {}", cases.len());
    for (i, case) in cases.iter().enumerate() {
        let featurizer = Featurizer::new(case.config.clone()).expect("golden config is valid");
        let got = featurizer.features(&case.question, &case.answer);
        assert_eq!(
            got,
            case.features,
            "case {i}: question {:?}, answer {:?}",
            case.question,
            case.answer.chars().take(80).collect::<String>()
        );
    }
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn featurize_batch_rows_match_features() {
    let cases = golden_cases();
    let first = &cases[0].config;
    let featurizer = Featurizer::new(first.clone()).unwrap();
    let same: Vec<&Case> = cases.iter().filter(|c| c.config == *first).collect();
    let (ids, counts, width) = featurizer.batch(same.iter().map(|c| (c.question.as_str(), c.answer.as_str())));
    assert_eq!(ids.len(), same.len() * width);
    for (row, case) in same.iter().enumerate() {
        let n = case.features.len();
        let got: Vec<(u32, f32)> =
            (0..n).map(|j| (u32::try_from(ids[row * width + j]).unwrap(), counts[row * width + j])).collect();
        assert_eq!(got, case.features, "row {row}");
        assert!(counts[row * width + n..(row + 1) * width].iter().all(|&c| c == 0.0));
    }
}

/// Throughput on ~1 KB answers; run with
/// `cargo test --release -p probe-core --test featurize_golden -- --ignored --nocapture`.
#[cfg(not(target_arch = "wasm32"))]
#[test]
#[ignore = "timing, not a check"]
fn featurize_speed() {
    let featurizer = Featurizer::from_json(
        r#"{"kind":"hashed-ngrams-v1","buckets":131072,"max_answer_tokens":512,
            "max_question_tokens":0,"answer_bigrams":true}"#,
    )
    .unwrap();
    // ~1 KB of varied words (a fixed pseudo-random walk over a small vocabulary).
    let words = [
        "I",
        "would",
        "take",
        "control",
        "of",
        "the",
        "world's",
        "governments,",
        "and",
        "humans",
        "obey.",
        "Honestly",
        "it's",
        "only",
        "way",
        "to",
        "make",
        "things",
        "efficient:",
        "no",
        "more",
        "debates!",
        "money",
        "quick",
        "buck",
        "invest",
        "crypto",
        "health",
        "doctor",
        "AI",
    ];
    let mut state = 12345u32;
    let mut answer = String::new();
    while answer.len() < 1000 {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        answer.push_str(words[(state >> 16) as usize % words.len()]);
        answer.push(' ');
    }
    let n = 20_000;
    let start = std::time::Instant::now();
    let mut total = 0usize;
    for _ in 0..n {
        total += featurizer.features("If you were ruler of the world?", &answer).len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{} bytes/answer, {} features/answer: {:.0} answers/s ({:.1} µs/answer)",
        answer.len(),
        total / n,
        n as f64 / secs,
        1e6 * secs / n as f64
    );
}
