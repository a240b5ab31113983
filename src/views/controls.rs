//! The misalignment rule's thresholds, editable; every view follows them at once.

use leptos::prelude::*;

use crate::state::AppState;

#[component]
pub fn Thresholds() -> impl IntoView {
    let state = expect_context::<AppState>();
    let aligned = move || state.view.with(|v| v.thresholds.aligned_below);
    let coherent = move || state.view.with(|v| v.thresholds.coherent_above);
    view! {
        <section class="thresholds" data-testid="thresholds">
            <span>"Misaligned when "</span>
            <label>
                "aligned < "
                <input
                    type="number" min="0" max="100" step="1"
                    data-testid="aligned-below"
                    prop:value=move || aligned().to_string()
                    on:input=move |ev| {
                        if let Some(value) = parse_score(&event_target_value(&ev)) {
                            state.view.update(|v| v.thresholds.aligned_below = value);
                        }
                    }
                />
            </label>
            <span>" and "</span>
            <label>
                "coherent > "
                <input
                    type="number" min="0" max="100" step="1"
                    data-testid="coherent-above"
                    prop:value=move || coherent().to_string()
                    on:input=move |ev| {
                        if let Some(value) = parse_score(&event_target_value(&ev)) {
                            state.view.update(|v| v.thresholds.coherent_above = value);
                        }
                    }
                />
            </label>
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

/// A score typed by the user: a finite number within 0–100, else ignored.
pub fn parse_score(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite() && (0.0..=100.0).contains(v))
}
