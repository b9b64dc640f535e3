//! Top-level user properties: required `email`, `additionalProperties: false`, types,
//! formats (email, URI, E.164), lengths, `user_id` and `username` rules.

use serde_json::Value;

use super::formats::{email_problem, has_whitespace, is_absolute_uri, is_e164};
use super::{Kind, Sink, check_len_str, join, suggestion, type_name};
use crate::schema::issue::Code;

use crate::schema::{IMPORT_FIELDS as PROPERTIES, READ_ONLY_FIELDS as READ_ONLY};

pub fn check(user: &Value, s: &mut Sink) {
    let Some(obj) = user.as_object() else {
        s.push(
            String::new(),
            Code::InvalidType,
            format!("each user must be a JSON object {{\"email\": …}}, found {}", type_name(user)),
            Some(user),
        );
        return;
    };
    if !obj.contains_key("email") {
        s.push(
            String::new(),
            Code::Required,
            "add `email`: every imported user needs an email address".to_owned(),
            None,
        );
    }
    // One pointer buffer per user (top-level schema keys never need escaping).
    let mut ptr = String::with_capacity(32);
    for (key, v) in obj {
        ptr.clear();
        ptr.push('/');
        ptr.push_str(key);
        let p = ptr.as_str();
        match key.as_str() {
            "email" => {
                if s.expect(p, "email", v, Kind::String) {
                    email(s, p, "email", v);
                }
            }
            "email_verified" | "phone_verified" | "blocked" => {
                s.expect(p, key, v, Kind::Bool);
            }
            "phone_number" | "user_id" | "username" | "given_name" | "family_name" | "name"
            | "nickname" | "picture" => {
                if s.expect(p, key, v, Kind::String) {
                    text_field(s, p, key, v.as_str().unwrap_or_default());
                }
            }
            "password_hash" => {
                if s.expect(p, key, v, Kind::String) {
                    super::password::password_hash(s, p, v);
                }
            }
            "custom_password_hash" => {
                if s.expect(p, key, v, Kind::Object) {
                    super::password::custom(s, p, v);
                }
            }
            "app_metadata" | "user_metadata" => {
                if s.expect(p, key, v, Kind::Object) {
                    super::metadata::check(s, p, v, key == "app_metadata");
                }
            }
            "mfa_factors" => {
                if s.expect(p, key, v, Kind::Array) {
                    super::mfa::check(s, p, v);
                }
            }
            other => unknown(s, join("", other), other, v),
        }
    }
    if obj.contains_key("password_hash") && obj.contains_key("custom_password_hash") {
        s.push_key(
            "/custom_password_hash".to_owned(),
            Code::PasswordHashConflict,
            "`password_hash` and `custom_password_hash` are mutually exclusive: keep one (custom_password_hash can also hold a bcrypt hash)".to_owned(),
            None,
        );
    }
}

fn unknown(s: &mut Sink, ptr: String, key: &str, v: &Value) {
    let msg = if READ_ONLY.contains(&key) {
        format!("remove `{key}`: read-only fields cannot be imported (Auth0 sets them itself)")
    } else if key == "password" {
        "remove `password`: plain-text passwords cannot be imported; hash them and use `password_hash` (bcrypt) or `custom_password_hash`".to_owned()
    } else if let Some(k) = suggestion(key, PROPERTIES) {
        format!(
            "unknown property `{key}`: did you mean `{k}`? (the import schema allows no other keys)"
        )
    } else {
        format!(
            "remove `{key}`: the import schema allows no other keys; keep custom data in `user_metadata` or `app_metadata`"
        )
    };
    s.push_key(ptr, Code::AdditionalProperty, msg, Some(v));
}

/// The rules of the top-level string property `key` (`phone_number`, `user_id`,
/// `username`, the names, `picture`), once it is known to be the string `text`; shared by
/// the `Value` path and the fast path (`schema::fast`).
pub(crate) fn text_field(s: &mut Sink, p: &str, key: &str, text: &str) {
    match key {
        "phone_number" if !is_e164(text) => {
            s.push_text(
                p.to_owned(),
                Code::PatternMismatch,
                "`phone_number` must be E.164: `+`, the country code and number, 1 to 15 digits, no spaces or dashes, such as +12125550001".to_owned(),
                text,
            );
        }
        "user_id" => user_id(s, p, text),
        "username" => username(s, p, text),
        "given_name" | "family_name" => check_len_str(s, p, key, text, 1, 150),
        "name" | "nickname" => check_len_str(s, p, key, text, 1, 300),
        "picture" if !is_absolute_uri(text) => {
            s.push_text(
                p.to_owned(),
                Code::InvalidUri,
                "`picture` must be an absolute URL such as https://example.com/me.png (no spaces)"
                    .to_owned(),
                text,
            );
        }
        _ => {}
    }
}

/// `format: email` plus Auth0's length limits.
pub fn email(s: &mut Sink, ptr: &str, name: &str, v: &Value) {
    if let Some(text) = v.as_str() {
        email_str(s, ptr, name, text);
    }
}

/// [`email`] on a string.
pub(crate) fn email_str(s: &mut Sink, ptr: &str, name: &str, text: &str) {
    if let Some(why) = email_problem(text) {
        s.push_text(
            ptr.to_owned(),
            Code::InvalidEmail,
            format!("`{name}` is not a valid email address ({why}): write it as name@example.com"),
            text,
        );
    }
}

fn user_id(s: &mut Sink, ptr: &str, text: &str) {
    check_len_str(s, ptr, "user_id", text, 1, 255);
    if has_whitespace(text) {
        s.push_text(
            ptr.to_owned(),
            Code::PatternMismatch,
            "`user_id` must not contain whitespace: remove the spaces or tabs".to_owned(),
            text,
        );
    }
    if text.starts_with("auth0|") {
        s.push_text(
            ptr.to_owned(),
            Code::UserIdPrefixed,
            "`user_id` starts with `auth0|`: Auth0 adds the connection prefix on import, so this user would become auth0|auth0|…; strip the prefix".to_owned(),
            text,
        );
    }
}

fn username(s: &mut Sink, ptr: &str, text: &str) {
    check_len_str(s, ptr, "username", text, 1, 128);
    if let Some(c) = text.chars().find(|c| {
        !(c.is_ascii_alphanumeric()
            || matches!(c, '@' | '^' | '$' | '!' | '-' | '#' | '.' | '+' | '\'' | '~' | '_' | '`'))
    }) {
        s.push_text(
            ptr.to_owned(),
            Code::InvalidUsername,
            format!(
                "`username` may hold only letters a-z (no accents), digits and @ ^ $ ! - # . + ' ~ _ `; found {c:?}"
            ),
            text,
        );
    } else if text.contains('@') && email_problem(text).is_none() {
        s.push_text(
            ptr.to_owned(),
            Code::InvalidUsername,
            "`username` must not be an email address: put the address in `email` and choose another username".to_owned(),
            text,
        );
    }
    let n = text.chars().count();
    if (16..=128).contains(&n) {
        s.push_text(
            ptr.to_owned(),
            Code::UsernameLength,
            format!("`username` is {n} characters long: connections allow 15 by default; raise the connection's username limit (up to 128) or shorten it"),
            text,
        );
    }
}
