//! The app's Parquet module: `probe-core` with the `parquet` feature behind one `read_file`
//! export. `public/boot.js` imports it on first use; the app calls it when `load_run` answers
//! [`LoadError::NeedsModule`](probe_core::load::LoadError) with `Module::Parquet`, and rebuilds
//! the run it sends back with [`decode_loaded`](probe_core::load::decode_loaded).

use wasm_bindgen::prelude::*;

/// Loads a Parquet file as `load_run` does with every reader built in, and returns the run as
/// [`encode_loaded`](probe_core::load::encode_loaded) bytes; an error is a message naming
/// `source`. The bytes are taken, not copied again: the reader keeps slices of them.
#[wasm_bindgen]
pub fn read_file(bytes: Vec<u8>, source: &str) -> Result<Vec<u8>, JsValue> {
    probe_core::load::load_parquet(bytes, source, None)
        .map(|loaded| probe_core::load::encode_loaded(&loaded))
        .map_err(|e| JsValue::from_str(&e.to_string()))
}
