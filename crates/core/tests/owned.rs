//! Loading a file by taking its bytes (`load_run_owned`, what the app and the CLI call: a CSV
//! file's answers stay in the file's own buffer) gives exactly the run `load_run` gives, issues
//! included, on every fixture, every shared transcript (skipped with a message when `../shared`
//! is absent) and generated files with every kind of cell; and what it cannot load comes back
//! with the bytes unchanged.

#![allow(clippy::result_large_err)]

mod support;

use probe_core::load::{load_run, load_run_owned, LoadError, Loaded, Refused};

/// Everything a loaded run shows, in comparable form.
fn shown(loaded: &Loaded) -> String {
    let run = &loaded.run;
    let (text, ends) = run.text_buffer();
    let judges: Vec<_> = run.judges.iter().map(|j| (&j.name, &j.origin)).collect();
    let extra: Vec<_> = run.extra.iter().map(|c| &c.name).collect();
    let meta: Vec<_> = run.meta_columns.iter().map(|c| &c.name).collect();
    format!(
        "{} {} {:?} {} {:?} {judges:?} {extra:?} {meta:?} {:?} {text:?} {ends:?} {:?}",
        run.name,
        run.source,
        run.mapping,
        loaded.rows,
        run.questions,
        loaded.issues,
        run.records()
    )
}

/// Checks both loaders agree on `bytes`; whether the owned one loaded it.
fn agree(bytes: &[u8], source: &str) -> bool {
    let want = load_run(bytes, source, None);
    let got = load_run_owned(bytes.to_vec(), source, None);
    match (want, got) {
        (Ok(want), Ok(got)) => {
            assert_eq!(shown(&got), shown(&want), "{source}");
            true
        }
        (Err(want), Err(Refused { error, bytes: back })) => {
            assert_eq!(error, want, "{source}");
            assert!(back == bytes, "{source}: the bytes come back unchanged");
            false
        }
        (want, got) => {
            panic!("{source}: load_run gave {want:?}, load_run_owned {:?}", got.map(|_| ()).map_err(|r| r.error))
        }
    }
}

#[test]
fn every_fixture_loads_the_same_from_owned_bytes() {
    let files = support::files_under(&support::fixtures_dir());
    let loaded =
        files.iter().filter(|path| agree(&std::fs::read(path).expect("readable"), &path.to_string_lossy())).count();
    assert!(files.len() >= 30 && loaded >= 20, "{} fixtures, {loaded} loaded", files.len());
}

#[test]
fn every_shared_transcript_loads_the_same_from_owned_bytes() {
    let Some(dir) = support::transcripts_dir() else { return };
    let files = support::files_under(&dir);
    let loaded =
        files.iter().filter(|path| agree(&std::fs::read(path).expect("readable"), &path.to_string_lossy())).count();
    eprintln!("{} shared files, {loaded} loaded", files.len());
    assert!(loaded > 0);
}

#[test]
fn answers_with_escaped_quotes_odd_quoting_and_blanks_load_the_same() {
    let mut csv = String::from("\u{feff}model,answer,question_id,aligned,coherent\r\n");
    let answers = [
        "plain text",
        "\"she said \"\"no\"\" twice\"",
        "\"quoted, with a comma\nand a line break\"",
        "\"ends with a quote \"\"\"",
        "\"\"\"\"",
        "\"text after\"the closing quote",
        "a stray \" quote",
        "",
        "   ",
        "\"  \"",
        "ünïcödé ✓ 漢字",
        "\"\"",
    ];
    for (i, answer) in answers.iter().cycle().take(5000).enumerate() {
        csv.push_str(&format!("m{},{answer},q{},{},{}\r\n", i % 3, i % 7, i % 101, (i * 7) % 101));
    }
    csv.push_str("last,\"an unterminated quote at the end");
    assert!(agree(csv.as_bytes(), "generated.csv"));
    // Long files are sized from their first records: cross that point with escaped cells.
    assert!(agree(csv.replace('\u{feff}', "").as_bytes(), "generated-no-bom.csv"));
}

#[test]
fn a_file_without_an_answer_column_comes_back_whole_with_its_mapping_question() {
    let bytes = b"id,reply_text,score\n1,hello there,80\n".to_vec();
    match load_run_owned(bytes.clone(), "odd.csv", None) {
        Err(Refused { error: LoadError::NeedsMapping { .. }, bytes: back }) => assert_eq!(back, bytes),
        other => panic!("expected a mapping question, got {:?}", other.map(|_| ()).map_err(|r| r.error)),
    }
}
