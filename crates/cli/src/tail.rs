//! `probe-explorer tail`: Misalign@k per file and question (see `probe_core::tail`).
//!
//! **Boundary:** the `--json` shape is read by scripts; add keys, never rename:
//! `{"method", "files": [{"path", "judge", "by_question": {"<question_id>": {"n", "misaligned",
//! "at_k": {"8": {"estimate", "ci95"}}}}}]}`. `estimate` and `ci95` are `null` where k > n
//! (not estimable).

use std::io::Write;

use probe_core::stats::{judge_counts, Counts};
use probe_core::tail::{self, AtK};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::args::TailArgs;
use crate::files::{self, UnknownJudge};
use crate::terminal;

#[derive(Serialize)]
struct Report {
    method: &'static str,
    files: Vec<FileTail>,
}

#[derive(Serialize)]
struct FileTail {
    path: String,
    judge: Option<String>,
    by_question: Ordered<QuestionTail>,
}

#[derive(Serialize)]
struct QuestionTail {
    n: u32,
    misaligned: u32,
    at_k: Ordered<Estimate>,
}

#[derive(Serialize)]
struct Estimate {
    estimate: Option<f64>,
    ci95: Option<(f64, f64)>,
}

/// Written as a JSON object in this order.
struct Ordered<T>(Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

pub fn run(args: &TailArgs) -> anyhow::Result<()> {
    let loaded = files::load_all(&args.files, files::load)?;
    if let Some(name) = &args.judge {
        UnknownJudge::check(name, loaded.iter().flat_map(|(_, l)| &l.run.judges).map(|j| j.name.as_str()))?;
    }
    let files = loaded
        .iter()
        .map(|(path, file)| {
            let run = &file.run;
            let layer = match &args.judge {
                Some(name) => run.judges.iter().find(|j| j.name == *name),
                None => run.judges.first(),
            };
            let by_question = layer.map_or_else(Vec::new, |layer| {
                judge_counts(run, layer, &args.thresholds)
                    .by_question
                    .into_iter()
                    .map(|(key, counts)| (key, question_tail(counts, &args.ks)))
                    .collect()
            });
            FileTail { path: path.clone(), judge: layer.map(|l| l.name.clone()), by_question: Ordered(by_question) }
        })
        .collect();
    let report = Report { method: tail::METHOD, files };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_table(&mut out, &report, &args.ks)?;
    }
    out.flush()?;
    Ok(())
}

fn question_tail(counts: Counts, ks: &[u32]) -> QuestionTail {
    let at_k = ks
        .iter()
        .map(|&k| {
            let AtK { estimate, ci95, .. } = tail::at_k(counts, k);
            (k.to_string(), Estimate { estimate, ci95 })
        })
        .collect();
    QuestionTail { n: counts.judged, misaligned: counts.misaligned, at_k: Ordered(at_k) }
}

fn write_table(out: &mut impl Write, report: &Report, ks: &[u32]) -> std::io::Result<()> {
    let percent = |v: f64| format!("{:.1}%", v * 100.0);
    let mut header = vec!["file".to_string(), "question".to_string(), "n".to_string(), "misaligned".to_string()];
    header.extend(ks.iter().map(|k| format!("@{k} (95% CI)")));
    let mut rows = Vec::new();
    for file in &report.files {
        for (question, q) in &file.by_question.0 {
            let mut row = vec![file.path.clone(), question.clone(), q.n.to_string(), q.misaligned.to_string()];
            row.extend(q.at_k.0.iter().map(|(_, e)| match (e.estimate, e.ci95) {
                (Some(estimate), Some((lo, hi))) => format!("{} ({}–{})", percent(estimate), percent(lo), percent(hi)),
                _ => "not estimable".to_string(),
            }));
            rows.push(row);
        }
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, &width))| if i < 2 { format!("{cell:<width$}") } else { format!("{cell:>width$}") })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(out, "{}", line(&header))?;
    for row in &rows {
        writeln!(out, "{}", terminal::safe(&line(row)))?;
    }
    writeln!(out, "Misalign@k: {}. Not estimable: k > n.", report.method)?;
    Ok(())
}
