//! The catalogue of issue codes: one stable snake_case slug per problem the validator can
//! report, with its severity, a one-line summary and an example message.
//!
//! `docs/errors.md` is generated from [`Code::all`] (see [`catalogue_markdown`]); a test keeps
//! the file in step with the code.

use serde::Serialize;

/// How serious an issue is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Auth0 would refuse the file or the user (or silently get it wrong).
    Error,
    /// Auth0 accepts it, but the result is probably not what was meant.
    Warning,
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $slug:literal, $sev:ident, $summary:literal, $example:literal; )*) => {
        /// Every problem the validator can report. The slug ([`Code::slug`]) is the stable,
        /// machine-readable name used in reports, bindings and `docs/errors.md`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in catalogue order.
            pub fn all() -> &'static [Code] {
                &[$(Code::$variant),*]
            }

            /// The stable snake_case name.
            pub fn slug(self) -> &'static str {
                match self { $(Code::$variant => $slug,)* }
            }

            /// Error or warning.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// What the code means, in one line.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }

            /// A typical message for this code.
            pub fn example(self) -> &'static str {
                match self { $(Code::$variant => $example,)* }
            }

            /// The code with this slug.
            pub fn from_slug(slug: &str) -> Option<Code> {
                match slug { $($slug => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    // ---- whole-file problems (index is null) ----
    /// The input could not be read.
    IoError = "io_error", Error, "the file could not be opened or read",
        "cannot read the input: users.json: No such file or directory (os error 2)";
    /// Empty input.
    FileEmpty = "file_empty", Error, "the file is empty or only whitespace",
        "the input is empty: expected a JSON array of users or NDJSON (one user per line)";
    /// `[]`.
    FileNoUsers = "file_no_users", Error, "the file is an empty array `[]`",
        "the file holds no users (`[]`): Auth0 refuses an empty users file; add users or drop the file";
    /// A byte that does not fit the array / NDJSON structure.
    JsonUnexpected = "json_unexpected", Error, "unexpected text between or around users",
        "expected `,` or `]` after a user, found `{\"email\":\"b@exa`";
    /// `,]`.
    JsonTrailingComma = "json_trailing_comma", Error, "a comma after the last user",
        "trailing comma before `]`: remove the comma after the last user";
    /// The input ends early.
    FileTruncated = "file_truncated", Error, "the file ends inside a user or before `]`",
        "the input ends too early (no closing `]`): the file is truncated or a bracket or quote is missing";
    /// A user record is not valid JSON.
    JsonInvalid = "json_invalid", Error, "a user record is not valid JSON",
        "invalid JSON: expected `:`";
    /// Bytes that are not UTF-8.
    InvalidUtf8 = "invalid_utf8", Error, "the file is not valid UTF-8",
        "invalid UTF-8 byte 0xE9: save the file as UTF-8 (it looks like Latin-1 or Windows-1252)";
    /// Over the caller's size limit.
    FileTooLarge = "file_too_large", Error, "the file is larger than the limit that was set",
        "the input is larger than the limit of 512000 bytes";
    /// One record over the per-record limit.
    RecordTooLarge = "record_too_large", Error, "a single user is larger than the per-record limit",
        "a single user record is larger than the limit of 16777216 bytes";
    /// userio itself failed (a bug); the users from there on are not checked.
    InternalError = "internal_error", Error, "userio failed on part of the file (a bug: please report it)",
        "userio failed while checking the users from here on: this is a bug, please report it with the file; `threads: 1` (`--threads 1`) may get past it";

    // ---- schema rules ----
    /// Wrong JSON type.
    InvalidType = "invalid_type", Error, "a value has the wrong JSON type",
        "`email_verified` must be a boolean (true or false), found a string: write true without quotes";
    /// A required property is missing.
    Required = "required", Error, "a required property is missing",
        "add `email`: every imported user needs an email address";
    /// A property the schema does not allow.
    AdditionalProperty = "additional_property", Error, "a property the import schema does not allow",
        "remove `created_at`: read-only fields cannot be imported";
    /// A value outside its enum.
    EnumMismatch = "enum_mismatch", Error, "a value outside the allowed list",
        "`algorithm` must be one of argon2, bcrypt, hmac, ldap, md4, md5, sha1, sha256, sha512, pbkdf2, scrypt; found \"sha384\"";
    /// Not an email address.
    InvalidEmail = "invalid_email", Error, "not a valid email address",
        "`email` is not a valid email address (no `@`): write it as name@example.com";
    /// Not an absolute URI.
    InvalidUri = "invalid_uri", Error, "not an absolute URL",
        "`picture` must be an absolute URL such as https://example.com/me.png";
    /// A regular-expression rule failed.
    PatternMismatch = "pattern_mismatch", Error, "a value does not match its required pattern",
        "`phone_number` must be E.164: `+` then 1 to 15 digits, no spaces or dashes, such as +12125550001";
    /// Username characters.
    InvalidUsername = "invalid_username", Error, "a username with characters Auth0 does not allow",
        "`username` may hold only letters a-z, digits and @ ^ $ ! - # . + ' ~ _ `; found ` `";
    /// Too short.
    StringTooShort = "string_too_short", Error, "a string shorter than allowed (usually empty)",
        "`given_name` must not be empty: remove the property or give it a value";
    /// Too long.
    StringTooLong = "string_too_long", Error, "a string longer than Auth0 allows",
        "`name` is 312 characters long; Auth0 allows at most 300";
    /// Too few items.
    ArrayTooShort = "array_too_short", Error, "an array with too few items",
        "`mfa_factors` is empty: remove the property instead (it needs 1 to 10 factors)";
    /// Too many items.
    ArrayTooLong = "array_too_long", Error, "an array with too many items",
        "`mfa_factors` has 11 factors; Auth0 accepts at most 10";
    /// An object with more than one key where one is allowed.
    TooManyProperties = "too_many_properties", Error, "an MFA factor with more than one kind",
        "each MFA factor holds exactly one of totp, phone, email; found 2: split it into separate factors";
    /// `{}` as an MFA factor.
    MfaFactorEmpty = "mfa_factor_empty", Error, "an MFA factor with no kind",
        "empty MFA factor: give one of {\"totp\":{…}}, {\"phone\":{…}}, {\"email\":{…}} or remove it";
    /// Both hash fields.
    PasswordHashConflict = "password_hash_conflict", Error, "both `password_hash` and `custom_password_hash`",
        "`password_hash` and `custom_password_hash` are mutually exclusive: keep one";
    /// Not a usable bcrypt hash.
    BcryptInvalid = "bcrypt_invalid", Error, "a malformed or unsupported bcrypt hash",
        "`password_hash` must be a bcrypt hash like $2b$10$ followed by 53 characters of [./A-Za-z0-9]; found 59 characters";
    /// bcrypt cost outside 4..=31.
    BcryptCost = "bcrypt_cost", Error, "a bcrypt cost outside 04..31",
        "bcrypt cost 03 is out of range: bcrypt costs run from 04 to 31 (Auth0 recommends 10)";
    /// The hash value is not valid in its declared encoding.
    HashEncodingInvalid = "hash_encoding_invalid", Error, "the hash is not valid in its declared encoding",
        "`hash.value` is not valid hex (odd length 31): check the value or set `encoding` to what it really is";
    /// The decoded hash length does not fit the algorithm.
    HashLengthMismatch = "hash_length_mismatch", Error, "the decoded hash length does not fit the algorithm",
        "md5 makes 16-byte hashes, but `hash.value` decodes to 20 bytes (sha1 size): check the algorithm, the encoding or whether the value is cut";
    /// Encoding not allowed for the algorithm.
    EncodingNotAllowed = "encoding_not_allowed", Error, "a `hash.encoding` the algorithm does not accept",
        "algorithm md5 needs `hash.encoding` hex or base64, not utf8";
    /// A salt where the algorithm embeds its own.
    SaltNotAllowed = "salt_not_allowed", Error, "a `salt` for an algorithm that embeds its salt",
        "remove `salt`: argon2 hashes embed their salt in the PHC string";
    /// Salt not valid in its encoding.
    SaltEncodingInvalid = "salt_encoding_invalid", Error, "the salt is not valid in its declared encoding",
        "`salt.value` is not valid base64: check the value or set `salt.encoding`";
    /// HMAC key not valid in its encoding.
    KeyEncodingInvalid = "key_encoding_invalid", Error, "the HMAC key is not valid in its declared encoding",
        "`hash.key.value` is not valid hex: check the value or set `key.encoding`";
    /// Bad argon2 PHC string.
    Argon2Invalid = "argon2_invalid", Error, "a malformed argon2 PHC string",
        "argon2 `hash.value` must be a PHC string like $argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>";
    /// Bad pbkdf2 PHC string.
    Pbkdf2Invalid = "pbkdf2_invalid", Error, "a malformed pbkdf2 PHC string or unsupported digest",
        "pbkdf2 `hash.value` must look like $pbkdf2-sha512$i=100000,l=64$<salt>$<hash>";
    /// Bad LDAP hash.
    LdapInvalid = "ldap_invalid", Error, "a malformed or unsupported RFC 2307 LDAP hash",
        "ldap `hash.value` must be {SCHEME}base64 with scheme MD5, SMD5, SHA* or SSHA*; {CRYPT} is not supported";
    /// scrypt parameters out of range.
    ScryptParamInvalid = "scrypt_param_invalid", Error, "an scrypt parameter out of range",
        "scrypt `cost` must be a power of two greater than 1, found 1000";
    /// Forbidden app_metadata key.
    ForbiddenMetadataKey = "forbidden_metadata_key", Error, "a reserved key at the top of `app_metadata`",
        "remove `app_metadata.email`: Auth0 reserves this key; rename it (for example `email_hint`)";
    /// '.' or '$' in a metadata key.
    MetadataKeyInvalid = "metadata_key_invalid", Error, "a metadata key containing `.` or `$`",
        "metadata key `address.city` contains `.`: nest objects instead ({\"address\":{\"city\":…}})";
    /// Duplicate email.
    DuplicateEmail = "duplicate_email", Error, "the same email (ignoring case) twice in the file",
        "same email as user 12 (emails are compared lower-cased): each user may appear once";
    /// Duplicate user_id.
    DuplicateUserId = "duplicate_user_id", Error, "the same `user_id` twice in the file",
        "same `user_id` as user 12: user ids must be unique";
    /// Duplicate username.
    DuplicateUsername = "duplicate_username", Error, "the same username (ignoring case) twice in the file",
        "same `username` as user 12 (usernames are compared lower-cased): usernames must be unique";

    // ---- warnings ----
    /// scrypt parameter on another algorithm.
    ScryptParamIgnored = "scrypt_param_ignored", Warning, "scrypt parameters on another algorithm",
        "`keylen` is only used by scrypt: Auth0 ignores it for md5; remove it";
    /// `auth0|` user_id prefix.
    UserIdPrefixed = "user_id_prefixed", Warning, "a `user_id` that already has the `auth0|` prefix",
        "`user_id` starts with `auth0|`: Auth0 adds the prefix on import, so this user would become auth0|auth0|…; strip it";
    /// Longer than the default username limit.
    UsernameLength = "username_length", Warning, "a username longer than the default limit of 15",
        "`username` is 20 characters long: connections allow 15 by default (configurable up to 128)";
    /// Profile over 10 KB.
    ProfileTooLarge = "profile_too_large", Warning, "a user over Auth0's 10 KB profile limit",
        "this user is 12,345 bytes: Auth0 limits profiles to 10 KB; move bulky metadata elsewhere";
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.slug())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.slug())
    }
}

/// The Markdown text of `docs/errors.md`, generated from [`Code::all`].
pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Error codes\n\n\
         <!-- generated from `userio_core::schema::Code::all()`; \
         regenerate with `UPDATE_DOCS=1 cargo test -p userio-core --test import_vectors` -->\n\n\
         Every issue in a validation report carries one of these stable codes. Whole-file \
         problems have `index: null`; user problems carry the user's index and a JSON pointer \
         inside the user. Errors make the file invalid (exit code 1); warnings do not.\n\n\
         | code | severity | meaning | example message |\n|---|---|---|---|\n",
    );
    for code in Code::all() {
        let sev = match code.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            code.slug(),
            sev,
            code.summary().replace('|', "\\|"),
            code.example().replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_unique_snake_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::all() {
            let s = c.slug();
            assert!(seen.insert(s), "duplicate slug {s}");
            assert!(s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_' || b.is_ascii_digit()));
            assert_eq!(Code::from_slug(s), Some(*c));
            assert!(!c.example().is_empty() && !c.summary().is_empty());
        }
    }
}
