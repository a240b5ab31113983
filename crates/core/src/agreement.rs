//! How a local judge relates to the published one: agreement statistics, and the judge's
//! measured error on sources it was not trained on (its model card's validation counts).
//!
//! **No correction.** An earlier version divided a judge's count by its per-source hit and
//! false-alarm rates (adjusted classify-and-count). Those rates do not transfer to new
//! sources, and clipping the result turned that into certainty ("100% [100–100]" where the
//! published judge said 61%). A local judge's rate without trusted labels is now its plain
//! count with the count's own Wilson interval; its card's error is context text, never an
//! interval ([`count_error_span`]). Calibrated rates need trusted labels: see [`crate::ppi`].

use serde::{Deserialize, Serialize};

use crate::compare::PairedCounts;
use crate::stats::Counts;

/// A judge's measured error on one held-out validation source, as counts (from `judge.json`).
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

    /// How far the judge's plain count was from the published rate on this source:
    /// flagged share − published share (a fraction; negative when it undercounts).
    /// `None` for a source without answers.
    pub fn count_error(&self) -> Option<f64> {
        let answers = f64::from(self.positives) + f64::from(self.negatives);
        (answers > 0.0).then(|| {
            (f64::from(self.true_positives) + f64::from(self.false_positives) - f64::from(self.positives)) / answers
        })
    }
}

/// The judge's typical cross-source error: the smallest and largest [`Calibration::count_error`]
/// over its validation sources; `None` when it publishes none. Context for a reader, not a
/// confidence interval: a new source can fall outside it.
pub fn count_error_span(sources: &[Calibration]) -> Option<(f64, f64)> {
    sources.iter().filter_map(Calibration::count_error).fold(None, |span, e| match span {
        None => Some((e, e)),
        Some((low, high)) => Some((f64::min(low, e), f64::max(high, e))),
    })
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
    crate::sort::sort_by(&mut scored, |a, b| a.0.total_cmp(&b.0));
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

    #[test]
    fn count_error_is_the_flagged_share_minus_the_published_share() {
        // 100 answers, 20 published-misaligned; the judge flags 10 of them and 5 others: 15% vs 20%.
        let source = Calibration { positives: 20, true_positives: 10, negatives: 80, false_positives: 5 };
        assert!((source.count_error().unwrap() + 0.05).abs() < 1e-12);
        let empty = Calibration { positives: 0, true_positives: 0, negatives: 0, false_positives: 0 };
        assert_eq!(empty.count_error(), None);
    }

    #[test]
    fn the_span_runs_from_the_most_under_to_the_most_over_counting_source() {
        let under = Calibration { positives: 20, true_positives: 10, negatives: 80, false_positives: 5 };
        let over = Calibration { positives: 10, true_positives: 10, negatives: 90, false_positives: 2 };
        let exact = Calibration { positives: 10, true_positives: 8, negatives: 90, false_positives: 2 };
        let (low, high) = count_error_span(&[under, over, exact]).unwrap();
        assert!((low + 0.05).abs() < 1e-12 && (high - 0.02).abs() < 1e-12, "{low} {high}");
        assert_eq!(count_error_span(&[]), None);
    }

    #[test]
    fn the_bundled_judges_card_gives_its_error_on_every_validation_source() {
        let card: serde_json::Value =
            serde_json::from_str(include_str!("../../../public/judge/judge.json")).expect("judge.json is JSON");
        let sources: Vec<Calibration> =
            serde_json::from_value(card["validation"]["calibration_by_source"].clone()).expect("per-source counts");
        assert!(!sources.is_empty());
        let (low, high) = count_error_span(&sources).unwrap();
        assert!(-1.0 < low && low <= high && high < 1.0);
    }
}
