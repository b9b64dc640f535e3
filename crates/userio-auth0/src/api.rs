//! Typed endpoint calls: connections, jobs, user search.

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::client::{Body, Call, Client};
use crate::error::{ErrorKind, Result};

/// A connection as listed by `GET /connections`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// `con_…`
    pub id: String,
    /// Its name (`Username-Password-Authentication`).
    pub name: String,
    /// `auth0` for database connections.
    pub strategy: String,
}

/// Counts of a finished import job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSummary {
    /// Users that failed.
    #[serde(default)]
    pub failed: u64,
    /// Users updated (upsert).
    #[serde(default)]
    pub updated: u64,
    /// Users inserted.
    #[serde(default)]
    pub inserted: u64,
    /// Users in the file.
    #[serde(default)]
    pub total: u64,
}

/// A job's status (`GET /jobs/{id}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// `job_…`
    pub id: String,
    /// `pending`, `completed`, `failed`, `expired` (anything else counts as still running).
    pub status: String,
    /// `users_import` or `users_export`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Why it failed.
    #[serde(default)]
    pub status_details: Option<String>,
    /// Counts, once an import completed.
    #[serde(default)]
    pub summary: Option<JobSummary>,
    /// Export download URL, once an export completed.
    #[serde(default)]
    pub location: Option<String>,
    /// Export progress.
    #[serde(default)]
    pub percentage_done: Option<u32>,
}

impl Job {
    /// `completed`, `failed` or `expired`.
    pub fn is_finished(&self) -> bool {
        matches!(self.status.as_str(), "completed" | "failed" | "expired")
    }
}

/// One per-user error of an import job (`GET /jobs/{id}/errors`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserError {
    /// Auth0's code (`DUPLICATED_USER`, `FORMAT`, …).
    pub code: String,
    /// Auth0's message.
    #[serde(default)]
    pub message: String,
    /// The offending field.
    #[serde(default)]
    pub path: String,
}

/// A user Auth0 refused, as echoed by the errors endpoint.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FailedUser {
    /// The user as submitted (secrets redacted).
    pub user: Value,
    /// Why.
    pub errors: Vec<UserError>,
}

/// Options of an import job.
#[derive(Debug, Clone, Default)]
pub struct JobOptions {
    /// Update users that already exist (matched by email).
    pub upsert: bool,
    /// Your correlation id, echoed in the job.
    pub external_id: Option<String>,
    /// Let Auth0 email the tenant admins when the job ends (Auth0's default is true; userio
    /// sends false unless asked, since a large import makes many jobs).
    pub send_completion_email: bool,
}

fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Client {
    /// Database connections (`strategy=auth0`), all pages.
    pub async fn database_connections(&self) -> Result<Vec<Connection>> {
        let mut out = Vec::new();
        for page in 0.. {
            let path = format!("/connections?strategy=auth0&per_page=100&page={page}");
            let v = self.get(&path, "read:connections").await?.unwrap_or(Value::Null);
            let list = match v {
                Value::Array(a) => a,
                Value::Object(mut o) => match o.remove("connections") {
                    Some(Value::Array(a)) => a,
                    _ => Vec::new(),
                },
                _ => Vec::new(),
            };
            let n = list.len();
            for c in list {
                out.push(serde_json::from_value(c).map_err(|e| ErrorKind::BadResponse {
                    path: "/connections".into(),
                    message: e.to_string(),
                })?);
            }
            if n < 100 {
                break;
            }
        }
        Ok(out)
    }

    /// The connection called `name` (any strategy), if any.
    pub async fn connection_by_name(&self, name: &str) -> Result<Option<Connection>> {
        let path = format!("/connections?name={}", enc(name));
        let v = self.get(&path, "read:connections").await?.unwrap_or(Value::Null);
        let list: Vec<Connection> = serde_json::from_value(match v {
            Value::Object(mut o) => o.remove("connections").unwrap_or(Value::Null),
            other => other,
        })
        .map_err(|e| ErrorKind::BadResponse {
            path: "/connections".into(),
            message: e.to_string(),
        })?;
        Ok(list.into_iter().find(|c| c.name == name))
    }

    /// The ids of the applications the connection is enabled for (first page is enough to
    /// know whether there is one).
    pub async fn connection_clients(&self, id: &str) -> Result<Vec<String>> {
        let path = format!("/connections/{}/clients?take=50", enc(id));
        let v = self.get(&path, "read:connections").await?.unwrap_or(Value::Null);
        Ok(v.get("clients")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.get("client_id").and_then(Value::as_str).map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Checks that `name` is a database connection enabled for at least one application, as
    /// Auth0 requires for an import; refuses otherwise before anything is uploaded.
    pub async fn import_target(&self, name: &str) -> Result<Connection> {
        let conn = self
            .connection_by_name(name)
            .await?
            .ok_or_else(|| ErrorKind::ConnectionNotFound(name.to_owned()))?;
        if conn.strategy != "auth0" {
            return Err(ErrorKind::ConnectionNotDatabase {
                name: conn.name,
                strategy: conn.strategy,
            }
            .into());
        }
        if self.connection_clients(&conn.id).await?.is_empty() {
            return Err(ErrorKind::ConnectionDisabled(conn.name).into());
        }
        Ok(conn)
    }

    /// Submits one import job (`POST /jobs/users-imports`, multipart).
    pub async fn submit_import(
        &self,
        connection_id: &str,
        users: Arc<Vec<u8>>,
        opts: &JobOptions,
    ) -> Result<Job> {
        let mut fields = vec![
            ("connection_id", connection_id.to_owned()),
            ("upsert", opts.upsert.to_string()),
            ("send_completion_email", opts.send_completion_email.to_string()),
        ];
        if let Some(e) = &opts.external_id {
            fields.push(("external_id", e.clone()));
        }
        let v = self
            .call_json(Call {
                method: Method::POST,
                path: "/jobs/users-imports",
                body: Body::Import { users, fields },
                scope: "create:users",
                idempotent: false,
            })
            .await?;
        parse_job(v, "/jobs/users-imports")
    }

    /// A job's status.
    pub async fn job(&self, id: &str) -> Result<Job> {
        let v = self.get(&format!("/jobs/{}", enc(id)), "read:users").await?;
        parse_job(v, "/jobs/{id}")
    }

    /// Polls a job with growing delays until it is `completed`, `failed` or `expired`.
    pub async fn wait_job(&self, id: &str) -> Result<Job> {
        let t = self.timings();
        let mut delay = t.poll_initial;
        loop {
            let job = self.job(id).await?;
            if job.is_finished() {
                return Ok(job);
            }
            tokio::time::sleep(delay).await;
            delay = delay.mul_f64(1.5).min(t.poll_max).max(Duration::from_millis(1));
        }
    }

    /// The per-user errors of an import job (empty for a 204).
    pub async fn job_errors(&self, id: &str) -> Result<Vec<FailedUser>> {
        let path = format!("/jobs/{}/errors", enc(id));
        match self.get(&path, "read:users").await? {
            None => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .into_iter()
                .map(|x| {
                    serde_json::from_value(x).map_err(|e| {
                        ErrorKind::BadResponse { path: path.clone(), message: e.to_string() }.into()
                    })
                })
                .collect(),
            // The job object: the job failed as a whole; no per-user list.
            Some(_) => Ok(Vec::new()),
        }
    }

    /// Creates an export job (`POST /jobs/users-exports`, format json = NDJSON).
    pub async fn create_export(
        &self,
        connection_id: Option<&str>,
        fields: &[String],
    ) -> Result<Job> {
        let mut body = json!({"format": "json"});
        if let Some(c) = connection_id {
            body["connection_id"] = json!(c);
        }
        if !fields.is_empty() {
            body["fields"] = Value::Array(fields.iter().map(|f| json!({"name": f})).collect());
        }
        let v = self
            .call_json(Call {
                method: Method::POST,
                path: "/jobs/users-exports",
                body: Body::Json(body),
                scope: "read:users",
                idempotent: true,
            })
            .await?;
        parse_job(v, "/jobs/users-exports")
    }

    /// One page of `GET /users` search (v3): `(users, total)`; `total` is capped at 1,000 by Auth0.
    pub async fn search_page(
        &self,
        q: Option<&str>,
        sort: Option<&str>,
        page: u32,
        per_page: u32,
    ) -> Result<(Vec<Value>, u64)> {
        let mut path =
            format!("/users?search_engine=v3&include_totals=true&page={page}&per_page={per_page}");
        if let Some(q) = q {
            path.push_str("&q=");
            path.push_str(&enc(q));
        }
        if let Some(s) = sort {
            path.push_str("&sort=");
            path.push_str(&enc(s));
        }
        let v = self.get(&path, "read:users").await?.unwrap_or(Value::Null);
        match v {
            Value::Array(users) => {
                let n = users.len() as u64;
                Ok((users, n))
            }
            Value::Object(mut o) => {
                let total = o.get("total").and_then(Value::as_u64).unwrap_or(0);
                let users = match o.remove("users") {
                    Some(Value::Array(a)) => a,
                    _ => Vec::new(),
                };
                Ok((users, total))
            }
            _ => Err(ErrorKind::BadResponse {
                path: "/users".into(),
                message: "expected a list of users".into(),
            }
            .into()),
        }
    }
}

fn parse_job(v: Option<Value>, path: &str) -> Result<Job> {
    serde_json::from_value(v.unwrap_or(Value::Null)).map_err(|e| {
        ErrorKind::BadResponse { path: path.into(), message: format!("not a job: {e}") }.into()
    })
}
