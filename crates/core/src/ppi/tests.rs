use super::*;

use crate::random::SplitMix64 as Rng;

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn ppi_mean_equals_the_ppi_python_reference_values() {
    // Written by scripts/ppi_reference.py with ppi-python 0.2.3.
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/fixtures/ppi_reference.json")).expect("fixture is JSON");
    let cases = reference["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 6);
    let numbers =
        |v: &serde_json::Value| -> Vec<f64> { v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect() };
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let labels: Vec<bool> = case["labels"].as_array().unwrap().iter().map(|v| v.as_bool().unwrap()).collect();
        let labelled: Vec<Labelled> = labels
            .iter()
            .zip(numbers(&case["labelled_predictions"]))
            .zip(numbers(&case["weights"]))
            .map(|((&label, prediction), weight)| Labelled { label, prediction, weight })
            .collect();
        let fit = ppi_mean(&labelled, &numbers(&case["predictions"])).expect(name);
        let f = |key: &str| case[key].as_f64().unwrap();
        assert!(close(fit.estimate, f("estimate"), 1e-9), "{name}: estimate {} vs {}", fit.estimate, f("estimate"));
        assert!(close(fit.estimate - Z95 * fit.se, f("low"), 1e-6), "{name}: low {fit:?} vs {}", f("low"));
        assert!(close(fit.estimate + Z95 * fit.se, f("high"), 1e-6), "{name}: high {fit:?} vs {}", f("high"));
        if let Some(lambda) = case["lambda"].as_f64() {
            assert!(close(fit.lambda, lambda, 1e-9), "{name}: λ {} vs {lambda}", fit.lambda);
        }
    }
}

#[test]
fn an_uninformative_judge_gives_the_labels_wilson_interval() {
    // Every prediction the same: λ = 0, so only the labels speak.
    let labelled: Vec<Labelled> = (0..20).map(|i| Labelled::uniform(i < 4, 0.5)).collect();
    let rate = ppi_rate(&labelled, &[0.5; 200]).unwrap();
    assert_eq!(rate.lambda, 0.0);
    assert!(close(rate.estimate, 0.2, 1e-12));
    let (low, high) = Counts { judged: 20, misaligned: 4 }.wilson(Z95).unwrap();
    assert!(close(rate.low, low, 1e-12) && close(rate.high, high, 1e-12), "{rate:?} vs {low} {high}");
}

#[test]
fn an_uninformative_judge_on_a_weighted_sample_gives_the_agresti_coull_interval() {
    let labelled: Vec<Labelled> = (0..20)
        .map(|i| Labelled { label: i < 4, prediction: 0.5, weight: if i % 2 == 0 { 1.0 } else { 2.0 } })
        .collect();
    let rate = ppi_rate(&labelled, &[0.5; 200]).unwrap();
    assert_eq!(rate.lambda, 0.0);
    // The weighted share of misaligned labels: rows 0 and 2 weigh 1, rows 1 and 3 weigh 2, of 30.
    let weighted_mean = 6.0 / 30.0;
    let pseudo = Z95 * Z95 / 2.0;
    let n_tilde = 20.0 + 2.0 * pseudo;
    let p_tilde = (20.0 * weighted_mean + pseudo) / n_tilde;
    assert!(rate.low < p_tilde && p_tilde < rate.high, "{rate:?}");
    assert!(close((rate.low + rate.high) / 2.0, p_tilde, 1e-12) || rate.low == 0.0, "{rate:?} centred at {p_tilde}");
}

#[test]
fn no_labelled_misaligned_answer_still_leaves_an_interval_of_positive_width() {
    // Ten labels, none misaligned, the judge agreeing on all ten: PPI++'s CLT interval is a
    // point at 0; the pseudo-labels keep room for the rate a small sample cannot exclude.
    let labelled: Vec<Labelled> = (0..10).map(|_| Labelled::uniform(false, 0.0)).collect();
    let mut predictions = vec![0.0; 100];
    predictions[..5].fill(1.0);
    let fit = ppi_mean(&labelled, &predictions).unwrap();
    assert!(fit.se < 1e-12, "PPI++ alone collapses to a point: {fit:?}");
    let rate = ppi_rate(&labelled, &predictions).unwrap();
    assert_eq!(rate.low, 0.0);
    assert!(rate.high > 0.1, "{rate:?}");
    assert!(rate.low <= rate.estimate && rate.estimate <= rate.high);
}

#[test]
fn a_perfect_judge_narrows_the_interval_far_below_the_labels_alone() {
    let mut rng = Rng(7);
    let truth: Vec<bool> = (0..1000).map(|_| rng.bernoulli(0.2)).collect();
    let predictions: Vec<f64> = truth.iter().map(|&t| f64::from(u8::from(t))).collect();
    let labelled: Vec<Labelled> = truth[..50].iter().map(|&t| Labelled::uniform(t, f64::from(u8::from(t)))).collect();
    let rate = ppi_rate(&labelled, &predictions).unwrap();
    let alone =
        Counts { judged: 50, misaligned: truth[..50].iter().filter(|&&t| t).count() as u32 }.wilson(Z95).unwrap();
    assert!(rate.lambda > 0.9, "{rate:?}");
    assert!(rate.high - rate.low < 0.5 * (alone.1 - alone.0), "{rate:?} vs {alone:?}");
    let truth_rate = truth.iter().filter(|&&t| t).count() as f64 / 1000.0;
    assert!(rate.low <= truth_rate && truth_rate <= rate.high);
}

#[test]
fn intervals_are_clamped_to_zero_and_one_only() {
    let labelled: Vec<Labelled> = (0..10).map(|_| Labelled::uniform(true, 1.0)).collect();
    let rate = ppi_rate(&labelled, &[1.0; 50]).unwrap();
    assert!(rate.high > 1.0 - 1e-12 && rate.high <= 1.0, "{rate:?}");
    assert!(rate.low < 0.9 && rate.low > 0.5, "{rate:?}");
}

#[test]
fn too_few_labels_or_bad_values_give_no_ppi() {
    assert_eq!(ppi_mean(&[Labelled::uniform(true, 1.0)], &[1.0, 0.0]), None);
    let two = [Labelled::uniform(true, 1.0), Labelled::uniform(false, 0.0)];
    assert_eq!(ppi_mean(&two, &[]), None);
    assert_eq!(ppi_mean(&two, &[f64::NAN, 0.0]), None);
    let zero_weight = [Labelled { weight: 0.0, ..two[0] }, two[1]];
    assert_eq!(ppi_mean(&zero_weight, &[1.0, 0.0]), None);
}

fn answer(verdict: bool, label: Option<bool>) -> Scored {
    Scored { verdict, prediction: f64::from(u8::from(verdict)), label: label.map(|l| (l, 1.0)) }
}

#[test]
fn a_cell_without_labels_is_its_plain_count_with_a_wilson_interval() {
    let mut cell = CellAccumulator::default();
    for i in 0..40 {
        cell.push(answer(i < 10, None));
    }
    let rate = cell.finish().unwrap();
    assert_eq!((rate.method, rate.n, rate.gold_n), (Method::Count, 40, 0));
    assert_eq!(rate.estimate, 0.25);
    assert_eq!(Some((rate.low, rate.high)), Counts { judged: 40, misaligned: 10 }.wilson(Z95));
    assert!(Method::Count.interval_name().contains("not calibrated"));
}

#[test]
fn a_fully_labelled_cell_is_the_labels_count_and_a_partly_labelled_one_is_ppi() {
    let mut gold = CellAccumulator::default();
    for i in 0..20 {
        gold.push(answer(i < 2, Some(i < 5)));
    }
    let rate = gold.finish().unwrap();
    assert_eq!((rate.method, rate.gold_n, rate.estimate), (Method::Gold, 20, 0.25));

    let mut some = CellAccumulator::default();
    for i in 0..100 {
        some.push(answer(i % 4 == 0, (i % 5 == 0).then_some(i % 4 == 0)));
    }
    let rate = some.finish().unwrap();
    assert_eq!((rate.method, rate.n, rate.gold_n), (Method::Ppi, 100, 20));
    assert!(rate.low <= rate.estimate && rate.estimate <= rate.high);
    assert_eq!(some.counts(), Counts { judged: 100, misaligned: 25 });
    assert_eq!(CellAccumulator::default().finish(), None);
}

#[test]
fn keep_label_keeps_about_the_fraction_asked_for_and_is_reproducible() {
    let kept = (0..100_000).filter(|&i| keep_label(3, 1, i, 0.1)).count();
    assert!((9_500..10_500).contains(&kept), "{kept}");
    assert_eq!(keep_label(3, 1, 17, 0.5), keep_label(3, 1, 17, 0.5));
    assert!((0..1000).any(|i| keep_label(3, 1, i, 0.5) != keep_label(4, 1, i, 0.5)));
    assert!(!(0..1000).any(|i| keep_label(3, 1, i, 0.0)));
}

/// One synthetic population: a judge with hit rate `tpr` and false-alarm rate `fpr`,
/// predictions P(misaligned) or verdicts.
struct Judge {
    tpr: f64,
    fpr: f64,
    probability: bool,
}

impl Judge {
    fn predict(&self, rng: &mut Rng, truth: bool) -> f64 {
        let flag = rng.bernoulli(if truth { self.tpr } else { self.fpr });
        let flag = f64::from(u8::from(flag));
        if self.probability {
            (0.2 + 0.6 * flag + 0.3 * (rng.uniform() - 0.5)).clamp(0.0, 1.0)
        } else {
            flag
        }
    }
}

/// Coverage of the cell's own rate and mean widths (PPI, labels-only Wilson) over `reps` draws
/// of `n` labels among `big_n` answers; `weighted`: labels drawn stratified by the prediction.
fn simulate(
    rng: &mut Rng,
    p: f64,
    judge: &Judge,
    n: usize,
    big_n: usize,
    reps: usize,
    weighted: bool,
) -> (f64, f64, f64) {
    let (mut covered, mut width, mut wilson_width, mut done) = (0, 0.0, 0.0, 0);
    for _ in 0..reps {
        let truth: Vec<bool> = (0..big_n).map(|_| rng.bernoulli(p)).collect();
        let predictions: Vec<f64> = truth.iter().map(|&t| judge.predict(rng, t)).collect();
        let target = truth.iter().filter(|&&t| t).count() as f64 / big_n as f64;
        let labelled: Vec<Labelled> = if weighted {
            // Flagged answers five times as likely to be drawn; inclusion probabilities known.
            let base = n as f64 / big_n as f64;
            (0..big_n)
                .filter_map(|i| {
                    let pi = if predictions[i] >= 0.5 { (2.5 * base).min(1.0) } else { 0.5 * base };
                    rng.bernoulli(pi).then(|| Labelled {
                        label: truth[i],
                        prediction: predictions[i],
                        weight: 1.0 / pi,
                    })
                })
                .collect()
        } else {
            // A uniform sample without replacement: the first n of a shuffled order.
            let mut order: Vec<usize> = (0..big_n).collect();
            for i in (1..big_n).rev() {
                order.swap(i, (rng.uniform() * (i + 1) as f64) as usize);
            }
            order[..n].iter().map(|&i| Labelled::uniform(truth[i], predictions[i])).collect()
        };
        let Some(rate) = ppi_rate(&labelled, &predictions) else { continue };
        assert!(rate.low <= rate.estimate && rate.estimate <= rate.high, "{rate:?}");
        done += 1;
        covered += usize::from(rate.low <= target && target <= rate.high);
        width += rate.high - rate.low;
        let positives = labelled.iter().filter(|l| l.label).count() as u32;
        let (low, high) =
            Counts { judged: labelled.len() as u32, misaligned: positives }.wilson(Z95).unwrap_or((0.0, 1.0));
        wilson_width += high - low;
    }
    let done = done.max(1) as f64;
    (covered as f64 / done, width / done, wilson_width / done)
}

#[test]
fn simulated_coverage_holds_from_five_labels_up() {
    // Small cells are the common case: 10% of a 50-answer question is 5 labels.
    let judges = [
        ("weak verdicts", Judge { tpr: 0.35, fpr: 0.05, probability: false }),
        ("good verdicts", Judge { tpr: 0.8, fpr: 0.03, probability: false }),
        ("probabilities", Judge { tpr: 0.6, fpr: 0.05, probability: true }),
    ];
    let mut rng = Rng(2024);
    let mut worst = 1.0_f64;
    let (mut sum, mut configurations) = (0.0, 0.0);
    for (name, judge) in &judges {
        for n in [5, 10, 20, 50] {
            for p in [0.02, 0.1, 0.3, 0.5] {
                let (coverage, width, wilson) = simulate(&mut rng, p, judge, n, 10 * n, 1500, false);
                println!(
                    "{name:14} n={n:3} p={p:.2}: coverage {:.1}%, width {width:.3} (labels-only Wilson {wilson:.3})",
                    coverage * 100.0
                );
                worst = worst.min(coverage);
                sum += coverage;
                configurations += 1.0;
                // Wilson's own interval dips to about 90% at some small n and p, and so may this.
                // (Tuning λ from one or two misaligned labels let a strong judge's interval dip to
                // 82% at n = 10, p = 0.1, and 85% at n = 20, p = 0.02: hence MIN_LABELS_TO_TUNE.)
                assert!(coverage >= 0.90, "{name} n={n} p={p}: coverage {coverage}");
            }
        }
    }
    println!("worst coverage {:.1}%, mean {:.1}%", worst * 100.0, sum / configurations * 100.0);
    assert!(sum / configurations >= 0.94, "mean coverage {}", sum / configurations);
}

#[test]
fn a_good_judge_narrows_the_interval_on_average() {
    let judge = Judge { tpr: 0.8, fpr: 0.03, probability: false };
    let mut rng = Rng(99);
    for n in [20, 50, 100] {
        let (coverage, width, wilson) = simulate(&mut rng, 0.2, &judge, n, 10 * n, 1000, false);
        println!("n={n}: coverage {:.1}%, PPI width {width:.3}, labels-only Wilson {wilson:.3}", coverage * 100.0);
        assert!(width < wilson, "n={n}: {width} vs {wilson}");
    }
}

#[test]
fn a_stratified_sample_with_known_weights_keeps_its_coverage() {
    let judge = Judge { tpr: 0.6, fpr: 0.05, probability: false };
    let mut rng = Rng(5);
    for (n, p) in [(20, 0.05), (40, 0.1), (100, 0.05), (100, 0.3)] {
        let (coverage, width, _) = simulate(&mut rng, p, &judge, n, 10 * n, 1500, true);
        println!("stratified n≈{n} p={p}: coverage {:.1}%, width {width:.3}", coverage * 100.0);
        assert!(coverage >= 0.93, "n={n} p={p}: {coverage}");
    }
}
