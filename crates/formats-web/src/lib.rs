//! The app's second wasm module: readers for binary containers, kept out of the main bundle
//! (the zip codecs are about 100 kB gzip). `public/boot.js` imports it on first use; the app
//! calls it when `load_run` answers [`LoadError::NeedsModule`](probe_core::load::LoadError).
//!
//! The module only unpacks: it turns an Inspect `.eval` archive into one JSON document of its
//! entries, which the main module's core reads (`probe_core::load::load_unpacked_inspect`).

use wasm_bindgen::prelude::*;

/// An Inspect `.eval` archive as the JSON document `load_unpacked_inspect` reads; an error
/// (a message naming `source`) for anything else.
#[wasm_bindgen]
pub fn unpack_inspect(bytes: &[u8], source: &str) -> Result<Vec<u8>, JsValue> {
    probe_core::load::unpack_inspect_archive(bytes, source).map_err(|e| JsValue::from_str(&e.to_string()))
}
