//! `userio.convert_csv` and `userio.convert_export`: mirror `userio_core::convert`.
//!
//! Both write a JSON array of import users (one per line) and return the core's report as a
//! plain dict (its serde form). The GIL is released while a path or bytes source is read;
//! it is re-taken only for a Python file object's `write`.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString, PyTuple};
use serde::Serialize;
use userio_core::convert::ConvertError;
use userio_core::convert::csv_import::{CsvOptions, Encoding, csv_to_import};
use userio_core::convert::from_export::{ExportOptions, export_to_import};
use userio_core::read::InputFormat;

use crate::export::{PyWriter, Target, extract_target};
use crate::{errors, pyjson, schema};

/// A path (gzip detected) or the content as bytes.
fn open_source(py: Python<'_>, source: &Bound<'_, PyAny>) -> PyResult<Box<dyn Read + Send>> {
    if let Ok(bytes) = source.cast::<PyBytes>() {
        return Ok(Box::new(std::io::Cursor::new(bytes.as_bytes().to_vec())));
    }
    if let Ok(array) = source.cast::<PyByteArray>() {
        return Ok(Box::new(std::io::Cursor::new(array.to_vec())));
    }
    let path: PathBuf = source
        .extract()
        .map_err(|_| PyTypeError::new_err("source must be a path (str or os.PathLike) or bytes"))?;
    Ok(py.detach(|| schema::open(&path))?)
}

/// Runs `convert` from `input` into `output` (see `export`'s targets) and returns the
/// report as a dict, or `(text, report)` when there is no `output`.
fn run<'py, T: Serialize + Send>(
    py: Python<'py>,
    input: Box<dyn Read + Send>,
    output: Option<&Bound<'py, PyAny>>,
    convert: impl Fn(Box<dyn Read + Send>, &mut dyn Write) -> Result<T, ConvertError> + Send + Sync,
) -> PyResult<Bound<'py, PyAny>> {
    let target = extract_target(py, output)?;
    let (result, memory, write_error) = match target {
        Target::Memory => {
            let mut memory = Vec::new();
            let result = py.detach(|| convert(input, &mut memory));
            (result, Some(memory), None)
        }
        Target::Path(path) => {
            let file = py.detach(|| File::create(&path)).map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot create {}: {e}", path.display()))
            })?;
            let mut out = BufWriter::with_capacity(1 << 16, file);
            let result = py.detach(|| {
                let r = convert(input, &mut out);
                out.flush().map_err(|e| ConvertError::Write(e.to_string())).and(r)
            });
            drop(out);
            if result.is_err() {
                let _ = std::fs::remove_file(&path);
            }
            (result, None, None)
        }
        Target::Object { file, text } => {
            let mut out = BufWriter::with_capacity(1 << 16, PyWriter::new(file, text));
            let result = py.detach(|| {
                let r = convert(input, &mut out);
                out.flush().map_err(|e| ConvertError::Write(e.to_string())).and(r)
            });
            let (mut writer, _) = out.into_parts();
            (result, None, writer.take_error())
        }
    };
    if let Some(e) = write_error {
        return Err(e);
    }
    let report = result.map_err(|e| errors::convert_error(py, &e))?;
    let report = serde_json::to_value(&report)
        .map_err(|e| errors::userio_error(py, "internal", &format!("report: {e}")))?;
    let report = pyjson::to_py(py, &report)?;
    match memory {
        Some(bytes) => {
            let text = String::from_utf8(bytes)
                .map_err(|e| errors::userio_error(py, "internal", &format!("output: {e}")))?;
            Ok(PyTuple::new(py, [PyString::new(py, &text).into_any(), report])?.into_any())
        }
        None => Ok(report),
    }
}

/// Converts a CSV whose header row names attribute paths (``email``,
/// ``app_metadata.plan``, ``app_metadata.roles[]``, ``logins_count:number``, …) into an
/// import file: a JSON array of users, one per line.
///
/// ``source``: a path or the CSV as ``bytes``. ``output``: a path or a file object; without
/// it the function returns ``(json_text, report)``, with it the ``report``. The report is a
/// dict: ``columns`` (the header as understood), ``rows``, ``users``, ``empty_rows``,
/// ``errors`` (cells that do not convert, with ``row``, ``column``, ``header``, ``code``),
/// ``errors_truncated`` and ``validation`` (the import schema's verdict on the written
/// users mapped back to CSV rows, or ``None`` with ``validate=False``).
///
/// ``delimiter`` (one ASCII character), ``encoding`` (``"utf-8"``, BOM skipped, or
/// ``"latin-1"``), ``list_separator`` (between the items of a ``path[]`` cell),
/// ``max_errors``. Raises :class:`ConvertError` for an unusable header or input (``code``,
/// ``row``, ``column``, ``header``).
#[pyfunction]
#[pyo3(signature = (
    source, output = None, *, delimiter = ",", encoding = "utf-8", list_separator = ";",
    validate = true, max_errors = None
))]
#[allow(clippy::too_many_arguments)]
pub fn convert_csv<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    output: Option<&Bound<'py, PyAny>>,
    delimiter: &str,
    encoding: &str,
    list_separator: &str,
    validate: bool,
    max_errors: Option<usize>,
) -> PyResult<Bound<'py, PyAny>> {
    let delimiter = match delimiter.as_bytes() {
        [d] if d.is_ascii() => *d,
        _ => {
            return Err(PyValueError::new_err(format!(
                "delimiter must be one ASCII character, not {delimiter:?}"
            )));
        }
    };
    let encoding = match encoding.to_ascii_lowercase().replace('_', "-").as_str() {
        "utf-8" | "utf8" => Encoding::Utf8,
        "latin-1" | "latin1" | "iso-8859-1" => Encoding::Latin1,
        other => {
            return Err(PyValueError::new_err(format!(
                "encoding must be \"utf-8\" or \"latin-1\", not {other:?}"
            )));
        }
    };
    let mut chars = list_separator.chars();
    let list_separator = match (chars.next(), chars.next()) {
        (Some(c), None) => c,
        _ => {
            return Err(PyValueError::new_err(format!(
                "list_separator must be one character, not {list_separator:?}"
            )));
        }
    };
    let options = CsvOptions { delimiter, encoding, list_separator, validate, max_errors };
    let input = open_source(py, source)?;
    run(py, input, output, |input, out| csv_to_import(input, out, &options))
}

/// Converts users as Auth0's export jobs or user search give them (NDJSON or a JSON array,
/// gzip detected for paths) into a valid import file: the ``auth0|`` prefix is stripped
/// from ``user_id`` (unless ``keep_user_id``) and every field the import refuses is dropped
/// and counted.
///
/// ``output`` and the return value work as in :func:`convert_csv`. The report is a dict:
/// ``users``, ``user_ids_stripped``, ``foreign_user_ids``, ``dropped`` (``field``,
/// ``reason``, ``count``) and ``validation`` (the validator's report of the written file, or
/// ``None`` with ``validate=False``). ``input_format``: ``"auto"``, ``"array"`` or
/// ``"ndjson"``. Raises :class:`ConvertError` for a malformed input (``code``, ``index``,
/// ``line``, ``column``).
#[pyfunction]
#[pyo3(signature = (
    source, output = None, *, keep_user_id = false, validate = true, max_errors = None,
    input_format = "auto"
))]
pub fn convert_export<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    output: Option<&Bound<'py, PyAny>>,
    keep_user_id: bool,
    validate: bool,
    max_errors: Option<usize>,
    input_format: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let format = match input_format {
        "auto" => InputFormat::Auto,
        "array" | "json" => InputFormat::Array,
        "ndjson" => InputFormat::Ndjson,
        other => {
            return Err(PyValueError::new_err(format!(
                "input_format must be \"auto\", \"array\" or \"ndjson\", not {other:?}"
            )));
        }
    };
    let options =
        ExportOptions { keep_user_id, validate, max_errors, format, ..ExportOptions::default() };
    let input = open_source(py, source)?;
    run(py, input, output, |input, out| export_to_import(input, out, &options))
}

/// Registers the conversion functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(convert_csv, m)?)?;
    m.add_function(wrap_pyfunction!(convert_export, m)?)
}
