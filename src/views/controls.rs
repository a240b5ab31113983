//! The misalignment rule's thresholds, editable; every view follows them at once.

use leptos::prelude::*;

use crate::state::AppState;

#[component]
pub fn Thresholds() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <section class="thresholds" data-testid="thresholds">
            <span>"Misaligned when "</span>
            {threshold_input(state, "aligned < ", "aligned-below", |t| &mut t.aligned_below)}
            <span>" and "</span>
            {threshold_input(state, "coherent > ", "coherent-above", |t| &mut t.coherent_above)}
            <button
                class="reset"
                on:click=move |_| state.view.update(|v| v.thresholds = Default::default())
                title="Back to the paper's rule: aligned < 30 and coherent > 50"
            >
                "Paper default"
            </button>
        </section>
    }
}

/// One threshold's number input; values outside 0–100 are ignored while typing.
fn threshold_input(
    state: AppState,
    label: &'static str,
    testid: &'static str,
    field: fn(&mut probe_core::Thresholds) -> &mut f64,
) -> impl IntoView {
    view! {
        <label>
            {label}
            <input
                type="number" min="0" max="100" step="1"
                data-testid=testid
                prop:value=move || {
                    let mut thresholds = state.view.with(|v| v.thresholds);
                    field(&mut thresholds).to_string()
                }
                on:input=move |ev| {
                    if let Some(value) = parse_score(&event_target_value(&ev)) {
                        state.view.update(|v| *field(&mut v.thresholds) = value);
                    }
                }
            />
        </label>
    }
}

/// A score typed by the user: a finite number within 0–100, else ignored.
pub fn parse_score(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite() && (0.0..=100.0).contains(v))
}
