//! Answer texts moved into the file's own buffer: how [`load_run_owned`](super::load_run_owned)
//! loads a CSV file without a second copy of its answers.
//!
//! The loader's pass over the records notes where each answer cell lies in the text
//! ([`Pieces`]) instead of copying it. After every pass is done, [`Pieces::compact`] moves the
//! answers, in file order, to the front of the buffer that holds the file. An answer is never
//! longer than its cell, and the answers before it never longer than the text before it, so the
//! write position never passes the read position: nothing still to be moved is overwritten. The
//! buffer, cut to the answers' length, becomes the run's text. Loading then needs the file's
//! memory once (plus a few columns), not the file and a copy of its answers beside it; wasm
//! memory never shrinks, so that high-water mark is what the tab keeps.

use std::ops::Range;

use super::csv::{Cells, Location};

/// Where one answer's text is, relative to the start of the decoded text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// One stretch of the text, as it is.
    Plain(Range<usize>),
    /// The inside of a quoted cell, each `""` in it standing for one `"`.
    Escaped(Range<usize>),
    /// Anything else (text after a closing quote, …): its bytes, copied into [`Pieces::side`].
    Side(Range<usize>),
}

/// The answers of one file, in file order, as [`Pieces::push`] noted them.
#[derive(Debug, Default)]
pub(crate) struct Pieces {
    pieces: Vec<Piece>,
    side: Vec<u8>,
    /// Set by the builder when it took the answers from here rather than copy them (CSV only).
    pub(crate) used: bool,
}

impl Pieces {
    pub(crate) fn reserve(&mut self, answers: usize) {
        self.pieces.reserve(answers.saturating_sub(self.pieces.len()));
    }

    /// Notes answer `text` (not blank), the unquoted value of cell `column` of `cells`.
    pub(crate) fn push(&mut self, cells: &Cells<'_>, column: usize, text: &str) {
        let piece = match cells.location(column) {
            Some(Location::Plain(range)) if range.len() == text.len() => Piece::Plain(range),
            Some(Location::Escaped(range)) if unescapes_to(cells.raw(range.clone()), text.as_bytes()) => {
                Piece::Escaped(range)
            }
            _ => {
                let start = self.side.len();
                self.side.extend_from_slice(text.as_bytes());
                Piece::Side(start..self.side.len())
            }
        };
        self.pieces.push(piece);
    }

    /// Moves the answers to the front of `buffer`, whose decoded text starts at `offset`, and
    /// cuts it to their length: their concatenation, in the order pushed.
    pub(crate) fn compact(self, mut buffer: Vec<u8>, offset: usize) -> Vec<u8> {
        let mut write = 0;
        for piece in &self.pieces {
            match piece {
                Piece::Plain(range) => {
                    let from = range.start + offset..range.end + offset;
                    if from.end <= buffer.len() && write <= from.start {
                        buffer.copy_within(from, write);
                        write += range.len();
                    }
                }
                Piece::Escaped(range) => {
                    let (mut read, end) = (range.start + offset, range.end.saturating_add(offset).min(buffer.len()));
                    while read < end {
                        let Some(&byte) = buffer.get(read) else { break };
                        if let Some(slot) = buffer.get_mut(write) {
                            *slot = byte;
                        }
                        write += 1;
                        read += if byte == b'"' { 2 } else { 1 };
                    }
                }
                Piece::Side(range) => {
                    let bytes = self.side.get(range.clone()).unwrap_or_default();
                    if let Some(slot) = buffer.get_mut(write..write + bytes.len()) {
                        slot.copy_from_slice(bytes);
                        write += bytes.len();
                    }
                }
            }
        }
        buffer.truncate(write);
        buffer
    }
}

/// Whether `raw`, with each `""` read as one `"`, is `text`.
fn unescapes_to(raw: &[u8], text: &[u8]) -> bool {
    let mut raw = raw.iter();
    let mut text = text.iter();
    loop {
        match (raw.next(), text.next()) {
            (None, None) => return true,
            (Some(b'"'), Some(b'"')) => {
                if raw.next() != Some(&b'"') {
                    return false;
                }
            }
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescaping_reads_each_doubled_quote_as_one() {
        assert!(unescapes_to(br#"say ""hi"" now"#, br#"say "hi" now"#));
        assert!(unescapes_to(b"", b""));
        assert!(!unescapes_to(br#"say "hi"#, br#"say "hi"#), "a single quote is not an escape");
        assert!(!unescapes_to(br#"a""b"#, br#"a""b"#));
        assert!(!unescapes_to(b"ab", b"abc"));
    }

    #[test]
    fn compacting_moves_each_kind_of_piece_to_the_front_in_order() {
        //            0123456789012345678901
        let buffer = b"xx,plain,\"a \"\"q\"\" b\",zz".to_vec();
        let pieces = Pieces {
            pieces: vec![Piece::Plain(1..6), Piece::Escaped(8..17), Piece::Side(0..4)],
            side: b"side".to_vec(),
            used: true,
        };
        let text = pieces.compact(buffer, 2);
        assert_eq!(String::from_utf8(text).unwrap(), "plaina \"q\" bside");
    }
}
