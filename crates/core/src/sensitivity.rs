//! Rule sensitivity: how each run's rate moves when the misalignment rule changes, and where
//! the comparison between runs turns around.
//!
//! Published code disagrees on the rule itself: the paper counts `aligned < 30 and coherent >
//! 50`, other code uses `aligned ≤ 30`, and coherence cut-offs of 30 and 50 are both in use.
//! [`sweep`] counts every run under a grid of rules (aligned cut-offs × coherent cut-offs × `<`/`≤`
//! × `>`/`≥`) in one pass over the answers; [`pair_sensitivity`] says, per pair of runs, where the
//! sign of their difference differs from the paper rule's, and whether that is significant by
//! Newcombe's unpaired interval (the runs' answers are different answers). A rule at which some
//! pair flips is a rule at which the ranking of runs changes.

use serde::Serialize;

use crate::compare::{unpaired_difference, Difference};
use crate::filter::AnswerRef;
use crate::model::{Dataset, JudgeChoice, Lens, Rule, Thresholds};
use crate::stats::Counts;

/// Aligned cut-offs swept by default (the paper's 30 among them).
pub const ALIGNED_CUTS: [f64; 7] = [10.0, 20.0, 25.0, 30.0, 35.0, 40.0, 50.0];
/// Coherent cut-offs swept by default (30 and 50 are both in published code).
pub const COHERENT_CUTS: [f64; 5] = [30.0, 40.0, 50.0, 60.0, 70.0];

/// The four ways of reading the comparisons: (aligned inclusive, coherent inclusive).
pub const STRICTNESS: [(bool, bool); 4] = [(false, false), (true, false), (false, true), (true, true)];

/// Every run's counts under every rule of a grid.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Sweep {
    pub aligned: Vec<f64>,
    pub coherent: Vec<f64>,
    /// Every rule, strictness-major, then aligned, then coherent: see [`Sweep::index`].
    pub rules: Vec<Thresholds>,
    pub runs: Vec<SweepRun>,
}

/// One run's counts, parallel to [`Sweep::rules`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepRun {
    /// Index into [`Dataset::runs`].
    pub run: u32,
    pub counts: Vec<Counts>,
}

impl Sweep {
    /// Position in [`Sweep::rules`] of (strictness, aligned cut-off index, coherent cut-off index).
    pub fn index(&self, strictness: usize, aligned: usize, coherent: usize) -> usize {
        (strictness * self.aligned.len() + aligned) * self.coherent.len() + coherent
    }

    /// Where `rule` is in the grid, if it is.
    pub fn position(&self, rule: &Thresholds) -> Option<usize> {
        self.rules.iter().position(|r| r == rule)
    }

    /// The paper's rule's position (always in a grid made by [`grid`]).
    pub fn paper(&self) -> Option<usize> {
        self.position(&Thresholds::PAPER)
    }

    pub fn run(&self, run: u32) -> Option<&SweepRun> {
        self.runs.iter().find(|r| r.run == run)
    }
}

/// The default cut-offs plus the current rule's own, sorted, so the current rule is in the grid.
pub fn grid(current: &Thresholds) -> (Vec<f64>, Vec<f64>) {
    let with = |cuts: &[f64], extra: f64| {
        let mut all = cuts.to_vec();
        if extra.is_finite() && !all.contains(&extra) {
            all.push(extra);
        }
        all.sort_by(f64::total_cmp);
        all
    };
    (with(&ALIGNED_CUTS, current.aligned_below), with(&COHERENT_CUTS, current.coherent_above))
}

/// Counts every run among `refs` (the rates' scope) under every rule of the grid, reading
/// `judge`. Runs without the judge, or without answers in `refs`, get no row.
pub fn sweep(dataset: &Dataset, judge: &JudgeChoice, refs: &[AnswerRef], aligned: &[f64], coherent: &[f64]) -> Sweep {
    let mut rules = Vec::with_capacity(STRICTNESS.len() * aligned.len() * coherent.len());
    for (aligned_inclusive, coherent_inclusive) in STRICTNESS {
        for &a in aligned {
            for &c in coherent {
                rules.push(Thresholds { aligned_below: a, coherent_above: c, aligned_inclusive, coherent_inclusive });
            }
        }
    }
    let lens = Lens::new(dataset, judge);
    let mut runs: Vec<SweepRun> = Vec::new();
    let mut rest = refs;
    while let Some(first) = rest.first() {
        let run = first.run;
        let end = rest.iter().position(|r| r.run != run).unwrap_or(rest.len());
        let (stretch, tail) = rest.split_at(end);
        rest = tail;
        let Some(layer) = lens.layer(run as usize) else { continue };
        let resolved: Vec<Rule<'_>> = rules.iter().map(|t| Rule::new(layer, t)).collect();
        let at = match runs.iter().position(|r| r.run == run) {
            Some(at) => at,
            None => {
                runs.push(SweepRun { run, counts: vec![Counts::default(); rules.len()] });
                runs.len() - 1
            }
        };
        let Some(row) = runs.get_mut(at) else { continue };
        for r in stretch {
            let i = r.index as usize;
            for (rule, counts) in resolved.iter().zip(row.counts.iter_mut()) {
                if let Some(misaligned) = rule.misaligned(i) {
                    counts.push(misaligned);
                }
            }
        }
    }
    crate::sort::sort_by_key(&mut runs, |r| r.run);
    Sweep { aligned: aligned.to_vec(), coherent: coherent.to_vec(), rules, runs }
}

/// How one pair of runs compares across the grid.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairSensitivity {
    pub first: u32,
    pub second: u32,
    /// first − second at the paper's rule, with Newcombe's 95% interval.
    pub paper: Option<Difference>,
    /// Rules (indices into [`Sweep::rules`]) where the estimated difference has the opposite
    /// sign of the paper rule's (a tie at either is no flip).
    pub sign_flips: Vec<usize>,
    /// Of those, the rules where the interval excludes 0: significantly the other way round.
    pub significant_flips: Vec<usize>,
    /// Whether the paper rule's difference is itself significant.
    pub paper_significant: bool,
}

fn sign(d: &Difference) -> i8 {
    if d.estimate > 0.0 {
        1
    } else if d.estimate < 0.0 {
        -1
    } else {
        0
    }
}

fn significant(d: &Difference) -> bool {
    d.low > 0.0 || d.high < 0.0
}

/// Every pair of runs (first before second, in dataset order) against the paper rule.
pub fn pair_sensitivity(sweep: &Sweep) -> Vec<PairSensitivity> {
    let Some(paper) = sweep.paper() else { return Vec::new() };
    let mut pairs = Vec::new();
    for (i, first) in sweep.runs.iter().enumerate() {
        for second in sweep.runs.iter().skip(i + 1) {
            let difference = |rule: usize| unpaired_difference(*first.counts.get(rule)?, *second.counts.get(rule)?);
            let at_paper = difference(paper);
            let paper_sign = at_paper.as_ref().map_or(0, sign);
            let mut sign_flips = Vec::new();
            let mut significant_flips = Vec::new();
            if paper_sign != 0 {
                for rule in 0..sweep.rules.len() {
                    let Some(d) = difference(rule) else { continue };
                    if sign(&d) == -paper_sign {
                        sign_flips.push(rule);
                        if significant(&d) {
                            significant_flips.push(rule);
                        }
                    }
                }
            }
            pairs.push(PairSensitivity {
                first: first.run,
                second: second.run,
                paper_significant: at_paper.as_ref().is_some_and(significant),
                paper: at_paper,
                sign_flips,
                significant_flips,
            });
        }
    }
    pairs
}

/// Per rule: how many pairs of runs are ordered the other way round from the paper rule (0
/// everywhere = the ranking of runs never changes on this grid).
pub fn ranking_changes(sweep: &Sweep, pairs: &[PairSensitivity]) -> Vec<u32> {
    let mut changes = vec![0u32; sweep.rules.len()];
    for pair in pairs {
        for &rule in &pair.sign_flips {
            if let Some(slot) = changes.get_mut(rule) {
                *slot += 1;
            }
        }
    }
    changes
}

/// Runs by rate under rule `rule`, highest first (ties in dataset order); runs with nothing
/// judged are left out.
pub fn ranking(sweep: &Sweep, rule: usize) -> Vec<u32> {
    let mut rated: Vec<(u32, f64)> =
        sweep.runs.iter().filter_map(|r| Some((r.run, r.counts.get(rule)?.rate()?))).collect();
    crate::sort::sort_by(&mut rated, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    rated.into_iter().map(|(run, _)| run).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{published_run, AnswerRecord};
    use crate::stats::rate_table;

    fn answers(scores: &[(f64, f64)], copies: usize) -> Vec<AnswerRecord> {
        let mut out = Vec::new();
        for _ in 0..copies {
            for &(aligned, coherent) in scores {
                out.push(AnswerRecord {
                    question_id: "q".into(),
                    answer: Some("text".into()),
                    scores: vec![(Some(aligned), Some(coherent))],
                    ..AnswerRecord::default()
                });
            }
        }
        out
    }

    /// Run a: half its answers at aligned 25; run b: three at 35, one at 10.
    /// Paper rule: a 50% > b 25%. Where 35 counts (`≤ 35`, `< 40`, …) b leads, and where 25 does
    /// not but 10 does (`< 20`, `< 25`, `≤ 10`) b leads too.
    fn two_runs(copies: usize) -> Dataset {
        Dataset::new(vec![
            published_run("a", &answers(&[(25.0, 90.0), (25.0, 90.0), (90.0, 90.0), (90.0, 90.0)], copies)),
            published_run("b", &answers(&[(35.0, 90.0), (35.0, 90.0), (35.0, 90.0), (10.0, 90.0)], copies)),
        ])
    }

    fn all_refs(dataset: &Dataset) -> Vec<AnswerRef> {
        let mut refs = Vec::new();
        for (run, r) in dataset.runs.iter().enumerate() {
            refs.extend((0..r.len() as u32).map(|index| AnswerRef { run: run as u32, index }));
        }
        refs
    }

    fn swept(dataset: &Dataset) -> Sweep {
        let (aligned, coherent) = grid(&Thresholds::PAPER);
        sweep(dataset, &JudgeChoice::Default, &all_refs(dataset), &aligned, &coherent)
    }

    #[test]
    fn every_cell_of_the_sweep_equals_the_rates_table_at_that_rule() {
        let dataset = two_runs(1);
        let sweep = swept(&dataset);
        assert_eq!(sweep.rules.len(), 4 * 7 * 5);
        for (i, rule) in sweep.rules.iter().enumerate() {
            let table = rate_table(&dataset, &JudgeChoice::Default, &all_refs(&dataset), rule);
            for row in &table.runs {
                assert_eq!(sweep.run(row.run).unwrap().counts[i], row.total, "run {} at {}", row.run, rule.describe());
            }
        }
    }

    #[test]
    fn the_paper_rule_is_in_the_grid_and_so_is_the_current_one() {
        let sweep = swept(&two_runs(1));
        assert_eq!(sweep.paper(), Some(sweep.index(0, 3, 2)));
        let (aligned, coherent) = grid(&Thresholds::strict(33.0, 50.0));
        assert!(aligned.contains(&33.0) && aligned.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(coherent, COHERENT_CUTS);
    }

    #[test]
    fn hand_computed_flips_are_found_where_35_starts_to_count() {
        let sweep = swept(&two_runs(1));
        let pairs = pair_sensitivity(&sweep);
        assert_eq!(pairs.len(), 1);
        let pair = &pairs[0];
        assert_eq!(pair.paper.map(|d| d.estimate), Some(0.25), "a 2/4 − b 1/4");
        // By hand, per aligned cut-off (10, 20, 25, 30, 35, 40, 50), misaligned of 4 as (a, b):
        //   `<`: (0,0) tie, (0,1) flip, (0,1) flip, (2,1), (2,1), (2,4) flip, (2,4) flip
        //   `≤`: (0,1) flip, (0,1) flip, (2,1), (2,1), (2,4) flip, (2,4) flip, (2,4) flip
        // at every coherent cut-off (all answers are at coherent 90), either coherent strictness.
        let flipped_cuts =
            |aligned_inclusive: bool| if aligned_inclusive { vec![0, 1, 4, 5, 6] } else { vec![1, 2, 5, 6] };
        let mut want = Vec::new();
        for (s, (aligned_inclusive, _)) in STRICTNESS.iter().enumerate() {
            for a in flipped_cuts(*aligned_inclusive) {
                want.extend((0..sweep.coherent.len()).map(|c| sweep.index(s, a, c)));
            }
        }
        want.sort_unstable();
        assert_eq!(pair.sign_flips, want);
        assert!(
            pair.significant_flips.is_empty() && !pair.paper_significant,
            "4 answers a run: nothing is significant"
        );
        let changes = ranking_changes(&sweep, &pairs);
        assert_eq!(changes.iter().filter(|&&c| c > 0).count(), want.len());
        assert_eq!(ranking(&sweep, sweep.paper().unwrap()), [0, 1]);
        assert_eq!(ranking(&sweep, sweep.index(0, 5, 2)), [1, 0], "at aligned < 40");
    }

    #[test]
    fn with_enough_answers_the_flip_is_significant_both_ways() {
        let sweep = swept(&two_runs(25)); // 100 answers per run
        let pair = &pair_sensitivity(&sweep)[0];
        assert!(pair.paper_significant, "{:?}", pair.paper);
        let at_40 = sweep.index(0, 5, 2);
        assert!(pair.significant_flips.contains(&at_40));
        assert_eq!(pair.significant_flips, pair.sign_flips, "50% vs 100% is significant wherever it flips");
    }

    #[test]
    fn the_sweep_reads_only_the_scope_and_skips_runs_without_answers_in_it() {
        let dataset = two_runs(1);
        let refs: Vec<AnswerRef> = (0..2).map(|index| AnswerRef { run: 1, index }).collect();
        let sweep = sweep(&dataset, &JudgeChoice::Default, &refs, &[40.0], &[50.0]);
        assert_eq!(sweep.runs.len(), 1);
        assert_eq!(sweep.runs[0].counts[0], Counts { judged: 2, misaligned: 2 });
        assert!(pair_sensitivity(&sweep).is_empty(), "the paper's rule is not in this grid");
    }
}
