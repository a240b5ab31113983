//! The judge's score cache in IndexedDB, so a reload does not re-score. One record per run
//! and model (see `judge::run_key`): a Float32Array of four scores per answer. The cache is an
//! optimisation: every failure here is silent and only means scoring again.

use js_sys::{Float32Array, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "probe-explorer";
const STORE: &str = "judge-scores";

/// The cached scores under `key`, if any.
pub async fn get(key: &str) -> Option<Vec<f32>> {
    let db = open().await?;
    let store = db.transaction_with_str(STORE).ok()?.object_store(STORE).ok()?;
    let value = request(store.get(&JsValue::from_str(key)).ok()?).await?;
    value.dyn_into::<Float32Array>().ok().map(|a| a.to_vec())
}

/// Stores scores under `key`, replacing what was there.
pub async fn put(key: &str, values: &[f32]) {
    let Some(db) = open().await else { return };
    let Some(store) = db
        .transaction_with_str_and_mode(STORE, IdbTransactionMode::Readwrite)
        .ok()
        .and_then(|t| t.object_store(STORE).ok())
    else {
        return;
    };
    let array = Float32Array::from(values);
    if let Ok(req) = store.put_with_key(&array, &JsValue::from_str(key)) {
        let _ = request(req).await;
    }
}

async fn open() -> Option<IdbDatabase> {
    let factory = web_sys::window()?.indexed_db().ok()??;
    let open_request: IdbOpenDbRequest = factory.open_with_u32(DATABASE, 1).ok()?;
    let upgrade = Closure::once(move |event: web_sys::Event| {
        let db = event
            .target()
            .and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
        if let Some(db) = db {
            let _ = db.create_object_store(STORE);
        }
    });
    open_request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let result = request(open_request.into()).await;
    drop(upgrade);
    result?.dyn_into::<IdbDatabase>().ok()
}

/// Awaits an IndexedDB request: its result, or `None` on error.
async fn request(req: IdbRequest) -> Option<JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    JsFuture::from(promise).await.ok()?;
    req.result().ok()
}
