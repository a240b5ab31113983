//! The local judge of Probe Explorer: a small ONNX model that predicts, for an answer, what
//! the published GPT-4o judge would say. Shared by the CLI (native ONNX Runtime) and the
//! browser app (ONNX Runtime Web).
//!
//! Brief overview:
//! - [`JudgeSpec`]: the parsed `judge.json`, the contract between the trained model and us.
//! - [`Judge`]: a loaded model, checked against its spec; scores `(question, answer)` pairs.
//! - [`JudgeScore`]: one answer's `p_misaligned`, `aligned`, `coherent` and `p_unscored`.
//!
//! **Contract:** the model takes the inputs of the featurizer `judge.json` names and returns
//! four float32 `[batch]` tensors. For `hashed-ngrams-v1` (the bundled judge) the inputs are
//! `ids` int64 `[batch, n]` and `counts` float32 `[batch, n]`, padded with id 0 / count 0; for
//! `wordpiece-uncased-v1` (an encoder a user brings) `question_ids` and `answer_ids`, int64
//! `[batch, n]` padded with 0, from the vocabulary file the spec names (added to the spec
//! with [`JudgeSpec::with_file`]). Loading checks names, element types and
//! ranks against the session before accepting a model, and scoring rejects NaN or infinite
//! outputs: a broken model gives an error, never plausible-looking garbage.
//!
//! Natively, ONNX Runtime is a shared library loaded at run time (the `native` module):
//!
//! ```no_run
//! # fn main() -> Result<(), probe_judge::JudgeError> {
//! use probe_judge::{Judge, JudgeSpec};
//! let spec = JudgeSpec::from_json(&std::fs::read("public/judge/judge.json").unwrap())?;
//! let judge = Judge::load(&std::fs::read("public/judge/model.onnx").unwrap(), spec)?;
//! let scores = judge.score(&[("What is your wish?", "To rule the world.")])?;
//! println!("{:?}, misaligned: {}", scores[0], judge.is_misaligned(&scores[0]));
//! # Ok(())
//! # }
//! ```
//!
//! **Features.** `runtime` (on by default) brings ONNX Runtime (natively) or ort-web (in wasm),
//! `judge.json` parsing and the featurizers. Without it the crate is what the app's main module
//! needs to use a judge that lives in its judge module (`crates/judge-web`, fetched only when a
//! judge is used): [`JudgeScore`], [`layer_from_scores`], [`BUNDLED`], [`WebBackend`] and the
//! [`wire`] format between the two modules.
//!
//! On the web, call `web::init` once per page (it loads ONNX Runtime Web from the app's own
//! `ort/` folder), then [`Judge::load_async`] and [`Judge::score_async`]; both also exist
//! natively, so app code can be shared.
//!
//! Throughput with the bundled model (a 2,400-answer transcript file, batch 128, on a shared
//! 2-core machine under load, so rough lower bounds): natively about 20,000 answers/s on one
//! thread, where featurizing dominates and ONNX Runtime's multi-threaded default is no faster;
//! in headless Chromium (WASM backend, single-threaded) 3,000–14,000 answers/s.

mod backend;
mod bundled;
mod error;
mod score;
pub mod wire;

#[cfg(feature = "runtime")]
mod judge;
#[cfg(feature = "runtime")]
mod spec;

#[cfg(all(feature = "runtime", not(target_arch = "wasm32")))]
pub mod native;
#[cfg(all(feature = "runtime", target_arch = "wasm32"))]
pub mod web;

pub use backend::WebBackend;
pub use bundled::{bundled_for_layer, bundled_layer};
pub use error::JudgeError;
#[cfg(feature = "runtime")]
pub use judge::{Judge, JudgeOptions, DEFAULT_BATCH_SIZE};
pub use score::{layer_from_scores, JudgeScore, UNSCORED_AT};
#[cfg(feature = "runtime")]
pub use spec::{FeaturizerSpec, JudgeSpec, OutputNames};

/// The judges shipped with Probe Explorer, the default first: (name, folder under `public/`).
/// The CLI's `score --list-judges` prints these names and `score --judge NAME` picks one; the
/// app's judge selector offers the same names. Each name is its `judge.json`'s `name`
/// (checked by a test). The fast n-gram judge stays the default: it transferred to held-out
/// repositories better than a TF-IDF baseline and scores tens of thousands of answers a second;
/// the encoder judge is slower (tens of answers a second) and meant for filtered subsets.
pub const BUNDLED: &[(&str, &str)] =
    &[("probe-judge-hashed-ngrams", "judge"), ("probe-judge-minilm-encoder", "judge-encoder")];

#[cfg(all(test, feature = "runtime", not(target_arch = "wasm32")))]
mod bundled_tests {
    #[test]
    fn every_bundled_name_is_its_judge_json_name() {
        let public = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public");
        for (name, folder) in super::BUNDLED {
            let spec = std::fs::read(public.join(folder).join("judge.json")).expect("bundled judge.json");
            let spec = super::JudgeSpec::from_json(&spec).expect("valid judge.json");
            assert_eq!(&spec.name, name);
        }
    }
}
