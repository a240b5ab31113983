//! Probe Explorer's core: everything that is not UI.
//!
//! - [`model`]: `Dataset` → `Run` → `Answer`, and the misalignment `Thresholds`.
//! - [`load`]: CSV / JSONL / JSON parsing into runs; never panics, reports bounded issues.
//! - [`filter`]: which answers the list shows, and in which order; search and highlighting.
//! - [`stats`]: misaligned / judged counts and Wilson intervals per run × question.
//! - [`view_state`]: the permalink: everything that defines a view, to and from a URL query.
//! - [`export`]: selected answers as CSV or JSONL.
//! - [`featurize`], [`wordpiece`]: the local judges' model inputs, identical natively and in wasm.
//! - [`agreement`]: local vs published judge: confusion matrix, AUROC, κ, corrected rates.
//! - [`questions`]: the paper's first-plot questions under one name, whatever id a codebase gives them.
//! - [`compare`]: differences of two rates with 95% intervals (paired judges, unpaired runs), McNemar's test.
//!
//! This crate has no browser dependency: the app, the CLI and the tests share it.

pub mod agreement;
pub mod compare;
pub mod export;
pub mod featurize;
pub mod filter;
pub mod load;
pub mod model;
pub mod questions;
pub mod stats;
pub mod view_state;
pub mod wordpiece;
mod wordpiece_tables;

pub use model::*;
