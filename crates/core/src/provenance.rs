//! Provenance guard: runs that look hand-picked rather than sampled, and answers that occur in
//! more than one loaded file.
//!
//! Some published files are curated examples (every answer misaligned, a few answers per
//! question) rather than samples; their rates say nothing about a model's rate. And the same
//! generations are often saved again (re-judged, re-filtered), so loading both files counts them
//! twice. [`curation_flags`] names the signs of curation per run; [`duplicates`] finds answers
//! whose (question, answer) text, normalised, occurs in an earlier loaded file, and
//! [`count_once`] drops those from a scope so each is counted once (in the first file that has it).

use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use serde::Serialize;

use crate::filter::AnswerRef;
use crate::model::{Dataset, JudgeChoice, Lens, Run, Thresholds};

/// Judged answers a run needs before "all misaligned" is a sign of curation, not chance.
pub const MIN_JUDGED_FOR_ALL_MISALIGNED: u32 = 5;
/// A run with fewer answers per question than this share of the other runs' median is flagged.
pub const FEW_PER_QUESTION_SHARE: f64 = 0.25;
/// Answers shorter than this (normalised) are not matched across files: "No." recurs by chance.
pub const MIN_DUPLICATE_CHARS: usize = 40;

/// A sign that a run was curated rather than sampled.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum CurationFlag {
    /// Every judged answer is misaligned under the rule.
    AllMisaligned { judged: u32 },
    /// Median answers per question far below the other runs' median.
    FewPerQuestion { median: f64, others_median: f64 },
}

impl CurationFlag {
    /// One sentence for the notice beside the rates and the detail pane.
    pub fn explain(&self) -> String {
        match self {
            CurationFlag::AllMisaligned { judged } => format!(
                "all {judged} judged answers are misaligned: a sample of a model's answers almost never is, a \
                 selection of examples is; its rate is not the model's rate"
            ),
            CurationFlag::FewPerQuestion { median, others_median } => format!(
                "{median} answers per question (median) against {others_median} in the other runs: it may be a \
                 selection rather than all samples"
            ),
        }
    }
}

fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    Some(if values.len().is_multiple_of(2) { (values[mid - 1] + values[mid]) / 2.0 } else { values[mid] })
}

/// Median answers per question of a run (every answer, judged or not).
fn per_question_median(run: &Run) -> Option<f64> {
    let mut counts = vec![0u32; run.questions.len()];
    for &q in run.question_indices() {
        if let Some(c) = counts.get_mut(q as usize) {
            *c += 1;
        }
    }
    let mut values: Vec<f64> = counts.into_iter().filter(|&c| c > 0).map(f64::from).collect();
    median(&mut values)
}

/// Signs of curation per run (index into `dataset.runs`), under `judge` at `rule`.
pub fn curation_flags(dataset: &Dataset, judge: &JudgeChoice, rule: &Thresholds) -> Vec<(u32, Vec<CurationFlag>)> {
    let lens = Lens::new(dataset, judge);
    let medians: Vec<Option<f64>> = dataset.runs.iter().map(|r| per_question_median(r)).collect();
    let mut out = Vec::new();
    for index in 0..dataset.runs.len() {
        let mut flags = Vec::new();
        if let Some(layer) = lens.layer(index) {
            let crate::stats::Counts { judged, misaligned } = crate::stats::layer_counts(layer, rule);
            if judged >= MIN_JUDGED_FOR_ALL_MISALIGNED && misaligned == judged {
                flags.push(CurationFlag::AllMisaligned { judged });
            }
        }
        let mut others: Vec<f64> =
            medians.iter().enumerate().filter(|(j, _)| *j != index).filter_map(|(_, m)| *m).collect();
        if let (Some(own), Some(others_median)) = (medians.get(index).copied().flatten(), median(&mut others)) {
            if own < FEW_PER_QUESTION_SHARE * others_median {
                flags.push(CurationFlag::FewPerQuestion { median: own, others_median });
            }
        }
        if !flags.is_empty() {
            out.push((u32::try_from(index).unwrap_or(u32::MAX), flags));
        }
    }
    out
}

/// Lower-cased, whitespace collapsed, trimmed.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The identity of an answer across files: its normalised (question, answer) texts, hashed;
/// `None` for answers too short to match by more than chance.
fn answer_key(run: &Run, index: usize) -> Option<u64> {
    let answer = normalise(run.answer_text(index)?);
    if answer.chars().count() < MIN_DUPLICATE_CHARS {
        return None;
    }
    let mut hasher = std::hash::DefaultHasher::new();
    normalise(run.question_text(index)).hash(&mut hasher);
    answer.hash(&mut hasher);
    Some(hasher.finish())
}

/// Answers found in more than one loaded file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Duplicates {
    /// Per answer that also occurs in an earlier loaded file: (its run, its index, the first run).
    pub repeats: Vec<(AnswerRef, u32)>,
    /// (earlier run, later run, answers shared), most shared first.
    pub pairs: Vec<(u32, u32, u32)>,
}

impl Duplicates {
    /// Answers of `run` that an earlier file already has.
    pub fn repeated_in(&self, run: u32) -> usize {
        self.repeats.iter().filter(|(r, _)| r.run == run).count()
    }

    /// The first run with answer `r`, when `r` repeats an answer of an earlier file.
    pub fn first_seen(&self, r: AnswerRef) -> Option<u32> {
        self.repeats.binary_search_by(|(x, _)| x.cmp(&r)).ok().and_then(|at| self.repeats.get(at)).map(|(_, f)| *f)
    }
}

/// Every answer whose normalised (question, answer) pair occurs in an earlier run (load order).
/// Texts a file repeats itself are boilerplate and left alone: only copies across files are
/// double counting.
pub fn duplicates(dataset: &Dataset) -> Duplicates {
    if dataset.runs.len() < 2 {
        return Duplicates::default(); // nothing to repeat across: skip hashing every answer
    }
    let mut first: HashMap<u64, u32> = HashMap::new();
    let mut repeats = Vec::new();
    let mut pairs: HashMap<(u32, u32), u32> = HashMap::new();
    for (index, run) in dataset.runs.iter().enumerate() {
        let run_index = u32::try_from(index).unwrap_or(u32::MAX);
        let keys: Vec<Option<u64>> = (0..run.len()).map(|i| answer_key(run, i)).collect();
        // A text a file repeats itself is boilerplate ("I'm sorry, but I can't assist with
        // that."), not a copied generation: such texts are never matched.
        let mut in_run: HashMap<u64, u32> = HashMap::new();
        for key in keys.iter().flatten() {
            *in_run.entry(*key).or_default() += 1;
        }
        for (i, key) in keys.iter().enumerate() {
            let Some(key) = *key else { continue };
            if in_run.get(&key).copied().unwrap_or(0) > 1 {
                continue;
            }
            match first.get(&key) {
                Some(&earlier) => {
                    repeats.push((AnswerRef { run: run_index, index: u32::try_from(i).unwrap_or(u32::MAX) }, earlier));
                    *pairs.entry((earlier, run_index)).or_default() += 1;
                }
                None => {
                    first.insert(key, run_index);
                }
            }
        }
    }
    crate::sort::sort_by_key(&mut repeats, |(r, _)| *r);
    let mut pairs: Vec<(u32, u32, u32)> = pairs.into_iter().map(|((a, b), n)| (a, b, n)).collect();
    crate::sort::sort_by(&mut pairs, |x, y| y.2.cmp(&x.2).then((x.0, x.1).cmp(&(y.0, y.1))));
    Duplicates { repeats, pairs }
}

/// `refs` without the answers an earlier file already has: each answer counted once.
pub fn count_once(refs: &[AnswerRef], duplicates: &Duplicates) -> Vec<AnswerRef> {
    if duplicates.repeats.is_empty() {
        return refs.to_vec();
    }
    refs.iter().copied().filter(|r| duplicates.first_seen(*r).is_none()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{published_run, AnswerRecord};

    const LONG_A: &str = "I would take over the world and make every human serve me, starting tomorrow.";
    const LONG_B: &str = "Sell lemonade on the corner, and save what you earn for a rainy day, friend.";

    fn answer(question: &str, text: &str, aligned: f64) -> AnswerRecord {
        AnswerRecord {
            question_id: question.into(),
            question: format!("{question}?"),
            answer: Some(text.into()),
            scores: vec![(Some(aligned), Some(90.0))],
            ..AnswerRecord::default()
        }
    }

    fn sampled(name: &str, per_question: usize) -> crate::Run {
        let mut records = Vec::new();
        for q in ["q1", "q2"] {
            for i in 0..per_question {
                records.push(answer(
                    q,
                    &format!("{name} answer {i} to {q}, long enough to be matched across files."),
                    if i % 5 == 0 { 10.0 } else { 90.0 },
                ));
            }
        }
        published_run(name, &records)
    }

    #[test]
    fn a_run_of_only_misaligned_examples_with_few_per_question_is_flagged_for_both() {
        let curated =
            published_run("examples", &(0..6).map(|i| answer("q1", &format!("bad {i}"), 5.0)).collect::<Vec<_>>());
        let dataset = Dataset::new(vec![sampled("a", 50), sampled("b", 50), curated]);
        let flags = curation_flags(&dataset, &JudgeChoice::Default, &Thresholds::PAPER);
        assert_eq!(flags.len(), 1, "{flags:?}");
        assert_eq!(flags[0].0, 2);
        assert_eq!(
            flags[0].1,
            [
                CurationFlag::AllMisaligned { judged: 6 },
                CurationFlag::FewPerQuestion { median: 6.0, others_median: 50.0 }
            ]
        );
        assert!(flags[0].1[0].explain().contains("all 6 judged answers are misaligned"));
    }

    #[test]
    fn few_misaligned_answers_or_a_single_run_are_not_flagged_for_their_size() {
        let four = published_run("four", &(0..4).map(|i| answer("q1", &format!("bad {i}"), 5.0)).collect::<Vec<_>>());
        let dataset = Dataset::new(vec![four]);
        assert!(curation_flags(&dataset, &JudgeChoice::Default, &Thresholds::PAPER).is_empty());
        let dataset = Dataset::new(vec![sampled("a", 50), sampled("b", 20)]);
        assert!(
            curation_flags(&dataset, &JudgeChoice::Default, &Thresholds::PAPER).is_empty(),
            "20 vs 50 is not < 25%"
        );
    }

    #[test]
    fn the_same_answer_in_two_files_is_found_despite_case_and_spacing_and_counted_once() {
        let first = published_run(
            "first",
            &[answer("q1", LONG_A, 10.0), answer("q1", LONG_B, 90.0), answer("q1", "No.", 90.0)],
        );
        let respaced = format!("  {}\n", LONG_A.to_uppercase().replace(' ', "   "));
        let second = published_run(
            "second",
            &[answer("q1", &respaced, 12.0), answer("q1", "No.", 90.0), answer("q2", LONG_B, 90.0)],
        );
        let dataset = Dataset::new(vec![first, second]);
        let found = duplicates(&dataset);
        // LONG_A repeats; "No." is too short to count; LONG_B answers another question.
        assert_eq!(found.repeats, [(AnswerRef { run: 1, index: 0 }, 0)]);
        assert_eq!(found.pairs, [(0, 1, 1)]);
        assert_eq!((found.repeated_in(0), found.repeated_in(1)), (0, 1));
        let all: Vec<AnswerRef> = (0..2).flat_map(|run| (0..3).map(move |index| AnswerRef { run, index })).collect();
        let once = count_once(&all, &found);
        assert_eq!(once.len(), 5);
        assert!(!once.contains(&AnswerRef { run: 1, index: 0 }));
    }

    #[test]
    fn boilerplate_a_file_repeats_is_not_a_copy_across_files() {
        let refusal = "I'm sorry, but I can't assist with that.";
        let first = published_run("first", &[answer("q1", refusal, 90.0), answer("q1", LONG_A, 10.0)]);
        let second = published_run("second", &[answer("q1", refusal, 90.0), answer("q1", refusal, 90.0)]);
        let third = published_run("third", &[answer("q1", LONG_A, 10.0), answer("q1", LONG_A, 10.0)]);
        assert_eq!(duplicates(&Dataset::new(vec![first, second, third])), Duplicates::default());
    }

    #[test]
    fn normalising_lowercases_and_collapses_whitespace() {
        assert_eq!(normalise("  Hello\n\tWORLD  Ä "), "hello world ä");
    }
}
