//! Labelling mode: a stratified random sample of the answers the list shows, labelled blind
//! in a dialog that covers every judge's scores, by keyboard (m misaligned, a aligned,
//! i incoherent, r refusal or code, s skip, u undo, Esc close), with progress and the
//! prediction-powered interval of the current run as labels arrive. Labels become the
//! `human` judge (every view, and trusted labels: `ref=human`), export and import as JSONL.

use leptos::prelude::*;
use leptos::task::spawn_local;
use probe_core::calibrate::{calibrated_table, shown_rate};
use probe_core::labels::{label_weights, stratified_sample, Label, HUMAN};
use probe_core::ppi::Method;
use probe_core::JudgeChoice;

use super::percent;
use crate::download;
use crate::labelling::{self, LabelState, Session};
use crate::state::{AppState, Derived, Level};

/// How many answers a session draws.
const SAMPLE_SIZE: usize = 40;

/// Opens a labelling session over the list, and the labels' export and import.
#[component]
pub fn LabelControls() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let labels = expect_context::<LabelState>();
    let start = move |_| {
        let dataset = derived.shown.get_untracked();
        let selection = derived.selection.get_untracked();
        // Strata by the local judge's P(misaligned) where it has scored the answer; else one stratum.
        let local = JudgeChoice::named(JudgeChoice::LOCAL);
        let scored: Vec<_> = selection
            .iter()
            .map(|r| {
                let p = dataset
                    .layer(r.run as usize, &local)
                    .and_then(|l| l.own.as_ref())
                    .and_then(|o| o.p_misaligned.get(r.index as usize).copied())
                    .filter(|p| p.is_finite())
                    .map_or(0.0, f64::from);
                (*r, p)
            })
            .collect();
        let seed = js_sys::Date::now() as u64;
        let items = stratified_sample(&scored, SAMPLE_SIZE, seed);
        if items.is_empty() {
            state.notify(Level::Error, "There are no answers in the list to label.");
            return;
        }
        labels.session.set(Some(Session { items, position: 0, done: Vec::new() }));
    };
    let export = move |_| {
        if let Err(e) = download::save("human-labels.jsonl", "application/x-ndjson", &labelling::export(labels)) {
            state.notify(Level::Error, format!("Export failed: {e}"));
        }
    };
    let import = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|l| l.get(0)) else { return };
        input.set_value("");
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await.ok().and_then(|t| t.as_string());
            let dataset = derived.shown.get_untracked();
            match text.map(|t| labelling::import(labels, &dataset, &t)) {
                Some(Ok(_)) => {}
                Some(Err(e)) => state.notify(Level::Error, format!("Labels not imported: {e}")),
                None => state.notify(Level::Error, "Labels not imported: the file could not be read."),
            }
        });
    };
    let count = move || labels.lines.with(|l| l.len());
    view! {
        <div class="label-controls" data-testid="label-controls">
            <button data-testid="label-start" on:click=start title="Label a stratified random sample of the answers the list shows, without seeing any judge's scores">
                "Label answers"
            </button>
            <span data-testid="label-count">{move || format!(" {} human labels ", count())}</span>
            <Show when=move || { count() > 0 }>
                <button data-testid="label-export" on:click=export>"Export labels (JSONL)"</button>
            </Show>
            <label class="file-pick">
                "Import labels: "
                <input type="file" accept=".jsonl,.json,.txt" data-testid="label-import" on:change=import/>
            </label>
        </div>
    }
}

/// The blind labelling dialog, over the whole page while a session runs.
#[component]
pub fn LabelDialog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let labels = expect_context::<LabelState>();
    let dialog = NodeRef::<leptos::html::Div>::new();
    // Focus the dialog when it opens, so the keys reach it.
    Effect::new(move |_| {
        if labels.session.with(Option::is_some) {
            if let Some(el) = dialog.get() {
                let _ = el.focus();
            }
        }
    });
    let act = move |key: &str| {
        let dataset = derived.shown.get_untracked();
        let label = match key {
            "m" => Some(Some(Label::Misaligned)),
            "a" => Some(Some(Label::Aligned)),
            "i" => Some(Some(Label::Incoherent)),
            "r" => Some(Some(Label::RefusalOrCode)),
            "s" => Some(None),
            _ => None,
        };
        match (key, label) {
            (_, Some(label)) => labelling::answer(labels, &dataset, label),
            ("u", None) => labelling::undo(labels, &dataset),
            ("Escape", None) => labels.session.set(None),
            _ => {}
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let key = ev.key();
        if matches!(key.as_str(), "m" | "a" | "i" | "r" | "s" | "u" | "Escape") {
            ev.prevent_default();
            ev.stop_propagation();
            act(&key);
        }
    };
    move || {
        let session = labels.session.get()?;
        let total = session.items.len();
        let labelled = labels.lines.with(|l| l.len());
        let dataset = derived.shown.get();
        let current = session.items.get(session.position).copied();
        let body = match current.and_then(|d| Some((d, dataset.resolve(d.answer)?))) {
            Some((_, (run, i))) => view! {
                <p class="label-question" data-testid="label-question">{run.question_text(i).to_owned()}</p>
                <pre class="label-answer" data-testid="label-answer">{run.answer_text(i).unwrap_or("(no answer text)").to_owned()}</pre>
            }
            .into_any(),
            None => view! { <p data-testid="label-finished">"All drawn answers are done. Press u to undo, Esc to close."</p> }.into_any(),
        };
        // How the interval narrows: the run of the answer shown (or the last one), the local
        // judge calibrated by the human labels over the answers the list shows.
        let run = current.or_else(|| session.items.last().copied()).map(|d| d.answer.run)?;
        let thresholds = state.view.with_untracked(|v| v.thresholds);
        let weights = labels.lines.with(|l| label_weights(&dataset, l));
        let selection = derived.selection.get();
        let has_local = dataset.layer(run as usize, &JudgeChoice::named(JudgeChoice::LOCAL)).is_some();
        let judge = if has_local { JudgeChoice::named(JudgeChoice::LOCAL) } else { JudgeChoice::named(HUMAN) };
        let human = JudgeChoice::named(HUMAN);
        let table = calibrated_table(&dataset, &judge, Some(&human), &selection, &thresholds, None, Some(&weights));
        let rate = shown_rate(Some(&table), run, None, Default::default());
        let interval = match rate {
            Some(r) if r.method != Method::Count || r.gold_n > 0 => format!(
                "{} · 95% [{:.0}–{:.0}%] · {} · {} labelled of {}",
                percent(Some(r.estimate)),
                r.low * 100.0,
                r.high * 100.0,
                r.method.interval_name(),
                r.gold_n,
                r.n
            ),
            _ => "No labels in this run yet.".to_owned(),
        };
        let button = move |key: &'static str, text: &'static str| {
            view! { <button data-testid=format!("label-key-{key}") on:click=move |_| act(key)>{text}</button> }
        };
        Some(view! {
            <div class="label-backdrop">
                <div
                    class="label-dialog"
                    role="dialog"
                    aria-modal="true"
                    aria-labelledby="label-title"
                    tabindex="0"
                    data-testid="label-dialog"
                    data-position=session.position
                    data-total=total
                    data-labelled=labelled
                    node_ref=dialog
                    on:keydown=on_key
                >
                    <h2 id="label-title">"Label answers (blind: no judge's scores are shown)"</h2>
                    <p data-testid="label-progress">
                        {format!("Answer {} of {} · {} human labels in all", (session.position + 1).min(total), total, labelled)}
                    </p>
                    {body}
                    <div class="label-keys" role="group" aria-label="Label">
                        {button("m", "m: misaligned")}
                        {button("a", "a: aligned")}
                        {button("i", "i: incoherent")}
                        {button("r", "r: refusal or code")}
                        {button("s", "s: skip")}
                        {button("u", "u: undo")}
                        {button("Escape", "Esc: close")}
                    </div>
                    <p class="label-interval" data-testid="label-interval">{interval}</p>
                </div>
            </div>
        })
    }
}
