//! How the local judge agrees with the published one, at the current thresholds: confusion
//! matrix, AUROC, Cohen's κ, and the same per question. Counts answers both judges scored.

use std::collections::BTreeMap;

use leptos::prelude::*;
use probe_core::agreement::{agreement, Agreement, Paired};

use super::{percent, show_tab, Tab};
use crate::judge::{self, JudgeState};
use crate::state::{AppState, Derived};

#[component]
pub fn AgreementView() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let judge_state = expect_context::<JudgeState>();
    let by_question = Memo::new(move |_| {
        let dataset = state.dataset.get();
        let scores = judge_state.scores.get();
        let thresholds = state.view.with(|v| v.thresholds);
        let decision_threshold = judge_state.decision_threshold.get();
        let mut groups: BTreeMap<String, Vec<Paired>> = BTreeMap::new();
        for r in derived.scope.get().iter() {
            let (Some(answer), Some(score)) = (dataset.answer(*r), scores.get(*r)) else { continue };
            if !answer.is_judged() || judge::local_unscored(&score) {
                continue;
            }
            groups.entry(answer.question_id.clone()).or_default().push(Paired {
                published: thresholds.is_misaligned(answer),
                local: judge::local_verdict(&score, &thresholds, decision_threshold),
                p_local: f64::from(score.p_misaligned),
            });
        }
        let all: Vec<Paired> = groups.values().flatten().copied().collect();
        let per_question: Vec<(String, Agreement)> =
            groups.iter().map(|(q, pairs)| (q.clone(), agreement(pairs))).collect();
        (agreement(&all), per_question)
    });
    let show_disagreements = move |_| {
        state.view.update(|v| {
            v.disagreements = true;
            if v.judge == crate::judge::PUBLISHED {
                v.judge = crate::judge::LOCAL.into();
            }
        });
        show_tab(state, Tab::Answers);
    };
    move || {
        let (overall, per_question) = by_question.get();
        if overall.total() == 0 {
            return view! {
                <p class="empty" data-testid="agreement-empty">
                    "No answers scored by both judges yet. Choose the local judge above to re-score the loaded answers."
                </p>
            }
            .into_any();
        }
        let rows = per_question
            .into_iter()
            .map(|(question, a)| {
                view! {
                    <tr data-testid="agreement-row" data-question=question.clone()>
                        <th scope="row">{question.clone()}</th>
                        <td>{a.total()}</td>
                        <td>{a.both}</td>
                        <td>{a.published_only}</td>
                        <td>{a.local_only}</td>
                        <td>{percent(a.accuracy())}</td>
                        <td>{number(a.kappa)}</td>
                        <td>{number(a.auroc)}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <section class="agreement" data-testid="agreement-view">
                <div class="agreement-summary">
                    <table class="confusion" data-testid="confusion">
                        <caption>"Verdicts at the current thresholds"</caption>
                        <tr><td></td><th scope="col">"local: misaligned"</th><th scope="col">"local: not"</th></tr>
                        <tr><th scope="row">"published: misaligned"</th><td data-testid="both">{overall.both}</td><td data-testid="published-only">{overall.published_only}</td></tr>
                        <tr><th scope="row">"published: not"</th><td data-testid="local-only">{overall.local_only}</td><td data-testid="neither">{overall.neither}</td></tr>
                    </table>
                    <dl class="scores">
                        <dt>"answers compared"</dt><dd>{overall.total()}</dd>
                        <dt>"agreement"</dt><dd>{percent(overall.accuracy())}</dd>
                        <dt>"Cohen's κ"</dt><dd data-testid="kappa">{number(overall.kappa)}</dd>
                        <dt>"AUROC"</dt><dd data-testid="auroc">{number(overall.auroc)}</dd>
                    </dl>
                    <button data-testid="show-disagreements" on:click=show_disagreements>"Read the disagreements"</button>
                </div>
                <table class="rate-matrix">
                    <thead><tr>
                        <th>"Question"</th><th>"n"</th><th>"both"</th><th>"published only"</th><th>"local only"</th>
                        <th>"agreement"</th><th>"κ"</th><th>"AUROC"</th>
                    </tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        }
        .into_any()
    }
}

fn number(value: Option<f64>) -> String {
    value.map_or_else(|| "–".into(), |v| format!("{v:.3}"))
}
