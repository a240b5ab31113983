//! What several test files need: the shared transcripts (skipped with a message when absent, as
//! in a user's fresh clone) and every file under a folder.

#![allow(dead_code)] // each test file uses what it needs

use std::path::{Path, PathBuf};

pub mod writers;

/// `$PROBE_SHARED_DIR/transcripts` (default `../shared/transcripts` beside the checkout), or
/// `None` after saying the tests that need it are skipped.
pub fn transcripts_dir() -> Option<PathBuf> {
    let shared = match std::env::var_os("PROBE_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    let dir = shared.join("transcripts");
    if dir.join("MANIFEST.json").is_file() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: no {} (set PROBE_SHARED_DIR to the shared folder)", dir.join("MANIFEST.json").display());
        None
    }
}

/// Every file under `dir`, in sorted order.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(dir, &mut out);
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// The committed fixtures folder.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}
