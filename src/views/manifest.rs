//! A record of what was shown: the "cite this view" box, the "with manifest" choice for exports,
//! hashes in copied links, and the warning when a link's files have changed. The manifest itself
//! is `probe_core::manifest`'s.

use leptos::prelude::*;
use probe_core::manifest::{self, Digests, Manifest};
use probe_core::view_state::ViewState;
use probe_core::Dataset;

use crate::state::{AppState, Level};
use crate::url;

/// Whether exports carry the manifest (a CSV comment block, a first JSONL line, SVG metadata).
#[derive(Clone, Copy)]
pub struct WithManifest(pub RwSignal<bool>);

pub const APP: &str = concat!("probe-explorer ", env!("CARGO_PKG_VERSION"));

/// The view with the loaded files' short hashes added: what a copied link carries.
pub fn with_hashes(view: &ViewState, dataset: &Dataset, digests: &Digests) -> ViewState {
    let mut view = view.clone();
    view.hashes = dataset
        .runs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, digests.get(&r.id)?.short().to_string())))
        .collect();
    view
}

/// The manifest of what is on screen now, with the link that reopens it.
pub fn current(state: AppState) -> Manifest {
    let dataset = state.dataset.get_untracked();
    let digests = state.digests.get_untracked();
    let view = with_hashes(&state.view.get_untracked(), &dataset, &digests);
    manifest::manifest(&dataset, &digests, &view, APP, Some(url::permalink(&view)))
}

/// The export checkbox.
#[component]
pub fn ManifestToggle() -> impl IntoView {
    let WithManifest(on) = expect_context::<WithManifest>();
    view! {
        <label title="Exports start with a record of what was shown: app version, files by SHA-256, judge, rule, filter">
            <input type="checkbox" data-testid="with-manifest" prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev))/>
            " with manifest"
        </label>
    }
}

/// "Cite this view": the link and the manifest as text, to copy into a paper or a notebook.
#[component]
pub fn CiteView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let text = RwSignal::new(String::new());
    let refresh = move || text.set(current(state).to_text());
    let copy = move |_| {
        refresh();
        if let Some(clipboard) = web_sys::window().map(|w| w.navigator().clipboard()) {
            let _ = clipboard.write_text(&text.get_untracked());
        }
    };
    view! {
        <details class="cite" data-testid="cite" on:toggle=move |_| refresh()>
            <summary>"Cite this view"</summary>
            <label>
                <span class="visually-hidden">"Link and manifest of this view"</span>
                <textarea readonly rows="8" cols="80" data-testid="cite-text" prop:value=move || text.get()></textarea>
            </label>
            <button data-testid="cite-copy" on:click=copy>"Copy"</button>
        </details>
    }
}

/// Says so, once per file, when a link was made with files whose hash differs from the loaded ones.
#[component]
pub fn HashCheck() -> impl IntoView {
    let state = expect_context::<AppState>();
    let warned = RwSignal::new(Vec::<usize>::new());
    Effect::new(move |_| {
        let dataset = state.dataset.get();
        let digests = state.digests.get();
        let expected = state.view.with_untracked(|v| v.hashes.clone());
        if expected.is_empty() {
            return;
        }
        for (run, want, got) in manifest::changed_files(&dataset, &digests, &expected) {
            if warned.with_untracked(|w| w.contains(&run)) {
                continue;
            }
            warned.update(|w| w.push(run));
            let name = dataset.runs.get(run).map(|r| r.source.clone()).unwrap_or_default();
            state.notify(
                Level::Warning,
                format!("{name} has changed since this link was made: its SHA-256 starts {got}, the link's file {want}. The numbers may differ from what the link's author saw."),
            );
        }
    });
}
