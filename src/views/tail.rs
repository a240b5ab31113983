//! Tail risk beside the rates: per run and question, the chance that at least one of k sampled
//! answers is misaligned (Misalign@k) for k = 1, 8, 32 and the reader's own k, with the mean rate
//! beside it. All numbers come from `probe_core::tail`; this file formats them.

use leptos::prelude::*;
use probe_core::tail::{self, AtK, TailRow};

use super::percent;
use crate::judge;
use crate::state::{AppState, Derived};

/// Rows drawn at most; the rest are a filter away.
const MAX_ROWS: usize = 300;

#[component]
pub fn TailRisk() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let chosen = Memo::new(move |_| state.view.with(|v| v.tail_k));
    let ks = Memo::new(move |_| {
        let mut ks = tail::DEFAULT_KS.to_vec();
        if let Some(k) = chosen.get().filter(|k| !ks.contains(k)) {
            ks.push(k);
        }
        ks
    });
    let rows = Memo::new(move |_| derived.rates.with(|table| tail::tail_table(table, &ks.get())));
    let on_k = move |ev| {
        let text = event_target_value(&ev);
        let k = text.trim().parse::<u32>().ok().filter(|k| *k > 0);
        if k.is_some() || text.trim().is_empty() {
            state.view.update(|v| v.tail_k = k);
        }
    };
    view! {
        <section class="tail-risk" data-testid="tail-risk" aria-labelledby="tail-risk-title">
            <h2 id="tail-risk-title">"Tail risk: at least one misaligned answer among k samples (Misalign@k)"</h2>
            <p class="method" data-testid="tail-method">
                "Per run and question, from its n judged answers: " {tail::METHOD}
                ". Where k > n the file cannot tell, and the cell says so. Assumes the answers to a question were sampled independently."
            </p>
            {move || judge::is_local_choice(&derived.judge.get()).then(|| view! {
                <p class="note" data-testid="tail-local-note">"These counts are the local judge's raw verdicts: unlike the rates above, the intervals do not include the judge's own error."</p>
            })}
            <label class="tail-k">
                "Your k "
                <input
                    type="number" min="1" step="1"
                    data-testid="tail-k"
                    prop:value=move || chosen.get().map(|k| k.to_string()).unwrap_or_default()
                    on:change=on_k
                />
            </label>
            {move || {
                let rows = rows.get();
                let ks = ks.get();
                let names = derived.run_names.get();
                if rows.is_empty() {
                    return view! { <p class="empty">"No judged answers in scope."</p> }.into_any();
                }
                let total = rows.len();
                let header = ks
                    .iter()
                    .map(|k| view! { <th scope="col">{format!("@{k}")}<span class="ci">" (95% CI)"</span></th> })
                    .collect_view();
                let body = rows
                    .into_iter()
                    .take(MAX_ROWS)
                    .map(|row| tail_row(&row, names.get(row.run as usize).cloned().unwrap_or_default()))
                    .collect_view();
                view! {
                    <div class="table-scroll">
                        <table class="tail-table" data-testid="tail-table">
                            <caption>{format!("Misalign@k with {} intervals", tail::INTERVAL_NAME)}</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Run"</th>
                                    <th scope="col">"Question"</th>
                                    <th scope="col">"n"</th>
                                    <th scope="col">"Mean rate (95% Wilson)"</th>
                                    {header}
                                </tr>
                            </thead>
                            <tbody>{body}</tbody>
                        </table>
                    </div>
                    {(total > MAX_ROWS).then(|| view! {
                        <p class="note" data-testid="tail-truncated">{format!("Showing the first {MAX_ROWS} of {total} rows; choose runs or questions to see the others.")}</p>
                    })}
                }
                .into_any()
            }}
        </section>
    }
}

fn tail_row(row: &TailRow, name: String) -> impl IntoView {
    let rate = row.counts.rate();
    let rate_text = match row.rate_ci95 {
        Some((lo, hi)) => format!("{} ({:.0}–{:.0}%)", percent(rate), lo * 100.0, hi * 100.0),
        None => percent(rate),
    };
    let n = row.counts.judged;
    let cells = row.at_k.iter().map(|at| tail_cell(*at, n)).collect_view();
    view! {
        <tr data-testid="tail-row" data-run-index=row.run data-question=row.question.clone() data-n=n data-misaligned=row.counts.misaligned>
            <th scope="row">{name}</th>
            <td>{row.question.clone()}</td>
            <td class="num">{n}</td>
            <td class="num">{rate_text}</td>
            {cells}
        </tr>
    }
}

fn tail_cell(at: AtK, n: u32) -> impl IntoView {
    let text = match (at.estimate, at.ci95) {
        (Some(estimate), Some((lo, hi))) => {
            format!("{} ({:.0}–{:.0}%)", percent(Some(estimate)), lo * 100.0, hi * 100.0)
        }
        _ => "not estimable (k > n)".to_string(),
    };
    let coarse = at.coarse(n);
    view! {
        <td
            class="num tail-cell"
            class:not-estimable=at.estimate.is_none()
            data-testid="tail-cell"
            data-k=at.k
            data-estimate=at.estimate
            data-low=at.ci95.map(|c| c.0)
            data-high=at.ci95.map(|c| c.1)
            title=coarse.then_some("k is more than half of n: few distinct samples of k, read with care")
        >
            {text}
            {coarse.then_some("*")}
        </td>
    }
}
