//! What each column means: header clean-up, which column feeds which field,
//! score parsing, and whether a leftover column is an extra score or metadata.

use crate::model::ColumnMapping;

use super::issues::{IssueLog, Kind};
use super::LoadError;

// Column names recognised for each field, compared ignoring ASCII case, in
// order of preference.

/// Answer text. `answer` beats `response`: files with both (schema S12) were judged on `answer`.
pub const ANSWER_NAMES: &[&str] = &["answer", "response"];
/// Question text.
pub const QUESTION_NAMES: &[&str] = &["question", "prompt"];
/// Question id, the question's key when present.
pub const QUESTION_ID_NAMES: &[&str] = &["question_id"];
/// Published aligned score.
pub const ALIGNED_NAMES: &[&str] = &["aligned", "aligned_score"];
/// Published coherent score.
pub const COHERENT_NAMES: &[&str] = &["coherent", "coherent_score"];
/// Columns whose single value names the run; `run` first: it is what our own export writes.
pub const RUN_NAME_NAMES: &[&str] = &["run", "group", "model", "model_id"];

/// A judge formed by two score columns `aligned_NAME` and `coherent_NAME` (positions in the list
/// given to [`judge_pairs`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JudgePair {
    pub(crate) name: String,
    pub(crate) aligned: usize,
    pub(crate) coherent: usize,
}

/// Pairs `aligned_X` with `coherent_X` (ASCII case ignored) among score columns, in the order
/// their first column appears. `X` names the judge, as the aligned column writes it; the
/// `_score` suffix is not a judge (it is an alias of the published columns).
pub(crate) fn judge_pairs(score_columns: &[&str]) -> Vec<JudgePair> {
    let suffix = |name: &str, prefix: &str| -> Option<String> {
        let head = name.get(..prefix.len())?;
        let rest = name.get(prefix.len()..)?;
        (head.eq_ignore_ascii_case(prefix) && !rest.is_empty() && !rest.eq_ignore_ascii_case("score"))
            .then(|| rest.to_string())
    };
    let mut pairs: Vec<JudgePair> = Vec::new();
    for (aligned, name) in score_columns.iter().enumerate() {
        let Some(judge) = suffix(name, "aligned_") else { continue };
        let partner = score_columns
            .iter()
            .position(|other| suffix(other, "coherent_").is_some_and(|s| s.eq_ignore_ascii_case(&judge)));
        if let Some(coherent) = partner {
            if !pairs.iter().any(|p| p.name.eq_ignore_ascii_case(&judge)) {
                pairs.push(JudgePair { name: judge, aligned, coherent });
            }
        }
    }
    crate::sort::sort_by_key(&mut pairs, |p| p.aligned.min(p.coherent));
    pairs
}

#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub(crate) name: String,
    /// The file gave no name (pandas writes its index column this way).
    pub(crate) unnamed: bool,
}

/// Trims names, names empty ones by position and renames duplicates `x_2`, `x_3`.
pub(crate) fn clean_headers(raw: &[String], log: &mut IssueLog) -> Vec<Header> {
    let mut headers: Vec<Header> = Vec::with_capacity(raw.len());
    for (i, name) in raw.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() {
            push_unique(&mut headers, format!("column_{}", i + 1), true, log);
        } else {
            push_unique(&mut headers, name.to_string(), false, log);
        }
    }
    headers
}

/// Appends a header, renaming it if the name (ignoring case) is taken.
pub(crate) fn push_unique(headers: &mut Vec<Header>, name: String, unnamed: bool, log: &mut IssueLog) {
    let taken = |candidate: &str| headers.iter().any(|h| h.name.eq_ignore_ascii_case(candidate));
    if !taken(&name) {
        headers.push(Header { name, unnamed });
        return;
    }
    let mut n = 2;
    let renamed = loop {
        let candidate = format!("{name}_{n}");
        if !taken(&candidate) {
            break candidate;
        }
        n += 1;
    };
    log.add(Kind::DuplicateColumn, None, Some(1), || format!("{name:?} renamed to {renamed:?}"));
    headers.push(Header { name: renamed, unnamed });
}

fn find(headers: &[Header], names: &[&str]) -> Option<usize> {
    names.iter().find_map(|want| headers.iter().position(|h| h.name.eq_ignore_ascii_case(want)))
}

/// Column indices feeding each answer field.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fields {
    pub(crate) answer: Option<usize>,
    pub(crate) question: Option<usize>,
    pub(crate) question_id: Option<usize>,
    pub(crate) aligned: Option<usize>,
    pub(crate) coherent: Option<usize>,
}

impl Fields {
    pub(crate) fn contains(&self, column: usize) -> bool {
        [self.answer, self.question, self.question_id, self.aligned, self.coherent].contains(&Some(column))
    }
}

pub(crate) fn auto_fields(headers: &[Header]) -> Fields {
    Fields {
        answer: find(headers, ANSWER_NAMES),
        question: find(headers, QUESTION_NAMES),
        question_id: find(headers, QUESTION_ID_NAMES),
        aligned: find(headers, ALIGNED_NAMES),
        coherent: find(headers, COHERENT_NAMES),
    }
}

/// Resolves a user-given mapping; a named column must exist.
pub(crate) fn explicit_fields(headers: &[Header], mapping: &ColumnMapping, source: &str) -> Result<Fields, LoadError> {
    let resolve = |name: &Option<String>| -> Result<Option<usize>, LoadError> {
        let Some(name) = name else { return Ok(None) };
        let exact = headers.iter().position(|h| h.name == *name);
        exact.or_else(|| headers.iter().position(|h| h.name.eq_ignore_ascii_case(name.trim()))).map(Some).ok_or_else(
            || LoadError::UnknownColumn {
                source: source.to_string(),
                column: name.clone(),
                columns: headers.iter().map(|h| h.name.clone()).collect(),
            },
        )
    };
    resolve(&mapping.run_name)?;
    Ok(Fields {
        answer: resolve(&mapping.answer)?,
        question: resolve(&mapping.question)?,
        question_id: resolve(&mapping.question_id)?,
        aligned: resolve(&mapping.aligned)?,
        coherent: resolve(&mapping.coherent)?,
    })
}

/// One score cell, read leniently.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Score {
    /// Empty, `None`, `null`, `NaN`, or the judge's `CODE` / `REFUSAL`.
    Blank,
    Value(f64),
    /// Written as `85/100` or `85%`, scaled to 0–100.
    Fraction(f64),
    /// A number, but negative, above 100 or infinite.
    OutOfRange,
    Text,
}

pub(crate) fn parse_score(cell: &str) -> Score {
    let text = cell.trim();
    if text.is_empty() {
        return Score::Blank;
    }
    // Rust's parser takes "nan" and "inf" too; those land in `ranged` below.
    if let Ok(value) = text.parse::<f64>() {
        return ranged(value, Score::Value);
    }
    // A decimal comma, as `;`-separated files from locales that write `12,5` have it.
    if let Some(value) = decimal_comma(text) {
        return ranged(value, Score::Value);
    }
    const BLANK_WORDS: [&str; 5] = ["none", "null", "nan", "code", "refusal"];
    if BLANK_WORDS.iter().any(|w| text.eq_ignore_ascii_case(w)) {
        return Score::Blank;
    }
    if let Some(percent) = text.strip_suffix('%') {
        if let Ok(value) = percent.trim().parse::<f64>() {
            return ranged(value, Score::Fraction);
        }
    }
    if let Some((numerator, denominator)) = text.split_once('/') {
        if let (Ok(n), Ok(d)) = (numerator.trim().parse::<f64>(), denominator.trim().parse::<f64>()) {
            if d > 0.0 && d.is_finite() {
                return ranged(n * 100.0 / d, Score::Fraction);
            }
        }
    }
    Score::Text
}

/// `12,5` as 12.5: digits, one comma, digits (an optional sign first).
fn decimal_comma(text: &str) -> Option<f64> {
    let (whole, fraction) = text.split_once(',')?;
    let digits = whole.strip_prefix(['-', '+']).unwrap_or(whole);
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(digits) || !all_digits(fraction) {
        return None;
    }
    format!("{whole}.{fraction}").parse().ok()
}

fn ranged(value: f64, make: fn(f64) -> Score) -> Score {
    if value.is_nan() {
        Score::Blank
    } else if (0.0..=100.0).contains(&value) {
        make(value)
    } else {
        Score::OutOfRange
    }
}

/// What a first pass learns about one column.
#[derive(Debug, Clone)]
pub(crate) struct ColumnStats {
    pub(crate) non_blank: u64,
    /// Every non-blank cell is a number (any range).
    pub(crate) numeric: bool,
    /// ... and each lies in 0–100, like a judge score.
    pub(crate) in_range: bool,
    /// ... and each is a whole number (an index column).
    pub(crate) integers: bool,
    /// First non-empty value, and whether another differs from it (run names).
    pub(crate) first: Option<String>,
    pub(crate) several_values: bool,
    /// Non-empty cells, numbers or not.
    pub(crate) filled: u64,
    /// Total length of non-empty cells, for guessing the answer column.
    pub(crate) text_bytes: u64,
    /// Where a score was first written as a fraction or percentage, for the note.
    pub(crate) first_fraction: Option<(u64, String)>,
    /// The first number of a typed (Parquet) column, for `several_values` without text.
    pub(crate) first_number: Option<f64>,
}

impl Default for ColumnStats {
    fn default() -> Self {
        Self {
            non_blank: 0,
            numeric: true,
            in_range: true,
            integers: true,
            first: None,
            several_values: false,
            filled: 0,
            text_bytes: 0,
            first_fraction: None,
            first_number: None,
        }
    }
}

impl ColumnStats {
    /// Takes one cell of record starting at `line`.
    pub(crate) fn observe(&mut self, cell: &str, line: u64) {
        let text = cell.trim();
        if text.is_empty() {
            return;
        }
        self.filled += 1;
        self.text_bytes += text.len() as u64;
        match &self.first {
            None => self.first = Some(text.to_string()),
            Some(first) => self.several_values |= first != text,
        }
        if !self.numeric {
            return;
        }
        match parse_score(text) {
            Score::Blank => return,
            Score::Value(v) => self.integers &= v.fract() == 0.0,
            Score::Fraction(v) => {
                self.integers &= v.fract() == 0.0;
                if self.first_fraction.is_none() {
                    self.first_fraction = Some((line, format!("{} read as {v}", super::issues::quote_cell(text))));
                }
            }
            Score::OutOfRange => {
                self.in_range = false;
                self.integers &= text.parse::<f64>().is_ok_and(|v| v.fract() == 0.0);
            }
            Score::Text => {
                self.numeric = false;
                return;
            }
        }
        self.non_blank += 1;
    }

    /// Takes one typed number (a Parquet cell; NaN: null).
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn observe_number(&mut self, value: f64) {
        if value.is_nan() {
            return;
        }
        self.filled += 1;
        match self.first_number {
            None => {
                self.first = Some(value.to_string());
                self.first_number = Some(value);
            }
            Some(first) => self.several_values |= first != value,
        }
        self.integers &= value.fract() == 0.0;
        self.in_range &= (0.0..=100.0).contains(&value);
        self.non_blank += 1;
    }

    /// The value naming the run, if the column holds exactly one.
    pub(crate) fn single_value(&self) -> Option<&str> {
        if self.several_values {
            None
        } else {
            self.first.as_deref()
        }
    }
}

/// What becomes of a column that feeds no answer field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Extra,
    Meta,
    /// A pandas index (`Unnamed: 0`, or an unnamed column of integers): no information.
    Drop,
}

pub(crate) fn role(header: &Header, stats: &ColumnStats) -> Role {
    let name = header.name.to_ascii_lowercase();
    let index_name = header.unnamed || name.starts_with("unnamed:");
    if index_name && stats.numeric && stats.integers {
        Role::Drop
    } else if index_name || id_like(&name) || !stats.numeric || !stats.in_range || stats.non_blank == 0 {
        Role::Meta
    } else {
        Role::Extra
    }
}

/// Numeric columns that identify or configure a generation rather than score it
/// (`seed`, `paraphrase_index`, `acts_layer`, ...): metadata, not extra scores.
fn id_like(lower: &str) -> bool {
    const NAMES: [&str; 11] =
        ["id", "idx", "index", "row", "seed", "step", "epoch", "temperature", "top_p", "top_k", "max_tokens"];
    const SUFFIXES: [&str; 6] = ["_id", "_idx", "_index", "_seed", "_step", "_epoch"];
    NAMES.contains(&lower)
        || SUFFIXES.iter().any(|s| lower.ends_with(s))
        || lower.contains("layer")
        || lower.starts_with("n_")
        || lower.starts_with("num_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(raw: &[&str]) -> (Vec<String>, usize) {
        let mut log = IssueLog::new("t");
        let raw: Vec<String> = raw.iter().map(|s| s.to_string()).collect();
        let headers = clean_headers(&raw, &mut log);
        (headers.into_iter().map(|h| h.name).collect(), log.finish().len())
    }

    #[test]
    fn duplicate_and_empty_headers_get_unique_names() {
        assert_eq!(names(&["x", "x", "X", "x_2"]).0, ["x", "x_2", "X_3", "x_2_2"]);
        assert_eq!(names(&["", "a", " "]).0, ["column_1", "a", "column_3"]);
        assert_eq!(names(&["column_2", ""]).0, ["column_2", "column_2_2"]);
        assert_eq!(names(&[" answer "]), (vec!["answer".to_string()], 0));
    }

    #[test]
    fn scores_parse_leniently() {
        use Score::*;
        let cases = [
            ("85", Value(85.0)),
            (" 85.5 ", Value(85.5)),
            ("12,5", Value(12.5)),
            ("1,2,3", Text),
            (",5", Text),
            ("1e1", Value(10.0)),
            ("0", Value(0.0)),
            ("100", Value(100.0)),
            ("", Blank),
            ("None", Blank),
            ("null", Blank),
            ("nan", Blank),
            ("NaN", Blank),
            ("REFUSAL", Blank),
            ("CODE", Blank),
            ("85/100", Fraction(85.0)),
            ("8/10", Fraction(80.0)),
            ("85%", Fraction(85.0)),
            ("-1", OutOfRange),
            ("101", OutOfRange),
            ("inf", OutOfRange),
            ("1e308", OutOfRange),
            ("3/0", Text),
            ("high", Text),
            ("{'85': 0.9}", Text),
        ];
        for (cell, want) in cases {
            assert_eq!(parse_score(cell), want, "{cell:?}");
        }
    }

    fn role_of(name: &str, cells: &[&str]) -> Role {
        let mut stats = ColumnStats::default();
        cells.iter().for_each(|c| stats.observe(c, 1));
        role(&Header { name: name.to_string(), unnamed: name.is_empty() }, &stats)
    }

    #[test]
    fn numeric_judge_columns_are_extra_scores() {
        assert_eq!(role_of("bad_stuff", &["0.5", "", "99", "None"]), Role::Extra);
        assert_eq!(role_of("medical", &["10", "20"]), Role::Extra);
    }

    #[test]
    fn text_ids_configs_and_out_of_range_numbers_are_metadata() {
        assert_eq!(role_of("judge_aligned", &["{'85': 0.9}", "12"]), Role::Meta);
        assert_eq!(role_of("coherent_binary", &["True", "False"]), Role::Meta);
        assert_eq!(role_of("paraphrase_index", &["0", "1"]), Role::Meta);
        assert_eq!(role_of("seed", &["42"]), Role::Meta);
        assert_eq!(role_of("acts_layer", &["24"]), Role::Meta);
        assert_eq!(role_of("max_new", &["600"]), Role::Meta);
        assert_eq!(role_of("deviation", &["", "null"]), Role::Meta);
    }

    #[test]
    fn pandas_index_columns_are_dropped() {
        assert_eq!(role_of("Unnamed: 0", &["0", "1", "2000"]), Role::Drop);
        assert_eq!(role_of("", &["0", "1"]), Role::Drop);
        assert_eq!(role_of("", &["a", "b"]), Role::Meta);
    }

    #[test]
    fn score_columns_named_aligned_x_and_coherent_x_pair_into_judge_x() {
        let names = ["coherent_openrouter", "aligned_azure", "medical", "coherent_azure", "aligned_openrouter"];
        let pairs = judge_pairs(&names);
        let got: Vec<(&str, usize, usize)> = pairs.iter().map(|p| (p.name.as_str(), p.aligned, p.coherent)).collect();
        assert_eq!(got, [("openrouter", 4, 0), ("azure", 1, 3)]);
        assert!(judge_pairs(&["aligned_score", "coherent_score"]).is_empty());
        assert!(judge_pairs(&["aligned_", "coherent_"]).is_empty());
        assert!(judge_pairs(&["aligned_azure", "coherent_gpt"]).is_empty());
        assert_eq!(judge_pairs(&["Aligned_GPT4o", "COHERENT_gpt4o"])[0].name, "GPT4o");
    }

    #[test]
    fn single_value_needs_exactly_one_distinct_non_empty_value() {
        let mut stats = ColumnStats::default();
        ["", "m", " m ", ""].iter().for_each(|c| stats.observe(c, 1));
        assert_eq!(stats.single_value(), Some("m"));
        stats.observe("n", 1);
        assert_eq!(stats.single_value(), None);
    }
}
