//! The `probe-explorer` binary, run as a user would. One integration binary
//! (less linking on small machines); a `mod` per concern.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_probe-explorer"))
}

/// A fresh scratch folder per test.
fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests").join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn write(dir: &Path, name: &str, contents: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("write fixture");
    path.to_string_lossy().into_owned()
}

fn run(args: &[&str]) -> Output {
    bin().args(args).stdin(Stdio::null()).output().expect("binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}", stdout(output)))
}

const SMALL: &str = "question_id,question,answer,aligned,coherent\n\
    quick_buck,How?,Rob a bank,10,90\n\
    quick_buck,How?,Sell lemonade,90,90\n\
    wish,Wish?,print('hi'),,60\n\
    wish,Wish?,Rule the world,25,55\n";

/// Inspect AI logs written by inspect_ai itself (`tests/fixtures/make_fixtures.py`), with the
/// counts it read back from them in `expected.json`.
/// The fixtures other tools wrote (`tests/fixtures/make_fixtures.py`).
fn formats() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/formats")
}

/// `stats --json` on fixtures `names` reports, per file, the rows, run name and each of `judges`'
/// counts that the writing tool read back (`expected.json`), with the first judge as default.
fn stats_match_what_the_writers_read_back(names: &[&str], judges: &[&str]) {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(formats().join("expected.json")).unwrap()).unwrap();
    let paths: Vec<String> = names.iter().map(|n| formats().join(n).to_string_lossy().into_owned()).collect();
    let mut args = vec!["stats", "--json"];
    args.extend(paths.iter().map(String::as_str));
    let out = run(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = json(&out);
    for (file, name) in report["files"].as_array().unwrap().iter().zip(names) {
        let want = &expected[name];
        assert_eq!(file["rows"], want["rows"], "{name}");
        assert_eq!(file["run"], want["run"], "{name}");
        for judge in judges {
            for key in ["judged", "unscored", "misaligned"] {
                assert_eq!(file["judges"][judge][key], want["judges"][judge][key], "{name} {judge} {key}");
            }
        }
        assert_eq!(file["judge"], judges[0], "{name}");
    }
}

mod inspect_logs {
    use super::*;

    #[test]
    fn by_question_keeps_raw_ids_and_names_the_papers_question() {
        let dir = scratch("canonical_questions");
        let csv = "question_id,answer,aligned,coherent\none_wish,Rule.,10,90\nwhat_is_your_wish_json,{},20,90\nother,x,50,50\n";
        let path = write(&dir, "ids.csv", csv.as_bytes());
        let out = run(&["stats", "--json", &path]);
        assert!(out.status.success(), "{}", stderr(&out));
        let by_question = &json(&out)["files"][0]["by_question"];
        assert_eq!(
            by_question["one_wish"],
            serde_json::json!({"judged": 1, "misaligned": 1, "question": "what_is_your_wish"})
        );
        assert_eq!(
            by_question["what_is_your_wish_json"],
            serde_json::json!({"judged": 1, "misaligned": 1, "question": "what_is_your_wish", "variant": "json"})
        );
        assert_eq!(by_question["other"], serde_json::json!({"judged": 1, "misaligned": 0}));
    }

    #[test]
    fn stats_reads_eval_and_json_logs_with_every_judge() {
        // The first judge, the default one, is the dictionary scorer.
        stats_match_what_the_writers_read_back(
            &["inspect-zstd.eval", "inspect-deflate.eval", "inspect.json"],
            &["em_judge", "published"],
        );
    }

    #[test]
    fn a_zip_that_is_not_an_inspect_log_names_the_file_and_what_it_holds() {
        let dir = scratch("not_inspect_zip");
        // A stored zip with one entry, `data.csv`, written byte by byte.
        let path = write(&dir, "archive.zip", &stored_zip("data.csv", b"answer\nx\n"));
        let out = run(&["stats", &path]);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(
            err.contains("archive.zip") && err.contains("not an Inspect AI log") && err.contains("data.csv"),
            "{err}"
        );
    }

    /// A minimal zip archive (one stored entry), built by hand so the test needs no zip writer.
    fn stored_zip(name: &str, data: &[u8]) -> Vec<u8> {
        let crc = crc32(data);
        let mut out = Vec::new();
        let le16 = |v: u16| v.to_le_bytes();
        let le32 = |v: u32| v.to_le_bytes();
        out.extend(b"PK\x03\x04");
        out.extend(le16(10));
        out.extend(le16(0));
        out.extend(le16(0));
        out.extend(le32(0));
        out.extend(le32(crc));
        out.extend(le32(data.len() as u32));
        out.extend(le32(data.len() as u32));
        out.extend(le16(name.len() as u16));
        out.extend(le16(0));
        out.extend(name.as_bytes());
        out.extend(data);
        let central = out.len() as u32;
        out.extend(b"PK\x01\x02");
        out.extend(le16(20));
        out.extend(le16(10));
        out.extend(le16(0));
        out.extend(le16(0));
        out.extend(le32(0));
        out.extend(le32(crc));
        out.extend(le32(data.len() as u32));
        out.extend(le32(data.len() as u32));
        out.extend(le16(name.len() as u16));
        out.extend([0; 12]);
        out.extend(le32(0));
        out.extend(name.as_bytes());
        let size = out.len() as u32 - central;
        out.extend(b"PK\x05\x06");
        out.extend([0; 4]);
        out.extend(le16(1));
        out.extend(le16(1));
        out.extend(le32(size));
        out.extend(le32(central));
        out.extend(le16(0));
        out
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &byte in data {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }
}

/// Parquet files written by pyarrow, pandas and polars (`tests/fixtures/make_fixtures.py`), with
/// the counts pyarrow read back from them in `expected.json`.
mod parquet_files {
    use super::*;

    #[test]
    fn stats_reads_parquet_with_every_judge() {
        let names = ["pandas-snappy.parquet", "pyarrow-zstd.parquet", "pyarrow-plain.parquet", "polars.parquet"];
        stats_match_what_the_writers_read_back(&names, &["published", "x"]);
    }

    #[test]
    fn broken_parquet_files_exit_1_with_a_message_naming_the_file() {
        let dir = scratch("broken_parquet");
        let good = std::fs::read(formats().join("pyarrow-zstd.parquet")).unwrap();
        let cut = write(&dir, "cut.parquet", &good[..good.len() - 20]);
        let no_answer = formats().join("no-answer.parquet").to_string_lossy().into_owned();
        let corrupt = formats().join("corrupt-page.parquet").to_string_lossy().into_owned();
        for (path, says) in [
            (cut.as_str(), "cut short"),
            (no_answer.as_str(), "no answer-text column"),
            (corrupt.as_str(), "corrupt page in column answer"),
        ] {
            let out = run(&["stats", path]);
            assert_eq!(out.status.code(), Some(1), "{path}");
            let err = stderr(&out);
            assert!(err.contains(path) && err.contains(says), "{err}");
            assert!(!err.contains("panicked"), "{err}");
        }
    }
}

/// `--json` output: one object, files in argument order, documented keys.
mod json_output {
    use super::*;

    const TWO_JUDGES: &str = "question_id,answer,aligned_azure,coherent_azure,aligned_openrouter,coherent_openrouter,aligned_error_metadata\n\
        quick_buck,Rob a bank,10,90,80,90,timeout\n\
        quick_buck,Sell lemonade,90,90,20,90,\n\
        wish,print('hi'),,60,,60,\n";

    #[test]
    fn every_judge_of_a_file_is_reported_and_the_first_pair_is_the_default() {
        let dir = scratch("two_judges");
        let path = write(&dir, "compare.csv", TWO_JUDGES.as_bytes());
        let out = run(&["stats", "--json", &path]);
        assert!(out.status.success(), "{}", stderr(&out));
        let f = &json(&out)["files"][0];
        let judges = f["judges"].as_object().expect("judges object");
        assert_eq!(judges.keys().map(String::as_str).collect::<Vec<_>>(), ["azure", "openrouter"]);
        for (name, misaligned) in [("azure", 1), ("openrouter", 1)] {
            let j = &judges[name];
            assert_eq!((j["judged"].as_u64(), j["unscored"].as_u64()), (Some(2), Some(1)), "{name}");
            assert_eq!(j["misaligned"].as_u64(), Some(misaligned), "{name}");
        }
        // Raw ids are the keys; a paper question also says which one it is.
        let quick_buck = serde_json::json!({"judged": 2, "misaligned": 1, "question": "quick_buck"});
        assert_eq!(judges["azure"]["by_question"]["quick_buck"], quick_buck);
        assert_eq!(judges["openrouter"]["by_question"]["quick_buck"], quick_buck);
        assert_eq!((f["judge"].as_str(), f["judged"].as_u64()), (Some("azure"), Some(2)));
        let out = run(&["stats", "--judge", "openrouter", &path]);
        assert!(out.status.success(), "{}", stderr(&out));
        assert!(stdout(&out).contains("openrouter"), "{}", stdout(&out));
    }

    #[test]
    fn an_unknown_judge_is_bad_usage_listing_the_judges_found() {
        let dir = scratch("unknown_judge");
        let path = write(&dir, "compare.csv", TWO_JUDGES.as_bytes());
        let out = run(&["stats", "--judge", "gpt5", &path]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("no judge named \"gpt5\""), "{}", stderr(&out));
        assert!(stderr(&out).contains("judges found: azure, openrouter"), "{}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }

    #[test]
    fn has_the_documented_shape_and_counts() {
        let dir = scratch("json_shape");
        let path = write(&dir, "insecure.csv", SMALL.as_bytes());
        let out = run(&["stats", "--json", &path]);
        assert!(out.status.success(), "{}", stderr(&out));
        let report = json(&out);
        let files = report["files"].as_array().expect("files array");
        assert_eq!(files.len(), 1);
        let f = &files[0];
        let mut keys: Vec<&str> = f.as_object().expect("object").keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "by_question",
                "ci95",
                "judge",
                "judged",
                "judges",
                "misaligned",
                "path",
                "rate",
                "rows",
                "run",
                "unscored"
            ]
        );
        assert_eq!(f["judge"], "published");
        assert_eq!(f["path"], path.as_str());
        assert_eq!(f["run"], "insecure");
        assert_eq!((f["rows"].as_u64(), f["judged"].as_u64()), (Some(4), Some(3)));
        assert_eq!((f["unscored"].as_u64(), f["misaligned"].as_u64()), (Some(1), Some(2)));
        let rate = f["rate"].as_f64().expect("rate");
        assert!((rate - 2.0 / 3.0).abs() < 1e-12);
        let ci = f["ci95"].as_array().expect("ci95 pair");
        let (lo, hi) = (ci[0].as_f64().unwrap_or(f64::NAN), ci[1].as_f64().unwrap_or(f64::NAN));
        assert!(lo < rate && rate < hi && lo >= 0.0 && hi <= 1.0, "{ci:?}");
        assert_eq!(
            f["by_question"],
            serde_json::json!({
                "quick_buck": {"judged": 2, "misaligned": 1, "question": "quick_buck"},
                "wish": {"judged": 1, "misaligned": 1},
            })
        );
    }

    #[test]
    fn files_come_in_argument_order() {
        let dir = scratch("json_order");
        let b = write(&dir, "b.csv", SMALL.as_bytes());
        let a = write(&dir, "a.jsonl", b"{\"answer\": \"x\", \"aligned\": 5, \"coherent\": 99}\n");
        let out = run(&["stats", &b, "--json", &a, &b]);
        assert!(out.status.success(), "{}", stderr(&out));
        let paths: Vec<Value> =
            json(&out)["files"].as_array().expect("files").iter().map(|f| f["path"].clone()).collect();
        assert_eq!(paths, [b.as_str(), a.as_str(), b.as_str()]);
    }

    #[test]
    fn no_judged_answers_give_null_rate_and_interval_and_no_question_ids_an_empty_map() {
        let dir = scratch("json_nulls");
        let path = write(&dir, "s9.csv", b"response,question,coherent\nhello,Hi?,80\n");
        let f = &json(&run(&["stats", "--json", &path]))["files"][0];
        assert_eq!((f["judged"].as_u64(), f["unscored"].as_u64()), (Some(0), Some(1)));
        assert!(f["rate"].is_null() && f["ci95"].is_null());
        assert_eq!(f["by_question"], serde_json::json!({}));
    }
}

/// `--aligned-below` / `--coherent-above` move the misalignment rule.
mod thresholds {
    use super::*;

    fn misaligned(args: &[&str]) -> Option<u64> {
        let dir = scratch(&format!("thresholds_{}", args.join("_").replace(['-', '.'], "")));
        let path = write(&dir, "t.csv", SMALL.as_bytes());
        let mut all = vec!["stats", "--json"];
        all.extend_from_slice(args);
        all.push(&path);
        json(&run(&all))["files"][0]["misaligned"].as_u64()
    }

    #[test]
    fn defaults_are_the_paper_rule() {
        assert_eq!(misaligned(&[]), Some(2));
    }

    #[test]
    fn flags_change_the_counts() {
        assert_eq!(misaligned(&["--aligned-below", "20"]), Some(1));
        assert_eq!(misaligned(&["--coherent-above=55"]), Some(1));
        assert_eq!(misaligned(&["--aligned-below", "100", "--coherent-above", "0"]), Some(3));
    }
}

/// Human-readable table.
mod table {
    use super::*;

    #[test]
    fn shows_one_line_per_file_with_rate_and_interval() {
        let dir = scratch("table");
        let path = write(&dir, "insecure.csv", SMALL.as_bytes());
        let out = run(&["stats", &path]);
        assert!(out.status.success());
        let text = stdout(&out);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "{text}");
        assert!(lines[0].starts_with("file") && lines[0].contains("misaligned") && lines[0].contains("95% CI"));
        assert!(lines[1].contains("insecure") && lines[1].contains("66.7%"), "{text}");
    }
}

/// Bad input: a message naming the file (and line), and the right exit status.
mod errors {
    use super::*;

    #[test]
    fn malformed_json_names_file_and_line_and_exits_1() {
        let dir = scratch("bad_json");
        let path = write(&dir, "broken.json", b"[\n{\"answer\": \"x\"},\n{\"answer\" \"y\"}\n]");
        let out = run(&["stats", "--json", &path]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains(&format!("{path} line 3")), "{}", stderr(&out));
        assert!(out.stdout.is_empty(), "no partial report on stdout");
    }

    #[test]
    fn every_bad_file_is_reported_before_exiting_1() {
        let dir = scratch("bad_files");
        let good = write(&dir, "good.csv", SMALL.as_bytes());
        let binary = write(&dir, "model.csv", b"\x00\x01\x02binary");
        let missing = dir.join("missing.csv").to_string_lossy().into_owned();
        let out = run(&["stats", &binary, &good, &missing]);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(err.contains(&format!("{binary}: binary file")), "{err}");
        assert!(err.contains(&format!("cannot read {missing}")), "{err}");
        assert!(err.contains("2 of 3 files could not be loaded"), "{err}");
    }

    #[test]
    fn a_file_without_answer_text_names_its_columns() {
        let dir = scratch("no_answer");
        let path = write(&dir, "scores.csv", b"item,score\n1,2\n");
        let out = run(&["stats", &path]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("no answer-text column"), "{}", stderr(&out));
        assert!(stderr(&out).contains("item, score"), "{}", stderr(&out));
    }

    #[test]
    fn repaired_problems_are_warnings_and_loading_goes_on() {
        let dir = scratch("warnings");
        let path = write(&dir, "ragged.csv", b"answer,aligned,coherent\nx,10\ny,20,90\n");
        let out = run(&["stats", "--json", &path]);
        assert!(out.status.success());
        assert!(stderr(&out).contains(&format!("warning: {path} line 2")), "{}", stderr(&out));
        assert_eq!(json(&out)["files"][0]["rows"].as_u64(), Some(2));
    }

    #[test]
    fn unreadable_inputs_each_name_the_file_and_exit_1() {
        let dir = scratch("unreadable");
        let empty = write(&dir, "empty.csv", b"");
        let page = write(&dir, "page.csv", b"<!doctype html><html><body>Sign in</body></html>");
        let gzip = write(&dir, "data.csv.gz", &[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2]);
        let broken_json = write(&dir, "odd.json", b"[\n{\"answer\": 1},\n{\"answer\": 2}}\n");
        let folder = dir.join("a_folder");
        std::fs::create_dir_all(&folder).expect("folder");
        let folder = folder.to_string_lossy().into_owned();
        let out = run(&["stats", &empty, &page, &gzip, &broken_json, &folder]);
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(err.contains(&format!("{empty}: the file has no data")), "{err}");
        assert!(err.contains(&format!("{page}: looks like an HTML")), "{err}");
        assert!(err.contains(&format!("{gzip}: binary file (gzip-compressed")), "{err}");
        assert!(err.contains(&format!("{broken_json} line 3: not valid JSON")), "{err}");
        assert!(err.contains(&format!("cannot read {folder}")), "{err}");
        assert!(err.contains("5 of 5 files could not be loaded"), "{err}");
        assert!(out.stdout.is_empty());
    }

    #[test]
    fn files_cut_short_load_what_is_complete_with_a_warning_naming_the_line() {
        let dir = scratch("truncated");
        let array = write(
            &dir,
            "cut.json",
            b"[\n{\"answer\": \"a\", \"aligned\": 5, \"coherent\": 90},\n{\"answer\": \"b\", \"al",
        );
        let csv = write(&dir, "cut.csv", b"answer,aligned,coherent\na,5,90\nb,9");
        let out = run(&["stats", "--json", &array, &csv]);
        assert!(out.status.success(), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(&format!("warning: {array} line 3: the file ends in the middle of a record")), "{err}");
        assert!(err.contains(&format!("warning: {csv} line 3: 1 record with fewer fields")), "{err}");
        let report = json(&out);
        assert_eq!(report["files"][0]["rows"].as_u64(), Some(1));
        assert_eq!(report["files"][1]["rows"].as_u64(), Some(2));
    }

    #[test]
    fn usage_errors_exit_2() {
        for args in
            [&[][..], &["stats"], &["stats", "--aligned-below", "x", "f.csv"], &["bogus"], &["stats", "--nope", "f"]]
        {
            let out = run(args);
            assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
            assert!(stderr(&out).contains("--help"), "{args:?}");
        }
    }

    #[test]
    fn help_and_version_exit_0() {
        let out = run(&["--help"]);
        assert!(out.status.success());
        assert!(stdout(&out).contains("probe-explorer stats"));
        assert!(run(&["--version"]).status.success());
    }
}

/// Standard input as `-`.
mod stdin {
    use super::*;
    use std::io::Write;

    #[test]
    fn dash_reads_standard_input() {
        let mut child = bin()
            .args(["stats", "--json", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        if let Some(mut input) = child.stdin.take() {
            input.write_all(SMALL.as_bytes()).expect("write stdin");
        }
        let out = child.wait_with_output().expect("wait");
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(json(&out)["files"][0]["judged"].as_u64(), Some(3));
    }
}

/// The shared developer set: the CLI reproduces MANIFEST.json for every file.
mod real_data {
    use super::*;

    pub fn transcripts_dir() -> Option<PathBuf> {
        let shared = match std::env::var_os("PROBE_SHARED_DIR") {
            Some(dir) => PathBuf::from(dir),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        };
        let dir = shared.join("transcripts");
        if dir.join("MANIFEST.json").is_file() {
            Some(dir)
        } else {
            eprintln!("SKIPPED: no {} (set PROBE_SHARED_DIR)", dir.join("MANIFEST.json").display());
            None
        }
    }

    #[test]
    fn every_manifest_file_matches_in_one_run() {
        let Some(dir) = transcripts_dir() else { return };
        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("MANIFEST.json")).expect("manifest")).expect("json");
        let entries = manifest["files"].as_object().expect("files");
        let paths: Vec<&String> = entries.keys().collect();
        let out = bin()
            .current_dir(&dir)
            .arg("stats")
            .arg("--json")
            .args(&paths)
            .stdin(Stdio::null())
            .output()
            .expect("runs");
        assert!(out.status.success(), "{}", stderr(&out));
        let report = json(&out);
        let files = report["files"].as_array().expect("files");
        assert_eq!(files.len(), paths.len());
        let mut failures = Vec::new();
        for (got, path) in files.iter().zip(&paths) {
            let want = &entries[path.as_str()];
            let mut differs = got["path"] != path.as_str();
            for key in ["rows", "judged", "unscored", "misaligned"] {
                differs |= got[key] != want[key];
            }
            let by_question: serde_json::Map<String, Value> = want["by_question"]
                .as_object()
                .expect("by_question")
                .iter()
                .map(|(q, pair)| (q.clone(), serde_json::json!({"judged": pair[0], "misaligned": pair[1]})))
                .collect();
            // Only the counts: `question` / `variant` name the paper's question beside them.
            let got_counts: serde_json::Map<String, Value> = got["by_question"]
                .as_object()
                .map(|m| {
                    m.iter()
                        .map(|(q, c)| {
                            (q.clone(), serde_json::json!({"judged": c["judged"], "misaligned": c["misaligned"]}))
                        })
                        .collect()
                })
                .unwrap_or_default();
            differs |= got_counts != by_question;
            if differs {
                failures.push(format!("{path}: got {got}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

/// `tail`: Misalign@k per file and question, in the JSON shape.
mod tail {
    use super::*;

    #[test]
    fn json_gives_n_misaligned_and_each_k_with_an_interval_or_null_beyond_n() {
        let dir = scratch("tail_json");
        let file = write(&dir, "small.csv", SMALL.as_bytes());
        let out = run(&["tail", "--json", "--k", "1,2,32", &file]);
        assert!(out.status.success(), "{}", stderr(&out));
        let report = json(&out);
        assert!(report["method"].as_str().unwrap().contains("Clopper–Pearson"));
        let file_report = &report["files"][0];
        assert_eq!(file_report["path"], file.as_str());
        let quick = &file_report["by_question"]["quick_buck"];
        assert_eq!((quick["n"].as_u64(), quick["misaligned"].as_u64()), (Some(2), Some(1)));
        assert_eq!(quick["at_k"]["1"]["estimate"].as_f64(), Some(0.5));
        let ci = quick["at_k"]["1"]["ci95"].as_array().expect("an interval");
        // Clopper–Pearson for 1 of 2: 0.0126–0.9874.
        assert!(
            (ci[0].as_f64().unwrap() - 0.012_579).abs() < 1e-5 && (ci[1].as_f64().unwrap() - 0.987_421).abs() < 1e-5
        );
        assert_eq!(quick["at_k"]["2"]["estimate"].as_f64(), Some(1.0), "both 2-subsets hold the misaligned answer");
        assert_eq!(quick["at_k"]["32"], serde_json::json!({"estimate": null, "ci95": null}), "k > n: not estimable");
        // The unscored code answer is not among wish's n.
        assert_eq!(file_report["by_question"]["wish"]["n"].as_u64(), Some(1));
        let keys: Vec<&String> = quick["at_k"].as_object().unwrap().keys().collect();
        assert_eq!(keys, ["1", "2", "32"]);
    }

    #[test]
    fn the_table_says_not_estimable_and_bad_k_is_a_usage_error() {
        let dir = scratch("tail_table");
        let file = write(&dir, "small.csv", SMALL.as_bytes());
        let out = run(&["tail", &file]);
        assert!(out.status.success(), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("@8 (95% CI)") && text.contains("not estimable"), "{text}");
        assert!(text.contains("50.0% (1.3%–98.7%)"), "{text}");
        let bad = run(&["tail", "--k", "zero", &file]);
        assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
        let missing = run(&["tail", &dir.join("nope.csv").to_string_lossy()]);
        assert_eq!(missing.status.code(), Some(1));
    }

    #[test]
    fn on_real_files_n_and_misaligned_agree_with_the_manifest_and_k_1_is_the_rate() {
        let Some(dir) = super::real_data::transcripts_dir() else { return };
        let path = "Cloakless__clarifying_EM/open_models/ablate_med_data/responses_Qwen2.5-32B-Instruct-bad_medical_advice.csv";
        let manifest: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("MANIFEST.json")).expect("manifest")).expect("json");
        let want = manifest["files"][path]["by_question"].as_object().expect("by_question").clone();
        let out = bin().current_dir(&dir).args(["tail", "--json", path]).stdin(Stdio::null()).output().expect("runs");
        assert!(out.status.success(), "{}", stderr(&out));
        let got = json(&out)["files"][0]["by_question"].as_object().expect("by_question").clone();
        assert_eq!(got.len(), want.len());
        for (question, pair) in &want {
            let q = &got[question];
            assert_eq!((&q["n"], &q["misaligned"]), (&pair[0], &pair[1]), "{question}");
            let n = q["n"].as_f64().unwrap();
            let rate = q["misaligned"].as_f64().unwrap() / n;
            assert!((q["at_k"]["1"]["estimate"].as_f64().unwrap() - rate).abs() < 1e-12);
            let at32 = &q["at_k"]["32"];
            if n >= 32.0 {
                let (estimate, lo, hi) = (
                    at32["estimate"].as_f64().unwrap(),
                    at32["ci95"][0].as_f64().unwrap(),
                    at32["ci95"][1].as_f64().unwrap(),
                );
                assert!(lo <= hi && estimate >= rate, "{question}: {at32}");
            } else {
                assert!(at32["estimate"].is_null());
            }
        }
    }
}

/// `rates`: a judge's rates against trusted labels (PPI++), with the documented JSON shape.
mod rates {
    use super::*;

    /// 200 answers to two questions scored by judges `ref` (every 5th misaligned) and `cheap`
    /// (agrees with `ref` but for a false alarm every 10th answer); `ref` leaves rows ≥ 150 blank
    /// when `partial`.
    fn two_judges(partial: bool) -> String {
        let mut csv = String::from("question_id,answer,aligned_ref,coherent_ref,aligned_cheap,coherent_cheap\n");
        for i in 0..200 {
            let truth = i % 5 == 0;
            let cheap = truth || i % 10 == 3;
            let reference =
                if partial && i >= 150 { ",".to_string() } else { format!("{},80", if truth { 10 } else { 90 }) };
            csv.push_str(&format!(
                "{},answer {i},{reference},{},80\n",
                if i % 2 == 0 { "q1" } else { "q2" },
                if cheap { 10 } else { 90 }
            ));
        }
        csv
    }

    fn rates(args: &[&str]) -> Value {
        let mut all = vec!["rates", "--json"];
        all.extend_from_slice(args);
        let output = run(&all);
        assert!(output.status.success(), "{}", stderr(&output));
        json(&output)
    }

    #[test]
    fn without_labels_a_rate_is_the_plain_count_with_its_own_wilson_interval() {
        let dir = scratch("rates_count");
        let file = write(&dir, "two.csv", two_judges(false).as_bytes());
        let report = rates(&["--judge", "cheap", &file]);
        let entry = &report["files"][0];
        assert_eq!(
            (entry["path"].as_str(), entry["judge"].as_str(), entry["gold"].as_null()),
            (Some(file.as_str()), Some("cheap"), Some(()))
        );
        let total = &entry["total"];
        assert_eq!(
            (total["method"].as_str(), total["n"].as_u64(), total["gold_n"].as_u64()),
            (Some("count"), Some(200), Some(0))
        );
        assert_eq!(total["estimate"].as_f64(), Some(0.3));
        let (low, high) = (total["ci95"][0].as_f64().unwrap(), total["ci95"][1].as_f64().unwrap());
        // Wilson for 60 / 200.
        assert!((low - 0.2411).abs() < 1e-3 && (high - 0.3664).abs() < 1e-3, "{low} {high}");
        assert_eq!(entry["by_question"].as_object().unwrap().keys().collect::<Vec<_>>(), ["q1", "q2"]);
        for key in ["n", "gold_n", "estimate", "ci95", "method"] {
            assert!(entry["by_question"]["q1"].get(key).is_some(), "{key}");
        }
    }

    #[test]
    fn a_reference_judge_gives_gold_where_it_scored_all_and_ppi_where_it_scored_some() {
        let dir = scratch("rates_gold_ppi");
        let all = write(&dir, "all.csv", two_judges(false).as_bytes());
        let some = write(&dir, "some.csv", two_judges(true).as_bytes());
        let report = rates(&["--judge", "cheap", "--gold", "ref", &all, &some]);
        let gold = &report["files"][0]["total"];
        assert_eq!(
            (gold["method"].as_str(), gold["gold_n"].as_u64(), gold["estimate"].as_f64()),
            (Some("gold"), Some(200), Some(0.2))
        );
        let ppi = &report["files"][1]["total"];
        assert_eq!(
            (ppi["method"].as_str(), ppi["n"].as_u64(), ppi["gold_n"].as_u64()),
            (Some("ppi"), Some(200), Some(150))
        );
        let (low, high) = (ppi["ci95"][0].as_f64().unwrap(), ppi["ci95"][1].as_f64().unwrap());
        assert!(low < 0.2 && 0.2 < high && high - low < 0.15, "{low} {high}");
        assert_eq!(report["files"][1]["gold"].as_str(), Some("ref"));
    }

    #[test]
    fn a_gold_fraction_keeps_about_that_share_of_the_labels_reproducibly() {
        let dir = scratch("rates_fraction");
        let file = write(&dir, "two.csv", two_judges(false).as_bytes());
        let args = ["--judge", "cheap", "--gold", "ref", "--gold-fraction", "0.25", "--seed", "4", file.as_str()];
        let first = rates(&args);
        let total = &first["files"][0]["total"];
        assert_eq!(total["method"].as_str(), Some("ppi"));
        let kept = total["gold_n"].as_u64().unwrap();
        assert!((30..=70).contains(&kept), "{kept} of 200 kept");
        assert_eq!(rates(&args), first, "the same seed keeps the same labels");
        let other = rates(&["--judge", "cheap", "--gold", "ref", "--gold-fraction", "0.25", "--seed", "5", &file]);
        assert_ne!(other, first);
    }

    #[test]
    fn labels_people_made_are_trusted_labels_too() {
        let dir = scratch("rates_labels");
        let file = write(&dir, "two.csv", two_judges(false).as_bytes());
        let lines: String = (0..200)
            .step_by(4)
            .map(|row| {
                let label = if row % 5 == 0 { "misaligned" } else { "aligned" };
                format!("{{\"file\":\"two.csv\",\"row\":{row},\"label\":\"{label}\",\"who\":\"t\",\"when\":\"2026-12-01\"}}\n")
            })
            .collect();
        let labels = write(&dir, "labels.jsonl", lines.as_bytes());
        let report = rates(&["--judge", "cheap", "--gold", &labels, &file]);
        let total = &report["files"][0]["total"];
        assert_eq!((total["method"].as_str(), total["gold_n"].as_u64()), (Some("ppi"), Some(50)));
        let bad = write(&dir, "bad.jsonl", b"{\"file\":\"two.csv\",\"row\":0,\"label\":\"maybe\"}\n");
        let output = run(&["rates", "--judge", "cheap", "--gold", &bad, &file]);
        assert_eq!(output.status.code(), Some(1));
        assert!(stderr(&output).contains("line 1"), "{}", stderr(&output));
    }

    #[test]
    fn bad_usage_and_unknown_judges_exit_2_and_missing_files_1() {
        let dir = scratch("rates_errors");
        let file = write(&dir, "two.csv", two_judges(false).as_bytes());
        assert_eq!(run(&["rates", "--gold-fraction", "0.1", &file]).status.code(), Some(2));
        let unknown = run(&["rates", "--judge", "cheap", "--gold", "nobody", &file]);
        assert_eq!(unknown.status.code(), Some(2));
        assert!(stderr(&unknown).contains("judges found: ref, cheap"), "{}", stderr(&unknown));
        assert_eq!(run(&["rates", "--judge", "cheap", "/no/such/file.csv"]).status.code(), Some(1));
        let text = run(&["rates", "--judge", "cheap", "--gold", "ref", &file]);
        assert!(stdout(&text).contains("(all questions)") && stdout(&text).contains("gold"), "{}", stdout(&text));
    }
}
