//! Python objects ↔ `serde_json::Value`, walked directly (no `json.dumps` round trip).
//!
//! Accepted: `dict` (str keys), `list`, `tuple`, `str`, `int` (64-bit), `float` (finite),
//! `bool`, `None`. Anything else is a `TypeError` naming the JSON pointer of the value.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// Deeper than this is refused (it is almost always a list or dict that contains itself).
const MAX_DEPTH: usize = 256;

/// Why a value did not convert, and where: the pointer segments are pushed on the way out
/// (innermost first) and reversed once when the message is built.
struct Failure {
    rev_path: Vec<String>,
    message: String,
    type_error: bool,
}

impl Failure {
    fn new(message: String, type_error: bool) -> Self {
        Failure { rev_path: Vec::new(), message, type_error }
    }

    fn at(mut self, segment: String) -> Self {
        self.rev_path.push(segment);
        self
    }

    /// The JSON pointer of the value, cut after 12 segments (a self-containing list would
    /// otherwise print hundreds).
    fn pointer(&self) -> String {
        const SHOWN: usize = 12;
        let mut out: String = self
            .rev_path
            .iter()
            .rev()
            .take(SHOWN)
            .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
            .collect();
        if self.rev_path.len() > SHOWN {
            out.push_str("/…");
        }
        out
    }
}

/// Converts one user (or any JSON-like object). `what` names it in errors ("user 3").
pub fn to_value(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    walk(obj, 0).map_err(|f| {
        let pointer = f.pointer();
        let at = if pointer.is_empty() { String::new() } else { format!(" at {pointer}") };
        let message = format!("{what}{at}: {}", f.message);
        if f.type_error { PyTypeError::new_err(message) } else { PyValueError::new_err(message) }
    })
}

fn walk(obj: &Bound<'_, PyAny>, depth: usize) -> Result<Value, Failure> {
    if depth > MAX_DEPTH {
        return Err(Failure::new(
            format!("nested deeper than {MAX_DEPTH} levels (does a list or dict contain itself?)"),
            false,
        ));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return s
            .to_cow()
            .map(|s| Value::String(s.into_owned()))
            .map_err(|e| Failure::new(format!("string is not valid Unicode: {e}"), false));
    }
    // bool before int: `True` is an `int` too.
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(i) = obj.cast::<PyInt>() {
        if let Ok(v) = i.extract::<i64>() {
            return Ok(Value::from(v));
        }
        if let Ok(v) = i.extract::<u64>() {
            return Ok(Value::from(v));
        }
        return Err(Failure::new(
            format!("integer {i} does not fit in 64 bits; pass it as a string or a float"),
            false,
        ));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        let v = f.value();
        return Number::from_f64(v).map(Value::Number).ok_or_else(|| {
            Failure::new(
                format!("float {v} is not a JSON number (NaN and infinity are not)"),
                false,
            )
        });
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::with_capacity(d.len());
        for (k, v) in d.iter() {
            let Ok(key) = k.cast::<PyString>() else {
                return Err(Failure::new(
                    format!(
                        "dict key {} is not a str (it is {}); JSON object keys must be str",
                        repr(&k),
                        type_name(&k)
                    ),
                    true,
                ));
            };
            let key = key
                .to_cow()
                .map_err(|e| Failure::new(format!("key is not valid Unicode: {e}"), false))?
                .into_owned();
            match walk(&v, depth + 1) {
                Ok(value) => {
                    map.insert(key, value);
                }
                Err(f) => return Err(f.at(key)),
            }
        }
        return Ok(Value::Object(map));
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return seq(l.iter(), l.len(), depth);
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return seq(t.iter(), t.len(), depth);
    }
    Err(Failure::new(
        format!(
            "a {} ({}) is not JSON; use dict, list, tuple, str, int, float, bool or None",
            type_name(obj),
            repr(obj)
        ),
        true,
    ))
}

fn seq<'py>(
    items: impl Iterator<Item = Bound<'py, PyAny>>,
    len: usize,
    depth: usize,
) -> Result<Value, Failure> {
    let mut out = Vec::with_capacity(len);
    for (i, item) in items.enumerate() {
        out.push(walk(&item, depth + 1).map_err(|f| f.at(i.to_string()))?);
    }
    Ok(Value::Array(out))
}

/// The Python type name of `obj`, for error messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map(|n| n.to_string()).unwrap_or_else(|_| "object".to_owned())
}

fn repr(obj: &Bound<'_, PyAny>) -> String {
    let text = obj.repr().map(|r| r.to_string()).unwrap_or_else(|_| "?".to_owned());
    if text.chars().count() > 40 {
        let cut: String = text.chars().take(40).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// Converts a JSON value to plain Python objects (dicts keep the JSON key order).
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}
