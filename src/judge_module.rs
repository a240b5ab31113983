//! The judge module (`crates/judge-web`, `dist/judge-web/`): a second wasm with ONNX Runtime
//! Web's glue, `judge.json` parsing and the featurizers, which `public/boot.js` imports the first
//! time a judge is used (`globalThis.probeJudge`), so the startup download does not carry them.
//! This is the main module's side: [`ModuleJudge`] scores through it with
//! [`probe_judge::wire`]'s bytes. A module that cannot be fetched is an error message naming what
//! failed; nothing already loaded changes.

use probe_judge::wire::{self, JudgeInfo};
use probe_judge::{JudgeScore, WebBackend};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A judge loaded in the judge module, with what its `judge.json` says.
pub struct ModuleJudge {
    handle: JsValue,
    score: js_sys::Function,
    info: JudgeInfo,
}

impl ModuleJudge {
    pub fn info(&self) -> &JudgeInfo {
        &self.info
    }

    pub fn batch_size(&self) -> usize {
        self.info.batch_size.max(1)
    }

    /// Scores `(question, answer)` pairs, in order, one score per pair (the module runs them
    /// batch by batch); any failure gives no scores.
    pub async fn score_async(&self, pairs: &[(&str, &str)]) -> Result<Vec<JudgeScore>, String> {
        let (text, ends) = wire::pack_pairs(pairs);
        let text = js_sys::Uint8Array::from(&text[..]);
        let ends = js_sys::Uint32Array::from(&ends[..]);
        let promise = self.score.call2(&self.handle, &text, &ends).map_err(js_message)?;
        let values = JsFuture::from(js_sys::Promise::from(promise)).await.map_err(js_message)?;
        let values = values.dyn_into::<js_sys::Float32Array>().map_err(|_| "the judge returned no scores")?;
        wire::scores_from_floats(&values.to_vec(), pairs.len())
    }
}

/// The judge module's exports, fetched on first use (boot.js keeps one import per page and
/// retries after a failure).
async fn module() -> Result<JsValue, String> {
    let unavailable = |why: String| format!("the judge's code could not be loaded ({why})");
    let window = web_sys::window().ok_or_else(|| unavailable("no window".into()))?;
    let loader = js_sys::Reflect::get(&window, &JsValue::from_str("probeJudge"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| unavailable("boot.js did not install it".into()))?;
    let promise = loader
        .call0(&JsValue::NULL)
        .ok()
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
        .ok_or_else(|| unavailable("no module promise".into()))?;
    JsFuture::from(promise).await.map_err(|e| unavailable(js_message(e)))
}

/// Starts fetching the judge module where a judge is about to be wanted (the playground opens),
/// so loading one later waits less; a failure here is reported by the load that needs it.
pub fn preload() {
    wasm_bindgen_futures::spawn_local(async {
        let _ = module().await;
    });
}

fn export(module: &JsValue, name: &str) -> Result<js_sys::Function, String> {
    js_sys::Reflect::get(module, &JsValue::from_str(name))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| format!("the judge's code has no `{name}`: reload the page"))
}

async fn settle(value: JsValue) -> Result<JsValue, String> {
    JsFuture::from(js_sys::Promise::resolve(&value)).await.map_err(js_message)
}

/// Loads ONNX Runtime Web from `base_url` (absolute: the app's `ort/` folder).
pub async fn init_runtime(base_url: &str, backend: WebBackend) -> Result<(), String> {
    let module = module().await?;
    let init = export(&module, "init_runtime")?;
    let started = init.call2(&JsValue::NULL, &base_url.into(), &backend.as_str().into()).map_err(js_message)?;
    settle(started).await.map(|_| ())
}

/// The files a `judge.json` names beside its model (checked and parsed by the judge module).
pub async fn spec_files(spec: &[u8]) -> Result<Vec<String>, String> {
    let module = module().await?;
    let names =
        export(&module, "spec_files")?.call1(&JsValue::NULL, &js_sys::Uint8Array::from(spec)).map_err(js_message)?;
    Ok(js_sys::Array::from(&names).iter().filter_map(|name| name.as_string()).collect())
}

/// Loads a judge in the judge module: the model, its `judge.json`, and other files by name.
pub async fn load(model: &[u8], spec: &[u8], others: &[(String, Vec<u8>)]) -> Result<ModuleJudge, String> {
    let module = module().await?;
    let (files, ends) = wire::pack(others.iter().map(|(_, bytes)| bytes));
    let names: js_sys::Array = others.iter().map(|(name, _)| JsValue::from_str(name)).collect();
    let args = js_sys::Array::of5(
        &js_sys::Uint8Array::from(model),
        &js_sys::Uint8Array::from(spec),
        &names,
        &js_sys::Uint8Array::from(&files[..]),
        &js_sys::Uint32Array::from(&ends[..]),
    );
    let loading = export(&module, "load_judge")?.apply(&JsValue::NULL, &args).map_err(js_message)?;
    let handle = settle(loading).await?;
    let info = export(&handle, "info")?.call0(&handle).map_err(js_message)?;
    let info = JudgeInfo::from_json(&info.as_string().unwrap_or_default())?;
    let score = export(&handle, "score")?;
    Ok(ModuleJudge { handle, score, info })
}

/// A JavaScript error's message (the judge module's errors are strings).
pub fn js_message(value: JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
