//! The export pipeline: read → filter (query) → columns → sort → CSV / JSON / NDJSON.
//!
//! [`Exporter`] is a builder in the style of the `csv` crate's `WriterBuilder`: set the
//! knobs, then call one of the `export_*` methods, which stream users through it and return
//! a [`Summary`].
//!
//! ```
//! use userio_core::export::{Exporter, Format};
//! use userio_core::expr::Column;
//!
//! let input = br#"[{"email":"b@example.com","logins_count":3},
//!                  {"email":"a@example.com","logins_count":12}]"#;
//! let columns = vec![Column::new("Email", "user.email")?, Column::new("Logins", "user.logins_count")?];
//! let mut out = Vec::new();
//! let summary = Exporter::new(columns)
//!     .sort_by("logins_count", true)
//!     .format(Format::Csv)
//!     .export_reader(&input[..], &mut out)?;
//! assert_eq!(String::from_utf8(out)?, "Email,Logins\na@example.com,12\nb@example.com,3\n");
//! assert_eq!((summary.read, summary.matched, summary.written), (2, 2, 2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # How it works
//!
//! Each user is parsed, matched against the query, and its columns are rendered straight
//! into the output row (CSV field text, or a JSON object). Without a sort the row is written
//! at once: memory stays flat whatever the input size. With a sort only the sort key and the
//! rendered row are buffered; when they pass the [memory budget](Exporter::memory_budget)
//! the buffer is sorted and spilled to a temporary file, and the files are merged at the
//! end, so any number of users sorts in bounded memory. See [`Exporter::sort_by`] for the
//! order.

mod columns_file;
mod csv;
mod parallel;
mod pipeline;
pub(crate) mod project;
mod sort;

use std::fmt;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

pub use self::columns_file::{ColumnSpec, Columns, ColumnsFileError};
pub use self::csv::is_formula;
use self::pipeline::{Batch, FailedCells, Plan, Sink, Stage};
use self::project::Parsed;
use self::sort::TempError;
use crate::expr::{Cell, CellError, Column, ErrorPolicy, Tier};
use crate::query::Query;
use crate::read::{ReadError, UserReader};
use crate::user::UserRef;

/// The default [memory budget](Exporter::memory_budget) for sorting: 256 MiB.
pub const DEFAULT_MEMORY_BUDGET: usize = 256 << 20;

/// How many [`CellErrorDetail`]s a [`Summary`] keeps (the count goes on).
pub const MAX_CELL_ERROR_DETAILS: usize = 10;

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// RFC 4180 CSV with a header row.
    #[default]
    Csv,
    /// One JSON array of objects keyed by column name.
    Json,
    /// One JSON object per line.
    Ndjson,
}

impl Format {
    /// The format's name as the CLI and the test vectors spell it: `csv`, `json`, `ndjson`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
        }
    }

    /// Parses `csv`, `json` or `ndjson` (case-insensitive).
    pub fn from_name(name: &str) -> Option<Format> {
        match name.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "json" => Some(Format::Json),
            "ndjson" | "jsonl" => Some(Format::Ndjson),
            _ => None,
        }
    }
}

/// One cell whose expression failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellErrorDetail {
    /// 0-based index of the user in the input.
    pub index: u64,
    /// The column's name.
    pub column: String,
    /// The expression's error message.
    pub message: String,
}

impl fmt::Display for CellErrorDetail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "user #{}, column {:?}: {}", self.index, self.column, self.message)
    }
}

/// Counts at the end of an export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Users read from the source. Without a sort, reading stops once `limit` rows are
    /// written, so this counts the users read up to that point.
    pub read: u64,
    /// Users that matched the query.
    pub matched: u64,
    /// Rows written.
    pub written: u64,
    /// Cells whose expression failed.
    pub cell_errors: u64,
    /// The first [`MAX_CELL_ERROR_DETAILS`] failed cells, in input order.
    pub first_cell_errors: Vec<CellErrorDetail>,
    /// Sorted runs spilled to temporary files (0: the sort fitted in memory).
    pub sort_runs: u64,
}

/// Counts handed to the [progress callback](Exporter::progress).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Users read so far.
    pub read: u64,
    /// Users matched so far.
    pub matched: u64,
    /// Rows written so far (stays 0 while a sort is reading its input).
    pub written: u64,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The input could not be read or parsed.
    #[error("{}", describe_read(.0))]
    Read(#[from] ReadError),
    /// The output could not be written.
    #[error("cannot write the output: {0}")]
    Write(#[from] std::io::Error),
    /// A temporary file for sorting could not be written or read back.
    #[error(
        "cannot use a temporary file for sorting: {0} (choose a temporary directory with free space, or raise the memory budget)"
    )]
    Temp(std::io::Error),
    /// A cell failed under a column error policy that aborts the export.
    #[error("column expression failed for {0}")]
    Cell(CellErrorDetail),
    /// Two columns have the same name, which JSON and NDJSON objects cannot hold.
    #[error(
        "two columns are named {0:?}: JSON objects need distinct keys, rename one of the columns"
    )]
    DuplicateColumn(String),
    /// An option value that cannot work (delimiter, sort path).
    #[error("{0}")]
    InvalidOption(String),
    /// A bug in userio (a worker thread failed); the message says what to report.
    #[error("internal error: {0}")]
    Internal(String),
}

fn describe_read(e: &ReadError) -> String {
    match e.index {
        Some(i) => format!("{e} (user #{i})"),
        None => e.to_string(),
    }
}

impl ExportError {
    /// A stable machine-readable code (`json_invalid`, `write_failed`, `cell_error`, …).
    pub fn code(&self) -> &'static str {
        match self {
            ExportError::Read(e) => e.code(),
            ExportError::Write(_) => "write_failed",
            ExportError::Temp(_) => "temp_file_failed",
            ExportError::Cell(_) => "cell_error",
            ExportError::DuplicateColumn(_) => "duplicate_column",
            ExportError::InvalidOption(_) => "invalid_option",
            ExportError::Internal(_) => "internal_error",
        }
    }
}

impl From<TempError> for ExportError {
    fn from(e: TempError) -> Self {
        ExportError::Temp(e.0)
    }
}

#[derive(Clone)]
struct ProgressFn(Arc<dyn Fn(Progress) + Send + Sync>);

impl fmt::Debug for ProgressFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<progress callback>")
    }
}

/// Builds and runs an export. Every knob has a default; see each method.
#[derive(Debug, Clone)]
pub struct Exporter {
    columns: Vec<Column>,
    query: Option<Query>,
    sort: Option<(String, bool)>,
    case_insensitive: bool,
    format: Format,
    limit: Option<u64>,
    memory_budget: usize,
    temp_dir: Option<PathBuf>,
    delimiter: u8,
    crlf: bool,
    bom: bool,
    formula_escape: bool,
    threads: usize,
    progress: Option<ProgressFn>,
}

/// Report progress every this many users read (and rows written while merging).
const PROGRESS_EVERY: u64 = 4096;

impl Exporter {
    /// An exporter writing `columns`, in order. An empty list means the default columns
    /// ([`Column::defaults`]), as in Auth0's extension.
    ///
    /// ```
    /// use userio_core::{export::Exporter, expr::Column};
    /// let exporter = Exporter::new(Column::defaults());
    /// ```
    pub fn new(columns: Vec<Column>) -> Self {
        Exporter {
            columns,
            query: None,
            sort: None,
            case_insensitive: false,
            format: Format::Csv,
            limit: None,
            memory_budget: DEFAULT_MEMORY_BUDGET,
            temp_dir: None,
            delimiter: b',',
            crlf: false,
            bom: false,
            formula_escape: true,
            threads: 0,
            progress: None,
        }
    }

    /// Replaces the columns.
    ///
    /// ```
    /// use userio_core::{export::{Columns, Exporter}, expr::Column};
    /// let mut columns = Columns::defaults();
    /// columns.remove("Picture");
    /// let exporter = Exporter::new(Vec::new()).columns(columns.into_vec());
    /// ```
    pub fn columns(mut self, columns: Vec<Column>) -> Self {
        self.columns = columns;
        self
    }

    /// Keeps only the users matching `query`. Default: every user.
    ///
    /// ```
    /// use userio_core::{export::Exporter, expr::Column, query::Query};
    /// let exporter = Exporter::new(Column::defaults())
    ///     .query(Query::parse("email_verified:true")?);
    /// # Ok::<(), userio_core::query::ParseError>(())
    /// ```
    pub fn query(mut self, query: Query) -> Self {
        self.query = Some(query);
        self
    }

    /// Sorts by the attribute `path` (`created_at`, `app_metadata.plan`,
    /// `identities[0].connection`; a leading `user.` is allowed), descending when
    /// `descending`. Default: input order.
    ///
    /// The sort is stable. Missing values (absent or `null`) come last in both directions.
    /// Numbers compare as numbers, ISO 8601 date-times (`2024-05-01T10:00:00.000Z`, with any
    /// offset) as instants, other strings by Unicode code point (see
    /// [`case_insensitive_sort`](Self::case_insensitive_sort)). Across types: numbers <
    /// date-times < strings < booleans < arrays and objects.
    ///
    /// ```
    /// use userio_core::{export::Exporter, expr::Column};
    /// let newest_first = Exporter::new(Column::defaults()).sort_by("created_at", true);
    /// ```
    pub fn sort_by(mut self, path: impl Into<String>, descending: bool) -> Self {
        self.sort = Some((path.into(), descending));
        self
    }

    /// Compares strings case-insensitively when sorting (by their lowercase form; ties keep
    /// input order). Default: off.
    ///
    /// ```
    /// use userio_core::{export::Exporter, expr::Column};
    /// let exporter = Exporter::new(Column::defaults()).sort_by("email", false).case_insensitive_sort(true);
    /// ```
    pub fn case_insensitive_sort(mut self, yes: bool) -> Self {
        self.case_insensitive = yes;
        self
    }

    /// How many bytes a sort may buffer (sort keys plus rendered rows) before it spills
    /// sorted runs to temporary files. Default [`DEFAULT_MEMORY_BUDGET`] (256 MiB). Peak
    /// memory stays near this budget plus a few MiB of buffers, whatever the input size.
    ///
    /// ```
    /// use userio_core::{export::Exporter, expr::Column};
    /// let exporter = Exporter::new(Column::defaults()).memory_budget(64 << 20);
    /// ```
    pub fn memory_budget(mut self, bytes: usize) -> Self {
        self.memory_budget = bytes;
        self
    }

    /// Where a sort's temporary files go. Default: the system's temporary directory
    /// (`TMPDIR`). The files are anonymous and removed automatically.
    ///
    /// ```
    /// use userio_core::{export::Exporter, expr::Column};
    /// let exporter = Exporter::new(Column::defaults()).temp_dir("/var/tmp");
    /// ```
    pub fn temp_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.temp_dir = Some(dir.into());
        self
    }

    /// Sets the output format. Default [`Format::Csv`].
    ///
    /// ```
    /// use userio_core::{export::{Exporter, Format}, expr::Column};
    /// let exporter = Exporter::new(Column::defaults()).format(Format::Ndjson);
    /// ```
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// The CSV field delimiter, an ASCII byte other than `"`, CR or LF. Default `,`; `b'\t'`
    /// gives TSV (what the extension's "CSV" really was).
    ///
    /// ```
    /// use userio_core::{export::Exporter, expr::Column};
    /// let mut out = Vec::new();
    /// Exporter::new(vec![Column::new("A", "a")?, Column::new("B", "b")?])
    ///     .delimiter(b'\t')
    ///     .export_reader(&br#"{"a":1,"b":"x,y"}"#[..], &mut out)?;
    /// assert_eq!(out, b"A\tB\n1\tx,y\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// Ends CSV lines with `\r\n` (RFC 4180) instead of `\n`. Default off. Line breaks
    /// inside quoted fields are kept as they are.
    ///
    /// ```
    /// use userio_core::{export::Exporter, expr::Column};
    /// let mut out = Vec::new();
    /// Exporter::new(vec![Column::new("A", "a")?]).crlf(true)
    ///     .export_reader(&br#"{"a":1}"#[..], &mut out)?;
    /// assert_eq!(out, b"A\r\n1\r\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn crlf(mut self, yes: bool) -> Self {
        self.crlf = yes;
        self
    }

    /// Starts CSV output with a UTF-8 byte order mark, so that Excel reads accents right.
    /// Default off. Ignored for JSON and NDJSON.
    ///
    /// ```
    /// use userio_core::{export::Exporter, expr::Column};
    /// let mut out = Vec::new();
    /// Exporter::new(vec![Column::new("A", "a")?]).bom(true)
    ///     .export_reader(r#"{"a":"é"}"#.as_bytes(), &mut out)?;
    /// assert_eq!(out, "\u{feff}A\né\n".as_bytes());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bom(mut self, yes: bool) -> Self {
        self.bom = yes;
        self
    }

    /// Neutralises CSV cells that a spreadsheet would run as a formula: a cell starting
    /// with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'` (plain numbers
    /// such as `-5` are left alone). Default **on**; turn it off only when the CSV never
    /// reaches a spreadsheet. JSON and NDJSON are never changed.
    ///
    /// ```
    /// use userio_core::{export::Exporter, expr::Column};
    /// let input = br#"{"name":"=HYPERLINK(\"http://x\")","n":-5}"#;
    /// let columns = || Ok::<_, userio_core::expr::ExprError>(vec![Column::new("Name", "name")?, Column::new("N", "n")?]);
    /// let mut out = Vec::new();
    /// Exporter::new(columns()?).export_reader(&input[..], &mut out)?;
    /// assert_eq!(String::from_utf8(out)?, "Name,N\n\"'=HYPERLINK(\"\"http://x\"\")\",-5\n");
    /// let mut raw = Vec::new();
    /// Exporter::new(columns()?).formula_escape(false).export_reader(&input[..], &mut raw)?;
    /// assert_eq!(String::from_utf8(raw)?, "Name,N\n\"=HYPERLINK(\"\"http://x\"\")\",-5\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn formula_escape(mut self, yes: bool) -> Self {
        self.formula_escape = yes;
        self
    }

    /// Writes at most `n` rows: the first `n` after sorting. With a sort only the best `n`
    /// rows are kept while reading. Default: no limit.
    ///
    /// ```
    /// use userio_core::{export::Exporter, expr::Column};
    /// let newest_ten = Exporter::new(Column::defaults()).sort_by("created_at", true).limit(10);
    /// ```
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// How many threads parse, match and render users read from bytes
    /// ([`export_reader`](Self::export_reader), [`export_path`](Self::export_path)):
    /// `0` (the default) picks one per CPU core, up to 4; `1` does everything on the
    /// caller's thread. The output and the [`Summary`] are the same either way: rows are
    /// written in input order. Exports with a JavaScript-tier column, and
    /// [`export_users`](Self::export_users), always run on the caller's thread.
    ///
    /// ```
    /// use userio_core::export::Exporter;
    /// let exporter = Exporter::new(Vec::new()).threads(1);
    /// ```
    pub fn threads(mut self, n: usize) -> Self {
        self.threads = n;
        self
    }

    /// Calls `callback` every few thousand users and once at the end with the counts so
    /// far. The CLI turns it into a progress line.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use std::sync::Arc;
    /// use userio_core::{export::Exporter, expr::Column};
    /// let last = Arc::new(AtomicU64::new(0));
    /// let seen = last.clone();
    /// let exporter = Exporter::new(Column::defaults())
    ///     .progress(move |p| seen.store(p.written, Ordering::Relaxed));
    /// exporter.export_reader(&b"{}\n{}\n"[..], std::io::sink())?;
    /// assert_eq!(last.load(Ordering::Relaxed), 2);
    /// # Ok::<(), userio_core::export::ExportError>(())
    /// ```
    pub fn progress(mut self, callback: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(ProgressFn(Arc::new(callback)));
        self
    }

    /// Exports users handed over by any iterator (the library and bindings' source). Cell
    /// error indexes count from 0 in the iterator's order.
    ///
    /// ```
    /// use serde_json::json;
    /// use userio_core::{export::{Exporter, Format}, expr::Column};
    /// let users = vec![json!({"email": "a@example.com"}), json!({"email": "b@example.com"})];
    /// let mut out = Vec::new();
    /// Exporter::new(vec![Column::new("Email", "email")?])
    ///     .format(Format::Ndjson)
    ///     .export_users(users, &mut out)?;
    /// assert_eq!(out, b"{\"Email\":\"a@example.com\"}\n{\"Email\":\"b@example.com\"}\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn export_users<I>(&self, users: I, out: impl Write) -> Result<Summary, ExportError>
    where
        I: IntoIterator<Item = serde_json::Value>,
    {
        let mut users = users.into_iter();
        let mut index = 0u64;
        self.run(
            |_| {
                let user = users.next()?;
                index += 1;
                Some(Ok((index - 1, Parsed::Whole(user))))
            },
            out,
        )
    }

    /// Exports the users in the file at `path` (`-` for stdin, gzip detected) to `out`.
    pub fn export_path(
        &self,
        path: impl AsRef<Path>,
        out: impl Write,
    ) -> Result<Summary, ExportError> {
        let input = crate::read::open(path)?;
        self.export_reader(input, out)
    }

    /// Exports the users read from `input` (a JSON array or NDJSON, not compressed: see
    /// [`crate::read::maybe_gunzip`]) to `out`. A record that is not valid JSON stops the
    /// export with an [`ExportError::Read`] giving its line, column and index.
    pub fn export_reader(&self, input: impl Read, out: impl Write) -> Result<Summary, ExportError> {
        let mut reader = UserReader::new(input);
        let workers = self.worker_threads();
        if workers > 1 {
            let (plan, sorter) = Plan::of(self)?;
            let stages =
                (0..workers).map(|_| Stage::new(self, &plan)).collect::<Result<Vec<_>, _>>()?;
            let sink = Sink::start(self, sorter, stages[0].columns(), out)?;
            return parallel::run(stages, reader, sink);
        }
        self.run(
            |stage| {
                Some(match reader.next_record()? {
                    Ok(rec) => {
                        stage.parse(&rec).map(|user| (rec.index, user)).map_err(ExportError::from)
                    }
                    Err(e) => Err(ExportError::from(e)),
                })
            },
            out,
        )
    }

    /// The columns of the export: the given ones, or the default columns when none is given.
    fn columns_or_defaults(&self) -> std::borrow::Cow<'_, [Column]> {
        if self.columns.is_empty() {
            std::borrow::Cow::Owned(Column::defaults())
        } else {
            std::borrow::Cow::Borrowed(&self.columns)
        }
    }

    /// Worker threads for [`export_reader`](Self::export_reader): 1 means none.
    fn worker_threads(&self) -> usize {
        let columns_ok = self.columns.iter().all(|c| c.tier() != Tier::Js);
        if !columns_ok {
            return 1;
        }
        crate::read::parallel::threads(self.threads)
    }

    fn report(&self, summary: &Summary) {
        if let Some(cb) = &self.progress {
            (cb.0)(Progress {
                read: summary.read,
                matched: summary.matched,
                written: summary.written,
            });
        }
    }

    /// Runs the export on one thread; `next` gives the next user, parsed for `stage`.
    fn run<N>(&self, mut next: N, out: impl Write) -> Result<Summary, ExportError>
    where
        N: for<'s> FnMut(&Stage<'s>) -> Option<Result<(u64, Parsed<'s>), ExportError>>,
    {
        let (plan, sorter) = Plan::of(self)?;
        let mut stage = Stage::new(self, &plan)?;
        let mut sink = Sink::start(self, sorter, stage.columns(), out)?;
        let mut batch = Batch::default();
        while sink.wants_more() {
            match next(&stage) {
                None => break,
                Some(Ok((index, user))) => stage.push(index, &user, &mut batch),
                Some(Err(e)) => batch.unreadable = Some(e),
            }
            sink.take(&mut batch)?;
        }
        sink.finish()
    }
}

/// Renders one user's columns into an output row (without line ending or separators).
struct Renderer {
    columns: Vec<Column>,
    format: Format,
    delimiter: u8,
    formula_escape: bool,
    /// JSON: `{"Name":` for the first column, `,"Name":` for the others.
    key_prefixes: Vec<Vec<u8>>,
    text: String,
}

impl Renderer {
    fn new(ex: &Exporter) -> Result<Renderer, ExportError> {
        let columns = ex.columns_or_defaults().into_owned();
        let d = ex.delimiter;
        if ex.format == Format::Csv && (!d.is_ascii() || matches!(d, b'"' | b'\r' | b'\n')) {
            return Err(ExportError::InvalidOption(format!(
                "the CSV delimiter {:?} cannot work: use one ASCII character other than a double quote or a line break",
                char::from(d)
            )));
        }
        let mut key_prefixes = Vec::new();
        if ex.format != Format::Csv {
            let mut seen = std::collections::HashSet::new();
            for (i, c) in columns.iter().enumerate() {
                if !seen.insert(c.name()) {
                    return Err(ExportError::DuplicateColumn(c.name().to_owned()));
                }
                let mut p = vec![if i == 0 { b'{' } else { b',' }];
                p.extend_from_slice(Value::String(c.name().to_owned()).to_string().as_bytes());
                p.push(b':');
                key_prefixes.push(p);
            }
        }
        Ok(Renderer {
            columns,
            format: ex.format,
            delimiter: d,
            formula_escape: ex.formula_escape,
            key_prefixes,
            text: String::new(),
        })
    }

    fn render(
        &mut self,
        user: UserRef<'_>,
        index: u64,
        failed: &mut FailedCells,
        row: &mut Vec<u8>,
    ) -> Result<(), ExportError> {
        for (i, col) in self.columns.iter().enumerate() {
            if self.format == Format::Csv {
                if i > 0 {
                    row.push(self.delimiter);
                }
                self.text.clear();
                if let Err(e) = col.write_text_user(user, &mut self.text)
                    && let Some(marker) = cell_failed(col, index, &e, failed)?
                {
                    self.text.push_str(marker);
                }
                csv::write_field(row, &self.text, self.delimiter, self.formula_escape);
                continue;
            }
            let cell = col.eval_user(user);
            let fallback = match &cell {
                Ok(_) => None,
                Err(e) => cell_failed(col, index, e, failed)?,
            };
            row.extend_from_slice(&self.key_prefixes[i]);
            let written = match (&cell, fallback) {
                (Ok(Cell::Value(v)), _) => serde_json::to_writer(&mut *row, v.as_ref()),
                (Ok(other), _) => serde_json::to_writer(&mut *row, &other.to_json()),
                (Err(_), Some(marker)) => serde_json::to_writer(&mut *row, marker),
                (Err(_), None) => {
                    row.extend_from_slice(b"null");
                    Ok(())
                }
            };
            written.map_err(|e| ExportError::Write(e.into()))?;
        }
        if self.format != Format::Csv {
            row.push(b'}');
        }
        Ok(())
    }
}

/// Counts a failed cell and applies the column's policy: `Some(marker)` to write instead,
/// `None` for an empty cell.
fn cell_failed<'c>(
    col: &'c Column,
    index: u64,
    err: &CellError,
    failed: &mut FailedCells,
) -> Result<Option<&'c str>, ExportError> {
    failed.count += 1;
    let detail =
        || CellErrorDetail { index, column: col.name().to_owned(), message: err.message.clone() };
    if failed.details.len() < MAX_CELL_ERROR_DETAILS {
        failed.details.push(detail());
    }
    match col.error_policy() {
        ErrorPolicy::Empty => Ok(None),
        ErrorPolicy::Marker(m) => Ok(Some(m.as_str())),
        ErrorPolicy::Abort => Err(ExportError::Cell(detail())),
    }
}

/// What goes around rows: BOM and header (CSV), `[`, `,` and `]` (JSON), line endings.
struct Framing {
    format: Format,
    delimiter: u8,
    bom: bool,
    terminator: &'static [u8],
    rows: u64,
}

impl Framing {
    fn new(ex: &Exporter) -> Framing {
        Framing {
            format: ex.format,
            delimiter: ex.delimiter,
            bom: ex.bom,
            terminator: if ex.crlf { b"\r\n" } else { b"\n" },
            rows: 0,
        }
    }

    fn start(&mut self, w: &mut impl Write, columns: &[Column]) -> std::io::Result<()> {
        match self.format {
            Format::Csv => {
                let mut header = Vec::new();
                if self.bom {
                    header.extend_from_slice("\u{feff}".as_bytes());
                }
                for (i, c) in columns.iter().enumerate() {
                    if i > 0 {
                        header.push(self.delimiter);
                    }
                    csv::write_field(&mut header, c.name(), self.delimiter, false);
                }
                header.extend_from_slice(self.terminator);
                w.write_all(&header)
            }
            Format::Json => w.write_all(b"["),
            Format::Ndjson => Ok(()),
        }
    }

    fn row(&mut self, w: &mut impl Write, row: &[u8]) -> std::io::Result<()> {
        match self.format {
            Format::Csv => {
                w.write_all(row)?;
                w.write_all(self.terminator)?;
            }
            Format::Json => {
                w.write_all(if self.rows == 0 { b"\n" } else { b",\n" })?;
                w.write_all(row)?;
            }
            Format::Ndjson => {
                w.write_all(row)?;
                w.write_all(b"\n")?;
            }
        }
        self.rows += 1;
        Ok(())
    }

    fn end(&mut self, w: &mut impl Write) -> std::io::Result<()> {
        match self.format {
            Format::Json if self.rows == 0 => w.write_all(b"]\n"),
            Format::Json => w.write_all(b"\n]\n"),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
