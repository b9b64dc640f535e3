//! `export` / `exportSync`: users → query → sort → columns → CSV / JSON / NDJSON.
//!
//! Both entry points call [`export_impl`]; `export` runs it on the libuv thread pool (a napi
//! `AsyncTask`), so reading, filtering and writing never block the event loop. The exporter
//! is built inside the task from plain strings, so nothing compiled has to cross threads.

use std::fs::File;
use std::io::{BufWriter, Write};

use napi::bindgen_prelude::{AsyncTask, Buffer, Result};
use napi::{Env, Task};
use napi_derive::napi;
use userio_core::export::{CellErrorDetail, Exporter, Format, Summary};
use userio_core::expr::Column;
use userio_core::query::Query;
use userio_core::read::ReadError;

use crate::errors::{NativeError, export_error, options_error, query_error, write_error};
use crate::expr::{NativeColumnOptions, build_column};

/// Where the users come from: exactly one of `path`, `json` and `bytes`.
#[napi(object)]
pub struct NativeSource {
    /// A users file (JSON array or NDJSON, gzip detected).
    pub path: Option<String>,
    /// Users as JSON text (a JSON array or NDJSON).
    pub json: Option<String>,
    /// The bytes of a users file (JSON array or NDJSON, gzip detected).
    pub bytes: Option<Buffer>,
}

/// One export column as given.
#[napi(object)]
#[derive(Clone)]
pub struct NativeColumnSpec {
    /// Header name.
    pub name: String,
    /// Attribute path or JavaScript expression.
    pub source: String,
    /// Forced tier (`path`, `native`, `js`).
    pub tier: Option<String>,
    /// `empty` (default), `marker` or `abort`.
    pub on_error: Option<String>,
    /// Text of a failed cell with `onError: 'marker'`.
    pub marker: Option<String>,
    /// Wall-clock milliseconds a JavaScript cell may take.
    pub time_limit_ms: Option<f64>,
    /// Loop iterations a JavaScript cell may run per function call.
    pub loop_limit: Option<f64>,
}

/// One failed cell.
#[napi(object)]
pub struct NativeCellError {
    /// 0-based index of the user.
    pub index: f64,
    /// The column's name.
    pub column_name: String,
    /// The JavaScript error message.
    pub message: String,
}

/// Export options, already checked for types by `index.js`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct NativeExportOptions {
    /// Columns; the default columns when absent.
    pub columns: Option<Vec<NativeColumnSpec>>,
    /// Lucene query text.
    pub query: Option<String>,
    /// Attribute path to sort by.
    pub sort_by: Option<String>,
    /// Sort descending.
    pub descending: Option<bool>,
    /// Compare strings case-insensitively when sorting.
    pub case_insensitive: Option<bool>,
    /// Bytes a sort may buffer before spilling to temporary files.
    pub memory_budget: Option<f64>,
    /// CSV delimiter: one ASCII character.
    pub delimiter: Option<String>,
    /// CSV lines end with CRLF.
    pub crlf: Option<bool>,
    /// CSV starts with a UTF-8 BOM.
    pub bom: Option<bool>,
    /// Prefix CSV cells a spreadsheet would run as formulas with `'` (default true).
    pub formula_escape: Option<bool>,
    /// `csv` (default), `json` or `ndjson`.
    pub format: Option<String>,
    /// At most this many rows.
    pub limit: Option<f64>,
    /// Write to this file; otherwise the output comes back as `output`.
    pub output_path: Option<String>,
}

/// The counts of an export, its output when not written to a file, or its error.
#[napi(object)]
pub struct NativeExportOutcome {
    /// Users read.
    pub read: f64,
    /// Users that matched the query.
    pub matched: f64,
    /// Rows written.
    pub written: f64,
    /// Cells whose expression failed.
    pub cell_errors: f64,
    /// The first failed cells (up to 10), in input order.
    pub first_cell_errors: Vec<NativeCellError>,
    /// Sorted runs spilled to temporary files (0: the sort fitted in memory).
    pub sort_runs: f64,
    /// The output bytes when no `outputPath` was given.
    pub output: Option<Buffer>,
    /// Why the export failed.
    pub error: Option<NativeError>,
}

/// The thread-safe result of [`export_impl`].
pub struct Outcome {
    summary: Summary,
    output: Option<Vec<u8>>,
    error: Option<NativeError>,
}

impl Outcome {
    fn failed(error: NativeError) -> Self {
        Outcome { summary: Summary::default(), output: None, error: Some(error) }
    }

    fn into_js(self) -> NativeExportOutcome {
        let s = self.summary;
        NativeExportOutcome {
            read: s.read as f64,
            matched: s.matched as f64,
            written: s.written as f64,
            cell_errors: s.cell_errors as f64,
            first_cell_errors: s.first_cell_errors.iter().map(cell_detail).collect(),
            sort_runs: s.sort_runs as f64,
            output: self.output.map(Buffer::from),
            error: self.error,
        }
    }
}

fn cell_detail(d: &CellErrorDetail) -> NativeCellError {
    NativeCellError {
        index: d.index as f64,
        column_name: d.column.clone(),
        message: d.message.clone(),
    }
}

pub fn build(opts: &NativeExportOptions) -> std::result::Result<Exporter, Box<NativeError>> {
    let columns = match &opts.columns {
        None => Column::defaults(),
        Some(specs) => specs
            .iter()
            .map(|c| {
                let o = NativeColumnOptions {
                    tier: c.tier.clone(),
                    on_error: c.on_error.clone(),
                    marker: c.marker.clone(),
                    time_limit_ms: c.time_limit_ms,
                    loop_limit: c.loop_limit,
                };
                build_column(c.name.clone(), c.source.clone(), &o)
            })
            .collect::<std::result::Result<Vec<_>, _>>()?,
    };
    let mut exporter = Exporter::new(columns);
    if let Some(text) = &opts.query {
        exporter = exporter.query(Query::parse(text).map_err(|e| Box::new(query_error(&e, text)))?);
    }
    if let Some(path) = &opts.sort_by {
        exporter = exporter
            .sort_by(path.clone(), opts.descending.unwrap_or(false))
            .case_insensitive_sort(opts.case_insensitive.unwrap_or(false));
    }
    if let Some(n) = opts.memory_budget {
        if !(n >= 0.0 && n.fract() == 0.0) {
            return Err(Box::new(options_error(format!(
                "memoryBudget must be a non-negative integer of bytes, not {n}"
            ))));
        }
        // Saturating float-to-int cast of a checked non-negative integer.
        exporter = exporter.memory_budget(n as usize);
    }
    if let Some(d) = &opts.delimiter {
        match d.as_bytes() {
            [b] if b.is_ascii() => exporter = exporter.delimiter(*b),
            _ => {
                return Err(Box::new(options_error(format!(
                    "delimiter must be one ASCII character, not {d:?}"
                ))));
            }
        }
    }
    if let Some(b) = opts.crlf {
        exporter = exporter.crlf(b);
    }
    if let Some(b) = opts.bom {
        exporter = exporter.bom(b);
    }
    if let Some(b) = opts.formula_escape {
        exporter = exporter.formula_escape(b);
    }
    exporter = exporter.format(match opts.format.as_deref() {
        None | Some("csv") => Format::Csv,
        Some("json") => Format::Json,
        Some("ndjson") => Format::Ndjson,
        Some(other) => {
            return Err(Box::new(options_error(format!(
                "unknown format {other:?}: use \"csv\", \"json\" or \"ndjson\""
            ))));
        }
    });
    if let Some(n) = opts.limit {
        if !(n >= 0.0 && n.fract() == 0.0) {
            return Err(Box::new(options_error(format!(
                "limit must be a non-negative integer, not {n}"
            ))));
        }
        // Saturating float-to-int cast of a checked non-negative integer.
        exporter = exporter.limit(n as u64);
    }
    Ok(exporter)
}

fn run(exporter: &Exporter, source: &NativeSource, out: impl Write) -> Outcome {
    let result = match (&source.path, &source.json, &source.bytes) {
        (Some(path), None, None) => exporter.export_path(path, out),
        (None, Some(json), None) => exporter.export_reader(json.as_bytes(), out),
        (None, None, Some(bytes)) if bytes.starts_with(&[0x1f, 0x8b]) => {
            let copy = Box::new(std::io::Cursor::new(bytes.to_vec()));
            match userio_core::read::maybe_gunzip(copy) {
                Ok(input) => exporter.export_reader(input, out),
                Err(e) => Err(ReadError::io(&e, "the gzip buffer").into()),
            }
        }
        (None, None, Some(bytes)) => exporter.export_reader(&bytes[..], out),
        _ => return Outcome::failed(options_error("give exactly one source".into())),
    };
    match result {
        Ok(summary) => Outcome { summary, output: None, error: None },
        Err(e) => Outcome::failed(export_error(&e)),
    }
}

/// Builds the exporter and runs it, to `outputPath` or into memory.
pub fn export_impl(source: &NativeSource, opts: &NativeExportOptions) -> Outcome {
    let exporter = match build(opts) {
        Ok(e) => e,
        Err(e) => return Outcome::failed(*e),
    };
    match &opts.output_path {
        Some(path) => {
            let file = match File::create(path) {
                Ok(f) => f,
                Err(e) => return Outcome::failed(write_error(&e)),
            };
            let mut out = BufWriter::new(file);
            let mut outcome = run(&exporter, source, &mut out);
            if outcome.error.is_none()
                && let Err(e) = out.flush()
            {
                outcome = Outcome::failed(write_error(&e));
            }
            outcome
        }
        None => {
            let mut buf = Vec::new();
            let mut outcome = run(&exporter, source, &mut buf);
            if outcome.error.is_none() {
                outcome.output = Some(buf);
            }
            outcome
        }
    }
}

/// Runs an export on the calling (main) thread.
#[napi]
pub fn export_sync(source: NativeSource, opts: NativeExportOptions) -> NativeExportOutcome {
    export_impl(&source, &opts).into_js()
}

/// An export running on the libuv thread pool.
pub struct ExportTask {
    source: NativeSource,
    opts: NativeExportOptions,
}

impl Task for ExportTask {
    type Output = Outcome;
    type JsValue = NativeExportOutcome;

    fn compute(&mut self) -> Result<Outcome> {
        Ok(export_impl(&self.source, &self.opts))
    }

    fn resolve(&mut self, _env: Env, output: Outcome) -> Result<NativeExportOutcome> {
        Ok(output.into_js())
    }
}

/// Runs an export off the main thread; resolves with the outcome (errors as data).
#[napi(ts_return_type = "Promise<NativeExportOutcome>")]
pub fn export_async(source: NativeSource, opts: NativeExportOptions) -> AsyncTask<ExportTask> {
    AsyncTask::new(ExportTask { source, opts })
}
