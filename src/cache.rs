//! IndexedDB: the judge's score cache, so a reload does not re-score (one record per run and
//! model, see `judge::run_key`: a Float32Array of four scores per answer; every failure is
//! silent and only means scoring again), and the human labels of each run (`labelling`: one
//! JSON Lines string per run identity).

use js_sys::{Float32Array, Promise};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "probe-explorer";
const STORE: &str = "judge-scores";
/// Human labels per run identity.
pub const LABELS: &str = "human-labels";
/// Version 2 added [`LABELS`].
const VERSION: u32 = 2;

/// The text stored under `key` in `store`, if any.
pub async fn get_text(store: &str, key: &str) -> Option<String> {
    let db = open().await?;
    let object_store = db.transaction_with_str(store).ok()?.object_store(store).ok()?;
    request(object_store.get(&JsValue::from_str(key)).ok()?).await?.as_string()
}

/// Stores `text` under `key` in `store`, replacing what was there; `false` when it failed.
pub async fn put_text(store: &str, key: &str, text: &str) -> bool {
    let Some(db) = open().await else { return false };
    let Some(object_store) = db
        .transaction_with_str_and_mode(store, IdbTransactionMode::Readwrite)
        .ok()
        .and_then(|t| t.object_store(store).ok())
    else {
        return false;
    };
    match object_store.put_with_key(&JsValue::from_str(text), &JsValue::from_str(key)) {
        Ok(req) => request(req).await.is_some(),
        Err(_) => false,
    }
}

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
    let open_request: IdbOpenDbRequest = factory.open_with_u32(DATABASE, VERSION).ok()?;
    let upgrade = Closure::once(move |event: web_sys::Event| {
        let db = event
            .target()
            .and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok())
            .and_then(|r| r.result().ok())
            .and_then(|r| r.dyn_into::<IdbDatabase>().ok());
        if let Some(db) = db {
            let names = db.object_store_names();
            for store in [STORE, LABELS] {
                if !names.contains(store) {
                    let _ = db.create_object_store(store);
                }
            }
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
