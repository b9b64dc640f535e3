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

use super::rules::password::{TypedCustom, TypedHash};
use super::rules::{Sink, metadata, mfa, password, profile};
use crate::cursor::{Cursor, KeyRule};

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
    // anywhere); the cursor then reads the text in place.
    let text = std::str::from_utf8(raw).ok()?;
    let mut cur = Cursor::new(text);
    let mut user = User::default();
    cur.fields_by(import_field, |cur, i| user.read(cur, i))?;
    cur.end()?;
    let [email, phone_number, user_id, username, given_name, family_name, name, nickname, picture] =
        user.texts;
    let mut s = Sink::default();
    let email = email?;
    profile::email_str(&mut s, "/email", "email", &email);
    let texts = [
        ("phone_number", "/phone_number", &phone_number),
        ("user_id", "/user_id", &user_id),
        ("username", "/username", &username),
        ("given_name", "/given_name", &given_name),
        ("family_name", "/family_name", &family_name),
        ("name", "/name", &name),
        ("nickname", "/nickname", &nickname),
        ("picture", "/picture", &picture),
    ];
    for (key, ptr, text) in texts {
        if let Some(text) = text {
            profile::text_field(&mut s, ptr, key, text);
        }
    }
    if let Some(hash) = &user.password_hash {
        password::password_hash_str(&mut s, "/password_hash", hash);
    }
    if let Some(c) = &user.custom {
        if user.password_hash.is_some() {
            return None; // password_hash_conflict
        }
        password::custom_typed(&mut s, "/custom_password_hash", &c.typed());
    }
    if !s.found.is_empty() {
        return None;
    }
    Some(Keys { email, user_id, username })
}

/// The parts of one user the rules read; the other properties are checked while reading.
#[derive(Default)]
struct User<'a> {
    /// `email`, `phone_number`, `user_id`, `username`, `given_name`, `family_name`, `name`,
    /// `nickname`, `picture`.
    texts: [Option<Cow<'a, str>>; 9],
    password_hash: Option<Cow<'a, str>>,
    custom: Option<Custom<'a>>,
}

/// The number of a property of Auth0's import schema (`IMPORT_FIELDS`): the first 9 are
/// [`User::texts`].
fn import_field(key: &str) -> Option<usize> {
    Some(match key {
        "email" => 0,
        "phone_number" => 1,
        "user_id" => 2,
        "username" => 3,
        "given_name" => 4,
        "family_name" => 5,
        "name" => 6,
        "nickname" => 7,
        "picture" => 8,
        "password_hash" => 9,
        "email_verified" => 10,
        "phone_verified" => 11,
        "blocked" => 12,
        "custom_password_hash" => 13,
        "app_metadata" => 14,
        "user_metadata" => 15,
        "mfa_factors" => 16,
        _ => return None,
    })
}

impl<'a> User<'a> {
    /// Reads the value of property number `i` (see [`import_field`]); `None` for anything
    /// but a value of its type that passes its read-time checks.
    fn read(&mut self, cur: &mut Cursor<'a>, i: usize) -> Option<()> {
        match i {
            0..=8 => self.texts[i] = Some(cur.string()?),
            9 => self.password_hash = Some(cur.string()?),
            10..=12 => _ = cur.bool()?,
            13 => self.custom = Some(Custom::read(cur)?),
            14 => metadata(cur, true)?,
            15 => metadata(cur, false)?,
            _ => factors(cur)?,
        }
        Some(())
    }
}

/// `custom_password_hash` (unknown keys anywhere inside: "don't know").
#[derive(Default)]
struct Custom<'a> {
    algorithm: Option<Cow<'a, str>>,
    /// `hash`: `value`, `encoding`, `digest`.
    hash: Option<[Option<Cow<'a, str>>; 3]>,
    /// `hash.key`: `value`, `encoding`.
    key: Option<[Option<Cow<'a, str>>; 2]>,
    /// `salt`: `value`, `encoding`, `position`.
    salt: Option<[Option<Cow<'a, str>>; 3]>,
    /// `password`: `encoding`.
    password: Option<[Option<Cow<'a, str>>; 1]>,
    /// keylen, cost, blockSize, parallelization.
    params: [Option<i64>; 4],
}

const CUSTOM_FIELDS: [&str; 8] =
    ["algorithm", "hash", "salt", "password", "keylen", "cost", "blockSize", "parallelization"];

impl<'a> Custom<'a> {
    fn read(cur: &mut Cursor<'a>) -> Option<Self> {
        let mut c = Custom::default();
        cur.fields(&CUSTOM_FIELDS, |cur, i| {
            match i {
                0 => c.algorithm = Some(cur.string()?),
                1 => {
                    let mut hash = [None, None, None];
                    cur.fields(&["value", "encoding", "digest", "key"], |cur, j| {
                        match j {
                            3 => c.key = Some(cur.strings(["value", "encoding"])?),
                            _ => hash[j] = Some(cur.string()?),
                        }
                        Some(())
                    })?;
                    c.hash = Some(hash);
                }
                2 => c.salt = Some(cur.strings(["value", "encoding", "position"])?),
                3 => c.password = Some(cur.strings(["encoding"])?),
                _ => c.params[i - 4] = Some(cur.int()?),
            }
            Some(())
        })?;
        Some(c)
    }

    fn typed(&self) -> TypedCustom<'_> {
        TypedCustom {
            algorithm: self.algorithm.as_deref(),
            hash: self.hash.as_ref().map(|[value, encoding, digest]| TypedHash {
                value: value.as_deref(),
                encoding: encoding.as_deref(),
                digest: digest.as_deref(),
                key: self.key.as_ref().map(|[v, e]| (v.as_deref(), e.as_deref())),
            }),
            salt: self.salt.as_ref().map(|[v, e, p]| (v.as_deref(), e.as_deref(), p.as_deref())),
            password: self.password.as_ref().map(|[e]| e.as_deref()),
            params: self.params,
        }
    }
}

/// `app_metadata` (`app`) or `user_metadata`: an object whose keys, at any depth, pass the
/// metadata rules; values are read (so the JSON is checked) but not kept.
fn metadata(cur: &mut Cursor<'_>, app: bool) -> Option<()> {
    cur.next_is(b'{').then_some(())?;
    cur.walk(MetadataKey { app }, true, 0)
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
fn factors(cur: &mut Cursor<'_>) -> Option<()> {
    let mut count = 0;
    cur.array(|cur| {
        count += 1;
        let mut kinds = 0;
        cur.object(|cur, kind| {
            kinds += 1;
            let field = mfa::factor_field(&kind)?;
            let [text] = cur.strings([field])?;
            let mut s = Sink::default();
            mfa::factor_value(&mut s, "/mfa_factors", &kind, &text?);
            s.found.is_empty().then_some(())
        })?;
        (kinds == 1).then_some(())
    })?;
    (1..=mfa::MAX_FACTORS).contains(&count).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_fields_have_distinct_numbers() {
        let mut numbers: Vec<usize> =
            super::super::IMPORT_FIELDS.iter().map(|f| import_field(f).expect(f)).collect();
        numbers.sort_unstable();
        assert_eq!(numbers, (0..17).collect::<Vec<_>>());
        assert_eq!(import_field("identities"), None);
    }

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
