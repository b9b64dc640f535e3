//! Column expressions: ns per user per column, per tier, against a hand-written floor and a
//! naive evaluate-the-source-per-user boa loop. Each tier writes every user's cell text
//! into a reused buffer, as a CSV export does; so does the floor.
//!
//! `cargo bench -p userio-core --bench expr -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;
use userio_core::expr::{Column, Projected, Tier};
use userio_testkit::expr_bench::{COLUMNS as EXPRS, floor};
use userio_testkit::{Generator, Shape};

const USERS: usize = 100_000;
/// The naive loop re-parses the source per user: far slower, so it runs on fewer users.
const NAIVE_USERS: usize = 1_000;
/// More columns users write, timed native against boa on projected users (`expr_more`):
/// outside the five, and with no hand-written floor.
const MORE: &[(&str, &str)] = &[
    (
        "filter_map_join",
        "(user.identities || []).filter(i => i.isSocial).map(i => i.provider).join('|')",
    ),
    ("ends_with", "(user.email || '').endsWith('@example.com') ? 'internal' : 'external'"),
    ("some", "(user.app_metadata?.roles || []).some(r => r === 'admin')"),
    ("replace", "user.user_id.replace('auth0|', '')"),
];

/// Every user's cell text, as a CSV export writes it (`Column::write_text`).
fn run(column: &Column, users: &[Value], out: &mut String) -> usize {
    let mut errors = 0;
    for u in users {
        out.clear();
        errors += usize::from(column.write_text(u, out).is_err());
        black_box(&out);
    }
    errors
}

/// Every projected user's cell text, as an export holds and writes them.
fn run_projected(column: &Column, projected: &Projected, out: &mut String) -> usize {
    let mut errors = 0;
    for i in 0..projected.len() {
        out.clear();
        errors += usize::from(projected.write_text(column, i, out).is_err());
        black_box(&out);
    }
    errors
}

/// The column for `tier`, once it has written the same text (or failed) for each of `n`
/// users as the native tier: a bench must not time cells that fail for some other reason
/// (as a JS engine that broke after many errors once did, unnoticed).
fn checked(
    label: &str,
    src: &str,
    tier: Tier,
    n: usize,
    write: impl Fn(&Column, usize, &mut String) -> bool,
) -> Option<Column> {
    let column = Column::with_tier(label, src, tier).ok()?;
    if tier == Tier::Native {
        return Some(column);
    }
    let native = Column::with_tier(label, src, Tier::Native).expect("every bench column is native");
    let (mut a, mut b) = (String::new(), String::new());
    for i in 0..n {
        a.clear();
        b.clear();
        let (ok_a, ok_b) = (write(&column, i, &mut a), write(&native, i, &mut b));
        assert!(
            ok_a == ok_b && a == b,
            "{src} [{tier}] user #{i}: {a:?} ({ok_a}) vs native {b:?} ({ok_b})"
        );
    }
    Some(column)
}

fn bench(c: &mut Criterion) {
    let users: Vec<Value> = Generator::new(42, Shape::Profile).take(USERS).collect();
    let mut g = c.benchmark_group("expr");
    g.sample_size(10);
    g.throughput(Throughput::Elements(USERS as u64));
    let mut out = String::with_capacity(256);
    for (label, src) in EXPRS {
        g.bench_function(BenchmarkId::new("floor", label), |b| {
            b.iter(|| {
                for u in &users {
                    out.clear();
                    black_box(floor(label, |k| u.get(k), &mut out));
                }
            })
        });
        for tier in [Tier::Path, Tier::Native, Tier::Js] {
            let write =
                |c: &Column, i: usize, out: &mut String| c.write_text(&users[i], out).is_ok();
            let Some(column) = checked(label, src, tier, users.len(), write) else { continue };
            g.bench_function(BenchmarkId::new(tier.as_str(), label), |b| {
                b.iter(|| black_box(run(&column, &users, &mut out)))
            });
        }
    }
    g.finish();

    // The same on a hot working set (1,000 users, as in a streaming export where each user
    // was just parsed), including the naive loop on the very same users.
    let hot = &users[..NAIVE_USERS];
    let mut g = c.benchmark_group("expr_hot");
    g.sample_size(10);
    g.throughput(Throughput::Elements(hot.len() as u64));
    for (label, src) in EXPRS {
        g.bench_function(BenchmarkId::new("floor", label), |b| {
            b.iter(|| {
                for u in hot {
                    out.clear();
                    black_box(floor(label, |k| u.get(k), &mut out));
                }
            })
        });
        for tier in [Tier::Path, Tier::Native, Tier::Js] {
            let write = |c: &Column, i: usize, out: &mut String| c.write_text(&hot[i], out).is_ok();
            let Some(column) = checked(label, src, tier, hot.len(), write) else { continue };
            g.bench_function(BenchmarkId::new(tier.as_str(), label), |b| {
                b.iter(|| black_box(run(&column, hot, &mut out)))
            });
        }
    }
    g.finish();

    // The same 1,000 users as an export holds them: parsed into only the attributes the
    // column reads (`Projected`), which every tier then evaluates.
    let mut g = c.benchmark_group("expr_projected");
    g.sample_size(10);
    g.throughput(Throughput::Elements(hot.len() as u64));
    for (label, src) in EXPRS {
        let native = Column::with_tier(*label, *src, Tier::Native).expect("native");
        let Some(projected) = Projected::new(std::slice::from_ref(&native), hot) else { continue };
        g.bench_function(BenchmarkId::new("floor", label), |b| {
            b.iter(|| {
                for i in 0..projected.len() {
                    out.clear();
                    black_box(floor(label, |k| projected.get(i, k), &mut out));
                }
            })
        });
        for tier in [Tier::Path, Tier::Native, Tier::Js] {
            let write =
                |c: &Column, i: usize, out: &mut String| projected.write_text(c, i, out).is_ok();
            let Some(column) = checked(label, src, tier, projected.len(), write) else { continue };
            g.bench_function(BenchmarkId::new(tier.as_str(), label), |b| {
                b.iter(|| black_box(run_projected(&column, &projected, &mut out)))
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("expr_more");
    g.sample_size(10);
    g.throughput(Throughput::Elements(hot.len() as u64));
    for (label, src) in MORE {
        let native = Column::with_tier(*label, *src, Tier::Native).expect("native");
        let Some(projected) = Projected::new(std::slice::from_ref(&native), hot) else { continue };
        for tier in [Tier::Native, Tier::Js] {
            let write =
                |c: &Column, i: usize, out: &mut String| projected.write_text(c, i, out).is_ok();
            let Some(column) = checked(label, src, tier, projected.len(), write) else { continue };
            g.bench_function(BenchmarkId::new(tier.as_str(), label), |b| {
                b.iter(|| black_box(run_projected(&column, &projected, &mut out)))
            });
        }
    }
    g.finish();

    // Naive: a fresh evaluation of the source per user (what `new Function` per row does).
    let mut g = c.benchmark_group("expr_naive");
    g.sample_size(10);
    g.throughput(Throughput::Elements(NAIVE_USERS as u64));
    for (label, src) in EXPRS {
        g.bench_function(BenchmarkId::new("boa_naive", label), |b| {
            let mut ctx = boa_engine::Context::default();
            b.iter(|| {
                for u in &users[..NAIVE_USERS] {
                    let user = boa_engine::JsValue::from_json(u, &mut ctx).ok();
                    if let Some(user) = user {
                        let _ = ctx.global_object().set(
                            boa_engine::js_string!("user"),
                            user,
                            false,
                            &mut ctx,
                        );
                    }
                    let r = ctx.eval(boa_engine::Source::from_bytes(src.as_bytes()));
                    black_box(r.ok());
                }
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
