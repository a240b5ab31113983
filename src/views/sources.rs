//! Where data comes from: drop zone, file picker, URL box, the catalog of public
//! transcripts, and the list of loaded runs (renamable, removable).

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Deserialize;

use crate::load;
use crate::state::{AppState, Derived, Level};

/// One entry of `public/catalog.json`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
struct CatalogEntry {
    title: String,
    url: String,
    #[serde(default)]
    description: String,
    /// The licence of the data, as its repository states it.
    #[serde(default)]
    license: String,
}

#[component]
pub fn Sources() -> impl IntoView {
    let state = expect_context::<AppState>();
    let dragging = RwSignal::new(false);
    let url_text = RwSignal::new(String::new());

    let on_files = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(list) = input.files() {
            load::load_files(state, files_from(&list));
        }
        input.set_value(""); // so picking the same file again reloads it
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        if let Some(list) = ev.data_transfer().and_then(|dt| dt.files()) {
            load::load_files(state, files_from(&list));
        }
    };
    let add_url = move || {
        let url = url_text.get_untracked().trim().to_owned();
        if url.is_empty() {
            return;
        }
        url_text.set(String::new());
        add_urls(state, vec![url]);
    };

    // The compact bar (always shown: open files, paste a URL, what is loading) and the drawer
    // (catalog, loaded runs). The drawer starts open on the empty state (the demo), closed when
    // the page opened on data (a link or a site file), so the results lead the first screen.
    let drawer = expect_context::<DataDrawer>().0;
    let summary = move || {
        let runs = state.dataset.with(|d| d.runs.len());
        match (state.is_demo.get(), runs) {
            (true, _) => "Data: demo".to_owned(),
            (false, 1) => "Data: 1 run".to_owned(),
            (false, n) => format!("Data: {n} runs"),
        }
    };
    view! {
        <section
            class="sources"
            class:dragging=move || dragging.get()
            aria-label="Data"
            data-testid="sources"
            on:dragover=move |ev: web_sys::DragEvent| {
                ev.prevent_default();
                dragging.set(true);
            }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop
        >
            <div class="load-bar" data-testid="dropzone">
                <button
                    class="data-toggle"
                    data-testid="data-toggle"
                    aria-expanded=move || drawer.get().to_string()
                    aria-controls="data-drawer"
                    on:click=move |_| drawer.update(|open| *open = !*open)
                >
                    {summary}
                    <span aria-hidden="true">{move || if drawer.get() { " ▴" } else { " ▾" }}</span>
                </button>
                <label class="file-pick">
                    "Open files "
                    <input type="file" multiple accept=".csv,.tsv,.txt,.jsonl,.json,.eval,.zip,.parquet,.pq" data-testid="file-input" on:change=on_files/>
                </label>
                <form class="url-form" on:submit=move |ev| {
                    ev.prevent_default();
                    add_url();
                }>
                    <input
                        type="url"
                        placeholder="https://… address of a CSV, JSONL, Inspect log or Parquet file"
                        aria-label="Address of a transcript file (CSV, JSONL, JSON, Inspect AI log or Parquet)"
                        data-testid="url-input"
                        prop:value=move || url_text.get()
                        on:input=move |ev| url_text.set(event_target_value(&ev))
                    />
                    <button type="submit">"Load URL"</button>
                </form>
            </div>
            <InFlight/>
            <div id="data-drawer" class="drawer" hidden=move || !drawer.get()>
                <p class="hint">"Drop transcript files (CSV, TSV, JSONL, JSON, Inspect AI .eval or .json logs, Parquet) on this box, or open them above. Files are read in this tab and never uploaded."</p>
                <Catalog/>
                <RunList/>
            </div>
        </section>
    }
}

/// Whether the data drawer (catalog and loaded runs) is open; provided once by the app.
#[derive(Clone, Copy)]
pub struct DataDrawer(pub RwSignal<bool>);

/// Records URLs in the view state (so the permalink carries them) and fetches them.
fn add_urls(state: AppState, urls: Vec<String>) {
    state.view.update(|v| v.sources.extend(urls.iter().cloned()));
    load::load_urls(state, urls);
}

fn files_from(list: &web_sys::FileList) -> Vec<web_sys::File> {
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Known public transcript files, offered as a picker.
#[component]
fn Catalog() -> impl IntoView {
    let state = expect_context::<AppState>();
    let entries = RwSignal::new(Vec::<CatalogEntry>::new());
    spawn_local(async move {
        let result = async {
            let response = gloo_net::http::Request::get("catalog.json").send().await.map_err(|e| e.to_string())?;
            response.json::<Vec<CatalogEntry>>().await.map_err(|e| e.to_string())
        }
        .await;
        match result {
            Ok(list) => entries.set(list),
            Err(e) => state.notify(Level::Warning, format!("The catalog of public transcripts could not be read: {e}")),
        }
    });
    let chosen = RwSignal::new(String::new());
    view! {
        <form class="catalog" data-testid="catalog" on:submit=move |ev| {
            ev.prevent_default();
            let url = chosen.get_untracked();
            if !url.is_empty() {
                add_urls(state, vec![url]);
            }
        }>
            <label>
                "Published transcripts: "
                <select on:change=move |ev| chosen.set(event_target_value(&ev)) data-testid="catalog-select">
                    <option value="">"choose a file…"</option>
                    <For each=move || entries.get() key=|e| e.url.clone() let:entry>
                        <option value=entry.url.clone() title=format!("{} · licence: {}", entry.description, entry.license)>{entry.title.clone()}</option>
                    </For>
                </select>
            </label>
            <button type="submit">"Load"</button>
        </form>
    }
}

/// Downloads in progress, each with a cancel button.
#[component]
fn InFlight() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <ul class="in-flight" data-testid="in-flight">
            {move || {
                state
                    .in_flight
                    .get()
                    .into_iter()
                    .map(|flight| {
                        let source = flight.source.clone();
                        view! {
                            <li>
                                <span class="spinner" aria-hidden="true"></span>
                                "Loading " {flight.source.clone()} "… "
                                <button on:click=move |_| load::cancel(state, &source)>"Cancel"</button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
    }
}

/// Loaded runs: colour, editable name, answer count, source, remove.
#[component]
fn RunList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let rows = move || {
        let dataset = state.dataset.get();
        let names = derived.run_names.get();
        dataset
            .runs
            .iter()
            .enumerate()
            .map(|(index, run)| {
                let name = names.get(index).cloned().unwrap_or_default();
                let count = run.len();
                let source = run.source.clone();
                view! {
                    <li class="run" data-testid="run" data-run=name.clone()>
                        <span class="swatch" style:background=super::run_colour(index)></span>
                        <input
                            class="run-name"
                            aria-label="Run name"
                            data-testid="run-name"
                            prop:value=name.clone()
                            on:change=move |ev| rename_run(state, index, event_target_value(&ev))
                        />
                        <span class="run-count">{format!("{count} answers")}</span>
                        <span class="run-source" title=source.clone()>{source.clone()}</span>
                        <button class="remove" aria-label="Remove run" on:click=move |_| remove_run(state, index)>"×"</button>
                    </li>
                }
            })
            .collect_view()
    };
    view! { <ul class="runs" data-testid="runs">{rows}</ul> }
}

fn rename_run(state: AppState, index: usize, name: String) {
    state.view.update(|v| {
        v.run_names.retain(|(i, _)| *i != index);
        let name = name.trim().to_owned();
        if !name.is_empty() {
            v.run_names.push((index, name));
        }
    });
}

/// Removes a run; later runs shift down, so renames and URL sources shift with them.
fn remove_run(state: AppState, index: usize) {
    let source = state.dataset.with_untracked(|d| d.runs.get(index).map(|r| r.source.clone()));
    state.dataset.update(|d| {
        let mut next = (**d).clone();
        if index < next.runs.len() {
            next.runs.remove(index);
        }
        *d = Arc::new(next);
    });
    state.view.update(|v| {
        if let Some(source) = &source {
            if let Some(i) = v.sources.iter().position(|s| s == source) {
                v.sources.remove(i);
            }
        }
        v.run_names.retain(|(i, _)| *i != index);
        for (i, _) in v.run_names.iter_mut() {
            if *i > index {
                *i -= 1;
            }
        }
        v.filter.runs.retain(|r| *r as usize != index);
        for r in v.filter.runs.iter_mut() {
            if *r as usize > index {
                *r -= 1;
            }
        }
        v.open = None;
    });
}
