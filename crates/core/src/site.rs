//! The site file: a paper's companion site (or a class's tour) declared in one JSON file.
//!
//! **Boundary:** authors write these files by hand and host them for years, so the format is an
//! API (documented in the README, schema in `public/site.schema.json`). Unknown keys are errors
//! (a typo should not silently drop a figure); every text is untrusted, like transcript text:
//! the app shows it as text nodes only, and the only links it makes are `http(s)` ones.
//!
//! ```json
//! {
//!   "title": "Emergent misalignment, the results",
//!   "subtitle": "Companion site",
//!   "authors": [{ "name": "A. Author", "url": "https://example.org/a" }],
//!   "links": [{ "text": "Paper", "url": "https://arxiv.org/abs/2502.17424" }],
//!   "intro": "First paragraph, with [a link](https://example.org).\n\nSecond paragraph.",
//!   "datasets": [{ "url": "data/insecure.csv", "name": "insecure" }],
//!   "view": "tab=rates",
//!   "figures": [{ "caption": "Figure 2: rates by question", "view": "tab=rates&baseline=0" }],
//!   "tour": [{ "title": "The rule", "text": "An answer is misaligned when…", "view": "tab=scatter" }]
//! }
//! ```
//!
//! Views are permalink queries ([`ViewState::from_query`]). Their data comes from the site's
//! `datasets` (in that order, named as given), never from the view: a `data=` in a view is ignored.

use serde::Deserialize;

use crate::view_state::ViewState;

/// Larger site files are refused before parsing.
pub const MAX_SITE_BYTES: usize = 1024 * 1024;
const MAX_SHORT_TEXT: usize = 300;
const MAX_LONG_TEXT: usize = 20_000;
const MAX_ITEMS: usize = 200;

/// A validated site file.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Site {
    pub title: String,
    pub subtitle: String,
    pub authors: Vec<Author>,
    pub links: Vec<Link>,
    /// Paragraphs of text and links.
    pub intro: Vec<Paragraph>,
    pub datasets: Vec<SiteDataset>,
    /// The view the site opens on (its data replaced by `datasets`).
    pub view: ViewState,
    pub figures: Vec<Figure>,
    pub tour: Vec<TourStep>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Author {
    pub name: String,
    pub url: Option<String>,
}

/// A link: its text and an `http(s)` address.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub text: String,
    pub url: String,
}

/// One piece of a paragraph.
#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(String),
    Link(Link),
}

pub type Paragraph = Vec<Inline>;

#[derive(Debug, Clone, PartialEq)]
pub struct SiteDataset {
    /// As written: relative to the site file, or an `http(s)` address.
    pub url: String,
    /// The run's display name; `None`: the name the file gives.
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub caption: String,
    pub view: ViewState,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TourStep {
    pub title: String,
    pub text: Vec<Paragraph>,
    pub view: ViewState,
}

/// Why a site file was refused; the message names the field at fault.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SiteError {
    #[error("the site file is {0} bytes; the most accepted is {MAX_SITE_BYTES}")]
    TooLarge(usize),
    #[error("the site file is not valid: {0}")]
    Json(String),
    #[error("{field}: {problem}")]
    Field { field: String, problem: String },
}

fn field_error(field: impl Into<String>, problem: impl Into<String>) -> SiteError {
    SiteError::Field { field: field.into(), problem: problem.into() }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    title: String,
    #[serde(default)]
    subtitle: String,
    #[serde(default)]
    authors: Vec<RawAuthor>,
    #[serde(default)]
    links: Vec<RawLink>,
    #[serde(default)]
    intro: String,
    #[serde(default)]
    datasets: Vec<RawDataset>,
    #[serde(default)]
    view: String,
    #[serde(default)]
    figures: Vec<RawFigure>,
    #[serde(default)]
    tour: Vec<RawStep>,
    /// For editors: `"$schema": "site.schema.json"`.
    #[serde(default, rename = "$schema")]
    _schema: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAuthor {
    name: String,
    #[serde(default)]
    url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLink {
    text: String,
    url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDataset {
    url: String,
    #[serde(default)]
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigure {
    caption: String,
    #[serde(default)]
    view: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    #[serde(default)]
    title: String,
    text: String,
    #[serde(default)]
    view: String,
}

impl Site {
    /// Parses and validates a site file. Never panics; the error names the field at fault.
    pub fn parse(bytes: &[u8]) -> Result<Site, SiteError> {
        if bytes.len() > MAX_SITE_BYTES {
            return Err(SiteError::TooLarge(bytes.len()));
        }
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let raw: RawSite = serde_json::from_slice(bytes).map_err(|e| SiteError::Json(e.to_string()))?;
        let title = short_text("title", &raw.title)?;
        if title.is_empty() {
            return Err(field_error("title", "is empty"));
        }
        let subtitle = short_text("subtitle", &raw.subtitle)?;
        count("authors", raw.authors.len())?;
        let authors = raw
            .authors
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let field = format!("authors[{i}]");
                let url = a.url.as_deref().map(|u| web_link(&format!("{field}.url"), u)).transpose()?;
                Ok(Author { name: short_text(&format!("{field}.name"), &a.name)?, url })
            })
            .collect::<Result<Vec<_>, SiteError>>()?;
        count("links", raw.links.len())?;
        let links = raw
            .links
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let field = format!("links[{i}]");
                Ok(Link {
                    text: short_text(&format!("{field}.text"), &l.text)?,
                    url: web_link(&format!("{field}.url"), &l.url)?,
                })
            })
            .collect::<Result<Vec<_>, SiteError>>()?;
        let intro = paragraphs("intro", &raw.intro)?;
        count("datasets", raw.datasets.len())?;
        let datasets = raw
            .datasets
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let field = format!("datasets[{i}]");
                let name = d.name.as_deref().map(|n| short_text(&format!("{field}.name"), n)).transpose()?;
                Ok(SiteDataset {
                    url: data_address(&format!("{field}.url"), &d.url)?,
                    name: name.filter(|n| !n.is_empty()),
                })
            })
            .collect::<Result<Vec<_>, SiteError>>()?;
        let view = site_view("view", &raw.view)?;
        count("figures", raw.figures.len())?;
        let figures = raw
            .figures
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let field = format!("figures[{i}]");
                Ok(Figure {
                    caption: long_text(&format!("{field}.caption"), &f.caption)?,
                    view: site_view(&format!("{field}.view"), &f.view)?,
                })
            })
            .collect::<Result<Vec<_>, SiteError>>()?;
        count("tour", raw.tour.len())?;
        let tour = raw
            .tour
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let field = format!("tour[{i}]");
                Ok(TourStep {
                    title: short_text(&format!("{field}.title"), &s.title)?,
                    text: paragraphs(&format!("{field}.text"), &s.text)?,
                    view: site_view(&format!("{field}.view"), &s.view)?,
                })
            })
            .collect::<Result<Vec<_>, SiteError>>()?;
        Ok(Site { title, subtitle, authors, links, intro, datasets, view, figures, tour })
    }

    /// `view` with the site's data: its datasets in order, their names, and nothing else from
    /// the view's own `data=`/`name=` (a site's figures always show the site's data).
    pub fn with_data(&self, view: &ViewState) -> ViewState {
        let mut view = view.clone();
        view.sources = self.datasets.iter().map(|d| d.url.clone()).collect();
        view.run_names = self.datasets.iter().enumerate().filter_map(|(i, d)| Some((i, d.name.clone()?))).collect();
        view
    }

    /// The view of tour step `step` (1-based), with the site's data and the step recorded.
    pub fn tour_view(&self, step: usize) -> Option<ViewState> {
        let index = step.checked_sub(1)?;
        let mut view = self.with_data(&self.tour.get(index)?.view);
        view.tour = Some(step as u32);
        view.site = None;
        Some(view)
    }
}

fn count(field: &str, n: usize) -> Result<(), SiteError> {
    if n > MAX_ITEMS {
        return Err(field_error(field, format!("has {n} entries; at most {MAX_ITEMS} are accepted")));
    }
    Ok(())
}

/// One line of text: trimmed, control characters (but not spaces) removed, bounded length.
fn short_text(field: &str, text: &str) -> Result<String, SiteError> {
    if text.chars().count() > MAX_SHORT_TEXT {
        return Err(field_error(field, format!("is longer than {MAX_SHORT_TEXT} characters")));
    }
    Ok(text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_owned())
}

fn long_text(field: &str, text: &str) -> Result<String, SiteError> {
    if text.chars().count() > MAX_LONG_TEXT {
        return Err(field_error(field, format!("is longer than {MAX_LONG_TEXT} characters")));
    }
    Ok(text.chars().filter(|c| !c.is_control() || *c == '\n').collect::<String>().trim().to_owned())
}

/// An address the app may link to: `http://` or `https://` only (no `javascript:`, `data:`…).
fn web_link(field: &str, url: &str) -> Result<String, SiteError> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let ok = (lower.starts_with("https://") || lower.starts_with("http://"))
        && url.len() <= 2048
        && !url.chars().any(|c| c.is_control() || c.is_whitespace());
    if !ok {
        return Err(field_error(field, format!("{url:?} is not an http(s) address")));
    }
    Ok(url.to_owned())
}

/// A data file's address: `http(s)://…`, or a path relative to the site file that stays
/// below it (no scheme, no leading `/`, no `..`, no backslash).
pub fn data_address(field: &str, url: &str) -> Result<String, SiteError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(field_error(field, "is empty"));
    }
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return web_link(field, url);
    }
    if let Some(problem) = relative_path_problem(url) {
        return Err(field_error(field, format!("{url:?} {problem}")));
    }
    Ok(url.to_owned())
}

/// Why `path` is not a plain relative path below its folder; `None` when it is one.
pub fn relative_path_problem(path: &str) -> Option<&'static str> {
    let first = path.split(['/', '?', '#']).next().unwrap_or_default();
    if first.contains(':') {
        return Some("is neither an http(s) address nor a relative path");
    }
    if path.starts_with('/') || path.contains('\\') {
        return Some("must be relative to the site file (no leading / or \\)");
    }
    let path_part = path.split(['?', '#']).next().unwrap_or_default();
    if path_part.split('/').any(|segment| segment == ".." || segment.eq_ignore_ascii_case("%2e%2e"))
        || path_part.to_ascii_lowercase().contains("%2e%2e")
    {
        return Some("leaves the site's folder (..)");
    }
    if path.chars().any(|c| c.is_control()) {
        return Some("contains control characters");
    }
    None
}

/// A view of the site: a permalink query. Its data is the site's.
fn site_view(field: &str, query: &str) -> Result<ViewState, SiteError> {
    if query.len() > MAX_LONG_TEXT {
        return Err(field_error(field, format!("is longer than {MAX_LONG_TEXT} characters")));
    }
    let mut view = ViewState::from_query(query.trim());
    view.sources.clear();
    view.run_names.clear();
    view.site = None;
    view.tour = None;
    Ok(view)
}

/// Plain text into paragraphs (separated by blank lines) of text and `[text](https://…)` links.
/// Anything that is not such a link (other schemes, unclosed brackets) stays literal text.
fn paragraphs(field: &str, text: &str) -> Result<Vec<Paragraph>, SiteError> {
    let text = long_text(field, text)?.replace("\r\n", "\n");
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.split('\n') {
        if line.trim().is_empty() {
            if !current.trim().is_empty() {
                out.push(inline(current.trim()));
            }
            current.clear();
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line.trim());
        }
    }
    if !current.trim().is_empty() {
        out.push(inline(current.trim()));
    }
    Ok(out)
}

fn inline(text: &str) -> Paragraph {
    let mut pieces: Paragraph = Vec::new();
    let mut plain = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        let after = &rest[open + 1..];
        let link = after.find("](").and_then(|mid| {
            let label = &after[..mid];
            let tail = &after[mid + 2..];
            let close = tail.find(')')?;
            let url = &tail[..close];
            let valid = !label.is_empty() && !label.contains('[') && web_link("", url).is_ok();
            valid.then(|| (label.to_owned(), url.to_owned(), open + 1 + mid + 2 + close + 1))
        });
        match link {
            Some((label, url, end)) => {
                plain.push_str(&rest[..open]);
                if !plain.is_empty() {
                    pieces.push(Inline::Text(std::mem::take(&mut plain)));
                }
                pieces.push(Inline::Link(Link { text: label, url }));
                rest = &rest[end..];
            }
            None => {
                plain.push_str(&rest[..open + 1]);
                rest = &rest[open + 1..];
            }
        }
    }
    plain.push_str(rest);
    if !plain.is_empty() {
        pieces.push(Inline::Text(plain));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_state::Tab;

    fn parse(json: &str) -> Result<Site, SiteError> {
        Site::parse(json.as_bytes())
    }

    fn problem(json: &str) -> String {
        parse(json).expect_err("should be refused").to_string()
    }

    #[test]
    fn a_full_site_reads_as_written() {
        let site = parse(
            r#"{
              "$schema": "site.schema.json",
              "title": "Emergent misalignment",
              "subtitle": "Companion site",
              "authors": [{"name": "A. Author", "url": "https://example.org/a"}, {"name": "B. Author"}],
              "links": [{"text": "Paper", "url": "https://arxiv.org/abs/2502.17424"}],
              "intro": "First line\nstill first, see [the paper](https://arxiv.org/abs/2502.17424).\n\nSecond.",
              "datasets": [{"url": "data/base.csv", "name": "base"}, {"url": "https://example.org/x.jsonl"}],
              "view": "tab=rates&aligned_below=25",
              "figures": [{"caption": "Figure 1", "view": "tab=scatter&data=https://elsewhere.example/y.csv"}],
              "tour": [{"title": "One", "text": "Step one.", "view": "tab=answers&misaligned=1"}]
            }"#,
        )
        .unwrap();
        assert_eq!(site.title, "Emergent misalignment");
        assert_eq!(site.authors[1], Author { name: "B. Author".into(), url: None });
        assert_eq!(site.intro.len(), 2);
        assert_eq!(
            site.intro[0],
            vec![
                Inline::Text("First line still first, see ".into()),
                Inline::Link(Link { text: "the paper".into(), url: "https://arxiv.org/abs/2502.17424".into() }),
                Inline::Text(".".into()),
            ]
        );
        assert_eq!(site.view.thresholds.aligned_below, 25.0);
        assert_eq!(site.figures[0].view.tab, Tab::Scatter);
        assert!(site.figures[0].view.sources.is_empty(), "a figure's own data= is ignored");
        let figure = site.with_data(&site.figures[0].view);
        assert_eq!(figure.sources, vec!["data/base.csv".to_owned(), "https://example.org/x.jsonl".to_owned()]);
        assert_eq!(figure.run_names, vec![(0, "base".to_owned())]);
        let step = site.tour_view(1).unwrap();
        assert_eq!((step.tab, step.tour, step.filter.misaligned_only), (Tab::Answers, Some(1), true));
        assert_eq!(site.tour_view(0), None);
        assert_eq!(site.tour_view(2), None);
    }

    #[test]
    fn only_a_title_is_required() {
        let site = parse(r#"{"title": "T"}"#).unwrap();
        assert_eq!(site, Site { title: "T".into(), ..Site::default() });
        assert_eq!(problem(r#"{"title": "  "}"#), "title: is empty");
        assert!(problem("{}").contains("missing field `title`"));
    }

    #[test]
    fn typos_and_wrong_types_are_refused_by_name() {
        assert!(problem(r#"{"title": "T", "figurs": []}"#).contains("unknown field `figurs`"));
        assert!(problem(r#"{"title": "T", "figures": [{"caption": 3}]}"#).contains("invalid type"));
        assert!(problem(r#"{"title": "T", "tour": [{"title": "no text"}]}"#).contains("missing field `text`"));
        assert!(problem("not json").starts_with("the site file is not valid"));
        assert!(problem("").starts_with("the site file is not valid"));
    }

    #[test]
    fn links_are_http_or_https_only() {
        for bad in [
            "javascript:alert(1)",
            "JAVASCRIPT:alert(1)",
            "data:text/html,<b>x</b>",
            "//example.org",
            "ftp://x",
            "https://a b",
            " vbscript:x",
        ] {
            let json = format!(r#"{{"title": "T", "links": [{{"text": "x", "url": {bad:?}}}]}}"#);
            assert_eq!(problem(&json), format!("links[0].url: {:?} is not an http(s) address", bad.trim()), "{bad}");
        }
        let json = r#"{"title": "T", "authors": [{"name": "x", "url": "javascript:alert(1)"}]}"#;
        assert!(problem(json).starts_with("authors[0].url"));
    }

    #[test]
    fn intro_links_with_other_schemes_stay_text() {
        let site = parse(r#"{"title": "T", "intro": "[click](javascript:alert(1)) and <script>x</script> [ok](http://a.example) [unclosed](https://x"}"#).unwrap();
        assert_eq!(
            site.intro,
            vec![vec![
                Inline::Text("[click](javascript:alert(1)) and <script>x</script> ".into()),
                Inline::Link(Link { text: "ok".into(), url: "http://a.example".into() }),
                Inline::Text(" [unclosed](https://x".into()),
            ]]
        );
    }

    #[test]
    fn dataset_paths_stay_below_the_site() {
        for bad in [
            "../secret.csv",
            "data/../../x.csv",
            "/etc/passwd",
            "C:\\x.csv",
            "file:///etc/passwd",
            "javascript:x",
            "data\\x.csv",
            "a/%2E%2E/b.csv",
            "",
        ] {
            let json = format!(r#"{{"title": "T", "datasets": [{{"url": {bad:?}}}]}}"#);
            assert!(problem(&json).starts_with("datasets[0].url"), "{bad}: {}", problem(&json));
        }
        for good in ["data/a.csv", "a.csv?raw=1", "sub/dir/b.jsonl", "https://example.org/../x.csv"] {
            let json = format!(r#"{{"title": "T", "datasets": [{{"url": {good:?}}}]}}"#);
            assert!(parse(&json).is_ok(), "{good}");
        }
    }

    #[test]
    fn hostile_input_is_bounded_and_never_panics() {
        assert!(matches!(Site::parse(&vec![b' '; MAX_SITE_BYTES + 1]), Err(SiteError::TooLarge(_))));
        let long = "x".repeat(MAX_SHORT_TEXT + 1);
        assert_eq!(
            problem(&format!(r#"{{"title": "{long}"}}"#)),
            format!("title: is longer than {MAX_SHORT_TEXT} characters")
        );
        let many = vec![r#"{"caption": "c"}"#; MAX_ITEMS + 1].join(",");
        assert!(problem(&format!(r#"{{"title": "T", "figures": [{many}]}}"#)).starts_with("figures: has 201 entries"));
        let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(Site::parse(nested.as_bytes()).is_err());
        // Control characters and a BOM; invalid UTF-8.
        let site = Site::parse("\u{feff}{\"title\": \"a\\u0000b\\u202e\"}".as_bytes()).unwrap();
        assert_eq!(site.title, "a b\u{202e}");
        assert!(Site::parse(b"{\"title\": \"\xff\"}").is_err());
        // Brackets everywhere in the intro.
        let site = parse(r#"{"title": "T", "intro": "[[[](((]](https://x)[](https://y)[a](https://z"}"#).unwrap();
        assert_eq!(site.intro.len(), 1);
    }

    #[test]
    fn the_bundled_demo_site_is_valid_and_its_tour_opens_each_view() {
        let site = Site::parse(include_bytes!("../../../public/demo/site.json")).unwrap();
        assert!(site.tour.len() >= 6, "the demo tour covers the finding step by step");
        assert!(site.datasets.iter().all(|d| d.url.starts_with("demo/")), "the demo works offline");
        for step in 1..=site.tour.len() {
            let view = site.tour_view(step).unwrap();
            assert_eq!(view.tour, Some(step as u32));
            assert_eq!(ViewState::from_query(&view.to_query()), view, "step {step} is a link that round-trips");
        }
    }
}
