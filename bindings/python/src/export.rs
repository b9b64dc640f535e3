//! `userio.export`: mirrors `userio_core::export`.
//!
//! GIL trade-off: a path (or bytes) source is read, filtered and written with the GIL
//! released; it is re-taken only to call a Python file object's `write` (once per 64 KiB)
//! and the progress callback. An iterable source needs the GIL to pull each user out of
//! Python, so that export holds it throughout.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyIterator, PyList, PyString, PyType};
use userio_core::export::{ExportError, Exporter, Format, Progress, Summary};
use userio_core::expr::Column;

use crate::errors;
use crate::expr::PyColumn;
use crate::pyjson;
use crate::pyjson::type_name;
use crate::query::extract_query;
use crate::schema;

/// Counts at the end of an export (what :func:`export` returns when given ``output``).
#[pyclass(frozen, module = "userio", name = "ExportSummary")]
pub struct PyExportSummary {
    /// Users read from the source (without a sort, reading stops once ``limit`` rows are
    /// written).
    #[pyo3(get)]
    read: u64,
    /// Users that matched the query.
    #[pyo3(get)]
    matched: u64,
    /// Rows written.
    #[pyo3(get)]
    written: u64,
    /// Cells whose expression failed (written empty, or as the column's marker).
    #[pyo3(get)]
    cell_errors: u64,
    /// Sorted runs spilled to temporary files (0: the sort fitted in ``memory_budget``).
    #[pyo3(get)]
    sort_runs: u64,
    first_cell_errors: Vec<(u64, String, String)>,
}

impl From<&Summary> for PyExportSummary {
    fn from(s: &Summary) -> Self {
        PyExportSummary {
            read: s.read,
            matched: s.matched,
            written: s.written,
            cell_errors: s.cell_errors,
            sort_runs: s.sort_runs,
            first_cell_errors: s
                .first_cell_errors
                .iter()
                .map(|e| (e.index, e.column.clone(), e.message.clone()))
                .collect(),
        }
    }
}

#[pymethods]
impl PyExportSummary {
    /// The first few failed cells, in input order, as dicts with ``index`` (the user's
    /// 0-based index), ``name`` (the column) and ``message`` (the JavaScript error).
    #[getter]
    fn first_cell_errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(py);
        for (index, name, message) in &self.first_cell_errors {
            let d = PyDict::new(py);
            d.set_item("index", index)?;
            d.set_item("name", name)?;
            d.set_item("message", message)?;
            out.append(d)?;
        }
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!(
            "ExportSummary(read={}, matched={}, written={}, cell_errors={}, sort_runs={})",
            self.read, self.matched, self.written, self.cell_errors, self.sort_runs
        )
    }
}

/// The counts so far, handed to ``export(progress=...)`` every few thousand users and once
/// at the end.
#[pyclass(frozen, module = "userio", name = "ExportProgress")]
pub struct PyExportProgress {
    /// Users read so far.
    #[pyo3(get)]
    read: u64,
    /// Users matched so far.
    #[pyo3(get)]
    matched: u64,
    /// Rows written so far (stays 0 while a sort is reading its input).
    #[pyo3(get)]
    written: u64,
}

#[pymethods]
impl PyExportProgress {
    fn __repr__(&self) -> String {
        format!(
            "ExportProgress(read={}, matched={}, written={})",
            self.read, self.matched, self.written
        )
    }
}

/// The first Python exception raised by the progress callback. Once set, the callback is no
/// longer called and the output refuses further writes, which stops the export.
#[derive(Default)]
struct Stop {
    raised: AtomicBool,
    error: Mutex<Option<PyErr>>,
}

impl Stop {
    fn take(&self) -> Option<PyErr> {
        self.error.lock().map(|mut e| e.take()).unwrap_or_else(|p| p.into_inner().take())
    }
}

/// `out`, refusing writes once the progress callback has raised.
struct Stoppable<'a, W> {
    out: W,
    stop: &'a Stop,
}

impl<W: Write> Write for Stoppable<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.stop.raised.load(Ordering::Relaxed) {
            return Err(io::Error::other("stopped: the progress callback raised an exception"));
        }
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Where users come from.
enum Source<'py> {
    Path(PathBuf),
    Bytes(Bound<'py, PyBytes>),
    Owned(Vec<u8>),
    Iter(Bound<'py, PyIterator>),
}

/// Where the output goes.
pub(crate) enum Target {
    /// Returned to the caller (`str`, or `list[dict]` for JSON).
    Memory,
    Path(PathBuf),
    /// A Python file object; `text` when it is an `io.TextIOBase` (gets `str`), else bytes.
    Object {
        file: Py<PyAny>,
        text: bool,
    },
}

/// A Python file object as an `io::Write`. A Python exception raised by `write` is kept
/// and re-raised as is once the export returns.
pub(crate) struct PyWriter {
    file: Py<PyAny>,
    text: bool,
    /// Bytes of a UTF-8 character split across two writes (text targets only).
    pending: Vec<u8>,
    error: Option<PyErr>,
}

impl PyWriter {
    pub(crate) fn new(file: Py<PyAny>, text: bool) -> Self {
        PyWriter { file, text, pending: Vec::new(), error: None }
    }

    /// The Python exception a `write` raised, if any.
    pub(crate) fn take_error(&mut self) -> Option<PyErr> {
        self.error.take()
    }

    fn send(&mut self, buf: &[u8]) -> io::Result<()> {
        Python::attach(|py| {
            if self.text {
                if self.pending.is_empty() {
                    return self.send_text(py, buf);
                }
                let mut joined = std::mem::take(&mut self.pending);
                joined.extend_from_slice(buf);
                return self.send_text(py, &joined);
            }
            self.file
                .bind(py)
                .call_method1(intern!(py, "write"), (PyBytes::new(py, buf),))
                .map(drop)
                .map_err(|e| self.keep(e))
        })
    }

    fn send_text(&mut self, py: Python<'_>, bytes: &[u8]) -> io::Result<()> {
        let valid = match std::str::from_utf8(bytes) {
            Ok(s) => s.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
        };
        self.pending = bytes[valid..].to_vec();
        let text = std::str::from_utf8(&bytes[..valid])
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        self.file
            .bind(py)
            .call_method1(intern!(py, "write"), (PyString::new(py, text),))
            .map(drop)
            .map_err(|e| self.keep(e))
    }

    fn keep(&mut self, e: PyErr) -> io::Error {
        let message = e.to_string();
        self.error = Some(e);
        io::Error::other(message)
    }
}

impl Write for PyWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.send(buf)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Exports users: read → filter (``query``) → sort → ``columns`` → CSV / JSON / NDJSON.
///
/// ``source``: a path (``str`` or ``os.PathLike``: a JSON array or NDJSON file, gzip
/// detected), the file's content as ``bytes``, or any iterable of dicts (a list, a
/// generator…). ``query``: Lucene text or a :class:`Query`. ``columns``: :class:`Column`
/// objects, ``(name, source)`` pairs or a ``{name: source}`` dict; default
/// :func:`default_columns`. ``sort``: an attribute path, ``descending`` to reverse it.
/// ``format``: ``"csv"`` (default), ``"json"`` or ``"ndjson"``. ``limit``: at most that
/// many rows, the first after sorting. ``bom``: start CSV with a UTF-8 BOM (for Excel).
/// ``progress``: called with an :class:`ExportProgress` every few thousand users and once at
/// the end; an exception it raises stops the export and propagates.
///
/// CSV knobs: ``delimiter`` (one ASCII character, default ``","``), ``crlf`` (``\r\n`` line
/// ends), ``formula_escape`` (default on: a cell starting with ``= + - @``, tab or CR gets a
/// leading ``'``; plain numbers excepted). Sorting: ``case_insensitive`` compares strings
/// ignoring case; ``memory_budget`` (bytes, default 256 MiB) bounds the sort buffer, beyond
/// which sorted runs spill to files in ``temp_dir`` (default: the system's).
///
/// ``output``: a path, or a file object opened in text or binary mode (``io.TextIOBase``
/// objects get ``str``, others ``bytes``); the function then returns the
/// :class:`ExportSummary`. Without ``output`` it returns the CSV / NDJSON text as ``str``, or
/// the JSON rows as ``list[dict]``.
///
/// The GIL is released while a path or bytes source is processed; an iterable source holds
/// it (each user is read from Python). Raises :class:`ExportError` (bad input file, with
/// ``code``, ``index``, ``line``, ``column``), :class:`QueryError`, :class:`ExpressionError`,
/// ``TypeError`` for a user that is not JSON-like (naming the key path) and ``OSError`` when
/// a path cannot be opened or created. A Python exception from the source iterable, the
/// output's ``write`` or ``progress`` propagates unchanged. An output path is removed when
/// the export fails.
#[pyfunction]
#[pyo3(signature = (
    source, *, query = None, columns = None, sort = None, descending = false,
    format = "csv", limit = None, bom = false, progress = None, output = None,
    delimiter = ",", crlf = false, formula_escape = true, case_insensitive = false,
    memory_budget = None, temp_dir = None
))]
#[allow(clippy::too_many_arguments)]
pub fn export<'py>(
    py: Python<'py>,
    source: &Bound<'py, PyAny>,
    query: Option<&Bound<'py, PyAny>>,
    columns: Option<&Bound<'py, PyAny>>,
    sort: Option<String>,
    descending: bool,
    format: &str,
    limit: Option<i64>,
    bom: bool,
    progress: Option<Bound<'py, PyAny>>,
    output: Option<&Bound<'py, PyAny>>,
    delimiter: &str,
    crlf: bool,
    formula_escape: bool,
    case_insensitive: bool,
    memory_budget: Option<usize>,
    temp_dir: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let format = match format {
        "csv" => Format::Csv,
        "json" => Format::Json,
        "ndjson" => Format::Ndjson,
        other => {
            return Err(PyValueError::new_err(format!(
                "format must be \"csv\", \"json\" or \"ndjson\", not {other:?}"
            )));
        }
    };
    let columns = match columns {
        None => Column::defaults(),
        Some(c) => extract_columns(py, c)?,
    };
    let mut exporter = Exporter::new(columns).format(format);
    if let Some(q) = query {
        exporter = exporter.query(extract_query(py, q)?.into_owned());
    }
    if let Some(path) = sort {
        exporter = exporter.sort_by(path, descending);
    }
    if let Some(n) = limit {
        let n = u64::try_from(n)
            .map_err(|_| PyValueError::new_err(format!("limit must be >= 0, not {n}")))?;
        exporter = exporter.limit(n);
    }
    let delimiter = match delimiter.as_bytes() {
        [d] if d.is_ascii() => *d,
        _ => {
            return Err(PyValueError::new_err(format!(
                "delimiter must be one ASCII character, not {delimiter:?}"
            )));
        }
    };
    exporter = exporter
        .bom(bom)
        .delimiter(delimiter)
        .crlf(crlf)
        .formula_escape(formula_escape)
        .case_insensitive_sort(case_insensitive);
    if let Some(bytes) = memory_budget {
        exporter = exporter.memory_budget(bytes);
    }
    if let Some(dir) = temp_dir {
        exporter = exporter.temp_dir(dir);
    }
    let stop = Arc::new(Stop::default());
    if let Some(callback) = progress {
        let callback = callback.unbind();
        let stop = Arc::clone(&stop);
        exporter = exporter.progress(move |p: Progress| {
            if stop.raised.load(Ordering::Relaxed) {
                return;
            }
            Python::attach(|py| {
                let progress =
                    PyExportProgress { read: p.read, matched: p.matched, written: p.written };
                if let Err(e) = callback.bind(py).call1((progress,)) {
                    if let Ok(mut slot) = stop.error.lock() {
                        slot.get_or_insert(e);
                    }
                    stop.raised.store(true, Ordering::Relaxed);
                }
            });
        });
    }

    let source = extract_source(source)?;
    let target = extract_target(py, output)?;
    let owned;
    let input = match &source {
        Source::Path(path) => Input::Reader(py.detach(|| schema::open(path))?),
        Source::Bytes(bytes) => Input::Slice(bytes.as_bytes()),
        Source::Owned(data) => {
            owned = data;
            Input::Slice(&owned[..])
        }
        Source::Iter(iter) => Input::Iter(iter.clone()),
    };

    let mut source_error: Option<PyErr> = None;
    let mut memory = Vec::new();
    let (result, write_error) = match &target {
        Target::Memory => {
            let mut out = Stoppable { out: &mut memory, stop: &stop };
            (run(py, &exporter, input, &mut out, &mut source_error), None)
        }
        Target::Path(path) => {
            let file = py.detach(|| File::create(path)).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot create {}: {e}", path.display()))
            })?;
            let mut out = Stoppable { out: BufWriter::with_capacity(1 << 16, file), stop: &stop };
            let result = run(py, &exporter, input, &mut out, &mut source_error);
            drop(out);
            if result.is_err() || source_error.is_some() || stop.raised.load(Ordering::Relaxed) {
                let _ = std::fs::remove_file(path);
            }
            (result, None)
        }
        Target::Object { file, text } => {
            let writer = PyWriter {
                file: file.clone_ref(py),
                text: *text,
                pending: Vec::new(),
                error: None,
            };
            let mut out = Stoppable { out: BufWriter::with_capacity(1 << 16, writer), stop: &stop };
            let result = run(py, &exporter, input, &mut out, &mut source_error);
            let (mut writer, _) = out.out.into_parts();
            (result, writer.error.take())
        }
    };
    if let Some(e) = stop.take().or(source_error).or(write_error) {
        return Err(e);
    }
    let summary = result.map_err(|e| errors::export_error(py, &e))?;
    let summary = Bound::new(py, PyExportSummary::from(&summary))?;
    match (target, format) {
        (Target::Memory, Format::Json) => {
            let rows: serde_json::Value = serde_json::from_slice(&memory).map_err(|e| {
                errors::userio_error(
                    py,
                    "internal",
                    &format!("the JSON output does not parse: {e}"),
                )
            })?;
            pyjson::to_py(py, &rows)
        }
        (Target::Memory, _) => {
            String::from_utf8(memory).map(|s| PyString::new(py, &s).into_any()).map_err(|e| {
                errors::userio_error(py, "internal", &format!("output is not UTF-8: {e}"))
            })
        }
        _ => Ok(summary.into_any()),
    }
}

/// The source, ready for the core.
enum Input<'a, 'py> {
    Reader(Box<dyn Read + Send>),
    Slice(&'a [u8]),
    Iter(Bound<'py, PyIterator>),
}

/// Runs the export and flushes `out`; releases the GIL unless the source is a Python
/// iterable.
fn run<W: Write + Send>(
    py: Python<'_>,
    exporter: &Exporter,
    input: Input<'_, '_>,
    out: &mut W,
    source_error: &mut Option<PyErr>,
) -> Result<Summary, ExportError> {
    let finish = |r: Result<Summary, ExportError>, out: &mut W| {
        let summary = r?;
        out.flush()?;
        Ok(summary)
    };
    match input {
        Input::Reader(reader) => {
            py.detach(|| finish(exporter.export_reader(reader, &mut *out), out))
        }
        Input::Slice(data) => py.detach(|| finish(exporter.export_reader(data, &mut *out), out)),
        Input::Iter(iter) => {
            let users = PyUsers { iter, index: 0, error: source_error };
            finish(exporter.export_users(users, &mut *out), out)
        }
    }
}

/// A Python iterable as an iterator of JSON values. The first conversion error or Python
/// exception ends the iteration and is kept for the caller to raise.
// CORE-NEEDED: a fallible source, e.g. `Exporter::try_export_users(impl IntoIterator<Item =
// Result<Value, E>>)`, so that a bad user aborts the export inside the core instead of
// ending the iteration early (today the core finishes a shorter output, which the binding
// then discards by raising; a file object target keeps the rows already written).
struct PyUsers<'a, 'py> {
    iter: Bound<'py, PyIterator>,
    index: u64,
    error: &'a mut Option<PyErr>,
}

impl Iterator for PyUsers<'_, '_> {
    type Item = serde_json::Value;

    fn next(&mut self) -> Option<serde_json::Value> {
        if self.error.is_some() {
            return None;
        }
        let item = match self.iter.next()? {
            Ok(item) => item,
            Err(e) => {
                *self.error = Some(e);
                return None;
            }
        };
        let what = format!("user {}", self.index);
        self.index += 1;
        match pyjson::to_value(&item, &what) {
            Ok(v) => Some(v),
            Err(e) => {
                *self.error = Some(e);
                None
            }
        }
    }
}

fn extract_source<'py>(source: &Bound<'py, PyAny>) -> PyResult<Source<'py>> {
    if let Ok(bytes) = source.cast::<PyBytes>() {
        return Ok(Source::Bytes(bytes.clone()));
    }
    if let Ok(array) = source.cast::<PyByteArray>() {
        return Ok(Source::Owned(array.to_vec()));
    }
    if source.is_instance_of::<PyString>() || source.hasattr(intern!(source.py(), "__fspath__"))? {
        return Ok(Source::Path(source.extract()?));
    }
    if source.is_instance_of::<PyDict>() {
        return Err(PyTypeError::new_err(
            "export() source is a single dict: pass a list of users, e.g. [user]",
        ));
    }
    match source.try_iter() {
        Ok(iter) => Ok(Source::Iter(iter)),
        Err(_) => Err(PyTypeError::new_err(format!(
            "export() source must be a path, bytes or an iterable of dicts, not {}",
            type_name(source)
        ))),
    }
}

pub(crate) fn extract_target(
    py: Python<'_>,
    output: Option<&Bound<'_, PyAny>>,
) -> PyResult<Target> {
    let Some(output) = output else { return Ok(Target::Memory) };
    if output.is_instance_of::<PyString>() || output.hasattr(intern!(py, "__fspath__"))? {
        return Ok(Target::Path(output.extract()?));
    }
    if !output.hasattr(intern!(py, "write"))? {
        return Err(PyTypeError::new_err(format!(
            "output must be a path or a file object with a write() method, not {}",
            type_name(output)
        )));
    }
    static TEXT_IO_BASE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
    let text = output.is_instance(TEXT_IO_BASE.import(py, "io", "TextIOBase")?)?;
    Ok(Target::Object { file: output.clone().unbind(), text })
}

fn extract_columns(py: Python<'_>, c: &Bound<'_, PyAny>) -> PyResult<Vec<Column>> {
    let make = |name: String, source: String| {
        Column::new(name, source).map_err(|e| errors::expr_error(py, &e))
    };
    if let Ok(d) = c.cast::<PyDict>() {
        return d.iter().map(|(k, v)| make(k.extract()?, v.extract()?)).collect();
    }
    let mut out = Vec::new();
    for (i, item) in c.try_iter()?.enumerate() {
        let item = item?;
        if let Ok(col) = item.cast::<PyColumn>() {
            out.push(col.get().inner.clone());
        } else if let Ok((name, source)) = item.extract::<(String, String)>() {
            out.push(make(name, source)?);
        } else {
            return Err(PyTypeError::new_err(format!(
                "columns[{i}] must be a userio.Column or a (name, source) pair of str, not {}",
                type_name(&item)
            )));
        }
    }
    Ok(out)
}

/// Registers the export function and its summary class.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyExportSummary>()?;
    m.add_class::<PyExportProgress>()?;
    m.add_function(wrap_pyfunction!(export, m)?)
}
