//! Evaluates one of the expression bench's columns over 1,000 generated users, for counting
//! instructions with callgrind (the figures in `docs/benchmarks.md`, "Expressions"; run
//! them all with `benches/expr-callgrind.sh`).
//!
//! `expr_cells <column 0-4> <tier: path|native|js|floor|naive> <repetitions>`
//!
//! In place of `0-4`, any other source (not for `floor`), to count a column outside the
//! bench's five: `expr_cells "(user.email || '').endsWith('.com')" native 20`.
//!
//! The users are projected as an export holds them (only the attributes the column
//! reads); `floor` runs the bench's hand-written Rust on them (counted in `floor_cell`);
//! `naive` re-evaluates the source per user in a fresh-parse boa loop, as the
//! bench's `expr_naive` does.

use std::hint::black_box;

use serde_json::Value;
use userio_core::expr::{Column, Projected, Tier};
use userio_testkit::expr_bench::{COLUMNS, floor};
use userio_testkit::{Generator, Shape};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage =
        "usage: expr_cells <column 0-4 | source> <path|native|js|floor|naive> <repetitions>";
    let (Some(column), Some(tier), Some(reps)) = (args.get(1), args.get(2), args.get(3)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let bench_column = match column.parse::<usize>() {
        Ok(i) => COLUMNS.get(i).copied(),
        Err(_) => Some(("other", column.as_str())),
    };
    let (Some((label, source)), Ok(reps)) = (bench_column, reps.parse::<usize>()) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let users: Vec<Value> = Generator::new(42, Shape::Profile).take(1000).collect();
    if tier == "naive" {
        naive(source, &users, reps);
        return;
    }
    let native = Column::with_tier("c", source, Tier::Native).expect("a bench column is native");
    let projected = Projected::new(std::slice::from_ref(&native), &users).expect("projected");
    let mut out = String::new();
    if tier == "floor" {
        for _ in 0..=reps {
            for i in 0..projected.len() {
                out.clear();
                black_box(floor_cell(label, &projected, i, &mut out));
            }
        }
        return;
    }
    let tier = match tier.as_str() {
        "path" => Tier::Path,
        "native" => Tier::Native,
        "js" => Tier::Js,
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let Ok(column) = Column::with_tier("c", source, tier) else {
        eprintln!("{source:?} has no {tier} tier");
        std::process::exit(2);
    };
    let mut errors = 0;
    for _ in 0..=reps {
        for i in 0..projected.len() {
            out.clear();
            errors += usize::from(projected.write_text(&column, i, &mut out).is_err());
            black_box(&out);
        }
    }
    eprintln!("{} cells, {errors} cell errors", (reps + 1) * projected.len());
}

/// The bench's floor for one cell, kept out of line so that callgrind counts it alone.
#[inline(never)]
fn floor_cell(label: &str, projected: &Projected, i: usize, out: &mut String) -> bool {
    floor(label, |k| projected.get(i, k), out)
}

/// The bench's naive loop: each user converted whole and the source evaluated afresh.
fn naive(source: &str, users: &[Value], reps: usize) {
    let mut ctx = boa_engine::Context::default();
    for _ in 0..=reps {
        for u in users {
            if let Ok(user) = boa_engine::JsValue::from_json(u, &mut ctx) {
                let name = boa_engine::js_string!("user");
                let _ = ctx.global_object().set(name, user, false, &mut ctx);
            }
            black_box(ctx.eval(boa_engine::Source::from_bytes(source.as_bytes())).ok());
        }
    }
}
