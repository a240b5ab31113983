//! From a table to a [`Run`], in two passes: the first learns what each
//! column holds (numbers? one value?), the second builds the answers.

use std::collections::HashMap;

use ::csv::StringRecord;

use crate::model::{Answer, ColumnMapping, MetaColumn, Run, META_MISSING};

use super::columns::{self, ColumnStats, Fields, Header, Role, Score};
use super::issues::{quote_cell, IssueLog, Kind};
use super::{detect, Body, LoadError, Loaded, Table};

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
    let scan = scan(&table.body, &headers, &fields, source, &mut log)?;
    for position in headers.len()..scan.stats.len() {
        columns::push_unique(&mut headers, format!("column_{}", position + 1), false, &mut log);
    }
    let (run_name_column, run_name) = run_name(&headers, &scan.stats, mapping, source);
    let header_name = |column: Option<usize>| column.and_then(|i| headers.get(i)).map(|h| h.name.clone());
    if mapping.is_none() && fields.answer.is_none() {
        let guess = ColumnMapping {
            question: header_name(fields.question),
            question_id: header_name(fields.question_id),
            answer: header_name(guess_answer(&headers, &fields, &scan.stats)),
            aligned: header_name(fields.aligned),
            coherent: header_name(fields.coherent),
            run_name: header_name(run_name_column),
        };
        return Err(LoadError::NeedsMapping {
            source: source.to_string(),
            columns: headers.into_iter().map(|h| h.name).collect(),
            guess,
        });
    }

    let mut extras = Vec::new();
    let mut metas = Vec::new();
    let no_stats = ColumnStats::default();
    for (i, header) in headers.iter().enumerate() {
        if fields.contains(i) {
            continue;
        }
        match columns::role(header, scan.stats.get(i).unwrap_or(&no_stats)) {
            Role::Extra => extras.push(i),
            Role::Meta => {
                if header.unnamed {
                    log.add(Kind::UnnamedColumn, None, Some(1), || format!("called it {}", header.name));
                }
                metas.push(i);
            }
            Role::Drop => {}
        }
    }

    let mapping = ColumnMapping {
        question: header_name(fields.question),
        question_id: header_name(fields.question_id),
        answer: header_name(fields.answer),
        aligned: header_name(fields.aligned),
        coherent: header_name(fields.coherent),
        run_name: header_name(run_name_column),
    };
    let name_of = |i: usize| headers.get(i).map_or("", |h| h.name.as_str());
    let mut interners: Vec<Interner> = metas.iter().map(|_| Interner::default()).collect();
    let mut answers = Vec::with_capacity(scan.records);
    visit(&table.body, source, |row, line, record| {
        let cell = |column: Option<usize>| column.and_then(|i| record.get(i)).unwrap_or("");
        let answer_text = cell(fields.answer);
        let question = cell(fields.question);
        let question_id = cell(fields.question_id).trim();
        let score = |column: Option<usize>, log: &mut IssueLog| {
            column.and_then(|i| read_score(record.get(i).unwrap_or(""), name_of(i), line, log))
        };
        let aligned = score(fields.aligned, &mut log);
        let coherent = score(fields.coherent, &mut log);
        let extra = extras.iter().map(|&i| score(Some(i), &mut log)).collect();
        let meta = metas
            .iter()
            .zip(interners.iter_mut())
            .map(|(&i, interner)| interner.intern(record.get(i).unwrap_or("")))
            .collect();
        answers.push(Answer {
            row,
            line: u32::try_from(line).unwrap_or(u32::MAX),
            question_id: if question_id.is_empty() { question } else { question_id }.to_string(),
            question: question.to_string(),
            answer: (!answer_text.trim().is_empty()).then(|| answer_text.to_string()),
            aligned,
            coherent,
            extra,
            meta,
        });
    })?;

    let run = Run {
        name: run_name,
        source: source.to_string(),
        mapping,
        extra_score_names: extras.iter().map(|&i| name_of(i).to_string()).collect(),
        meta_columns: metas
            .iter()
            .zip(interners)
            .map(|(&i, interner)| MetaColumn { name: name_of(i).to_string(), values: interner.values })
            .collect(),
        answers,
    };
    let rows = match &table.body {
        Body::Csv { .. } => scan.records,
        Body::Json(json) => json.seen,
    };
    Ok(Loaded { run, issues: log.finish(), rows })
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

struct Scan {
    records: usize,
    /// One per column, including columns only long records have.
    stats: Vec<ColumnStats>,
}

/// First pass: counts records, notes ragged ones, and learns each unmapped column's kind.
fn scan(
    body: &Body<'_>,
    headers: &[Header],
    fields: &Fields,
    source: &str,
    log: &mut IssueLog,
) -> Result<Scan, LoadError> {
    let width = headers.len();
    let mut stats = vec![ColumnStats::default(); width];
    let mut records = 0usize;
    let ragged_matters = matches!(body, Body::Csv { .. });
    let last_start = visit(body, source, |_, line, record| {
        records += 1;
        if ragged_matters && record.len() != width {
            let kind = if record.len() < width { Kind::ShortRecord } else { Kind::LongRecord };
            log.add(kind, None, Some(line), || {
                let s = if record.len() == 1 { "" } else { "s" };
                format!("{} field{s}, header has {width}", record.len())
            });
        }
        if record.len() > stats.len() {
            stats.resize(record.len(), ColumnStats::default());
        }
        for (i, (cell, stats)) in record.iter().zip(stats.iter_mut()).enumerate() {
            if !fields.contains(i) {
                stats.observe(cell);
            }
        }
    })?;
    if let (Body::Csv { text, delimiter }, Some(last_start)) = (body, last_start) {
        check_unterminated_quote(text, *delimiter, last_start, log);
    }
    Ok(Scan { records, stats })
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
