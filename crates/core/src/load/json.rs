//! JSON records: JSON Lines, or one array of objects. Each object becomes a
//! row of text cells under the union of keys, in first-seen order.

use std::collections::HashMap;
use std::fmt;

use ::csv::StringRecord;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::issues::{IssueLog, Kind};
use super::LoadError;

/// One parsed record.
pub(crate) struct Row {
    /// 0-based index among all records seen, skipped ones included.
    pub(crate) row: u32,
    pub(crate) line: u64,
    pub(crate) cells: StringRecord,
}

#[derive(Default)]
pub(crate) struct JsonTable {
    pub(crate) headers: Vec<String>,
    pub(crate) rows: Vec<Row>,
    /// Records seen, skipped ones included.
    pub(crate) seen: usize,
    /// The line of the first record skipped for nesting past serde_json's depth limit.
    pub(crate) too_deep: Option<u64>,
}

impl JsonTable {
    fn push(&mut self, line: u64, object: Object) {
        let mut cells: Vec<Option<String>> = vec![None; self.headers.len()];
        for (key, value) in object.0 {
            let at = match self.headers.iter().position(|h| *h == key) {
                Some(at) => at,
                None => {
                    self.headers.push(key);
                    cells.push(None);
                    self.headers.len() - 1
                }
            };
            if let Some(cell) = cells.get_mut(at) {
                *cell = Some(value);
            }
        }
        let mut record = StringRecord::with_capacity(cells.iter().flatten().map(String::len).sum(), cells.len());
        for cell in &cells {
            record.push_field(cell.as_deref().unwrap_or(""));
        }
        let row = u32::try_from(self.seen).unwrap_or(u32::MAX);
        self.rows.push(Row { row, line, cells: record });
        self.seen += 1;
    }

    fn skip(&mut self) {
        self.seen += 1;
    }
}

/// An object's fields in file order, each value flattened to text.
struct Object(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Object {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;
        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = Object;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Object, A::Error> {
                let mut fields = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let Cell(value) = map.next_value()?;
                    fields.push((key, value));
                }
                Ok(Object(fields))
            }
        }
        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// A JSON value as cell text: strings as is, `null` empty, numbers and booleans
/// as written, nested arrays and objects as compact JSON.
struct Cell(String);

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CellVisitor;
        impl<'de> Visitor<'de> for CellVisitor {
            type Value = Cell;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Cell, E> {
                Ok(Cell(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Cell, E> {
                Ok(Cell(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Cell, E> {
                Ok(Cell(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Cell, E> {
                Ok(Cell(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Cell, E> {
                Ok(Cell(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Cell, E> {
                Ok(Cell(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Cell, E> {
                Ok(Cell(String::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Cell, E> {
                Ok(Cell(String::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Cell, A::Error> {
                let value = serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
                Ok(Cell(value.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Cell, A::Error> {
                let value = serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(Cell(value.to_string()))
            }
        }
        deserializer.deserialize_any(CellVisitor)
    }
}

/// Tracks 1-based line numbers of increasing byte offsets into `text`.
struct LineCounter<'a> {
    text: &'a str,
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self { text, offset: 0, line: 1 }
    }

    /// Line of a slice borrowed from `text`.
    fn line_of(&mut self, part: &str) -> u64 {
        let at = (part.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize);
        self.line_at(at)
    }

    fn line_at(&mut self, at: usize) -> u64 {
        if at >= self.offset {
            let skipped = self.text.as_bytes().get(self.offset..at).unwrap_or_default();
            self.line += skipped.iter().filter(|&&b| b == b'\n').count() as u64;
            self.offset = at;
        }
        self.line
    }
}

/// serde_json's message without its "at line L column C", which would count
/// from the start of the one line we parsed rather than of the file.
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(at) => text.get(..at).unwrap_or(&text).to_string(),
        None => text,
    }
}

fn malformed(source: &str, line: u64, error: &serde_json::Error) -> LoadError {
    LoadError::Malformed { source: source.to_string(), line, message: format!("not valid JSON: {error}") }
}

/// serde_json refuses values nested deeper than 128 arrays and objects.
fn is_too_deep(error: &serde_json::Error) -> bool {
    error.to_string().contains("recursion limit exceeded")
}

fn push_raw(table: &mut JsonTable, raw: &RawValue, line: u64, log: &mut IssueLog) {
    match serde_json::from_str::<Object>(raw.get()) {
        Ok(object) => table.push(line, object),
        Err(error) if is_too_deep(&error) => {
            log.add(Kind::TooDeep, None, Some(line), || "nested more than 128 levels deep".to_string());
            table.too_deep.get_or_insert(line);
            table.skip();
        }
        Err(_) => {
            log.add(Kind::NotAnObject, None, Some(line), || super::issues::quote_cell(raw.get()));
            table.skip();
        }
    }
}

/// A JSON array of objects, or an object with a single key holding one.
pub(crate) fn read_array(text: &str, source: &str, log: &mut IssueLog) -> Result<JsonTable, LoadError> {
    let items: Vec<&RawValue> = match serde_json::from_str(text) {
        Ok(items) => items,
        Err(error) if error.is_eof() => match complete_elements(text) {
            Some(items) if !items.is_empty() => {
                log.note(Some(error.line() as u64), cut_short(items.len()));
                items
            }
            _ => return Err(malformed(source, error.line() as u64, &error)),
        },
        Err(error) => return Err(malformed(source, error.line() as u64, &error)),
    };
    let mut lines = LineCounter::new(text);
    let mut table = JsonTable::default();
    for raw in items {
        let line = lines.line_of(raw.get());
        push_raw(&mut table, raw, line, log);
    }
    Ok(table)
}

fn cut_short(kept: usize) -> String {
    let s = if kept == 1 { "" } else { "s" };
    format!(
        "the file ends in the middle of a record, as if cut short; the {kept} complete record{s} before it are kept"
    )
}

/// The complete elements of an array that ends too early (an interrupted download): `None`
/// unless the text starts an array and every element before the cut is valid JSON.
fn complete_elements(text: &str) -> Option<Vec<&RawValue>> {
    let mut rest = text.trim_start().strip_prefix('[')?;
    let mut items = Vec::new();
    loop {
        let element = rest.trim_start();
        let mut stream = serde_json::Deserializer::from_str(element).into_iter::<&RawValue>();
        match stream.next() {
            Some(Ok(raw)) => items.push(raw),
            Some(Err(error)) if error.is_eof() => return Some(items),
            None => return Some(items),
            Some(Err(_)) => return None,
        }
        let after = element.get(stream.byte_offset()..)?.trim_start();
        match after.strip_prefix(',') {
            Some(next) => rest = next,
            None if after.is_empty() => return Some(items),
            None => return None,
        }
    }
}

/// `{"results": [{...}, ...]}`: the one array of objects inside, if that is all there is.
fn wrapped_array(text: &str) -> Option<(String, Vec<&RawValue>)> {
    let object: HashMap<String, &RawValue> = serde_json::from_str(text).ok()?;
    if object.len() != 1 {
        return None;
    }
    let (key, inner) = object.into_iter().next()?;
    let items: Vec<&RawValue> = serde_json::from_str(inner.get()).ok()?;
    items.first().filter(|first| first.get().starts_with('{'))?;
    Some((key, items))
}

/// An object's keys and raw values, in file order.
struct OrderedRaw<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for OrderedRaw<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct OrderedVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for OrderedVisitor<'a> {
            type Value = OrderedRaw<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OrderedRaw<'a>, A::Error> {
                let mut fields = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    let value: &'a RawValue = map.next_value()?;
                    fields.push((key, value));
                }
                Ok(OrderedRaw(fields))
            }
        }
        deserializer.deserialize_map(OrderedVisitor(std::marker::PhantomData))
    }
}

/// A table stored by column, as pandas writes a data frame: `{"answer": ["a", "b"], ...}`
/// (`to_dict("list")`) or `{"answer": {"0": "a", "1": "b"}, ...}` (`to_json(orient="columns")`).
/// Two or more keys, every value a column of plain values (no objects or arrays), all of one
/// length: anything else is read as records.
fn column_object(text: &str) -> Option<JsonTable> {
    let OrderedRaw(fields) = serde_json::from_str(text).ok()?;
    if fields.len() < 2 {
        return None;
    }
    let plain = |raw: &&RawValue| !raw.get().starts_with(['{', '[']);
    let mut columns: Vec<(String, Vec<&RawValue>)> = Vec::with_capacity(fields.len());
    for (key, raw) in fields {
        let values: Vec<&RawValue> = if raw.get().starts_with('[') {
            serde_json::from_str(raw.get()).ok()?
        } else if raw.get().starts_with('{') {
            let OrderedRaw(entries) = serde_json::from_str(raw.get()).ok()?;
            if !entries.iter().all(|(k, _)| !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit())) {
                return None;
            }
            entries.into_iter().map(|(_, v)| v).collect()
        } else {
            return None;
        };
        if !values.iter().all(plain) {
            return None;
        }
        columns.push((key, values));
    }
    let rows = columns.first().map(|(_, v)| v.len())?;
    if rows == 0 || columns.iter().any(|(_, v)| v.len() != rows) {
        return None;
    }
    let mut table = JsonTable::default();
    for row in 0..rows {
        let mut fields = Vec::with_capacity(columns.len());
        for (key, values) in &columns {
            let raw = values.get(row)?;
            let Cell(cell) = serde_json::from_str(raw.get()).ok()?;
            fields.push((key.clone(), cell));
        }
        table.push(1, Object(fields));
    }
    Some(table)
}

/// One JSON object per line; bad lines are skipped and reported. A file whose
/// first object spans several lines is read as a stream of JSON values instead.
pub(crate) fn read_lines(text: &str, source: &str, log: &mut IssueLog) -> Result<JsonTable, LoadError> {
    if let Some(table) = column_object(text) {
        log.note(None, format!("read as columns: one array per column, {} records", table.seen));
        return Ok(table);
    }
    let mut table = JsonTable::default();
    if let Some((key, items)) = wrapped_array(text) {
        log.note(None, format!("records read from the array under key {key:?}"));
        let mut lines = LineCounter::new(text);
        for raw in items {
            let line = lines.line_of(raw.get());
            push_raw(&mut table, raw, line, log);
        }
        return Ok(table);
    }
    let mut first_error: Option<(u64, serde_json::Error)> = None;
    for (i, line) in text.split('\n').enumerate() {
        let line_no = i as u64 + 1;
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        match serde_json::from_str::<Object>(trimmed) {
            Ok(object) => table.push(line_no, object),
            Err(error) if is_too_deep(&error) => {
                log.add(Kind::TooDeep, None, Some(line_no), || "nested more than 128 levels deep".to_string());
                table.too_deep.get_or_insert(line_no);
                table.skip();
            }
            Err(error) if table.seen == 0 && error.is_eof() => return read_stream(text, source, log),
            Err(error) => {
                let kind = if error.is_data() { Kind::NotAnObject } else { Kind::BadJsonLine };
                log.add(kind, None, Some(line_no), || without_position(&error));
                first_error.get_or_insert((line_no, error));
                table.skip();
            }
        }
    }
    if table.rows.is_empty() && table.too_deep.is_none() {
        if let Some((line, error)) = first_error {
            return Err(malformed(source, line, &error));
        }
    }
    Ok(table)
}

/// Pretty-printed JSON: whitespace-separated values, or one object wrapping an array.
fn read_stream(text: &str, source: &str, log: &mut IssueLog) -> Result<JsonTable, LoadError> {
    let mut lines = LineCounter::new(text);
    let mut values: Vec<&RawValue> = Vec::new();
    for item in serde_json::Deserializer::from_str(text).into_iter::<&RawValue>() {
        match item {
            Ok(raw) => values.push(raw),
            // Cut short after some complete records: keep those.
            Err(error) if error.is_eof() && !values.is_empty() => {
                log.note(Some(error.line() as u64), cut_short(values.len()));
                break;
            }
            Err(error) => return Err(malformed(source, error.line() as u64, &error)),
        }
    }
    let mut table = JsonTable::default();
    for raw in values {
        let line = lines.line_of(raw.get());
        push_raw(&mut table, raw, line, log);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Headers, (line, cells) per row, records seen, issue count.
    type Checked = (Vec<String>, Vec<(u64, Vec<String>)>, usize, usize);

    fn check(text: &str, lines_mode: bool) -> Result<Checked, String> {
        let mut log = IssueLog::new("t.jsonl");
        let table =
            if lines_mode { read_lines(text, "t.jsonl", &mut log) } else { read_array(text, "t.json", &mut log) }
                .map_err(|e| e.to_string())?;
        let rows = table.rows.iter().map(|r| (r.line, r.cells.iter().map(str::to_string).collect())).collect();
        Ok((table.headers, rows, table.seen, log.finish().len()))
    }

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn keys_are_unioned_in_first_seen_order_and_values_flattened() {
        let text = "{\"b\": 1, \"a\": \"x\"}\n\n{\"c\": null, \"a\": true, \"d\": [1, {\"e\": 2}]}\n";
        let (headers, rows, seen, issues) = check(text, true).unwrap();
        assert_eq!(headers, ["b", "a", "c", "d"]);
        assert_eq!(rows[0], (1, strings(&["1", "x"])));
        assert_eq!(rows[1], (3, strings(&["", "true", "", "[1,{\"e\":2}]"])));
        assert_eq!((seen, issues), (2, 0));
    }

    #[test]
    fn bad_lines_are_skipped_but_counted() {
        let text = "{\"a\": 1}\n{broken\n[1]\n{\"a\": 2.5}\n";
        let (_, rows, seen, issues) = check(text, true).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].1, ["2.5"]);
        assert_eq!((seen, issues), (4, 2));
    }

    #[test]
    fn a_file_of_only_bad_lines_is_an_error_naming_the_line() {
        let err = check("\n{broken\n", true).unwrap_err();
        assert!(err.starts_with("t.jsonl line 2: not valid JSON"), "{err}");
    }

    #[test]
    fn arrays_give_each_element_its_line() {
        let (headers, rows, _, _) = check("[\n {\"a\": 1},\n {\"a\": 2}\n]", false).unwrap();
        assert_eq!(headers, ["a"]);
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [2, 3]);
        let err = check("[\n{\"a\": 1},\n{\"a\" 2}]", false).unwrap_err();
        assert!(err.starts_with("t.json line 3:"), "{err}");
    }

    #[test]
    fn an_array_cut_short_keeps_its_complete_records() {
        let (_, rows, seen, issues) =
            check("[\n {\"a\": 1},\n {\"a\": \"x,]\"},\n {\"a\": 3, \"b\": [1,", false).unwrap();
        assert_eq!(
            rows.iter().map(|r| (r.0, r.1.clone())).collect::<Vec<_>>(),
            [(2, strings(&["1"])), (3, strings(&["x,]"]))]
        );
        assert_eq!((seen, issues), (2, 1));
        let (_, rows, _, _) = check("[{\"a\": 1}", false).unwrap();
        assert_eq!(rows.len(), 1);
        // Nothing complete, or a syntax error before the cut: still an error naming the line.
        assert!(check("[\n{\"a\": ", false).unwrap_err().starts_with("t.json line 2:"));
        assert!(check("[{\"a\": 1} {\"a\": 2}, {\"a\"", false).is_err());
    }

    #[test]
    fn column_oriented_objects_are_read_as_columns() {
        let lists = "{\"question\": [\"q1\", \"q2\"], \"answer\": [\"a\", null], \"aligned\": [12.5, 90]}";
        let (headers, rows, seen, issues) = check(lists, true).unwrap();
        assert_eq!(headers, ["question", "answer", "aligned"]);
        assert_eq!(
            rows.iter().map(|r| r.1.clone()).collect::<Vec<_>>(),
            [strings(&["q1", "a", "12.5"]), strings(&["q2", "", "90"])]
        );
        assert_eq!((seen, issues), (2, 1));
        let pandas = "{\n \"answer\": {\"0\": \"a\", \"1\": \"b\"},\n \"aligned\": {\"0\": 1, \"1\": 2}\n}";
        let (headers, rows, _, _) = check(pandas, true).unwrap();
        assert_eq!(headers, ["answer", "aligned"]);
        assert_eq!(rows.len(), 2);
        // One record whose values happen to be lists of objects stays one record.
        let record = "{\"answer\": \"x\", \"messages\": [{\"role\": \"user\"}]}";
        assert_eq!(check(record, true).unwrap().1.len(), 1);
        // Columns of different lengths are not a table.
        assert_eq!(check("{\"a\": [1, 2], \"b\": [1]}", true).unwrap().1.len(), 1);
    }

    #[test]
    fn records_nested_too_deeply_are_named_as_such() {
        let deep = format!("{{\"answer\": \"x\", \"d\": {}1{}}}", "[".repeat(200), "]".repeat(200));
        let mut log = IssueLog::new("t.jsonl");
        let table = read_lines(&format!("{deep}\n{{\"answer\": \"y\"}}\n"), "t.jsonl", &mut log).unwrap();
        assert_eq!((table.rows.len(), table.seen, table.too_deep), (1, 2, Some(1)));
        let issues = log.finish();
        assert!(issues[0].message.contains("nested more than 128 levels"), "{issues:?}");
        let mut log = IssueLog::new("t.json");
        let table = read_array(&format!("[{deep}]"), "t.json", &mut log).unwrap();
        assert_eq!((table.rows.len(), table.too_deep), (0, Some(1)));
    }

    #[test]
    fn pretty_printed_objects_cut_short_keep_the_complete_ones() {
        let (_, rows, _, issues) = check("{\n \"a\": 1\n}\n{\n \"a\": 2\n}\n{\n \"a\":", true).unwrap();
        assert_eq!((rows.len(), issues), (2, 1));
    }

    #[test]
    fn pretty_printed_objects_and_wrapped_arrays_are_read() {
        let (_, rows, _, _) = check("{\n \"a\": 1\n}\n{\n \"a\": 2\n}\n", true).unwrap();
        assert_eq!(rows.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 4]);
        let (headers, rows, _, issues) = check("{\"results\": [\n{\"a\": 1},\n{\"a\": 2}]\n}", true).unwrap();
        assert_eq!((headers, rows.len(), issues), (strings(&["a"]), 2, 1));
    }
}
