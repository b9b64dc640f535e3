//! Users/s for import and export through the client against the local mock tenant, and the
//! same transfers done "raw" with reqwest (no validation, journal, error mapping or retry
//! policy) to show the client's overhead.
//!
//! `cargo bench -p userio-auth0 --bench client -- --warm-up-time 1 --measurement-time 3`

use std::io::{Read, Write};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::Value;
use userio_auth0::{Config, Credentials, ImportOptions, Strategy, TenantQuery, Timings, blocking};
use userio_mockauth0::{MockAuth0, Options};
use userio_testkit::{Generator, Shape};

const IMPORT_USERS: usize = 10_000;
const EXPORT_USERS: usize = 20_000;

fn timings() -> Timings {
    Timings {
        poll_initial: Duration::from_millis(1),
        poll_max: Duration::from_millis(2),
        ..Timings::fast()
    }
}

fn raw_import(
    rt: &tokio::runtime::Runtime,
    http: &reqwest::Client,
    base: &str,
    token: &str,
    conn: &str,
    chunks: &[Vec<u8>],
) {
    rt.block_on(async {
        let mut jobs = Vec::new();
        for c in chunks {
            let form = reqwest::multipart::Form::new()
                .part("users", reqwest::multipart::Part::bytes(c.clone()).file_name("users.json"))
                .text("connection_id", conn.to_owned())
                .text("upsert", "true");
            let v: Value = http
                .post(format!("{base}/api/v2/jobs/users-imports"))
                .bearer_auth(token)
                .multipart(form)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            jobs.push(v["id"].as_str().unwrap().to_owned());
            if jobs.len() == 2 {
                wait(http, base, token, &jobs.remove(0)).await;
            }
        }
        for j in jobs {
            wait(http, base, token, &j).await;
        }
    });
}

async fn wait(http: &reqwest::Client, base: &str, token: &str, id: &str) {
    loop {
        let v: Value = http
            .get(format!("{base}/api/v2/jobs/{id}"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if v["status"] != "pending" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

fn bench(c: &mut Criterion) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mock = MockAuth0::start_with(Options {
        job_duration: Duration::from_millis(1),
        ..Options::default()
    });
    let conn = mock.add_connection("db", "auth0", true);
    let token = mock.token();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("users.json");
    {
        let users: Vec<Value> = Generator::new(1, Shape::Import).take(IMPORT_USERS).collect();
        let mut f = std::fs::File::create(&file).unwrap();
        serde_json::to_writer(&mut f, &users).unwrap();
        f.flush().unwrap();
    }
    let client = blocking::Client::new(
        Config::new(&mock.url(), Credentials::Token(token.clone().into()))
            .unwrap()
            .timings(timings()),
    )
    .unwrap();

    let mut g = c.benchmark_group("auth0_import");
    g.sample_size(10);
    g.throughput(Throughput::Elements(IMPORT_USERS as u64));
    let n = AtomicUsize::new(0);
    g.bench_function("client_import", |b| {
        b.iter(|| {
            let mut o = ImportOptions::new("db");
            o.job.upsert = true;
            o.journal = Some(dir.path().join(format!("j{}", n.fetch_add(1, Ordering::Relaxed))));
            let r = client.import(&file, &o).unwrap();
            assert_eq!(r.failed, 0);
        });
    });
    let mut chunks = Vec::new();
    userio_core::schema::split::<_, userio_core::read::ReadError>(
        std::fs::File::open(&file).unwrap(),
        userio_core::schema::DEFAULT_MAX_CHUNK_BYTES,
        |c| {
            chunks.push(c.bytes);
            Ok(())
        },
    )
    .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let http = reqwest::Client::new();
    g.bench_function("raw_reqwest_upload", |b| {
        b.iter(|| raw_import(&rt, &http, &mock.url(), &token, &conn, &chunks));
    });
    g.finish();

    mock.add_users("db", Generator::new(2, Shape::Profile).take(EXPORT_USERS));
    let total = mock.user_count("db");
    if std::env::var("PHASES").is_ok() {
        // an async client bound to `rt` (the blocking client's connections live on its own runtime)
        let client = userio_auth0::Client::new(
            Config::new(&mock.url(), Credentials::Token(token.clone().into()))
                .unwrap()
                .timings(timings()),
        )
        .unwrap();
        let fields: Vec<String> =
            userio_auth0::export::DEFAULT_EXPORT_FIELDS.iter().map(|s| s.to_string()).collect();
        let t = std::time::Instant::now();
        let job = rt.block_on(client.create_export(None, &fields)).unwrap();
        eprintln!("create {:?}", t.elapsed());
        let j = rt.block_on(client.wait_job(&job.id)).unwrap();
        eprintln!("wait {:?} {}", t.elapsed(), j.status);
        let (mut r, n) = rt.block_on(client.download_export(&job.id)).unwrap();
        eprintln!("download {:?} {n}", t.elapsed());
        let mut buf = Vec::new();
        r.read_to_end(&mut buf).unwrap();
        eprintln!("read {:?} {}", t.elapsed(), buf.len());
    }
    let mut g = c.benchmark_group("auth0_export");
    g.sample_size(10);
    g.throughput(Throughput::Elements(total as u64));
    let q = TenantQuery { force: Some(Strategy::ExportJob), ..TenantQuery::default() };
    g.bench_function("client_export_job", |b| {
        b.iter(|| {
            let (mut r, _) = client.open_tenant_users(&q).unwrap();
            let mut buf = Vec::new();
            r.read_to_end(&mut buf).unwrap();
            buf.len()
        });
    });
    // raw: the same job's file fetched and gunzipped without the client
    let (_, choice) = client.open_tenant_users(&q).unwrap();
    let userio_auth0::Choice::ExportJob { job_id, .. } = choice else { unreachable!() };
    let location = rt.block_on(async {
        let v: Value = http
            .get(format!("{}/api/v2/jobs/{job_id}", mock.url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        v["location"].as_str().unwrap().to_owned()
    });
    g.bench_function("raw_reqwest_download", |b| {
        b.iter(|| {
            let bytes = rt.block_on(async {
                http.get(&location).send().await.unwrap().bytes().await.unwrap()
            });
            let mut buf = Vec::new();
            flate2::read::MultiGzDecoder::new(&bytes[..]).read_to_end(&mut buf).unwrap();
            buf.len()
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
