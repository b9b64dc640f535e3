//! Parse errors and Auth0-check findings.

use std::fmt;

use serde::Serialize;

use super::ast::Span;
use crate::position::{self, Position};

/// Why a query did not parse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseError {
    /// Stable snake_case code, e.g. `unexpected_token`, `unterminated_phrase`, `too_deep`.
    pub code: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
    /// What the parser expected at this place, e.g. "a term, a phrase or `(`".
    pub expected: &'static str,
    /// What it found instead, e.g. "`)`" or "end of query".
    pub found: Box<str>,
    /// Where in the query text (byte offset, line, column).
    pub position: Position,
    /// The query line with a caret under the position (see [`position::excerpt`]).
    pub excerpt: Box<str>,
}

impl ParseError {
    /// An error at byte `offset` of `text`.
    pub(crate) fn new(
        text: &str,
        offset: usize,
        code: &'static str,
        message: impl Into<String>,
        expected: &'static str,
    ) -> ParseError {
        let offset = offset.min(text.len());
        ParseError {
            code,
            message: message.into(),
            expected,
            found: describe_found(text, offset).into(),
            position: Position::of_offset(text.as_bytes(), offset),
            excerpt: position::excerpt(text, offset).into(),
        }
    }

    /// The byte offset of the error.
    pub fn offset(&self) -> usize {
        usize::try_from(self.position.byte).unwrap_or(usize::MAX)
    }

    /// A multi-line report: what, where (with the caret excerpt), what was expected.
    ///
    /// ```text
    /// query error (unexpected_end) at line 1, column 12: `AND` must be followed by a clause
    ///   1 | name:jo AND
    ///     |            ^
    ///   expected a term, a phrase, a range or `(`; found end of query
    /// ```
    pub fn render(&self) -> String {
        format!(
            "query error ({}) at {}: {}\n{}\nexpected {}; found {}",
            self.code, self.position, self.message, self.excerpt, self.expected, self.found
        )
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at {} (byte {}): expected {}, found {}",
            self.message, self.position, self.position.byte, self.expected, self.found
        )
    }
}

impl std::error::Error for ParseError {}

/// A short description of what is at `offset`: the next token-ish piece or "end of query".
fn describe_found(text: &str, offset: usize) -> String {
    let rest = text.get(offset..).unwrap_or("");
    let mut chars = rest.chars();
    match chars.next() {
        None => "end of query".into(),
        Some(c) if super::grammar::is_ws(c) => "whitespace".into(),
        Some(c) if !super::grammar::is_term_char(c) || c == '\\' => format!("`{c}`"),
        Some(_) => {
            let word: String = rest
                .chars()
                .take_while(|&c| super::grammar::is_term_char(c) || c == '*' || c == '?')
                .take(30)
                .collect();
            format!("`{word}`")
        }
    }
}

/// How bad an Auth0-check finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Auth0's search would refuse the query.
    Error,
    /// Auth0 accepts it, but the result may differ from userio's in-memory match.
    Warning,
}

/// Something Auth0's user search (v3) would refuse or treat differently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Auth0Issue {
    /// Stable code, e.g. `range_on_user_metadata`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// What and how to fix it.
    pub message: String,
    /// Byte start of the offending clause.
    pub start: usize,
    /// Byte end of the offending clause.
    pub end: usize,
}

impl Auth0Issue {
    pub(crate) fn new(
        code: &'static str,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Auth0Issue { code, severity, message: message.into(), start: span.start, end: span.end }
    }
}

impl fmt::Display for Auth0Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev} ({}) at bytes {}..{}: {}", self.code, self.start, self.end, self.message)
    }
}
