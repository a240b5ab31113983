//! Which ONNX Runtime Web build runs the judge: chosen by the app's main module, applied by the
//! judge module (`crates/judge-web`), so it needs no ONNX Runtime.

/// Which ONNX Runtime Web build runs the judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WebBackend {
    /// WebAssembly on the CPU: works everywhere, and is fast enough for this small model.
    #[default]
    Wasm,
    /// WebGPU where the browser has it, else WebAssembly. A larger download (27 MB wasm).
    WebGpu,
}

impl WebBackend {
    /// The files this backend fetches from the base URL, entry script first.
    pub fn files(self) -> [&'static str; 3] {
        match self {
            WebBackend::Wasm => ["ort.wasm.min.js", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"],
            WebBackend::WebGpu => {
                ["ort.webgpu.min.js", "ort-wasm-simd-threaded.asyncify.mjs", "ort-wasm-simd-threaded.asyncify.wasm"]
            }
        }
    }
}

impl WebBackend {
    /// The name the app and the judge module pass between them: `wasm` or `webgpu`.
    pub fn as_str(self) -> &'static str {
        match self {
            WebBackend::Wasm => "wasm",
            WebBackend::WebGpu => "webgpu",
        }
    }

    /// Reads [`WebBackend::as_str`]'s form.
    pub fn from_name(name: &str) -> Option<WebBackend> {
        match name {
            "wasm" => Some(WebBackend::Wasm),
            "webgpu" => Some(WebBackend::WebGpu),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WebBackend;

    #[test]
    fn a_backend_goes_by_its_name_and_back() {
        for backend in [WebBackend::Wasm, WebBackend::WebGpu] {
            assert_eq!(WebBackend::from_name(backend.as_str()), Some(backend));
        }
        assert_eq!(WebBackend::from_name("WebGPU"), None);
    }
}
