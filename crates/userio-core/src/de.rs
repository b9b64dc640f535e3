//! Serde pieces shared by the parsers that read users without building a `Value`
//! (the validator's fast path and the export's projection).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

/// A JSON string, borrowed from the input when it has no escapes.
#[derive(Debug)]
pub(crate) struct Str<'a>(pub(crate) Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_owned()))
            }
        }
        d.deserialize_str(V).map(Str)
    }
}

/// Which object keys a [`Walk`] accepts.
pub(crate) trait KeyRule: Copy {
    /// Whether `key` may stand; `top` is true for the keys of the walked value itself, false
    /// for those of objects nested in it.
    fn allows(self, key: &str, top: bool) -> bool;
}

/// Any key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AnyKey;

impl KeyRule for AnyKey {
    fn allows(self, _: &str, _: bool) -> bool {
        true
    }
}

/// Reads any JSON value through `deserialize_any`, as `Value` does (so with the same checks
/// and the same depth limit), keeping nothing; a key that `rule` refuses is an error (the
/// callers fall back to a path that reports it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Walk<R> {
    rule: R,
    top: bool,
}

impl<R: KeyRule> Walk<R> {
    pub(crate) fn new(rule: R) -> Self {
        Walk { rule, top: true }
    }

    fn nested(self) -> Self {
        Walk { top: false, ..self }
    }
}

impl<'de, R: KeyRule> DeserializeSeed<'de> for Walk<R> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de, R: KeyRule> Visitor<'de> for Walk<R> {
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
        while seq.next_element_seed(self.nested())?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(Str(key)) = map.next_key()? {
            if !self.rule.allows(&key, self.top) {
                return Err(de::Error::custom("a refused key"));
            }
            map.next_value_seed(self.nested())?;
        }
        Ok(())
    }
}
