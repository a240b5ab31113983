//! Application state: the loaded dataset, the URL-backed view state, and user messages.
//!
//! Everything a permalink must reproduce lives in `view` (a `probe_core::view_state::ViewState`);
//! the dataset is one signal holding an `Arc`, never a signal per row.

use std::sync::Arc;

use leptos::prelude::*;
use probe_core::calibrate::{self, CalibratedTable, Keep};
use probe_core::compare::{self, PairedTable};
use probe_core::filter::{self, AnswerRef, Filter, Sort};
use probe_core::stats::{self, RateTable};
use probe_core::view_state::{Tab, ViewState, GOLD_SEED};
use probe_core::{Dataset, JudgeChoice, Run, Thresholds};

use crate::judge::{self, JudgeState};
use crate::labelling::{self, LabelState};

/// A message shown to the user: an error (something failed) or a warning (loaded with issues).
#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub id: u64,
    pub level: Level,
    pub text: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
}

/// A source that could not be loaded automatically and waits for the user to map its columns.
#[derive(Clone, Debug)]
pub struct PendingMapping {
    pub source: String,
    pub bytes: Arc<Vec<u8>>,
    pub columns: Vec<String>,
    pub guess: probe_core::ColumnMapping,
}

/// Shared app state, provided once at the root. `Copy`, so closures capture it freely.
#[derive(Clone, Copy)]
pub struct AppState {
    pub dataset: RwSignal<Arc<Dataset>>,
    /// True while the dataset is the bundled illustrative demo (replaced by the first real load).
    pub is_demo: RwSignal<bool>,
    pub view: RwSignal<ViewState>,
    pub notices: RwSignal<Vec<Notice>>,
    /// Sources being fetched or read right now, with a way to cancel each.
    pub in_flight: RwSignal<Vec<InFlight>, LocalStorage>,
    pub pending_mapping: RwSignal<Option<PendingMapping>>,
    /// Each loaded file's SHA-256 and record count, by run identity, once hashed.
    pub digests: RwSignal<probe_core::manifest::Digests>,

    next_notice: RwSignal<u64>,
}

#[derive(Clone, Debug)]
pub struct InFlight {
    pub source: String,
    pub abort: Option<web_sys::AbortController>,
}

impl AppState {
    pub fn new(view: ViewState) -> Self {
        Self {
            dataset: RwSignal::new(Arc::new(Dataset::default())),
            is_demo: RwSignal::new(false),
            view: RwSignal::new(view),
            notices: RwSignal::new(Vec::new()),
            in_flight: RwSignal::new_local(Vec::new()),
            pending_mapping: RwSignal::new(None),
            digests: RwSignal::new(Default::default()),
            next_notice: RwSignal::new(0),
        }
    }

    pub fn notify(&self, level: Level, text: impl Into<String>) {
        let id = self.next_notice.get_untracked();
        self.next_notice.set(id + 1);
        self.notices.update(|n| n.push(Notice { id, level, text: text.into() }));
    }

    pub fn dismiss(&self, id: u64) {
        self.notices.update(|n| n.retain(|m| m.id != id));
    }

    /// Appends loaded runs; the demo gives way to the first real data. Runs already loaded are
    /// shared, not copied.
    pub fn add_runs(&self, runs: Vec<Run>) {
        if runs.is_empty() {
            return;
        }
        let replace_demo = self.is_demo.get_untracked();
        self.is_demo.set(false);
        self.dataset.update(|d| {
            let mut next = if replace_demo { Dataset::default() } else { (**d).clone() };
            next.runs.extend(runs.into_iter().map(Arc::new));
            *d = Arc::new(next);
        });
    }

    pub fn set_demo(&self, runs: Vec<Run>) {
        self.dataset.set(Arc::new(Dataset::new(runs)));
        self.is_demo.set(true);
    }
}

/// Values every view derives from the state; memoised once at the root. Each memo reads only
/// what it depends on, so a threshold change recounts without re-filtering, a judge switch
/// recounts without re-scoping, and a search re-filters without recounting.
#[derive(Clone, Copy)]
pub struct Derived {
    /// The loaded runs plus every added judge layer (the local judge's scores): what views read.
    pub shown: Memo<Arc<Dataset>>,
    pub judge: Memo<JudgeChoice>,
    /// The judge compared with `judge`: the link's `vs=`, else the first other judge there is.
    pub compare: Memo<Option<JudgeChoice>>,
    pub thresholds: Memo<Thresholds>,
    pub tab: Memo<Tab>,
    /// Every judge name the loaded runs have (published ones, then added ones).
    pub judge_names: Memo<Vec<String>>,
    /// Answers within the run/question/metadata scope: what the rates count over (each answer
    /// found in several files once, when the view asks for it).
    pub scope: Memo<Arc<Vec<AnswerRef>>>,
    /// Answers that occur in more than one loaded file.
    pub duplicates: Memo<Arc<probe_core::provenance::Duplicates>>,
    /// Rates under the chosen judge.
    pub rates: Memo<Arc<RateTable>>,
    /// Rates under the compared judge, for side-by-side cells (`None` without one).
    pub compare_rates: Memo<Option<Arc<RateTable>>>,
    /// The chosen judge's rates calibrated against trusted labels (the view's reference judge,
    /// `ref=`; by default the published judge where a local judge is shown); `None` without one.
    pub calibrated: Memo<Option<Arc<CalibratedTable>>>,
    /// The chosen and the compared judge on the same answers.
    pub paired: Memo<Option<Arc<PairedTable>>>,
    /// Answers passing every filter, sorted: what the list shows.
    pub selection: Memo<Arc<Vec<AnswerRef>>>,
    /// False while a search has given its first screen and the rest is being found.
    pub selection_complete: Memo<bool>,
    /// Run display names after the user's renames.
    pub run_names: Memo<Vec<String>>,
}

impl Derived {
    pub fn new(state: AppState, judge_state: JudgeState, label_state: LabelState) -> Self {
        // Compared by pointer: comparing datasets row by row would cost more than it saves.
        let changed = |a: Option<&Arc<Dataset>>, b: Option<&Arc<Dataset>>| !matches!((a, b), (Some(a), Some(b)) if Arc::ptr_eq(a, b));
        let shown = Memo::new_with_compare(
            move |_| {
                let dataset = state.dataset.get();
                let layers = judge_state.layers.get();
                let lines = label_state.lines.get();
                labelling::with_human_layers(&judge::with_local_layers(&dataset, &layers), &lines)
            },
            changed,
        );
        let judge = Memo::new(move |_| state.view.with(|v| v.judge.clone()));
        let thresholds = Memo::new(move |_| state.view.with(|v| v.thresholds));
        let tab = Memo::new(move |_| state.view.with(|v| v.tab));
        let filter: Memo<Filter> = Memo::new(move |_| state.view.with(|v| v.filter.clone()));
        let sort: Memo<Sort> = Memo::new(move |_| state.view.with(|v| v.sort.clone()));
        let disagreements = Memo::new(move |_| state.view.with(|v| v.disagreements));
        let asked_compare = Memo::new(move |_| state.view.with(|v| v.compare.clone()));
        let judge_names = Memo::new(move |_| shown.with(|d| d.judge_names()));
        let compare = Memo::new(move |_| {
            let chosen = judge.get();
            asked_compare.get().or_else(|| {
                let names = judge_names.get();
                let default_name =
                    shown.with(|d| d.runs.first().and_then(|r| r.default_judge()).map(|j| j.name.clone()));
                let current = match &chosen {
                    JudgeChoice::Default => default_name,
                    JudgeChoice::Named(name) => Some(name.clone()),
                };
                names.into_iter().find(|n| Some(n) != current.as_ref()).map(JudgeChoice::Named)
            })
        });
        let duplicates = Memo::new(move |_| Arc::new(probe_core::provenance::duplicates(&state.dataset.get())));
        let count_once = Memo::new(move |_| state.view.with(|v| v.count_once));
        let scope = Memo::new(move |_| {
            let dataset = state.dataset.get();
            let scoped = filter.with(|f| filter::scope(&dataset, f));
            if count_once.get() {
                Arc::new(duplicates.with(|d| probe_core::provenance::count_once(&scoped, d)))
            } else {
                Arc::new(scoped)
            }
        });
        let split_variants = Memo::new(move |_| state.view.with(|v| v.filter.split_variants));
        let rates = Memo::new(move |_| {
            let dataset = shown.get();
            let thresholds = thresholds.get();
            let split = split_variants.get();
            judge.with(|j| Arc::new(stats::rate_table_grouped(&dataset, j, &scope.get(), &thresholds, split)))
        });
        let compare_rates = Memo::new(move |_| {
            let other = compare.get()?;
            let dataset = shown.get();
            let thresholds = thresholds.get();
            let split = split_variants.get();
            Some(Arc::new(stats::rate_table_grouped(&dataset, &other, &scope.get(), &thresholds, split)))
        });
        let calibrated = Memo::new(move |_| {
            let chosen = judge.get();
            let reference = state.view.with(|v| v.reference_for(&chosen, judge::is_local_choice(&chosen)))?;
            let keep = state.view.with(|v| v.gold_fraction).map(|fraction| Keep { fraction, seed: GOLD_SEED });
            let dataset = shown.get();
            let thresholds = thresholds.get();
            let weights = label_state.lines.with(|lines| probe_core::labels::label_weights(&dataset, lines));
            Some(Arc::new(calibrate::calibrated_table(
                &dataset,
                &chosen,
                Some(&reference),
                &scope.get(),
                &thresholds,
                keep,
                Some(&weights),
            )))
        });
        let paired = Memo::new(move |_| {
            let other = compare.get()?;
            let dataset = shown.get();
            let thresholds = thresholds.get();
            let split = split_variants.get();
            judge.with(|j| Some(Arc::new(compare::paired_table(&dataset, j, &other, &scope.get(), &thresholds, split))))
        });
        // A search over a million answers takes a few hundred ms: the list first shows its first
        // screen (found as soon as the scan has it), and the full list follows from a task that
        // lets the page paint in between. `full_search` holds that result, for the inputs it was
        // computed from.
        let full_search: RwSignal<Option<(ListInputs, Arc<Vec<AnswerRef>>)>> = RwSignal::new(None);
        // The newest search task: older ones, overtaken by typing, give up.
        let generation = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let listed = Memo::new(move |_| {
            use std::sync::atomic::Ordering::Relaxed;
            let f = filter.get();
            let sort = sort.get();
            let flips = disagreements.get();
            // Only what the list depends on is read: a filter on text alone ignores judges.
            let reads_scores = f.reads_scores() || sort.key.reads_scores() || flips;
            let dataset = if reads_scores { shown.get() } else { state.dataset.get() };
            let chosen = if reads_scores { judge.get() } else { JudgeChoice::Default };
            let rule = if f.reads_thresholds() || flips { thresholds.get() } else { Thresholds::default() };
            let other = if flips { compare.get() } else { None };
            let inputs = ListInputs { dataset, judge: chosen, filter: f, sort, rule, flips, other };
            if inputs.filter.search.trim().is_empty() || inputs.sort != Sort::default() {
                return (Arc::new(inputs.list(None).0), true);
            }
            if let Some(full) = full_search.with(|s| s.as_ref().filter(|(k, _)| *k == inputs).map(|(_, l)| l.clone())) {
                return (full, true);
            }
            let (first, complete) = inputs.list(Some(FIRST_SCREEN));
            if !complete {
                let this = generation.fetch_add(1, Relaxed) + 1;
                let generation = generation.clone();
                leptos::task::spawn_local(async move {
                    crate::judge::sleep_ms(0).await;
                    if generation.load(Relaxed) != this {
                        return;
                    }
                    let full = Arc::new(inputs.list(None).0);
                    if generation.load(Relaxed) == this {
                        full_search.set(Some((inputs, full)));
                    }
                });
            }
            (Arc::new(first), complete)
        });
        let selection = Memo::new(move |_| listed.with(|(list, _)| list.clone()));
        let selection_complete = Memo::new(move |_| listed.with(|(_, complete)| *complete));
        let run_names = Memo::new(move |_| {
            let dataset = state.dataset.get();
            state.view.with(|v| {
                dataset
                    .runs
                    .iter()
                    .enumerate()
                    .map(|(i, run)| {
                        v.run_names
                            .iter()
                            .find(|(idx, _)| *idx == i)
                            .map_or_else(|| run.name.clone(), |(_, name)| name.clone())
                    })
                    .collect()
            })
        });
        Self {
            shown,
            judge,
            compare,
            thresholds,
            tab,
            judge_names,
            scope,
            duplicates,
            rates,
            compare_rates,
            calibrated,
            paired,
            selection,
            selection_complete,
            run_names,
        }
    }
}

/// Rows of the answer list's first screen, shown before a long search has finished.
pub const FIRST_SCREEN: usize = 100;

/// Everything the answer list is computed from.
#[derive(Clone)]
struct ListInputs {
    dataset: Arc<Dataset>,
    judge: JudgeChoice,
    filter: Filter,
    sort: Sort,
    rule: Thresholds,
    flips: bool,
    other: Option<JudgeChoice>,
}

// The dataset by pointer: comparing datasets row by row would cost more than it saves.
impl PartialEq for ListInputs {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.dataset, &other.dataset)
            && (&self.judge, &self.filter, &self.sort, self.rule, self.flips, &self.other)
                == (&other.judge, &other.filter, &other.sort, other.rule, other.flips, &other.other)
    }
}

impl ListInputs {
    /// The list, or its first `limit` answers in file order; and whether that is all of it.
    fn list(&self, limit: Option<usize>) -> (Vec<AnswerRef>, bool) {
        let (dataset, judge, rule) = (&self.dataset, &self.judge, &self.rule);
        let (selection, complete) = match limit {
            Some(limit) => {
                let first = filter::select_first(dataset, judge, &self.filter, rule, limit);
                let complete = first.len() < limit;
                (first, complete)
            }
            None => (filter::select(dataset, judge, &self.filter, rule, &self.sort), true),
        };
        let selection = match (&self.other, self.flips) {
            (_, false) => selection,
            (Some(other), true) => compare::flips(dataset, judge, other, &selection, rule),
            (None, true) => Vec::new(),
        };
        (selection, complete)
    }
}
