//! `userio._userio.Auth0Client`: mirrors `userio_auth0::blocking::Client` (database
//! connections, resumable bulk import, reading the tenant's users). Every call releases the
//! GIL; `userio.Auth0Client` (Python) adds `export_users` on top of `download_users` and
//! `userio.export`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use userio_auth0::{Config, Credentials, ImportOptions, TenantQuery, Timings, blocking};

use crate::errors::{self, Kind};
use crate::pyjson;

fn auth0_error(py: Python<'_>, e: &userio_auth0::Error) -> PyErr {
    errors::new_err(py, Kind::Auth0, &e.to_string(), &[("code", errors::obj(py, e.code()))])
}

fn io_error(py: Python<'_>, path: &std::path::Path, e: &std::io::Error) -> PyErr {
    errors::new_err(
        py,
        Kind::Auth0,
        &format!("cannot write {}: {e}", path.display()),
        &[("code", errors::obj(py, "io_error"))],
    )
}

/// A Management API client (blocking; the GIL is released during every call).
#[pyclass(frozen, module = "userio._userio", name = "_Auth0Client")]
pub struct Auth0Client {
    inner: blocking::Client,
}

#[pymethods]
impl Auth0Client {
    #[new]
    #[pyo3(signature = (domain, *, token=None, client_id=None, client_secret=None, fast=false))]
    fn new(
        py: Python<'_>,
        domain: &str,
        token: Option<String>,
        client_id: Option<String>,
        client_secret: Option<String>,
        fast: bool,
    ) -> PyResult<Self> {
        let credentials = match (token, client_id, client_secret) {
            (Some(t), None, None) => Credentials::Token(t.into()),
            (None, Some(client_id), Some(s)) => {
                Credentials::ClientCredentials { client_id, client_secret: s.into() }
            }
            _ => {
                return Err(PyValueError::new_err(
                    "give either token=... or both client_id=... and client_secret=...",
                ));
            }
        };
        let config = Config::new(domain, credentials).map_err(|e| auth0_error(py, &e))?;
        let config = if fast { config.timings(Timings::fast()) } else { config };
        let inner = py.detach(|| blocking::Client::new(config)).map_err(|e| auth0_error(py, &e))?;
        Ok(Auth0Client { inner })
    }

    /// The tenant's database connections: a list of `{"id", "name", "strategy"}` dicts.
    fn connections<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let list =
            py.detach(|| self.inner.database_connections()).map_err(|e| auth0_error(py, &e))?;
        list.iter()
            .map(|c| {
                let v = serde_json::json!({"id": c.id, "name": c.name, "strategy": c.strategy});
                pyjson::to_py(py, &v)
            })
            .collect()
    }

    /// Validates, splits and imports `path` into `connection`; returns the core's report.
    #[pyo3(signature = (path, connection, *, upsert=false, resume=false, journal=None,
        external_id=None, send_completion_email=false, max_chunk_bytes=None))]
    #[allow(clippy::too_many_arguments)]
    fn import_users<'py>(
        &self,
        py: Python<'py>,
        path: PathBuf,
        connection: String,
        upsert: bool,
        resume: bool,
        journal: Option<PathBuf>,
        external_id: Option<String>,
        send_completion_email: bool,
        max_chunk_bytes: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut opts = ImportOptions::new(connection);
        opts.job.upsert = upsert;
        opts.job.external_id = external_id;
        opts.job.send_completion_email = send_completion_email;
        if let Some(n) = max_chunk_bytes {
            opts.max_chunk_bytes = n;
        }
        opts.journal = journal;
        opts.resume = resume;
        let report =
            py.detach(|| self.inner.import(&path, &opts)).map_err(|e| auth0_error(py, &e))?;
        let value = serde_json::to_value(&report)
            .map_err(|e| PyValueError::new_err(format!("the report has no JSON form: {e}")))?;
        pyjson::to_py(py, &value)
    }

    /// Writes the tenant's users matching `query` to `path` as NDJSON (search endpoint under
    /// 1,000 matches, else an export job: then every user, to be filtered locally). Returns
    /// `(description of the choice, needs_local_filter)`.
    #[pyo3(signature = (path, *, query=None, sort=None, descending=false, connection=None))]
    fn download_users(
        &self,
        py: Python<'_>,
        path: PathBuf,
        query: Option<String>,
        sort: Option<String>,
        descending: bool,
        connection: Option<String>,
    ) -> PyResult<(String, bool)> {
        let tenant_query = TenantQuery {
            q: query,
            sort: sort.map(|s| (s, descending)),
            connection,
            ..TenantQuery::default()
        };
        let (mut input, choice) = py
            .detach(|| self.inner.open_tenant_users(&tenant_query))
            .map_err(|e| auth0_error(py, &e))?;
        py.detach(|| -> std::io::Result<()> {
            let mut out = BufWriter::new(File::create(&path)?);
            std::io::copy(&mut input, &mut out)?;
            out.flush()
        })
        .map_err(|e| io_error(py, &path, &e))?;
        Ok((choice.to_string(), choice.needs_local_filter()))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Auth0Client>()
}
