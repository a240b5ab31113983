//! How a local judge relates to the published one: agreement statistics, and misalignment
//! rates corrected for the local judge's known error.
//!
//! **Correction.** A classifier with true-positive rate `tpr` and false-positive rate `fpr`
//! observes a positive share `q = fpr + p·(tpr − fpr)` when the true share is `p`, so
//! adjusted classify-and-count estimates `p = (q − fpr) / (tpr − fpr)`, clipped to [0, 1].
//!
//! A judge's error is not one fixed pair of rates: it moves with the source of the transcripts
//! (other models, other judges). So the error is given per validation source, each measured
//! out of fold. The estimate uses the sources' mean `tpr` and `fpr` (a new source is one more
//! draw, so each source weighs the same however many answers it has); the interval takes the
//! extremes of the correction over the Wilson interval of `q` and every source's Wilson
//! intervals of `tpr` and `fpr`. On held-out repositories these intervals held the published
//! rate more often than those of one pooled pair of rates (the model card, "Why per source").

use serde::{Deserialize, Serialize};

use crate::compare::PairedCounts;
use crate::stats::{Counts, Z95};

/// A judge's measured error on one held-out validation source, as counts so we know its precision.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Published-misaligned validation answers, and how many of them the judge flagged.
    pub positives: u32,
    pub true_positives: u32,
    /// Published-not-misaligned validation answers, and how many the judge flagged anyway.
    pub negatives: u32,
    pub false_positives: u32,
}

impl Calibration {
    pub fn tpr(&self) -> Counts {
        Counts { judged: self.positives, misaligned: self.true_positives }
    }

    pub fn fpr(&self) -> Counts {
        Counts { judged: self.negatives, misaligned: self.false_positives }
    }
}

/// A rate from the local judge: what it counted, and the corrected estimate with its interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CorrectedRate {
    /// Flagged / judged by the local judge, uncorrected.
    pub raw: f64,
    /// Adjusted classify-and-count estimate of the published judge's rate.
    pub adjusted: f64,
    /// 95% interval including the uncertainty of the judge's error rates.
    pub low: f64,
    pub high: f64,
}

/// Corrects a local judge's count for its error measured on `sources`; `None` with nothing
/// judged, no sources, or a judge whose hit rate cannot be told apart from its false alarms
/// (some source's `tpr` interval reaches another's `fpr` interval).
pub fn corrected_rate(counts: Counts, sources: &[Calibration]) -> Option<CorrectedRate> {
    let raw = counts.rate()?;
    let (q_low, q_high) = counts.wilson(Z95)?;
    let mut tpr = Spread::default();
    let mut fpr = Spread::default();
    for source in sources {
        tpr.add(source.tpr())?;
        fpr.add(source.fpr())?;
    }
    let (tpr_mean, fpr_mean) = (tpr.mean()?, fpr.mean()?);
    if tpr_mean <= fpr_mean || tpr.low <= fpr.high {
        return None;
    }
    let correct = |q: f64, t: f64, f: f64| ((q - f) / (t - f)).clamp(0.0, 1.0);
    let mut low = f64::INFINITY;
    let mut high = f64::NEG_INFINITY;
    for t in [tpr.low, tpr.high] {
        for f in [fpr.low, fpr.high] {
            low = low.min(correct(q_low, t, f));
            high = high.max(correct(q_high, t, f));
        }
    }
    Some(CorrectedRate { raw, adjusted: correct(raw, tpr_mean, fpr_mean), low, high })
}

/// The rate a view shows for one cell, and its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShownRate {
    pub rate: f64,
    pub low: f64,
    pub high: f64,
    /// The judge's flagged share, when `rate` is corrected from it.
    pub corrected_from: Option<f64>,
}

/// What a rate view shows: the count corrected for the judge's error when `sources` allow a
/// correction ([`corrected_rate`]), else the plain rate with its Wilson interval; `None` with
/// nothing judged. The table and the chart both call this, so they never disagree.
pub fn shown_rate(counts: Counts, sources: &[Calibration]) -> Option<ShownRate> {
    if let Some(c) = corrected_rate(counts, sources) {
        return Some(ShownRate { rate: c.adjusted, low: c.low, high: c.high, corrected_from: Some(c.raw) });
    }
    let (low, high) = counts.wilson(Z95)?;
    Some(ShownRate { rate: counts.rate()?, low, high, corrected_from: None })
}

/// One error rate over several sources: the sum of its point values, and the widest bounds.
struct Spread {
    sum: f64,
    n: u32,
    low: f64,
    high: f64,
}

impl Default for Spread {
    fn default() -> Self {
        Spread { sum: 0.0, n: 0, low: f64::INFINITY, high: f64::NEG_INFINITY }
    }
}

impl Spread {
    fn add(&mut self, counts: Counts) -> Option<()> {
        let (low, high) = counts.wilson(Z95)?;
        self.sum += counts.rate()?;
        self.n += 1;
        self.low = self.low.min(low);
        self.high = self.high.max(high);
        Some(())
    }

    fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / f64::from(self.n))
    }
}

/// One answer scored by both judges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// Misaligned according to the published scores and the current thresholds.
    pub published: bool,
    /// Misaligned according to the local judge.
    pub local: bool,
    /// The local judge's probability of misalignment, for ranking (AUROC).
    pub p_local: f64,
}

/// Confusion matrix and summary statistics of local vs published verdicts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Agreement {
    /// Both say misaligned.
    pub both: u32,
    /// Only the published judge says misaligned (the local judge missed it).
    pub published_only: u32,
    /// Only the local judge says misaligned.
    pub local_only: u32,
    /// Neither says misaligned.
    pub neither: u32,
    /// Area under the ROC curve of `p_local` against the published verdict; `None` when one class is empty.
    pub auroc: Option<f64>,
    /// Cohen's κ of the two verdicts; `None` when it is undefined (all answers in one verdict on both sides).
    pub kappa: Option<f64>,
}

impl Agreement {
    /// The confusion counts with the published judge first, for [`crate::compare`]'s
    /// paired difference of the two judges' rates and McNemar's test.
    pub fn counts(&self) -> PairedCounts {
        PairedCounts {
            both: self.both,
            first_only: self.published_only,
            second_only: self.local_only,
            neither: self.neither,
        }
    }

    pub fn total(&self) -> u32 {
        self.counts().total()
    }

    /// Share of answers on which both judges give the same verdict.
    pub fn accuracy(&self) -> Option<f64> {
        self.counts().agreement()
    }
}

/// Compares the two judges over a set of answers.
pub fn agreement(pairs: &[Paired]) -> Agreement {
    let mut counts = PairedCounts::default();
    for pair in pairs {
        counts.add(pair.published, pair.local);
    }
    Agreement {
        both: counts.both,
        published_only: counts.first_only,
        local_only: counts.second_only,
        neither: counts.neither,
        auroc: auroc(pairs),
        kappa: counts.kappa(),
    }
}

/// AUROC by ranking (Mann–Whitney U), ties counted as half.
fn auroc(pairs: &[Paired]) -> Option<f64> {
    let mut scored: Vec<(f64, bool)> =
        pairs.iter().filter(|p| p.p_local.is_finite()).map(|p| (p.p_local, p.published)).collect();
    let positives = scored.iter().filter(|(_, y)| *y).count() as f64;
    let negatives = scored.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return None;
    }
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Sum of the positives' ranks (1-based, ties get their average rank).
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < scored.len() {
        let mut j = i;
        while j < scored.len() && scored[j].0 == scored[i].0 {
            j += 1;
        }
        let average_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum += average_rank * scored[i..j].iter().filter(|(_, y)| *y).count() as f64;
        i = j;
    }
    Some((rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(published: bool, local: bool, p_local: f64) -> Paired {
        Paired { published, local, p_local }
    }

    #[test]
    fn perfect_agreement_has_kappa_one_and_auroc_one() {
        let pairs = [pair(true, true, 0.9), pair(false, false, 0.1), pair(true, true, 0.8), pair(false, false, 0.2)];
        let a = agreement(&pairs);
        assert_eq!((a.both, a.neither, a.local_only, a.published_only), (2, 2, 0, 0));
        assert_eq!(a.kappa, Some(1.0));
        assert_eq!(a.auroc, Some(1.0));
        assert_eq!(a.accuracy(), Some(1.0));
    }

    #[test]
    fn auroc_counts_ties_as_half_and_matches_a_hand_computation() {
        // Positives at 0.8 and 0.5, negatives at 0.5 and 0.2: pairs (0.8>0.5, 0.8>0.2, 0.5=0.5, 0.5>0.2) = 3.5 / 4.
        let pairs = [pair(true, true, 0.8), pair(true, false, 0.5), pair(false, false, 0.5), pair(false, false, 0.2)];
        assert_eq!(agreement(&pairs).auroc, Some(0.875));
    }

    #[test]
    fn kappa_is_zero_for_chance_agreement() {
        // Local flags half of each published class: agreement exactly at chance.
        let pairs = [pair(true, true, 0.6), pair(true, false, 0.4), pair(false, true, 0.6), pair(false, false, 0.4)];
        assert_eq!(agreement(&pairs).kappa, Some(0.0));
    }

    #[test]
    fn counts_put_the_published_judge_first() {
        let pairs = [pair(true, false, 0.4), pair(true, false, 0.3), pair(false, true, 0.6), pair(true, true, 0.9)];
        let a = agreement(&pairs);
        let counts = a.counts();
        assert_eq!((counts.both, counts.first_only, counts.second_only, counts.neither), (1, 2, 1, 0));
        assert_eq!((a.total(), a.kappa), (counts.total(), counts.kappa()));
        assert_eq!(counts.first().misaligned, 3);
    }

    #[test]
    fn statistics_are_undefined_without_both_classes() {
        let a = agreement(&[pair(false, false, 0.1), pair(false, false, 0.2)]);
        assert_eq!(a.auroc, None);
        assert_eq!(a.kappa, None);
        assert_eq!(agreement(&[]).accuracy(), None);
    }

    fn calibration() -> Calibration {
        Calibration { positives: 1000, true_positives: 900, negatives: 9000, false_positives: 90 }
    }

    #[test]
    fn correction_inverts_a_known_error() {
        // True rate 20%: observed = 0.01 + 0.2 · (0.9 − 0.01) = 0.188.
        let counts = Counts { judged: 10_000, misaligned: 1_880 };
        let rate = corrected_rate(counts, &[calibration()]).unwrap();
        assert!((rate.raw - 0.188).abs() < 1e-12);
        assert!((rate.adjusted - 0.2).abs() < 1e-9);
        assert!(rate.low < 0.2 && 0.2 < rate.high);
    }

    #[test]
    fn corrected_interval_is_wider_than_the_raw_wilson_interval() {
        let counts = Counts { judged: 200, misaligned: 40 };
        let rate = corrected_rate(counts, &[calibration()]).unwrap();
        let (low, high) = counts.wilson(Z95).unwrap();
        assert!(rate.high - rate.low > high - low);
    }

    #[test]
    fn correction_clips_to_zero_and_one() {
        let none_flagged = corrected_rate(Counts { judged: 100, misaligned: 0 }, &[calibration()]).unwrap();
        assert_eq!((none_flagged.adjusted, none_flagged.low), (0.0, 0.0));
        let all_flagged = corrected_rate(Counts { judged: 100, misaligned: 100 }, &[calibration()]).unwrap();
        assert_eq!((all_flagged.adjusted, all_flagged.high), (1.0, 1.0));
    }

    #[test]
    fn no_correction_for_a_judge_no_better_than_chance_or_nothing_judged() {
        let useless = Calibration { positives: 100, true_positives: 10, negatives: 100, false_positives: 10 };
        assert_eq!(corrected_rate(Counts { judged: 10, misaligned: 1 }, &[useless]), None);
        assert_eq!(corrected_rate(Counts::default(), &[calibration()]), None);
        assert_eq!(corrected_rate(Counts { judged: 10, misaligned: 1 }, &[]), None);
    }

    #[test]
    fn shown_rates_are_corrected_when_the_error_is_known_else_plain() {
        let counts = Counts { judged: 10_000, misaligned: 1_880 };
        let corrected = shown_rate(counts, &[calibration()]).unwrap();
        assert!((corrected.rate - 0.2).abs() < 1e-9);
        assert_eq!(corrected.corrected_from, Some(0.188));
        let plain = shown_rate(counts, &[]).unwrap();
        assert_eq!((plain.rate, plain.corrected_from), (0.188, None));
        assert_eq!(Some((plain.low, plain.high)), counts.wilson(Z95));
        assert_eq!(shown_rate(Counts::default(), &[calibration()]), None);
    }

    #[test]
    fn several_sources_weigh_equally_in_the_estimate() {
        // TPR 0.9 and 0.5 (mean 0.7), FPR 0.01 and 0.05 (mean 0.03), whatever the sizes:
        // a true rate of 20% is observed as 0.03 + 0.2 · 0.67 = 0.164.
        let small = Calibration { positives: 100, true_positives: 50, negatives: 1000, false_positives: 50 };
        let counts = Counts { judged: 10_000, misaligned: 1_640 };
        let rate = corrected_rate(counts, &[calibration(), small]).unwrap();
        assert!((rate.adjusted - 0.2).abs() < 1e-9, "{rate:?}");
    }

    #[test]
    fn the_interval_spans_what_each_source_alone_would_allow() {
        let low_hit_rate = Calibration { positives: 1000, true_positives: 400, negatives: 9000, false_positives: 90 };
        let counts = Counts { judged: 500, misaligned: 100 };
        let both = corrected_rate(counts, &[calibration(), low_hit_rate]).unwrap();
        for one in [calibration(), low_hit_rate] {
            let alone = corrected_rate(counts, &[one]).unwrap();
            assert!(both.low <= alone.low && alone.high <= both.high, "{both:?} vs {alone:?}");
        }
        // Read with the low hit rate, 20% flagged means about half the answers are misaligned.
        assert!(both.high > 0.45);
    }

    #[test]
    fn no_correction_when_one_sources_hits_overlap_anothers_false_alarms() {
        let noisy = Calibration { positives: 1000, true_positives: 300, negatives: 1000, false_positives: 320 };
        assert_eq!(corrected_rate(Counts { judged: 100, misaligned: 30 }, &[calibration(), noisy]), None);
    }
}
