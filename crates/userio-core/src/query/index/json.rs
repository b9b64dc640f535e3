//! [`UserIndex::push_json`]: a user's JSON text parsed straight into the index's columns,
//! without building a `serde_json::Value` first (the same parser, callbacks instead of a tree).
//!
//! It indexes exactly what `push(&serde_json::from_str(text)?)` would:
//!
//! - numbers become `f64` as `Number::as_f64` gives them (the parser's `u64`, `i64` or `f64`);
//! - a user that is not an object, or an object with a duplicate key (where `Value` keeps the
//!   last one), is parsed into a `Value` and goes through [`UserIndex::push`] instead: the
//!   entries already written for that user are removed first;
//! - on any error nothing of the user stays in the index.

use std::fmt;
use std::io::Read;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::{IndexError, UserIndex, Val};
use crate::de::Str;
use crate::query::matcher::Scalar;
use crate::read::{ReadError, UserReader};

/// Why an input of users could not be indexed ([`UserIndex::from_reader`]).
#[derive(Debug, thiserror::Error)]
pub enum IndexReadError {
    /// The input could not be read or a user is not valid JSON: with the user's index and
    /// the byte, line and column in the whole input.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The users do not fit in one index.
    #[error(transparent)]
    Index(IndexError),
}

impl UserIndex {
    /// Indexes every user of a JSON array or NDJSON input (read as [`UserReader`] reads it:
    /// layout detected, records streamed), in order, with [`push_json`](Self::push_json).
    ///
    /// ```
    /// use userio_core::query::{Query, UserIndex};
    ///
    /// let ndjson = "{\"name\": \"Jo\"}\n{\"name\": \"Ann\", \"blocked\": true}\n";
    /// let index = UserIndex::from_reader(ndjson.as_bytes())?;
    /// assert_eq!(index.search(&Query::parse("NOT blocked:true")?).count(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_reader(input: impl Read) -> Result<UserIndex, IndexReadError> {
        let mut index = UserIndex::new();
        let mut reader = UserReader::new(input);
        while let Some(rec) = reader.next_record() {
            let rec = rec?;
            let pushed = match std::str::from_utf8(rec.raw) {
                Ok(text) => index.push_json(text),
                // `parse` reports where the bad byte is.
                Err(_) => index.push(&rec.parse()?),
            };
            match pushed {
                Ok(_) => {}
                Err(IndexError::Json { source, .. }) => return Err(rec.json_error(&source).into()),
                Err(e) => return Err(IndexReadError::Index(e)),
            }
        }
        Ok(index)
    }

    /// Adds the user written as JSON `text` after the others and returns its position: the
    /// same as [`push`](Self::push) of the parsed value, about twice as fast, since no
    /// `serde_json::Value` is built. A syntax error is [`IndexError::Json`], and leaves the
    /// index as it was.
    pub fn push_json(&mut self, text: &str) -> Result<usize, IndexError> {
        let pos = self.users;
        let id = u32::try_from(pos).map_err(|_| IndexError::TooManyUsers(pos))?;
        if !crate::de::is_object_text(text) {
            return self.push_parsed(text, pos);
        }
        let mut builder = Builder { index: self, id, failure: None };
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = At { b: &mut builder, col: 0, email: false }
            .deserialize(&mut de)
            .and_then(|()| de.end());
        let failure = builder.failure.take();
        let Err(source) = parsed else {
            self.users += 1;
            return Ok(pos);
        };
        self.remove_user(id);
        match failure {
            Some(Failure::DuplicateKey) => self.push_parsed(text, pos),
            Some(Failure::Index(e)) => Err(e),
            None => Err(IndexError::Json { user: pos, source }),
        }
    }

    /// `push` of `text` parsed into a `Value`.
    fn push_parsed(&mut self, text: &str, pos: usize) -> Result<usize, IndexError> {
        let user: Value =
            serde_json::from_str(text).map_err(|source| IndexError::Json { user: pos, source })?;
        self.push(&user)
    }
}

/// Why a parse stopped, beyond what the JSON error says.
enum Failure {
    /// An object repeats a key: `Value` keeps the last value, so the user goes through it.
    DuplicateKey,
    Index(IndexError),
}

/// The user being added.
struct Builder<'i> {
    index: &'i mut UserIndex,
    id: u32,
    /// Set before a visitor returns an error of its own.
    failure: Option<Failure>,
}

/// The value at column `col` (`email`: the top-level `email`, whose domain is also kept).
struct At<'b, 'i> {
    b: &'b mut Builder<'i>,
    col: usize,
    email: bool,
}

impl At<'_, '_> {
    fn push<E: de::Error>(self, v: Scalar<'_>) -> Result<(), E> {
        let b = self.b;
        b.index.put(self.col, b.id, v, self.email).map_err(|e| {
            b.failure = Some(Failure::Index(e));
            E::custom("index limit")
        })
    }
}

impl<'de> DeserializeSeed<'de> for At<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<(), D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for At<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.push(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.push(Scalar::Num(Some(v as f64)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.push(Scalar::Num(Some(v as f64)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        // `Value` turns a non-finite float into null (the parser does not make one).
        self.push(if v.is_finite() { Scalar::Num(Some(v)) } else { Scalar::Null })
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.push(Scalar::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.push(Scalar::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        // Arrays pass their items on to the same column.
        while seq.next_element_seed(At { b: &mut *self.b, col: self.col, email: false })?.is_some()
        {
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let b = self.b;
        let col = self.col;
        let entry = b.index.columns[col].vals.len();
        At { b: &mut *b, col, email: false }.push(Scalar::Container { empty: true })?;
        // Objects are numbered as they are entered, to find repeated keys: a column whose
        // `last_object` is this object's number was already given a value by it.
        b.index.objects += 1;
        let object = b.index.objects;
        let mut first = true;
        while let Some(Str(key)) = map.next_key()? {
            let child = b.index.child(col, &key);
            let seen = &mut b.index.columns[child].last_object;
            if *seen == object {
                b.failure = Some(Failure::DuplicateKey);
                return Err(de::Error::custom("duplicate key"));
            }
            *seen = object;
            if first {
                b.index.columns[col].vals[entry] = Val::Container { empty: false };
                first = false;
            }
            let email = col == 0 && key == "email";
            map.next_value_seed(At { b: &mut *b, col: child, email })?;
        }
        Ok(())
    }
}
