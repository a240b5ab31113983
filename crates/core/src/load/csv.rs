//! CSV records. We read the text twice (column statistics, then answers)
//! instead of keeping every record: re-parsing is cheap, memory is not.

use csv::{ReaderBuilder, StringRecord};

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

/// Where the last record (header included) starts, to check for an unterminated quote.
pub(crate) struct Visited {
    pub(crate) last_record_start: usize,
}

/// Calls `f(line, record)` for each data record, with the 1-based line it starts on.
pub(crate) fn visit(
    text: &str,
    delimiter: u8,
    source: &str,
    mut f: impl FnMut(u64, &StringRecord),
) -> Result<Visited, LoadError> {
    let bytes = text.as_bytes();
    let mut rdr = reader(text, delimiter);
    let mut record = StringRecord::new();
    let mut is_header = true;
    let mut last_record_start = 0;
    // The reader's own positions point at the end of the previous record,
    // before its line terminator and any blank lines, so we count lines ourselves.
    let (mut counted_to, mut line) = (0usize, 1u64);
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => return Err(malformed(source, &error)),
        }
        let after_previous = record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(usize::MAX));
        let start = after_previous
            + bytes.get(after_previous..).unwrap_or_default().iter().take_while(|&&b| b == b'\r' || b == b'\n').count();
        line += bytes.get(counted_to..start).unwrap_or_default().iter().filter(|&&b| b == b'\n').count() as u64;
        counted_to = start.max(counted_to);
        last_record_start = start;
        if is_header {
            is_header = false;
            continue;
        }
        f(line, &record);
    }
    Ok(Visited { last_record_start })
}

/// Whether the record starting at `start` opens a quoted field it never closes.
/// The CSV reader silently reads the rest of the file into that field; this
/// repeats its quoting rules on that one record to notice.
pub(crate) fn unterminated_quote(text: &str, start: usize, delimiter: u8) -> bool {
    let bytes = text.as_bytes().get(start..).unwrap_or_default();
    let mut in_quotes = false;
    let mut field_start = true;
    let mut iter = bytes.iter().peekable();
    while let Some(&byte) = iter.next() {
        if in_quotes {
            if byte == b'"' {
                if iter.peek() == Some(&&b'"') {
                    iter.next();
                } else {
                    in_quotes = false;
                }
            }
        } else if byte == b'"' && field_start {
            in_quotes = true;
            field_start = false;
        } else {
            field_start = byte == delimiter || byte == b'\n' || byte == b'\r';
        }
    }
    in_quotes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        visit(text, b',', "t", |line, r| out.push((line, r.iter().map(str::to_string).collect()))).unwrap();
        out
    }

    #[test]
    fn lines_are_where_records_start_and_blank_lines_are_skipped() {
        let got = records("a,b\r\n\"x\ny\",1\r\n\r\nz,2\n");
        assert_eq!(got, [(2, vec!["x\ny".into(), "1".into()]), (5, vec!["z".into(), "2".into()])]);
        let got = records("\n\na,b\n\nc,d\n\n\ne,f");
        assert_eq!(got.iter().map(|r| r.0).collect::<Vec<_>>(), [5, 8]);
    }

    #[test]
    fn unterminated_quotes_are_noticed() {
        assert!(unterminated_quote("\"abc,d\n", 0, b','));
        assert!(unterminated_quote("a,\"b\"\"\n", 0, b','));
        assert!(!unterminated_quote("a,\"b\"\"c\"\n", 0, b','));
        assert!(!unterminated_quote("5\" screen,x\n", 0, b','));
        assert!(!unterminated_quote("", 10, b','));
    }
}
