//! The app's second wasm module: the readers the main module leaves out (Inspect AI logs: `.eval`
//! zip archives with deflate or zstd entries, and `.json` logs; about 120 kB gzip with the
//! codecs). `public/boot.js` imports it on first use; the app calls it when `load_run` answers
//! [`LoadError::NeedsModule`](probe_core::load::LoadError), and rebuilds the run it sends back
//! with [`decode_loaded`](probe_core::load::decode_loaded).

use wasm_bindgen::prelude::*;

/// Loads an Inspect log (or names the zip that is not one) as `load_run` does with every reader
/// built in, and returns the run as [`encode_loaded`](probe_core::load::encode_loaded) bytes; an
/// error is a message naming `source`.
#[wasm_bindgen]
pub fn read_file(bytes: &[u8], source: &str) -> Result<Vec<u8>, JsValue> {
    probe_core::load::load_inspect(bytes, source)
        .map(|loaded| probe_core::load::encode_loaded(&loaded))
        .map_err(|e| JsValue::from_str(&e.to_string()))
}
