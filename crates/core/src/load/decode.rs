//! Bytes to text: byte-order marks, UTF-16, and a Windows-1252 fallback for
//! bytes that are not UTF-8. Binary input is refused here, before parsing.

use std::borrow::Cow;

use super::issues::IssueLog;
use super::LoadError;

/// How far we look for NUL bytes and magic numbers.
const SNIFF_LEN: usize = 1024;

/// Decodes `bytes` to text, noting any non-UTF-8 fallback in `log`.
pub(crate) fn decode<'a>(bytes: &'a [u8], source: &str, log: &mut IssueLog) -> Result<Cow<'a, str>, LoadError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Ok(utf8_or_fallback(rest, log));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return Ok(Cow::Owned(utf16(rest, Endian::Little, log)));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return Ok(Cow::Owned(utf16(rest, Endian::Big, log)));
    }
    if let Some(what) = binary_kind(bytes) {
        return Err(LoadError::Binary { source: source.to_string(), what: what.to_string() });
    }
    let head = bytes.get(..SNIFF_LEN).unwrap_or(bytes);
    if head.contains(&0) {
        // UTF-16 without a byte-order mark puts a NUL beside every ASCII character.
        if let Some(endian) = bomless_utf16(head) {
            log.note(None, format!("no byte-order mark; decoded as UTF-16{}", endian.name()));
            return Ok(Cow::Owned(utf16(bytes, endian, log)));
        }
        // A few stray NUL bytes in a text file (a crashed writer, a bad copy): drop them and
        // keep the rows. Many of them: a binary file.
        let nuls = memchr::memchr_iter(0, bytes).count();
        if nuls * 100 > bytes.len() {
            return Err(LoadError::Binary { source: source.to_string(), what: "contains NUL bytes".to_string() });
        }
        let first = bytes.iter().position(|&b| b == 0).unwrap_or(0);
        let line = 1 + memchr::memchr_iter(b'\n', bytes.get(..first).unwrap_or_default()).count() as u64;
        let s = if nuls == 1 { "" } else { "s" };
        log.note(Some(line), format!("{nuls} NUL byte{s} removed (the first on this line); the rows are kept"));
        let cleaned: Vec<u8> = bytes.iter().copied().filter(|&b| b != 0).collect();
        return Ok(Cow::Owned(utf8_or_fallback(&cleaned, log).into_owned()));
    }
    Ok(utf8_or_fallback(bytes, log))
}

/// Recognises common non-text formats by their magic numbers, for a helpful message.
fn binary_kind(bytes: &[u8]) -> Option<&'static str> {
    // Zip archives never get here: `load_run` hands them to the Inspect reader first.
    const MAGIC: [(&[u8], &str); 5] = [
        (b"\x1F\x8B", "gzip-compressed; decompress it first"),
        (b"%PDF", "a PDF document"),
        (b"PAR1", "a Parquet file; convert it to CSV or JSONL"),
        (b"\x89PNG", "a PNG image"),
        (b"SQLite format 3\0", "an SQLite database"),
    ];
    MAGIC.iter().find(|(magic, _)| bytes.starts_with(magic)).map(|(_, what)| *what)
}

#[derive(Debug, Clone, Copy)]
enum Endian {
    Little,
    Big,
}

impl Endian {
    fn name(self) -> &'static str {
        match self {
            Endian::Little => "LE",
            Endian::Big => "BE",
        }
    }
}

fn bomless_utf16(head: &[u8]) -> Option<Endian> {
    let pairs: Vec<[u8; 2]> = head.chunks_exact(2).map(|p| [p[0], p[1]]).collect();
    if pairs.len() < 2 {
        return None;
    }
    let ascii = |b: u8| b != 0 && b.is_ascii();
    if pairs.iter().all(|[a, b]| ascii(*a) && *b == 0) {
        Some(Endian::Little)
    } else if pairs.iter().all(|[a, b]| *a == 0 && ascii(*b)) {
        Some(Endian::Big)
    } else {
        None
    }
}

fn utf16(bytes: &[u8], endian: Endian, log: &mut IssueLog) -> String {
    let units = bytes.chunks_exact(2).map(|p| match endian {
        Endian::Little => u16::from_le_bytes([p[0], p[1]]),
        Endian::Big => u16::from_be_bytes([p[0], p[1]]),
    });
    let mut bad = 0u64;
    let text: String = char::decode_utf16(units)
        .map(|c| {
            c.unwrap_or_else(|_| {
                bad += 1;
                char::REPLACEMENT_CHARACTER
            })
        })
        .collect();
    if bad > 0 {
        log.note(None, format!("{bad} unpaired UTF-16 surrogates replaced by U+FFFD"));
    }
    if bytes.len() % 2 == 1 {
        log.note(None, "UTF-16 text has an odd number of bytes; the last byte was dropped");
    }
    text
}

/// Valid UTF-8 is borrowed as is. Otherwise each byte that is not part of a valid
/// UTF-8 sequence is read as Windows-1252, so Latin-1 files read right and a
/// mostly-UTF-8 file with one stray byte keeps its other characters.
fn utf8_or_fallback<'a>(bytes: &'a [u8], log: &mut IssueLog) -> Cow<'a, str> {
    let first_error = match std::str::from_utf8(bytes) {
        Ok(text) => return Cow::Borrowed(text),
        Err(error) => error.valid_up_to(),
    };
    let line = 1 + bytes.get(..first_error).unwrap_or(bytes).iter().filter(|&&b| b == b'\n').count() as u64;
    let (out, replaced) = fallback(bytes);
    log.note(Some(line), fallback_message(replaced));
    Cow::Owned(out)
}

/// The note for a file that is not valid UTF-8, with how many bytes were read as Windows-1252.
pub(crate) fn fallback_message(replaced: u64) -> String {
    format!("not valid UTF-8 (first bad byte on this line); {replaced} bytes read as Windows-1252/Latin-1")
}

/// Decodes as [`utf8_or_fallback`] does, returning the text and how many bytes were replaced.
fn fallback(bytes: &[u8]) -> (String, u64) {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut rest = bytes;
    let mut replaced = 0u64;
    while !rest.is_empty() {
        match std::str::from_utf8(rest) {
            Ok(text) => {
                out.push_str(text);
                break;
            }
            Err(error) => {
                let (valid, after) = rest.split_at(error.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad_len = error.error_len().unwrap_or(after.len()).max(1);
                let (bad, after) = after.split_at(bad_len.min(after.len()));
                for &byte in bad {
                    out.push(windows_1252(byte));
                    replaced += 1;
                }
                rest = after;
            }
        }
    }
    (out, replaced)
}

/// One CSV cell (or any piece that starts and ends on a character boundary: an ASCII byte, or
/// the file's start or end) decoded exactly as [`decode`] decodes it as part of the whole file.
/// Used by the streaming counter, which never holds the whole text.
pub(crate) fn decode_cell(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => Cow::Owned(fallback(bytes).0),
    }
}

/// Streaming twin of the UTF-8 check in [`decode`]: counts the bytes that the whole-file
/// decoder would read as Windows-1252, and the line of the first, over text fed in pieces.
#[derive(Debug, Default)]
pub(crate) struct Utf8Watch {
    /// Trailing non-ASCII bytes of the last piece: a character may continue in the next one.
    carry: Vec<u8>,
    /// The line the carried bytes are on (they hold no newline).
    carry_line: u64,
    replaced: u64,
    first_line: Option<u64>,
}

impl Utf8Watch {
    /// Checks the next piece of text; `line` is the 1-based line its first byte is on, and
    /// `end_line` the line its last byte is on.
    pub(crate) fn feed(&mut self, bytes: &[u8], line: u64, end_line: u64) {
        if self.carry.is_empty() && std::str::from_utf8(bytes).is_ok() {
            return;
        }
        let mut rest = bytes;
        if !self.carry.is_empty() {
            // The carry ends at the first ASCII byte of this piece (ASCII is always a boundary).
            let Some(first_ascii) = rest.iter().position(u8::is_ascii) else {
                self.carry.extend_from_slice(rest);
                return;
            };
            let (head, tail) = rest.split_at(first_ascii);
            let mut piece = std::mem::take(&mut self.carry);
            piece.extend_from_slice(head);
            let carry_line = self.carry_line;
            self.check(&piece, carry_line);
            rest = tail;
        }
        // Check up to the last ASCII byte; carry what follows.
        let cut = rest.iter().rposition(u8::is_ascii).map_or(0, |last| last + 1);
        let (checked, carried) = rest.split_at(cut);
        self.check(checked, line);
        self.carry.extend_from_slice(carried);
        self.carry_line = end_line;
    }

    /// Checks text that ends on a character boundary (or at the end of the file).
    fn check(&mut self, bytes: &[u8], line: u64) {
        let mut rest = bytes;
        let mut done = 0usize;
        while !rest.is_empty() {
            let Err(error) = std::str::from_utf8(rest) else { break };
            let valid = error.valid_up_to();
            if self.first_line.is_none() {
                let before = bytes.get(..done + valid).unwrap_or(bytes);
                self.first_line = Some(line + memchr::memchr_iter(b'\n', before).count() as u64);
            }
            let bad_len = error.error_len().unwrap_or(rest.len() - valid).max(1);
            let skip = (valid + bad_len).min(rest.len());
            self.replaced += (skip - valid) as u64;
            done += skip;
            rest = rest.get(skip..).unwrap_or_default();
        }
    }

    /// At the end of the text: the note [`decode`] would have written, if any, with its line.
    pub(crate) fn finish(mut self) -> Option<(u64, String)> {
        let carry = std::mem::take(&mut self.carry);
        let carry_line = self.carry_line;
        self.check(&carry, carry_line);
        self.first_line.map(|line| (line, fallback_message(self.replaced)))
    }
}

/// Windows-1252 is Latin-1 except for printable characters in 0x80–0x9F.
fn windows_1252(byte: u8) -> char {
    const HIGH: [u32; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
        0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
        0x0153, 0x9D, 0x017E, 0x0178,
    ];
    match byte {
        0x80..=0x9F => HIGH
            .get(usize::from(byte - 0x80))
            .and_then(|&code| char::from_u32(code))
            .unwrap_or(char::REPLACEMENT_CHARACTER),
        _ => char::from(byte),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8]) -> (Result<String, String>, Vec<String>) {
        let mut log = IssueLog::new("t.csv");
        let text = decode(bytes, "t.csv", &mut log).map(|t| t.into_owned()).map_err(|e| e.to_string());
        (text, log.finish().into_iter().map(|i| i.message).collect())
    }

    #[test]
    fn utf8_is_borrowed_and_bom_stripped() {
        assert_eq!(check(b"\xEF\xBB\xBFa,b\n").0.unwrap(), "a,b\n");
        let mut log = IssueLog::new("t");
        assert!(matches!(decode(b"caf\xC3\xA9", "t", &mut log), Ok(Cow::Borrowed("café"))));
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain("é,b".encode_utf16().flat_map(u16::to_le_bytes)).collect();
        let be: Vec<u8> = [0xFE, 0xFF].into_iter().chain("é,b".encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(check(&le).0.unwrap(), "é,b");
        assert_eq!(check(&be).0.unwrap(), "é,b");
    }

    #[test]
    fn utf16_without_bom_is_recognised() {
        let le: Vec<u8> = "answer,aligned\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
        let (text, issues) = check(&le);
        assert_eq!(text.unwrap(), "answer,aligned\n");
        assert_eq!(issues, ["no byte-order mark; decoded as UTF-16LE"]);
    }

    #[test]
    fn invalid_utf8_falls_back_to_windows_1252_per_byte() {
        let (text, issues) = check(b"a\nna\xEFve \x93quoted\x94 caf\xC3\xA9");
        assert_eq!(text.unwrap(), "a\nnaïve \u{201C}quoted\u{201D} café");
        assert_eq!(issues.len(), 1);
        assert!(issues[0].contains("Windows-1252"), "{issues:?}");
    }

    #[test]
    fn nul_bytes_and_magic_numbers_are_binary() {
        assert!(check(b"a,b\n\0\x01\x02").0.unwrap_err().contains("binary"));
        assert!(check(&[0u8; 64]).0.unwrap_err().contains("NUL"));
        assert!(check(b"\x1F\x8B\x08\0").0.unwrap_err().contains("gzip"));
        assert!(check(b"%PDF-1.7").0.unwrap_err().contains("PDF"));
    }

    #[test]
    fn a_few_nul_bytes_are_dropped_with_a_note_and_the_rows_kept() {
        let mut text = b"answer,aligned\nfine,50\nbro\0ken,60\n".to_vec();
        text.extend(std::iter::repeat_n(b"more,70\n".as_slice(), 20).flatten());
        let (decoded, issues) = check(&text);
        let decoded = decoded.unwrap();
        assert!(decoded.contains("broken,60") && !decoded.contains('\0'));
        assert_eq!(issues, ["1 NUL byte removed (the first on this line); the rows are kept"]);
    }

    #[test]
    fn odd_length_utf16_and_lone_surrogates_do_not_panic() {
        assert!(check(b"\xFF\xFEa\0b").0.is_ok());
        assert!(check(b"\xFF\xFE\x00\xD8a\0").0.is_ok());
        assert!(check(b"\xFE\xFF").0.is_ok());
    }
}
