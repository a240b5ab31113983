//! Probe Explorer's core: everything that is not UI.
//!
//! - [`model`]: `Dataset` → `Run` → `Answer`, and the misalignment `Thresholds`.
//! - [`load`]: CSV / JSONL / JSON parsing into runs; never panics, reports bounded issues.
//! - [`filter`]: which answers the list shows, and in which order; search and highlighting.
//! - [`stats`]: misaligned / judged counts and Wilson intervals per run × question.
//! - [`view_state`]: the permalink: everything that defines a view, to and from a URL query.
//! - [`export`]: selected answers as CSV or JSONL.
//! - [`featurize`], [`wordpiece`]: the local judges' model inputs, identical natively and in wasm.
//! - [`agreement`]: local vs published judge: confusion matrix, AUROC, κ; a judge's card error.
//! - [`calibrate`]: a judge's rates per run × question against a reference judge's labels.
//! - [`labels`]: human labels (JSONL) as a `human` judge layer.
//! - [`ppi`]: prediction-powered rates (PPI++) from a cheap judge and a few trusted labels.
//! - [`compare`]: differences of two rates with 95% intervals (paired judges, unpaired runs), McNemar's test.
//!
//! This crate has no browser dependency: the app, the CLI and the tests share it.

pub mod agreement;
pub mod calibrate;
pub mod compare;
pub mod export;
pub mod featurize;
pub mod filter;
pub mod labels;
pub mod load;
pub mod model;
pub mod ppi;
pub mod stats;
pub mod view_state;
pub mod wordpiece;
mod wordpiece_tables;

pub use model::*;
