//! ONNX Runtime Web, through ort-web, for the browser app.
//!
//! Call [`init`] once per page, before loading a judge. It adds ONNX Runtime Web's entry
//! script to the page from `base_url`, which must be the absolute URL of the folder the app
//! serves `public/ort/` at (filled by `scripts/copy-ort-web.sh`). Telemetry is disabled.
//!
//! Files fetched from `base_url`:
//! - [`WebBackend::Wasm`]: `ort.wasm.min.js`, `ort-wasm-simd-threaded.mjs`, `ort-wasm-simd-threaded.wasm`.
//! - [`WebBackend::WebGpu`]: `ort.webgpu.min.js`, `ort-wasm-simd-threaded.asyncify.mjs`,
//!   `ort-wasm-simd-threaded.asyncify.wasm` (sessions fall back to the WASM CPU provider when
//!   WebGPU is unavailable or lacks an operator).
//!
//! Without COOP/COEP headers ONNX Runtime Web runs single-threaded.

use std::ffi::CStr;
use std::sync::{Mutex, PoisonError};

use ort::environment::Environment;
use ort::ep::ExecutionProvider;
use ort::session::builder::SessionBuilder;
use ort::session::Session;
use ort::AsPointer;

use crate::JudgeError;
pub use crate::WebBackend;

struct WebRuntime {
    environment: Environment,
    backend: WebBackend,
}

static RUNTIME: Mutex<Option<WebRuntime>> = Mutex::new(None);

/// Loads ONNX Runtime Web from `base_url` (absolute, e.g. `https://host/app/ort/`) and builds
/// the ort environment. Idempotent for the same backend; a page can only ever have one.
pub async fn init(base_url: &str, backend: WebBackend) -> Result<(), JudgeError> {
    let base_url = absolute_base_url(base_url)?;
    if let Some(runtime) = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
        return if runtime.backend == backend {
            Ok(())
        } else {
            Err(JudgeError::Runtime(format!(
                "ONNX Runtime Web is already loaded with the {:?} backend; reload the page to switch",
                runtime.backend
            )))
        };
    }
    let [script, _, binary] = backend.files();
    // Naming the binary makes ort-web preload it (and its .mjs wrapper) alongside the script.
    let dist = ort_web::Dist::new(base_url.clone()).with_script_name(script).with_binary_name(binary);
    let api = ort_web::api(dist)
        .await
        .map_err(|e| JudgeError::Runtime(format!("could not load ONNX Runtime Web from {base_url}: {e}")))?;
    ort::set_api(api);
    let environment = ort::init()
        .with_name("probe-judge")
        .with_telemetry(false)
        .build()
        .map_err(|e| JudgeError::Runtime(e.to_string()))?;
    *RUNTIME.lock().unwrap_or_else(PoisonError::into_inner) = Some(WebRuntime { environment, backend });
    Ok(())
}

/// ort-web resolves file names against the base with `new URL(file, base)`: the base must be
/// absolute and end in `/`, or its last segment would be replaced.
fn absolute_base_url(base_url: &str) -> Result<String, JudgeError> {
    if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
        return Err(JudgeError::Runtime(format!(
            "ONNX Runtime Web base URL must be absolute (like https://host/app/ort/), got {base_url:?}"
        )));
    }
    Ok(if base_url.ends_with('/') { base_url.to_string() } else { format!("{base_url}/") })
}

pub(crate) async fn session_from_memory(model_bytes: &[u8]) -> Result<Session, JudgeError> {
    let (environment, backend) = {
        let runtime = RUNTIME.lock().unwrap_or_else(PoisonError::into_inner);
        let runtime = runtime.as_ref().ok_or_else(|| {
            JudgeError::Runtime("ONNX Runtime Web is not loaded: call probe_judge::web::init first".to_string())
        })?;
        (runtime.environment.clone(), runtime.backend)
    };
    let mut builder = Session::builder(&environment).map_err(|e| JudgeError::Runtime(e.to_string()))?;
    if backend == WebBackend::WebGpu {
        // No providers = ONNX Runtime Web's default, WASM. For WebGPU, ask for it with WASM as the fallback.
        WebProvider(c"WebGPU").register(&mut builder).map_err(|e| JudgeError::Runtime(e.to_string()))?;
        WebProvider(c"WASM").register(&mut builder).map_err(|e| JudgeError::Runtime(e.to_string()))?;
    }
    builder.commit_from_memory(model_bytes).await.map_err(|e| JudgeError::Model(e.to_string()))
}

/// An execution provider registered under ONNX Runtime Web's own name.
///
/// `ort::ep::WebGPU` cannot be used: with the `api-22`+ features ort-web requires, ort
/// registers providers by their canonical names (`WebGpuExecutionProvider`), and ort-web
/// 0.5.0 only knows the short ones (`WebGPU`, `WASM`), so the request would be dropped.
struct WebProvider(&'static CStr);

impl ExecutionProvider for WebProvider {
    const NAME: &'static str = "WebProvider";

    fn register(&self, builder: &mut SessionBuilder) -> ort::Result<()> {
        let append = ort::api().SessionOptionsAppendExecutionProvider;
        // SAFETY: the options pointer comes from a live builder, the name is a NUL-terminated
        // static string, and zero option pairs are passed with null key/value arrays, which the
        // ONNX Runtime C API (and ort-web's implementation of it) accept.
        #[allow(unsafe_code)]
        unsafe {
            let status = append(builder.ptr_mut(), self.0.as_ptr(), std::ptr::null(), std::ptr::null(), 0);
            ort::Error::result_from_status(status)
        }
    }
}
