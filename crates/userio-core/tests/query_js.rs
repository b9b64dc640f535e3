//! Differential test of `Query::to_js`: the emitted JavaScript predicate, run in boa_engine,
//! must give `Query::matches` on every query of `tests/vectors/query/` and of the lucene-kit
//! corpus, over every user of those files (each query against the whole pool, not only its
//! own case's user). Also: `to_js` is `Some` for every query without a regex.
#![cfg(feature = "js")]

mod common;

use boa_engine::{Context, Source};
use serde_json::Value;
use userio_core::query::{JS_RUNTIME, LeafValue, Query, QueryOptions};

/// Every (query, options) and every user of the vector files and the corpus.
fn corpus() -> (Vec<(String, QueryOptions)>, Vec<Value>) {
    common::query_corpus()
}

fn has_regex(q: &Query) -> bool {
    let mut found = false;
    q.ast().for_each_leaf(&mut |l| found |= matches!(l.value, LeafValue::Regex(_)));
    found
}

struct Engine {
    ctx: Context,
}

impl Engine {
    fn new(users: &[Value]) -> Engine {
        let mut ctx = Context::default();
        let setup = format!(
            "globalThis.__rt = {JS_RUNTIME};\nglobalThis.__users = JSON.parse({});",
            serde_json::to_string(&serde_json::to_string(users).unwrap()).unwrap()
        );
        ctx.eval(Source::from_bytes(setup.as_bytes())).expect("runtime evaluates");
        Engine { ctx }
    }

    /// The predicate's answer for every user: "true", "false", "U" (undecided) or "E:…".
    fn run(&mut self, src: &str) -> Result<Vec<String>, String> {
        let script = format!(
            "(function () {{ const p = ({src})(__rt); return JSON.stringify(__users.map((u) => {{\n\
             try {{ return String(p(u)); }} catch (e) {{ return e === __rt.U ? 'U' : 'E:' + e; }}\n\
             }})); }})()"
        );
        let v = self
            .ctx
            .eval(Source::from_bytes(script.as_bytes()))
            .map_err(|e| format!("{e}\nsource:\n{src}"))?;
        let text = v.as_string().map(|s| s.to_std_string_escaped()).unwrap_or_default();
        serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))
    }
}

/// boa (and the deep vector queries) recurse deeply in debug builds: give them room.
fn big_stack(f: fn()) {
    std::thread::Builder::new().stack_size(256 << 20).spawn(f).unwrap().join().unwrap();
}

#[test]
fn predicate_equals_matches_on_every_vector_and_corpus_query() {
    big_stack(every_vector_and_corpus_query);
}

fn every_vector_and_corpus_query() {
    let (queries, users) = corpus();
    assert!(queries.len() > 250 && users.len() > 250, "{} {}", queries.len(), users.len());
    let mut engine = Engine::new(&users);
    let (mut compared, mut translated, mut failures) = (0usize, 0usize, Vec::new());
    for (text, opts) in &queries {
        let Ok(q) = Query::parse_with(text, opts) else { continue };
        let Some(src) = q.to_js() else {
            assert!(has_regex(&q), "to_js is None for {text:?}, which holds no regex");
            continue;
        };
        translated += 1;
        let got = match engine.run(&src) {
            Ok(g) => g,
            Err(e) => {
                failures.push(format!("{text:?}: {e}"));
                continue;
            }
        };
        for (u, g) in users.iter().zip(&got) {
            compared += 1;
            let want = q.matches(u).to_string();
            if *g != want {
                failures.push(format!("{text:?} on {u}: predicate {g}, matches {want}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
    assert!(translated > 250, "only {translated} queries translated");
    assert!(compared > 60_000, "only {compared} comparisons");
}

#[test]
fn hand_picked_users() {
    // Values the vectors do not hold: deep arrays, unicode case, astral code points in
    // ranges, prototype-named keys, dates with zones.
    let users: Vec<Value> = serde_json::from_str(
        r#"[
        {"name": "ÉLODIE", "email": "X@Example.COM", "constructor": "c", "__proto__": "p"},
        {"name": ["a", ["b", ["Jo"]]], "tags": [[["deep"]]], "n": [[1, [2.5]]]},
        {"s": "\ud83d\ude00", "t": "\uffff", "e": {"domain": "x.com"}},
        {"email": {"domain": "Y.org"}, "created_at": "2020-02-29T23:00:00-02:00"},
        {"created_at": "2020-03-01", "d": "2020-03-01T01:00:00.5+01:00", "z": "2020-13-01"},
        {"email": ["a@b.c"], "name": "\u212a", "valueOf": 1, "hasOwnProperty": "x"},
        {"name": "İSTANBUL", "nickname": "JOHN", "given_name": "Σ"},
        [{"name": "arr-user"}], "str", 12, null, true, {}
    ]"#,
    )
    .unwrap();
    let queries = [
        "name:jo",
        "name:élodie",
        "ÉLODIE",
        "élodie",
        "constructor:c",
        "__proto__:p",
        "_exists_:__proto__",
        "_exists_:constructor",
        "toString:x",
        "valueOf:1",
        "hasOwnProperty:x",
        "_exists_:hasOwnProperty",
        "tags:deep",
        "n:2.5",
        "n:[2 TO 3]",
        "s:[\\uffff TO *]",
        "t:[* TO \"\\ud83d\\ude00\"]",
        "s:{a TO *}",
        "email.domain:example.com",
        "email.domain:y.org",
        "email.domain:b.c",
        "e.domain:x.com",
        "created_at:[2020-03-01 TO *]",
        "created_at:{2020-02 TO 2020-03]",
        "d:[2020-03-01T00:00:00Z TO 2020-03-01T00:00:00.5Z]",
        "z:[2020 TO *]",
        "name:k",
        "name:arr-user",
        "*:deep",
        "*:jo",
        "*:\"arr-user\"",
        "*:*",
        "NOT name:jo",
        "_exists_:name",
        "name:j?",
        "name:*lodie",
        "name:*LOD*",
        "name:é*e",
        "name:elodie~1",
        "name:élodi~1",
        "tags:dee~1",
        "email:x@example.com",
        "email:X@EXAMPLE.COM~0",
        "name:i*",
        "name:i̇s*",
        "name:i̇stanbul",
        "nickname:jo*",
        "nickname:JOHN*",
        "given_name:σ*",
        "given_name:ς",
        "jo*",
        "*:jo*",
        "_exists_:e",
        "*:x.com",
    ];
    let mut engine = Engine::new(&users);
    let mut failures = Vec::new();
    for text in queries {
        let q = Query::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        let src = q.to_js().unwrap_or_else(|| panic!("{text}: no js"));
        let got = engine.run(&src).unwrap_or_else(|e| panic!("{text}: {e}"));
        for (u, g) in users.iter().zip(&got) {
            let want = q.matches(u).to_string();
            if *g != want {
                failures.push(format!("{text:?} on {u}: predicate {g}, matches {want}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn deep_nesting_is_undecided() {
    big_stack(deep_nesting);
}

fn deep_nesting() {
    let mut v = serde_json::json!("x");
    for _ in 0..110 {
        v = serde_json::json!([v]);
    }
    let users = vec![serde_json::json!({ "a": v })];
    let mut engine = Engine::new(&users);
    for text in ["a:x", "*:x", "x"] {
        let src = Query::parse(text).unwrap().to_js().unwrap();
        assert_eq!(engine.run(&src).unwrap(), ["U"], "{text}");
    }
}
