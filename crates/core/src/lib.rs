//! Probe Explorer's core: everything that is not UI.
//!
//! - [`model`]: `Dataset` → `Run` → `Answer`, and the misalignment `Thresholds`.
//! - [`load`]: CSV / JSONL / JSON parsing into runs; never panics, reports bounded issues.
//! - [`filter`]: which answers the list shows, and in which order; search and highlighting.
//! - [`stats`]: misaligned / judged counts and Wilson intervals per run × question.
//! - [`view_state`]: the permalink: everything that defines a view, to and from a URL query.
//! - [`site`]: the site file of a companion site or a tour (title, datasets, figures, tour steps).
//! - [`export`]: selected answers as CSV or JSONL.
//! - [`featurize`], [`wordpiece`]: the local judges' model inputs, identical natively and in wasm.
//! - [`sensitivity`]: every run under a grid of rules; where the sign of a difference between runs flips.
//! - [`tail`]: Misalign@k (at least one misaligned answer among k), unbiased, with Clopper–Pearson-based intervals.
//! - [`uncertainty`]: the judge's token distributions (safe Python-dict parser), score spread, P(misaligned), near-threshold verdicts.
//! - [`provenance`]: runs that look curated, answers repeated across files, counting each once.
//! - [`starred`]: starred answers exported as Markdown (safe fences) and JSONL.
//! - [`manifest`]: what was shown (app, files by SHA-256, judge, rule, filter) for exports, links and citations.
//! - [`agreement`]: local vs published judge: confusion matrix, AUROC, κ; a judge's card error.
//! - [`calibrate`]: a judge's rates per run × question against a reference judge's labels.
//! - [`labels`]: human labels (JSONL) as a `human` judge layer.
//! - [`ppi`]: prediction-powered rates (PPI++) from a cheap judge and a few trusted labels.
//! - [`questions`]: the paper's first-plot questions under one name, whatever id a codebase gives them.
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
pub mod manifest;
pub mod model;
pub mod ppi;
pub mod provenance;
pub mod questions;
pub mod random;
pub mod sensitivity;
pub mod site;
pub mod sort;
pub mod starred;
pub mod stats;
pub mod tail;
pub mod uncertainty;
pub mod view_state;
pub mod wordpiece;
mod wordpiece_tables;

pub use model::*;
