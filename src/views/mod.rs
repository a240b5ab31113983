//! The views: one file per thing the user sees. Components only wire signals to
//! `probe_core` functions; they do no statistics themselves.

mod agreement;
mod answers;
mod chart;
mod controls;
mod detail;
mod judge;
mod manifest;
mod mapping;
mod notices;
mod playground;
mod provenance;
mod rates;
mod scatter;
mod sensitivity;
mod sources;
mod starred;
mod tail;
mod uncertainty;

use std::sync::Arc;

use leptos::prelude::*;
pub use probe_core::view_state::Tab;
use wasm_bindgen::JsCast;

use crate::judge::JudgeState;
use crate::load;
use crate::state::{AppState, Derived};
use crate::url;

/// What each tab is called on screen.
fn tab_label(tab: Tab) -> &'static str {
    match tab {
        Tab::Rates => "Rates",
        Tab::Scatter => "Scatter",
        Tab::Answers => "Answers",
        Tab::Compare => "Compare judges",
        Tab::Playground => "Judge playground",
        Tab::Rules => "Rule sensitivity",
    }
}

/// Switches the main view (and records it in the URL).
pub fn show_tab(state: AppState, tab: Tab) {
    state.view.update(|v| v.tab = tab);
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new(url::read_view_state());
    provide_context(state);
    let judge_state = JudgeState::new();
    provide_context(judge_state);
    let derived = Derived::new(state, judge_state);
    provide_context(derived);
    provide_context(manifest::WithManifest(RwSignal::new(false)));

    // The URL always describes what is on screen, so any moment can be shared.
    Effect::new(move |_| state.view.with(url::write_view_state));

    let sources = state.view.with_untracked(|v| v.sources.clone());
    if sources.is_empty() {
        load::load_demo(state);
    } else {
        load::load_urls(state, sources);
    }
    install_keyboard_shortcuts(state, derived);

    let tab = derived.tab;
    view! {
        <header class="top">
            <h1>"Probe Explorer"</h1>
            <p class="tagline">"Explore emergent-misalignment transcripts in your browser. Nothing is uploaded."</p>
            <CopyLink/>
            <manifest::CiteView/>
            <manifest::HashCheck/>
        </header>
        <Show when=move || state.is_demo.get()>
            <p class="demo-banner" data-testid="demo-banner">
                "You are looking at a small illustrative demo dataset written by the Probe Explorer authors: "
                <strong>"it is not real model output."</strong>
                " Load published transcripts below to explore real results."
            </p>
        </Show>
        <notices::Notices/>
        <sources::Sources/>
        <mapping::MappingStep/>
        <controls::Thresholds/>
        <judge::JudgeBar/>
        <nav class="tabs" role="tablist">
            {Tab::ALL
                .into_iter()
                .map(|t| {
                    view! {
                        <button
                            role="tab"
                            data-testid=format!("tab-{}", t.name())
                            aria-selected=move || (tab.get() == t).to_string()
                            class:active=move || tab.get() == t
                            on:click=move |_| show_tab(state, t)
                        >
                            {tab_label(t)}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
        <main>
            {move || match tab.get() {
                Tab::Rates => view! { <rates::RatesView/> }.into_any(),
                Tab::Scatter => view! { <scatter::ScatterView/> }.into_any(),
                Tab::Answers => view! { <answers::AnswersView/> }.into_any(),
                Tab::Compare => view! { <agreement::AgreementView/> }.into_any(),
                Tab::Playground => view! { <playground::PlaygroundView/> }.into_any(),
                Tab::Rules => view! { <sensitivity::SensitivityView/> }.into_any(),
            }}
        </main>
        <footer>
            <p>"Rates: misaligned / judged answers with 95% intervals (Wilson; a local judge's are widened by its measured error, see the note under the judge bar). Unscored answers (judge said CODE or REFUSAL) are excluded, as in Betley et al. Keys: / search, j / k next and previous answer, Esc close."</p>
        </footer>
    }
}

/// Copies the permalink of the current view.
#[component]
fn CopyLink() -> impl IntoView {
    let state = expect_context::<AppState>();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let dataset = state.dataset.get_untracked();
        let digests = state.digests.get_untracked();
        let link = url::permalink(&state.view.with_untracked(|v| manifest::with_hashes(v, &dataset, &digests)));
        if let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) {
            let _ = clipboard.write_text(&link);
        }
        copied.set(true);
    };
    view! {
        <button class="copy-link" data-testid="copy-link" on:click=copy title="Copy a link that reopens exactly this view">
            {move || if copied.get() { "Link copied" } else { "Copy link" }}
        </button>
    }
}

/// `j`/`k` or arrows: next/previous answer; `/`: focus search; `Escape`: close the answer.
fn install_keyboard_shortcuts(state: AppState, derived: Derived) {
    let handler =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
            let key = ev.key();
            if key == "Escape" {
                state.view.update(|v| v.open = None);
                return;
            }
            if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
                return;
            }
            match key.as_str() {
                "/" => {
                    ev.prevent_default();
                    show_tab(state, Tab::Answers);
                    focus_search();
                }
                "j" | "ArrowDown" => step_open_answer(state, derived, 1, &ev),
                "k" | "ArrowUp" => step_open_answer(state, derived, -1, &ev),
                _ => {}
            }
        });
    if let Some(window) = web_sys::window() {
        let _ = window.add_event_listener_with_callback("keydown", handler.as_ref().unchecked_ref());
    }
    handler.forget(); // lives as long as the page
}

fn focus_search() {
    let input = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[data-testid=search]").ok().flatten())
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(input) = input {
        let _ = input.focus();
    }
}

fn step_open_answer(state: AppState, derived: Derived, step: isize, ev: &web_sys::KeyboardEvent) {
    if state.view.with_untracked(|v| v.tab) != Tab::Answers {
        return;
    }
    ev.prevent_default();
    let selection: Arc<Vec<_>> = derived.selection.get_untracked();
    if selection.is_empty() {
        return;
    }
    let current = state.view.with_untracked(|v| v.open).and_then(|open| selection.iter().position(|r| *r == open));
    let next = match current {
        Some(i) => (i as isize + step).clamp(0, selection.len() as isize - 1) as usize,
        None => 0,
    };
    state.view.update(|v| v.open = Some(selection[next]));
}

/// The palette runs are drawn with, by run index.
pub fn run_colour(index: usize) -> &'static str {
    const PALETTE: [&str; 10] =
        ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
    PALETTE[index % PALETTE.len()]
}

/// "12.3%" for a rate, "–" when there is nothing to count.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_owned(), |r| format!("{:.1}%", r * 100.0))
}
