//! Getting bytes into the app: local files (read in the browser, never uploaded) and URLs
//! (fetched with gloo-net), then parsed by `probe_core::load`. Failures become notices;
//! what is already loaded is never touched by a failed load.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use probe_core::load::{self, LoadError};
use probe_core::ColumnMapping;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::state::{AppState, InFlight, Level, PendingMapping};

/// Larger inputs are refused up front: parsing them would exhaust the tab's memory.
/// Measured in headless Chromium: a 300 MB CSV loads in about 3 s with the renderer at about
/// 1.1 GB; reading briefly holds the file twice (JS buffer and wasm copy) beside its parse.
pub const MAX_INPUT_BYTES: f64 = 400.0 * 1024.0 * 1024.0;
/// All runs together: wasm32 memory ends at 4 GiB and an allocation failure there ends the app.
/// Measured: four 300 MB files loaded one after another took the renderer to 3.4 GB; with this
/// budget the fourth is refused, and the tab stays well clear of the ceiling.
pub const MAX_LOADED_BYTES: f64 = 1024.0 * 1024.0 * 1024.0;
/// A download that has not finished by then is abandoned.
const FETCH_TIMEOUT_MS: i32 = 60_000;

/// Reads and parses local files, in the order given.
pub fn load_files(state: AppState, files: Vec<web_sys::File>) {
    spawn_local(async move {
        for file in files {
            let name = file.name();
            if file.size() > MAX_INPUT_BYTES {
                state.notify(Level::Error, too_big(&name, file.size()));
                continue;
            }
            if let Some(message) = over_budget(state, file.size()) {
                state.notify(Level::Error, format!("{name}: {message}"));
                continue;
            }
            begin(state, &name, None);
            let received = read_file(&file).await;
            end(state, &name);
            match received {
                Ok(received) => parse_received(state, &name, received),
                Err(message) => state.notify(Level::Error, format!("{name}: could not read the file: {message}")),
            }
        }
    });
}

/// Fetches URLs concurrently but adds their runs in the order given, so run numbers in a
/// permalink (`open=1:7`) mean the same thing every time it is opened.
pub fn load_urls(state: AppState, urls: Vec<String>) {
    spawn_local(async move {
        let fetches = urls.iter().map(|url| {
            let controller = web_sys::AbortController::new().ok();
            begin(state, url, controller.clone());
            async move { fetch_received(url, controller).await }
        });
        let results = futures::future::join_all(fetches).await;
        for (url, result) in urls.iter().zip(results) {
            end(state, url);
            let result = result.and_then(|received| match over_budget(state, received.bytes.len() as f64) {
                Some(message) => Err(message),
                None => Ok(received),
            });
            match result {
                Ok(received) => parse_received(state, url, received),
                Err(message) => {
                    state.notify(Level::Error, format!("{url}: {message}"));
                    // The address describes what is shown: a source that gave nothing leaves it.
                    state.view.update(|v| {
                        if let Some(i) = v.sources.iter().position(|s| s == url) {
                            v.sources.remove(i);
                        }
                    });
                }
            }
        }
    });
}

/// The bundled illustrative demo, shown when the address names no data.
const DEMO_FILES: [&str; 2] = ["demo/demo-base.csv", "demo/demo-insecure.csv"];

/// Loads the demo runs, unless the user has loaded real data in the meantime.
pub fn load_demo(state: AppState) {
    spawn_local(async move {
        let mut runs = Vec::new();
        for source in DEMO_FILES {
            let loaded = fetch_bytes(source, None)
                .await
                .and_then(|bytes| load::load_run(&bytes, source, None).map_err(|e| e.to_string()));
            match loaded {
                Ok(loaded) => runs.push(loaded.run),
                Err(message) => state.notify(Level::Error, format!("The demo data could not be loaded: {message}")),
            }
        }
        if state.dataset.with_untracked(|d| d.runs.is_empty()) {
            state.set_demo(runs);
        }
    });
}

/// A file's bytes as they arrived: copied into wasm memory, and the browser's own copy.
struct Received {
    bytes: Vec<u8>,
    original: js_sys::Uint8Array,
}

/// What a file's manifest hash is read from, after its run is shown.
enum HashFrom {
    /// The bytes in wasm memory, when the run did not take them.
    Wasm(Arc<Vec<u8>>),
    /// The browser's copy: the run's text now lives in the wasm copy's buffer.
    Browser(js_sys::Uint8Array),
}

/// Parses a file as it arrived. The run takes the wasm copy of a CSV file for its text
/// (`load_run_owned`: the tab holds the file once, not the file and a copy of its answers); the
/// manifest hash reads the browser's copy, which is dropped once hashed.
fn parse_received(state: AppState, source: &str, received: Received) {
    let Received { bytes, original } = received;
    match load::load_run_owned(bytes, source, None) {
        Ok(loaded) => add_loaded(state, source, loaded, HashFrom::Browser(original)),
        Err(refused) => refused_load(state, source, refused.error, Arc::new(refused.bytes), Some(original)),
    }
}

/// Parses bytes into a run and adds it; an unknown shape opens the column-mapping step.
pub fn parse_and_add(state: AppState, source: &str, bytes: Arc<Vec<u8>>, mapping: Option<&ColumnMapping>) {
    match load::load_run(&bytes, source, mapping) {
        Ok(loaded) => add_loaded(state, source, loaded, HashFrom::Wasm(bytes)),
        Err(error) => refused_load(state, source, error, bytes, None),
    }
}

/// A file `load_run` did not read into a run: ask for its columns, hand it to its format's
/// module, or say why not. `original`: the browser's copy of `bytes`, when there is one.
fn refused_load(
    state: AppState,
    source: &str,
    error: LoadError,
    bytes: Arc<Vec<u8>>,
    original: Option<js_sys::Uint8Array>,
) {
    match error {
        LoadError::NeedsMapping { columns, guess, .. } => {
            state.pending_mapping.set(Some(PendingMapping { source: source.to_owned(), bytes, columns, guess }));
        }
        LoadError::NeedsModule { module, .. } => {
            // Inspect AI logs (and other zips) and Parquet files are read by wasm modules of
            // their own, each fetched on first use.
            let source = source.to_owned();
            begin(state, &source, None);
            // The module reads the browser's copy where there is one (the wasm copy is then
            // dropped: the run the module sends back can use its room), else a copy of it.
            let (input, hash_from) = match original {
                Some(original) => (original.clone(), HashFrom::Browser(original)),
                None => (js_sys::Uint8Array::from(bytes.as_slice()), HashFrom::Wasm(bytes)),
            };
            spawn_local(async move {
                let loaded = read_with_module(module, &input, &source).await;
                end(state, &source);
                match loaded {
                    Ok(loaded) => add_loaded(state, &source, loaded, hash_from),
                    Err(message) => state.notify(Level::Error, message),
                }
            });
        }
        error => state.notify(Level::Error, error.to_string()),
    }
}

/// Hashes a loaded file for the manifest after its run is shown, 8 MB at a time, yielding to
/// the page in between: a 300 MB file takes about as long to hash as to parse.
fn hash_later(state: AppState, id: probe_core::RunId, from: HashFrom, rows: usize) {
    use probe_core::manifest::{FileDigest, Hasher};
    const PIECE: usize = 8 << 20;
    spawn_local(async move {
        let mut hasher = Hasher::default();
        match from {
            HashFrom::Wasm(bytes) => {
                for piece in bytes.chunks(PIECE) {
                    hasher.update(piece);
                    crate::judge::sleep_ms(0).await;
                }
            }
            HashFrom::Browser(original) => {
                let mut piece = Vec::new();
                let len = original.length();
                let mut start = 0;
                while start < len {
                    let end = start.saturating_add(PIECE as u32).min(len);
                    piece.resize((end - start) as usize, 0);
                    original.subarray(start, end).copy_to(&mut piece);
                    hasher.update(&piece);
                    start = end;
                    crate::judge::sleep_ms(0).await;
                }
            }
        }
        let digest = FileDigest::finish(hasher, rows);
        state.digests.update(|d| {
            d.insert(id, digest);
        });
    });
}

/// Shows a loaded run (and its first issues), then hashes its file for the manifest.
fn add_loaded(state: AppState, source: &str, loaded: load::Loaded, hash_from: HashFrom) {
    for issue in loaded.issues.iter().take(5) {
        state.notify(Level::Warning, issue.to_string());
    }
    if loaded.issues.len() > 5 {
        state.notify(Level::Warning, format!("{source}: {} more issues not shown", loaded.issues.len() - 5));
    }
    let (id, rows) = (loaded.run.id, loaded.rows);
    state.add_runs(vec![loaded.run]);
    hash_later(state, id, hash_from, rows);
}

/// Reads a file with the module that has its reader (`crates/formats-web` or
/// `crates/parquet-web`), which `public/boot.js` imports on first use, and rebuilds the run it
/// sends back. The error names `source`.
async fn read_with_module(
    module: load::Module,
    input: &js_sys::Uint8Array,
    source: &str,
) -> Result<load::Loaded, String> {
    let unavailable = |why: String| format!("{source}: the reader for this format could not be loaded ({why})");
    let global = match module {
        load::Module::Formats => "probeFormats",
        load::Module::Parquet => "probeParquet",
    };
    let window = web_sys::window().ok_or_else(|| unavailable("no window".into()))?;
    let loader = js_sys::Reflect::get(&window, &JsValue::from_str(global))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| unavailable("boot.js did not install it".into()))?;
    let promise = loader
        .call0(&JsValue::NULL)
        .ok()
        .and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
        .ok_or_else(|| unavailable("no module promise".into()))?;
    let module = JsFuture::from(promise).await.map_err(|e| unavailable(js_message(e)))?;
    let read = js_sys::Reflect::get(&module, &JsValue::from_str("read_file"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| unavailable("it has no read_file".into()))?;
    // The module's error is a message that already names the file.
    let output = read.call2(&JsValue::NULL, input, &JsValue::from_str(source)).map_err(js_message)?;
    let encoded = js_sys::Uint8Array::new(&output).to_vec();
    load::decode_loaded(&encoded, source).ok_or_else(|| unavailable("it sent back something unreadable".into()))
}

fn begin(state: AppState, source: &str, abort: Option<web_sys::AbortController>) {
    state.in_flight.update(|list| list.push(InFlight { source: source.to_owned(), abort }));
}

fn end(state: AppState, source: &str) {
    state.in_flight.update(|list| {
        if let Some(i) = list.iter().position(|f| f.source == source) {
            list.remove(i);
        }
    });
}

/// Cancels an in-flight download; its future then resolves with an "aborted" error.
pub fn cancel(state: AppState, source: &str) {
    state.in_flight.with_untracked(|list| {
        for flight in list.iter().filter(|f| f.source == source) {
            if let Some(controller) = &flight.abort {
                controller.abort();
            }
        }
    });
}

/// Text held by the loaded runs (answers and questions), roughly what their files weighed.
fn loaded_bytes(state: AppState) -> f64 {
    if state.is_demo.get_untracked() {
        return 0.0; // replaced by the first real file
    }
    state.dataset.with_untracked(|d| d.runs.iter().map(|r| r.heap_bytes() as f64).sum())
}

/// Why a file of `size` bytes must not be loaded beside what is loaded already, if so.
fn over_budget(state: AppState, size: f64) -> Option<String> {
    let loaded = loaded_bytes(state);
    (loaded + size > MAX_LOADED_BYTES).then(|| {
        format!(
            "{:.0} MB more would pass the {:.0} MB this tab can hold in all ({:.0} MB loaded). Remove a run first, or use the command-line tool.",
            size / 1e6,
            MAX_LOADED_BYTES / 1e6,
            loaded / 1e6
        )
    })
}

fn too_big(name: &str, size: f64) -> String {
    format!(
        "{name}: {:.0} MB is more than this tab can safely load ({:.0} MB). Split the file, or use the command-line tool.",
        size / 1e6,
        MAX_INPUT_BYTES / 1e6
    )
}

async fn read_file(file: &web_sys::File) -> Result<Received, String> {
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(js_message)?;
    let original = js_sys::Uint8Array::new(&buffer);
    Ok(Received { bytes: original.to_vec(), original })
}

pub(crate) async fn fetch_bytes(url: &str, controller: Option<web_sys::AbortController>) -> Result<Vec<u8>, String> {
    fetch_received(url, controller).await.map(|received| received.bytes)
}

/// Downloads `url`, keeping the browser's copy of the body beside the bytes.
async fn fetch_received(url: &str, controller: Option<web_sys::AbortController>) -> Result<Received, String> {
    let signal = controller.as_ref().map(|c| c.signal());
    let signal = signal.as_ref();
    let base = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    let parsed = web_sys::Url::new_with_base(url, &base).map_err(|_| "not a valid URL".to_owned())?;
    if !matches!(parsed.protocol().as_str(), "https:" | "http:") {
        return Err("only http and https addresses can be loaded".into());
    }
    let timeout = controller.clone().and_then(|c| Timeout::abort_after(c, FETCH_TIMEOUT_MS));
    // Why a download stopped: the user's Cancel, or our timeout.
    let aborted = || {
        if timeout.as_ref().is_some_and(Timeout::fired) {
            format!("no answer within {} s; the download was abandoned", FETCH_TIMEOUT_MS / 1000)
        } else {
            "download cancelled".to_owned()
        }
    };
    let response = gloo_net::http::Request::get(url).abort_signal(signal).send().await.map_err(|e| {
        if signal.is_some_and(|s| s.aborted()) {
            aborted()
        } else {
            format!(
                "could not download ({e}). The server may be down, or it does not allow cross-origin requests (CORS)."
            )
        }
    })?;
    if !response.ok() {
        return Err(format!("the server answered {} {}", response.status(), response.status_text()));
    }
    let too_large = response
        .headers()
        .get("content-length")
        .and_then(|n| n.parse::<f64>().ok())
        .is_some_and(|n| n > MAX_INPUT_BYTES);
    if too_large {
        // Close the connection rather than leave the body streaming in.
        if let Some(controller) = &controller {
            controller.abort();
        }
        return Err(format!(
            "the file is larger than {:.0} MB, the most this tab can safely load",
            MAX_INPUT_BYTES / 1e6
        ));
    }
    let is_html = response.headers().get("content-type").is_some_and(|t| t.contains("text/html"));
    let response = web_sys::Response::from(response);
    let body = response.array_buffer().map_err(js_message)?;
    let body = JsFuture::from(body).await.map_err(|e| {
        if signal.is_some_and(|s| s.aborted()) {
            aborted()
        } else {
            js_message(e)
        }
    })?;
    let original = js_sys::Uint8Array::new(&body);
    let bytes = original.to_vec();
    if is_html || looks_like_html(&bytes) {
        return Err("the address returned a web page (HTML), not transcript data. Link to the raw file instead.".into());
    }
    Ok(Received { bytes, original })
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let start = &bytes[..bytes.len().min(512)];
    let text = String::from_utf8_lossy(start).trim_start().to_ascii_lowercase();
    text.starts_with("<!doctype html") || text.starts_with("<html")
}

fn js_message(value: JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// Aborts a download after a delay unless dropped first (when the download finished).
struct Timeout {
    handle: i32,
    fired: std::rc::Rc<std::cell::Cell<bool>>,
    _callback: Closure<dyn FnMut()>,
}

impl Timeout {
    fn abort_after(controller: web_sys::AbortController, ms: i32) -> Option<Self> {
        let fired = std::rc::Rc::new(std::cell::Cell::new(false));
        let flag = fired.clone();
        let callback = Closure::<dyn FnMut()>::new(move || {
            flag.set(true);
            controller.abort();
        });
        let handle = web_sys::window()?
            .set_timeout_with_callback_and_timeout_and_arguments_0(callback.as_ref().unchecked_ref(), ms)
            .ok()?;
        Some(Self { handle, fired, _callback: callback })
    }

    /// Whether the timeout (not the user) aborted the download.
    fn fired(&self) -> bool {
        self.fired.get()
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.handle);
        }
    }
}
