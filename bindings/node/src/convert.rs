//! `convertCsv` / `convertExport`: a CSV (header of attribute paths) or an Auth0 export
//! (NDJSON / JSON array, gzip detected) to an import file, with the core's report.
//!
//! Both run on the libuv thread pool (napi `AsyncTask`). The report crosses as the core's
//! own serde JSON text (`index.js` camel-cases its keys), so it always matches the core.

use std::fs::File;
use std::io::{BufWriter, Read, Write};

use napi::bindgen_prelude::{AsyncTask, Buffer, Result};
use napi::{Env, Task};
use napi_derive::napi;
use userio_core::convert::ConvertError;
use userio_core::convert::csv_import::{CsvOptions, Encoding, csv_to_import};
use userio_core::convert::from_export::{ExportOptions, export_to_import};
use userio_core::read::ReadError;

use crate::errors::{NativeError, options_error, read_error, write_error};

/// Where the input comes from: exactly one of `path` and `bytes`.
#[napi(object)]
pub struct NativeConvertSource {
    /// A file (for an export: gzip detected).
    pub path: Option<String>,
    /// The bytes of the file.
    pub bytes: Option<Buffer>,
}

/// Conversion options, already checked for types by `index.js`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct NativeConvertOptions {
    /// Write the import file here; otherwise it comes back as `output`.
    pub output_path: Option<String>,
    /// Validate the written users (default true).
    pub validate: Option<bool>,
    /// Stop collecting problems after this many.
    pub max_errors: Option<f64>,
    /// CSV: the cell delimiter, one ASCII character (default `,`).
    pub delimiter: Option<String>,
    /// CSV: `utf8` (default) or `latin1`.
    pub encoding: Option<String>,
    /// CSV: what separates the items of a `path[]` list cell (default `;`).
    pub list_separator: Option<String>,
    /// Export: keep `user_id` as exported, with its `auth0|` prefix (default false).
    pub keep_user_id: Option<bool>,
}

/// The report (the core's JSON), the output when not written to a file, or the error.
#[napi(object)]
pub struct NativeConvertOutcome {
    /// The core's report as JSON text (snake_case keys).
    pub report_json: Option<String>,
    /// The import file's bytes when no `outputPath` was given.
    pub output: Option<Buffer>,
    /// Why the conversion failed.
    pub error: Option<NativeError>,
}

/// A conversion failure as data: input problems are `read` errors, output ones `write`.
fn convert_error(e: &ConvertError) -> NativeError {
    let base = |code: &str| NativeError {
        kind: "read".into(),
        code: code.into(),
        message: e.to_string(),
        ..NativeError::default()
    };
    match e {
        ConvertError::Read(r) => read_error(r),
        ConvertError::Header { code, column, header, .. } => NativeError {
            line: Some(1.0),
            column: Some(*column as f64),
            header: Some(header.clone()),
            ..base(code)
        },
        ConvertError::Input { code, row, .. } => {
            NativeError { line: row.map(|r| r as f64), ..base(code) }
        }
        ConvertError::NotAnObject { index, position, .. } => NativeError {
            index: Some(*index as f64),
            line: Some(position.line as f64),
            column: Some(position.column as f64),
            offset: Some(position.byte as f64),
            ..base(e.code())
        },
        ConvertError::Write(_) => NativeError { kind: "write".into(), ..base(e.code()) },
        _ => base(e.code()),
    }
}

/// A result whose error is boxed (`NativeError` is large).
type Fallible<T> = std::result::Result<T, Box<NativeError>>;

/// Which converter.
#[derive(Clone, Copy)]
pub enum Kind {
    /// CSV → import.
    Csv,
    /// Auth0 export → import.
    Export,
}

/// The thread-safe result of a conversion.
pub struct Outcome {
    report_json: Option<String>,
    output: Option<Vec<u8>>,
    error: Option<NativeError>,
}

impl Outcome {
    fn failed(e: NativeError) -> Outcome {
        Outcome { report_json: None, output: None, error: Some(e) }
    }
}

// Non-negative integers from the façade; the cast saturates.
fn max_errors(opts: &NativeConvertOptions) -> Option<usize> {
    opts.max_errors.map(|n| n as usize)
}

fn csv_options(opts: &NativeConvertOptions) -> Fallible<CsvOptions> {
    let mut o = CsvOptions { max_errors: max_errors(opts), ..CsvOptions::default() };
    if let Some(v) = opts.validate {
        o.validate = v;
    }
    if let Some(d) = &opts.delimiter {
        match d.as_bytes() {
            [b] if b.is_ascii() => o.delimiter = *b,
            _ => {
                return Err(Box::new(options_error(format!(
                    "delimiter must be one ASCII character, not {d:?}"
                ))));
            }
        }
    }
    match opts.encoding.as_deref() {
        None | Some("utf8") | Some("utf-8") => {}
        Some("latin1") => o.encoding = Encoding::Latin1,
        Some(other) => {
            return Err(Box::new(options_error(format!(
                "encoding must be \"utf8\" or \"latin1\", not {other:?}"
            ))));
        }
    }
    if let Some(s) = &opts.list_separator {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) => o.list_separator = c,
            _ => {
                return Err(Box::new(options_error(format!(
                    "listSeparator must be one character, not {s:?}"
                ))));
            }
        }
    }
    Ok(o)
}

fn export_options(opts: &NativeConvertOptions) -> ExportOptions {
    let mut o = ExportOptions { max_errors: max_errors(opts), ..ExportOptions::default() };
    if let Some(v) = opts.validate {
        o.validate = v;
    }
    if let Some(k) = opts.keep_user_id {
        o.keep_user_id = k;
    }
    o
}

/// Runs one converter from `input` to `out`; the report as JSON text.
fn convert(
    kind: Kind,
    input: impl Read,
    out: impl Write,
    opts: &NativeConvertOptions,
) -> Fallible<String> {
    let json = match kind {
        Kind::Csv => {
            let report = csv_to_import(input, out, &csv_options(opts)?);
            report.map(|r| serde_json::to_string(&r))
        }
        Kind::Export => {
            let report = export_to_import(input, out, &export_options(opts));
            report.map(|r| serde_json::to_string(&r))
        }
    };
    match json {
        Ok(Ok(text)) => Ok(text),
        Ok(Err(e)) => Err(Box::new(options_error(format!("the report has no JSON form: {e}")))),
        Err(e) => Err(Box::new(convert_error(&e))),
    }
}

fn with_input(
    kind: Kind,
    source: &NativeConvertSource,
    out: impl Write,
    opts: &NativeConvertOptions,
) -> Fallible<String> {
    match (&source.path, &source.bytes) {
        // An export may be gzip: `read::open` detects it. A CSV is read as is.
        (Some(path), None) => match kind {
            Kind::Export => {
                let input = userio_core::read::open(path).map_err(|e| Box::new(read_error(&e)))?;
                convert(kind, input, out, opts)
            }
            Kind::Csv => {
                let file =
                    File::open(path).map_err(|e| Box::new(read_error(&ReadError::io(&e, path))))?;
                convert(kind, std::io::BufReader::new(file), out, opts)
            }
        },
        (None, Some(bytes)) => match kind {
            Kind::Export if bytes.starts_with(&[0x1f, 0x8b]) => {
                let copy = Box::new(std::io::Cursor::new(bytes.to_vec()));
                let input = userio_core::read::maybe_gunzip(copy)
                    .map_err(|e| Box::new(read_error(&ReadError::io(&e, "the gzip buffer"))))?;
                convert(kind, input, out, opts)
            }
            _ => convert(kind, &bytes[..], out, opts),
        },
        _ => Err(Box::new(options_error("give exactly one source: a path or bytes".into()))),
    }
}

fn run(kind: Kind, source: &NativeConvertSource, opts: &NativeConvertOptions) -> Outcome {
    match &opts.output_path {
        Some(path) => {
            let file = match File::create(path) {
                Ok(f) => f,
                Err(e) => return Outcome::failed(write_error(&e)),
            };
            let mut out = BufWriter::new(file);
            match with_input(kind, source, &mut out, opts) {
                Ok(report) => match out.flush() {
                    Ok(()) => Outcome { report_json: Some(report), output: None, error: None },
                    Err(e) => Outcome::failed(write_error(&e)),
                },
                Err(e) => Outcome::failed(*e),
            }
        }
        None => {
            let mut buf = Vec::new();
            match with_input(kind, source, &mut buf, opts) {
                Ok(report) => Outcome { report_json: Some(report), output: Some(buf), error: None },
                Err(e) => Outcome::failed(*e),
            }
        }
    }
}

/// A conversion running on the libuv thread pool.
pub struct ConvertTask {
    kind: Kind,
    source: NativeConvertSource,
    opts: NativeConvertOptions,
}

impl Task for ConvertTask {
    type Output = Outcome;
    type JsValue = NativeConvertOutcome;

    fn compute(&mut self) -> Result<Outcome> {
        Ok(run(self.kind, &self.source, &self.opts))
    }

    fn resolve(&mut self, _env: Env, o: Outcome) -> Result<NativeConvertOutcome> {
        Ok(NativeConvertOutcome {
            report_json: o.report_json,
            output: o.output.map(Buffer::from),
            error: o.error,
        })
    }
}

/// Converts a CSV to an import file off the main thread (errors as data).
#[napi(ts_return_type = "Promise<NativeConvertOutcome>")]
pub fn convert_csv_async(
    source: NativeConvertSource,
    opts: NativeConvertOptions,
) -> AsyncTask<ConvertTask> {
    AsyncTask::new(ConvertTask { kind: Kind::Csv, source, opts })
}

/// Converts an Auth0 export to an import file off the main thread (errors as data).
#[napi(ts_return_type = "Promise<NativeConvertOutcome>")]
pub fn convert_export_async(
    source: NativeConvertSource,
    opts: NativeConvertOptions,
) -> AsyncTask<ConvertTask> {
    AsyncTask::new(ConvertTask { kind: Kind::Export, source, opts })
}
