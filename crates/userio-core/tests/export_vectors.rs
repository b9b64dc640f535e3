//! Runs the language-neutral export vectors in `tests/vectors/export/` (format described in
//! that folder's README.md).
//!
//! Cases listing `needs` ("query", "expr") run only when those modules are real: the runner
//! probes them, so the cases switch on by themselves once the query and expression work is
//! merged. Set `USERIO_VECTORS_STRICT=1` to run them regardless.

mod common;

use serde_json::{Value, json};
use userio_core::export::{ColumnSpec, Columns, ExportError, Exporter, Format, Summary};
use userio_core::expr::Column;
use userio_core::query::Query;

fn query_is_real() -> bool {
    Query::parse("a:1").is_ok_and(|q| !q.matches(&json!({"a": 2})))
}

fn expr_is_real() -> bool {
    let Ok(col) = Column::new("x", "user.a || 'b'") else { return false };
    let mut text = String::new();
    if let Ok(cell) = col.eval(&json!({})) {
        cell.write_text(&mut text);
    }
    text == "b"
}

fn build(options: &Value) -> Exporter {
    let mut columns = Columns::new();
    if options["default_columns"].as_bool() == Some(true) {
        columns = Columns::defaults();
    }
    if let Some(list) = options.get("columns") {
        let specs: Vec<ColumnSpec> = serde_json::from_value(list.clone()).expect("columns");
        columns.extend(Columns::from_specs(specs).expect("columns compile"));
    }
    let mut ex = Exporter::new(columns.into_vec());
    if let Some(f) = options["format"].as_str() {
        ex = ex.format(Format::from_name(f).expect("format name"));
    }
    if let Some(q) = options["query"].as_str() {
        ex = ex.query(Query::parse(q).expect("query parses"));
    }
    if let Some(sort) = options.get("sort") {
        let path = sort["path"].as_str().expect("sort.path");
        ex = ex
            .sort_by(path, sort["descending"].as_bool().unwrap_or(false))
            .case_insensitive_sort(sort["case_insensitive"].as_bool().unwrap_or(false));
    }
    if let Some(d) = options["delimiter"].as_str() {
        let d = d.as_bytes();
        assert_eq!(d.len(), 1, "delimiter is one byte");
        ex = ex.delimiter(d[0]);
    }
    if let Some(b) = options["crlf"].as_bool() {
        ex = ex.crlf(b);
    }
    if let Some(b) = options["bom"].as_bool() {
        ex = ex.bom(b);
    }
    if let Some(b) = options["formula_escape"].as_bool() {
        ex = ex.formula_escape(b);
    }
    if let Some(n) = options["limit"].as_u64() {
        ex = ex.limit(n);
    }
    if let Some(n) = options["memory_budget"].as_u64() {
        ex = ex.memory_budget(usize::try_from(n).expect("budget"));
    }
    ex
}

fn check_summary(name: &str, expected: &Value, got: &Summary) {
    let Some(map) = expected.as_object() else { return };
    for (k, v) in map {
        let actual = match k.as_str() {
            "read" => got.read,
            "matched" => got.matched,
            "written" => got.written,
            "cell_errors" => got.cell_errors,
            other => panic!("{name}: unknown summary field {other}"),
        };
        assert_eq!(Some(actual), v.as_u64(), "{name}: summary.{k}");
    }
}

fn check_error(name: &str, expected: &Value, err: &ExportError) {
    assert_eq!(Some(err.code()), expected["code"].as_str(), "{name}: error code ({err})");
    if let ExportError::Read(e) = err {
        if let Some(line) = expected["line"].as_u64() {
            assert_eq!(e.position.line, line, "{name}: line ({err})");
        }
        if let Some(col) = expected["column"].as_u64() {
            assert_eq!(e.position.column, col, "{name}: column ({err})");
        }
        if let Some(index) = expected.get("index") {
            assert_eq!(e.index, index.as_u64(), "{name}: index ({err})");
        }
    }
}

#[test]
fn export_vectors() {
    let strict = std::env::var_os("USERIO_VECTORS_STRICT").is_some();
    let (query_ok, expr_ok) = (strict || query_is_real(), strict || expr_is_real());
    let files = common::json_files("export");
    assert!(files.len() >= 4, "vector files found: {files:?}");
    let (mut ran, mut skipped) = (0, Vec::new());
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read vectors");
        let doc: Value = serde_json::from_str(&text).expect("vectors are JSON");
        for case in doc["cases"].as_array().expect("cases") {
            let name = format!(
                "{}/{}",
                file.file_name().unwrap_or_default().to_string_lossy(),
                case["name"].as_str().expect("name")
            );
            let needs: Vec<&str> = case["needs"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if needs.iter().any(|n| match *n {
                "query" => !query_ok,
                "expr" => !expr_ok,
                other => panic!("{name}: unknown need {other}"),
            }) {
                skipped.push(name);
                continue;
            }
            let input = case["input"].as_str().expect("input");
            let ex = build(&case["options"]);
            let mut out = Vec::new();
            let result = ex.export_reader(input.as_bytes(), &mut out);
            match (&case.get("error"), result) {
                (Some(expected), Err(err)) => check_error(&name, expected, &err),
                (Some(_), Ok(s)) => panic!("{name}: expected an error, got {s:?}"),
                (None, Err(err)) => panic!("{name}: {err}"),
                (None, Ok(summary)) => {
                    let got = String::from_utf8(out).expect("UTF-8 output");
                    assert_eq!(got, case["expected"].as_str().expect("expected"), "{name}");
                    check_summary(&name, &case["summary"], &summary);
                    if case["same_as_in_memory"].as_bool() == Some(true) {
                        assert!(summary.sort_runs > 1, "{name}: the sort did not spill");
                        let mut mem = Vec::new();
                        let s = build(&case["options"])
                            .memory_budget(usize::MAX)
                            .export_reader(input.as_bytes(), &mut mem)
                            .expect("in-memory run");
                        assert_eq!(s.sort_runs, 0);
                        assert_eq!(String::from_utf8(mem).expect("UTF-8"), got, "{name}");
                    }
                }
            }
            ran += 1;
        }
    }
    eprintln!(
        "export vectors: {ran} run, {} skipped (need real query/expr): {skipped:?}",
        skipped.len()
    );
    assert!(ran >= 30);
}

#[test]
fn gzip_and_paths() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("users.ndjson.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"{\"a\":2}\n{\"a\":1}\n").expect("gzip");
    std::fs::write(&path, gz.finish().expect("gzip")).expect("write");
    let mut out = Vec::new();
    let summary = Exporter::new(vec![Column::new("A", "a").expect("col")])
        .sort_by("a", false)
        .export_path(&path, &mut out)
        .expect("export");
    assert_eq!(out, b"A\n1\n2\n");
    assert_eq!(summary.written, 2);
    let err = Exporter::new(Vec::new()).export_path(dir.path().join("nope"), &mut out).unwrap_err();
    assert_eq!(err.code(), "io_error");
}

#[test]
fn generated_users_spill_equals_memory() {
    use userio_testkit::{Generator, Shape};
    let users: Vec<Value> = Generator::new(11, Shape::Profile).take(3000).collect();
    let columns = || Columns::defaults().into_vec();
    for (path, desc) in [("created_at", true), ("logins_count", false), ("email", false)] {
        let mut mem = Vec::new();
        let a = Exporter::new(columns())
            .sort_by(path, desc)
            .export_users(users.clone(), &mut mem)
            .expect("memory");
        let mut disk = Vec::new();
        let b = Exporter::new(columns())
            .sort_by(path, desc)
            .memory_budget(64 << 10)
            .export_users(users.clone(), &mut disk)
            .expect("disk");
        assert_eq!(a.sort_runs, 0);
        assert!(b.sort_runs > 3, "{path}: {} runs", b.sort_runs);
        assert!(mem == disk, "{path}: spilled sort differs from the in-memory sort");
        assert_eq!(a.written, 3000);
    }
}
