//! Core errors → Python exceptions.
//!
//! The exception classes live in Python (`userio/_errors.py`) so that `ValidationError` can
//! subclass both `UserioError` and `ValueError` and carry methods and typed attributes.
//! This module only builds instances of them: a message plus keyword attributes.
//!
//! Offsets are converted here (habit 5): the core counts bytes, Python counts code points.

use pyo3::BoundObject;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};
use userio_core::convert::ConvertError;
use userio_core::export::ExportError;
use userio_core::expr::{CellError, ExprError};
use userio_core::position::{self, Position};
use userio_core::query::ParseError;

/// The Python exception classes of `userio._errors`, imported once.
#[derive(Clone, Copy)]
pub enum Kind {
    Userio,
    Validation,
    Query,
    Expression,
    Export,
    Convert,
    Auth0,
}

impl Kind {
    fn class_name(self) -> &'static str {
        match self {
            Kind::Userio => "UserioError",
            Kind::Validation => "ValidationError",
            Kind::Query => "QueryError",
            Kind::Expression => "ExpressionError",
            Kind::Export => "ExportError",
            Kind::Convert => "ConvertError",
            Kind::Auth0 => "Auth0Error",
        }
    }

    fn class<'py>(self, py: Python<'py>) -> PyResult<&'py Bound<'py, PyType>> {
        static CLASSES: [PyOnceLock<Py<PyType>>; 7] = [
            PyOnceLock::new(),
            PyOnceLock::new(),
            PyOnceLock::new(),
            PyOnceLock::new(),
            PyOnceLock::new(),
            PyOnceLock::new(),
            PyOnceLock::new(),
        ];
        CLASSES[self as usize].import(py, "userio._errors", self.class_name())
    }
}

/// Builds `kind(message, **attrs)`. Never fails: if the class cannot be imported, the
/// import error itself is returned (with the message attached as a note in its text).
pub fn new_err(py: Python<'_>, kind: Kind, message: &str, attrs: &[(&str, Py<PyAny>)]) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let kwargs = PyDict::new(py);
        for (key, value) in attrs {
            kwargs.set_item(key, value)?;
        }
        let exc = kind.class(py)?.call((message,), Some(&kwargs))?;
        Ok(PyErr::from_value(exc))
    };
    build().unwrap_or_else(|e| {
        PyRuntimeError::new_err(format!("{message} (and userio._errors failed to load: {e})"))
    })
}

/// Byte offset → code-point offset in `text` (bytes past the end are clamped).
pub fn code_points(text: &str, byte: usize) -> usize {
    let bytes = text.as_bytes();
    bytes[..byte.min(bytes.len())].iter().filter(|&&b| (b as i8) >= -0x40).count()
}

fn position_attrs(py: Python<'_>, pos: Position) -> Vec<(&'static str, Py<PyAny>)> {
    vec![("byte", obj(py, pos.byte)), ("line", obj(py, pos.line)), ("column", obj(py, pos.column))]
}

pub fn obj<'py, T: IntoPyObject<'py>>(py: Python<'py>, v: T) -> Py<PyAny> {
    v.into_pyobject(py).map(|o| o.into_any().unbind()).unwrap_or_else(|_| py.None())
}

/// A query that does not parse → `QueryError` with `code`, `offset` (code points), `byte`,
/// `line`, `column`, `excerpt`, `query`, `reason`, `expected` and `found`; the message ends
/// with the caret excerpt.
pub fn query_error(py: Python<'_>, text: &str, e: &ParseError) -> PyErr {
    let byte = e.offset();
    let message = format!("{e}\n{}", e.excerpt);
    let mut attrs = position_attrs(py, e.position);
    attrs.push(("code", obj(py, e.code)));
    attrs.push(("offset", obj(py, code_points(text, byte))));
    attrs.push(("excerpt", obj(py, &*e.excerpt)));
    attrs.push(("query", obj(py, text)));
    attrs.push(("reason", obj(py, &e.message)));
    attrs.push(("expected", obj(py, e.expected)));
    attrs.push(("found", obj(py, &*e.found)));
    new_err(py, Kind::Query, &message, &attrs)
}

/// A column source that does not compile → `ExpressionError` with `name` (the column),
/// `source`, `offset` (code points), `byte`, `excerpt`.
pub fn expr_error(py: Python<'_>, e: &ExprError) -> PyErr {
    let excerpt = position::excerpt(&e.source_text, e.offset);
    let message = format!("{e}\n{excerpt}");
    let attrs = [
        ("name", obj(py, &e.column)),
        ("source", obj(py, &e.source_text)),
        ("offset", obj(py, code_points(&e.source_text, e.offset))),
        ("byte", obj(py, e.offset)),
        ("excerpt", obj(py, excerpt)),
        ("reason", obj(py, &e.message)),
    ];
    new_err(py, Kind::Expression, &message, &attrs)
}

/// A column that failed for one user → `ExpressionError` with `name` and `source`.
pub fn cell_error(py: Python<'_>, name: &str, source: &str, e: &CellError) -> PyErr {
    let message = format!("column {name:?} (`{source}`) failed: {e}");
    let attrs =
        [("name", obj(py, name)), ("source", obj(py, source)), ("reason", obj(py, &e.message))];
    new_err(py, Kind::Expression, &message, &attrs)
}

/// An export failure → `ExportError` with the core's stable `code`; input problems add the
/// position (`index`, `byte`, `line`, `column`), a failed cell under the `"abort"` policy
/// adds `index` and `name` (the column).
pub fn export_error(py: Python<'_>, e: &ExportError) -> PyErr {
    match e {
        ExportError::Read(read) => {
            let mut attrs = position_attrs(py, read.position);
            attrs.push(("code", obj(py, read.code())));
            attrs.push(("index", obj(py, read.index)));
            new_err(py, Kind::Export, &e.to_string(), &attrs)
        }
        ExportError::Cell(cell) => {
            let attrs = [
                ("code", obj(py, e.code())),
                ("index", obj(py, cell.index)),
                ("name", obj(py, &cell.column)),
                ("reason", obj(py, &cell.message)),
            ];
            new_err(py, Kind::Export, &e.to_string(), &attrs)
        }
        other => new_err(py, Kind::Export, &other.to_string(), &[("code", obj(py, other.code()))]),
    }
}

/// A plain `UserioError` with a code (argument problems the core reports as text).
pub fn userio_error(py: Python<'_>, code: &str, message: &str) -> PyErr {
    new_err(py, Kind::Userio, message, &[("code", obj(py, code))])
}

/// A conversion that failed → `ConvertError` with the core's stable `code` and, when known,
/// `row` and `column` (CSV header problems: the 1-based column and its `header`) or the
/// input position (`index`, `byte`, `line`, `column`).
pub fn convert_error(py: Python<'_>, e: &ConvertError) -> PyErr {
    let mut attrs = vec![("code", obj(py, e.code()))];
    match e {
        ConvertError::Header { column, header, .. } => {
            attrs.push(("row", obj(py, 1u64)));
            attrs.push(("column", obj(py, *column)));
            attrs.push(("header", obj(py, header)));
        }
        ConvertError::Input { row, .. } => attrs.push(("row", obj(py, *row))),
        ConvertError::Read(read) => {
            attrs.extend(position_attrs(py, read.position));
            attrs.push(("index", obj(py, read.index)));
        }
        ConvertError::NotAnObject { index, position, .. } => {
            attrs.extend(position_attrs(py, *position));
            attrs.push(("index", obj(py, *index)));
        }
        _ => {}
    }
    new_err(py, Kind::Convert, &e.to_string(), &attrs)
}
