//! `userio import` against the mock tenant.

use std::process::Command;

use userio_mockauth0::MockAuth0;

#[test]
fn imports_reports_failed_lines_and_resumes() {
    let mock = MockAuth0::start();
    mock.add_connection("db", "auth0", true);
    mock.add_users("db", [serde_json::json!({"email": "b@example.com"})]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users.json");
    std::fs::write(
        &file,
        "[\n{\"email\":\"a@example.com\"},\n{\"email\":\"b@example.com\"},\n{\"email\":\"c@example.com\"}\n]\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_userio"))
            .arg("import")
            .arg(&file)
            .args(["--connection", "db"])
            .args(extra)
            .env("AUTH0_DOMAIN", mock.url())
            .env("AUTH0_TOKEN", mock.token())
            .env_remove("AUTH0_CLIENT_ID")
            .output()
            .unwrap()
    };
    let out = run(&[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout} {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("line 3 (user 1): b@example.com: DUPLICATED_USER"), "{stdout}");
    assert!(stdout.contains("3 users: 2 inserted, 0 updated, 1 failed (1 job(s))"), "{stdout}");

    // a plain re-run is refused; --resume uploads nothing and reports from the journal
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--resume"));
    let out = run(&["--resume"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 from the journal"));
    assert_eq!(mock.stats().import_jobs.len(), 1);

    // missing connection: clear message, exit 2
    let out = Command::new(env!("CARGO_BIN_EXE_userio"))
        .arg("import")
        .arg(&file)
        .args(["--connection", "nope", "--journal"])
        .arg(dir.path().join("j2"))
        .env("AUTH0_DOMAIN", mock.url())
        .env("AUTH0_TOKEN", mock.token())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database connection named `nope`"));
}

#[test]
fn export_from_a_tenant_says_which_endpoint_it_used() {
    let mock = MockAuth0::start();
    mock.add_connection("db", "auth0", true);
    mock.add_users(
        "db",
        ["ann@example.com", "bob@example.com", "amy@example.com"]
            .map(|e| serde_json::json!({"email": e, "created_at": "2024-01-01T00:00:00.000Z"})),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_userio"))
        .args(["export", "--domain", mock.url().as_str(), "--token", mock.token().as_str()])
        .args(["--query", "email:a*", "-c", "E=email", "--sort", "email"])
        .env_remove("AUTH0_CLIENT_ID")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "E\namy@example.com\nann@example.com\n");
    assert!(stderr.contains("search endpoint: 2 matching users"), "{stderr}");
}

#[test]
fn connections_lists_database_connections_only() {
    let mock = MockAuth0::start();
    mock.add_connection("db-one", "auth0", true);
    mock.add_connection("google", "google-oauth2", true);
    let out = Command::new(env!("CARGO_BIN_EXE_userio"))
        .args(["connections", "--domain", mock.url().as_str(), "--token", mock.token().as_str()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\tdb-one\n") && !stdout.contains("google"), "{stdout}");
}
