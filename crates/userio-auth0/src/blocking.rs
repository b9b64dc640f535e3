//! A blocking wrapper over the async [`Client`](crate::Client), with its own tokio runtime:
//! for the CLI and the Python binding (which releases the GIL around these calls).

use std::io::Read;
use std::path::Path;

use crate::api::Connection;
use crate::config::Config;
use crate::error::{ErrorKind, Result};
use crate::export::{Choice, TenantQuery};
use crate::import::{ImportOptions, ImportReport};

/// The blocking client. Do not use it from inside an async runtime (use
/// [`crate::Client`] there).
#[derive(Debug)]
pub struct Client {
    rt: tokio::runtime::Runtime,
    inner: crate::Client,
}

impl Client {
    /// Builds the client and its runtime.
    pub fn new(config: Config) -> Result<Client> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ErrorKind::Config(format!("cannot start the async runtime: {e}")))?;
        let inner = crate::Client::new(config)?;
        Ok(Client { rt, inner })
    }

    /// See [`crate::Client::database_connections`].
    pub fn database_connections(&self) -> Result<Vec<Connection>> {
        self.rt.block_on(self.inner.database_connections())
    }

    /// See [`crate::Client::import_target`].
    pub fn import_target(&self, name: &str) -> Result<Connection> {
        self.rt.block_on(self.inner.import_target(name))
    }

    /// See [`crate::Client::import`].
    pub fn import(&self, path: &Path, opts: &ImportOptions) -> Result<ImportReport> {
        self.rt.block_on(self.inner.import(path, opts))
    }

    /// See [`crate::Client::open_tenant_users`].
    pub fn open_tenant_users(&self, query: &TenantQuery) -> Result<(Box<dyn Read + Send>, Choice)> {
        self.rt.block_on(self.inner.open_tenant_users(query))
    }
}

/// Opens the tenant's users matching `query` as NDJSON: the function the CLI's
/// `userio export --domain` and the bindings call.
pub fn open_tenant_users(
    client: &Client,
    query: &TenantQuery,
) -> Result<(Box<dyn Read + Send>, Choice)> {
    client.open_tenant_users(query)
}
