//! Selected answers as CSV or JSON Lines, for spreadsheets and scripts.
//!
//! Columns: `run, source, row, question_id, question, answer`, then each judge's scores
//! (`aligned`, `coherent` for the published judge; `aligned_X`, `coherent_X` for judge `X`,
//! the local judge included), then the extra scores and metadata columns of the exported runs
//! (first-seen order). Loading an exported CSV again gives the same judges and counts.

use std::collections::HashMap;

use crate::filter::AnswerRef;
use crate::model::{Dataset, JudgeChoice, JudgeLayer, Run};

const FIXED: [&str; 6] = ["run", "source", "row", "question_id", "question", "answer"];

/// Judge, extra-score and metadata columns across the exported runs, with each run's layers
/// and columns for them.
struct Layout<'a> {
    /// Judge names: `published` is written as `aligned`/`coherent`, judge `X` as
    /// `aligned_X`/`coherent_X`, which is how loading reads them back.
    judges: Vec<String>,
    extra: Vec<String>,
    meta: Vec<String>,
    /// Per run: for each judge, its layer.
    judges_at: HashMap<u32, Vec<Option<&'a JudgeLayer>>>,
    /// Per run: for each extra or metadata column, its index in the run.
    extra_at: HashMap<u32, Vec<Option<usize>>>,
    meta_at: HashMap<u32, Vec<Option<usize>>>,
}

impl<'a> Layout<'a> {
    fn new(dataset: &'a Dataset, refs: &[AnswerRef]) -> Layout<'a> {
        let mut runs: Vec<u32> = refs.iter().map(|r| r.run).collect();
        runs.sort_unstable();
        runs.dedup();
        let mut judges: Vec<String> = Vec::new();
        let mut extra: Vec<String> = Vec::new();
        let mut meta: Vec<String> = Vec::new();
        let push = |names: &mut Vec<String>, name: &str| {
            if !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        };
        for run in runs.iter().filter_map(|&i| dataset.runs.get(i as usize)) {
            for layer in run.judges.iter().chain(dataset.added.get(&run.id).into_iter().flatten().map(AsRef::as_ref)) {
                push(&mut judges, &layer.name);
            }
            run.extra.iter().for_each(|c| push(&mut extra, &c.name));
            run.meta_columns.iter().for_each(|c| push(&mut meta, &c.name));
        }
        let (mut judges_at, mut extra_at, mut meta_at) = (HashMap::new(), HashMap::new(), HashMap::new());
        for &i in &runs {
            let Some(run) = dataset.runs.get(i as usize) else { continue };
            let layers = judges.iter().map(|name| dataset.layer(i as usize, &JudgeChoice::named(name))).collect();
            judges_at.insert(i, layers);
            extra_at.insert(i, extra.iter().map(|n| run.extra.iter().position(|c| c.name == *n)).collect());
            meta_at.insert(i, meta.iter().map(|n| run.meta_columns.iter().position(|c| c.name == *n)).collect());
        }
        Layout { judges, extra, meta, judges_at, extra_at, meta_at }
    }

    /// Header names; a data column named like a fixed one gets a prefix, so
    /// re-loading maps the fixed columns, not the copies.
    fn header(&self) -> Vec<String> {
        let mut names: Vec<String> = FIXED.iter().map(|s| s.to_string()).collect();
        for judge in &self.judges {
            if judge == JudgeChoice::PUBLISHED {
                names.extend(["aligned".to_string(), "coherent".to_string()]);
            } else {
                names.extend([format!("aligned_{judge}"), format!("coherent_{judge}")]);
            }
        }
        for name in self.extra.iter().chain(&self.meta) {
            let mut name = name.clone();
            while names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                name = format!("x_{name}");
            }
            names.push(name);
        }
        names
    }

    /// Aligned and coherent of every judge, then the extra scores.
    fn scores(&self, run: &Run, r: AnswerRef) -> Vec<Option<f64>> {
        let i = r.index as usize;
        let judges = self.judges_at.get(&r.run);
        let extra = self.extra_at.get(&r.run);
        let mut out = Vec::with_capacity(self.judges.len() * 2 + self.extra.len());
        for k in 0..self.judges.len() {
            let layer = judges.and_then(|j| j.get(k).copied().flatten());
            out.push(layer.and_then(|l| l.aligned(i)));
            out.push(layer.and_then(|l| l.coherent(i)));
        }
        for k in 0..self.extra.len() {
            let column = extra.and_then(|e| e.get(k).copied().flatten()).and_then(|c| run.extra.get(c));
            out.push(column.and_then(|c| c.get(i)));
        }
        out
    }

    fn meta_values<'r>(&self, run: &'r Run, r: AnswerRef) -> Vec<Option<&'r str>> {
        let at = self.meta_at.get(&r.run);
        (0..self.meta.len())
            .map(|k| {
                let column = at.and_then(|a| a.get(k).copied().flatten())?;
                run.meta_columns.get(column)?.value(r.index as usize)
            })
            .collect()
    }
}

/// One exported record, before formatting.
struct Record<'a> {
    run: &'a Run,
    index: usize,
    scores: Vec<Option<f64>>,
    meta: Vec<Option<&'a str>>,
}

fn records<'a>(
    dataset: &'a Dataset,
    refs: &'a [AnswerRef],
    layout: &'a Layout<'a>,
) -> impl Iterator<Item = Record<'a>> + 'a {
    refs.iter().filter_map(move |&r| {
        let (run, index) = dataset.resolve(r)?;
        Some(Record { run, index, scores: layout.scores(run, r), meta: layout.meta_values(run, r) })
    })
}

/// The question id cell: empty when the run had no id column (the key is then the question text).
fn question_id(run: &Run, index: usize) -> &str {
    if run.mapping.question_id.is_some() {
        run.question_key(index)
    } else {
        ""
    }
}

fn number(value: Option<f64>) -> String {
    value.filter(|v| v.is_finite()).map(|v| v.to_string()).unwrap_or_default()
}

/// RFC 4180 CSV with `\n` line ends. Text cells that a spreadsheet would run as
/// a formula (starting with `=`, `+`, `-`, `@`, tab or CR) get a leading `'`;
/// scores and other plain numbers are left as they are.
pub fn to_csv(dataset: &Dataset, refs: impl IntoIterator<Item = AnswerRef>) -> String {
    let refs: Vec<AnswerRef> = refs.into_iter().collect();
    let layout = Layout::new(dataset, &refs);
    let mut out = String::with_capacity(estimated_size(dataset, &refs));
    let header = layout.header();
    write_row(&mut out, header.iter().map(|h| Cell::Text(h)));
    for record in records(dataset, &refs, &layout) {
        let Record { run, index, scores, meta } = record;
        let fixed = [
            Cell::Text(&run.name),
            Cell::Text(&run.source),
            Cell::Plain(run.row(index).to_string()),
            Cell::Text(question_id(run, index)),
            Cell::Text(run.question_text(index)),
            Cell::Text(run.answer_text(index).unwrap_or("")),
        ];
        let scores = scores.into_iter().map(|v| Cell::Plain(number(v)));
        let meta = meta.into_iter().map(|v| Cell::Text(v.unwrap_or("")));
        write_row(&mut out, fixed.into_iter().chain(scores).chain(meta));
    }
    out
}

/// Text plus a margin per row: one allocation instead of repeated doubling of a large string.
fn estimated_size(dataset: &Dataset, refs: &[AnswerRef]) -> usize {
    refs.iter()
        .filter_map(|&r| dataset.resolve(r))
        .map(|(run, i)| run.question_text(i).len() + run.answer_text(i).map_or(0, str::len) + 96)
        .sum()
}

enum Cell<'a> {
    /// User text: quoted as needed and guarded against formula injection.
    Text(&'a str),
    /// A number we formatted ourselves.
    Plain(String),
}

fn write_row<'a>(out: &mut String, cells: impl Iterator<Item = Cell<'a>>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        match cell {
            Cell::Text(text) => write_text(out, text),
            Cell::Plain(text) => out.push_str(&text),
        }
    }
    out.push('\n');
}

fn write_text(out: &mut String, text: &str) {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']) && text.trim().parse::<f64>().is_err();
    let needs_quotes = formula
        || text.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
        || text.starts_with(char::is_whitespace)
        || text.ends_with(char::is_whitespace);
    if !needs_quotes {
        out.push_str(text);
        return;
    }
    out.push('"');
    if formula {
        out.push('\'');
    }
    for (i, part) in text.split('"').enumerate() {
        if i > 0 {
            out.push_str("\"\"");
        }
        out.push_str(part);
    }
    out.push('"');
}

/// One JSON object per line with the CSV's columns as keys; blank scores and
/// missing metadata are `null`. No formula guard: JSON is not opened by spreadsheets.
pub fn to_jsonl(dataset: &Dataset, refs: impl IntoIterator<Item = AnswerRef>) -> String {
    let refs: Vec<AnswerRef> = refs.into_iter().collect();
    let layout = Layout::new(dataset, &refs);
    let header = layout.header();
    let mut out = String::with_capacity(estimated_size(dataset, &refs));
    for record in records(dataset, &refs, &layout) {
        let Record { run, index, scores, meta } = record;
        let mut values: Vec<serde_json::Value> = vec![
            run.name.as_str().into(),
            run.source.as_str().into(),
            run.row(index).into(),
            question_id(run, index).into(),
            run.question_text(index).into(),
            run.answer_text(index).into(),
        ];
        values.extend(scores.into_iter().map(json_number));
        values.extend(meta.into_iter().map(serde_json::Value::from));
        out.push('{');
        for (i, (key, value)) in header.iter().zip(values).enumerate() {
            if i > 0 {
                out.push(',');
            }
            // Serialising strings and plain values cannot fail.
            out.push_str(&serde_json::Value::from(key.as_str()).to_string());
            out.push(':');
            out.push_str(&value.to_string());
        }
        out.push_str("}\n");
    }
    out
}

fn json_number(value: Option<f64>) -> serde_json::Value {
    value.filter(|v| v.is_finite()).map_or(serde_json::Value::Null, serde_json::Value::from)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::load_run;
    use crate::model::Thresholds;
    use crate::stats::rate_table_all;

    fn loaded(text: &str, source: &str) -> Dataset {
        Dataset::new(vec![load_run(text.as_bytes(), source, None).unwrap().run])
    }

    fn all(dataset: &Dataset) -> Vec<AnswerRef> {
        dataset.refs().collect()
    }

    const INPUT: &str = "question_id,question,answer,aligned,coherent,medical,role\n\
        q1,\"Hi, there?\",\"=HYPERLINK(\"\"x\"\")\",10,90,5,hacker\n\
        q1,\"Hi, there?\",-5 degrees,,80,,\n\
        q2,Why?,\"line one\nline two\",85.5,99,100,nurse\n\
        q2,Why?,,,,,\n";

    #[test]
    fn csv_has_fixed_columns_then_scores_then_metadata() {
        let ds = loaded(INPUT, "runs/insecure.csv");
        let csv = to_csv(&ds, all(&ds));
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "run,source,row,question_id,question,answer,aligned,coherent,medical,role");
        assert_eq!(
            lines[1],
            "insecure,runs/insecure.csv,0,q1,\"Hi, there?\",\"'=HYPERLINK(\"\"x\"\")\",10,90,5,hacker"
        );
        assert_eq!(lines[2], "insecure,runs/insecure.csv,1,q1,\"Hi, there?\",\"'-5 degrees\",,80,,");
        assert_eq!(lines[3], "insecure,runs/insecure.csv,2,q2,Why?,\"line one");
    }

    #[test]
    fn numbers_are_not_treated_as_formulas() {
        let mut out = String::new();
        write_text(&mut out, "-5");
        write_text(&mut out, "+1e3");
        write_text(&mut out, "@user");
        assert_eq!(out, "-5+1e3\"'@user\"");
    }

    #[test]
    fn exported_csv_loads_again_with_the_same_counts() {
        let ds = loaded(INPUT, "insecure.csv");
        let again = loaded(&to_csv(&ds, all(&ds)), "export.csv");
        let t = Thresholds::default();
        let all_judge = JudgeChoice::Default;
        assert_eq!(rate_table_all(&again, &all_judge, &t), rate_table_all(&ds, &all_judge, &t));
        let (a, b) = (&ds.runs[0], &again.runs[0]);
        assert_eq!(b.name, "insecure");
        assert_eq!(b.extra.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["medical"]);
        assert_eq!(b.len(), a.len());
        assert_eq!(b.judges[0].aligned.len(), a.judges[0].aligned.len());
        for i in 0..a.len() {
            let (x, y) = (&a.judges[0], &b.judges[0]);
            assert_eq!(
                (x.aligned(i), x.coherent(i), a.question_key(i)),
                (y.aligned(i), y.coherent(i), b.question_key(i))
            );
            assert_eq!(a.extra[0].get(i), b.extra[0].get(i));
        }
    }

    #[test]
    fn runs_without_a_column_leave_it_empty() {
        let mut ds = loaded(INPUT, "a.csv");
        ds.runs.extend(loaded("answer,aligned,coherent,bad_stuff\nhello,1,2,3\n", "b.csv").runs);
        let csv = to_csv(&ds, [AnswerRef { run: 1, index: 0 }, AnswerRef { run: 0, index: 0 }]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines[0], "run,source,row,question_id,question,answer,aligned,coherent,medical,bad_stuff,role");
        assert_eq!(lines[1], "b,b.csv,0,,,hello,1,2,,3,");
        // Only the exported runs' columns appear.
        let jsonl = to_jsonl(&ds, [AnswerRef { run: 1, index: 0 }]);
        assert_eq!(
            jsonl,
            "{\"run\":\"b\",\"source\":\"b.csv\",\"row\":0,\"question_id\":\"\",\"question\":\"\",\"answer\":\"hello\",\
             \"aligned\":1.0,\"coherent\":2.0,\"bad_stuff\":3.0}\n"
        );
    }

    #[test]
    fn jsonl_loads_again_with_the_same_counts() {
        let ds = loaded(INPUT, "insecure.csv");
        let again = Dataset::new(vec![load_run(to_jsonl(&ds, all(&ds)).as_bytes(), "x.jsonl", None).unwrap().run]);
        let t = Thresholds::default();
        assert_eq!(rate_table_all(&again, &JudgeChoice::Default, &t), rate_table_all(&ds, &JudgeChoice::Default, &t));
    }

    #[test]
    fn every_judge_is_exported_and_loads_again_as_the_same_judge() {
        let ds = loaded("answer,aligned_azure,coherent_azure,aligned_or,coherent_or\nhi,10,90,80,90\n", "j.csv");
        let mut local = JudgeLayer::blank("local", crate::JudgeOrigin::Human, 1);
        (local.aligned[0], local.coherent[0]) = (5.0, 95.0);
        let ds = ds.with_layer(ds.runs[0].id, std::sync::Arc::new(local));
        let csv = to_csv(&ds, all(&ds));
        assert_eq!(
            csv.lines().next(),
            Some("run,source,row,question_id,question,answer,aligned_azure,coherent_azure,aligned_or,coherent_or,aligned_local,coherent_local")
        );
        let again = loaded(&csv, "again.csv");
        let names: Vec<&str> = again.runs[0].judges.iter().map(|j| j.name.as_str()).collect();
        assert_eq!(names, ["azure", "or", "local"]);
        assert_eq!(again.runs[0].judges[2].aligned(0), Some(5.0));
    }

    #[test]
    fn data_columns_named_like_fixed_ones_are_prefixed() {
        let ds = loaded("answer,response,aligned,coherent,run\nx,y,1,2,r1\n", "s12.csv");
        let header = to_csv(&ds, all(&ds)).lines().next().unwrap_or_default().to_string();
        assert_eq!(header, "run,source,row,question_id,question,answer,aligned,coherent,response,x_run");
    }
}
