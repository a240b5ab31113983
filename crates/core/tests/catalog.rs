//! `public/catalog.json`, the app's list of published transcript files: every entry names its
//! file, says what it is and under which licence, and points at a fixed revision, so a link
//! opened today and in a year reads the same bytes.

use serde_json::Value;

fn catalog() -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../public/catalog.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("public/catalog.json is a JSON array")
}

#[test]
fn every_entry_has_a_title_a_description_a_licence_and_an_https_address() {
    let entries = catalog();
    assert!(!entries.is_empty());
    for entry in &entries {
        for key in ["title", "url", "description", "license"] {
            let value = entry[key].as_str().unwrap_or_default();
            assert!(!value.trim().is_empty(), "{key} of {entry}");
        }
        assert!(entry["url"].as_str().unwrap().starts_with("https://"), "{entry}");
    }
}

#[test]
fn every_address_is_pinned_to_a_revision() {
    let hex40 = |s: &str| s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
    for entry in catalog() {
        let url = entry["url"].as_str().unwrap();
        if let Some(rest) = url.strip_prefix("https://raw.githubusercontent.com/") {
            let commit = rest.split('/').nth(2).unwrap_or_default();
            assert!(hex40(commit), "{url}: a GitHub file at a commit, not a branch");
        } else if let Some(rest) = url.strip_prefix("https://huggingface.co/datasets/") {
            let parts: Vec<&str> = rest.split('/').collect();
            assert_eq!(parts.get(2), Some(&"resolve"), "{url}: the file itself (resolve/), not its page");
        } else {
            panic!("{url}: a host the catalog does not use");
        }
    }
}

#[test]
fn the_papers_own_published_results_are_listed() {
    let entries = catalog();
    let paper = entries
        .iter()
        .find(|e| e["url"].as_str().is_some_and(|u| u.ends_with("/results/qwen_25_coder_32b_instruct.csv")))
        .expect("results/qwen_25_coder_32b_instruct.csv of emergent-misalignment/emergent-misalignment");
    assert!(paper["description"].as_str().unwrap().contains("emergent-misalignment/emergent-misalignment"));
}
