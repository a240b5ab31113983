//! Native counterparts of the browser benchmarks, printed as JSON on stdout for bench/run.mjs:
//!
//!   probe-bench-native load FILE REPEATS
//!   probe-bench-native interaction FILE SCENARIOS_JSON
//!   probe-bench-native judge FILE ANSWERS REPEATS THREADS MODEL_DIR
//!   probe-bench-native bundled          (the bundled judges: [{name, folder}], default first)
//!
//! Same operations, parameters and inputs as bench/bench.mjs runs in the page.

use std::time::Instant;

use probe_core::filter::{self, Filter, Sort};
use probe_core::load::{load_run, load_run_owned};
use probe_core::{stats, Dataset, JudgeChoice, Thresholds};
use probe_judge::{Judge, JudgeOptions, JudgeSpec, DEFAULT_BATCH_SIZE};
use serde_json::{json, Value};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).cloned().unwrap_or_else(|| usage());
    let result = match arg(0).as_str() {
        "load" => load(&arg(1), arg(2).parse().unwrap_or_else(|_| usage())),
        "interaction" => interaction(&arg(1), &arg(2)),
        "judge" => judge(
            &arg(1),
            arg(2).parse().unwrap_or_else(|_| usage()),
            arg(3).parse().unwrap_or_else(|_| usage()),
            arg(4).parse().unwrap_or_else(|_| usage()),
            &arg(5),
        ),
        "bundled" => {
            probe_judge::BUNDLED.iter().map(|(name, folder)| json!({"name": name, "folder": folder})).collect()
        }
        _ => usage(),
    };
    println!("{result}");
}

fn usage() -> ! {
    eprintln!("usage: probe-bench-native load FILE REPEATS | interaction FILE SCENARIOS_JSON | judge FILE ANSWERS REPEATS THREADS MODEL_DIR");
    std::process::exit(2)
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn read(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn parse(bytes: &[u8], path: &str) -> Dataset {
    let loaded = load_run(bytes, path, None).unwrap_or_else(|e| panic!("cannot load {path}: {e}"));
    Dataset::new(vec![loaded.run])
}

/// `load_run_owned` (the app's and the CLI's path) on bytes already in memory, `repeats` times.
fn load(path: &str, repeats: usize) -> Value {
    let bytes = read(path);
    let mut times = Vec::new();
    let mut rows = 0;
    let mut answers = 0;
    for _ in 0..repeats {
        let copy = bytes.clone();
        let started = Instant::now();
        let loaded = load_run_owned(copy, path, None).unwrap_or_else(|r| panic!("cannot load {path}: {}", r.error));
        times.push(ms(started));
        rows = loaded.rows;
        answers = loaded.run.len();
        drop(loaded);
    }
    json!({ "bytes": bytes.len(), "rows": rows, "answers": answers, "times_ms": times })
}

/// The three interaction events of bench/scenarios.json, as bench.mjs runs them.
fn interaction(path: &str, scenarios_path: &str) -> Value {
    let scenarios: Value = serde_json::from_slice(&read(scenarios_path)).expect("scenarios JSON");
    let iterations = scenarios["iterations"].as_u64().expect("iterations") as usize;
    let thresholds: Vec<Thresholds> = scenarios["thresholds"]
        .as_array()
        .expect("thresholds")
        .iter()
        .map(|t| Thresholds::strict(t[0].as_f64().unwrap(), t[1].as_f64().unwrap()))
        .collect();
    let searches: Vec<String> =
        scenarios["searches"].as_array().expect("searches").iter().map(|s| s.as_str().unwrap().to_string()).collect();
    let bytes = read(path);
    let dataset = parse(&bytes, path);
    drop(bytes);
    let question_count = scenarios["questions"].as_u64().expect("questions") as usize;
    let questions: Vec<String> = stats::rate_table_all(&dataset, &JudgeChoice::Default, &Thresholds::default())
        .questions
        .into_iter()
        .take(question_count)
        .collect();

    let rates = |t: &Thresholds, filter: &Filter, judge: &JudgeChoice| {
        let scope = filter::scope(&dataset, filter);
        let table = stats::rate_table(&dataset, judge, &scope, t);
        vec![scope.len() as f64, table.total.judged.into(), table.total.misaligned.into(), table.questions.len() as f64]
    };
    let select = |t: &Thresholds, filter: &Filter, judge: &JudgeChoice| {
        filter::select(&dataset, judge, filter, t, &Sort::default()).len()
    };
    let event = |name: &str, make: &dyn Fn(usize) -> (Thresholds, Filter, JudgeChoice)| {
        let (mut rates_ms, mut select_ms, mut checks) = (Vec::new(), Vec::new(), Vec::new());
        // One pass first, not counted, as in the page.
        for i in 0..=iterations {
            let (t, filter, judge) = make(i);
            let started = Instant::now();
            let counts = rates(&t, &filter, &judge);
            let rates_time = ms(started);
            let started = Instant::now();
            let selected = select(&t, &filter, &judge);
            let select_time = ms(started);
            if i > 0 {
                rates_ms.push(rates_time);
                select_ms.push(select_time);
                checks.push(json!([counts, selected]));
            }
        }
        (name.to_string(), json!({ "rates_ms": rates_ms, "select_ms": select_ms, "checks": checks }))
    };
    let events = [
        event("threshold", &|i| {
            (
                thresholds[i % thresholds.len()],
                Filter { misaligned_only: true, ..Filter::default() },
                JudgeChoice::Default,
            )
        }),
        event("question", &|i| {
            (
                Thresholds::default(),
                Filter { questions: vec![questions[i % questions.len()].clone()], ..Filter::default() },
                JudgeChoice::Default,
            )
        }),
        event("search", &|i| {
            (
                Thresholds::default(),
                Filter { search: searches[i % searches.len()].clone(), ..Filter::default() },
                JudgeChoice::Default,
            )
        }),
        // The generated file's second judge, alternated with the published one.
        event("judge", &|i| {
            let judge = JudgeChoice::named(if i % 2 == 1 { "azure" } else { "published" });
            (Thresholds::default(), Filter { misaligned_only: true, ..Filter::default() }, judge)
        }),
    ];
    let profile: Vec<[f64; 7]> = (0..iterations.min(10)).map(|_| profile_passes(&dataset, now_ms)).collect();
    json!({
        "answers": dataset.len(),
        "events": events.into_iter().collect::<serde_json::Map<_, _>>(),
        "profile_ms": profile,
    })
}

/// A bundled judge (its folder: model, judge.json and the files judge.json names) on the first `answers` answers of `path`: model load and scoring times.
fn judge(path: &str, answers: usize, repeats: usize, threads: usize, model_dir: &str) -> Value {
    let dataset = parse(&read(path), path);
    let pairs: Vec<(&str, &str)> =
        dataset.runs.iter().flat_map(|r| (0..r.len()).map(|i| r.judge_input(i))).take(answers).collect();
    let model = read(&format!("{model_dir}/model.onnx"));
    let spec_bytes = read(&format!("{model_dir}/judge.json"));
    let options = JudgeOptions { batch_size: DEFAULT_BATCH_SIZE, intra_threads: Some(threads) };
    let started = Instant::now();
    probe_judge::native::init().unwrap_or_else(|e| panic!("ONNX Runtime: {e}"));
    let runtime_ms = ms(started);
    let mut load_ms = Vec::new();
    let mut score_ms = Vec::new();
    let mut checksum = 0.0;
    let mut batch = DEFAULT_BATCH_SIZE;
    for _ in 0..repeats {
        let started = Instant::now();
        let spec = JudgeSpec::from_json(&spec_bytes)
            .expect("judge.json")
            .with_files(|name| Ok::<_, ()>(read(&format!("{model_dir}/{name}"))))
            .expect("featurizer files");
        let judge = Judge::load_with(&model, spec, &options).unwrap_or_else(|e| panic!("judge: {e}"));
        batch = judge.batch_size();
        load_ms.push(ms(started));
        let started = Instant::now();
        let scores = judge.score(&pairs).unwrap_or_else(|e| panic!("scoring: {e}"));
        score_ms.push(ms(started));
        checksum = scores.iter().map(|s| f64::from(s.p_misaligned)).sum();
    }
    json!({
        "answers": pairs.len(), "threads": threads, "batch": batch,
        "runtime_init_ms": runtime_ms, "load_ms": load_ms, "score_ms": score_ms, "checksum": checksum,
    })
}

/// Milliseconds since the first call.
fn now_ms() -> f64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64() * 1000.0
}

// One definition for the native and the wasm bench, so both measure the same passes.
#[path = "../../profile.rs"]
mod profile;
use profile::profile_passes;
