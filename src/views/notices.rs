//! Errors and warnings from loading, shown until dismissed.

use leptos::prelude::*;

use crate::state::{AppState, Level};

#[component]
pub fn Notices() -> impl IntoView {
    let state = expect_context::<AppState>();
    view! {
        <section class="notices" aria-live="polite" data-testid="notices">
            <For each=move || state.notices.get() key=|n| n.id let:notice>
                <div
                    class="notice"
                    class:error=notice.level == Level::Error
                    class:warning=notice.level == Level::Warning
                    role=if notice.level == Level::Error { "alert" } else { "status" }
                    data-testid=match notice.level {
                        Level::Error => "error",
                        Level::Warning => "warning",
                    }
                >
                    <span class="notice-text">{notice.text.clone()}</span>
                    <button class="dismiss" aria-label="Dismiss" on:click=move |_| state.dismiss(notice.id)>
                        "×"
                    </button>
                </div>
            </For>
        </section>
    }
}
