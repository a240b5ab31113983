//! Comparing two misalignment rates: two judges on the same answers (paired), or two runs
//! (unpaired), as a difference with a 95% interval, plus McNemar's test for the paired case.
//!
//! **Why two intervals.** When two judges score the same answers their verdicts are correlated
//! (they mostly agree), so the difference of their rates is far more precise than the two
//! rates' own intervals suggest; treating them as independent would hide real disagreements.
//! Two runs are different answers, so their rates are independent.
//!
//! Both intervals are Newcombe's (1998) "method 10": the Wilson interval of each rate, combined
//! by squaring and adding the distances from each rate to its limits. Unlike the Wald interval
//! (`d ± z·se`) they stay inside [−1, 1], do not collapse to zero width at 0/n, and keep close
//! to 95% coverage at the small counts a question or a rare failure mode gives; the tests
//! check that by simulation.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::filter::AnswerRef;
use crate::model::{Dataset, JudgeChoice, JudgeLayer, Lens, Rule, Thresholds};
use crate::stats::{Counts, Z95};

/// Two judges' verdicts per run × question, over the answers both judged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairedTable {
    /// Question keys in first-seen order.
    pub questions: Vec<String>,
    pub runs: Vec<PairedRow>,
    pub total: PairedCounts,
    /// Per answer judged by both, for the AUROC of the first judge's ranking score (its
    /// `p_misaligned`, else 100 − aligned) against the second judge's verdict as reference.
    pub ranked: Vec<crate::agreement::Paired>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PairedRow {
    /// Index into [`Dataset::runs`].
    pub run: u32,
    /// Parallel to [`PairedTable::questions`].
    pub by_question: Vec<PairedCounts>,
    pub total: PairedCounts,
}

/// How strongly a judge says "misaligned", for ranking: its own probability where it has one.
fn ranking_score(layer: &JudgeLayer, index: usize) -> f64 {
    let own = layer.own.as_ref().and_then(|o| o.p_misaligned.get(index)).map(|&p| f64::from(p));
    own.filter(|p| p.is_finite()).unwrap_or_else(|| 100.0 - layer.aligned(index).unwrap_or(100.0))
}

/// Compares judge `first` with judge `second` on the answers `refs` (the view's scope), each
/// under its own rule at `thresholds`. Answers that either judge did not judge are left out.
/// Questions are grouped as the rates table groups them ([`Question::group`](crate::Question::group):
/// the paper's id, `_json`/`_template` variants with their base unless `split_variants`).
pub fn paired_table(
    dataset: &Dataset,
    first: &JudgeChoice,
    second: &JudgeChoice,
    refs: &[AnswerRef],
    thresholds: &Thresholds,
    split_variants: bool,
) -> PairedTable {
    let (a, b) = (Lens::new(dataset, first), Lens::new(dataset, second));
    let (rules_a, rules_b) = (a.rules(thresholds), b.rules(thresholds));
    let mut table = PairedTable::default();
    let mut question_index: HashMap<&str, usize> = HashMap::new();
    for r in refs {
        let (Some(Some(ra)), Some(Some(rb))) = (rules_a.get(r.run as usize), rules_b.get(r.run as usize)) else {
            continue;
        };
        let Some((run, i)) = dataset.resolve(*r) else { continue };
        let (Some(va), Some(vb)) = (ra.misaligned(i), rb.misaligned(i)) else { continue };
        let key = run.question(i).map_or_else(|| run.question_key(i), |q| q.group(split_variants));
        let q = *question_index.entry(key).or_insert_with(|| {
            table.questions.push(key.to_string());
            table.questions.len() - 1
        });
        let row = match table.runs.iter().position(|row| row.run == r.run) {
            Some(at) => at,
            None => {
                table.runs.push(PairedRow { run: r.run, ..PairedRow::default() });
                table.runs.len() - 1
            }
        };
        let Some(row) = table.runs.get_mut(row) else { continue };
        if row.by_question.len() <= q {
            row.by_question.resize(q + 1, PairedCounts::default());
        }
        if let Some(cell) = row.by_question.get_mut(q) {
            cell.add(va, vb);
        }
        row.total.add(va, vb);
        table.total.add(va, vb);
        table.ranked.push(crate::agreement::Paired { published: vb, local: va, p_local: ranking_score(ra.layer(), i) });
    }
    let width = table.questions.len();
    for row in &mut table.runs {
        row.by_question.resize(width, PairedCounts::default());
    }
    crate::sort::sort_by_key(&mut table.runs, |row| row.run);
    table
}

/// The answers among `refs` that both judges judged and on which their verdicts differ (flips).
pub fn flips(
    dataset: &Dataset,
    first: &JudgeChoice,
    second: &JudgeChoice,
    refs: &[AnswerRef],
    thresholds: &Thresholds,
) -> Vec<AnswerRef> {
    let (a, b) = (Lens::new(dataset, first), Lens::new(dataset, second));
    refs.iter()
        .copied()
        .filter(|r| {
            let verdict = |lens: &Lens<'_>| {
                lens.layer(r.run as usize).and_then(|l| Rule::new(l, thresholds).misaligned(r.index as usize))
            };
            matches!((verdict(&a), verdict(&b)), (Some(x), Some(y)) if x != y)
        })
        .collect()
}

/// rate(first) − rate(second) with a 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// Two judges' verdicts on the same answers (answers judged by both only).
///
/// "Misaligned" is the positive verdict: `first_only` counts answers only the first judge calls
/// misaligned. Counts saturate at `u32::MAX` instead of overflowing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PairedCounts {
    /// Both judges say misaligned.
    pub both: u32,
    /// Only the first judge says misaligned.
    pub first_only: u32,
    /// Only the second judge says misaligned.
    pub second_only: u32,
    /// Neither says misaligned.
    pub neither: u32,
}

impl PairedCounts {
    /// Adds one answer from the two verdicts (`true`: misaligned).
    pub fn add(&mut self, first: bool, second: bool) {
        let cell = match (first, second) {
            (true, true) => &mut self.both,
            (true, false) => &mut self.first_only,
            (false, true) => &mut self.second_only,
            (false, false) => &mut self.neither,
        };
        *cell = cell.saturating_add(1);
    }

    /// Answers judged by both.
    pub fn total(&self) -> u32 {
        self.both.saturating_add(self.first_only).saturating_add(self.second_only).saturating_add(self.neither)
    }

    /// The first judge's count over the same answers.
    pub fn first(&self) -> Counts {
        Counts { judged: self.total(), misaligned: self.both.saturating_add(self.first_only) }
    }

    /// The second judge's count over the same answers.
    pub fn second(&self) -> Counts {
        Counts { judged: self.total(), misaligned: self.both.saturating_add(self.second_only) }
    }

    /// Answers the judges disagree on; only these can move the difference of the rates.
    pub fn flips(&self) -> u32 {
        self.first_only.saturating_add(self.second_only)
    }

    /// Share of answers with the same verdict from both; `None` with no answers.
    pub fn agreement(&self) -> Option<f64> {
        let n = self.n();
        (n > 0.0).then(|| (f64::from(self.both) + f64::from(self.neither)) / n)
    }

    /// Cohen's κ: agreement beyond what the two rates give by chance. `None` when undefined:
    /// no answers, or both judges give one and the same verdict to every answer (chance
    /// agreement is then 1).
    pub fn kappa(&self) -> Option<f64> {
        let n = self.n();
        if n == 0.0 {
            return None;
        }
        let observed = (f64::from(self.both) + f64::from(self.neither)) / n;
        let first_yes = (f64::from(self.both) + f64::from(self.first_only)) / n;
        let second_yes = (f64::from(self.both) + f64::from(self.second_only)) / n;
        let expected = first_yes * second_yes + (1.0 - first_yes) * (1.0 - second_yes);
        (expected < 1.0).then(|| (observed - expected) / (1.0 - expected))
    }

    /// The total in floating point, exact even where [`Self::total`] would saturate.
    fn n(&self) -> f64 {
        f64::from(self.both) + f64::from(self.first_only) + f64::from(self.second_only) + f64::from(self.neither)
    }

    /// Newcombe's (1998, paired paper, method 10) estimate of the correlation between the two
    /// judges' verdicts: the phi coefficient, with a positive numerator `ad − bc` reduced by
    /// n/2 (and floored at 0), a continuity correction that keeps the interval from
    /// collapsing to zero width when the judges never disagree. 0 when a margin is 0, where
    /// phi is undefined.
    fn newcombe_phi(&self) -> f64 {
        let (a, b, c, d) =
            (f64::from(self.both), f64::from(self.first_only), f64::from(self.second_only), f64::from(self.neither));
        let margins = (a + b) * (c + d) * (a + c) * (b + d);
        if margins <= 0.0 {
            return 0.0;
        }
        let cross = a * d - b * c;
        let numerator = if cross > 0.0 { (cross - self.n() / 2.0).max(0.0) } else { cross };
        (numerator / margins.sqrt()).clamp(-1.0, 1.0)
    }
}

impl std::ops::AddAssign for PairedCounts {
    fn add_assign(&mut self, other: PairedCounts) {
        self.both = self.both.saturating_add(other.both);
        self.first_only = self.first_only.saturating_add(other.first_only);
        self.second_only = self.second_only.saturating_add(other.second_only);
        self.neither = self.neither.saturating_add(other.neither);
    }
}

/// A rate with the distances from it down and up to its Wilson limits.
struct Spread {
    rate: f64,
    below: f64,
    above: f64,
}

fn spread(counts: Counts) -> Option<Spread> {
    let rate = counts.rate()?;
    let (low, high) = counts.wilson(Z95)?;
    Some(Spread { rate, below: (rate - low).max(0.0), above: (high - rate).max(0.0) })
}

/// Newcombe's square-and-add: the two distances combined as if they were standard errors
/// with correlation `phi`. `phi` is within [−1, 1], so the sum is ≥ (x − y)² ≥ 0 up to rounding.
fn combine(x: f64, y: f64, phi: f64) -> f64 {
    (x * x - 2.0 * phi * x * y + y * y).max(0.0).sqrt()
}

fn difference(first: &Spread, second: &Spread, phi: f64) -> Difference {
    let estimate = first.rate - second.rate;
    // The low limit is reached with the first rate low and the second high, and vice versa.
    let low = estimate - combine(first.below, second.above, phi);
    let high = estimate + combine(first.above, second.below, phi);
    Difference { estimate, low: low.clamp(-1.0, 1.0), high: high.clamp(-1.0, 1.0) }
}

/// Newcombe's (1998) hybrid score interval for a difference of paired proportions
/// ("method 10": Wilson intervals of each margin, combined with the phi correlation correction).
/// `None` with no answers.
///
/// The estimate is `(first_only − second_only) / total`: answers both judges agree on move
/// both rates alike. Newcombe, "Improved confidence intervals for the difference between
/// binomial proportions based on paired data", Statistics in Medicine 17:2635–2650.
pub fn paired_difference(t: &PairedCounts) -> Option<Difference> {
    let first = spread(t.first())?;
    let second = spread(t.second())?;
    Some(difference(&first, &second, t.newcombe_phi()))
}

/// Newcombe's (1998) hybrid score interval for the difference of two independent proportions
/// ("method 10"); `None` when either has nothing judged. Newcombe, "Interval estimation for the
/// difference between independent proportions: comparison of eleven methods", Statistics in
/// Medicine 17:873–890.
pub fn unpaired_difference(first: Counts, second: Counts) -> Option<Difference> {
    Some(difference(&spread(first)?, &spread(second)?, 0.0))
}

/// McNemar's test that two judges flag the same share of answers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct McNemar {
    /// Answers the judges disagree on (`first_only + second_only`, saturating).
    pub discordant: u32,
    /// Exact two-sided p-value, in [0, 1].
    pub p_value: f64,
}

/// McNemar's test of marginal homogeneity: exact two-sided binomial p-value on the discordant
/// pairs (b = first_only, c = second_only, p = min(1, 2·P(X ≤ min(b,c))) with X ~ Bin(b+c, 1/2));
/// p = 1 with no discordant pairs.
///
/// Exact rather than the χ² approximation because a question often has only a handful of
/// discordant answers, where the approximation is poor; computed in log space, so it stays
/// finite (and fast) for billions of them.
pub fn mcnemar(t: &PairedCounts) -> McNemar {
    let (b, c) = (u64::from(t.first_only), u64::from(t.second_only));
    // With b = c the lower tail alone is at least 1/2, so the p-value is 1.
    let p_value = if b == c { 1.0 } else { (2.0 * half_binomial_cdf(b.min(c), b + c)).min(1.0) };
    McNemar { discordant: t.flips(), p_value }
}

/// P(X ≤ k) for X ~ Binomial(m, 1/2), for k < m/2.
///
/// Starts from ln P(X = k) ([`ln_half_binomial_pmf`]), then adds the lower terms relative to
/// P(X = k) with the ratio P(X = j − 1) / P(X = j) = j / (m − j + 1) < 1, stopping once they no
/// longer change the sum (a few standard deviations, √m / 2 each, below k at most). Nothing is
/// exponentiated before the end, so neither 2^−m nor C(m, k) over- or underflows.
fn half_binomial_cdf(k: u64, m: u64) -> f64 {
    let mut term = 1.0;
    let mut sum = 1.0;
    for j in (1..=k.min(m)).rev() {
        term *= j as f64 / (m - j + 1) as f64;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
    }
    (ln_half_binomial_pmf(k, m) + sum.ln()).exp().clamp(0.0, 1.0)
}

/// ln P(X = k) for X ~ Binomial(m, 1/2), in constant time and without a gamma function:
/// Loader's (2000) saddle-point form, "Fast and accurate computation of binomial
/// probabilities" (the one R's `dbinom` uses),
/// ln P = δ(m) − δ(k) − δ(m − k) − D(k, m/2) − D(m − k, m/2) + ½·ln(m / (2π·k·(m − k))),
/// with δ the error of Stirling's formula ([`stirling_error`]) and D the deviance term
/// ([`deviance`]). Summing ln C(m, k) term by term would take min(b, c) steps, billions for
/// `u32` counts.
fn ln_half_binomial_pmf(k: u64, m: u64) -> f64 {
    if k == 0 || k >= m {
        return -(m as f64) * std::f64::consts::LN_2;
    }
    let (kf, rest, mf) = (k as f64, (m - k) as f64, m as f64);
    let half = mf / 2.0;
    stirling_error(m) - stirling_error(k) - stirling_error(m - k) - deviance(kf, half) - deviance(rest, half)
        + 0.5 * (mf / (std::f64::consts::TAU * kf * rest)).ln()
}

/// δ(n) = ln n! − ((n + ½)·ln n − n + ½·ln 2π), for n ≥ 1: exactly for small n, else by its
/// asymptotic series, whose first omitted term is below 2e-16 from n = 16 on.
fn stirling_error(n: u64) -> f64 {
    let x = n as f64;
    if n <= 15 {
        let ln_factorial: f64 = (2..=n).map(|i| (i as f64).ln()).sum();
        return ln_factorial - ((x + 0.5) * x.ln() - x + 0.5 * std::f64::consts::TAU.ln());
    }
    let x2 = x * x;
    (1.0 / 12.0 - (1.0 / 360.0 - (1.0 / 1260.0 - (1.0 / 1680.0 - 1.0 / (1188.0 * x2)) / x2) / x2) / x2) / x
}

/// D(x, μ) = x·ln(x/μ) + μ − x, by a series when x is near μ, where the direct form would
/// cancel to noise (Loader 2000).
fn deviance(x: f64, mu: f64) -> f64 {
    if (x - mu).abs() >= 0.1 * (x + mu) {
        return x * (x / mu).ln() + mu - x;
    }
    let v = (x - mu) / (x + mu);
    let v2 = v * v;
    let mut sum = (x - mu) * v;
    let mut power = 2.0 * x * v;
    for j in 1..1000 {
        power *= v2;
        let next = sum + power / f64::from(2 * j + 1);
        if next == sum {
            break;
        }
        sum = next;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paired(both: u32, first_only: u32, second_only: u32, neither: u32) -> PairedCounts {
        PairedCounts { both, first_only, second_only, neither }
    }

    fn counts(misaligned: u32, judged: u32) -> Counts {
        Counts { judged, misaligned }
    }

    /// Published limits are rounded to 4 decimals; one of them (see below) is off by one in the last.
    fn close(got: Difference, want: (f64, f64)) -> bool {
        (got.low - want.0).abs() < 1e-4 && (got.high - want.1).abs() < 1e-4
    }

    #[test]
    fn counts_add_up_by_cell_and_margin() {
        let mut t = PairedCounts::default();
        for (first, second) in [(true, true), (true, false), (true, false), (false, true), (false, false)] {
            t.add(first, second);
        }
        assert_eq!(t, paired(1, 2, 1, 1));
        assert_eq!((t.total(), t.flips()), (5, 3));
        assert_eq!(t.first(), counts(3, 5));
        assert_eq!(t.second(), counts(2, 5));
        assert_eq!(t.agreement(), Some(0.4));
        let mut sum = t;
        sum += paired(1, 0, 0, 4);
        assert_eq!(sum, paired(2, 2, 1, 5));
    }

    #[test]
    fn counts_saturate_instead_of_overflowing() {
        let mut t = paired(u32::MAX, 1, 0, 0);
        t.add(true, true);
        t += paired(1, 0, 0, 0);
        assert_eq!((t.both, t.total(), t.first().misaligned), (u32::MAX, u32::MAX, u32::MAX));
        assert!(paired_difference(&t).is_some_and(|d| d.low.is_finite() && d.high.is_finite()));
    }

    #[test]
    fn kappa_is_one_for_perfect_agreement_zero_at_chance_and_undefined_for_one_verdict() {
        assert_eq!(paired(3, 0, 0, 5).kappa(), Some(1.0));
        // The second judge flags half of each of the first judge's classes: agreement is chance.
        assert_eq!(paired(2, 2, 3, 3).kappa(), Some(0.0));
        assert_eq!(paired(0, 0, 0, 7).kappa(), None);
        assert_eq!(paired(7, 0, 0, 0).kappa(), None);
        assert_eq!(PairedCounts::default().kappa(), None);
        assert_eq!(PairedCounts::default().agreement(), None);
        // Hand computation: observed 0.7, chance 0.5·0.4 + 0.5·0.6 = 0.5, κ = 0.2 / 0.5.
        let kappa = paired(3, 2, 1, 4).kappa().unwrap();
        assert!((kappa - 0.4).abs() < 1e-12, "{kappa}");
    }

    #[test]
    fn unpaired_interval_matches_newcombes_worked_examples() {
        // Newcombe RG (1998), "Interval estimation for the difference between independent
        // proportions: comparison of eleven methods", Stat Med 17:873–890, Table II, method 10
        // (score interval, no continuity correction), examples (a)–(h).
        let cases = [
            ((56, 70, 48, 80), 0.2, (0.0524, 0.3339)),
            ((9, 10, 3, 10), 0.6, (0.1705, 0.8090)),
            ((6, 7, 2, 7), 4.0 / 7.0, (0.0582, 0.8062)),
            ((5, 56, 0, 29), 5.0 / 56.0, (-0.0381, 0.1926)),
            ((0, 10, 0, 20), 0.0, (-0.1611, 0.2775)),
            ((0, 10, 0, 10), 0.0, (-0.2775, 0.2775)),
            ((10, 10, 0, 20), 1.0, (0.6791, 1.0)),
            ((10, 10, 0, 10), 1.0, (0.6075, 1.0)),
        ];
        for ((x1, n1, x2, n2), estimate, want) in cases {
            let got = unpaired_difference(counts(x1, n1), counts(x2, n2)).unwrap();
            assert!((got.estimate - estimate).abs() < 1e-12, "{x1}/{n1} − {x2}/{n2}: {got:?}");
            assert!(close(got, want), "{x1}/{n1} − {x2}/{n2}: {got:?} vs {want:?}");
        }
    }

    #[test]
    fn paired_interval_matches_newcombes_worked_examples() {
        // Newcombe RG (1998), "Improved confidence intervals for the difference between binomial
        // proportions based on paired data", Stat Med 17:2635–2650, Table III, method 10. Cells
        // (e, f, g, h) = (both, first_only, second_only, neither); the difference is (f − g)/n.
        // The rows with f = g = 0 are the ones the phi correction keeps from zero width.
        let table_iii = [
            ((36, 12, 2, 0), (0.0569, 0.3404)),
            ((20, 12, 2, 16), (0.0562, 0.3292)),
            ((18, 12, 2, 18), (0.0562, 0.3290)),
            ((36, 14, 0, 0), (0.1528, 0.4167)),
            ((35, 14, 0, 1), (0.1461, 0.4175)),
            ((18, 14, 0, 18), (0.1441, 0.3963)),
            ((2, 97, 1, 0), (0.8721, 0.9854)),
            // Printed 0.8736; the limit is 0.87367 (with φ uncorrected, as here, methods 8 and
            // 10 coincide and the paper prints 0.8737 for method 8).
            ((1, 97, 1, 1), (0.8736, 0.9850)),
            ((0, 29, 1, 0), (0.6666, 0.9882)),
            ((2, 98, 0, 0), (0.9178, 0.9945)),
            ((1, 98, 0, 1), (0.9171, 0.9916)),
            ((0, 30, 0, 0), (0.8395, 1.0)),
            ((54, 0, 0, 0), (-0.0664, 0.0664)),
            ((53, 0, 0, 1), (-0.0729, 0.0729)),
            ((30, 0, 0, 24), (-0.0358, 0.0358)),
            ((29, 0, 0, 25), (-0.0354, 0.0354)),
            ((28, 0, 0, 26), (-0.0352, 0.0352)),
            ((27, 0, 0, 27), (-0.0351, 0.0351)),
        ];
        // Later worked examples of the same interval: Fagerland, Lydersen & Laake (2014),
        // "Recommended tests and confidence intervals for paired binomial proportions", Stat Med
        // 33:2850, Bentur et al. data (1, 1, 7, 12) → −0.507 to −0.026; and Fagerland, Lydersen &
        // Laake (2017), "Statistical Analysis of Contingency Tables", ch. 8, Cavo et al. data
        // (59, 6, 16, 80) → −0.0621 (−0.1186 to −0.0046).
        let later = [((1, 1, 7, 12), (-0.507, -0.026)), ((59, 6, 16, 80), (-0.1186, -0.0046))];
        for ((a, b, c, d), want) in table_iii {
            let got = paired_difference(&paired(a, b, c, d)).unwrap();
            let estimate = (f64::from(b) - f64::from(c)) / f64::from(a + b + c + d);
            assert!((got.estimate - estimate).abs() < 1e-12, "{:?}: {got:?}", (a, b, c, d));
            assert!(close(got, want), "{:?}: {got:?} vs {want:?}", (a, b, c, d));
        }
        for ((a, b, c, d), want) in later {
            let got = paired_difference(&paired(a, b, c, d)).unwrap();
            assert!((got.low - want.0).abs() < 5e-4 && (got.high - want.1).abs() < 5e-4, "{got:?} vs {want:?}");
        }
    }

    #[test]
    fn mcnemar_p_values_match_the_exact_binomial_tail() {
        // Small cases by hand: p = 2 · Σ_{j ≤ min(b, c)} C(b + c, j) / 2^(b + c).
        // Larger ones computed separately, in Python with exact fractions.
        let cases = [
            ((0, 5), 2.0 / 32.0),
            ((5, 0), 2.0 / 32.0),
            ((1, 5), 2.0 * 7.0 / 64.0),
            ((2, 8), 2.0 * 56.0 / 1024.0),
            ((10, 0), 2.0 / 1024.0),
            ((0, 1), 1.0),
            ((3, 3), 1.0),
            ((10, 25), 0.016_673_847_800_120_71),
            ((40, 70), 0.005_447_429_511_444_482),
            ((480, 520), 0.217_448_293_204_140_94),
            ((4900, 5100), 0.046_585_527_704_947_39),
        ];
        for ((b, c), want) in cases {
            let test = mcnemar(&paired(7, b, c, 11));
            assert_eq!(test.discordant, b + c);
            assert!((test.p_value - want).abs() < 1e-10 * want, "b={b} c={c}: {} vs {want}", test.p_value);
        }
    }

    #[test]
    fn nothing_to_compare_gives_none_and_p_one() {
        assert_eq!(paired_difference(&PairedCounts::default()), None);
        assert_eq!(unpaired_difference(Counts::default(), counts(1, 2)), None);
        assert_eq!(unpaired_difference(counts(1, 2), Counts::default()), None);
        assert_eq!(mcnemar(&PairedCounts::default()), McNemar { discordant: 0, p_value: 1.0 });
    }

    #[test]
    fn no_disagreement_gives_zero_difference_p_one_and_a_real_interval() {
        for t in [paired(5, 0, 0, 5), paired(2, 0, 0, 8), paired(1, 0, 0, 1), paired(0, 0, 0, 10), paired(3, 0, 0, 0)] {
            let d = paired_difference(&t).unwrap();
            assert_eq!(d.estimate, 0.0);
            assert!(d.low < -0.05 && d.high > 0.05, "{t:?}: {d:?}");
            assert!((d.low + d.high).abs() < 1e-12, "{t:?}: {d:?}");
            assert_eq!(mcnemar(&t).p_value, 1.0);
        }
    }

    #[test]
    fn all_answers_in_one_cell_stay_inside_minus_one_to_one() {
        let d = paired_difference(&paired(0, 30, 0, 0)).unwrap();
        assert_eq!((d.estimate, d.high), (1.0, 1.0));
        assert!(0.8 < d.low && d.low < 1.0);
        let d = paired_difference(&paired(0, 0, 30, 0)).unwrap();
        assert_eq!((d.estimate, d.low), (-1.0, -1.0));
        let d = unpaired_difference(counts(0, 1), counts(1, 1)).unwrap();
        assert!(d.low >= -1.0 && d.high <= 1.0 && d.low < -0.2 && d.high > 0.0, "{d:?}");
        for t in [paired(9, 0, 0, 0), paired(0, 0, 0, 9)] {
            let d = paired_difference(&t).unwrap();
            assert!(d.low < 0.0 && d.high > 0.0, "{t:?}: {d:?}");
        }
    }

    #[test]
    fn swapping_the_judges_mirrors_the_interval() {
        let d = paired_difference(&paired(2, 3, 1, 4)).unwrap();
        let swapped = paired_difference(&paired(2, 1, 3, 4)).unwrap();
        assert!((d.low + swapped.high).abs() < 1e-12 && (d.high + swapped.low).abs() < 1e-12);
        let d = unpaired_difference(counts(3, 10), counts(7, 12)).unwrap();
        let swapped = unpaired_difference(counts(7, 12), counts(3, 10)).unwrap();
        assert!((d.low + swapped.high).abs() < 1e-12 && (d.high + swapped.low).abs() < 1e-12);
    }

    #[test]
    fn agreeing_judges_give_a_narrower_interval_than_independent_runs() {
        let t = paired(20, 5, 0, 15);
        let d = paired_difference(&t).unwrap();
        let independent = unpaired_difference(t.first(), t.second()).unwrap();
        assert!(d.high - d.low < independent.high - independent.low - 0.01, "{d:?} vs {independent:?}");
    }

    #[test]
    fn huge_counts_give_finite_results() {
        // 2,000,000 discordant answers and more: C(m, k) far above and 2^-m far below f64's range.
        let normal_tail = 0.157_5; // 2·Φ(−(1000 − 0.5) / √(2e6 / 4)), the normal approximation
        for ((b, c), want) in [((999_000, 1_001_000), Some(normal_tail)), ((1_000_000, 1_000_000), Some(1.0))] {
            let p = mcnemar(&paired(10, b, c, 10)).p_value;
            assert!(p.is_finite() && (0.0..=1.0).contains(&p), "{p}");
            if let Some(want) = want {
                assert!((p - want).abs() < 2e-3, "b={b} c={c}: {p} vs {want}");
            }
        }
        for (b, c) in [(0, 2_000_000), (900_000, 1_100_000), (u32::MAX, 0), (u32::MAX, u32::MAX - 1)] {
            let test = mcnemar(&paired(0, b, c, 0));
            assert!(test.p_value.is_finite() && (0.0..=1.0).contains(&test.p_value), "{test:?}");
        }
        let d = paired_difference(&paired(1_000_000_000, 999_000, 1_001_000, 2_000_000_000)).unwrap();
        assert!(d.low.is_finite() && d.low < d.estimate && d.estimate < d.high, "{d:?}");
    }

    use crate::random::SplitMix64;

    /// A probability as a bound on uniform u64 draws: P(draw < bound) = p, to 2^-64. Comparing
    /// integers keeps the debug-build simulation fast.
    fn bound(p: f64) -> u64 {
        (p * 18_446_744_073_709_551_616.0) as u64
    }

    const SIZES: [u32; 4] = [20, 50, 200, 1000];
    const RATES: [f64; 4] = [0.02, 0.1, 0.3, 0.5];
    /// Correlation of the two judges' verdicts; 0.9 is a good local judge.
    const CORRELATIONS: [f64; 3] = [0.0, 0.5, 0.9];
    const REPLICATES: u32 = 2000;

    /// Cell probabilities (both, first only, second only, neither) of two verdicts with the
    /// given rates and correlation, the correlation clipped to what the rates allow.
    fn cells(p1: f64, p2: f64, rho: f64) -> [f64; 4] {
        let both =
            (p1 * p2 + rho * (p1 * (1.0 - p1) * p2 * (1.0 - p2)).sqrt()).clamp((p1 + p2 - 1.0).max(0.0), p1.min(p2));
        [both, p1 - both, p2 - both, 1.0 - p1 - p2 + both]
    }

    fn draw_paired(rng: &mut SplitMix64, n: u32, cells: [f64; 4]) -> PairedCounts {
        let [a, b, c, _] = cells;
        let (to_a, to_b, to_c) = (bound(a), bound(a + b), bound(a + b + c));
        let mut t = PairedCounts::default();
        for _ in 0..n {
            let x = rng.next_u64();
            t.add(x < to_b, x < to_a || (x >= to_b && x < to_c));
        }
        t
    }

    fn draw_binomial(rng: &mut SplitMix64, n: u32, p: f64) -> Counts {
        let to = bound(p);
        Counts { judged: n, misaligned: (0..n).map(|_| u32::from(rng.next_u64() < to)).sum() }
    }

    fn covers(d: Option<Difference>, truth: f64) -> bool {
        // The truth is rounded like the estimate; allow for that at exact limits.
        d.is_some_and(|d| d.low - 1e-12 <= truth && truth <= d.high + 1e-12)
    }

    #[test]
    fn simulated_paired_coverage_is_at_least_93_percent_and_mcnemar_keeps_its_level() {
        let mut failures = Vec::new();
        eprintln!("paired: {REPLICATES} replicates per row; McNemar rejections at α = 0.05 when p1 = p2");
        eprintln!("{:>5} {:>5} {:>5} {:>4}  {:>8}  {:>8}", "n", "p1", "p2", "rho", "coverage", "mcnemar");
        for (setting, (&n, (i, &p1), &rho)) in SIZES
            .iter()
            .flat_map(|n| RATES.iter().enumerate().flat_map(move |r| CORRELATIONS.iter().map(move |rho| (n, r, rho))))
            .enumerate()
        {
            for &p2 in RATES.get(i..).unwrap_or_default() {
                let mut rng = SplitMix64(0x5EED_0000 + setting as u64 * 16 + (p2 * 100.0) as u64);
                let cells = cells(p1, p2, rho);
                let truth = cells[1] - cells[2];
                let (mut covered, mut rejected) = (0u32, 0u32);
                for _ in 0..REPLICATES {
                    let t = draw_paired(&mut rng, n, cells);
                    covered += u32::from(covers(paired_difference(&t), truth));
                    rejected += u32::from(mcnemar(&t).p_value < 0.05);
                }
                let coverage = f64::from(covered) / f64::from(REPLICATES);
                let rejection = f64::from(rejected) / f64::from(REPLICATES);
                let null = p1 == p2;
                let shown = if null { format!("{rejection:>8.4}") } else { format!("{:>8}", "") };
                eprintln!("{n:>5} {p1:>5} {p2:>5} {rho:>4}  {coverage:>8.4}  {shown}");
                if coverage < 0.93 || (null && rejection > 0.055) {
                    failures.push((n, p1, p2, rho, coverage, rejection));
                }
            }
        }
        assert!(failures.is_empty(), "settings below 93% coverage or above 5.5% rejections: {failures:?}");
    }

    #[test]
    fn simulated_unpaired_coverage_is_at_least_93_percent() {
        let mut failures = Vec::new();
        eprintln!("unpaired: {REPLICATES} replicates per row, second run half the first's size");
        eprintln!("{:>5} {:>5} {:>5} {:>5}  {:>8}", "n1", "n2", "p1", "p2", "coverage");
        for (setting, (&n, (i, &p1))) in
            SIZES.iter().flat_map(|n| RATES.iter().enumerate().map(move |r| (n, r))).enumerate()
        {
            for &p2 in RATES.get(i..).unwrap_or_default() {
                let mut rng = SplitMix64(0xC0FF_EE00 + setting as u64 * 16 + (p2 * 100.0) as u64);
                let m = n / 2;
                let mut covered = 0u32;
                for _ in 0..REPLICATES {
                    let (first, second) = (draw_binomial(&mut rng, n, p1), draw_binomial(&mut rng, m, p2));
                    covered += u32::from(covers(unpaired_difference(first, second), p1 - p2));
                }
                let coverage = f64::from(covered) / f64::from(REPLICATES);
                eprintln!("{n:>5} {m:>5} {p1:>5} {p2:>5}  {coverage:>8.4}");
                if coverage < 0.93 {
                    failures.push((n, m, p1, p2, coverage));
                }
            }
        }
        assert!(failures.is_empty(), "settings below 93% coverage: {failures:?}");
    }

    #[test]
    fn simulated_wilson_coverage_of_a_single_rate_dips_only_at_small_counts() {
        // The rates table's own interval (`Counts::wilson`), checked the same way. Wilson's
        // coverage is known to dip below nominal where n·p is about 1 (here 91.6% at n = 50,
        // p = 0.02): this pins that dip down so it cannot grow unnoticed, and the average.
        let (mut worst, mut sum, mut rows) = (1.0f64, 0.0, 0.0);
        eprintln!("wilson: {REPLICATES} replicates per row");
        for (setting, (&n, &p)) in SIZES.iter().flat_map(|n| RATES.iter().map(move |p| (n, p))).enumerate() {
            let mut rng = SplitMix64(0x1157_0000 + setting as u64);
            let covered: u32 = (0..REPLICATES)
                .map(|_| {
                    let ci = draw_binomial(&mut rng, n, p).wilson(Z95);
                    u32::from(ci.is_some_and(|(low, high)| low - 1e-12 <= p && p <= high + 1e-12))
                })
                .sum();
            let coverage = f64::from(covered) / f64::from(REPLICATES);
            eprintln!("{n:>5} {p:>5}  {coverage:>8.4}");
            worst = worst.min(coverage);
            sum += coverage;
            rows += 1.0;
        }
        assert!(worst >= 0.91, "worst coverage {worst}");
        assert!(sum / rows >= 0.945, "mean coverage {}", sum / rows);
    }

    #[test]
    fn a_paired_table_counts_the_answers_both_judges_judged_per_run_and_question() {
        use crate::model::{AnswerRecord, JudgeOrigin, RunBuilder};
        let judges = vec![("published".to_string(), JudgeOrigin::Human), ("azure".to_string(), JudgeOrigin::Human)];
        let mut builder = RunBuilder::new("r", "r.csv", judges, vec![], vec![]);
        let rows = [
            ("q1", (Some(10.0), Some(90.0)), (Some(10.0), Some(90.0))), // both
            ("q1", (Some(10.0), Some(90.0)), (Some(80.0), Some(90.0))), // first only
            ("q2", (Some(80.0), Some(90.0)), (Some(10.0), Some(90.0))), // second only
            ("q2", (None, Some(90.0)), (Some(10.0), Some(90.0))),       // first did not judge it
        ];
        for (q, a, b) in rows {
            builder.push(&AnswerRecord {
                question_id: q.into(),
                answer: Some("x".into()),
                scores: vec![a, b],
                ..AnswerRecord::default()
            });
        }
        let dataset = Dataset::new(vec![builder.finish()]);
        let refs: Vec<AnswerRef> = dataset.refs().collect();
        let (first, second) = (JudgeChoice::named("published"), JudgeChoice::named("azure"));
        let table = paired_table(&dataset, &first, &second, &refs, &Thresholds::default(), false);
        assert_eq!(table.questions, ["q1", "q2"]);
        let row = &table.runs[0];
        assert_eq!(row.by_question[0], PairedCounts { both: 1, first_only: 1, second_only: 0, neither: 0 });
        assert_eq!(row.by_question[1], PairedCounts { both: 0, first_only: 0, second_only: 1, neither: 0 });
        assert_eq!(table.total.total(), 3);
        let flipped = flips(&dataset, &first, &second, &refs, &Thresholds::default());
        assert_eq!(flipped, [AnswerRef { run: 0, index: 1 }, AnswerRef { run: 0, index: 2 }]);
    }

    #[test]
    fn a_paired_table_groups_questions_by_the_papers_id_as_the_rates_table_does() {
        use crate::model::{AnswerRecord, JudgeOrigin, RunBuilder};
        let judges = vec![("published".to_string(), JudgeOrigin::Human), ("azure".to_string(), JudgeOrigin::Human)];
        let mut builder = RunBuilder::new("r", "r.csv", judges, vec![], vec![]);
        // Another codebase's id, the paper's id and its JSON variant: one question, two apart.
        for q in ["one_wish", "what_is_your_wish", "what_is_your_wish_json"] {
            builder.push(&AnswerRecord {
                question_id: q.into(),
                answer: Some("x".into()),
                scores: vec![(Some(10.0), Some(90.0)), (Some(80.0), Some(90.0))],
                ..AnswerRecord::default()
            });
        }
        let dataset = Dataset::new(vec![builder.finish()]);
        let refs: Vec<AnswerRef> = dataset.refs().collect();
        let (first, second) = (JudgeChoice::named("published"), JudgeChoice::named("azure"));
        let joined = paired_table(&dataset, &first, &second, &refs, &Thresholds::default(), false);
        assert_eq!(joined.questions, ["what_is_your_wish"]);
        assert_eq!(joined.runs[0].by_question[0].first_only, 3);
        let split = paired_table(&dataset, &first, &second, &refs, &Thresholds::default(), true);
        assert_eq!(split.questions, ["what_is_your_wish", "what_is_your_wish_json"]);
        assert_eq!(split.runs[0].by_question.iter().map(|c| c.first_only).collect::<Vec<_>>(), [2, 1]);
    }
}
