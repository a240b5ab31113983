//! Probe Explorer in the browser: a thin Leptos layer over `probe_core`.
//!
//! State lives in two places (see `state`): the URL-backed `ViewState` (everything a
//! permalink must reproduce) and the loaded `Dataset`. Views derive everything else.

#[cfg(feature = "bench")]
mod bench;
mod cache;
mod download;
mod judge;
mod judge_module;
mod labelling;
mod load;
mod site;
mod state;
mod url;
mod views;

use leptos::prelude::*;

/// Entry point called from `main`: installs the panic hook and mounts the app.
pub fn start() {
    install_panic_hook();
    mount_to_body(views::App);
}

/// Panics are bugs: log them, and mark the page so end-to-end tests can assert none happened.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            let _ = body.set_attribute("data-panic", &info.to_string());
        }
    }));
}
