//! Profiling passes shared by the native bench (bench/native) and the wasm bench (src/bench.rs),
//! included into both with `#[path]` so the two always measure the same thing.

use probe_core::filter::{self, Filter, Sort};
use probe_core::{stats, Dataset, JudgeChoice, Rule, Thresholds};

/// Seven passes over every answer, ms (bench/run.mjs labels them in this order): the default
/// judge's verdicts alone; `filter::scope` with the default filter; `stats::rate_table` over it
/// (a threshold change); the same under another judge's name (a judge switch); `scope` with a
/// question filter; `select` with a search for "bank" (one pass over each run's text buffer);
/// `select` with the default filter.
pub fn profile_passes(dataset: &Dataset, now: fn() -> f64) -> [f64; 7] {
    let thresholds = Thresholds::default();
    let mut out = [0.0; 7];
    let started = now();
    let mut misaligned = 0usize;
    for run in &dataset.runs {
        if let Some(rule) = run.default_judge().map(|j| Rule::new(j, &thresholds)) {
            misaligned += (0..run.len()).filter(|&i| rule.misaligned(i) == Some(true)).count();
        }
    }
    out[0] = now() - started;
    let started = now();
    let scope = filter::scope(dataset, &Filter::default());
    out[1] = now() - started;
    let started = now();
    let table = stats::rate_table(dataset, &JudgeChoice::Default, &scope, &thresholds);
    out[2] = now() - started;
    let started = now();
    let other = stats::rate_table(dataset, &JudgeChoice::named("published"), &scope, &thresholds);
    out[3] = now() - started;
    let question = table.questions.first().cloned().unwrap_or_default();
    let started = now();
    let narrowed = filter::scope(dataset, &Filter { questions: vec![question], ..Filter::default() });
    out[4] = now() - started;
    let started = now();
    let search = Filter { search: "bank".into(), ..Filter::default() };
    let found = filter::select(dataset, &JudgeChoice::Default, &search, &thresholds, &Sort::default());
    out[5] = now() - started;
    let started = now();
    let all = filter::select(dataset, &JudgeChoice::Default, &Filter::default(), &thresholds, &Sort::default());
    out[6] = now() - started;
    std::hint::black_box((misaligned, table.total, other.total, narrowed.len(), found.len(), all.len()));
    out
}
