//! The views: one file per thing the user sees. Components only wire signals to
//! `probe_core` functions; they do no statistics themselves.

mod agreement;
mod answers;
mod chart;
mod controls;
mod detail;
mod judge;
mod label;
mod manifest;
mod mapping;
mod notices;
mod playground;
mod provenance;
mod rates;
mod scatter;
mod sensitivity;
mod site_text;
mod sources;
mod starred;
mod tail;
mod theme;
mod tour;
mod uncertainty;

use std::sync::Arc;

use leptos::prelude::*;
pub use probe_core::view_state::Tab;
use wasm_bindgen::JsCast;

use crate::judge::JudgeState;
use crate::labelling::{self, LabelState};
use crate::site::{self, SiteState};
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
///
/// Layout, top to bottom (`style/main.css` places it; a new view only adds a tab):
/// - header: title (the site's, when the page is a site), then the toolbar (tour, theme, link);
/// - the demo's label, notices, the data bar (compact: open files, a URL, what is loading) with
///   its drawer (catalog, loaded runs), the mapping step;
/// - the view controls (thresholds, judge) and the tabs;
/// - `.workspace`: the current tab's view in `<main>`, and beside it on wide screens (below on
///   narrow ones) a site's introduction and figures;
/// - the tour panel (fixed at the bottom right while a step is open), the footer.
#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new(url::read_view_state());
    provide_context(state);
    let judge_state = JudgeState::new();
    provide_context(judge_state);
    let label_state = LabelState::new();
    provide_context(label_state);
    let derived = Derived::new(state, judge_state, label_state);
    provide_context(derived);
    let sites = SiteState::new(state);
    provide_context(sites);
    // The data drawer starts open on the empty state (the demo and the catalog), closed when the
    // address names data or a site, so the results lead the first screen.
    // On a phone the results lead too: the drawer is one tap away in the data bar.
    let opened_on_data = state.view.with_untracked(|v| !v.sources.is_empty() || v.site.is_some());
    let narrow =
        web_sys::window().and_then(|w| w.inner_width().ok()).and_then(|w| w.as_f64()).is_some_and(|w| w < 700.0);
    let drawer = RwSignal::new(!opened_on_data && !narrow);
    provide_context(sources::DataDrawer(drawer));
    Effect::new(move |_| {
        if sites.site.with(Option::is_some) {
            drawer.set(false);
        }
    });
    provide_context(manifest::WithManifest(RwSignal::new(false)));
    // Labels people made on these runs before come back from IndexedDB.
    Effect::new(move |_| labelling::restore(label_state, state.dataset.get()));

    // The URL always describes what is on screen, so any moment can be shared.
    Effect::new(move |_| state.view.with(url::write_view_state));

    site::start(state, sites);
    install_keyboard_shortcuts(state, derived, sites);

    let tab = derived.tab;
    view! {
        <a class="skip-link" href="#results">"Skip to the results"</a>
        <header class="top">
            <site_text::SiteTitle/>
            <div class="toolbar">
                <tour::TourButton/>
                <theme::ThemeToggle/>
                <CopyLink/>
                <manifest::CiteView/>
            </div>
            <manifest::HashCheck/>
        </header>
        <Show when=move || state.is_demo.get()>
            <p class="demo-banner" data-testid="demo-banner">
                <strong>"Demo data. "</strong>
                "You are looking at a small illustrative dataset written by the Probe Explorer authors: "
                <strong>"it is not real model output."</strong>
                " Open published transcripts below (the catalog) or your own files to explore real results."
            </p>
        </Show>
        <notices::Notices/>
        <sources::Sources/>
        <mapping::MappingStep/>
        <div class="view-controls">
            <controls::Thresholds/>
            <judge::JudgeBar/>
            <label::LabelControls/>
        </div>
        <label::LabelDialog/>
        <div class="tabs" role="tablist" aria-label="Views">
            {Tab::ALL
                .into_iter()
                .map(|t| {
                    view! {
                        <button
                            role="tab"
                            id=format!("tab-{}", t.name())
                            aria-controls="results-panel"
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
        </div>
        <div class="workspace" class:with-about=move || sites.site.with(|s| s.as_ref().is_some_and(|s| !s.intro.is_empty() || !s.figures.is_empty()))>
            <main id="results" tabindex="-1">
                <div id="results-panel" role="tabpanel" aria-labelledby=move || format!("tab-{}", tab.get().name())>
                {move || match tab.get() {
                    Tab::Rates => view! { <rates::RatesView/> }.into_any(),
                    Tab::Scatter => view! { <scatter::ScatterView/> }.into_any(),
                    Tab::Answers => view! { <answers::AnswersView/> }.into_any(),
                    Tab::Compare => view! { <agreement::AgreementView/> }.into_any(),
                    Tab::Playground => view! { <playground::PlaygroundView/> }.into_any(),
                    Tab::Rules => view! { <sensitivity::SensitivityView/> }.into_any(),
                }}
                </div>
            </main>
            <site_text::SiteAbout/>
        </div>
        <tour::TourPanel/>
        <footer>
            <p>"Rates: misaligned / judged answers with 95% intervals, each named: Wilson for a count (a local judge's count is uncalibrated), prediction-powered (PPI++) where trusted labels calibrate a local judge (see the note under the judge bar). Unscored answers (judge said CODE or REFUSAL) are excluded, as in Betley et al. Keys: / search, j / k next and previous answer, Esc close; in the tour ← → steps."</p>
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
fn install_keyboard_shortcuts(state: AppState, derived: Derived, sites: SiteState) {
    let handler =
        wasm_bindgen::closure::Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
            let typing = ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT"));
            let key = ev.key();
            if !typing && !ev.ctrl_key() && !ev.meta_key() && !ev.alt_key() && tour::handle_key(state, sites, &key) {
                ev.prevent_default();
                return;
            }
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

/// The palette runs are drawn with, by run index: Okabe & Ito's colour-blind-safe colours
/// (black replaced by grey, so it shows on the dark theme too). Charts also give each run a fill
/// pattern (`run_pattern`), so runs differ by more than colour.
pub fn run_colour(index: usize) -> &'static str {
    const PALETTE: [&str; 8] = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"];
    PALETTE[index % PALETTE.len()]
}

/// How many fill patterns there are (see `chart::PatternDefs`); run `i` uses `i % RUN_PATTERNS`,
/// pattern 0 being a plain fill.
pub const RUN_PATTERNS: usize = 6;

/// "12.3%" for a rate, "–" when there is nothing to count.
pub fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_owned(), |r| format!("{:.1}%", r * 100.0))
}
