//! Unit tests of the pipeline that only need plain path columns (no query features).

use serde_json::json;

use super::*;

fn cols(specs: &[(&str, &str)]) -> Vec<Column> {
    specs.iter().map(|(n, s)| Column::new(*n, *s).unwrap()).collect()
}

fn export(ex: &Exporter, input: &str) -> (String, Summary) {
    let mut out = Vec::new();
    let summary = ex.export_reader(input.as_bytes(), &mut out).unwrap();
    (String::from_utf8(out).unwrap(), summary)
}

#[test]
fn csv_json_ndjson() {
    let input = r#"[{"a":"x","b":{"c":[1,2]}},{"a":"y,z","b":null},{"b":true}]"#;
    let c = cols(&[("A", "a"), ("B", "b")]);
    let (csv, s) = export(&Exporter::new(c.clone()), input);
    assert_eq!(csv, "A,B\nx,\"{\"\"c\"\":[1,2]}\"\n\"y,z\",\n,true\n");
    assert_eq!((s.read, s.matched, s.written), (3, 3, 3));
    let (j, _) = export(&Exporter::new(c.clone()).format(Format::Json), input);
    assert_eq!(
        j,
        "[\n{\"A\":\"x\",\"B\":{\"c\":[1,2]}},\n{\"A\":\"y,z\",\"B\":null},\n{\"A\":null,\"B\":true}\n]\n"
    );
    let parsed: Value = serde_json::from_str(&j).unwrap();
    assert_eq!(parsed[2], json!({"A": null, "B": true}));
    let (nd, _) = export(&Exporter::new(c).format(Format::Ndjson), input);
    assert_eq!(nd.lines().count(), 3);
    assert_eq!(nd.lines().next(), Some("{\"A\":\"x\",\"B\":{\"c\":[1,2]}}"));
}

#[test]
fn empty_inputs() {
    let c = cols(&[("A", "a")]);
    assert_eq!(export(&Exporter::new(c.clone()), "[]").0, "A\n");
    assert_eq!(export(&Exporter::new(c.clone()).format(Format::Json), "[]").0, "[]\n");
    assert_eq!(export(&Exporter::new(c).format(Format::Ndjson), "[]").0, "");
}

#[test]
fn no_columns_means_defaults() {
    let (csv, _) = export(&Exporter::new(Vec::new()), "[]");
    assert_eq!(
        csv,
        "Id,Given Name,Family Name,Nickname,Name,Email,Email Verified,Picture,Connection,Created At,Updated At\n"
    );
}

#[test]
fn sort_limit_and_spill() {
    let users: Vec<Value> = (0..2000u64)
        .map(|i| match i % 5 {
            0 => json!({"i": i}),
            1 => json!({"i": i, "k": format!("S{}", i % 17)}),
            2 => json!({"i": i, "k": format!("s{}", i % 13)}),
            3 => json!({"i": i, "k": format!("2024-01-{:02}T00:00:00Z", 1 + i % 28)}),
            _ => json!({"i": i, "k": (i % 23) as f64 - 11.5}),
        })
        .collect();
    let c = cols(&[("I", "i"), ("K", "k")]);
    for desc in [false, true] {
        for ci in [false, true] {
            for limit in [None, Some(0), Some(3), Some(1500)] {
                let mk = |budget| {
                    let mut e = Exporter::new(c.clone())
                        .sort_by("k", desc)
                        .case_insensitive_sort(ci)
                        .memory_budget(budget);
                    if let Some(l) = limit {
                        e = e.limit(l);
                    }
                    e
                };
                let mut mem = Vec::new();
                let s1 = mk(usize::MAX).export_users(users.clone(), &mut mem).unwrap();
                let mut disk = Vec::new();
                let s2 = mk(32 << 10).export_users(users.clone(), &mut disk).unwrap();
                assert_eq!(s1.sort_runs, 0);
                if limit.is_none() {
                    assert!(s2.sort_runs > 1);
                }
                assert_eq!(mem, disk, "desc={desc} ci={ci} limit={limit:?}");
                assert_eq!(s1.written, limit.unwrap_or(2000).min(2000));
            }
        }
    }
}

#[test]
fn sort_order_details() {
    let input = r#"[{"n":"b","v":2},{"n":"none"},{"n":"A","v":"B"},{"n":"a","v":"a"},{"n":"null","v":null},
        {"n":"t","v":"2024-01-01T10:00:00+02:00"},{"n":"u","v":"2024-01-01T09:00:00Z"},{"n":"ten","v":10}]"#;
    let c = cols(&[("N", "n")]);
    let asc = export(&Exporter::new(c.clone()).sort_by("v", false), input).0;
    assert_eq!(asc, "N\nb\nten\nt\nu\nA\na\nnone\nnull\n");
    let desc = export(&Exporter::new(c.clone()).sort_by("user.v", true), input).0;
    assert_eq!(desc, "N\na\nA\nu\nt\nten\nb\nnone\nnull\n");
}

#[test]
fn limit_without_sort_stops_reading() {
    let c = cols(&[("A", "a")]);
    let (out, s) = export(&Exporter::new(c).limit(2), "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
    assert_eq!(out, "A\n1\n2\n");
    assert_eq!((s.read, s.written), (2, 2));
}

#[test]
fn bad_record_has_position_and_index() {
    let c = cols(&[("A", "a")]);
    let mut out = Vec::new();
    let err = Exporter::new(c)
        .export_reader(&b"{\"a\":1}\n{\"a\":2}\n{\"a\": tru}\n"[..], &mut out)
        .unwrap_err();
    assert_eq!(err.code(), "json_invalid");
    match &err {
        ExportError::Read(e) => {
            assert_eq!(e.index, Some(2));
            assert_eq!((e.position.line, e.position.column), (3, 10));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("line 3, column 10"), "{err}");
    assert!(err.to_string().contains("user #2"), "{err}");
}

#[test]
fn option_errors() {
    let c = cols(&[("A", "a"), ("A", "b")]);
    let mut out = Vec::new();
    let e = Exporter::new(c.clone()).format(Format::Json).export_users(vec![], &mut out);
    assert_eq!(e.unwrap_err().code(), "duplicate_column");
    assert!(Exporter::new(c.clone()).export_users(vec![], &mut out).is_ok());
    let e = Exporter::new(c.clone()).delimiter(b'"').export_users(vec![], &mut out);
    assert_eq!(e.unwrap_err().code(), "invalid_option");
    let e = Exporter::new(c).sort_by("a..b", false).export_users(vec![], &mut out);
    assert_eq!(e.unwrap_err().code(), "invalid_option");
}

#[test]
fn write_errors_are_reported() {
    struct Broken;
    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk full"))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let e = Exporter::new(cols(&[("A", "a")])).export_users(vec![json!({"a": 1})], Broken);
    assert_eq!(e.unwrap_err().code(), "write_failed");
}

#[test]
fn progress_is_reported() {
    use std::sync::Mutex;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let users: Vec<Value> = (0..10_000).map(|i| json!({"a": i})).collect();
    Exporter::new(cols(&[("A", "a")]))
        .sort_by("a", true)
        .progress(move |p| s2.lock().unwrap().push(p))
        .export_users(users, std::io::sink())
        .unwrap();
    let seen = seen.lock().unwrap();
    assert!(seen.len() >= 3);
    assert_eq!(seen.last(), Some(&Progress { read: 10_000, matched: 10_000, written: 10_000 }));
}

/// `n` varied users as NDJSON: some match `logins_count:[10 TO *]`, some fail the
/// `user.app_metadata.plan.toUpperCase()` column (no `app_metadata`), keys vary for sorting.
fn many_users(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let meta = if i % 7 == 0 {
            String::new()
        } else {
            format!(r#","app_metadata":{{"plan":"p{}"}}"#, i % 5)
        };
        s.push_str(&format!(
            r#"{{"user_id":"u{i}","email":"User{}@Example.com","logins_count":{}{meta}}}"#,
            (i * 7919) % n,
            (i * 31) % 50
        ));
        s.push('\n');
    }
    s
}

fn run_with(ex: &Exporter, input: &str) -> Result<(String, Summary), String> {
    let mut out = Vec::new();
    match ex.export_reader(input.as_bytes(), &mut out) {
        Ok(s) => Ok((String::from_utf8(out).unwrap(), s)),
        Err(e) => Err(format!("{} {e}", e.code())),
    }
}

/// The parallel path writes the same bytes and the same summary as the single-threaded one,
/// with limits, sorts, failing cells, every format, and errors midway.
#[test]
fn threads_do_not_change_results() {
    let input = many_users(3000);
    let cols = || {
        vec![
            Column::new("Id", "user.user_id").unwrap(),
            Column::new("Email", "user.email").unwrap(),
            Column::new("Plan", "user.app_metadata.plan.toUpperCase()").unwrap(),
        ]
    };
    assert!(cols().iter().all(|c| c.tier() != Tier::Js));
    let q = |t: &str| Query::parse(t).unwrap();
    let variants: Vec<Exporter> = vec![
        Exporter::new(cols()),
        Exporter::new(cols()).query(q("logins_count:[10 TO *]")),
        Exporter::new(cols()).query(q("logins_count:[10 TO *]")).limit(1234),
        Exporter::new(cols()).limit(5),
        Exporter::new(cols()).sort_by("email", true).case_insensitive_sort(true),
        Exporter::new(cols()).sort_by("logins_count", false).limit(700).format(Format::Json),
        Exporter::new(cols()).query(q("NOT app_metadata.plan:p1")).format(Format::Ndjson),
        Exporter::new(cols()).sort_by("email", false).memory_budget(16 * 1024),
    ];
    for (i, ex) in variants.iter().enumerate() {
        let one = run_with(&ex.clone().threads(1), &input).unwrap();
        assert!(one.1.cell_errors > 0 || ex.limit == Some(5), "variant {i} exercises cell errors");
        for threads in [2, 3] {
            let many = run_with(&ex.clone().threads(threads), &input).unwrap();
            assert_eq!(one.1, many.1, "variant {i}, {threads} threads: summary");
            assert!(one.0 == many.0, "variant {i}, {threads} threads: output differs");
        }
    }
    // A record that is not JSON in the middle, a truncated end, and an aborting cell.
    let broken = format!("{}{{\"user_id\": nope}}\n{}", many_users(1500), many_users(1500));
    let truncated = format!("[{}", many_users(2000).trim_end().replace('\n', ","));
    let abort = Exporter::new(vec![
        Column::new("Plan", "user.app_metadata.plan.toUpperCase()")
            .unwrap()
            .with_error_policy(ErrorPolicy::Abort),
    ]);
    for (input, ex) in [
        (&broken, Exporter::new(cols())),
        (&truncated, Exporter::new(cols()).sort_by("email", false)),
        (&input, abort),
    ] {
        let one = run_with(&ex.clone().threads(1), input);
        assert!(one.is_err());
        assert_eq!(one, run_with(&ex.clone().threads(2), input));
    }
}

/// Reading bytes parses only the attributes the export reads; exporting the same users
/// already parsed whole (`export_users`, which never projects) gives the same output.
#[test]
fn projection_does_not_change_results() {
    let input = many_users(700);
    let users: Vec<Value> = input.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let c = |specs: &[(&str, &str)]| cols(specs);
    let q = |t: &str| Query::parse(t).unwrap();
    let variants = [
        Exporter::new(c(&[("E", "user.email")])).query(q("logins_count:[10 TO *]")),
        Exporter::new(c(&[("P", "user.app_metadata?.plan ?? user.email")]))
            .sort_by("logins_count", true),
        Exporter::new(c(&[("E", "email"), ("D", "email.domain")]))
            .query(q("email.domain:example.com")),
        Exporter::new(c(&[("All", "JSON.stringify(user)")])),
        Exporter::new(Vec::new()).query(q("u1*")),
        Exporter::new(c(&[("N", "user.nope"), ("I", "user.user_id.length")])).format(Format::Json),
        // JavaScript that reads only `user.name`-style attributes is projected too.
        #[cfg(feature = "js")]
        Exporter::new(c(&[("J", "[user.email, user.user_id].filter(Boolean).join(' ')")]))
            .query(q("logins_count:[10 TO *]")),
        #[cfg(feature = "js")]
        Exporter::new(c(&[("J", "Object.keys(user).length")])),
    ];
    for (i, ex) in variants.iter().enumerate() {
        let (bytes_out, bytes_summary) = run_with(&ex.clone().threads(1), &input).unwrap();
        let mut out = Vec::new();
        let values_summary = ex.export_users(users.clone(), &mut out).unwrap();
        assert_eq!(bytes_summary, values_summary, "variant {i}: summary");
        assert!(bytes_out == String::from_utf8(out).unwrap(), "variant {i}: output differs");
    }
    let keys = |ex: &Exporter| {
        let (plan, _) = pipeline::Plan::of(ex).unwrap();
        plan.projection_keys().map(|k| k.join(","))
    };
    assert_eq!(keys(&variants[0]), Some("email,logins_count".into()));
    assert_eq!(keys(&variants[1]), Some("app_metadata{plan},email,logins_count".into()));
    assert_eq!(keys(&variants[2]), Some("email".into()));
    assert_eq!(keys(&variants[3]), None, "JSON.stringify(user) reads the whole user");
    assert_eq!(keys(&variants[4]), None, "a bare term reads every top-level attribute");
    #[cfg(feature = "js")]
    {
        assert_eq!(keys(&variants[6]), Some("email,logins_count,user_id".into()));
        assert_eq!(keys(&variants[7]), None, "Object.keys(user) reads the whole user");
    }
}

/// The same on the bundled sample (nested metadata, identities, missing attributes), with
/// every reader of a projected user: path, native and sort on a first key that is present,
/// absent or null, each query target, and a record whose wanted key is repeated.
#[test]
fn projection_matches_whole_users_on_the_sample() {
    let sample = include_str!("../../../../examples/users.export.ndjson");
    let input = format!("{sample}{}\n", r#"{"email":"a@b.c","email":"Z@b.c","logins_count":3}"#);
    let users: Vec<Value> = input.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let q = |t: &str| Some(Query::parse(t).unwrap());
    let extra = [
        ("Plan", "user.app_metadata.plan || 'free'"),
        ("Lang", "user['user_metadata']?.language ?? '-'"),
        ("Roles", "(user.app_metadata?.roles || []).map(r => r.toUpperCase()).join('|')"),
        ("Deep", "user.nope.x"),
        ("Len", "user.email.length"),
        ("Blocked", "user.blocked"),
    ];
    let queries = [
        None,
        q("_exists_:user_metadata AND logins_count:[5 TO *]"),
        q("NOT blocked:true AND (app_metadata.plan:gold OR app_metadata.plan:silver)"),
        q("email.domain:exampleco.com OR identities.connection:legacy-db"),
        q("app_metadata.roles:admin"),
        q("nope:x OR -nope2:*"),
    ];
    for (qi, query) in queries.iter().enumerate() {
        for sort in [None, Some(("logins_count", true)), Some(("user_metadata.language", false))] {
            let mut columns = Column::defaults();
            columns.extend(extra.iter().map(|(n, s)| Column::new(*n, *s).unwrap()));
            let mut ex = Exporter::new(columns).format(Format::Json);
            ex.query = query.clone();
            if let Some((path, desc)) = sort {
                ex = ex.sort_by(path, desc);
            }
            let label = format!("query {qi}, sort {sort:?}");
            let (plan, _) = pipeline::Plan::of(&ex).unwrap();
            assert!(plan.projection_keys().is_some(), "{label}: not projected");
            let (bytes_out, bytes_summary) = run_with(&ex.clone().threads(1), &input).unwrap();
            let mut out = Vec::new();
            let values_summary = ex.export_users(users.clone(), &mut out).unwrap();
            assert_eq!(bytes_summary, values_summary, "{label}: summary");
            assert!(bytes_out == String::from_utf8(out).unwrap(), "{label}: output differs");
        }
    }
}

/// A skipped attribute is still checked as JSON, with the same error at the same place.
#[test]
fn projection_reports_the_same_errors() {
    let deep = format!(r#"{{"skip":{}1{},"email":"a@b.c"}}"#, "[".repeat(200), "]".repeat(200));
    let bad: Vec<Vec<u8>> = vec![
        b"{\"skip\":\"\xff\xfe\",\"email\":\"a@b.c\"}".to_vec(),
        br#"{"skip":"\q","email":"a@b.c"}"#.to_vec(),
        br#"{"sk\uZZZZip":1,"email":"a@b.c"}"#.to_vec(),
        br#"{"skip":01,"email":"a@b.c"}"#.to_vec(),
        b"{\"skip\":\"a\x01b\",\"email\":\"a@b.c\"}".to_vec(),
        deep.into_bytes(),
        br#"{"skip":[1,2,],"email":"a@b.c"}"#.to_vec(),
        br#"{"email":"a@b.c"} x"#.to_vec(),
    ];
    let ex = Exporter::new(cols(&[("E", "user.email")])).threads(1);
    for raw in bad {
        let mut input = b"[{\"email\":\"first@b.c\"},\n".to_vec();
        input.extend_from_slice(&raw);
        input.extend_from_slice(b"]");
        let projected = ex.export_reader(&input[..], Vec::new()).map(|_| ()).unwrap_err();
        let whole = ex
            .clone()
            .columns(cols(&[("E", "JSON.stringify(user) && user.email")]))
            .export_reader(&input[..], Vec::new())
            .map(|_| ())
            .unwrap_err();
        assert_eq!(projected.to_string(), whole.to_string(), "{}", String::from_utf8_lossy(&raw));
        assert_eq!(projected.code(), whole.code());
    }
}
