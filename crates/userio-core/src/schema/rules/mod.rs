//! The per-user rules, one file per family. Each rule walks a parsed user and pushes
//! [`Found`] problems (JSON pointer, code, message, value) into a [`Sink`]; positions are
//! worked out later, and only for users that have problems.

use serde_json::Value;

use super::issue::Code;

pub mod formats;
pub(crate) mod metadata;
pub(crate) mod mfa;
pub(crate) mod password;
pub(crate) mod profile;

/// One problem found inside a user, before its file position is known.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// JSON pointer inside the user.
    pub pointer: String,
    /// What kind of problem.
    pub code: Code,
    /// What is wrong and how to fix it.
    pub message: String,
    /// The offending value, compact JSON, truncated.
    pub value: Option<String>,
    /// Point at the key (unknown / forbidden keys) rather than the value.
    pub at_key: bool,
}

/// Collects [`Found`] problems.
#[derive(Debug, Default)]
pub struct Sink {
    /// Problems, in the order found.
    pub found: Vec<Found>,
}

/// Longest value excerpt kept in an issue, in characters.
pub const MAX_VALUE_CHARS: usize = 80;

/// Compact JSON of `v`, cut to [`MAX_VALUE_CHARS`] characters with `…`.
pub fn truncated(v: &Value) -> String {
    let s = match v {
        Value::Object(m) if m.len() > 8 => format!("{{…{} keys}}", m.len()),
        Value::Array(a) if a.len() > 16 => format!("[…{} items]", a.len()),
        _ => v.to_string(),
    };
    cut(s)
}

/// [`truncated`] of a JSON string holding `text` (without building a [`Value`] first).
pub fn truncated_str(text: &str) -> String {
    cut(Value::from(text).to_string())
}

fn cut(s: String) -> String {
    if s.chars().count() <= MAX_VALUE_CHARS {
        return s;
    }
    let mut out: String = s.chars().take(MAX_VALUE_CHARS - 1).collect();
    out.push('…');
    out
}

impl Sink {
    /// Records a problem about the value at `pointer`.
    pub fn push(&mut self, pointer: String, code: Code, message: String, value: Option<&Value>) {
        self.found.push(Found {
            pointer,
            code,
            message,
            value: value.map(truncated),
            at_key: false,
        });
    }

    /// Records a problem about the string `text` at `pointer` (same as [`Sink::push`] with
    /// the string as a JSON value).
    pub fn push_text(&mut self, pointer: String, code: Code, message: String, text: &str) {
        self.found.push(Found {
            pointer,
            code,
            message,
            value: Some(truncated_str(text)),
            at_key: false,
        });
    }

    /// Records a problem about the key at the end of `pointer` (unknown or reserved keys).
    pub fn push_key(
        &mut self,
        pointer: String,
        code: Code,
        message: String,
        value: Option<&Value>,
    ) {
        self.found.push(Found {
            pointer,
            code,
            message,
            value: value.map(truncated),
            at_key: true,
        });
    }

    /// Checks the JSON type; pushes `invalid_type` and returns `false` when wrong.
    pub fn expect(&mut self, ptr: &str, name: &str, v: &Value, want: Kind) -> bool {
        if want.matches(v) {
            return true;
        }
        let hint = match (want, v) {
            (Kind::Bool, Value::String(s)) if s == "true" || s == "false" => {
                format!(": write {s} without quotes")
            }
            (Kind::Integer, Value::String(s)) if s.parse::<i64>().is_ok() => {
                format!(": write {s} without quotes")
            }
            (Kind::String, Value::Number(n)) => format!(": write \"{n}\" in quotes"),
            (_, Value::Null) => ": remove the property instead of sending null".to_owned(),
            _ => String::new(),
        };
        self.push(
            ptr.to_owned(),
            Code::InvalidType,
            format!("`{name}` must be {}, found {}{hint}", want.describe(), type_name(v)),
            Some(v),
        );
        false
    }
}

/// The JSON types a rule may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string.
    String,
    /// true or false.
    Bool,
    /// An object.
    Object,
    /// An array.
    Array,
    /// A whole number.
    Integer,
}

impl Kind {
    fn matches(self, v: &Value) -> bool {
        match self {
            Kind::String => v.is_string(),
            Kind::Bool => v.is_boolean(),
            Kind::Object => v.is_object(),
            Kind::Array => v.is_array(),
            Kind::Integer => as_integer(v).is_some(),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::String => "a string",
            Kind::Bool => "a boolean (true or false)",
            Kind::Object => "an object {…}",
            Kind::Array => "an array […]",
            Kind::Integer => "an integer",
        }
    }
}

/// An integer value (JSON Schema `integer`: `5` and `5.0` both count).
pub fn as_integer(v: &Value) -> Option<i128> {
    let n = v.as_number()?;
    if let Some(i) = n.as_i64() {
        return Some(i128::from(i));
    }
    if let Some(u) = n.as_u64() {
        return Some(i128::from(u));
    }
    let f = n.as_f64()?;
    (f.fract() == 0.0 && f.abs() < 1e30).then_some(f as i128)
}

/// `a string`, `a number`, … for messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `base` + `/` + the escaped segment.
pub fn join(base: &str, seg: &str) -> String {
    let mut out = String::with_capacity(base.len() + seg.len() + 1);
    out.push_str(base);
    out.push('/');
    for c in seg.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// Checks a string enum; pushes `enum_mismatch` when outside `allowed`.
pub fn check_enum(s: &mut Sink, ptr: &str, name: &str, v: &Value, allowed: &[&str]) -> Option<()> {
    check_enum_str(s, ptr, name, v.as_str()?, allowed)
}

/// [`check_enum`] on a string.
pub fn check_enum_str(
    s: &mut Sink,
    ptr: &str,
    name: &str,
    text: &str,
    allowed: &[&str],
) -> Option<()> {
    if allowed.contains(&text) {
        return Some(());
    }
    let v = &Value::from(text);
    let lower = text.to_ascii_lowercase();
    let hint = match allowed.iter().find(|a| a.eq_ignore_ascii_case(&lower)) {
        Some(a) => format!(" (values are case-sensitive: write \"{a}\")"),
        None => String::new(),
    };
    s.push(
        ptr.to_owned(),
        Code::EnumMismatch,
        format!("`{name}` must be one of {}; found {v}{hint}", allowed.join(", ")),
        Some(v),
    );
    None
}

/// Character count check; pushes `string_too_short` / `string_too_long`.
pub fn check_len(s: &mut Sink, ptr: &str, name: &str, v: &Value, min: usize, max: usize) {
    if let Some(text) = v.as_str() {
        check_len_str(s, ptr, name, text, min, max);
    }
}

/// [`check_len`] on a string.
pub fn check_len_str(s: &mut Sink, ptr: &str, name: &str, text: &str, min: usize, max: usize) {
    // Byte length bounds the character count: skip counting in the common case.
    if text.len() >= min && text.len() <= max {
        return;
    }
    let n = text.chars().count();
    if n < min {
        let msg = if n == 0 {
            format!("`{name}` must not be empty: remove the property or give it a value")
        } else {
            format!("`{name}` is {n} characters long; Auth0 needs at least {min}")
        };
        s.push_text(ptr.to_owned(), Code::StringTooShort, msg, text);
    } else if n > max {
        s.push_text(
            ptr.to_owned(),
            Code::StringTooLong,
            format!("`{name}` is {n} characters long; Auth0 allows at most {max}: shorten it"),
            text,
        );
    }
}

/// Levenshtein distance, for "did you mean" hints (short strings only).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest of `known` to `key` when it looks like a typo.
pub fn suggestion<'a>(key: &str, known: &[&'a str]) -> Option<&'a str> {
    if key.len() > 64 {
        return None;
    }
    let lower = key.to_ascii_lowercase().replace('-', "_");
    known
        .iter()
        .map(|k| (edit_distance(&lower, k), *k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4) && *d < k.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Runs every per-user rule.
pub fn check_user(user: &Value, s: &mut Sink) {
    profile::check(user, s);
}
