//! Twin check against the shared developer set: for every file in
//! `shared/transcripts/MANIFEST.json` (counted independently, in Python), the
//! loader must find exactly the same rows, judged, unscored and misaligned
//! counts, overall and per question id.
//!
//! The shared folder sits beside the repository (`../shared`), or wherever
//! `PROBE_SHARED_DIR` points. Without it these tests say so and pass.

#![allow(clippy::result_large_err)]

mod support;

use std::collections::BTreeMap;

use support::transcripts_dir;

use probe_core::load::{load_run, LoadError};
use probe_core::stats::judge_counts;
use probe_core::Thresholds;
use serde_json::Value;

fn manifest(dir: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(dir.join("MANIFEST.json")).expect("MANIFEST.json is readable");
    serde_json::from_str(&text).expect("MANIFEST.json is JSON")
}

#[derive(Debug, PartialEq, Default)]
struct Counts {
    rows: u64,
    judged: u64,
    unscored: u64,
    misaligned: u64,
    by_question: BTreeMap<String, [u64; 2]>,
}

fn expected(entry: &Value) -> Counts {
    let n = |key: &str| entry[key].as_u64().unwrap_or(u64::MAX);
    let by_question = entry["by_question"]
        .as_object()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), [v[0].as_u64().unwrap_or(0), v[1].as_u64().unwrap_or(0)])).collect())
        .unwrap_or_default();
    Counts { rows: n("rows"), judged: n("judged"), unscored: n("unscored"), misaligned: n("misaligned"), by_question }
}

fn counted(bytes: &[u8], path: &str) -> Result<Counts, LoadError> {
    let loaded = load_run(bytes, path, None)?;
    let run = &loaded.run;
    let mut counts = Counts { rows: loaded.rows as u64, ..Counts::default() };
    let Some(judge) = run.default_judge() else { return Ok(counts) };
    let got = judge_counts(run, judge, &Thresholds::default());
    (counts.judged, counts.unscored, counts.misaligned) =
        (got.judged.into(), got.unscored.into(), got.misaligned.into());
    if run.mapping.question_id.is_some() {
        counts.by_question =
            got.by_question.into_iter().map(|(q, c)| (q, [c.judged.into(), c.misaligned.into()])).collect();
    }
    Ok(counts)
}

#[test]
fn every_manifest_file_loads_with_the_manifest_counts() {
    let Some(dir) = transcripts_dir() else { return };
    let manifest = manifest(&dir);
    let files = manifest["files"].as_object().expect("manifest has a files map");
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for (path, entry) in files {
        let bytes = std::fs::read(dir.join(path)).expect("manifest file is readable");
        match counted(&bytes, path) {
            Ok(got) if got == expected(entry) => {}
            Ok(got) => failures.push(format!("{path}:\n  got  {got:?}\n  want {:?}", expected(entry))),
            Err(error) => failures.push(format!("{path}: {error}")),
        }
    }
    assert!(failures.is_empty(), "{} of {} files differ:\n{}", failures.len(), files.len(), failures.join("\n"));
}

#[test]
fn manifest_totals_are_the_sum_of_the_files() {
    let Some(dir) = transcripts_dir() else { return };
    let manifest = manifest(&dir);
    let mut total = [0u64; 4];
    for (path, _) in manifest["files"].as_object().expect("files map") {
        let bytes = std::fs::read(dir.join(path)).expect("readable");
        let counts = counted(&bytes, path).expect("loads");
        for (t, n) in total.iter_mut().zip([counts.rows, counts.judged, counts.unscored, counts.misaligned]) {
            *t += n;
        }
    }
    let t = &manifest["totals"];
    let want = ["rows", "judged", "unscored", "misaligned"].map(|k| t[k].as_u64().unwrap_or(0));
    assert_eq!(total, want);
}

#[test]
fn skipped_files_ask_for_a_mapping_or_load_without_answers() {
    let Some(dir) = transcripts_dir() else { return };
    let manifest = manifest(&dir);
    let Some(skipped) = manifest["skipped"].as_object() else { return };
    for (path, why) in skipped {
        let bytes = std::fs::read(dir.join(path)).expect("readable");
        match load_run(&bytes, path, None) {
            Err(LoadError::NeedsMapping { columns, .. }) => assert!(!columns.is_empty(), "{path}"),
            Ok(loaded) => assert!(
                (0..loaded.run.len()).all(|i| loaded.run.answer_text(i).is_none()),
                "{path} ({why}) loaded answers with text"
            ),
            Err(other) => panic!("{path} ({why}): unexpected error {other}"),
        }
    }
}
