//! `mfa_factors`: 1 to 10 items, each holding exactly one closed `totp` / `phone` / `email`
//! factor with its required, pattern-checked value.

use serde_json::Value;

use super::formats::{is_base32_upper, is_e164};
use super::{Kind, Sink, join, suggestion};
use crate::schema::issue::Code;

const KINDS: &[&str] = &["totp", "phone", "email"];

/// At most this many factors per user.
pub(crate) const MAX_FACTORS: usize = 10;

/// The one property a factor of `kind` holds, or `None` for an unknown kind.
pub(crate) fn factor_field(kind: &str) -> Option<&'static str> {
    match kind {
        "totp" => Some("secret"),
        "phone" | "email" => Some("value"),
        _ => None,
    }
}

pub fn check(s: &mut Sink, ptr: &str, v: &Value) {
    let Some(items) = v.as_array() else { return };
    if items.is_empty() {
        s.push(
            ptr.to_owned(),
            Code::ArrayTooShort,
            "`mfa_factors` is empty: remove the property instead (it needs 1 to 10 factors)"
                .to_owned(),
            Some(v),
        );
    } else if items.len() > MAX_FACTORS {
        s.push(
            ptr.to_owned(),
            Code::ArrayTooLong,
            format!("`mfa_factors` has {} factors; Auth0 accepts at most 10", items.len()),
            None,
        );
    }
    for (i, item) in items.iter().enumerate() {
        let ip = join(ptr, &i.to_string());
        if !s.expect(&ip, &format!("mfa_factors[{i}]"), item, Kind::Object) {
            continue;
        }
        let Some(obj) = item.as_object() else { continue };
        if obj.is_empty() {
            s.push(ip.clone(), Code::MfaFactorEmpty, "empty MFA factor: give one of {\"totp\":{\"secret\":…}}, {\"phone\":{\"value\":…}}, {\"email\":{\"value\":…}} or remove it".to_owned(), Some(item));
            continue;
        }
        if obj.len() > 1 {
            s.push(ip.clone(), Code::TooManyProperties, format!("each MFA factor holds exactly one of totp, phone, email; found {}: split it into separate factors", obj.len()), Some(item));
        }
        for (kind, f) in obj {
            let fp = join(&ip, kind);
            let field = match factor_field(kind) {
                Some(field) => field,
                None => {
                    let other = kind.as_str();
                    let msg = match suggestion(other, KINDS) {
                        Some(k) => format!(
                            "unknown MFA factor `{other}`: did you mean `{k}`? (only totp, phone and email can be imported)"
                        ),
                        None => format!(
                            "remove `{other}`: only totp, phone and email factors can be imported (recovery codes cannot; regenerate them after import)"
                        ),
                    };
                    s.push_key(fp, Code::AdditionalProperty, msg, Some(f));
                    continue;
                }
            };
            if !s.expect(&fp, kind, f, Kind::Object) {
                continue;
            }
            let Some(fo) = f.as_object() else { continue };
            for extra in fo.keys().filter(|k| k.as_str() != field) {
                s.push_key(
                    join(&fp, extra),
                    Code::AdditionalProperty,
                    format!("remove `{extra}`: a {kind} factor holds only `{field}`"),
                    fo.get(extra),
                );
            }
            let Some(val) = fo.get(field) else {
                s.push(
                    fp.clone(),
                    Code::Required,
                    format!("add `{field}` to the {kind} factor"),
                    None,
                );
                continue;
            };
            let vp = join(&fp, field);
            if !s.expect(&vp, &format!("{kind}.{field}"), val, Kind::String) {
                continue;
            }
            factor_value(s, &vp, kind, val.as_str().unwrap_or_default());
        }
    }
}

/// The pattern / format rule of a factor's string (`kind` is totp, phone or email; `vp` the
/// pointer of the string); shared with the fast path.
pub(crate) fn factor_value(s: &mut Sink, vp: &str, kind: &str, text: &str) {
    match kind {
        "totp" if !is_base32_upper(text) => {
            let hint = if text.ends_with('=') {
                ": remove the `=` padding"
            } else if text.bytes().any(|b| b.is_ascii_lowercase()) {
                ": write it in upper case"
            } else {
                ""
            };
            s.push_text(vp.to_owned(), Code::PatternMismatch, format!("the TOTP secret must be unpadded base32 (A-Z and 2-7 only), such as JBTWY3DPEHPK3PNP{hint}"), text);
        }
        "phone" if !is_e164(text) => {
            s.push_text(vp.to_owned(), Code::PatternMismatch, "the SMS factor's phone number must be `+` then 1 to 15 digits, such as +12125550001 (no spaces or dashes)".to_owned(), text);
        }
        "email" => super::profile::email_str(s, vp, "email.value", text),
        _ => {}
    }
}
