//! Starred answers: a star in the detail pane, and the starred set's exports (Markdown, JSONL)
//! beside the list. The set lives in the view state (`star=RUN:INDEX` in the address), so a
//! copied link carries the example set; the exports are `probe_core::starred`'s.

use leptos::prelude::*;
use probe_core::filter::AnswerRef;
use probe_core::starred;

use crate::download;
use crate::state::{AppState, Derived, Level};
use crate::url;

/// Star or unstar the open answer.
pub fn star_button(state: AppState, open: AnswerRef) -> impl IntoView {
    let starred = move || state.view.with(|v| v.stars.contains(&open));
    view! {
        <button
            data-testid="star"
            aria-pressed=move || starred().to_string()
            title="Star this answer: starred answers export as Markdown or JSONL and travel with the link"
            on:click=move |_| state.view.update(|v| starred::toggle(&mut v.stars, open))
        >
            {move || if starred() { "★ Starred" } else { "☆ Star" }}
        </button>
    }
}

/// The address that opens answer `at` in the current view.
fn link_to(view: &probe_core::view_state::ViewState, at: AnswerRef) -> String {
    let mut view = view.clone();
    view.open = Some(at);
    view.tab = probe_core::view_state::Tab::Answers;
    url::permalink(&view)
}

/// How many answers are starred, with their exports.
#[component]
pub fn StarredExports() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let count = move || state.view.with(|v| v.stars.len());
    let export = move |format: &'static str| {
        let dataset = derived.shown.get_untracked();
        let view = state.view.get_untracked();
        let judge = derived.judge.get_untracked();
        let link = |at| link_to(&view, at);
        let (name, mime, text) = match format {
            "md" => (
                "starred-answers.md",
                "text/markdown",
                starred::to_markdown(&dataset, &judge, &view.thresholds, &view.stars, link),
            ),
            _ => (
                "starred-answers.jsonl",
                "application/jsonl",
                starred::to_jsonl(&dataset, &judge, &view.thresholds, &view.stars, link),
            ),
        };
        if let Err(e) = download::save(name, mime, &text) {
            state.notify(Level::Error, format!("Export failed: {e}"));
        }
    };
    view! {
        <span class="starred-exports" data-testid="starred-exports">
            <span data-testid="star-count">{move || format!("{} starred", count())}</span>
            <button data-testid="export-starred-md" disabled=move || count() == 0 on:click=move |_| export("md")>"Markdown"</button>
            <button data-testid="export-starred-jsonl" disabled=move || count() == 0 on:click=move |_| export("jsonl")>"JSONL"</button>
            <button data-testid="clear-stars" disabled=move || count() == 0 on:click=move |_| state.view.update(|v| v.stars.clear())>"Clear stars"</button>
        </span>
    }
}
