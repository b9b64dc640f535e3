//! `userio.validate` and its report: mirrors `userio_core::schema`.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList};
use userio_core::read;
use userio_core::schema::{self, Issue, Report, Severity, ValidateOptions};

use crate::errors::{self, Kind};

/// One problem found by :func:`validate`: which user, where in it (JSON pointer) and where
/// in the file (byte offset, 1-based line and column), a stable ``code`` and a message that
/// says how to fix it.
#[pyclass(frozen, module = "userio", name = "ErrorDetail")]
pub struct PyErrorDetail {
    /// 0-based index of the user, ``None`` for a whole-file problem.
    #[pyo3(get)]
    index: Option<u64>,
    /// JSON pointer inside the user (``/custom_password_hash/hash/value``); ``""`` for the
    /// user itself.
    #[pyo3(get)]
    pointer: String,
    /// Stable snake_case code (``email_invalid``, ``json_trailing_comma``, …).
    #[pyo3(get)]
    code: &'static str,
    /// ``"error"`` (Auth0 would refuse it) or ``"warning"`` (accepted, but probably not what
    /// was meant).
    #[pyo3(get)]
    severity: &'static str,
    /// What is wrong and how to fix it.
    #[pyo3(get)]
    message: String,
    /// The offending value as compact JSON (truncated), if any.
    #[pyo3(get)]
    value: Option<String>,
    /// 1-based line in the file.
    #[pyo3(get)]
    line: u64,
    /// 1-based column in the file, in characters.
    #[pyo3(get)]
    column: u64,
    /// 0-based byte offset in the (decompressed) file.
    #[pyo3(get)]
    byte: u64,
}

impl From<&Issue> for PyErrorDetail {
    fn from(i: &Issue) -> Self {
        PyErrorDetail {
            index: i.index,
            pointer: i.pointer.clone(),
            code: i.code,
            severity: match i.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            message: i.message.clone(),
            value: i.value.clone(),
            line: i.position.line,
            column: i.position.column,
            byte: i.position.byte,
        }
    }
}

#[pymethods]
impl PyErrorDetail {
    /// The detail as a plain dict (the ``ErrorDict`` TypedDict).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("index", self.index)?;
        d.set_item("pointer", &self.pointer)?;
        d.set_item("code", self.code)?;
        d.set_item("severity", self.severity)?;
        d.set_item("message", &self.message)?;
        d.set_item("value", &self.value)?;
        d.set_item("line", self.line)?;
        d.set_item("column", self.column)?;
        d.set_item("byte", self.byte)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "ErrorDetail(index={}, pointer={:?}, code={:?}, line={}, column={}, message={:?})",
            self.index.map_or("None".to_owned(), |i| i.to_string()),
            self.pointer,
            self.code,
            self.line,
            self.column,
            self.message
        )
    }

    fn __str__(&self) -> String {
        let user = self.index.map_or("file".to_owned(), |i| format!("user {i}"));
        let at = if self.pointer.is_empty() { String::new() } else { format!(" {}", self.pointer) };
        format!(
            "{user}{at} (line {}, column {}): {} [{}]",
            self.line, self.column, self.message, self.code
        )
    }
}

/// The outcome of :func:`validate`: counts and every problem, in file order.
#[pyclass(frozen, module = "userio", name = "ValidationReport")]
pub struct PyValidationReport {
    /// Users read.
    #[pyo3(get)]
    users: u64,
    /// Users with no problem.
    #[pyo3(get)]
    valid: u64,
    /// True when ``max_errors`` cut the list of errors short.
    #[pyo3(get)]
    truncated: bool,
    errors: Vec<Py<PyErrorDetail>>,
    warnings: Vec<Py<PyErrorDetail>>,
}

#[pymethods]
impl PyValidationReport {
    /// True when the file has no problem at all.
    #[getter]
    fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// Every problem found (a new list of the same :class:`ErrorDetail` objects each time).
    #[getter]
    fn errors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.errors.iter().map(|e| e.clone_ref(py)))
    }

    /// Things Auth0 accepts but that are probably not what was meant (``severity ==
    /// "warning"``), in file order. They do not make the report fail.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.warnings.iter().map(|e| e.clone_ref(py)))
    }

    /// Raises :class:`ValidationError` (also a ``ValueError``) when the report is not ok.
    fn raise_for_errors(slf: &Bound<'_, Self>) -> PyResult<()> {
        let me = slf.get();
        if me.errors.is_empty() {
            return Ok(());
        }
        let py = slf.py();
        let mut message = format!(
            "{} problem{} in {} user{}{}",
            me.errors.len(),
            if me.errors.len() == 1 { "" } else { "s" },
            me.users,
            if me.users == 1 { "" } else { "s" },
            if me.truncated { " (list cut short by max_errors)" } else { "" }
        );
        const SHOWN: usize = 10;
        for e in me.errors.iter().take(SHOWN) {
            message.push_str("\n  ");
            message.push_str(&e.get().__str__());
        }
        if me.errors.len() > SHOWN {
            message.push_str(&format!("\n  … and {} more", me.errors.len() - SHOWN));
        }
        Err(errors::new_err(
            py,
            Kind::Validation,
            &message,
            &[("report", slf.clone().into_any().unbind())],
        ))
    }

    fn __repr__(&self) -> String {
        format!(
            "ValidationReport(ok={}, users={}, valid={}, errors={}, warnings={}{})",
            if self.errors.is_empty() { "True" } else { "False" },
            self.users,
            self.valid,
            self.errors.len(),
            self.warnings.len(),
            if self.truncated { ", truncated=True" } else { "" }
        )
    }
}

fn report_to_py(py: Python<'_>, report: &Report) -> PyResult<PyValidationReport> {
    let details = |issues: &[Issue]| {
        issues.iter().map(|i| Py::new(py, PyErrorDetail::from(i))).collect::<PyResult<Vec<_>>>()
    };
    Ok(PyValidationReport {
        users: report.users,
        valid: report.valid,
        truncated: report.truncated,
        errors: details(&report.errors)?,
        warnings: details(&report.warnings)?,
    })
}

/// Validates users against Auth0's bulk-import schema.
///
/// ``source`` is a path (``str`` or ``os.PathLike``; gzip is detected) or the file's
/// content as ``bytes``/``bytearray``. A ``str`` is always a path, never JSON text: pass
/// ``text.encode()`` to validate a string. The input is a JSON array of users or NDJSON.
/// Every problem is collected unless ``max_errors`` stops the list early (the user counts
/// still cover the whole file). ``max_file_bytes`` refuses a larger input (after
/// decompression) and ``max_record_bytes`` a larger single user (default 16 MiB), each as a
/// ``file_too_large`` / ``record_too_large`` error in the report. ``check_duplicates=False``
/// skips the duplicate email / user_id / username check (flat memory). The GIL is released while the file is read and checked.
///
/// Raises ``OSError`` (``FileNotFoundError``, …) when the file cannot be opened. Problems
/// in the content are never raised: they are in the returned report; call
/// ``report.raise_for_errors()`` to turn them into a :class:`ValidationError`.
#[pyfunction]
#[pyo3(signature = (
    source, max_errors = None, *, max_file_bytes = None, max_record_bytes = None,
    check_duplicates = true
))]
pub fn validate(
    py: Python<'_>,
    source: &Bound<'_, PyAny>,
    max_errors: Option<usize>,
    max_file_bytes: Option<u64>,
    max_record_bytes: Option<usize>,
    check_duplicates: bool,
) -> PyResult<PyValidationReport> {
    let mut options =
        ValidateOptions { max_errors, check_duplicates, ..ValidateOptions::default() };
    options.limits.max_bytes = max_file_bytes;
    if let Some(n) = max_record_bytes {
        options.limits.max_record_bytes = n;
    }
    let report = if let Ok(bytes) = source.cast::<PyBytes>() {
        let data = bytes.as_bytes();
        py.detach(|| schema::validate_with(data, &options))
    } else if let Ok(array) = source.cast::<PyByteArray>() {
        let data = array.to_vec();
        py.detach(|| schema::validate_with(&data[..], &options))
    } else {
        let path: PathBuf = source.extract().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(format!(
                "validate() takes a path (str or os.PathLike) or bytes, not {}",
                source.get_type().name().map(|n| n.to_string()).unwrap_or_default()
            ))
        })?;
        let input = py.detach(|| open(&path))?;
        py.detach(move || schema::validate_with(input, &options))
    };
    report_to_py(py, &report)
}

/// Opens `path` as the core does (gzip detected), keeping the `io::Error` so Python gets
/// `FileNotFoundError`, `PermissionError`, … rather than a generic error.
pub fn open(path: &PathBuf) -> std::io::Result<Box<dyn Read + Send>> {
    let file = File::open(path).map_err(|e| {
        std::io::Error::new(e.kind(), format!("cannot open {}: {e}", path.display()))
    })?;
    read::maybe_gunzip(Box::new(file))
}

/// Registers the schema classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyErrorDetail>()?;
    m.add_class::<PyValidationReport>()?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    Ok(())
}
