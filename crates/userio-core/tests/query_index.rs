//! Differential test of `UserIndex::search`: it must select exactly the users
//! `Query::matches` selects, on every query of `tests/vectors/query/` and of the lucene-kit
//! corpus over the whole pool of their users, on generated profile users, and on random
//! users and queries.

mod common;

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use userio_core::query::{Query, QueryOptions, UserIndex};
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

#[test]
fn every_vector_and_corpus_query_over_the_whole_pool() {
    let (queries, mut users) = common::query_corpus();
    // Users that are not objects, which `matches` still answers for.
    users.extend([json!(["a", {"name": "jo"}]), json!("jo"), json!(12), json!(null)]);
    let index = UserIndex::build(&users).unwrap();
    assert_eq!(index.len(), users.len());
    let mut checked = 0;
    let mut selecting = 0;
    for (text, options) in &queries {
        let Ok(q) = Query::parse_with(text, options) else { continue };
        let want = expected(&q, &users);
        assert_eq!(found(&index, &q), want, "{text:?}");
        checked += 1;
        selecting += usize::from(!want.is_empty() && want.len() < users.len());
    }
    assert!(checked > 250, "only {checked} queries parsed");
    assert!(selecting > 150, "only {selecting} queries select some but not all users");
}

#[test]
fn generated_profile_users() {
    let users: Vec<Value> = Generator::new(7, Shape::Profile).take(3000).collect();
    let index = UserIndex::build(&users).unwrap();
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
        for text in &texts {
            let Ok(q) = Query::parse_with(text, &QueryOptions::default()) else { continue };
            prop_assert_eq!(found(&index, &q), expected(&q, &users), "{:?} over {}", text,
                serde_json::to_string(&users).unwrap());
        }
    }
}
