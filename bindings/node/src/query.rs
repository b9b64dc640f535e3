//! `Query`: Lucene queries (Auth0 search v3 semantics) matched on users.

use napi::bindgen_prelude::{AsyncTask, Buffer, Either, Error, Result, Status, Uint32Array};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::Value;
use userio_core::query::{
    DefaultOperator, IndexReadError, JS_RUNTIME, Query, QueryOptions, Severity, UserIndex,
};
use userio_core::read::UserReader;

use crate::errors::{NativeError, options_error, query_error, read_error, utf16_offset};

/// A parsed query. Users arrive as JSON text (`JSON.stringify` output from `index.js`).
#[napi]
pub struct NativeQuery {
    inner: Query,
}

/// How to parse a query.
#[napi(object)]
#[derive(Clone, Default)]
pub struct NativeQueryOptions {
    /// The operator between clauses with none: `or` (default, as Auth0) or `and`.
    pub default_operator: Option<String>,
    /// Also look for what Auth0's user search (v3) would refuse or treat differently.
    pub auth0_check: Option<bool>,
}

/// Something Auth0's user search would refuse (`error`) or treat differently (`warning`).
#[napi(object)]
pub struct NativeAuth0Issue {
    /// Stable snake_case code, e.g. `range_on_user_metadata`.
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    /// What and how to fix it.
    pub message: String,
    /// Start of the offending clause, in UTF-16 units into the query.
    pub start: f64,
    /// End (exclusive) of the offending clause, in UTF-16 units into the query.
    pub end: f64,
}

/// Parses `text`; a syntax error (or a bad option) comes back as data.
#[napi]
pub fn parse_query(
    text: String,
    opts: Option<NativeQueryOptions>,
) -> Either<NativeQuery, NativeError> {
    let opts = opts.unwrap_or_default();
    let default_operator = match opts.default_operator.as_deref() {
        None | Some("or") | Some("OR") => DefaultOperator::Or,
        Some("and") | Some("AND") => DefaultOperator::And,
        Some(other) => {
            return Either::B(options_error(format!(
                "defaultOperator must be \"or\" or \"and\", not {other:?}"
            )));
        }
    };
    let options = QueryOptions { default_operator, auth0_check: opts.auth0_check.unwrap_or(false) };
    match Query::parse_with(&text, &options) {
        Ok(inner) => Either::A(NativeQuery { inner }),
        Err(e) => Either::B(query_error(&e, &text)),
    }
}

/// The helpers object the predicates of `NativeQuery.toJs` take: a JavaScript expression,
/// evaluated once per process (`userio_core::query::JS_RUNTIME`).
#[napi]
pub fn query_js_runtime() -> &'static str {
    JS_RUNTIME
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
            let hit = rec.and_then(|r| self.inner.matches_record(&r)).map_err(|e| bad_json(&e))?;
            if hit {
                hits.push(i);
            }
            i += 1;
        }
        Ok(Uint32Array::new(hits))
    }

    /// The source of a JavaScript predicate factory (`Query::to_js`), or null when the query
    /// holds something not translated (a regex).
    #[napi]
    pub fn to_js(&self) -> Option<String> {
        self.inner.to_js()
    }

    /// The Auth0-check findings (empty unless parsed with `auth0Check`).
    #[napi]
    pub fn auth0_issues(&self) -> Vec<NativeAuth0Issue> {
        let text = self.inner.text();
        self.inner
            .auth0_issues()
            .iter()
            .map(|i| NativeAuth0Issue {
                code: i.code.to_owned(),
                severity: match i.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                }
                .to_owned(),
                message: i.message.clone(),
                start: utf16_offset(text, i.start),
                end: utf16_offset(text, i.end),
            })
            .collect()
    }

    /// The canonical query text (parses back to the same query).
    #[napi]
    pub fn canonical(&self) -> String {
        self.inner.to_string()
    }
}

/// Users held by attribute path (`userio_core::query::UserIndex`), for many queries over one
/// set of users.
#[napi]
pub struct NativeUserIndex {
    inner: UserIndex,
}

/// Indexes the users of a JSON array given as UTF-8 text (`JSON.stringify` output from
/// `index.js`, in a `Buffer`: read in place, where a string would be copied and re-encoded),
/// in order; a failure comes back as data.
#[napi]
pub fn index_users(users: Buffer) -> Either<NativeUserIndex, NativeError> {
    match build_index(&users) {
        Ok(inner) => Either::A(NativeUserIndex { inner }),
        Err(e) => Either::B(*e),
    }
}

/// [`index_users`] on the libuv thread pool.
#[napi(ts_return_type = "Promise<NativeUserIndex | NativeError>")]
pub fn index_users_async(users: Buffer) -> AsyncTask<IndexTask> {
    AsyncTask::new(IndexTask { users })
}

/// An index being built off the main thread.
pub struct IndexTask {
    users: Buffer,
}

impl Task for IndexTask {
    type Output = std::result::Result<UserIndex, Box<NativeError>>;
    type JsValue = Either<NativeUserIndex, NativeError>;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(build_index(&self.users))
    }

    fn resolve(&mut self, _env: Env, built: Self::Output) -> Result<Self::JsValue> {
        Ok(match built {
            Ok(inner) => Either::A(NativeUserIndex { inner }),
            Err(e) => Either::B(*e),
        })
    }
}

fn build_index(users: &[u8]) -> std::result::Result<UserIndex, Box<NativeError>> {
    UserIndex::from_reader(users).map_err(|e| {
        Box::new(match e {
            IndexReadError::Read(e) => read_error(&e),
            IndexReadError::Index(e) => options_error(e.to_string()),
        })
    })
}

#[napi]
impl NativeUserIndex {
    /// The number of users indexed.
    #[napi(getter)]
    pub fn length(&self) -> u32 {
        self.inner.len() as u32
    }

    /// The positions of the users that match `query`, ascending.
    #[napi]
    pub fn search(&self, query: &NativeQuery) -> Uint32Array {
        let hits = self.inner.search(&query.inner);
        Uint32Array::new(hits.iter().map(|i| i as u32).collect())
    }

    /// How many users match `query`.
    #[napi]
    pub fn count(&self, query: &NativeQuery) -> u32 {
        self.inner.search(&query.inner).count() as u32
    }
}
