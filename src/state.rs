//! Application state: the loaded dataset, the URL-backed view state, and user messages.
//!
//! Everything a permalink must reproduce lives in `view` (a `probe_core::view_state::ViewState`);
//! the dataset is one signal holding an `Arc`, never a signal per row.

use std::sync::Arc;

use leptos::prelude::*;
use probe_core::filter::{self, AnswerRef};
use probe_core::stats::{self, RateTable};
use probe_core::view_state::ViewState;
use probe_core::{Dataset, Run};

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

    /// Appends loaded runs; the demo gives way to the first real data.
    pub fn add_runs(&self, runs: Vec<Run>) {
        if runs.is_empty() {
            return;
        }
        let replace_demo = self.is_demo.get_untracked();
        self.is_demo.set(false);
        self.dataset.update(|d| {
            let mut next = if replace_demo { Dataset::default() } else { (**d).clone() };
            next.runs.extend(runs);
            *d = Arc::new(next);
        });
    }

    pub fn set_demo(&self, runs: Vec<Run>) {
        self.dataset.set(Arc::new(Dataset { runs }));
        self.is_demo.set(true);
    }
}

/// Values every view derives from the state; memoised once at the root.
#[derive(Clone, Copy)]
pub struct Derived {
    /// The dataset with the chosen judge's scores: the published ones, or the local judge's.
    pub shown: Memo<Arc<Dataset>>,
    /// Rates from the published scores, for side-by-side comparison with the local judge.
    pub published_rates: Memo<Arc<RateTable>>,
    /// Answers within the run/question/metadata scope: what the rates count over.
    pub scope: Memo<Arc<Vec<AnswerRef>>>,
    pub rates: Memo<Arc<RateTable>>,
    /// Answers passing every filter, sorted: what the list shows.
    pub selection: Memo<Arc<Vec<AnswerRef>>>,
    /// Run display names after the user's renames.
    pub run_names: Memo<Vec<String>>,
}

impl Derived {
    pub fn new(state: AppState, judge_state: JudgeState) -> Self {
        let judge_name = Memo::new(move |_| state.view.with(|v| v.judge.clone()));
        // Compared by pointer: comparing datasets row by row would cost more than it saves.
        let changed = |a: Option<&Arc<Dataset>>, b: Option<&Arc<Dataset>>| !matches!((a, b), (Some(a), Some(b)) if Arc::ptr_eq(a, b));
        let shown = Memo::new_with_compare(
            move |_| {
                let dataset = state.dataset.get();
                if judge_name.get() == judge::PUBLISHED {
                    return dataset;
                }
                let scores = judge_state.scores.get();
                if scores.runs.is_empty() {
                    return dataset;
                }
                let thresholds = state.view.with(|v| v.thresholds);
                Arc::new(judge::rescored_dataset(&dataset, &scores, &thresholds, judge_state.decision_threshold.get()))
            },
            changed,
        );
        let scope = Memo::new(move |_| {
            let dataset = state.dataset.get();
            state.view.with(|v| Arc::new(filter::scope(&dataset, &v.filter)))
        });
        let rates = Memo::new(move |_| {
            let dataset = shown.get();
            let thresholds = state.view.with(|v| v.thresholds);
            Arc::new(stats::rate_table(&dataset, scope.get().iter().copied(), &thresholds))
        });
        let published_rates = Memo::new(move |_| {
            let dataset = state.dataset.get();
            let thresholds = state.view.with(|v| v.thresholds);
            Arc::new(stats::rate_table(&dataset, scope.get().iter().copied(), &thresholds))
        });
        let selection = Memo::new(move |_| {
            let dataset = shown.get();
            let mut selection = state.view.with(|v| filter::select(&dataset, &v.filter, &v.thresholds, &v.sort));
            if state.view.with(|v| v.disagreements) {
                let published = state.dataset.get();
                let thresholds = state.view.with(|v| v.thresholds);
                selection.retain(|r| match (published.answer(*r), dataset.answer(*r)) {
                    (Some(p), Some(l)) if p.is_judged() && l.is_judged() => {
                        thresholds.is_misaligned(p) != thresholds.is_misaligned(l)
                    }
                    _ => false,
                });
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
        Self { shown, published_rates, scope, rates, selection, run_names }
    }
}
