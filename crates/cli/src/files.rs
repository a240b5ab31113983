//! The files a command is given: read (`-` is standard input), loaded with their load issues
//! printed as warnings, and every bad file reported before the command gives up.

use std::ffi::OsString;
use std::io::Read;

use anyhow::{bail, Context};
use probe_core::load::{load_run_owned, LoadIssue, Loaded};

use crate::terminal;

/// The file's name as the user gave it, and its bytes.
pub fn read(path: &OsString) -> anyhow::Result<(String, Vec<u8>)> {
    let name = path.to_string_lossy().into_owned();
    let bytes = if name == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().lock().read_to_end(&mut bytes).context("cannot read standard input")?;
        bytes
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {name}"))?
    };
    Ok((name, bytes))
}

/// Reads and loads one file into a run, warning about its load issues. The run takes the
/// bytes (a CSV file's answers stay in their buffer), so the file is held once.
pub fn load(path: &OsString) -> anyhow::Result<(String, Loaded)> {
    let (name, bytes) = read(path)?;
    let loaded = load_run_owned(bytes, &name, None).map_err(|refused| refused.error)?;
    warn(&loaded.issues);
    Ok((name, loaded))
}

pub fn warn(issues: &[LoadIssue]) {
    for issue in issues {
        eprintln!("warning: {}", terminal::safe(&issue.to_string()));
    }
}

/// Loads every file with `load`; a file that fails is reported and the others still tried, so
/// one run names every bad file, and then the command fails.
pub fn load_all<T>(paths: &[OsString], mut load: impl FnMut(&OsString) -> anyhow::Result<T>) -> anyhow::Result<Vec<T>> {
    let mut loaded = Vec::with_capacity(paths.len());
    let mut failed = 0;
    for path in paths {
        match load(path) {
            Ok(file) => loaded.push(file),
            Err(error) => {
                eprintln!("error: {}", terminal::safe(&format!("{error:#}")));
                failed += 1;
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} files could not be loaded", paths.len());
    }
    Ok(loaded)
}

/// `--judge` (or `--gold`) names a judge no file has: bad usage (exit 2), with the judges there are.
#[derive(Debug)]
pub struct UnknownJudge {
    pub name: String,
    pub found: Vec<String>,
}

impl std::fmt::Display for UnknownJudge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let found = if self.found.is_empty() { "none".to_string() } else { self.found.join(", ") };
        write!(f, "no judge named {:?} in these files; judges found: {found}", self.name)
    }
}

impl std::error::Error for UnknownJudge {}

impl UnknownJudge {
    /// `Ok` when `name` is among the judges the files have (`judges`, repeats allowed); else
    /// the error, listing each judge found once, in the order first seen.
    pub fn check<'a>(name: &str, judges: impl IntoIterator<Item = &'a str>) -> Result<(), UnknownJudge> {
        let mut found: Vec<String> = Vec::new();
        for judge in judges {
            if judge == name {
                return Ok(());
            }
            if !found.iter().any(|f| f == judge) {
                found.push(judge.to_owned());
            }
        }
        Err(UnknownJudge { name: name.to_owned(), found })
    }
}
