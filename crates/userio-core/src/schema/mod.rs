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
use std::ops::Range;

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
use crate::read::{InputFormat, ReadError, ReadLimits, Record, UserReader};
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
    sink.found
        .into_iter()
        .map(|f| Issue {
            index: None,
            severity: f.code.severity(),
            code: f.code.slug(),
            pointer: f.pointer,
            message: f.message,
            value: f.value,
            position: Position::START,
        })
        .collect()
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
        let mut reader = UserReader::with_options(input, InputFormat::Auto, self.options.limits);
        let mut run = Run {
            report: Report::default(),
            max: self.options.max_errors.unwrap_or(usize::MAX),
            max_record: self.options.limits.max_record_bytes,
            dupes: self.options.check_duplicates.then(Dupes::default),
            fast_path: self.options.fast_path,
            batch: Batch::default(),
        };
        loop {
            let rec = match reader.next_record() {
                None => break,
                Some(Ok(rec)) => rec,
                Some(Err(e)) => {
                    run.flush();
                    run.file_error(&e);
                    break;
                }
            };
            run.record(&rec);
        }
        run.flush();
        if run.report.users == 0
            && run.report.errors.is_empty()
            && reader.format() == InputFormat::Array
        {
            run.push(Issue {
                index: None,
                pointer: String::new(),
                code: Code::FileNoUsers.slug(),
                severity: Severity::Error,
                message: "the file holds no users (`[]`): Auth0 refuses an empty users file; add users or drop the file".to_owned(),
                value: None,
                position: Position::START,
            });
        }
        run.report
    }
}

struct Run {
    report: Report,
    max: usize,
    max_record: usize,
    dupes: Option<Dupes>,
    fast_path: bool,
    batch: Batch,
}

/// Users the fast path cleared, waiting for their duplicate check. The check runs over a
/// batch so that the table lookups (cache misses on large files) overlap; nothing about
/// these users is reported before the batch is flushed, and it is flushed before anything
/// about a later user (or the file) is, so the report keeps file order.
#[derive(Default)]
struct Batch {
    users: Vec<Pending>,
    /// The users' record bytes, for positions if one turns out to be a duplicate.
    raw: Vec<u8>,
    /// Their email / `user_id` / username texts.
    texts: String,
}

struct Pending {
    index: u64,
    position: Position,
    raw: Range<usize>,
    /// Per duplicate-checked field: the text (in `Batch::texts`) and its hash.
    keys: [Option<(Range<usize>, u64)>; 3],
}

/// Users per batch.
const BATCH: usize = 32;

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
        self.push(Issue {
            index: e.index,
            pointer: String::new(),
            code: e.code(),
            severity: Severity::Error,
            message: e.kind.to_string(),
            value: None,
            position: e.position,
        });
    }

    fn record(&mut self, rec: &Record<'_>) {
        self.report.users += 1;
        if rec.raw.len() > self.max_record {
            self.flush();
            self.push(Issue {
                index: Some(rec.index),
                pointer: String::new(),
                code: Code::RecordTooLarge.slug(),
                severity: Severity::Error,
                message: format!(
                    "this user is {} bytes, over the limit of {} bytes: shrink its metadata or raise the limit",
                    rec.raw.len(),
                    self.max_record
                ),
                value: None,
                position: rec.position,
            });
            return;
        }
        let mut sink = Sink::default();
        // The typed fast path answers for users with no issue (duplicates aside); anything
        // else goes through `Value`, which writes the report.
        let fast = if self.fast_path && rec.raw.len() <= PROFILE_LIMIT_BYTES {
            fast::check(rec.raw)
        } else {
            None
        };
        if let Some(keys) = fast {
            if self.dupes.is_none() {
                self.report.valid += 1; // no issue at all
                return;
            }
            let b = &mut self.batch;
            let start = b.raw.len();
            b.raw.extend_from_slice(rec.raw);
            let mut hashed = [None, None, None];
            let texts = [Some(&*keys.email), keys.user_id.as_deref(), keys.username.as_deref()];
            for ((slot, text), (_, fold, _, _)) in
                hashed.iter_mut().zip(texts).zip(DUPLICATE_FIELDS)
            {
                if let Some(text) = text {
                    let at = b.texts.len();
                    b.texts.push_str(text);
                    *slot = Some((at..b.texts.len(), hash_of(text, fold)));
                }
            }
            b.users.push(Pending {
                index: rec.index,
                position: rec.position,
                raw: start..b.raw.len(),
                keys: hashed,
            });
            if b.users.len() >= BATCH {
                self.flush();
            }
            return;
        }
        self.flush();
        match serde_json::from_slice::<Value>(rec.raw) {
            Ok(user) => {
                rules::check_user(&user, &mut sink);
                if let Some(d) = &mut self.dupes {
                    d.check(&user, rec.index, &mut sink);
                }
            }
            Err(e) => {
                self.push(json_issue(rec, &e));
                return;
            }
        }
        self.finish(rec.raw, rec.index, rec.position, sink);
    }

    /// Runs the duplicate check of the pending fast-path users and reports them.
    fn flush(&mut self) {
        if self.batch.users.is_empty() {
            return;
        }
        let mut b = std::mem::take(&mut self.batch);
        if let Some(d) = &self.dupes {
            // Load every slot first: independent loads, so their cache misses overlap.
            let mut acc = 0u64;
            for u in &b.users {
                for (k, key) in u.keys.iter().enumerate() {
                    if let Some((_, h)) = key {
                        acc ^= d.touch(k, *h);
                    }
                }
            }
            std::hint::black_box(acc);
        }
        for u in &b.users {
            let mut sink = Sink::default();
            if let Some(d) = &mut self.dupes {
                for (k, key) in u.keys.iter().enumerate() {
                    if let Some((r, h)) = key {
                        let text = b.texts.get(r.clone()).unwrap_or_default();
                        d.check_hashed(k, *h, text, u.index, &mut sink);
                    }
                }
            }
            let raw = b.raw.get(u.raw.clone()).unwrap_or_default();
            self.finish(raw, u.index, u.position, sink);
        }
        b.users.clear();
        b.raw.clear();
        b.texts.clear();
        self.batch = b;
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
                Issue {
                    index: Some(index),
                    severity: f.code.severity(),
                    code: f.code.slug(),
                    pointer: f.pointer,
                    message: f.message,
                    value: f.value,
                    position: position.advanced(&raw[..off.min(raw.len())]),
                }
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
        return Issue {
            index: Some(rec.index),
            pointer: String::new(),
            code: Code::InvalidUtf8.slug(),
            severity: Severity::Error,
            message: format!(
                "invalid UTF-8 byte 0x{byte:02X}: save the file as UTF-8 (it may be Latin-1 or Windows-1252)"
            ),
            value: None,
            position: rec.position.advanced(&rec.raw[..at]),
        };
    }
    let err = rec.json_error(e);
    Issue {
        index: Some(rec.index),
        pointer: String::new(),
        code: err.code(),
        severity: Severity::Error,
        message: format!("{}: fix the JSON syntax of this user", err.kind),
        value: None,
        position: err.position,
    }
}

/// A set of 64-bit hashes, each with the index of the first user that had it: open
/// addressing with linear probing over one array of `(hash, index + 1)` pairs (0: empty),
/// so a lookup touches one cache line (the table outgrows the caches on large files).
#[derive(Default)]
struct SeenMap {
    slots: Vec<(u64, u64)>,
    len: usize,
}

impl SeenMap {
    /// The first index seen with `hash`, recording `index` when `hash` is new.
    fn first(&mut self, hash: u64, index: u64) -> u64 {
        if (self.len + 1) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let (h, v) = self.slots[i];
            if v == 0 {
                self.slots[i] = (hash, index + 1);
                self.len += 1;
                return index;
            }
            if h == hash {
                return v - 1;
            }
            i = (i + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let cap = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![(0, 0); cap]);
        let mask = cap - 1;
        for (h, v) in old.into_iter().filter(|(_, v)| *v != 0) {
            let mut i = (h as usize) & mask;
            while self.slots[i].1 != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = (h, v);
        }
    }
}

/// The duplicate check: a 64-bit hash of each (lower-cased) email, user_id and username,
/// with the index of the first user that had it. Users themselves are never kept.
#[derive(Default)]
struct Dupes {
    emails: SeenMap,
    ids: SeenMap,
    usernames: SeenMap,
}

/// A 64-bit hash of `s`, lower-cased first when `fold` is set: 8 bytes at a time through a
/// folded 64x64->128-bit multiply (as in wyhash, so every input bit reaches every output
/// bit), then a murmur3 finaliser. Deterministic across runs and machines.
fn hash_of(s: &str, fold: bool) -> u64 {
    const P0: u64 = 0xa076_1d64_78bd_642f;
    const P1: u64 = 0xe703_7ed1_a0b4_28db;
    let mut h: u64 = s.len() as u64 ^ P1;
    let mut feed = |chunk: &[u8]| {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        let m = u128::from(h ^ u64::from_le_bytes(w) ^ P0) * u128::from(P1 ^ h.rotate_left(23));
        h = (m as u64) ^ ((m >> 64) as u64);
    };
    if fold && !s.is_ascii() {
        let lower: String = s.chars().flat_map(char::to_lowercase).collect();
        lower.as_bytes().chunks(8).for_each(&mut feed);
    } else if fold {
        for chunk in s.as_bytes().chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            w.make_ascii_lowercase();
            feed(&w[..chunk.len()]);
        }
    } else {
        s.as_bytes().chunks(8).for_each(&mut feed);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl Dupes {
    fn check(&mut self, user: &Value, index: u64, sink: &mut Sink) {
        let Some(obj) = user.as_object() else { return };
        let text = |field| obj.get(field).and_then(Value::as_str);
        self.check_keys([text("email"), text("user_id"), text("username")], index, sink);
    }

    /// The duplicate check on a user's `email`, `user_id` and `username` strings.
    fn check_keys(&mut self, keys: [Option<&str>; 3], index: u64, sink: &mut Sink) {
        for (k, (text, (_, fold, _, _))) in keys.into_iter().zip(DUPLICATE_FIELDS).enumerate() {
            if let Some(text) = text {
                self.check_hashed(k, hash_of(text, fold), text, index, sink);
            }
        }
    }

    fn map(&mut self, k: usize) -> &mut SeenMap {
        match k {
            0 => &mut self.emails,
            1 => &mut self.ids,
            _ => &mut self.usernames,
        }
    }

    /// Loads the home slot of `hash` in field `k`'s table (a prefetch without `unsafe`).
    fn touch(&self, k: usize, hash: u64) -> u64 {
        let map = match k {
            0 => &self.emails,
            1 => &self.ids,
            _ => &self.usernames,
        };
        let n = map.slots.len();
        if n == 0 { 0 } else { map.slots[(hash as usize) & (n - 1)].0 }
    }

    /// The duplicate check of field `k` (see [`DUPLICATE_FIELDS`]) holding `text`, whose
    /// `hash_of` is `hash`.
    fn check_hashed(&mut self, k: usize, hash: u64, text: &str, index: u64, sink: &mut Sink) {
        let (field, _, code, template) = DUPLICATE_FIELDS[k];
        let first = self.map(k).first(hash, index);
        if first != index {
            sink.push_text(
                format!("/{field}"),
                code,
                template.replace("{first}", &first.to_string()),
                text,
            );
        }
    }
}

/// The duplicate-checked fields: name, compared lower-cased, code, message template.
const DUPLICATE_FIELDS: [(&str, bool, Code, &str); 3] = [
    (
        "email",
        true,
        Code::DuplicateEmail,
        "same email as user {first} (emails are compared lower-cased): each user may appear only once in an import; merge or remove one",
    ),
    (
        "user_id",
        false,
        Code::DuplicateUserId,
        "same `user_id` as user {first}: user ids must be unique; give one user another id or remove the duplicate",
    ),
    (
        "username",
        true,
        Code::DuplicateUsername,
        "same `username` as user {first} (usernames are compared lower-cased): usernames must be unique",
    ),
];

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
    fn seen_map_keeps_the_first_index() {
        let mut m = SeenMap::default();
        for i in 0..5000u64 {
            assert_eq!(m.first(hash_of(&i.to_string(), false), i), i);
        }
        for i in 0..5000u64 {
            assert_eq!(m.first(hash_of(&i.to_string(), false), 9999), i);
        }
        // Hashes that share their low bits probe past each other.
        let mut m = SeenMap::default();
        for i in 0..3000u64 {
            assert_eq!(m.first(i << 40, i), i);
        }
        assert_eq!((m.first(7 << 40, 1), m.first(0, 5), m.len), (7, 0, 3000));
    }

    #[test]
    fn hash_separates_near_identical_emails() {
        // These collided with an earlier, weaker mixer (1M-user benchmark file).
        assert_ne!(
            hash_of("weidoe.988974@exampleco.com", true),
            hash_of("weidoe.188984@exampleco.com", true)
        );
        assert_eq!(hash_of("Jane@Example.com", true), hash_of("jane@example.com", true));
        assert_ne!(hash_of("Jane@Example.com", false), hash_of("jane@example.com", false));
        let mut seen = std::collections::HashSet::new();
        for i in 0..200_000u32 {
            assert!(seen.insert(hash_of(&format!("weidoe.{i}@exampleco.com"), true)));
        }
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
        let r = validate_with(
            input.as_bytes(),
            &ValidateOptions { max_errors: Some(1), ..Default::default() },
        );
        assert_eq!((r.errors.len(), r.truncated, r.users, r.valid), (1, true, 4, 2));
    }
}
