//! Tail risk: Misalign@k, the probability that at least one of `k` answers sampled for a
//! question is misaligned, estimated from the `n` judged answers a file has for it.
//!
//! **Estimate.** With `c` of `n` judged answers misaligned, the unbiased estimator (the pass@k
//! estimator of Chen et al. 2021, applied to misaligned answers) is
//! `1 − C(n−c, k) / C(n, k)`: the share of all `k`-subsets of the `n` answers that contain a
//! misaligned one. It is computed as the product `∏_{i<k} (n−c−i)/(n−i)`, each factor in
//! `[0, 1]`, so it neither overflows nor loses precision for large `n`. With `k > n` there is no
//! such subset and the quantity is **not estimable** from the file: [`at_k`] says so (`None`)
//! rather than extrapolating.
//!
//! **Interval.** Under the model the estimator assumes (answers i.i.d., misaligned with
//! probability `p`), Misalign@k is `1 − (1 − p)^k`, increasing in `p`. So a 95% interval for `p`
//! mapped through that function is a 95% interval for Misalign@k with exactly the same coverage.
//! We use the Clopper–Pearson (exact binomial) interval for `p`, not Wilson: tail risk matters
//! most where `p` is small, and that is where Wilson's coverage dips below 95% (see
//! `compare.rs`'s simulation) while Clopper–Pearson's never does. Coverage is checked exactly
//! (by summing over every outcome) and by simulation in the tests.
//!
//! For `k` close to `n` the estimator rests on few subsets and can fall outside the interval
//! (at `k = n` it is 1 as soon as one answer is misaligned); [`AtK::coarse`] flags `k > n / 2`.

use serde::Serialize;

use crate::stats::{Counts, RateTable};

/// What the UI and the CLI print as the method.
pub const METHOD: &str =
    "unbiased estimator 1 − C(n−c,k)/C(n,k); 95% interval: Clopper–Pearson for p, mapped through 1 − (1 − p)^k";

/// Short name of the interval, for table headers.
pub const INTERVAL_NAME: &str = "Clopper–Pearson, mapped";

/// The k the issue asks for; the user adds one more.
pub const DEFAULT_KS: [u32; 3] = [1, 8, 32];

/// Misalign@k for one cell.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AtK {
    pub k: u32,
    /// `None`: not estimable (`k > n`, or nothing judged).
    pub estimate: Option<f64>,
    pub ci95: Option<(f64, f64)>,
}

impl AtK {
    /// `k` is more than half of `n`: few distinct subsets, read the estimate with care.
    pub fn coarse(&self, n: u32) -> bool {
        self.estimate.is_some() && u64::from(self.k) * 2 > u64::from(n)
    }
}

/// The unbiased estimate of Misalign@k; `None` when `k` is 0, nothing is judged or `k > n`.
pub fn misalign_at_k(counts: Counts, k: u32) -> Option<f64> {
    let (n, c) = (u64::from(counts.judged), u64::from(counts.misaligned.min(counts.judged)));
    let k = u64::from(k);
    if k == 0 || n == 0 || k > n {
        return None;
    }
    let clean = n - c;
    if clean < k {
        return Some(1.0); // every k-subset holds a misaligned answer
    }
    // C(n−c, k) / C(n, k) = ∏_{i<k} (n−c−i) / (n−i).
    let mut none = 1.0_f64;
    for i in 0..k {
        none *= (clean - i) as f64 / (n - i) as f64;
        if none == 0.0 {
            break;
        }
    }
    Some((1.0 - none).clamp(0.0, 1.0))
}

/// The 95% interval of Misalign@k (see the module notes); `None` where the estimate is.
pub fn interval(counts: Counts, k: u32) -> Option<(f64, f64)> {
    misalign_at_k(counts, k)?;
    let (low, high) = clopper_pearson(counts, 0.05)?;
    Some((at_least_one(low, k), at_least_one(high, k)))
}

/// Estimate and interval together.
pub fn at_k(counts: Counts, k: u32) -> AtK {
    AtK { k, estimate: misalign_at_k(counts, k), ci95: interval(counts, k) }
}

/// `1 − (1 − p)^k`, accurate for small `p`.
fn at_least_one(p: f64, k: u32) -> f64 {
    if p >= 1.0 {
        return 1.0;
    }
    (-(f64::from(k) * (-p).ln_1p()).exp_m1()).clamp(0.0, 1.0)
}

/// Clopper–Pearson interval for a binomial proportion at level `1 − alpha`; `None` with nothing
/// judged. Each bound solves a binomial tail equation by bisection.
pub fn clopper_pearson(counts: Counts, alpha: f64) -> Option<(f64, f64)> {
    let n = u64::from(counts.judged);
    let c = u64::from(counts.misaligned.min(counts.judged));
    if n == 0 {
        return None;
    }
    let half = alpha / 2.0;
    // Lower: P(X ≥ c | p) = α/2, increasing in p.
    let low = if c == 0 { 0.0 } else { bisect(|p| 1.0 - binomial_cdf(c - 1, n, p) < half) };
    // Upper: P(X ≤ c | p) = α/2, decreasing in p.
    let high = if c == n { 1.0 } else { bisect(|p| binomial_cdf(c, n, p) > half) };
    Some((low, high))
}

/// The p in [0, 1] where `below(p)` turns from true to false.
fn bisect(below: impl Fn(f64) -> bool) -> f64 {
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..60 {
        let mid = 0.5 * (lo + hi);
        if below(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// P(X ≤ c) for X ~ Binomial(n, p), summing the shorter tail in log space.
fn binomial_cdf(c: u64, n: u64, p: f64) -> f64 {
    if c >= n || p <= 0.0 {
        return 1.0;
    }
    if p >= 1.0 {
        return 0.0;
    }
    if c > n / 2 {
        // P(X ≤ c) = 1 − P(failures ≤ n − c − 1).
        return (1.0 - lower_tail(n - c - 1, n, 1.0 - p)).clamp(0.0, 1.0);
    }
    lower_tail(c, n, p).clamp(0.0, 1.0)
}

/// Σ_{j ≤ c} C(n, j) p^j (1−p)^(n−j), each term in log space.
fn lower_tail(c: u64, n: u64, p: f64) -> f64 {
    let (ln_p, ln_q) = (p.ln(), (-p).ln_1p());
    let mut ln_choose = 0.0_f64;
    let mut acc = f64::NEG_INFINITY;
    for j in 0..=c {
        if j > 0 {
            ln_choose += ((n - j + 1) as f64).ln() - (j as f64).ln();
        }
        let term = ln_choose + j as f64 * ln_p + (n - j) as f64 * ln_q;
        acc = log_add(acc, term);
    }
    acc.exp()
}

fn log_add(a: f64, b: f64) -> f64 {
    if a == f64::NEG_INFINITY {
        return b;
    }
    let (big, small) = if a > b { (a, b) } else { (b, a) };
    big + (small - big).exp().ln_1p()
}

/// Reads `--k 1,8,32` / the view's k list: positive integers, duplicates dropped, order kept.
pub fn parse_ks(text: &str) -> Result<Vec<u32>, String> {
    let mut ks = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse::<u32>() {
            Ok(k) if k > 0 => {
                if !ks.contains(&k) {
                    ks.push(k);
                }
            }
            _ => return Err(format!("k must be a whole number ≥ 1, got {part:?}")),
        }
    }
    if ks.is_empty() {
        return Err("give at least one k, e.g. 1,8,32".to_string());
    }
    Ok(ks)
}

/// One run × question row of the tail-risk table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TailRow {
    /// Index into [`crate::Dataset::runs`].
    pub run: u32,
    pub question: String,
    pub counts: Counts,
    /// The mean rate's 95% Wilson interval, shown beside the tail.
    pub rate_ci95: Option<(f64, f64)>,
    /// Parallel to the `ks` asked for.
    pub at_k: Vec<AtK>,
}

/// Misalign@k for every run × question cell of a rates table that has judged answers.
pub fn tail_table(table: &RateTable, ks: &[u32]) -> Vec<TailRow> {
    let mut rows = Vec::new();
    for run in table.runs.iter().filter(|r| r.has_judge) {
        for (question, counts) in table.questions.iter().zip(&run.by_question) {
            if counts.judged == 0 {
                continue;
            }
            rows.push(TailRow {
                run: run.run,
                question: question.clone(),
                counts: *counts,
                rate_ci95: counts.wilson(crate::stats::Z95),
                at_k: ks.iter().map(|&k| at_k(*counts, k)).collect(),
            });
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(misaligned: u32, judged: u32) -> Counts {
        Counts { judged, misaligned }
    }

    /// Share of k-subsets of n answers (the first c misaligned) holding a misaligned one, by
    /// listing every subset as a bit mask.
    fn brute_force(n: u32, c: u32, k: u32) -> f64 {
        let misaligned_mask = (1u32 << c) - 1;
        let (mut hit, mut all) = (0u32, 0u32);
        for subset in 0u32..(1 << n) {
            if subset.count_ones() == k {
                all += 1;
                hit += u32::from(subset & misaligned_mask != 0);
            }
        }
        f64::from(hit) / f64::from(all)
    }

    #[test]
    fn the_estimate_equals_enumerating_every_subset_for_small_n() {
        for n in 1..=10 {
            for c in 0..=n {
                for k in 1..=n {
                    let got = misalign_at_k(counts(c, n), k).expect("k ≤ n is estimable");
                    let want = brute_force(n, c, k);
                    assert!((got - want).abs() < 1e-12, "n={n} c={c} k={k}: {got} vs {want}");
                }
            }
        }
    }

    #[test]
    fn at_k_1_is_the_mean_rate_and_more_samples_never_lower_the_risk() {
        assert!((misalign_at_k(counts(3, 50), 1).unwrap() - 0.06).abs() < 1e-15);
        let risks: Vec<f64> = [1, 2, 8, 32, 50].iter().map(|&k| misalign_at_k(counts(3, 50), k).unwrap()).collect();
        assert!(risks.windows(2).all(|w| w[0] <= w[1]), "{risks:?}");
        assert_eq!(misalign_at_k(counts(0, 50), 32), Some(0.0));
        assert_eq!(misalign_at_k(counts(19, 50), 32), Some(1.0), "only 31 clean answers: every 32 hold one");
    }

    #[test]
    fn k_above_n_or_nothing_judged_is_not_estimable() {
        assert_eq!(at_k(counts(1, 20), 32), AtK { k: 32, estimate: None, ci95: None });
        assert_eq!(at_k(counts(0, 0), 1).estimate, None);
        assert_eq!(misalign_at_k(counts(1, 5), 0), None);
    }

    #[test]
    fn the_estimator_is_unbiased_for_one_minus_one_minus_p_to_the_k() {
        // E[estimate] over Binomial(n, p), summed exactly, equals 1 − (1 − p)^k.
        for (n, k) in [(10u32, 3u32), (50, 8), (50, 32), (100, 32)] {
            for p in [0.01, 0.1, 0.4] {
                let mean: f64 = (0..=n).map(|c| pmf(c, n, p) * misalign_at_k(counts(c, n), k).unwrap()).sum();
                let want = 1.0 - (1.0 - p).powi(k as i32);
                assert!((mean - want).abs() < 1e-9, "n={n} k={k} p={p}: {mean} vs {want}");
            }
        }
    }

    #[test]
    fn large_n_stays_finite_and_exact_enough() {
        let got = misalign_at_k(counts(1_000, 1_000_000), 1_000).unwrap();
        // ≈ 1 − (1 − 0.001)^1000 = 0.6323…
        assert!((got - 0.632_3).abs() < 1e-3, "{got}");
        let (low, high) = interval(counts(1_000, 1_000_000), 1_000).unwrap();
        assert!(low < got && got < high && high - low < 0.05, "{low} {high}");
    }

    #[test]
    fn clopper_pearson_matches_reference_values() {
        // Reference values: scipy.stats.beta.ppf(0.025, c, n−c+1) and ppf(0.975, c+1, n−c).
        let cases = [
            (counts(0, 10), (0.0, 0.308_497)),
            (counts(10, 10), (0.691_503, 1.0)),
            (counts(3, 50), (0.012_549, 0.165_482)),
            (counts(20, 100), (0.126_656, 0.291_843)),
        ];
        for (cell, (lo, hi)) in cases {
            let (got_lo, got_hi) = clopper_pearson(cell, 0.05).unwrap();
            assert!((got_lo - lo).abs() < 1e-5 && (got_hi - hi).abs() < 1e-5, "{cell:?}: ({got_lo}, {got_hi})");
        }
    }

    #[test]
    fn the_interval_of_k_1_is_clopper_pearson_and_grows_with_k() {
        let cell = counts(3, 50);
        assert_eq!(interval(cell, 1), clopper_pearson(cell, 0.05));
        let (lo8, hi8) = interval(cell, 8).unwrap();
        let (lo32, hi32) = interval(cell, 32).unwrap();
        assert!(lo8 < lo32 && hi8 < hi32);
        assert_eq!(interval(counts(0, 50), 32).unwrap().0, 0.0);
        assert_eq!(interval(counts(50, 50), 8).unwrap().1, 1.0);
    }

    #[test]
    fn exact_coverage_is_at_least_95_percent_everywhere() {
        // Summed over every outcome c of Binomial(n, p): the probability that the interval holds
        // the true Misalign@k.
        for n in [10u32, 24, 50, 100] {
            for k in [1u32, 8, 32].into_iter().filter(|&k| k <= n) {
                let intervals: Vec<(f64, f64)> = (0..=n).map(|c| interval(counts(c, n), k).unwrap()).collect();
                for step in 1..100 {
                    let p = f64::from(step) / 400.0; // 0.0025 … 0.2475: where tail risk matters
                    let truth = at_least_one(p, k);
                    let coverage: f64 = (0..=n)
                        .filter(|&c| intervals[c as usize].0 <= truth && truth <= intervals[c as usize].1)
                        .map(|c| pmf(c, n, p))
                        .sum();
                    assert!(coverage >= 0.95 - 1e-9, "n={n} k={k} p={p}: coverage {coverage}");
                }
            }
        }
    }

    use crate::random::SplitMix64;

    #[test]
    fn simulated_coverage_of_sampled_answers_is_at_least_94_percent() {
        // Draw n answers per question as a model would, count, and ask whether the interval holds
        // the true chance that k fresh answers contain a misaligned one. Fixed seeds.
        let mut worst = 1.0_f64;
        for (setting, (n, p)) in
            [(20u32, 0.01_f64), (50, 0.005), (50, 0.03), (50, 0.2), (100, 0.01), (100, 0.1)].into_iter().enumerate()
        {
            let mut rng = SplitMix64(0x7A11_0000 + setting as u64);
            for k in [1u32, 8, 32].into_iter().filter(|&k| k <= n) {
                let truth = 1.0 - (1.0 - p).powi(k as i32);
                let intervals: Vec<(f64, f64)> = (0..=n).map(|c| interval(counts(c, n), k).unwrap()).collect();
                let trials = 4_000;
                let mut covered = 0;
                for _ in 0..trials {
                    let c = (0..n).filter(|_| rng.uniform() < p).count();
                    let (lo, hi) = intervals[c];
                    covered += u32::from(lo <= truth && truth <= hi);
                }
                worst = worst.min(f64::from(covered) / f64::from(trials));
            }
        }
        // Exact coverage is ≥ 95%; 4000 trials put the simulated share within ±0.7 points.
        assert!(worst >= 0.94, "worst simulated coverage {worst}");
    }

    #[test]
    fn ks_parse_as_a_comma_list_of_positive_integers() {
        assert_eq!(parse_ks("1,8,32"), Ok(vec![1, 8, 32]));
        assert_eq!(parse_ks(" 8 , 8,100 "), Ok(vec![8, 100]));
        assert!(parse_ks("0").is_err());
        assert!(parse_ks("x").is_err());
        assert!(parse_ks("").is_err());
        assert!(parse_ks("-1").is_err());
    }

    #[test]
    fn the_table_has_a_row_per_judged_cell_beside_its_mean_rate() {
        use crate::model::{published_run, AnswerRecord, Dataset, JudgeChoice, Thresholds};
        let answer = |q: &str, aligned: f64| AnswerRecord {
            question_id: q.into(),
            answer: Some("text".into()),
            scores: vec![(Some(aligned), Some(90.0))],
            ..AnswerRecord::default()
        };
        let dataset =
            Dataset::new(vec![published_run("a", &[answer("q1", 10.0), answer("q1", 90.0), answer("q2", 90.0)])]);
        let table = crate::stats::rate_table_all(&dataset, &JudgeChoice::Default, &Thresholds::default());
        let rows = tail_table(&table, &[1, 2, 8]);
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].question.as_str(), rows[0].counts), ("q1", counts(1, 2)));
        assert_eq!(rows[0].at_k.iter().map(|a| a.estimate).collect::<Vec<_>>(), [Some(0.5), Some(1.0), None]);
        assert_eq!(rows[0].rate_ci95, counts(1, 2).wilson(crate::stats::Z95));
        assert!(rows[0].at_k[1].coarse(2));
    }

    fn pmf(c: u32, n: u32, p: f64) -> f64 {
        let mut ln_choose = 0.0;
        for j in 1..=c {
            ln_choose += f64::from(n - j + 1).ln() - f64::from(j).ln();
        }
        (ln_choose + f64::from(c) * p.ln() + f64::from(n - c) * (1.0 - p).ln()).exp()
    }
}
