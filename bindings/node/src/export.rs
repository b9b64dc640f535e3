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
use userio_core::export::{Exporter, Format, Summary};
use userio_core::expr::Column;
use userio_core::query::Query;

use crate::errors::{
    NativeError, export_error, expr_error, options_error, query_error, write_error,
};

/// Where the users come from: exactly one of `path` and `json`.
#[napi(object)]
#[derive(Clone)]
pub struct NativeSource {
    /// A users file (JSON array or NDJSON, gzip detected).
    pub path: Option<String>,
    /// Users as JSON text (a JSON array or NDJSON).
    pub json: Option<String>,
}

/// One export column as given.
#[napi(object)]
#[derive(Clone)]
pub struct NativeColumnSpec {
    /// Header name.
    pub name: String,
    /// Attribute path or JavaScript expression.
    pub source: String,
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
            output: self.output.map(Buffer::from),
            error: self.error,
        }
    }
}

fn build(opts: &NativeExportOptions) -> std::result::Result<Exporter, Box<NativeError>> {
    let columns = match &opts.columns {
        None => Column::defaults(),
        Some(specs) => specs
            .iter()
            .map(|c| {
                Column::new(c.name.clone(), c.source.clone()).map_err(|e| Box::new(expr_error(&e)))
            })
            .collect::<std::result::Result<Vec<_>, _>>()?,
    };
    let mut exporter = Exporter::new(columns);
    if let Some(text) = &opts.query {
        exporter = exporter.query(Query::parse(text).map_err(|e| Box::new(query_error(&e, text)))?);
    }
    if let Some(path) = &opts.sort_by {
        exporter = exporter.sort_by(path.clone(), opts.descending.unwrap_or(false));
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
    let result = match (&source.path, &source.json) {
        (Some(path), None) => exporter.export_path(path, out),
        (None, Some(json)) => exporter.export_reader(json.as_bytes(), out),
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
