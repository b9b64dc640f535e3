//! Lucene queries with Auth0 search v3 semantics, matched in memory on user JSON.
//!
//! Contract (filled in by the query work): [`Query::parse`], [`Query::matches`], and a
//! `Display` that prints a canonical query which parses back to the same tree.

use std::fmt;

use serde_json::Value;

use crate::position::Position;

/// A parsed, compiled query.
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
}

/// Why a query did not parse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} at {position}")]
pub struct ParseError {
    /// What is wrong and what was expected.
    pub message: String,
    /// Where in the query text (byte offset, line, column).
    pub position: Position,
}

impl Query {
    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Query, ParseError> {
        if text.trim().is_empty() {
            return Err(ParseError { message: "empty query".into(), position: Position::START });
        }
        Ok(Query { text: text.to_owned() })
    }

    /// True when `user` matches.
    pub fn matches(&self, user: &Value) -> bool {
        let _ = user;
        true
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
