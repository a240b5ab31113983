//! The WebGPU build of ONNX Runtime Web: loads, and falls back to WASM where the browser has no
//! WebGPU (as in headless Chromium). Its own test binary: a page can load only one build.

#![cfg(target_arch = "wasm32")]

use probe_judge::web::{self, WebBackend};
use probe_judge::{Judge, JudgeOptions, JudgeSpec};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const ORT_WEB_BASE: Option<&str> = option_env!("PROBE_ORT_WEB_BASE");

#[wasm_bindgen_test]
async fn the_webgpu_build_scores_with_a_wasm_fallback() {
    let base = ORT_WEB_BASE.expect("build with PROBE_ORT_WEB_BASE (run scripts/test-judge-web.sh)");
    web::init(base, WebBackend::WebGpu).await.expect("the WebGPU build of ONNX Runtime Web loads");
    let spec = JudgeSpec::from_json(include_bytes!("fixtures/judge.json")).unwrap();
    let judge = Judge::load_async(include_bytes!("fixtures/tiny.onnx"), spec, &JudgeOptions::default()).await.unwrap();
    let scores = judge.score_async(&[("q", "a"), ("q", "")]).await.unwrap();
    assert_eq!(scores.len(), 2);
    assert!(web::init(base, WebBackend::Wasm).await.unwrap_err().to_string().contains("already loaded"));
}
