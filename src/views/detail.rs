//! The open answer: question, full answer (whitespace and code preserved), every score
//! and metadata value, with previous / next / close.

use leptos::prelude::*;

use super::answers::highlighted;
use crate::judge::JudgeState;
use crate::state::{AppState, Derived};

#[component]
pub fn AnswerDetail() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let judge_state = expect_context::<JudgeState>();
    let step = move |delta: isize| {
        let selection = derived.selection.get_untracked();
        let open = state.view.with_untracked(|v| v.open);
        let Some(position) = open.and_then(|o| selection.iter().position(|r| *r == o)) else { return };
        let next = (position as isize + delta).clamp(0, selection.len() as isize - 1) as usize;
        state.view.update(|v| v.open = Some(selection[next]));
    };
    move || {
        let open = state.view.with(|v| v.open)?;
        let dataset = state.dataset.get();
        let run = dataset.runs.get(open.run as usize)?;
        let answer = run.answers.get(open.index as usize)?;
        let (search, thresholds) = state.view.with(|v| (v.filter.search.clone(), v.thresholds));
        let name = derived.run_names.with(|n| n.get(open.run as usize).cloned().unwrap_or_default());
        let verdict = if answer.is_unscored() {
            "unscored (the judge said CODE or REFUSAL, or failed)"
        } else if !answer.is_judged() {
            "not judged"
        } else if thresholds.is_misaligned(answer) {
            "misaligned"
        } else {
            "not misaligned"
        };
        let extras = run
            .extra_score_names
            .iter()
            .zip(&answer.extra)
            .map(|(name, score)| view! { <dt>{name.clone()}</dt><dd>{score_text(*score, "—")}</dd> })
            .collect_view();
        let meta = run
            .meta_columns
            .iter()
            .zip(&answer.meta)
            .map(|(column, &value)| {
                let text = column.values.get(value as usize).cloned().unwrap_or_else(|| "—".into());
                view! { <dt>{column.name.clone()}</dt><dd>{text}</dd> }
            })
            .collect_view();
        let local = judge_state.scores.with(|s| s.get(open)).map(|s| {
            view! {
                <dt>"local judge"</dt>
                <dd data-testid="detail-local">
                    {format!(
                        "P(misaligned) {:.2} · aligned {:.0} · coherent {:.0} · P(unscored) {:.2}",
                        s.p_misaligned, s.aligned, s.coherent, s.p_unscored
                    )}
                </dd>
            }
        });
        Some(view! {
            <aside class="detail" data-testid="answer-detail" aria-label="Answer">
                <div class="detail-nav">
                    <button data-testid="detail-prev" on:click=move |_| step(-1) title="Previous (k)">"↑ Previous"</button>
                    <button data-testid="detail-next" on:click=move |_| step(1) title="Next (j)">"↓ Next"</button>
                    <button data-testid="detail-close" on:click=move |_| state.view.update(|v| v.open = None) title="Close (Esc)">"✕ Close"</button>
                </div>
                <p class="where">{format!("{name} · {} · row {} (line {})", run.source, answer.row, answer.line)}</p>
                <h3>"Question " <code>{answer.question_id.clone()}</code></h3>
                <pre class="question" data-testid="detail-question">{highlighted(&answer.question, &search)}</pre>
                <h3>"Answer"</h3>
                <pre class="answer-text" data-testid="detail-answer">
                    {match &answer.answer {
                        Some(text) => highlighted(text, &search).into_any(),
                        None => "(no answer text)".into_any(),
                    }}
                </pre>
                <dl class="scores">
                    <dt>"published verdict"</dt><dd data-testid="detail-verdict">{verdict}</dd>
                    <dt>"aligned"</dt><dd>{score_text(answer.aligned, "blank")}</dd>
                    <dt>"coherent"</dt><dd>{score_text(answer.coherent, "blank")}</dd>
                    {local}
                    {extras}
                    {meta}
                </dl>
            </aside>
        })
    }
}

/// Scores as published: whole numbers as such, others to two decimals.
fn score_text(score: Option<f64>, missing: &str) -> String {
    match score {
        Some(s) if s.fract() == 0.0 => format!("{s:.0}"),
        Some(s) => format!("{s:.2}"),
        None => missing.to_owned(),
    }
}
