//! Helpers shared by the vector runners (`mod common;` in each test file).
#![allow(dead_code)] // each test binary uses a different part

use std::path::PathBuf;

use serde_json::Value;
use userio_core::query::{DefaultOperator, QueryOptions};

/// `tests/vectors/<area>` at the repository root.
pub fn vectors_dir(area: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors").join(area)
}

/// The files of `tests/vectors/<area>` whose name passes `keep`, sorted.
pub fn vector_files(area: &str, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let dir = vectors_dir(area);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&keep))
        .collect();
    files.sort();
    files
}

/// The JSON files of `tests/vectors/<area>`, sorted.
pub fn json_files(area: &str) -> Vec<PathBuf> {
    vector_files(area, |n| n.ends_with(".json"))
}

/// The import vectors themselves: not their `.expected.json` sidecars, README or generator.
pub fn import_inputs() -> Vec<PathBuf> {
    vector_files("import", |n| {
        !(n.ends_with(".expected.json") || n.ends_with(".md") || n.ends_with(".py"))
    })
}

/// Every (query, options) and every user of `tests/vectors/query/` and its lucene-kit corpus:
/// the pool the differential query tests run each query against.
pub fn query_corpus() -> (Vec<(String, QueryOptions)>, Vec<Value>) {
    let mut queries = Vec::new();
    let mut users = Vec::new();
    for path in json_files("query") {
        let doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        for case in doc["cases"].as_array().expect("cases") {
            let and = case["options"]["default_operator"].as_str() == Some("and");
            let o = QueryOptions {
                default_operator: if and { DefaultOperator::And } else { DefaultOperator::Or },
                auth0_check: false,
            };
            queries.push((case["query"].as_str().unwrap().to_owned(), o));
            if let Some(u) = case.get("user") {
                users.push(u.clone());
            }
        }
    }
    let dir = vectors_dir("query").join("lucene-kit");
    let persons: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("lucene-kit-persons.json")).unwrap())
            .unwrap();
    users.extend(persons);
    let text = std::fs::read_to_string(dir.join("lucene-kit-queries.jsonl")).unwrap();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        queries.push((case["query"].as_str().unwrap().to_owned(), QueryOptions::default()));
    }
    (queries, users)
}
