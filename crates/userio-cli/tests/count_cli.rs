//! `userio count FILE QUERY...` end to end: the counts `Query::matches` gives, one line per
//! query, the same as `userio query --count`; a bad query exits 2 before the file is read.

use std::path::PathBuf;
use std::process::Command;

fn userio() -> Command {
    Command::new(env!("CARGO_BIN_EXE_userio"))
}

fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/users.export.ndjson")
}

const QUERIES: [&str; 4] = [
    "_exists_:user_metadata AND logins_count:[5 TO *]",
    "NOT blocked:true AND (app_metadata.plan:gold OR app_metadata.plan:silver)",
    "email.domain:example.com",
    "name:jo*",
];

/// The counts `Query::matches` gives on the whole parsed users (from `userio query --count`
/// before it parsed only what the query reads): an oracle independent of the projection
/// that both commands now use.
const EXPECTED: [u64; 4] = [519, 407, 207, 71];

#[test]
fn counts_each_query_as_query_count_does() {
    let o = userio().arg("count").arg(sample()).args(QUERIES).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), QUERIES.len(), "{text}");
    for ((line, q), want) in lines.iter().zip(QUERIES).zip(EXPECTED) {
        assert_eq!(*line, format!("{want}\t{q}"));
        let one = userio().args(["query", q]).arg(sample()).arg("--count").output().unwrap();
        assert_eq!(String::from_utf8(one.stdout).unwrap(), format!("{want}\n"), "{q}");
    }
}

#[test]
fn a_bad_query_exits_2_with_a_caret() {
    let o = userio().args(["count", "no-such-file.ndjson", "name:jo", "a AND"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("invalid query 2 of 2") && err.contains("^"), "{err}");
}

#[test]
fn a_bad_record_is_placed() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.ndjson");
    std::fs::write(&input, "{\"a\":1}\n{\"a\": tru}\n").unwrap();
    let o = userio().arg("count").arg(&input).arg("a:1").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 2"), "{err}");
}
