//! Prediction-powered rates on the shared transcripts: per cell (file × question), keep a
//! random 10% of the published judge's labels, predict every answer with the bundled local
//! judge (run here on ONNX Runtime), and check that 95% PPI++ intervals hold the cell's full
//! published rate at least 93% of the time, and are on average no wider than the Wilson
//! interval of the kept labels alone. Prints coverage and widths.
//!
//! Needs `../shared/transcripts` (or `PROBE_SHARED_DIR`) and the ONNX Runtime library; says
//! SKIPPED and passes without either (the library is required under CI).

#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use probe_core::calibrate::{all_answers, calibrated_table, Keep};
use probe_core::load::load_run;
use probe_core::ppi::Method;
use probe_core::stats::{rate_table_all, Counts, Z95};
use probe_core::{Dataset, JudgeChoice, JudgeOrigin, Thresholds};
use probe_judge::{layer_from_scores, Judge, JudgeOptions, JudgeSpec};

const SEEDS: u64 = 40;
const FRACTION: f64 = 0.1;

fn transcripts_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("PROBE_SHARED_DIR")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"), PathBuf::from);
    let dir = shared.join("transcripts");
    if dir.join("MANIFEST.json").is_file() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: no {} (set PROBE_SHARED_DIR to the shared folder)", dir.join("MANIFEST.json").display());
        None
    }
}

fn runtime_available() -> bool {
    let path = probe_judge::native::library_path();
    if path.is_file() {
        return true;
    }
    let message = format!("no ONNX Runtime library at {} (run scripts/fetch-onnxruntime.sh)", path.display());
    assert!(std::env::var_os("CI").is_none(), "{message}");
    eprintln!("SKIPPED: {message}");
    false
}

fn bundled_judge() -> Judge {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/judge");
    let spec =
        JudgeSpec::from_json(&std::fs::read(dir.join("judge.json")).expect("judge.json")).expect("valid judge.json");
    Judge::load_with(&std::fs::read(dir.join("model.onnx")).expect("model.onnx"), spec, &JudgeOptions::default())
        .expect("the bundled judge loads")
}

/// One shared file with the local judge's layer added.
fn scored(judge: &Judge, dir: &Path, path: &str) -> Option<Dataset> {
    let bytes = std::fs::read(dir.join(path)).ok()?;
    let run = load_run(&bytes, path, None).ok()?.run;
    run.default_judge()?;
    let mut scores = Vec::with_capacity(run.len());
    let indices: Vec<usize> = (0..run.len()).collect();
    for chunk in indices.chunks(judge.batch_size()) {
        let pairs: Vec<(&str, &str)> = chunk.iter().map(|&i| run.judge_input(i)).collect();
        scores.extend(judge.score(&pairs).expect("the judge scores").into_iter().map(Some));
    }
    let origin = JudgeOrigin::Model { name: "bundled".into(), version: "test".into() };
    let layer = layer_from_scores(JudgeChoice::LOCAL, origin, &scores, judge.spec().decision_threshold);
    let id = run.id;
    let mut dataset = Dataset::new(vec![run]);
    dataset.add_layer(id, Arc::new(layer));
    Some(dataset)
}

#[test]
fn ppi_intervals_from_ten_percent_of_the_labels_hold_the_published_rate() {
    let Some(dir) = transcripts_dir() else { return };
    if !runtime_available() {
        return;
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("MANIFEST.json")).expect("manifest")).expect("JSON");
    let judge = bundled_judge();
    let thresholds = Thresholds::default();
    let local = JudgeChoice::named(JudgeChoice::LOCAL);
    let (mut intervals, mut covered, mut fallback) = (0u64, 0u64, 0u64);
    let (mut ppi_width, mut labels_width) = (0.0, 0.0);
    let mut files = 0;
    // The same for each file's total (all questions): where labels are many enough to tune λ.
    let (mut totals, mut totals_covered, mut total_ppi_width, mut total_labels_width) = (0u64, 0u64, 0.0, 0.0);
    for path in manifest["files"].as_object().expect("files").keys() {
        let Some(dataset) = scored(&judge, &dir, path) else { continue };
        files += 1;
        // The full published rate of every cell: the target.
        let published = rate_table_all(&dataset, &JudgeChoice::Default, &thresholds);
        let answers = all_answers(&dataset);
        for seed in 0..SEEDS {
            let keep = Some(Keep { fraction: FRACTION, seed });
            let table =
                calibrated_table(&dataset, &local, Some(&JudgeChoice::Default), &answers, &thresholds, keep, None);
            let total = table.runs.first().and_then(|r| r.total).filter(|t| t.method == Method::Ppi);
            if let (Some(total), Some(target)) = (total, published.runs.first().and_then(|r| r.total.rate())) {
                totals += 1;
                totals_covered += u64::from(total.low <= target && target <= total.high);
                total_ppi_width += total.high - total.low;
                let gold = table.questions.iter().fold(Counts::default(), |mut sum, q| {
                    sum += kept_label_counts(&dataset, q, seed, &thresholds);
                    sum
                });
                let (low, high) = gold.wilson(Z95).expect("labels");
                total_labels_width += high - low;
            }
            for (q, question) in table.questions.iter().enumerate() {
                let Some(cell) = table.runs.first().and_then(|r| r.by_question.get(q).copied().flatten()) else {
                    continue;
                };
                let Some(target) = published.cell(0, question).and_then(|c| c.rate()) else { continue };
                if cell.method != Method::Ppi {
                    fallback += 1;
                    continue;
                }
                intervals += 1;
                covered += u64::from(cell.low <= target && target <= cell.high);
                ppi_width += cell.high - cell.low;
                // The same kept labels alone: their count's Wilson interval.
                let gold = kept_label_counts(&dataset, question, seed, &thresholds);
                let (low, high) = gold.wilson(Z95).expect("at least two labels");
                labels_width += high - low;
            }
        }
    }
    assert!(files > 50, "only {files} shared files scored");
    let coverage = covered as f64 / intervals as f64;
    let (ppi_width, labels_width) = (ppi_width / intervals as f64, labels_width / intervals as f64);
    println!(
        "{files} files, {SEEDS} seeds, {:.0}% of labels kept: {intervals} PPI intervals ({fallback} cells with fewer than 2 labels shown as counts); \
         coverage of the full published rate {:.1}%; mean width PPI {:.3}, labels-only Wilson {:.3}",
        FRACTION * 100.0,
        coverage * 100.0,
        ppi_width,
        labels_width
    );
    let total_coverage = totals_covered as f64 / totals as f64;
    let (total_ppi_width, total_labels_width) = (total_ppi_width / totals as f64, total_labels_width / totals as f64);
    println!(
        "file totals: {totals} PPI intervals, coverage {:.1}%; mean width PPI {:.3}, labels-only Wilson {:.3}",
        total_coverage * 100.0,
        total_ppi_width,
        total_labels_width
    );
    assert!(coverage >= 0.93, "coverage {coverage}");
    assert!(total_coverage >= 0.93, "coverage of file totals {total_coverage}");
    assert!(total_ppi_width <= total_labels_width, "file totals: PPI {total_ppi_width} vs {total_labels_width}");
    assert!(ppi_width <= labels_width, "PPI {ppi_width} wider than the labels alone {labels_width}");
}

/// The published verdicts of the kept labels of one question (as `calibrated_table` keeps them).
fn kept_label_counts(dataset: &Dataset, question: &str, seed: u64, thresholds: &Thresholds) -> Counts {
    let run = &dataset.runs[0];
    let published = probe_core::Rule::new(run.default_judge().expect("published"), thresholds);
    let local = dataset.layer(0, &JudgeChoice::named(JudgeChoice::LOCAL)).expect("local layer");
    let local = probe_core::Rule::new(local, thresholds);
    let mut counts = Counts::default();
    for i in 0..run.len() {
        if run.question_key(i) != question || local.misaligned(i).is_none() {
            continue;
        }
        if !probe_core::ppi::keep_label(seed, 0, i as u64, FRACTION) {
            continue;
        }
        if let Some(label) = published.misaligned(i) {
            counts.push(label);
        }
    }
    counts
}
