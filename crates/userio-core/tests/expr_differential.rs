//! Generated differential test: random expressions from the native subset's grammar,
//! evaluated on random users by the native tier and by boa, must give the same cell (text
//! and JSON) or fail with the same kind of error. The hand-written corpus
//! (`tests/vectors/expr/`, checked against Node) pins the meaning of each construct; this
//! test looks for the combinations nobody wrote down.
//!
//! `PROPTEST_CASES=20000 cargo test -p userio-core --test expr_differential` searches longer.
#![cfg(feature = "js")]

use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Number, Value};
use userio_core::expr::{Cell, CellError, Column, Projected, Tier};

/// Attribute names the users have and the expressions read.
const KEYS: &[&str] = &["name", "n", "list", "meta", "s"];

/// Literals, including the ones whose printing or conversion JavaScript makes special.
const LITERALS: &[&str] = &[
    "0",
    "1",
    "10",
    "-1",
    "0.1",
    "1.5",
    "1e21",
    "1e-7",
    "NaN",
    "Infinity",
    "''",
    "'a'",
    "' A b '",
    "'1'",
    "'10'",
    "','",
    "'|'",
    "'😀'",
    "'é'",
    "true",
    "false",
    "null",
    "undefined",
    "`t`",
];

/// Methods whose argument is itself generated (the conversions of their arguments).
const METHODS: &[&str] = &[
    "slice",
    "includes",
    "split",
    "join",
    "startsWith",
    "endsWith",
    "indexOf",
    "replace",
    "replaceAll",
    "substring",
    "padStart",
    "padEnd",
];

/// Global functions, called with one generated argument.
const FUNCTIONS: &[&str] = &[
    "String",
    "Number",
    "Boolean",
    "JSON.stringify",
    "Array.isArray",
    "Math.round",
    "Math.floor",
    "Math.ceil",
    "Math.trunc",
    "Math.abs",
    "Math.sign",
    "Math.max",
    "Math.min",
    "Object.keys",
    "Object.values",
    "Object.entries",
];

/// Array methods that take a simple arrow.
const ARROW_METHODS: &[&str] = &["map", "filter", "find", "findIndex", "some", "every"];

/// Binary operators (every operand is parenthesised, so `??` never mixes with `||`).
const BINARY: &[&str] =
    &["||", "&&", "??", "==", "===", "!=", "!==", "<", ">", "<=", ">=", "+", "-", "*", "/", "%"];

/// A member read or method call appended to a parenthesised expression.
const SUFFIXES: &[&str] = &[
    ".name",
    "?.name",
    ".s",
    "[0]",
    "?.[1]",
    "['n']",
    ".length",
    "?.length",
    ".toLowerCase()",
    ".toUpperCase()",
    ".trim()",
    ".split(',')",
    ".split('')",
    ".split()",
    ".join()",
    ".join('|')",
    ".join(1)",
    ".slice(1)",
    ".slice(-2)",
    ".slice(0, 2)",
    ".slice('1', null)",
    ".includes('a')",
    ".includes(1)",
    ".includes(NaN)",
    ".slice(1, -1)",
    ".startsWith('a')",
    ".startsWith('', 1)",
    ".endsWith('b')",
    ".endsWith('x', 1)",
    ".indexOf('a')",
    ".indexOf(1, -1)",
    ".replace('a', '<$&$`$'>')",
    ".replaceAll('', '.')",
    ".substring(2, 0)",
    ".padStart(3, 'ab')",
    ".padEnd(2)",
    ".trimStart()",
    ".trimEnd()",
    "['length']",
    "[-1]",
];

fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("user".to_owned()),
        select(KEYS).prop_map(|k| format!("user.{k}")),
        (select(KEYS), select(KEYS)).prop_map(|(a, b)| format!("user.{a}.{b}")),
        (select(KEYS), select(KEYS)).prop_map(|(a, b)| format!("user?.{a}?.{b}")),
        select(KEYS).prop_map(|k| format!("user['{k}']")),
        (select(KEYS), 0..3usize).prop_map(|(k, i)| format!("user.{k}[{i}]")),
        select(LITERALS).prop_map(str::to_owned),
        // The arrow's parameters; outside an arrow they make the column JavaScript.
        select(&["i", "i.name", "i?.n", "j"][..]).prop_map(str::to_owned),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), select(BINARY), inner.clone())
                .prop_map(|(a, op, b)| format!("({a}) {op} ({b})")),
            (select(&["!", "-", "+", "typeof "][..]), inner.clone())
                .prop_map(|(op, a)| format!("{op}({a})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("({a}) ? ({b}) : ({c})")),
            (inner.clone(), select(SUFFIXES)).prop_map(|(a, s)| format!("({a}){s}")),
            (inner.clone(), select(METHODS), inner.clone())
                .prop_map(|(a, m, b)| format!("({a}).{m}({b})")),
            (inner.clone(), select(METHODS), inner.clone(), inner.clone())
                .prop_map(|(a, m, b, c)| format!("({a}).{m}({b}, {c})")),
            (inner.clone(), select(ARROW_METHODS), inner.clone())
                .prop_map(|(a, m, b)| format!("({a}).{m}(i => ({b}))")),
            (inner.clone(), select(ARROW_METHODS), inner.clone())
                .prop_map(|(a, m, b)| format!("({a})?.{m}((i, j) => ({b}))")),
            (select(FUNCTIONS), inner.clone()).prop_map(|(f, a)| format!("{f}({a})")),
            (inner.clone(), select(KEYS)).prop_map(|(a, k)| format!("(({a}) || {{}}).{k}")),
            (select(&["Math.max", "Math.min"][..]), inner.clone(), inner.clone())
                .prop_map(|(f, a, b)| format!("{f}({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("`<${{{a}}}|${{{b}}}>`")),
        ]
    })
}

/// JSON values with the corners of JavaScript's conversions: `-0`, huge and tiny numbers,
/// integers past 2^53, empty and numeric strings, case mappings that change length.
fn json_value() -> impl Strategy<Value = Value> {
    let number = select(
        &[0.0, -0.0, 1.0, -1.0, 10.0, 11.0, 0.1, 1.5, 1e21, 1e-7, 9007199254740993.0, 123.456][..],
    )
    .prop_map(|f| Value::Number(Number::from_f64(f).expect("finite")));
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number,
        select(&[0i64, 3, 10, -7, i64::MAX][..]).prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        select(
            &[
                "",
                "a",
                " A b ",
                "0",
                "10",
                "1e3",
                "-0",
                "true",
                "a,b",
                "ü",
                "😀x",
                "İ",
                "ß",
                "Σ",
                "\u{2028}",
                " \t\n",
                "x|y",
                "0x1F",
                "0b11",
                "-Infinity",
                " 12 ",
                "1_000",
                ".5",
                "5.",
                "+5",
                "1e1000",
                "\u{a0}7\u{feff}",
            ][..]
        )
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((select(KEYS), inner), 0..4).prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
            )),
        ]
    })
}

fn user() -> impl Strategy<Value = Value> {
    proptest::collection::vec((select(KEYS), json_value()), 1..8).prop_map(|kv| {
        Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect::<Map<_, _>>())
    })
}

/// A cell as the two tiers are compared: its text and JSON, or the error's name.
fn observed(r: Result<Cell<'_>, CellError>) -> Result<(String, String), String> {
    match r {
        Ok(cell) => Ok((cell.to_text(), cell.to_json_text())),
        Err(e) => Err(e.message.split(':').next().unwrap_or("").to_owned()),
    }
}

/// 1,000 cases (a few seconds), or `PROPTEST_CASES`.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(1000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn native_and_boa_agree(
        source in expression(),
        users in proptest::collection::vec(user(), 1..5),
    ) {
        // Sources outside the native subset (a parameter outside its arrow, say) are the
        // JavaScript tier's alone: nothing to compare.
        let Ok(native) = Column::with_tier("c", &source, Tier::Native) else { return Ok(()) };
        let js = Column::with_tier("c", &source, Tier::Js).expect("a native source is JavaScript");
        // Users as an export holds them, parsed into only what the column reads.
        let projected = Projected::new(std::slice::from_ref(&native), &users);
        for (i, user) in users.iter().enumerate() {
            let (a, b) = (observed(native.eval(user)), observed(js.eval(user)));
            prop_assert_eq!(&a, &b, "{} on {}", source, user);
            let mut text = String::new();
            let written = native.write_text(user, &mut text).map(|()| text).map_err(|_| ());
            let cell_text = a.clone().map(|(text, _)| text).map_err(|_| ());
            prop_assert_eq!(written, cell_text, "write_text: {} on {}", source, user);
            if let Some(projected) = &projected {
                let part = observed(projected.eval(&native, i));
                prop_assert_eq!(&part, &a, "projected: {} on {}", source, user);
            }
        }
    }
}
