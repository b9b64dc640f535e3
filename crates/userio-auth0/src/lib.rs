/*!
`userio-auth0` moves users in and out of an Auth0 tenant through the Management API.

- [`Client`] (async, tokio) and [`blocking::Client`] (own runtime) share one core.
- Authentication with a Management API token or client credentials; the token is a
  [`Secret`] that never shows in `Debug`, `Display` or errors, and is refreshed before it
  expires.
- HTTPS only (plain HTTP only to loopback, for tests). Every call has timeouts, retries with
  exponential backoff and jitter on 5xx and network errors, and waits as 429 headers say.
- [`Client::import`]: validate, check the connection, split under the 500 KB job limit,
  run jobs at most two at a time, map per-user errors back to file lines; resumable through
  a journal.
- [`Client::open_tenant_users`]: search (≤ 1,000 matches) or an export job (everything),
  chosen by count; returns NDJSON for `userio_core::export::Exporter::export_reader`.

```no_run
use userio_auth0::{blocking, Config, Credentials, ImportOptions};

let config = Config::new(
    "tenant.eu.auth0.com",
    Credentials::ClientCredentials { client_id: "…".into(), client_secret: "…".into() },
)?;
let client = blocking::Client::new(config)?;
let report = client.import("users.json".as_ref(), &ImportOptions::new("Username-Password-Authentication"))?;
println!("{} inserted, {} failed", report.inserted, report.failed);
# Ok::<(), userio_auth0::Error>(())
```
*/
#![deny(missing_docs)]

mod api;
pub mod blocking;
mod client;
mod config;
mod error;
pub mod export;
pub mod import;

pub use api::{Connection, FailedUser, Job, JobOptions, JobSummary, UserError};
pub use client::Client;
pub use config::{Config, Credentials, Secret, Timings, base_url};
pub use error::{Error, ErrorKind, Result};
pub use export::{Choice, Strategy, TenantQuery};
pub use import::{ImportOptions, ImportReport, Progress, UserFailure};
