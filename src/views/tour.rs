//! The tour panel: one step at a time (text and the view it shows), previous / next, a step
//! counter, ← → and Esc. Each step's view is a permalink (`tour=N` with that view), so a step
//! can be linked to; the reader may change the view during a step, and the next step restores
//! its own.

use leptos::prelude::*;

use super::site_text::Paragraphs;
use crate::site::{self, SiteState};
use crate::state::AppState;

/// The panel, shown while `tour=N` names a step of the tour offered now.
#[component]
pub fn TourPanel() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sites = expect_context::<SiteState>();
    let step = Memo::new(move |_| state.view.with(|v| v.tour).map(|s| s as usize));
    move || {
        let tour = sites.tour.get()?;
        let n = tour.tour.len();
        let i = step.get().filter(|i| (1..=n).contains(i))?;
        let current = tour.tour.get(i - 1)?.clone();
        Some(view! {
            <section class="tour" role="region" aria-labelledby="tour-title" data-testid="tour" data-step=i>
                <p class="tour-count" data-testid="tour-count" aria-live="polite">{format!("Step {i} of {n}")}</p>
                <h2 id="tour-title" data-testid="tour-title">{current.title.clone()}</h2>
                <div class="tour-text" data-testid="tour-text"><Paragraphs paragraphs=current.text.clone()/></div>
                <div class="tour-nav">
                    <button
                        data-testid="tour-prev"
                        disabled=i == 1
                        title="Previous step (←)"
                        on:click=move |_| site::go_to_step(state, sites, i - 1)
                    >
                        "← Previous"
                    </button>
                    <button
                        data-testid="tour-next"
                        disabled=i == n
                        title="Next step (→)"
                        on:click=move |_| site::go_to_step(state, sites, i + 1)
                    >
                        "Next →"
                    </button>
                    <button data-testid="tour-close" title="Close the tour (Esc)" on:click=move |_| site::close_tour(state)>
                        "Close tour"
                    </button>
                </div>
            </section>
        })
    }
}

/// "Take the tour", in the header, while a tour is offered and not open.
#[component]
pub fn TourButton() -> impl IntoView {
    let state = expect_context::<AppState>();
    let sites = expect_context::<SiteState>();
    move || {
        let offered = sites.steps() > 0;
        let open = state.view.with(|v| v.tour.is_some());
        (offered && !open).then(|| {
            view! {
                <button class="tour-start" data-testid="tour-start" on:click=move |_| site::go_to_step(state, sites, 1)>
                    "Take the tour"
                </button>
            }
        })
    }
}

/// The tour's keys while a step is open: ← previous, → next, Esc close. True when handled.
pub fn handle_key(state: AppState, sites: SiteState, key: &str) -> bool {
    let Some(step) = state.view.with_untracked(|v| v.tour).map(|s| s as usize) else { return false };
    let n = sites.tour.with_untracked(|t| t.as_ref().map_or(0, |t| t.tour.len()));
    match key {
        "ArrowLeft" if step > 1 => site::go_to_step(state, sites, step - 1),
        "ArrowRight" if step < n => site::go_to_step(state, sites, step + 1),
        "Escape" => site::close_tour(state),
        _ => return false,
    }
    true
}
