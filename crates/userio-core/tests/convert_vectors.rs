//! Runs the shared vectors in `tests/vectors/convert/` (format: its README.md), plus the
//! round trip over the bundled sample files.

use std::path::PathBuf;

use base64::Engine;
use serde_json::{Map, Value, json};
use userio_core::convert::csv_import::{CsvOptions, Encoding, csv_to_import};
use userio_core::convert::flatten::{
    Arrays, FlattenOptions, LeafPathCollector, Order, expand_wildcard,
};
use userio_core::convert::from_export::{ExportOptions, export_to_import};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cases(file: &str) -> Vec<Value> {
    let path = root().join("tests/vectors/convert").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

fn input_bytes(case: &Value) -> Vec<u8> {
    if let Some(b) = case.get("input_base64") {
        base64::engine::general_purpose::STANDARD.decode(b.as_str().unwrap()).unwrap()
    } else {
        case["input"].as_str().unwrap().as_bytes().to_vec()
    }
}

fn single_char(v: &Value) -> char {
    let s = v.as_str().unwrap();
    assert_eq!(s.chars().count(), 1, "one character expected: {s:?}");
    s.chars().next().unwrap()
}

#[test]
fn csv_vectors() {
    let all = cases("csv.json");
    assert!(all.len() >= 20);
    for case in all {
        let name = case["name"].as_str().unwrap();
        let o = &case["options"];
        let mut options = CsvOptions { validate: false, ..Default::default() };
        if let Some(d) = o.get("delimiter") {
            options.delimiter = single_char(d) as u8;
        }
        if let Some(s) = o.get("list_separator") {
            options.list_separator = single_char(s);
        }
        if let Some(e) = o.get("encoding") {
            options.encoding = match e.as_str().unwrap() {
                "utf8" => Encoding::Utf8,
                "latin1" => Encoding::Latin1,
                other => panic!("{name}: unknown encoding {other}"),
            };
        }
        let mut out = Vec::new();
        let result = csv_to_import(&input_bytes(&case)[..], &mut out, &options);
        if let Some(expected) = case.get("expected_error") {
            let err = result.expect_err(name);
            assert_eq!(err.code(), expected["code"], "{name}: {err}");
            if let userio_core::convert::ConvertError::Header { column, header, .. } = &err {
                if let Some(c) = expected.get("column") {
                    assert_eq!(json!(column), *c, "{name}");
                }
                if let Some(h) = expected.get("header") {
                    assert_eq!(json!(header), *h, "{name}");
                }
            }
            continue;
        }
        let report = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Some(expected) = case.get("expected_errors") {
            let got: Vec<Value> = report
                .errors
                .iter()
                .zip(expected.as_array().unwrap())
                .map(|(e, want)| {
                    let mut g = json!({"code": e.code, "row": e.row, "column": e.column});
                    if want.get("header").is_some() {
                        g["header"] = json!(e.header.clone().unwrap_or_default());
                    }
                    g
                })
                .collect();
            assert_eq!(
                report.errors.len(),
                expected.as_array().unwrap().len(),
                "{name}: {report:?}"
            );
            assert_eq!(Value::Array(got), *expected, "{name}");
            for e in &report.errors {
                let text = e.to_string();
                assert!(text.starts_with(&format!("row {}", e.row.unwrap())), "{name}: {text}");
            }
            continue;
        }
        assert!(report.errors.is_empty(), "{name}: {:?}", report.errors);
        let users: Value = serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(users, case["expected"], "{name}");
        if let Some(r) = case.get("expected_report") {
            let got = json!({"users": report.users, "rows": report.rows, "empty_rows": report.empty_rows});
            assert_eq!(got, *r, "{name}");
        }
    }
}

#[test]
fn export_vectors() {
    for case in cases("export.json") {
        let name = case["name"].as_str().unwrap();
        let options = ExportOptions {
            keep_user_id: case["options"]["keep_user_id"].as_bool().unwrap_or(false),
            validate: false,
            ..Default::default()
        };
        let mut out = Vec::new();
        let result = export_to_import(&input_bytes(&case)[..], &mut out, &options);
        if let Some(expected) = case.get("expected_error") {
            assert_eq!(result.expect_err(name).code(), expected["code"], "{name}");
            continue;
        }
        let summary = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let users: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(users, case["expected"], "{name}");
        if let Some(s) = case.get("expected_summary") {
            let got = json!({"users": summary.users, "user_ids_stripped": summary.user_ids_stripped,
                "foreign_user_ids": summary.foreign_user_ids});
            assert_eq!(got, *s, "{name}");
        }
        if let Some(d) = case.get("expected_dropped") {
            assert_eq!(serde_json::to_value(&summary.dropped).unwrap(), *d, "{name}");
        }
    }
}

#[test]
fn flatten_vectors() {
    for case in cases("flatten.json") {
        let name = case["name"].as_str().unwrap();
        let o = &case["options"];
        let options = FlattenOptions {
            order: match o["order"].as_str() {
                Some("sorted") => Order::Sorted,
                _ => Order::FirstSeen,
            },
            arrays: match o["arrays"].as_str() {
                Some("descend") => Arrays::Descend,
                _ => Arrays::Leaf,
            },
        };
        let mut c = LeafPathCollector::new(case["prefix"].as_str().unwrap(), options);
        for user in case["users"].as_array().unwrap() {
            c.add(user);
        }
        let names: Vec<String> = c.paths().iter().map(|p| p.name()).collect();
        assert_eq!(json!(names), case["expected_paths"], "{name}");
        if let Some(cols) = case.get("expected_columns") {
            let got = expand_wildcard(cols["source"].as_str().unwrap(), &c.paths()).unwrap();
            assert_eq!(serde_json::to_value(got).unwrap(), cols["columns"], "{name}");
        }
    }
}

/// Gives an import user the shape an Auth0 export job produces for it.
fn simulate_export(user: &Map<String, Value>, i: usize) -> Value {
    let mut u = user.clone();
    for k in ["password_hash", "custom_password_hash", "mfa_factors"] {
        u.remove(k);
    }
    let id = u.get("user_id").and_then(Value::as_str).map_or(format!("gen{i}"), str::to_owned);
    u.insert("user_id".into(), json!(format!("auth0|{id}")));
    u.insert(
        "identities".into(),
        json!([{"connection": "Username-Password-Authentication", "provider": "auth0",
                "user_id": id, "isSocial": false}]),
    );
    u.insert("created_at".into(), json!("2021-03-04T05:06:07.890Z"));
    u.insert("updated_at".into(), json!("2021-04-04T05:06:07.890Z"));
    u.insert("logins_count".into(), json!(i % 7));
    u.insert("last_login".into(), json!("2021-04-04T05:06:07.890Z"));
    u.insert("last_ip".into(), json!("192.0.2.7"));
    u.insert("multifactor".into(), json!([]));
    Value::Object(u)
}

/// import file → export shape → convert → the original users, except the fields an export
/// never carries (password hashes, MFA factors; documented in docs/convert.md).
#[test]
fn round_trip_of_the_sample_import_file() {
    let text = std::fs::read_to_string(root().join("examples/users.import.json")).unwrap();
    let original: Vec<Map<String, Value>> = serde_json::from_str(&text).unwrap();
    let mut ndjson = String::new();
    for (i, u) in original.iter().enumerate() {
        ndjson.push_str(&simulate_export(u, i).to_string());
        ndjson.push('\n');
    }
    let mut out = Vec::new();
    let summary = export_to_import(ndjson.as_bytes(), &mut out, &ExportOptions::default()).unwrap();
    let back: Vec<Map<String, Value>> = serde_json::from_slice(&out).unwrap();
    assert_eq!(back.len(), original.len());
    assert_eq!(summary.user_ids_stripped, original.len() as u64);
    for (i, (o, b)) in original.iter().zip(&back).enumerate() {
        let mut o = o.clone();
        for k in ["password_hash", "custom_password_hash", "mfa_factors"] {
            o.remove(k);
        }
        if !o.contains_key("user_id") {
            o.insert("user_id".into(), json!(format!("gen{i}")));
        }
        let (o, b) = (Value::Object(o), Value::Object(b.clone()));
        assert_eq!(o, b, "user {i}");
    }
    let validation = summary.validation.unwrap();
    assert!(validation.is_ok(), "{:?}", &validation.errors[..validation.errors.len().min(5)]);
}

/// The bundled export converts into a file with no validation error.
#[test]
fn sample_export_converts_to_a_valid_file() {
    let input = userio_core::read::open(root().join("examples/users.export.ndjson")).unwrap();
    let mut out = Vec::new();
    let summary = export_to_import(input, &mut out, &ExportOptions::default()).unwrap();
    assert_eq!(summary.users, 1000);
    let validation = summary.validation.as_ref().unwrap();
    assert_eq!(validation.users, 1000);
    assert!(validation.is_ok(), "{:?}", &validation.errors[..validation.errors.len().min(5)]);
    // And the validator agrees when run on its own over the written file.
    let report = userio_core::schema::validate(&out[..]);
    assert!(report.is_ok());
    for d in &summary.dropped {
        assert!(
            !userio_core::convert::from_export::IMPORT_FIELDS.contains(&d.field.as_str())
                || d.reason == userio_core::convert::from_export::DropReason::Null
        );
    }
}

/// A CSV written from import users converts back to them (flat string columns).
#[test]
fn csv_validation_issues_map_to_rows() {
    // The stub validator accepts everything; this checks the mapping plumbing only.
    let csv = "email,given_name\na@example.com,Ann\n,,\nb@example.com,Bob\n";
    let mut out = Vec::new();
    let report = csv_to_import(csv.as_bytes(), &mut out, &CsvOptions::default()).unwrap();
    let v = report.validation.unwrap();
    assert_eq!(v.users, 2);
    assert_eq!(report.empty_rows, 1);
}
