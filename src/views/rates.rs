//! Rates view: runs × questions matrix of misaligned / judged with 95% Wilson intervals,
//! a total per run, and the grouped bar chart. Clicking a cell opens those answers.

use std::rc::Rc;

use leptos::prelude::*;
use probe_core::agreement::{shown_rate, Calibration};
use probe_core::stats::Counts;

use super::{chart::RatesChart, percent, run_colour, show_tab, Tab};
use crate::download;
use crate::judge::{self, JudgeState};
use crate::state::{AppState, Derived, Level};

#[component]
pub fn RatesView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let judge_state = expect_context::<JudgeState>();
    let export_svg = move |_| {
        let svg = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("[data-testid=rates-chart] svg").ok().flatten())
            .map(|el| el.outer_html());
        match svg {
            Some(svg) => {
                if let Err(e) = download::save("misalignment-rates.svg", "image/svg+xml", &svg) {
                    state.notify(Level::Error, format!("Export failed: {e}"));
                }
            }
            None => state.notify(Level::Error, "There is no chart to export yet."),
        }
    };
    view! {
        <section class="rates" data-testid="rates-view">
            <div class="table-scroll">
                <RatesTable/>
            </div>
            <div class="chart-head">
                <h2>"Misaligned answers by question"</h2>
                <button data-testid="export-svg" on:click=export_svg>"Export chart (SVG)"</button>
            </div>
            <div data-testid="rates-chart">
                {move || {
                    view! {
                        <RatesChart
                            table=derived.rates.get()
                            names=derived.run_names.get()
                            sources=error_sources(state, judge_state)
                        />
                    }
                }}
            </div>
        </section>
    }
}

/// The shown judge's error per validation source, for correcting its rates: the local judge's,
/// at the paper's thresholds (the only rule its error was measured for); else none.
fn error_sources(state: AppState, judge_state: JudgeState) -> Rc<[Calibration]> {
    let local = state.view.with(|v| v.judge != judge::PUBLISHED);
    let paper_rule = state.view.with(|v| v.thresholds.is_paper_default());
    match judge_state.judge.get() {
        Some(judge) if local && paper_rule => judge.calibration.clone(),
        _ => Rc::new([]),
    }
}

#[component]
fn RatesTable() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let judge_state = expect_context::<JudgeState>();
    move || {
        let table = derived.rates.get();
        let names = derived.run_names.get();
        let local = state.view.with(|v| v.judge != judge::PUBLISHED) && judge_state.judge.with(Option::is_some);
        let published = local.then(|| derived.published_rates.get());
        let sources = error_sources(state, judge_state);
        let compare = move |run: usize, question: Option<usize>| {
            let table = published.as_ref()?;
            let row = table.runs.iter().find(|r| r.run as usize == run)?;
            match question {
                Some(q) => row.by_question.get(q).copied(),
                None => Some(row.total),
            }
        };
        if table.runs.is_empty() {
            return view! { <p class="empty">"No answers loaded yet."</p> }.into_any();
        }
        let header =
            table.questions.iter().map(|q| view! { <th scope="col" title=q.clone()>{q.clone()}</th> }).collect_view();
        let rows = table
            .runs
            .iter()
            .map(|row| {
                let run = row.run as usize;
                let name = names.get(run).cloned().unwrap_or_default();
                let cells = table
                    .questions
                    .iter()
                    .zip(row.by_question.iter())
                    .enumerate()
                    .map(|(qi, (question, counts))| {
                        let published = compare(run, Some(qi));
                        rate_cell(state, name.clone(), run, Some(question.clone()), *counts, published, &sources)
                    })
                    .collect_view();
                view! {
                    <tr>
                        <th scope="row">
                            <span class="swatch" style:background=run_colour(run)></span>
                            {name.clone()}
                            <span class="unscored" title="Answers the judge left unscored (CODE or REFUSAL); not counted">
                                {format!("{} unscored", row.unscored)}
                            </span>
                        </th>
                        {cells}
                        {rate_cell(state, name.clone(), run, None, row.total, compare(run, None), &sources)}
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="rate-matrix" data-testid="rate-matrix">
                <thead>
                    <tr>
                        <th scope="col">"Run"</th>
                        {header}
                        <th scope="col">"All questions"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    }
}

/// One cell: misaligned / judged, the rate and its interval. `question: None` is the run total.
/// With a local judge, the rate is corrected for its error (`sources`) and shown beside the
/// published one (`published`).
fn rate_cell(
    state: AppState,
    run_name: String,
    run: usize,
    question: Option<String>,
    counts: Counts,
    published: Option<Counts>,
    sources: &[Calibration],
) -> impl IntoView {
    let shown = shown_rate(counts, sources);
    let rate = shown.map(|s| s.rate);
    let interval_text = shown.map(|s| format!("{:.0}–{:.0}%", s.low * 100.0, s.high * 100.0)).unwrap_or_default();
    let published_line = published.map(|published| {
        let difference = match (rate, published.rate()) {
            (Some(local), Some(published)) => format!(" (Δ {:+.1})", (local - published) * 100.0),
            _ => String::new(),
        };
        format!("published {}{difference}", percent(published.rate()))
    });
    let open_answers = {
        let question = question.clone();
        move |_| {
            state.view.update(|v| {
                v.filter.runs = vec![run as u32];
                v.filter.questions = question.clone().into_iter().collect();
                v.open = None;
            });
            show_tab(state, Tab::Answers);
        }
    };
    view! {
        <td
            class="rate-cell"
            class:total=question.is_none()
            data-testid="rate-cell"
            data-run=run_name
            data-run-index=run
            data-question=question.clone().unwrap_or_else(|| "*".into())
            data-judged=counts.judged
            data-misaligned=counts.misaligned
            data-published-judged=published.map(|c| c.judged)
            data-published-misaligned=published.map(|c| c.misaligned)
            data-rate=rate
            data-low=shown.map(|s| s.low)
            data-high=shown.map(|s| s.high)
            data-corrected=shown.is_some_and(|s| s.corrected_from.is_some()).to_string()
            title="Click to read these answers"
            on:click=open_answers
        >
            <span class="count">{format!("{}/{}", counts.misaligned, counts.judged)}</span>
            <span class="rate" title=shown.and_then(|s| s.corrected_from).map(|raw| format!("corrected from {} flagged", percent(Some(raw))))>
                {percent(rate)}
            </span>
            <span class="ci">{interval_text}</span>
            {published_line.map(|line| view! { <span class="published" data-testid="published-rate">{line}</span> })}
        </td>
    }
}
