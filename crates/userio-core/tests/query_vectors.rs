//! Runs the language-neutral query vectors in `tests/vectors/query/` (format in its README),
//! the lucene-kit corpus, and property tests (no panics; canonical text parses back).

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;

use proptest::prelude::*;
use serde_json::Value;
use userio_core::query::{DefaultOperator, Query, QueryOptions};

fn vectors_dir() -> PathBuf {
    common::vectors_dir("query")
}

fn options(case: &Value) -> QueryOptions {
    let and = case["options"]["default_operator"].as_str() == Some("and");
    QueryOptions {
        default_operator: if and { DefaultOperator::And } else { DefaultOperator::Or },
        auth0_check: case.get("auth0_issues").is_some(),
    }
}

#[test]
fn query_vectors() {
    let files = common::json_files("query");
    assert!(files.len() >= 8, "vector files missing: {files:?}");
    let (mut run, mut failures) = (0, Vec::new());
    for path in files {
        let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for (i, case) in doc["cases"].as_array().expect("cases").iter().enumerate() {
            run += 1;
            let q = case["query"].as_str().expect("query");
            let name = format!("{file}#{i} {q:?}");
            let parsed = Query::parse_with(q, &options(case));
            if let Some(err) = case.get("error") {
                match parsed {
                    Ok(p) => failures.push(format!("{name}: parsed as {p}, expected an error")),
                    Err(e) => {
                        let want_off = err["offset"].as_u64().unwrap();
                        let want_code = err["code"].as_str().unwrap();
                        if e.position.byte != want_off || e.code != want_code {
                            failures.push(format!(
                                "{name}: got {} @{} ({}), want {want_code} @{want_off}",
                                e.code, e.position.byte, e.message
                            ));
                        }
                        assert!(e.render().contains('^'));
                    }
                }
                continue;
            }
            let query = match parsed {
                Ok(q) => q,
                Err(e) => {
                    failures.push(format!("{name}: {e}"));
                    continue;
                }
            };
            if let Some(want) = case.get("canonical")
                && query.to_string() != want.as_str().unwrap()
            {
                failures.push(format!("{name}: canonical {:?}, want {want}", query.to_string()));
            }
            if let Some(want) = case.get("expected") {
                let got = query.matches(&case["user"]);
                if Some(got) != want.as_bool() {
                    failures.push(format!("{name}: matched {got}, want {want} ({query})"));
                }
            }
            if let Some(want) = case.get("auth0_issues") {
                let got: Vec<Value> = query
                    .auth0_issues()
                    .iter()
                    .map(|i| serde_json::json!({"code": i.code, "start": i.start, "end": i.end}))
                    .collect();
                if &Value::Array(got.clone()) != want {
                    failures.push(format!("{name}: auth0 issues {got:?}, want {want}"));
                }
            }
            // every parsed vector also round-trips through its canonical text
            let again = Query::parse(&query.to_string())
                .unwrap_or_else(|e| panic!("{name}: canonical {query} does not parse: {e}"));
            assert_eq!(again.ast().without_spans(), query.ast().without_spans(), "{name}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {run} vector cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// lucene-kit queries whose meaning differs from userio's (Auth0 / Elasticsearch) semantics,
/// with the reason. Every other corpus query must give exactly lucene-kit's expected ids.
const LUCENE_KIT_DIFFERS: &[(&str, &str)] = &[
    // Occurrence rules: lucene-kit gives AND precedence over OR; Lucene/ES/Auth0 do not
    // (`a OR b AND c` is `a +b +c`).
    ("lucene-kit-009", "`!`: lucene-kit reads `a AND !b` as `NOT (a AND b)`; Lucene gives `+a -b`"),
    (
        "lucene-kit-010",
        "occurrence: `a OR !b` is `a -b` in Lucene (b excluded), `a OR (NOT b)` in lucene-kit",
    ),
    ("lucene-kit-014", "occurrence: `NOT a OR b` is `-a b` in Lucene (b required in that group)"),
    ("lucene-kit-020", "occurrence: `a OR !(b)` is `a -(b)` in Lucene"),
    ("lucene-kit-037", "occurrence: `NOT a OR b` is `-a b` in Lucene"),
    (
        "lucene-kit-031",
        "occurrence: `A OR B AND C` is `A +B +C` in Lucene, `A OR (B AND C)` in lucene-kit",
    ),
    ("lucene-kit-032", "occurrence: `A OR B AND NOT C` is `A +B -C` in Lucene"),
    ("lucene-kit-038", "occurrence: `A OR B AND C` is `A +B +C` in Lucene"),
    // Regex: Lucene regexes are anchored, have no flags and no `^`/`$` anchors.
    ("lucene-kit-043", "regex anchored to the whole value: /a/ does not match `Male`"),
    ("lucene-kit-045", "regex `$` is not an anchor in Lucene RegExp (rejected with bad_regex)"),
    ("lucene-kit-046", "regex `^` is not an anchor in Lucene RegExp (rejected with bad_regex)"),
    ("lucene-kit-047", "regex `^` is not an anchor in Lucene RegExp (rejected with bad_regex)"),
    (
        "lucene-kit-052",
        "`/^a/i`: no regex flags in Lucene (`i` is a separate term) and `^` is rejected",
    ),
    ("lucene-kit-053", "regex `$` rejected; also a bare regex searches only top-level fields"),
    ("lucene-kit-054", "regex `^`/`$` rejected"),
    ("lucene-kit-055", "regex `^`/`$` rejected; regexes match strings only, not the number `age`"),
    ("lucene-kit-056", "regex `^`/`$` rejected"),
    // Field-name wildcards are a lexer error in the classic grammar (ES needs `\*`).
    ("lucene-kit-057", "unescaped `*` in a field name is an error (wildcard_field)"),
    ("lucene-kit-059", "unescaped `*` in a field name is an error (wildcard_field)"),
    ("lucene-kit-060", "unescaped `?` in a field name is an error (wildcard_field)"),
    ("lucene-kit-061", "unescaped `*`/`?` in a field name is an error (wildcard_field)"),
    ("lucene-kit-062", "unescaped `*`/`?` in a field name is an error (wildcard_field)"),
];

#[test]
fn lucene_kit_corpus() {
    let dir = vectors_dir().join("lucene-kit");
    let persons: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("lucene-kit-persons.json")).unwrap())
            .unwrap();
    let differs: BTreeMap<_, _> = LUCENE_KIT_DIFFERS.iter().copied().collect();
    let text = std::fs::read_to_string(dir.join("lucene-kit-queries.jsonl")).unwrap();
    let (mut agreed, mut failures, mut differ_but_agree) = (0, Vec::new(), Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let id = case["id"].as_str().unwrap();
        let q = case["query"].as_str().unwrap();
        let want: Vec<u64> =
            case["expected_ids"].as_array().unwrap().iter().filter_map(Value::as_u64).collect();
        let got = Query::parse(q).map(|query| {
            persons
                .iter()
                .filter(|p| query.matches(p))
                .filter_map(|p| p["id"].as_u64())
                .collect::<Vec<_>>()
        });
        let same = got.as_ref().is_ok_and(|g| *g == want);
        match (differs.contains_key(id), same) {
            (false, true) => agreed += 1,
            (false, false) => failures.push(format!("{id} {q:?}: got {got:?}, want {want:?}")),
            (true, true) => differ_but_agree.push(id.to_owned()),
            (true, false) => {}
        }
    }
    assert!(failures.is_empty(), "corpus mismatches:\n{}", failures.join("\n"));
    let total = text.lines().filter(|l| !l.trim().is_empty()).count();
    assert_eq!(agreed + LUCENE_KIT_DIFFERS.len(), total, "every corpus query agrees or is listed");
    assert!(differ_but_agree.is_empty(), "listed as differing but agree: {differ_but_agree:?}");
}

#[test]
fn linear_time_shapes() {
    // deep nesting up to the cap, and long flat lists: both parse in one pass
    let depth = userio_core::query::MAX_DEPTH;
    let q = format!("{}a{}", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(Query::parse(&q).unwrap().to_string(), "a");
    let long = vec!["a"; 50_000].join(" OR ");
    let parsed = Query::parse(&long).unwrap();
    assert!(parsed.matches(&serde_json::json!({"x": "a"})));
    let long_and = vec!["x:a"; 50_000].join(" AND ");
    assert!(Query::parse(&long_and).unwrap().matches(&serde_json::json!({"x": "a"})));
    let too_deep = "(".repeat(1_000_000);
    assert_eq!(Query::parse(&too_deep).unwrap_err().code, "too_deep");
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_owned()),
        Just("name".to_owned()),
        Just("x.y".to_owned()),
        Just(":".to_owned()),
        Just(" ".to_owned()),
        Just("AND".to_owned()),
        Just("OR".to_owned()),
        Just("NOT".to_owned()),
        Just("&&".to_owned()),
        Just("||".to_owned()),
        Just("!".to_owned()),
        Just("+".to_owned()),
        Just("-".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("\"".to_owned()),
        Just("\\".to_owned()),
        Just("*".to_owned()),
        Just("?".to_owned()),
        Just("~".to_owned()),
        Just("^2".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just(" TO ".to_owned()),
        Just("/".to_owned()),
        Just(">".to_owned()),
        Just("=".to_owned()),
        Just("_exists_".to_owned()),
        Just("\\u00e9".to_owned()),
        Just("10".to_owned()),
        Just("é".to_owned()),
        "[ -~]{1,3}",
    ]
}

fn round_trips(q: &str) {
    if let Ok(parsed) = Query::parse(q) {
        let text = parsed.to_string();
        let again = Query::parse(&text)
            .unwrap_or_else(|e| panic!("{q:?} printed as {text:?} which does not parse: {e}"));
        assert_eq!(again.ast().without_spans(), parsed.ast().without_spans(), "{q:?} -> {text:?}");
        assert_eq!(again.to_string(), text);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,40}") {
        let _ = Query::parse(&s).map(|q| q.matches(&serde_json::json!({"a": "b"})));
        round_trips(&s);
    }

    #[test]
    fn token_soup_round_trips(tokens in proptest::collection::vec(token(), 1..16)) {
        let q: String = tokens.concat();
        let _ = Query::parse(&q).map(|q| q.matches(&serde_json::json!({"a": "a", "name": "A"})));
        round_trips(&q);
        let and = QueryOptions { default_operator: DefaultOperator::And, auth0_check: true };
        if let Ok(parsed) = Query::parse_with(&q, &and) {
            let again = Query::parse(&parsed.to_string()).unwrap();
            prop_assert_eq!(again.ast().without_spans(), parsed.ast().without_spans());
        }
    }
}
