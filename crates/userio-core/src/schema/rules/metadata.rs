//! `app_metadata` / `user_metadata`: the reserved top-level `app_metadata` keys, and key
//! names containing `.` or `$` at any depth.

use serde_json::Value;

use super::{Sink, join};
use crate::schema::issue::Code;

/// Keys Auth0 reserves at the top of `app_metadata`.
pub const FORBIDDEN_APP_KEYS: &[&str] = &[
    "__tenant",
    "_id",
    "blocked",
    "clientID",
    "created_at",
    "email_verified",
    "email",
    "globalClientID",
    "global_client_id",
    "identities",
    "lastIP",
    "lastLogin",
    "loginsCount",
    "metadata",
    "multifactor_last_modified",
    "multifactor",
    "updated_at",
    "user_id",
];

/// True for a key Auth0 reserves at the top of `app_metadata`.
pub(crate) fn is_forbidden_app_key(key: &str) -> bool {
    FORBIDDEN_APP_KEYS.contains(&key)
}

/// The `.` or `$` that makes a metadata key invalid, if any.
pub(crate) fn bad_key_char(key: &str) -> Option<char> {
    key.chars().find(|c| *c == '.' || *c == '$')
}

pub fn check(s: &mut Sink, ptr: &str, v: &Value, app: bool) {
    let Some(obj) = v.as_object() else { return };
    if app {
        for key in obj.keys().filter(|k| is_forbidden_app_key(k)) {
            s.push_key(
                join(ptr, key),
                Code::ForbiddenMetadataKey,
                format!("remove `app_metadata.{key}`: Auth0 reserves this key; rename it (for example `{key}_value`) or nest it"),
                obj.get(key),
            );
        }
    }
    keys(s, ptr, v);
}

/// One step of the path to the current value (kept as borrowed parts so valid users never
/// build pointer strings).
#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

fn pointer(base: &str, path: &[Seg<'_>]) -> String {
    let mut out = base.to_owned();
    for seg in path {
        out = match seg {
            Seg::Key(k) => join(&out, k),
            Seg::Index(i) => join(&out, &i.to_string()),
        };
    }
    out
}

/// Flags keys with `.` or `$` anywhere below `v`.
fn keys(s: &mut Sink, base: &str, v: &Value) {
    let mut path = Vec::new();
    walk(s, base, &mut path, v);
}

fn walk<'a>(s: &mut Sink, base: &str, path: &mut Vec<Seg<'a>>, v: &'a Value) {
    match v {
        Value::Object(obj) => {
            for (k, child) in obj {
                if let Some(c) = bad_key_char(k) {
                    let msg = if c == '.' {
                        let mut parts = k.splitn(2, '.');
                        let (a, b) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
                        format!(
                            "metadata key `{k}` contains `.`: nest objects instead ({{\"{a}\":{{\"{b}\":…}}}})"
                        )
                    } else {
                        format!("metadata key `{k}` contains `$`: rename it without `$`")
                    };
                    path.push(Seg::Key(k));
                    let p = pointer(base, path);
                    path.pop();
                    s.push_key(p, Code::MetadataKeyInvalid, msg, None);
                }
                if child.is_object() || child.is_array() {
                    path.push(Seg::Key(k));
                    walk(s, base, path, child);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                if child.is_object() || child.is_array() {
                    path.push(Seg::Index(i));
                    walk(s, base, path, child);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}
