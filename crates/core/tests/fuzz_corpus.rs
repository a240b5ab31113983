//! A short, deterministic fuzz run in the normal test suite: the committed fuzz corpus
//! (`fuzz/corpus/<target>/`, minimised) replayed through the fuzz targets' invariants, then
//! a few hundred reproducible mutations of it. The long runs use cargo-fuzz: see `fuzz/README.md`.

use std::path::{Path, PathBuf};

/// The fuzz targets' invariant checks, shared with `fuzz/` (one source of truth).
mod invariants {
    include!("../../../fuzz/src/lib.rs");
}

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus").join(target);
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("corpus entry").path();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path, bytes)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 10, "{}: the corpus is missing", dir.display());
    files
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

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes that steer the loaders: delimiters, quotes, brackets, BOMs, NUL, invalid UTF-8.
const INTERESTING: &[&[u8]] = &[
    b",",
    b"\"",
    b"\n",
    b"\r\n",
    b"\t",
    b";",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"\\",
    b"%",
    b"/",
    b"-1",
    b"1e999",
    b"NaN",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\x00",
    b"\xc3",
    b"\xe2\x80\xae",
    b"answer",
    b"aligned",
];

fn mutate(input: &[u8], random: &mut Random) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + random.below(4) {
        let at = random.below(out.len() + 1);
        match random.below(5) {
            0 => out.truncate(at),
            1 => {
                let piece = INTERESTING[random.below(INTERESTING.len())];
                out.splice(at..at, piece.iter().copied());
            }
            2 if at < out.len() => out[at] ^= 1 << random.below(8),
            3 if at < out.len() => {
                let end = (at + random.below(16)).min(out.len());
                out.drain(at..end);
            }
            _ => {
                let end = (at + random.below(32)).min(out.len());
                let copy = out[at..end].to_vec();
                out.splice(at..at, copy);
            }
        }
    }
    out
}

fn replay(target: &str, check: fn(&[u8]), mutations_per_file: usize) {
    let mut random = Random(0x2545_F491_4F6C_DD1D);
    let files = corpus(target);
    for (path, bytes) in &files {
        let result = std::panic::catch_unwind(|| check(bytes));
        assert!(result.is_ok(), "{target}: corpus file {} breaks an invariant", path.display());
    }
    // Spread a fixed budget of mutations over the corpus.
    for i in 0..files.len().min(400) * mutations_per_file {
        let (path, bytes) = &files[(i * 7919) % files.len()];
        let mutated = mutate(bytes, &mut random);
        let result = std::panic::catch_unwind(|| check(&mutated));
        assert!(result.is_ok(), "{target}: mutation {i} of {} breaks an invariant: {mutated:?}", path.display());
    }
}

#[test]
fn load_run_corpus() {
    replay("load_run", invariants::load_run_target, 2);
}

#[cfg(feature = "formats")]
#[test]
fn inspect_log_corpus() {
    replay("inspect_log", invariants::inspect_log_target, 20);
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_corpus() {
    replay("parquet", invariants::parquet_target, 8);
}

#[test]
fn view_state_corpus() {
    replay("view_state", invariants::view_state_target, 2);
}

#[test]
fn featurize_corpus() {
    replay("featurize", invariants::featurize_target, 1);
}

#[test]
fn highlight_corpus() {
    replay("highlight", invariants::highlight_target, 2);
}

#[test]
fn judge_dict_corpus() {
    replay("judge_dict", invariants::judge_dict_target, 8);
}
