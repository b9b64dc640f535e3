//! Validation of users against Auth0's bulk-import schema, and the import chunk planner.
//!
//! [`validate`] streams a JSON array or NDJSON input (one record in memory at a time) and
//! returns a [`Report`] holding every [`Issue`]: whole-file problems (not JSON, truncated,
//! bad UTF-8, over a size limit, `[]`) and per-user problems, each with the user index, a
//! JSON pointer inside the user, a stable [`Code`] slug, a message that says how to fix it,
//! the offending value (truncated) and the line and column in the file.
//!
//! ```
//! use userio_core::schema::validate;
//!
//! let report = validate(&br#"[{"email":"a@example.com"},{"email":"A@example.com","created_at":"x"}]"#[..]);
//! assert_eq!((report.users, report.valid), (2, 1));
//! let codes: Vec<_> = report.errors.iter().map(|i| (i.index, i.pointer.as_str(), i.code)).collect();
//! assert_eq!(codes, [(Some(1), "/email", "duplicate_email"), (Some(1), "/created_at", "additional_property")]);
//! assert_eq!(report.errors[1].position.column, 53);
//! ```
//!
//! Rules come from Auth0's published import schema plus the checks an import job would
//! fail on or silently get wrong (see `docs/validate.md` and the code catalogue in
//! `docs/errors.md`, generated from [`Code::all`]).

use std::io::Read;

mod duplicates;
mod fast;
pub mod issue;
mod locate;
pub mod rules;
pub mod split;
pub use issue::{Code, Severity};
pub use split::{Chunk, DEFAULT_MAX_CHUNK_BYTES, split};

use serde::Serialize;
use serde_json::Value;

use crate::position::Position;
use crate::read::parallel::{self, RawBatch};
use crate::read::{InputFormat, ReadError, ReadLimits, Record, UserReader};
use duplicates::{Dupes, HashedKeys, hashed_keys};
use rules::{Found, Sink};

/// Auth0's profile size limit; larger users get a `profile_too_large` warning.
pub const PROFILE_LIMIT_BYTES: usize = 10 * 1024;

/// The top-level properties of Auth0's import schema: every other key is refused.
pub const IMPORT_FIELDS: &[&str] = &[
    "email",
    "email_verified",
    "phone_number",
    "phone_verified",
    "user_id",
    "username",
    "given_name",
    "family_name",
    "name",
    "nickname",
    "picture",
    "blocked",
    "password_hash",
    "custom_password_hash",
    "app_metadata",
    "user_metadata",
    "mfa_factors",
];

/// Profile fields Auth0 sets itself: present in exports and search results, refused by
/// the import.
pub const READ_ONLY_FIELDS: &[&str] = &[
    "identities",
    "created_at",
    "updated_at",
    "last_login",
    "last_ip",
    "logins_count",
    "multifactor",
    "multifactor_last_modified",
    "last_password_reset",
    "password_set_date",
    "blocked_for",
    "guardian_authenticators",
    "passkeys",
    "user_id_raw",
    "_id",
];

/// Options for a validation run.
#[derive(Debug, Clone)]
pub struct ValidateOptions {
    /// Stop collecting after this many issues (the count of users still covers the file).
    pub max_errors: Option<usize>,
    /// Input limits (whole-file size, single-record size).
    pub limits: ReadLimits,
    /// Look for the same email / `user_id` / username twice (default on). Costs about 16
    /// bytes of memory per distinct value; switch off for strictly flat memory.
    pub check_duplicates: bool,
    /// Worker threads for the per-user checks: `0` (the default) picks one per CPU core,
    /// up to 4; `1` does everything on the caller's thread. The report is the same either
    /// way.
    pub threads: usize,
    /// Try the typed fast path first (default on). Reports are identical either way; off
    /// only for tests and benchmarks that compare the two paths.
    #[doc(hidden)]
    pub fast_path: bool,
}

impl Default for ValidateOptions {
    fn default() -> Self {
        ValidateOptions {
            max_errors: None,
            limits: ReadLimits::default(),
            check_duplicates: true,
            threads: 0,
            fast_path: true,
        }
    }
}

/// One problem found in the input.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// Index of the user (0-based), `None` for whole-file problems.
    pub index: Option<u64>,
    /// JSON pointer inside the user (`/custom_password_hash/hash/value`), `""` for the user itself.
    pub pointer: String,
    /// Stable machine-readable code (snake_case, see [`Code`]).
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong and how to fix it.
    pub message: String,
    /// The offending value as compact JSON, truncated.
    pub value: Option<String>,
    /// Where in the file.
    pub position: Position,
}

impl Issue {
    /// An error about a whole user (`index`) or the whole file (`index` `None`).
    fn whole(code: &'static str, index: Option<u64>, position: Position, message: String) -> Issue {
        let (pointer, severity, value) = (String::new(), Severity::Error, None);
        Issue { index, pointer, code, severity, message, value, position }
    }

    /// What a rule found in the user at `index`, placed at `position`.
    fn found(f: Found, index: Option<u64>, position: Position) -> Issue {
        Issue {
            index,
            severity: f.code.severity(),
            code: f.code.slug(),
            pointer: f.pointer,
            message: f.message,
            value: f.value,
            position,
        }
    }
}

/// The outcome of validating a file.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Users read.
    pub users: u64,
    /// Users with no error (warnings allowed).
    pub valid: u64,
    /// Every error, in file order.
    pub errors: Vec<Issue>,
    /// Every warning, in file order: Auth0 accepts these, but the result may surprise.
    pub warnings: Vec<Issue>,
    /// True when `max_errors` cut the list short.
    pub truncated: bool,
}

impl Report {
    /// True when the file has no error (warnings allowed).
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }
}

/// Validates every user in `input` with default options.
pub fn validate<R: Read>(input: R) -> Report {
    Validator::new(ValidateOptions::default()).validate(input)
}

/// Validates every user in `input`.
pub fn validate_with<R: Read>(input: R, options: &ValidateOptions) -> Report {
    Validator::new(options.clone()).validate(input)
}

/// Checks one parsed user on its own (no duplicate check, positions left at the start).
pub fn check_user(user: &Value) -> Vec<Issue> {
    let mut sink = Sink::default();
    rules::check_user(user, &mut sink);
    sink.found.into_iter().map(|f| Issue::found(f, None, Position::START)).collect()
}

/// A validator, built once and run over any number of inputs.
#[derive(Debug, Clone, Default)]
pub struct Validator {
    options: ValidateOptions,
}

impl Validator {
    /// A validator with these options.
    pub fn new(options: ValidateOptions) -> Self {
        Validator { options }
    }

    /// Validates every user in `input`, streaming.
    pub fn validate<R: Read>(&self, input: R) -> Report {
        let options = &self.options;
        let mut reader = UserReader::with_options(input, InputFormat::Auto, options.limits);
        let mut run = Run {
            report: Report::default(),
            max: options.max_errors.unwrap_or(usize::MAX),
            dupes: options.check_duplicates.then(Dupes::default),
        };
        let checker = Checker {
            max_record: options.limits.max_record_bytes,
            fast_path: options.fast_path,
            hash_keys: options.check_duplicates,
        };
        let checkers = vec![checker; parallel::threads(options.threads)];
        let taken = parallel::run(
            checkers,
            &mut reader,
            |raw, checked| Ok(run.take(raw, checked)),
            || (), // the workers are gone: never, as their panics are caught
        );
        if taken.is_err() {
            run.push(internal_error(None, reader.position()));
        }
        if run.report.users == 0
            && run.report.errors.is_empty()
            && reader.format() == InputFormat::Array
        {
            run.push(Issue::whole(
                Code::FileNoUsers.slug(),
                None,
                Position::START,
                "the file holds no users (`[]`): Auth0 refuses an empty users file; add users or drop the file".to_owned(),
            ));
        }
        run.report
    }
}

/// The per-user checks, which need no other user: they run on worker threads.
#[derive(Clone)]
struct Checker {
    max_record: usize,
    fast_path: bool,
    /// Hand back the duplicate-checked texts and their hashes.
    hash_keys: bool,
}

/// What the [`Checker`] made of a batch of users.
#[derive(Default)]
struct Checked {
    users: Vec<Verdict>,
    /// The texts of [`Verdict::Checked::keys`].
    texts: String,
    /// Checking the batch panicked (a bug): nothing else is known of its users.
    panicked: bool,
}

enum Verdict {
    /// Read and checked.
    Checked {
        /// What the rules found (not located in the file yet).
        found: Vec<Found>,
        /// Per duplicate-checked field: the text (in [`Checked::texts`]) and its hash.
        keys: HashedKeys,
    },
    /// Not checked at all: not JSON, or over the record size limit.
    Unreadable(Issue),
}

impl Checker {
    fn check(&self, rec: &Record<'_>, texts: &mut String) -> Verdict {
        if rec.raw.len() > self.max_record {
            return Verdict::Unreadable(Issue::whole(
                Code::RecordTooLarge.slug(),
                Some(rec.index),
                rec.position,
                format!(
                    "this user is {} bytes, over the limit of {} bytes: shrink its metadata or raise the limit",
                    rec.raw.len(),
                    self.max_record
                ),
            ));
        }
        // The typed fast path answers for users with no issue (duplicates aside); anything
        // else goes through `Value`, which finds what to report.
        if self.fast_path
            && rec.raw.len() <= PROFILE_LIMIT_BYTES
            && let Some(keys) = fast::check(rec.raw)
        {
            let texts_of = [Some(&*keys.email), keys.user_id.as_deref(), keys.username.as_deref()];
            return Verdict::Checked { found: Vec::new(), keys: self.keys(texts_of, texts) };
        }
        match serde_json::from_slice::<Value>(rec.raw) {
            Ok(user) => {
                let mut sink = Sink::default();
                rules::check_user(&user, &mut sink);
                let text = |field| user.get(field).and_then(Value::as_str);
                let texts_of = [text("email"), text("user_id"), text("username")];
                Verdict::Checked { found: sink.found, keys: self.keys(texts_of, texts) }
            }
            Err(e) => Verdict::Unreadable(json_issue(rec, &e)),
        }
    }

    fn keys(&self, texts_of: [Option<&str>; 3], texts: &mut String) -> HashedKeys {
        if self.hash_keys { hashed_keys(texts_of, texts) } else { [None, None, None] }
    }
}

impl parallel::Work for Checker {
    type Out = Checked;

    fn process(&mut self, raw: &RawBatch, out: &mut Checked) {
        out.users.clear();
        out.texts.clear();
        out.panicked = false;
        for rec in raw.records() {
            let verdict = self.check(&rec, &mut out.texts);
            out.users.push(verdict);
        }
    }

    fn panicked(out: &mut Checked) {
        out.users.clear();
        out.panicked = true;
    }
}

/// The report of a batch whose checking failed.
fn internal_error(index: Option<u64>, position: Position) -> Issue {
    Issue::whole(
        Code::InternalError.slug(),
        index,
        position,
        "userio failed while checking the users from here on: this is a bug, please report it with the file; `threads: 1` (`--threads 1`) may get past it".to_owned(),
    )
}

/// The order-dependent half of a run, on the caller's thread: the duplicate check, the
/// counts and the report.
struct Run {
    report: Report,
    max: usize,
    dupes: Option<Dupes>,
}

impl Run {
    fn push(&mut self, issue: Issue) {
        let list = match issue.severity {
            Severity::Error => &mut self.report.errors,
            Severity::Warning => &mut self.report.warnings,
        };
        if list.len() < self.max {
            list.push(issue);
        } else {
            self.report.truncated = true;
        }
    }

    fn file_error(&mut self, e: &ReadError) {
        self.push(Issue::whole(e.code(), e.index, e.position, e.kind.to_string()));
    }

    /// Reports the users of `raw`, which the checker made `checked` of, in file order.
    fn take(&mut self, raw: &RawBatch, checked: &mut Checked) -> bool {
        if checked.panicked {
            let (index, position) = raw.start();
            self.report.users += raw.records().count() as u64;
            self.push(internal_error(index, position));
            return false;
        }
        if let Some(d) = &self.dupes {
            // Prefetch every slot first, so that their cache misses overlap.
            for verdict in &checked.users {
                if let Verdict::Checked { keys, .. } = verdict {
                    for (k, key) in keys.iter().enumerate() {
                        if let Some((_, h)) = key {
                            d.prefetch(k, *h);
                        }
                    }
                }
            }
        }
        for (rec, verdict) in raw.records().zip(checked.users.drain(..)) {
            self.report.users += 1;
            let (found, keys) = match verdict {
                Verdict::Checked { found, keys } => (found, keys),
                Verdict::Unreadable(issue) => {
                    self.push(issue);
                    continue;
                }
            };
            let mut sink = Sink { found };
            if let Some(d) = &mut self.dupes {
                for (k, key) in keys.iter().enumerate() {
                    if let Some((r, h)) = key {
                        let text = checked.texts.get(r.clone()).unwrap_or_default();
                        d.check_hashed(k, *h, text, rec.index, &mut sink);
                    }
                }
            }
            self.finish(rec.raw, rec.index, rec.position, sink);
        }
        if let Some(e) = &raw.error {
            self.file_error(e);
        }
        true
    }

    /// Reports what was found in the user at `index` (record bytes `raw` at `position`).
    fn finish(&mut self, raw: &[u8], index: u64, position: Position, mut sink: Sink) {
        if raw.len() > PROFILE_LIMIT_BYTES {
            sink.found.push(Found {
                pointer: String::new(),
                code: Code::ProfileTooLarge,
                message: format!(
                    "this user is {} bytes: Auth0 limits profiles to 10 KB (larger ones are accepted for now but deprecated); move bulky metadata elsewhere",
                    raw.len()
                ),
                value: None,
                at_key: false,
            });
        }
        if sink.found.iter().all(|f| f.code.severity() != Severity::Error) {
            self.report.valid += 1;
        }
        if sink.found.is_empty() {
            return;
        }
        let mut issues: Vec<Issue> = sink
            .found
            .into_iter()
            .map(|f| {
                let off = locate::locate(raw, &f.pointer, f.at_key);
                Issue::found(f, Some(index), position.advanced(&raw[..off.min(raw.len())]))
            })
            .collect();
        issues.sort_by_key(|i| i.position.byte);
        for issue in issues {
            self.push(issue);
        }
    }
}

/// A record that is not JSON: bad UTF-8 gets its own code and the exact byte.
fn json_issue(rec: &Record<'_>, e: &serde_json::Error) -> Issue {
    if let Err(u) = std::str::from_utf8(rec.raw) {
        let at = u.valid_up_to();
        let byte = rec.raw.get(at).copied().unwrap_or(0);
        return Issue::whole(
            Code::InvalidUtf8.slug(),
            Some(rec.index),
            rec.position.advanced(&rec.raw[..at]),
            format!(
                "invalid UTF-8 byte 0x{byte:02X}: save the file as UTF-8 (it may be Latin-1 or Windows-1252)"
            ),
        );
    }
    let err = rec.json_error(e);
    Issue::whole(
        err.code(),
        Some(rec.index),
        err.position,
        format!("{}: fix the JSON syntax of this user", err.kind),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(input: &str) -> Vec<(Option<u64>, String, &'static str)> {
        let r = validate(input.as_bytes());
        r.errors.iter().map(|i| (i.index, i.pointer.clone(), i.code)).collect()
    }

    #[test]
    fn valid_users_pass() {
        let r = validate(&br#"[{"email":"a@example.com","email_verified":true,"password_hash":"$2b$10$nFguVi9LsCAcvTZFKQlRKeLVydo8ETv483lkNsSFI/Wl1Rz1Ypo1K"}]"#[..]);
        assert!(r.is_ok(), "{:#?}", r.errors);
        assert_eq!((r.users, r.valid), (1, 1));
    }

    #[test]
    fn positions_point_into_the_file() {
        let input = "[\n  {\"email\": \"a@example.com\"},\n  {\"email\": \"nope\", \"blocked\": \"yes\"}\n]";
        let r = validate(input.as_bytes());
        let pos: Vec<_> =
            r.errors.iter().map(|i| (i.code, i.position.line, i.position.column)).collect();
        assert_eq!(pos, [("invalid_email", 3, 13), ("invalid_type", 3, 32)]);
    }

    #[test]
    fn file_level() {
        assert_eq!(codes("[]"), [(None, String::new(), "file_no_users")]);
        assert_eq!(codes(""), [(None, String::new(), "file_empty")]);
        assert_eq!(
            codes("[{\"email\":\"a\u{e9}\"}]".replace('\u{e9}', "\u{fffd}").as_str()).len(),
            1
        );
        let r = validate(&b"[{\"email\":\"a\xE9@x.com\"}]"[..]);
        assert_eq!(r.errors[0].code, "invalid_utf8");
        assert_eq!(r.errors[0].position.column, 13);
    }

    #[test]
    fn duplicates_and_max_errors() {
        let input = r#"[{"email":"A@x.com","user_id":"1"},{"email":"a@X.com","user_id":"1"},{"email":"b@x.com","username":"Bo"},{"email":"c@x.com","username":"bo"}]"#;
        assert_eq!(
            codes(input),
            [
                (Some(1), "/email".to_owned(), "duplicate_email"),
                (Some(1), "/user_id".to_owned(), "duplicate_user_id"),
                (Some(3), "/username".to_owned(), "duplicate_username"),
            ]
        );
        let r = validate(input.as_bytes());
        assert!(r.errors[0].message.contains("user 0"));
        let values: Vec<_> = r.errors.iter().map(|i| i.value.as_deref()).collect();
        let quoted = [r#""a@X.com""#, r#""1""#, r#""bo""#].map(Some);
        assert_eq!(values, quoted, "each duplicate shows its own text");
        let r = validate_with(
            input.as_bytes(),
            &ValidateOptions { max_errors: Some(1), ..Default::default() },
        );
        assert_eq!((r.errors.len(), r.truncated, r.users, r.valid), (1, true, 4, 2));
    }
}
