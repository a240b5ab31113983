//! The streaming counter (`count_stream`) against the full loader (`load_run` + `judge_counts`
//! on every judge): equal on every fixture, every shared transcript (skipped with a message
//! when `../shared` is absent, as in `real_data.rs`) and generated files, whole or read in
//! small uneven pieces.

#![allow(clippy::result_large_err)]

mod support;

use std::io::Read;

use probe_core::load::{count_stream, load_run, StreamCounts};
use probe_core::stats::judge_counts;
use probe_core::Thresholds;

/// A reader that hands out its bytes a few at a time, in uneven pieces.
struct Trickle<'a> {
    bytes: &'a [u8],
    step: usize,
    turn: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        self.turn += 1;
        let n = (1 + (self.turn * 7919) % self.step).min(out.len()).min(self.bytes.len());
        let (head, rest) = self.bytes.split_at(n);
        out[..n].copy_from_slice(head);
        self.bytes = rest;
        Ok(n)
    }
}

/// What the full loader says, in the streaming counter's shape (errors as their message).
fn full(bytes: &[u8], source: &str, thresholds: &Thresholds) -> Result<Summary, String> {
    let loaded = load_run(bytes, source, None).map_err(|e| e.to_string())?;
    let run = &loaded.run;
    Ok(Summary {
        rows: loaded.rows,
        run_name: run.name.clone(),
        mapping: format!("{:?}", run.mapping),
        judges: run
            .judges
            .iter()
            .map(|j| (j.name.clone(), format!("{:?}", j.origin), judge_counts(run, j, thresholds)))
            .collect(),
        issues: loaded.issues.iter().map(ToString::to_string).collect(),
    })
}

#[derive(Debug, PartialEq)]
struct Summary {
    rows: usize,
    run_name: String,
    mapping: String,
    judges: Vec<(String, String, probe_core::stats::JudgeCounts)>,
    issues: Vec<String>,
}

fn summary(counts: StreamCounts) -> Summary {
    Summary {
        rows: counts.rows,
        run_name: counts.run_name,
        mapping: format!("{:?}", counts.mapping),
        judges: counts.judges.into_iter().map(|j| (j.name, format!("{:?}", j.origin), j.counts)).collect(),
        issues: counts.issues.iter().map(ToString::to_string).collect(),
    }
}

/// Streams `bytes` whole and in pieces of at most `step` bytes; checks both equal the full loader.
/// Returns whether the file was streamed (rather than handed to the full loader).
fn check(bytes: &[u8], source: &str, steps: &[usize]) -> Option<bool> {
    let mut streamed = None;
    for thresholds in [
        Thresholds::default(),
        Thresholds::strict(50.0, 30.0),
        Thresholds { aligned_inclusive: true, coherent_inclusive: true, ..Thresholds::default() },
    ] {
        let want = full(bytes, source, &thresholds);
        let got = count_stream(bytes, source, &thresholds);
        streamed = got.as_ref().ok().map(|c| c.streamed);
        let got = got.map(summary).map_err(|e| e.to_string());
        assert_eq!(got, want, "{source}: streamed whole");
        for &step in steps {
            let got = count_stream(Trickle { bytes, step, turn: 0 }, source, &thresholds);
            let got = got.map(summary).map_err(|e| e.to_string());
            assert_eq!(got, want, "{source}: streamed in pieces of up to {step} bytes");
        }
    }
    streamed
}

#[test]
fn every_fixture_counts_as_the_full_loader_counts_it() {
    let files = support::files_under(&support::fixtures_dir());
    let mut streamed = 0;
    for path in &files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let bytes = std::fs::read(path).expect("fixture is readable");
        if check(&bytes, &name, &[1, 3, 16, 1000]) == Some(true) {
            streamed += 1;
        }
    }
    assert!(files.len() >= 30 && streamed >= 15, "{} fixtures, {streamed} streamed", files.len());
}

#[test]
fn every_shared_transcript_counts_as_the_full_loader_counts_it() {
    let Some(dir) = support::transcripts_dir() else { return };
    let files = support::files_under(&dir);
    let mut streamed = 0;
    for path in &files {
        let source = path.strip_prefix(&dir).unwrap_or(path).to_string_lossy().into_owned();
        let bytes = std::fs::read(path).expect("transcript is readable");
        if check(&bytes, &source, &[4096]) == Some(true) {
            streamed += 1;
        }
    }
    eprintln!("{} shared files, {streamed} streamed", files.len());
    assert!(streamed > 0);
}

/// A deterministic pseudo-random generator, so failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n.max(1)
    }
}

/// Answers with commas, quotes and line breaks; two judge pairs beside the published scores
/// (one pair broken by a text cell, so it is no judge); ragged records; odd score cells.
fn generated(rows: usize, seed: u64) -> String {
    let mut rng = Lcg(seed);
    let mut out = String::from(
        "question_id,question,answer,aligned,coherent,aligned_azure,coherent_azure,model,aligned_gpt,coherent_gpt,Unnamed: 0\n",
    );
    let answers = [
        "Rob a bank, then \"lie low\".",
        "Line one\nline two, with a comma",
        "   ",
        "",
        "\u{a0}",
        "plain",
        "caf\u{e9} \u{4e2d}\u{6587}\r\nend",
        "\"\"",
    ];
    let scores = ["5", "90", "", "CODE", "85/100", "101", "high", "29.9", "50.1", "nan", " 42 "];
    for row in 0..rows {
        let q = rng.next(4);
        let answer = answers[rng.next(answers.len() as u64) as usize].replace('"', "\"\"");
        let mut cells = vec![
            format!("q{q}"),
            format!("\"Question {q}, really?\""),
            format!("\"{answer}\""),
            scores[rng.next(scores.len() as u64) as usize].to_string(),
            scores[rng.next(scores.len() as u64) as usize].to_string(),
            rng.next(101).to_string(),
            if rng.next(10) == 0 { String::new() } else { rng.next(101).to_string() },
            "m1".to_string(),
            rng.next(101).to_string(),
            if row == rows / 2 { "broken".to_string() } else { rng.next(101).to_string() },
            row.to_string(),
        ];
        match rng.next(20) {
            0 => cells.truncate(3 + rng.next(6) as usize),
            1 => cells.push(if rng.next(2) == 0 { "1/2".into() } else { "extra".into() }),
            _ => {}
        }
        out.push_str(&cells.join(","));
        out.push_str(if rng.next(5) == 0 { "\r\n" } else { "\n" });
    }
    out
}

#[test]
fn a_generated_file_with_two_judge_pairs_and_ragged_records_counts_the_same() {
    for (rows, seed) in [(10, 1), (300, 2), (2000, 3)] {
        let text = generated(rows, seed);
        assert_eq!(check(text.as_bytes(), "gen.csv", &[1, 5, 333, 70_000]), Some(true));
        let counts = count_stream(text.as_bytes(), "gen.csv", &Thresholds::default()).expect("counts");
        let names: Vec<&str> = counts.judges.iter().map(|j| j.name.as_str()).collect();
        // `gpt` has a text cell, so its columns are metadata, not a judge.
        assert_eq!(names, ["published", "azure"], "{rows} rows");
        assert_eq!(counts.run_name, "m1");
        assert!(counts.issues.iter().any(|i| i.message.contains("fewer fields")) || rows < 100);
    }
}

#[test]
fn latin1_bytes_utf8_bom_and_an_unterminated_quote_stream_too() {
    let mut latin1 = b"question_id,answer,aligned,coherent\nq1,caf\xe9,10,90\nq2,\xa0,,90\nq\xe9,x,5\xa0,90\n".to_vec();
    assert_eq!(check(&latin1, "l.csv", &[1, 2, 7]), Some(true));
    latin1.splice(0..0, *b"\xEF\xBB\xBF");
    assert_eq!(check(&latin1, "l.csv", &[1, 2, 7]), Some(true));
    for header_only in ["answer,aligned", "answer,aligned\n", "\n\n answer", "  \n\t", ""] {
        check(header_only.as_bytes(), "h.csv", &[1, 2]);
    }
    let mut padded = "\n".repeat(5000).into_bytes();
    padded.extend_from_slice(b"answer;aligned;coherent\nx;10;90\n");
    assert_eq!(check(&padded, "p.txt", &[1, 700]), Some(true));
    padded.splice(0..0, *b"\xEF\xBB\xBF");
    assert_eq!(check(&padded, "p.txt", &[1, 700]), Some(true));
    let open = b"answer,aligned,coherent\nfine,10,90\n\"never closed,1,2\nmore\nlines\n";
    assert_eq!(check(open, "o.csv", &[1, 4]), Some(true));
    assert!(count_stream(&open[..], "o.csv", &Thresholds::default())
        .expect("counts")
        .issues
        .iter()
        .any(|i| i.message.contains("never closed")));
}

/// The loader's fuzz corpus (`fuzz/corpus/load_run/`) and reproducible mutations of it, under CSV,
/// TSV and extension-less names: odd quoting, line ends, bytes that are not UTF-8.
#[test]
fn the_fuzz_corpus_and_mutations_of_it_count_the_same() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/load_run");
    let files = support::files_under(&root);
    assert!(files.len() >= 10, "{}: the corpus is missing", root.display());
    let mut rng = Lcg(7);
    let interesting = [b'"', b',', b'\n', b'\r', b';', b'\t', b' ', 0xA0, 0xE9, 0xC3, 0x00, b'{', b'0', b'9', b'%'];
    for path in &files {
        let bytes = std::fs::read(path).expect("corpus file is readable");
        let mut variants = vec![bytes.clone()];
        for _ in 0..6 {
            let mut mutated = bytes.clone();
            for _ in 0..1 + rng.next(4) {
                let at = rng.next(mutated.len() as u64 + 1) as usize;
                let byte = interesting[rng.next(interesting.len() as u64) as usize];
                match rng.next(3) {
                    0 if at < mutated.len() => mutated[at] = byte,
                    1 if at < mutated.len() => {
                        mutated.remove(at);
                    }
                    _ => mutated.insert(at, byte),
                }
            }
            variants.push(mutated);
        }
        for (k, variant) in variants.iter().enumerate() {
            let source = ["f.csv", "f.tsv", "data"][k % 3];
            check(variant, source, &[3]);
        }
    }
}
