//! Validation of users against Auth0's bulk-import schema, and the import chunk planner.
//!
//! Contract (filled in by the validator work): [`validate`] streams a JSON array or NDJSON
//! input and returns a [`Report`] holding every [`Issue`].

use std::io::Read;

pub mod split;
pub use split::{Chunk, DEFAULT_MAX_CHUNK_BYTES, split};

use serde::Serialize;

use crate::position::Position;
use crate::read::{ReadLimits, UserReader};

/// Options for a validation run.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// Stop collecting after this many issues (the count of users still covers the file).
    pub max_errors: Option<usize>,
    /// Input limits (whole-file size, single-record size).
    pub limits: ReadLimits,
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// Index of the user (0-based), `None` for whole-file problems.
    pub index: Option<u64>,
    /// JSON pointer inside the user (`/custom_password_hash/hash/value`), `""` for the user itself.
    pub pointer: String,
    /// Stable machine-readable code (snake_case).
    pub code: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
    /// The offending value as compact JSON, truncated.
    pub value: Option<String>,
    /// Where in the file.
    pub position: Position,
}

/// The outcome of validating a file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Users read.
    pub users: u64,
    /// Users with no issue.
    pub valid: u64,
    /// Every issue, in file order.
    pub errors: Vec<Issue>,
    /// True when `max_errors` cut the list short.
    pub truncated: bool,
}

impl Report {
    /// True when the file has no issue at all.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Validates every user in `input` with default options.
pub fn validate<R: Read>(input: R) -> Report {
    validate_with(input, &ValidateOptions::default())
}

/// Validates every user in `input`.
pub fn validate_with<R: Read>(input: R, options: &ValidateOptions) -> Report {
    let mut reader =
        UserReader::with_options(input, crate::read::InputFormat::Auto, options.limits);
    let mut report = Report::default();
    while let Some(rec) = reader.next_record() {
        match rec {
            Ok(_) => {
                report.users += 1;
                report.valid += 1;
            }
            Err(e) => {
                report.errors.push(Issue {
                    index: e.index,
                    pointer: String::new(),
                    code: e.code(),
                    message: e.kind.to_string(),
                    value: None,
                    position: e.position,
                });
            }
        }
    }
    report
}
