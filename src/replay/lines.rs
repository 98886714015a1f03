//! Exact line numbers for CSV records, whatever the line endings.
//!
//! The `csv` crate reports the line at which it *started looking* for a
//! record, which is wrong after skipped blank lines and drifts by one per
//! line on CRLF files (what Excel writes). Errors must name the right line,
//! so the log is passed through [`Normalizer`] first: outside quoted fields
//! it turns CRLF and lone CR into LF and drops blank lines, remembering where
//! it dropped them. On that stream `csv`'s line numbers are exact, and
//! [`Normalizer::original_line`] maps them back to lines of the file.
//! Quoted fields pass through untouched (their newlines are data).

use std::collections::VecDeque;
use std::io::{self, Read};

/// Where the scanner is within the CSV syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// At the start of a field (a `"` here opens a quoted field).
    FieldStart,
    /// Inside an unquoted field.
    Unquoted,
    /// Inside a quoted field.
    Quoted,
    /// Just after a `"` inside a quoted field (`""` is an escaped quote).
    QuoteInQuoted,
}

/// A reader that normalises line endings and drops blank lines outside
/// quoted fields, keeping the map from its lines back to the input's.
pub struct Normalizer<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    len: usize,
    state: State,
    /// The last line break was a CR: a following LF belongs to it.
    after_cr: bool,
    /// Nothing but line breaks since the last emitted line break.
    at_line_start: bool,
    /// Line breaks emitted so far.
    emitted_lines: u64,
    /// Blank lines dropped so far.
    dropped: u64,
    /// (output line from which on, blank lines dropped before it), in order.
    marks: VecDeque<(u64, u64)>,
    /// Dropped lines before the last line asked about.
    base: u64,
}

impl<R: Read> Normalizer<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> Normalizer<R> {
        Normalizer {
            inner,
            buf: vec![0; 1 << 16].into_boxed_slice(),
            pos: 0,
            len: 0,
            state: State::FieldStart,
            after_cr: false,
            at_line_start: true,
            emitted_lines: 0,
            dropped: 0,
            marks: VecDeque::new(),
            base: 0,
        }
    }

    /// The input's line for line `line` of the normalised stream. Calls must
    /// come in non-decreasing order of `line` (records are read in order).
    pub fn original_line(&mut self, line: u64) -> u64 {
        while let Some(&(from, dropped)) = self.marks.front() {
            if from > line {
                break;
            }
            self.base = dropped;
            self.marks.pop_front();
        }
        line + self.base
    }

    /// A line break in the input outside quotes: emitted, or dropped when
    /// the line it ends is blank.
    fn line_break(&mut self, out: &mut [u8], n: &mut usize) {
        if self.at_line_start {
            self.dropped += 1;
            // The next output line is emitted_lines + 1.
            let next = self.emitted_lines + 1;
            match self.marks.back_mut() {
                Some(m) if m.0 == next => m.1 = self.dropped,
                _ => self.marks.push_back((next, self.dropped)),
            }
        } else {
            out[*n] = b'\n';
            *n += 1;
            self.emitted_lines += 1;
            self.at_line_start = true;
        }
        self.state = State::FieldStart;
    }
}

impl<R: Read> Read for Normalizer<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        let mut n = 0;
        loop {
            if self.pos == self.len {
                if n > 0 {
                    return Ok(n);
                }
                self.len = self.inner.read(&mut self.buf)?;
                self.pos = 0;
                if self.len == 0 {
                    return Ok(0);
                }
            }
            // Each input byte yields at most one output byte.
            while self.pos < self.len && n < out.len() {
                let b = self.buf[self.pos];
                self.pos += 1;
                let after_cr = std::mem::take(&mut self.after_cr);
                match self.state {
                    State::Quoted => {
                        if b == b'"' {
                            self.state = State::QuoteInQuoted;
                        }
                        if b == b'\n' {
                            self.emitted_lines += 1;
                        }
                        out[n] = b;
                        n += 1;
                    }
                    _ if b == b'\n' && after_cr => {} // the LF of a CRLF
                    _ if b == b'\n' || b == b'\r' => {
                        self.after_cr = b == b'\r';
                        self.line_break(out, &mut n);
                    }
                    s => {
                        self.state = match (s, b) {
                            (_, b',') => State::FieldStart,
                            (State::FieldStart, b'"') => State::Quoted,
                            (State::QuoteInQuoted, b'"') => State::Quoted,
                            _ => State::Unquoted,
                        };
                        self.at_line_start = false;
                        out[n] = b;
                        n += 1;
                    }
                }
            }
            if n == out.len() {
                return Ok(n);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Normalises `input`; returns the output and, for each output line
    /// (1-based), the input line.
    fn run(input: &[u8]) -> (String, Vec<u64>) {
        let mut r = Normalizer::new(input);
        let mut out = Vec::new();
        // Tiny reads exercise the buffer edges.
        let mut chunk = [0u8; 3];
        loop {
            let k = r.read(&mut chunk).unwrap();
            if k == 0 {
                break;
            }
            out.extend_from_slice(&chunk[..k]);
        }
        let lines = out.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
        let map = (1..=lines).map(|l| r.original_line(l)).collect();
        (String::from_utf8(out).unwrap(), map)
    }

    #[test]
    fn crlf_and_cr_become_lf() {
        assert_eq!(run(b"a,b\r\nc,d\r\n").0, "a,b\nc,d\n");
        assert_eq!(run(b"a,b\rc,d\r").0, "a,b\nc,d\n");
        assert_eq!(run(b"a,b\nc,d").0, "a,b\nc,d");
    }

    #[test]
    fn blank_lines_are_dropped_and_mapped_back() {
        // Input lines: 1 "h", 2 "", 3 "x", 4 "", 5 "", 6 "y".
        let (out, map) = run(b"h\r\n\r\nx\n\n\r\ny\n");
        assert_eq!(out, "h\nx\ny\n");
        assert_eq!(&map[..3], &[1, 3, 6]);
        // A blank first line.
        let (out, map) = run(b"\nh\nx\n");
        assert_eq!(out, "h\nx\n");
        assert_eq!(&map[..2], &[2, 3]);
    }

    #[test]
    fn quoted_fields_keep_their_line_breaks_and_count_them() {
        // Input lines: 1 h, 2-4 the record with a quoted "a\r\n\nb", 5 blank, 6 z.
        let (out, map) = run(b"h\n\"a\r\n\nb\",\"\"\"q\"\"\"\n\nz\n");
        assert_eq!(out, "h\n\"a\r\n\nb\",\"\"\"q\"\"\"\nz\n");
        // Output lines 1..5: h, "a, (blank inside quotes), b", z.
        assert_eq!(&map[..5], &[1, 2, 3, 4, 6]);
    }
}
