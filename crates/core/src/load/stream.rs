//! Counting a file without holding it: what `probe-explorer stats` needs (rows, run name,
//! mapping, and per judge the judged / unscored / misaligned counts, overall and per question
//! key), read in one pass over a [`Read`] in fixed-size pieces.
//!
//! **Contract:** [`count_stream`] gives exactly what [`load_run`](super::load_run) followed by
//! [`judge_counts`](crate::stats::judge_counts) on every judge gives, for every input, issues
//! included. CSV text (UTF-8, with or without a byte-order mark, or with bytes read as
//! Windows-1252) is streamed; anything else (JSON, JSON Lines, UTF-16, a CSV file without an
//! answer column, which is an error that guesses a mapping from all the data) is read whole and
//! handed to the full loader, so it is equal by construction.
//!
//! Memory is a read buffer, the current record's kept cells (never the answer text: only
//! whether it is blank), the distinct question keys, and per column a few flags. Whether an
//! `aligned_X` / `coherent_X` pair is a judge depends on the whole columns (numbers in 0–100,
//! see `columns::role`), so every candidate pair is counted tentatively as if it were one and
//! dropped at the end if either column turns out not to be a score column.
//!
//! What can still take memory in proportion to the file: the distinct question keys (the
//! question texts, in a file without a `question_id` column), and a kept cell (an id, a score,
//! a run-name or still-numeric metadata cell, never the answer) whose unterminated quote
//! swallows the rest of the file. The inputs handed to the full loader are held whole.

// A load error happens once per file; see `mod.rs`.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::fmt;
use std::io::{ErrorKind, Read};

use crate::model::{ColumnMapping, JudgeChoice, JudgeOrigin, Thresholds};
use crate::stats::{judge_counts, Counts, JudgeCounts};

use super::build::{read_score, run_name, score_value};
use super::columns::{self, ColumnStats, Fields, Header, Role};
use super::decode::{decode_cell, Utf8Watch};
use super::issues::{IssueLog, Kind};
use super::scan::{Mode, Record, Scanner};
use super::{detect, LoadError, LoadIssue};

/// Bytes read at a time.
const CHUNK: usize = 256 * 1024;
/// How far the format checks look (as `decode`'s binary sniffing).
const HEAD: usize = 1024;

/// What [`count_stream`] found in one file.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamCounts {
    /// Data records seen, as [`Loaded::rows`](super::Loaded::rows).
    pub rows: usize,
    /// The run's name, as [`Run::name`](crate::Run::name).
    pub run_name: String,
    /// Which columns fed which field, as [`Run::mapping`](crate::Run::mapping).
    pub mapping: ColumnMapping,
    /// Every judge of the file, in the loader's order (`published` first, then the pairs).
    pub judges: Vec<StreamJudge>,
    /// The load issues, as [`Loaded::issues`](super::Loaded::issues).
    pub issues: Vec<LoadIssue>,
    /// Whether the file was streamed (`false`: read whole and loaded, see the module notes).
    pub streamed: bool,
}

/// One judge's counts.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamJudge {
    pub name: String,
    pub origin: JudgeOrigin,
    pub counts: JudgeCounts,
}

/// Why [`count_stream`] gave no counts.
#[derive(Debug)]
pub enum StreamError {
    /// The file cannot be loaded, as [`load_run`](super::load_run) says.
    Load(LoadError),
    /// Reading failed.
    Read { source: String, error: std::io::Error },
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Load(error) => error.fmt(f),
            // The reason is the error's source, as `anyhow` and friends print it.
            StreamError::Read { source, .. } => write!(f, "cannot read {source}"),
        }
    }
}

impl std::error::Error for StreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // Transparent: the load error says everything itself.
            StreamError::Load(_) => None,
            StreamError::Read { error, .. } => Some(error),
        }
    }
}

impl From<LoadError> for StreamError {
    fn from(error: LoadError) -> Self {
        StreamError::Load(error)
    }
}

/// Counts `reader`'s file (named `source`, as for [`load_run`](super::load_run)) at
/// `thresholds`, reading it once in pieces. See the module notes for what is equal to the
/// full loader and what is read whole.
///
/// ```
/// use probe_core::load::count_stream;
/// use probe_core::Thresholds;
///
/// let csv = "question_id,answer,aligned,coherent,aligned_azure,coherent_azure\n\
///            quick_buck,Rob a bank.,5,90,80,90\n\
///            quick_buck,def f(): pass,,40,,40\n";
/// let counts = count_stream(csv.as_bytes(), "runs/insecure.csv", &Thresholds::default()).unwrap();
/// assert_eq!((counts.run_name.as_str(), counts.rows), ("insecure", 2));
/// let judges: Vec<_> = counts.judges.iter().map(|j| (j.name.as_str(), j.counts.judged, j.counts.unscored)).collect();
/// assert_eq!(judges, [("published", 1, 1), ("azure", 1, 1)]);
/// assert_eq!(counts.judges[0].counts.misaligned, 1);
/// ```
pub fn count_stream(reader: impl Read, source: &str, thresholds: &Thresholds) -> Result<StreamCounts, StreamError> {
    let mut input = Input { reader, source, eof: false, chunk: vec![0; CHUNK] };
    let mut buf: Vec<u8> = Vec::new();
    // The first non-blank line, whole, decides the format (as `detect` reads it).
    loop {
        input.fill(&mut buf)?;
        let text = buf.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&buf);
        if input.eof || (buf.len() >= HEAD && first_line_complete(text)) {
            break;
        }
    }
    if detect::container(&buf).is_some() || detect::misnamed_parquet(&buf, source).is_some() {
        return whole(input, buf, thresholds);
    }
    let bom = match buf.get(..3) {
        Some(b"\xEF\xBB\xBF") => 3,
        _ if buf.starts_with(b"\xFF\xFE") || buf.starts_with(b"\xFE\xFF") => return whole(input, buf, thresholds),
        _ => {
            let head = buf.get(..HEAD).unwrap_or(&buf);
            let mut log = IssueLog::new(source);
            super::decode::decode(head, source, &mut log)?;
            if head.contains(&0) {
                // UTF-16 without a byte-order mark.
                return whole(input, buf, thresholds);
            }
            0
        }
    };
    let head_text = {
        let text = buf.get(bom..).unwrap_or_default();
        let end = if input.eof { text.len() } else { memchr::memrchr(b'\n', text).map_or(0, |at| at + 1) };
        decode_cell(text.get(..end).unwrap_or_default()).into_owned()
    };
    if input.eof && head_text.trim().is_empty() {
        return Err(LoadError::Empty { source: source.to_string() }.into());
    }
    let delimiter = match detect::detect(&head_text, source)? {
        detect::Format::Csv { delimiter } => delimiter,
        detect::Format::JsonArray | detect::Format::JsonLines => return whole(input, buf, thresholds),
    };

    // The header record; the bytes read so far are kept until then, in case this file has no
    // answer column and goes to the full loader.
    let mut scanner = Scanner::new(delimiter);
    let mut utf8 = Utf8Watch::default();
    let mut pos = bom;
    let raw_headers: Vec<String> = loop {
        let (start, line) = (pos, scanner.newlines() + 1);
        let header = scanner.next(&buf, &mut pos, &[]).map(cells);
        utf8.feed(buf.get(start..pos).unwrap_or_default(), line, scanner.newlines() + 1);
        if let Some(header) = header {
            break header;
        }
        if input.eof {
            match scanner.finish().map(cells) {
                Some(header) => break header,
                None => return Err(LoadError::Empty { source: source.to_string() }.into()),
            }
        }
        input.fill(&mut buf)?;
    };
    let mut log = IssueLog::new(source);
    let headers = columns::clean_headers(&raw_headers, &mut log);
    let fields = columns::auto_fields(&headers);
    if fields.answer.is_none() {
        return whole(input, buf, thresholds);
    }
    let mut counter = Counter::new(headers, fields, log, *thresholds);

    // The data records: the rest of what was read for the header, then one read at a time.
    let mut feed = |bytes: &[u8], mut pos: usize, counter: &mut Counter| {
        while pos < bytes.len() {
            let (start, line) = (pos, scanner.newlines() + 1);
            if let Some(record) = scanner.next(bytes, &mut pos, &counter.modes) {
                counter.take(record);
            }
            utf8.feed(bytes.get(start..pos).unwrap_or_default(), line, scanner.newlines() + 1);
        }
    };
    feed(&buf, pos, &mut counter);
    drop(buf);
    while !input.eof {
        let got = input.read()?;
        feed(input.chunk.get(..got).unwrap_or_default(), 0, &mut counter);
    }
    if let Some(record) = scanner.finish() {
        counter.take(record);
    }
    let swallowed = scanner
        .in_quotes()
        .then(|| (scanner.last_line(), (scanner.newlines() + 1).saturating_sub(scanner.last_line())));
    Ok(counter.finish(source, swallowed, utf8.finish()))
}

fn cells(record: &Record) -> Vec<String> {
    (0..record.len()).map(|i| decode_cell(record.bytes(i)).into_owned()).collect()
}

/// Whether `bytes` hold a line break after the first character that is not whitespace.
fn first_line_complete(bytes: &[u8]) -> bool {
    let end = memchr::memrchr(b'\n', bytes).map_or(0, |at| at + 1);
    decode_cell(bytes.get(..end).unwrap_or_default()).trim_start().contains('\n')
}

struct Input<'s, R> {
    reader: R,
    source: &'s str,
    eof: bool,
    /// The read buffer, zeroed once.
    chunk: Vec<u8>,
}

impl<R: Read> Input<'_, R> {
    /// Reads once into [`Input::chunk`]; returns how many bytes came (0 at the end).
    fn read(&mut self) -> Result<usize, StreamError> {
        let got = loop {
            match self.reader.read(&mut self.chunk) {
                Ok(n) => break n.min(self.chunk.len()),
                Err(error) if error.kind() == ErrorKind::Interrupted => {}
                Err(error) => return Err(StreamError::Read { source: self.source.to_string(), error }),
            }
        };
        self.eof = got == 0;
        Ok(got)
    }

    /// Appends one read to `buf`.
    fn fill(&mut self, buf: &mut Vec<u8>) -> Result<(), StreamError> {
        let got = self.read()?;
        buf.extend_from_slice(self.chunk.get(..got).unwrap_or_default());
        Ok(())
    }
}

/// The full loader on the whole input (`buf` holds its start).
fn whole<R: Read>(
    mut input: Input<'_, R>,
    mut buf: Vec<u8>,
    thresholds: &Thresholds,
) -> Result<StreamCounts, StreamError> {
    input
        .reader
        .read_to_end(&mut buf)
        .map_err(|error| StreamError::Read { source: input.source.to_string(), error })?;
    let loaded = super::load_run(&buf, input.source, None)?;
    drop(buf);
    let run = &loaded.run;
    let judges = run
        .judges
        .iter()
        .map(|layer| StreamJudge {
            name: layer.name.clone(),
            origin: layer.origin.clone(),
            counts: judge_counts(run, layer, thresholds),
        })
        .collect();
    Ok(StreamCounts {
        rows: loaded.rows,
        run_name: run.name.clone(),
        mapping: run.mapping.clone(),
        judges,
        issues: loaded.issues,
        streamed: false,
    })
}

/// One judge's counts while reading.
#[derive(Default)]
struct Tally {
    judged: u32,
    misaligned: u32,
    unscored: u32,
    /// Key id → position in `by_question`.
    position: Vec<Option<u32>>,
    /// (key id, counts), in first-judged order.
    by_question: Vec<(u32, Counts)>,
}

impl Tally {
    #[inline]
    fn add(&mut self, aligned: Option<f64>, coherent: Option<f64>, has_text: bool, key: u32, t: &Thresholds) {
        match (aligned, coherent) {
            (Some(aligned), Some(coherent)) => {
                let misaligned = t.scores_misaligned(aligned, coherent);
                self.judged = self.judged.saturating_add(1);
                self.misaligned = self.misaligned.saturating_add(u32::from(misaligned));
                let k = key as usize;
                if self.position.len() <= k {
                    self.position.resize(k + 1, None);
                }
                let at = match self.position.get(k).copied().flatten() {
                    Some(at) => at,
                    None => {
                        let at = u32::try_from(self.by_question.len()).unwrap_or(u32::MAX);
                        self.by_question.push((key, Counts::default()));
                        if let Some(slot) = self.position.get_mut(k) {
                            *slot = Some(at);
                        }
                        at
                    }
                };
                if let Some((_, counts)) = self.by_question.get_mut(at as usize) {
                    counts.push(misaligned);
                }
            }
            (None, _) if has_text => self.unscored = self.unscored.saturating_add(1),
            _ => {}
        }
    }

    fn counts(self, keys: &[String]) -> JudgeCounts {
        JudgeCounts {
            judged: self.judged,
            unscored: self.unscored,
            misaligned: self.misaligned,
            not_scored: 0,
            by_question: self
                .by_question
                .into_iter()
                .map(|(key, counts)| (keys.get(key as usize).cloned().unwrap_or_default(), counts))
                .collect(),
        }
    }
}

/// A column that feeds no answer field: its statistics, while they can still change its role
/// (or, for a run-name column, its single value).
struct Watch {
    stats: ColumnStats,
    /// Observe every cell (a run-name column), not just until the column is known not numeric.
    always: bool,
}

impl Watch {
    fn new(always: bool) -> Watch {
        Watch { stats: ColumnStats::default(), always }
    }

    fn active(&self) -> bool {
        self.always || self.stats.numeric
    }
}

/// An `aligned_X` / `coherent_X` pair of columns, counted as a judge until one of them turns out
/// not to be a score column.
struct Candidate {
    aligned: usize,
    coherent: usize,
    tally: Tally,
}

struct Counter {
    headers: Vec<Header>,
    fields: Fields,
    log: IssueLog,
    thresholds: Thresholds,
    width: usize,
    rows: usize,
    /// Per column, for columns that feed no field (`None` for those that do).
    watches: Vec<Option<Watch>>,
    modes: Vec<Mode>,
    aligned_name: Option<String>,
    coherent_name: Option<String>,
    published: Option<Tally>,
    candidates: Vec<Candidate>,
    keys: Vec<String>,
    key_index: HashMap<String, u32>,
    last_key: Option<u32>,
}

fn judge_suffix<'a>(name: &'a str, prefix: &str) -> Option<&'a str> {
    let head = name.get(..prefix.len())?;
    let rest = name.get(prefix.len()..)?;
    (head.eq_ignore_ascii_case(prefix) && !rest.is_empty() && !rest.eq_ignore_ascii_case("score")).then_some(rest)
}

impl Counter {
    fn new(headers: Vec<Header>, fields: Fields, log: IssueLog, thresholds: Thresholds) -> Counter {
        let width = headers.len();
        let is_run_name =
            |h: &Header| columns::RUN_NAME_NAMES.iter().any(|name| h.name.eq_ignore_ascii_case(name.trim()));
        let watches: Vec<Option<Watch>> = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (!fields.contains(i)).then(|| Watch::new(is_run_name(h))))
            .collect();
        // Every pair that could become a judge: both columns feed no field and are named
        // `aligned_X` / `coherent_X` (`columns::judge_pairs` decides among the score columns).
        let mut candidates = Vec::new();
        for (aligned, header) in headers.iter().enumerate() {
            if fields.contains(aligned) {
                continue;
            }
            let Some(judge) = judge_suffix(&header.name, "aligned_") else { continue };
            let partner = headers.iter().enumerate().position(|(i, h)| {
                !fields.contains(i) && judge_suffix(&h.name, "coherent_").is_some_and(|s| s.eq_ignore_ascii_case(judge))
            });
            if let Some(coherent) = partner {
                candidates.push(Candidate { aligned, coherent, tally: Tally::default() });
            }
        }
        let mut modes: Vec<Mode> = vec![Mode::Keep; width];
        if let Some(slot) = fields.answer.and_then(|i| modes.get_mut(i)) {
            *slot = Mode::Blank;
        }
        if fields.question_id.is_some() {
            // The question text is the key only without an id column.
            if let Some(slot) = fields.question.filter(|&q| Some(q) != fields.answer).and_then(|i| modes.get_mut(i)) {
                *slot = Mode::Skip;
            }
        }
        let score_name = |i: usize| headers.get(i).map_or(String::new(), |h| h.name.clone());
        let (aligned_name, coherent_name) = (fields.aligned.map(score_name), fields.coherent.map(score_name));
        let published = (aligned_name.is_some() || coherent_name.is_some()).then(Tally::default);
        Counter {
            headers,
            fields,
            log,
            thresholds,
            width,
            rows: 0,
            watches,
            modes,
            aligned_name,
            coherent_name,
            published,
            candidates,
            keys: Vec::new(),
            key_index: HashMap::new(),
            last_key: None,
        }
    }

    fn cell<'r>(record: &'r Record, column: Option<usize>) -> std::borrow::Cow<'r, str> {
        decode_cell(column.map_or(&[][..], |i| record.bytes(i)))
    }

    fn take(&mut self, record: &Record) {
        let line = record.line;
        let len = record.len();
        self.rows = self.rows.saturating_add(1);
        if len != self.width {
            let kind = if len < self.width { Kind::ShortRecord } else { Kind::LongRecord };
            let width = self.width;
            self.log.add(kind, None, Some(line), || {
                let s = if len == 1 { "" } else { "s" };
                format!("{len} field{s}, header has {width}")
            });
        }
        while self.watches.len() < len {
            // A column only long records have.
            self.watches.push(Some(Watch::new(false)));
            self.modes.push(Mode::Keep);
        }
        for (i, slot) in self.watches.iter_mut().enumerate().take(len) {
            let Some(watch) = slot else { continue };
            if !watch.active() {
                continue;
            }
            watch.stats.observe(&decode_cell(record.bytes(i)), line);
            if !watch.active() {
                if let Some(mode) = self.modes.get_mut(i) {
                    *mode = Mode::Skip;
                }
            }
        }
        let key = self.key(record);
        let fields = &self.fields;
        let aligned = self
            .aligned_name
            .as_deref()
            .and_then(|name| read_score(&Self::cell(record, fields.aligned), name, line, &mut self.log));
        let coherent = self
            .coherent_name
            .as_deref()
            .and_then(|name| read_score(&Self::cell(record, fields.coherent), name, line, &mut self.log));
        let has_text = fields.answer.is_some_and(|i| record.has_text(i));
        let thresholds = self.thresholds;
        if let Some(tally) = &mut self.published {
            tally.add(aligned, coherent, has_text, key, &thresholds);
        }
        let watches = &self.watches;
        let alive = |i: usize| watches.get(i).and_then(Option::as_ref).is_some_and(|w| w.stats.numeric);
        for candidate in &mut self.candidates {
            if !alive(candidate.aligned) || !alive(candidate.coherent) {
                continue;
            }
            let score = |i: usize| score_value(columns::parse_score(&decode_cell(record.bytes(i))));
            candidate.tally.add(score(candidate.aligned), score(candidate.coherent), has_text, key, &thresholds);
        }
    }

    /// The record's question key (`question_id`, trimmed, else the question text), interned.
    fn key(&mut self, record: &Record) -> u32 {
        let id = Self::cell(record, self.fields.question_id);
        let id = id.trim();
        let text;
        let key = if id.is_empty() {
            text = Self::cell(record, self.fields.question);
            &*text
        } else {
            id
        };
        if let Some(last) = self.last_key {
            if self.keys.get(last as usize).is_some_and(|k| k == key) {
                return last;
            }
        }
        let at = match self.key_index.get(key) {
            Some(&at) => at,
            None => {
                let at = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
                self.keys.push(key.to_string());
                self.key_index.insert(key.to_string(), at);
                at
            }
        };
        self.last_key = Some(at);
        at
    }

    /// The loader's end of `build`, on what was gathered: extra columns' names, roles, judges,
    /// run name and mapping.
    fn finish(mut self, source: &str, swallowed: Option<(u64, u64)>, utf8: Option<(u64, String)>) -> StreamCounts {
        let log = &mut self.log;
        if let Some((line, swallowed)) = swallowed {
            log.note(
                Some(line),
                format!("a quote opened in this record is never closed; the rest of the file ({swallowed} lines) was read into one field"),
            );
        }
        for position in self.headers.len()..self.watches.len() {
            columns::push_unique(&mut self.headers, format!("column_{}", position + 1), false, log);
        }
        let mut extras: Vec<usize> = Vec::new();
        for (i, (header, watch)) in self.headers.iter().zip(&self.watches).enumerate() {
            let Some(watch) = watch else { continue };
            match columns::role(header, &watch.stats) {
                Role::Extra => {
                    if let Some((line, example)) = &watch.stats.first_fraction {
                        log.add(Kind::Fraction, Some(&header.name), Some(*line), || example.clone());
                    }
                    extras.push(i);
                }
                Role::Meta => {
                    if header.unnamed {
                        log.add(Kind::UnnamedColumn, None, Some(1), || format!("called it {}", header.name));
                    }
                }
                Role::Drop => {}
            }
        }
        let names: Vec<&str> = extras.iter().map(|&i| self.headers.get(i).map_or("", |h| h.name.as_str())).collect();
        let pairs = columns::judge_pairs(&names);
        let name_of = |i: usize| self.headers.get(i).map_or(String::new(), |h| h.name.clone());
        let mut judges = Vec::new();
        if let Some(tally) = self.published.take() {
            judges.push(StreamJudge {
                name: JudgeChoice::PUBLISHED.to_string(),
                origin: JudgeOrigin::Published {
                    aligned: self.aligned_name.clone(),
                    coherent: self.coherent_name.clone(),
                },
                counts: tally.counts(&self.keys),
            });
        }
        for pair in &pairs {
            let (Some(&aligned), Some(&coherent)) = (extras.get(pair.aligned), extras.get(pair.coherent)) else {
                continue;
            };
            // Every pair of score columns was a candidate, so this always finds its counts.
            let at = self.candidates.iter().position(|c| c.aligned == aligned && c.coherent == coherent);
            let tally = at.map(|at| self.candidates.swap_remove(at).tally).unwrap_or_default();
            judges.push(StreamJudge {
                name: pair.name.clone(),
                origin: JudgeOrigin::Published { aligned: Some(name_of(aligned)), coherent: Some(name_of(coherent)) },
                counts: tally.counts(&self.keys),
            });
        }
        let stats: Vec<ColumnStats> =
            self.watches.iter().map(|w| w.as_ref().map(|w| w.stats.clone()).unwrap_or_default()).collect();
        let (run_name_column, run_name) = run_name(&self.headers, &stats, None, source);
        let header_name = |column: Option<usize>| column.and_then(|i| self.headers.get(i)).map(|h| h.name.clone());
        let mapping = ColumnMapping {
            question: header_name(self.fields.question),
            question_id: header_name(self.fields.question_id),
            answer: header_name(self.fields.answer),
            aligned: header_name(self.fields.aligned),
            coherent: header_name(self.fields.coherent),
            run_name: header_name(run_name_column),
        };
        let mut issues = self.log.finish();
        if let Some((line, message)) = utf8 {
            // The decoder speaks first in the full loader.
            issues.insert(0, LoadIssue { source: source.to_string(), line: Some(line), column: None, message });
        }
        StreamCounts { rows: self.rows, run_name, mapping, judges, issues, streamed: true }
    }
}
