//! `Auth0Client`: the Management API client of `userio-auth0` (connections, bulk import,
//! tenant export), every call a napi `AsyncTask` on the libuv thread pool.
//!
//! The client is `userio_auth0::blocking::Client` (its own tokio runtime), shared by the
//! tasks through an `Arc`. Reports cross as the core's serde JSON (`index.js` camel-cases
//! the keys), so they always match the Rust types.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer, Either, Result};
use napi::{Env, Task};
use napi_derive::napi;
use userio_auth0::{
    Choice, Config, Credentials, ImportOptions, Strategy, TenantQuery, Timings, blocking,
};

use crate::errors::{NativeError, export_error, options_error, write_error};
use crate::export::{NativeExportOptions, build};

/// How to reach and authenticate with the tenant.
#[napi(object)]
#[derive(Clone, Default)]
pub struct NativeAuth0Config {
    /// The tenant domain (`tenant.eu.auth0.com`) or URL (`http://` only on loopback).
    pub domain: String,
    /// A Management API token (used as is).
    pub token: Option<String>,
    /// Client credentials: the application's client id.
    pub client_id: Option<String>,
    /// Client credentials: the application's client secret.
    pub client_secret: Option<String>,
    /// Millisecond-scale timeouts and polling, for a local mock tenant in tests.
    pub fast: Option<bool>,
}

/// Bulk-import options.
#[napi(object)]
#[derive(Clone, Default)]
pub struct NativeImportOptions {
    /// Target database connection, by name.
    pub connection: String,
    /// Update users that already exist.
    pub upsert: Option<bool>,
    /// Correlation id echoed in the jobs.
    pub external_id: Option<String>,
    /// Let Auth0 email the tenant admins when each job ends.
    pub send_completion_email: Option<bool>,
    /// Largest users file per job, in bytes.
    pub max_chunk_bytes: Option<f64>,
    /// Journal path (default `<input>.import-journal.jsonl`).
    pub journal: Option<String>,
    /// Continue an interrupted import recorded in the journal.
    pub resume: Option<bool>,
}

/// Which tenant users to export.
#[napi(object)]
#[derive(Clone, Default)]
pub struct NativeTenantQuery {
    /// Only this connection (by name).
    pub connection: Option<String>,
    /// `search` or `export_job` instead of deciding by the match count.
    pub strategy: Option<String>,
}

/// A Management API failure, or a report, as data.
#[napi(object)]
pub struct NativeAuth0Outcome {
    /// The result as the core's JSON text (snake_case keys).
    pub json: Option<String>,
    /// The export's output when no `outputPath` was given.
    pub output: Option<Buffer>,
    /// Why the call failed.
    pub error: Option<NativeError>,
}

fn auth0_error(e: &userio_auth0::Error) -> NativeError {
    NativeError {
        kind: "auth0".into(),
        code: e.code().into(),
        message: e.to_string(),
        ..NativeError::default()
    }
}

/// A Management API client.
#[napi]
pub struct NativeAuth0Client {
    inner: Arc<blocking::Client>,
}

/// Builds a client; a bad config comes back as data.
#[napi]
pub fn auth0_client(config: NativeAuth0Config) -> Either<NativeAuth0Client, NativeError> {
    let credentials = match (config.token, config.client_id, config.client_secret) {
        (Some(t), None, None) => Credentials::Token(t.into()),
        (None, Some(client_id), Some(secret)) => {
            Credentials::ClientCredentials { client_id, client_secret: secret.into() }
        }
        _ => {
            return Either::B(options_error(
                "give either `token` or both `clientId` and `clientSecret`".into(),
            ));
        }
    };
    let made = Config::new(&config.domain, credentials).and_then(|c| {
        let c = if config.fast == Some(true) { c.timings(Timings::fast()) } else { c };
        blocking::Client::new(c)
    });
    match made {
        Ok(c) => Either::A(NativeAuth0Client { inner: Arc::new(c) }),
        Err(e) => Either::B(auth0_error(&e)),
    }
}

/// What a task does.
pub enum Call {
    /// `database_connections`.
    Connections,
    /// `import` of a file.
    Import(PathBuf, Box<NativeImportOptions>),
    /// `open_tenant_users` then an export.
    Export(Box<NativeTenantQuery>, Box<NativeExportOptions>),
}

/// The thread-safe result of a task.
pub struct Outcome {
    json: Option<String>,
    output: Option<Vec<u8>>,
    error: Option<NativeError>,
}

impl Outcome {
    fn failed(e: NativeError) -> Outcome {
        Outcome { json: None, output: None, error: Some(e) }
    }

    fn report(value: std::result::Result<String, serde_json::Error>) -> Outcome {
        match value {
            Ok(json) => Outcome { json: Some(json), output: None, error: None },
            Err(e) => Outcome::failed(options_error(format!("the result has no JSON form: {e}"))),
        }
    }
}

fn import_options(o: &NativeImportOptions) -> ImportOptions {
    let mut opts = ImportOptions::new(o.connection.clone());
    opts.job.upsert = o.upsert.unwrap_or(false);
    opts.job.external_id = o.external_id.clone();
    opts.job.send_completion_email = o.send_completion_email.unwrap_or(false);
    if let Some(n) = o.max_chunk_bytes {
        // A non-negative integer checked by the façade; the cast saturates.
        opts.max_chunk_bytes = n as usize;
    }
    opts.journal = o.journal.as_ref().map(PathBuf::from);
    opts.resume = o.resume.unwrap_or(false);
    opts
}

fn export(client: &blocking::Client, q: &NativeTenantQuery, o: &NativeExportOptions) -> Outcome {
    let force = match q.strategy.as_deref() {
        None => None,
        Some("search") => Some(Strategy::Search),
        Some("export_job") => Some(Strategy::ExportJob),
        Some(other) => {
            return Outcome::failed(options_error(format!(
                "strategy must be \"search\" or \"export_job\", not {other:?}"
            )));
        }
    };
    let query = TenantQuery {
        q: o.query.clone(),
        sort: o.sort_by.clone().map(|s| (s, o.descending.unwrap_or(false))),
        connection: q.connection.clone(),
        force,
        ..TenantQuery::default()
    };
    let (input, choice) = match client.open_tenant_users(&query) {
        Ok(x) => x,
        Err(e) => return Outcome::failed(auth0_error(&e)),
    };
    // The search endpoint already filtered and sorted; after an export job (every user),
    // the query and the sort run here.
    let mut local = o.clone();
    if !choice.needs_local_filter() {
        local.query = None;
        local.sort_by = None;
    }
    let exporter = match build(&local) {
        Ok(e) => e,
        Err(e) => return Outcome::failed(*e),
    };
    let strategy = match &choice {
        Choice::Search { total } => serde_json::json!({"kind": "search", "total": total}),
        Choice::ExportJob { job_id, bytes } => {
            serde_json::json!({"kind": "export_job", "job_id": job_id, "bytes": bytes})
        }
    };
    let result = match &o.output_path {
        Some(path) => {
            let file = match File::create(path) {
                Ok(f) => f,
                Err(e) => return Outcome::failed(write_error(&e)),
            };
            let mut out = BufWriter::new(file);
            match exporter.export_reader(input, &mut out) {
                Ok(s) => match out.flush() {
                    Ok(()) => Ok((s, None)),
                    Err(e) => return Outcome::failed(write_error(&e)),
                },
                Err(e) => Err(e),
            }
        }
        None => {
            let mut buf = Vec::new();
            exporter.export_reader(input, &mut buf).map(|s| (s, Some(buf)))
        }
    };
    match result {
        Ok((s, output)) => {
            let json = serde_json::json!({
                "read": s.read, "matched": s.matched, "written": s.written,
                "cell_errors": s.cell_errors, "sort_runs": s.sort_runs,
                "strategy": strategy,
            });
            Outcome { json: Some(json.to_string()), output, error: None }
        }
        Err(e) => Outcome::failed(export_error(&e)),
    }
}

/// A Management API call on the libuv thread pool.
pub struct Auth0Task {
    client: Arc<blocking::Client>,
    call: Call,
}

impl Task for Auth0Task {
    type Output = Outcome;
    type JsValue = NativeAuth0Outcome;

    fn compute(&mut self) -> Result<Outcome> {
        let client = &self.client;
        Ok(match &self.call {
            Call::Connections => match client.database_connections() {
                Ok(list) => Outcome::report(serde_json::to_string(&list)),
                Err(e) => Outcome::failed(auth0_error(&e)),
            },
            Call::Import(path, o) => match client.import(path, &import_options(o)) {
                Ok(report) => Outcome::report(serde_json::to_string(&report)),
                Err(e) => Outcome::failed(auth0_error(&e)),
            },
            Call::Export(q, o) => export(client, q, o),
        })
    }

    fn resolve(&mut self, _env: Env, o: Outcome) -> Result<NativeAuth0Outcome> {
        Ok(NativeAuth0Outcome { json: o.json, output: o.output.map(Buffer::from), error: o.error })
    }
}

#[napi]
impl NativeAuth0Client {
    fn task(&self, call: Call) -> AsyncTask<Auth0Task> {
        AsyncTask::new(Auth0Task { client: Arc::clone(&self.inner), call })
    }

    /// The tenant's database connections (JSON list of `{id, name, strategy}`).
    #[napi(ts_return_type = "Promise<NativeAuth0Outcome>")]
    pub fn connections(&self) -> AsyncTask<Auth0Task> {
        self.task(Call::Connections)
    }

    /// Imports a users file: validate, split under the job limit, run the jobs, map failures
    /// back to the file (JSON `ImportReport`).
    #[napi(ts_return_type = "Promise<NativeAuth0Outcome>")]
    pub fn import_users(&self, path: String, opts: NativeImportOptions) -> AsyncTask<Auth0Task> {
        self.task(Call::Import(PathBuf::from(path), Box::new(opts)))
    }

    /// Exports the tenant's users (search or an export job, by count) through the exporter.
    #[napi(ts_return_type = "Promise<NativeAuth0Outcome>")]
    pub fn export_users(
        &self,
        query: NativeTenantQuery,
        opts: NativeExportOptions,
    ) -> AsyncTask<Auth0Task> {
        self.task(Call::Export(Box::new(query), Box::new(opts)))
    }
}
