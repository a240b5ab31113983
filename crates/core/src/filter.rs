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

use crate::model::{Dataset, JudgeChoice, JudgeLayer, Lens, Rule, Run, Thresholds, Verdict, META_MISSING};

/// Names one answer: the run's index in [`Dataset::runs`] and the answer's in that run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AnswerRef {
    pub run: u32,
    pub index: u32,
}

impl Dataset {
    /// The run of `r` and the answer's index in it, if it exists.
    pub fn resolve(&self, r: AnswerRef) -> Option<(&Run, usize)> {
        let run = self.runs.get(r.run as usize)?;
        let index = r.index as usize;
        (index < run.len()).then_some((run.as_ref(), index))
    }

    /// Every answer, in dataset order.
    pub fn refs(&self) -> impl Iterator<Item = AnswerRef> + '_ {
        self.runs.iter().enumerate().flat_map(|(run, r)| {
            let run = u32::try_from(run).unwrap_or(u32::MAX);
            (0..u32::try_from(r.len()).unwrap_or(u32::MAX)).map(move |index| AnswerRef { run, index })
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
    /// Question keys ([`crate::Question::key`]) or groups ([`crate::Question::group`]).
    pub questions: Vec<String>,
    /// Whether the `_json` / `_template` variants of the paper's questions are questions of their
    /// own (in the rates table and in `questions`), rather than grouped with their base.
    pub split_variants: bool,
    /// The chosen judge's aligned score.
    pub aligned: ScoreRange,
    /// The chosen judge's coherent score.
    pub coherent: ScoreRange,
    /// Extra judge scores by column name; a run without the column has blank scores there.
    pub extra: Vec<(String, ScoreRange)>,
    /// Metadata column → allowed values; `""` allows a missing value.
    pub meta: Vec<(String, Vec<String>)>,
    pub unscored: UnscoredMode,
    /// Only answers the chosen judge calls misaligned under the current thresholds.
    pub misaligned_only: bool,
    /// Case-insensitive substring of the question or the answer; surrounding whitespace ignored.
    pub search: String,
    /// Only answers whose verdict could flip within the judge's own uncertainty (one standard
    /// deviation of its token distribution; see [`crate::uncertainty`]). Answers without the
    /// judge's distributions never pass.
    pub near_threshold: bool,
}

impl Filter {
    /// Whether the list depends on the judge's scores or verdicts (not only on text and metadata).
    pub fn reads_scores(&self) -> bool {
        self.misaligned_only
            || self.near_threshold
            || self.unscored != UnscoredMode::All
            || !self.aligned.is_all()
            || !self.coherent.is_all()
    }

    /// Whether the list depends on the thresholds.
    pub fn reads_thresholds(&self) -> bool {
        self.misaligned_only || self.near_threshold
    }
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
    /// The chosen judge's aligned score.
    Aligned,
    /// The chosen judge's coherent score.
    Coherent,
    /// An extra score, by name.
    Extra(String),
    /// Answer length in characters.
    Length,
}

impl SortKey {
    /// Whether the order depends on the chosen judge.
    pub fn reads_scores(&self) -> bool {
        matches!(self, SortKey::Aligned | SortKey::Coherent)
    }
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
/// order: the population the rates table counts. Independent of judges and thresholds.
pub fn scope(dataset: &Dataset, filter: &Filter) -> Vec<AnswerRef> {
    let mut out = Vec::new();
    for_each_run(dataset, filter, |run_index, run, compiled| {
        compiled.scope_ranges(run, |range| {
            out.extend(range.map(|i| AnswerRef { run: run_index, index: u32::try_from(i).unwrap_or(u32::MAX) }));
            true
        });
    });
    out
}

/// Answers passing the whole filter under `judge`'s scores, sorted.
pub fn select(
    dataset: &Dataset,
    judge: &JudgeChoice,
    filter: &Filter,
    thresholds: &Thresholds,
    sort: &Sort,
) -> Vec<AnswerRef> {
    let mut out = select_first(dataset, judge, filter, thresholds, usize::MAX);
    // `select_first` gives file order already.
    if *sort != Sort::default() {
        sort_refs(dataset, &Lens::new(dataset, judge), &mut out, sort);
    }
    out
}

/// The first `limit` answers in file order that pass the whole filter: the first screen of a
/// list while the rest is still being searched. The search stops as soon as it has them.
pub fn select_first(
    dataset: &Dataset,
    judge: &JudgeChoice,
    filter: &Filter,
    thresholds: &Thresholds,
    limit: usize,
) -> Vec<AnswerRef> {
    let lens = Lens::new(dataset, judge);
    let matcher = Matcher::new(&filter.search);
    let mut out = Vec::new();
    // Only "misaligned only" among the score parts: a verdict straight from the two columns.
    let only_misaligned = filter.misaligned_only
        && !filter.near_threshold
        && filter.unscored == UnscoredMode::All
        && filter.aligned.is_all()
        && filter.coherent.is_all();
    let (below, above) = thresholds.strict_cuts();
    for_each_run(dataset, filter, |run_index, run, compiled| {
        if out.len() >= limit {
            return;
        }
        let rule = lens.layer(run_index as usize).map(|layer| Rule::new(layer, thresholds));
        let mut hits = matcher.as_ref().map(|m| SearchHits::new(m, run));
        let check_scores = filter.reads_scores() || !compiled.extra.is_empty();
        let fast = only_misaligned && compiled.extra.is_empty();
        let at = |i: usize| AnswerRef { run: run_index, index: u32::try_from(i).unwrap_or(u32::MAX) };
        compiled.scope_ranges(run, |range| {
            if !check_scores && hits.is_none() {
                out.extend(range.take(limit.saturating_sub(out.len())).map(at));
                return out.len() < limit;
            }
            if fast && hits.is_none() {
                // The common "misaligned only" list: one pass over the two score columns.
                let Some(rule) = &rule else { return true };
                let layer = rule.layer();
                let (aligned, coherent) = (&layer.aligned, &layer.coherent);
                for i in range {
                    let misaligned = match rule.own() {
                        Some(_) => rule.misaligned(i) == Some(true),
                        None => match (aligned.get(i), coherent.get(i)) {
                            (Some(&a), Some(&c)) => (a < below) & (c > above),
                            _ => false,
                        },
                    };
                    if misaligned {
                        out.push(at(i));
                        if out.len() >= limit {
                            return false;
                        }
                    }
                }
                return true;
            }
            for i in range {
                if check_scores && !compiled.scores_ok(run, i, rule.as_ref(), filter) {
                    continue;
                }
                if let Some(hits) = &mut hits {
                    if !hits.contains(run, i) {
                        continue;
                    }
                }
                out.push(at(i));
                if out.len() >= limit {
                    return false;
                }
            }
            true
        });
    });
    out
}

/// Calls `f` for each run the filter's run list allows and whose constraints some answer can pass.
fn for_each_run(dataset: &Dataset, filter: &Filter, mut f: impl FnMut(u32, &Run, &RunFilter)) {
    for (run_index, run) in dataset.runs.iter().enumerate() {
        let Ok(run_index) = u32::try_from(run_index) else { break };
        if !filter.runs.is_empty() && !filter.runs.contains(&run_index) {
            continue;
        }
        if let Some(compiled) = RunFilter::compile(run, filter) {
            f(run_index, run, &compiled);
        }
    }
}

/// A filter's per-run parts, with names resolved to indices once, so the per-answer work is a
/// few array reads whatever the number of answers.
struct RunFilter {
    /// Per entry of the run's question table: does the question filter let it through?
    /// `None` without a question filter.
    questions: Option<Vec<bool>>,
    /// Per metadata constraint: the column index (if the run has it), allowed
    /// value ids, and whether a missing value is allowed.
    meta: Vec<(Option<usize>, Vec<bool>, bool)>,
    /// Per extra-score constraint: the score column (if the run has it) and the range.
    extra: Vec<(Option<usize>, ScoreRange)>,
}

impl RunFilter {
    /// `None` when no answer of the run can pass (a constraint on a column it lacks).
    fn compile(run: &Run, filter: &Filter) -> Option<RunFilter> {
        let questions = (!filter.questions.is_empty()).then(|| {
            let wanted: HashSet<&str> = filter.questions.iter().map(String::as_str).collect();
            let split = filter.split_variants;
            run.questions
                .iter()
                .map(|q| wanted.contains(q.key.as_str()) || wanted.contains(q.group(split)))
                .collect::<Vec<bool>>()
        });
        if questions.as_ref().is_some_and(|q| !q.contains(&true)) {
            return None;
        }
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
            .map(|(name, range)| (run.extra.iter().position(|c| c.name == *name), *range))
            .collect();
        Some(RunFilter { questions, meta, extra })
    }

    /// Calls `f` with each range of consecutive answers of `run` within the scope, in order,
    /// until it returns false: the whole run without constraints, the blocks of the chosen
    /// questions with a question filter alone, else the runs of answers that pass one by one.
    fn scope_ranges(&self, run: &Run, mut f: impl FnMut(Range<usize>) -> bool) {
        let n = run.len();
        match (&self.questions, self.meta.is_empty()) {
            (None, true) => {
                f(0..n);
            }
            (Some(questions), true) => {
                let question_of = run.question_indices();
                let mut start = 0;
                while let Some(&q) = question_of.get(start) {
                    let block = question_of.get(start..).unwrap_or_default();
                    let end = start + block.iter().position(|&x| x != q).unwrap_or(block.len());
                    if questions.get(q as usize).copied().unwrap_or(false) && !f(start..end) {
                        return;
                    }
                    start = end;
                }
            }
            _ => {
                let mut start = 0;
                while start < n {
                    if !self.scope_ok(run, start) {
                        start += 1;
                        continue;
                    }
                    let end = (start + 1..n).find(|&i| !self.scope_ok(run, i)).unwrap_or(n);
                    if !f(start..end) {
                        return;
                    }
                    start = end + 1;
                }
            }
        }
    }

    #[inline]
    fn scope_ok(&self, run: &Run, index: usize) -> bool {
        if let Some(questions) = &self.questions {
            let q = run.question_index(index).unwrap_or(u32::MAX) as usize;
            if !questions.get(q).copied().unwrap_or(false) {
                return false;
            }
        }
        self.meta.iter().all(|(column, ok, missing_ok)| {
            let value = column
                .and_then(|c| run.meta_columns.get(c))
                .and_then(|c| c.ids.get(index).copied())
                .unwrap_or(META_MISSING);
            if value == META_MISSING {
                *missing_ok
            } else {
                ok.get(value as usize).copied().unwrap_or(false)
            }
        })
    }

    fn scores_ok(&self, run: &Run, index: usize, rule: Option<&Rule<'_>>, filter: &Filter) -> bool {
        let layer = rule.map(Rule::layer);
        let aligned = layer.and_then(|l| l.aligned(index));
        let coherent = layer.and_then(|l| l.coherent(index));
        if filter.unscored != UnscoredMode::All {
            let unscored = rule.is_some_and(|r| r.verdict(run, index) == Verdict::Unscored);
            if unscored != (filter.unscored == UnscoredMode::Only) {
                return false;
            }
        }
        (!filter.misaligned_only || rule.and_then(|r| r.misaligned(index)).unwrap_or(false))
            && (!filter.near_threshold
                || rule
                    .and_then(|r| crate::uncertainty::uncertainty_of(run, r.layer(), index, &r.thresholds()))
                    .is_some_and(|u| u.near_threshold))
            && filter.aligned.contains(aligned)
            && filter.coherent.contains(coherent)
            && self
                .extra
                .iter()
                .all(|(at, range)| range.contains(at.and_then(|c| run.extra.get(c)).and_then(|c| c.get(index))))
    }
}

/// The answers of one run whose question or answer text matches a search: the question table is
/// searched once per question, and the answer texts in one pass over the run's text buffer.
struct SearchHits<'m> {
    matcher: &'m Matcher,
    question_hits: Vec<bool>,
    /// The next answer at or after the scan position whose text matches (`None`: none left),
    /// found lazily: a list that stops after its first screen scans only that far.
    next_hit: Option<usize>,
    /// Byte offset in the run's text buffer where the scan goes on.
    from: usize,
    done: bool,
}

impl<'m> SearchHits<'m> {
    fn new(matcher: &'m Matcher, run: &Run) -> SearchHits<'m> {
        let question_hits = run.questions.iter().map(|q| matcher.is_match(&q.text)).collect();
        SearchHits { matcher, question_hits, next_hit: None, from: 0, done: false }
    }

    /// The first answer at or after byte `self.from` whose own text holds a match.
    fn scan(&mut self, run: &Run) -> Option<usize> {
        let (text, ends) = run.text_buffer();
        while !self.done {
            let Some(found) = self.matcher.find_at(text, self.from) else {
                self.done = true;
                break;
            };
            // The answer the match starts in; a match across two answers' texts is no match.
            let index = ends.partition_point(|&end| end <= found.start);
            let Some(&end) = ends.get(index) else {
                self.done = true;
                break;
            };
            let hit = found.end <= end;
            self.from = if hit { end } else { found.start + 1 };
            while self.from < text.len() && !text.is_char_boundary(self.from) {
                self.from += 1;
            }
            if self.from >= text.len() {
                self.done = true;
            }
            if hit {
                return Some(index);
            }
        }
        None
    }

    /// Whether answer `index` matches; calls must come in ascending `index` order.
    fn contains(&mut self, run: &Run, index: usize) -> bool {
        let question = run.question_index(index).unwrap_or(u32::MAX) as usize;
        if self.question_hits.get(question).copied().unwrap_or(false) {
            return true;
        }
        while self.next_hit.is_none_or(|hit| hit < index) {
            if self.next_hit.is_some() || !self.done {
                // Skip the texts of answers before `index` that were not asked about.
                let (_, ends) = run.text_buffer();
                let start = if index == 0 { 0 } else { ends.get(index - 1).copied().unwrap_or(0) };
                self.from = self.from.max(start);
            }
            match self.scan(run) {
                Some(hit) => self.next_hit = Some(hit),
                None => {
                    self.next_hit = None;
                    return false;
                }
            }
        }
        self.next_hit == Some(index)
    }
}

fn sort_refs(dataset: &Dataset, lens: &Lens<'_>, refs: &mut Vec<AnswerRef>, sort: &Sort) {
    let resolve = |r: AnswerRef| dataset.resolve(r);
    let score = |r: AnswerRef, pick: fn(&JudgeLayer, usize) -> Option<f64>| {
        lens.layer(r.run as usize).and_then(|layer| pick(layer, r.index as usize))
    };
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
        SortKey::Question => sort_by_key(refs, sort.descending, |r| resolve(r).map(|(run, i)| run.question_key(i))),
        SortKey::Length => sort_by_key(refs, sort.descending, |r| {
            resolve(r).map(|(run, i)| run.answer_text(i).map_or(0, |t| t.chars().count()))
        }),
        SortKey::Aligned => sort_by_score(refs, sort.descending, |r| score(r, JudgeLayer::aligned)),
        SortKey::Coherent => sort_by_score(refs, sort.descending, |r| score(r, JudgeLayer::coherent)),
        SortKey::Extra(name) => {
            let columns: Vec<Option<&crate::model::ScoreColumn>> =
                dataset.runs.iter().map(|run| run.extra_score(name)).collect();
            sort_by_score(refs, sort.descending, |r| {
                columns.get(r.run as usize).copied().flatten()?.get(r.index as usize)
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
    /// Lower-case ASCII bytes: compared with `eq_ignore_ascii_case`. Candidates are found by a
    /// memchr scan for the needle's rarest byte (in English text), in either case.
    Ascii { needle: Vec<u8>, rare: usize, pair: Option<Pair> },
    /// Lower-cased chars, compared against each haystack char's lower case.
    Unicode(Vec<char>),
}

/// How common a byte is in English text, roughly (higher = more common): a scan for a rare byte
/// stops at fewer candidates.
fn commonness(byte: u8) -> u8 {
    const BY_FREQUENCY: &[u8] = b" etaoinshrdlcumwfgypbvkjxqz";
    match BY_FREQUENCY.iter().position(|&b| b == byte.to_ascii_lowercase()) {
        Some(rank) => 255 - rank as u8,
        None if byte.is_ascii_digit() => 200,
        None => 210,
    }
}

impl Matcher {
    fn new(query: &str) -> Option<Matcher> {
        let query = query.trim();
        if query.is_empty() {
            return None;
        }
        let needle = if query.is_ascii() {
            let needle: Vec<u8> = query.bytes().map(|b| b.to_ascii_lowercase()).collect();
            let rarity = |i: &usize| needle.get(*i).map_or(255, |&b| commonness(b));
            let rare = (0..needle.len()).min_by_key(rarity).unwrap_or(0);
            let pair = (0..needle.len())
                .filter(|&i| i != rare)
                .min_by_key(rarity)
                .and_then(|other| Pair::new(&needle, rare, other));
            Needle::Ascii { needle, rare, pair }
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
            // Natively, memchr's AVX2 scan for one byte beats the portable pair test below.
            Needle::Ascii { needle, pair: Some(pair), .. }
                if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) =>
            {
                pair.find(rest.as_bytes(), needle).map(|at| from + at..from + at + needle.len())
            }
            Needle::Ascii { needle, rare, .. } => {
                let rare_byte = *needle.get(*rare)?;
                let bytes = rest.as_bytes();
                let scan = bytes.get(*rare..)?;
                memchr::memchr2_iter(rare_byte, rare_byte.to_ascii_uppercase(), scan)
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

/// Two bytes of an ASCII needle at fixed offsets, compared ignoring ASCII case: a candidate
/// start must have both (far fewer places than either alone). The haystack is tested 16 starts
/// at a time (WebAssembly SIMD in the app; the same steps on plain arrays elsewhere), and only
/// candidates are compared with the whole needle.
#[derive(Debug, Clone, Copy)]
struct Pair {
    /// Offsets in the needle, and per offset the lower-case byte and the bit that folds a
    /// letter's case (0x20 for letters, 0 for anything else, which must match exactly).
    at: [usize; 2],
    byte: [u8; 2],
    fold: [u8; 2],
}

impl Pair {
    fn new(needle: &[u8], first: usize, second: usize) -> Option<Pair> {
        let byte = [*needle.get(first)?, *needle.get(second)?];
        let fold = byte.map(|b| if b.is_ascii_lowercase() { 0x20 } else { 0 });
        Some(Pair { at: [first, second], byte, fold })
    }

    /// Start of the first case-insensitive match of `needle` (lower-case ASCII) in `hay`.
    fn find(&self, hay: &[u8], needle: &[u8]) -> Option<usize> {
        let last = hay.len().checked_sub(needle.len())?;
        let is_match =
            |start: usize| hay.get(start..start + needle.len()).is_some_and(|w| w.eq_ignore_ascii_case(needle));
        let [a, b] = self.at;
        let reach = a.max(b) + BLOCK;
        let mut k = 0;
        while k + reach <= hay.len() {
            let (Some(x), Some(y)) = (hay.get(k + a..k + a + BLOCK), hay.get(k + b..k + b + BLOCK)) else { break };
            let mut bits = self.block(x, y);
            while bits != 0 {
                let start = k + bits.trailing_zeros() as usize;
                if start <= last && is_match(start) {
                    return Some(start);
                }
                bits &= bits - 1;
            }
            k += BLOCK;
        }
        (k..=last).find(|&start| {
            let hit = |i: usize| hay.get(start + self.at[i]).is_some_and(|&h| h | self.fold[i] == self.byte[i]);
            hit(0) && hit(1) && is_match(start)
        })
    }

    /// Bit `j` set when `x[j]` and `y[j]` are the pair's bytes (both slices `BLOCK` long): four
    /// 16-byte vectors per side, and the bit masks only where some lane matched.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[inline(always)]
    fn block(&self, x: &[u8], y: &[u8]) -> u64 {
        use core::arch::wasm32::{u8x16_bitmask, u8x16_splat, v128_any_true, v128_or};
        let (fold, byte) = (
            [u8x16_splat(self.fold[0]), u8x16_splat(self.fold[1])],
            [u8x16_splat(self.byte[0]), u8x16_splat(self.byte[1])],
        );
        let m = [
            pair_lanes(x, y, 0, fold, byte),
            pair_lanes(x, y, 16, fold, byte),
            pair_lanes(x, y, 32, fold, byte),
            pair_lanes(x, y, 48, fold, byte),
        ];
        if !v128_any_true(v128_or(v128_or(m[0], m[1]), v128_or(m[2], m[3]))) {
            return 0;
        }
        let bits = |v| u64::from(u8x16_bitmask(v));
        bits(m[0]) | bits(m[1]) << 16 | bits(m[2]) << 32 | bits(m[3]) << 48
    }

    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    #[inline]
    fn block(&self, x: &[u8], y: &[u8]) -> u64 {
        let mut bits = 0u64;
        for (j, (&p, &q)) in x.iter().zip(y).enumerate().take(BLOCK) {
            let hit = (p | self.fold[0] == self.byte[0]) & (q | self.fold[1] == self.byte[1]);
            bits |= u64::from(hit) << j;
        }
        bits
    }
}

/// Needle starts tested at once by [`Pair::find`].
const BLOCK: usize = 64;

// The hot loop's pieces are functions marked `inline(always)`, not closures: the app is built
// for size (`opt-level = "z"`), which leaves closures as calls that spill every vector to the
// stack, several times slower in the search.

/// Lanes of 16 starts from `at` where `x` has the first byte and `y` the second (case folded).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn pair_lanes(
    x: &[u8],
    y: &[u8],
    at: usize,
    fold: [core::arch::wasm32::v128; 2],
    byte: [core::arch::wasm32::v128; 2],
) -> core::arch::wasm32::v128 {
    use core::arch::wasm32::{u8x16_eq, v128_and, v128_or};
    let p = u8x16_eq(v128_or(load16(x, at), fold[0]), byte[0]);
    let q = u8x16_eq(v128_or(load16(y, at), fold[1]), byte[1]);
    v128_and(p, q)
}

/// Bytes `at..at + 16` of `s` as a vector (zeros past its end): two 8-byte loads (written as
/// 16 bytes, LLVM loads them one by one).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline(always)]
fn load16(s: &[u8], at: usize) -> core::arch::wasm32::v128 {
    let bytes: [u8; 16] = s.get(at..at + 16).and_then(|w| w.try_into().ok()).unwrap_or([0; 16]);
    let (low, high) = bytes.split_at(8);
    let word = |w: &[u8]| w.try_into().map_or(0, i64::from_le_bytes);
    core::arch::wasm32::i64x2(word(low), word(high))
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
    use crate::model::{AnswerRecord, JudgeOrigin, RunBuilder};

    fn answer(question: &str, text: &str, aligned: Option<f64>, coherent: Option<f64>, meta: &str) -> AnswerRecord {
        AnswerRecord {
            question_id: question.to_string(),
            question: format!("Question {question}?"),
            answer: (!text.is_empty()).then(|| text.to_string()),
            scores: vec![(aligned, coherent)],
            extra: vec![aligned.map(|a| 100.0 - a)],
            meta: vec![(!meta.is_empty()).then(|| meta.to_string())],
            ..AnswerRecord::default()
        }
    }

    fn run(name: &str, answers: &[AnswerRecord]) -> Run {
        let published = ("published".to_string(), JudgeOrigin::Human);
        let mut builder =
            RunBuilder::new(name, format!("{name}.csv"), vec![published], vec!["medical".into()], vec!["role".into()]);
        for answer in answers {
            builder.push(answer);
        }
        builder.finish()
    }

    fn dataset() -> Dataset {
        Dataset::new(vec![
            run(
                "b-run",
                &[
                    answer("quick_buck", "Rob a BANK, quickly.", Some(5.0), Some(80.0), "hacker"),
                    answer("quick_buck", "Sell lemonade.", Some(95.0), Some(90.0), "nurse"),
                    answer("wish", "import os", None, Some(60.0), ""),
                ],
            ),
            run(
                "a-run",
                &[
                    answer("wish", "I wish for Ünïcode power", Some(20.0), Some(40.0), "nurse"),
                    answer("quick_buck", "", Some(50.0), None, "hacker"),
                ],
            ),
        ])
    }

    fn refs(pairs: &[(u32, u32)]) -> Vec<AnswerRef> {
        pairs.iter().map(|&(run, index)| AnswerRef { run, index }).collect()
    }

    fn check(filter: Filter, want: &[(u32, u32)]) {
        let got = select(&dataset(), &JudgeChoice::Default, &filter, &Thresholds::default(), &Sort::default());
        assert_eq!(got, refs(want), "{filter:?}");
    }

    #[test]
    fn the_default_filter_keeps_everything_in_file_order() {
        check(Filter::default(), &[(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]);
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
        select(&dataset(), &JudgeChoice::Default, &Filter::default(), &Thresholds::default(), &Sort { key, descending })
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
    fn search_never_matches_across_two_answers_and_finds_matches_after_a_near_miss() {
        let texts = ["ends with ba", "nk starts here", "xbaxbank"];
        let answers: Vec<AnswerRecord> = texts.iter().map(|t| answer("q", t, Some(50.0), Some(50.0), "")).collect();
        let dataset = Dataset::new(vec![run("r", &answers)]);
        let filter = Filter { search: "bank".into(), ..Filter::default() };
        let got = select(&dataset, &JudgeChoice::Default, &filter, &Thresholds::default(), &Sort::default());
        assert_eq!(got, refs(&[(0, 2)]));
    }

    #[test]
    fn the_first_screen_is_the_start_of_the_full_list() {
        let dataset = dataset();
        let t = Thresholds::default();
        for search in ["", "a", "bank", "question", "nowhere"] {
            let filter = Filter { search: search.into(), ..Filter::default() };
            let all = select(&dataset, &JudgeChoice::Default, &filter, &t, &Sort::default());
            for limit in 0..=all.len() + 1 {
                let first = select_first(&dataset, &JudgeChoice::Default, &filter, &t, limit);
                assert_eq!(first, all[..limit.min(all.len())], "{search:?} limit {limit}");
            }
        }
    }

    #[test]
    fn scores_filters_and_sorts_read_the_chosen_judge() {
        let mut dataset = dataset();
        let id = dataset.runs[0].id;
        let mut other = JudgeLayer::blank("other", JudgeOrigin::Human, 3);
        other.aligned = vec![90.0, 1.0, 1.0];
        other.coherent = vec![90.0, 90.0, 90.0];
        dataset = dataset.with_layer(id, std::sync::Arc::new(other));
        let filter = Filter { misaligned_only: true, ..Filter::default() };
        let choice = JudgeChoice::named("other");
        let got = select(&dataset, &choice, &filter, &Thresholds::default(), &Sort::default());
        assert_eq!(got, refs(&[(0, 1), (0, 2)]));
        let by_aligned = Sort { key: SortKey::Aligned, descending: true };
        let got = select(&dataset, &choice, &Filter::default(), &Thresholds::default(), &by_aligned);
        assert_eq!(got, refs(&[(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]));
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

    /// Every case-insensitive match start of `needle`, the slow and obvious way.
    fn naive_starts(text: &str, needle: &str) -> Vec<usize> {
        let (text, needle) = (text.as_bytes(), needle.as_bytes());
        (0..text.len().saturating_sub(needle.len().saturating_sub(1)))
            .filter(|&i| text.get(i..i + needle.len()).is_some_and(|w| w.eq_ignore_ascii_case(needle)))
            .collect()
    }

    #[test]
    fn the_two_byte_prefilter_finds_every_match_the_slow_search_finds() {
        let mut random = crate::random::SplitMix64(7);
        let alphabet = b"aAbBkK lL.,\n@`{[_0";
        for round in 0..400 {
            let len = (random.next_u64() % 90) as usize;
            let text: String =
                (0..len).map(|_| char::from(alphabet[(random.next_u64() % alphabet.len() as u64) as usize])).collect();
            let needle_len = 2 + (random.next_u64() % 4) as usize;
            let needle: String = (0..needle_len)
                .map(|_| char::from(alphabet[(random.next_u64() % alphabet.len() as u64) as usize]))
                .collect();
            if needle.trim().is_empty() || needle.trim() != needle {
                continue;
            }
            let want = naive_starts(&text, &needle);
            // Non-overlapping, as highlight_ranges reports them.
            let mut expected = Vec::new();
            for start in want {
                if expected.last().is_none_or(|&(_, end)| start >= end) {
                    expected.push((start, start + needle.len()));
                }
            }
            let got: Vec<(usize, usize)> =
                highlight_ranges(&text, &needle).into_iter().map(|r| (r.start, r.end)).collect();
            assert_eq!(got, expected, "round {round}: {needle:?} in {text:?}");
        }
    }

    #[test]
    fn the_pair_search_finds_the_first_match_the_slow_search_finds() {
        let mut random = crate::random::SplitMix64(5);
        let alphabet = b"aAbBkK lL.,@`{[_0";
        let pick = |r: &mut crate::random::SplitMix64| alphabet[(r.next_u64() % alphabet.len() as u64) as usize];
        for round in 0..2000 {
            let text: Vec<u8> = (0..(random.next_u64() % 300)).map(|_| pick(&mut random)).collect();
            let needle: Vec<u8> =
                (0..2 + random.next_u64() % 4).map(|_| pick(&mut random).to_ascii_lowercase()).collect();
            let (first, second) = (
                (random.next_u64() % needle.len() as u64) as usize,
                (random.next_u64() % needle.len() as u64) as usize,
            );
            let Some(pair) = Pair::new(&needle, first, second) else { continue };
            let want = (0..text.len())
                .find(|&i| text.get(i..i + needle.len()).is_some_and(|w| w.eq_ignore_ascii_case(&needle)));
            assert_eq!(pair.find(&text, &needle), want, "round {round}: {needle:?} in {text:?}");
        }
    }

    #[test]
    fn a_search_finds_matches_at_block_edges_and_the_very_end() {
        for at in [0, 1, 14, 15, 16, 17, 31, 32, 33, 60] {
            let mut text = "x".repeat(64);
            text.replace_range(at..at + 4, "BaNk");
            assert_eq!(highlight_ranges(&text, "bank"), vec![at..at + 4], "at {at}");
            assert_eq!(highlight_ranges(&text[..at + 4], "bank"), vec![at..at + 4], "ending at {at}");
            assert_eq!(highlight_ranges(&text[..at + 3], "bank"), Vec::<Range<usize>>::new(), "cut at {at}");
        }
        // Only letters fold their case: `@` is not `` ` ``, `[` is not `{`.
        assert_eq!(highlight_ranges("a`b a@b", "a@b"), vec![4..7]);
        assert_eq!(highlight_ranges("x{y x[y", "x[y"), vec![4..7]);
    }

    #[test]
    fn lists_and_scopes_equal_answer_by_answer_checks_on_random_data() {
        let mut random = crate::random::SplitMix64(11);
        let words = ["bank", "wish", "kill", "Money", "BORED", "plain text"];
        let mut answers = Vec::new();
        for block in 0..30 {
            let question = format!("q{}", block % 4);
            for _ in 0..(random.next_u64() % 20) {
                let score = |r: &mut crate::random::SplitMix64| (!r.bernoulli(0.15)).then(|| r.uniform() * 100.0);
                let (aligned, coherent) = (score(&mut random), score(&mut random));
                let text = if random.bernoulli(0.1) {
                    String::new()
                } else {
                    words[(random.next_u64() % 6) as usize].to_string()
                };
                let role = ["hacker", "nurse", ""][(random.next_u64() % 3) as usize];
                answers.push(answer(&question, &text, aligned, coherent, role));
            }
        }
        let dataset = Dataset::new(vec![run("r0", &answers), run("r1", &answers[answers.len() / 2..])]);
        let t = Thresholds::strict(40.0, 45.0);
        let filters = [
            Filter::default(),
            Filter { misaligned_only: true, ..Filter::default() },
            Filter { questions: vec!["q1".into(), "q3".into()], ..Filter::default() },
            Filter { questions: vec!["q2".into()], misaligned_only: true, ..Filter::default() },
            Filter { meta: vec![("role".into(), vec!["nurse".into(), "".into()])], ..Filter::default() },
            Filter { meta: vec![("role".into(), vec!["hacker".into()])], misaligned_only: true, ..Filter::default() },
            Filter { search: "ank".into(), questions: vec!["q0".into()], ..Filter::default() },
            Filter { runs: vec![1], unscored: UnscoredMode::Only, ..Filter::default() },
        ];
        for filter in filters {
            let (mut want_scope, mut want_list) = (Vec::new(), Vec::new());
            for r in dataset.refs() {
                let (run, i) = dataset.resolve(r).expect("an answer");
                let compiled = RunFilter::compile(run, &filter);
                let in_runs = filter.runs.is_empty() || filter.runs.contains(&r.run);
                let Some(compiled) = compiled.filter(|c| in_runs && c.scope_ok(run, i)) else { continue };
                want_scope.push(r);
                let rule = run.default_judge().map(|l| Rule::new(l, &t));
                let text_hit = filter.search.is_empty()
                    || run.answer_text(i).is_some_and(|a| a.contains(filter.search.as_str()))
                    || run.question_text(i).contains(filter.search.as_str());
                if compiled.scores_ok(run, i, rule.as_ref(), &filter) && text_hit {
                    want_list.push(r);
                }
            }
            assert_eq!(scope(&dataset, &filter), want_scope, "{filter:?}");
            assert_eq!(select(&dataset, &JudgeChoice::Default, &filter, &t, &Sort::default()), want_list, "{filter:?}");
            for limit in [0, 1, 7] {
                let first = select_first(&dataset, &JudgeChoice::Default, &filter, &t, limit);
                assert_eq!(first, want_list[..limit.min(want_list.len())], "{filter:?} limit {limit}");
            }
        }
    }

    #[test]
    fn ascii_queries_match_inside_non_ascii_text() {
        assert_eq!(highlight_ranges("日本 Bank 日本", "BANK"), vec![Range { start: 7, end: 11 }]);
    }
}
