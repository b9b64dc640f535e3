//! A native expression's cell text, written straight into the caller's buffer (by
//! [`Plan::write`](super::plan::Plan::write), with the helpers here).
//!
//! The text is exactly what `eval` followed by `Cell::write_text` gives; writing it in
//! place skips what only the value needed: the strings `a + ' ' + b`, templates and
//! `.map(f).join(sep)` build, the boolean a `? :` tests, the cell. Pieces are written as
//! they are evaluated; JavaScript evaluates them in the same order, and `ToString` of the
//! values here can neither fail nor have effects, so the only difference would be the text
//! written before an error, which the caller drops.

use super::eval::literal_join;
use super::parse::{ArrowMethod, Link};
use crate::expr::cell_from_val;
use crate::expr::number::push_number;
use crate::expr::value::JsVal;

/// The cell text of a value.
#[inline(always)]
pub(super) fn write_value(v: JsVal<'_>, out: &mut String) {
    match v {
        JsVal::Str(s) => out.push_str(&s),
        JsVal::Num(n) => push_number(out, n),
        JsVal::Bool(b) => out.push_str(if b { "true" } else { "false" }),
        JsVal::Undefined | JsVal::Null => {}
        other => cell_from_val(other).write_text(out),
    }
}

/// `links` that end in `.map(f).join('sep')` with no optional link before the map (an
/// earlier `?.` could end the whole chain early): the links before the map, the map, the
/// separator.
pub(super) fn map_join(links: &[Link]) -> Option<(&[Link], &Link, &str)> {
    let [prefix @ .., map @ Link::Arrow { method: ArrowMethod::Map, .. }, join] = links else {
        return None;
    };
    let sep = literal_join(join)?;
    if prefix.iter().any(Link::optional) {
        return None;
    }
    Some((prefix, map, sep))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::expr::{Column, Tier};

    #[test]
    fn an_error_after_written_pieces_leaves_the_buffer_as_it_was() {
        let user = json!({"name": "Ada", "ids": [{"a": {"b": 1}}, {"a": null}]});
        for source in [
            "user.name + ' ' + user.missing.x",
            "`${user.name} ${user.missing.x}`",
            "user.ids.map(i => i.a.b).join('|')",
            "user.name ? user.name + user.ids[1].a.b : 'none'",
        ] {
            let column = Column::with_tier("c", source, Tier::Native).expect("native");
            let mut out = String::from("before|");
            let err = column.write_text(&user, &mut out).expect_err(source);
            assert!(err.message.starts_with("TypeError"), "{source}: {}", err.message);
            assert_eq!(out, "before|", "{source}");
        }
    }

    #[test]
    fn pieces_are_written_in_order_with_javascript_strings() {
        let user = json!({"a": 1, "b": 2, "n": null, "o": {}, "l": [1, [2, 3]]});
        for (source, text) in [
            ("user.a + user.b + ' ' + user.a + user.b", "3 12"),
            (
                "user.n + '|' + user.missing + '|' + user.o + '|' + user.l",
                "null|undefined|[object Object]|1,2,3",
            ),
            ("`${user.a}-${user.l}`", "1-1,2,3"),
            ("user.l.map(x => x).join()", "1,2,3"),
            ("user.missing?.map(x => x).join()", ""),
        ] {
            let column = Column::with_tier("c", source, Tier::Native).expect("native");
            let mut out = String::new();
            column.write_text(&user, &mut out).expect(source);
            assert_eq!(out, text, "{source}");
            assert_eq!(column.eval(&user).expect(source).to_text(), text, "{source}");
        }
    }
}
