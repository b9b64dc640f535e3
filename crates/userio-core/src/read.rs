//! Streaming user records out of a JSON array or NDJSON input.
//!
//! [`UserReader`] walks the input once, holding only the current record in memory, and
//! hands out each top-level element as raw bytes ([`Record`]) with its index and
//! [`Position`]. Parsing is left to the caller (`serde_json::from_slice`, or
//! [`Record::parse`] which maps parse errors back to file positions), so the validator,
//! the exporter and the converters all share one reader and one notion of "where".
//!
//! ```
//! use userio_core::read::UserReader;
//!
//! let input = br#"[{"email":"a@example.com"}, {"email":"b@example.com"}]"#;
//! let mut reader = UserReader::new(&input[..]);
//! let mut emails = Vec::new();
//! while let Some(record) = reader.next_record() {
//!     let user = record?.parse()?;
//!     emails.push(user["email"].as_str().unwrap().to_owned());
//! }
//! assert_eq!(emails, ["a@example.com", "b@example.com"]);
//! # Ok::<(), userio_core::read::ReadError>(())
//! ```

use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;

use serde_json::Value;

use crate::position::Position;

pub(crate) mod parallel;
mod scan;

use scan::ScanState;

/// How the users are laid out in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// Decide from the first non-whitespace byte: `[` is an array, `{` is NDJSON.
    #[default]
    Auto,
    /// One JSON array of users (Auth0's import format).
    Array,
    /// One JSON value per line (what Auth0's export jobs produce).
    Ndjson,
}

/// Limits that keep a hostile or mistaken input from exhausting memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// Refuse inputs longer than this many bytes (after decompression). `None`: no limit.
    pub max_bytes: Option<u64>,
    /// Refuse a single record longer than this many bytes. Default 16 MiB (Auth0 indexes at
    /// most 1 MB per user).
    pub max_record_bytes: usize,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits { max_bytes: None, max_record_bytes: 16 << 20 }
    }
}

/// What went wrong while reading the input as a whole (not one user's content).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReadErrorKind {
    /// The input could not be read.
    #[error("cannot read the input: {0}")]
    Io(String),
    /// The input is empty or only whitespace.
    #[error("the input is empty: expected a JSON array of users or NDJSON (one user per line)")]
    Empty,
    /// A byte that cannot start or continue the expected structure.
    #[error("expected {expected}, found {found}")]
    Unexpected {
        /// What the reader was looking for.
        expected: &'static str,
        /// A description of what it found.
        found: String,
    },
    /// `,]` at the end of an array: Auth0 refuses the whole file for it.
    #[error("trailing comma before `]`: remove the comma after the last user")]
    TrailingComma,
    /// The input ended inside a record or before the closing `]`.
    #[error(
        "the input ends too early ({0}): the file is truncated or a bracket or quote is missing"
    )]
    Truncated(&'static str),
    /// A record did not parse as JSON.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// Over [`ReadLimits::max_bytes`].
    #[error("the input is larger than the limit of {0} bytes")]
    TooLarge(u64),
    /// Over [`ReadLimits::max_record_bytes`].
    #[error("a single user record is larger than the limit of {0} bytes")]
    RecordTooLarge(usize),
}

/// A whole-input problem, with where it happened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind} at {position}")]
pub struct ReadError {
    /// What went wrong.
    pub kind: ReadErrorKind,
    /// Where in the (decompressed) input.
    pub position: Position,
    /// The index of the user being read when it happened, if any.
    pub index: Option<u64>,
}

impl ReadError {
    /// A stable machine-readable code for this error (`json_invalid`, `file_truncated`, …).
    pub fn code(&self) -> &'static str {
        match self.kind {
            ReadErrorKind::Io(_) => "io_error",
            ReadErrorKind::Empty => "file_empty",
            ReadErrorKind::Unexpected { .. } => "json_unexpected",
            ReadErrorKind::TrailingComma => "json_trailing_comma",
            ReadErrorKind::Truncated(_) => "file_truncated",
            ReadErrorKind::Json(_) => "json_invalid",
            ReadErrorKind::TooLarge(_) => "file_too_large",
            ReadErrorKind::RecordTooLarge(_) => "record_too_large",
        }
    }
}

/// One top-level element of the input, as raw bytes.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// 0-based index of the user in the input.
    pub index: u64,
    /// Where the record's first byte is.
    pub position: Position,
    /// The record's JSON text, exactly as in the input.
    pub raw: &'a [u8],
}

impl Record<'_> {
    /// Parses the record, mapping a JSON error to its position in the whole input.
    pub fn parse(&self) -> Result<Value, ReadError> {
        serde_json::from_slice(self.raw).map_err(|e| self.json_error(&e))
    }

    /// Turns a `serde_json` error about this record into a [`ReadError`] at the right place.
    pub fn json_error(&self, e: &serde_json::Error) -> ReadError {
        let offset = offset_of_line_col(self.raw, e.line(), e.column());
        let mut msg = e.to_string();
        if let Some(cut) = msg.find(" at line ") {
            msg.truncate(cut);
        }
        ReadError {
            kind: ReadErrorKind::Json(msg),
            position: self.position.advanced(&self.raw[..offset]),
            index: Some(self.index),
        }
    }
}

/// Byte offset of serde_json's (1-based line, 1-based byte column) inside `raw`.
fn offset_of_line_col(raw: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        memchr::memchr_iter(b'\n', raw).nth(line - 2).map_or(raw.len(), |i| i + 1)
    };
    (line_start + column.saturating_sub(1)).min(raw.len())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    ArrayFirst,
    ArrayNext,
    Ndjson,
    Done,
}

const CHUNK: usize = 64 * 1024;

/// Streams [`Record`]s out of a JSON array or NDJSON input. See the [module docs](self).
pub struct UserReader<R> {
    src: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    /// The position of `buf[counted]`; the bytes from there to `start` are consumed but
    /// not yet counted into it (counting lazily skips the character count of every record
    /// that a newline follows).
    pos: Position,
    counted: usize,
    state: State,
    format: InputFormat,
    limits: ReadLimits,
    index: u64,
    read_total: u64,
}

impl<R: Read> UserReader<R> {
    /// A reader that detects the layout from the first byte.
    pub fn new(src: R) -> Self {
        Self::with_options(src, InputFormat::Auto, ReadLimits::default())
    }

    /// A reader with an explicit layout and limits.
    pub fn with_options(src: R, format: InputFormat, limits: ReadLimits) -> Self {
        UserReader {
            src,
            buf: vec![0; CHUNK],
            start: 0,
            end: 0,
            eof: false,
            pos: Position::START,
            counted: 0,
            state: State::Start,
            format,
            limits,
            index: 0,
            read_total: 0,
        }
    }

    /// The layout in use: the one given, or the detected one once the first record is read.
    pub fn format(&self) -> InputFormat {
        self.format
    }

    /// How many records have been handed out so far.
    pub fn records_read(&self) -> u64 {
        self.index
    }

    /// The position just after the last byte consumed.
    pub fn position(&self) -> Position {
        self.pos_now()
    }

    /// The position of `buf[start]`.
    fn pos_now(&self) -> Position {
        self.pos.advanced(&self.buf[self.counted..self.start])
    }

    /// Counts the consumed bytes into `pos`.
    fn sync(&mut self) {
        self.pos = self.pos_now();
        self.counted = self.start;
    }

    /// The next record, `None` at the end. After an error the reader is finished.
    #[allow(clippy::should_implement_trait)]
    pub fn next_record(&mut self) -> Option<Result<Record<'_>, ReadError>> {
        match self.step() {
            Ok(Some(len)) => {
                self.sync();
                let position = self.pos;
                let raw_start = self.start;
                self.consume(len);
                let index = self.index;
                self.index += 1;
                Some(Ok(Record { index, position, raw: &self.buf[raw_start..raw_start + len] }))
            }
            Ok(None) => None,
            Err(e) => {
                self.state = State::Done;
                Some(Err(e))
            }
        }
    }

    /// Advances to the next record and returns its length (starting at `self.start`).
    fn step(&mut self) -> Result<Option<usize>, ReadError> {
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Start => {
                    self.skip_bom()?;
                    let first = self.peek_non_ws()?;
                    let Some(first) = first else {
                        return Err(self.error(ReadErrorKind::Empty));
                    };
                    let format = match (self.format, first) {
                        (InputFormat::Auto | InputFormat::Array, b'[') => InputFormat::Array,
                        (InputFormat::Auto | InputFormat::Ndjson, _) if first != b'[' => {
                            if first != b'{' && self.format == InputFormat::Auto {
                                return Err(self.unexpected(
                                    "`[` (a JSON array of users) or `{` (NDJSON, one user per line)",
                                ));
                            }
                            InputFormat::Ndjson
                        }
                        (InputFormat::Ndjson, _) => InputFormat::Ndjson,
                        (InputFormat::Array, _) => {
                            return Err(self.unexpected("`[` (a JSON array of users)"));
                        }
                        (InputFormat::Auto, _) => unreachable!("covered above"),
                    };
                    self.format = format;
                    if format == InputFormat::Array {
                        self.consume(1);
                        self.state = State::ArrayFirst;
                    } else {
                        self.state = State::Ndjson;
                    }
                }
                State::ArrayFirst => match self.peek_non_ws()? {
                    None => return Err(self.error(ReadErrorKind::Truncated("no closing `]`"))),
                    Some(b']') => {
                        self.consume(1);
                        return self.finish_array();
                    }
                    Some(_) => {
                        self.state = State::ArrayNext;
                        return self.scan_value().map(Some);
                    }
                },
                State::ArrayNext => match self.peek_non_ws()? {
                    None => return Err(self.error(ReadErrorKind::Truncated("no closing `]`"))),
                    Some(b']') => {
                        self.consume(1);
                        return self.finish_array();
                    }
                    Some(b',') => {
                        self.consume(1);
                        match self.peek_non_ws()? {
                            Some(b']') => return Err(self.error(ReadErrorKind::TrailingComma)),
                            None => {
                                return Err(self.error(ReadErrorKind::Truncated("no closing `]`")));
                            }
                            Some(_) => return self.scan_value().map(Some),
                        }
                    }
                    Some(_) => return Err(self.unexpected("`,` or `]` after a user")),
                },
                State::Ndjson => {
                    return match self.peek_non_ws()? {
                        None => {
                            self.state = State::Done;
                            Ok(None)
                        }
                        Some(_) => self.scan_value().map(Some),
                    };
                }
            }
        }
    }

    fn finish_array(&mut self) -> Result<Option<usize>, ReadError> {
        self.state = State::Done;
        match self.peek_non_ws()? {
            None => Ok(None),
            Some(_) => Err(self.unexpected("nothing after the closing `]`")),
        }
    }

    fn skip_bom(&mut self) -> Result<(), ReadError> {
        while self.end - self.start < 3 && self.fill()? {}
        if self.buf[self.start..self.end].starts_with(b"\xEF\xBB\xBF") {
            self.start += 3;
            self.pos.byte += 3;
            self.counted = self.start;
        }
        Ok(())
    }

    /// Skips whitespace and returns the next byte without consuming it.
    fn peek_non_ws(&mut self) -> Result<Option<u8>, ReadError> {
        loop {
            while self.start < self.end {
                let b = self.buf[self.start];
                if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                    return Ok(Some(b));
                }
                self.consume(1);
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Finds the extent of the JSON value starting at `self.start`. Checks only what is
    /// needed to find its end; the caller's parse checks the rest.
    fn scan_value(&mut self) -> Result<usize, ReadError> {
        let first = self.buf[self.start];
        if !matches!(first, b'{' | b'[' | b'"') {
            // A scalar: runs to the next delimiter.
            let mut i = 0;
            loop {
                while self.start + i < self.end {
                    if matches!(
                        self.buf[self.start + i],
                        b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'
                    ) {
                        return Ok(i.max(1));
                    }
                    i += 1;
                }
                self.check_record_len(i)?;
                if !self.fill()? {
                    return Ok(i);
                }
            }
        }
        let mut st = ScanState { in_str: first == b'"', ..ScanState::default() };
        let mut i = usize::from(st.in_str);
        loop {
            let avail = self.end - self.start;
            if i >= avail {
                self.check_record_len(i)?;
                if !self.fill()? {
                    return Err(self.error(ReadErrorKind::Truncated(if st.in_str {
                        "inside a string"
                    } else {
                        "inside a user record"
                    })));
                }
                continue;
            }
            match scan::scan(&self.buf[self.start + i..self.end], &mut st) {
                Some(end) => return Ok(i + end),
                None => i = avail,
            }
        }
    }

    fn check_record_len(&self, len: usize) -> Result<(), ReadError> {
        if len > self.limits.max_record_bytes {
            return Err(self.error(ReadErrorKind::RecordTooLarge(self.limits.max_record_bytes)));
        }
        Ok(())
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
    }

    /// Reads more input, keeping the unconsumed bytes. Returns `false` at end of input.
    fn fill(&mut self) -> Result<bool, ReadError> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.sync();
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
            self.counted = 0;
        }
        if self.buf.len() - self.end < CHUNK / 2 {
            let grow = self.buf.len().max(CHUNK);
            self.buf.resize(self.buf.len() + grow, 0);
        }
        loop {
            match self.src.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    self.read_total += n as u64;
                    if let Some(max) = self.limits.max_bytes
                        && self.read_total > max
                    {
                        return Err(self.error(ReadErrorKind::TooLarge(max)));
                    }
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.error(ReadErrorKind::Io(e.to_string()))),
            }
        }
    }

    fn error(&self, kind: ReadErrorKind) -> ReadError {
        let index = match self.state {
            State::ArrayNext | State::Ndjson => Some(self.index),
            _ => None,
        };
        ReadError { kind, position: self.pos_now(), index }
    }

    fn unexpected(&self, expected: &'static str) -> ReadError {
        let rest = &self.buf[self.start..self.end];
        let found = match rest.first() {
            None => "the end of the input".to_owned(),
            Some(_) => {
                let shown: String = String::from_utf8_lossy(&rest[..rest.len().min(24)])
                    .chars()
                    .take_while(|c| *c != '\n')
                    .take(16)
                    .collect();
                format!("`{shown}`")
            }
        };
        self.error(ReadErrorKind::Unexpected { expected, found })
    }
}

impl ReadError {
    /// A read error for an input that could not be opened.
    pub fn io(e: &io::Error, what: &str) -> Self {
        ReadError {
            kind: ReadErrorKind::Io(format!("{what}: {e}")),
            position: Position::START,
            index: None,
        }
    }
}

/// Opens `path` for reading users: `-` is standard input, and gzip input (by its magic
/// bytes, whatever the file name) is decompressed on the fly.
pub fn open(path: impl AsRef<Path>) -> Result<Box<dyn Read + Send>, ReadError> {
    let path = path.as_ref();
    let raw: Box<dyn Read + Send> = if path.as_os_str() == "-" {
        Box::new(io::stdin())
    } else {
        let file = File::open(path).map_err(|e| ReadError::io(&e, &path.display().to_string()))?;
        Box::new(file)
    };
    maybe_gunzip(raw).map_err(|e| ReadError::io(&e, &path.display().to_string()))
}

/// Wraps `input` in a gzip decoder when it starts with the gzip magic bytes.
pub fn maybe_gunzip(input: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut reader = BufReader::with_capacity(CHUNK, input);
    let head = io::BufRead::fill_buf(&mut reader)?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(flate2::read::MultiGzDecoder::new(reader)))
    } else {
        Ok(Box::new(reader))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(input: &str) -> (Vec<String>, Option<ReadError>) {
        let mut reader = UserReader::new(input.as_bytes());
        let mut out = Vec::new();
        while let Some(r) = reader.next_record() {
            match r {
                Ok(rec) => out.push(String::from_utf8(rec.raw.to_vec()).unwrap()),
                Err(e) => return (out, Some(e)),
            }
        }
        (out, None)
    }

    #[test]
    fn reads_arrays_and_ndjson() {
        let (recs, err) = records(" [ {\"a\":\"x]\\\"\"} ,\n{\"b\":[1,{}]} ]\n");
        assert_eq!(recs, ["{\"a\":\"x]\\\"\"}", "{\"b\":[1,{}]}"]);
        assert!(err.is_none());
        let (recs, err) = records("{\"a\":1}\n\n{\"b\":2}\n");
        assert_eq!(recs, ["{\"a\":1}", "{\"b\":2}"]);
        assert!(err.is_none());
        let (recs, err) = records("[]");
        assert!(recs.is_empty() && err.is_none());
        let (recs, _) = records("[1, \"s\", null]");
        assert_eq!(recs, ["1", "\"s\"", "null"]);
    }

    #[test]
    fn positions_are_lines_and_columns() {
        let mut reader = UserReader::new("[\n  {\"a\":1},\n  {\"é\":2}]".as_bytes());
        let first = reader.next_record().unwrap().unwrap().position;
        assert_eq!((first.line, first.column), (2, 3));
        let second = reader.next_record().unwrap().unwrap().position;
        assert_eq!((second.line, second.column, second.byte), (3, 3, 15));
    }

    #[test]
    fn file_level_errors() {
        let code = |s: &str| records(s).1.map(|e| e.code());
        assert_eq!(code(""), Some("file_empty"));
        assert_eq!(code("  \n"), Some("file_empty"));
        assert_eq!(code("[{\"a\":1},]"), Some("json_trailing_comma"));
        assert_eq!(code("[{\"a\":1}"), Some("file_truncated"));
        assert_eq!(code("[{\"a\":1"), Some("file_truncated"));
        assert_eq!(code("[{\"a\":\"1}]"), Some("file_truncated"));
        assert_eq!(code("[{} {}]"), Some("json_unexpected"));
        assert_eq!(code("[{}] x"), Some("json_unexpected"));
        assert_eq!(code("hello"), Some("json_unexpected"));
        let err = records("[{},\n ]").1.unwrap();
        assert_eq!((err.position.line, err.position.column), (2, 2));
    }

    #[test]
    fn parse_errors_map_to_file_positions() {
        let mut reader = UserReader::new("[\n{\"a\":1},\n{\"a\": tru}]".as_bytes());
        reader.next_record().unwrap().unwrap();
        let rec = reader.next_record().unwrap().unwrap();
        let err = rec.parse().unwrap_err();
        assert_eq!(err.code(), "json_invalid");
        assert_eq!(err.position.line, 3);
        assert_eq!(err.index, Some(1));
    }

    #[test]
    fn positions_match_a_recount_across_refills() {
        // Records with newlines inside and between them, multi-byte characters, CRLF, a
        // BOM, and enough bytes for many buffer refills: each record's position, and the
        // position of an error at the end, equal a count from the start of the input.
        let mut input = String::from("\u{feff}[\r\n");
        for i in 0..3000 {
            if i > 0 {
                input.push_str(if i % 3 == 0 { ",\n  " } else { " , " });
            }
            match i % 4 {
                0 => input.push_str(&format!("{{\"n\": \"zoë {i}\",\n   \"k\": [1,\n 2]}}")),
                1 => input.push_str(&format!("{{\"n\":\"日本 {i}\\\"\"}}")),
                2 => input.push_str(&format!("{{\"n\":\"{}\"}}", "é".repeat(i % 97))),
                _ => input.push_str(&format!("\t{{\"n\":{i}}}")),
            }
        }
        input.push_str("\r\n,");
        let bytes = input.as_bytes();
        let mut reader = UserReader::new(bytes);
        let mut n = 0;
        let err = loop {
            match reader.next_record() {
                Some(Ok(rec)) => {
                    let at = rec.position.byte as usize;
                    assert_eq!(&bytes[at..at + rec.raw.len()], rec.raw);
                    let mut want = Position::of_offset(&bytes[3..], at - 3);
                    want.byte += 3;
                    assert_eq!(rec.position, want, "record {n}");
                    n += 1;
                }
                Some(Err(e)) => break e,
                None => panic!("expected an error at the end"),
            }
        };
        assert_eq!(n, 3000);
        let mut want = Position::of_offset(&bytes[3..], bytes.len() - 3);
        want.byte += 3;
        assert_eq!(err.position, want);
        assert_eq!(reader.position(), want);
    }

    #[test]
    fn records_across_buffer_refills() {
        let big = "x".repeat(200_000);
        let input = format!("[{{\"a\":\"{big}\\\\\"}},{{\"b\":1}}]");
        let (recs, err) = records(&input);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[1], "{\"b\":1}");
    }

    #[test]
    fn limits_are_enforced() {
        let limits = ReadLimits { max_bytes: None, max_record_bytes: 10 };
        let input = format!("[{{\"a\":\"{}\"}}]", "x".repeat(CHUNK * 2));
        let mut r = UserReader::with_options(input.as_bytes(), InputFormat::Auto, limits);
        assert_eq!(r.next_record().unwrap().unwrap_err().code(), "record_too_large");
    }
}
