//! `probe-explorer stats`: per-file counts and misaligned rates.
//!
//! **Boundary:** the `--json` shape is read by scripts; add keys, never rename. Every judge of a
//! file is in `judges`; the top-level counts are the chosen judge's (`--judge`, else the default).

use std::ffi::OsString;
use std::io::Write;

use anyhow::Context;
use probe_core::load::{count_stream, StreamCounts};
use probe_core::stats::{Counts, JudgeCounts, Z95};
use probe_core::Thresholds;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::args::StatsArgs;
use crate::files::{self, UnknownJudge};
use crate::terminal;

#[derive(Debug, Serialize)]
struct Report {
    files: Vec<FileStats>,
}

#[derive(Debug, Serialize)]
struct FileStats {
    path: String,
    rows: usize,
    /// The counts of the chosen judge (`--judge`, else the file's default judge).
    judge: Option<String>,
    judged: u32,
    unscored: u32,
    misaligned: u32,
    rate: Option<f64>,
    ci95: Option<(f64, f64)>,
    run: String,
    by_question: ByQuestion,
    /// Every judge the file has, in column order.
    judges: Judges,
}

#[derive(Debug, Serialize)]
struct JudgeStats {
    judged: u32,
    unscored: u32,
    misaligned: u32,
    rate: Option<f64>,
    ci95: Option<(f64, f64)>,
    by_question: ByQuestion,
}

/// Key → value pairs written as a JSON object in their order (a JSON object keeps the order we
/// write): question id → counts in first-seen order, judge name → counts in column order.
#[derive(Debug, Default, Clone)]
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

/// One question's counts, under its raw id; `question` names the paper's first-plot question it
/// is (whatever id the file gives it), `variant` its `json` / `template` form.
#[derive(Debug, Clone, Serialize)]
struct QuestionStats {
    #[serde(flatten)]
    counts: Counts,
    #[serde(skip_serializing_if = "Option::is_none")]
    question: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    variant: Option<&'static str>,
}

impl QuestionStats {
    fn new(key: &str, counts: Counts) -> QuestionStats {
        let canonical = probe_core::questions::canonical(key, "");
        let variant = canonical.map(|c| c.variant.suffix().trim_start_matches('_')).filter(|v| !v.is_empty());
        QuestionStats { counts, question: canonical.map(|c| c.id), variant }
    }
}

type ByQuestion = Ordered<QuestionStats>;
type Judges = Ordered<JudgeStats>;

pub fn run(args: &StatsArgs) -> anyhow::Result<()> {
    let loaded_files = files::load_all(&args.files, |path| load(path, &args.thresholds))?;
    if let Some(name) = &args.judge {
        UnknownJudge::check(name, loaded_files.iter().flat_map(|(_, l)| &l.judges).map(|j| j.name.as_str()))?;
    }
    let files =
        loaded_files.iter().map(|(name, loaded)| file_stats(name.clone(), loaded, args.judge.as_deref())).collect();
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

/// Counts one file (`-`: standard input) in one streaming pass: the file is never held whole.
fn load(path: &OsString, thresholds: &Thresholds) -> anyhow::Result<(String, StreamCounts)> {
    let name = path.to_string_lossy().into_owned();
    let counts = if name == "-" {
        count_stream(std::io::stdin().lock(), &name, thresholds)?
    } else {
        let file = std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?;
        count_stream(file, &name, thresholds)?
    };
    files::warn(&counts.issues);
    Ok((name, counts))
}

fn judge_stats(counts: &JudgeCounts, has_question_id: bool) -> JudgeStats {
    let total = Counts { judged: counts.judged, misaligned: counts.misaligned };
    // Per question only with an id column (else each question text would be its own key).
    let by_question = if has_question_id {
        counts.by_question.iter().map(|(key, c)| (key.clone(), QuestionStats::new(key, *c))).collect()
    } else {
        Vec::new()
    };
    JudgeStats {
        judged: counts.judged,
        unscored: counts.unscored,
        misaligned: counts.misaligned,
        rate: total.rate(),
        ci95: total.wilson(Z95),
        by_question: Ordered(by_question),
    }
}

fn file_stats(path: String, loaded: &StreamCounts, judge: Option<&str>) -> FileStats {
    let has_question_id = loaded.mapping.question_id.is_some();
    let judges: Vec<(String, JudgeStats)> =
        loaded.judges.iter().map(|j| (j.name.clone(), judge_stats(&j.counts, has_question_id))).collect();
    let chosen = match judge {
        Some(name) => judges.iter().position(|(n, _)| n == name),
        None => (!judges.is_empty()).then_some(0),
    };
    let (judge, shown) = match chosen.and_then(|i| judges.get(i)) {
        Some((name, stats)) => (Some(name.clone()), Some(stats)),
        None => (None, None),
    };
    FileStats {
        path,
        rows: loaded.rows,
        judge,
        judged: shown.map_or(0, |s| s.judged),
        unscored: shown.map_or(0, |s| s.unscored),
        misaligned: shown.map_or(0, |s| s.misaligned),
        rate: shown.and_then(|s| s.rate),
        ci95: shown.and_then(|s| s.ci95),
        run: loaded.run_name.clone(),
        by_question: Ordered(shown.map(|s| s.by_question.0.clone()).unwrap_or_default()),
        judges: Ordered(judges),
    }
}

fn percent(value: f64) -> String {
    format!("{:.1}%", value * 100.0)
}

fn write_table(out: &mut impl Write, report: &Report) -> std::io::Result<()> {
    let header = ["file", "run", "judge", "rows", "judged", "unscored", "misaligned", "rate", "95% CI"];
    let rows: Vec<[String; 9]> = report
        .files
        .iter()
        .map(|f| {
            [
                f.path.clone(),
                f.run.clone(),
                f.judge.clone().unwrap_or_else(|| "-".to_string()),
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
            .map(|(i, (cell, width))| if i < 3 { format!("{cell:<width$}") } else { format!("{cell:>width$}") })
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
