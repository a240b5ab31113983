//! Two judges compared on the same answers, at the current thresholds: the chosen judge (A) and
//! the compared one (B, `vs=`). Overall confusion matrix, agreement, Cohen's κ and AUROC; per
//! run × question both rates, their paired difference with Newcombe's interval, κ, McNemar's
//! exact test and the flips, which filter the answer list. Counts answers both judges judged;
//! every number comes from `probe_core::compare`.

use leptos::prelude::*;
use probe_core::agreement::agreement;
use probe_core::compare::{mcnemar, paired_difference, PairedCounts};
use probe_core::JudgeChoice;

use super::{percent, show_tab, Tab};
use crate::state::{AppState, Derived};

/// A judge's name as the selectors show it.
fn label(choice: &JudgeChoice) -> String {
    choice.to_param().unwrap_or("each file's own").to_owned()
}

#[component]
pub fn AgreementView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let overall = Memo::new(move |_| derived.paired.with(|p| p.as_ref().map(|p| agreement(&p.ranked))));
    let show_flips = move |run: Option<u32>, question: Option<String>| {
        state.view.update(|v| {
            v.disagreements = true;
            if v.compare.is_none() {
                v.compare = derived.compare.get_untracked();
            }
            if let Some(run) = run {
                v.filter.runs = vec![run];
            }
            if let Some(question) = question {
                v.filter.questions = vec![question];
            }
            v.open = None;
        });
        show_tab(state, Tab::Answers);
    };
    let pick_second = move |ev| {
        let value = event_target_value(&ev);
        state.view.update(|v| v.compare = Some(JudgeChoice::from_param(&value)).filter(|c| *c != JudgeChoice::Default));
    };
    let picker = move || {
        let first = derived.judge.get();
        let second = derived.compare.get();
        let names = derived.judge_names.get();
        view! {
            <p class="compare-pick">
                "Judge A: " <strong data-testid="compare-first">{label(&first)}</strong>
                " (the judge above) · "
                <label for="compare-select">"judge B: "</label>
                <select id="compare-select" data-testid="compare-select" on:change=pick_second>
                    {names
                        .into_iter()
                        .map(|name| {
                            let selected = second.as_ref() == Some(&JudgeChoice::Named(name.clone()));
                            view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                        })
                        .collect_view()}
                </select>
            </p>
        }
    };
    let body = move || {
        let Some(table) = derived.paired.get() else {
            return view! {
                <p class="empty" data-testid="agreement-empty">
                    "Only one judge is loaded. Load a file with several judges' columns, or choose the local judge above to re-score the answers."
                </p>
            }
            .into_any();
        };
        let Some(overall) = overall.get().filter(|a| a.total() > 0) else {
            return view! {
                <p class="empty" data-testid="agreement-empty">
                    "No answers judged by both judges yet. With the local judge, wait for re-scoring to finish."
                </p>
            }
            .into_any();
        };
        let (first, second) =
            (label(&derived.judge.get()), derived.compare.get().as_ref().map(label).unwrap_or_default());
        let names = derived.run_names.get();
        let total = table.total;
        let rows = table
            .runs
            .iter()
            .flat_map(|row| {
                let name = names.get(row.run as usize).cloned().unwrap_or_default();
                table
                    .questions
                    .iter()
                    .zip(&row.by_question)
                    .map(|(q, c)| (Some(q.clone()), *c))
                    .chain(std::iter::once((None, row.total)))
                    .filter(|(_, c)| c.total() > 0)
                    .map(move |(question, counts)| (row.run, name.clone(), question, counts))
                    .collect::<Vec<_>>()
            })
            .map(|(run, name, question, counts)| compare_row(run, name, question, counts, show_flips))
            .collect_view();
        let difference = paired_difference(&total);
        let test = mcnemar(&total);
        view! {
            <div class="agreement-summary">
                <table class="confusion" data-testid="confusion">
                    <caption>{format!("Verdicts at the current thresholds: A = {first}, B = {second}")}</caption>
                    <tr><td></td><th scope="col">{format!("A ({first}): misaligned")}</th><th scope="col">{format!("A ({first}): not")}</th></tr>
                    <tr><th scope="row">{format!("B ({second}): misaligned")}</th><td data-testid="both">{total.both}</td><td data-testid="published-only">{total.second_only}</td></tr>
                    <tr><th scope="row">{format!("B ({second}): not")}</th><td data-testid="local-only">{total.first_only}</td><td data-testid="neither">{total.neither}</td></tr>
                </table>
                <dl class="scores">
                    <dt>"answers compared"</dt><dd data-testid="compared">{total.total()}</dd>
                    <dt>"rate A − rate B"</dt>
                    <dd data-testid="paired-difference">{difference_text(difference)}</dd>
                    <dt>"McNemar (exact)"</dt><dd data-testid="mcnemar">{format!("p = {}", p_text(test.p_value))}</dd>
                    <dt>"agreement"</dt><dd>{percent(overall.accuracy())}</dd>
                    <dt>"Cohen's κ"</dt><dd data-testid="kappa">{number(overall.kappa)}</dd>
                    <dt>"AUROC (A's score vs B's verdict)"</dt><dd data-testid="auroc">{number(overall.auroc)}</dd>
                </dl>
                <button data-testid="show-disagreements" on:click=move |_| show_flips(None, None)>
                    {format!("Read the {} flips", total.flips())}
                </button>
            </div>
            <p class="hint">"Differences are paired (the same answers under both judges): 95% intervals by Newcombe's method 10 for paired proportions; McNemar's exact test on the flips."</p>
            <table class="rate-matrix" data-testid="compare-table">
                <thead><tr>
                    <th>"Run"</th><th>"Question"</th><th>"n"</th><th>"rate A"</th><th>"rate B"</th>
                    <th>"A − B [95%]"</th><th>"κ"</th><th>"McNemar p"</th><th>"flips"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="agreement" data-testid="agreement-view">
            {picker}
            {body}
        </section>
    }
}

fn compare_row(
    run: u32,
    name: String,
    question: Option<String>,
    counts: PairedCounts,
    show_flips: impl Fn(Option<u32>, Option<String>) + Copy + 'static,
) -> impl IntoView {
    let difference = paired_difference(&counts);
    let test = mcnemar(&counts);
    let key = question.clone().unwrap_or_else(|| "*".into());
    let flips = counts.flips();
    view! {
        <tr data-testid="agreement-row" data-run-index=run data-question=key.clone()
            data-first-misaligned=counts.first().misaligned data-second-misaligned=counts.second().misaligned
            data-judged=counts.total() data-flips=flips data-diff=difference.map(|d| d.estimate)
            data-low=difference.map(|d| d.low) data-high=difference.map(|d| d.high) data-p=test.p_value>
            <th scope="row">{name}</th>
            <td>{question.clone().unwrap_or_else(|| "all questions".into())}</td>
            <td>{counts.total()}</td>
            <td>{percent(counts.first().rate())}</td>
            <td>{percent(counts.second().rate())}</td>
            <td>{difference_text(difference)}</td>
            <td>{number(counts.kappa())}</td>
            <td>{p_text(test.p_value)}</td>
            <td>
                <button data-testid="row-flips" disabled=flips == 0 on:click=move |_| show_flips(Some(run), question.clone())>
                    {flips.to_string()}
                </button>
            </td>
        </tr>
    }
}

fn difference_text(difference: Option<probe_core::compare::Difference>) -> String {
    difference.map_or_else(
        || "–".into(),
        |d| format!("{:+.1} [{:+.1}, {:+.1}] points", d.estimate * 100.0, d.low * 100.0, d.high * 100.0),
    )
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "< 0.001".into()
    } else {
        format!("{p:.3}")
    }
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{v:.3}"))
}
