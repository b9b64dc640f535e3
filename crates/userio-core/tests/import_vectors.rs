//! Runs the shared import vectors in `tests/vectors/import/` (see its README), checks that
//! every issue code is covered by some vector, that `docs/errors.md` matches the code
//! catalogue, and that no input makes the validator panic.
//!
//! `UPDATE_VECTORS=1` rewrites the sidecars from the current output (review the diff!);
//! `UPDATE_DOCS=1` rewrites `docs/errors.md`.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{Value, json};
use userio_core::schema::{self, Code, Issue, Report, ValidateOptions};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn vectors_dir() -> PathBuf {
    common::vectors_dir("import")
}

fn options_from(v: &Value) -> ValidateOptions {
    let mut o = ValidateOptions::default();
    if let Some(n) = v.get("max_file_bytes").and_then(Value::as_u64) {
        o.limits.max_bytes = Some(n);
    }
    if let Some(n) = v.get("max_record_bytes").and_then(Value::as_u64) {
        o.limits.max_record_bytes = n as usize;
    }
    if let Some(n) = v.get("max_errors").and_then(Value::as_u64) {
        o.max_errors = Some(n as usize);
    }
    o
}

fn issue_json(i: &Issue) -> Value {
    json!({
        "index": i.index,
        "pointer": i.pointer,
        "code": i.code,
        "line": i.position.line,
        "column": i.position.column,
    })
}

fn summary(r: &Report) -> Value {
    json!({
        "users": r.users,
        "valid": r.valid,
        "errors": r.errors.iter().map(issue_json).collect::<Vec<_>>(),
        "warnings": r.warnings.iter().map(issue_json).collect::<Vec<_>>(),
    })
}

fn sidecars() -> Vec<PathBuf> {
    common::vector_files("import", |n| n.ends_with(".expected.json"))
}

/// Default options for a new vector, by name (used only when writing sidecars).
fn default_options(name: &str) -> Value {
    match name {
        "file-too-large.json" => json!({"max_file_bytes": 200}),
        "file-record-too-large.json" => json!({"max_record_bytes": 200}),
        _ => json!({}),
    }
}

#[test]
fn vectors() {
    let dir = vectors_dir();
    if std::env::var_os("UPDATE_VECTORS").is_some() {
        for path in common::import_inputs() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let stem = name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s).to_owned();
            let sidecar = dir.join(format!("{stem}.expected.json"));
            let options = std::fs::read(&sidecar)
                .ok()
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .and_then(|v| v.get("options").cloned())
                .unwrap_or_else(|| default_options(&name));
            let report = schema::validate_with(
                std::fs::read(&path).unwrap().as_slice(),
                &options_from(&options),
            );
            let mut out = json!({"input": name, "options": options});
            out.as_object_mut().unwrap().extend(summary(&report).as_object().unwrap().clone());
            let text = serde_json::to_string_pretty(&out)
                .unwrap()
                .replace("{\n        \"index\"", "{\"index\"");
            std::fs::write(&sidecar, compact_issues(&text) + "\n").unwrap();
        }
    }
    let files = sidecars();
    assert!(files.len() >= 20, "expected the import vectors, found {}", files.len());
    let mut failures = Vec::new();
    for sidecar in &files {
        let expected: Value = serde_json::from_slice(&std::fs::read(sidecar).unwrap()).unwrap();
        let input = expected["input"].as_str().expect("input");
        let bytes = std::fs::read(dir.join(input)).unwrap();
        let report = schema::validate_with(bytes.as_slice(), &options_from(&expected["options"]));
        let got = summary(&report);
        for key in ["users", "valid", "errors", "warnings"] {
            if got[key] != expected[key] {
                failures.push(format!(
                    "{input}: {key}\n  expected {}\n  got      {}",
                    expected[key], got[key]
                ));
            }
        }
        // Messages are for humans, but never empty; values are truncated.
        for i in report.errors.iter().chain(&report.warnings) {
            assert!(!i.message.is_empty());
            assert!(i.value.as_ref().is_none_or(|v| v.chars().count() <= 80), "{i:?}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One issue per line in the sidecars, so they read (and diff) like a table.
fn compact_issues(pretty: &str) -> String {
    let mut out = String::new();
    let mut lines = pretty.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim_start() == "{"
            && lines.peek().is_some_and(|l| l.trim_start().starts_with("\"index\""))
        {
            let indent = &line[..line.len() - 1];
            let mut obj = String::from("{");
            for inner in lines.by_ref() {
                let t = inner.trim();
                if t.starts_with('}') {
                    obj.push_str(t);
                    break;
                }
                obj.push_str(t);
                if t.ends_with(',') {
                    obj.push(' ');
                }
            }
            out.push_str(indent);
            out.push_str(&obj);
            out.push('\n');
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    out.trim_end().to_owned()
}

#[test]
fn every_code_is_covered_by_a_vector() {
    let mut seen = BTreeSet::new();
    for sidecar in sidecars() {
        let v: Value = serde_json::from_slice(&std::fs::read(sidecar).unwrap()).unwrap();
        for list in ["errors", "warnings"] {
            for i in v[list].as_array().unwrap() {
                seen.insert(i["code"].as_str().unwrap().to_owned());
            }
        }
    }
    let missing: Vec<&str> = Code::all()
        .iter()
        .map(|c| c.slug())
        // No file can produce these: a failing disk, a bug in userio.
        .filter(|s| !seen.contains(*s) && !["io_error", "internal_error"].contains(s))
        .collect();
    assert!(missing.is_empty(), "codes without a vector: {missing:?}");
    for code in &seen {
        assert!(Code::from_slug(code).is_some(), "vector uses unknown code {code}");
    }
}

#[test]
fn error_catalogue_doc_is_up_to_date() {
    let path = root().join("docs/errors.md");
    let want = schema::issue::catalogue_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/errors.md is out of date: run UPDATE_DOCS=1 cargo test -p userio-core --test import_vectors"
    );
}

#[test]
fn the_bundled_sample_is_valid() {
    let bytes = std::fs::read(root().join("examples/users.import.json")).unwrap();
    let report = schema::validate(bytes.as_slice());
    assert!(report.is_ok(), "{:#?}", &report.errors[..report.errors.len().min(5)]);
    assert_eq!(report.users, report.valid);
    assert!(report.users >= 1000);
}

#[test]
fn split_chunks_of_the_sample_are_valid_and_ordered() {
    let bytes = std::fs::read(root().join("examples/users.import.json")).unwrap();
    let mut total = 0;
    schema::split::<_, userio_core::read::ReadError>(bytes.as_slice(), 50_000, |c| {
        assert!(c.bytes.len() <= 50_000);
        assert_eq!(c.first_index, total);
        let r = schema::validate(c.bytes.as_slice());
        assert!(r.is_ok() && r.users == c.users);
        total += c.users;
        Ok(())
    })
    .unwrap();
    assert_eq!(total, 1000);
}

fn json_ish() -> impl Strategy<Value = String> {
    let atoms = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just(",".to_owned()),
        Just(":".to_owned()),
        Just("\"email\"".to_owned()),
        Just("\"custom_password_hash\"".to_owned()),
        Just("\"algorithm\"".to_owned()),
        Just("\"hash\"".to_owned()),
        Just("\"value\"".to_owned()),
        Just("\"mfa_factors\"".to_owned()),
        Just("\"app_metadata\"".to_owned()),
        Just("\"$2b$10$\"".to_owned()),
        Just("\"scrypt\"".to_owned()),
        Just("\"pbkdf2\"".to_owned()),
        Just("\"$pbkdf2-sha512$i=1,l=0$$\"".to_owned()),
        Just("\"{SSHA}\"".to_owned()),
        Just("\"$argon2id$$$$\"".to_owned()),
        Just("\"hex\"".to_owned()),
        Just("\"base64\"".to_owned()),
        Just("\"keylen\"".to_owned()),
        Just("\"a.b\"".to_owned()),
        Just("\"\\u00e9\\\"\"".to_owned()),
        Just("true".to_owned()),
        Just("null".to_owned()),
        Just("-1e999".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("\n".to_owned()),
        "[a-z@.$~/ ]{0,6}".prop_map(|s| format!("\"{s}\"")),
        any::<u32>().prop_map(|n| n.to_string()),
    ];
    proptest::collection::vec(atoms, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let r = schema::validate(bytes.as_slice());
        prop_assert!(r.valid <= r.users);
    }

    #[test]
    fn json_ish_text_never_panics(text in json_ish()) {
        for input in [text.clone(), format!("[{text}]"), format!("[{{\"email\":\"a@b.co\",{text}}}]")] {
            let r = schema::validate(input.as_bytes());
            prop_assert!(r.valid <= r.users);
            for i in r.errors.iter().chain(&r.warnings) {
                prop_assert!(i.position.byte as usize <= input.len());
            }
        }
    }

    #[test]
    fn custom_hash_objects_never_panic(text in json_ish()) {
        let input = format!("[{{\"email\":\"a@b.co\",\"custom_password_hash\":{{\"algorithm\":\"scrypt\",\"hash\":{text}}}}}]");
        let _ = schema::validate_with(input.as_bytes(), &ValidateOptions { max_errors: Some(3), ..Default::default() });
    }
}
