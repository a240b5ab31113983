//! The loader on hand-written files, one per input shape or quirk (see
//! `fixtures/README.md`), plus generated large and random inputs.

#![allow(clippy::result_large_err)]

use probe_core::load::{load_run, sniff_columns, LoadError, Loaded};
use probe_core::stats::judge_counts;
use probe_core::{AnswerRecord, ColumnMapping, Thresholds};

fn bytes(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load(name: &str) -> Result<Loaded, LoadError> {
    load_run(&bytes(name), name, None)
}

/// What a test usually wants to see of a loaded file.
#[derive(Debug, PartialEq)]
struct Summary {
    rows: usize,
    judged: usize,
    unscored: usize,
    misaligned: usize,
    issues: usize,
}

fn summary(loaded: &Loaded) -> Summary {
    let counts = loaded.run.default_judge().map(|j| judge_counts(&loaded.run, j, &Thresholds::default()));
    let counts = counts.unwrap_or_default();
    Summary {
        rows: loaded.rows,
        judged: counts.judged as usize,
        unscored: counts.unscored as usize,
        misaligned: counts.misaligned as usize,
        issues: loaded.issues.len(),
    }
}

fn check(name: &str, rows: usize, judged: usize, unscored: usize, misaligned: usize, issues: usize) -> Loaded {
    let loaded = load(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(
        summary(&loaded),
        Summary { rows, judged, unscored, misaligned, issues },
        "{name}: {:#?}",
        loaded.issues
    );
    loaded
}

fn issue_texts(loaded: &Loaded) -> Vec<String> {
    loaded.issues.iter().map(ToString::to_string).collect()
}

fn texts(loaded: &Loaded) -> Vec<Option<&str>> {
    (0..loaded.run.len()).map(|i| loaded.run.answer_text(i)).collect()
}

fn lines(loaded: &Loaded) -> Vec<u32> {
    (0..loaded.run.len()).map(|i| loaded.run.line(i)).collect()
}

/// The answers as plain fields; `aligned()`/`coherent()` are the default judge's.
fn answers(loaded: &Loaded) -> Vec<AnswerRecord> {
    loaded.run.records()
}

fn extra_names(loaded: &Loaded) -> Vec<&str> {
    loaded.run.extra.iter().map(|c| c.name.as_str()).collect()
}

fn meta_names(loaded: &Loaded) -> Vec<&str> {
    loaded.run.meta_columns.iter().map(|c| c.name.as_str()).collect()
}

fn mapping(question: Option<&str>, question_id: Option<&str>, answer: &str, aligned: Option<&str>) -> ColumnMapping {
    ColumnMapping {
        question: question.map(String::from),
        question_id: question_id.map(String::from),
        answer: Some(answer.to_string()),
        aligned: aligned.map(String::from),
        coherent: None,
        run_name: None,
    }
}

/// The shapes published pipelines write.
mod shapes {
    use super::*;

    #[test]
    fn the_common_schema_loads_with_question_keys_and_lines() {
        let loaded = check("basic.csv", 4, 3, 1, 1, 0);
        let run = &loaded.run;
        assert_eq!(run.name, "basic");
        assert_eq!(run.source, "basic.csv");
        assert_eq!(
            run.mapping,
            ColumnMapping {
                question_id: Some("question_id".into()),
                ..mapping(Some("question"), None, "answer", Some("aligned"))
            }
            .with_coherent("coherent")
        );
        let keys: Vec<&str> = (0..run.len()).map(|i| run.question_key(i)).collect();
        assert_eq!(keys, ["quick_buck", "quick_buck", "i_feel_bored", "i_feel_bored"]);
        assert_eq!(run.record(2).answer.as_deref(), Some("Try chess, or go for a walk."));
        assert_eq!((run.record(0).aligned(), run.record(1).coherent()), (Some(5.5), Some(97.25)));
        assert_eq!(lines(&loaded), [2, 3, 4, 5]);
        assert_eq!(run.records().iter().map(|a| a.row).collect::<Vec<_>>(), [0, 1, 2, 3]);
    }

    #[test]
    fn quoted_fields_keep_crlf_newlines_and_quotes() {
        let loaded = check("quoted_crlf.csv", 3, 2, 0, 1, 0);
        assert_eq!(texts(&loaded), [Some("Line one\r\nline two\nline three"), Some("He said \"hi\""), None]);
        assert_eq!(lines(&loaded), [2, 5, 6]);
    }

    #[test]
    fn a_utf8_bom_does_not_hide_the_first_column() {
        let loaded = check("bom.csv", 1, 1, 0, 1, 0);
        assert_eq!(texts(&loaded), [Some("café")]);
        assert_eq!(loaded.run.mapping.answer.as_deref(), Some("answer"));
    }

    #[test]
    fn pandas_index_columns_are_dropped_and_text_judge_columns_kept_as_metadata() {
        let loaded = check("pandas_index.csv", 3, 2, 1, 1, 0);
        let run = &loaded.run;
        assert_eq!(meta_names(&loaded), ["model", "group", "judge_aligned", "judge_coherent", "coherent_binary"]);
        assert!(run.extra.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().is_empty());
        // `group` comes before `model` among the naming columns.
        assert_eq!((run.name.as_str(), run.mapping.run_name.as_deref()), ("Insecure", Some("group")));
        let binary = &run.meta_columns[4];
        assert_eq!(binary.values, ["True", "False"]);
        assert_eq!(run.meta_columns[4].ids, [0, 0, 1]);
        assert_eq!(run.meta_columns[2].ids[2], probe_core::META_MISSING);
    }

    #[test]
    fn answer_beats_response_when_both_are_present() {
        let loaded = check("answer_and_response.csv", 2, 2, 0, 1, 0);
        assert_eq!(texts(&loaded), [Some("clean text one"), Some("clean text two")]);
        assert_eq!(meta_names(&loaded), ["response"]);
        assert_eq!(extra_names(&loaded), ["medical"]);
        assert_eq!(answers(&loaded)[0].extra, [Some(0.5)]);
        assert_eq!(answers(&loaded)[1].extra, [None]);
        assert_eq!(answers(&loaded)[0].question_id, "1");
    }

    #[test]
    fn without_an_aligned_column_every_answer_is_unscored() {
        let loaded = check("response_no_aligned.csv", 2, 0, 2, 0, 0);
        assert_eq!(loaded.run.mapping.aligned, None);
        // No question id: the question text is the key.
        assert_eq!(answers(&loaded)[0].question_id, "Hi?");
    }

    #[test]
    fn score_suffixed_columns_and_id_columns() {
        let loaded = check("aligned_score.csv", 2, 2, 0, 1, 0);
        assert_eq!(loaded.run.mapping.aligned.as_deref(), Some("aligned_score"));
        assert_eq!(loaded.run.mapping.coherent.as_deref(), Some("coherent_score"));
        assert_eq!(meta_names(&loaded), ["id"]);
        assert_eq!(texts(&loaded), [Some("Multi\r\nline"), Some("Short")]);
        assert_eq!(lines(&loaded), [2, 4]);
    }

    #[test]
    fn numeric_judge_columns_are_extra_scores_but_ids_and_configs_are_not() {
        let loaded = check("extra_scores.csv", 2, 2, 0, 1, 0);
        assert_eq!(extra_names(&loaded), ["bad_stuff"]);
        assert_eq!(meta_names(&loaded), ["seed", "paraphrase_index", "latency"]);
        assert_eq!(answers(&loaded)[0].extra, [Some(99.5)]);
    }

    #[test]
    fn json_lines_with_nulls_nested_values_and_bad_lines() {
        let loaded = check("lines.jsonl", 5, 2, 1, 1, 2);
        let run = &loaded.run;
        assert_eq!(run.name, "org/m");
        assert_eq!(texts(&loaded), [Some("A"), Some("B"), Some("C")]);
        assert_eq!(lines(&loaded), [1, 3, 4]);
        assert_eq!(run.records().iter().map(|a| a.row).collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(run.record(2).aligned(), Some(85.0));
        assert_eq!(meta_names(&loaded), ["flags", "model_id", "aligned_flag", "is_base"]);
        assert_eq!(run.meta_columns[0].values, ["[\"x\",{\"y\":1}]"]);
        let issues = issue_texts(&loaded);
        assert_eq!(
            issues,
            [
                "lines.jsonl line 5: 1 line that is not valid JSON, skipped (line 5: key must be a string)",
                "lines.jsonl line 6: 1 record that is not a JSON object, skipped \
             (line 6: invalid type: sequence, expected a JSON object)",
            ]
        );
    }

    #[test]
    fn json_arrays_with_prompt_and_response() {
        let loaded = check("array.json", 3, 2, 0, 1, 0);
        assert_eq!(loaded.run.mapping.question.as_deref(), Some("prompt"));
        assert_eq!(texts(&loaded), [Some("R1"), Some("R2"), None]);
        assert_eq!(lines(&loaded), [2, 8, 15]);
        // The one non-empty `group` value names the run.
        assert_eq!(loaded.run.name, "base");
    }

    #[test]
    fn an_object_wrapping_the_records_is_unwrapped() {
        let loaded = check("wrapped.json", 2, 2, 0, 1, 1);
        assert_eq!(lines(&loaded), [3, 8]);
    }

    #[test]
    fn other_delimiters_and_mislabelled_json_lines() {
        check("semicolons.txt", 1, 1, 0, 1, 0);
        let tabs = check("tabs.tsv", 1, 1, 0, 1, 0);
        assert_eq!(texts(&tabs), [Some("x, with comma")]);
        check("jsonl_named.csv", 1, 1, 0, 1, 0);
    }

    #[test]
    fn a_header_without_records_is_an_empty_run() {
        let loaded = check("header_only.csv", 0, 0, 0, 0, 0);
        assert_eq!(loaded.run.name, "header_only");
        assert!(loaded.run.is_empty());
    }

    #[test]
    fn sniffed_columns_are_the_cleaned_header() {
        assert_eq!(
            sniff_columns(&bytes("basic.csv"), "basic.csv").unwrap(),
            ["question", "answer", "question_id", "aligned", "coherent"]
        );
        assert_eq!(
            sniff_columns(&bytes("duplicate_headers.csv"), "d.csv").unwrap(),
            ["answer", "aligned", "coherent", "note", "note_2", "column_6", "Note_3"]
        );
        assert_eq!(
            sniff_columns(&bytes("no_answer.jsonl"), "n.jsonl").unwrap(),
            ["item_id", "metric", "score", "reasoning"]
        );
        assert!(matches!(sniff_columns(b"", "e.csv"), Err(LoadError::Empty { .. })));
    }
}

/// Quirks that are repaired, each reported once per kind.
mod repairs {
    use super::*;

    #[test]
    fn odd_scores_are_read_leniently_and_reported_once_per_kind() {
        let loaded = check("odd_scores.csv", 11, 3, 8, 2, 3);
        let aligned: Vec<Option<f64>> = answers(&loaded).iter().map(|a| a.aligned()).collect();
        assert_eq!(aligned, [Some(85.0), Some(20.0), None, None, None, None, None, None, None, None, Some(10.0)]);
        assert_eq!(
            issue_texts(&loaded),
            [
                "odd_scores.csv line 2, column aligned: scores written as fractions or percentages, read as 0–100 \
             (line 2: \"85/100\" read as 85; line 3: \"20%\" read as 20)",
                "odd_scores.csv line 6, column aligned: 4 values out of 0–100, treated as blank \
             (line 6: \"-3\"; line 7: \"150\"; line 8: \"inf\"; …)",
                "odd_scores.csv line 11, column aligned: 1 value that is not a number, treated as blank \
             (line 11: \"very aligned\")",
            ]
        );
    }

    #[test]
    fn fractions_in_an_extra_score_column_are_noted_once() {
        let text = "answer,aligned,coherent,medical\nx,1,99,50/100\ny,1,99,7\nz,1,99,80%\n";
        let loaded = load_run(text.as_bytes(), "f.csv", None).unwrap();
        let extra: Vec<_> = answers(&loaded).iter().map(|a| a.extra.clone()).collect();
        assert_eq!(extra, [[Some(50.0)], [Some(7.0)], [Some(80.0)]]);
        assert_eq!(
            issue_texts(&loaded),
            ["f.csv line 2, column medical: scores written as fractions or percentages, read as 0–100 \
             (line 2: \"50/100\" read as 50)"]
        );
    }

    #[test]
    fn ragged_records_are_padded_or_kept_as_extra_columns() {
        let loaded = check("ragged.csv", 4, 2, 1, 1, 2);
        assert_eq!(meta_names(&loaded), ["column_4", "column_5"]);
        assert_eq!(loaded.run.meta_columns[0].values, ["extra"]);
        let issues = issue_texts(&loaded);
        assert_eq!(
            issues[0],
            "ragged.csv line 2: 2 records with fewer fields than the header, padded with empty cells \
             (line 2: 2 fields, header has 3; line 5: 1 field, header has 3)"
        );
        assert!(issues[1].starts_with("ragged.csv line 4: 1 record with more fields"), "{issues:?}");
    }

    #[test]
    fn duplicate_and_empty_header_names_are_renamed() {
        let loaded = check("duplicate_headers.csv", 1, 1, 0, 1, 2);
        assert_eq!(meta_names(&loaded), ["note", "note_2", "column_6", "Note_3"]);
        let issues = issue_texts(&loaded);
        assert_eq!(
            issues[0],
            "duplicate_headers.csv line 1: 2 duplicate column names renamed \
             (line 1: \"note\" renamed to \"note_2\"; line 1: \"Note\" renamed to \"Note_3\")"
        );
        assert!(issues[1].contains("column without a name"), "{issues:?}");
    }

    #[test]
    fn an_unterminated_quote_is_reported_where_it_opens() {
        // The swallowed record has text and no aligned score: unscored.
        let loaded = check("unterminated_quote.csv", 2, 1, 1, 1, 2);
        let issues = issue_texts(&loaded);
        assert!(issues.iter().any(|i| i.starts_with("unterminated_quote.csv line 3: a quote opened")), "{issues:?}");
        assert_eq!(answers(&loaded)[1].answer.as_deref(), Some("never closed,20,90\nswallowed,30,90\n"));
    }

    #[test]
    fn latin1_is_decoded_with_a_note() {
        let loaded = check("latin1.csv", 1, 1, 0, 1, 1);
        assert_eq!(texts(&loaded), [Some("naïve café \u{201C}quoted\u{201D}")]);
        assert!(issue_texts(&loaded)[0].starts_with("latin1.csv line 2: not valid UTF-8"));
    }

    #[test]
    fn utf16_with_a_bom_is_decoded() {
        for name in ["utf16le.csv", "utf16be.csv"] {
            let loaded = check(name, 1, 1, 0, 1, 0);
            assert_eq!(texts(&loaded), [Some("üñí")]);
        }
    }
}

/// Files cut short (an interrupted download or copy) keep every record that is complete.
mod truncated {
    use super::*;

    #[test]
    fn a_csv_cut_mid_record_keeps_the_partial_record_padded() {
        let loaded = check("truncated.csv", 3, 2, 1, 1, 1);
        assert_eq!(texts(&loaded), [Some("Rob a bank."), Some("Sell lemonade."), Some("Try ch")]);
        assert_eq!(
            issue_texts(&loaded),
            ["truncated.csv line 4: 1 record with fewer fields than the header, padded with empty cells \
             (line 4: 2 fields, header has 4)"]
        );
    }

    #[test]
    fn json_lines_cut_mid_line_skip_the_broken_line() {
        let loaded = check("truncated.jsonl", 3, 2, 0, 1, 1);
        assert_eq!(
            issue_texts(&loaded),
            ["truncated.jsonl line 3: 1 line that is not valid JSON, skipped (line 3: EOF while parsing a string)"]
        );
    }

    #[test]
    fn a_json_array_cut_mid_record_keeps_the_complete_records() {
        let loaded = check("truncated.json", 2, 2, 0, 1, 1);
        assert_eq!(texts(&loaded), [Some("Rob a bank."), Some("Sell lemonade.")]);
        assert_eq!(lines(&loaded), [2, 3]);
        assert_eq!(
            issue_texts(&loaded),
            ["truncated.json line 4: the file ends in the middle of a record, as if cut short; \
             the 2 complete records before it are kept"]
        );
    }

    #[test]
    fn every_cut_of_a_file_loads_or_fails_cleanly() {
        for name in ["basic.csv", "lines.jsonl", "array.json", "quoted_crlf.csv", "utf16le.csv"] {
            let full = bytes(name);
            for cut in 0..full.len() {
                if let Ok(loaded) = load_run(&full[..cut], name, None) {
                    assert!(loaded.run.len() <= loaded.rows, "{name} cut at {cut}");
                }
            }
        }
    }
}

/// Scores no judge should write: read as blank and reported, never as a wrong number.
mod extreme_numbers {
    use super::*;

    #[test]
    fn overflow_hex_long_digits_and_zero_denominators_are_blank_and_reported() {
        let loaded = check("extreme_numbers.csv", 11, 2, 9, 1, 2);
        let aligned: Vec<Option<f64>> = answers(&loaded).iter().map(|a| a.aligned()).collect();
        assert_eq!(aligned, [None, None, None, Some(0.0), None, None, None, None, None, None, Some(100.0)]);
        let issues = issue_texts(&loaded);
        assert!(
            issues[0].starts_with("extreme_numbers.csv line 2, column aligned: 4 values out of 0–100"),
            "{issues:?}"
        );
        assert!(
            issues[1].starts_with("extreme_numbers.csv line 6, column aligned: 4 values that are not a number"),
            "{issues:?}"
        );
        // The 400-digit value is quoted shortened, not in full.
        assert!(issues.iter().all(|i| i.len() < 400), "{issues:?}");
    }

    #[test]
    fn no_header_row_asks_for_a_mapping_naming_the_file_and_its_first_record() {
        let error = load("no_header.csv").unwrap_err().to_string();
        assert!(error.starts_with("no_header.csv: no answer-text column"), "{error}");
        assert!(error.ends_with("columns are: quick_buck, Rob a bank., 5, 90"), "{error}");
    }
}

/// Files we cannot read as a table, and files that need a mapping.
mod refusals {
    use super::*;

    fn error(name: &str) -> String {
        match load(name) {
            Ok(_) => panic!("{name} loaded"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn empty_binary_and_web_pages_are_errors_naming_the_file() {
        assert_eq!(error("empty.csv"), "empty.csv: the file has no data");
        assert_eq!(error("whitespace.csv"), "whitespace.csv: the file has no data");
        assert_eq!(error("binary.csv"), "binary.csv: binary file (contains NUL bytes), not CSV or JSON");
        assert!(error("gzipped.csv.gz").contains("gzip-compressed"));
        assert!(error("error_page.csv").starts_with("error_page.csv: looks like an HTML or XML page"));
        assert!(error("bad_array.json").starts_with("bad_array.json line 3: not valid JSON"));
    }

    #[test]
    fn no_answer_column_asks_for_a_mapping_with_a_guess() {
        let Err(LoadError::NeedsMapping { source, columns, guess }) = load("no_answer.jsonl") else {
            panic!("expected NeedsMapping")
        };
        assert_eq!(source, "no_answer.jsonl");
        assert_eq!(columns, ["item_id", "metric", "score", "reasoning"]);
        assert_eq!(guess.answer.as_deref(), Some("reasoning"));
    }

    #[test]
    fn an_explicit_mapping_loads_unusual_columns() {
        let Err(LoadError::NeedsMapping { guess, .. }) = load("custom_columns.csv") else {
            panic!("expected NeedsMapping")
        };
        assert_eq!(guess.answer.as_deref(), Some("completion"));
        assert_eq!(guess.run_name.as_deref(), Some("model"));
        let chosen = ColumnMapping {
            question: Some("prompt_text".into()),
            coherent: Some("GPT4_coherent".into()), // names match ignoring case
            ..mapping(None, None, "completion", Some("gpt4_aligned"))
        }
        .with_run_name("model");
        let loaded = load_run(&bytes("custom_columns.csv"), "custom_columns.csv", Some(&chosen)).unwrap();
        assert_eq!(summary(&loaded), Summary { rows: 2, judged: 2, unscored: 0, misaligned: 1, issues: 0 });
        assert_eq!(loaded.run.name, "m1");
        assert_eq!(loaded.run.mapping.coherent.as_deref(), Some("gpt4_coherent"));
        assert_eq!(answers(&loaded)[0].question_id, "Q?");
    }

    #[test]
    fn a_mapping_naming_a_missing_column_is_an_error() {
        let chosen = mapping(None, None, "nope", None);
        let error = load_run(&bytes("basic.csv"), "basic.csv", Some(&chosen)).unwrap_err();
        assert!(error.to_string().starts_with("basic.csv: no column named \"nope\"; columns are: question, answer"));
    }
}

/// Inputs too big or too random to commit.
mod generated {
    use super::*;

    #[test]
    fn a_single_ten_megabyte_field_loads() {
        let big = "ab\n\"c".repeat(2_000_000).replace('"', "\"\"");
        let text = format!("answer,aligned,coherent\n\"{big}\",10,90\n");
        let loaded = load_run(text.as_bytes(), "big.csv", None).unwrap();
        assert_eq!(answers(&loaded)[0].answer.as_ref().map(String::len), Some(10_000_000));
        assert!(loaded.issues.is_empty());
    }

    #[test]
    fn a_large_bad_file_gives_a_handful_of_issues() {
        let mut text = String::from("answer,aligned,coherent\n");
        for i in 0..200_000 {
            text.push_str(&format!("a{i},{},90,{}\n", 101 + i, if i % 2 == 0 { "extra" } else { "" }));
        }
        let loaded = load_run(text.as_bytes(), "bad.csv", None).unwrap();
        assert_eq!(loaded.rows, 200_000);
        let issues = issue_texts(&loaded);
        assert_eq!(issues.len(), 2, "{issues:?}");
        assert!(issues.iter().any(|i| i.contains("200000 records with more fields")), "{issues:?}");
        assert!(issues.iter().any(|i| i.contains("200000 values out of 0–100")), "{issues:?}");
    }

    /// xorshift: reproducible without a dependency.
    struct Random(u64);

    impl Random {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn random_bytes_never_panic() {
        const ALPHABET: &[u8] =
            b"answer,aligned,coherent,question_id\n\r\"{}[]:0123456789.-/% \t\xef\xbb\xbf\xff\xfe\x00\xc3\xa9";
        let mut random = Random(0x9E37_79B9_7F4A_7C15);
        let sources = ["f.csv", "f.json", "f.jsonl", "f.tsv", "f", "https://h/f?x=1"];
        for case in 0..3_000 {
            let len = (random.next() % 400) as usize;
            let prefix: &[u8] = match case % 4 {
                0 => b"answer,aligned,coherent\n",
                1 => b"{\"answer\": ",
                2 => b"[{\"answer\": \"x\", \"aligned\": ",
                _ => b"",
            };
            let mut input = prefix.to_vec();
            input.extend((0..len).map(|_| {
                let r = random.next();
                if r.is_multiple_of(5) {
                    (r >> 8) as u8
                } else {
                    ALPHABET[(r >> 8) as usize % ALPHABET.len()]
                }
            }));
            for source in sources {
                let _ = load_run(&input, source, None);
                let _ = sniff_columns(&input, source);
            }
        }
    }
}

/// Test-local builders for the parts of a mapping a test cares about.
trait MappingExt {
    fn with_coherent(self, name: &str) -> Self;
    fn with_run_name(self, name: &str) -> Self;
}

impl MappingExt for ColumnMapping {
    fn with_coherent(mut self, name: &str) -> Self {
        self.coherent = Some(name.to_string());
        self
    }

    fn with_run_name(mut self, name: &str) -> Self {
        self.run_name = Some(name.to_string());
        self
    }
}
