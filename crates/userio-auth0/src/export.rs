//! Reading a tenant's users: the search endpoint for small selections, an export job for
//! everything else. Either way the caller gets NDJSON to stream through userio's own query,
//! sort and columns (`userio_core::export::Exporter::export_reader`).

use std::io::{BufReader, Cursor, Read, Seek};

use serde::Serialize;

use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};

/// Auth0's search never returns more than this many users for one query.
pub const SEARCH_CAP: u64 = 1000;

/// Fields requested from export jobs by default: the whole profile userio's columns use.
pub const DEFAULT_EXPORT_FIELDS: &[&str] = &[
    "user_id",
    "email",
    "email_verified",
    "username",
    "phone_number",
    "phone_verified",
    "given_name",
    "family_name",
    "name",
    "nickname",
    "picture",
    "created_at",
    "updated_at",
    "last_login",
    "last_ip",
    "logins_count",
    "blocked",
    "identities",
    "app_metadata",
    "user_metadata",
];

/// Which users to read from the tenant.
#[derive(Debug, Clone, Default)]
pub struct TenantQuery {
    /// A search v3 query (sent to the search endpoint; applied locally after an export job).
    pub q: Option<String>,
    /// Sort field and descending flag (search endpoint only; sort locally after a job).
    pub sort: Option<(String, bool)>,
    /// Only this connection (by name).
    pub connection: Option<String>,
    /// Fields for an export job (default [`DEFAULT_EXPORT_FIELDS`]).
    pub fields: Vec<String>,
    /// Force a strategy instead of deciding by count.
    pub force: Option<Strategy>,
}

/// A way of reading users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Strategy {
    /// `GET /users` search, up to 1,000 users.
    Search,
    /// `POST /jobs/users-exports`.
    ExportJob,
}

/// What was chosen, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Choice {
    /// The search endpoint returned every match (`total` < 1,000).
    Search {
        /// Matches reported by `include_totals`.
        total: u64,
    },
    /// An export job: every user of the tenant (or connection) is downloaded; the query must be
    /// applied locally.
    ExportJob {
        /// The job.
        job_id: String,
        /// Bytes downloaded (gzip).
        bytes: u64,
    },
}

impl std::fmt::Display for Choice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Choice::Search { total } => write!(
                f,
                "search endpoint: {total} matching users (under the {SEARCH_CAP}-result ceiling)"
            ),
            Choice::ExportJob { job_id, bytes } => write!(
                f,
                "export job {job_id} ({bytes} bytes gzip): the query matches {SEARCH_CAP} or more users, more than search can return, so every user is downloaded and filtered locally"
            ),
        }
    }
}

impl Choice {
    /// True when the query still has to be applied locally.
    pub fn needs_local_filter(&self) -> bool {
        matches!(self, Choice::ExportJob { .. })
    }
}

impl TenantQuery {
    fn search_q(&self) -> Option<String> {
        let conn = self.connection.as_ref().map(|c| {
            format!("identities.connection:\"{}\"", c.replace('\\', "\\\\").replace('"', "\\\""))
        });
        match (&self.q, conn) {
            (Some(q), Some(c)) => Some(format!("({q}) AND {c}")),
            (Some(q), None) => Some(q.clone()),
            (None, c) => c,
        }
    }

    fn sort_param(&self) -> Option<String> {
        self.sort.as_ref().map(|(f, desc)| format!("{f}:{}", if *desc { -1 } else { 1 }))
    }
}

impl Client {
    /// Opens the tenant's users matching `query` as an NDJSON reader, choosing search or an
    /// export job by the match count.
    pub async fn open_tenant_users(
        &self,
        query: &TenantQuery,
    ) -> Result<(Box<dyn Read + Send>, Choice)> {
        let q = query.search_q();
        let sort = query.sort_param();
        let strategy = match query.force {
            Some(s) => s,
            None => {
                let (_, total) = self.search_page(q.as_deref(), None, 0, 1).await?;
                if total < SEARCH_CAP { Strategy::Search } else { Strategy::ExportJob }
            }
        };
        match strategy {
            Strategy::Search => {
                let mut out = Vec::new();
                let mut total = 0;
                let per_page = 100u32;
                for page in 0..(SEARCH_CAP as u32 / per_page) {
                    let (users, t) =
                        self.search_page(q.as_deref(), sort.as_deref(), page, per_page).await?;
                    total = t;
                    let n = users.len();
                    for u in users {
                        serde_json::to_writer(&mut out, &u).map_err(|e| {
                            ErrorKind::BadResponse { path: "/users".into(), message: e.to_string() }
                        })?;
                        out.push(b'\n');
                    }
                    if n < per_page as usize || (u64::from(page) + 1) * u64::from(per_page) >= t {
                        break;
                    }
                }
                Ok((Box::new(Cursor::new(out)), Choice::Search { total }))
            }
            Strategy::ExportJob => {
                let conn_id = match &query.connection {
                    Some(name) => Some(
                        self.connection_by_name(name)
                            .await?
                            .ok_or_else(|| ErrorKind::ConnectionNotFound(name.clone()))?
                            .id,
                    ),
                    None => None,
                };
                let fields: Vec<String> = if query.fields.is_empty() {
                    DEFAULT_EXPORT_FIELDS.iter().map(|s| (*s).to_owned()).collect()
                } else {
                    query.fields.clone()
                };
                let job = self.create_export(conn_id.as_deref(), &fields).await?;
                let (reader, bytes) = self.download_export(&job.id).await?;
                Ok((reader, Choice::ExportJob { job_id: job.id, bytes }))
            }
        }
    }

    /// Waits for export job `id` and downloads its file to an anonymous temporary file;
    /// returns a reader of the decompressed NDJSON and the downloaded size.
    pub async fn download_export(&self, id: &str) -> Result<(Box<dyn Read + Send>, u64)> {
        let job = self.wait_job(id).await?;
        if job.status != "completed" {
            return Err(ErrorKind::JobFailed {
                job_id: id.to_owned(),
                status: job.status,
                details: job.status_details.unwrap_or_else(|| "no details given".into()),
            }
            .into());
        }
        let mut file =
            tempfile::tempfile().map_err(|e| Error::io("creating a temporary file", e))?;
        let mut location = job.location.clone().ok_or_else(|| ErrorKind::BadResponse {
            path: format!("/jobs/{id}"),
            message: "the completed export job has no location".into(),
        })?;
        let bytes = match self.download(&location, &mut file).await {
            Ok(n) => n,
            Err(_) => {
                // The signed link lives 60 s: get a fresh one and try once more.
                location = self.job(id).await?.location.unwrap_or(location);
                self.download(&location, &mut file).await?
            }
        };
        file.rewind().map_err(|e| Error::io("rewinding the downloaded export", e))?;
        let reader = userio_core::read::maybe_gunzip(Box::new(BufReader::new(file)))
            .map_err(|e| Error::io("reading the downloaded export", e))?;
        Ok((reader, bytes))
    }
}
