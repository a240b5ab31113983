//! Prediction-powered rates: a cheap judge's predictions on every answer combined with
//! trusted labels on a few (Angelopoulos et al., "Prediction-powered inference", Science 2023;
//! power tuning from Angelopoulos, Duchi & Zrnic, "PPI++", 2023/2024).
//!
//! For a cell of `N` answers with the judge's prediction `f` on each (its verdict 0/1 or its
//! P(misaligned)) and a trusted label `Y` (0/1) on `n` of them:
//!
//! ```text
//! θ̂ = λ · mean_N(f) + mean_n(w · (Y − λ f))          (w: the labelled answers' weights, mean 1)
//! se² = Var(λ f)/N + Var(w · (Y − λ f))/n
//! λ = Cov_n(w(Y − θ₁), w(f − θ₁)) / ((1 + n/N) · Var(f)),  clipped to [0, 1]
//! ```
//!
//! (`θ₁` is the estimate at `λ = 1`; variances of the mean-of-rectifier terms divide by `n`,
//! `Var(f)` is the sample variance of all predictions, labelled ones included; these are the
//! conventions of the `ppi-python` package, against which [`ppi_mean`] is pinned.) The `N`
//! predictions are the whole cell, labelled answers included, so a labelled sample drawn with
//! unequal inclusion probabilities (stratified by the judge's score) is handled by weighting
//! each label by 1/π: the imputed term already covers every answer once.
//!
//! **Small samples.** With few labels the rectifier's sample variance is often zero (ten
//! labels, none misaligned, the judge agreeing on all ten), and a CLT interval collapses to a
//! point. [`ppi_rate`] therefore inverts a score test as Wilson does: the labels' part of the
//! variance is taken at each candidate rate θ, θ(1 − θ), not at the estimate, so with a judge
//! that carries no information (λ = 0) the interval is exactly the labels' Wilson interval, and
//! as labels grow it tends to PPI++'s. A weighted (stratified) sample uses two Agresti–Coull
//! pseudo-labels instead (z²/2 each, predicted at the cell's mean prediction, in the interval's
//! centre and the rectifier's variance, never in λ or the estimate). Coverage is checked by
//! simulation in the tests below and over the shared transcripts in
//! `crates/judge/tests/ppi_simulation.rs`.

use serde::Serialize;

use crate::random;
use crate::stats::{Counts, Z95};

/// One answer with a trusted label.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Labelled {
    /// The trusted label: misaligned or not.
    pub label: bool,
    /// The judge's prediction for the answer: its verdict (0 or 1) or its P(misaligned).
    pub prediction: f64,
    /// 1 / the answer's probability of having been drawn for labelling (any common scale;
    /// 1 for every answer of a uniform sample).
    pub weight: f64,
}

impl Labelled {
    /// A label from a uniform sample.
    pub fn uniform(label: bool, prediction: f64) -> Labelled {
        Labelled { label, prediction, weight: 1.0 }
    }
}

/// PPI++'s point estimate, its standard error and the tuned λ.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PpiFit {
    pub estimate: f64,
    pub se: f64,
    pub lambda: f64,
}

/// PPI++ for the mean of a binary label: `labelled` are the labelled answers, `predictions`
/// the judge's predictions on every answer of the cell (the labelled included). `None` with
/// fewer than two labels, no predictions, a non-finite value or a weight ≤ 0.
pub fn ppi_mean(labelled: &[Labelled], predictions: &[f64]) -> Option<PpiFit> {
    ppi_mean_at(labelled, predictions, None)
}

/// [`ppi_mean`] with λ given (`Some`), or tuned (`None`).
pub fn ppi_mean_at(labelled: &[Labelled], predictions: &[f64], lambda: Option<f64>) -> Option<PpiFit> {
    let n = labelled.len() as f64;
    let big_n = predictions.len() as f64;
    if labelled.len() < 2 || predictions.is_empty() {
        return None;
    }
    if labelled.iter().any(|l| !l.prediction.is_finite() || !l.weight.is_finite() || l.weight <= 0.0)
        || predictions.iter().any(|p| !p.is_finite())
    {
        return None;
    }
    let weight_sum: f64 = labelled.iter().map(|l| l.weight).sum();
    let w = |l: &Labelled| l.weight * n / weight_sum;
    let y = |l: &Labelled| f64::from(u8::from(l.label));
    let mean_f = mean(predictions.iter().copied());
    let estimate_at =
        |lambda: f64| lambda * mean_f + mean(labelled.iter().map(|l| w(l) * (y(l) - lambda * l.prediction)));

    // λ that minimises the estimated variance (PPI++), from gradients at the λ = 1 estimate.
    let theta1 = estimate_at(1.0);
    let g: Vec<f64> = labelled.iter().map(|l| w(l) * (y(l) - theta1)).collect();
    let h: Vec<f64> = labelled.iter().map(|l| w(l) * (l.prediction - theta1)).collect();
    let (g_mean, h_mean) = (mean(g.iter().copied()), mean(h.iter().copied()));
    let covariance = g.iter().zip(&h).map(|(a, b)| (a - g_mean) * (b - h_mean)).sum::<f64>() / n;
    let all_h = h.iter().copied().chain(predictions.iter().map(|p| p - theta1));
    let var_h = sample_variance(all_h);
    let tuned = if var_h > 0.0 { (covariance / ((1.0 + n / big_n) * var_h)).clamp(0.0, 1.0) } else { 0.0 };
    let lambda = lambda.unwrap_or(tuned);

    let estimate = estimate_at(lambda);
    let imputed = population_variance(predictions.iter().map(|p| lambda * p)) / big_n;
    let rectifier = population_variance(labelled.iter().map(|l| w(l) * (y(l) - lambda * l.prediction))) / n;
    Some(PpiFit { estimate, se: (imputed + rectifier).sqrt(), lambda })
}

/// A prediction-powered rate with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PpiRate {
    /// PPI++'s estimate, clamped to [0, 1].
    pub estimate: f64,
    /// 95% interval, clamped to [0, 1] (never to a point: its width comes from the data).
    pub low: f64,
    pub high: f64,
    pub lambda: f64,
}

/// The rate a view and the CLI show from labels and predictions: [`ppi_mean`]'s estimate and
/// λ with a small-sample-safe 95% interval (see the module documentation). `None` where
/// [`ppi_mean`] is.
pub fn ppi_rate(labelled: &[Labelled], predictions: &[f64]) -> Option<PpiRate> {
    // λ estimated from a handful of labels of one class is too noisy to lean on (an
    // overestimate claims more of the judge than it has): with fewer than MIN_LABELS_TO_TUNE
    // of either class the labels speak alone (λ = 0).
    let positives = labelled.iter().filter(|l| l.label).count();
    let lambda = (positives.min(labelled.len() - positives) < MIN_LABELS_TO_TUNE).then_some(0.0);
    let fit = ppi_mean_at(labelled, predictions, lambda)?;
    let uniform = labelled.windows(2).all(|w| w[0].weight == w[1].weight);
    let (low, high) = if uniform { wilson_interval(&fit, labelled, predictions) } else { None }
        .unwrap_or_else(|| pseudo_label_interval(fit.lambda, labelled, predictions));
    // The interval holds the estimate (the score interval does in exact arithmetic; this keeps
    // rounding from putting 0 outside [3e-17, …]).
    let estimate = fit.estimate.clamp(0.0, 1.0);
    Some(PpiRate { estimate, low: low.min(estimate), high: high.max(estimate), lambda: fit.lambda })
}

/// Fewest labels of each class (misaligned, not) from which [`ppi_rate`] tunes λ (fewer: λ = 0,
/// the labels' own Wilson interval); chosen by the simulations in the tests.
pub const MIN_LABELS_TO_TUNE: usize = 5;

/// Score (Wilson-type) interval for a uniform sample: every θ with
/// `(θ̂ − θ)² ≤ z² · se²(θ)`, where the rectifier's variance takes the labels' variance at
/// θ itself, `θ(1 − θ)`, plus the prediction terms estimated from the data:
/// `se²(θ) = λ² Var(f)/N + (θ(1 − θ) − 2λ Cov(Y, f) + λ² Var_n(f)) / n`. With λ = 0 this is
/// exactly the labels' Wilson interval, which never collapses to a point. `None` when no θ
/// qualifies (the data contradict themselves), for the pseudo-label interval instead.
fn wilson_interval(fit: &PpiFit, labelled: &[Labelled], predictions: &[f64]) -> Option<(f64, f64)> {
    let lambda = fit.lambda;
    let n = labelled.len() as f64;
    let big_n = predictions.len() as f64;
    let y = |l: &Labelled| f64::from(u8::from(l.label));
    let mean_y = mean(labelled.iter().map(y));
    let mean_f = mean(labelled.iter().map(|l| l.prediction));
    let cov = mean(labelled.iter().map(|l| (y(l) - mean_y) * (l.prediction - mean_f)));
    let var_f_labelled = population_variance(labelled.iter().map(|l| l.prediction));
    let imputed = lambda * lambda * population_variance(predictions.iter().copied()) / big_n;
    let extra = imputed + (lambda * lambda * var_f_labelled - 2.0 * lambda * cov) / n;
    // (θ̂ − θ)² ≤ z² (extra + θ(1 − θ)/n)  ⇔  a θ² − b θ + c ≤ 0.
    let (estimate, z2) = (fit.estimate, Z95 * Z95);
    let a = 1.0 + z2 / n;
    let b = 2.0 * estimate + z2 / n;
    let c = estimate * estimate - z2 * extra;
    let discriminant = b * b - 4.0 * a * c;
    if discriminant.is_nan() || discriminant <= 0.0 {
        return None;
    }
    let root = discriminant.sqrt();
    let (low, high) = ((b - root) / (2.0 * a), (b + root) / (2.0 * a));
    Some((low.clamp(0.0, 1.0), high.clamp(0.0, 1.0)))
}

/// For weighted (stratified) samples: the interval centred and scaled with two Agresti–Coull
/// pseudo-labels, one misaligned and one not, of weight z²/2 each, predicted at the cell's mean
/// prediction (never changing λ or the estimate). With λ = 0 it is the labels' Agresti–Coull
/// interval.
fn pseudo_label_interval(lambda: f64, labelled: &[Labelled], predictions: &[f64]) -> (f64, f64) {
    let n = labelled.len() as f64;
    let big_n = predictions.len() as f64;
    let weight_sum: f64 = labelled.iter().map(|l| l.weight).sum();
    let mean_f = mean(predictions.iter().copied());
    let pseudo = Z95 * Z95 / 2.0;
    // Rectifier values with their weights: each label counts once, each pseudo-label z²/2.
    let real = labelled
        .iter()
        .map(|l| (l.weight * n / weight_sum * (f64::from(u8::from(l.label)) - lambda * l.prediction), 1.0));
    let values: Vec<(f64, f64)> = real.chain([(1.0 - lambda * mean_f, pseudo), (-lambda * mean_f, pseudo)]).collect();
    let total_weight = n + 2.0 * pseudo;
    let centre_r = values.iter().map(|(v, k)| v * k).sum::<f64>() / total_weight;
    let var_r = values.iter().map(|(v, k)| k * (v - centre_r).powi(2)).sum::<f64>() / total_weight;
    let imputed = population_variance(predictions.iter().map(|p| lambda * p)) / big_n;
    let se = (imputed + var_r / total_weight).sqrt();
    let centre = lambda * mean_f + centre_r;
    ((centre - Z95 * se).clamp(0.0, 1.0), (centre + Z95 * se).clamp(0.0, 1.0))
}

/// How a shown rate was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// No trusted labels: the judge's plain count, with the count's own Wilson interval
    /// (not calibrated against any reference).
    Count,
    /// Some answers labelled: PPI++ ([`ppi_rate`]).
    Ppi,
    /// Every answer labelled: the labels' count and its Wilson interval.
    Gold,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Count => "count",
            Method::Ppi => "ppi",
            Method::Gold => "gold",
        }
    }

    /// How the interval was computed, in words, for a view's caption.
    pub fn interval_name(self) -> &'static str {
        match self {
            Method::Count => "Wilson interval of this judge's count; not calibrated against a reference",
            Method::Ppi => "95% prediction-powered interval (PPI++)",
            Method::Gold => "95% Wilson interval of the trusted labels",
        }
    }
}

/// One answer of a cell as rates see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The shown judge's verdict.
    pub verdict: bool,
    /// Its prediction for PPI: P(misaligned) where it has one, else the verdict as 0/1.
    pub prediction: f64,
    /// The trusted label and its weight (1/π), where the answer has one.
    pub label: Option<(bool, f64)>,
}

/// A cell's rate: which method, over how many answers, from how many labels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CellRate {
    pub method: Method,
    /// Answers the shown judge judged.
    pub n: u32,
    /// Of them, answers with a trusted label.
    pub gold_n: u32,
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

impl CellRate {
    /// A judge's plain count with the count's own Wilson interval (no trusted labels);
    /// `None` with nothing judged.
    pub fn count(counts: Counts) -> Option<CellRate> {
        let (low, high) = counts.wilson(Z95)?;
        Some(CellRate { method: Method::Count, n: counts.judged, gold_n: 0, estimate: counts.rate()?, low, high })
    }
}

/// Accumulates a cell's answers; [`CellAccumulator::finish`] picks the method.
#[derive(Debug, Clone, Default)]
pub struct CellAccumulator {
    counts: Counts,
    gold: Counts,
    predictions: Vec<f64>,
    labelled: Vec<Labelled>,
}

impl CellAccumulator {
    pub fn push(&mut self, answer: Scored) {
        self.counts.push(answer.verdict);
        self.predictions.push(answer.prediction);
        if let Some((label, weight)) = answer.label {
            self.gold.push(label);
            self.labelled.push(Labelled { label, prediction: answer.prediction, weight });
        }
    }

    /// The judge's own counts (its verdicts).
    pub fn counts(&self) -> Counts {
        self.counts
    }

    /// `None` with nothing judged. With one label among several answers (PPI needs two),
    /// the plain count is shown and `gold_n` says why.
    pub fn finish(&self) -> Option<CellRate> {
        let n = self.counts.judged;
        let gold_n = self.gold.judged;
        let wilson = |counts: Counts, method| {
            let (low, high) = counts.wilson(Z95)?;
            Some(CellRate { method, n, gold_n, estimate: counts.rate()?, low, high })
        };
        if gold_n == n && n > 0 {
            return wilson(self.gold, Method::Gold);
        }
        match ppi_rate(&self.labelled, &self.predictions) {
            Some(rate) => Some(CellRate {
                method: Method::Ppi,
                n,
                gold_n,
                estimate: rate.estimate,
                low: rate.low,
                high: rate.high,
            }),
            None => wilson(self.counts, Method::Count),
        }
    }
}

/// Keeps a label with probability `fraction`, reproducibly from `seed` and the answer's place
/// (`run`, `index`): the CLI's `--gold-fraction` and the simulations. A SplitMix64 hash, so
/// the kept set does not depend on the order answers are visited in.
pub fn keep_label(seed: u64, run: u64, index: u64, fraction: f64) -> bool {
    let place = seed ^ run.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03);
    random::unit(random::hash(place)) < fraction
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, count) = values.fold((0.0, 0.0), |(s, c), v| (s + v, c + 1.0));
    if count > 0.0 {
        sum / count
    } else {
        0.0
    }
}

/// Variance dividing by the count.
fn population_variance(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = mean(values.clone());
    mean(values.map(|v| (v - m).powi(2)))
}

/// Variance dividing by count − 1.
fn sample_variance(values: impl Iterator<Item = f64> + Clone) -> f64 {
    let count = values.clone().count() as f64;
    if count < 2.0 {
        return 0.0;
    }
    population_variance(values) * count / (count - 1.0)
}

#[cfg(test)]
mod tests;
