//! A record of what was shown: the app's version, each file (name, SHA-256, records), the judge
//! and its version, the rule and the filter. Exports and copied links carry it, the "cite this
//! view" box prints it, and a link made with other files' hashes says so when opened.

use std::collections::HashMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::model::{Dataset, JudgeOrigin, RunId};

/// Each loaded file's digest, by run identity: the app hashes a file after showing it (hashing
/// a large file takes about as long as parsing it), so a digest can arrive later than its run.
pub type Digests = HashMap<RunId, FileDigest>;
use crate::view_state::ViewState;

/// A loaded file's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileDigest {
    /// Lower-case hex SHA-256 of the file's bytes as read.
    pub sha256: String,
    /// Data records read (the loader's count).
    pub rows: usize,
}

impl FileDigest {
    pub fn of(bytes: &[u8], rows: usize) -> FileDigest {
        FileDigest { sha256: sha256_hex(bytes), rows }
    }

    /// From a hasher fed the file piece by piece.
    pub fn finish(hasher: Hasher, rows: usize) -> FileDigest {
        FileDigest { sha256: hex(&hasher.0.finalize()), rows }
    }

    /// The short form links carry (`sha=I:HEX`): 16 hex digits, 64 bits.
    pub fn short(&self) -> &str {
        self.sha256.get(..16).unwrap_or(&self.sha256)
    }
}

/// SHA-256 fed piece by piece (the app hashes a large file between frames).
#[derive(Default, Clone)]
pub struct Hasher(Sha256);

impl Hasher {
    pub fn update(&mut self, piece: &[u8]) {
        self.0.update(piece);
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(digest: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ManifestFile {
    pub name: String,
    pub source: String,
    pub sha256: Option<String>,
    pub rows: Option<usize>,
    pub answers: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Manifest {
    pub app: String,
    pub files: Vec<ManifestFile>,
    /// The judge every view reads, and where each run's scores came from.
    pub judge: String,
    pub judge_versions: Vec<String>,
    pub rule: String,
    /// The filter part of the view, in the link's own syntax ("" = no filter).
    pub filter: String,
    pub link: Option<String>,
}

fn origin_text(origin: &JudgeOrigin) -> String {
    match origin {
        JudgeOrigin::Published { aligned, coherent } => {
            format!("published columns {} / {}", aligned.as_deref().unwrap_or("-"), coherent.as_deref().unwrap_or("-"))
        }
        JudgeOrigin::Model { name, version } => format!("model {name} {version}"),
        JudgeOrigin::Human => "human labels".to_string(),
    }
}

/// The manifest of `view` over `dataset`; `app` is e.g. `probe-explorer 0.1.0`.
pub fn manifest(dataset: &Dataset, digests: &Digests, view: &ViewState, app: &str, link: Option<String>) -> Manifest {
    let files = dataset
        .runs
        .iter()
        .map(|run| ManifestFile {
            name: run.name.clone(),
            source: run.source.clone(),
            sha256: digests.get(&run.id).map(|d| d.sha256.clone()),
            rows: digests.get(&run.id).map(|d| d.rows),
            answers: run.len(),
        })
        .collect();
    let mut judge_versions: Vec<String> = Vec::new();
    for index in 0..dataset.runs.len() {
        if let Some(layer) = dataset.layer(index, &view.judge) {
            let text = format!("{}: {}", layer.name, origin_text(&layer.origin));
            if !judge_versions.contains(&text) {
                judge_versions.push(text);
            }
        }
    }
    let filter_only = ViewState { filter: view.filter.clone(), ..ViewState::default() };
    Manifest {
        app: app.to_string(),
        files,
        judge: view.judge.to_param().unwrap_or("each file's own").to_string(),
        judge_versions,
        rule: view.thresholds.describe(),
        filter: filter_only.to_query(),
        link,
    }
}

impl Manifest {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Plain lines for the "cite this view" box and CSV comments.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        if let Some(link) = &self.link {
            out.push_str(&format!("View: {link}\n"));
        }
        out.push_str(&format!("App: {}\n", self.app));
        for file in &self.files {
            out.push_str(&format!(
                "File: {} ({}), sha256 {}, {} records, {} answers\n",
                file.name,
                file.source,
                file.sha256.as_deref().unwrap_or("unknown (not hashed yet)"),
                file.rows.map_or_else(|| "?".to_string(), |r| r.to_string()),
                file.answers
            ));
        }
        out.push_str(&format!("Judge: {}", self.judge));
        if !self.judge_versions.is_empty() {
            out.push_str(&format!(" ({})", self.judge_versions.join("; ")));
        }
        out.push('\n');
        out.push_str(&format!("Rule: {}\n", self.rule));
        out.push_str(&format!("Filter: {}\n", if self.filter.is_empty() { "none" } else { &self.filter }));
        out
    }

    /// `# `-prefixed lines to put before a CSV header (most readers take `comment='#'`).
    pub fn csv_comment(&self) -> String {
        let mut out = String::from("# probe-explorer manifest\n");
        for line in self.to_text().lines() {
            // A line break inside a name cannot end the comment: text() lines have none, but
            // names come from files.
            out.push_str("# ");
            out.push_str(&line.replace(['\r', '\n'], " "));
            out.push('\n');
        }
        out
    }

    /// The first line of a JSONL export: `{"manifest": {...}}`.
    pub fn jsonl_line(&self) -> String {
        format!("{{\"manifest\":{}}}\n", self.to_json())
    }

    /// A `<metadata>` element for an SVG, the JSON escaped as XML text.
    pub fn svg_metadata(&self) -> String {
        let json = self.to_json().replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        format!("<metadata id=\"probe-explorer-manifest\">{json}</metadata>")
    }
}

/// Files whose hash differs from the one a link was made with: (run index, the link's short
/// hash, this file's). Runs without a digest or not named by the link are not compared.
pub fn changed_files(
    dataset: &Dataset,
    digests: &Digests,
    expected: &[(usize, String)],
) -> Vec<(usize, String, String)> {
    expected
        .iter()
        .filter_map(|(run, want)| {
            let got = digests.get(&dataset.runs.get(*run)?.id)?.short().to_string();
            (!got.eq_ignore_ascii_case(want)).then(|| (*run, want.clone(), got))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{published_run, AnswerRecord, Thresholds};

    #[test]
    fn sha256_matches_the_standard_test_vectors() {
        assert_eq!(sha256_hex(b""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    fn dataset() -> (Dataset, Digests) {
        let run = published_run(
            "insecure",
            &[AnswerRecord {
                question_id: "q".into(),
                answer: Some("a".into()),
                scores: vec![(Some(10.0), Some(90.0))],
                ..AnswerRecord::default()
            }],
        );
        let digests = Digests::from([(run.id, FileDigest::of(b"abc", 1))]);
        (Dataset::new(vec![run]), digests)
    }

    #[test]
    fn the_manifest_names_files_by_hash_and_the_judge_rule_and_filter() {
        let mut view = ViewState::from_query("q=quick_buck&aligned_inclusive=1");
        view.thresholds.aligned_below = 40.0;
        let (dataset, digests) = dataset();
        let m = manifest(&dataset, &digests, &view, "probe-explorer 0.1.0", Some("https://x/?q=quick_buck".into()));
        let text = m.to_text();
        assert!(text.contains("File: insecure (insecure.csv), sha256 ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad, 1 records, 1 answers"), "{text}");
        assert!(text.contains("Judge: each file's own (published: published columns aligned / coherent)"), "{text}");
        assert!(text.contains("Rule: aligned ≤ 40 and coherent > 50"));
        assert!(text.contains("Filter: q=quick_buck\n"));
        assert!(m.csv_comment().lines().all(|l| l.starts_with('#')));
        let line: serde_json::Value = serde_json::from_str(m.jsonl_line().trim()).unwrap();
        assert_eq!(line["manifest"]["files"][0]["rows"], 1);
        assert!(!m.svg_metadata()[10..m.svg_metadata().len() - 11].contains('<'));
        assert_eq!(Thresholds::PAPER.describe(), manifest(&dataset, &digests, &ViewState::default(), "x", None).rule);
        let unhashed = manifest(&dataset, &Digests::new(), &ViewState::default(), "x", None).to_text();
        assert!(unhashed.contains("sha256 unknown (not hashed yet)"), "{unhashed}");
    }

    #[test]
    fn a_link_made_with_another_file_says_which_changed() {
        let (dataset, digests) = dataset();
        let same = digests[&dataset.runs[0].id].short().to_string();
        assert!(changed_files(&dataset, &digests, &[(0, same.to_uppercase())]).is_empty());
        assert_eq!(
            changed_files(&dataset, &digests, &[(0, "0000000000000000".into()), (3, "x".into())]),
            [(0, "0000000000000000".into(), same)]
        );
        let mut hasher = Hasher::default();
        hasher.update(b"a");
        hasher.update(b"bc");
        assert_eq!(FileDigest::finish(hasher, 1), FileDigest::of(b"abc", 1), "piece by piece = at once");
    }
}
