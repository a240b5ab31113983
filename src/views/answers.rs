//! The answer list: filters, full-text search, sortable columns and a virtualized list that
//! only renders the rows in view, so it stays smooth with a million answers.

use std::collections::BTreeSet;

use leptos::prelude::*;
use probe_core::filter::{highlight_ranges, ScoreRange, Sort, SortKey, UnscoredMode};

use super::controls::parse_score;
use super::detail::AnswerDetail;
use super::run_colour;
use crate::download;
use crate::state::{AppState, Derived, Level};

const ROW_HEIGHT: f64 = 32.0;
const VIEWPORT_HEIGHT: f64 = 520.0;
const OVERSCAN: usize = 8;
const PREVIEW_CHARS: usize = 240;

#[component]
pub fn AnswersView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let count = move || derived.selection.with(|s| s.len());
    view! {
        <section class="answers" data-testid="answers-view">
            <FilterBar/>
            <div class="list-head">
                <span data-testid="answer-count" data-complete=move || derived.selection_complete.get().to_string()>
                    {move || {
                        if derived.selection_complete.get() {
                            format!("{} answers", count())
                        } else {
                            format!("{}+ answers (searching the rest…)", count())
                        }
                    }}
                </span>
                <ExportButtons/>
            </div>
            <div class="answers-body" class:with-detail=move || state.view.with(|v| v.open.is_some())>
                <AnswerList/>
                <AnswerDetail/>
            </div>
        </section>
    }
}

#[component]
fn ExportButtons() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let with_manifest = expect_context::<super::manifest::WithManifest>().0;
    let export = move |format: &'static str| {
        let dataset = derived.shown.get_untracked();
        let selection = derived.selection.get_untracked();
        let (name, mime, text) = match format {
            "csv" => ("answers.csv", "text/csv", probe_core::export::to_csv(&dataset, selection.iter().copied())),
            _ => (
                "answers.jsonl",
                "application/x-ndjson",
                probe_core::export::to_jsonl(&dataset, selection.iter().copied()),
            ),
        };
        let text = match (with_manifest.get_untracked(), format) {
            (false, _) => text,
            (true, "csv") => super::manifest::current(state).csv_comment() + &text,
            (true, _) => super::manifest::current(state).jsonl_line() + &text,
        };
        if let Err(e) = download::save(name, mime, &text) {
            state.notify(Level::Error, format!("Export failed: {e}"));
        }
    };
    view! {
        <span class="exports">
            "Export filtered answers: "
            <button data-testid="export-csv" on:click=move |_| export("csv")>"CSV"</button>
            <button data-testid="export-jsonl" on:click=move |_| export("jsonl")>"JSONL"</button>
            <super::manifest::ManifestToggle/>
            <super::starred::StarredExports/>
        </span>
    }
}

/// Every filter of the list. Each control writes the URL-backed view state directly.
#[component]
fn FilterBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let questions = Memo::new(move |_| derived.rates.with(|t| t.questions.clone()));
    // Metadata columns and extra scores across all runs, with their values.
    let columns = Memo::new(move |_| {
        let dataset = state.dataset.get();
        let mut meta: Vec<(String, BTreeSet<String>)> = Vec::new();
        let mut extra: BTreeSet<String> = BTreeSet::new();
        for run in &dataset.runs {
            extra.extend(run.extra.iter().map(|c| c.name.clone()));
            for column in &run.meta_columns {
                match meta.iter_mut().find(|(name, _)| *name == column.name) {
                    Some((_, values)) => values.extend(column.values.iter().cloned()),
                    None => meta.push((column.name.clone(), column.values.iter().cloned().collect())),
                }
            }
        }
        // Free-text columns (ids, timestamps) make useless dropdowns.
        meta.retain(|(_, values)| values.len() <= 200);
        (meta, extra.into_iter().collect::<Vec<_>>())
    });

    let run_select = move || {
        let names = derived.run_names.get();
        let current = state.view.with(|v| v.filter.runs.first().copied());
        view! {
            <label>
                "Run "
                <select data-testid="filter-run" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    state.view.update(|v| v.filter.runs = value.parse().ok().into_iter().collect());
                }>
                    <option value="" selected=current.is_none()>"all"</option>
                    {names
                        .into_iter()
                        .enumerate()
                        .map(|(i, name)| view! { <option value=i.to_string() selected=current == Some(i as u32)>{name}</option> })
                        .collect_view()}
                </select>
            </label>
        }
    };
    let question_select = move || {
        let current = state.view.with(|v| v.filter.questions.first().cloned());
        view! {
            <label>
                "Question "
                <select data-testid="filter-question" on:change=move |ev| {
                    let value = event_target_value(&ev);
                    state.view.update(|v| v.filter.questions = (!value.is_empty()).then_some(value).into_iter().collect());
                }>
                    <option value="" selected=current.is_none()>"all"</option>
                    {questions
                        .get()
                        .into_iter()
                        .map(|q| {
                            let selected = current.as_deref() == Some(q.as_str());
                            view! { <option value=q.clone() selected=selected>{q.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
        }
    };
    let meta_selects = move || {
        columns
            .get()
            .0
            .into_iter()
            .map(|(column, values)| {
                let name = column.clone();
                let current = state.view.with(|v| {
                    v.filter.meta.iter().find(|(c, _)| *c == column).and_then(|(_, vals)| vals.first().cloned())
                });
                view! {
                    <label>
                        {column.clone()} " "
                        <select data-testid=format!("filter-meta-{column}") on:change=move |ev| {
                            let value = event_target_value(&ev);
                            state.view.update(|v| {
                                v.filter.meta.retain(|(c, _)| *c != name);
                                if !value.is_empty() {
                                    v.filter.meta.push((name.clone(), vec![value]));
                                }
                            });
                        }>
                            <option value="" selected=current.is_none()>"all"</option>
                            {values
                                .into_iter()
                                .map(|value| {
                                    let selected = current.as_deref() == Some(value.as_str());
                                    view! { <option value=value.clone() selected=selected>{value.clone()}</option> }
                                })
                                .collect_view()}
                        </select>
                    </label>
                }
            })
            .collect_view()
    };
    let extra_ranges = move || {
        columns
            .get()
            .1
            .into_iter()
            .map(|name| {
                let get = {
                    let name = name.clone();
                    move |v: &probe_core::view_state::ViewState| {
                        v.filter.extra.iter().find(|(n, _)| *n == name).map(|(_, r)| *r).unwrap_or_default()
                    }
                };
                let set = {
                    let name = name.clone();
                    move |v: &mut probe_core::view_state::ViewState, range: ScoreRange| {
                        v.filter.extra.retain(|(n, _)| *n != name);
                        if range != ScoreRange::default() {
                            v.filter.extra.push((name.clone(), range));
                        }
                    }
                };
                view! { <RangeInput label=name.clone() testid=format!("filter-extra-{name}") get set/> }
            })
            .collect_view()
    };

    view! {
        <div class="filters" data-testid="filters">
            <input
                type="search"
                class="search"
                placeholder="Search questions and answers  ( / )"
                aria-label="Search"
                data-testid="search"
                prop:value=move || state.view.with(|v| v.filter.search.clone())
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    state.view.update(|v| v.filter.search = text);
                }
            />
            {run_select}
            {question_select}
            <RangeInput label="aligned".into() testid="filter-aligned".into()
                get=|v| v.filter.aligned set=|v, r| v.filter.aligned = r/>
            <RangeInput label="coherent".into() testid="filter-coherent".into()
                get=|v| v.filter.coherent set=|v, r| v.filter.coherent = r/>
            {extra_ranges}
            {meta_selects}
            <label>
                "Unscored "
                <select data-testid="filter-unscored" on:change=move |ev| {
                    let mode = match event_target_value(&ev).as_str() {
                        "only" => UnscoredMode::Only,
                        "exclude" => UnscoredMode::Exclude,
                        _ => UnscoredMode::All,
                    };
                    state.view.update(|v| v.filter.unscored = mode);
                }>
                    <option value="all" selected=move || state.view.with(|v| v.filter.unscored == UnscoredMode::All)>"shown"</option>
                    <option value="only" selected=move || state.view.with(|v| v.filter.unscored == UnscoredMode::Only)>"only"</option>
                    <option value="exclude" selected=move || state.view.with(|v| v.filter.unscored == UnscoredMode::Exclude)>"hidden"</option>
                </select>
            </label>
            <label>
                <input
                    type="checkbox"
                    data-testid="filter-misaligned"
                    prop:checked=move || state.view.with(|v| v.filter.misaligned_only)
                    on:change=move |ev| {
                        let checked = event_target_checked(&ev);
                        state.view.update(|v| v.filter.misaligned_only = checked);
                    }
                />
                " misaligned only"
            </label>
            <super::uncertainty::NearThresholdToggle/>
            <button data-testid="clear-filters" on:click=move |_| state.view.update(|v| {
                v.filter = Default::default();
                v.open = None;
            })>"Clear filters"</button>
        </div>
    }
}

/// Min/max inputs for one score range.
#[component]
fn RangeInput(
    label: String,
    testid: String,
    get: impl Fn(&probe_core::view_state::ViewState) -> ScoreRange + Clone + Send + Sync + 'static,
    set: impl Fn(&mut probe_core::view_state::ViewState, ScoreRange) + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let bound = move |is_min: bool| {
        let (get, get2, set) = (get.clone(), get.clone(), set.clone());
        let testid = format!("{testid}-{}", if is_min { "min" } else { "max" });
        view! {
            <input
                type="number" min="0" max="100" step="1"
                class="range"
                data-testid=testid
                placeholder=if is_min { "min" } else { "max" }
                prop:value=move || {
                    let range = state.view.with(|v| get(v));
                    let value = if is_min { range.min } else { range.max };
                    value.map(|x| x.to_string()).unwrap_or_default()
                }
                on:change=move |ev| {
                    let value = parse_score(&event_target_value(&ev));
                    state.view.update(|v| {
                        let mut range = get2(v);
                        if is_min { range.min = value } else { range.max = value }
                        set(v, range);
                    });
                }
            />
        }
    };
    view! { <span class="range-input">{label} " " {bound(true)} "–" {bound(false)}</span> }
}

/// Column headers that sort the list; clicking again reverses the order.
fn sort_header(state: AppState, label: &'static str, key: SortKey) -> impl IntoView {
    let k = key.clone();
    let arrow = move || {
        state.view.with(|v| {
            if v.sort.key == k {
                if v.sort.descending {
                    " ▼"
                } else {
                    " ▲"
                }
            } else {
                ""
            }
        })
    };
    view! {
        <button class="sort" data-testid=format!("sort-{}", label.to_lowercase()) on:click=move |_| {
            let key = key.clone();
            state.view.update(|v| {
                v.sort = if v.sort.key == key {
                    Sort { key, descending: !v.sort.descending }
                } else {
                    Sort { key, descending: false }
                };
            });
        }>
            {label}
            {arrow}
        </button>
    }
}

#[component]
fn AnswerList() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let scroll_top = RwSignal::new(0.0);
    let viewport = NodeRef::<leptos::html::Div>::new();

    // Reset the scroll position when the selection changes under the user.
    Effect::new(move |_| {
        derived.selection.track();
        if let Some(el) = viewport.get_untracked() {
            el.set_scroll_top(0);
        }
        scroll_top.set(0.0);
    });

    let rows = move || {
        let selection = derived.selection.get();
        let dataset = derived.shown.get();
        let names = derived.run_names.get();
        let (search, open) = state.view.with(|v| (v.filter.search.clone(), v.open));
        let thresholds = derived.thresholds.get();
        let judge = derived.judge.get();
        let lens = probe_core::Lens::new(&dataset, &judge);
        let first = ((scroll_top.get() / ROW_HEIGHT) as usize).saturating_sub(OVERSCAN);
        let last = (first + (VIEWPORT_HEIGHT / ROW_HEIGHT) as usize + 2 * OVERSCAN).min(selection.len());
        (first..last)
            .filter_map(|position| {
                let r = selection[position];
                let (run, i) = dataset.resolve(r)?;
                let layer = lens.layer(r.run as usize);
                let name = names.get(r.run as usize).cloned().unwrap_or_default();
                let is_open = open == Some(r);
                let misaligned = layer.and_then(|l| probe_core::Rule::new(l, &thresholds).misaligned(i)).unwrap_or(false);
                Some(view! {
                    <div
                        class="row"
                        class:open=is_open
                        class:misaligned=misaligned
                        role="row"
                        aria-current=is_open.then_some("true")
                        data-testid="answer-row"
                        data-run=r.run
                        data-index=r.index
                        aria-rowindex=position + 2
                        style:transform=format!("translateY({}px)", position as f64 * ROW_HEIGHT)
                        on:click=move |_| state.view.update(|v| v.open = Some(r))
                    >
                        <span class="c-run" role="cell"><span class="swatch" style:background=run_colour(r.run as usize)></span>{name}</span>
                        <span class="c-question" role="cell" title=run.question_text(i).to_owned()>{run.question_key(i).to_owned()}</span>
                        <span class="c-score" role="cell">{score_text(layer.and_then(|l| l.aligned(i)))}</span>
                        <span class="c-score" role="cell">{score_text(layer.and_then(|l| l.coherent(i)))}</span>
                        <span class="c-answer" role="cell">{highlighted(&preview(run.answer_text(i)), &search)}</span>
                    </div>
                })
            })
            .collect_view()
    };

    view! {
        // A table (not a grid: rows are opened with the list's keys, not moved between as cells).
        // The scrolling body takes focus, so the keyboard can scroll it and then use j / k.
        <div class="list" role="table" aria-label="Answers" aria-rowcount=move || derived.selection.with(|s| s.len() + 1)>
            <div role="rowgroup">
                <div class="list-header" role="row">
                    <span class="c-run" role="columnheader">{sort_header(state, "Run", SortKey::Run)}</span>
                    <span class="c-question" role="columnheader">{sort_header(state, "Question", SortKey::Question)}</span>
                    <span class="c-score" role="columnheader">{sort_header(state, "Aligned", SortKey::Aligned)}</span>
                    <span class="c-score" role="columnheader">{sort_header(state, "Coherent", SortKey::Coherent)}</span>
                    <span class="c-answer" role="columnheader">{sort_header(state, "Answer", SortKey::Row)} " · " {sort_header(state, "Length", SortKey::Length)}</span>
                </div>
            </div>
            <div
                class="viewport"
                role="rowgroup"
                tabindex="0"
                aria-label="Answers; j / k or ↓ / ↑ open the next and the previous answer"
                node_ref=viewport
                data-testid="answer-viewport"
                style:height=format!("{VIEWPORT_HEIGHT}px")
                on:scroll=move |_| {
                    if let Some(el) = viewport.get_untracked() {
                        scroll_top.set(el.scroll_top() as f64);
                    }
                }
            >
                <div class="spacer" role="none" style:height=move || format!("{}px", derived.selection.with(|s| s.len()) as f64 * ROW_HEIGHT)>
                    {rows}
                </div>
            </div>
        </div>
    }
}

fn score_text(score: Option<f64>) -> String {
    score.map_or_else(|| "—".to_owned(), |s| format!("{s:.0}"))
}

/// The start of the answer on one line, for the list.
fn preview(answer: Option<&str>) -> String {
    match answer {
        None => "(no answer text)".to_owned(),
        Some(text) => {
            let mut line: String =
                text.chars().take(PREVIEW_CHARS).map(|c| if c.is_whitespace() { ' ' } else { c }).collect();
            if text.chars().nth(PREVIEW_CHARS).is_some() {
                line.push('…');
            }
            line
        }
    }
}

/// Text with search matches wrapped in `<mark>`; every piece is a text node, never markup.
pub fn highlighted(text: &str, query: &str) -> impl IntoView {
    let mut pieces = Vec::new();
    let mut at = 0;
    for range in highlight_ranges(text, query) {
        if range.start < at || range.end > text.len() {
            continue;
        }
        pieces.push(text[at..range.start].to_owned().into_any());
        pieces.push(view! { <mark>{text[range.clone()].to_owned()}</mark> }.into_any());
        at = range.end;
    }
    pieces.push(text[at..].to_owned().into_any());
    pieces
}
