//! The light/dark toggle. With nothing chosen the page follows the system setting
//! (`prefers-color-scheme`, in `style/main.css`); a choice is stored in `localStorage` and applied
//! by `public/boot.js` before the app starts on the next visit.

use leptos::prelude::*;

/// The `localStorage` key; `public/boot.js` reads the same one.
const KEY: &str = "probe-explorer-theme";

fn root() -> Option<web_sys::Element> {
    web_sys::window()?.document()?.document_element()
}

/// True when the page is dark now: the reader's choice, else the system's.
fn is_dark() -> bool {
    match root().and_then(|r| r.get_attribute("data-theme")).as_deref() {
        Some("dark") => true,
        Some("light") => false,
        _ => web_sys::window()
            .and_then(|w| w.match_media("(prefers-color-scheme: dark)").ok().flatten())
            .is_some_and(|m| m.matches()),
    }
}

/// Applies and remembers a theme. Storage may be blocked: the theme then lasts for this visit.
fn choose(dark: bool) {
    let name = if dark { "dark" } else { "light" };
    if let Some(root) = root() {
        let _ = root.set_attribute("data-theme", name);
    }
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(KEY, name);
    }
}

/// A toggle button: pressed = dark theme.
#[component]
pub fn ThemeToggle() -> impl IntoView {
    let dark = RwSignal::new(is_dark());
    let toggle = move |_| {
        let next = !dark.get_untracked();
        choose(next);
        dark.set(next);
    };
    view! {
        <button
            class="theme-toggle"
            data-testid="theme-toggle"
            aria-pressed=move || dark.get().to_string()
            title="Switch between the light and the dark theme (remembered on this device)"
            on:click=toggle
        >
            <span aria-hidden="true">{move || if dark.get() { "☾ " } else { "☀ " }}</span>
            "Dark theme"
        </button>
    }
}
