//! Profiling passes shared by the native bench (bench/native) and the wasm bench (src/bench.rs),
//! included into both with `#[path]` so the two always measure the same thing.

use probe_core::filter::{self, Filter};
use probe_core::{stats, Dataset, Thresholds};

/// Seven passes over every answer, ms: reading only each answer's own fields (scores); reading
/// the first byte of its `question_id` string (a separate heap block); looking the key up in a
/// `HashMap<&str, _>` (what `rate_table` did per answer); comparing it with the previous
/// answer's with `==` and looking up only on a change; then `filter::scope` with the default
/// filter and `stats::rate_table` over that scope, the two halves of a rates update; and the
/// counting `rate_table` does, given each answer's question as an index computed beforehand.
pub fn profile_passes(dataset: &Dataset, now: fn() -> f64) -> [f64; 7] {
    use std::collections::HashMap;
    let answers = || dataset.runs.iter().flat_map(|r| &r.answers);
    let thresholds = Thresholds::default();
    let mut out = [0.0; 7];
    let started = now();
    let misaligned = answers().filter(|a| thresholds.is_misaligned(a)).count();
    out[0] = now() - started;
    let started = now();
    let bytes: usize = answers().map(|a| usize::from(a.question_id.as_bytes().first().copied().unwrap_or(0))).sum();
    out[1] = now() - started;
    let started = now();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut hashed = 0;
    for a in answers() {
        let next = index.len();
        hashed += *index.entry(a.question_id.as_str()).or_insert(next);
    }
    out[2] = now() - started;
    let started = now();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut last: Option<(&str, usize)> = None;
    let mut cached = 0;
    for a in answers() {
        let q = match last {
            Some((key, q)) if key == a.question_id => q,
            _ => {
                let next = index.len();
                let q = *index.entry(a.question_id.as_str()).or_insert(next);
                last = Some((a.question_id.as_str(), q));
                q
            }
        };
        cached += q;
    }
    out[3] = now() - started;
    let started = now();
    let scope = filter::scope(dataset, &Filter::default());
    out[4] = now() - started;
    let started = now();
    let table = stats::rate_table(dataset, scope.iter().copied(), &thresholds);
    out[5] = now() - started;
    // What a model with question keys interned per run (an index per answer) would need.
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let keys: Vec<u32> = answers()
        .map(|a| {
            let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
            *ids.entry(a.question_id.as_str()).or_insert(next)
        })
        .collect();
    let started = now();
    let mut cells = vec![stats::Counts::default(); ids.len()];
    for (a, &q) in answers().zip(&keys) {
        if let Some(cell) = cells.get_mut(q as usize) {
            cell.add(a, &thresholds);
        }
    }
    out[6] = now() - started;
    std::hint::black_box((misaligned, bytes, hashed, cached, table.total, cells));
    out
}
