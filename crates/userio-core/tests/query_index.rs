//! Differential tests of `UserIndex::search`, `Query::matches_record` and `QuerySet`: they
//! must select
//! exactly the users `Query::matches` selects, on every query of `tests/vectors/query/` and
//! of the lucene-kit corpus over the whole pool of their users, on generated profile users,
//! and on random users and queries.

mod common;

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use userio_core::query::{IndexError, IndexReadError, Query, QueryOptions, QuerySet, UserIndex};
use userio_core::read::{InputFormat, ReadLimits, UserReader};
use userio_testkit::{Generator, Shape};

/// The positions `matches` selects.
fn expected(q: &Query, users: &[Value]) -> Vec<usize> {
    (0..users.len()).filter(|&i| q.matches(&users[i])).collect()
}

fn found(index: &UserIndex, q: &Query) -> Vec<usize> {
    let m = index.search(q);
    let positions: Vec<usize> = m.iter().collect();
    assert_eq!(m.count(), positions.len());
    positions
}

/// The positions `matches_record` selects, reading `users` as NDJSON.
fn from_records(q: &Query, users: &[Value]) -> Vec<usize> {
    if users.is_empty() {
        return Vec::new(); // an empty input is a read error
    }
    let text: String = users.iter().map(|u| format!("{u}\n")).collect();
    let mut reader =
        UserReader::with_options(text.as_bytes(), InputFormat::Ndjson, ReadLimits::default());
    let mut out = Vec::new();
    while let Some(rec) = reader.next_record() {
        let rec = rec.unwrap();
        if q.matches_record(&rec).unwrap() {
            out.push(rec.index as usize);
        }
    }
    out
}

/// The index of `users` made from their JSON text, one `push_json` each.
fn from_text(users: &[Value]) -> UserIndex {
    let mut index = UserIndex::new();
    for (i, u) in users.iter().enumerate() {
        assert_eq!(index.push_json(&serde_json::to_string(u).unwrap()).unwrap(), i);
    }
    index
}

#[test]
fn every_vector_and_corpus_query_over_the_whole_pool() {
    let (queries, mut users) = common::query_corpus();
    // Users that are not objects, which `matches` still answers for.
    users.extend([json!(["a", {"name": "jo"}]), json!("jo"), json!(12), json!(null)]);
    let index = UserIndex::build(&users).unwrap();
    let parsed = from_text(&users);
    assert_eq!(index.len(), users.len());
    let mut checked = 0;
    let mut selecting = 0;
    for (text, options) in &queries {
        let Ok(q) = Query::parse_with(text, options) else { continue };
        let want = expected(&q, &users);
        assert_eq!(found(&index, &q), want, "{text:?}");
        assert_eq!(found(&parsed, &q), want, "{text:?} (push_json)");
        assert_eq!(from_records(&q, &users), want, "{text:?} (matches_record)");
        checked += 1;
        selecting += usize::from(!want.is_empty() && want.len() < users.len());
    }
    assert!(checked > 250, "only {checked} queries parsed");
    assert!(selecting > 150, "only {selecting} queries select some but not all users");
}

#[test]
fn query_sets_over_the_whole_pool() {
    let (texts, users) = common::query_corpus();
    let queries: Vec<Query> =
        texts.iter().filter_map(|(t, o)| Query::parse_with(t, o).ok()).collect();
    let ndjson: String = users.iter().map(|u| format!("{u}\n")).collect();
    // Sets of 5 consecutive queries: some read only paths, some read whole users.
    for chunk in queries.chunks(5) {
        let set = QuerySet::new(chunk.to_vec());
        let mut reader = UserReader::new(ndjson.as_bytes());
        let mut got = vec![Vec::new(); chunk.len()];
        while let Some(rec) = reader.next_record() {
            let rec = rec.unwrap();
            for (i, hit) in set.matches_record(&rec).unwrap().into_iter().enumerate() {
                if hit {
                    got[i].push(rec.index as usize);
                }
            }
        }
        for (q, got) in chunk.iter().zip(got) {
            assert_eq!(got, expected(q, &users), "{q} in a set");
        }
    }
}

#[test]
fn generated_profile_users() {
    let users: Vec<Value> = Generator::new(7, Shape::Profile).take(3000).collect();
    let index = UserIndex::build(&users).unwrap();
    let parsed = from_text(&users);
    for text in [
        "_exists_:user_metadata",
        "email:\"jane.doe42@example.com\"",
        "name:jo*",
        "logins_count:[10 TO *]",
        "NOT blocked:true AND (app_metadata.plan:gold OR app_metadata.plan:silver)",
        "logins_count:[10 TO 100]",
        "app_metadata.roles:admin AND user_metadata.language:en",
        "email.domain:example.com",
        "created_at:[2020-01-01 TO 2022-06-30}",
        "*:gold",
        "jo*",
        "name:/j.*n/ OR nickname:jane~1",
        "*:*",
        "-*:*",
    ] {
        let q = Query::parse(text).unwrap();
        let want = expected(&q, &users);
        assert_eq!(found(&index, &q), want, "{text:?}");
        assert_eq!(found(&parsed, &q), want, "{text:?} (push_json)");
        assert_eq!(from_records(&q, &users), want, "{text:?} (matches_record)");
    }
}

#[test]
fn matches_record_reports_a_bad_record_as_parse_does() {
    let text = "{\"name\": \"a\", \"x\": [1, tru]}\n";
    let mut reader = UserReader::new(text.as_bytes());
    let rec = reader.next_record().unwrap().unwrap();
    let q = Query::parse("name:a").unwrap();
    assert_eq!(q.matches_record(&rec).unwrap_err(), rec.parse().unwrap_err());
}

#[test]
fn push_json_reads_text_as_serde_json_value_does() {
    let texts = [
        r#"{"a": 1, "a": 2}"#,
        r#"{"x": {"a": {"b": "y"}, "a": {"c": "z"}}}"#,
        r#"{"x": [{"a": "1"}, {"a": "2"}], "email": "p@Q.com"}"#,
        r#"{"email": "p@q.com", "email": {"domain": "r.com"}}"#,
        r#"{"\u0061": "esc", "n": 1e2, "m": -0, "big": 18446744073709551615, "f": 0.1}"#,
        r#"  ["not", {"an": "object"}]"#,
        r#""a string""#,
        r#"{}"#,
    ];
    let users: Vec<Value> = texts.iter().map(|t| serde_json::from_str(t).unwrap()).collect();
    let mut index = UserIndex::new();
    for t in texts {
        index.push_json(t).unwrap();
    }
    for q in [
        "a:1",
        "a:2",
        "x.a.b:y",
        "x.a.c:z",
        "_exists_:x.a.b",
        "x.a:2",
        "email.domain:q.com",
        "email.domain:r.com",
        "a:esc",
        "n:100",
        "m:0",
        "big:>1e19",
        "f:0.1",
        "an:object",
        "_exists_:a",
        "NOT _exists_:email",
        "*:esc",
        "esc",
    ] {
        let q = Query::parse(q).unwrap();
        assert_eq!(found(&index, &q), expected(&q, &users), "{q}");
    }
}

#[test]
fn a_user_that_does_not_parse_leaves_nothing_behind() {
    let mut index = UserIndex::new();
    index.push_json(r#"{"name": "a"}"#).unwrap();
    // The duplicate key first: its fallback would clean up after the others.
    for bad in
        [r#"{"name": "b", "name": 1"#, r#"{"name": "b", "x": [1, "#, r#"{"name": "b"} x"#, ""]
    {
        match index.push_json(bad) {
            Err(IndexError::Json { user: 1, source }) => assert!(source.line() >= 1),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    assert_eq!(index.len(), 1);
    assert_eq!(index.push_json(r#"{"other": true}"#).unwrap(), 1);
    for q in ["name:b", "x:1", "_exists_:name"] {
        let q = Query::parse(q).unwrap();
        let users = [json!({"name": "a"}), json!({"other": true})];
        assert_eq!(found(&index, &q), expected(&q, &users), "{q}");
    }
}

#[test]
fn a_user_indexed_then_dropped_still_matches() {
    let mut index = UserIndex::new();
    for i in 0..130 {
        let user = json!({"n": i, "tags": [format!("t{}", i % 3)]});
        assert_eq!(index.push(&user).unwrap(), i);
    }
    let q = Query::parse("tags:t1 AND n:[100 TO *]").unwrap();
    assert_eq!(found(&index, &q), [100, 103, 106, 109, 112, 115, 118, 121, 124, 127]);
    let m = index.search(&q);
    assert!(m.contains(127) && !m.contains(128) && !m.contains(10_000));
    assert!(index.heap_bytes() > 130 * 8);
}

#[test]
fn from_reader_indexes_an_array_or_ndjson_and_places_bad_records() {
    let users = [json!({"name": "Jo"}), json!({"name": "Ann", "blocked": true})];
    let q = Query::parse("NOT blocked:true").unwrap();
    for text in [
        serde_json::to_string_pretty(&users).unwrap(),
        users.iter().map(|u| format!("{u}\n")).collect::<String>(),
    ] {
        let index = UserIndex::from_reader(text.as_bytes()).unwrap();
        assert_eq!((index.len(), found(&index, &q)), (2, vec![0]));
    }
    let bad = "{\"name\": \"a\"}\n{\"name\": \"b\",\n \"x\": tru}\n";
    match UserIndex::from_reader(bad.as_bytes()) {
        Err(IndexReadError::Read(e)) => {
            assert_eq!((e.code(), e.index, e.position.line), ("json_invalid", Some(1), 3), "{e}");
        }
        other => panic!("{other:?}"),
    }
    let latin1: &[u8] = b"{\"name\": \"\xe9\"}\n";
    match UserIndex::from_reader(latin1) {
        Err(IndexReadError::Read(e)) => assert_eq!(e.index, Some(0), "{e}"),
        other => panic!("{other:?}"),
    }
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("name".to_owned()),
        Just("email".to_owned()),
        Just("domain".to_owned()),
        Just("app_metadata".to_owned()),
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..15).prop_map(Value::from),
        Just(json!(2.5)),
        Just(json!("x")),
        Just(json!("X")),
        Just(json!("Jo@Ex.com")),
        Just(json!("jo@ex.com")),
        Just(json!("ÉTÉ")),
        Just(json!("2021-03-04")),
        Just(json!("")),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::vec((key(), inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn user() -> impl Strategy<Value = Value> {
    prop_oneof![
        9 => proptest::collection::vec((key(), value()), 0..5)
            .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        1 => value(),
    ]
}

fn field() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("a:"),
        Just("b:"),
        Just("a.b:"),
        Just("a.a.b:"),
        Just("name:"),
        Just("email:"),
        Just("email.domain:"),
        Just("app_metadata.a:"),
        Just("*:"),
        Just(""),
        Just("_exists_:"),
    ]
}

fn term() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        Just("x"),
        Just("X"),
        Just("x*"),
        Just("*"),
        Just("ex.com"),
        Just("\"jo@ex.com\""),
        Just("été"),
        Just("true"),
        Just("3"),
        Just("[2 TO 10]"),
        Just("{* TO 2.5]"),
        Just(">=2021"),
        Just("[2021-01-01 TO 2021-12-31]"),
        Just("/x|é.*/"),
        Just("x~1"),
        Just("a"),
        Just("b"),
    ]
}

fn clause() -> impl Strategy<Value = String> {
    (prop_oneof![Just(""), Just("NOT "), Just("+"), Just("-")], field(), term())
        .prop_map(|(op, f, t)| format!("{op}{f}{t}"))
}

fn query() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        (clause(), prop_oneof![Just(" "), Just(" AND "), Just(" OR "), Just(" AND NOT ")]),
        1..5,
    )
    .prop_map(|parts| {
        let mut q = String::new();
        for (i, (c, op)) in parts.iter().enumerate() {
            if i > 0 {
                q.push_str(op);
            }
            if i == 2 {
                q.push('(');
            }
            q.push_str(c);
        }
        if parts.len() > 2 {
            q.push(')');
        }
        q
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_users_and_queries(users in proptest::collection::vec(user(), 0..70),
                                texts in proptest::collection::vec(query(), 1..6)) {
        let index = UserIndex::build(&users).unwrap();
        let parsed = from_text(&users);
        for text in &texts {
            let Ok(q) = Query::parse_with(text, &QueryOptions::default()) else { continue };
            let want = expected(&q, &users);
            prop_assert_eq!(&found(&index, &q), &want, "{:?} over {}", text,
                serde_json::to_string(&users).unwrap());
            prop_assert_eq!(&found(&parsed, &q), &want, "{:?} over {} (push_json)", text,
                serde_json::to_string(&users).unwrap());
            prop_assert_eq!(&from_records(&q, &users), &want, "{:?} over {} (matches_record)",
                text, serde_json::to_string(&users).unwrap());
        }
    }
}
