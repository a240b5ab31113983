use thiserror::Error;

/// Why the judge could not be loaded or could not score. Messages name the file or tensor
/// at fault and, where there is one, the fix.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum JudgeError {
    /// `judge.json` does not parse, or its values are unusable (a featurizer this build does
    /// not know, say).
    #[error("judge.json: {0}")]
    Spec(String),
    /// The native ONNX Runtime library could not be loaded.
    #[error(
        "could not load the ONNX Runtime library {path}: {message}\n  \
         run scripts/fetch-onnxruntime.sh, or set ORT_DYLIB_PATH to a libonnxruntime.so of version 1.24 or newer"
    )]
    LibraryMissing { path: String, message: String },
    /// ONNX Runtime could not be set up (environment, session options, ONNX Runtime Web files).
    #[error("ONNX Runtime: {0}")]
    Runtime(String),
    /// The model bytes are not a model ONNX Runtime can load (corrupt, truncated, not ONNX).
    #[error("the model could not be loaded (is model.onnx a valid ONNX file?): {0}")]
    Model(String),
    /// The model loads, but its inputs or outputs are not the ones `judge.json` describes.
    #[error("the model does not match judge.json:\n  - {}", .0.join("\n  - "))]
    Contract(Vec<String>),
    /// ONNX Runtime failed while running the model.
    #[error("running the model failed: {0}")]
    Run(String),
    /// The model ran but returned a tensor of the wrong type or size.
    #[error("model output `{output}`: {message}")]
    BadOutput { output: String, message: String },
    /// The model returned NaN or infinity; `index` is into the pairs given to `score`.
    #[error("model output `{output}` is {value} (answer {index} of those scored, from 0); a broken model must not produce scores")]
    NotFinite { output: String, index: usize, value: f32 },
}
