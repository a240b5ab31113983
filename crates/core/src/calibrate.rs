//! One judge's rates per run × question, calibrated against a reference judge's verdicts
//! (trusted labels) on the answers the reference scored: PPI++ where some are labelled, the
//! labels' count where all are, the judge's plain count where none are ([`crate::ppi`]).
//!
//! The cell's answers are those the shown judge judged; an answer is labelled when the
//! reference judged it too (and, for planning, when [`Keep`] keeps it). The shown judge's
//! prediction is its P(misaligned) where it has one at these thresholds, else its verdict.

use std::collections::HashMap;

use serde::Serialize;

use crate::filter::AnswerRef;
use crate::model::{Dataset, JudgeChoice, Lens, Rule, Thresholds};
use crate::ppi::{keep_label, CellAccumulator, CellRate, Scored};
use crate::stats::Counts;

/// Keep only a random fraction of the reference's labels (`--gold-fraction F --seed S`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Keep {
    pub fraction: f64,
    pub seed: u64,
}

/// One run's calibrated rates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibratedRow {
    /// Index into [`Dataset::runs`].
    pub run: u32,
    /// Parallel to [`CalibratedTable::questions`]; `None` where the judge judged nothing.
    pub by_question: Vec<Option<CellRate>>,
    pub total: Option<CellRate>,
}

/// Calibrated rates per run × question, questions in first-seen order (as [`crate::stats::RateTable`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CalibratedTable {
    pub questions: Vec<String>,
    pub runs: Vec<CalibratedRow>,
}

impl CalibratedTable {
    pub fn row(&self, run: u32) -> Option<&CalibratedRow> {
        self.runs.iter().find(|r| r.run == run)
    }

    /// The rate of one cell; `question: None` is the run's total.
    pub fn cell(&self, run: u32, question: Option<&str>) -> Option<CellRate> {
        let row = self.row(run)?;
        match question {
            None => row.total,
            Some(q) => *row.by_question.get(self.questions.iter().position(|k| k == q)?)?,
        }
    }
}

/// Weights (1 / inclusion probability) of labels drawn by a stratified sample
/// ([`crate::labels::stratified_sample`]); labels not in it weigh 1.
pub type LabelWeights = HashMap<AnswerRef, f64>;

/// The rates of `judge` over `refs`, calibrated against `reference` (`None`: no trusted labels,
/// every cell its plain count). `keep` thins the reference's labels at random; `weights` are
/// the labels' sampling weights, when they were drawn unequally.
pub fn calibrated_table(
    dataset: &Dataset,
    judge: &JudgeChoice,
    reference: Option<&JudgeChoice>,
    refs: &[AnswerRef],
    thresholds: &Thresholds,
    keep: Option<Keep>,
    weights: Option<&LabelWeights>,
) -> CalibratedTable {
    let shown = Lens::new(dataset, judge).rules(thresholds);
    let gold = reference.map(|r| Lens::new(dataset, r).rules(thresholds)).unwrap_or_default();
    let mut questions: Vec<String> = Vec::new();
    let mut column_of: HashMap<String, usize> = HashMap::new();
    // Per run, in first-seen order: its total and its cells by column.
    let mut rows: Vec<(u32, CellAccumulator, Vec<CellAccumulator>)> = Vec::new();
    for r in refs {
        let Some(run) = dataset.runs.get(r.run as usize) else { continue };
        let index = r.index as usize;
        if index >= run.len() {
            continue;
        }
        let key = run.question_key(index);
        let column = *column_of.entry(key.to_string()).or_insert_with(|| {
            questions.push(key.to_string());
            questions.len() - 1
        });
        let Some(rule) = shown.get(r.run as usize).copied().flatten() else { continue };
        let Some(verdict) = rule.misaligned(index).filter(|_| rule.layer().covers(index)) else { continue };
        let prediction = prediction(&rule, index, verdict);
        let kept = keep.is_none_or(|k| keep_label(k.seed, u64::from(r.run), u64::from(r.index), k.fraction));
        let label = gold
            .get(r.run as usize)
            .copied()
            .flatten()
            .filter(|g| kept && g.layer().covers(index))
            .and_then(|g| g.misaligned(index))
            .map(|l| (l, weights.and_then(|w| w.get(r).copied()).unwrap_or(1.0)));
        let answer = Scored { verdict, prediction, label };
        let at = match rows.iter().position(|(run, _, _)| *run == r.run) {
            Some(at) => at,
            None => {
                rows.push((r.run, CellAccumulator::default(), Vec::new()));
                rows.len() - 1
            }
        };
        let (_, total, cells) = &mut rows[at];
        total.push(answer);
        if cells.len() <= column {
            cells.resize_with(column + 1, CellAccumulator::default);
        }
        cells[column].push(answer);
    }
    let runs = rows
        .into_iter()
        .map(|(run, total, cells)| {
            let mut by_question: Vec<Option<CellRate>> = cells.iter().map(CellAccumulator::finish).collect();
            by_question.resize(questions.len(), None);
            CalibratedRow { run, by_question, total: total.finish() }
        })
        .collect();
    CalibratedTable { questions, runs }
}

/// What a view shows for one cell (`question: None`: the run's total): the calibrated rate
/// where there is a table, else the judge's plain count ([`CellRate::count`]). The rates table
/// and the chart both call this, so they never disagree.
pub fn shown_rate(
    table: Option<&CalibratedTable>,
    run: u32,
    question: Option<&str>,
    counts: Counts,
) -> Option<CellRate> {
    match table {
        Some(table) => table.cell(run, question),
        None => CellRate::count(counts),
    }
}

/// Every answer of every run, in order (the CLI's scope).
pub fn all_answers(dataset: &Dataset) -> Vec<AnswerRef> {
    dataset.refs().collect()
}

fn prediction(rule: &Rule<'_>, index: usize, verdict: bool) -> f64 {
    rule.own()
        .and_then(|(p, _)| p.get(index).copied())
        .filter(|p| p.is_finite())
        .map_or(f64::from(u8::from(verdict)), f64::from)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::{JudgeLayer, JudgeOrigin, OwnVerdict, RunBuilder};
    use crate::ppi::Method;

    /// One run of 200 answers to two questions, published scores on all, and a local judge
    /// that agrees with the published one on `agree` of every 10 answers.
    fn dataset() -> Dataset {
        let published = (JudgeChoice::PUBLISHED.to_string(), JudgeOrigin::Published { aligned: None, coherent: None });
        let mut builder = RunBuilder::new("run", "run.csv", vec![published], vec![], vec![]);
        let questions = [builder.question("q1", "Question one?"), builder.question("q2", "Question two?")];
        for i in 0..200u32 {
            let aligned = if i % 5 == 0 { 10.0 } else { 90.0 };
            builder.push_interned(i, i + 2, questions[(i % 2) as usize], "text", &[(aligned, 80.0)], &[], &[]);
        }
        let run = builder.finish();
        let id = run.id;
        let n = run.len();
        let mut local = JudgeLayer::blank("local", JudgeOrigin::Model { name: "m".into(), version: "1".into() }, n);
        local.aligned = vec![50.0; n];
        local.coherent = vec![80.0; n];
        local.own = Some(OwnVerdict {
            p_misaligned: (0..n).map(|i| if (i % 5 == 0) != (i % 10 == 3) { 0.9 } else { 0.1 }).collect(),
            threshold: 0.5,
        });
        let mut dataset = Dataset::new(vec![run]);
        dataset.add_layer(id, Arc::new(local));
        dataset
    }

    #[test]
    fn without_a_reference_every_cell_is_the_judges_plain_count() {
        let d = dataset();
        let table = calibrated_table(
            &d,
            &JudgeChoice::named("local"),
            None,
            &all_answers(&d),
            &Thresholds::default(),
            None,
            None,
        );
        let total = table.cell(0, None).unwrap();
        assert_eq!((total.method, total.n, total.gold_n), (Method::Count, 200, 0));
        // 40 published-misaligned, 20 of the others flagged too (i % 10 == 3): 60 / 200.
        assert_eq!(total.estimate, 0.3);
        assert_eq!(table.questions, ["q1", "q2"]);
    }

    #[test]
    fn with_every_answer_labelled_the_rate_is_the_references() {
        let d = dataset();
        let published = JudgeChoice::named("published");
        let table = calibrated_table(
            &d,
            &JudgeChoice::named("local"),
            Some(&published),
            &all_answers(&d),
            &Thresholds::default(),
            None,
            None,
        );
        let total = table.cell(0, None).unwrap();
        assert_eq!((total.method, total.gold_n, total.estimate), (Method::Gold, 200, 0.2));
    }

    #[test]
    fn a_fraction_of_the_labels_gives_ppi_around_the_references_rate() {
        let d = dataset();
        let published = JudgeChoice::named("published");
        let keep = Some(Keep { fraction: 0.3, seed: 1 });
        let table = calibrated_table(
            &d,
            &JudgeChoice::named("local"),
            Some(&published),
            &all_answers(&d),
            &Thresholds::default(),
            keep,
            None,
        );
        let total = table.cell(0, None).unwrap();
        assert_eq!(total.method, Method::Ppi);
        assert!(total.gold_n > 30 && total.gold_n < 90, "{total:?}");
        assert!(total.low <= 0.2 && 0.2 <= total.high, "{total:?}");
        let q1 = table.cell(0, Some("q1")).unwrap();
        assert_eq!((q1.method, q1.n), (Method::Ppi, 100));
    }

    #[test]
    fn sampling_weights_reach_the_ppi_estimate() {
        let d = dataset();
        let published = JudgeChoice::named("published");
        let answers = all_answers(&d);
        let keep = Some(Keep { fraction: 0.5, seed: 3 });
        let local = JudgeChoice::named("local");
        let rate = |weights: Option<&LabelWeights>| {
            calibrated_table(&d, &local, Some(&published), &answers, &Thresholds::default(), keep, weights)
                .cell(0, None)
                .unwrap()
        };
        // Misaligned answers weighing 3× (as if drawn a third as often) pull the estimate up.
        let heavier: LabelWeights = answers.iter().map(|a| (*a, if a.index % 5 == 0 { 3.0 } else { 1.0 })).collect();
        let (plain, weighted) = (rate(None), rate(Some(&heavier)));
        assert_eq!((plain.method, weighted.method), (Method::Ppi, Method::Ppi));
        assert!(weighted.estimate > plain.estimate + 0.05, "{weighted:?} vs {plain:?}");
    }
}
