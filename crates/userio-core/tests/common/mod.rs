//! Helpers shared by the vector runners (`mod common;` in each test file).
#![allow(dead_code)] // each test binary uses a different part

use std::path::PathBuf;

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
