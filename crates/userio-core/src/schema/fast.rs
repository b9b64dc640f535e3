//! The fast path for users with no issue at all.
//!
//! [`check`] deserializes a record's bytes straight into borrowed, typed fields (no
//! `serde_json::Value`, no allocation for a user whose strings hold no escapes), walks the
//! metadata checking its keys while skipping its values, and runs the same rule functions
//! as the `Value` path (`rules::profile`, `rules::password`, `rules::mfa`,
//! `rules::metadata`) on the typed data. It is conservative: it answers only "this user has
//! no error and no warning" (and hands back the keys the duplicate check needs), or "don't
//! know" for anything else - a type mismatch, an unknown or repeated key, a rule that
//! finds something, JSON it cannot read. Then the `Value` path checks the user and writes
//! the report, so reports never depend on this module.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use super::rules::password::{TypedCustom, TypedHash};
use super::rules::{Sink, metadata, mfa, password, profile};
use crate::de::{KeyRule, Str, Walk};

/// The values the duplicate check reads from a user the fast path found clean.
#[derive(Debug)]
pub(super) struct Keys<'a> {
    pub email: Cow<'a, str>,
    pub user_id: Option<Cow<'a, str>>,
    pub username: Option<Cow<'a, str>>,
}

/// `Some` when the user in `raw` certainly has no issue (apart from duplicates, which the
/// caller checks with the returned keys); `None` when the `Value` path must decide.
pub(super) fn check(raw: &[u8]) -> Option<Keys<'_>> {
    // One UTF-8 check for the whole record (the `Value` path refuses invalid UTF-8
    // anywhere), then serde_json's `&str` reader, which skips re-checking each string.
    let text = std::str::from_utf8(raw).ok()?;
    let Obj(user) = serde_json::from_str::<Obj<User<'_>>>(text).ok()?;
    let mut s = Sink::default();
    let email = user.email?;
    profile::email_str(&mut s, "/email", "email", &email.0);
    let texts = [
        ("phone_number", "/phone_number", &user.phone_number),
        ("user_id", "/user_id", &user.user_id),
        ("username", "/username", &user.username),
        ("given_name", "/given_name", &user.given_name),
        ("family_name", "/family_name", &user.family_name),
        ("name", "/name", &user.name),
        ("nickname", "/nickname", &user.nickname),
        ("picture", "/picture", &user.picture),
    ];
    for (key, ptr, text) in texts {
        if let Some(text) = text {
            profile::text_field(&mut s, ptr, key, &text.0);
        }
    }
    if let Some(hash) = &user.password_hash {
        password::password_hash_str(&mut s, "/password_hash", &hash.0);
    }
    if let Some(Obj(c)) = &user.custom_password_hash {
        if user.password_hash.is_some() {
            return None; // password_hash_conflict
        }
        password::custom_typed(&mut s, "/custom_password_hash", &c.typed());
    }
    if !s.found.is_empty() {
        return None;
    }
    Some(Keys {
        email: email.0,
        user_id: user.user_id.map(|t| t.0),
        username: user.username.map(|t| t.0),
    })
}

/// A present property: unlike `Option`'s own impl, `null` is refused (the `Value` path
/// reports it as a type error).
fn some<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A JSON object read into `T` (a derived struct alone would also take an array).
struct Obj<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(V(PhantomData)).map(Obj)
    }
}

/// One user: exactly the properties of Auth0's import schema (`IMPORT_FIELDS`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct User<'a> {
    #[serde(borrow, default, deserialize_with = "some")]
    email: Option<Str<'a>>,
    #[serde(default, deserialize_with = "some")]
    #[allow(dead_code)]
    email_verified: Option<bool>,
    #[serde(borrow, default, deserialize_with = "some")]
    phone_number: Option<Str<'a>>,
    #[serde(default, deserialize_with = "some")]
    #[allow(dead_code)]
    phone_verified: Option<bool>,
    #[serde(borrow, default, deserialize_with = "some")]
    user_id: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    username: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    given_name: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    family_name: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    name: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    nickname: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    picture: Option<Str<'a>>,
    #[serde(default, deserialize_with = "some")]
    #[allow(dead_code)]
    blocked: Option<bool>,
    #[serde(borrow, default, deserialize_with = "some")]
    password_hash: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    custom_password_hash: Option<Obj<Custom<'a>>>,
    #[serde(default, deserialize_with = "some")]
    #[allow(dead_code)]
    app_metadata: Option<Metadata<true>>,
    #[serde(default, deserialize_with = "some")]
    #[allow(dead_code)]
    user_metadata: Option<Metadata<false>>,
    #[serde(default, deserialize_with = "some")]
    #[allow(dead_code)]
    mfa_factors: Option<Factors>,
}

/// `custom_password_hash` (unknown keys anywhere inside: "don't know").
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Custom<'a> {
    #[serde(borrow, default, deserialize_with = "some")]
    algorithm: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    hash: Option<Obj<Hash<'a>>>,
    #[serde(borrow, default, deserialize_with = "some")]
    salt: Option<Obj<Salt<'a>>>,
    #[serde(borrow, default, deserialize_with = "some")]
    password: Option<Obj<Password<'a>>>,
    #[serde(default, deserialize_with = "some")]
    keylen: Option<i64>,
    #[serde(default, deserialize_with = "some")]
    cost: Option<i64>,
    #[serde(default, deserialize_with = "some", rename = "blockSize")]
    block_size: Option<i64>,
    #[serde(default, deserialize_with = "some")]
    parallelization: Option<i64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Hash<'a> {
    #[serde(borrow, default, deserialize_with = "some")]
    value: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    encoding: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    digest: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    key: Option<Obj<ValueEncoding<'a>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueEncoding<'a> {
    #[serde(borrow, default, deserialize_with = "some")]
    value: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    encoding: Option<Str<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Salt<'a> {
    #[serde(borrow, default, deserialize_with = "some")]
    value: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    encoding: Option<Str<'a>>,
    #[serde(borrow, default, deserialize_with = "some")]
    position: Option<Str<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Password<'a> {
    #[serde(borrow, default, deserialize_with = "some")]
    encoding: Option<Str<'a>>,
}

fn text<'a>(s: &'a Option<Str<'_>>) -> Option<&'a str> {
    s.as_ref().map(|s| &*s.0)
}

impl Custom<'_> {
    fn typed(&self) -> TypedCustom<'_> {
        TypedCustom {
            algorithm: text(&self.algorithm),
            hash: self.hash.as_ref().map(|Obj(h)| TypedHash {
                value: text(&h.value),
                encoding: text(&h.encoding),
                digest: text(&h.digest),
                key: h.key.as_ref().map(|Obj(k)| (text(&k.value), text(&k.encoding))),
            }),
            salt: self
                .salt
                .as_ref()
                .map(|Obj(s)| (text(&s.value), text(&s.encoding), text(&s.position))),
            password: self.password.as_ref().map(|Obj(p)| text(&p.encoding)),
            params: [self.keylen, self.cost, self.block_size, self.parallelization],
        }
    }
}

/// `app_metadata` (`APP`) or `user_metadata`: an object whose keys, at any depth, pass the
/// metadata rules; values are read (so the JSON is checked exactly as the `Value` path
/// reads it) but not kept.
struct Metadata<const APP: bool>;

impl<'de, const APP: bool> Deserialize<'de> for Metadata<APP> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(Walk::new(MetadataKey { app: APP })).map(|()| Metadata)
    }
}

/// The metadata key rule of `rules::metadata`: no `.` / `$`, and at the top of
/// `app_metadata` none of the reserved keys.
#[derive(Clone, Copy)]
struct MetadataKey {
    app: bool,
}

impl KeyRule for MetadataKey {
    fn allows(self, key: &str, top: bool) -> bool {
        metadata::bad_key_char(key).is_none()
            && !(self.app && top && metadata::is_forbidden_app_key(key))
    }
}

/// `mfa_factors`: 1 to 10 factors, each exactly one known kind holding exactly its one
/// string property, which passes `rules::mfa`.
struct Factors;

impl<'de> Deserialize<'de> for Factors {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(FactorsV).map(|()| Factors)
    }
}

struct FactorsV;

impl<'de> Visitor<'de> for FactorsV {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of MFA factors")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut n = 0usize;
        while seq.next_element_seed(Factor)?.is_some() {
            n += 1;
        }
        if n == 0 || n > mfa::MAX_FACTORS {
            return Err(de::Error::custom("factor count for the Value path"));
        }
        Ok(())
    }
}

/// One factor `{"totp": {"secret": …}}`.
struct Factor;

impl<'de> DeserializeSeed<'de> for Factor {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Factor {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an MFA factor")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Some(kind) = map.next_key::<Str<'de>>()? else {
            return Err(de::Error::custom("empty factor for the Value path"));
        };
        let Some(field) = mfa::factor_field(&kind.0) else {
            return Err(de::Error::custom("factor kind for the Value path"));
        };
        map.next_value_seed(FactorBody { kind: &kind.0, field })?;
        if map.next_key::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::custom("factor keys for the Value path"));
        }
        Ok(())
    }
}

/// The body of a factor: `{field: "…"}` and nothing else.
struct FactorBody<'k> {
    kind: &'k str,
    field: &'static str,
}

impl<'de> DeserializeSeed<'de> for FactorBody<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for FactorBody<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an MFA factor body")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let ok = match map.next_key::<Str<'de>>()? {
            Some(k) if k.0 == self.field => {
                let text: Str<'de> = map.next_value()?;
                let mut s = Sink::default();
                mfa::factor_value(&mut s, "/mfa_factors", self.kind, &text.0);
                s.found.is_empty() && map.next_key::<de::IgnoredAny>()?.is_none()
            }
            _ => false,
        };
        if !ok {
            return Err(de::Error::custom("factor for the Value path"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_users_pass_and_anything_odd_does_not() {
        let ok = br#"{"email":"a@example.com","user_id":"x1","app_metadata":{"plan":"gold","roles":["a",{"b":1.5e3}]},"mfa_factors":[{"totp":{"secret":"JBTWY3DPEHPK3PNP"}}],"custom_password_hash":{"algorithm":"md5","hash":{"value":"5f4dcc3b5aa765d61d8327deb882cf99","encoding":"hex"}}}"#;
        let keys = check(ok).expect("clean");
        assert_eq!((&*keys.email, keys.user_id.as_deref()), ("a@example.com", Some("x1")));
        assert_eq!(
            &*check(br#"{"email":"a\u0040example.com"}"#).expect("escaped").email,
            "a@example.com"
        );
        for odd in [
            &br#"["a@example.com"]"#[..],
            br#"{"email":null}"#,
            br#"{"email":"a@example.com","blocked":null}"#,
            br#"{"email":"a@example.com","x":1}"#,
            br#"{"email":"a@example.com","email":"b@example.com"}"#,
            br#"{"user_id":"1"}"#,
            br#"{"email":"a@example.com","app_metadata":{"a":{"b.c":1}}}"#,
            br#"{"email":"a@example.com","app_metadata":{"email":1}}"#,
            br#"{"email":"a@example.com","app_metadata":{"x":1e400}}"#,
            br#"{"email":"a@example.com","user_metadata":[]}"#,
            br#"{"email":"a@example.com","mfa_factors":[]}"#,
            br#"{"email":"a@example.com","mfa_factors":[{"totp":{"secret":"abc"}}]}"#,
            br#"{"email":"a@example.com","mfa_factors":[{"totp":{"secret":"ABC"},"phone":{"value":"+1"}}]}"#,
            br#"{"email":"a@example.com","custom_password_hash":["md5"]}"#,
            br#"{"email":"a@example.com","custom_password_hash":{"algorithm":"md5","hash":{"value":"5f4d","encoding":"hex"}}}"#,
            br#"{"email":"a@example.com","password_hash":"$2b$10$x","custom_password_hash":{"algorithm":"md5","hash":{"value":"5f4dcc3b5aa765d61d8327deb882cf99","encoding":"hex"}}}"#,
            br#"{"email":"a@example.com","username":"abcdefghijklmnopq"}"#,
        ] {
            assert!(check(odd).is_none(), "{}", String::from_utf8_lossy(odd));
        }
    }

    #[test]
    fn generated_import_users_take_the_fast_path() {
        use userio_testkit::{Generator, Shape};
        for u in Generator::new(3, Shape::Import).take(2000) {
            let raw = u.to_string();
            assert!(check(raw.as_bytes()).is_some(), "{raw}");
        }
        // Exported profiles carry read-only fields: never clean.
        for u in Generator::new(3, Shape::Profile).take(200) {
            assert!(check(u.to_string().as_bytes()).is_none());
        }
    }
}
