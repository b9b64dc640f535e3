//! `Query`: Lucene queries (Auth0 search v3 semantics) matched on users.

use napi::bindgen_prelude::{Either, Error, Result, Status, Uint32Array};
use napi_derive::napi;
use serde_json::Value;
use userio_core::query::Query;
use userio_core::read::UserReader;

use crate::errors::{NativeError, query_error};

/// A parsed query. Users arrive as JSON text (`JSON.stringify` output from `index.js`).
#[napi]
pub struct NativeQuery {
    inner: Query,
}

/// Parses `text`; a syntax error comes back as data.
#[napi]
pub fn parse_query(text: String) -> Either<NativeQuery, NativeError> {
    match Query::parse(&text) {
        Ok(inner) => Either::A(NativeQuery { inner }),
        Err(e) => Either::B(query_error(&e, &text)),
    }
}

fn bad_json(e: &impl std::fmt::Display) -> Error {
    Error::new(Status::InvalidArg, format!("the user is not valid JSON text: {e}"))
}

#[napi]
impl NativeQuery {
    /// True when the user (one JSON value as text) matches.
    #[napi]
    pub fn matches_json(&self, user: String) -> Result<bool> {
        let user: Value = serde_json::from_str(&user).map_err(|e| bad_json(&e))?;
        Ok(self.inner.matches(&user))
    }

    /// The indices of the matching users of a JSON array (as text), in order.
    #[napi]
    pub fn filter_json(&self, users: String) -> Result<Uint32Array> {
        let mut reader = UserReader::new(users.as_bytes());
        let mut hits = Vec::new();
        let mut i: u32 = 0;
        while let Some(rec) = reader.next_record() {
            let user = rec.and_then(|r| r.parse()).map_err(|e| bad_json(&e))?;
            if self.inner.matches(&user) {
                hits.push(i);
            }
            i += 1;
        }
        Ok(Uint32Array::new(hits))
    }

    /// The canonical query text (parses back to the same query).
    #[napi]
    pub fn canonical(&self) -> String {
        self.inner.to_string()
    }
}
