//! Round trips: CSV → import file, Auth0 export → import file, metadata flattening.
//!
//! - [`csv_import`]: a CSV whose header names attribute paths (`email`,
//!   `app_metadata.plan`, `app_metadata.roles[]`, `logins:number`, …) becomes a JSON array
//!   of import users, streamed row by row; conversion and validation problems are reported
//!   with their CSV row and column.
//! - [`from_export`]: users as Auth0's export jobs or the users search give them (NDJSON or
//!   a JSON array, optionally gzip) become a valid import file: the `auth0|` prefix is
//!   stripped from `user_id` and every field the import schema does not allow is dropped
//!   and counted.
//! - [`flatten`]: leaf-path discovery for `.*` export columns (`user_metadata.*`).
//!
//! Both converters write one JSON array, one user per line, and can validate what they
//! write on the fly (the validator runs on a second thread reading the same bytes), so
//! a million-row CSV is never held in memory.
//!
//! ```
//! use userio_core::convert::csv_import::{csv_to_import, CsvOptions};
//!
//! let csv = "email,app_metadata.roles[],email_verified\na@example.com,admin;editor,true\n";
//! let mut out = Vec::new();
//! let report = csv_to_import(csv.as_bytes(), &mut out, &CsvOptions::default())?;
//! assert_eq!(report.users, 1);
//! let users: serde_json::Value = serde_json::from_slice(&out)?;
//! assert_eq!(users[0]["app_metadata"]["roles"][1], "editor");
//! assert_eq!(users[0]["email_verified"], true);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod csv_import;
pub mod flatten;
pub mod from_export;

use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use crate::read::ReadError;
use crate::schema::{self, Report, ValidateOptions};

/// A problem that stops a conversion: nothing usable was written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertError {
    /// The CSV header row is unusable (bad path, unknown type, conflicting columns).
    #[error("CSV header, column {column} `{header}`: {message}")]
    Header {
        /// Stable code (`header_conflict`, `header_duplicate`, `header_bad_type`, …).
        code: &'static str,
        /// What is wrong and how to fix it.
        message: String,
        /// 1-based column number.
        column: usize,
        /// The header cell as written.
        header: String,
    },
    /// The CSV input as a whole cannot be read (empty, wrong encoding, unreadable).
    #[error("{message}")]
    Input {
        /// Stable code (`csv_empty`, `csv_encoding`, `csv_read`, `io_error`).
        code: &'static str,
        /// What is wrong and how to fix it.
        message: String,
        /// 1-based CSV row (header = 1), when known.
        row: Option<u64>,
    },
    /// The JSON input (an export) cannot be read.
    #[error("{0}")]
    Read(#[from] ReadError),
    /// A record of the export is not a JSON object.
    #[error(
        "user {index} ({position}) is a JSON {found}, not an object: every record must be a user object"
    )]
    NotAnObject {
        /// 0-based record index.
        index: u64,
        /// Where the record starts.
        position: crate::position::Position,
        /// What it is (`array`, `string`, …).
        found: &'static str,
    },
    /// Writing the output failed.
    #[error("cannot write the output: {0}")]
    Write(String),
}

impl ConvertError {
    /// A stable machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            ConvertError::Header { code, .. } | ConvertError::Input { code, .. } => code,
            ConvertError::Read(e) => e.code(),
            ConvertError::NotAnObject { .. } => "record_not_object",
            ConvertError::Write(_) => "write_error",
        }
    }

    pub(crate) fn write(e: &io::Error) -> Self {
        ConvertError::Write(e.to_string())
    }
}

/// The converters' output: bytes are buffered, written to the output and, when validating,
/// handed to the validator thread in chunks.
pub(crate) struct Tee<W: Write> {
    out: W,
    buf: Vec<u8>,
    tx: Option<SyncSender<Vec<u8>>>,
}

const TEE_CHUNK: usize = 256 * 1024;

impl<W: Write> Tee<W> {
    fn new(out: W, tx: Option<SyncSender<Vec<u8>>>) -> Self {
        Tee { out, buf: Vec::with_capacity(TEE_CHUNK + 4096), tx }
    }

    /// The buffer bytes are appended to.
    pub(crate) fn buf(&mut self) -> &mut Vec<u8> {
        &mut self.buf
    }

    /// Hands the buffer over when it is full enough.
    pub(crate) fn maybe_flush(&mut self) -> io::Result<()> {
        if self.buf.len() >= TEE_CHUNK { self.flush_buf() } else { Ok(()) }
    }

    fn flush_buf(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.out.write_all(&self.buf)?;
        match &self.tx {
            Some(tx) => {
                let full = std::mem::replace(&mut self.buf, Vec::with_capacity(TEE_CHUNK + 4096));
                if tx.send(full).is_err() {
                    // The validator stopped early; keep converting.
                    self.tx = None;
                }
            }
            None => self.buf.clear(),
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.flush_buf()?;
        self.out.flush()
    }
}

/// Feeds the validator thread from the converter's output chunks.
struct ChannelReader {
    rx: Receiver<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.cur.len() {
            match self.rx.recv() {
                Ok(next) => {
                    self.cur = next;
                    self.pos = 0;
                }
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.cur.len() - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Runs `convert` writing into a [`Tee`] over `out`; when `validate` is set, the written
/// bytes are validated on a second thread as they are produced. Returns the conversion's
/// result and, when it succeeded and validation was asked for, the validator's report.
pub(crate) fn with_validation<W: Write, T>(
    out: W,
    validate: Option<&ValidateOptions>,
    convert: impl FnOnce(&mut Tee<W>) -> Result<T, ConvertError>,
) -> Result<(T, Option<Report>), ConvertError> {
    let Some(options) = validate else {
        let mut tee = Tee::new(out, None);
        let value = convert(&mut tee)?;
        tee.finish().map_err(|e| ConvertError::write(&e))?;
        return Ok((value, None));
    };
    std::thread::scope(|s| {
        let (tx, rx) = sync_channel::<Vec<u8>>(4);
        let handle = s.spawn(move || {
            schema::validate_with(ChannelReader { rx, cur: Vec::new(), pos: 0 }, options)
        });
        let mut tee = Tee::new(out, Some(tx));
        let result = convert(&mut tee).and_then(|value| {
            tee.finish().map_err(|e| ConvertError::write(&e))?;
            Ok(value)
        });
        // `tee` (and its sender) is dropped here on every path, so the validator ends.
        let report = match handle.join() {
            Ok(report) => report,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        result.map(|value| (value, Some(report)))
    })
}

/// Writes `[`, the users joined by `,\n`, then `\n]\n`: one user per line.
pub(crate) struct ArrayWriter {
    count: u64,
}

impl ArrayWriter {
    pub(crate) fn new() -> Self {
        ArrayWriter { count: 0 }
    }

    /// Starts the next user's element.
    pub(crate) fn begin(&mut self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(if self.count == 0 { b"[\n" } else { b",\n" });
        self.count += 1;
    }

    /// Closes the array (an empty input gives `[]`).
    pub(crate) fn end(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(if self.count == 0 { b"[]\n" } else { b"\n]\n" });
    }
}
