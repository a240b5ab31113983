//! The open answer: question, full answer (whitespace and code preserved), every score
//! and metadata value, with previous / next / close.

use leptos::prelude::*;
use probe_core::Verdict;

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
        let dataset = derived.shown.get();
        let (run, i) = dataset.resolve(open)?;
        let (search, thresholds) = state.view.with(|v| (v.filter.search.clone(), v.thresholds));
        let name = derived.run_names.with(|n| n.get(open.run as usize).cloned().unwrap_or_default());
        // Every judge of this answer, side by side: the file's and the added ones (local).
        let layers: Vec<&probe_core::JudgeLayer> =
            run.judges.iter().chain(dataset.added.get(&run.id).into_iter().flatten().map(AsRef::as_ref)).collect();
        let judges = layers
            .iter()
            .map(|layer| {
                let verdict = match probe_core::Rule::new(layer, &thresholds).verdict(run, i) {
                    Verdict::NotScored => "not scored yet",
                    Verdict::Unscored => "unscored (CODE, REFUSAL, or a failed call)",
                    Verdict::Incomplete => "not judged",
                    Verdict::Judged { misaligned: true } => "misaligned",
                    Verdict::Judged { misaligned: false } => "not misaligned",
                };
                let scores = format!(
                    "{verdict} · aligned {} · coherent {}",
                    score_text(layer.aligned(i), "blank"),
                    score_text(layer.coherent(i), "blank")
                );
                view! {
                    <dt>{layer.name.clone()}</dt>
                    <dd data-testid="detail-judge" data-judge=layer.name.clone()>{scores}</dd>
                }
            })
            .collect_view();
        let verdict = match run.default_judge().map(|j| probe_core::Rule::new(j, &thresholds).verdict(run, i)) {
            Some(Verdict::Unscored) => "unscored (the judge said CODE or REFUSAL, or failed)",
            Some(Verdict::Judged { misaligned: true }) => "misaligned",
            Some(Verdict::Judged { misaligned: false }) => "not misaligned",
            _ => "not judged",
        };
        let extras = run
            .extra
            .iter()
            .map(|column| view! { <dt>{column.name.clone()}</dt><dd>{score_text(column.get(i), "—")}</dd> })
            .collect_view();
        let meta = run
            .meta_columns
            .iter()
            .map(|column| {
                let text = column.value(i).unwrap_or("—").to_owned();
                view! { <dt>{column.name.clone()}</dt><dd>{text}</dd> }
            })
            .collect_view();
        let local = judge_state.scores.with(|s| s.get(run.id, i)).map(|s| {
            view! {
                <dt>"local judge outputs"</dt>
                <dd data-testid="detail-local">
                    {format!(
                        "P(misaligned) {:.2} · aligned {:.0} · coherent {:.0} · P(unscored) {:.2}",
                        s.p_misaligned, s.aligned, s.coherent, s.p_unscored
                    )}
                </dd>
            }
        });
        let (row, line) = (run.row(i), run.line(i));
        let question_key = run.question_key(i).to_owned();
        // The raw id as the file writes it, and the paper's name for it when they differ.
        let paper_id = run
            .question(i)
            .and_then(|q| q.canonical)
            .map(|c| c.variant_id())
            .filter(|id| *id != question_key)
            .map(|id| view! { " (the paper's " <code data-testid="detail-paper-id">{id}</code> ")" });
        let question = highlighted(run.question_text(i), &search);
        let answer = match run.answer_text(i) {
            Some(text) => highlighted(text, &search).into_any(),
            None => "(no answer text)".into_any(),
        };
        let source = run.source.clone();
        Some(view! {
            <aside class="detail" data-testid="answer-detail" aria-label="Answer">
                <div class="detail-nav">
                    <button data-testid="detail-prev" on:click=move |_| step(-1) title="Previous (k)">"↑ Previous"</button>
                    <button data-testid="detail-next" on:click=move |_| step(1) title="Next (j)">"↓ Next"</button>
                    {super::starred::star_button(state, open)}
                    <button data-testid="detail-close" on:click=move |_| state.view.update(|v| v.open = None) title="Close (Esc)">"✕ Close"</button>
                </div>
                // Records from an archive (an Inspect log) have no line in a text file.
                <p class="where">{if line > 0 { format!("{name} · {source} · row {row} (line {line})") } else { format!("{name} · {source} · record {row}") }}</p>
                <h3>"Question " <code data-testid="detail-question-id">{question_key}</code>{paper_id}</h3>
                <pre class="question" data-testid="detail-question">{question}</pre>
                <h3>"Answer"</h3>
                <pre class="answer-text" data-testid="detail-answer">{answer}</pre>
                <dl class="scores">
                    <dt>"file's verdict"</dt><dd data-testid="detail-verdict">{verdict}</dd>
                    {judges}
                    {super::uncertainty::detail_line(run, i, &thresholds)}
                    {super::provenance::detail_line(derived, open)}
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
