//! `userio export` end to end: output file through a temporary file, errors, columns.

use std::process::Command;

fn userio() -> Command {
    Command::new(env!("CARGO_BIN_EXE_userio"))
}

#[test]
fn writes_the_output_file_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.ndjson");
    std::fs::write(&input, "{\"e\":\"b\",\"n\":1}\n{\"e\":\"a\",\"n\":2}\n").unwrap();
    let cols = dir.path().join("cols.toml");
    std::fs::write(&cols, "[[columns]]\nname = \"E\"\nsource = \"e\"\n").unwrap();
    let out = dir.path().join("out.csv");
    let o = userio()
        .arg("export")
        .arg(&input)
        .args(["--columns-file"])
        .arg(&cols)
        .args(["--column", "N=n", "--sort", "e", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "E,N\na,2\nb,1\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("2 read, 2 matched, 2 written, 0 cell errors"), "{err}");
    // Only the output file (and inputs) remain: no temporary file left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 3);
}

#[test]
fn explain_prints_each_columns_tier() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.ndjson");
    std::fs::write(&input, "{\"e\":\"a@b.c\",\"n\":2}\n").unwrap();
    let o = userio()
        .arg("export")
        .arg(&input)
        .args(["--explain", "-c", "Email=e", "-c", "Domain=user.e.split('@')[1]"])
        .args(["-c", "Keys=Object.keys(user).sort().join()"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Email,Domain,Keys\na@b.c,b.c,\"e,n\"\n");
    let err = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<&str> = err.lines().take(4).collect();
    assert_eq!(
        lines,
        [
            "userio export: 3 columns (name, tier, source)",
            "  Email   path    e",
            "  Domain  native  user.e.split('@')[1]",
            "  Keys    js      Object.keys(user).sort().join()",
        ],
        "{err}"
    );
}

#[test]
fn bad_input_exits_2_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.ndjson");
    std::fs::write(&input, "{\"e\":1}\n{\"e\": tru}\n").unwrap();
    let out = dir.path().join("out.json");
    let o = userio()
        .arg("export")
        .arg(&input)
        .args(["--format", "json", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 2, column 10") && err.contains("json_invalid"), "{err}");
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn stdin_to_stdout_with_options() {
    use std::io::Write;
    let mut child = userio()
        .args(["export", "-", "--column", "V=v", "--delimiter", "tab", "--crlf", "--bom"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"[{\"v\":\"=x\"}]").unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success());
    assert_eq!(String::from_utf8(o.stdout).unwrap(), "\u{feff}V\r\n'=x\r\n");
}

#[test]
fn bad_column_flag_is_explained() {
    let o = userio().args(["export", "-", "--column", "novalue"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Name=source"));
}

#[test]
fn wildcard_columns_expand_from_a_file_and_from_stdin() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.ndjson");
    let users = "{\"e\":\"a\",\"m\":{\"z\":1,\"tags\":[\"x\",\"y\"]}}\n{\"e\":\"b\",\"m\":{\"a\":{\"b\":true}}}\n{\"e\":\"c\"}\n";
    std::fs::write(&input, users).unwrap();
    let o = userio()
        .arg("export")
        .arg(&input)
        .args(["-c", "E=e", "-c", "M=user.m.*", "--flatten-arrays", "join"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "E,m.z,m.tags,m.a.b\na,1,x;y,\nb,,,true\nc,,,\n"
    );
    // From stdin the users are buffered (and the command says so); sorted order.
    let mut child = userio()
        .args(["export", "-", "-c", "E=e", "-c", "M=m.*", "--flatten-order", "sorted"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(users.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "E,m.a.b,m.tags,m.z\na,,\"[\"\"x\"\",\"\"y\"\"]\",1\nb,true,,\nc,,,\n"
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("buffered 3 users"));
}

#[test]
fn javascript_limits_are_options() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.ndjson");
    std::fs::write(&input, "{\"e\":\"a\"}\n").unwrap();
    // 100 loop iterations for the user: over a limit of 10, under one of 1,000.
    let column = "N=(() => { let n = 0; for (let i = 0; i < 100; i++) n++; return n; })()";
    let run = |flags: &[&str]| {
        let o = userio().arg("export").arg(&input).args(["-c", column]).args(flags).output();
        let o = o.unwrap();
        let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        (o.status.code(), out.into_owned(), err.into_owned())
    };
    let (code, out, err) = run(&["--js-loop-limit", "10"]);
    assert_eq!((code, out.as_str()), (Some(0), "N\n\n"), "{err}");
    assert!(
        err.contains("column \"N\": RangeError: sandbox limit") && err.contains("loops"),
        "{err}"
    );
    assert_eq!(run(&["--js-loop-limit", "1000"]).1, "N\n100\n");
    // A time limit: a loop that only the clock stops.
    let (code, out, err) = run(&[
        "--js-time-limit",
        "50",
        "--js-loop-limit",
        "1000000000000",
        "-c",
        "W=(() => { while (true) {} })()",
    ]);
    assert_eq!((code, out.as_str()), (Some(0), "N,W\n100,\n"), "{err}");
    assert!(err.contains("time limit of 50 ms per cell exceeded"), "{err}");
    let (code, _, err) = run(&["--js-time-limit", "0"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--js-time-limit: the time limit per cell must be at least 1 ms"),
        "{err}"
    );
}

#[test]
fn cell_error_policies() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.ndjson");
    std::fs::write(&input, "{\"e\":\"a\",\"m\":{\"x\":1}}\n{\"e\":\"b\"}\n").unwrap();
    let run = |policy: &str| {
        let out = dir.path().join("out.csv");
        let _ = std::fs::remove_file(&out);
        let o = userio()
            .arg("export")
            .arg(&input)
            .args(["-c", "E=e", "-c", "X=user.m.x", "--on-cell-error", policy, "-o"])
            .arg(&out)
            .output()
            .unwrap();
        (
            o.status.code(),
            std::fs::read_to_string(&out).ok(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let (code, out, err) = run("empty");
    assert_eq!((code, out.as_deref()), (Some(0), Some("E,X\na,1\nb,\n")));
    assert!(err.contains("user #1, column \"X\": TypeError"), "{err}");
    let (code, out, _) = run("marker:#ERR");
    assert_eq!((code, out.as_deref()), (Some(0), Some("E,X\na,1\nb,#ERR\n")));
    let (code, out, err) = run("abort");
    assert_eq!((code, out), (Some(2), None));
    assert!(err.contains("user #1, column \"X\"") && err.contains("cell_error"), "{err}");
}
