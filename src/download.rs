//! Saving exports: builds a Blob in the page and clicks a temporary link. Nothing is uploaded.

use wasm_bindgen::JsCast;

/// Offers `contents` as a file download named `file_name`.
pub fn save(file_name: &str, mime: &str, contents: &str) -> Result<(), String> {
    let contents = if mime.contains("xml") { xml_safe(contents) } else { contents.to_owned() };
    let contents = contents.as_str();
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let parts = js_sys::Array::of1(&contents.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|_| "could not create the file")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(|_| "could not create a download link")?;
    let anchor: web_sys::HtmlAnchorElement = document.create_element("a").map_err(|_| "no anchor")?.unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(file_name);
    anchor.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// XML 1.0 forbids most C0 controls (and U+FFFE, U+FFFF), which transcripts can hold: one in a
/// question id would make the whole exported SVG unreadable. They become U+FFFD.
fn xml_safe(text: &str) -> String {
    text.replace(
        |c: char| (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}'),
        "\u{FFFD}",
    )
}
