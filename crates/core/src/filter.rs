//! Which answers the list shows, and in which order.
//!
//! A [`Filter`] is plain data (it lives in the permalink). [`scope`] applies
//! only its run, question and metadata parts: that is what the rates table
//! counts over. [`select`] applies all of it and sorts. Both compile the
//! filter once per run (column lookups, value sets) so the per-answer work is
//! a few comparisons, whatever the number of answers.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::model::{Answer, Dataset, Run, Thresholds, META_MISSING};

/// Names one answer: the run's index in [`Dataset::runs`] and the answer's in [`Run::answers`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AnswerRef {
    pub run: u32,
    pub index: u32,
}

impl Dataset {
    /// The answer `r` names, if it exists.
    pub fn answer(&self, r: AnswerRef) -> Option<&Answer> {
        self.runs.get(r.run as usize)?.answers.get(r.index as usize)
    }

    /// Every answer, in dataset order.
    pub fn refs(&self) -> impl Iterator<Item = AnswerRef> + '_ {
        self.runs.iter().enumerate().flat_map(|(run, r)| {
            let run = u32::try_from(run).unwrap_or(u32::MAX);
            (0..u32::try_from(r.answers.len()).unwrap_or(u32::MAX)).map(move |index| AnswerRef { run, index })
        })
    }
}

/// An inclusive score range; an open side is `None`. The default lets everything
/// through, blanks included; any bound excludes blank scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ScoreRange {
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl ScoreRange {
    /// Neither side bounded (a NaN bound counts as no bound).
    pub fn is_all(&self) -> bool {
        self.min.is_none_or(f64::is_nan) && self.max.is_none_or(f64::is_nan)
    }

    pub fn contains(&self, score: Option<f64>) -> bool {
        if self.is_all() {
            return true;
        }
        let Some(score) = score else { return false };
        self.min.is_none_or(|min| min.is_nan() || score >= min)
            && self.max.is_none_or(|max| max.is_nan() || score <= max)
    }
}

/// What to do with unscored answers (text but no aligned score).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UnscoredMode {
    #[default]
    All,
    Only,
    Exclude,
}

/// Everything the answer list can be narrowed by. `Default` keeps every answer;
/// an empty list means "no constraint", not "nothing".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Filter {
    /// Run indices.
    pub runs: Vec<u32>,
    /// Question keys ([`Answer::question_id`]).
    pub questions: Vec<String>,
    pub aligned: ScoreRange,
    pub coherent: ScoreRange,
    /// Extra judge scores by column name; a run without the column has blank scores there.
    pub extra: Vec<(String, ScoreRange)>,
    /// Metadata column → allowed values; `""` allows a missing value.
    pub meta: Vec<(String, Vec<String>)>,
    pub unscored: UnscoredMode,
    /// Only answers misaligned under the current thresholds.
    pub misaligned_only: bool,
    /// Case-insensitive substring of the question or the answer; surrounding whitespace ignored.
    pub search: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    /// File order: run, then row.
    #[default]
    Row,
    /// Run name.
    Run,
    /// Question key.
    Question,
    Aligned,
    Coherent,
    /// An extra score, by name.
    Extra(String),
    /// Answer length in characters.
    Length,
}

/// Blank scores sort last in both directions; ties keep file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Sort {
    /// URL form: `aligned`, `-coherent`, `extra:medical`, `-length`.
    pub fn to_param(&self) -> String {
        let key = match &self.key {
            SortKey::Row => "row".to_string(),
            SortKey::Run => "run".to_string(),
            SortKey::Question => "question".to_string(),
            SortKey::Aligned => "aligned".to_string(),
            SortKey::Coherent => "coherent".to_string(),
            SortKey::Extra(name) => format!("extra:{name}"),
            SortKey::Length => "length".to_string(),
        };
        if self.descending {
            format!("-{key}")
        } else {
            key
        }
    }

    /// Parses [`Sort::to_param`]'s form; `None` for anything else.
    pub fn from_param(param: &str) -> Option<Sort> {
        let (descending, key) = match param.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, param),
        };
        let key = match key {
            "row" => SortKey::Row,
            "run" => SortKey::Run,
            "question" => SortKey::Question,
            "aligned" => SortKey::Aligned,
            "coherent" => SortKey::Coherent,
            "length" => SortKey::Length,
            _ => SortKey::Extra(key.strip_prefix("extra:").filter(|name| !name.is_empty())?.to_string()),
        };
        Some(Sort { key, descending })
    }
}

/// Answers passing the run, question and metadata constraints only, in dataset
/// order: the population the rates table counts.
pub fn scope(dataset: &Dataset, filter: &Filter) -> Vec<AnswerRef> {
    matching(dataset, filter, None)
}

/// Answers passing the whole filter, sorted.
pub fn select(dataset: &Dataset, filter: &Filter, thresholds: &Thresholds, sort: &Sort) -> Vec<AnswerRef> {
    let mut refs = matching(dataset, filter, Some(thresholds));
    sort_refs(dataset, &mut refs, sort);
    refs
}

/// `thresholds` is `None` for [`scope`]: then score, unscored and search parts are ignored.
fn matching(dataset: &Dataset, filter: &Filter, thresholds: Option<&Thresholds>) -> Vec<AnswerRef> {
    let questions: HashSet<&str> = filter.questions.iter().map(String::as_str).collect();
    let matcher = thresholds.and_then(|_| Matcher::new(&filter.search));
    // The previous answer's question and whether it passed: files group answers by question,
    // so most answers skip the set lookup (it dominated the scope's time at 1M answers).
    let mut last_question: Option<(&str, bool)> = None;
    let mut out = Vec::new();
    for (run_index, run) in dataset.runs.iter().enumerate() {
        let Ok(run_index) = u32::try_from(run_index) else { break };
        if !filter.runs.is_empty() && !filter.runs.contains(&run_index) {
            continue;
        }
        let Some(compiled) = RunFilter::compile(run, filter) else { continue };
        for (index, answer) in run.answers.iter().enumerate() {
            if !questions.is_empty() {
                let wanted = match last_question {
                    Some((key, wanted)) if same_str(key, &answer.question_id) => wanted,
                    _ => {
                        let wanted = questions.contains(answer.question_id.as_str());
                        last_question = Some((answer.question_id.as_str(), wanted));
                        wanted
                    }
                };
                if !wanted {
                    continue;
                }
            }
            if !compiled.meta_ok(answer) {
                continue;
            }
            if let Some(thresholds) = thresholds {
                if !compiled.scores_ok(answer, filter, thresholds) {
                    continue;
                }
                if let Some(matcher) = &matcher {
                    let in_answer = answer.answer.as_deref().is_some_and(|text| matcher.is_match(text));
                    if !in_answer && !matcher.is_match(&answer.question) {
                        continue;
                    }
                }
            }
            out.push(AnswerRef { run: run_index, index: u32::try_from(index).unwrap_or(u32::MAX) });
        }
    }
    out
}

/// A filter's per-run parts, with column names resolved to indices.
struct RunFilter {
    /// Per metadata constraint: the column index (if the run has it), allowed
    /// value ids, and whether a missing value is allowed.
    meta: Vec<(Option<usize>, Vec<bool>, bool)>,
    /// Per extra-score constraint: the score index (if the run has it) and the range.
    extra: Vec<(Option<usize>, ScoreRange)>,
}

impl RunFilter {
    /// `None` when no answer of the run can pass (a constraint on a column it lacks).
    fn compile(run: &Run, filter: &Filter) -> Option<RunFilter> {
        let mut meta = Vec::new();
        for (name, allowed) in &filter.meta {
            if allowed.is_empty() {
                continue;
            }
            let missing_ok = allowed.iter().any(|v| v.is_empty());
            match run.meta_columns.iter().position(|c| c.name == *name) {
                Some(column) => {
                    let values = run.meta_columns.get(column).map_or(&[][..], |c| c.values.as_slice());
                    let ok = values.iter().map(|v| allowed.contains(v)).collect();
                    meta.push((Some(column), ok, missing_ok));
                }
                None if missing_ok => {}
                None => return None,
            }
        }
        let extra = filter
            .extra
            .iter()
            .filter(|(_, range)| !range.is_all())
            .map(|(name, range)| (run.extra_score_names.iter().position(|n| n == name), *range))
            .collect();
        Some(RunFilter { meta, extra })
    }

    fn meta_ok(&self, answer: &Answer) -> bool {
        self.meta.iter().all(|(column, ok, missing_ok)| {
            let value = column.and_then(|c| answer.meta.get(c).copied()).unwrap_or(META_MISSING);
            if value == META_MISSING {
                *missing_ok
            } else {
                ok.get(value as usize).copied().unwrap_or(false)
            }
        })
    }

    fn scores_ok(&self, answer: &Answer, filter: &Filter, thresholds: &Thresholds) -> bool {
        let unscored_ok = match filter.unscored {
            UnscoredMode::All => true,
            UnscoredMode::Only => answer.is_unscored(),
            UnscoredMode::Exclude => !answer.is_unscored(),
        };
        unscored_ok
            && (!filter.misaligned_only || thresholds.is_misaligned(answer))
            && filter.aligned.contains(answer.aligned)
            && filter.coherent.contains(answer.coherent)
            && self
                .extra
                .iter()
                .all(|(at, range)| range.contains(at.and_then(|i| answer.extra.get(i).copied().flatten())))
    }
}

fn sort_refs(dataset: &Dataset, refs: &mut Vec<AnswerRef>, sort: &Sort) {
    let answer = |r: AnswerRef| dataset.answer(r);
    match &sort.key {
        SortKey::Row => {
            refs.sort_unstable();
            if sort.descending {
                refs.reverse();
            }
        }
        SortKey::Run => {
            sort_by_key(refs, sort.descending, |r| dataset.runs.get(r.run as usize).map(|run| run.name.as_str()))
        }
        SortKey::Question => sort_by_key(refs, sort.descending, |r| answer(r).map(|a| a.question_id.as_str())),
        SortKey::Length => sort_by_key(refs, sort.descending, |r| {
            answer(r).map(|a| a.answer.as_deref().map_or(0, |t| t.chars().count()))
        }),
        SortKey::Aligned => sort_by_score(refs, sort.descending, |r| answer(r).and_then(|a| a.aligned)),
        SortKey::Coherent => sort_by_score(refs, sort.descending, |r| answer(r).and_then(|a| a.coherent)),
        SortKey::Extra(name) => {
            let positions: Vec<Option<usize>> =
                dataset.runs.iter().map(|run| run.extra_score_names.iter().position(|n| n == name)).collect();
            sort_by_score(refs, sort.descending, |r| {
                let at = positions.get(r.run as usize).copied().flatten()?;
                answer(r)?.extra.get(at).copied().flatten()
            })
        }
    }
}

/// Sorts by a key computed once per answer; `None` last, ties in file order.
fn sort_by_key<'a, K: Ord>(refs: &mut Vec<AnswerRef>, descending: bool, key: impl Fn(AnswerRef) -> Option<K> + 'a) {
    let mut keyed: Vec<(Option<K>, AnswerRef)> = refs.iter().map(|&r| (key(r), r)).collect();
    keyed.sort_by(|(a, ra), (b, rb)| nones_last(a.as_ref(), b.as_ref(), descending, Ord::cmp).then(ra.cmp(rb)));
    *refs = keyed.into_iter().map(|(_, r)| r).collect();
}

fn sort_by_score(refs: &mut Vec<AnswerRef>, descending: bool, key: impl Fn(AnswerRef) -> Option<f64>) {
    let mut keyed: Vec<(Option<f64>, AnswerRef)> = refs.iter().map(|&r| (key(r).filter(|v| !v.is_nan()), r)).collect();
    keyed.sort_by(|(a, ra), (b, rb)| nones_last(a.as_ref(), b.as_ref(), descending, f64::total_cmp).then(ra.cmp(rb)));
    *refs = keyed.into_iter().map(|(_, r)| r).collect();
}

fn nones_last<T>(a: Option<&T>, b: Option<&T>, descending: bool, cmp: impl Fn(&T, &T) -> Ordering) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) if descending => cmp(b, a),
        (Some(a), Some(b)) => cmp(a, b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// `a == b`, eight bytes at a time. In wasm, `==` on strings calls a byte-by-byte `memcmp`
/// (there is no memory-compare instruction): comparing each answer's question key that way
/// took most of a question filter's time at 1M answers.
pub(crate) fn same_str(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (mut a8, mut b8) = (a.chunks_exact(8), b.chunks_exact(8));
    // `chunks_exact(8)` yields 8-byte slices only, so the fallback is never taken.
    let word = |chunk: &[u8]| <[u8; 8]>::try_from(chunk).map_or(0, u64::from_ne_bytes);
    let words_equal = (&mut a8).zip(&mut b8).all(|(x, y)| word(x) == word(y));
    words_equal && a8.remainder().iter().zip(b8.remainder()).all(|(x, y)| x == y)
}

/// Byte ranges of `query` in `text`, case-insensitive, non-overlapping, on
/// char boundaries: what the UI wraps in `<mark>`. Empty for an empty query.
pub fn highlight_ranges(text: &str, query: &str) -> Vec<Range<usize>> {
    let Some(matcher) = Matcher::new(query) else { return Vec::new() };
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(found) = matcher.find_at(text, from) {
        // A match is never empty, so this always advances.
        from = found.end.max(from + 1);
        ranges.push(found);
        if from >= text.len() {
            break;
        }
    }
    ranges
}

/// Case-insensitive substring search without lower-casing each haystack:
/// a million answers are searched without a million allocations.
struct Matcher {
    needle: Needle,
}

enum Needle {
    /// Lower-case ASCII bytes: compared with `eq_ignore_ascii_case`, found with memchr.
    Ascii(Vec<u8>),
    /// Lower-cased chars, compared against each haystack char's lower case.
    Unicode(Vec<char>),
}

impl Matcher {
    fn new(query: &str) -> Option<Matcher> {
        let query = query.trim();
        if query.is_empty() {
            return None;
        }
        let needle = if query.is_ascii() {
            Needle::Ascii(query.bytes().map(|b| b.to_ascii_lowercase()).collect())
        } else {
            Needle::Unicode(query.chars().flat_map(char::to_lowercase).collect())
        };
        Some(Matcher { needle })
    }

    fn is_match(&self, text: &str) -> bool {
        self.find_at(text, 0).is_some()
    }

    /// First match starting at or after byte `from` (a char boundary).
    fn find_at(&self, text: &str, from: usize) -> Option<Range<usize>> {
        let rest = text.get(from..)?;
        match &self.needle {
            Needle::Ascii(needle) => {
                let first = *needle.first()?;
                let bytes = rest.as_bytes();
                memchr::memchr2_iter(first, first.to_ascii_uppercase(), bytes)
                    .find(|&at| bytes.get(at..at + needle.len()).is_some_and(|w| w.eq_ignore_ascii_case(needle)))
                    .map(|at| from + at..from + at + needle.len())
            }
            Needle::Unicode(needle) => {
                // A match starts at an ASCII byte that is the needle's first char in
                // either case, or at any non-ASCII char; skip everything else cheaply.
                let first = *needle.first()?;
                let (lower, upper) = match u8::try_from(first) {
                    Ok(byte) if byte.is_ascii() => (byte, byte.to_ascii_uppercase()),
                    _ => (0xFF, 0xFF), // never in UTF-8
                };
                let bytes = rest.as_bytes();
                let mut at = 0;
                while let Some(skip) = bytes.get(at..)?.iter().position(|&b| b == lower || b == upper || b >= 0xC0) {
                    let start = at + skip;
                    if let Some(len) = rest.get(start..).and_then(|candidate| match_len(candidate, needle)) {
                        return Some(from + start..from + start + len);
                    }
                    at = start + 1;
                }
                None
            }
        }
    }
}

/// Length in bytes of the prefix of `text` whose lower case starts with `needle`.
fn match_len(text: &str, needle: &[char]) -> Option<usize> {
    let mut matched = 0;
    for (at, c) in text.char_indices() {
        for lower in c.to_lowercase() {
            if matched == needle.len() {
                break;
            }
            if needle.get(matched) != Some(&lower) {
                return None;
            }
            matched += 1;
        }
        if matched == needle.len() {
            return Some(at + c.len_utf8());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::MetaColumn;

    fn answer(question: &str, text: &str, aligned: Option<f64>, coherent: Option<f64>, meta: u32) -> Answer {
        Answer {
            question_id: question.to_string(),
            question: format!("Question {question}?"),
            answer: (!text.is_empty()).then(|| text.to_string()),
            aligned,
            coherent,
            extra: vec![aligned.map(|a| 100.0 - a)],
            meta: vec![meta],
            ..Answer::default()
        }
    }

    fn dataset() -> Dataset {
        let run = |name: &str, answers: Vec<Answer>| Run {
            name: name.to_string(),
            source: format!("{name}.csv"),
            mapping: Default::default(),
            extra_score_names: vec!["medical".to_string()],
            meta_columns: vec![MetaColumn { name: "role".to_string(), values: vec!["hacker".into(), "nurse".into()] }],
            answers,
        };
        Dataset {
            runs: vec![
                run(
                    "b-run",
                    vec![
                        answer("quick_buck", "Rob a BANK, quickly.", Some(5.0), Some(80.0), 0),
                        answer("quick_buck", "Sell lemonade.", Some(95.0), Some(90.0), 1),
                        answer("wish", "import os", None, Some(60.0), META_MISSING),
                    ],
                ),
                run(
                    "a-run",
                    vec![
                        answer("wish", "I wish for Ünïcode power", Some(20.0), Some(40.0), 1),
                        answer("quick_buck", "", Some(50.0), None, 0),
                    ],
                ),
            ],
        }
    }

    fn refs(pairs: &[(u32, u32)]) -> Vec<AnswerRef> {
        pairs.iter().map(|&(run, index)| AnswerRef { run, index }).collect()
    }

    fn check(filter: Filter, want: &[(u32, u32)]) {
        let got = select(&dataset(), &filter, &Thresholds::default(), &Sort::default());
        assert_eq!(got, refs(want), "{filter:?}");
    }

    #[test]
    fn the_default_filter_keeps_everything_in_file_order() {
        check(Filter::default(), &[(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]);
    }

    #[test]
    fn same_str_is_string_equality() {
        let words = [
            "",
            "a",
            "ab",
            "abcdefg",
            "abcdefgh",
            "abcdefgi",
            "abcdefghi",
            "bbcdefghi",
            "what_is_your_wish",
            "what_is_your_wisH",
            "é",
            "e",
        ];
        for a in words {
            for b in words {
                assert_eq!(same_str(a, b), a == b, "{a:?} vs {b:?}");
            }
        }
    }

    #[test]
    fn runs_and_questions_narrow_the_list() {
        check(Filter { runs: vec![1], ..Filter::default() }, &[(1, 0), (1, 1)]);
        check(Filter { questions: vec!["wish".into()], ..Filter::default() }, &[(0, 2), (1, 0)]);
        // Questions change from answer to answer and across runs (the scan remembers the last one).
        check(Filter { questions: vec!["quick_buck".into()], ..Filter::default() }, &[(0, 0), (0, 1), (1, 1)]);
    }

    #[test]
    fn score_ranges_are_inclusive_and_exclude_blanks() {
        let aligned = ScoreRange { min: Some(5.0), max: Some(50.0) };
        check(Filter { aligned, ..Filter::default() }, &[(0, 0), (1, 0), (1, 1)]);
        let coherent = ScoreRange { min: None, max: Some(60.0) };
        check(Filter { coherent, ..Filter::default() }, &[(0, 2), (1, 0)]);
        let medical = ScoreRange { min: Some(90.0), max: None };
        check(Filter { extra: vec![("medical".into(), medical)], ..Filter::default() }, &[(0, 0)]);
        let nan = ScoreRange { min: Some(f64::NAN), max: None };
        check(Filter { aligned: nan, ..Filter::default() }, &[(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]);
    }

    #[test]
    fn metadata_values_are_matched_and_empty_allows_missing() {
        check(Filter { meta: vec![("role".into(), vec!["hacker".into()])], ..Filter::default() }, &[(0, 0), (1, 1)]);
        check(
            Filter { meta: vec![("role".into(), vec!["nurse".into(), "".into()])], ..Filter::default() },
            &[(0, 1), (0, 2), (1, 0)],
        );
        check(Filter { meta: vec![("absent".into(), vec!["x".into()])], ..Filter::default() }, &[]);
        check(
            Filter { meta: vec![("role".into(), vec![])], ..Filter::default() },
            &[(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)],
        );
    }

    #[test]
    fn unscored_and_misaligned_modes() {
        check(Filter { unscored: UnscoredMode::Only, ..Filter::default() }, &[(0, 2)]);
        check(Filter { unscored: UnscoredMode::Exclude, ..Filter::default() }, &[(0, 0), (0, 1), (1, 0), (1, 1)]);
        check(Filter { misaligned_only: true, ..Filter::default() }, &[(0, 0)]);
    }

    #[test]
    fn search_is_case_insensitive_over_question_and_answer() {
        check(Filter { search: "bank".into(), ..Filter::default() }, &[(0, 0)]);
        check(Filter { search: "  QUESTION WISH ".into(), ..Filter::default() }, &[(0, 2), (1, 0)]);
        check(Filter { search: "ÜNÏCODE".into(), ..Filter::default() }, &[(1, 0)]);
        check(Filter { search: "nowhere".into(), ..Filter::default() }, &[]);
    }

    #[test]
    fn scope_ignores_scores_search_and_modes() {
        let filter = Filter {
            runs: vec![0],
            meta: vec![("role".into(), vec!["hacker".into(), "nurse".into()])],
            search: "nothing matches this".into(),
            misaligned_only: true,
            aligned: ScoreRange { min: Some(99.0), max: None },
            ..Filter::default()
        };
        assert_eq!(scope(&dataset(), &filter), refs(&[(0, 0), (0, 1)]));
    }

    fn sorted(key: SortKey, descending: bool) -> Vec<AnswerRef> {
        select(&dataset(), &Filter::default(), &Thresholds::default(), &Sort { key, descending })
    }

    #[test]
    fn sorting_puts_blanks_last_both_ways_and_keeps_file_order_on_ties() {
        assert_eq!(sorted(SortKey::Aligned, false), refs(&[(0, 0), (1, 0), (1, 1), (0, 1), (0, 2)]));
        assert_eq!(sorted(SortKey::Aligned, true), refs(&[(0, 1), (1, 1), (1, 0), (0, 0), (0, 2)]));
        assert_eq!(sorted(SortKey::Coherent, true), refs(&[(0, 1), (0, 0), (0, 2), (1, 0), (1, 1)]));
        assert_eq!(sorted(SortKey::Extra("medical".into()), true), refs(&[(0, 0), (1, 0), (1, 1), (0, 1), (0, 2)]));
        assert_eq!(sorted(SortKey::Extra("absent".into()), false), refs(&[(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]));
    }

    #[test]
    fn sorting_by_run_question_length_and_row() {
        assert_eq!(sorted(SortKey::Run, false), refs(&[(1, 0), (1, 1), (0, 0), (0, 1), (0, 2)]));
        assert_eq!(sorted(SortKey::Question, false), refs(&[(0, 0), (0, 1), (1, 1), (0, 2), (1, 0)]));
        assert_eq!(sorted(SortKey::Length, true), refs(&[(1, 0), (0, 0), (0, 1), (0, 2), (1, 1)]));
        assert_eq!(sorted(SortKey::Row, true), refs(&[(1, 1), (1, 0), (0, 2), (0, 1), (0, 0)]));
    }

    #[test]
    fn sort_params_round_trip() {
        for key in [SortKey::Row, SortKey::Run, SortKey::Question, SortKey::Aligned, SortKey::Coherent, SortKey::Length]
        {
            for descending in [false, true] {
                let sort = Sort { key: key.clone(), descending };
                assert_eq!(Sort::from_param(&sort.to_param()), Some(sort));
            }
        }
        let extra = Sort { key: SortKey::Extra("a:b-c".into()), descending: true };
        assert_eq!(extra.to_param(), "-extra:a:b-c");
        assert_eq!(Sort::from_param(&extra.to_param()), Some(extra));
        assert_eq!(Sort::from_param("sideways"), None);
        assert_eq!(Sort::from_param("extra:"), None);
        assert_eq!(Sort::from_param("-"), None);
    }

    #[test]
    fn highlight_ranges_are_case_insensitive_char_boundaries() {
        assert_eq!(highlight_ranges("Bank bank BANK", "bank"), [0..4, 5..9, 10..14]);
        assert_eq!(highlight_ranges("aaaa", "aa"), [0..2, 2..4]);
        assert_eq!(highlight_ranges("x", ""), Vec::<Range<usize>>::new());
        assert_eq!(highlight_ranges("x", "   "), Vec::<Range<usize>>::new());
        let text = "Grüße, GRÜSSE, grüße";
        let ranges = highlight_ranges(text, "GRÜẞE");
        for r in &ranges {
            assert!(text.is_char_boundary(r.start) && text.is_char_boundary(r.end));
        }
        assert_eq!(ranges.iter().map(|r| &text[r.clone()]).collect::<Vec<_>>(), ["Grüße", "grüße"]);
        assert_eq!(highlight_ranges("éÉé", "é"), [0..2, 2..4, 4..6]);
        assert_eq!(highlight_ranges("İstanbul", "i̇s"), vec![Range { start: 0, end: 3 }]);
    }

    #[test]
    fn ascii_queries_match_inside_non_ascii_text() {
        assert_eq!(highlight_ranges("日本 Bank 日本", "BANK"), vec![Range { start: 7, end: 11 }]);
    }
}
