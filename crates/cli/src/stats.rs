//! `probe-explorer stats`: per-file counts and misaligned rates.
//!
//! **Boundary:** the `--json` shape is read by scripts; add keys, never rename.

use std::ffi::OsString;
use std::io::{Read, Write};

use anyhow::{bail, Context};
use probe_core::load::{load_run, Loaded};
use probe_core::stats::{Counts, Z95};
use probe_core::Thresholds;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::args::StatsArgs;
use crate::terminal;

#[derive(Debug, Serialize)]
struct Report {
    files: Vec<FileStats>,
}

#[derive(Debug, Serialize)]
struct FileStats {
    path: String,
    rows: usize,
    judged: u32,
    unscored: u32,
    misaligned: u32,
    rate: Option<f64>,
    ci95: Option<(f64, f64)>,
    run: String,
    by_question: ByQuestion,
}

/// Question id → counts, in first-seen order (a JSON object keeps the order we write).
#[derive(Debug, Default)]
struct ByQuestion(Vec<(String, Counts)>);

impl Serialize for ByQuestion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (question, counts) in &self.0 {
            map.serialize_entry(question, counts)?;
        }
        map.end()
    }
}

pub fn run(args: &StatsArgs) -> anyhow::Result<()> {
    let mut files = Vec::with_capacity(args.files.len());
    let mut failed = 0;
    for path in &args.files {
        match load(path) {
            Ok((name, loaded)) => {
                for issue in &loaded.issues {
                    eprintln!("warning: {}", terminal::safe(&issue.to_string()));
                }
                files.push(file_stats(name, &loaded, &args.thresholds));
            }
            Err(error) => {
                // Keep going, so one run reports every bad file.
                eprintln!("error: {}", terminal::safe(&format!("{error:#}")));
                failed += 1;
            }
        }
    }
    if failed > 0 {
        bail!("{failed} of {} files could not be loaded", args.files.len());
    }
    let report = Report { files };
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_table(&mut out, &report)?;
    }
    out.flush()?;
    Ok(())
}

fn load(path: &OsString) -> anyhow::Result<(String, Loaded)> {
    let name = path.to_string_lossy().into_owned();
    let bytes = if name == "-" {
        let mut bytes = Vec::new();
        std::io::stdin().read_to_end(&mut bytes).context("cannot read standard input")?;
        bytes
    } else {
        std::fs::read(path).with_context(|| format!("cannot read {name}"))?
    };
    let loaded = load_run(&bytes, &name, None)?;
    Ok((name, loaded))
}

fn file_stats(path: String, loaded: &Loaded, thresholds: &Thresholds) -> FileStats {
    let run = &loaded.run;
    let mut total = Counts::default();
    let mut unscored = 0;
    let mut by_question = ByQuestion::default();
    let mut position = std::collections::HashMap::new();
    for answer in &run.answers {
        total.add(answer, thresholds);
        unscored += u32::from(answer.is_unscored());
        // Per question only with an id column, and only questions with judged answers.
        if run.mapping.question_id.is_some() && answer.is_judged() {
            let at = *position.entry(answer.question_id.as_str()).or_insert_with(|| {
                by_question.0.push((answer.question_id.clone(), Counts::default()));
                by_question.0.len() - 1
            });
            if let Some((_, counts)) = by_question.0.get_mut(at) {
                counts.add(answer, thresholds);
            }
        }
    }
    FileStats {
        path,
        rows: loaded.rows,
        judged: total.judged,
        unscored,
        misaligned: total.misaligned,
        rate: total.rate(),
        ci95: total.wilson(Z95),
        run: run.name.clone(),
        by_question,
    }
}

fn percent(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

fn write_table(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    let header = ["file", "run", "rows", "judged", "unscored", "misaligned", "rate", "95% CI"];
    let rows: Vec<[String; 8]> = report
        .files
        .iter()
        .map(|f| {
            [
                f.path.clone(),
                f.run.clone(),
                f.rows.to_string(),
                f.judged.to_string(),
                f.unscored.to_string(),
                f.misaligned.to_string(),
                f.rate.map_or_else(|| "-".to_string(), percent),
                f.ci95.map_or_else(|| "-".to_string(), |(lo, hi)| format!("{}–{}", percent(lo), percent(hi))),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .zip(widths)
            .enumerate()
            // Text columns align left, numbers right.
            .map(|(i, (cell, width))| if i < 2 { format!("{cell:<width$}") } else { format!("{cell:>width$}") })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(out, "{}", line(&header.map(String::from)))?;
    for row in &rows {
        writeln!(out, "{}", terminal::safe(&line(row)))?;
    }
    Ok(())
}
