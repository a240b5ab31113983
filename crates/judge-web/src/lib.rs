//! The app's judge module: everything only the local judge needs (ONNX Runtime Web's glue through
//! ort and ort-web, `judge.json` parsing, the hashed n-gram featurizer and the WordPiece tokenizer
//! with its Unicode tables), kept out of the app's startup download. `public/boot.js` imports it
//! the first time a judge is used (`globalThis.probeJudge`); the main module calls these exports
//! through `src/judge_module.rs`, with bytes in and out in [`probe_judge::wire`]'s format. The
//! logic is `probe-judge`'s; this is glue.

#[cfg(target_arch = "wasm32")]
mod exports {
    use std::rc::Rc;

    use probe_judge::wire::{self, JudgeInfo};
    use probe_judge::{web, Judge, JudgeOptions, JudgeSpec, WebBackend};
    use wasm_bindgen::prelude::*;

    fn error(message: impl std::fmt::Display) -> JsValue {
        JsValue::from_str(&message.to_string())
    }

    /// The files `judge.json` names beside the model (a tokenizer's `vocab.txt`), so the app can
    /// fetch a bundled judge's files before loading it.
    #[wasm_bindgen]
    pub fn spec_files(spec: &[u8]) -> Result<Vec<String>, JsValue> {
        JudgeSpec::from_json(spec).map(|spec| spec.featurizer.files()).map_err(error)
    }

    /// Loads ONNX Runtime Web (`wasm` or `webgpu`) from `base_url`, the absolute URL of the app's
    /// `ort/` folder; once per page.
    #[wasm_bindgen]
    pub async fn init_runtime(base_url: String, backend: String) -> Result<(), JsValue> {
        let backend = WebBackend::from_name(&backend).ok_or_else(|| error(format!("no backend {backend:?}")))?;
        web::init(&base_url, backend).await.map_err(error)
    }

    /// A loaded judge, checked against its `judge.json`.
    #[wasm_bindgen]
    pub struct WebJudge {
        judge: Rc<Judge>,
    }

    /// Loads a judge from its model, its `judge.json` and the other files given (names, and their
    /// bytes [`wire::pack`]ed); the featurizer's files are taken from those.
    #[wasm_bindgen]
    pub async fn load_judge(
        model: Vec<u8>,
        spec: Vec<u8>,
        names: Vec<String>,
        files: Vec<u8>,
        ends: Vec<u32>,
    ) -> Result<WebJudge, JsValue> {
        let files = wire::unpack(&files, &ends).map_err(error)?;
        let spec = JudgeSpec::from_json(&spec).map_err(error)?.with_files(|name| {
            let found = names.iter().zip(&files).find(|(n, _)| *n == name);
            found.map(|(_, bytes)| bytes.to_vec()).ok_or_else(|| {
                format!("judge.json names the file `{name}`; choose it together with the model and judge.json")
            })
        });
        let judge = Judge::load_async(&model, spec.map_err(error)?, &JudgeOptions::default()).await.map_err(error)?;
        Ok(WebJudge { judge: Rc::new(judge) })
    }

    #[wasm_bindgen]
    impl WebJudge {
        /// [`JudgeInfo`] as JSON.
        pub fn info(&self) -> String {
            JudgeInfo::of(&self.judge).to_json()
        }

        /// Scores [`wire::pack_pairs`]ed `(question, answer)` pairs, batch by batch; resolves to
        /// a `Float32Array` of [`wire::scores_to_floats`].
        pub fn score(&self, text: Vec<u8>, ends: Vec<u32>) -> js_sys::Promise {
            let judge = self.judge.clone();
            wasm_bindgen_futures::future_to_promise(async move {
                let pairs = wire::unpack_pairs(&text, &ends).map_err(error)?;
                let scores = judge.score_async(&pairs).await.map_err(error)?;
                Ok(js_sys::Float32Array::from(&wire::scores_to_floats(&scores)[..]).into())
            })
        }
    }
}
