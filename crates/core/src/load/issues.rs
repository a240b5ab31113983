//! A bounded log of load issues.
//!
//! A 1M-row file with one bad column would otherwise produce 1M messages. We
//! keep one entry per (kind, column): a count and the first few examples.

use std::collections::HashMap;

use super::LoadIssue;

/// How many examples each aggregated issue keeps.
const EXAMPLES: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// Decoding, format and header notes: each is said once.
    Note,
    DuplicateColumn,
    UnnamedColumn,
    ShortRecord,
    LongRecord,
    OutOfRange,
    NotANumber,
    /// Scores written as `85/100` or `85%`: reported once per column.
    Fraction,
    BadJsonLine,
    NotAnObject,
    /// An archive entry that cannot be inflated or parsed.
    #[cfg_attr(not(feature = "formats"), allow(dead_code))]
    BadEntry,
    /// A JSON record nested past the parser's depth limit.
    TooDeep,
}

impl Kind {
    /// Headline for `count` occurrences.
    fn headline(self, count: u64) -> String {
        let (s, are) = if count == 1 { ("", "is") } else { ("s", "are") };
        match self {
            Kind::Note => String::new(),
            Kind::DuplicateColumn => format!("{count} duplicate column name{s} renamed"),
            Kind::UnnamedColumn => format!("{count} column{s} without a name, named by position"),
            Kind::ShortRecord => {
                format!("{count} record{s} with fewer fields than the header, padded with empty cells")
            }
            Kind::LongRecord => {
                format!("{count} record{s} with more fields than the header, extra fields kept as column_N")
            }
            Kind::OutOfRange => format!("{count} value{s} out of 0–100, treated as blank"),
            Kind::NotANumber => format!("{count} value{s} that {are} not a number, treated as blank"),
            Kind::Fraction => "scores written as fractions or percentages, read as 0–100".to_string(),
            Kind::BadJsonLine => format!("{count} line{s} that {are} not valid JSON, skipped"),
            Kind::NotAnObject => format!("{count} record{s} that {are} not a JSON object, skipped"),
            Kind::TooDeep => {
                format!("{count} record{s} nested too deeply to read (over 128 levels of arrays and objects), skipped")
            }
            Kind::BadEntry => {
                let (entries, are) = if count == 1 { ("entry", "is") } else { ("entries", "are") };
                format!("{count} archive {entries} that {are} corrupt or do not parse, skipped")
            }
        }
    }
}

#[derive(Debug)]
struct Entry {
    kind: Kind,
    column: Option<String>,
    count: u64,
    examples: Vec<(Option<u64>, String)>,
}

#[derive(Debug)]
pub(crate) struct IssueLog {
    source: String,
    entries: Vec<Entry>,
    index: HashMap<(Kind, Option<String>), usize>,
}

impl IssueLog {
    pub(crate) fn new(source: &str) -> Self {
        Self { source: source.to_string(), entries: Vec::new(), index: HashMap::new() }
    }

    /// A one-off message, never aggregated.
    pub(crate) fn note(&mut self, line: Option<u64>, message: impl Into<String>) {
        self.entries.push(Entry { kind: Kind::Note, column: None, count: 1, examples: vec![(line, message.into())] });
    }

    /// Counts one occurrence; `example` is only built for the first few.
    pub(crate) fn add(
        &mut self,
        kind: Kind,
        column: Option<&str>,
        line: Option<u64>,
        example: impl FnOnce() -> String,
    ) {
        let key = (kind, column.map(str::to_string));
        let at = match self.index.get(&key) {
            Some(&at) => at,
            None => {
                self.entries.push(Entry { kind, column: key.1.clone(), count: 0, examples: Vec::new() });
                self.index.insert(key, self.entries.len() - 1);
                self.entries.len() - 1
            }
        };
        if let Some(entry) = self.entries.get_mut(at) {
            entry.count += 1;
            if entry.examples.len() < EXAMPLES {
                entry.examples.push((line, example()));
            }
        }
    }

    pub(crate) fn finish(self) -> Vec<LoadIssue> {
        let source = self.source;
        self.entries
            .into_iter()
            .map(|entry| {
                let line = entry.examples.first().and_then(|(line, _)| *line);
                let message = if entry.kind == Kind::Note {
                    entry.examples.into_iter().next().map(|(_, m)| m).unwrap_or_default()
                } else {
                    let examples: Vec<String> = entry
                        .examples
                        .iter()
                        .map(|(line, text)| match line {
                            Some(line) => format!("line {line}: {text}"),
                            None => text.clone(),
                        })
                        .collect();
                    let more = if entry.count > entry.examples.len() as u64 { "; …" } else { "" };
                    format!("{} ({}{more})", entry.kind.headline(entry.count), examples.join("; "))
                };
                LoadIssue { source: source.clone(), line, column: entry.column, message }
            })
            .collect()
    }
}

/// Quotes a cell for a message, shortened so one huge cell cannot flood the log.
pub(crate) fn quote_cell(cell: &str) -> String {
    const MAX: usize = 40;
    match cell.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{:?}…", &cell[..cut]),
        None => format!("{cell:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn many_occurrences_become_one_issue_with_three_examples() {
        let mut log = IssueLog::new("f.csv");
        for line in 2..1_000_002u64 {
            log.add(Kind::OutOfRange, Some("aligned"), Some(line), || format!("'{line}'"));
        }
        let issues = log.finish();
        assert_eq!(issues.len(), 1);
        let issue = &issues[0];
        assert_eq!(issue.line, Some(2));
        assert_eq!(issue.column.as_deref(), Some("aligned"));
        assert_eq!(
            issue.message,
            "1000000 values out of 0–100, treated as blank (line 2: '2'; line 3: '3'; line 4: '4'; …)"
        );
    }

    #[test]
    fn kinds_and_columns_are_kept_apart() {
        let mut log = IssueLog::new("f.csv");
        log.add(Kind::OutOfRange, Some("aligned"), Some(2), || "a".into());
        log.add(Kind::OutOfRange, Some("coherent"), Some(3), || "b".into());
        log.add(Kind::ShortRecord, None, Some(4), || "c".into());
        log.note(None, "decoded as Windows-1252");
        assert_eq!(log.finish().len(), 4);
    }

    #[test]
    fn long_cells_are_shortened_in_messages() {
        let long = "x".repeat(10_000);
        assert!(quote_cell(&long).len() < 60);
        assert_eq!(quote_cell("ab"), "\"ab\"");
    }
}
