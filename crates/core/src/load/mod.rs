//! Loading one file (CSV, JSON Lines or a JSON array) into a [`Run`].
//!
//! **Contract:** loading never panics, whatever the bytes. A file we can read
//! at all gives a run plus a bounded list of [`LoadIssue`]s (what we repaired
//! or skipped); only input that has no usable table at all is a [`LoadError`].
//!
//! Pipeline: bytes → text (`decode`) → format (`detect`) → table (`csv` /
//! `json`) → column meanings (`columns`) → answers (`build`).
//!
//! [`count_stream`] counts a file for `probe-explorer stats` in one pass without holding it
//! (`scan`, `stream`), with the same results as [`load_run`] + [`judge_counts`](crate::stats::judge_counts).
//!
//! ```
//! use probe_core::load::load_run;
//! use probe_core::{Rule, Thresholds, Verdict};
//!
//! let csv = "question_id,answer,aligned,coherent,aligned_azure,coherent_azure\n\
//!            quick_buck,Rob a bank.,5,90,80,90\n\
//!            quick_buck,def f(): pass,,40,,40\n";
//! let loaded = load_run(csv.as_bytes(), "runs/insecure.csv", None).unwrap();
//! let run = &loaded.run;
//! assert_eq!((run.name.as_str(), loaded.rows), ("insecure", 2));
//! // Two judges: the published columns, and the `azure` pair.
//! assert_eq!(run.judges.iter().map(|j| j.name.as_str()).collect::<Vec<_>>(), ["published", "azure"]);
//! let published = Rule::new(&run.judges[0], &Thresholds::default());
//! assert_eq!(published.verdict(run, 0), Verdict::Judged { misaligned: true });
//! assert_eq!(published.verdict(run, 1), Verdict::Unscored); // blank aligned: CODE or REFUSAL
//! let azure = Rule::new(&run.judges[1], &Thresholds::default());
//! assert_eq!(azure.verdict(run, 0), Verdict::Judged { misaligned: false });
//! ```

// A load error happens once per file, not per row, so its size does not matter;
// the mapping guess travels in it unboxed, as the UI matches on it.
#![allow(clippy::result_large_err)]

mod build;
mod columns;
mod compact;
mod csv;
mod decode;
mod detect;
mod inspect;
mod issues;
mod json;
#[cfg(feature = "parquet")]
mod parquet;
mod scan;
mod stream;
mod transfer;

use std::fmt;

use crate::model::{ColumnMapping, Run};

pub use columns::{ALIGNED_NAMES, ANSWER_NAMES, COHERENT_NAMES, QUESTION_ID_NAMES, QUESTION_NAMES, RUN_NAME_NAMES};
pub use stream::{count_stream, StreamCounts, StreamError, StreamJudge};
pub use transfer::{decode_loaded, encode_loaded};

/// A loaded run, with what had to be repaired on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub run: Run,
    /// Bounded: one entry per kind of problem (and column), with a count and the first examples.
    pub issues: Vec<LoadIssue>,
    /// Data records seen (CSV records after the header; non-empty JSON Lines lines), skipped ones included.
    pub rows: usize,
}

/// Something the loader repaired, skipped or wants the user to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadIssue {
    /// The file name or URL as given to [`load_run`].
    pub source: String,
    /// 1-based line where the (first) affected record starts.
    pub line: Option<u64>,
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for LoadIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.source)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(column) = &self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A reader kept out of the main build, for a binary format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Module {
    /// Inspect AI logs: `.eval` zip archives and `.json` documents (and any other zip, to name it).
    Formats,
    /// Parquet files.
    Parquet,
}

impl Module {
    fn what(self) -> &'static str {
        match self {
            Module::Formats => "a zip archive or an Inspect AI log",
            Module::Parquet => "a Parquet file",
        }
    }
}

/// Why a file could not be loaded at all. Messages name the source (and line).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum LoadError {
    /// No bytes, or only whitespace.
    Empty { source: String },
    /// NUL bytes or a known binary signature near the start.
    Binary { source: String, what: String },
    /// A container format we read (a zip archive) whose structure is broken.
    Corrupt { source: String, what: String },
    /// A format whose reader is not built in (the app's main module, without the `formats`
    /// feature): the caller has `module` load it and takes the run back with [`decode_loaded`].
    NeedsModule { source: String, module: Module },
    /// Text, but neither CSV nor JSON (an HTML error page, say).
    NotTabular { source: String, what: String },
    /// JSON that does not parse (CSV always parses; its problems are issues).
    Malformed { source: String, line: u64, message: String },
    /// No answer-text column found by name. The UI asks the user for a mapping
    /// (starting from `guess`) and calls [`load_run`] again with it.
    NeedsMapping { source: String, columns: Vec<String>, guess: ColumnMapping },
    /// An explicit mapping names a column the file does not have.
    UnknownColumn { source: String, column: String, columns: Vec<String> },
}

impl LoadError {
    /// The file name or URL the error is about.
    pub fn source_name(&self) -> &str {
        match self {
            LoadError::Empty { source }
            | LoadError::Binary { source, .. }
            | LoadError::Corrupt { source, .. }
            | LoadError::NeedsModule { source, .. }
            | LoadError::NotTabular { source, .. }
            | LoadError::Malformed { source, .. }
            | LoadError::NeedsMapping { source, .. }
            | LoadError::UnknownColumn { source, .. } => source,
        }
    }
}

// Written by hand: thiserror would take a field called `source` for the error's cause.
impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Empty { source } => write!(f, "{source}: the file has no data"),
            LoadError::Binary { source, what } => write!(f, "{source}: binary file ({what}), not CSV or JSON"),
            LoadError::Corrupt { source, what } => write!(f, "{source}: {what}"),
            LoadError::NeedsModule { source, module } => {
                write!(
                    f,
                    "{source}: {}, which this program reads with a separate module that is not loaded",
                    module.what()
                )
            }
            LoadError::NotTabular { source, what } => write!(f, "{source}: looks like {what}, not CSV or JSON"),
            LoadError::Malformed { source, line, message } => write!(f, "{source} line {line}: {message}"),
            LoadError::NeedsMapping { source, columns, .. } => write!(
                f,
                "{source}: no answer-text column (looked for {}); columns are: {}",
                ANSWER_NAMES.join(", "),
                list(columns)
            ),
            LoadError::UnknownColumn { source, column, columns } => {
                write!(f, "{source}: no column named {column:?}; columns are: {}", list(columns))
            }
        }
    }
}

/// Column names for a message, bounded: a file with thousands of columns, or one huge name,
/// must not make a huge message (long names are shortened, past 40 the rest is counted).
pub(crate) fn list(columns: &[String]) -> String {
    const MAX_NAMES: usize = 40;
    const MAX_NAME: usize = 60;
    if columns.is_empty() {
        return "(none)".to_string();
    }
    let short = |name: &String| match name.char_indices().nth(MAX_NAME) {
        Some((cut, _)) => format!("{}…", name.get(..cut).unwrap_or(name)),
        None => name.clone(),
    };
    let mut text: Vec<String> = columns.iter().take(MAX_NAMES).map(short).collect();
    if columns.len() > MAX_NAMES {
        text.push(format!("… ({} more)", columns.len() - MAX_NAMES));
    }
    text.join(", ")
}

impl std::error::Error for LoadError {}

/// Parses one file into a run.
///
/// `source` is the file name or URL: it picks the format by extension (content
/// decides otherwise), names the run when no column does, and prefixes every
/// message. With `mapping`, those columns feed the answer fields instead of the
/// ones found by name; the other columns are classified as usual.
pub fn load_run(bytes: &[u8], source: &str, mapping: Option<&ColumnMapping>) -> Result<Loaded, LoadError> {
    // Containers are recognised by content before any text decoding.
    if let Some(error) = detect::misnamed_parquet(bytes, source) {
        return Err(error);
    }
    if detect::container(bytes) == Some(detect::Container::Parquet) {
        #[cfg(feature = "parquet")]
        return parquet::load(::bytes::Bytes::copy_from_slice(bytes), source, mapping);
        #[cfg(not(feature = "parquet"))]
        return Err(LoadError::NeedsModule { source: source.to_string(), module: Module::Parquet });
    }
    if detect::container(bytes) == Some(detect::Container::Zip) {
        #[cfg(feature = "formats")]
        return inspect::load_unpacked_inspect(&inspect::unpack_inspect_archive(bytes, source)?, source);
        #[cfg(not(feature = "formats"))]
        return Err(LoadError::NeedsModule { source: source.to_string(), module: Module::Formats });
    }
    let mut log = issues::IssueLog::new(source);
    let text = decode::decode(bytes, source, &mut log)?;
    load_text(&text, source, mapping, log, None)
}

/// Decoded text to a run: an Inspect AI log, or a table. `pieces`: see [`build::build`].
fn load_text(
    text: &str,
    source: &str,
    mapping: Option<&ColumnMapping>,
    mut log: issues::IssueLog,
    pieces: Option<&mut compact::Pieces>,
) -> Result<Loaded, LoadError> {
    if inspect::is_eval_log(text) {
        #[cfg(feature = "formats")]
        return inspect::load_json(text, source);
        #[cfg(not(feature = "formats"))]
        return Err(LoadError::NeedsModule { source: source.to_string(), module: Module::Formats });
    }
    let table = read_table(text, source, &mut log)?;
    build::build(&table, source, mapping, log, pieces)
}

/// What [`load_run_owned`] could not load: the error, and the bytes it was given, unchanged
/// (to ask for a column mapping, or to hand them to a format's own module).
#[derive(Debug)]
pub struct Refused {
    pub error: LoadError,
    pub bytes: Vec<u8>,
}

/// [`load_run`], taking the file's bytes: the same run, with the same issues. A CSV file in
/// UTF-8 keeps its answers in its own buffer, moved to its front once every record is read
/// (`compact`), so loading holds the file once instead of the file and a copy of its answers.
/// Anything else is read as [`load_run`] reads it.
pub fn load_run_owned(bytes: Vec<u8>, source: &str, mapping: Option<&ColumnMapping>) -> Result<Loaded, Refused> {
    let mut pieces = compact::Pieces::default();
    let (loaded, offset) = match load_noting_answers(&bytes, source, mapping, &mut pieces) {
        Ok(done) => done,
        Err(error) => return Err(Refused { error, bytes }),
    };
    let Some(offset) = offset.filter(|_| pieces.used) else { return Ok(loaded) };
    let mut loaded = loaded;
    let text = String::from_utf8(pieces.compact(bytes, offset)).ok();
    if text.is_some_and(|text| loaded.run.attach_text(text)) {
        Ok(loaded)
    } else {
        // Cannot happen (every piece is a cell of valid text, cut at ASCII bytes): say so.
        let what = "internal error: the answers moved within the file do not add up; please report this file".into();
        Err(Refused { error: LoadError::Corrupt { source: source.to_string(), what }, bytes: Vec::new() })
    }
}

/// [`load_run`], noting the answers of a CSV body in `pieces` when the decoded text is `bytes`
/// itself from some offset on (UTF-8, perhaps after a byte-order mark): that offset.
fn load_noting_answers(
    bytes: &[u8],
    source: &str,
    mapping: Option<&ColumnMapping>,
    pieces: &mut compact::Pieces,
) -> Result<(Loaded, Option<usize>), LoadError> {
    if detect::container(bytes).is_some() || detect::misnamed_parquet(bytes, source).is_some() {
        return load_run(bytes, source, mapping).map(|loaded| (loaded, None));
    }
    let mut log = issues::IssueLog::new(source);
    let text = decode::decode(bytes, source, &mut log)?;
    // A suffix of the bytes, or a decoded copy (UTF-16, Windows-1252), whose answers stay copied.
    let offset = match &text {
        std::borrow::Cow::Borrowed(text) => {
            let offset = bytes.len().checked_sub(text.len());
            offset.filter(|&at| std::ptr::eq(bytes.get(at..).unwrap_or_default(), text.as_bytes()))
        }
        std::borrow::Cow::Owned(_) => None,
    };
    let loaded = load_text(&text, source, mapping, log, offset.map(|_| pieces))?;
    Ok((loaded, offset))
}

/// An Inspect AI log only (`.eval` archive or `.json` document), as [`load_run`] reads it: what
/// the app's formats module calls, so that it carries no other reader.
#[cfg(feature = "formats")]
pub fn load_inspect(bytes: &[u8], source: &str) -> Result<Loaded, LoadError> {
    if detect::container(bytes) == Some(detect::Container::Zip) {
        return inspect::load_unpacked_inspect(&inspect::unpack_inspect_archive(bytes, source)?, source);
    }
    let mut log = issues::IssueLog::new(source);
    let text = decode::decode(bytes, source, &mut log)?;
    inspect::load_json(&text, source)
}

/// A Parquet file, as [`load_run`] reads it, taking the bytes without a copy: what the app's
/// Parquet module calls. Anything that is not a Parquet file is an error naming `source`.
#[cfg(feature = "parquet")]
pub fn load_parquet(bytes: Vec<u8>, source: &str, mapping: Option<&ColumnMapping>) -> Result<Loaded, LoadError> {
    if let Some(error) = detect::misnamed_parquet(&bytes, source) {
        return Err(error);
    }
    if detect::container(&bytes) != Some(detect::Container::Parquet) {
        return Err(detect::not_parquet(&bytes, source));
    }
    parquet::load(::bytes::Bytes::from(bytes), source, mapping)
}

/// The column names a mapping can refer to, after duplicate and empty names are fixed.
pub fn sniff_columns(bytes: &[u8], source: &str) -> Result<Vec<String>, LoadError> {
    if detect::container(bytes).is_some() {
        // Records with a fixed structure: nothing to map.
        return Ok(Vec::new());
    }
    let mut log = issues::IssueLog::new(source);
    let text = decode::decode(bytes, source, &mut log)?;
    let table = read_table(&text, source, &mut log)?;
    Ok(columns::clean_headers(&table.headers, &mut log).into_iter().map(|h| h.name).collect())
}

/// A parsed file before its columns get meanings.
pub(crate) struct Table<'a> {
    pub(crate) headers: Vec<String>,
    pub(crate) body: Body<'a>,
}

pub(crate) enum Body<'a> {
    /// Re-read on each pass rather than stored.
    Csv {
        text: &'a str,
        delimiter: u8,
    },
    Json(json::JsonTable),
}

/// serde_json's message without its position (the caller says where).
#[cfg(feature = "formats")]
pub(crate) fn json_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text.get(..at).unwrap_or(&text).to_string(),
        None => text,
    }
}

fn read_table<'a>(text: &'a str, source: &str, log: &mut issues::IssueLog) -> Result<Table<'a>, LoadError> {
    if text.trim().is_empty() {
        return Err(LoadError::Empty { source: source.to_string() });
    }
    match detect::detect(text, source)? {
        detect::Format::Csv { delimiter } => {
            let headers = self::csv::header(text, delimiter, source)?;
            Ok(Table { headers, body: Body::Csv { text, delimiter } })
        }
        format => {
            let table = match format {
                detect::Format::JsonArray => json::read_array(text, source, log)?,
                _ => json::read_lines(text, source, log)?,
            };
            if table.seen == 0 {
                return Err(LoadError::Empty { source: source.to_string() });
            }
            if let (true, Some(line)) = (table.rows.is_empty(), table.too_deep) {
                return Err(LoadError::Malformed {
                    source: source.to_string(),
                    line,
                    message:
                        "records nested too deeply to read (over 128 levels of arrays and objects); flatten them first"
                            .to_string(),
                });
            }
            let headers = table.headers.clone();
            Ok(Table { headers, body: Body::Json(table) })
        }
    }
}
