//! The path tier: `user.a.b`, `user['a-b']`, `user.identities[0].provider`, `a.b`.
//!
//! Resolved straight on the JSON value with JavaScript's meaning: a missing attribute is
//! `undefined`, and reading a property of `undefined` or `null` is a `TypeError` (exactly
//! what `user.a.b` does in JavaScript when `a` is missing).

use std::borrow::Cow;

use serde_json::Value;

use super::json::array_index;
use super::native::parse::is_prototype_name;
use super::value::JsVal;
use super::{Cell, CellError};
use crate::user::{SlotCache, UserRef, member};

/// A parsed path: the property keys after `user`, and whether `user.` was written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Path {
    pub keys: Vec<String>,
    pub bare: bool,
    /// Where the first key is among projected users' attributes.
    first: SlotCache,
}

const NOT_PATH_HEADS: &[&str] = &[
    "true",
    "false",
    "null",
    "undefined",
    "NaN",
    "Infinity",
    "this",
    "new",
    "typeof",
    "void",
    "delete",
    "function",
    "class",
    "in",
    "of",
    "instanceof",
    "await",
    "yield",
    "async",
    "let",
    "const",
    "var",
    "return",
    "if",
    "else",
    "for",
    "while",
    "do",
    "switch",
    "case",
    "default",
    "break",
    "continue",
    "throw",
    "try",
    "catch",
    "finally",
    "with",
    "debugger",
    "import",
    "export",
    "super",
    "extends",
    "enum",
    "static",
];

fn ident_len(s: &[u8]) -> usize {
    if s.is_empty() || !(s[0].is_ascii_alphabetic() || s[0] == b'_' || s[0] == b'$') {
        return 0;
    }
    s.iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c == b'$').count()
}

/// Parses `src` as a plain path, or `None` when it is anything else.
pub(crate) fn parse(src: &str) -> Option<Path> {
    let s = src.trim();
    let b = s.as_bytes();
    let n = ident_len(b);
    if n == 0 {
        return None;
    }
    let head = &s[..n];
    let mut keys = Vec::new();
    let bare = head != "user";
    if bare {
        if NOT_PATH_HEADS.contains(&head) {
            return None;
        }
        keys.push(head.to_owned());
    }
    let mut i = n;
    while i < b.len() {
        match b[i] {
            b'.' => {
                let len = ident_len(&b[i + 1..]);
                if len == 0 {
                    return None;
                }
                keys.push(s[i + 1..i + 1 + len].to_owned());
                i += 1 + len;
            }
            b'[' => {
                let rest = &s[i + 1..];
                let (key, len) = if rest.starts_with('\'') || rest.starts_with('"') {
                    let q = rest.as_bytes()[0];
                    let end = rest[1..].find(q as char)? + 1;
                    let inner = &rest[1..end];
                    if inner.contains('\\') || inner.contains('\n') || inner.contains('\r') {
                        return None;
                    }
                    (inner.to_owned(), end + 1)
                } else {
                    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                    let key = &rest[..digits];
                    if digits == 0
                        || (digits > 1 && key.starts_with('0'))
                        || array_index(key).is_none()
                    {
                        return None;
                    }
                    (key.to_owned(), digits)
                };
                if rest.as_bytes().get(len) != Some(&b']') {
                    return None;
                }
                keys.push(key);
                i += 1 + len + 1;
            }
            _ => return None,
        }
    }
    if keys.iter().any(|k| is_prototype_name(k)) {
        return None;
    }
    Some(Path { keys, bare, first: SlotCache::default() })
}

impl Path {
    /// The same path as a JavaScript expression over `user`.
    pub(crate) fn to_js(&self) -> String {
        let mut out = String::from("user");
        for k in &self.keys {
            if ident_len(k.as_bytes()) == k.len() && !k.is_empty() {
                out.push('.');
                out.push_str(k);
            } else if array_index(k).is_some() {
                out.push('[');
                out.push_str(k);
                out.push(']');
            } else {
                out.push('[');
                super::json::quote_into(&mut out, k);
                out.push(']');
            }
        }
        out
    }

    /// Resolves the path on `user`.
    pub(crate) fn eval<'u>(&self, user: UserRef<'u>) -> Result<Cell<'u>, CellError> {
        match self.walk(user) {
            Walk::End(v) => Ok(Cell::Value(Cow::Borrowed(v))),
            stop => self.finish(stop),
        }
    }

    /// Appends the cell text for `user`; a value found is written straight from the JSON,
    /// with no cell made and matched. (A `Result<Cell>` made here went through memory
    /// copies, one of which stalled: a projected `user.email` took twice its time.)
    #[inline]
    pub(crate) fn write_text(&self, user: UserRef<'_>, out: &mut String) -> Result<(), CellError> {
        match self.walk(user) {
            Walk::End(Value::String(s)) => out.push_str(s),
            Walk::End(v) => Cell::Value(Cow::Borrowed(v)).write_text(out),
            stop => self.finish(stop)?.write_text(out),
        }
        Ok(())
    }

    /// Follows the keys through objects and arrays, as far as they go.
    #[inline(always)]
    fn walk<'u>(&self, user: UserRef<'u>) -> Walk<'u> {
        let (cur, rest) = user.start_cached(&self.keys, |k| Some(k), Some(&self.first));
        let Some(mut cur) = cur else { return Walk::Missing(0) };
        for (i, key) in self.keys.iter().enumerate().skip(self.keys.len() - rest.len()) {
            let next = match cur {
                Value::Object(map) => member(map, key),
                Value::Array(items) => match array_index(key) {
                    Some(ix) => items.get(ix as usize),
                    None => return Walk::Other(cur, i),
                },
                _ => return Walk::Other(cur, i),
            };
            match next {
                Some(v) => cur = v,
                None => return Walk::Missing(i),
            }
        }
        Walk::End(cur)
    }

    /// The cell where [`walk`](Self::walk) stopped short of the end.
    #[cold]
    fn finish<'u>(&self, stop: Walk<'u>) -> Result<Cell<'u>, CellError> {
        match stop {
            Walk::End(v) => Ok(Cell::Value(Cow::Borrowed(v))),
            Walk::Missing(i) => self.missing(i),
            Walk::Other(cur, i) => self.slow(cur, i),
        }
    }

    /// The result when key `i` is absent: `undefined` for the last key, else reading a
    /// property of `undefined`.
    fn missing<'u>(&self, i: usize) -> Result<Cell<'u>, CellError> {
        match self.keys.get(i + 1) {
            None => Ok(Cell::Undefined),
            Some(k) => Err(read_error("undefined", k)),
        }
    }

    /// The general rule (strings, numbers, `length`, `null`) from key `i` on.
    fn slow<'u>(&self, cur: &'u Value, i: usize) -> Result<Cell<'u>, CellError> {
        let mut v = JsVal::from_json(cur);
        for key in &self.keys[i..] {
            v = match v.get(key) {
                // Half of a character (`'😀'[0]`): a path goes no further into it than
                // its `length` (1) and the half itself, which a cell writes as U+FFFD.
                Err(e) if e.is_lone_surrogate() => JsVal::Str(Cow::Borrowed("\u{FFFD}")),
                next => next?,
            };
        }
        Ok(super::cell_from_val(v))
    }
}

/// Where [`Path::walk`] stopped.
enum Walk<'u> {
    /// At the value the whole path names.
    End(&'u Value),
    /// Key `i` is absent (from the user, an object or an array).
    Missing(usize),
    /// At a value that is not an object or array (or at an array, with a key that is not
    /// an index), before key `i`: JavaScript's general rule goes on from there.
    Other(&'u Value, usize),
}

fn read_error(what: &str, key: &str) -> CellError {
    CellError { message: format!("TypeError: Cannot read properties of {what} (reading '{key}')") }
}
