//! Twin check: the Rust WordPiece tokenizer gives the ids of train/wordpiece.py, natively and
//! compiled to wasm32 (`scripts/test-judge-web.sh` runs these in the browser build), so a
//! judge that reads word pieces gets identical inputs in the CLI, in the app and in training.
//! The vocabulary is a small one written by `train/golden.py` to reach every branch.
//!
//! Regenerate the expected ids with `train/.venv/bin/python train/golden.py` after changing
//! the spec in both languages.

use probe_core::wordpiece::{WordPiece, WordPieceConfig, KIND};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    text: String,
    max_tokens: usize,
    ids: Vec<u32>,
}

/// Embedded, so the wasm32 build (which has no file system) checks the same cases.
const GOLDEN: &str = include_str!("../../../train/golden/wordpiece_golden.jsonl");
const VOCAB: &str = include_str!("../../../train/golden/wordpiece_vocab.txt");

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn wordpiece_matches_python_golden_file() {
    let config = WordPieceConfig {
        kind: KIND.into(),
        vocab: "vocab.txt".into(),
        max_question_tokens: 64,
        max_answer_tokens: 256,
    };
    let tokenizer = WordPiece::new(config, VOCAB).expect("the golden vocabulary loads");
    let cases: Vec<Case> =
        GOLDEN.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(cases.len() >= 100, "expected the full golden set, got {}", cases.len());
    for case in &cases {
        assert_eq!(
            tokenizer.encode(&case.text, case.max_tokens),
            case.ids,
            "text {:?} at {} tokens",
            case.text.chars().take(80).collect::<String>(),
            case.max_tokens
        );
    }
}
