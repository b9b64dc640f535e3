//! `JSON.stringify` with JavaScript's exact output over `serde_json::Value`.

use serde_json::{Map, Number, Value};

use super::number::push_number;

/// Appends `JSON.stringify(value)` (compact).
pub(crate) fn stringify_into(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => push_json_number(out, n),
        Value::String(s) => quote_into(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                stringify_into(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => object_into(out, map, stringify_into),
    }
}

/// Appends a JSON number as JavaScript prints it (`1` for `1.0`, `1e+21`).
pub(crate) fn push_json_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_i64()
        && i.unsigned_abs() < (1u64 << 53)
    {
        use std::fmt::Write;
        let _ = write!(out, "{i}");
        return;
    }
    let f = n.as_f64().unwrap_or(f64::NAN);
    if f.is_finite() {
        push_number(out, f);
    } else {
        out.push_str("null");
    }
}

/// Writes an object with JavaScript's key order: array-index keys ascending first, then the
/// other keys in insertion order.
pub(crate) fn object_into(
    out: &mut String,
    map: &Map<String, Value>,
    mut each: impl FnMut(&mut String, &Value),
) {
    out.push('{');
    let mut first = true;
    let mut write = |out: &mut String, k: &str, v: &Value| {
        if !first {
            out.push(',');
        }
        first = false;
        quote_into(out, k);
        out.push(':');
        each(out, v);
    };
    if map.keys().any(|k| array_index(k).is_some()) {
        let mut idx: Vec<(u32, &String, &Value)> =
            map.iter().filter_map(|(k, v)| array_index(k).map(|i| (i, k, v))).collect();
        idx.sort_by_key(|(i, _, _)| *i);
        for (_, k, v) in idx {
            write(out, k, v);
        }
        for (k, v) in map.iter().filter(|(k, _)| array_index(k).is_none()) {
            write(out, k, v);
        }
    } else {
        for (k, v) in map {
            write(out, k, v);
        }
    }
    out.push('}');
}

/// The array index a property key denotes (canonical decimal below 2^32 - 1).
pub(crate) fn array_index(key: &str) -> Option<u32> {
    let b = key.as_bytes();
    if b.is_empty() || b.len() > 10 || (b.len() > 1 && b[0] == b'0') {
        return None;
    }
    if !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n: u64 = key.parse().ok()?;
    if n < u64::from(u32::MAX) { Some(n as u32) } else { None }
}

/// Appends a JSON string literal the way `JSON.stringify` quotes it.
pub(crate) fn quote_into(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\u{8}' => Some("\\b"),
            '\u{c}' => Some("\\f"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            c if (c as u32) < 0x20 => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => {
                use std::fmt::Write;
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// A JavaScript number as the JSON value `JSON.parse(JSON.stringify(n))` gives: integers
/// stay integers, `-0` becomes `0`, `NaN` and infinities become `null`.
pub(crate) fn number_value(n: f64) -> Value {
    if !n.is_finite() {
        return Value::Null;
    }
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        return Value::from(n as i64);
    }
    Number::from_f64(n).map_or(Value::Null, Value::Number)
}
