//! Runs the shared expression corpus (`tests/vectors/expr/corpus.json`) on every tier that
//! can run each case and asserts: the chosen tier is the expected one, and every tier gives
//! exactly the expected cell (so native == boa == Node for every pair), on whole users and,
//! where the column declares what it reads, on users projected to just that; and that
//! `write_text` (the native tier writes in place) appends exactly the cell's text.

use serde_json::Value;
use userio_core::expr::{Cell, CellError, Column, Projected, Tier};

fn corpus() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/vectors/expr/corpus.json");
    let text = std::fs::read_to_string(path).expect("corpus.json is readable");
    serde_json::from_str(&text).expect("corpus.json is JSON")
}

/// What a cell looks like in the corpus: `{text, json}` or `{error: name}`.
fn observed(r: &Result<Cell<'_>, CellError>) -> Value {
    match r {
        Ok(cell) => serde_json::json!({ "text": cell.to_text(), "json": cell.to_json_text() }),
        Err(e) => {
            let name = e.message.split(':').next().unwrap_or("").to_owned();
            serde_json::json!({ "error": name })
        }
    }
}

/// Without the `js` feature, a native cell whose value would hold half of a character
/// fails, saying so (with it, JavaScript runs that cell): only JavaScript can give the
/// expected cell.
fn cuts_a_character_without_js(cell: &Result<Cell<'_>, CellError>) -> bool {
    let cuts = cell.as_ref().is_err_and(|e| e.message.contains("cuts a character in half"));
    assert!(!(cuts && cfg!(feature = "js")), "the JavaScript tier runs such cells");
    cuts
}

/// What `write_text` gives, in the corpus's form: the text appended after a prefix, which
/// an error must leave alone.
fn written(write: impl FnOnce(&mut String) -> Result<(), CellError>) -> Value {
    const BEFORE: &str = "earlier cells|";
    let mut out = String::from(BEFORE);
    match write(&mut out) {
        Ok(()) => match out.strip_prefix(BEFORE) {
            Some(text) => serde_json::json!({ "text": text }),
            None => serde_json::json!({ "clobbered": out }),
        },
        Err(e) if out == BEFORE => observed(&Err(e)),
        Err(e) => serde_json::json!({ "error": e.message, "left": out }),
    }
}

/// The text (or error) part of an expected cell.
fn text_of(want: &Value) -> Value {
    match want.get("error") {
        Some(_) => want.clone(),
        None => serde_json::json!({ "text": want["text"] }),
    }
}

fn expected(v: &Value) -> Value {
    match v.get("error") {
        Some(name) => serde_json::json!({ "error": name }),
        None => serde_json::json!({
            "text": v["text"],
            "json": userio_core::expr::js_stringify(&v["json"]),
        }),
    }
}

/// The tiers that can run a case of tier `t` (a path is also valid native and JS, a native
/// expression is also valid JS).
fn tiers_for(t: Tier) -> Vec<Tier> {
    let all = match t {
        Tier::Path => vec![Tier::Path, Tier::Native, Tier::Js],
        Tier::Native => vec![Tier::Native, Tier::Js],
        Tier::Js => vec![Tier::Js],
    };
    all.into_iter().filter(|t| cfg!(feature = "js") || *t != Tier::Js).collect()
}

fn tier_of(s: &str) -> Tier {
    match s {
        "path" => Tier::Path,
        "native" => Tier::Native,
        _ => Tier::Js,
    }
}

#[test]
fn every_tier_gives_the_expected_cell() {
    let corpus = corpus();
    let users: Vec<&Value> =
        corpus["users"].as_array().unwrap().iter().map(|u| &u["user"]).collect();
    let owned: Vec<Value> = users.iter().map(|u| (*u).clone()).collect();
    let cases = corpus["cases"].as_array().unwrap();
    assert!(cases.len() >= 200, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut checked_projected = 0;
    for case in cases {
        let source = case["source"].as_str().unwrap();
        let tier = tier_of(case["tier"].as_str().unwrap());
        if tier == Tier::Js && !cfg!(feature = "js") {
            continue;
        }
        match Column::new("c", source) {
            Ok(c) if c.tier() == tier => {}
            Ok(c) => failures.push(format!("{source}: tier {} instead of {}", c.tier(), tier)),
            Err(e) => failures.push(format!("{source}: does not build: {e}")),
        }
        for t in tiers_for(tier) {
            let column = match Column::with_tier("c", source, t) {
                Ok(c) => c,
                Err(e) => {
                    failures.push(format!("{source} [{t}]: does not build: {e}"));
                    continue;
                }
            };
            // Also as an export holds users when it parses only what the column reads.
            let projected = Projected::new(std::slice::from_ref(&column), &owned);
            for (i, user) in users.iter().enumerate() {
                let want = expected(&case["expected"][i]);
                let cell = column.eval(user);
                if cuts_a_character_without_js(&cell) {
                    continue;
                }
                let got = observed(&cell);
                checked += 1;
                if got != want {
                    failures.push(format!("{source} [{t}] user #{i}: got {got}, want {want}"));
                }
                let text = written(|out| column.write_text(user, out));
                if text != text_of(&want) {
                    failures.push(format!("{source} [{t}, write_text] user #{i}: got {text}"));
                }
                if let Some(projected) = &projected {
                    let got = observed(&projected.eval(&column, i));
                    checked += 1;
                    checked_projected += 1;
                    if got != want {
                        failures.push(format!(
                            "{source} [{t}, projected] user #{i}: got {got}, want {want}"
                        ));
                    }
                    let text = written(|out| projected.write_text(&column, i, out));
                    if text != text_of(&want) {
                        failures.push(format!(
                            "{source} [{t}, projected write_text] user #{i}: got {text}"
                        ));
                    }
                }
            }
        }
    }
    assert!(checked_projected > checked / 4, "{checked_projected} of {checked} projected");
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn syntax_errors_are_reported_when_building() {
    let corpus = corpus();
    for case in corpus["build_errors"].as_array().unwrap() {
        let source = case["source"].as_str().unwrap();
        let offset = case["offset"].as_u64().unwrap() as usize;
        match Column::new("c", source) {
            Ok(c) => panic!("{source:?} built as {}", c.tier()),
            Err(e) => {
                // Without the `js` feature the native parser rejects the source and points
                // at the first construct it does not handle, not at the syntax error.
                if cfg!(feature = "js") {
                    assert_eq!(e.offset, offset, "{source:?}: {e}");
                }
                assert_eq!(e.source_text, source);
                assert_eq!(e.column, "c");
                // The engine's own line and column count the lines it wraps the source in.
                assert!(!e.message.contains(" at line "), "{source:?}: {e}");
            }
        }
    }
}
