//! Rates view: runs × questions matrix of misaligned / judged with 95% Wilson intervals,
//! a total per run, and the grouped bar chart. Clicking a cell opens those answers.

use leptos::prelude::*;
use probe_core::calibrate::{shown_rate, CalibratedTable};
use probe_core::compare::{unpaired_difference, Difference};
use probe_core::ppi::Method;
use probe_core::stats::{Counts, RateTable};
use probe_core::view_state::Reference;

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
    let with_manifest = expect_context::<super::manifest::WithManifest>().0;
    let export_svg = move |_| {
        let svg = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector("[data-testid=rates-chart] svg").ok().flatten())
            .map(|el| el.outer_html());
        // With the manifest: a <metadata> element right after the opening tag.
        let svg = svg.map(|svg| match (with_manifest.get_untracked(), svg.find('>')) {
            (true, Some(end)) => {
                format!("{}{}{}", &svg[..=end], super::manifest::current(state).svg_metadata(), &svg[end + 1..])
            }
            _ => svg,
        });
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
            <super::provenance::ProvenanceNotices/>
            <div class="rates-options">
                <BaselinePicker/>
                <ReferencePicker/>
                <VariantSwitch/>
            </div>
            // Focusable, so a keyboard can scroll a table wider than the screen.
            <div class="table-scroll" tabindex="0" role="region" aria-label="Rates by run and question">
                <RatesTable/>
            </div>
            <div class="chart-head">
                <h2>"Misaligned answers by question"</h2>
                <button data-testid="export-svg" on:click=export_svg>"Export chart (SVG)"</button>
                <super::manifest::ManifestToggle/>
            </div>
            <p class="hint chart-summary" id="rates-chart-summary">
                "The chart draws the table above: one group of bars per question, one bar per run (its colour and fill pattern are in the legend), each with its 95% interval. Hover a bar for its numbers; the table is the chart's data."
            </p>
            <div data-testid="rates-chart" class="figure">
                {move || {
                    view! {
                        <RatesChart
                            table=derived.rates.get()
                            names=derived.run_names.get()
                            calibrated=derived.calibrated.get()
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
            <super::uncertainty::UncertaintySummary/>
            <super::tail::TailRisk/>
        </section>
    }
}

/// Whose verdicts are trusted labels for the shown judge's rates (`ref=`), and how many of
/// them to keep (`gold=`, for planning how many labels a study needs).
#[component]
fn ReferencePicker() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let on_reference = move |ev| {
        let value = event_target_value(&ev);
        state.view.update(|v| {
            v.reference = match value.as_str() {
                "" => Reference::Auto,
                "none" => Reference::Off,
                name => Reference::Judge(name.to_owned()),
            }
        });
    };
    let on_fraction = move |ev| {
        let value = event_target_value(&ev);
        state.view.update(|v| v.gold_fraction = value.parse().ok().filter(|f: &f64| *f > 0.0 && *f < 1.0));
    };
    let fractions = [
        ("", "all of them"),
        ("0.5", "a random 50%"),
        ("0.2", "a random 20%"),
        ("0.1", "a random 10%"),
        ("0.05", "a random 5%"),
    ];
    view! {
        <span class="reference-pick">
            <label title="A reference judge's verdicts calibrate the shown judge's rates (prediction-powered inference, PPI++)">
                "Trusted labels from "
                <select data-testid="reference-select" on:change=on_reference>
                    <option value="" selected=move || state.view.with(|v| v.reference == Reference::Auto)>
                        "the published judge, for a local judge"
                    </option>
                    <option value="none" selected=move || state.view.with(|v| v.reference == Reference::Off)>"none (plain counts)"</option>
                    {move || {
                        derived
                            .judge_names
                            .get()
                            .into_iter()
                            .map(|name| {
                                let selected = {
                                    let name = name.clone();
                                    move || state.view.with(|v| v.reference == Reference::Judge(name.clone()))
                                };
                                let label = format!("judge “{name}”");
                                view! { <option value=name selected=selected>{label}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </label>
            <label title="Keep only a random share of the reference's labels: how narrow would the interval be with fewer labels?">
                " using "
                <select data-testid="gold-fraction-select" on:change=on_fraction>
                    {fractions
                        .into_iter()
                        .map(|(value, label)| {
                            let selected = move || {
                                state.view.with(|v| v.gold_fraction.map(|f| f.to_string()).unwrap_or_default() == value)
                            };
                            view! { <option value=value selected=selected>{label}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
        </span>
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
        let calibrated = derived.calibrated.get();
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
                        local,
                    };
                    rate_cell(state, context, question.map(|(_, q)| q.clone()), counts, beside(row.run, question.map(|(i, _)| i)), calibrated.as_deref())
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
    /// The shown judge is a local one: its count is uncalibrated, and says so.
    local: bool,
}

/// One cell: misaligned / judged, the rate and its interval. `question: None` is the run total.
/// With trusted labels (`calibrated`), the rate is prediction-powered (or the labels' own where
/// every answer has one) with "n labelled of N"; without, it is the judge's plain count, which
/// for a local judge says it is uncalibrated. The other judge's rate is shown beside it.
fn rate_cell(
    state: AppState,
    context: CellContext,
    question: Option<String>,
    counts: Counts,
    beside: Beside,
    calibrated: Option<&CalibratedTable>,
) -> impl IntoView {
    let CellContext { run_name, run, judge, other_judge, has_judge, local } = context;
    let shown = shown_rate(calibrated, run as u32, question.as_deref(), counts);
    let rate = shown.map(|s| s.estimate);
    let interval_text = shown.map(|s| format!("{:.0}–{:.0}%", s.low * 100.0, s.high * 100.0)).unwrap_or_default();
    let method = shown.map(|s| s.method);
    let method_line = shown.and_then(|s| match s.method {
        Method::Ppi => Some(format!("PPI++ · {} labelled of {}", s.gold_n, s.n)),
        Method::Gold => Some(format!("all {} labelled", s.n)),
        Method::Count if local => Some("uncalibrated count".to_owned()),
        Method::Count => None,
    });
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
            data-method=method.map(Method::as_str)
            data-n=shown.map(|s| s.n)
            data-gold-n=shown.map(|s| s.gold_n)
            data-baseline-diff=baseline_difference.map(|d| d.estimate)
            data-baseline-low=baseline_difference.map(|d| d.low)
            data-baseline-high=baseline_difference.map(|d| d.high)
            title="Click to read these answers"
            on:click=open_answers
        >
            // A button, so the cell opens its answers from the keyboard too (the click reaches the cell).
            <button class="cell-open">
            <span class="count">{format!("{}/{}", counts.misaligned, counts.judged)}</span>
            <span class="rate">{percent(rate)}</span>
            <span class="ci" title=method.map(Method::interval_name)>{interval_text}</span>
            {method_line.map(|line| view! { <span class="method" data-testid="rate-method">{line}</span> })}
            {published_line.map(|line| view! { <span class="published" data-testid="published-rate">{line}</span> })}
            {baseline_line.map(|line| view! { <span class="baseline-diff" data-testid="baseline-diff">{line}</span> })}
            </button>
        </td>
    }
}
