//! Export pipeline throughput on generated profile users (in memory, NDJSON bytes):
//! the benchmark pipeline (query, default columns + plan, sort by created_at desc, CSV),
//! the same without sort, with a spilling sort, and the floor (serde_json + csv crate).
//!
//! `cargo bench -p userio-core --bench export -- --warm-up-time 1 --measurement-time 3`
//! (With the query/expr stubs the query matches everything and the plan column is a path.)

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;
use userio_core::export::{Exporter, Format};
use userio_core::expr::Column;
use userio_core::query::Query;
use userio_testkit::{Generator, Shape};

const USERS: usize = 20_000;

fn data() -> Vec<u8> {
    let mut out = Vec::new();
    for u in Generator::new(1, Shape::Profile).take(USERS) {
        serde_json::to_writer(&mut out, &u).expect("serialize");
        out.push(b'\n');
    }
    out
}

fn exporter() -> Exporter {
    let mut columns = Column::defaults();
    columns.push(Column::new("Plan", "user.app_metadata.plan || 'free'").expect("plan column"));
    Exporter::new(columns)
        .query(Query::parse("_exists_:user_metadata AND logins_count:[5 TO *]").expect("query"))
        .format(Format::Csv)
}

fn floor(input: &[u8]) -> usize {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(input.len()));
    for line in input.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        let u: Value = serde_json::from_slice(line).expect("json");
        let cell = |p: &str| match u.pointer(p) {
            None | Some(Value::Null) => String::new(),
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        };
        let cells: Vec<String> = [
            "/user_id",
            "/given_name",
            "/family_name",
            "/nickname",
            "/name",
            "/email",
            "/email_verified",
            "/picture",
            "/identities/0/connection",
            "/created_at",
            "/updated_at",
            "/app_metadata/plan",
        ]
        .iter()
        .map(|p| cell(p))
        .collect();
        w.write_record(&cells).expect("csv");
    }
    w.into_inner().expect("flush").len()
}

fn bench(c: &mut Criterion) {
    let input = data();
    let mut g = c.benchmark_group("export");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("pipeline_sorted", |b| {
        let ex = exporter().sort_by("created_at", true);
        b.iter(|| ex.export_reader(black_box(&input[..]), std::io::sink()).expect("export"))
    });
    g.bench_function("pipeline_unsorted", |b| {
        let ex = exporter();
        b.iter(|| ex.export_reader(black_box(&input[..]), std::io::sink()).expect("export"))
    });
    g.bench_function("pipeline_sorted_spilling_1MiB", |b| {
        let ex = exporter().sort_by("created_at", true).memory_budget(1 << 20);
        b.iter(|| ex.export_reader(black_box(&input[..]), std::io::sink()).expect("export"))
    });
    g.bench_function("floor_serde_json_csv", |b| b.iter(|| floor(black_box(&input))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
