//! Export columns: a header name plus a source that is an attribute path or a JavaScript
//! expression, evaluated per user.
//!
//! Contract (filled in by the expression work): [`Column::new`] decides the [`Tier`] once;
//! [`Column::eval`] yields a [`Cell`] per user.

use std::borrow::Cow;

use serde_json::Value;

/// How a column's source is evaluated. Decided when the column is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// A plain attribute path, resolved straight on the JSON value.
    Path,
    /// A common expression form evaluated natively with JavaScript's exact meaning.
    Native,
    /// Anything else, run in the sandboxed JavaScript engine.
    Js,
}

/// The value of one column for one user.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// JavaScript `undefined`: a missing attribute.
    Undefined,
    /// Any JSON value, borrowed from the user where possible.
    Value(Cow<'a, Value>),
}

/// A column expression that failed for one user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct CellError {
    /// The JavaScript error message (`TypeError: …`) or the limit that tripped.
    pub message: String,
}

/// A column source that does not compile.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("column {column:?}: {message} at offset {offset} of `{source_text}`")]
pub struct ExprError {
    /// The column's name.
    pub column: String,
    /// What is wrong.
    pub message: String,
    /// Byte offset in the source.
    pub offset: usize,
    /// The source text.
    pub source_text: String,
}

/// One export column: a header name and a compiled source.
#[derive(Debug, Clone)]
pub struct Column {
    name: String,
    source: String,
    path: Vec<String>,
}

impl Column {
    /// Builds a column, compiling its source once.
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> Result<Column, ExprError> {
        let name = name.into();
        let source = source.into();
        let trimmed = source.strip_prefix("user.").unwrap_or(&source);
        let path = trimmed.split('.').map(str::to_owned).collect();
        Ok(Column { name, source, path })
    }

    /// The extension's default columns, in its order and with its names.
    pub fn defaults() -> Vec<Column> {
        [
            ("Id", "user.user_id"),
            ("Given Name", "user.given_name"),
            ("Family Name", "user.family_name"),
            ("Nickname", "user.nickname"),
            ("Name", "user.name"),
            ("Email", "user.email"),
            ("Email Verified", "user.email_verified"),
            ("Picture", "user.picture"),
            ("Connection", "user.identities[0].connection"),
            ("Created At", "user.created_at"),
            ("Updated At", "user.updated_at"),
        ]
        .into_iter()
        .map(|(n, s)| Column::new(n, s).expect("default columns compile"))
        .collect()
    }

    /// The header name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The source text as given.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The tier chosen when the column was built.
    pub fn tier(&self) -> Tier {
        Tier::Path
    }

    /// Evaluates the column for one user.
    pub fn eval<'u>(&self, user: &'u Value) -> Result<Cell<'u>, CellError> {
        let mut v = user;
        for seg in &self.path {
            match v.get(seg) {
                Some(next) => v = next,
                None => return Ok(Cell::Undefined),
            }
        }
        Ok(Cell::Value(Cow::Borrowed(v)))
    }
}

impl Cell<'_> {
    /// Appends the CSV text of the cell: strings as is, numbers as JavaScript prints them,
    /// `true`/`false`, empty for null and undefined, compact JSON for objects and arrays.
    pub fn write_text(&self, out: &mut String) {
        match self {
            Cell::Undefined => {}
            Cell::Value(v) => match v.as_ref() {
                Value::Null => {}
                Value::String(s) => out.push_str(s),
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                other => out.push_str(&other.to_string()),
            },
        }
    }

    /// The cell as a JSON value (`undefined` becomes `null`).
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Undefined => Value::Null,
            Cell::Value(v) => v.as_ref().clone(),
        }
    }
}
