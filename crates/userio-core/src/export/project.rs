//! Parsing only what an export reads.
//!
//! When the query, the columns and the sort key read users only through known top-level
//! attributes (`email`, `app_metadata…`, `user.identities[0]…`), a user is parsed into a
//! `Value` holding just those attributes; the others are checked as JSON and skipped
//! without building anything. The query, the columns and the sort see exactly the values
//! they would see in the whole user, so the output is the same, and so are the errors: the
//! same `serde_json` deserializer reads every byte, with the same checks (UTF-8, escapes,
//! numbers, nesting depth) and the same error positions.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::expr::Column;
use crate::query::Query;
use crate::read::{ReadError, Record};

use super::sort::SortPath;

/// The top-level attributes an export reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Projection {
    keys: Vec<String>,
    /// `by_len[n]`: the keys of `n` bytes, so a key is compared only with same-length keys.
    by_len: Vec<Vec<String>>,
}

impl Projection {
    /// What the export reads, or `None` when it may read any attribute (a JavaScript-tier
    /// column, `user` used whole, a bare query term, `*:`).
    pub(super) fn of(
        columns: &[Column],
        query: Option<&Query>,
        sort: Option<&SortPath>,
    ) -> Option<Projection> {
        let mut keys: Vec<String> = Vec::new();
        let mut add = |k: &str| {
            if !keys.iter().any(|have| have == k) {
                keys.push(k.to_owned());
            }
        };
        for c in columns {
            c.user_keys()?.into_iter().for_each(&mut add);
        }
        if let Some(q) = query {
            q.user_keys()?.into_iter().for_each(&mut add);
        }
        if let Some(s) = sort {
            add(s.root()?);
        }
        let mut by_len: Vec<Vec<String>> = Vec::new();
        for k in &keys {
            if by_len.len() <= k.len() {
                by_len.resize(k.len() + 1, Vec::new());
            }
            by_len[k.len()].push(k.clone());
        }
        Some(Projection { keys, by_len })
    }

    #[cfg(test)]
    pub(super) fn keys(&self) -> Vec<&str> {
        self.keys.iter().map(String::as_str).collect()
    }

    fn wants(&self, key: &str) -> bool {
        self.by_len.get(key.len()).is_some_and(|same| same.iter().any(|k| k == key))
    }

    /// Parses `rec`, keeping only the wanted attributes when it is an object.
    fn parse_projected(&self, rec: &Record<'_>, text: &str) -> Result<Value, ReadError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = Projected(self).deserialize(&mut de).and_then(|v| de.end().map(|()| v));
        parsed.map_err(|e| rec.json_error(&e))
    }
}

/// Parses `rec` for an export: only the attributes of `projection` when there is one and the
/// record is an object. The record is checked as UTF-8 once, up front, instead of string by
/// string; a record that is not UTF-8 goes through [`Record::parse`], which reports the
/// error exactly as before.
pub(super) fn parse(projection: Option<&Projection>, rec: &Record<'_>) -> Result<Value, ReadError> {
    let Ok(text) = std::str::from_utf8(rec.raw) else {
        return rec.parse();
    };
    match projection {
        Some(p) if text.trim_start_matches([' ', '\t', '\n', '\r']).starts_with('{') => {
            p.parse_projected(rec, text)
        }
        _ => {
            let mut de = serde_json::Deserializer::from_str(text);
            let parsed = FastValue.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
            parsed.map_err(|e| rec.json_error(&e))
        }
    }
}

/// Deserializes an object, keeping the wanted attributes.
struct Projected<'p>(&'p Projection);

impl<'de> DeserializeSeed<'de> for Projected<'_> {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Projected<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a user object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::with_capacity(self.0.keys.len());
        while let Some(key) = map.next_key_seed(KeySeed)? {
            if self.0.wants(&key) {
                let value = map.next_value_seed(FastValue)?;
                out.insert(key.into_owned(), value);
            } else {
                map.next_value_seed(Skip)?;
            }
        }
        Ok(Value::Object(out))
    }
}

/// A key, borrowed from the input when it has no escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

/// Reads any JSON value through `deserialize_any`, as `Value` does (so with the same checks
/// and the same depth limit), keeping nothing.
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Skip)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Skip)?.is_some() {
            map.next_value_seed(Skip)?;
        }
        Ok(())
    }
}

/// Builds the same `Value` as `serde_json`'s own `Deserialize` impl, but sizes each object's
/// map once from its entries instead of growing (and rehashing) it key by key.
struct FastValue;

impl<'de> DeserializeSeed<'de> for FastValue {
    type Value = Value;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FastValue {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_any(self)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(FastValue)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(String, Value)> = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            entries.push((key, map.next_value_seed(FastValue)?));
        }
        Ok(Value::Object(entries.into_iter().collect()))
    }
}
