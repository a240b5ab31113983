//! The judge bar: whose scores every view shows (published, a bundled local judge, or the
//! user's own), re-scoring with progress and cancel, and bringing your own judge.

use leptos::prelude::*;
use leptos::task::spawn_local;
use probe_judge::WebBackend;

use probe_core::agreement::count_error_span;
use probe_core::JudgeChoice;

use crate::download;
use crate::judge::{self, is_local_choice, is_local_layer, JudgeState, ModelFiles, CUSTOM};
use crate::state::{AppState, Derived, Level};

#[component]
pub fn JudgeBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let judge_state = expect_context::<JudgeState>();
    let derived = expect_context::<Derived>();
    let chosen = derived.judge;

    // A permalink naming a local judge loads it and scores everything on arrival. The effect
    // returns the choice it saw, so a bundled judge that fails to load can hand the view back.
    Effect::new(move |previous: Option<JudgeChoice>| {
        let choice = chosen.get();
        let has_data = state.dataset.with(|d| !d.runs.is_empty());
        if !is_local_choice(&choice) || !has_data || judge_state.loading.get_untracked() {
            return choice;
        }
        let wanted = choice.to_param().and_then(probe_judge::bundled_for_layer).map(|(index, _, _)| index);
        let active = judge_state.judge.with_untracked(|j| j.as_ref().and_then(|j| j.bundled));
        match wanted {
            Some(index) if active != Some(index) => {
                let previous = previous.filter(|p| *p != choice && (!is_local_choice(p) || active.is_some()));
                use_bundled(state, judge_state, index, previous.unwrap_or_default());
            }
            _ if judge_state.judge.with_untracked(Option::is_some) => rescore_all(state, judge_state),
            _ => {}
        }
        choice
    });

    let on_choose = move |ev| {
        let value = event_target_value(&ev);
        state.view.update(|v| v.judge = JudgeChoice::from_param(&value));
    };
    let on_custom = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let files: Vec<web_sys::File> =
            input.files().map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect()).unwrap_or_default();
        input.set_value("");
        spawn_local(async move {
            let activated = async { judge::activate(judge_state, read_custom(files).await?).await };
            match activated.await {
                Ok(()) => {
                    state.view.update(|v| v.judge = JudgeChoice::named(CUSTOM));
                    rescore_all(state, judge_state);
                }
                Err(e) => state
                    .notify(Level::Error, format!("Custom judge not loaded (the previous judge stays active): {e}")),
            }
        });
    };
    let export_scores = move |_| {
        let dataset = state.dataset.get_untracked();
        let scores = judge_state.scores.get_untracked();
        let mut out = String::new();
        for run in &dataset.runs {
            let Some(run_scores) = scores.runs.get(&run.id) else { continue };
            for (i, score) in run_scores.iter().enumerate() {
                if let Some(s) = score {
                    let line = serde_json::json!({
                        "file": run.source, "row": run.row(i), "p_misaligned": s.p_misaligned,
                        "aligned": s.aligned, "coherent": s.coherent, "p_unscored": s.p_unscored,
                    });
                    out.push_str(&line.to_string());
                    out.push('\n');
                }
            }
        }
        if let Err(e) = download::save("local-judge-scores.jsonl", "application/x-ndjson", &out) {
            state.notify(Level::Error, format!("Export failed: {e}"));
        }
    };

    view! {
        <section
            class="judge-bar"
            data-testid="judge-bar"
            data-restored=move || judge_state.restored.get()
            data-total=move || state.dataset.with(|d| d.len())
            data-judge=move || chosen.get().to_param().unwrap_or_default().to_owned()
        >
            <label>
                "Scores from "
                <select data-testid="judge-select" on:change=on_choose>
                    <option value="" selected=move || chosen.get() == JudgeChoice::Default>"each file's own judge"</option>
                    {move || {
                        let names = derived.judge_names.get();
                        names
                            .into_iter()
                            .filter(|n| !is_local_layer(n))
                            .map(|name| {
                                let choice = JudgeChoice::Named(name.clone());
                                let label = format!("judge “{name}” (from the files)");
                                view! { <option value=name selected=move || chosen.get() == choice>{label}</option> }
                            })
                            .collect_view()
                    }}
                    {probe_judge::BUNDLED
                        .iter()
                        .enumerate()
                        .map(|(index, (name, _))| {
                            let layer = probe_judge::bundled_layer(index);
                            let choice = JudgeChoice::named(layer);
                            view! {
                                <option value=layer selected=move || chosen.get() == choice>
                                    {format!("the local judge: {name} (bundled, in this tab)")}
                                </option>
                            }
                        })
                        .collect_view()}
                    <option value=CUSTOM selected=move || chosen.get() == JudgeChoice::named(CUSTOM) disabled=move || !is_custom_loaded(judge_state)>
                        "your own judge"
                    </option>
                </select>
            </label>
            <label title="WebGPU is used when the browser has it; the choice is fixed once a judge has run">
                "Run on "
                <select
                    data-testid="judge-backend"
                    disabled=move || judge_state.judge.with(Option::is_some)
                    on:change=move |ev| judge_state.backend.set(if event_target_value(&ev) == "webgpu" { WebBackend::WebGpu } else { WebBackend::Wasm })
                >
                    <option value="wasm">"CPU (WebAssembly)"</option>
                    <option value="webgpu">"WebGPU if available"</option>
                </select>
            </label>
            <button data-testid="rescore-filtered" title="Score only the answers the list shows"
                on:click=move |_| {
                    if judge_state.judge.with_untracked(Option::is_none) {
                        // Choosing the local judge loads it and scores everything.
                        state.view.update(|v| v.judge = JudgeChoice::named(probe_judge::bundled_layer(0)));
                    } else {
                        judge::rescore(state, judge_state, derived.selection.get_untracked().to_vec());
                    }
                }>
                "Re-score filtered answers"
            </button>
            <label class="file-pick" title="An ONNX model plus its judge.json contract and any file it names, such as a tokenizer's vocab.txt (see the README)">
                "Bring your own judge: "
                <input type="file" multiple accept=".onnx,.json,.txt" data-testid="custom-judge-input" on:change=on_custom/>
            </label>
            <Show when=move || judge_state.scores.with(|s| s.scored() > 0)>
                <button data-testid="export-local-scores" on:click=export_scores>"Download local scores (JSONL)"</button>
            </Show>
            <ProgressBar/>
            <JudgeNote/>
        </section>
    }
}

fn is_custom_loaded(judge_state: JudgeState) -> bool {
    judge_state.judge.with(|j| j.as_ref().is_some_and(|j| j.bundled.is_none()))
}

/// Loads the bundled judge at `index` of `probe_judge::BUNDLED` (replacing the active one) and
/// scores everything; on failure the previous judge stays active and the view goes back to
/// `previous` (what it showed before), unless the reader has chosen something else meanwhile.
fn use_bundled(state: AppState, judge_state: JudgeState, index: usize, previous: JudgeChoice) {
    spawn_local(async move {
        let result = match judge::fetch_bundled(index).await {
            Ok(files) => judge::activate(judge_state, files).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => rescore_all(state, judge_state),
            Err(e) => {
                state.notify(
                    Level::Error,
                    format!(
                        "The local judge ({}) could not be loaded; the previous judge stays active: {e}",
                        probe_judge::BUNDLED.get(index).map_or("?", |(name, _)| name)
                    ),
                );
                let wanted = JudgeChoice::named(probe_judge::bundled_layer(index));
                state.view.update(|v| {
                    if v.judge == wanted {
                        v.judge = previous;
                    }
                });
            }
        }
    });
}

fn rescore_all(state: AppState, judge_state: JudgeState) {
    let refs: Vec<_> = state.dataset.with_untracked(|d| d.refs().collect());
    judge::rescore(state, judge_state, refs);
}

async fn read_custom(files: Vec<web_sys::File>) -> Result<ModelFiles, String> {
    let model = files
        .iter()
        .find(|f| f.name().ends_with(".onnx"))
        .ok_or("choose a .onnx model file together with its judge.json")?;
    let spec = files
        .iter()
        .find(|f| f.name().ends_with(".json"))
        .ok_or("choose the model's judge.json together with the .onnx file")?;
    let read = |file: &web_sys::File| {
        let promise = file.array_buffer();
        async move {
            wasm_bindgen_futures::JsFuture::from(promise)
                .await
                .map(|buffer| js_sys::Uint8Array::new(&buffer).to_vec())
                .map_err(|_| "could not read the file".to_owned())
        }
    };
    let mut others = Vec::new();
    for file in files.iter().filter(|f| !f.name().ends_with(".onnx") && !f.name().ends_with(".json")) {
        others.push((file.name(), read(file).await?));
    }
    Ok(ModelFiles { label: model.name(), bundled: None, model: read(model).await?, spec: read(spec).await?, others })
}

/// done / total, answers per second, time left, and cancel.
#[component]
fn ProgressBar() -> impl IntoView {
    let judge_state = expect_context::<JudgeState>();
    move || {
        if judge_state.loading.get() {
            return Some(
                view! { <span class="judge-progress" data-testid="judge-loading">"Loading the judge…"</span> }
                    .into_any(),
            );
        }
        let progress = judge_state.progress.get()?;
        let elapsed = ((judge::now_ms() - progress.started_ms) / 1000.0).max(1e-3);
        let speed = progress.done as f64 / elapsed;
        let left = if speed > 0.0 { (progress.total - progress.done) as f64 / speed } else { f64::NAN };
        let cancel = progress.cancel.clone();
        Some(view! {
            <span class="judge-progress" data-testid="judge-progress">
                <progress max=progress.total value=progress.done></progress>
                {format!(" {} / {} answers · {:.0}/s · {} left ", progress.done, progress.total, speed, seconds(left))}
                <button data-testid="judge-cancel" on:click=move |_| cancel.set(true)>"Cancel"</button>
            </span>
        }.into_any())
    }
}

fn seconds(s: f64) -> String {
    if !s.is_finite() {
        "?".into()
    } else if s < 60.0 {
        format!("{s:.0} s")
    } else {
        format!("{:.1} min", s / 60.0)
    }
}

/// Which judge is in use and how its rates are computed, in words.
#[component]
fn JudgeNote() -> impl IntoView {
    let state = expect_context::<AppState>();
    let judge_state = expect_context::<JudgeState>();
    let derived = expect_context::<Derived>();
    move || {
        if !state.view.with(|v| is_local_choice(&v.judge)) {
            return None;
        }
        let loaded = judge_state.judge.get()?;
        let scored = judge_state.scores.with(|s| s.scored());
        let total = state.dataset.with(|d| d.len());
        let paper_rule = state.view.with(|v| v.thresholds.is_paper_default());
        let calibrated = derived.calibrated.with(Option::is_some);
        let rule = if paper_rule {
            format!("Its verdict is P(misaligned) ≥ {}.", loaded.judge.info().decision_threshold)
        } else {
            "With thresholds other than the paper's, its verdict applies them to its predicted scores.".to_owned()
        };
        let rates = if calibrated {
            "Where a cell has trusted labels (the reference judge's verdicts), its rate is prediction-powered \
             (PPI++: this judge's predictions on every answer, corrected by the labelled ones), with \
             “n labelled of N” and a 95% interval; cells without labels show the plain count."
        } else {
            "Without trusted labels its rates are its plain count, uncalibrated: the interval is the \
             Wilson interval of this judge's count; not calibrated against a reference."
        };
        let card = match count_error_span(&loaded.calibration) {
            Some((low, high)) => format!(
                " On {} source{} it was not trained on (its model card), its count was off from the published \
                 rate by {:+.1} to {:+.1} points: context for how far a plain count can be off, not an interval.",
                loaded.calibration.len(),
                if loaded.calibration.len() == 1 { "" } else { "s" },
                low * 100.0,
                high * 100.0
            ),
            None => " Its card gives no error on held-out sources.".to_owned(),
        };
        let correction = format!("{rule} {rates}{card}");
        Some(view! {
            <p class="judge-note" data-testid="judge-note">
                {format!("Showing {} ({} of {} answers scored). {correction}", loaded.label, scored, total)}
            </p>
        })
    }
}
