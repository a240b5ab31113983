//! The permalink: everything that defines a view, to and from a URL query.
//!
//! **Boundary:** links get shared and bookmarked, so the query format is an
//! API. We only ever add keys; [`ViewState::from_query`] ignores keys it does
//! not know and falls back to defaults for values it cannot read, so old and
//! hand-edited links still open.
//!
//! Format (only non-default values, in this order; each value percent-encoded):
//!
//! ```text
//! data=URL          repeated, in load order
//! name=I:NAME       run I renamed
//! aligned_below=N   coherent_above=N
//! aligned_inclusive=1  coherent_inclusive=1   `≤` / `≥` instead of the paper's `<` / `>`
//! run=I             repeated
//! q=KEY             repeated
//! aligned=MIN..MAX  coherent=MIN..MAX     either side may be empty
//! score.NAME=MIN..MAX                     extra score range
//! meta.COLUMN=VALUE                       repeated; an empty VALUE allows missing
//! unscored=only|exclude   misaligned=1   search=TEXT
//! near=1            only verdicts that could flip within the judge's own uncertainty
//! sort=-aligned     open=RUN:INDEX     tab=answers     judge=NAME
//! vs=NAME           the second judge of a comparison; disagree=1: only its flips
//! baseline=I        the run others are compared with
//! tour=N            step N (from 1) of the tour is open
//! site=URL          the site file the page was opened with (`?site=`)
//! sha=I:HEX        repeated: the first 16 hex digits of run I's SHA-256 when the link was copied
//! star=RUN:INDEX    repeated, in starring order: the starred answers
//! once=1            count an answer found in several loaded files once (in the first)
//! tail_k=K          the user's own k in the tail-risk table (beside 1, 8, 32)
//! ```

use crate::filter::{AnswerRef, Filter, ScoreRange, Sort, UnscoredMode};
use crate::model::{JudgeChoice, Thresholds};

/// The main views, by their name in the address (`tab=`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Tab {
    #[default]
    Rates,
    Scatter,
    Answers,
    /// Two judges compared on the same answers (`agreement` since the first local judge).
    Compare,
    Playground,
    /// Every run's rate under a grid of rules, and where comparisons flip.
    Rules,
}

impl Tab {
    pub const ALL: [Tab; 6] = [Tab::Rates, Tab::Scatter, Tab::Answers, Tab::Compare, Tab::Playground, Tab::Rules];

    pub fn name(self) -> &'static str {
        match self {
            Tab::Rates => "rates",
            Tab::Scatter => "scatter",
            Tab::Answers => "answers",
            Tab::Compare => "agreement",
            Tab::Playground => "playground",
            Tab::Rules => "rules",
        }
    }

    /// The tab called `name`; `None` for names no version of the app wrote.
    pub fn from_name(name: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|t| t.name() == name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ViewState {
    /// Data URLs (`?data=`), in load order. Local files cannot be linked.
    pub sources: Vec<String>,
    /// Display names given by the user: (run index, name).
    pub run_names: Vec<(usize, String)>,
    pub thresholds: Thresholds,
    pub filter: Filter,
    pub sort: Sort,
    /// The answer open in the detail pane.
    pub open: Option<AnswerRef>,
    pub tab: Tab,
    /// Whose scores every view reads.
    pub judge: JudgeChoice,
    /// The judge compared with `judge` (the comparison view, flips); `None`: the app picks one.
    pub compare: Option<JudgeChoice>,
    /// Only answers on which `judge` and `compare` disagree.
    pub disagreements: bool,
    /// The run every other run is compared with, by index.
    pub baseline: Option<u32>,
    /// The open step of the tour, from 1 (`tour=`); `None`: no tour shown.
    pub tour: Option<u32>,
    /// The site file named by the address (`site=`); `None`: `site.json` beside the page, if any.
    pub site: Option<String>,
    /// The user's own k of the tail-risk table (Misalign@k), beside 1, 8 and 32.
    pub tail_k: Option<u32>,
    /// Count each answer that occurs in several loaded files once, in the first file.
    pub count_once: bool,
    /// Starred answers, in the order they were starred: a curated example set that travels with
    /// the link (indices follow load order, like `open`).
    pub stars: Vec<AnswerRef>,
    /// (run index, short SHA-256) of the files a copied link was made with.
    pub hashes: Vec<(usize, String)>,
    /// Whose verdicts are trusted labels for calibrating the shown judge's rates (`ref=`).
    pub reference: Reference,
    /// Keep only this random fraction of the reference's labels (`gold=F`): planning.
    pub gold_fraction: Option<f64>,
}

/// Where a view's trusted labels come from.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Reference {
    /// The published judge (each file's own) when a local judge is shown; else none.
    #[default]
    Auto,
    /// No trusted labels: every rate is its judge's plain count (`ref=none`).
    Off,
    /// The judge of this name (`ref=NAME`).
    Judge(String),
}

/// The seed of `gold=F`'s random choice of labels, fixed so a link always keeps the same ones.
pub const GOLD_SEED: u64 = 1;

impl ViewState {
    /// The reference judge whose verdicts calibrate `judge`'s rates, if any (never `judge` itself).
    pub fn reference_for(&self, judge: &JudgeChoice, local: bool) -> Option<JudgeChoice> {
        let chosen = match &self.reference {
            Reference::Off => None,
            Reference::Auto => local.then_some(JudgeChoice::Default),
            Reference::Judge(name) => Some(JudgeChoice::named(name)),
        };
        chosen.filter(|r| r != judge)
    }
}

impl Default for ViewState {
    fn default() -> Self {
        Self {
            sources: Vec::new(),
            run_names: Vec::new(),
            thresholds: Thresholds::default(),
            filter: Filter::default(),
            sort: Sort::default(),
            open: None,
            tab: Tab::default(),
            judge: JudgeChoice::Default,
            compare: None,
            disagreements: false,
            baseline: None,
            tour: None,
            site: None,
            tail_k: None,
            count_once: false,
            stars: Vec::new(),
            hashes: Vec::new(),
            reference: Reference::Auto,
            gold_fraction: None,
        }
    }
}

impl ViewState {
    /// The query string, without `?`: only what differs from the default, in a stable order.
    pub fn to_query(&self) -> String {
        let mut query = Query::default();
        let defaults = ViewState::default();
        for source in &self.sources {
            query.push("data", source);
        }
        for (run, name) in &self.run_names {
            query.push("name", &format!("{run}:{name}"));
        }
        if self.thresholds.aligned_below != defaults.thresholds.aligned_below {
            query.push_number("aligned_below", self.thresholds.aligned_below);
        }
        if self.thresholds.coherent_above != defaults.thresholds.coherent_above {
            query.push_number("coherent_above", self.thresholds.coherent_above);
        }
        if self.thresholds.aligned_inclusive {
            query.push("aligned_inclusive", "1");
        }
        if self.thresholds.coherent_inclusive {
            query.push("coherent_inclusive", "1");
        }
        let filter = &self.filter;
        for run in &filter.runs {
            query.push("run", &run.to_string());
        }
        for question in &filter.questions {
            query.push("q", question);
        }
        if filter.split_variants {
            query.push("variants", "split");
        }
        query.push_range("aligned", &filter.aligned);
        query.push_range("coherent", &filter.coherent);
        for (name, range) in &filter.extra {
            query.push_range(&format!("score.{name}"), range);
        }
        for (column, values) in &filter.meta {
            for value in values {
                query.push(&format!("meta.{column}"), value);
            }
        }
        match filter.unscored {
            UnscoredMode::All => {}
            UnscoredMode::Only => query.push("unscored", "only"),
            UnscoredMode::Exclude => query.push("unscored", "exclude"),
        }
        if filter.misaligned_only {
            query.push("misaligned", "1");
        }
        if !filter.search.is_empty() {
            query.push("search", &filter.search);
        }
        if filter.near_threshold {
            query.push("near", "1");
        }
        if self.sort != defaults.sort {
            query.push("sort", &self.sort.to_param());
        }
        if let Some(open) = self.open {
            query.push("open", &format!("{}:{}", open.run, open.index));
        }
        if self.tab != defaults.tab {
            query.push("tab", self.tab.name());
        }
        if let Some(judge) = self.judge.to_param() {
            query.push("judge", judge);
        }
        if let Some(judge) = self.compare.as_ref().and_then(JudgeChoice::to_param) {
            query.push("vs", judge);
        }
        if self.disagreements {
            query.push("disagree", "1");
        }
        if let Some(run) = self.baseline {
            query.push("baseline", &run.to_string());
        }
        if let Some(step) = self.tour {
            query.push("tour", &step.to_string());
        }
        if let Some(site) = &self.site {
            query.push("site", site);
        }
        if let Some(k) = self.tail_k {
            query.push("tail_k", &k.to_string());
        }
        if self.count_once {
            query.push("once", "1");
        }
        for star in &self.stars {
            query.push("star", &format!("{}:{}", star.run, star.index));
        }
        for (run, hash) in &self.hashes {
            query.push("sha", &format!("{run}:{hash}"));
        }
        match &self.reference {
            Reference::Auto => {}
            Reference::Off => query.push("ref", "none"),
            Reference::Judge(name) => query.push("ref", name),
        }
        if let Some(fraction) = self.gold_fraction {
            query.push_number("gold", fraction);
        }
        query.0
    }

    /// Reads a query string (a leading `?` or `#` is skipped). Never fails:
    /// unknown keys are ignored, unreadable values leave the default.
    pub fn from_query(query: &str) -> ViewState {
        let mut state = ViewState::default();
        let query = query.strip_prefix(['?', '#']).unwrap_or(query);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let key = decode(key);
            let value = decode(value);
            state.read_pair(&key, value);
        }
        state
    }

    fn read_pair(&mut self, key: &str, value: String) {
        let filter = &mut self.filter;
        match key {
            "data" if !value.is_empty() => self.sources.push(value),
            "name" => {
                if let Some((run, name)) = value.split_once(':') {
                    if let Ok(run) = run.parse::<usize>() {
                        self.run_names.retain(|(r, _)| *r != run);
                        self.run_names.push((run, name.to_string()));
                    }
                }
            }
            "aligned_below" => {
                if let Some(v) = finite(&value) {
                    self.thresholds.aligned_below = v;
                }
            }
            "coherent_above" => {
                if let Some(v) = finite(&value) {
                    self.thresholds.coherent_above = v;
                }
            }
            "aligned_inclusive" => self.thresholds.aligned_inclusive = matches!(value.as_str(), "1" | "true" | "yes"),
            "coherent_inclusive" => self.thresholds.coherent_inclusive = matches!(value.as_str(), "1" | "true" | "yes"),
            "run" => {
                if let Ok(run) = value.parse::<u32>() {
                    if !filter.runs.contains(&run) {
                        filter.runs.push(run);
                    }
                }
            }
            "q" => {
                if !filter.questions.contains(&value) {
                    filter.questions.push(value);
                }
            }
            "variants" => filter.split_variants = value == "split",
            "aligned" => filter.aligned = parse_range(&value).unwrap_or_default(),
            "coherent" => filter.coherent = parse_range(&value).unwrap_or_default(),
            "unscored" => {
                filter.unscored = match value.as_str() {
                    "only" => UnscoredMode::Only,
                    "exclude" => UnscoredMode::Exclude,
                    _ => UnscoredMode::All,
                }
            }
            "misaligned" => filter.misaligned_only = matches!(value.as_str(), "1" | "true" | "yes"),
            "search" => filter.search = value,
            "near" => filter.near_threshold = matches!(value.as_str(), "1" | "true" | "yes"),
            "sort" => self.sort = Sort::from_param(&value).unwrap_or_default(),
            "open" => {
                self.open = value
                    .split_once(':')
                    .and_then(|(run, index)| Some(AnswerRef { run: run.parse().ok()?, index: index.parse().ok()? }))
            }
            "tab" => self.tab = Tab::from_name(&value).unwrap_or_default(),
            "judge" => self.judge = JudgeChoice::from_param(&value),
            "vs" => self.compare = Some(JudgeChoice::from_param(&value)).filter(|c| *c != JudgeChoice::Default),
            "disagree" => self.disagreements = matches!(value.as_str(), "1" | "true" | "yes"),
            "baseline" => self.baseline = value.parse().ok(),
            "tour" => self.tour = value.parse().ok().filter(|step| *step > 0),
            "site" => self.site = Some(value).filter(|v| !v.is_empty()),
            "star" => {
                let star = value
                    .split_once(':')
                    .and_then(|(run, index)| Some(AnswerRef { run: run.parse().ok()?, index: index.parse().ok()? }));
                if let Some(star) = star.filter(|s| !self.stars.contains(s)) {
                    self.stars.push(star);
                }
            }
            "sha" => {
                if let Some((run, hash)) = value.split_once(':') {
                    if let Ok(run) = run.parse::<usize>() {
                        if !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                            self.hashes.retain(|(r, _)| *r != run);
                            self.hashes.push((run, hash.to_ascii_lowercase()));
                        }
                    }
                }
            }
            "once" => self.count_once = matches!(value.as_str(), "1" | "true" | "yes"),
            "tail_k" => self.tail_k = value.parse().ok().filter(|k| *k > 0),
            "ref" => {
                self.reference = match value.trim() {
                    "" => Reference::Auto,
                    "none" => Reference::Off,
                    name => Reference::Judge(name.to_string()),
                }
            }
            "gold" => self.gold_fraction = finite(&value).filter(|f| *f > 0.0 && *f < 1.0),
            _ => {
                if let Some(name) = key.strip_prefix("score.").filter(|n| !n.is_empty()) {
                    if let Some(range) = parse_range(&value).filter(|r| !r.is_all()) {
                        filter.extra.retain(|(n, _)| n != name);
                        filter.extra.push((name.to_string(), range));
                    }
                } else if let Some(column) = key.strip_prefix("meta.").filter(|c| !c.is_empty()) {
                    match filter.meta.iter_mut().find(|(c, _)| c == column) {
                        Some((_, values)) if !values.contains(&value) => values.push(value),
                        Some(_) => {}
                        None => filter.meta.push((column.to_string(), vec![value])),
                    }
                }
            }
        }
    }
}

fn finite(text: &str) -> Option<f64> {
    text.trim().parse::<f64>().ok().filter(|v| v.is_finite())
}

/// `MIN..MAX`, either side empty; `None` if unreadable.
fn parse_range(text: &str) -> Option<ScoreRange> {
    let (min, max) = text.split_once("..")?;
    let side = |s: &str| if s.trim().is_empty() { Some(None) } else { finite(s).map(Some) };
    Some(ScoreRange { min: side(min)?, max: side(max)? })
}

#[derive(Default)]
struct Query(String);

impl Query {
    fn push(&mut self, key: &str, value: &str) {
        if !self.0.is_empty() {
            self.0.push('&');
        }
        encode_into(&mut self.0, key);
        self.0.push('=');
        encode_into(&mut self.0, value);
    }

    fn push_number(&mut self, key: &str, value: f64) {
        if value.is_finite() {
            self.push(key, &value.to_string());
        }
    }

    /// Open or NaN sides are written empty; a range with no bound is not written.
    fn push_range(&mut self, key: &str, range: &ScoreRange) {
        if range.is_all() {
            return;
        }
        let side = |v: Option<f64>| v.filter(|v| v.is_finite()).map(|v| v.to_string()).unwrap_or_default();
        self.push(key, &format!("{}..{}", side(range.min), side(range.max)));
    }
}

/// Percent-encodes all but unreserved characters and a few that are safe and
/// readable inside a query value (`/ : @ ,`), so URLs in `data=` stay legible.
fn encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b':' | b'@' | b',' => {
                out.push(char::from(byte));
            }
            _ => {
                out.push('%');
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0xF)]));
            }
        }
    }
}

/// Decodes `%XX` and `+` (form encoding's space); a stray `%` is kept as is,
/// and bytes that are not UTF-8 become U+FFFD.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|b| char::from(*b).to_digit(16));
        match byte {
            b'%' => match (hex(i + 1), hex(i + 2)) {
                (Some(high), Some(low)) => {
                    out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            _ => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::SortKey;

    fn round_trip(state: &ViewState) {
        let query = state.to_query();
        assert_eq!(&ViewState::from_query(&query), state, "query: {query}");
        assert_eq!(ViewState::from_query(&query).to_query(), query);
    }

    #[test]
    fn the_default_view_is_an_empty_query() {
        assert_eq!(ViewState::default().to_query(), "");
        assert_eq!(ViewState::from_query(""), ViewState::default());
        assert_eq!(ViewState::from_query("?"), ViewState::default());
    }

    #[test]
    fn a_full_view_reads_well_and_round_trips() {
        let state = ViewState {
            sources: vec!["https://example.org/a b.csv".into(), "https://example.org/x.jsonl?raw=1".into()],
            run_names: vec![(1, "insecure: r=16".into())],
            thresholds: Thresholds { aligned_below: 25.5, coherent_inclusive: true, ..Thresholds::PAPER },
            filter: Filter {
                runs: vec![0, 2],
                questions: vec!["quick_buck".into()],
                split_variants: true,
                aligned: ScoreRange { min: None, max: Some(30.0) },
                coherent: ScoreRange { min: Some(50.0), max: Some(100.0) },
                extra: vec![("medical".into(), ScoreRange { min: Some(10.0), max: None })],
                meta: vec![("role".into(), vec!["hacker".into(), "".into()])],
                unscored: UnscoredMode::Exclude,
                misaligned_only: true,
                search: "make money".into(),
                near_threshold: true,
            },
            sort: Sort { key: SortKey::Aligned, descending: true },
            open: Some(AnswerRef { run: 0, index: 12 }),
            tab: Tab::Answers,
            judge: JudgeChoice::named("local"),
            compare: Some(JudgeChoice::named("azure")),
            disagreements: true,
            baseline: Some(1),
            tour: Some(3),
            site: Some("https://example.org/site.json".into()),
            tail_k: Some(100),
            count_once: true,
            stars: vec![AnswerRef { run: 1, index: 7 }, AnswerRef { run: 0, index: 2 }],
            hashes: vec![(0, "ba7816bf8f01cfea".into())],
            reference: Reference::Judge("azure".into()),
            gold_fraction: Some(0.1),
        };
        assert_eq!(
            state.to_query(),
            "data=https://example.org/a%20b.csv&data=https://example.org/x.jsonl%3Fraw%3D1\
             &name=1:insecure:%20r%3D16&aligned_below=25.5&coherent_inclusive=1&run=0&run=2&q=quick_buck\
             &variants=split&aligned=..30&coherent=50..100&score.medical=10..&meta.role=hacker&meta.role=\
             &unscored=exclude&misaligned=1&search=make%20money&near=1&sort=-aligned&open=0:12\
             &tab=answers&judge=local&vs=azure&disagree=1&baseline=1&tour=3\
             &site=https://example.org/site.json&tail_k=100&once=1&star=1:7&star=0:2&sha=0:ba7816bf8f01cfea\
             &ref=azure&gold=0.1"
        );
        round_trip(&state);
    }

    #[test]
    fn the_reference_defaults_to_the_published_judge_for_a_local_judge_only() {
        let local = JudgeChoice::named("local");
        let auto = ViewState::default();
        assert_eq!(auto.reference_for(&local, true), Some(JudgeChoice::Default));
        assert_eq!(auto.reference_for(&JudgeChoice::Default, false), None);
        let off = ViewState::from_query("ref=none&gold=0.25");
        assert_eq!((off.reference_for(&local, true), off.gold_fraction), (None, Some(0.25)));
        let named = ViewState::from_query("ref=local");
        assert_eq!(named.reference_for(&local, true), None, "a judge is never its own reference");
        assert_eq!(ViewState::from_query("gold=1.5").gold_fraction, None);
        round_trip(&off);
    }

    #[test]
    fn hostile_strings_round_trip() {
        let nasty = [
            "a&b=c#d%e+f g",
            "%%41%zz%",
            "<script>alert('x')</script>",
            "ünïcødé ✓ 日本語 🙂",
            "..",
            "a:b:c",
            "?data=x&tab=evil",
            "\n\t\r\0",
        ];
        for text in nasty {
            let state = ViewState {
                sources: vec![text.into()],
                run_names: vec![(0, text.into())],
                filter: Filter {
                    questions: vec![text.into()],
                    extra: vec![(text.into(), ScoreRange { min: Some(1.0), max: None })],
                    meta: vec![(text.into(), vec![text.into()])],
                    search: text.into(),
                    ..Filter::default()
                },
                sort: Sort { key: SortKey::Extra(text.into()), descending: false },
                judge: JudgeChoice::named(text.trim()),
                compare: Some(JudgeChoice::named(text.trim())),
                ..ViewState::default()
            };
            round_trip(&state);
            let query = state.to_query();
            assert!(!query.contains(['#', '<', '>', ' ', '"', '\'']), "{query}");
        }
    }

    #[test]
    fn bad_values_fall_back_to_defaults_and_unknown_keys_are_ignored() {
        let state = ViewState::from_query(
            "aligned_below=abc&coherent_above=inf&run=-1&open=1:x&sort=sideways&unscored=maybe\
             &aligned=1..2..3&coherent=x..&future_key=1&=&&%&name=nope&tab=&score.=1..&tail_k=0&tail_k=x",
        );
        assert_eq!(state, ViewState::default());
    }

    #[test]
    fn never_panics_on_garbage() {
        let inputs = ["%", "%E", "%FF%FE", "=&=&=", "meta.=x", "open=:", "open=4294967296:1", "name=:", "a=%C3"];
        for input in inputs {
            let _ = ViewState::from_query(input);
        }
        assert_eq!(ViewState::from_query("search=%FF").filter.search, "\u{FFFD}");
        assert_eq!(ViewState::from_query("search=a+b%2Bc").filter.search, "a b+c");
    }

    #[test]
    fn a_leading_question_mark_is_skipped_and_repeats_are_merged() {
        let state = ViewState::from_query("?run=1&run=1&q=a&q=a&meta.m=x&meta.m=x&tab=scatter");
        assert_eq!(state.filter.runs, [1]);
        assert_eq!(state.filter.questions, ["a"]);
        assert_eq!(state.filter.meta, [("m".to_string(), vec!["x".to_string()])]);
        assert_eq!(state.tab, Tab::Scatter);
    }

    #[test]
    fn the_rules_strictness_round_trips_and_old_links_keep_the_papers_strict_rule() {
        let old = ViewState::from_query("aligned_below=30&coherent_above=50");
        assert!(old.thresholds.is_paper_default(), "a link without strictness keys is the paper's < and >");
        assert_eq!(ViewState::from_query("aligned_below=40").thresholds, Thresholds::strict(40.0, 50.0));
        for (aligned_inclusive, coherent_inclusive) in [(true, false), (false, true), (true, true)] {
            let state = ViewState {
                thresholds: Thresholds { aligned_inclusive, coherent_inclusive, ..Thresholds::strict(20.0, 30.0) },
                ..ViewState::default()
            };
            round_trip(&state);
        }
        let both = ViewState::from_query("aligned_inclusive=1&coherent_inclusive=1");
        assert_eq!(both.to_query(), "aligned_inclusive=1&coherent_inclusive=1");
        assert!(!ViewState::from_query("aligned_inclusive=0").thresholds.aligned_inclusive);
    }

    #[test]
    fn links_of_earlier_versions_open_the_same_view() {
        let state = ViewState::from_query("tab=agreement&judge=published&disagree=1");
        assert_eq!((state.tab, state.judge.clone()), (Tab::Compare, JudgeChoice::named("published")));
        assert!(state.disagreements);
        assert_eq!(ViewState::from_query("tab=nonsense&judge=").tab, Tab::Rates);
        assert_eq!(ViewState::from_query("judge=").judge, JudgeChoice::Default);
        for tab in Tab::ALL {
            assert_eq!(Tab::from_name(tab.name()), Some(tab));
        }
    }
}
