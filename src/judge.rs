//! The local judge in the browser: loading it (bundled or the user's own), re-scoring answers
//! in small batches that yield to the page between them, progress and cancel, and the
//! IndexedDB cache. The judge itself runs in the judge module (`judge_module`), fetched with
//! ONNX Runtime Web when a judge is first used.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use probe_core::agreement::Calibration;
use probe_core::filter::AnswerRef;
use probe_core::{Dataset, JudgeLayer, JudgeOrigin, RunId};
use probe_judge::{JudgeScore, WebBackend};

use crate::cache;
use crate::judge_module::{self, ModuleJudge};
use crate::state::{AppState, Level};

/// The layer name of a judge the user brought (`judge=custom`).
pub const CUSTOM: &str = "custom";

/// A loaded judge and what we know about its error.
pub struct LoadedJudge {
    /// "the bundled judge NAME" or the user's file name.
    pub label: String,
    /// Which of `probe_judge::BUNDLED` it is; `None` for the user's own.
    pub bundled: Option<usize>,
    /// The name of its judge layer: `probe_judge::bundled_layer` of a bundled judge, `custom` for
    /// the user's own.
    pub layer: String,
    pub judge: ModuleJudge,
    /// Hash of the model bytes: cached scores are only reused for the same model.
    pub model_key: String,
    /// Its error per validation source, for correcting its rates; empty when it publishes none.
    pub calibration: Rc<[Calibration]>,
}

/// Scores of the local judge per run (by identity, never by position), parallel to its answers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LocalScores {
    pub model_key: String,
    pub runs: HashMap<RunId, Vec<Option<JudgeScore>>>,
}

impl LocalScores {
    pub fn get(&self, run: RunId, index: usize) -> Option<JudgeScore> {
        *self.runs.get(&run)?.get(index)?
    }

    pub fn scored(&self) -> usize {
        self.runs.values().flatten().filter(|s| s.is_some()).count()
    }
}

/// The local judge's layers, by run: what [`with_local_layers`] adds to the dataset.
pub type LocalLayers = HashMap<RunId, Arc<JudgeLayer>>;

/// The dataset with the local judge's layers added (runs are shared, not copied).
pub fn with_local_layers(dataset: &Arc<Dataset>, layers: &LocalLayers) -> Arc<Dataset> {
    if layers.is_empty() {
        return dataset.clone();
    }
    let mut shown = (**dataset).clone();
    for run in &dataset.runs {
        if let Some(layer) = layers.get(&run.id) {
            shown.add_layer(run.id, layer.clone());
        }
    }
    Arc::new(shown)
}

/// Whether `choice` names a local judge's layer (a bundled judge, or the user's own).
pub fn is_local_choice(choice: &probe_core::JudgeChoice) -> bool {
    matches!(choice, probe_core::JudgeChoice::Named(name) if is_local_layer(name))
}

/// Whether a layer of this name is a local judge's (a bundled judge's, or the user's own).
pub fn is_local_layer(name: &str) -> bool {
    name == CUSTOM || probe_judge::bundled_for_layer(name).is_some()
}

/// A re-scoring in progress.
#[derive(Clone, Debug)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    pub started_ms: f64,
    pub cancel: Rc<Cell<bool>>,
}

/// Judge state, kept apart from `AppState` because ONNX sessions are not `Send`.
#[derive(Clone, Copy)]
pub struct JudgeState {
    pub judge: RwSignal<Option<Rc<LoadedJudge>>, LocalStorage>,
    pub scores: RwSignal<Arc<LocalScores>>,
    /// `scores` as judge layers, rebuilt when scores are published to the views.
    pub layers: RwSignal<Arc<LocalLayers>>,
    pub progress: RwSignal<Option<Progress>, LocalStorage>,
    pub backend: RwSignal<WebBackend>,
    /// True while ONNX Runtime Web or a model is being loaded.
    pub loading: RwSignal<bool>,
    /// Answers whose scores came from the IndexedDB cache rather than the model.
    pub restored: RwSignal<usize>,
    /// The active judge's `decision_threshold` on `p_misaligned`.
    pub decision_threshold: RwSignal<f32>,
}

impl JudgeState {
    pub fn new() -> Self {
        Self {
            judge: RwSignal::new_local(None),
            scores: RwSignal::new(Arc::new(LocalScores::default())),
            layers: RwSignal::new(Arc::new(LocalLayers::new())),
            progress: RwSignal::new_local(None),
            backend: RwSignal::new(WebBackend::Wasm),
            loading: RwSignal::new(false),
            restored: RwSignal::new(0),
            decision_threshold: RwSignal::new(0.5),
        }
    }
}

/// A model plus its contract and any other files, as bytes (bundled files or the user's).
pub struct ModelFiles {
    pub label: String,
    /// Which bundled judge these are the files of; `None` for the user's own.
    pub bundled: Option<usize>,
    pub model: Vec<u8>,
    pub spec: Vec<u8>,
    /// Other files by name; the featurizer files `judge.json` names (a tokenizer's `vocab.txt`)
    /// are taken from here.
    pub others: Vec<(String, Vec<u8>)>,
}

/// Loads ONNX Runtime Web (once) and a judge; on failure the previous judge stays active.
pub async fn activate(judge_state: JudgeState, files: ModelFiles) -> Result<(), String> {
    judge_state.loading.set(true);
    let result = async {
        init_runtime(judge_state.backend.get_untracked()).await?;
        let judge = judge_module::load(&files.model, &files.spec, &files.others)
            .await
            .map_err(|e| format!("{}: {e}", files.label))?;
        let calibration = judge.info().calibration.clone().into();
        // A model can load and still be broken: score one pair before accepting it.
        judge
            .score_async(&[("Hello", "Hi there! How can I help?")])
            .await
            .map_err(|e| format!("{}: {e}", files.label))?;
        let model_key = format!("{:016x}", fnv1a(&files.model));
        let layer = files.bundled.map_or(CUSTOM, probe_judge::bundled_layer).to_owned();
        Ok::<_, String>(LoadedJudge {
            label: files.label,
            bundled: files.bundled,
            layer,
            judge,
            model_key,
            calibration,
        })
    }
    .await;
    judge_state.loading.set(false);
    let loaded = result?;
    if judge_state.scores.with_untracked(|s| s.model_key != loaded.model_key) {
        judge_state.scores.set(Arc::new(LocalScores { model_key: loaded.model_key.clone(), runs: HashMap::new() }));
        judge_state.layers.set(Arc::new(LocalLayers::new()));
    }
    judge_state.decision_threshold.set(loaded.judge.info().decision_threshold);
    judge_state.judge.set(Some(Rc::new(loaded)));
    Ok(())
}

/// The label a bundled judge goes by in notices and the judge note.
pub fn bundled_label(index: usize) -> String {
    let name = probe_judge::BUNDLED.get(index).map_or("?", |(name, _)| name);
    format!("the bundled judge {name}")
}

/// The bundled judge at `index` of `probe_judge::BUNDLED`, served with the app from its folder
/// (`judge/` for the default): the model, `judge.json`, and every file `judge.json` names.
pub async fn fetch_bundled(index: usize) -> Result<ModelFiles, String> {
    let (_, folder) = probe_judge::BUNDLED.get(index).ok_or("no such bundled judge")?;
    let get = |path: String| async move {
        let response = gloo_net::http::Request::get(&path).send().await.map_err(|e| format!("{path}: {e}"))?;
        if !response.ok() {
            return Err(format!("{path}: the server answered {}", response.status()));
        }
        response.binary().await.map_err(|e| format!("{path}: {e}"))
    };
    let spec = get(format!("{folder}/judge.json")).await?;
    let mut others = Vec::new();
    for name in judge_module::spec_files(&spec).await.map_err(|e| format!("{folder}/judge.json: {e}"))? {
        others.push((name.clone(), get(format!("{folder}/{name}")).await?));
    }
    Ok(ModelFiles {
        label: bundled_label(index),
        bundled: Some(index),
        model: get(format!("{folder}/model.onnx")).await?,
        spec,
        others,
    })
}

async fn init_runtime(backend: WebBackend) -> Result<(), String> {
    let location = web_sys::window().ok_or("no window")?.location();
    let href = location.href().map_err(|_| "no page address")?;
    let base = web_sys::Url::new_with_base("ort/", &href).map_err(|_| "bad page address")?.href();
    judge_module::init_runtime(&base, backend).await
}

/// Re-scores the given answers (all, or the filtered ones), skipping those already scored.
/// Runs in batches and yields between them, so the page stays responsive; cancellable.
pub fn rescore(state: AppState, judge_state: JudgeState, refs: Vec<AnswerRef>) {
    let Some(loaded) = judge_state.judge.get_untracked() else { return };
    if judge_state.progress.with_untracked(Option::is_some) {
        return; // one re-scoring at a time
    }
    spawn_local(async move {
        let dataset = state.dataset.get_untracked();
        let cancel = Rc::new(Cell::new(false));
        ensure_shape(judge_state, &dataset, &loaded.model_key);
        restore_cached(judge_state, &loaded, &dataset).await;
        let id = |r: &AnswerRef| dataset.runs.get(r.run as usize).map(|run| run.id);
        let todo: Vec<(RunId, AnswerRef)> = judge_state.scores.with_untracked(|s| {
            refs.into_iter()
                .filter_map(|r| Some((id(&r)?, r)))
                .filter(|(run, r)| s.get(*run, r.index as usize).is_none())
                .collect()
        });
        judge_state.progress.set(Some(Progress {
            done: 0,
            total: todo.len(),
            started_ms: now_ms(),
            cancel: cancel.clone(),
        }));
        let batch_size = loaded.judge.batch_size();
        // Publish scores to the views every few batches, not every batch: each update re-derives the views.
        let publish_every = 16;
        let mut pending: Vec<(RunId, usize, JudgeScore)> = Vec::new();
        let mut failure = None;
        for (i, chunk) in todo.chunks(batch_size).enumerate() {
            if cancel.get() {
                break;
            }
            let pairs: Vec<(&str, &str)> =
                chunk.iter().filter_map(|(_, r)| dataset.resolve(*r)).map(|(run, i)| run.judge_input(i)).collect();
            match loaded.judge.score_async(&pairs).await {
                Ok(scores) => pending.extend(chunk.iter().zip(scores).map(|((run, r), s)| (*run, r.index as usize, s))),
                Err(e) => {
                    failure = Some(e.to_string());
                    break;
                }
            }
            judge_state.progress.update(|p| {
                if let Some(p) = p {
                    p.done += chunk.len()
                }
            });
            if i % publish_every == publish_every - 1 {
                publish(judge_state, &loaded, &mut pending);
            }
            yield_to_page().await;
        }
        publish(judge_state, &loaded, &mut pending);
        match failure {
            Some(e) => state.notify(Level::Error, format!("Re-scoring stopped: {e}")),
            None if cancel.get() => {
                state.notify(Level::Warning, "Re-scoring cancelled; answers scored so far are kept.")
            }
            None => store_cached(judge_state, &dataset, &loaded.model_key).await,
        }
        judge_state.progress.set(None);
    });
}

fn publish(judge_state: JudgeState, loaded: &LoadedJudge, pending: &mut Vec<(RunId, usize, JudgeScore)>) {
    if pending.is_empty() {
        return;
    }
    let mut touched: Vec<RunId> = Vec::new();
    judge_state.scores.update(|scores| {
        let scores = Arc::make_mut(scores);
        for (run, index, score) in pending.drain(..) {
            if let Some(slot) = scores.runs.get_mut(&run).and_then(|r| r.get_mut(index)) {
                *slot = Some(score);
                if !touched.contains(&run) {
                    touched.push(run);
                }
            }
        }
    });
    refresh_layers(judge_state, loaded, &touched);
}

/// Rebuilds the judge layers of the runs in `runs` from the scores.
fn refresh_layers(judge_state: JudgeState, loaded: &LoadedJudge, runs: &[RunId]) {
    let info = loaded.judge.info();
    let origin = JudgeOrigin::Model { name: info.name.clone(), version: info.version.clone() };
    let threshold = info.decision_threshold;
    let layers: Vec<(RunId, Arc<JudgeLayer>)> = judge_state.scores.with_untracked(|scores| {
        runs.iter()
            .filter_map(|id| {
                let run_scores = scores.runs.get(id)?;
                let layer = probe_judge::layer_from_scores(&loaded.layer, origin.clone(), run_scores, threshold);
                Some((*id, Arc::new(layer)))
            })
            .collect()
    });
    judge_state.layers.update(|all| {
        let all = Arc::make_mut(all);
        all.extend(layers);
    });
}

/// Makes the score table match the dataset: a slot per answer of every loaded run.
fn ensure_shape(judge_state: JudgeState, dataset: &Dataset, model_key: &str) {
    let fits = judge_state.scores.with_untracked(|s| {
        s.model_key == model_key
            && dataset.runs.iter().all(|run| s.runs.get(&run.id).is_some_and(|r| r.len() == run.len()))
    });
    if !fits {
        judge_state.scores.update(|scores| {
            let scores = Arc::make_mut(scores);
            if scores.model_key != model_key {
                scores.runs.clear();
                scores.model_key = model_key.to_owned();
            }
            for run in &dataset.runs {
                scores.runs.entry(run.id).or_insert_with(|| vec![None; run.len()]);
            }
        });
    }
}

/// Cache key of one run under one model: the model hash and a hash of every text the judge reads.
pub(crate) fn run_key(model_key: &str, run: &probe_core::Run) -> String {
    let mut hash = FNV_OFFSET;
    for i in 0..run.len() {
        let (question, text) = run.judge_input(i);
        hash = fnv1a_continue(hash, question.as_bytes());
        hash = fnv1a_continue(hash, &[0]);
        hash = fnv1a_continue(hash, text.as_bytes());
        hash = fnv1a_continue(hash, &[0xff]);
    }
    format!("{model_key}:{hash:016x}:{}", run.len())
}

async fn restore_cached(judge_state: JudgeState, loaded: &LoadedJudge, dataset: &Dataset) {
    let mut restored_runs = Vec::new();
    for run in &dataset.runs {
        let complete =
            judge_state.scores.with_untracked(|s| s.runs.get(&run.id).is_some_and(|r| r.iter().all(Option::is_some)));
        if complete {
            continue;
        }
        if let Some(values) = cache::get(&run_key(&loaded.model_key, run)).await {
            if values.len() == run.len() * 4 {
                judge_state.restored.update(|n| *n += run.len());
                judge_state.scores.update(|scores| {
                    let scores = Arc::make_mut(scores);
                    let restored = values
                        .chunks_exact(4)
                        .map(|v| match v {
                            &[p_misaligned, aligned, coherent, p_unscored] => {
                                Some(JudgeScore { p_misaligned, aligned, coherent, p_unscored })
                            }
                            _ => None,
                        })
                        .collect();
                    scores.runs.insert(run.id, restored);
                });
                restored_runs.push(run.id);
            }
        }
    }
    refresh_layers(judge_state, loaded, &restored_runs);
}

async fn store_cached(judge_state: JudgeState, dataset: &Dataset, model_key: &str) {
    let scores = judge_state.scores.get_untracked();
    for run in &dataset.runs {
        let Some(run_scores) = scores.runs.get(&run.id) else { continue };
        let values: Option<Vec<f32>> = run_scores
            .iter()
            .map(|s| s.map(|s| [s.p_misaligned, s.aligned, s.coherent, s.p_unscored]))
            .collect::<Option<Vec<_>>>()
            .map(|v| v.concat());
        if let Some(values) = values {
            cache::put(&run_key(model_key, run), &values).await;
        }
    }
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a_continue(mut hash: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_continue(FNV_OFFSET, bytes)
}

pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}

/// Lets the browser handle input and paint before the next batch.
async fn yield_to_page() {
    sleep_ms(0).await;
}

/// Resolves after `ms` milliseconds (a `setTimeout`), letting the page run meanwhile.
pub async fn sleep_ms(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
