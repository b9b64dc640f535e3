//! Core errors as plain data (`NativeError`); `index.js` turns them into error classes.

use napi_derive::napi;
use userio_core::export::{CellErrorDetail, ExportError};
use userio_core::expr::ExprError;
use userio_core::position::Position;
use userio_core::query::ParseError;
use userio_core::read::ReadError;

/// A failure described as data. `kind` picks the JavaScript class
/// (`query` → `QueryError`, `expression` → `ExpressionError`, `read` → `ReadError`,
/// `write` → `WriteError`, `options` → `OptionsError`, `cell` → `CellError`), `code` is the
/// stable snake_case code.
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct NativeError {
    /// Which error class to throw.
    pub kind: String,
    /// Stable machine-readable code.
    pub code: String,
    /// What is wrong and how to fix it.
    pub message: String,
    /// Index (0-based) of the user being read, if any.
    pub index: Option<f64>,
    /// Line, 1-based.
    pub line: Option<f64>,
    /// Column, 1-based, in characters.
    pub column: Option<f64>,
    /// Offset, 0-based: UTF-16 units into a query or expression text, bytes into a file.
    pub offset: Option<f64>,
    /// For expression errors: the export column's name.
    pub column_name: Option<String>,
    /// For expression errors: the column's source text.
    pub source: Option<String>,
    /// For query errors: what the parser expected.
    pub expected: Option<String>,
    /// For query errors: what it found instead.
    pub found: Option<String>,
    /// For query errors: the query line with a caret under the position.
    pub excerpt: Option<String>,
    /// For CSV header errors: the header cell as written.
    pub header: Option<String>,
}

/// The UTF-16 offset (what JavaScript string indices count) of byte offset `byte` in `text`.
pub fn utf16_offset(text: &str, byte: usize) -> f64 {
    let mut end = byte.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].encode_utf16().count() as f64
}

/// An error about the options passed in (bad format name, …).
pub fn options_error(message: String) -> NativeError {
    NativeError {
        kind: "options".into(),
        code: "invalid_option".into(),
        message,
        ..NativeError::default()
    }
}

/// A query that did not parse; `text` is the query, to express the offset in UTF-16 units.
pub fn query_error(e: &ParseError, text: &str) -> NativeError {
    let message =
        format!("{} at {}: expected {}, found {}", e.message, e.position, e.expected, e.found);
    NativeError {
        expected: Some(e.expected.to_owned()),
        found: Some(e.found.to_string()),
        excerpt: Some(e.excerpt.to_string()),
        ..position_error("query", e.code, message, e.position, Some(text))
    }
}

/// A column source that did not compile.
pub fn expr_error(e: &ExprError) -> NativeError {
    // CORE-NEEDED: `ExprError` has no stable code; every build error is `expression_syntax`.
    let position = Position::of_offset(e.source_text.as_bytes(), e.offset);
    NativeError {
        column_name: Some(e.column.clone()),
        source: Some(e.source_text.clone()),
        ..position_error(
            "expression",
            "expression_syntax",
            // Not `e.to_string()`: it gives the offset in bytes, JavaScript counts UTF-16.
            format!("column {:?}: {} at {position} of `{}`", e.column, e.message, e.source_text),
            position,
            Some(&e.source_text),
        )
    }
}

/// A cell that failed under a column error policy that aborts the export.
pub fn cell_error(d: &CellErrorDetail, message: String) -> NativeError {
    NativeError {
        kind: "cell".into(),
        code: "cell_error".into(),
        message,
        index: Some(d.index as f64),
        column_name: Some(d.column.clone()),
        ..NativeError::default()
    }
}

/// A whole-input read problem; offsets stay bytes (they index a file or a `Buffer`).
pub fn read_error(e: &ReadError) -> NativeError {
    let mut out = position_error("read", e.code(), e.to_string(), e.position, None);
    out.index = e.index.map(|i| i as f64);
    out
}

/// An export failure, with the core's code.
pub fn export_error(e: &ExportError) -> NativeError {
    let kind = match e {
        ExportError::Read(r) => return read_error(r),
        ExportError::Cell(d) => return cell_error(d, e.to_string()),
        ExportError::Write(_) | ExportError::Temp(_) => "write",
        ExportError::DuplicateColumn(_) | ExportError::InvalidOption(_) => "options",
        _ => "export",
    };
    NativeError {
        kind: kind.into(),
        code: e.code().into(),
        message: e.to_string(),
        ..NativeError::default()
    }
}

/// The output could not be written.
pub fn write_error(e: &std::io::Error) -> NativeError {
    NativeError {
        kind: "write".into(),
        code: "write_failed".into(),
        message: format!("cannot write the output: {e}"),
        ..NativeError::default()
    }
}

fn position_error(
    kind: &str,
    code: &str,
    message: String,
    position: Position,
    text: Option<&str>,
) -> NativeError {
    let offset = match text {
        Some(text) => utf16_offset(text, usize::try_from(position.byte).unwrap_or(usize::MAX)),
        None => position.byte as f64,
    };
    NativeError {
        kind: kind.into(),
        code: code.into(),
        message,
        line: Some(position.line as f64),
        column: Some(position.column as f64),
        offset: Some(offset),
        ..NativeError::default()
    }
}
