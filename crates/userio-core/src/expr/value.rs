//! The JavaScript value model of the native tier: truthiness, `ToString`, `ToNumber`,
//! loose and strict equality, relational comparison, property access.

use std::borrow::Cow;
use std::rc::Rc;

use serde_json::Value;

use super::CellError;
use super::json::{array_index, object_into, quote_into};
use super::native::eval::read_error;
use super::number::{push_number, string_to_number};

use crate::user::member;

/// A JavaScript value during native evaluation. Objects and arrays from the user are
/// borrowed; arrays built by the expression are owned.
#[derive(Debug, Clone)]
pub(crate) enum JsVal<'u> {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(Cow<'u, str>),
    /// A JSON object or array borrowed from the user.
    Json(&'u Value),
    /// An array created by the expression (`[]`, `split`, `map`, `slice`).
    Arr(Rc<Vec<JsVal<'u>>>),
}

impl<'u> JsVal<'u> {
    /// The JavaScript value of a JSON value.
    pub(crate) fn from_json(v: &'u Value) -> JsVal<'u> {
        match v {
            Value::Null => JsVal::Null,
            Value::Bool(b) => JsVal::Bool(*b),
            Value::Number(n) => JsVal::Num(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => JsVal::Str(Cow::Borrowed(s)),
            Value::Array(_) | Value::Object(_) => JsVal::Json(v),
        }
    }

    pub(crate) fn is_nullish(&self) -> bool {
        matches!(self, JsVal::Undefined | JsVal::Null)
    }

    pub(crate) fn is_object(&self) -> bool {
        matches!(self, JsVal::Json(_) | JsVal::Arr(_))
    }

    /// `ToIntegerOrInfinity`: `ToNumber`, then NaN as 0 and the fraction cut off.
    pub(crate) fn to_integer(&self) -> f64 {
        let n = self.to_num();
        if n.is_nan() { 0.0 } else { n.trunc() }
    }

    /// `ToBoolean`.
    pub(crate) fn truthy(&self) -> bool {
        match self {
            JsVal::Undefined | JsVal::Null => false,
            JsVal::Bool(b) => *b,
            JsVal::Num(n) => !(n.is_nan() || *n == 0.0),
            JsVal::Str(s) => !s.is_empty(),
            JsVal::Json(_) | JsVal::Arr(_) => true,
        }
    }

    /// `typeof`.
    pub(crate) fn type_of(&self) -> &'static str {
        match self {
            JsVal::Undefined => "undefined",
            JsVal::Null | JsVal::Json(_) | JsVal::Arr(_) => "object",
            JsVal::Bool(_) => "boolean",
            JsVal::Num(_) => "number",
            JsVal::Str(_) => "string",
        }
    }

    /// `ToString` (objects through their `toString`: arrays join with `,`, plain objects
    /// give `[object Object]`).
    pub(crate) fn to_str(&self) -> Cow<'u, str> {
        match self {
            JsVal::Str(s) => s.clone(),
            other => {
                let mut out = String::new();
                other.push_str(&mut out);
                Cow::Owned(out)
            }
        }
    }

    /// Appends `ToString(self)`.
    pub(crate) fn push_str(&self, out: &mut String) {
        match self {
            JsVal::Undefined => out.push_str("undefined"),
            JsVal::Null => out.push_str("null"),
            JsVal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            JsVal::Num(n) => push_number(out, *n),
            JsVal::Str(s) => out.push_str(s),
            JsVal::Json(Value::Array(_)) | JsVal::Arr(_) => {
                for (i, item) in self.items().into_iter().flatten().enumerate() {
                    push_joined(out, i, ",", &item);
                }
            }
            JsVal::Json(_) => out.push_str("[object Object]"),
        }
    }

    /// `ToNumber`.
    pub(crate) fn to_num(&self) -> f64 {
        match self {
            JsVal::Undefined => f64::NAN,
            JsVal::Null => 0.0,
            JsVal::Bool(b) => f64::from(u8::from(*b)),
            JsVal::Num(n) => *n,
            JsVal::Str(s) => string_to_number(s),
            obj => string_to_number(&obj.to_str()),
        }
    }

    /// `ToPrimitive`: objects become their string form (plain objects and arrays have no
    /// useful `valueOf`).
    fn to_primitive(&self) -> Cow<'_, JsVal<'u>> {
        if self.is_object() { Cow::Owned(JsVal::Str(self.to_str())) } else { Cow::Borrowed(self) }
    }

    /// [`to_primitive`](Self::to_primitive), consuming the value.
    pub(crate) fn into_primitive(self) -> JsVal<'u> {
        if self.is_object() { JsVal::Str(self.to_str()) } else { self }
    }

    /// Object identity (user values by address, created arrays by allocation).
    fn same_object(&self, other: &JsVal<'u>) -> bool {
        match (self, other) {
            (JsVal::Json(a), JsVal::Json(b)) => std::ptr::eq(*a, *b),
            (JsVal::Arr(a), JsVal::Arr(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// `===`.
    pub(crate) fn strict_eq(&self, other: &JsVal<'u>) -> bool {
        match (self, other) {
            (JsVal::Undefined, JsVal::Undefined) | (JsVal::Null, JsVal::Null) => true,
            (JsVal::Bool(a), JsVal::Bool(b)) => a == b,
            (JsVal::Num(a), JsVal::Num(b)) => a == b,
            (JsVal::Str(a), JsVal::Str(b)) => a == b,
            (a, b) if a.is_object() && b.is_object() => a.same_object(b),
            _ => false,
        }
    }

    /// `SameValueZero` (used by `Array.prototype.includes`).
    pub(crate) fn same_value_zero(&self, other: &JsVal<'u>) -> bool {
        match (self, other) {
            (JsVal::Num(a), JsVal::Num(b)) if a.is_nan() && b.is_nan() => true,
            _ => self.strict_eq(other),
        }
    }

    /// `==` (IsLooselyEqual).
    pub(crate) fn loose_eq(&self, other: &JsVal<'u>) -> bool {
        use JsVal::*;
        match (self, other) {
            (Undefined | Null, Undefined | Null) => true,
            (Undefined | Null, _) | (_, Undefined | Null) => false,
            (Num(_), Num(_)) | (Str(_), Str(_)) | (Bool(_), Bool(_)) => self.strict_eq(other),
            (a, b) if a.is_object() && b.is_object() => a.same_object(b),
            (Num(a), Str(b)) => *a == string_to_number(b),
            (Str(a), Num(b)) => string_to_number(a) == *b,
            (Bool(a), b) => Num(f64::from(u8::from(*a))).loose_eq(b),
            (a, Bool(b)) => a.loose_eq(&Num(f64::from(u8::from(*b)))),
            (a, b) if a.is_object() => a.to_primitive().loose_eq(b),
            (a, b) if b.is_object() => a.loose_eq(&b.to_primitive()),
            _ => false,
        }
    }

    /// `a < b` per IsLessThan; `None` when the answer is `undefined` (NaN involved).
    pub(crate) fn less_than(&self, other: &JsVal<'u>) -> Option<bool> {
        if let (JsVal::Num(x), JsVal::Num(y)) = (self, other) {
            return x.partial_cmp(y).map(std::cmp::Ordering::is_lt); // the common case
        }
        let a = self.to_primitive();
        let b = other.to_primitive();
        if let (JsVal::Str(x), JsVal::Str(y)) = (a.as_ref(), b.as_ref()) {
            return Some(x.encode_utf16().lt(y.encode_utf16()));
        }
        let x = a.to_num();
        let y = b.to_num();
        if x.is_nan() || y.is_nan() { None } else { Some(x < y) }
    }

    /// `self[key]` for a key that names no prototype member (checked when compiling): a
    /// `TypeError` on `undefined` or `null`, or [`CellError::lone_surrogate`] for half of a
    /// character of a string.
    pub(crate) fn get(&self, key: &str) -> Result<JsVal<'u>, CellError> {
        Ok(match self {
            JsVal::Undefined | JsVal::Null => return Err(read_error(self, key)),
            JsVal::Bool(_) | JsVal::Num(_) => JsVal::Undefined,
            JsVal::Str(s) => {
                if key == "length" {
                    JsVal::Num(utf16_len(s) as f64)
                } else if let Some(i) = array_index(key) {
                    match utf16_slice(s, i as usize, i as usize + 1)? {
                        c if !c.is_empty() => JsVal::Str(Cow::Owned(c)),
                        _ => JsVal::Undefined,
                    }
                } else {
                    JsVal::Undefined
                }
            }
            JsVal::Json(Value::Object(map)) => {
                member(map, key).map_or(JsVal::Undefined, JsVal::from_json)
            }
            JsVal::Json(Value::Array(items)) => {
                array_get(key, items.len(), |i| JsVal::from_json(&items[i]))
            }
            JsVal::Json(_) => JsVal::Undefined,
            JsVal::Arr(items) => array_get(key, items.len(), |i| items[i].clone()),
        })
    }

    /// The elements when `self` is an array, without copying them into a new array.
    pub(crate) fn items(&self) -> Option<Items<'_, 'u>> {
        match self {
            JsVal::Json(Value::Array(items)) => Some(Items::Json(items.iter())),
            JsVal::Arr(items) => Some(Items::Made(items.iter())),
            _ => None,
        }
    }

    /// `JSON.stringify(self)`; `None` for `undefined`.
    pub(crate) fn stringify(&self) -> Option<String> {
        if matches!(self, JsVal::Undefined) {
            return None;
        }
        let mut out = String::new();
        stringify_val(&mut out, self);
        Some(out)
    }

    /// The JSON value of a cell (JSON.stringify's mapping: `undefined` and non-finite
    /// numbers inside arrays become `null`).
    pub(crate) fn to_json_value(&self) -> Value {
        match self {
            JsVal::Undefined | JsVal::Null => Value::Null,
            JsVal::Bool(b) => Value::Bool(*b),
            JsVal::Num(n) => super::json::number_value(*n),
            JsVal::Str(s) => Value::String(s.to_string()),
            JsVal::Json(v) => (*v).clone(),
            JsVal::Arr(items) => Value::Array(items.iter().map(JsVal::to_json_value).collect()),
        }
    }
}

fn array_get<'u>(key: &str, len: usize, at: impl Fn(usize) -> JsVal<'u>) -> JsVal<'u> {
    if key == "length" {
        return JsVal::Num(len as f64);
    }
    match array_index(key) {
        Some(i) if (i as usize) < len => at(i as usize),
        _ => JsVal::Undefined,
    }
}

/// Appends element `index` of an `Array.prototype.join` with `sep`: the separator before
/// all but the first, and nothing for `null` and `undefined`.
pub(crate) fn push_joined(out: &mut String, index: usize, sep: &str, v: &JsVal<'_>) {
    if index > 0 {
        out.push_str(sep);
    }
    if !v.is_nullish() {
        v.push_str(out);
    }
}

/// The elements of an array value ([`JsVal::items`]).
pub(crate) enum Items<'a, 'u> {
    Json(std::slice::Iter<'u, Value>),
    Made(std::slice::Iter<'a, JsVal<'u>>),
}

impl<'u> Iterator for Items<'_, 'u> {
    type Item = JsVal<'u>;

    fn next(&mut self) -> Option<JsVal<'u>> {
        match self {
            Items::Json(it) => it.next().map(JsVal::from_json),
            Items::Made(it) => it.next().cloned(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Items::Json(it) => it.size_hint(),
            Items::Made(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for Items<'_, '_> {}

fn stringify_val(out: &mut String, v: &JsVal<'_>) {
    match v {
        JsVal::Undefined | JsVal::Null => out.push_str("null"),
        JsVal::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        JsVal::Num(n) if n.is_finite() => push_number(out, *n),
        JsVal::Num(_) => out.push_str("null"),
        JsVal::Str(s) => quote_into(out, s),
        JsVal::Json(Value::Object(map)) => object_into(out, map, super::json::stringify_into),
        JsVal::Json(v) => super::json::stringify_into(out, v),
        JsVal::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                stringify_val(out, item);
            }
            out.push(']');
        }
    }
}

/// Length in UTF-16 code units.
pub(crate) fn utf16_len(s: &str) -> usize {
    if s.is_ascii() { s.len() } else { s.encode_utf16().count() }
}

/// The UTF-16 code units `start..end` (clamped) as a string. A cut through a character
/// outside the Basic Multilingual Plane leaves half of it, a lone surrogate, which a Rust
/// string cannot hold: see [`units_to_string`].
pub(crate) fn utf16_slice(s: &str, start: usize, end: usize) -> Result<String, CellError> {
    if s.is_ascii() {
        let end = end.min(s.len());
        let start = start.min(end);
        return Ok(s[start..end].to_owned());
    }
    let units: Vec<u16> = s.encode_utf16().collect();
    let end = end.min(units.len());
    let start = start.min(end);
    units_to_string(&units[start..end])
}

/// `units` as a string, or [`CellError::lone_surrogate`] when they hold half of a
/// character (a lone surrogate; only at the ends, as the units come from a whole string).
/// JavaScript strings keep halves: they join again (`s.slice(0, 1) + s.slice(1)`), compare
/// by code unit and `JSON.stringify` as `\ud83d`, so the column runs such a cell in
/// JavaScript rather than make a U+FFFD of it here.
pub(crate) fn units_to_string(units: &[u16]) -> Result<String, CellError> {
    let half = |u: Option<&u16>, range: std::ops::Range<u16>| u.is_some_and(|u| range.contains(u));
    if half(units.first(), 0xDC00..0xE000) || half(units.last(), 0xD800..0xDC00) {
        return Err(CellError::lone_surrogate());
    }
    Ok(String::from_utf16_lossy(units))
}

/// The part of `s` from UTF-16 unit `pos` on; when `pos` falls inside a character, from
/// the next one (no string that is whole can start with the half left over).
pub(crate) fn utf16_suffix(s: &str, pos: usize) -> &str {
    &s[utf16_offset(s, pos).0..]
}

/// The byte offset of UTF-16 unit `pos` (at most the length), or `None` when `pos` falls
/// inside a character (between the halves of a surrogate pair).
pub(crate) fn utf16_boundary(s: &str, pos: usize) -> Option<usize> {
    let (at, exact) = utf16_offset(s, pos);
    exact.then_some(at)
}

/// The byte offset of the first character at or after UTF-16 unit `pos` (the length past
/// the end), and whether it starts exactly there.
fn utf16_offset(s: &str, pos: usize) -> (usize, bool) {
    if s.is_ascii() {
        return (pos.min(s.len()), true);
    }
    let mut units = 0;
    for (at, c) in s.char_indices() {
        if units >= pos {
            return (at, units == pos);
        }
        units += c.len_utf16();
    }
    (s.len(), units >= pos)
}

/// `hay.find(needle)`. On the short texts cells mostly hold, a plain scan: `str::find`
/// first sets up a two-way searcher, which cost a native `replace` a third of its time.
/// (A match of whole UTF-8 in whole UTF-8 always starts at a character.)
pub(crate) fn find_str(hay: &str, needle: &str) -> Option<usize> {
    const SHORT: usize = 64;
    if hay.len() > SHORT {
        return hay.find(needle);
    }
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?).find(|&i| h[i..].starts_with(n))
}

/// `ToIntegerOrInfinity` clamped to `0..=len` (the position of `includes`, `startsWith`,
/// `indexOf` on strings); `default` when the argument is missing or `undefined`.
pub(crate) fn clamped_position(v: Option<&JsVal<'_>>, len: usize, default: usize) -> usize {
    match v {
        None | Some(JsVal::Undefined) => default,
        Some(v) => v.to_integer().clamp(0.0, len as f64) as usize,
    }
}

/// `ToIntegerOrInfinity` then a relative index clamped to `0..=len` (the `slice` rule).
pub(crate) fn relative_index(v: Option<&JsVal<'_>>, len: usize, default: usize) -> usize {
    let Some(v) = v else { return default };
    if matches!(v, JsVal::Undefined) {
        return default;
    }
    let n = v.to_integer();
    let len_f = len as f64;
    if n < 0.0 { (len_f + n).max(0.0) as usize } else { n.min(len_f) as usize }
}

#[cfg(test)]
mod tests {
    use super::find_str;

    #[test]
    fn find_str_finds_what_str_find_does() {
        let long = format!("{}needle", "é".repeat(40));
        let hays = ["", "a", "abc", "aab", "xé😀é", "auth0|abc", long.as_str()];
        let needles = ["", "a", "b", "ab", "é", "😀", "é😀", "|", "needle", "abcd"];
        for hay in hays {
            for needle in needles {
                assert_eq!(find_str(hay, needle), hay.find(needle), "{hay:?} {needle:?}");
            }
        }
    }
}
