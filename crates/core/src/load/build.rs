//! From a table to a [`Run`], in one pass over the records: the answer
//! fields are read directly; every other column is interned and watched
//! (numbers? one value?), and only at the end becomes an extra score, a
//! metadata column, or nothing. One pass matters: CSV parsing is most of the
//! cost of loading, and a second pass would double it.

use std::collections::HashMap;

use crate::model::{
    stored_answer, ColumnMapping, JudgeChoice, JudgeLayer, JudgeOrigin, MetaColumn, Run, RunBuilder, ScoreColumn,
    META_MISSING,
};

use super::columns::{self, ColumnStats, Fields, Header, Role, Score};
use super::compact::Pieces;
use super::issues::{quote_cell, IssueLog, Kind};
use super::{detect, Body, LoadError, Loaded, Table};

/// Records read before the run's columns are sized for the whole file.
const SAMPLE_RECORDS: u32 = 2048;

/// A column that feeds no answer field, while it is being read.
#[derive(Default)]
struct Pending {
    stats: ColumnStats,
    interner: Interner,
    /// Interned value per record, [`META_MISSING`] when empty.
    ids: Vec<u32>,
    /// A column of scores has about as many distinct values as cells: once it has many and would
    /// become an extra score, its cells are kept as numbers (NaN = blank) instead of interned text.
    numbers: Option<Vec<f64>>,
    /// Whether the switch to numbers was considered (once, at [`NUMBERS_AFTER`] distinct values).
    considered: bool,
}

impl Pending {
    fn take(&mut self, header: Option<&Header>, value: &str, line: u64) {
        self.stats.observe(value, line);
        if let Some(numbers) = &mut self.numbers {
            numbers.push(cell_value(value));
            return;
        }
        self.ids.push(self.interner.intern(value));
        if !self.considered && self.interner.values.len() > NUMBERS_AFTER {
            self.considered = true;
            if header.is_some_and(|h| columns::role(h, &self.stats) == Role::Extra) {
                let parsed: Vec<f64> = self.interner.values.iter().map(|v| cell_value(v)).collect();
                let value_of = |id: &u32| parsed.get(*id as usize).copied().unwrap_or(f64::NAN);
                self.numbers = Some(self.ids.iter().map(value_of).collect());
                (self.interner, self.ids) = (Interner::default(), Vec::new());
            }
        }
    }
}

/// A score cell's value, NaN when it is not one.
fn cell_value(cell: &str) -> f64 {
    score_value(columns::parse_score(cell)).unwrap_or(f64::NAN)
}

/// Distinct values after which a column that looks like scores keeps numbers instead.
const NUMBERS_AFTER: usize = 4096;

/// `pieces`: where to note the answers of a CSV body instead of copying them into the run (then
/// the run's text is attached later; see `compact`).
pub(crate) fn build(
    table: &Table<'_>,
    source: &str,
    mapping: Option<&ColumnMapping>,
    mut log: IssueLog,
    mut pieces: Option<&mut Pieces>,
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
    let check_width = matches!(table.body, Body::Csv { .. });
    let score_name = |i: usize| headers.get(i).map_or(String::new(), |h| h.name.clone());
    let (aligned_name, coherent_name) = (fields.aligned.map(score_name), fields.coherent.map(score_name));
    let published = (aligned_name.is_some() || coherent_name.is_some()).then(|| {
        let origin = JudgeOrigin::Published { aligned: aligned_name.clone(), coherent: coherent_name.clone() };
        (JudgeChoice::PUBLISHED.to_string(), origin)
    });
    let mut builder = RunBuilder::new("", source, published.into_iter().collect(), Vec::new(), Vec::new());
    if !check_width {
        pieces = None;
    }
    if let Some(pieces) = pieces.as_deref_mut() {
        pieces.used = true;
        builder.defer_text();
    }
    // Room for the answers, estimated from the first records' share of the file: one allocation
    // instead of doublings, each of which would copy the texts so far (the tab's memory keeps the
    // peak), and not the file's whole length, most of which is not answer text.
    let file_len = match &table.body {
        Body::Csv { text, .. } => text.len(),
        Body::Json(_) => 0,
    };
    let unterminated = visit(&table.body, source, |row, line, record| {
        if check_width && record.len() != width {
            let kind = if record.len() < width { Kind::ShortRecord } else { Kind::LongRecord };
            log.add(kind, None, Some(line), || {
                let s = if record.len() == 1 { "" } else { "s" };
                format!("{} field{s}, header has {width}", record.len())
            });
        }
        let answers_so_far = builder.len();
        while pending.len() < record.len() {
            // A column only long records have: earlier records lack it.
            pending.push(Pending { ids: vec![META_MISSING; answers_so_far], ..Pending::default() });
        }
        let cell = |column: Option<usize>| column.and_then(|i| record.get(i)).unwrap_or("");
        let question = cell(fields.question);
        let question_id = cell(fields.question_id).trim();
        let aligned = aligned_name.as_deref().and_then(|name| read_score(cell(fields.aligned), name, line, &mut log));
        let coherent =
            coherent_name.as_deref().and_then(|name| read_score(cell(fields.coherent), name, line, &mut log));
        for (i, column) in pending.iter_mut().enumerate() {
            if !fields.contains(i) {
                column.take(headers.get(i), record.get(i).unwrap_or(""), line);
            }
        }
        if let Record::Csv(cells) = record {
            if row == SAMPLE_RECORDS && cells.end > 0 {
                let scale = |n: usize| (n as f64 * file_len as f64 / cells.end as f64 * 1.05) as usize;
                builder.reserve(scale(builder.len()), scale(builder.text_len()) + (1 << 16));
                if let Some(pieces) = pieces.as_deref_mut() {
                    pieces.reserve(scale(builder.len()));
                }
            }
        }
        let answer = cell(fields.answer);
        if let (Some(pieces), Record::Csv(cells), Some(column)) = (pieces.as_deref_mut(), record, fields.answer) {
            if let Some(answer) = stored_answer(answer) {
                pieces.push(cells, column, answer);
            }
        }
        let question = builder.question(question_id, question);
        let scores = [(aligned.unwrap_or(f64::NAN), coherent.unwrap_or(f64::NAN))];
        let line = u32::try_from(line).unwrap_or(u32::MAX);
        builder.push_interned(row, line, question, answer, &scores, &[], &[]);
    })?;
    if let Some((line, swallowed)) = unterminated {
        log.note(
            Some(line),
            format!("a quote opened in this record is never closed; the rest of the file ({swallowed} lines) was read into one field"),
        );
    }
    for position in headers.len()..pending.len() {
        columns::push_unique(&mut headers, format!("column_{}", position + 1), false, &mut log);
    }

    // Each leftover column becomes an extra score, metadata, or nothing; pairs of extra scores
    // named `aligned_X` / `coherent_X` become the judge `X`.
    let mut extras: Vec<usize> = Vec::new();
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
                extras.push(i);
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
    // A column kept as numbers that ended up metadata after all (text or out-of-range values came
    // later): read its cells again, as text. Rare, and only that column is interned.
    let reread: Vec<usize> =
        metas.iter().copied().filter(|&i| pending.get(i).is_some_and(|p| p.numbers.is_some())).collect();
    if !reread.is_empty() {
        for &i in &reread {
            if let Some(p) = pending.get_mut(i) {
                (p.numbers, p.interner, p.ids) = (None, Interner::default(), Vec::new());
            }
        }
        visit(&table.body, source, |_, _, record| {
            for &i in &reread {
                if let Some(p) = pending.get_mut(i) {
                    let id = p.interner.intern(record.get(i).unwrap_or(""));
                    p.ids.push(id);
                }
            }
        })?;
    }
    let names: Vec<&str> = extras.iter().map(|&i| headers.get(i).map_or("", |h| h.name.as_str())).collect();
    let pairs = columns::judge_pairs(&names);
    let n = builder.len();
    let values_of = |column: usize| -> Vec<f64> {
        let Some(p) = pending.get(column) else { return vec![f64::NAN; n] };
        if let Some(numbers) = &p.numbers {
            let mut values = numbers.clone();
            values.resize(n, f64::NAN);
            return values;
        }
        let parsed: Vec<f64> =
            p.interner.values.iter().map(|v| score_value(columns::parse_score(v)).unwrap_or(f64::NAN)).collect();
        (0..n).map(|k| p.ids.get(k).and_then(|&id| parsed.get(id as usize)).copied().unwrap_or(f64::NAN)).collect()
    };
    let name_of = |i: usize| headers.get(i).map_or(String::new(), |h| h.name.clone());
    let mut run = builder.finish();
    attach_scores(&mut run, &pairs, &extras, &name_of, &values_of);
    run.meta_columns = metas
        .iter()
        .map(|&i| {
            let column =
                pending.get_mut(i).map(|p| (std::mem::take(&mut p.interner.values), std::mem::take(&mut p.ids)));
            let (values, mut ids) = column.unwrap_or_default();
            ids.resize(n, META_MISSING);
            MetaColumn { name: name_of(i), values, ids }
        })
        .collect();

    let stats: Vec<ColumnStats> = pending.iter().map(|p| p.stats.clone()).collect();
    name_run(&mut run, &headers, &stats, &fields, mapping, source);
    let rows = match &table.body {
        Body::Csv { .. } => run.len(),
        Body::Json(json) => json.seen,
    };
    Ok(Loaded { run, issues: log.finish(), rows })
}

/// Every loader's last step for score columns: each suffixed pair (`aligned_X`/`coherent_X`,
/// `pairs` indexing into `extras`) becomes the published judge `X`, every other extra column an
/// extra score. `extras` are column indices; `values_of` gives a column's values.
pub(crate) fn attach_scores(
    run: &mut Run,
    pairs: &[columns::JudgePair],
    extras: &[usize],
    name_of: &dyn Fn(usize) -> String,
    values_of: &dyn Fn(usize) -> Vec<f64>,
) {
    let paired: Vec<usize> = pairs.iter().flat_map(|p| [p.aligned, p.coherent]).collect();
    for pair in pairs {
        let (Some(&aligned), Some(&coherent)) = (extras.get(pair.aligned), extras.get(pair.coherent)) else {
            continue;
        };
        run.judges.push(JudgeLayer {
            name: pair.name.clone(),
            origin: JudgeOrigin::Published { aligned: Some(name_of(aligned)), coherent: Some(name_of(coherent)) },
            aligned: values_of(aligned),
            coherent: values_of(coherent),
            own: None,
        });
    }
    run.extra = extras
        .iter()
        .enumerate()
        .filter(|(k, _)| !paired.contains(k))
        .map(|(_, &i)| ScoreColumn { name: name_of(i), values: values_of(i) })
        .collect();
}

/// Every loader's last step for the run's name and its column mapping (which header became what).
pub(crate) fn name_run(
    run: &mut Run,
    headers: &[Header],
    stats: &[ColumnStats],
    fields: &Fields,
    mapping: Option<&ColumnMapping>,
    source: &str,
) {
    let (run_name_column, name) = run_name(headers, stats, mapping, source);
    let header_name = |column: Option<usize>| column.and_then(|i| headers.get(i)).map(|h| h.name.clone());
    run.name = name;
    run.mapping = ColumnMapping {
        question: header_name(fields.question),
        question_id: header_name(fields.question_id),
        answer: header_name(fields.answer),
        aligned: header_name(fields.aligned),
        coherent: header_name(fields.coherent),
        run_name: header_name(run_name_column),
    };
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
        for (i, stats) in stats.iter_mut().enumerate().take(record.len()) {
            if !fields.contains(i) {
                stats.observe(record.get(i).unwrap_or(""), line);
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

pub(crate) fn score_value(score: Score) -> Option<f64> {
    match score {
        Score::Value(value) | Score::Fraction(value) => Some(value),
        Score::Blank | Score::OutOfRange | Score::Text => None,
    }
}

/// One record's cells, from a CSV or a JSON reader.
enum Record<'a, 'r> {
    Csv(&'a super::csv::Cells<'r>),
    Json(&'a ::csv::StringRecord),
}

impl Record<'_, '_> {
    fn len(&self) -> usize {
        match self {
            Record::Csv(cells) => cells.len(),
            Record::Json(cells) => cells.len(),
        }
    }

    fn get(&self, i: usize) -> Option<&str> {
        match self {
            Record::Csv(cells) => cells.get(i),
            Record::Json(cells) => cells.get(i),
        }
    }
}

/// Calls `f(row, line, record)` for each data record. For CSV, returns the line and the lines
/// swallowed by a quote that is never closed, if one is.
fn visit(
    body: &Body<'_>,
    source: &str,
    mut f: impl FnMut(u32, u64, &Record<'_, '_>),
) -> Result<Option<(u64, u64)>, LoadError> {
    match body {
        Body::Csv { text, delimiter } => {
            let mut row = 0u32;
            let visited = super::csv::visit(text, *delimiter, source, |line, record| {
                f(row, line, &Record::Csv(record));
                row = row.saturating_add(1);
            })?;
            Ok(visited.unterminated)
        }
        Body::Json(table) => {
            table.rows.iter().for_each(|r| f(r.row, r.line, &Record::Json(&r.cells)));
            Ok(None)
        }
    }
}

/// Reads one score cell; odd values are reported and treated as blank.
pub(crate) fn read_score(cell: &str, column: &str, line: u64, log: &mut IssueLog) -> Option<f64> {
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
pub(crate) fn run_name(
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

/// Distinct values of one metadata column, each stored once (CSV, JSON and Parquet columns).
#[derive(Default)]
pub(crate) struct Interner {
    index: HashMap<String, u32>,
    pub(crate) values: Vec<String>,
}

impl Interner {
    pub(crate) fn intern(&mut self, cell: &str) -> u32 {
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

#[cfg(test)]
mod tests {
    use crate::load::load_run;

    /// A file whose `extra` column holds `count` distinct scores, then `last` in the final record.
    fn file(count: usize, last: &str) -> String {
        let mut csv = String::from("question_id,answer,aligned,coherent,extra\n");
        for i in 0..count {
            csv.push_str(&format!("q,text {i},50,50,{}\n", i as f64 * 100.0 / count as f64));
        }
        csv.push_str(&format!("q,last,50,50,{last}\n"));
        csv
    }

    #[test]
    fn a_column_of_many_distinct_scores_is_an_extra_score_with_every_value() {
        let loaded = load_run(file(10_000, "").as_bytes(), "t.csv", None).expect("loads");
        let extra = loaded.run.extra_score("extra").expect("an extra score");
        assert_eq!(extra.values.len(), 10_001);
        assert_eq!((extra.get(0), extra.get(5_000), extra.get(10_000)), (Some(0.0), Some(50.0), None));
        assert!(loaded.run.meta_columns.is_empty());
    }

    #[test]
    fn a_column_that_turns_to_text_late_is_metadata_with_its_cells_as_written() {
        let loaded = load_run(file(10_000, "not a score").as_bytes(), "t.csv", None).expect("loads");
        let run = &loaded.run;
        assert!(run.extra_score("extra").is_none());
        let meta = run.meta_columns.iter().find(|c| c.name == "extra").expect("a metadata column");
        assert_eq!((meta.value(0), meta.value(1), meta.value(10_000)), (Some("0"), Some("0.01"), Some("not a score")));
        assert_eq!(meta.ids.len(), 10_001);
        let out_of_range = load_run(file(10_000, "250").as_bytes(), "t.csv", None).expect("loads");
        let meta = out_of_range.run.meta_columns.iter().find(|c| c.name == "extra").expect("a metadata column");
        assert_eq!((meta.value(9_999), meta.value(10_000)), (Some("99.99"), Some("250")));
    }
}
