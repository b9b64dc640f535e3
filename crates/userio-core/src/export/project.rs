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

use crate::de::{Part, Str, Walk};
use crate::expr::Column;
use crate::query::Query;
use crate::read::{ReadError, Record};
use crate::user::{Fields, Keys, Need, UserRef};

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
        for c in columns {
            c.user_paths()?.iter().for_each(|path| keys.add_path(path));
        }
        let mut add = |k: &str| keys.add(k);
        for q in queries {
            q.user_keys()?.into_iter().for_each(&mut add);
        }
        if let Some(s) = sort {
            add(s.root()?);
        }
        Some(Projection { keys })
    }

    /// The wanted keys, sorted, each followed by the members wanted when not all of it is
    /// (`app_metadata{name,roles}`).
    #[cfg(test)]
    pub(super) fn keys(&self) -> Vec<String> {
        fn describe(name: &str, need: &Need, out: &mut String) {
            out.push_str(name);
            if let Need::Members(members) = need {
                out.push('{');
                for (i, (m, need)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    describe(m, need, out);
                }
                out.push('}');
            }
        }
        let mut keys: Vec<String> = (self.keys.names().iter().enumerate())
            .map(|(slot, name)| {
                let mut out = String::new();
                describe(name, self.keys.need(slot), &mut out);
                out
            })
            .collect();
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
                Some(slot) => match keys.need(slot) {
                    Need::Whole => out.set(slot, map.next_value()?),
                    Need::Members(members) => out.set(slot, map.next_value_seed(Part(members))?),
                },
                None => map.next_value_seed(Walk)?,
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::read::Record;

    fn parsed(columns: &[(&str, &str)], text: &str) -> (Vec<String>, Vec<Option<Value>>) {
        let columns: Vec<Column> =
            columns.iter().map(|(n, s)| Column::new(*n, *s).unwrap()).collect();
        let projection = Projection::of(&columns, None, None).unwrap();
        let rec = Record { index: 0, position: Default::default(), raw: text.as_bytes() };
        let Parsed::Fields(keys, fields) = parse(Some(&projection), &rec).unwrap() else {
            panic!("not projected")
        };
        let user = UserRef::Fields(keys, &fields);
        let values = keys.names().iter().map(|k| user.get(k).cloned()).collect();
        (projection.keys(), values)
    }

    #[test]
    fn a_reader_of_user_a_b_keeps_only_b_of_a() {
        let text = r#"{"email":"x","app_metadata":{"plan":"pro","name":"N","roles":["a"],"name":"M","deep":{"x":1,"y":[2]}}}"#;
        let (keys, values) = parsed(&[("N", "user.app_metadata.name"), ("E", "user.email")], text);
        assert_eq!(keys, ["app_metadata{name}", "email"]);
        // A repeated member: the last value, as in a `Map`.
        assert_eq!(values[0], Some(json!({"name": "M"})));
        let (keys, values) = parsed(
            &[("N", "user.app_metadata?.deep.y.length"), ("R", "user.app_metadata.roles[0]")],
            text,
        );
        assert_eq!(keys, ["app_metadata{deep{y{length}},roles{0}}"]);
        // Arrays are kept whole, whatever is read of them.
        assert_eq!(values[0], Some(json!({"deep": {"y": [2]}, "roles": ["a"]})));
    }

    #[test]
    fn a_whole_reader_of_an_attribute_keeps_all_of_it() {
        let text = r#"{"app_metadata":{"plan":"pro","name":"N"}}"#;
        // `toString()` is a JavaScript column: not built without the `js` feature.
        let js = cfg!(feature = "js").then_some("user.app_metadata.toString()");
        for other in
            ["user.app_metadata", "JSON.stringify(user.app_metadata)"].into_iter().chain(js)
        {
            let (keys, values) = parsed(&[("N", "user.app_metadata.name"), ("W", other)], text);
            assert_eq!(keys, ["app_metadata"], "{other}");
            assert_eq!(values[0], Some(json!({"plan": "pro", "name": "N"})), "{other}");
        }
    }

    #[test]
    fn a_column_of_the_whole_user_turns_projection_off() {
        for source in ["user", "user.app_metadata.name + JSON.stringify(user)"] {
            let columns = [
                Column::new("N", "user.app_metadata.name").unwrap(),
                Column::new("U", source).unwrap(),
            ];
            assert_eq!(Projection::of(&columns, None, None), None, "{source}");
        }
    }

    #[test]
    fn values_that_are_not_objects_are_kept_whole() {
        for v in [r#""text""#, "[1,{\"name\":2}]", "12.5", "-3", "true", "null"] {
            let text = format!(r#"{{"app_metadata":{v}}}"#);
            let (_, values) = parsed(&[("N", "user.app_metadata.name.first")], &text);
            let whole: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(values[0].as_ref(), whole.get("app_metadata"), "{v}");
        }
    }
}
