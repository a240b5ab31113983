//! Which judge layer each bundled judge ([`crate::BUNDLED`]) fills in the app, and so which
//! `judge=` name a permalink gives it: the default (first) judge keeps `local`, the name links
//! made before there was more than one bundled judge use; every other is its own name.

use crate::BUNDLED;

/// The layer (and `judge=` name) of the bundled judge at `index` in [`BUNDLED`].
pub fn bundled_layer(index: usize) -> &'static str {
    match BUNDLED.get(index) {
        Some(_) if index == 0 => probe_core::JudgeChoice::LOCAL,
        Some((name, _)) => name,
        None => probe_core::JudgeChoice::LOCAL,
    }
}

/// The bundled judge whose layer is `layer`: its index, name and folder.
pub fn bundled_for_layer(layer: &str) -> Option<(usize, &'static str, &'static str)> {
    (0..BUNDLED.len()).find(|&i| bundled_layer(i) == layer).map(|i| (i, BUNDLED[i].0, BUNDLED[i].1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_bundled_judge_is_local_and_every_other_goes_by_its_name() {
        assert_eq!(bundled_layer(0), "local");
        assert_eq!(bundled_for_layer("local").map(|(i, name, _)| (i, name)), Some((0, BUNDLED[0].0)));
        for (i, (name, folder)) in BUNDLED.iter().enumerate().skip(1) {
            assert_eq!(bundled_layer(i), *name);
            assert_eq!(bundled_for_layer(name), Some((i, *name, *folder)));
        }
        assert_eq!(bundled_for_layer("published"), None);
        assert_eq!(bundled_for_layer("custom"), None);
    }

    #[test]
    fn bundled_layers_are_distinct() {
        let layers: Vec<&str> = (0..BUNDLED.len()).map(bundled_layer).collect();
        for (i, layer) in layers.iter().enumerate() {
            assert!(!layers[..i].contains(layer), "two bundled judges fill the layer {layer}");
            assert_ne!(*layer, "custom");
        }
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod served_tests {
    /// The app fetches a bundled judge from its folder under `dist/`, which Trunk fills from
    /// `public/` by one `copy-dir` line of `index.html` per judge.
    #[test]
    fn every_bundled_folder_is_copied_into_the_app() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let index = std::fs::read_to_string(root.join("index.html")).expect("index.html");
        for (name, folder) in crate::BUNDLED {
            let line = format!(r#"<link data-trunk rel="copy-dir" href="public/{folder}" />"#);
            assert!(index.contains(&line), "index.html lacks {line} for the bundled judge {name}");
            assert!(root.join("public").join(folder).join("judge.json").is_file(), "public/{folder}/judge.json");
        }
    }
}
