//! CSV → import JSON throughput against the floor of reading the same CSV with the `csv`
//! crate and writing each row as a flat JSON object with serde_json.
//!
//! `USERIO_BENCH_ROWS` sets the row count (default 1,000,000). Run:
//! `cargo bench -p userio-core --bench convert -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::io::{self, BufWriter, Write};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;
use userio_core::convert::csv_import::{CsvOptions, csv_to_import};
use userio_testkit::{Generator, Shape};

const COLUMNS: &[(&str, &str)] = &[
    ("email", "email"),
    ("email_verified", "email_verified"),
    ("user_id", "user_id"),
    ("username", "username"),
    ("given_name", "given_name"),
    ("family_name", "family_name"),
    ("name", "name"),
    ("nickname", "nickname"),
    ("picture", "picture"),
    ("blocked", "blocked"),
    ("phone_number", "phone_number"),
    ("phone_verified", "phone_verified"),
    ("app_metadata.plan", "app_metadata.plan"),
    ("app_metadata.roles[]", "app_metadata.roles"),
    ("app_metadata.customer_id", "app_metadata.customer_id"),
    ("user_metadata.language", "user_metadata.language"),
    ("user_metadata.address.city", "user_metadata.address.city"),
    ("user_metadata.address.zip", "user_metadata.address.zip"),
    ("user_metadata.newsletter:bool", "user_metadata.newsletter"),
    ("user_metadata.font_size:number", "user_metadata.font_size"),
];

fn make_csv(rows: usize) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(rows * 260));
    w.write_record(COLUMNS.iter().map(|(h, _)| *h)).unwrap();
    let mut cells: Vec<String> = Vec::with_capacity(COLUMNS.len());
    for user in Generator::new(42, Shape::Import).take(rows) {
        cells.clear();
        for (_, path) in COLUMNS {
            let v = path.split('.').try_fold(&user, |v, k| v.get(k));
            cells.push(match v {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| i.as_str().unwrap_or_default().to_owned())
                    .collect::<Vec<_>>()
                    .join(";"),
                Some(other) => other.to_string(),
            });
        }
        w.write_record(&cells).unwrap();
    }
    w.into_inner().unwrap()
}

/// A row as a flat JSON object `{header: cell, …}`, serialized without building a map.
struct Row<'a>(&'a csv::StringRecord, &'a csv::StringRecord);

impl Serialize for Row<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0.iter().zip(self.1.iter()) {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

fn floor(csv_bytes: &[u8]) -> u64 {
    let mut reader = csv::Reader::from_reader(csv_bytes);
    let headers = reader.headers().unwrap().clone();
    let mut out = BufWriter::with_capacity(256 * 1024, io::sink());
    let mut record = csv::StringRecord::new();
    let mut n = 0u64;
    out.write_all(b"[\n").unwrap();
    while reader.read_record(&mut record).unwrap() {
        if n > 0 {
            out.write_all(b",\n").unwrap();
        }
        serde_json::to_writer(&mut out, &Row(&headers, &record)).unwrap();
        n += 1;
    }
    out.write_all(b"\n]\n").unwrap();
    out.flush().unwrap();
    n
}

fn bench(c: &mut Criterion) {
    let rows: usize =
        std::env::var("USERIO_BENCH_ROWS").ok().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let data = make_csv(rows);
    eprintln!("CSV: {rows} rows, {:.1} MB", data.len() as f64 / 1e6);
    let mut group = c.benchmark_group("convert_csv");
    group.sample_size(10).throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("floor_csv_crate_plus_serde_json", |b| {
        b.iter(|| black_box(floor(black_box(&data))));
    });
    let no_validate = CsvOptions { validate: false, ..Default::default() };
    group.bench_function("csv_to_import", |b| {
        b.iter(|| {
            let r = csv_to_import(black_box(&data[..]), io::sink(), &no_validate).unwrap();
            assert!(r.errors.is_empty());
            black_box(r.users)
        });
    });
    let validate = CsvOptions::default();
    group.bench_function("csv_to_import_validated", |b| {
        b.iter(|| {
            let r = csv_to_import(black_box(&data[..]), io::sink(), &validate).unwrap();
            black_box(r.users)
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
