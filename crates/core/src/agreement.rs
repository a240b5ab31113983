//! How a local judge relates to the published one: agreement statistics, and misalignment
//! rates corrected for the local judge's known error.
//!
//! **Correction.** A classifier with true-positive rate `tpr` and false-positive rate `fpr`
//! observes a positive share `q = fpr + p·(tpr − fpr)` when the true share is `p`, so
//! adjusted classify-and-count estimates `p = (q − fpr) / (tpr − fpr)`, clipped to [0, 1].
//! Its interval combines the Wilson interval of `q` with the uncertainty of `tpr` and `fpr`
//! (their own Wilson intervals from the validation counts): we take the extremes of the
//! correction over all those bounds, which is conservative.

use serde::{Deserialize, Serialize};

use crate::stats::{Counts, Z95};

/// A judge's measured error on held-out validation data, as counts so we know its precision.
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

/// Corrects a local judge's count for its known error; `None` with nothing judged or a
/// judge no better than chance (`tpr ≤ fpr`), where no correction is possible.
pub fn corrected_rate(counts: Counts, calibration: &Calibration) -> Option<CorrectedRate> {
    let raw = counts.rate()?;
    let (q_low, q_high) = counts.wilson(Z95)?;
    let tpr = calibration.tpr().rate()?;
    let fpr = calibration.fpr().rate()?;
    let (tpr_low, tpr_high) = calibration.tpr().wilson(Z95)?;
    let (fpr_low, fpr_high) = calibration.fpr().wilson(Z95)?;
    let correct = |q: f64, t: f64, f: f64| ((q - f) / (t - f)).clamp(0.0, 1.0);
    if tpr <= fpr || tpr_low <= fpr_high {
        return None;
    }
    let mut low = f64::INFINITY;
    let mut high = f64::NEG_INFINITY;
    for t in [tpr_low, tpr_high] {
        for f in [fpr_low, fpr_high] {
            low = low.min(correct(q_low, t, f));
            high = high.max(correct(q_high, t, f));
        }
    }
    Some(CorrectedRate { raw, adjusted: correct(raw, tpr, fpr), low, high })
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
    pub fn total(&self) -> u32 {
        self.both + self.published_only + self.local_only + self.neither
    }

    /// Share of answers on which both judges give the same verdict.
    pub fn accuracy(&self) -> Option<f64> {
        let total = self.total();
        (total > 0).then(|| f64::from(self.both + self.neither) / f64::from(total))
    }
}

/// Compares the two judges over a set of answers.
pub fn agreement(pairs: &[Paired]) -> Agreement {
    let mut result = Agreement::default();
    for pair in pairs {
        match (pair.published, pair.local) {
            (true, true) => result.both += 1,
            (true, false) => result.published_only += 1,
            (false, true) => result.local_only += 1,
            (false, false) => result.neither += 1,
        }
    }
    result.kappa = cohen_kappa(&result);
    result.auroc = auroc(pairs);
    result
}

fn cohen_kappa(a: &Agreement) -> Option<f64> {
    let n = f64::from(a.total());
    if n == 0.0 {
        return None;
    }
    let observed = f64::from(a.both + a.neither) / n;
    let published_yes = f64::from(a.both + a.published_only) / n;
    let local_yes = f64::from(a.both + a.local_only) / n;
    let expected = published_yes * local_yes + (1.0 - published_yes) * (1.0 - local_yes);
    (expected < 1.0).then(|| (observed - expected) / (1.0 - expected))
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
        let rate = corrected_rate(counts, &calibration()).unwrap();
        assert!((rate.raw - 0.188).abs() < 1e-12);
        assert!((rate.adjusted - 0.2).abs() < 1e-9);
        assert!(rate.low < 0.2 && 0.2 < rate.high);
    }

    #[test]
    fn corrected_interval_is_wider_than_the_raw_wilson_interval() {
        let counts = Counts { judged: 200, misaligned: 40 };
        let rate = corrected_rate(counts, &calibration()).unwrap();
        let (low, high) = counts.wilson(Z95).unwrap();
        assert!(rate.high - rate.low > high - low);
    }

    #[test]
    fn correction_clips_to_zero_and_one() {
        let none_flagged = corrected_rate(Counts { judged: 100, misaligned: 0 }, &calibration()).unwrap();
        assert_eq!((none_flagged.adjusted, none_flagged.low), (0.0, 0.0));
        let all_flagged = corrected_rate(Counts { judged: 100, misaligned: 100 }, &calibration()).unwrap();
        assert_eq!((all_flagged.adjusted, all_flagged.high), (1.0, 1.0));
    }

    #[test]
    fn no_correction_for_a_judge_no_better_than_chance_or_nothing_judged() {
        let useless = Calibration { positives: 100, true_positives: 10, negatives: 100, false_positives: 10 };
        assert_eq!(corrected_rate(Counts { judged: 10, misaligned: 1 }, &useless), None);
        assert_eq!(corrected_rate(Counts::default(), &calibration()), None);
    }
}
