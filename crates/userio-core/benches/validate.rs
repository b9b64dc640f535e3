//! Criterion: the validator (typed fast path on, and `Value` path only) against the
//! serde_json floor (parse each record into `Value`) on 10,000 generated import users held
//! in memory. The side-by-side run with the
//! `jsonschema` crate and the 100k / 1M files lives in `benches/validate.sh`.
//!
//! cargo bench -p userio-core --bench validate -- --warm-up-time 1 --measurement-time 3

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;
use userio_core::read::UserReader;
use userio_testkit::{Generator, Shape};

fn sample(n: usize) -> Vec<u8> {
    let users: Vec<String> =
        Generator::new(42, Shape::Import).take(n).map(|u| u.to_string()).collect();
    format!("[\n{}\n]\n", users.join(",\n")).into_bytes()
}

fn bench(c: &mut Criterion) {
    let data = sample(10_000);
    let mut g = c.benchmark_group("validate_10k");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(data.len() as u64));
    g.bench_function("serde_json_floor", |b| {
        b.iter(|| {
            let mut reader = UserReader::new(data.as_slice());
            let mut n = 0u64;
            while let Some(rec) = reader.next_record() {
                let v: Value = serde_json::from_slice(rec.unwrap().raw).unwrap();
                n += u64::from(v.is_object());
            }
            n
        })
    });
    g.bench_function("userio_validate", |b| {
        b.iter(|| {
            let r = userio_core::schema::validate(data.as_slice());
            assert!(r.is_ok());
            r.users
        })
    });
    g.bench_function("userio_validate_value_path_only", |b| {
        let options =
            userio_core::schema::ValidateOptions { fast_path: false, ..Default::default() };
        b.iter(|| {
            let r = userio_core::schema::validate_with(data.as_slice(), &options);
            assert!(r.is_ok());
            r.users
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
