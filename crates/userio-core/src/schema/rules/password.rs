//! `password_hash` (bcrypt) and `custom_password_hash`: shape, enums, each algorithm's
//! allowed encoding / salt combinations, and cheap checks on the hash itself (decodes in its
//! encoding, decoded length fits the digest, PHC / RFC 2307 / bcrypt formats).

use serde_json::{Map, Value};

use super::formats::{base64_len, decoded_len};
use super::{Kind, Sink, as_integer, check_enum, check_enum_str, join, suggestion};
use crate::schema::issue::Code;

const ALGORITHMS: &[&str] = &[
    "argon2", "bcrypt", "hmac", "ldap", "md4", "md5", "sha1", "sha256", "sha512", "pbkdf2",
    "scrypt",
];
const ENCODINGS: &[&str] = &["base64", "hex", "utf8"];
const DIGESTS: &[&str] =
    &["md4", "md5", "ripemd160", "sha1", "sha224", "sha256", "sha384", "sha512", "whirlpool"];
const PASSWORD_ENCODINGS: &[&str] = &["ascii", "utf8", "utf16le", "ucs2", "latin1", "binary"];
const CUSTOM_KEYS: &[&str] =
    &["algorithm", "hash", "salt", "password", "keylen", "cost", "blockSize", "parallelization"];
const SCRYPT_PARAMS: [&str; 4] = ["keylen", "cost", "blockSize", "parallelization"];
const PBKDF2_DIGESTS: &[&str] = &[
    "RSA-MD4",
    "RSA-MD5",
    "RSA-MDC2",
    "RSA-RIPEMD160",
    "RSA-SHA1",
    "RSA-SHA1-2",
    "RSA-SHA224",
    "RSA-SHA256",
    "RSA-SHA384",
    "RSA-SHA512",
    "md4",
    "md4WithRSAEncryption",
    "md5",
    "md5WithRSAEncryption",
    "mdc2",
    "mdc2WithRSA",
    "ripemd",
    "ripemd160",
    "ripemd160WithRSA",
    "rmd160",
    "sha1",
    "sha1WithRSAEncryption",
    "sha224",
    "sha224WithRSAEncryption",
    "sha256",
    "sha256WithRSAEncryption",
    "sha384",
    "sha384WithRSAEncryption",
    "sha512",
    "sha512WithRSAEncryption",
    "ssl3-md5",
    "ssl3-sha1",
    "whirlpool",
];

/// Digest size in bytes of a hash / HMAC digest name.
fn digest_size(name: &str) -> Option<usize> {
    Some(match name {
        "md4" | "md5" => 16,
        "sha1" | "ripemd160" => 20,
        "sha224" => 28,
        "sha256" => 32,
        "sha384" => 48,
        "sha512" | "whirlpool" => 64,
        _ => return None,
    })
}

/// Top-level `password_hash`: bcrypt `$2a$` / `$2b$` only.
pub fn password_hash(s: &mut Sink, ptr: &str, v: &Value) {
    if let Some(text) = v.as_str() {
        password_hash_str(s, ptr, text);
    }
}

/// [`password_hash`] on a string.
pub(crate) fn password_hash_str(s: &mut Sink, ptr: &str, text: &str) {
    bcrypt(s, ptr, "password_hash", text, false);
}

/// Checks a bcrypt hash string (`allow_2y`: the custom_password_hash bcrypt also takes `$2y$`).
fn bcrypt(s: &mut Sink, ptr: &str, name: &str, text: &str, allow_2y: bool) {
    let b = text.as_bytes();
    let prefix_ok = b.len() >= 4
        && b[0] == b'$'
        && b[1] == b'2'
        && b[3] == b'$'
        && (b[2] == b'a' || b[2] == b'b' || (allow_2y && b[2] == b'y'));
    if !prefix_ok {
        let found: String = text.chars().take(4).collect();
        let msg = if text.starts_with("$2y$") {
            format!(
                "`{name}` accepts only $2a$ and $2b$ bcrypt hashes: move it to `custom_password_hash` with algorithm bcrypt (which accepts $2y$), or rewrite the prefix as $2b$ (the formats are identical)"
            )
        } else if text.starts_with("$2$") || text.starts_with("$2x$") || text.starts_with("$sha1$")
        {
            format!(
                "`{name}`: the bcrypt variant `{}` is not supported by Auth0; use $2a$, $2b${} hashes",
                text.split('$').nth(1).unwrap_or(""),
                if allow_2y { " or $2y$" } else { "" }
            )
        } else if text.starts_with('$') {
            format!(
                "`{name}` must be a bcrypt hash starting with $2a$ or $2b$, found `{found}…`: for other algorithms use `custom_password_hash`"
            )
        } else {
            format!(
                "`{name}` must be a bcrypt hash like $2b$10$ followed by 53 characters: it does not start with $2"
            )
        };
        s.push_text(ptr.to_owned(), Code::BcryptInvalid, msg, text);
        return;
    }
    let cost = b.get(4..6).filter(|c| c.iter().all(u8::is_ascii_digit));
    let Some(cost) = cost.filter(|_| b.get(6) == Some(&b'$')) else {
        s.push_text(
            ptr.to_owned(),
            Code::BcryptInvalid,
            format!("`{name}` must have a two-digit cost and `$` after the prefix, like $2b$10$…"),
            text,
        );
        return;
    };
    let cost = u32::from(cost[0] - b'0') * 10 + u32::from(cost[1] - b'0');
    if !(4..=31).contains(&cost) {
        s.push_text(
            ptr.to_owned(),
            Code::BcryptCost,
            format!("bcrypt cost {cost:02} is out of range: bcrypt costs run from 04 to 31 (Auth0 recommends 10)"),
            text,
        );
    }
    let rest = &b[7..];
    if rest.len() != 53 {
        s.push_text(
            ptr.to_owned(),
            Code::BcryptInvalid,
            format!("`{name}` must be 60 characters ($2b$10$ + 22 salt + 31 hash characters), found {}: the hash looks cut or padded", b.len()),
            text,
        );
    } else if let Some(c) =
        rest.iter().find(|c| !(c.is_ascii_alphanumeric() || **c == b'.' || **c == b'/'))
    {
        s.push_text(
            ptr.to_owned(),
            Code::BcryptInvalid,
            format!(
                "`{name}` holds {:?}, which is not in bcrypt's alphabet [./A-Za-z0-9]",
                char::from(*c)
            ),
            text,
        );
    }
}

/// `custom_password_hash`.
pub fn custom(s: &mut Sink, ptr: &str, v: &Value) {
    let Some(obj) = v.as_object() else { return };
    for (key, val) in obj {
        if CUSTOM_KEYS.contains(&key.as_str()) {
            continue;
        }
        let msg = match key.as_str() {
            "encoding" | "salt_prefix" | "salt_suffix" => format!(
                "remove `{key}`: this is the legacy flat shape; use `hash: {{value, encoding}}` and `salt: {{value, position}}` instead"
            ),
            "value" | "digest" | "key" => {
                format!(
                    "`{key}` belongs inside `hash`, not beside `algorithm`: move it to `hash.{key}`"
                )
            }
            _ => match suggestion(key, CUSTOM_KEYS) {
                Some(k) => {
                    format!("unknown property `{key}` in custom_password_hash: did you mean `{k}`?")
                }
                None => format!(
                    "remove `{key}`: custom_password_hash allows only {}",
                    CUSTOM_KEYS.join(", ")
                ),
            },
        };
        s.push_key(join(ptr, key), Code::AdditionalProperty, msg, Some(val));
    }

    let algorithm = match obj.get("algorithm") {
        None => {
            s.push(ptr.to_owned(), Code::Required, ALGORITHM_REQUIRED.to_owned(), None);
            None
        }
        Some(a) => {
            let p = join(ptr, "algorithm");
            if s.expect(&p, "algorithm", a, Kind::String) {
                check_enum(s, &p, "algorithm", a, ALGORITHMS).and(a.as_str())
            } else {
                None
            }
        }
    };

    let hash_ptr = join(ptr, "hash");
    let hash = match obj.get("hash") {
        None => {
            s.push(ptr.to_owned(), Code::Required, HASH_REQUIRED.to_owned(), None);
            None
        }
        Some(Value::String(_)) => {
            s.push(
                hash_ptr.clone(),
                Code::InvalidType,
                "`hash` must be an object {\"value\": \"…\", \"encoding\": \"…\"}: a string is the legacy shape; move it to `hash.value`".to_owned(),
                obj.get("hash"),
            );
            None
        }
        Some(h) => {
            if s.expect(&hash_ptr, "hash", h, Kind::Object) {
                h.as_object()
            } else {
                None
            }
        }
    };

    let mut value = None;
    let mut encoding = None;
    if let Some(h) = hash {
        match h.get("value") {
            None => s.push(hash_ptr.clone(), Code::Required, HASH_VALUE_REQUIRED.to_owned(), None),
            Some(x) => {
                if s.expect(&join(&hash_ptr, "value"), "hash.value", x, Kind::String) {
                    value = x.as_str();
                }
            }
        }
        if let Some(e) = h.get("encoding") {
            let p = join(&hash_ptr, "encoding");
            if s.expect(&p, "hash.encoding", e, Kind::String)
                && check_enum(s, &p, "hash.encoding", e, ENCODINGS).is_some()
            {
                encoding = e.as_str();
            } else {
                encoding = Some("?");
            }
        }
        if let Some(d) = h.get("digest") {
            let p = join(&hash_ptr, "digest");
            if s.expect(&p, "hash.digest", d, Kind::String) {
                check_enum(s, &p, "hash.digest", d, DIGESTS);
            }
        }
        if let Some(k) = h.get("key") {
            key(s, &join(&hash_ptr, "key"), k);
        }
    }

    let salt = obj.get("salt").and_then(|x| salt(s, &join(ptr, "salt"), x));
    if let Some(p) = obj.get("password") {
        let pp = join(ptr, "password");
        if s.expect(&pp, "password", p, Kind::Object)
            && let Some(e) = p.get("encoding")
        {
            let ep = join(&pp, "encoding");
            if s.expect(&ep, "password.encoding", e, Kind::String) {
                check_enum(s, &ep, "password.encoding", e, PASSWORD_ENCODINGS);
            }
        }
    }
    let mut ints = [None; 4];
    for (slot, name) in ints.iter_mut().zip(SCRYPT_PARAMS) {
        if let Some(x) = obj.get(name)
            && s.expect(&join(ptr, name), name, x, Kind::Integer)
        {
            *slot = as_integer(x);
        }
    }

    let Some(algorithm) = algorithm else { return };
    let ctx = Algo {
        s,
        ptr,
        hash_ptr: &hash_ptr,
        src: Some(obj),
        hash_src: hash,
        hash_given: hash.is_some(),
        has_key: hash.is_some_and(|h| h.contains_key("key")),
        digest: hash.and_then(|h| h.get("digest")).map(Value::as_str),
        params: SCRYPT_PARAMS.map(|n| obj.contains_key(n)),
        value,
        encoding,
        has_salt: salt.is_some() || obj.contains_key("salt"),
    };
    ctx.check(algorithm, ints);
}

/// A `custom_password_hash` whose present properties all have the right JSON types and
/// which has no unknown key: what the fast path (`schema::fast`) reads straight from the
/// input. [`custom_typed`] runs the same rules as [`custom`] on it.
#[derive(Debug, Default)]
pub(crate) struct TypedCustom<'a> {
    pub algorithm: Option<&'a str>,
    pub hash: Option<TypedHash<'a>>,
    /// `salt`: `(value, encoding, position)`.
    pub salt: Option<(Option<&'a str>, Option<&'a str>, Option<&'a str>)>,
    /// `password`: its `encoding`.
    pub password: Option<Option<&'a str>>,
    /// keylen, cost, blockSize, parallelization.
    pub params: [Option<i64>; 4],
}

/// `custom_password_hash.hash` for [`TypedCustom`].
#[derive(Debug, Default)]
pub(crate) struct TypedHash<'a> {
    pub value: Option<&'a str>,
    pub encoding: Option<&'a str>,
    pub digest: Option<&'a str>,
    /// `key`: `(value, encoding)`.
    pub key: Option<(Option<&'a str>, Option<&'a str>)>,
}

/// [`custom`] on a [`TypedCustom`] (no type error can occur: the caller checked the types).
pub(crate) fn custom_typed(s: &mut Sink, ptr: &str, c: &TypedCustom<'_>) {
    let algorithm = match c.algorithm {
        None => {
            s.push(ptr.to_owned(), Code::Required, ALGORITHM_REQUIRED.to_owned(), None);
            None
        }
        Some(a) => {
            check_enum_str(s, &join(ptr, "algorithm"), "algorithm", a, ALGORITHMS).map(|()| a)
        }
    };
    let hash_ptr = join(ptr, "hash");
    let mut encoding = None;
    match &c.hash {
        None => s.push(ptr.to_owned(), Code::Required, HASH_REQUIRED.to_owned(), None),
        Some(h) => {
            if h.value.is_none() {
                s.push(hash_ptr.clone(), Code::Required, HASH_VALUE_REQUIRED.to_owned(), None);
            }
            if let Some(e) = h.encoding {
                let p = join(&hash_ptr, "encoding");
                encoding = Some(match check_enum_str(s, &p, "hash.encoding", e, ENCODINGS) {
                    Some(()) => e,
                    None => "?",
                });
            }
            if let Some(d) = h.digest {
                check_enum_str(s, &join(&hash_ptr, "digest"), "hash.digest", d, DIGESTS);
            }
            if let Some((value, enc)) = h.key {
                key_fields(s, &join(&hash_ptr, "key"), enc, value);
            }
        }
    }
    if let Some((value, enc, position)) = c.salt {
        let sp = join(ptr, "salt");
        let enc = enc.map(|e| (e, join(&sp, "encoding")));
        let position = position.map(|p| (p, join(&sp, "position")));
        salt_fields(s, &sp, enc, position, value, value.is_some());
    }
    if let Some(Some(e)) = c.password {
        let ep = join(&join(ptr, "password"), "encoding");
        check_enum_str(s, &ep, "password.encoding", e, PASSWORD_ENCODINGS);
    }
    let Some(algorithm) = algorithm else { return };
    let hash = c.hash.as_ref();
    let ctx = Algo {
        s,
        ptr,
        hash_ptr: &hash_ptr,
        src: None,
        hash_src: None,
        hash_given: hash.is_some(),
        has_key: hash.is_some_and(|h| h.key.is_some()),
        digest: hash.and_then(|h| h.digest).map(Some),
        params: c.params.map(|p| p.is_some()),
        value: hash.and_then(|h| h.value),
        encoding,
        has_salt: c.salt.is_some(),
    };
    ctx.check(algorithm, c.params.map(|p| p.map(i128::from)));
}

const ALGORITHM_REQUIRED: &str = "add `algorithm` to custom_password_hash (argon2, bcrypt, hmac, ldap, md4, md5, sha1, sha256, sha512, pbkdf2 or scrypt)";
const HASH_REQUIRED: &str =
    "add `hash` to custom_password_hash: {\"value\": \"…\", \"encoding\": \"hex\"}";
const HASH_VALUE_REQUIRED: &str = "add `hash.value`: the password hash itself";

/// Checks `salt`; returns `Some(())` when it is an object.
fn salt(s: &mut Sink, ptr: &str, v: &Value) -> Option<()> {
    if !s.expect(ptr, "salt", v, Kind::Object) {
        return None;
    }
    let obj = v.as_object()?;
    let mut enc = "utf8";
    if let Some(e) = obj.get("encoding") {
        let p = join(ptr, "encoding");
        if s.expect(&p, "salt.encoding", e, Kind::String)
            && check_enum(s, &p, "salt.encoding", e, ENCODINGS).is_some()
        {
            enc = e.as_str().unwrap_or("utf8");
        } else {
            enc = "?";
        }
    }
    if let Some(pos) = obj.get("position") {
        let p = join(ptr, "position");
        if s.expect(&p, "salt.position", pos, Kind::String) {
            check_enum(s, &p, "salt.position", pos, SALT_POSITIONS);
        }
    }
    match obj.get("value") {
        None => salt_value_required(s, ptr),
        Some(x) => {
            if s.expect(&join(ptr, "value"), "salt.value", x, Kind::String)
                && let Some(text) = x.as_str()
            {
                encoded_value(s, ptr, Encoded::Salt, enc, text);
            }
        }
    }
    Some(())
}

const SALT_POSITIONS: &[&str] = &["prefix", "suffix"];

/// [`salt`] on an object whose properties are strings, each given with its pointer.
fn salt_fields(
    s: &mut Sink,
    ptr: &str,
    enc: Option<(&str, String)>,
    position: Option<(&str, String)>,
    value: Option<&str>,
    has_value: bool,
) {
    let enc = match enc {
        None => "utf8",
        Some((e, p)) => match check_enum_str(s, &p, "salt.encoding", e, ENCODINGS) {
            Some(()) => e,
            None => "?",
        },
    };
    if let Some((pos, p)) = position {
        check_enum_str(s, &p, "salt.position", pos, SALT_POSITIONS);
    }
    match value {
        None if !has_value => salt_value_required(s, ptr),
        None => {}
        Some(text) => encoded_value(s, ptr, Encoded::Salt, enc, text),
    }
}

fn salt_value_required(s: &mut Sink, ptr: &str) {
    s.push(
        ptr.to_owned(),
        Code::Required,
        "add `salt.value`, or remove `salt` if the hash was made without one".to_owned(),
        None,
    );
}

/// A `{value, encoding}` object whose value must decode in its encoding.
#[derive(Clone, Copy)]
enum Encoded {
    Salt,
    Key,
}

/// Checks that `text` (at `ptr` + `/value`) decodes in `enc` (`"?"`: unusable, skipped).
fn encoded_value(s: &mut Sink, ptr: &str, what: Encoded, enc: &str, text: &str) {
    if enc == "?" {
        return;
    }
    if let Err(why) = decoded_len(text, enc) {
        let (code, msg) = match what {
            Encoded::Salt => (
                Code::SaltEncodingInvalid,
                format!(
                    "`salt.value` is not valid {enc} ({why}): check the value or set `salt.encoding` to what it really is"
                ),
            ),
            Encoded::Key => (
                Code::KeyEncodingInvalid,
                format!(
                    "`hash.key.value` is not valid {enc} ({why}): check the value or set `key.encoding`"
                ),
            ),
        };
        s.push_text(join(ptr, "value"), code, msg, text);
    }
}

/// Checks `hash.key` (HMAC).
fn key(s: &mut Sink, ptr: &str, v: &Value) {
    if !s.expect(ptr, "hash.key", v, Kind::Object) {
        return;
    }
    let Some(obj) = v.as_object() else { return };
    let mut enc = "utf8";
    if let Some(e) = obj.get("encoding") {
        let p = join(ptr, "encoding");
        if s.expect(&p, "hash.key.encoding", e, Kind::String)
            && check_enum(s, &p, "hash.key.encoding", e, ENCODINGS).is_some()
        {
            enc = e.as_str().unwrap_or("utf8");
        } else {
            enc = "?";
        }
    }
    match obj.get("value") {
        None => key_value_required(s, ptr),
        Some(x) => {
            if s.expect(&join(ptr, "value"), "hash.key.value", x, Kind::String)
                && let Some(text) = x.as_str()
            {
                encoded_value(s, ptr, Encoded::Key, enc, text);
            }
        }
    }
}

/// [`key`] on an object whose properties are strings.
fn key_fields(s: &mut Sink, ptr: &str, enc: Option<&str>, value: Option<&str>) {
    let enc = match enc {
        None => "utf8",
        Some(e) => {
            match check_enum_str(s, &join(ptr, "encoding"), "hash.key.encoding", e, ENCODINGS) {
                Some(()) => e,
                None => "?",
            }
        }
    };
    match value {
        None => key_value_required(s, ptr),
        Some(text) => encoded_value(s, ptr, Encoded::Key, enc, text),
    }
}

fn key_value_required(s: &mut Sink, ptr: &str) {
    s.push(ptr.to_owned(), Code::Required, "add `hash.key.value`: the HMAC key".to_owned(), None);
}

/// Per-algorithm rules.
struct Algo<'a, 's> {
    s: &'s mut Sink,
    ptr: &'a str,
    hash_ptr: &'a str,
    /// The `custom_password_hash` object and its `hash`, for value excerpts only (`None` on
    /// the fast path, which only asks whether there is any issue).
    src: Option<&'a Map<String, Value>>,
    hash_src: Option<&'a Map<String, Value>>,
    /// `hash` is an object.
    hash_given: bool,
    /// `hash.key` is present.
    has_key: bool,
    /// `hash.digest`: `None` absent, `Some(None)` not a string.
    digest: Option<Option<&'a str>>,
    /// Which of [`SCRYPT_PARAMS`] are present.
    params: [bool; 4],
    value: Option<&'a str>,
    /// `None`: not given; `Some("?")`: given but invalid (already reported).
    encoding: Option<&'a str>,
    has_salt: bool,
}

impl<'a> Algo<'a, '_> {
    fn check(mut self, algorithm: &str, ints: [Option<i128>; 4]) {
        if algorithm != "scrypt" {
            for (name, present) in SCRYPT_PARAMS.into_iter().zip(self.params) {
                if present {
                    self.s.push_key(join(self.ptr, name), Code::ScryptParamIgnored, format!("`{name}` is only used by scrypt: Auth0 ignores it for {algorithm}; remove it"), self.excerpt(name));
                }
            }
        }
        match algorithm {
            "argon2" => {
                self.utf8_only(algorithm);
                self.no_salt(algorithm, "argon2 hashes embed their salt in the PHC string");
                if let Some(v) = self.value {
                    self.argon2(v);
                }
            }
            "bcrypt" => {
                self.utf8_only(algorithm);
                if let Some(v) = self.value {
                    let p = self.value_ptr();
                    bcrypt(self.s, &p, "hash.value", v, true);
                }
            }
            "ldap" => {
                self.utf8_only(algorithm);
                self.no_salt(
                    algorithm,
                    "LDAP salted schemes (SSHA, SMD5) carry the salt inside the value",
                );
                if let Some(v) = self.value {
                    self.ldap(v);
                }
            }
            "pbkdf2" => {
                self.utf8_only(algorithm);
                self.no_salt(algorithm, "pbkdf2 PHC strings embed their salt");
                if let Some(v) = self.value {
                    self.pbkdf2(v);
                }
            }
            "hmac" => {
                let enc = self.binary_encoding(algorithm);
                let digest = self.digest;
                if digest.is_none() {
                    self.s.push(self.hash_ptr.to_owned(), Code::Required, "add `hash.digest` (md4, md5, ripemd160, sha1, sha224, sha256, sha384, sha512 or whirlpool): hmac needs it".to_owned(), None);
                }
                if self.hash_given && !self.has_key {
                    self.s.push(self.hash_ptr.to_owned(), Code::Required, "add `hash.key: {\"value\": \"…\", \"encoding\": \"utf8\"}`: hmac needs the key".to_owned(), None);
                }
                let size = digest.flatten().and_then(digest_size);
                if let (Some(enc), Some(v)) = (enc, self.value) {
                    self.decode_and_measure(
                        v,
                        enc,
                        size,
                        &format!("HMAC-{}", digest.flatten().unwrap_or("")),
                    );
                }
            }
            "md4" | "md5" | "sha1" | "sha256" | "sha512" => {
                let enc = self.binary_encoding(algorithm);
                if let (Some(enc), Some(v)) = (enc, self.value) {
                    self.decode_and_measure(v, enc, digest_size(algorithm), algorithm);
                }
            }
            "scrypt" => {
                let enc = self.binary_encoding(algorithm);
                let [keylen, cost, block, par] = ints;
                if !self.params[0] {
                    self.s.push(
                        self.ptr.to_owned(),
                        Code::Required,
                        "add `keylen` (the derived key length in bytes): scrypt needs it"
                            .to_owned(),
                        None,
                    );
                }
                if let Some(k) = keylen
                    && k <= 0
                {
                    self.param(
                        "keylen",
                        "`keylen` must be an integer greater than zero".to_owned(),
                    );
                }
                if let Some(c) = cost
                    && (c <= 1 || c & (c - 1) != 0)
                {
                    self.param("cost", format!("scrypt `cost` must be a power of two greater than 1 (such as 16384), found {c}"));
                }
                for (val, name) in [(block, "blockSize"), (par, "parallelization")] {
                    if let Some(x) = val
                        && x <= 0
                    {
                        self.param(
                            name,
                            format!("scrypt `{name}` must be a positive integer, found {x}"),
                        );
                    }
                }
                let size = keylen.filter(|k| *k > 0).and_then(|k| usize::try_from(k).ok());
                if let (Some(enc), Some(v)) = (enc, self.value) {
                    self.decode_and_measure(
                        v,
                        enc,
                        size,
                        &format!("scrypt with keylen {}", keylen.unwrap_or(0)),
                    );
                }
            }
            _ => {}
        }
    }

    fn excerpt(&self, name: &str) -> Option<&'a Value> {
        self.src.and_then(|o| o.get(name))
    }

    fn value_ptr(&self) -> String {
        join(self.hash_ptr, "value")
    }

    fn value_json(&self) -> Value {
        Value::String(self.value.unwrap_or_default().to_owned())
    }

    fn param(&mut self, name: &str, msg: String) {
        self.s.push(join(self.ptr, name), Code::ScryptParamInvalid, msg, self.excerpt(name));
    }

    /// argon2 / bcrypt / ldap / pbkdf2: `hash.encoding` must be utf8 (or absent).
    fn utf8_only(&mut self, algorithm: &str) {
        if let Some(enc) = self.encoding
            && enc != "utf8"
            && enc != "?"
        {
            let p = join(self.hash_ptr, "encoding");
            let v = self.hash_src.and_then(|h| h.get("encoding"));
            self.s.push(p, Code::EncodingNotAllowed, format!("algorithm {algorithm} needs `hash.encoding` utf8 (or no encoding), not {enc}: the value is the hash string as the library wrote it"), v);
        }
    }

    /// md*/sha*/hmac/scrypt: `hash.encoding` must be hex or base64. Returns it when usable.
    fn binary_encoding(&mut self, algorithm: &str) -> Option<&'static str> {
        match self.encoding {
            None => {
                if self.hash_given {
                    self.s.push(self.hash_ptr.to_owned(), Code::Required, format!("add `hash.encoding` (hex or base64): algorithm {algorithm} needs to know how the hash bytes are written"), None);
                }
                None
            }
            Some("hex") => Some("hex"),
            Some("base64") => Some("base64"),
            Some("?") => None,
            Some(other) => {
                let p = join(self.hash_ptr, "encoding");
                let v = self.hash_src.and_then(|h| h.get("encoding"));
                self.s.push(
                    p,
                    Code::EncodingNotAllowed,
                    format!(
                        "algorithm {algorithm} needs `hash.encoding` hex or base64, not {other}"
                    ),
                    v,
                );
                None
            }
        }
    }

    fn no_salt(&mut self, algorithm: &str, why: &str) {
        if self.has_salt {
            let v = self.excerpt("salt");
            self.s.push_key(
                join(self.ptr, "salt"),
                Code::SaltNotAllowed,
                format!("remove `salt`: {why} (algorithm {algorithm})"),
                v,
            );
        }
    }

    fn decode_and_measure(&mut self, v: &str, enc: &str, expected: Option<usize>, what: &str) {
        match decoded_len(v, enc) {
            Err(why) => {
                let hint = if enc == "base64" && super::formats::hex_len(v).is_ok() {
                    ": it looks like hex, so set `encoding` to hex"
                } else if enc == "hex"
                    && v.chars().any(|c| !c.is_ascii_hexdigit())
                    && base64_len(v).is_ok()
                {
                    ": it looks like base64, so set `encoding` to base64"
                } else {
                    ": check the value or set `encoding` to what it really is"
                };
                self.s.push(
                    self.value_ptr(),
                    Code::HashEncodingInvalid,
                    format!("`hash.value` is not valid {enc} ({why}){hint}"),
                    Some(&self.value_json()),
                );
            }
            Ok(n) => {
                if let Some(want) = expected
                    && n != want
                {
                    let guess = match n {
                        16 => " (md4/md5 size)",
                        20 => " (sha1 size)",
                        32 => " (sha256 size)",
                        48 => " (sha384 size)",
                        64 => " (sha512 size)",
                        _ => "",
                    };
                    self.s.push(self.value_ptr(), Code::HashLengthMismatch, format!("{what} makes {want}-byte hashes, but `hash.value` decodes to {n} bytes{guess}: check the algorithm, the encoding or whether the value is cut"), Some(&self.value_json()));
                }
            }
        }
    }

    fn bad(&mut self, code: Code, msg: String) {
        let p = self.value_ptr();
        let v = self.value_json();
        self.s.push(p, code, msg, Some(&v));
    }

    fn argon2(&mut self, v: &str) {
        const SHAPE: &str = "argon2 `hash.value` must be a PHC string like $argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash> (salt and hash in unpadded base64)";
        if !v.starts_with("$argon2") {
            return self
                .bad(Code::Argon2Invalid, format!("{SHAPE}: it does not start with `$argon2`"));
        }
        let parts: Vec<&str> = v.split('$').collect();
        // ["", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash] (the version is optional)
        let (variant, params, salt, hash) = match parts.as_slice() {
            ["", var, ver, params, salt, hash]
                if ver.starts_with("v=") && ver[2..].parse::<u32>().is_ok() =>
            {
                (*var, *params, *salt, *hash)
            }
            ["", var, params, salt, hash] => (*var, *params, *salt, *hash),
            _ => {
                return self.bad(
                    Code::Argon2Invalid,
                    format!("{SHAPE}: found {} `$`-separated parts", parts.len().saturating_sub(1)),
                );
            }
        };
        if !matches!(variant, "argon2id" | "argon2i" | "argon2d") {
            return self.bad(
                Code::Argon2Invalid,
                format!("{SHAPE}: unknown variant `{variant}` (Auth0 hashes with argon2id)"),
            );
        }
        let mut seen = [false; 3];
        for kv in params.split(',') {
            let (k, val) = kv.split_once('=').unwrap_or((kv, ""));
            let slot = match k {
                "m" => 0,
                "t" => 1,
                "p" => 2,
                _ => continue,
            };
            if val.parse::<u32>().map_or(true, |n| n == 0) {
                return self.bad(
                    Code::Argon2Invalid,
                    format!("{SHAPE}: parameter `{k}` must be a positive integer, found `{val}`"),
                );
            }
            seen[slot] = true;
        }
        if seen.contains(&false) {
            return self.bad(
                Code::Argon2Invalid,
                format!("{SHAPE}: the parameters m, t and p are all required, found `{params}`"),
            );
        }
        for (part, name) in [(salt, "salt"), (hash, "hash")] {
            if part.is_empty() || part.contains('=') || base64_len(part).is_err() {
                return self.bad(
                    Code::Argon2Invalid,
                    format!("{SHAPE}: the {name} is not unpadded base64"),
                );
            }
        }
    }

    fn pbkdf2(&mut self, v: &str) {
        const SHAPE: &str = "pbkdf2 `hash.value` must be a PHC string like $pbkdf2-sha512$i=100000,l=64$<salt>$<hash> (salt and hash in unpadded base64)";
        if !v.starts_with("$pbkdf2-") {
            return self.bad(
                Code::Pbkdf2Invalid,
                format!("{SHAPE}: it does not start with `$pbkdf2-<digest>$`"),
            );
        }
        let parts: Vec<&str> = v.split('$').collect();
        let (id, params, salt, hash) = match parts.as_slice() {
            ["", id, params, salt, hash] => (*id, *params, *salt, *hash),
            ["", id, salt, hash] => (*id, "", *salt, *hash),
            _ => {
                return self.bad(
                    Code::Pbkdf2Invalid,
                    format!("{SHAPE}: found {} `$`-separated parts", parts.len().saturating_sub(1)),
                );
            }
        };
        let Some(digest) = id.strip_prefix("pbkdf2-") else {
            return self.bad(
                Code::Pbkdf2Invalid,
                format!("{SHAPE}: it must start with $pbkdf2-<digest>$, found `{id}`"),
            );
        };
        if !PBKDF2_DIGESTS.contains(&digest) {
            let hint = PBKDF2_DIGESTS
                .iter()
                .find(|d| d.eq_ignore_ascii_case(digest))
                .map(|d| format!(" (names are case-sensitive: write {d})"))
                .unwrap_or_default();
            return self.bad(Code::Pbkdf2Invalid, format!("pbkdf2 digest `{digest}` is not supported{hint}; use an OpenSSL digest name such as sha256 or sha512"));
        }
        let mut keylen = 64usize;
        if !params.is_empty() {
            for kv in params.split(',') {
                let (k, val) = kv.split_once('=').unwrap_or((kv, ""));
                let n = val.parse::<u64>().ok().filter(|n| *n > 0);
                match (k, n) {
                    ("i", Some(_)) => {}
                    ("l", Some(n)) => keylen = usize::try_from(n).unwrap_or(usize::MAX),
                    ("i" | "l", None) => {
                        return self.bad(
                            Code::Pbkdf2Invalid,
                            format!(
                                "{SHAPE}: parameter `{k}` must be a positive integer, found `{val}`"
                            ),
                        );
                    }
                    _ => {
                        return self.bad(
                            Code::Pbkdf2Invalid,
                            format!("{SHAPE}: unknown parameter `{k}` (only i and l)"),
                        );
                    }
                }
            }
        }
        if salt.contains('=') || base64_len(salt).is_err() {
            return self
                .bad(Code::Pbkdf2Invalid, format!("{SHAPE}: the salt is not unpadded base64"));
        }
        match base64_len(hash) {
            Ok(n) if !hash.contains('=') => {
                if n != keylen {
                    self.bad(Code::HashLengthMismatch, format!("the pbkdf2 hash decodes to {n} bytes but the key length `l` is {keylen}{}: fix `l=` or the hash", if params.contains("l=") { "" } else { " (the default)" }));
                }
            }
            _ => self.bad(Code::Pbkdf2Invalid, format!("{SHAPE}: the hash is not unpadded base64")),
        }
    }

    fn ldap(&mut self, v: &str) {
        const SHAPE: &str = "ldap `hash.value` must be RFC 2307 {SCHEME}base64 with scheme MD5, SMD5, SHA, SHA256, SHA384, SHA512 or their salted SSHA forms";
        let Some(rest) = v.strip_prefix('{') else {
            return self.bad(Code::LdapInvalid, format!("{SHAPE}: it does not start with `{{`"));
        };
        let Some((scheme, body)) = rest.split_once('}') else {
            return self
                .bad(Code::LdapInvalid, format!("{SHAPE}: no closing `}}` after the scheme"));
        };
        let upper = scheme.to_ascii_uppercase();
        let (size, salted) = match upper.as_str() {
            "MD5" => (16, false),
            "SMD5" => (16, true),
            "SHA" | "SHA1" => (20, false),
            "SSHA" | "SSHA1" => (20, true),
            "SHA256" => (32, false),
            "SSHA256" => (32, true),
            "SHA384" => (48, false),
            "SSHA384" => (48, true),
            "SHA512" => (64, false),
            "SSHA512" => (64, true),
            "CRYPT" => return self.bad(Code::LdapInvalid, "ldap {CRYPT} hashes are not supported by Auth0: if the crypt string is a bcrypt ($2a$/$2b$) hash, import it with algorithm bcrypt".to_owned()),
            _ => return self.bad(Code::LdapInvalid, format!("{SHAPE}: unsupported scheme {{{scheme}}}")),
        };
        match base64_len(body) {
            Err(why) => self.bad(Code::HashEncodingInvalid, format!("the ldap value after {{{scheme}}} is not valid base64 ({why})")),
            Ok(n) if salted && n <= size => self.bad(Code::HashLengthMismatch, format!("a {{{scheme}}} value is a {size}-byte digest followed by the salt, but it decodes to {n} bytes: the salt is missing or the scheme is wrong")),
            Ok(n) if !salted && n != size => self.bad(Code::HashLengthMismatch, format!("a {{{scheme}}} value is {size} bytes, but it decodes to {n} bytes: if it carries a salt use the S{upper} scheme")),
            Ok(_) => {}
        }
    }
}
