//! The column-mapping step: when a file's shape is not recognised, the user says which
//! column holds the question, the answer and the scores, and the file is parsed again.

use leptos::prelude::*;
use probe_core::ColumnMapping;

use crate::load;
use crate::state::AppState;

#[component]
pub fn MappingStep() -> impl IntoView {
    let state = expect_context::<AppState>();
    move || {
        state.pending_mapping.get().map(|pending| {
            let mapping = RwSignal::new(pending.guess.clone());
            let columns = pending.columns.clone();
            let field = move |label: &'static str,
                              testid: &'static str,
                              get: fn(&ColumnMapping) -> Option<String>,
                              set: fn(&mut ColumnMapping, Option<String>)| {
                let columns = columns.clone();
                view! {
                    <label>
                        {label}
                        <select
                            data-testid=testid
                            on:change=move |ev| {
                                let value = event_target_value(&ev);
                                mapping.update(|m| set(m, (!value.is_empty()).then_some(value)));
                            }
                        >
                            <option value="" selected=move || mapping.with(|m| get(m).is_none())>"(none)"</option>
                            {columns
                                .iter()
                                .map(|column| {
                                    let c = column.clone();
                                    view! {
                                        <option
                                            value=column.clone()
                                            selected=move || mapping.with(|m| get(m).as_deref() == Some(c.as_str()))
                                        >
                                            {column.clone()}
                                        </option>
                                    }
                                })
                                .collect_view()}
                        </select>
                    </label>
                }
            };
            let apply = {
                let pending = pending.clone();
                move |_| {
                    state.pending_mapping.set(None);
                    load::parse_and_add(state, &pending.source, pending.bytes.clone(), Some(&mapping.get_untracked()));
                }
            };
            view! {
                <section class="mapping" role="dialog" aria-label="Map columns" data-testid="mapping">
                    <h2>"Which columns hold what?"</h2>
                    <p>
                        "The columns of " <code>{pending.source.clone()}</code>
                        " were not recognised. Choose them below; other columns are kept as metadata."
                    </p>
                    <div class="mapping-fields">
                        {field("Answer text", "map-answer", |m| m.answer.clone(), |m, v| m.answer = v)}
                        {field("Question", "map-question", |m| m.question.clone(), |m, v| m.question = v)}
                        {field("Question id", "map-question-id", |m| m.question_id.clone(), |m, v| m.question_id = v)}
                        {field("Aligned score", "map-aligned", |m| m.aligned.clone(), |m, v| m.aligned = v)}
                        {field("Coherent score", "map-coherent", |m| m.coherent.clone(), |m, v| m.coherent = v)}
                    </div>
                    <button data-testid="map-apply" on:click=apply>"Load with these columns"</button>
                    <button on:click=move |_| state.pending_mapping.set(None)>"Cancel"</button>
                </section>
            }
        })
    }
}
