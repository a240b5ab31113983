//! Probe Explorer's core: everything that is not UI.
//!
//! - [`model`]: `Dataset` → `Run` → `Answer`, and the misalignment `Thresholds`.
//! - [`load`]: CSV / JSONL / JSON parsing into runs; never panics, reports issues.
//!
//! This crate has no browser dependency: the app, the CLI and the tests share it.

pub mod load;
pub mod model;

pub use model::*;
