//! Auth0 export (or users-search profile) → import file.
//!
//! Auth0's export jobs give NDJSON (usually gzip), the users search a JSON array; both hold
//! full profiles the import job refuses. [`export_to_import`] reads either (through
//! [`crate::read`]) and writes one JSON array of import users:
//!
//! 1. `user_id`: the strategy prefix is stripped (`auth0|5f3…` → `5f3…`) for database users
//!    (the prefix is `auth0`, or the first identity's provider is `auth0`), because the
//!    import adds it again. Ids of other users (`google-oauth2|…`) are kept and counted in
//!    [`ExportSummary::foreign_user_ids`]. [`ExportOptions::keep_user_id`] keeps every id.
//! 2. Every top-level field the import schema does not list is dropped and counted per
//!    field: Auth0's read-only fields ([`READ_ONLY_FIELDS`]: `identities`, `created_at`,
//!    `logins_count`, …) and anything else unknown. A `null` top-level value is dropped too.
//! 3. The kept fields keep their order and values; metadata is copied untouched.
//!
//! Password hashes, MFA factors and `blocked` state that an export lacks cannot be
//! recovered: a re-imported user must reset their password unless hashes are added.

use std::io::{Read, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use super::{ArrayWriter, ConvertError, with_validation};
use crate::read::{InputFormat, ReadLimits, UserReader};
use crate::schema::{Report, ValidateOptions};

pub use crate::schema::{IMPORT_FIELDS, READ_ONLY_FIELDS};

/// Options for [`export_to_import`].
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Keep `user_id` exactly as exported (with its `auth0|` prefix). Default false.
    pub keep_user_id: bool,
    /// Validate the written users on a second thread. Default true.
    pub validate: bool,
    /// Stop collecting validation issues after this many.
    pub max_errors: Option<usize>,
    /// The input's layout. Default: detected from the first byte.
    pub format: InputFormat,
    /// Input limits.
    pub limits: ReadLimits,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            keep_user_id: false,
            validate: true,
            max_errors: None,
            format: InputFormat::Auto,
            limits: ReadLimits::default(),
        }
    }
}

/// Why a field was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DropReason {
    /// Set by Auth0 and refused by the import ([`READ_ONLY_FIELDS`]).
    ReadOnly,
    /// Not in the import schema.
    Unknown,
    /// An importable field whose value is `null`.
    Null,
}

/// A dropped field and how many users had it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dropped {
    /// The top-level key.
    pub field: String,
    /// Why it was dropped.
    pub reason: DropReason,
    /// How many users had it.
    pub count: u64,
}

/// What [`export_to_import`] did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExportSummary {
    /// Users read and written.
    pub users: u64,
    /// `user_id`s whose strategy prefix was stripped.
    pub user_ids_stripped: u64,
    /// `user_id`s of non-database users, kept as they were.
    pub foreign_user_ids: u64,
    /// Every dropped field with its count, in the order first met.
    pub dropped: Vec<Dropped>,
    /// Validation of the written file (when asked for).
    pub validation: Option<Report>,
}

impl ExportSummary {
    /// True when validation (if run) found nothing.
    pub fn is_ok(&self) -> bool {
        self.validation.as_ref().is_none_or(Report::is_ok)
    }

    fn count_drop(&mut self, field: &str, reason: DropReason) {
        match self.dropped.iter_mut().find(|d| d.field == field && d.reason == reason) {
            Some(d) => d.count += 1,
            None => self.dropped.push(Dropped { field: field.to_owned(), reason, count: 1 }),
        }
    }
}

/// Reads users in export or profile shape from `input` (NDJSON or a JSON array; gzip is
/// handled by [`crate::read::open`]) and writes a JSON array of import users to `out`, one
/// user per line. See the [module docs](self).
pub fn export_to_import<R: Read, W: Write>(
    input: R,
    out: W,
    options: &ExportOptions,
) -> Result<ExportSummary, ConvertError> {
    let validate = options
        .validate
        .then(|| ValidateOptions { max_errors: options.max_errors, ..Default::default() });
    let mut summary = ExportSummary::default();
    let mut reader = UserReader::with_options(input, options.format, options.limits);
    let ((), report) = with_validation(out, validate.as_ref(), |tee| {
        let mut array = ArrayWriter::new();
        while let Some(record) = reader.next_record() {
            let record = record?;
            let user = match record.parse()? {
                Value::Object(map) => map,
                other => {
                    return Err(ConvertError::NotAnObject {
                        index: record.index,
                        position: record.position,
                        found: json_kind(&other),
                    });
                }
            };
            let user = to_import(user, options, &mut summary);
            array.begin(tee.buf());
            // Writing a Value to a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *tee.buf(), &user);
            summary.users += 1;
            tee.maybe_flush().map_err(|e| ConvertError::write(&e))?;
        }
        array.end(tee.buf());
        Ok(())
    })?;
    summary.validation = report;
    Ok(summary)
}

/// Converts one exported user into an import user (see the [module docs](self)), counting
/// what it drops in `summary`.
pub fn to_import(
    user: Map<String, Value>,
    options: &ExportOptions,
    summary: &mut ExportSummary,
) -> Map<String, Value> {
    let database = is_database_user(&user);
    let mut out = Map::with_capacity(user.len());
    for (key, value) in user {
        if !IMPORT_FIELDS.contains(&key.as_str()) {
            let reason = if READ_ONLY_FIELDS.contains(&key.as_str()) {
                DropReason::ReadOnly
            } else {
                DropReason::Unknown
            };
            summary.count_drop(&key, reason);
            continue;
        }
        if value.is_null() {
            summary.count_drop(&key, DropReason::Null);
            continue;
        }
        let value = match (key.as_str(), value) {
            ("user_id", Value::String(id)) if !options.keep_user_id => match id.split_once('|') {
                Some((_, rest)) if database => {
                    summary.user_ids_stripped += 1;
                    Value::String(rest.to_owned())
                }
                Some(_) => {
                    summary.foreign_user_ids += 1;
                    Value::String(id)
                }
                None => Value::String(id),
            },
            (_, value) => value,
        };
        out.insert(key, value);
    }
    out
}

/// A database-connection user: `user_id` prefixed `auth0|`, or a first identity whose
/// provider is `auth0` (custom database connections too).
fn is_database_user(user: &Map<String, Value>) -> bool {
    let prefix_auth0 = user
        .get("user_id")
        .and_then(Value::as_str)
        .is_some_and(|id| id.split_once('|').is_some_and(|(p, _)| p == "auth0"));
    let provider_auth0 = user
        .get("identities")
        .and_then(|ids| ids.get(0))
        .and_then(|id| id.get("provider"))
        .and_then(Value::as_str)
        .is_some_and(|p| p == "auth0");
    prefix_auth0 || provider_auth0
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_prefix_and_drops_read_only_fields() {
        let input = concat!(
            r#"{"email":"a@x.io","user_id":"auth0|abc","identities":[{"provider":"auth0"}],"created_at":"2020-01-01T00:00:00.000Z","logins_count":3}"#,
            "\n",
            r#"{"email":"b@x.io","user_id":"google-oauth2|1","nickname":null,"favourite":"x"}"#,
            "\n"
        );
        let mut out = Vec::new();
        let opts = ExportOptions { validate: false, ..Default::default() };
        let s = export_to_import(input.as_bytes(), &mut out, &opts).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(
            v,
            serde_json::json!([
                {"email":"a@x.io","user_id":"abc"},
                {"email":"b@x.io","user_id":"google-oauth2|1"}
            ])
        );
        assert_eq!((s.users, s.user_ids_stripped, s.foreign_user_ids), (2, 1, 1));
        let d: Vec<(&str, DropReason, u64)> =
            s.dropped.iter().map(|d| (d.field.as_str(), d.reason, d.count)).collect();
        assert_eq!(
            d,
            [
                ("identities", DropReason::ReadOnly, 1),
                ("created_at", DropReason::ReadOnly, 1),
                ("logins_count", DropReason::ReadOnly, 1),
                ("nickname", DropReason::Null, 1),
                ("favourite", DropReason::Unknown, 1),
            ]
        );
    }

    #[test]
    fn keep_user_id_and_non_objects() {
        let mut out = Vec::new();
        let opts = ExportOptions { keep_user_id: true, validate: false, ..Default::default() };
        export_to_import(&br#"[{"email":"a@x.io","user_id":"auth0|1"}]"#[..], &mut out, &opts)
            .unwrap();
        assert!(String::from_utf8(out).unwrap().contains("auth0|1"));
        let err = export_to_import(&b"[1]"[..], Vec::new(), &opts).unwrap_err();
        assert_eq!(err.code(), "record_not_object");
    }
}
