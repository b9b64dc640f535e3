//! `validate`: Auth0 bulk-import schema validation of a file or a buffer.

use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;
use userio_core::schema::{self, Issue, Report, ValidateOptions};

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
    /// Every issue, in file order.
    pub errors: Vec<NativeIssue>,
    /// True when `maxErrors` cut the list short.
    pub truncated: bool,
    /// True when there is no issue at all.
    pub ok: bool,
}

fn options(max_errors: Option<u32>) -> ValidateOptions {
    ValidateOptions { max_errors: max_errors.map(|n| n as usize), ..ValidateOptions::default() }
}

fn issue(i: Issue) -> NativeIssue {
    NativeIssue {
        index: i.index.map(|n| n as f64),
        pointer: i.pointer,
        code: i.code.to_owned(),
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
        truncated: r.truncated,
        ok,
    }
}

/// Validates the users file at `path` (JSON array or NDJSON, gzip detected).
#[napi]
pub fn validate_path(path: String, max_errors: Option<u32>) -> Either<NativeReport, NativeError> {
    match userio_core::read::open(&path) {
        Ok(input) => Either::A(report(schema::validate_with(input, &options(max_errors)))),
        Err(e) => Either::B(read_error(&e)),
    }
}

/// Validates users held in memory (the bytes of a JSON array or NDJSON).
#[napi]
pub fn validate_buffer(input: Buffer, max_errors: Option<u32>) -> NativeReport {
    report(schema::validate_with(&input[..], &options(max_errors)))
}
