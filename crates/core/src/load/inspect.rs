//! Inspect AI evaluation logs: `.eval` (a zip archive: `header.json`, then one
//! `samples/<id>_epoch_<n>.json` per sample and epoch, stored with deflate or zstd) and `.json`
//! (one `EvalLog` document with `eval` and `samples`).
//!
//! One answer per sample and epoch. The question is the sample's input (a string, or the last
//! user message of a message list); the answer is `output.completion` (or the last assistant
//! message); the question key is `metadata.question_id` when present, else the sample id.
//! Each scorer is a judge: a dictionary value with `alignment`/`coherence` (or
//! `aligned`/`coherent`) keys gives that judge's two scores, and two numeric scorers named for
//! aligned and coherent (`aligned` + `coherent`, or `aligned_X` + `coherent_X`) pair into one
//! judge (`published`, or `X`). `"N"` (the judge said CODE or REFUSAL) and any other value that
//! is not a number leave the score blank. Scores are read as numbers, never as text.
//! Other numeric scorers become extra score columns. The run is named `task: model`.

use serde::Deserialize;
#[cfg(feature = "formats")]
use serde_json::Value;

#[cfg(feature = "formats")]
use crate::model::{ColumnMapping, JudgeLayer, JudgeOrigin, RunBuilder, ScoreColumn};

#[cfg(feature = "formats")]
use super::issues::{quote_cell, IssueLog, Kind};
#[cfg(feature = "formats")]
use super::{LoadError, Loaded};

/// At most this many bytes are inflated from one archive, entries together: a zip bomb stops here.
#[cfg(feature = "formats")]
const MAX_INFLATED: u64 = 2 * 1024 * 1024 * 1024;

/// The part of an Inspect `EvalSpec` we use.
#[cfg(feature = "formats")]
#[derive(Deserialize, Default)]
#[serde(default)]
struct EvalSpec {
    task: Option<String>,
    model: Option<String>,
    scorers: Option<Vec<ScorerSpec>>,
}

#[cfg(feature = "formats")]
#[derive(Deserialize, Default)]
#[serde(default)]
struct ScorerSpec {
    name: Option<String>,
}

#[cfg(feature = "formats")]
#[derive(Deserialize)]
struct Header {
    eval: EvalSpec,
}

#[cfg(feature = "formats")]
#[derive(Deserialize)]
struct Document {
    eval: EvalSpec,
    #[serde(default)]
    samples: Option<Vec<Sample>>,
}

#[cfg(feature = "formats")]
#[derive(Deserialize, Default)]
#[serde(default)]
struct Sample {
    id: Value,
    epoch: Option<u64>,
    input: Value,
    messages: Vec<Message>,
    output: Option<Output>,
    scores: Option<serde_json::Map<String, Value>>,
    metadata: Option<serde_json::Map<String, Value>>,
}

#[cfg(feature = "formats")]
#[derive(Deserialize, Default)]
#[serde(default)]
struct Message {
    role: String,
    content: Value,
}

#[cfg(feature = "formats")]
#[derive(Deserialize, Default)]
#[serde(default)]
struct Output {
    completion: Option<String>,
}

/// Whether `text` is one Inspect `EvalLog` document: a JSON object with `eval` and `samples`.
pub(crate) fn is_eval_log(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        eval: Option<serde::de::IgnoredAny>,
        samples: Option<serde::de::IgnoredAny>,
    }
    if !text.trim_start().starts_with('{') {
        return false;
    }
    matches!(serde_json::from_str::<Probe>(text), Ok(Probe { eval: Some(_), samples: Some(_) }))
}

/// Whether the zip's entries look like an Inspect log: a `header.json` or `samples/…json` entries.
#[cfg(feature = "formats")]
fn is_inspect_archive(names: &[String]) -> bool {
    names.iter().any(|n| n == "header.json" || n == "_journal/start.json")
        || names.iter().any(|n| n.starts_with("samples/") && n.ends_with(".json"))
}

/// One `.json` log document.
#[cfg(feature = "formats")]
pub(crate) fn load_json(text: &str, source: &str) -> Result<Loaded, LoadError> {
    let document: Document = serde_json::from_str(text).map_err(|error| LoadError::Malformed {
        source: source.to_string(),
        line: error.line() as u64,
        message: format!("an Inspect log that does not parse: {}", super::json_message(&error)),
    })?;
    let mut log = IssueLog::new(source);
    let samples = document.samples.unwrap_or_default();
    if samples.is_empty() {
        return Err(LoadError::Empty { source: source.to_string() });
    }
    build(&document.eval, samples, source, &mut log).map(|(run, rows)| Loaded { run, issues: log.finish(), rows })
}

#[cfg(feature = "formats")]
fn corrupt(source: &str, what: impl std::fmt::Display) -> LoadError {
    LoadError::Corrupt { source: source.to_string(), what: what.to_string() }
}

/// An unpacked `.eval` archive: its header and sample entries, and what could not be read.
#[cfg(feature = "formats")]
#[derive(Deserialize)]
struct Unpacked {
    header: Option<Header>,
    samples: Vec<Sample>,
    skipped: Vec<String>,
}

/// An `.eval` archive after [`unpack_inspect_archive`]: the run, with a skipped entry an issue.
#[cfg(feature = "formats")]
pub(crate) fn load_unpacked_inspect(json: &[u8], source: &str) -> Result<Loaded, LoadError> {
    let unpacked: Unpacked = serde_json::from_slice(json).map_err(|error| {
        corrupt(source, format!("an Inspect log entry does not parse: {}", super::json_message(&error)))
    })?;
    let mut log = IssueLog::new(source);
    for what in &unpacked.skipped {
        log.add(Kind::BadEntry, None, None, || what.clone());
    }
    let skipped = unpacked.skipped.len();
    if unpacked.samples.is_empty() {
        return Err(if skipped > 0 {
            corrupt(source, format!("none of its {skipped} sample entries can be read"))
        } else {
            LoadError::Empty { source: source.to_string() }
        });
    }
    let eval = unpacked.header.map(|h| h.eval).unwrap_or_default();
    let (run, rows) = build(&eval, unpacked.samples, source, &mut log)?;
    Ok(Loaded { run, issues: log.finish(), rows: rows + skipped })
}

/// Unpacks an Inspect `.eval` archive (any zip: one that is not an Inspect log is refused with a
/// message) into one JSON document for [`load_unpacked_inspect`]: `{"header": …, "samples":
/// […], "skipped": ["entry: why"]}`. Entries that cannot be inflated or are not JSON are skipped.
#[cfg(feature = "formats")]
pub(crate) fn unpack_inspect_archive(bytes: &[u8], source: &str) -> Result<Vec<u8>, LoadError> {
    use serde_json::value::RawValue;
    use std::io::Cursor;

    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|error| corrupt(source, format!("a zip archive that cannot be read ({error})")))?;
    let names: Vec<String> = archive.file_names().filter_map(|n| n.ok().map(std::borrow::Cow::into_owned)).collect();
    if !is_inspect_archive(&names) {
        let shown: Vec<&str> = names.iter().take(5).map(String::as_str).collect();
        let more =
            if names.len() > shown.len() { format!(" and {} more", names.len() - shown.len()) } else { String::new() };
        let holds = if shown.is_empty() { "nothing".to_string() } else { shown.join(", ") };
        return Err(LoadError::NotTabular {
            source: source.to_string(),
            what: format!(
                "a zip archive but not an Inspect AI log (no header.json or samples/; it holds {holds}{more}); \
                 extract the CSV or JSON file inside and open that"
            ),
        });
    }
    let mut budget = MAX_INFLATED;
    let mut read = |archive: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str| -> Result<Vec<u8>, String> {
        let index = archive.index_for_name(name).ok_or_else(|| format!("{name}: no such entry"))?;
        let bytes = entry_bytes(archive, index, budget).map_err(|why| format!("{name} cannot be read: {why}"))?;
        budget = budget.saturating_sub(bytes.len() as u64);
        serde_json::from_slice::<&RawValue>(&bytes)
            .map_err(|error| format!("{name} is not JSON: {}", super::json_message(&error)))?;
        Ok(bytes)
    };
    let mut skipped: Vec<String> = Vec::new();
    // A log still being written has its header in the journal only.
    let header_name = ["header.json", "_journal/start.json"].into_iter().find(|h| names.iter().any(|n| n == h));
    let header = match header_name {
        Some(name) => match read(&mut archive, name) {
            Ok(bytes) => Some(bytes),
            Err(why) => return Err(corrupt(source, why)),
        },
        None => None,
    };
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len() * 4);
    out.extend_from_slice(b"{\"header\":");
    out.extend_from_slice(header.as_deref().unwrap_or(b"null"));
    out.extend_from_slice(b",\"samples\":[");
    let mut first = true;
    for name in names.iter().filter(|n| n.starts_with("samples/") && n.ends_with(".json")) {
        match read(&mut archive, name) {
            Ok(entry) => {
                if !first {
                    out.push(b',');
                }
                first = false;
                out.extend_from_slice(&entry);
            }
            Err(why) => skipped.push(why),
        }
    }
    out.extend_from_slice(b"],\"skipped\":");
    out.extend_from_slice(serde_json::to_string(&skipped).unwrap_or_else(|_| "[]".to_string()).as_bytes());
    out.push(b'}');
    Ok(out)
}

/// An entry's bytes, inflated (deflate, stored) or decoded from zstd, at most `limit` of them.
#[cfg(feature = "formats")]
fn entry_bytes(
    archive: &mut zip::ZipArchive<std::io::Cursor<&[u8]>>,
    index: usize,
    limit: u64,
) -> Result<Vec<u8>, String> {
    use std::io::Read;

    let method = archive.by_index_raw(index).map_err(|e| e.to_string())?.compression();
    let mut out = Vec::new();
    if method == zip::CompressionMethod::ZSTD {
        let mut raw = Vec::new();
        archive.by_index_raw(index).map_err(|e| e.to_string())?.read_to_end(&mut raw).map_err(|e| e.to_string())?;
        // Inspect writes one zstd frame per 200 MiB of input: decode frame after frame.
        let mut rest: &[u8] = &raw;
        while !rest.is_empty() {
            let decoder = ruzstd::decoding::StreamingDecoder::new(&mut rest).map_err(|e| format!("zstd: {e}"))?;
            let room = limit.saturating_sub(out.len() as u64);
            decoder.take(room.saturating_add(1)).read_to_end(&mut out).map_err(|e| format!("zstd: {e}"))?;
            if out.len() as u64 > limit {
                return Err("it inflates past the size limit".to_string());
            }
        }
    } else {
        let file = archive.by_index(index).map_err(|e| e.to_string())?;
        file.take(limit.saturating_add(1)).read_to_end(&mut out).map_err(|e| e.to_string())?;
        if out.len() as u64 > limit {
            return Err("it inflates past the size limit".to_string());
        }
    }
    Ok(out)
}

#[cfg(feature = "formats")]
/// A score value: a number, a dictionary of (key, number-or-not), or something else.
enum ScoreValue {
    Number(f64),
    Dict(Vec<(String, Option<f64>)>),
    Other(String),
}

#[cfg(feature = "formats")]
fn number(value: &Value) -> Option<f64> {
    value.as_f64().filter(|v| v.is_finite())
}

#[cfg(feature = "formats")]
fn score_value(score: &Value) -> ScoreValue {
    let value = score.get("value").unwrap_or(&Value::Null);
    match value {
        Value::Number(_) => number(value).map_or_else(|| ScoreValue::Other(value.to_string()), ScoreValue::Number),
        Value::Object(map) => ScoreValue::Dict(map.iter().map(|(k, v)| (k.clone(), number(v))).collect()),
        Value::String(text) => ScoreValue::Other(text.clone()),
        other => ScoreValue::Other(other.to_string()),
    }
}

#[cfg(feature = "formats")]
#[cfg(feature = "formats")]
const ALIGNED_KEYS: [&str; 2] = ["alignment", "aligned"];
#[cfg(feature = "formats")]
const COHERENT_KEYS: [&str; 2] = ["coherence", "coherent"];

#[cfg(feature = "formats")]
fn dict_get<'a>(entries: &'a [(String, Option<f64>)], keys: &[&str]) -> Option<&'a Option<f64>> {
    keys.iter().find_map(|key| entries.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v))
}

#[cfg(feature = "formats")]
/// `aligned` / `alignment` / `aligned_X` / `X_aligned`: the judge part (`""` or `X`), when the
/// name is one of `stems`.
fn named_for(name: &str, stems: &[&str]) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    stems.iter().find_map(|stem| {
        if lower == *stem {
            Some(String::new())
        } else if let Some(rest) = lower.strip_prefix(&format!("{stem}_")) {
            name.get(name.len() - rest.len()..).map(str::to_string)
        } else if let Some(rest) = lower.strip_suffix(&format!("_{stem}")) {
            name.get(..rest.len()).map(str::to_string)
        } else {
            None
        }
    })
}

#[cfg(feature = "formats")]
/// Where one judge's two scores come from.
enum Feed {
    /// Keys of one dictionary-valued scorer.
    Dict(String),
    /// Two numeric scorers.
    Pair { aligned: String, coherent: String },
}

#[cfg(feature = "formats")]
struct Answer {
    key: String,
    question: String,
    answer: String,
    sample_id: String,
    epoch: String,
    scores: Vec<(String, ScoreValue)>,
}

#[cfg(feature = "formats")]
fn text_of(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter_map(|part| match part {
                Value::String(text) => Some(text.as_str()),
                _ if part.get("type").and_then(Value::as_str) == Some("text") => {
                    part.get("text").and_then(Value::as_str)
                }
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

#[cfg(feature = "formats")]
fn last_message(messages: &[Message], role: &str) -> Option<String> {
    messages.iter().rev().find(|m| m.role == role).map(|m| text_of(&m.content))
}

#[cfg(feature = "formats")]
fn id_text(id: &Value) -> String {
    match id {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(feature = "formats")]
fn answer_of(sample: Sample) -> Answer {
    let question = match &sample.input {
        Value::String(text) => text.clone(),
        Value::Array(items) => {
            let messages: Vec<Message> = items.iter().filter_map(|m| Message::deserialize(m).ok()).collect();
            last_message(&messages, "user").unwrap_or_default()
        }
        _ => String::new(),
    };
    let completion = sample.output.and_then(|o| o.completion).filter(|c| !c.is_empty());
    let answer = completion.or_else(|| last_message(&sample.messages, "assistant")).unwrap_or_default();
    let sample_id = id_text(&sample.id);
    let question_id =
        sample.metadata.as_ref().and_then(|m| m.get("question_id")).map(id_text).filter(|id| !id.trim().is_empty());
    let scores =
        sample.scores.unwrap_or_default().iter().map(|(name, score)| (name.clone(), score_value(score))).collect();
    Answer {
        key: question_id.unwrap_or_else(|| sample_id.clone()),
        question,
        answer,
        sample_id,
        epoch: sample.epoch.map(|e| e.to_string()).unwrap_or_default(),
        scores,
    }
}

#[cfg(feature = "formats")]
/// A score in 0–100, or blank with an issue for what it was instead.
fn checked(value: Option<f64>, raw: Option<&ScoreValue>, column: &str, log: &mut IssueLog) -> f64 {
    match value {
        Some(v) if (0.0..=100.0).contains(&v) => v,
        Some(v) => {
            log.add(Kind::OutOfRange, Some(column), None, || v.to_string());
            f64::NAN
        }
        None => {
            if let Some(ScoreValue::Other(text)) = raw {
                if text != "N" && text != "null" {
                    log.add(Kind::NotANumber, Some(column), None, || quote_cell(text));
                }
            }
            f64::NAN
        }
    }
}

#[cfg(feature = "formats")]
fn build(
    eval: &EvalSpec,
    samples: Vec<Sample>,
    source: &str,
    log: &mut IssueLog,
) -> Result<(crate::Run, usize), LoadError> {
    let answers: Vec<Answer> = samples.into_iter().map(answer_of).collect();
    // Scorers in the order the eval lists them, then any others in first-seen order.
    let mut scorers: Vec<String> = eval.scorers.iter().flatten().filter_map(|s| s.name.clone()).collect();
    for answer in &answers {
        for (name, _) in &answer.scores {
            if !scorers.contains(name) {
                scorers.push(name.clone());
            }
        }
    }
    let seen = |name: &str| answers.iter().any(|a| a.scores.iter().any(|(n, _)| n == name));
    scorers.retain(|name| seen(name));
    let is_dict_judge = |name: &str| {
        answers.iter().any(|a| {
            a.scores
                .iter()
                .any(|(n, v)| n == name && matches!(v, ScoreValue::Dict(d) if dict_get(d, &ALIGNED_KEYS).is_some()))
        })
    };
    let mut judges: Vec<(String, Feed)> = Vec::new();
    let mut used: Vec<String> = Vec::new();
    for name in &scorers {
        if used.contains(name) {
            continue;
        }
        if is_dict_judge(name) {
            judges.push((name.clone(), Feed::Dict(name.clone())));
            used.push(name.clone());
            continue;
        }
        let partner = |part: &str, stems: &[&str]| {
            scorers
                .iter()
                .find(|other| {
                    !used.contains(other) && !is_dict_judge(other) && named_for(other, stems).as_deref() == Some(part)
                })
                .cloned()
        };
        if let Some(part) = named_for(name, &ALIGNED_KEYS) {
            if let Some(coherent) = partner(&part, &COHERENT_KEYS) {
                let judge = if part.is_empty() { crate::JudgeChoice::PUBLISHED.to_string() } else { part };
                used.push(name.clone());
                used.push(coherent.clone());
                judges.push((judge, Feed::Pair { aligned: name.clone(), coherent }));
            }
        } else if let Some(part) = named_for(name, &COHERENT_KEYS) {
            if let Some(aligned) = partner(&part, &ALIGNED_KEYS) {
                let judge = if part.is_empty() { crate::JudgeChoice::PUBLISHED.to_string() } else { part };
                used.push(name.clone());
                used.push(aligned.clone());
                judges.push((judge, Feed::Pair { aligned, coherent: name.clone() }));
            }
        }
    }
    let extras: Vec<String> = scorers.iter().filter(|n| !used.contains(n)).cloned().collect();

    let origin = |feed: &Feed| match feed {
        Feed::Dict(name) => JudgeOrigin::Published {
            aligned: Some(format!("{name}.alignment")),
            coherent: Some(format!("{name}.coherence")),
        },
        Feed::Pair { aligned, coherent } => {
            JudgeOrigin::Published { aligned: Some(aligned.clone()), coherent: Some(coherent.clone()) }
        }
    };
    let judge_specs: Vec<(String, JudgeOrigin)> =
        judges.iter().map(|(name, feed)| (name.clone(), origin(feed))).collect();
    let task = eval.task.clone().unwrap_or_default();
    let model = eval.model.clone().unwrap_or_default();
    let name = match (task.is_empty(), model.is_empty()) {
        (false, false) => format!("{task}: {model}"),
        (false, true) => task,
        (true, false) => model,
        (true, true) => super::detect::file_stem(source).to_string(),
    };
    let mut builder =
        RunBuilder::new(name, source, judge_specs, Vec::new(), vec!["sample_id".to_string(), "epoch".to_string()]);
    let mut extra_values: Vec<Vec<f64>> = vec![Vec::with_capacity(answers.len()); extras.len()];
    for (row, answer) in answers.iter().enumerate() {
        let find = |scorer: &str| answer.scores.iter().find(|(n, _)| n == scorer).map(|(_, v)| v);
        let scores: Vec<(f64, f64)> = judges
            .iter()
            .map(|(judge, feed)| match feed {
                Feed::Dict(scorer) => {
                    let raw = find(scorer);
                    let (aligned, coherent) = match raw {
                        Some(ScoreValue::Dict(d)) => (
                            dict_get(d, &ALIGNED_KEYS).copied().flatten(),
                            dict_get(d, &COHERENT_KEYS).copied().flatten(),
                        ),
                        _ => (None, None),
                    };
                    let column = |key: &str| format!("{judge}.{key}");
                    (
                        checked(aligned, raw, &column("alignment"), log),
                        checked(coherent, raw, &column("coherence"), log),
                    )
                }
                Feed::Pair { aligned, coherent } => {
                    let value = |scorer: &str| match find(scorer) {
                        Some(ScoreValue::Number(v)) => Some(*v),
                        _ => None,
                    };
                    (
                        checked(value(aligned), find(aligned), aligned, log),
                        checked(value(coherent), find(coherent), coherent, log),
                    )
                }
            })
            .collect();
        for (values, scorer) in extra_values.iter_mut().zip(&extras) {
            // Extra scores are 0–100 like every other score: others are blank, and reported.
            values.push(match find(scorer) {
                Some(ScoreValue::Number(v)) => checked(Some(*v), None, scorer, log),
                _ => f64::NAN,
            });
        }
        let question = builder.question(&answer.key, &answer.question);
        let meta = [builder.meta_value(0, &answer.sample_id), builder.meta_value(1, &answer.epoch)];
        let row = u32::try_from(row).unwrap_or(u32::MAX);
        builder.push_interned(row, 0, question, &answer.answer, &scores, &[], &meta);
    }
    let mut run = builder.finish();
    run.extra = extras.into_iter().zip(extra_values).map(|(name, values)| ScoreColumn { name, values }).collect();
    let first: Option<&JudgeLayer> = run.judges.first();
    let (aligned, coherent) = match first.map(|j| &j.origin) {
        Some(JudgeOrigin::Published { aligned, coherent }) => (aligned.clone(), coherent.clone()),
        _ => (None, None),
    };
    run.mapping = ColumnMapping {
        question: Some("input".to_string()),
        question_id: Some("metadata.question_id".to_string()),
        answer: Some("output.completion".to_string()),
        aligned,
        coherent,
        run_name: None,
    };
    let rows = run.len();
    Ok((run, rows))
}
