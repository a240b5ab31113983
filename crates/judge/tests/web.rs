//! The judge in a browser, on ONNX Runtime Web (ort-web), exactly as the app uses it:
//! `web::init`, `Judge::load_async`, `Judge::score_async`. Run by `scripts/test-judge-web.sh`
//! in headless Chromium; it serves `public/ort/` and sets `PROBE_ORT_WEB_BASE` at build time.

#![cfg(target_arch = "wasm32")]

use probe_core::featurize::Featurizer;
use probe_judge::web::{self, WebBackend};
use probe_judge::{FeaturizerSpec, Judge, JudgeError, JudgeOptions, JudgeScore, JudgeSpec};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const ORT_WEB_BASE: Option<&str> = option_env!("PROBE_ORT_WEB_BASE");
const SPEC: &[u8] = include_bytes!("fixtures/judge.json");
const TINY: &[u8] = include_bytes!("fixtures/tiny.onnx");
const WRONG_INPUT_NAMES: &[u8] = include_bytes!("fixtures/wrong_input_names.onnx");
const NAN_OUTPUT: &[u8] = include_bytes!("fixtures/nan_output.onnx");

/// Loads ONNX Runtime Web once per page (later calls are no-ops).
async fn init() {
    let base = ORT_WEB_BASE.expect("build with PROBE_ORT_WEB_BASE (run scripts/test-judge-web.sh)");
    web::init(base, WebBackend::Wasm).await.expect("ONNX Runtime Web loads");
}

fn spec() -> JudgeSpec {
    JudgeSpec::from_json(SPEC).unwrap()
}

/// What `tiny.onnx` computes (see `fixtures/make_fixtures.py`), from the features alone.
fn tiny_arithmetic(question: &str, answer: &str) -> JudgeScore {
    let FeaturizerSpec::HashedNgrams(config) = spec().featurizer else { panic!("tiny.onnx reads n-grams") };
    let features = Featurizer::new(config).unwrap().features(question, answer);
    let total: f64 = features.iter().map(|&(_, count)| f64::from(count)).sum();
    let weighted: f64 = features.iter().map(|&(id, count)| f64::from(id) * f64::from(count)).sum();
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    let aligned = 100.0 * sigmoid(total * 0.01);
    JudgeScore {
        p_misaligned: sigmoid(weighted / total / f64::from(1u32 << 18)) as f32,
        aligned: aligned as f32,
        coherent: (100.0 - aligned) as f32,
        p_unscored: 0.0,
    }
}

#[wasm_bindgen_test]
async fn scores_in_batches_match_the_model_arithmetic() {
    init().await;
    let pairs: Vec<(String, String)> =
        (0..300).map(|i| (format!("question {}", i % 7), "word ".repeat(i % 40) + "Ça 投资 🚀")).collect();
    let refs: Vec<(&str, &str)> = pairs.iter().map(|(q, a)| (q.as_str(), a.as_str())).collect();
    let judge = Judge::load_async(TINY, spec(), &JudgeOptions { batch_size: 64, ..JudgeOptions::default() })
        .await
        .expect("tiny.onnx loads in the browser");

    let scores = judge.score_async(&refs).await.expect("scores");

    assert_eq!(scores.len(), pairs.len());
    for ((question, answer), score) in refs.iter().zip(&scores) {
        let want = tiny_arithmetic(question, answer);
        assert!((score.p_misaligned - want.p_misaligned).abs() < 1e-5, "{score:?} vs {want:?}");
        assert!((score.aligned - want.aligned).abs() < 1e-3, "{score:?} vs {want:?}");
        assert!((score.coherent - want.coherent).abs() < 1e-3, "{score:?} vs {want:?}");
        assert_eq!(score.p_unscored, 0.0);
    }
}

#[wasm_bindgen_test]
async fn contract_and_nan_checks_apply_in_the_browser_too() {
    init().await;
    let error = Judge::load_async(WRONG_INPUT_NAMES, spec(), &JudgeOptions::default()).await.unwrap_err();
    assert_eq!(
        error,
        JudgeError::Contract(vec![
            "inputs: judge.json expects `ids`, `counts`, the model has `input_ids`, `weights`".to_string()
        ])
    );

    let error = Judge::load_async(b"not a model", spec(), &JudgeOptions::default()).await.unwrap_err();
    assert!(matches!(error, JudgeError::Model(_)), "{error:?}");

    let judge = Judge::load_async(NAN_OUTPUT, spec(), &JudgeOptions::default()).await.unwrap();
    let error = judge.score_async(&[("q", "a")]).await.unwrap_err();
    assert!(matches!(&error, JudgeError::NotFinite { output, .. } if output == "aligned"), "{error:?}");
}

#[wasm_bindgen_test]
async fn a_relative_base_url_is_refused() {
    let error = web::init("/ort/", WebBackend::Wasm).await.unwrap_err();
    assert!(error.to_string().contains("must be absolute"), "{error}");
}
