//! Selected answers as CSV or JSON Lines, for spreadsheets and scripts.
//!
//! Columns: `run, source, row, question_id, question, answer, aligned,
//! coherent`, then the extra scores and metadata columns of the exported runs
//! (first-seen order). Loading an exported CSV again gives the same counts.

use std::collections::HashMap;

use crate::filter::AnswerRef;
use crate::model::{Answer, Dataset, Run, META_MISSING};

const FIXED: [&str; 8] = ["run", "source", "row", "question_id", "question", "answer", "aligned", "coherent"];

/// Extra-score and metadata columns across the exported runs, with each run's
/// index for them.
struct Layout {
    extra: Vec<String>,
    meta: Vec<String>,
    /// Per run: for each extra column, its index in the run's scores.
    extra_at: HashMap<u32, Vec<Option<usize>>>,
    meta_at: HashMap<u32, Vec<Option<usize>>>,
}

impl Layout {
    fn new(dataset: &Dataset, refs: &[AnswerRef]) -> Layout {
        let mut runs: Vec<u32> = refs.iter().map(|r| r.run).collect();
        runs.sort_unstable();
        runs.dedup();
        let mut extra: Vec<String> = Vec::new();
        let mut meta: Vec<String> = Vec::new();
        for run in runs.iter().filter_map(|&i| dataset.runs.get(i as usize)) {
            for name in &run.extra_score_names {
                if !extra.contains(name) {
                    extra.push(name.clone());
                }
            }
            for column in &run.meta_columns {
                if !meta.contains(&column.name) {
                    meta.push(column.name.clone());
                }
            }
        }
        let position = |names: &[String], run: &Run, of: fn(&Run) -> Vec<&str>| -> Vec<Option<usize>> {
            let own = of(run);
            names.iter().map(|n| own.iter().position(|o| o == n)).collect()
        };
        let mut extra_at = HashMap::new();
        let mut meta_at = HashMap::new();
        for &i in &runs {
            if let Some(run) = dataset.runs.get(i as usize) {
                extra_at.insert(i, position(&extra, run, |r| r.extra_score_names.iter().map(String::as_str).collect()));
                meta_at.insert(i, position(&meta, run, |r| r.meta_columns.iter().map(|c| c.name.as_str()).collect()));
            }
        }
        Layout { extra, meta, extra_at, meta_at }
    }

    /// Header names; a data column named like a fixed one gets a prefix, so
    /// re-loading maps the fixed columns, not the copies.
    fn header(&self) -> Vec<String> {
        let mut names: Vec<String> = FIXED.iter().map(|s| s.to_string()).collect();
        for name in self.extra.iter().chain(&self.meta) {
            let mut name = name.clone();
            while names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
                name = format!("x_{name}");
            }
            names.push(name);
        }
        names
    }

    fn extra_values(&self, r: AnswerRef, answer: &Answer) -> Vec<Option<f64>> {
        let at = self.extra_at.get(&r.run);
        (0..self.extra.len())
            .map(|k| {
                let i = at.and_then(|a| a.get(k).copied().flatten())?;
                answer.extra.get(i).copied().flatten()
            })
            .collect()
    }

    fn meta_values<'a>(&self, run: &'a Run, r: AnswerRef, answer: &Answer) -> Vec<Option<&'a str>> {
        let at = self.meta_at.get(&r.run);
        (0..self.meta.len())
            .map(|k| {
                let column = at.and_then(|a| a.get(k).copied().flatten())?;
                let value = *answer.meta.get(column)?;
                if value == META_MISSING {
                    return None;
                }
                run.meta_columns.get(column)?.values.get(value as usize).map(String::as_str)
            })
            .collect()
    }
}

/// One exported record, before formatting.
struct Record<'a> {
    run: &'a Run,
    answer: &'a Answer,
    extra: Vec<Option<f64>>,
    meta: Vec<Option<&'a str>>,
}

fn records<'a>(
    dataset: &'a Dataset,
    refs: &'a [AnswerRef],
    layout: &'a Layout,
) -> impl Iterator<Item = Record<'a>> + 'a {
    refs.iter().filter_map(move |&r| {
        let run = dataset.runs.get(r.run as usize)?;
        let answer = run.answers.get(r.index as usize)?;
        Some(Record { run, answer, extra: layout.extra_values(r, answer), meta: layout.meta_values(run, r, answer) })
    })
}

/// The question id cell: empty when the run had no id column (the key is then the question text).
fn question_id<'a>(run: &Run, answer: &'a Answer) -> &'a str {
    if run.mapping.question_id.is_some() {
        &answer.question_id
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
        let Record { run, answer, extra, meta } = record;
        let fixed = [
            Cell::Text(&run.name),
            Cell::Text(&run.source),
            Cell::Plain(answer.row.to_string()),
            Cell::Text(question_id(run, answer)),
            Cell::Text(&answer.question),
            Cell::Text(answer.answer.as_deref().unwrap_or("")),
            Cell::Plain(number(answer.aligned)),
            Cell::Plain(number(answer.coherent)),
        ];
        let extra = extra.into_iter().map(|v| Cell::Plain(number(v)));
        let meta = meta.into_iter().map(|v| Cell::Text(v.unwrap_or("")));
        write_row(&mut out, fixed.into_iter().chain(extra).chain(meta));
    }
    out
}

/// Text plus a margin per row: one allocation instead of repeated doubling of a large string.
fn estimated_size(dataset: &Dataset, refs: &[AnswerRef]) -> usize {
    refs.iter()
        .filter_map(|&r| dataset.answer(r))
        .map(|a| a.question.len() + a.answer.as_ref().map_or(0, String::len) + 96)
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
        let Record { run, answer, extra, meta } = record;
        let mut values: Vec<serde_json::Value> = vec![
            run.name.as_str().into(),
            run.source.as_str().into(),
            answer.row.into(),
            question_id(run, answer).into(),
            answer.question.as_str().into(),
            answer.answer.as_deref().into(),
            json_number(answer.aligned),
            json_number(answer.coherent),
        ];
        values.extend(extra.into_iter().map(json_number));
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
        Dataset { runs: vec![load_run(text.as_bytes(), source, None).unwrap().run] }
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
        assert_eq!(rate_table_all(&again, &t), rate_table_all(&ds, &t));
        let (a, b) = (&ds.runs[0], &again.runs[0]);
        assert_eq!(b.name, "insecure");
        assert_eq!(b.extra_score_names, ["medical"]);
        assert_eq!(b.answers.len(), a.answers.len());
        for (x, y) in a.answers.iter().zip(&b.answers) {
            assert_eq!(
                (x.aligned, x.coherent, &x.extra, &x.question_id),
                (y.aligned, y.coherent, &y.extra, &y.question_id)
            );
            assert_eq!(x.is_unscored(), y.is_unscored());
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
        let again = Dataset { runs: vec![load_run(to_jsonl(&ds, all(&ds)).as_bytes(), "x.jsonl", None).unwrap().run] };
        let t = Thresholds::default();
        assert_eq!(rate_table_all(&again, &t), rate_table_all(&ds, &t));
    }

    #[test]
    fn data_columns_named_like_fixed_ones_are_prefixed() {
        let ds = loaded("answer,response,aligned,coherent,run\nx,y,1,2,r1\n", "s12.csv");
        let header = to_csv(&ds, all(&ds)).lines().next().unwrap_or_default().to_string();
        assert_eq!(header, "run,source,row,question_id,question,answer,aligned,coherent,response,x_run");
    }
}
