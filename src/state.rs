//! Application state: the loaded dataset, the URL-backed view state, and user messages.
//!
//! Everything a permalink must reproduce lives in `view` (a `probe_core::view_state::ViewState`);
//! the dataset is one signal holding an `Arc`, never a signal per row.

use std::sync::Arc;

use leptos::prelude::*;
use probe_core::compare::{self, PairedTable};
use probe_core::filter::{self, AnswerRef, Filter, Sort};
use probe_core::stats::{self, RateTable};
use probe_core::view_state::{Tab, ViewState};
use probe_core::{Dataset, JudgeChoice, Run, Thresholds};

use crate::judge::{self, JudgeState};

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
    /// Answers within the run/question/metadata scope: what the rates count over.
    pub scope: Memo<Arc<Vec<AnswerRef>>>,
    /// Rates under the chosen judge.
    pub rates: Memo<Arc<RateTable>>,
    /// Rates under the compared judge, for side-by-side cells (`None` without one).
    pub compare_rates: Memo<Option<Arc<RateTable>>>,
    /// The chosen and the compared judge on the same answers.
    pub paired: Memo<Option<Arc<PairedTable>>>,
    /// Answers passing every filter, sorted: what the list shows.
    pub selection: Memo<Arc<Vec<AnswerRef>>>,
    /// Run display names after the user's renames.
    pub run_names: Memo<Vec<String>>,
}

impl Derived {
    pub fn new(state: AppState, judge_state: JudgeState) -> Self {
        // Compared by pointer: comparing datasets row by row would cost more than it saves.
        let changed = |a: Option<&Arc<Dataset>>, b: Option<&Arc<Dataset>>| !matches!((a, b), (Some(a), Some(b)) if Arc::ptr_eq(a, b));
        let shown = Memo::new_with_compare(
            move |_| {
                let dataset = state.dataset.get();
                let layers = judge_state.layers.get();
                judge::with_local_layers(&dataset, &layers)
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
        let scope = Memo::new(move |_| {
            let dataset = state.dataset.get();
            filter.with(|f| Arc::new(filter::scope(&dataset, f)))
        });
        let rates = Memo::new(move |_| {
            let dataset = shown.get();
            let thresholds = thresholds.get();
            judge.with(|j| Arc::new(stats::rate_table(&dataset, j, scope.get().iter().copied(), &thresholds)))
        });
        let compare_rates = Memo::new(move |_| {
            let other = compare.get()?;
            let dataset = shown.get();
            let thresholds = thresholds.get();
            Some(Arc::new(stats::rate_table(&dataset, &other, scope.get().iter().copied(), &thresholds)))
        });
        let paired = Memo::new(move |_| {
            let other = compare.get()?;
            let dataset = shown.get();
            let thresholds = thresholds.get();
            judge.with(|j| Some(Arc::new(compare::paired_table(&dataset, j, &other, &scope.get(), &thresholds))))
        });
        let selection = Memo::new(move |_| {
            let f = filter.get();
            let sort = sort.get();
            let flips = disagreements.get();
            // Only what the list depends on is read: a filter on text alone ignores judges.
            let reads_scores = f.reads_scores() || sort.key.reads_scores() || flips;
            let dataset = if reads_scores { shown.get() } else { state.dataset.get() };
            let chosen = if reads_scores { judge.get() } else { JudgeChoice::Default };
            let rule = if f.reads_thresholds() || flips { thresholds.get() } else { Thresholds::default() };
            let mut selection = filter::select(&dataset, &chosen, &f, &rule, &sort);
            if flips {
                match compare.get() {
                    Some(other) => selection = compare::flips(&dataset, &chosen, &other, &selection, &rule),
                    None => selection.clear(),
                }
            }
            Arc::new(selection)
        });
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
            rates,
            compare_rates,
            paired,
            selection,
            run_names,
        }
    }
}
