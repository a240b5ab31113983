//! Benchmark hooks for `scripts/bench.sh`, compiled only with the `bench` cargo feature, so
//! the production bundle never carries them. They expose the core as the app uses it (same
//! crate versions, same release profile, same wasm-opt pass) to `bench/bench.mjs`:
//!
//! - [`bench_parse`]: `probe_core::load::load_run_owned` on bytes handed over from JS;
//! - [`BenchData::rates`] / [`BenchData::select`]: what a threshold, filter or search change
//!   recomputes (`filter::scope` + `stats::rate_table`, and `filter::select`);
//! - [`BenchData::judge_score`]: a bundled judge through the judge module and ONNX Runtime Web,
//!   as the app runs it ([`bench_bundled_judges`] lists them);
//! - memory: the wasm memory's size and the bytes live in the Rust heap (a counting allocator).
//!
//! Timings are taken by the caller with `performance.now()`; the parse also reports the time
//! spent in `load_run_owned` alone, without copying the bytes into wasm memory.

use std::cell::RefCell;
use std::rc::Rc;

use probe_core::filter::{self, Filter, Sort};
use probe_core::{load, stats, Dataset, JudgeChoice, Thresholds};
use probe_judge::WebBackend;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::judge_module::ModuleJudge;

/// Counts the bytes the Rust heap holds, so the benchmark can tell the dataset's own size
/// from the wasm memory's high-water mark (wasm memory never shrinks).
#[allow(unsafe_code)]
mod counting {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    pub static LIVE: AtomicUsize = AtomicUsize::new(0);
    pub static PEAK: AtomicUsize = AtomicUsize::new(0);

    fn grew(bytes: usize) {
        let live = LIVE.fetch_add(bytes, Relaxed) + bytes;
        PEAK.fetch_max(live, Relaxed);
    }

    pub struct Counting;

    // SAFETY: every call forwards to the system allocator with the caller's arguments
    // unchanged; the counters are only bookkeeping.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let ptr = unsafe { System.alloc(layout) };
            if !ptr.is_null() {
                grew(layout.size());
            }
            ptr
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            let ptr = unsafe { System.alloc_zeroed(layout) };
            if !ptr.is_null() {
                grew(layout.size());
            }
            ptr
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) };
            LIVE.fetch_sub(layout.size(), Relaxed);
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let new = unsafe { System.realloc(ptr, layout, new_size) };
            if !new.is_null() {
                LIVE.fetch_sub(layout.size(), Relaxed);
                grew(new_size);
            }
            new
        }
    }

    #[global_allocator]
    static GLOBAL: Counting = Counting;
}

fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

fn js_error(error: impl std::fmt::Display) -> JsError {
    JsError::new(&error.to_string())
}

/// Bytes of the wasm linear memory (its high-water mark: it never shrinks).
#[wasm_bindgen]
pub fn bench_wasm_memory_bytes() -> f64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .map_or(0.0, |memory| memory.buffer().unchecked_into::<js_sys::ArrayBuffer>().byte_length().into())
}

/// Bytes currently allocated on the Rust heap.
#[wasm_bindgen]
pub fn bench_heap_live_bytes() -> f64 {
    counting::LIVE.load(std::sync::atomic::Ordering::Relaxed) as f64
}

/// Most bytes allocated at once since the last [`bench_heap_reset_peak`].
#[wasm_bindgen]
pub fn bench_heap_peak_bytes() -> f64 {
    counting::PEAK.load(std::sync::atomic::Ordering::Relaxed) as f64
}

#[wasm_bindgen]
pub fn bench_heap_reset_peak() {
    counting::PEAK
        .store(counting::LIVE.load(std::sync::atomic::Ordering::Relaxed), std::sync::atomic::Ordering::Relaxed);
}

/// A parsed file, held in wasm memory until `free()`.
#[wasm_bindgen]
pub struct BenchData {
    dataset: Rc<Dataset>,
    parse_ms: f64,
    rows: usize,
}

/// Parses `bytes` (copied into wasm memory) with `load_run_owned`, as the app does after
/// reading a file.
#[wasm_bindgen]
pub fn bench_parse(bytes: Vec<u8>, source: &str) -> Result<BenchData, JsError> {
    let started = now_ms();
    let loaded = load::load_run_owned(bytes, source, None).map_err(|refused| js_error(refused.error))?;
    let parse_ms = now_ms() - started;
    Ok(BenchData { dataset: Rc::new(Dataset::new(vec![loaded.run])), parse_ms, rows: loaded.rows })
}

/// The judge a bench event names: "" for the file's default.
fn judge_of(name: &str) -> JudgeChoice {
    if name.is_empty() {
        JudgeChoice::Default
    } else {
        JudgeChoice::named(name)
    }
}

fn filter_of(questions: Vec<String>, search: String, misaligned_only: bool) -> Filter {
    Filter { questions, search, misaligned_only, ..Filter::default() }
}

#[wasm_bindgen]
impl BenchData {
    /// Milliseconds spent in `load_run_owned` alone.
    #[wasm_bindgen(getter)]
    pub fn parse_ms(&self) -> f64 {
        self.parse_ms
    }

    /// Data records read.
    #[wasm_bindgen(getter)]
    pub fn rows(&self) -> usize {
        self.rows
    }

    #[wasm_bindgen(getter)]
    pub fn answers(&self) -> usize {
        self.dataset.len()
    }

    /// Distinct question keys, in first-seen order.
    pub fn question_ids(&self) -> Vec<String> {
        stats::rate_table_all(&self.dataset, &JudgeChoice::Default, &Thresholds::default()).questions
    }

    /// Every distinct question's raw key and the group it is counted under (the paper's base
    /// id for a `_json`/`_template` variant), flattened `[key, group, key, group, …]`: what the
    /// JavaScript baseline groups by, as the rates table does.
    pub fn question_groups(&self) -> Vec<String> {
        let questions = self.dataset.runs.iter().flat_map(|run| run.questions.iter());
        questions.flat_map(|q| [q.key.clone(), q.group(false).to_string()]).collect()
    }

    /// The rates matrix after a change: `scope` then `rate_table` under `judge` ("": the
    /// default). Returns `[answers in scope, judged, misaligned, questions]` as a checksum.
    pub fn rates(&self, aligned_below: f64, coherent_above: f64, questions: Vec<String>, judge: String) -> Vec<f64> {
        let thresholds = Thresholds::strict(aligned_below, coherent_above);
        let filter = filter_of(questions, String::new(), false);
        let scope = filter::scope(&self.dataset, &filter);
        let table = stats::rate_table(&self.dataset, &judge_of(&judge), &scope, &thresholds);
        vec![scope.len() as f64, table.total.judged.into(), table.total.misaligned.into(), table.questions.len() as f64]
    }

    /// The answer list after a change: `select` (file order). Returns how many answers pass.
    pub fn select(
        &self,
        aligned_below: f64,
        coherent_above: f64,
        questions: Vec<String>,
        search: String,
        misaligned_only: bool,
        judge: String,
    ) -> usize {
        let thresholds = Thresholds::strict(aligned_below, coherent_above);
        let filter = filter_of(questions, search, misaligned_only);
        filter::select(&self.dataset, &judge_of(&judge), &filter, &thresholds, &Sort::default()).len()
    }

    /// The list's first screen: `select_first` with `limit` answers. Returns how many it found.
    pub fn select_first(
        &self,
        aligned_below: f64,
        coherent_above: f64,
        questions: Vec<String>,
        search: String,
        misaligned_only: bool,
        judge: String,
        limit: usize,
    ) -> usize {
        let thresholds = Thresholds::strict(aligned_below, coherent_above);
        let filter = filter_of(questions, search, misaligned_only);
        filter::select_first(&self.dataset, &judge_of(&judge), &filter, &thresholds, limit).len()
    }

    /// Where the rates' time goes: single passes over every answer, in ms, that each add one
    /// step of what `rate_table` does per answer (see `bench/native` for the same passes).
    pub fn profile(&self) -> Vec<f64> {
        profile_passes(&self.dataset, now_ms).to_vec()
    }

    /// Scores the first `n` answers with the judge loaded by [`bench_judge_load`], in one
    /// `score_async` call (it runs the model batch by batch, as the app does). Resolves to the
    /// sum of `p_misaligned`, a checksum to compare with the native run.
    pub fn judge_score(&self, n: usize) -> js_sys::Promise {
        let dataset = self.dataset.clone();
        let judge = JUDGE.with(|j| j.borrow().clone());
        wasm_bindgen_futures::future_to_promise(async move {
            let judge = judge.ok_or_else(|| JsValue::from_str("no judge loaded"))?;
            let pairs: Vec<(&str, &str)> =
                dataset.runs.iter().flat_map(|r| (0..r.len()).map(|i| r.judge_input(i))).take(n).collect();
            let scores = judge.score_async(&pairs).await.map_err(|e| JsValue::from_str(&e))?;
            let sum: f64 = scores.iter().map(|s| f64::from(s.p_misaligned)).sum();
            Ok(JsValue::from_f64(sum))
        })
    }
}

thread_local! {
    static JUDGE: RefCell<Option<Rc<ModuleJudge>>> = const { RefCell::new(None) };
}

/// The bundled judges (`probe_judge::BUNDLED`), default first: `[name, folder]` each.
#[wasm_bindgen]
pub fn bench_bundled_judges() -> Vec<js_sys::Array> {
    probe_judge::BUNDLED
        .iter()
        .map(|(name, folder)| js_sys::Array::of2(&JsValue::from_str(name), &JsValue::from_str(folder)))
        .collect()
}

/// Fetches the judge module and loads ONNX Runtime Web (WASM backend) from `base_url`, as the
/// app does on first judging.
#[wasm_bindgen]
pub async fn bench_judge_init(base_url: String) -> Result<(), JsError> {
    crate::judge_module::init_runtime(&base_url, WebBackend::Wasm).await.map_err(js_error)
}

/// Creates the judge's session in the judge module from the model, its spec and the files the
/// spec names (names and bytes in the same order), with the app's defaults.
#[wasm_bindgen]
pub async fn bench_judge_load(
    model: Vec<u8>,
    spec: Vec<u8>,
    names: Vec<String>,
    files: Vec<js_sys::Uint8Array>,
) -> Result<(), JsError> {
    let others: Vec<(String, Vec<u8>)> = names.into_iter().zip(files.iter().map(js_sys::Uint8Array::to_vec)).collect();
    let judge = crate::judge_module::load(&model, &spec, &others).await.map_err(js_error)?;
    JUDGE.with(|j| *j.borrow_mut() = Some(Rc::new(judge)));
    Ok(())
}

/// The files a `judge.json` names beside its model, as the app asks the judge module.
#[wasm_bindgen]
pub async fn bench_judge_files(spec: Vec<u8>) -> Result<Vec<String>, JsError> {
    crate::judge_module::spec_files(&spec).await.map_err(js_error)
}

// One definition for the native and the wasm bench, so both measure the same passes.
#[path = "../bench/profile.rs"]
mod profile;
use profile::profile_passes;
