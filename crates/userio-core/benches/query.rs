//! Query benchmark: parse time per query, match time per user per query on 100,000 generated
//! profile-shape users (the same users as `gen-users --count 100000 --shape profile`, seed 42),
//! a hand-written Rust closure for the same filter, and `UserIndex::search` over the same users
//! (the index built once, its build time reported per user).
//!
//! `cargo bench -p userio-core --no-default-features --bench query -- --warm-up-time 1 --measurement-time 3`
//! prints criterion's figures, then a summary table (ns per user) from a direct timing loop.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput};
use serde_json::Value;
use userio_core::query::{Query, UserIndex};
use userio_testkit::{Generator, Shape};

const USERS: usize = 100_000;

type Filter = fn(&Value) -> bool;

fn exists(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::Object(m)) => !m.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

fn str_at<'a>(u: &'a Value, k: &str) -> Option<&'a str> {
    u.get(k).and_then(Value::as_str)
}

/// The benchmark queries with an equivalent hand-written filter.
fn cases() -> Vec<(&'static str, Filter)> {
    vec![
        ("_exists_:user_metadata", |u| exists(u.get("user_metadata"))),
        ("email:\"jane.doe42@example.com\"", |u| {
            str_at(u, "email").is_some_and(|s| s.eq_ignore_ascii_case("jane.doe42@example.com"))
        }),
        ("name:jo*", |u| {
            str_at(u, "name")
                .is_some_and(|s| s.len() >= 2 && s.as_bytes()[..2].eq_ignore_ascii_case(b"jo"))
        }),
        ("logins_count:[10 TO *]", |u| {
            u.get("logins_count").and_then(Value::as_f64).is_some_and(|n| n >= 10.0)
        }),
        ("NOT blocked:true AND (app_metadata.plan:gold OR app_metadata.plan:silver)", |u| {
            u.get("blocked").and_then(Value::as_bool) != Some(true)
                && u.get("app_metadata")
                    .and_then(|a| a.get("plan"))
                    .and_then(Value::as_str)
                    .is_some_and(|p| p == "gold" || p == "silver")
        }),
        ("logins_count:[10 TO 100]", |u| {
            u.get("logins_count")
                .and_then(Value::as_f64)
                .is_some_and(|n| (10.0..=100.0).contains(&n))
        }),
        ("app_metadata.roles:admin AND user_metadata.language:en", |u| {
            u.get("app_metadata")
                .and_then(|a| a.get("roles"))
                .and_then(Value::as_array)
                .is_some_and(|r| r.iter().any(|x| x == "admin"))
                && u.get("user_metadata").and_then(|m| m.get("language")).is_some_and(|l| l == "en")
        }),
    ]
}

fn ns_per(f: impl Fn() -> usize, reps: u32, per: usize) -> (f64, usize) {
    let mut n = f(); // warm up
    let t = Instant::now();
    for _ in 0..reps {
        n = black_box(f());
    }
    (t.elapsed().as_nanos() as f64 / f64::from(reps) / per as f64, n)
}

fn main() {
    let users: Vec<Value> = Generator::new(42, Shape::Profile).take(USERS).collect();
    let texts: Vec<String> = users.iter().map(|u| u.to_string()).collect();
    let per_user = |t: Instant| t.elapsed().as_nanos() as f64 / USERS as f64;
    let t = Instant::now();
    let parsed: Vec<Value> = texts.iter().map(|s| serde_json::from_str(s).unwrap()).collect();
    let parse_ns = per_user(t);
    drop(black_box(parsed));
    let t = Instant::now();
    let index = UserIndex::build(&users).expect("the users fit in an index");
    let build_ns = per_user(t);
    let t = Instant::now();
    let mut from_text = UserIndex::new();
    for s in &texts {
        from_text.push_json(s).expect("the users fit in an index");
    }
    let text_ns = per_user(t);
    drop(texts);
    let mut c = Criterion::default().configure_from_args().sample_size(10);
    for (i, (text, closure)) in cases().into_iter().enumerate() {
        let q = Query::parse(text).expect("benchmark query parses");
        let matched = users.iter().filter(|u| q.matches(u)).count();
        assert_eq!(
            matched,
            users.iter().filter(|u| closure(u)).count(),
            "{text}: the closure must select the same users"
        );
        let want = (0..USERS).filter(|&i| q.matches(&users[i]));
        assert!(index.search(&q).iter().eq(want.clone()), "{text}: the index must agree");
        assert!(from_text.search(&q).iter().eq(want), "{text}: push_json must agree");
        let mut g = c.benchmark_group(format!("query{i}"));
        g.bench_function("parse", |b| b.iter(|| Query::parse(black_box(text))));
        g.throughput(Throughput::Elements(USERS as u64));
        g.bench_function("match", |b| b.iter(|| users.iter().filter(|u| q.matches(u)).count()));
        g.bench_function("closure", |b| b.iter(|| users.iter().filter(|u| closure(u)).count()));
        g.bench_function("index", |b| b.iter(|| index.search(&q).count()));
        g.finish();
    }
    c.final_summary();

    let hot = &users[..1000];
    println!(
        "\nUserIndex: push_json (from JSON text) {text_ns:.0} ns per user; push (from Values) {build_ns:.0} ns per user, after serde_json::from_str to Value {parse_ns:.0} ns per user; {} paths, {:.1} MB ({:.0} bytes per user)",
        index.paths(),
        index.heap_bytes() as f64 / 1e6,
        index.heap_bytes() as f64 / USERS as f64
    );
    println!(
        "\n| query | matches | parse µs | match ns/user | closure ns/user | match / closure | match ns/user, 1,000 users in cache | closure, in cache | index ns/user | match / index |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (text, closure) in cases() {
        let (parse_ns, _) = ns_per(|| Query::parse(black_box(text)).map_or(0, |_| 1), 20_000, 1);
        let q = Query::parse(text).expect("parses");
        let (m, count) = ns_per(|| users.iter().filter(|u| q.matches(u)).count(), 10, USERS);
        let (h, _) = ns_per(|| users.iter().filter(|u| closure(u)).count(), 10, USERS);
        let (mh, _) = ns_per(|| hot.iter().filter(|u| q.matches(u)).count(), 1000, hot.len());
        let (hh, _) = ns_per(|| hot.iter().filter(|u| closure(u)).count(), 1000, hot.len());
        let (ix, _) = ns_per(|| index.search(&q).count(), 100, USERS);
        println!(
            "| `{text}` | {count} | {:.2} | {m:.1} | {h:.1} | {:.2}x | {mh:.1} | {hh:.1} | {ix:.2} | {:.0}x |",
            parse_ns / 1000.0,
            m / h,
            m / ix
        );
    }
}
