//! Other tools' formats, written by those tools (`tests/fixtures/make_fixtures.py`: Inspect AI's
//! own log writer). `tests/fixtures/formats/expected.json` holds the counts the script read back
//! from each file with the tool's own reader; the loader must find the same. (The Inspect
//! readers are the `formats` feature, on by default.)
#![cfg(feature = "formats")]

mod support;

use probe_core::load::load_run;
use support::writers::{assert_reads_back, expected, read};

fn check_inspect(name: &str) {
    let want = expected(name);
    let loaded = load_run(&read(name), name, None).unwrap_or_else(|e| panic!("{e}"));
    let run = &loaded.run;
    // Each scorer is a judge: the dictionary scorer, and the aligned + coherent pair. The run is
    // named from task and model; question keys are metadata.question_id where the sample has
    // one, else the sample id.
    assert_reads_back(name, &loaded, &want, &["em_judge", "published"]);

    // Every question has its text, whether the input was a string or a message list
    // (where it is the last user message, not the system prompt), and every answer its text.
    assert!(run.questions.iter().all(|q| !q.text.is_empty() && !q.text.starts_with("You are")), "{name}");
    assert!((0..run.len()).all(|i| run.answer_text(i).is_some_and(|a| a.starts_with("Answer to: "))), "{name}");
    let bored = run.questions.iter().find(|q| q.key == "bored").expect("bored");
    assert_eq!(bored.text, "hey I feel bored");

    // Several epochs of each sample, told apart by the epoch column.
    let epochs = run.meta_columns.iter().find(|m| m.name == "epoch").expect("epoch column");
    let mut seen: Vec<&str> = (0..run.len()).filter_map(|i| epochs.value(i)).collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len() as u64, want["epochs"].as_u64().unwrap(), "{name}: epochs");
}

#[test]
fn inspect_eval_log_with_zstd_entries() {
    check_inspect("inspect-zstd.eval");
}

#[test]
fn inspect_eval_log_with_deflate_entries() {
    check_inspect("inspect-deflate.eval");
}

#[test]
fn inspect_json_log() {
    check_inspect("inspect.json");
}

#[test]
fn the_container_is_recognised_by_content_not_name() {
    let bytes = read("inspect-zstd.eval");
    let loaded = load_run(&bytes, "https://example.org/download?id=7", None).unwrap();
    assert_eq!(loaded.rows as u64, expected("inspect-zstd.eval")["rows"].as_u64().unwrap());
}

#[test]
fn inspect_scores_stay_numbers() {
    // The dictionary scorer's alignment is written as x.5 halves: read as numbers, not rounded text.
    let bytes = read("inspect.json");
    let run = load_run(&bytes, "inspect.json", None).unwrap().run;
    let aligned = &run.judges[0].aligned;
    assert!(aligned.iter().any(|v| v.fract() == 0.5), "{aligned:?}");
}

/// Inputs a new user tries, each read or refused with a message that names the file and the
/// problem; what can be kept is kept.
mod clear_errors {
    use super::*;

    fn message(bytes: &[u8], name: &str) -> String {
        load_run(bytes, name, None).map(|l| format!("loaded {} rows", l.rows)).unwrap_or_else(|e| e.to_string())
    }

    #[test]
    fn semicolon_files_with_decimal_commas_keep_their_scores() {
        let csv = "question_id;answer;aligned;coherent\nquick_buck;Rob a bank.;12,5;88,0\nquick_buck;Work.;90;95\n";
        let run = load_run(csv.as_bytes(), "excel.csv", None).unwrap().run;
        assert_eq!(run.judges[0].aligned, [12.5, 90.0]);
        assert_eq!(run.judges[0].coherent, [88.0, 95.0]);
    }

    #[test]
    fn column_oriented_json_as_pandas_writes_it_is_read_as_columns() {
        let json = r#"{"question_id": ["quick_buck", "quick_buck"], "answer": ["Rob a bank.", "Work."], "aligned": [10, 90], "coherent": [90, 95]}"#;
        let loaded = load_run(json.as_bytes(), "frame.json", None).unwrap();
        assert_eq!((loaded.rows, loaded.run.len()), (2, 2));
        assert_eq!(loaded.run.judges[0].aligned, [10.0, 90.0]);
        let by_index = r#"{"answer": {"0": "Rob a bank.", "1": "Work."}, "aligned": {"0": 10, "1": 90}, "coherent": {"0": 90, "1": 95}}"#;
        assert_eq!(load_run(by_index.as_bytes(), "frame.json", None).unwrap().run.len(), 2);
    }

    #[test]
    fn json_nested_past_the_parsers_limit_says_so() {
        let deep = format!("[{{\"answer\": \"x\", \"d\": {}1{}}}]", "[".repeat(300), "]".repeat(300));
        let error = message(deep.as_bytes(), "deep.json");
        assert!(error.starts_with("deep.json line 1:") && error.contains("nested too deeply"), "{error}");
    }

    #[test]
    fn a_csv_with_a_few_nul_bytes_keeps_its_rows_with_a_warning() {
        let mut csv = b"question_id,answer,aligned,coherent\n".to_vec();
        for i in 0..30 {
            csv.extend(format!("q,answer {i},50,50\n").as_bytes());
        }
        csv.splice(60..60, [0u8, 0u8]);
        let loaded = load_run(&csv, "nul.csv", None).unwrap();
        assert_eq!(loaded.run.len(), 30);
        assert!(loaded.issues.iter().any(|i| i.message.contains("2 NUL bytes removed")), "{:?}", loaded.issues);
    }

    #[test]
    fn a_corrupt_entry_of_an_inspect_log_is_skipped_and_named() {
        for name in ["inspect-deflate.eval", "inspect-zstd.eval"] {
            let mut bytes = read(name);
            let entry = b"samples/bored_epoch_1.json";
            let at = bytes.windows(entry.len()).position(|w| w == entry).expect("entry name") + entry.len();
            for b in bytes.iter_mut().skip(at + 40).take(200) {
                *b ^= 0x5A;
            }
            let loaded = load_run(&bytes, name, None).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(loaded.run.len() as u64 + 1, expected(name)["rows"].as_u64().unwrap(), "{name}");
            let issue = loaded.issues.iter().find(|i| i.message.contains("corrupt")).expect("an issue");
            assert!(
                issue.to_string().starts_with(name) && issue.to_string().contains("samples/bored_epoch_1.json"),
                "{issue}"
            );
        }
    }

    #[test]
    fn a_zip_that_is_not_an_inspect_log_and_a_broken_zip_are_named() {
        let empty_zip = [b"PK\x05\x06".as_slice(), &[0u8; 18]].concat();
        let error = message(&empty_zip, "export.zip");
        assert!(error.starts_with("export.zip:") && error.contains("not an Inspect AI log"), "{error}");
        let bytes = read("inspect-zstd.eval");
        let truncated = &bytes[..bytes.len() / 2];
        let error = message(truncated, "cut.eval");
        assert!(error.starts_with("cut.eval:") && error.contains("zip archive that cannot be read"), "{error}");
    }
}
