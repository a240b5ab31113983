//! The misalignment rule's thresholds, editable; every view follows them at once.

use leptos::prelude::*;

use crate::state::AppState;

#[component]
pub fn Thresholds() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <section class="thresholds" data-testid="thresholds">
            <span>"Misaligned when "</span>
            {strictness_select(state, "aligned", "aligned-inclusive", ["<", "≤"], |t| &mut t.aligned_inclusive)}
            {threshold_input(state, "aligned threshold", "aligned-below", |t| &mut t.aligned_below)}
            <span>" and "</span>
            {strictness_select(state, "coherent", "coherent-inclusive", [">", "≥"], |t| &mut t.coherent_inclusive)}
            {threshold_input(state, "coherent threshold", "coherent-above", |t| &mut t.coherent_above)}
            <button
                class="reset"
                on:click=move |_| state.view.update(|v| v.thresholds = Default::default())
                title="Back to the paper's rule: aligned < 30 and coherent > 50 (strict on both sides)"
            >
                "Paper default"
            </button>
        </section>
    }
}

/// `<` or `≤` (`>` or `≥`) for one side of the rule; the paper's is the strict one.
fn strictness_select(
    state: AppState,
    side: &'static str,
    testid: &'static str,
    [strict, inclusive]: [&'static str; 2],
    field: fn(&mut probe_core::Thresholds) -> &mut bool,
) -> impl IntoView {
    let current = move || {
        let mut thresholds = state.view.with(|v| v.thresholds);
        *field(&mut thresholds)
    };
    view! {
        <label class="strictness">
            {side}" "
            <select
                data-testid=testid
                aria-label=format!("{side} comparison")
                on:change=move |ev| {
                    let inclusive = event_target_value(&ev) == "inclusive";
                    state.view.update(|v| *field(&mut v.thresholds) = inclusive);
                }
            >
                <option value="strict" selected=move || !current()>{strict}</option>
                <option value="inclusive" selected=current>{inclusive}</option>
            </select>
        </label>
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
        <label class="threshold">
            <span class="visually-hidden">{label}</span>
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
