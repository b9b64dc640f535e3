//! The client against the in-repo mock tenant (`userio-mockauth0`) on 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use userio_auth0::{
    Choice, Config, Credentials, ImportOptions, Strategy, TenantQuery, Timings, blocking,
};
use userio_mockauth0::{Fault, MockAuth0, Options};
use userio_testkit::{Generator, Shape};

const DB: &str = "Username-Password-Authentication";

fn client_with(mock: &MockAuth0, creds: Credentials) -> blocking::Client {
    let config = Config::new(&mock.url(), creds).unwrap().timings(Timings::fast());
    blocking::Client::new(config).unwrap()
}

fn client(mock: &MockAuth0) -> blocking::Client {
    client_with(mock, Credentials::Token(mock.token().into()))
}

fn cc(mock: &MockAuth0) -> blocking::Client {
    let _ = mock;
    client_with(
        mock,
        Credentials::ClientCredentials {
            client_id: "test-client".into(),
            client_secret: "test-secret".into(),
        },
    )
}

/// Writes `n` import users, one per line inside the array: user `i` starts on line `i + 2`.
fn users_file(dir: &Path, n: usize) -> (PathBuf, Vec<Value>) {
    let users: Vec<Value> = Generator::new(42, Shape::Import).take(n).collect();
    let path = dir.join("users.json");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "[").unwrap();
    for (i, u) in users.iter().enumerate() {
        let sep = if i + 1 < n { "," } else { "" };
        writeln!(f, "{u}{sep}").unwrap();
    }
    writeln!(f, "]").unwrap();
    (path, users)
}

fn tenant() -> (MockAuth0, tempfile::TempDir) {
    let mock = MockAuth0::start();
    mock.add_connection(DB, "auth0", true);
    (mock, tempfile::tempdir().unwrap())
}

fn opts(dir: &Path) -> ImportOptions {
    let mut o = ImportOptions::new(DB);
    o.max_chunk_bytes = 200_000;
    o.journal = Some(dir.join("journal.jsonl"));
    o
}

#[test]
fn imports_5000_users_in_several_jobs_and_maps_user_errors_to_lines() {
    let (mock, dir) = tenant();
    let (path, users) = users_file(dir.path(), 5000);
    // Users 10, 2500 and 4999 already exist in the tenant: Auth0 refuses them as duplicates.
    let dups = [10usize, 2500, 4999];
    mock.add_users(
        DB,
        dups.iter().map(|&i| json!({"email": users[i]["email"], "user_id": "auth0|old"})),
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut o = opts(dir.path());
    let s = seen.clone();
    o.progress = Some(Arc::new(move |p| s.lock().unwrap().push(p.users_done)));
    let report = client(&mock).import(&path, &o).unwrap();

    assert!(report.chunks.len() >= 5, "{} chunks", report.chunks.len());
    assert_eq!(report.users, 5000);
    assert_eq!(report.inserted, 4997);
    assert_eq!(report.failed, 3);
    assert!(!report.is_ok());
    let got: Vec<(Option<u64>, Option<u64>)> =
        report.failures.iter().map(|f| (f.index, f.line)).collect();
    let want: Vec<(Option<u64>, Option<u64>)> =
        dups.iter().map(|&i| (Some(i as u64), Some(i as u64 + 2))).collect();
    assert_eq!(got, want);
    assert!(report.failures.iter().all(|f| f.errors[0].code == "DUPLICATED_USER"));
    assert_eq!(report.failures[1].email.as_deref(), users[2500]["email"].as_str());
    let stats = mock.stats();
    assert_eq!(stats.import_jobs.len(), report.chunks.len());
    assert_eq!(stats.import_jobs.iter().map(|(_, n)| n).sum::<usize>(), 5000);
    assert!(stats.max_active_imports_seen <= 2);
    assert_eq!(mock.user_count(DB), 5000);
    assert_eq!(seen.lock().unwrap().last().copied(), Some(5000));
    // Journal: a second plain run refuses to import again.
    let err = client(&mock).import(&path, &opts(dir.path())).unwrap_err();
    assert_eq!(err.code(), "journal_error");
    assert!(err.to_string().contains("--resume"), "{err}");
}

#[test]
fn resumes_an_interrupted_import_without_uploading_a_chunk_twice() {
    let (mock, dir) = tenant();
    let (path, _) = users_file(dir.path(), 5000);
    let c = client(&mock);
    let mut o = opts(dir.path());
    o.stop_after_chunks = Some(2);
    let first = c.import(&path, &o).unwrap();
    assert!(first.interrupted);
    assert_eq!(mock.stats().import_jobs.len(), 2);

    // second run: resumes, stops again after two more uploads
    o.resume = true;
    let second = c.import(&path, &o).unwrap();
    assert!(second.interrupted);
    assert_eq!(mock.stats().import_jobs.len(), 4);

    // third run: finishes; the journal supplies what earlier runs finished
    o.stop_after_chunks = None;
    let done = c.import(&path, &o).unwrap();
    assert!(!done.interrupted);
    assert!(done.is_ok(), "{done:?}");
    assert_eq!(done.inserted, 5000);
    let stats = mock.stats();
    assert_eq!(stats.import_jobs.len(), done.chunks.len());
    assert_eq!(stats.import_jobs.iter().map(|(_, n)| n).sum::<usize>(), 5000);
    let mut ids: Vec<&String> = stats.import_jobs.iter().map(|(id, _)| id).collect();
    ids.dedup();
    assert_eq!(ids.len(), done.chunks.len());
    assert_eq!(mock.user_count(DB), 5000);

    // a fourth resume uploads nothing and reports the same totals from the journal
    let again = c.import(&path, &o).unwrap();
    assert_eq!(again.inserted, 5000);
    assert_eq!(again.chunks_from_journal, done.chunks.len());
    assert_eq!(mock.stats().import_jobs.len(), done.chunks.len());
}

#[test]
fn honours_rate_limits_and_the_two_job_limit() {
    let (mock, dir) = tenant();
    let (path, _) = users_file(dir.path(), 600);
    mock.inject(Fault::rate_limit("/api/v2/connections", 3, 0));
    mock.inject(Fault::Status {
        method: Some("POST"),
        path_prefix: "/api/v2/jobs/users-imports".into(),
        times: 3,
        status: 429,
        headers: vec![],
        body: json!({"statusCode":429,"error":"Too Many Requests","message":"There are 2 active import users jobs, please wait until some of them are finished and try again"}),
    });
    let report = client(&mock).import(&path, &opts(dir.path())).unwrap();
    assert_eq!(report.inserted, 600);
    assert!(mock.stats().max_active_imports_seen <= 2);

    // a limit that never lifts ends in a clear error
    mock.inject(Fault::rate_limit("/api/v2/connections", 1000, 0));
    let err = client(&mock).database_connections().unwrap_err();
    assert_eq!(err.code(), "rate_limited");
    assert!(err.to_string().contains("429"), "{err}");
    mock.clear_faults();
}

#[test]
fn exports_50000_users_through_an_export_job_and_small_selections_through_search() {
    let mock = MockAuth0::start_with(Options {
        job_duration: Duration::from_millis(50),
        ..Options::default()
    });
    mock.add_connection(DB, "auth0", true);
    let users: Vec<Value> = Generator::new(7, Shape::Profile).take(50_000).collect();
    let verified = users.iter().filter(|u| u["email_verified"] == json!(true)).count();
    mock.add_users(DB, users.clone());
    let c = client(&mock);

    let query = TenantQuery { q: Some("email_verified:true".into()), ..TenantQuery::default() };
    let (mut reader, choice) = c.open_tenant_users(&query).unwrap();
    assert!(matches!(choice, Choice::ExportJob { .. }), "{choice}");
    assert!(choice.needs_local_filter());
    let mut ndjson = Vec::new();
    reader.read_to_end(&mut ndjson).unwrap();
    let mut total = 0;
    let mut matched = 0;
    for line in ndjson.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
        total += 1;
        // the local filter the exporter applies (a substring test is enough on this data)
        if memmem(line, br#""email_verified":true"#) {
            matched += 1;
        }
    }
    assert_eq!(total, 50_000);
    assert_eq!(matched, verified);
    assert_eq!(mock.stats().export_jobs, 1);

    // the same stream feeds the core exporter
    let summary = userio_core::export::Exporter::new(userio_core::expr::Column::defaults())
        .format(userio_core::export::Format::Ndjson)
        .export_reader(&ndjson[..], std::io::sink())
        .unwrap();
    assert_eq!(summary.read, 50_000);

    // one user: search endpoint, with sort
    let email = users[123]["email"].as_str().unwrap().to_owned();
    let small = TenantQuery {
        q: Some(format!("email:\"{email}\"")),
        sort: Some(("created_at".into(), true)),
        ..TenantQuery::default()
    };
    let (reader, choice) = c.open_tenant_users(&small).unwrap();
    assert_eq!(choice, Choice::Search { total: 1 });
    let lines: Vec<String> = BufReader::new(reader).lines().map(Result::unwrap).collect();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains(&email));
}

#[test]
fn search_pages_up_to_the_ceiling() {
    let mock = MockAuth0::start();
    mock.add_connection(DB, "auth0", true);
    mock.add_users(DB, Generator::new(3, Shape::Profile).take(1500));
    let q = TenantQuery {
        force: Some(Strategy::Search),
        sort: Some(("email".into(), false)),
        ..TenantQuery::default()
    };
    let (reader, choice) = client(&mock).open_tenant_users(&q).unwrap();
    assert_eq!(choice, Choice::Search { total: 1000 });
    let emails: Vec<String> = BufReader::new(reader)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(&l.unwrap()).unwrap()["email"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(emails.len(), 1000);
    assert!(emails.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn refreshes_client_credential_tokens() {
    let mock =
        MockAuth0::start_with(Options { token_ttl: Duration::from_secs(1), ..Options::default() });
    mock.add_connection(DB, "auth0", true);
    // refresh before expiry (margin 200 ms of a 1 s token)
    let c = cc(&mock);
    c.database_connections().unwrap();
    c.database_connections().unwrap();
    assert_eq!(mock.stats().tokens_issued, 1);
    std::thread::sleep(Duration::from_millis(900));
    c.database_connections().unwrap();
    assert_eq!(mock.stats().tokens_issued, 2);

    // a token that expired anyway (no margin) is refreshed on the 401
    let config = Config::new(
        &mock.url(),
        Credentials::ClientCredentials {
            client_id: "test-client".into(),
            client_secret: "test-secret".into(),
        },
    )
    .unwrap()
    .timings(Timings { token_refresh_margin: Duration::ZERO, ..Timings::fast() });
    let c = blocking::Client::new(config).unwrap();
    c.database_connections().unwrap();
    std::thread::sleep(Duration::from_millis(1100));
    c.database_connections().unwrap();
    assert_eq!(mock.stats().tokens_issued, 4);
}

#[test]
fn clear_errors_for_each_failure_mode() {
    let (mock, dir) = tenant();
    let (path, _) = users_file(dir.path(), 300);
    for sub in ["a", "b", "c"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
    }

    // 401: a bad static token; the token never appears in the message
    let c = client_with(&mock, Credentials::Token("sekrit-token-value".into()));
    let err = c.database_connections().unwrap_err();
    assert_eq!(err.code(), "unauthorized");
    assert!(!format!("{err} {err:?}").contains("sekrit"));

    // bad client secret
    let c = client_with(
        &mock,
        Credentials::ClientCredentials {
            client_id: "test-client".into(),
            client_secret: "wrong-secret".into(),
        },
    );
    let err = c.database_connections().unwrap_err();
    assert_eq!(err.code(), "token_request_failed");
    assert!(!format!("{err} {err:?}").contains("wrong-secret"));

    // 403: each missing scope is named
    let tok = mock.issue_token(&["read:users"], Duration::from_secs(60));
    let err = client_with(&mock, Credentials::Token(tok.into())).import_target(DB).unwrap_err();
    assert_eq!(err.code(), "missing_scope");
    assert!(err.to_string().contains("`read:connections`"), "{err}");
    let tok = mock.issue_token(&["read:users", "read:connections"], Duration::from_secs(60));
    let err = client_with(&mock, Credentials::Token(tok.into()))
        .import(&path, &opts(&dir.path().join("a")))
        .unwrap_err();
    assert_eq!(err.code(), "missing_scope");
    assert!(err.to_string().contains("`create:users`"), "{err}");

    // connections: not database, disabled, missing
    mock.add_connection("google-oauth2", "google-oauth2", true);
    mock.add_connection("closed-db", "auth0", false);
    let c = client(&mock);
    let err = c.import_target("google-oauth2").unwrap_err();
    assert_eq!(err.code(), "connection_not_database");
    let err = c.import_target("closed-db").unwrap_err();
    assert_eq!(err.code(), "connection_disabled");
    assert_eq!(
        err.to_string(),
        "Cannot import users to a connection that is not enabled. Please enable at least one client for closed-db"
    );
    assert_eq!(c.import_target("nope").unwrap_err().code(), "connection_not_found");
    assert_eq!(mock.stats().import_jobs.len(), 0, "nothing uploaded");

    // 500s are retried; a server that keeps failing gives up clearly
    mock.inject(Fault::status("/api/v2/connections", 2, 500));
    assert_eq!(c.database_connections().unwrap().len(), 2);
    mock.inject(Fault::status("/api/v2/connections", 100, 503));
    let err = c.database_connections().unwrap_err();
    assert_eq!(err.code(), "server_error");
    assert!(err.to_string().contains("503"), "{err}");
    mock.clear_faults();

    // dropped connections: retried on reads; a read that keeps dropping fails clearly
    mock.inject(Fault::Drop { method: None, path_prefix: "/api/v2/connections".into(), times: 2 });
    c.database_connections().unwrap();
    mock.inject(Fault::Drop {
        method: None,
        path_prefix: "/api/v2/connections".into(),
        times: 100,
    });
    let err = c.database_connections().unwrap_err();
    assert_eq!(err.code(), "network_error");
    mock.clear_faults();

    // 413
    let small = MockAuth0::start_with(Options { max_import_payload: 50_000, ..Options::default() });
    small.add_connection(DB, "auth0", true);
    let mut o = opts(&dir.path().join("b"));
    o.max_chunk_bytes = 100_000;
    let err = client(&small).import(&path, &o).unwrap_err();
    assert_eq!(err.code(), "payload_too_large");
    assert!(err.to_string().contains("chunk size"), "{err}");

    // a job that fails as a whole is reported, with its users counted as failed
    mock.inject(Fault::FailJob {
        times: 1,
        details: "Failed to parse users file JSON when importing users.".into(),
    });
    let report = c.import(&path, &opts(&dir.path().join("c"))).unwrap();
    let failed: Vec<_> = report.failed_jobs().collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].status, "failed");
    assert!(failed[0].details.as_deref().unwrap().contains("parse"));
    assert_eq!(report.failed, failed[0].users);
    assert!(!report.is_ok());

    // insecure URL
    let err = Config::new("http://tenant.example.com", Credentials::Token("t".into())).unwrap_err();
    assert_eq!(err.code(), "insecure_url");
    assert!(Config::new("tenant.eu.auth0.com", Credentials::Token("t".into())).is_ok());
    let cfg = Config::new("https://x.auth0.com", Credentials::Token("abc-secret".into())).unwrap();
    assert!(!format!("{cfg:?}").contains("abc-secret"));
}

#[test]
fn an_upload_cut_off_midway_is_not_resent_without_consent() {
    let (mock, dir) = tenant();
    let (path, _) = users_file(dir.path(), 1500);
    let c = client(&mock);
    let mut o = opts(dir.path());
    mock.inject(Fault::Drop {
        method: Some("POST"),
        path_prefix: "/api/v2/jobs/users-imports".into(),
        times: 1,
    });
    let err = c.import(&path, &o).unwrap_err();
    assert_eq!(err.code(), "upload_uncertain");
    assert!(err.to_string().contains("chunk 0"), "{err}");
    o.resume = true;
    let err = c.import(&path, &o).unwrap_err();
    assert_eq!(err.code(), "upload_uncertain");
    o.resubmit_uncertain = true;
    let report = c.import(&path, &o).unwrap();
    assert!(report.is_ok(), "{report:?}");
    assert_eq!(mock.user_count(DB), 1500);
}

#[test]
fn an_invalid_file_is_refused_before_anything_is_uploaded() {
    let (mock, dir) = tenant();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, "[{\"email\":\"a@example.com\"},]").unwrap();
    let err = client(&mock).import(&path, &opts(dir.path())).unwrap_err();
    assert_eq!(err.code(), "invalid_file");
    assert!(err.to_string().contains("line 1"), "{err}");
    assert_eq!(mock.stats().import_jobs.len(), 0);
}

fn memmem(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
