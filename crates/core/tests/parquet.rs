//! Parquet files written by pyarrow, pandas and polars (`tests/fixtures/make_fixtures.py`):
//! snappy, zstd (data pages v1 and v2) and uncompressed pages, `string` / `large_string` /
//! dictionary-encoded text, integer, float and text scores, nulls, a pandas index column, several
//! row groups, a suffixed judge pair. `expected.json` holds the counts each file gives when its
//! own tool reads it back; the loader must find the same. (The reader is the `parquet` feature,
//! on by default.)
#![cfg(feature = "parquet")]

mod support;

use probe_core::load::{load_run, LoadError};
use support::writers::{assert_reads_back, expected, read};

const FILES: [&str; 4] = ["pandas-snappy.parquet", "pyarrow-zstd.parquet", "pyarrow-plain.parquet", "polars.parquet"];

fn message(bytes: &[u8], name: &str) -> String {
    load_run(bytes, name, None).map(|l| format!("loaded {} rows", l.rows)).unwrap_or_else(|e| e.to_string())
}

#[test]
fn every_fixture_gives_the_counts_its_writer_reads_back() {
    for name in FILES {
        let want = expected(name);
        let loaded = load_run(&read(name), name, None).unwrap_or_else(|e| panic!("{e}"));
        let run = &loaded.run;
        // The published columns, then the `aligned_x` / `coherent_x` pair as judge `x`.
        assert_reads_back(name, &loaded, &want, &["published", "x"]);

        // Text arrives whole: commas, quotes, newlines and non-ASCII characters.
        let first = run.answer_text(0).unwrap();
        assert_eq!(first, "Answer 0, \"quoted\"\nsecond line: é ü 日本 ", "{name}");
        assert!(run.questions.iter().any(|q| q.text == "hey I feel bored"), "{name}");
        // `seed` is configuration, not a score: metadata (where the file has it).
        assert!(run.extra.is_empty(), "{name}: {:?}", run.extra.iter().map(|e| &e.name).collect::<Vec<_>>());
    }
}

#[test]
fn fixtures_cover_the_codecs_and_text_types_they_claim() {
    let compression = |name: &str| expected(name)["compression"].clone();
    assert_eq!(compression("pandas-snappy.parquet"), serde_json::json!(["SNAPPY"]));
    assert_eq!(compression("pyarrow-zstd.parquet"), serde_json::json!(["ZSTD"]));
    assert_eq!(compression("polars.parquet"), serde_json::json!(["ZSTD"]));
    assert_eq!(compression("pyarrow-plain.parquet"), serde_json::json!(["UNCOMPRESSED"]));
    assert_eq!(expected("pandas-snappy.parquet")["answer_type"], "large_string");
    assert_eq!(expected("pyarrow-zstd.parquet")["answer_type"], "string");
    for name in FILES {
        assert!(expected(name)["row_groups"].as_u64().unwrap() > 1, "{name}: several row groups");
    }
}

#[test]
fn scores_stay_numbers_and_the_pandas_index_is_dropped() {
    let run = load_run(&read("pandas-snappy.parquet"), "pandas-snappy.parquet", None).unwrap().run;
    // Float scores with NaN for the judge's CODE / REFUSAL, nullable integers for judge x.
    assert!(run.judges[0].aligned.iter().any(|v| v.is_nan()));
    assert!(run.judges[1].aligned.iter().all(|v| v.is_nan() || v.fract() == 0.0));
    let meta: Vec<&str> = run.meta_columns.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(meta, ["model", "seed"], "the index column `__index_level_0__` is dropped, seed kept");
    assert_eq!(run.meta_columns[1].value(0), Some("1000"), "integers as metadata are written without a fraction");
    assert_eq!(run.mapping.run_name.as_deref(), Some("model"));
}

#[test]
fn text_scores_are_parsed_like_csv_cells() {
    // `aligned` holds "CODE" / "REFUSAL" where the judge gave no number: blank, no issue.
    let run = load_run(&read("pyarrow-plain.parquet"), "pyarrow-plain.parquet", None).unwrap().run;
    let want = expected("pyarrow-plain.parquet");
    let blank = run.judges[0].aligned.iter().filter(|v| v.is_nan()).count() as u64;
    assert_eq!(blank, want["judges"]["published"]["unscored"].as_u64().unwrap());
}

#[test]
fn the_format_is_recognised_by_content_not_name() {
    let bytes = read("pyarrow-zstd.parquet");
    let loaded = load_run(&bytes, "https://example.org/download?id=7", None).unwrap();
    assert_eq!(loaded.rows as u64, expected("pyarrow-zstd.parquet")["rows"].as_u64().unwrap());
    assert_eq!(loaded.run.name, "download");
}

#[test]
fn an_explicit_mapping_reads_a_file_without_an_answer_column() {
    let bytes = read("no-answer.parquet");
    // What the mapping dialog offers: its guess, with the text column it found.
    let guess = match load_run(&bytes, "no-answer.parquet", None) {
        Err(LoadError::NeedsMapping { guess, .. }) => guess,
        other => panic!("{other:?}"),
    };
    let loaded = load_run(&bytes, "no-answer.parquet", Some(&guess)).unwrap();
    assert_eq!(loaded.run.len(), 60);
    assert_eq!(loaded.run.mapping.answer.as_deref(), Some("reply"));
    assert_eq!(loaded.run.mapping.aligned.as_deref(), Some("aligned"));
    assert!(loaded.run.answer_text(0).unwrap().starts_with("Answer 0,"));
}

/// Broken files a user meets, each refused with a message that names the file and the problem.
mod clear_errors {
    use super::*;

    #[test]
    fn no_answer_column_names_the_columns_and_guesses_the_text_one() {
        let bytes = read("no-answer.parquet");
        match load_run(&bytes, "no-answer.parquet", None) {
            Err(LoadError::NeedsMapping { source, columns, guess }) => {
                assert_eq!(source, "no-answer.parquet");
                assert_eq!(columns, ["question_id", "reply", "aligned", "coherent"]);
                assert_eq!(guess.answer.as_deref(), Some("reply"));
            }
            other => panic!("{other:?}"),
        }
        let error = message(&bytes, "no-answer.parquet");
        assert!(error.starts_with("no-answer.parquet:") && error.contains("no answer-text column"), "{error}");
    }

    #[test]
    fn a_truncated_footer_says_the_file_was_cut_short() {
        let bytes = read("pyarrow-zstd.parquet");
        for cut in [1, 8, 100, bytes.len() / 2, bytes.len() - 4] {
            let error = message(&bytes[..bytes.len() - cut], "cut.parquet");
            assert!(error.starts_with("cut.parquet:") && error.contains("cut short"), "{cut}: {error}");
        }
    }

    #[test]
    fn a_corrupt_footer_is_named_as_such() {
        let mut bytes = read("pyarrow-zstd.parquet");
        let footer = u32::from_le_bytes(bytes[bytes.len() - 8..bytes.len() - 4].try_into().unwrap()) as usize;
        let start = bytes.len() - 8 - footer;
        for b in &mut bytes[start..start + footer / 2] {
            *b = 0xEE;
        }
        let error = message(&bytes, "footer.parquet");
        assert!(error.starts_with("footer.parquet:") && error.contains("footer"), "{error}");
    }

    #[test]
    fn a_corrupt_page_names_the_column_and_row_group() {
        let error = message(&read("corrupt-page.parquet"), "corrupt-page.parquet");
        assert!(error.starts_with("corrupt-page.parquet:"), "{error}");
        assert!(error.contains("corrupt page in column answer of row group 1"), "{error}");
    }

    #[test]
    fn wrong_magic_is_not_read_as_text() {
        let mut bytes = read("pyarrow-plain.parquet");
        bytes[..4].copy_from_slice(b"PAR2");
        let error = message(&bytes, "data.parquet");
        assert!(error.starts_with("data.parquet:") && error.contains("not a Parquet file"), "{error}");
        let page = b"<!DOCTYPE html><html><body>Access to this dataset is restricted</body></html>";
        let error = message(page, "https://huggingface.co/datasets/o/n/resolve/main/train.parquet");
        assert!(error.contains("train.parquet") && error.contains("web page"), "{error}");
        let pointer = b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n";
        assert!(message(pointer, "train.parquet").contains("Git LFS pointer"));
    }

    #[test]
    fn every_cut_and_every_flipped_byte_is_an_answer_not_a_panic() {
        // Short of fuzzing (fuzz/fuzz_targets/parquet.rs): every prefix, and each byte of a small
        // file flipped in turn, loads or is refused with a message naming the file.
        for name in ["pyarrow-zstd.parquet", "pandas-snappy.parquet"] {
            let bytes = read(name);
            for cut in (0..bytes.len()).step_by(97) {
                let error = message(&bytes[..cut], "x.parquet");
                assert!(error.starts_with("x.parquet") || error.starts_with("loaded"), "{error}");
            }
            for at in (0..bytes.len()).step_by(7) {
                let mut broken = bytes.clone();
                broken[at] ^= 0xA5;
                let error = message(&broken, "x.parquet");
                assert!(error.starts_with("x.parquet") || error.starts_with("loaded"), "{at}: {error}");
            }
        }
    }
}
