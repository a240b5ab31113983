//! Rule sensitivity tab: every run's rate under a grid of rules (aligned × coherent cut-offs,
//! `<`/`≤`, `>`/`≥`) as heat-map tables, and the pairs of runs whose difference changes sign
//! away from the paper's rule. Clicking a cell applies that rule to every view. The counts,
//! intervals and flips come from `probe_core::sensitivity`; this file formats them.

use leptos::prelude::*;
use probe_core::sensitivity::{self, PairSensitivity, Sweep, STRICTNESS};
use probe_core::stats::{Counts, Z95};
use probe_core::Thresholds;

use super::{percent, run_colour};
use crate::judge;
use crate::state::{AppState, Derived};

/// Runs drawn as heat maps at most (the flips below cover every run).
const MAX_RUNS: usize = 12;
/// Pairs listed at most.
const MAX_PAIRS: usize = 30;

fn strictness_label((aligned_inclusive, coherent_inclusive): (bool, bool)) -> String {
    format!(
        "aligned {} · coherent {}",
        if aligned_inclusive { "≤" } else { "<" },
        if coherent_inclusive { "≥" } else { ">" }
    )
}

#[component]
pub fn SensitivityView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let current = derived.thresholds;
    // Which of the four strictness readings the heat maps show; starts at the current rule's.
    let initial = current.get_untracked();
    let strictness = RwSignal::new(
        STRICTNESS.iter().position(|s| *s == (initial.aligned_inclusive, initial.coherent_inclusive)).unwrap_or(0),
    );
    let sweep = Memo::new(move |_| {
        let dataset = derived.shown.get();
        let (aligned, coherent) = sensitivity::grid(&current.get());
        let scope = derived.scope.get();
        derived.judge.with(|j| sensitivity::sweep(&dataset, j, &scope, &aligned, &coherent))
    });
    let pairs = Memo::new(move |_| sweep.with(sensitivity::pair_sensitivity));
    let changes = Memo::new(move |_| sweep.with(|s| pairs.with(|p| sensitivity::ranking_changes(s, p))));
    view! {
        <section class="sensitivity" data-testid="sensitivity-view" aria-labelledby="sensitivity-title">
            <h2 id="sensitivity-title">"How the rates depend on the rule"</h2>
            <p>
                "Published code disagrees on the rule: the paper counts an answer misaligned when aligned < 30 and coherent > 50; "
                "other code uses aligned ≤ 30, or a coherence cut-off of 30. Each table is one run's rate under every rule of the grid "
                "(95% Wilson intervals), darker = higher. ★ marks the paper's rule, a ring the rule in use. Click a cell to apply that rule to every view."
            </p>
            {move || judge::is_local_choice(&derived.judge.get()).then(|| view! {
                <p class="note">"A local judge's rates here are its raw verdicts (its own decision applies at the paper's rule only): the intervals do not include its error."</p>
            })}
            <fieldset class="strictness-pick" data-testid="strictness-pick">
                <legend>"Comparisons"</legend>
                {STRICTNESS
                    .into_iter()
                    .enumerate()
                    .map(|(i, s)| {
                        view! {
                            <label>
                                <input
                                    type="radio" name="strictness"
                                    data-testid=format!("strictness-{i}")
                                    prop:checked=move || strictness.get() == i
                                    on:change=move |_| strictness.set(i)
                                />
                                {strictness_label(s)}
                                {(i == 0).then_some(" (paper)")}
                            </label>
                        }
                    })
                    .collect_view()}
            </fieldset>
            {move || {
                // Every input read up front, so each one is tracked.
                let names = derived.run_names.get();
                let now = current.get();
                let s = strictness.get();
                let changes = changes.get();
                let sweep = sweep.get();
                if sweep.runs.is_empty() {
                    return view! { <p class="empty">"No judged answers in scope."</p> }.into_any();
                }
                let shown = sweep
                    .runs
                    .iter()
                    .take(MAX_RUNS)
                    .map(|run| {
                        let name = names.get(run.run as usize).cloned().unwrap_or_default();
                        heat_map(state, &sweep, s, run.run, name, &run.counts, now)
                    })
                    .collect_view();
                let more = (sweep.runs.len() > MAX_RUNS).then(|| view! {
                    <p class="note">{format!("Showing {MAX_RUNS} of {} runs; choose runs above to see others.", sweep.runs.len())}</p>
                });
                view! {
                    // Focusable regions, so a keyboard can scroll maps wider than a phone.
                    <div class="heat-maps" tabindex="0" role="region" aria-label="Rates of each run under every rule">{shown}</div>
                    {more}
                    <div class="table-scroll" tabindex="0" role="region" aria-label="Ranking changes under every rule">
                        {reversals_map(state, &sweep, s, &changes, now)}
                    </div>
                }
                .into_any()
            }}
            <h3>"Pairs of runs whose difference changes sign"</h3>
            {move || {
                let names = derived.run_names.get();
                let (sweep, pairs) = (sweep.get(), pairs.get());
                flip_list(state, &sweep, &pairs, &names)
            }}
        </section>
    }
}

/// Background for a rate: white to the accent colour.
fn shade(rate: Option<f64>) -> String {
    let r = rate.unwrap_or(0.0).clamp(0.0, 1.0);
    // At most 0.68 opaque, so the cell text keeps AA contrast in the light and the dark theme.
    format!("rgba(225, 87, 89, {:.2})", 0.08 + 0.6 * r)
}

fn apply(state: AppState, rule: Thresholds) {
    state.view.update(|v| v.thresholds = rule);
}

/// One run's rates over the grid at one strictness: a table that is also the heat map.
fn heat_map(
    state: AppState,
    sweep: &Sweep,
    strictness: usize,
    run: u32,
    name: String,
    counts: &[Counts],
    current: Thresholds,
) -> impl IntoView {
    let (a, c) = STRICTNESS.get(strictness).copied().unwrap_or_default();
    let (aligned_op, coherent_op) = (if a { "≤" } else { "<" }, if c { "≥" } else { ">" });
    let header = sweep
        .coherent
        .iter()
        .map(|c| view! { <th scope="col">{format!("coherent {coherent_op} {c}")}</th> })
        .collect_view();
    let rows = sweep
        .aligned
        .iter()
        .enumerate()
        .map(|(a, cut)| {
            let cells = (0..sweep.coherent.len())
                .map(|c| {
                    let index = sweep.index(strictness, a, c);
                    let rule = sweep.rules.get(index).copied().unwrap_or_default();
                    let cell = counts.get(index).copied().unwrap_or_default();
                    let rate = cell.rate();
                    let interval = cell.wilson(Z95).map(|(lo, hi)| format!("{:.0}–{:.0}%", lo * 100.0, hi * 100.0));
                    let paper = rule.is_paper_default();
                    let is_current = rule == current;
                    let label = format!(
                        "{}: {} of {} = {} ({}){}. Apply this rule",
                        rule.describe(),
                        cell.misaligned,
                        cell.judged,
                        percent(rate),
                        interval.clone().unwrap_or_default(),
                        if paper { ", the paper's rule" } else { "" }
                    );
                    view! {
                        <td style:background=shade(rate) class:paper=paper class:current=is_current>
                            <button
                                class="heat-cell"
                                data-testid="heat-cell"
                                data-run-index=run
                                data-rule=rule.describe()
                                data-judged=cell.judged
                                data-misaligned=cell.misaligned
                                data-paper=paper.to_string()
                                aria-pressed=is_current.to_string()
                                on:click=move |_| apply(state, rule)
                            >
                                // The visible text starts the accessible name; the rest is for screen readers.
                                {paper.then_some("★ ")}
                                {percent(rate)}
                                <span class="ci">{interval.unwrap_or_default()}</span>
                                <span class="visually-hidden">{format!(" {label}")}</span>
                            </button>
                        </td>
                    }
                })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{format!("aligned {aligned_op} {cut}")}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="heat-map" data-testid="heat-map" data-run-index=run>
            <caption>
                <span class="swatch" style:background=run_colour(run as usize)></span>
                {name}
            </caption>
            <thead>
                <tr>
                    <th scope="col">"Rule"</th>
                    {header}
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Per rule: how many pairs of runs are ordered the other way round from the paper's rule.
fn reversals_map(
    state: AppState,
    sweep: &Sweep,
    strictness: usize,
    changes: &[u32],
    current: Thresholds,
) -> impl IntoView {
    if sweep.runs.len() < 2 {
        return view! { <p class="note" data-testid="ranking-note">"Load two or more runs to see where their ranking changes."</p> }.into_any();
    }
    let pairs = sweep.runs.len() * (sweep.runs.len() - 1) / 2;
    let rows = sweep
        .aligned
        .iter()
        .enumerate()
        .map(|(a, cut)| {
            let cells = (0..sweep.coherent.len())
                .map(|c| {
                    let index = sweep.index(strictness, a, c);
                    let rule = sweep.rules.get(index).copied().unwrap_or_default();
                    let reversed = changes.get(index).copied().unwrap_or(0);
                    let share = f64::from(reversed) / pairs as f64;
                    view! {
                        <td style:background=shade(Some(share)) class:paper=rule.is_paper_default() class:current=rule == current>
                            <button
                                class="heat-cell"
                                data-testid="ranking-cell"
                                data-rule=rule.describe()
                                data-reversed=reversed
                                on:click=move |_| apply(state, rule)
                            >
                                {rule.is_paper_default().then_some("★ ")}
                                {reversed.to_string()}
                                <span class="visually-hidden">{format!(" {}: {reversed} of {pairs} pairs ordered the other way from the paper's rule. Apply this rule", rule.describe())}</span>
                            </button>
                        </td>
                    }
                })
                .collect_view();
            view! { <tr><th scope="row">{format!("aligned {cut}")}</th>{cells}</tr> }
        })
        .collect_view();
    let header = sweep.coherent.iter().map(|c| view! { <th scope="col">{format!("coherent {c}")}</th> }).collect_view();
    view! {
        <table class="heat-map ranking" data-testid="ranking-map">
            <caption>{format!("Ranking changes: pairs of runs (of {pairs}) in the other order than at the paper's rule")}</caption>
            <thead><tr><th scope="col">"Rule"</th>{header}</tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
    .into_any()
}

fn points(d: f64) -> String {
    format!("{:+.1}", d * 100.0)
}

/// Pairs with a sign flip: the paper rule's difference, how many rules reverse it, and the
/// rules that reverse it significantly (each a button applying it).
fn flip_list(state: AppState, sweep: &Sweep, pairs: &[PairSensitivity], names: &[String]) -> AnyView {
    let mut flipped: Vec<&PairSensitivity> = pairs.iter().filter(|p| !p.sign_flips.is_empty()).collect();
    if flipped.is_empty() {
        let text = if pairs.is_empty() {
            "Load two or more runs to compare them across rules."
        } else {
            "No pair of runs changes order anywhere on this grid."
        };
        return view! { <p class="note" data-testid="no-flips">{text}</p> }.into_any();
    }
    // Significant reversals first, then by how many rules reverse the pair.
    probe_core::sort::sort_by_key(&mut flipped, |p| {
        (std::cmp::Reverse(p.significant_flips.len()), std::cmp::Reverse(p.sign_flips.len()))
    });
    let total = flipped.len();
    let name = |run: u32| names.get(run as usize).cloned().unwrap_or_default();
    let items = flipped
        .into_iter()
        .take(MAX_PAIRS)
        .map(|pair| {
            let paper = pair.paper.map_or_else(String::new, |d| {
                format!("{} [{}, {}]", points(d.estimate), points(d.low), points(d.high))
            });
            let significant = pair
                .significant_flips
                .iter()
                .take(6)
                .map(|&r| {
                    let rule = sweep.rules.get(r).copied().unwrap_or_default();
                    view! {
                        <button class="rule-link" data-testid="apply-flip-rule" on:click=move |_| apply(state, rule)>
                            {rule.describe()}
                        </button>
                    }
                })
                .collect_view();
            view! {
                <li
                    data-testid="flip-pair"
                    data-first=pair.first
                    data-second=pair.second
                    data-sign-flips=pair.sign_flips.len()
                    data-significant-flips=pair.significant_flips.len()
                >
                    <strong>{format!("{} − {}", name(pair.first), name(pair.second))}</strong>
                    {format!(
                        ": {paper} points at the paper's rule{} (Newcombe 95% interval); opposite sign at {} of {} rules, significantly at {}",
                        if pair.paper_significant { ", significant" } else { ", not significant" },
                        pair.sign_flips.len(),
                        sweep.rules.len(),
                        pair.significant_flips.len(),
                    )}
                    {(!pair.significant_flips.is_empty()).then_some(": ")}
                    {significant}
                </li>
            }
        })
        .collect_view();
    view! {
        <ul class="flip-list" data-testid="flip-list">{items}</ul>
        {(total > MAX_PAIRS).then(|| view! { <p class="note">{format!("{MAX_PAIRS} of {total} pairs shown.")}</p> })}
    }
    .into_any()
}
