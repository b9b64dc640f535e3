//! `validate`: Auth0 bulk-import schema validation of a file or a buffer.

use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;
use userio_core::schema::{self, Issue, Report, Severity, ValidateOptions};

use crate::errors::{NativeError, read_error};

/// One problem found in the input.
#[napi(object)]
pub struct NativeIssue {
    /// Index (0-based) of the user, `null` for whole-file problems.
    pub index: Option<f64>,
    /// JSON pointer inside the user, `""` for the user itself.
    pub pointer: String,
    /// Stable snake_case code.
    pub code: String,
    /// `error` or `warning`.
    pub severity: String,
    /// What is wrong and how to fix it.
    pub message: String,
    /// The offending value as compact JSON text, truncated.
    pub value: Option<String>,
    /// Line, 1-based.
    pub line: f64,
    /// Column, 1-based, in characters.
    pub column: f64,
    /// Byte offset into the input, 0-based.
    pub offset: f64,
}

/// The outcome of a validation.
#[napi(object)]
pub struct NativeReport {
    /// Users read.
    pub users: f64,
    /// Users with no issue.
    pub valid: f64,
    /// Every error, in file order.
    pub errors: Vec<NativeIssue>,
    /// Every warning (Auth0 accepts it, but probably not as meant), in file order.
    pub warnings: Vec<NativeIssue>,
    /// True when `maxErrors` cut the list short.
    pub truncated: bool,
    /// True when there is no error (warnings allowed).
    pub ok: bool,
}

/// Validation options, already checked for types by `index.js`.
#[napi(object)]
#[derive(Clone, Default)]
pub struct NativeValidateOptions {
    /// Stop collecting after this many issues.
    pub max_errors: Option<f64>,
    /// Refuse inputs longer than this many bytes (`file_too_large`).
    pub max_file_bytes: Option<f64>,
    /// Refuse a single user longer than this many bytes (`record_too_large`).
    pub max_record_bytes: Option<f64>,
}

// The façade passes non-negative integers; the casts saturate.
fn options(opts: Option<NativeValidateOptions>) -> ValidateOptions {
    let opts = opts.unwrap_or_default();
    let mut o = ValidateOptions {
        max_errors: opts.max_errors.map(|n| n as usize),
        ..ValidateOptions::default()
    };
    if let Some(n) = opts.max_file_bytes {
        o.limits.max_bytes = Some(n as u64);
    }
    if let Some(n) = opts.max_record_bytes {
        o.limits.max_record_bytes = n as usize;
    }
    o
}

fn issue(i: Issue) -> NativeIssue {
    NativeIssue {
        index: i.index.map(|n| n as f64),
        pointer: i.pointer,
        code: i.code.to_owned(),
        severity: match i.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
        .to_owned(),
        message: i.message,
        value: i.value,
        line: i.position.line as f64,
        column: i.position.column as f64,
        offset: i.position.byte as f64,
    }
}

fn report(r: Report) -> NativeReport {
    let ok = r.is_ok();
    NativeReport {
        users: r.users as f64,
        valid: r.valid as f64,
        errors: r.errors.into_iter().map(issue).collect(),
        warnings: r.warnings.into_iter().map(issue).collect(),
        truncated: r.truncated,
        ok,
    }
}

/// Validates the users file at `path` (JSON array or NDJSON, gzip detected).
#[napi]
pub fn validate_path(
    path: String,
    opts: Option<NativeValidateOptions>,
) -> Either<NativeReport, NativeError> {
    match userio_core::read::open(&path) {
        Ok(input) => Either::A(report(schema::validate_with(input, &options(opts)))),
        Err(e) => Either::B(read_error(&e)),
    }
}

/// Validates users held in memory (the bytes of a JSON array or NDJSON).
#[napi]
pub fn validate_buffer(input: Buffer, opts: Option<NativeValidateOptions>) -> NativeReport {
    report(schema::validate_with(&input[..], &options(opts)))
}
