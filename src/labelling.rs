//! Human labels: the labelling session (a stratified sample of the current list, labelled
//! blind, with undo), the labels themselves as a `human` judge layer over every run, their
//! sampling weights for PPI, and their persistence in IndexedDB per run identity.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use probe_core::labels::{human_layer, parse_labels, Drawn, Label, LabelLine};
use probe_core::{Dataset, RunId};

use crate::cache;
use crate::judge;

/// A labelling session: the drawn answers and how far the person has got.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    pub items: Vec<Drawn>,
    /// Index into `items` of the answer shown.
    pub position: usize,
    /// Positions labelled or skipped, in order (for undo).
    pub done: Vec<usize>,
}

/// Every human label, shared by the views.
#[derive(Clone, Copy)]
pub struct LabelState {
    /// All labels, later lines winning ([`human_layer`]).
    pub lines: RwSignal<Arc<Vec<LabelLine>>>,
    pub session: RwSignal<Option<Session>>,
    /// Runs whose stored labels have been read back.
    restored: RwSignal<Vec<RunId>>,
}

impl LabelState {
    pub fn new() -> Self {
        LabelState {
            lines: RwSignal::new(Arc::new(Vec::new())),
            session: RwSignal::new(None),
            restored: RwSignal::new(Vec::new()),
        }
    }
}

/// The dataset with a `human` layer on every run that has labels.
pub fn with_human_layers(dataset: &Arc<Dataset>, lines: &[LabelLine]) -> Arc<Dataset> {
    if lines.is_empty() {
        return dataset.clone();
    }
    let mut shown = (**dataset).clone();
    for run in &dataset.runs {
        if let Some(layer) = human_layer(run, lines) {
            shown.add_layer(run.id, Arc::new(layer));
        }
    }
    Arc::new(shown)
}

/// Records `label` for the answer shown and moves on (`None`: skip).
pub fn answer(labels: LabelState, dataset: &Dataset, label: Option<Label>) {
    let Some(mut session) = labels.session.get_untracked() else { return };
    let Some(drawn) = session.items.get(session.position).copied() else { return };
    if let (Some(label), Some(run)) = (label, dataset.runs.get(drawn.answer.run as usize)) {
        let line = LabelLine {
            file: run.source.clone(),
            row: run.row(drawn.answer.index as usize),
            label,
            who: "you".to_owned(),
            when: now_iso(),
            weight: Some(drawn.weight),
        };
        labels.lines.update(|l| Arc::make_mut(l).push(line));
        persist(labels, run.clone());
    }
    session.done.push(session.position);
    session.position += 1;
    labels.session.set(Some(session));
}

/// Takes back the last answer's label (or skip) and shows that answer again.
pub fn undo(labels: LabelState, dataset: &Dataset) {
    let Some(mut session) = labels.session.get_untracked() else { return };
    let Some(last) = session.done.pop() else { return };
    if let Some(drawn) = session.items.get(last) {
        if let Some(run) = dataset.runs.get(drawn.answer.run as usize) {
            let row = run.row(drawn.answer.index as usize);
            let mut removed = false;
            labels.lines.update(|l| {
                let lines = Arc::make_mut(l);
                if let Some(at) = lines.iter().rposition(|x| x.row == row && x.file == run.source) {
                    lines.remove(at);
                    removed = true;
                }
            });
            if removed {
                persist(labels, run.clone());
            }
        }
    }
    session.position = last;
    labels.session.set(Some(session));
}

/// Every label as JSON Lines (the `rates --gold LABELS.jsonl` format).
pub fn export(labels: LabelState) -> String {
    labels
        .lines
        .with_untracked(|lines| lines.iter().filter_map(|l| serde_json::to_string(l).ok()).map(|l| l + "\n").collect())
}

/// Adds the labels of a JSONL file; how many lines it had, or what is wrong with it.
pub fn import(labels: LabelState, dataset: &Dataset, text: &str) -> Result<usize, String> {
    let lines = parse_labels(text)?;
    let count = lines.len();
    labels.lines.update(|l| Arc::make_mut(l).extend(lines));
    for run in &dataset.runs {
        persist(labels, run.clone());
    }
    Ok(count)
}

/// Stores the labels of `run` under its identity (its texts), so a reload keeps them.
fn persist(labels: LabelState, run: Arc<probe_core::Run>) {
    let text: String = labels.lines.with_untracked(|lines| {
        lines
            .iter()
            .filter(|l| l.file == run.source)
            .filter_map(|l| serde_json::to_string(l).ok())
            .map(|l| l + "\n")
            .collect()
    });
    spawn_local(async move {
        cache::put_text(cache::LABELS, &judge::run_key("human", &run), &text).await;
    });
}

/// Reads back the stored labels of runs not read yet (call when the dataset changes).
pub fn restore(labels: LabelState, dataset: Arc<Dataset>) {
    let todo: Vec<Arc<probe_core::Run>> =
        labels.restored.with_untracked(|done| dataset.runs.iter().filter(|r| !done.contains(&r.id)).cloned().collect());
    if todo.is_empty() {
        return;
    }
    labels.restored.update(|done| done.extend(todo.iter().map(|r| r.id)));
    spawn_local(async move {
        for run in todo {
            let Some(text) = cache::get_text(cache::LABELS, &judge::run_key("human", &run)).await else { continue };
            if let Ok(mut lines) = parse_labels(&text) {
                // The stored file name is this run's, wherever it was loaded from before.
                for line in &mut lines {
                    line.file = run.source.clone();
                }
                labels.lines.update(|l| Arc::make_mut(l).extend(lines));
            }
        }
    });
}

fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().as_string().unwrap_or_default()
}
