//! Parsing only what an export reads.
//!
//! When the query, the columns and the sort key read users only through known top-level
//! attributes (`email`, `app_metadata…`, `user.identities[0]…`), a user is parsed into
//! [`Fields`] holding just those attributes (no top-level `Map`); the others are checked as
//! JSON and skipped without building anything. The query, the columns and the sort see
//! exactly the values they would see in the whole user, so the output is the same, and so
//! are the errors: the same `serde_json` deserializer reads every byte, with the same checks
//! (UTF-8, escapes, numbers, nesting depth) and the same error positions.

use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::Value;

use crate::de::{Str, Walk};
use crate::expr::Column;
use crate::query::Query;
use crate::read::{ReadError, Record};
use crate::user::{Fields, Keys, UserRef};

use super::sort::SortPath;

/// The top-level attributes an export reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Projection {
    keys: Keys,
}

impl Projection {
    /// What the columns, the queries and the sort read together, or `None` when one of them
    /// may read any attribute (`user` used whole, JavaScript that reads more than
    /// `user.name`-style attributes, a bare query term, `*:`).
    pub(crate) fn of<'q>(
        columns: &[Column],
        queries: impl IntoIterator<Item = &'q Query>,
        sort: Option<&SortPath>,
    ) -> Option<Projection> {
        let mut keys = Keys::default();
        let mut add = |k: &str| keys.add(k);
        for c in columns {
            c.user_keys()?.into_iter().for_each(&mut add);
        }
        for q in queries {
            q.user_keys()?.into_iter().for_each(&mut add);
        }
        if let Some(s) = sort {
            add(s.root()?);
        }
        Some(Projection { keys })
    }

    /// The wanted keys, sorted.
    #[cfg(test)]
    pub(super) fn keys(&self) -> Vec<&str> {
        let mut keys: Vec<&str> = self.keys.names().iter().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }

    /// `fields` parsed by this projection, for the readers.
    pub(crate) fn user<'a>(&'a self, fields: &'a Fields) -> UserRef<'a> {
        UserRef::Fields(&self.keys, fields)
    }

    /// Parses `rec`, an object, keeping only the wanted attributes.
    fn parse_projected(&self, rec: &Record<'_>, text: &str) -> Result<Fields, ReadError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = Projected(self).deserialize(&mut de).and_then(|v| de.end().map(|()| v));
        parsed.map_err(|e| rec.json_error(&e))
    }
}

/// Parses `rec` for an export: only the attributes of `projection` when there is one and the
/// record is an object. The record is checked as UTF-8 once, up front, instead of string by
/// string; a record that is not UTF-8 goes through [`Record::parse`], which reports the
/// error exactly as before.
pub(crate) fn parse<'p>(
    projection: Option<&'p Projection>,
    rec: &Record<'_>,
) -> Result<Parsed<'p>, ReadError> {
    let Ok(text) = std::str::from_utf8(rec.raw) else {
        return rec.parse().map(Parsed::Whole);
    };
    match projection {
        Some(p) if crate::de::is_object_text(text) => {
            p.parse_projected(rec, text).map(|f| Parsed::Fields(&p.keys, f))
        }
        _ => serde_json::from_str(text).map(Parsed::Whole).map_err(|e| rec.json_error(&e)),
    }
}

/// A parsed user: whole, or the attributes of a [`Projection`].
#[derive(Debug)]
pub(crate) enum Parsed<'p> {
    Whole(Value),
    Fields(&'p Keys, Fields),
}

impl Parsed<'_> {
    /// The user for the readers.
    pub(crate) fn user(&self) -> UserRef<'_> {
        match self {
            Parsed::Whole(v) => UserRef::Whole(v),
            Parsed::Fields(keys, fields) => UserRef::Fields(keys, fields),
        }
    }
}

/// Deserializes an object, keeping the wanted attributes.
struct Projected<'p>(&'p Projection);

impl<'de> DeserializeSeed<'de> for Projected<'_> {
    type Value = Fields;
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Fields, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Projected<'_> {
    type Value = Fields;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a user object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
        let keys = &self.0.keys;
        let mut out = Fields::new(keys);
        while let Some(Str(key)) = map.next_key()? {
            match keys.slot(&key) {
                Some(slot) => out.set(slot, map.next_value()?),
                None => map.next_value_seed(Walk)?,
            }
        }
        Ok(out)
    }
}
