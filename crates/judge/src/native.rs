//! Native ONNX Runtime: a shared library loaded at run time, once per process.
//!
//! The library is looked up in `ORT_DYLIB_PATH`, else at `.ort/libonnxruntime.so` in the
//! repository (where `scripts/fetch-onnxruntime.sh` puts it). A missing or incompatible
//! library is a [`JudgeError::LibraryMissing`], never a panic.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use ort::environment::Environment;

use crate::JudgeError;

/// The environment variable that names the ONNX Runtime shared library.
pub const LIBRARY_PATH_VAR: &str = "ORT_DYLIB_PATH";

// ort allows one environment per process, ever: build it once and share it. A failed attempt
// leaves `None`, so a later call (after fetching the library) can succeed.
static ENVIRONMENT: Mutex<Option<Environment>> = Mutex::new(None);

/// Where the library is loaded from: `ORT_DYLIB_PATH` if set, else [`default_library_path`].
pub fn library_path() -> PathBuf {
    match std::env::var_os(LIBRARY_PATH_VAR) {
        Some(path) if !path.is_empty() => PathBuf::from(path),
        _ => default_library_path(),
    }
}

/// `.ort/libonnxruntime.so` at the root of the repository this crate was built from.
pub fn default_library_path() -> PathBuf {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = crate_dir.parent().and_then(Path::parent).unwrap_or(crate_dir);
    root.join(".ort").join("libonnxruntime.so")
}

/// Loads ONNX Runtime now rather than on the first [`crate::Judge::load`], so callers can
/// fail before doing other work. Idempotent.
pub fn init() -> Result<(), JudgeError> {
    environment().map(drop)
}

pub(crate) fn environment() -> Result<Environment, JudgeError> {
    let mut slot = ENVIRONMENT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(environment) = slot.as_ref() {
        return Ok(environment.clone());
    }
    let path = library_path();
    let library_missing = |message: String| JudgeError::LibraryMissing { path: path.display().to_string(), message };
    if !path.is_file() {
        return Err(library_missing("no such file".to_string()));
    }
    let builder = ort::init_from(&path).map_err(|e| library_missing(e.to_string()))?;
    let environment = builder
        .with_name("probe-judge")
        .with_telemetry(false)
        .build()
        .map_err(|e| JudgeError::Runtime(e.to_string()))?;
    *slot = Some(environment.clone());
    Ok(environment)
}
