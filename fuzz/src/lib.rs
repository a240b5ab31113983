// The invariants the fuzz targets check, one function per target. The same file is
// included by `crates/core/tests/fuzz_corpus.rs`, which replays the committed corpus
// through these functions on every `cargo test`, so a finding stays fixed.
//
// Each function panics (via `assert!`) when an invariant is broken. Plain comments, not
// `//!`, so the file can be `include!`d.

use probe_core::featurize::{Featurizer, FeaturizerConfig, KIND};
use probe_core::filter::highlight_ranges;
use probe_core::load::{decode_loaded, encode_loaded, load_run, load_run_owned, sniff_columns, Loaded};
use probe_core::view_state::ViewState;
use probe_core::ColumnMapping;

/// Source names the first input byte picks from: the extension steers format detection.
const SOURCES: [&str; 8] =
    ["f.csv", "f.jsonl", "f.json", "f.tsv", "f.txt", "f", "https://h/x.csv?raw=1", "<img src=x onerror=alert(1)>.csv"];

/// `load_run` on any bytes: byte 0 picks the source name; when its top bit is set, bytes
/// 1..=6 pick a column mapping among the sniffed columns (an index past them: none). Without a
/// mapping, `load_run_owned` (answers moved within the bytes) gives the same run or error.
pub fn load_run_target(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        check_loaded(load_run(data, "empty.csv", None).ok().as_ref());
        return;
    };
    let source = SOURCES[usize::from(selector) % SOURCES.len()];
    if selector & 0x80 == 0 || rest.len() < 6 {
        let loaded = load_run(rest, source, None);
        check_loaded(loaded.as_ref().ok());
        check_owned_agrees(rest, source, &loaded);
        return;
    }
    let (picks, body) = rest.split_at(6);
    let columns = sniff_columns(body, source).unwrap_or_default();
    let pick = |i: usize| columns.get(usize::from(picks[i])).cloned();
    let mapping = ColumnMapping {
        answer: pick(0),
        question: pick(1),
        question_id: pick(2),
        aligned: pick(3),
        coherent: pick(4),
        run_name: pick(5),
    };
    check_loaded(load_run(body, source, Some(&mapping)).ok().as_ref());
    check_loaded(load_run(body, source, None).ok().as_ref());
}

/// `load_run_owned` on a copy of `bytes` gives what `load_run` gave: the same answers, text
/// buffer and issues, or the same error with the bytes back unchanged.
fn check_owned_agrees(bytes: &[u8], source: &str, want: &Result<Loaded, probe_core::load::LoadError>) {
    match (want, load_run_owned(bytes.to_vec(), source, None)) {
        (Ok(want), Ok(got)) => {
            assert_eq!((got.rows, &got.issues, got.run.text_buffer()), (want.rows, &want.issues, want.run.text_buffer()));
            assert_eq!(got.run.records(), want.run.records());
        }
        (Err(want), Err(refused)) => {
            assert_eq!(&refused.error, want);
            assert!(refused.bytes == bytes, "the bytes come back unchanged");
        }
        (want, got) => panic!("load_run: {:?}; load_run_owned: {:?}", want.as_ref().err(), got.err().map(|r| r.error)),
    }
}

/// Inspect AI logs: any bytes as an `.eval` archive and as a `.json` log. Besides the run
/// invariants, a loaded run survives the trip between wasm modules (`encode_loaded` /
/// `decode_loaded`) unchanged, and decoding any bytes never panics.
pub fn inspect_log_target(data: &[u8]) {
    for source in ["f.eval", "f.json"] {
        let loaded = load_run(data, source, None).ok();
        check_loaded(loaded.as_ref());
        if let Some(loaded) = &loaded {
            let back = decode_loaded(&encode_loaded(loaded), source).expect("an encoded run decodes");
            assert_eq!((back.run.len(), back.rows, &back.issues), (loaded.run.len(), loaded.rows, &loaded.issues));
            assert_eq!(back.run.judges.len(), loaded.run.judges.len());
            for i in 0..loaded.run.len() {
                assert_eq!(back.run.record(i), loaded.run.record(i));
            }
        }
    }
    if let Some(loaded) = decode_loaded(data, "f") {
        check_loaded(Some(&loaded));
    }
}

/// Parquet files: any bytes as `f.parquet` (and under a name without an extension, where the
/// content alone decides). Besides the run invariants, a loaded run survives the trip between
/// wasm modules unchanged, and an error names the file.
pub fn parquet_target(data: &[u8]) {
    for source in ["f.parquet", "f"] {
        match load_run(data, source, None) {
            Ok(loaded) => {
                check_loaded(Some(&loaded));
                let back = decode_loaded(&encode_loaded(&loaded), source).expect("an encoded run decodes");
                assert_eq!((back.run.len(), back.rows), (loaded.run.len(), loaded.rows));
                for i in 0..loaded.run.len() {
                    assert_eq!(back.run.record(i), loaded.run.record(i));
                }
            }
            Err(error) => {
                let message = error.to_string();
                assert!(message.starts_with(source), "{message}");
                assert!(message.len() <= 4096, "error message of {} bytes", message.len());
            }
        }
    }
}

fn check_loaded(loaded: Option<&Loaded>) {
    let Some(loaded) = loaded else { return };
    let run = &loaded.run;
    let n = run.len();
    assert!(n <= loaded.rows, "{n} answers from {} rows", loaded.rows);
    let score_ok = |s: f64| s.is_nan() || (0.0..=100.0).contains(&s);
    for judge in &run.judges {
        let counts = probe_core::stats::judge_counts(run, judge, &probe_core::Thresholds::default());
        let (judged, unscored) = (counts.judged as usize, counts.unscored as usize);
        assert!(judged + unscored <= loaded.rows, "judged {judged} + unscored {unscored} > rows {}", loaded.rows);
        assert_eq!((judge.aligned.len(), judge.coherent.len()), (n, n), "judge {}", judge.name);
        assert!(judge.aligned.iter().chain(&judge.coherent).all(|&s| score_ok(s)), "judge {}", judge.name);
    }
    for column in &run.extra {
        assert_eq!(column.values.len(), n);
        assert!(column.values.iter().all(|&s| score_ok(s)), "extra {}", column.name);
    }
    for column in &run.meta_columns {
        assert_eq!(column.ids.len(), n);
        assert!(column.ids.iter().all(|&v| v == probe_core::META_MISSING || (v as usize) < column.values.len()));
    }
    // Lines are 1-based; records that come from no text line (an Inspect log's samples) all say 0.
    let no_lines = (0..n).all(|i| run.line(i) == 0);
    assert!(no_lines || (0..n).all(|i| run.line(i) >= 1), "lines are 1-based");
    assert!((1..n).all(|i| run.row(i - 1) < run.row(i) && run.line(i - 1) <= run.line(i)), "rows in order");
    assert!((0..n).all(|i| run.question(i).is_some()), "every answer has a question");
    for issue in &loaded.issues {
        // Bounded: one huge cell or column name must not become a huge message.
        assert!(issue.message.len() <= 4096, "issue message of {} bytes", issue.message.len());
    }
}

/// `ViewState::from_query` on any text: the state it reads survives `to_query` unchanged.
pub fn view_state_target(data: &[u8]) {
    let query = String::from_utf8_lossy(data);
    let state = ViewState::from_query(&query);
    let written = state.to_query();
    let again = ViewState::from_query(&written);
    assert_eq!(again, state, "query {query:?} wrote {written:?}");
    assert_eq!(again.to_query(), written, "to_query is stable");
}

/// The featurizer on any question and answer: sorted unique buckets below the bucket count,
/// positive counts. Bytes 0..4 set the bucket count (1..=2^20), byte 4 the token limits.
pub fn featurize_target(data: &[u8]) {
    if data.len() < 5 {
        return;
    }
    let buckets = u32::from_le_bytes([data[0], data[1], data[2], data[3]]) % (1 << 20) + 1;
    let limits = usize::from(data[4]);
    let text = String::from_utf8_lossy(&data[5..]);
    let (question, answer) = text.split_once('\u{1}').unwrap_or(("", &text));
    let config = FeaturizerConfig {
        kind: KIND.to_string(),
        buckets,
        max_answer_tokens: limits * 4,
        max_question_tokens: limits % 64,
        answer_bigrams: limits & 1 == 1,
    };
    let featurizer = Featurizer::new(config).expect("a valid config");
    let features = featurizer.features(question, answer);
    assert!(features.windows(2).all(|w| w[0].0 < w[1].0), "sorted and unique: {features:?}");
    assert!(features.iter().all(|&(b, c)| b < buckets && c > 0.0 && c.is_finite()), "{features:?}");
    let (ids, counts, width) = featurizer.batch([(question, answer)]);
    assert_eq!((ids.len(), counts.len()), (width, width));
}

/// Search highlighting on any text and query: the app slices the text with these ranges, so
/// they must be in order, non-empty, non-overlapping and on char boundaries.
pub fn highlight_target(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (query, text) = text.split_once('\u{1}').unwrap_or(("", &text));
    let mut at = 0;
    for range in highlight_ranges(text, query) {
        assert!(range.start >= at && range.start < range.end && range.end <= text.len(), "{range:?}");
        assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end), "{range:?}");
        at = range.end;
    }
}

/// The judge's distribution text (`judge_aligned` cells): parsing any bytes never panics; what
/// parses is bounded, and its numeric part is a distribution over 0–100 summing to 1.
pub fn judge_dict_target(data: &[u8]) {
    use probe_core::uncertainty::{parse_dict, ScoreDist, MAX_ENTRIES};
    let text = String::from_utf8_lossy(data);
    let Ok(entries) = parse_dict(&text) else { return };
    assert!(entries.len() <= MAX_ENTRIES);
    assert!(entries.iter().all(|(_, p)| (0.0..=1.0).contains(p)));
    if let Some(dist) = ScoreDist::from_tokens(&entries) {
        let total: f64 = dist.points.iter().map(|(_, p)| p).sum();
        assert!((total - 1.0).abs() < 1e-9, "{total}");
        let mean = dist.mean();
        assert!((0.0..=100.0 + 1e-9).contains(&mean) && dist.sd().is_finite());
        assert!((dist.below(30.0, false) + dist.above(30.0, true) - 1.0).abs() < 1e-9);
    }
}
