//! The judge's own uncertainty (its token distributions, `judge_aligned`/`judge_coherent`): a
//! per-run summary beside the rates, a line in the detail pane, and the list filter for verdicts
//! that could flip. Everything is computed by `probe_core::uncertainty`.

use leptos::prelude::*;
use probe_core::uncertainty::{self, RunUncertainty};
use probe_core::{Run, Thresholds};

use super::{show_tab, Tab};
use crate::state::{AppState, Derived};

/// Beside the rates: per run, how many verdicts sit within the judge's uncertainty.
#[component]
pub fn UncertaintySummary() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let table = Memo::new(move |_| {
        let dataset = derived.shown.get();
        let rule = derived.thresholds.get();
        let scope = derived.scope.get();
        derived.judge.with(|j| uncertainty::uncertainty_table(&dataset, j, &scope, &rule))
    });
    let list = move |run: u32| {
        state.view.update(|v| {
            v.filter = Default::default();
            v.filter.runs = vec![run];
            v.filter.near_threshold = true;
            v.open = None;
        });
        show_tab(state, Tab::Answers);
    };
    move || {
        let rows = table.get();
        if rows.is_empty() {
            return None;
        }
        let names = derived.run_names.get();
        let unknown: Vec<String> = rows
            .iter()
            .filter(|(_, s)| s.is_none())
            .map(|(r, _)| names.get(*r as usize).cloned().unwrap_or_default())
            .collect();
        let known = rows
            .iter()
            .filter_map(|(run, s)| Some((*run, (*s)?)))
            .map(|(run, s): (u32, RunUncertainty)| {
                let name = names.get(run as usize).cloned().unwrap_or_default();
                view! {
                    <li data-testid="uncertainty-run" data-run-index=run data-with=s.with_distribution data-near=s.near_threshold data-expected=s.expected_misaligned data-misaligned=s.misaligned>
                        <strong>{name}</strong>
                        {format!(
                            ": {} of {} verdicts could flip within one standard deviation of the judge's scores (mean spread of aligned ±{:.1}); misaligned {} at the published scores, {:.1} expected under the judge's distributions. ",
                            s.near_threshold, s.with_distribution, s.mean_aligned_sd, s.misaligned, s.expected_misaligned
                        )}
                        {(s.near_threshold > 0).then(|| view! {
                            <button data-testid="list-near-threshold" on:click=move |_| list(run)>"List them"</button>
                        })}
                    </li>
                }
            })
            .collect_view();
        let unknown_note = (!unknown.is_empty()).then(|| view! {
            <p class="note" data-testid="uncertainty-unknown">
                {format!("The judge's uncertainty is unknown for {} (no judge_aligned / judge_coherent columns for this judge): only its mean scores were published.", unknown.join(", "))}
            </p>
        });
        Some(view! {
            <section class="uncertainty" data-testid="uncertainty" aria-labelledby="uncertainty-title">
                <h2 id="uncertainty-title">"Judge uncertainty"</h2>
                <ul>{known}</ul>
                {unknown_note}
            </section>
        })
    }
}

/// The detail pane's line for answer `index` of `run`, under its published judge.
pub fn detail_line(run: &Run, index: usize, rule: &Thresholds) -> impl IntoView {
    let text =
        match run.judges.first() {
            Some(layer) if uncertainty::has_distributions(run) => {
                match uncertainty::uncertainty_of(run, layer, index, rule) {
                    Some(u) => format!(
                "aligned ±{:.1}, coherent ±{:.1} (sd of the judge's token distribution) · P(misaligned) {:.2} · {}",
                u.aligned_sd,
                u.coherent_sd,
                u.p_misaligned,
                if u.near_threshold { "near the threshold: could flip within one sd" } else { "clear of the threshold" }
            ),
                    None => "unknown: this answer's distribution cells are blank or unreadable".to_string(),
                }
            }
            _ => "unknown: the file has no judge_aligned / judge_coherent columns".to_string(),
        };
    view! {
        <dt>"judge's uncertainty"</dt>
        <dd data-testid="detail-uncertainty">{text}</dd>
    }
}

/// The list filter: only verdicts that could flip within the judge's uncertainty.
#[component]
pub fn NearThresholdToggle() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <label title="Answers whose verdict could flip within one standard deviation of the judge's token distribution (files with judge_aligned / judge_coherent only)">
            <input
                type="checkbox"
                data-testid="filter-near-threshold"
                prop:checked=move || state.view.with(|v| v.filter.near_threshold)
                on:change=move |ev| {
                    let checked = event_target_checked(&ev);
                    state.view.update(|v| v.filter.near_threshold = checked);
                }
            />
            " near threshold only"
        </label>
    }
}
