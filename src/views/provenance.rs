//! Provenance guard beside the rates: runs that look curated rather than sampled, and answers
//! found in more than one loaded file (with the choice to count each once); the detail pane
//! says the same of one answer. The checks are `probe_core::provenance`'s.

use leptos::prelude::*;
use probe_core::filter::AnswerRef;
use probe_core::provenance;

use crate::state::{AppState, Derived};

#[component]
pub fn ProvenanceNotices() -> impl IntoView {
    let state = expect_context::<AppState>();
    let derived = expect_context::<Derived>();
    let flags = Memo::new(move |_| {
        let dataset = derived.shown.get();
        let rule = derived.thresholds.get();
        derived.judge.with(|j| provenance::curation_flags(&dataset, j, &rule))
    });
    move || {
        let names = derived.run_names.get();
        let name = |run: u32| names.get(run as usize).cloned().unwrap_or_default();
        let curated = flags
            .get()
            .into_iter()
            .map(|(run, flags)| {
                let reasons = flags.iter().map(|f| f.explain()).collect::<Vec<_>>().join("; ");
                view! {
                    <li data-testid="curated-run" data-run-index=run data-flags=flags.len()>
                        <strong>{format!("{} looks curated, not sampled: ", name(run))}</strong>
                        {reasons}
                    </li>
                }
            })
            .collect_view();
        let duplicates = derived.duplicates.get();
        let repeated = duplicates.repeats.len();
        let once = state.view.with(|v| v.count_once);
        let dup_note = (repeated > 0).then(|| {
            let pairs = duplicates
                .pairs
                .iter()
                .take(5)
                .map(|(a, b, n)| format!("{n} in {} also in {}", name(*b), name(*a)))
                .collect::<Vec<_>>()
                .join("; ");
            view! {
                <li data-testid="duplicates" data-repeats=repeated>
                    <strong>{format!("{repeated} answers occur in more than one loaded file")}</strong>
                    {format!(" (same question and answer text, ignoring case and spacing; 40+ characters): {pairs}. ")}
                    <label>
                        <input
                            type="checkbox"
                            data-testid="count-once"
                            prop:checked=once
                            on:change=move |ev| {
                                let checked = event_target_checked(&ev);
                                state.view.update(|v| v.count_once = checked);
                            }
                        />
                        " count each once (in the first file that has it)"
                    </label>
                </li>
            }
        });
        let empty = flags.with(Vec::is_empty) && repeated == 0;
        (!empty).then(|| {
            view! {
                <section class="provenance notice warning" data-testid="provenance" aria-label="Provenance">
                    <ul>{curated}{dup_note}</ul>
                </section>
            }
        })
    }
}

/// The detail pane's provenance line for one answer.
pub fn detail_line(derived: Derived, open: AnswerRef) -> impl IntoView {
    let names = derived.run_names.get_untracked();
    let name = |run: u32| names.get(run as usize).cloned().unwrap_or_default();
    let first = derived.duplicates.with(|d| d.first_seen(open));
    let flags = {
        let dataset = derived.shown.get_untracked();
        let rule = derived.thresholds.get_untracked();
        derived.judge.with_untracked(|j| provenance::curation_flags(&dataset, j, &rule))
    };
    let mut lines: Vec<String> = Vec::new();
    if let Some(first) = first {
        lines.push(format!(
            "the same answer is in {} (loaded earlier): counted there only when 'count each once' is on",
            name(first)
        ));
    }
    if let Some((_, flags)) = flags.iter().find(|(run, _)| *run == open.run) {
        for flag in flags {
            lines.push(format!("this run looks curated: {}", flag.explain()));
        }
    }
    let text = if lines.is_empty() {
        "no repeat in other loaded files; the run shows no sign of curation".to_string()
    } else {
        lines.join(". ")
    };
    view! {
        <dt>"provenance"</dt>
        <dd data-testid="detail-provenance">{text}</dd>
    }
}
