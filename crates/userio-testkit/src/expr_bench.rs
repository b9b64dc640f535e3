//! The expression benchmark's columns and their hand-written floor, shared by userio-core's
//! `benches/expr.rs` and its callgrind harness (`examples/expr_cells.rs`), so that both time
//! and count the very same code.

use serde_json::Value;

/// `(label, source)` of each column, in the bench's order: a plain path and the four
/// expressions of the expression issue.
pub const COLUMNS: &[(&str, &str)] = &[
    ("path", "user.email"),
    ("or", "user.app_metadata.name || user.name"),
    ("concat", "user.given_name + ' ' + user.family_name"),
    ("ternary", "user.logins_count > 10 ? 'active' : 'idle'"),
    ("map_join", "(user.identities || []).map(i => i.provider).join('|')"),
];

/// Hand-written Rust for the column `which` (a label of [`COLUMNS`]): the floor the tiers are
/// measured against. `u` gives a top-level attribute; the cell text is appended to `out`.
pub fn floor<'u>(which: &str, u: impl Fn(&str) -> Option<&'u Value>, out: &mut String) -> bool {
    match which {
        "path" => {
            if let Some(Value::String(s)) = u("email") {
                out.push_str(s);
            }
        }
        "or" => {
            let Some(app) = u("app_metadata") else { return false };
            fn pick(v: Option<&Value>) -> Option<&str> {
                match v {
                    Some(Value::String(s)) if !s.is_empty() => Some(s.as_str()),
                    _ => None,
                }
            }
            if let Some(s) = pick(app.get("name")).or_else(|| pick(u("name"))) {
                out.push_str(s);
            }
        }
        "concat" => {
            let s = |k: &str| u(k).and_then(Value::as_str).unwrap_or("undefined");
            out.push_str(s("given_name"));
            out.push(' ');
            out.push_str(s("family_name"));
        }
        "ternary" => {
            let n = u("logins_count").and_then(Value::as_f64).unwrap_or(f64::NAN);
            out.push_str(if n > 10.0 { "active" } else { "idle" });
        }
        _ => {
            if let Some(Value::Array(ids)) = u("identities") {
                for (i, id) in ids.iter().enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    if let Some(p) = id.get("provider").and_then(Value::as_str) {
                        out.push_str(p);
                    }
                }
            }
        }
    }
    true
}
