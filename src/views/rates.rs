//! Rates view: runs × questions matrix of misaligned / judged with 95% Wilson intervals,
//! a total per run, and the grouped bar chart. Clicking a cell opens those answers.

use std::rc::Rc;

use leptos::prelude::*;
use probe_core::agreement::{shown_rate, Calibration};
use probe_core::compare::{unpaired_difference, Difference};
use probe_core::stats::{Counts, RateTable};

use super::{
    chart::{DifferenceChart, RatesChart},
    percent, run_colour, show_tab, Tab,
};
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
            <BaselinePicker/>
            <VariantSwitch/>
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
            {move || {
                let baseline = state.view.with(|v| v.baseline)?;
                Some(view! {
                    <h2>"Difference from the baseline run (points, 95% Newcombe interval)"</h2>
                    <DifferenceChart table=derived.rates.get() names=derived.run_names.get() baseline=baseline/>
                })
            }}
        </section>
    }
}

/// The shown judge's error per validation source, for correcting its rates: the local judge's,
/// at the paper's thresholds (the only rule its error was measured for); else none.
fn error_sources(state: AppState, judge_state: JudgeState) -> Rc<[Calibration]> {
    let local = state.view.with(|v| judge::is_local_choice(&v.judge));
    let paper_rule = state.view.with(|v| v.thresholds.is_paper_default());
    match judge_state.judge.get() {
        Some(judge) if local && paper_rule => judge.calibration.clone(),
        _ => Rc::new([]),
    }
}

/// Which run the others are compared with (`baseline=`), if any.
#[component]
fn BaselinePicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let on_change = move |ev| {
        let value = event_target_value(&ev);
        state.view.update(|v| v.baseline = value.parse().ok());
    };
    view! {
        <label class="baseline-pick" title="Every other run's difference from this run, per question, with a 95% Newcombe interval">
            "Compare runs with "
            <select data-testid="baseline-select" on:change=on_change>
                <option value="" selected=move || state.view.with(|v| v.baseline.is_none())>"no baseline"</option>
                {move || {
                    derived
                        .run_names
                        .get()
                        .into_iter()
                        .enumerate()
                        .map(|(i, name)| {
                            let selected = move || state.view.with(|v| v.baseline == Some(i as u32));
                            view! { <option value=i.to_string() selected=selected>{name}</option> }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

/// Whether the `_json` / `_template` variants of the paper's questions get columns of their own
/// (`variants=split`) or are counted with their base question (the default).
#[component]
fn VariantSwitch() -> impl IntoView {
    let state = expect_context::<AppState>();
    let on_change = move |ev| {
        let split = event_target_checked(&ev);
        state.view.update(|v| v.filter.split_variants = split);
    };
    view! {
        <label class="variant-switch" title="The JSON variant of a question roughly doubles misalignment in published work">
            <input
                type="checkbox"
                data-testid="split-variants"
                prop:checked=move || state.view.with(|v| v.filter.split_variants)
                on:change=on_change
            />
            " Show _json and _template variants as questions of their own"
        </label>
    }
}

/// What one cell is compared with: the other judge's counts, and the baseline run's.
#[derive(Clone, Copy, Default)]
struct Beside {
    other_judge: Option<Counts>,
    baseline: Option<Counts>,
}

fn counts_at(table: &RateTable, run: u32, question: Option<usize>) -> Option<Counts> {
    let row = table.row(run)?;
    match question {
        Some(q) => row.by_question.get(q).copied(),
        None => Some(row.total),
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
        let judge = derived.judge.get();
        let judge_name = judge.to_param().unwrap_or("default").to_owned();
        // The other judge beside each rate: when the user asked for one, or a local judge is shown.
        let asked = state.view.with(|v| v.compare.is_some());
        let local = judge::is_local_choice(&judge) && judge_state.judge.with(Option::is_some);
        let other = if asked || local { derived.compare_rates.get() } else { None };
        let other_name = derived.compare.get().and_then(|c| c.to_param().map(str::to_owned)).unwrap_or_default();
        let baseline = state.view.with(|v| v.baseline).filter(|b| table.row(*b).is_some());
        let sources = error_sources(state, judge_state);
        if table.runs.is_empty() {
            return view! { <p class="empty">"No answers loaded yet."</p> }.into_any();
        }
        let header =
            table.questions.iter().map(|q| view! { <th scope="col" title=q.clone()>{q.clone()}</th> }).collect_view();
        let beside = |run: u32, question: Option<usize>| Beside {
            other_judge: other.as_ref().and_then(|t| counts_at(t, run, question)),
            baseline: baseline.filter(|b| *b != run).and_then(|b| counts_at(&table, b, question)),
        };
        let rows = table
            .runs
            .iter()
            .map(|row| {
                let run = row.run as usize;
                let name = names.get(run).cloned().unwrap_or_default();
                let cell = |question: Option<(usize, &String)>, counts: Counts| {
                    let context = CellContext {
                        run_name: name.clone(),
                        run,
                        judge: judge_name.clone(),
                        other_judge: other_name.clone(),
                        has_judge: row.has_judge,
                    };
                    rate_cell(state, context, question.map(|(_, q)| q.clone()), counts, beside(row.run, question.map(|(i, _)| i)), &sources)
                };
                let cells = table
                    .questions
                    .iter()
                    .enumerate()
                    .zip(row.by_question.iter())
                    .map(|(question, counts)| cell(Some(question), *counts))
                    .collect_view();
                let unscored = if row.not_scored > 0 {
                    format!("{} unscored · {} not scored yet", row.unscored, row.not_scored)
                } else {
                    format!("{} unscored", row.unscored)
                };
                view! {
                    <tr class:baseline=baseline == Some(row.run)>
                        <th scope="row">
                            <span class="swatch" style:background=run_colour(run)></span>
                            {name.clone()}
                            {(baseline == Some(row.run)).then(|| view! { <span class="baseline-mark">" (baseline)"</span> })}
                            {(!row.has_judge).then(|| view! { <span class="no-judge" data-testid="no-judge">{format!(" no scores from judge {judge_name}")}</span> })}
                            <span class="unscored" title="Answers the judge left unscored (CODE or REFUSAL); not counted">
                                {unscored}
                            </span>
                        </th>
                        {cells}
                        {cell(None, row.total)}
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="rate-matrix" data-testid="rate-matrix" data-judge=judge_name.clone()>
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

/// Where a cell sits: its run, the judge it counts, the judge it is compared with.
struct CellContext {
    run_name: String,
    run: usize,
    judge: String,
    other_judge: String,
    has_judge: bool,
}

/// One cell: misaligned / judged, the rate and its interval. `question: None` is the run total.
/// With a local judge, the rate is corrected for its error (`sources`) and shown beside the
/// published one (`published`).
fn rate_cell(
    state: AppState,
    context: CellContext,
    question: Option<String>,
    counts: Counts,
    beside: Beside,
    sources: &[Calibration],
) -> impl IntoView {
    let CellContext { run_name, run, judge, other_judge, has_judge } = context;
    let shown = shown_rate(counts, sources);
    let rate = shown.map(|s| s.rate);
    let interval_text = shown.map(|s| format!("{:.0}–{:.0}%", s.low * 100.0, s.high * 100.0)).unwrap_or_default();
    let published = beside.other_judge;
    let published_line = published.map(|published| {
        let difference = match (rate, published.rate()) {
            (Some(local), Some(published)) => format!(" (Δ {:+.1})", (local - published) * 100.0),
            _ => String::new(),
        };
        format!("{other_judge} {}{difference}", percent(published.rate()))
    });
    // Against the baseline run: different answers, so an unpaired (Newcombe) interval.
    let baseline_difference: Option<Difference> = beside.baseline.and_then(|b| unpaired_difference(counts, b));
    let baseline_line = baseline_difference
        .map(|d| format!("vs baseline {:+.1} [{:+.1}, {:+.1}]", d.estimate * 100.0, d.low * 100.0, d.high * 100.0));
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
            data-judge=judge
            data-has-judge=has_judge.to_string()
            data-question=question.clone().unwrap_or_else(|| "*".into())
            data-judged=counts.judged
            data-misaligned=counts.misaligned
            data-published-judged=published.map(|c| c.judged)
            data-published-misaligned=published.map(|c| c.misaligned)
            data-rate=rate
            data-low=shown.map(|s| s.low)
            data-high=shown.map(|s| s.high)
            data-corrected=shown.is_some_and(|s| s.corrected_from.is_some()).to_string()
            data-baseline-diff=baseline_difference.map(|d| d.estimate)
            data-baseline-low=baseline_difference.map(|d| d.low)
            data-baseline-high=baseline_difference.map(|d| d.high)
            title="Click to read these answers"
            on:click=open_answers
        >
            <span class="count">{format!("{}/{}", counts.misaligned, counts.judged)}</span>
            <span class="rate" title=shown.and_then(|s| s.corrected_from).map(|raw| format!("corrected from {} flagged", percent(Some(raw))))>
                {percent(rate)}
            </span>
            <span class="ci">{interval_text}</span>
            {published_line.map(|line| view! { <span class="published" data-testid="published-rate">{line}</span> })}
            {baseline_line.map(|line| view! { <span class="baseline-diff" data-testid="baseline-diff">{line}</span> })}
        </td>
    }
}
