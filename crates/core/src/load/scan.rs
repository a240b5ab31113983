//! A resumable CSV record scanner for the streaming counter: text arrives in pieces, and only
//! the cells the counter reads are kept.
//!
//! It reads CSV exactly as the `csv` crate does with the loader's settings (no header handling,
//! flexible record lengths, `"` quotes with `""` escapes, no escape character, any of `\r`,
//! `\n`, `\r\n` ends a record, blank lines skipped), which the tests check record by record on
//! every fixture and shared transcript. Unlike `csv`, it never copies a cell it is told to skip,
//! and it jumps through quoted text with `memchr`: most of a transcript file is quoted answer
//! text that the counter only needs to know is there.

use std::ops::Range;

/// What to do with one column's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Keep the (unquoted) text.
    Keep,
    /// Only whether the cell is blank (whitespace only): keeps at most its leading whitespace
    /// and non-ASCII bytes, up to the first ASCII character that is not whitespace.
    Blank,
    /// Nothing.
    Skip,
}

/// One record, as far as its columns' modes keep it.
#[derive(Debug, Default)]
pub(crate) struct Record {
    store: Vec<u8>,
    fields: Vec<Field>,
    /// 1-based line the record starts on.
    pub(crate) line: u64,
}

#[derive(Debug, Clone)]
struct Field {
    kept: Range<usize>,
    /// An ASCII character other than whitespace was seen (so the cell is not blank).
    text: bool,
    /// A borrowing scanner's cell that is one stretch of the text: where it is (nothing copied).
    source: Option<Range<usize>>,
    /// A borrowing scanner's kept cell: from its first to its last kept byte, escapes included.
    span: Option<Range<usize>>,
}

impl Record {
    pub(crate) fn len(&self) -> usize {
        self.fields.len()
    }

    /// The kept bytes of field `i` (empty when skipped or absent, or borrowed: see [`Record::source`]).
    pub(crate) fn bytes(&self, i: usize) -> &[u8] {
        self.fields.get(i).and_then(|f| self.store.get(f.kept.clone())).unwrap_or_default()
    }

    /// Where field `i` lies in the text, when a borrowing scanner kept it there rather than copy it
    /// (any cell but a quoted one with `""` escapes).
    pub(crate) fn source(&self, i: usize) -> Option<Range<usize>> {
        self.fields.get(i)?.source.clone()
    }

    /// Where field `i` lies in the text from its first to its last kept byte, quotes that escape
    /// quotes included (a borrowing scanner's kept cells only).
    pub(crate) fn span(&self, i: usize) -> Option<Range<usize>> {
        self.fields.get(i)?.span.clone()
    }

    /// Whether field `i` (read in [`Mode::Blank`] or [`Mode::Keep`]) has any non-whitespace text,
    /// as `str::trim` sees it after decoding.
    pub(crate) fn has_text(&self, i: usize) -> bool {
        let Some(field) = self.fields.get(i) else { return false };
        field.text || !super::decode::decode_cell(self.bytes(i)).trim().is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StartRecord,
    StartField,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: an escaped quote, the field's end, or (as in `csv`) the
    /// start of unquoted text that continues the field.
    QuoteInQuoted,
}

#[derive(Debug)]
pub(crate) struct Scanner {
    delimiter: u8,
    state: State,
    record: Record,
    mode: Mode,
    field_start: usize,
    text: bool,
    /// Newlines in all bytes consumed so far.
    newlines: u64,
    /// Line of the last record started (the header included), and the newlines before it.
    last_line: u64,
    ended_in_quotes: bool,
    /// Cells in [`Mode::Keep`] stay where they are in the text (one chunk only: the whole text).
    borrow: bool,
    /// The current cell's stretch of the chunk while it is one (borrowing only).
    piece: Option<Range<usize>>,
    /// The current cell was copied after all (it is not one stretch).
    copied: bool,
    /// The current cell's first to last kept byte in the chunk (borrowing only).
    span: Option<Range<usize>>,
}

fn ascii_text(b: u8) -> bool {
    b.is_ascii() && !matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

impl Scanner {
    pub(crate) fn new(delimiter: u8) -> Scanner {
        Scanner {
            delimiter,
            state: State::StartRecord,
            record: Record::default(),
            mode: Mode::Keep,
            field_start: 0,
            text: false,
            newlines: 0,
            last_line: 0,
            ended_in_quotes: false,
            borrow: false,
            piece: None,
            copied: false,
            span: None,
        }
    }

    /// A scanner for a whole text given in one chunk, whose kept cells are located rather than
    /// copied ([`Record::source`]), except cells with escaped quotes. `has_text` is not tracked.
    pub(crate) fn borrowing(delimiter: u8) -> Scanner {
        Scanner { borrow: true, ..Scanner::new(delimiter) }
    }

    /// Newlines consumed so far: the line the next byte is on, less one.
    pub(crate) fn newlines(&self) -> u64 {
        self.newlines
    }

    /// After [`Scanner::finish`]: whether the text ended inside a quoted field (it swallowed the
    /// rest of the file).
    pub(crate) fn in_quotes(&self) -> bool {
        self.ended_in_quotes
    }

    /// The line the last record (header included) starts on; 0 before any record.
    pub(crate) fn last_line(&self) -> u64 {
        self.last_line
    }

    fn begin_field(&mut self, modes: &[Mode]) {
        self.mode = modes.get(self.record.fields.len()).copied().unwrap_or(Mode::Keep);
        self.field_start = self.record.store.len();
        self.text = false;
        self.piece = None;
        self.copied = false;
        self.span = None;
    }

    /// Takes bytes `range` of `chunk` into the current cell.
    #[inline]
    fn push(&mut self, chunk: &[u8], range: Range<usize>) {
        if range.is_empty() {
            return;
        }
        if self.borrow && self.mode == Mode::Keep {
            self.span = Some(self.span.as_ref().map_or(range.start, |s| s.start)..range.end);
        }
        if self.borrow && self.mode == Mode::Keep && !self.copied {
            match &mut self.piece {
                None => {
                    self.piece = Some(range);
                    return;
                }
                Some(piece) if piece.end == range.start => {
                    piece.end = range.end;
                    return;
                }
                Some(piece) => {
                    // Not one stretch (an escaped quote): copy what there is, then go on copying.
                    let piece = piece.clone();
                    self.record.store.extend_from_slice(chunk.get(piece).unwrap_or_default());
                    self.copied = true;
                }
            }
        }
        let bytes = chunk.get(range).unwrap_or_default();
        match self.mode {
            Mode::Skip => {}
            Mode::Keep => {
                self.text = self.text || bytes.iter().copied().any(ascii_text);
                self.record.store.extend_from_slice(bytes);
            }
            Mode::Blank => {
                if self.text {
                    return;
                }
                match bytes.iter().position(|&b| ascii_text(b)) {
                    Some(at) => {
                        self.record.store.extend_from_slice(bytes.get(..at).unwrap_or_default());
                        self.text = true;
                    }
                    None => self.record.store.extend_from_slice(bytes),
                }
            }
        }
    }

    fn end_field(&mut self) {
        let kept = self.field_start..self.record.store.len();
        let source =
            (self.borrow && self.mode == Mode::Keep && !self.copied).then(|| self.piece.clone().unwrap_or(0..0));
        let span = (self.borrow && self.mode == Mode::Keep).then(|| self.span.clone().unwrap_or(0..0));
        self.record.fields.push(Field { kept, text: self.text, source, span });
    }

    /// Scans `chunk` from `*pos`, with `modes` per column (columns past its end are kept). Returns
    /// the next complete record, or `None` when the chunk is used up (then feed the next one).
    /// `*pos` is advanced past what was consumed.
    pub(crate) fn next(&mut self, chunk: &[u8], pos: &mut usize, modes: &[Mode]) -> Option<&Record> {
        let mut i = *pos;
        let mut counted = i;
        let delimiter = self.delimiter;
        let done = loop {
            let Some(&byte) = chunk.get(i) else { break false };
            match self.state {
                State::StartRecord => {
                    if byte == b'\r' || byte == b'\n' {
                        i += 1;
                        continue;
                    }
                    self.newlines += count_newlines(chunk.get(counted..i).unwrap_or_default());
                    counted = i;
                    self.record.store.clear();
                    self.record.fields.clear();
                    self.record.line = self.newlines + 1;
                    self.last_line = self.record.line;
                    self.begin_field(modes);
                    self.state = State::StartField;
                }
                State::StartField => {
                    if byte == b'"' {
                        self.state = State::Quoted;
                        i += 1;
                    } else {
                        self.state = State::Unquoted;
                    }
                }
                State::Unquoted | State::QuoteInQuoted => {
                    if self.state == State::QuoteInQuoted {
                        if byte == b'"' {
                            self.push(chunk, i..i + 1);
                            self.state = State::Quoted;
                            i += 1;
                            continue;
                        }
                        self.state = State::Unquoted;
                    }
                    let rest = chunk.get(i..).unwrap_or_default();
                    match memchr::memchr3(delimiter, b'\n', b'\r', rest) {
                        None => {
                            self.push(chunk, i..chunk.len());
                            i = chunk.len();
                        }
                        Some(at) => {
                            self.push(chunk, i..i + at);
                            i += at + 1;
                            self.end_field();
                            if rest.get(at) == Some(&delimiter) {
                                self.begin_field(modes);
                                self.state = State::StartField;
                            } else {
                                self.state = State::StartRecord;
                                break true;
                            }
                        }
                    }
                }
                State::Quoted => {
                    let rest = chunk.get(i..).unwrap_or_default();
                    match memchr::memchr(b'"', rest) {
                        None => {
                            self.push(chunk, i..chunk.len());
                            i = chunk.len();
                        }
                        Some(at) => {
                            self.push(chunk, i..i + at);
                            i += at + 1;
                            self.state = State::QuoteInQuoted;
                        }
                    }
                }
            }
        };
        self.newlines += count_newlines(chunk.get(counted..i).unwrap_or_default());
        *pos = i;
        done.then_some(&self.record)
    }

    /// At the end of the text: the last record, if it was not ended by a line break.
    pub(crate) fn finish(&mut self) -> Option<&Record> {
        match self.state {
            State::StartRecord => None,
            State::StartField | State::Unquoted | State::Quoted | State::QuoteInQuoted => {
                self.end_field();
                // Remembered for `in_quotes`; a second `finish` gives nothing.
                self.ended_in_quotes = self.state == State::Quoted;
                self.state = State::StartRecord;
                Some(&self.record)
            }
        }
    }
}

fn count_newlines(bytes: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', bytes).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records as (line, fields).
    type Records = Vec<(u64, Vec<Vec<u8>>)>;

    /// Every record of `text` fed in pieces of `step` bytes, all columns kept, and whether the
    /// text ended inside quotes.
    fn scanned(text: &[u8], delimiter: u8, step: usize) -> (Records, bool) {
        let mut scanner = Scanner::new(delimiter);
        let mut out = Vec::new();
        let take = |r: &Record| (r.line, (0..r.len()).map(|i| r.bytes(i).to_vec()).collect::<Vec<_>>());
        for chunk in text.chunks(step.max(1)) {
            let mut pos = 0;
            while let Some(record) = scanner.next(chunk, &mut pos, &[]) {
                out.push(take(record));
            }
        }
        if let Some(record) = scanner.finish() {
            out.push(take(record));
        }
        (out, scanner.in_quotes())
    }

    /// The same records as the `csv` crate gives with the loader's settings, header included.
    fn by_csv_crate(text: &str, delimiter: u8) -> Records {
        super::super::csv::records_by_csv_crate(text, delimiter)
    }

    fn same_as_csv_crate(text: &str, delimiter: u8) {
        let want = by_csv_crate(text, delimiter);
        for step in [1, 2, 3, 7, 64, 4096, usize::MAX] {
            let (got, _) = scanned(text.as_bytes(), delimiter, step);
            assert_eq!(got, want, "step {step}: {text:?}");
        }
    }

    #[test]
    fn reads_csv_as_the_csv_crate_does() {
        let cases = [
            "a,b\n1,2\n",
            "a,b\r\n\"x\ny\",1\r\n\r\nz,2\n",
            "\n\na,b\n\nc,d\n\n\ne,f",
            "a,b\n\"un\"\"quote\"x,\"\"\n",
            "a,b\n\"abc\"def\"g,h\n",
            "a,b\n5\" screen,x\"y\"\n",
            "a,b\n,\n,,\n\"\"\n",
            "a,b\n1,2,\n3\r4\r\n",
            "a,b\n\"never closed,1\n2,3\n",
            "a,b\n\"closed\"",
            "a,b\n\"closed\"\"",
            " a , b \n x ,\"y\" \n",
            "only\n",
            "a;b\n1;\"2;3\"\n",
        ];
        for text in cases {
            same_as_csv_crate(text, if text.contains(';') { b';' } else { b',' });
        }
    }

    /// Every record of `text` read by a borrowing scanner in one chunk, cells as bytes.
    fn borrowed(text: &[u8], delimiter: u8) -> Records {
        let mut scanner = Scanner::borrowing(delimiter);
        let mut out = Vec::new();
        let take = |r: &Record| {
            let cell = |i: usize| match r.source(i) {
                Some(range) => text.get(range).unwrap_or_default().to_vec(),
                None => r.bytes(i).to_vec(),
            };
            (r.line, (0..r.len()).map(cell).collect::<Vec<_>>())
        };
        let mut pos = 0;
        while let Some(record) = scanner.next(text, &mut pos, &[]) {
            out.push(take(record));
        }
        if let Some(record) = scanner.finish() {
            out.push(take(record));
        }
        out
    }

    #[test]
    fn a_borrowing_scanner_reads_the_same_cells_and_copies_only_escaped_ones() {
        let cases = [
            "a,b\n1,2\n",
            "a,b\r\n\"x\ny\",1\r\n\r\nz,2\n",
            "a,b\n\"un\"\"quote\"x,\"\"\n",
            "a,b\n\"abc\"def\"g,h\n",
            "a,b\n5\" screen,x\"y\"\n",
            "a,b\n,\n,,\n\"\"\n",
            "a,b\n\"never closed,1\n2,3\n",
            "a,b\n\"closed\"\"",
            " a , b \n x ,\"y\" \n",
        ];
        for text in cases {
            assert_eq!(borrowed(text.as_bytes(), b','), by_csv_crate(text, b','), "{text:?}");
        }
        let mut scanner = Scanner::borrowing(b',');
        let mut pos = 0;
        let record = scanner.next(b"plain,\"quoted\",\"es\"\"caped\"\n", &mut pos, &[]).expect("a record");
        assert_eq!((record.source(0), record.source(1), record.source(2)), (Some(0..5), Some(7..13), None));
        assert_eq!(record.bytes(2), b"es\"caped");
    }

    #[test]
    fn finishing_twice_gives_the_last_record_once() {
        let mut scanner = Scanner::new(b',');
        let mut pos = 0;
        assert!(scanner.next(b"a,b", &mut pos, &[]).is_none());
        assert_eq!(scanner.finish().map(Record::len), Some(2));
        assert!(scanner.finish().is_none());
    }

    #[test]
    fn notices_an_unterminated_quote() {
        assert!(scanned(b"a,b\n\"x,1\n", b',', 3).1);
        assert!(scanned(b"a,b\n\"x\"\"\n", b',', 1).1);
        assert!(!scanned(b"a,b\n\"x\"\n", b',', 1).1);
        assert!(!scanned(b"a,b\n5\" screen\n", b',', 2).1);
    }

    #[test]
    fn blank_mode_keeps_only_leading_whitespace() {
        let mut scanner = Scanner::new(b',');
        let modes = [Mode::Blank, Mode::Blank, Mode::Blank, Mode::Skip];
        let mut pos = 0;
        let text = "  hello world,\" \u{a0} \",\"\u{4e2d}x\",skipped\n".as_bytes();
        let record = scanner.next(text, &mut pos, &modes).expect("a record");
        assert_eq!(record.len(), 4);
        assert_eq!(record.bytes(0), b"  ");
        assert!(record.has_text(0));
        assert!(!record.has_text(1));
        assert!(record.has_text(2));
        assert_eq!(record.bytes(3), b"");
    }

    fn files_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                files_under(&path, out);
            } else {
                out.push(path);
            }
        }
    }

    /// Record by record, the scanner equals the `csv` crate on every CSV-like fixture and shared
    /// transcript (decoded as the loader decodes them).
    #[test]
    fn equals_the_csv_crate_on_fixtures_and_shared_transcripts() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        files_under(&root.join("tests/fixtures"), &mut files);
        let shared = match std::env::var_os("PROBE_SHARED_DIR") {
            Some(dir) => std::path::PathBuf::from(dir),
            None => root.join("../../../shared"),
        };
        let transcripts = shared.join("transcripts");
        if transcripts.is_dir() {
            files_under(&transcripts, &mut files);
        } else {
            eprintln!("SKIPPED shared transcripts: no {}", transcripts.display());
        }
        let mut checked = 0;
        for path in files {
            let Ok(bytes) = std::fs::read(&path) else { continue };
            let source = path.to_string_lossy().into_owned();
            let mut log = super::super::issues::IssueLog::new(&source);
            let Ok(text) = super::super::decode::decode(&bytes, &source, &mut log) else { continue };
            let Ok(super::super::detect::Format::Csv { delimiter }) = super::super::detect::detect(&text, &source)
            else {
                continue;
            };
            let want = by_csv_crate(&text, delimiter);
            for step in [1 << 16, 1 << 20, 997] {
                let (got, _) = scanned(text.as_bytes(), delimiter, step);
                assert!(got == want, "{source} (pieces of {step}): scanner and csv crate differ");
            }
            assert!(borrowed(text.as_bytes(), delimiter) == want, "{source}: borrowing scanner and csv crate differ");
            checked += 1;
        }
        assert!(checked >= 20, "only {checked} CSV files checked");
    }
}
