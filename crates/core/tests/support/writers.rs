//! Fixtures written by other tools (`tests/fixtures/make_fixtures.py`) and what each tool read
//! back from them (`tests/fixtures/formats/expected.json`): what the loader must find too.

use std::path::PathBuf;

use probe_core::load::Loaded;
use probe_core::stats::judge_counts;
use probe_core::Thresholds;
use serde_json::Value;

pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/formats")
}

pub fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// What the writing tool read back from fixture `name`.
pub fn expected(name: &str) -> Value {
    let text = std::fs::read_to_string(dir().join("expected.json")).expect("tests/fixtures/formats/expected.json");
    let all: Value = serde_json::from_str(&text).expect("expected.json parses");
    all[name].clone()
}

/// `loaded` has the rows, run name, `judges` (in order) with their judged / unscored /
/// misaligned counts, and the question keys the tool read back, without load issues.
pub fn assert_reads_back(name: &str, loaded: &Loaded, want: &Value, judges: &[&str]) {
    let run = &loaded.run;
    assert_eq!(loaded.rows as u64, want["rows"].as_u64().unwrap(), "{name}: rows");
    assert_eq!(run.len() as u64, want["rows"].as_u64().unwrap(), "{name}: answers");
    assert_eq!(run.name, want["run"].as_str().unwrap(), "{name}: run name");
    assert!(loaded.issues.is_empty(), "{name}: {:?}", loaded.issues);

    let names: Vec<&str> = run.judges.iter().map(|j| j.name.as_str()).collect();
    assert_eq!(names, judges, "{name}");
    for layer in &run.judges {
        let counts = judge_counts(run, layer, &Thresholds::default());
        let want = &want["judges"][&layer.name];
        let got = [counts.judged, counts.unscored, counts.misaligned].map(u64::from);
        let expect = ["judged", "unscored", "misaligned"].map(|k| want[k].as_u64().unwrap());
        assert_eq!(got, expect, "{name}, judge {}: judged, unscored, misaligned", layer.name);
    }

    let mut keys: Vec<&str> = run.questions.iter().map(|q| q.key.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    let want_keys: Vec<&str> = want["questions"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(keys, want_keys, "{name}: question keys");
}
