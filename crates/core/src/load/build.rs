//! From a table to a [`Run`], in one pass over the records: the answer
//! fields are read directly; every other column is interned and watched
//! (numbers? one value?), and only at the end becomes an extra score, a
//! metadata column, or nothing. One pass matters: CSV parsing is most of the
//! cost of loading, and a second pass would double it.

use std::collections::HashMap;

use ::csv::StringRecord;

use crate::model::{Answer, ColumnMapping, MetaColumn, Run, META_MISSING};

use super::columns::{self, ColumnStats, Fields, Header, Role, Score};
use super::issues::{quote_cell, IssueLog, Kind};
use super::{detect, Body, LoadError, Loaded, Table};

/// A column that feeds no answer field, while it is being read.
#[derive(Default)]
struct Pending {
    stats: ColumnStats,
    interner: Interner,
    /// Interned value per record, [`META_MISSING`] when empty.
    ids: Vec<u32>,
}

pub(crate) fn build(
    table: &Table<'_>,
    source: &str,
    mapping: Option<&ColumnMapping>,
    mut log: IssueLog,
) -> Result<Loaded, LoadError> {
    let mut headers = columns::clean_headers(&table.headers, &mut log);
    let fields = match mapping {
        Some(mapping) => columns::explicit_fields(&headers, mapping, source)?,
        None => columns::auto_fields(&headers),
    };
    if mapping.is_none() && fields.answer.is_none() {
        return Err(needs_mapping(table, headers, &fields, source, log));
    }

    let width = headers.len();
    let mut pending: Vec<Pending> = (0..width).map(|_| Pending::default()).collect();
    let mut answers: Vec<Answer> = Vec::new();
    let check_width = matches!(table.body, Body::Csv { .. });
    let score_name = |i: usize| headers.get(i).map_or(String::new(), |h| h.name.clone());
    let (aligned_name, coherent_name) = (fields.aligned.map(score_name), fields.coherent.map(score_name));
    let last_start = visit(&table.body, source, |row, line, record| {
        if check_width && record.len() != width {
            let kind = if record.len() < width { Kind::ShortRecord } else { Kind::LongRecord };
            log.add(kind, None, Some(line), || {
                let s = if record.len() == 1 { "" } else { "s" };
                format!("{} field{s}, header has {width}", record.len())
            });
        }
        while pending.len() < record.len() {
            // A column only long records have: earlier records lack it.
            pending.push(Pending { ids: vec![META_MISSING; answers.len()], ..Pending::default() });
        }
        let cell = |column: Option<usize>| column.and_then(|i| record.get(i)).unwrap_or("");
        let answer_text = cell(fields.answer);
        let question = cell(fields.question);
        let question_id = cell(fields.question_id).trim();
        let aligned = aligned_name.as_deref().and_then(|name| read_score(cell(fields.aligned), name, line, &mut log));
        let coherent =
            coherent_name.as_deref().and_then(|name| read_score(cell(fields.coherent), name, line, &mut log));
        for (i, column) in pending.iter_mut().enumerate() {
            if !fields.contains(i) {
                let value = record.get(i).unwrap_or("");
                column.stats.observe(value, line);
                column.ids.push(column.interner.intern(value));
            }
        }
        answers.push(Answer {
            row,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            question_id: if question_id.is_empty() { question } else { question_id }.to_string(),
            question: question.to_string(),
            answer: (!answer_text.trim().is_empty()).then(|| answer_text.to_string()),
            aligned,
            coherent,
            extra: Vec::new(),
            meta: Vec::new(),
            verdict: None,
        });
    })?;
    if let (Body::Csv { text, delimiter }, Some(last_start)) = (&table.body, last_start) {
        check_unterminated_quote(text, *delimiter, last_start, &mut log);
    }
    for position in headers.len()..pending.len() {
        columns::push_unique(&mut headers, format!("column_{}", position + 1), false, &mut log);
    }

    // Each leftover column becomes an extra score, metadata, or nothing.
    let mut extras: Vec<(usize, Vec<Option<f64>>)> = Vec::new();
    let mut metas: Vec<usize> = Vec::new();
    for (i, (header, column)) in headers.iter().zip(&pending).enumerate() {
        if fields.contains(i) {
            continue;
        }
        match columns::role(header, &column.stats) {
            Role::Extra => {
                if let Some((line, example)) = &column.stats.first_fraction {
                    log.add(Kind::Fraction, Some(&header.name), Some(*line), || example.clone());
                }
                let values = column.interner.values.iter().map(|v| score_value(columns::parse_score(v))).collect();
                extras.push((i, values));
            }
            Role::Meta => {
                if header.unnamed {
                    log.add(Kind::UnnamedColumn, None, Some(1), || format!("called it {}", header.name));
                }
                metas.push(i);
            }
            Role::Drop => {}
        }
    }
    for (k, answer) in answers.iter_mut().enumerate() {
        let id = |column: usize| pending.get(column).and_then(|p| p.ids.get(k).copied()).unwrap_or(META_MISSING);
        answer.extra = extras.iter().map(|(i, values)| values.get(id(*i) as usize).copied().flatten()).collect();
        answer.meta = metas.iter().map(|&i| id(i)).collect();
    }

    let stats: Vec<ColumnStats> = pending.iter().map(|p| p.stats.clone()).collect();
    let (run_name_column, run_name) = run_name(&headers, &stats, mapping, source);
    let header_name = |column: Option<usize>| column.and_then(|i| headers.get(i)).map(|h| h.name.clone());
    let name_of = |i: usize| headers.get(i).map_or(String::new(), |h| h.name.clone());
    let run = Run {
        name: run_name,
        source: source.to_string(),
        mapping: ColumnMapping {
            question: header_name(fields.question),
            question_id: header_name(fields.question_id),
            answer: header_name(fields.answer),
            aligned: header_name(fields.aligned),
            coherent: header_name(fields.coherent),
            run_name: header_name(run_name_column),
        },
        extra_score_names: extras.iter().map(|(i, _)| name_of(*i)).collect(),
        meta_columns: metas
            .iter()
            .map(|&i| MetaColumn {
                name: name_of(i),
                values: pending.get_mut(i).map(|p| std::mem::take(&mut p.interner.values)).unwrap_or_default(),
            })
            .collect(),
        answers,
    };
    let rows = match &table.body {
        Body::Csv { .. } => run.answers.len(),
        Body::Json(json) => json.seen,
    };
    Ok(Loaded { run, issues: log.finish(), rows })
}

/// The error for a file without a recognisable answer column, with a guess
/// at the mapping for the dialog that asks the user.
fn needs_mapping(
    table: &Table<'_>,
    mut headers: Vec<Header>,
    fields: &Fields,
    source: &str,
    mut log: IssueLog,
) -> LoadError {
    let mut stats: Vec<ColumnStats> = vec![ColumnStats::default(); headers.len()];
    let _ = visit(&table.body, source, |_, line, record| {
        if record.len() > stats.len() {
            stats.resize(record.len(), ColumnStats::default());
        }
        for (i, (cell, stats)) in record.iter().zip(stats.iter_mut()).enumerate() {
            if !fields.contains(i) {
                stats.observe(cell, line);
            }
        }
    });
    for position in headers.len()..stats.len() {
        columns::push_unique(&mut headers, format!("column_{}", position + 1), false, &mut log);
    }
    let (run_name_column, _) = run_name(&headers, &stats, None, source);
    let header_name = |column: Option<usize>| column.and_then(|i| headers.get(i)).map(|h| h.name.clone());
    let guess = ColumnMapping {
        question: header_name(fields.question),
        question_id: header_name(fields.question_id),
        answer: header_name(guess_answer(&headers, fields, &stats)),
        aligned: header_name(fields.aligned),
        coherent: header_name(fields.coherent),
        run_name: header_name(run_name_column),
    };
    LoadError::NeedsMapping {
        source: source.to_string(),
        columns: headers.into_iter().map(|h| h.name).collect(),
        guess,
    }
}

fn score_value(score: Score) -> Option<f64> {
    match score {
        Score::Value(value) | Score::Fraction(value) => Some(value),
        Score::Blank | Score::OutOfRange | Score::Text => None,
    }
}

/// Calls `f(row, line, record)` for each data record. For CSV, returns where
/// the last record starts.
fn visit(
    body: &Body<'_>,
    source: &str,
    mut f: impl FnMut(u32, u64, &StringRecord),
) -> Result<Option<usize>, LoadError> {
    match body {
        Body::Csv { text, delimiter } => {
            let mut row = 0u32;
            let visited = super::csv::visit(text, *delimiter, source, |line, record| {
                f(row, line, record);
                row = row.saturating_add(1);
            })?;
            Ok(Some(visited.last_record_start))
        }
        Body::Json(table) => {
            table.rows.iter().for_each(|r| f(r.row, r.line, &r.cells));
            Ok(None)
        }
    }
}

fn check_unterminated_quote(text: &str, delimiter: u8, last_start: usize, log: &mut IssueLog) {
    // An unterminated quote swallows the rest of the file into the last record.
    if !super::csv::unterminated_quote(text, last_start, delimiter) {
        return;
    }
    let newlines = |bytes: Option<&[u8]>| bytes.unwrap_or_default().iter().filter(|&&b| b == b'\n').count();
    let line = 1 + newlines(text.as_bytes().get(..last_start)) as u64;
    let swallowed = newlines(text.as_bytes().get(last_start..));
    log.note(
        Some(line),
        format!("a quote opened in this record is never closed; the rest of the file ({swallowed} lines) was read into one field"),
    );
}

/// Reads one score cell; odd values are reported and treated as blank.
fn read_score(cell: &str, column: &str, line: u64, log: &mut IssueLog) -> Option<f64> {
    match columns::parse_score(cell) {
        Score::Blank => None,
        Score::Value(value) => Some(value),
        Score::Fraction(value) => {
            log.add(Kind::Fraction, Some(column), Some(line), || format!("{} read as {value}", quote_cell(cell)));
            Some(value)
        }
        Score::OutOfRange => {
            log.add(Kind::OutOfRange, Some(column), Some(line), || quote_cell(cell));
            None
        }
        Score::Text => {
            log.add(Kind::NotANumber, Some(column), Some(line), || quote_cell(cell));
            None
        }
    }
}

/// The run's name: the single value of a naming column, else the file stem.
fn run_name(
    headers: &[Header],
    stats: &[ColumnStats],
    mapping: Option<&ColumnMapping>,
    source: &str,
) -> (Option<usize>, String) {
    let position = |name: &str| headers.iter().position(|h| h.name.eq_ignore_ascii_case(name.trim()));
    let candidates: Vec<usize> = match mapping {
        Some(mapping) => mapping.run_name.as_deref().and_then(position).into_iter().collect(),
        None => columns::RUN_NAME_NAMES.iter().filter_map(|name| position(name)).collect(),
    };
    candidates
        .into_iter()
        .find_map(|i| stats.get(i).and_then(ColumnStats::single_value).map(|value| (Some(i), value.to_string())))
        .unwrap_or_else(|| (None, detect::file_stem(source).to_string()))
}

/// For the mapping dialog: the unmapped text column with the longest cells.
fn guess_answer(headers: &[Header], fields: &Fields, stats: &[ColumnStats]) -> Option<usize> {
    let mut best: Option<(usize, u64)> = None;
    for (i, _) in headers.iter().enumerate() {
        let Some(stats) = stats.get(i) else { continue };
        if fields.contains(i) || stats.numeric || stats.filled == 0 {
            continue;
        }
        let mean = stats.text_bytes / stats.filled;
        if best.is_none_or(|(_, best_mean)| mean > best_mean) {
            best = Some((i, mean));
        }
    }
    best.map(|(i, _)| i)
}

/// Distinct values of one metadata column, each stored once.
#[derive(Default)]
struct Interner {
    index: HashMap<String, u32>,
    values: Vec<String>,
}

impl Interner {
    fn intern(&mut self, cell: &str) -> u32 {
        if cell.trim().is_empty() {
            return META_MISSING;
        }
        if let Some(&id) = self.index.get(cell) {
            return id;
        }
        let Ok(id) = u32::try_from(self.values.len()) else { return META_MISSING };
        if id == META_MISSING {
            return META_MISSING;
        }
        self.values.push(cell.to_string());
        self.index.insert(cell.to_string(), id);
        id
    }
}
