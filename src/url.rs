//! The page address ↔ `ViewState`. Encoding rules live in `probe_core::view_state`;
//! this module only touches `window.location` and `history`.

use probe_core::view_state::ViewState;

/// The view described by the current page address (`?data=…&tab=…`).
pub fn read_view_state() -> ViewState {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    ViewState::from_query(search.trim_start_matches('?'))
}

/// Replaces the address without reloading, so the URL is always a permalink of what is shown.
pub fn write_view_state(view: &ViewState) {
    let Some(window) = web_sys::window() else { return };
    let query = view.to_query();
    let path = window.location().pathname().unwrap_or_else(|_| "/".into());
    let address = if query.is_empty() { path } else { format!("{path}?{query}") };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&address));
    }
}

/// The full permalink of a view, for the "copy link" button.
pub fn permalink(view: &ViewState) -> String {
    let Some(window) = web_sys::window() else { return String::new() };
    let location = window.location();
    let origin = location.origin().unwrap_or_default();
    let path = location.pathname().unwrap_or_else(|_| "/".into());
    let query = view.to_query();
    if query.is_empty() {
        format!("{origin}{path}")
    } else {
        format!("{origin}{path}?{query}")
    }
}
