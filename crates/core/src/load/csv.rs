//! CSV records. We read the text twice (column statistics, then answers)
//! instead of keeping every record: re-parsing is cheap, memory is not.

use csv::{ReaderBuilder, StringRecord};

use super::scan::{Record, Scanner};
use super::LoadError;

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    // Flexible: ragged records are reported and repaired, not fatal.
    ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes())
}

fn malformed(source: &str, error: &csv::Error) -> LoadError {
    let line = error.position().map_or(1, csv::Position::line);
    LoadError::Malformed { source: source.to_string(), line, message: error.to_string() }
}

/// The header record's fields.
pub(crate) fn header(text: &str, delimiter: u8, source: &str) -> Result<Vec<String>, LoadError> {
    let mut rdr = reader(text, delimiter);
    let mut record = StringRecord::new();
    match rdr.read_record(&mut record) {
        Ok(true) => Ok(record.iter().map(str::to_string).collect()),
        Ok(false) => Err(LoadError::Empty { source: source.to_string() }),
        Err(error) => Err(malformed(source, &error)),
    }
}

/// How the text ended: inside a quoted field that swallowed the rest of the file, if it did.
pub(crate) struct Visited {
    /// The line the swallowing record starts on, and the lines it swallowed.
    pub(crate) unterminated: Option<(u64, u64)>,
}

/// One data record's cells, as [`visit`] hands them over.
pub(crate) struct Cells<'r> {
    text: &'r str,
    record: &'r Record,
    /// Byte offset in the text just past the record.
    pub(crate) end: usize,
}

/// Where a cell's text lies in the file's text.
pub(crate) enum Location {
    /// One stretch: the cell's text as it is.
    Plain(std::ops::Range<usize>),
    /// From its first to its last byte of text, quotes that escape quotes included.
    Escaped(std::ops::Range<usize>),
}

impl Cells<'_> {
    /// Where cell `i` lies in the text.
    pub(crate) fn location(&self, i: usize) -> Option<Location> {
        match self.record.source(i) {
            Some(range) => Some(Location::Plain(range)),
            None => self.record.span(i).map(Location::Escaped),
        }
    }

    /// Bytes `range` of the text.
    pub(crate) fn raw(&self, range: std::ops::Range<usize>) -> &[u8] {
        self.text.as_bytes().get(range).unwrap_or_default()
    }

    pub(crate) fn len(&self) -> usize {
        self.record.len()
    }

    /// Cell `i` (unquoted), `None` past the record's end. Cells are cut from UTF-8 text at ASCII
    /// delimiters and quotes, so they are UTF-8 themselves.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        if i >= self.record.len() {
            return None;
        }
        Some(match self.record.source(i) {
            Some(range) => self.text.get(range).unwrap_or_default(),
            None => std::str::from_utf8(self.record.bytes(i)).unwrap_or_default(),
        })
    }
}

/// Calls `f(line, record)` for each data record, with the 1-based line it starts on. Records are
/// read by [`Scanner`] (the `csv` crate's reading, checked equal in its tests), which jumps
/// through quoted text with `memchr` and counts lines as it goes.
pub(crate) fn visit(
    text: &str,
    delimiter: u8,
    _source: &str,
    mut f: impl FnMut(u64, &Cells<'_>),
) -> Result<Visited, LoadError> {
    let bytes = text.as_bytes();
    let mut scanner = Scanner::borrowing(delimiter);
    let mut pos = 0;
    let mut is_header = true;
    while let Some(record) = scanner.next(bytes, &mut pos, &[]) {
        if is_header {
            is_header = false;
            continue;
        }
        f(record.line, &Cells { text, record, end: pos });
    }
    if let Some(record) = scanner.finish() {
        if !is_header {
            f(record.line, &Cells { text, record, end: bytes.len() });
        }
    }
    let unterminated = scanner
        .in_quotes()
        .then(|| (scanner.last_line(), (scanner.newlines() + 1).saturating_sub(scanner.last_line())));
    Ok(Visited { unterminated })
}

/// The `csv` crate's records, header included, with the line each starts on: what [`Scanner`]
/// is checked against.
#[cfg(test)]
pub(crate) fn records_by_csv_crate(text: &str, delimiter: u8) -> Vec<(u64, Vec<Vec<u8>>)> {
    let bytes = text.as_bytes();
    let mut rdr = reader(text, delimiter);
    let mut record = StringRecord::new();
    let mut out = Vec::new();
    // The reader's own positions point at the end of the previous record,
    // before its line terminator and any blank lines, so we count lines ourselves.
    let (mut counted_to, mut line) = (0usize, 1u64);
    while let Ok(true) = rdr.read_record(&mut record) {
        let after_previous = record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let start = after_previous
            + bytes.get(after_previous..).unwrap_or_default().iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
        line += bytes.get(counted_to..start).unwrap_or_default().iter().filter(|&&b| b == b'\n').count() as u64;
        counted_to = start.max(counted_to);
        out.push((line, record.iter().map(|f| f.as_bytes().to_vec()).collect()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        visit(text, b',', "t", |line, r| {
            out.push((line, (0..r.len()).map(|i| r.get(i).unwrap_or("").to_string()).collect()))
        })
        .unwrap();
        out
    }

    #[test]
    fn lines_are_where_records_start_and_blank_lines_are_skipped() {
        let got = records("a,b\r\n\"x\ny\",1\r\n\r\nz,2\n");
        assert_eq!(got, [(2, vec!["x\ny".into(), "1".into()]), (5, vec!["z".into(), "2".into()])]);
        let got = records("\n\na,b\n\nc,d\n\n\ne,f");
        assert_eq!(got.iter().map(|r| r.0).collect::<Vec<_>>(), [5, 8]);
    }
}
