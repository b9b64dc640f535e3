//! A local stand-in for the parts of Auth0's Management API that userio uses, following the
//! documented contract (`shared/reference/auth0-import.md` §2–§3):
//!
//! - `POST /oauth/token` (client credentials; tokens expire after [`Options::token_ttl`]);
//! - bearer-token and scope checks on every `/api/v2` call (401 / 403 bodies as Auth0 sends them);
//! - `GET /api/v2/connections`, `GET /api/v2/connections/{id}/clients`;
//! - `POST /api/v2/jobs/users-imports` (multipart; 413 over 512,000 bytes; 429 when two import
//!   jobs are active; per-user errors: invalid email, duplicate, invalid bcrypt hash);
//! - `GET /api/v2/jobs/{id}` and `/errors`; `POST /api/v2/jobs/users-exports` with a gzip NDJSON
//!   file at a `location` served by `GET /download/...`;
//! - `GET /api/v2/users` (search v3 subset: `field:value`, `field:prefix*`, `AND`; paging with the
//!   1,000-result ceiling; `include_totals`; `sort`).
//!
//! Faults can be injected ([`Fault`]): any status with headers (429 with `retry-after` or
//! `x-ratelimit-reset`, 500, …), a dropped connection, or a failing import job.
//!
//! The server runs on its own thread and tokio runtime, on `127.0.0.1` with a random port, so
//! it serves blocking and async tests alike. It stops when the [`MockAuth0`] is dropped.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

/// Every scope the mock knows.
pub const ALL_SCOPES: &[&str] = &["read:users", "create:users", "read:connections"];

/// How the tenant behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Client id accepted by `/oauth/token`.
    pub client_id: String,
    /// Client secret accepted by `/oauth/token`.
    pub client_secret: String,
    /// Scopes granted to issued tokens.
    pub scopes: Vec<String>,
    /// Lifetime of issued tokens (`expires_in`).
    pub token_ttl: Duration,
    /// How long an import or export job stays `pending`.
    pub job_duration: Duration,
    /// Active import jobs allowed at once (Auth0: 2).
    pub max_active_imports: usize,
    /// Request size limit of the import endpoint (Auth0: 512,000).
    pub max_import_payload: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            client_id: "test-client".into(),
            client_secret: "test-secret".into(),
            scopes: ALL_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
            token_ttl: Duration::from_secs(86_400),
            job_duration: Duration::from_millis(20),
            max_active_imports: 2,
            max_import_payload: 512_000,
        }
    }
}

/// A fault to inject into the next matching requests.
#[derive(Debug, Clone)]
pub enum Fault {
    /// Answer with this status, headers and JSON body instead of the real response.
    Status {
        /// Only requests with this method (`None`: any).
        method: Option<&'static str>,
        /// Only paths starting with this.
        path_prefix: String,
        /// How many requests to affect.
        times: u32,
        /// The status code.
        status: u16,
        /// Extra headers (`retry-after`, `x-ratelimit-reset`, …).
        headers: Vec<(String, String)>,
        /// The body.
        body: Value,
    },
    /// Close the connection without answering.
    Drop {
        /// Only requests with this method (`None`: any).
        method: Option<&'static str>,
        /// Only paths starting with this.
        path_prefix: String,
        /// How many requests to affect.
        times: u32,
    },
    /// The next `times` import jobs fail as a whole with this `status_details`.
    FailJob {
        /// How many jobs.
        times: u32,
        /// The job's `status_details`.
        details: String,
    },
}

impl Fault {
    /// A rate-limit 429 with `retry-after: secs` on `times` requests under `path_prefix`.
    pub fn rate_limit(path_prefix: &str, times: u32, retry_after_secs: u64) -> Fault {
        Fault::Status {
            method: None,
            path_prefix: path_prefix.into(),
            times,
            status: 429,
            headers: vec![
                ("retry-after".into(), retry_after_secs.to_string()),
                ("x-ratelimit-limit".into(), "2".into()),
                ("x-ratelimit-remaining".into(), "0".into()),
                ("x-ratelimit-reset".into(), (now_epoch() + retry_after_secs).to_string()),
            ],
            body: json!({"statusCode":429,"error":"Too Many Requests","message":"Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset headers."}),
        }
    }

    /// A plain error status with Auth0's error body on `times` requests under `path_prefix`.
    pub fn status(path_prefix: &str, times: u32, status: u16) -> Fault {
        Fault::Status {
            method: None,
            path_prefix: path_prefix.into(),
            times,
            status,
            headers: Vec::new(),
            body: json!({"statusCode": status, "error": "Internal Server Error", "message": "injected fault"}),
        }
    }
}

/// What the server has seen.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Requests handled (faults included).
    pub requests: u64,
    /// Tokens issued by `/oauth/token`.
    pub tokens_issued: u64,
    /// Accepted import jobs: (job id, number of users in the file).
    pub import_jobs: Vec<(String, usize)>,
    /// Highest number of import jobs active at once.
    pub max_active_imports_seen: usize,
    /// Export jobs created.
    pub export_jobs: u64,
    /// 429s sent because two import jobs were active.
    pub concurrency_rejections: u64,
}

#[derive(Debug)]
struct Connection {
    id: String,
    name: String,
    strategy: String,
    clients: Vec<String>,
}

#[derive(Debug)]
struct Job {
    id: String,
    kind: &'static str,
    connection_id: Option<String>,
    created: Instant,
    external_id: Option<String>,
    upsert: bool,
    users: Option<Vec<Value>>,
    fail: Option<String>,
    done: Option<JobResult>,
    fields: Option<Value>,
}

#[derive(Debug)]
struct JobResult {
    status: &'static str,
    details: Option<String>,
    summary: Value,
    errors: Vec<Value>,
    location: Option<String>,
}

#[derive(Debug, Default)]
struct State {
    opts: Options,
    base: String,
    connections: Vec<Connection>,
    /// All users of the tenant, with their connection name in `identities[0].connection`.
    users: Vec<Value>,
    by_email: HashMap<(String, String), usize>,
    tokens: HashMap<String, (Instant, Vec<String>)>,
    jobs: HashMap<String, Job>,
    files: HashMap<String, Arc<Vec<u8>>>,
    faults: VecDeque<Fault>,
    stats: Stats,
    counter: u64,
}

/// A running mock tenant. Dropping it stops the server.
pub struct MockAuth0 {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for MockAuth0 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockAuth0").field("addr", &self.addr).finish_non_exhaustive()
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn now_epoch() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl MockAuth0 {
    /// Starts a tenant with default options.
    pub fn start() -> MockAuth0 {
        Self::start_with(Options::default())
    }

    /// Starts a tenant on `127.0.0.1` with a random port.
    ///
    /// # Panics
    /// When the port cannot be bound or the runtime cannot start (test setup failures).
    pub fn start_with(opts: Options) -> MockAuth0 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener.set_nonblocking(true).expect("nonblocking listener");
        let addr = listener.local_addr().expect("local addr");
        let state = Arc::new(Mutex::new(State {
            opts,
            base: format!("http://{addr}"),
            ..State::default()
        }));
        let (tx, mut rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("mock runtime");
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                loop {
                    tokio::select! {
                        _ = &mut rx => break,
                        acc = listener.accept() => {
                            let Ok((stream, _)) = acc else { continue };
                            let st = st.clone();
                            tokio::spawn(async move {
                                let svc = hyper::service::service_fn(move |req| {
                                    let st = st.clone();
                                    async move { handle(st, req).await }
                                });
                                let _ = hyper::server::conn::http1::Builder::new()
                                    .serve_connection(TokioIo::new(stream), svc)
                                    .await;
                            });
                        }
                    }
                }
            });
        });
        MockAuth0 { addr, state, stop: Some(tx), thread: Some(thread) }
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Issues a token with `scopes` valid for `ttl`, as if obtained elsewhere.
    pub fn issue_token(&self, scopes: &[&str], ttl: Duration) -> String {
        let mut st = lock(&self.state);
        st.counter += 1;
        let tok = format!("mocktok_{}_{}", st.counter, fastish_rand(st.counter));
        st.tokens.insert(
            tok.clone(),
            (Instant::now() + ttl, scopes.iter().map(|s| (*s).to_owned()).collect()),
        );
        tok
    }

    /// A token with every scope, valid for a day.
    pub fn token(&self) -> String {
        self.issue_token(ALL_SCOPES, Duration::from_secs(86_400))
    }

    /// Adds a connection; `enabled` gives it one client. Returns its id (`con_` + 16 chars).
    pub fn add_connection(&self, name: &str, strategy: &str, enabled: bool) -> String {
        let mut st = lock(&self.state);
        let id = format!("con_{:016}", st.connections.len() + 1);
        let clients = if enabled { vec!["client_app_1".to_owned()] } else { Vec::new() };
        st.connections.push(Connection {
            id: id.clone(),
            name: name.into(),
            strategy: strategy.into(),
            clients,
        });
        id
    }

    /// Puts existing users (profile shape) into the tenant, in connection `connection`.
    pub fn add_users(&self, connection: &str, users: impl IntoIterator<Item = Value>) {
        let mut st = lock(&self.state);
        for mut u in users {
            if let Some(obj) = u.as_object_mut() {
                obj.insert(
                    "identities".into(),
                    json!([{"connection": connection, "provider": "auth0", "isSocial": false}]),
                );
            }
            insert_user(&mut st, connection, u);
        }
    }

    /// How many users the tenant holds in `connection`.
    pub fn user_count(&self, connection: &str) -> usize {
        let st = lock(&self.state);
        st.users.iter().filter(|u| conn_of(u) == Some(connection)).count()
    }

    /// Queues a fault.
    pub fn inject(&self, fault: Fault) {
        lock(&self.state).faults.push_back(fault);
    }

    /// Removes every queued fault.
    pub fn clear_faults(&self) {
        lock(&self.state).faults.clear();
    }

    /// What the server has seen so far.
    pub fn stats(&self) -> Stats {
        lock(&self.state).stats.clone()
    }
}

impl Drop for MockAuth0 {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn fastish_rand(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15) ^ now_epoch();
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z ^ (z >> 31)
}

fn conn_of(u: &Value) -> Option<&str> {
    u.pointer("/identities/0/connection").and_then(Value::as_str)
}

fn insert_user(st: &mut State, connection: &str, u: Value) {
    if let Some(email) = u.get("email").and_then(Value::as_str) {
        st.by_email.insert((connection.to_owned(), email.to_lowercase()), st.users.len());
    }
    st.users.push(u);
}

type Resp = Response<Full<Bytes>>;

/// The error type that makes hyper drop the connection without answering.
#[derive(Debug)]
struct Dropped;
impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}
impl std::error::Error for Dropped {}

fn json_resp(status: u16, body: &Value) -> Resp {
    let mut r = Response::new(Full::new(Bytes::from(body.to_string())));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    r.headers_mut()
        .insert("content-type", hyper::header::HeaderValue::from_static("application/json"));
    r
}

fn api_error(status: u16, error: &str, message: &str, code: Option<&str>) -> Resp {
    let mut body = json!({"statusCode": status, "error": error, "message": message});
    if let Some(c) = code {
        body["errorCode"] = json!(c);
    }
    json_resp(status, &body)
}

async fn handle(state: Arc<Mutex<State>>, req: Request<Incoming>) -> Result<Resp, Dropped> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = req.uri().query().unwrap_or("").to_owned();
    let headers = req.headers().clone();
    let body = match req.into_body().collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Err(Dropped),
    };
    let mut st = lock(&state);
    st.stats.requests += 1;
    // faults
    let mut hit = None;
    for (i, f) in st.faults.iter_mut().enumerate() {
        let (m, prefix, times) = match f {
            Fault::Status { method, path_prefix, times, .. }
            | Fault::Drop { method, path_prefix, times } => (*method, path_prefix.as_str(), times),
            Fault::FailJob { .. } => continue,
        };
        if *times > 0 && path.starts_with(prefix) && m.is_none_or(|m| m == method.as_str()) {
            *times -= 1;
            hit = Some((i, *times == 0));
            break;
        }
    }
    if let Some((i, exhausted)) = hit {
        let fault = if exhausted { st.faults.remove(i) } else { st.faults.get(i).cloned() };
        match fault {
            Some(Fault::Drop { .. }) => return Err(Dropped),
            Some(Fault::Status { status, headers, body, .. }) => {
                let mut r = json_resp(status, &body);
                for (k, v) in headers {
                    if let (Ok(k), Ok(v)) = (
                        hyper::header::HeaderName::from_bytes(k.as_bytes()),
                        hyper::header::HeaderValue::from_str(&v),
                    ) {
                        r.headers_mut().insert(k, v);
                    }
                }
                return Ok(r);
            }
            _ => {}
        }
    }
    let ctype = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    if method == Method::POST && path == "/oauth/token" {
        return Ok(token(&mut st, &body, &ctype));
    }
    if method == Method::GET && path.starts_with("/download/") {
        return Ok(match st.files.get(&path["/download/".len()..]) {
            Some(bytes) => {
                let mut r = Response::new(Full::new(Bytes::from(bytes.as_ref().clone())));
                r.headers_mut().insert(
                    "content-type",
                    hyper::header::HeaderValue::from_static("application/gzip"),
                );
                r
            }
            None => api_error(404, "Not Found", "no such file", None),
        });
    }
    let Some(api) = path.strip_prefix("/api/v2") else {
        return Ok(api_error(404, "Not Found", "Not Found", None));
    };
    // authentication
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or("");
    let Some(tok) = auth.strip_prefix("Bearer ") else {
        return Ok(api_error(401, "Unauthorized", "Missing authentication", None));
    };
    let scopes = match st.tokens.get(tok) {
        None => return Ok(api_error(401, "Unauthorized", "Invalid token", Some("invalid_token"))),
        Some((exp, _)) if *exp <= Instant::now() => {
            return Ok(api_error(
                401,
                "Unauthorized",
                "Expired token received for JSON Web Token validation",
                Some("invalid_token"),
            ));
        }
        Some((_, scopes)) => scopes.clone(),
    };
    let need = |s: &str| -> Option<Resp> {
        if scopes.iter().any(|x| x == s) {
            None
        } else {
            Some(api_error(
                403,
                "Forbidden",
                &format!("Insufficient scope, expected any of: {s}"),
                Some("insufficient_scope"),
            ))
        }
    };
    let q = parse_query(&query);
    let segs: Vec<&str> = api.trim_matches('/').split('/').collect();
    let resp = match (&method, segs.as_slice()) {
        (&Method::GET, ["connections"]) => need("read:connections").unwrap_or_else(|| {
            let list: Vec<Value> = st
                .connections
                .iter()
                .filter(|c| q.get("strategy").is_none_or(|s| s == &c.strategy))
                .filter(|c| q.get("name").is_none_or(|s| s == &c.name))
                .map(|c| json!({"id": c.id, "name": c.name, "strategy": c.strategy, "display_name": c.name}))
                .collect();
            json_resp(200, &Value::Array(list))
        }),
        (&Method::GET, ["connections", id, "clients"]) => need("read:connections")
            .unwrap_or_else(|| match st.connections.iter().find(|c| c.id == *id) {
                None => api_error(404, "Not Found", "The connection does not exist", None),
                Some(c) => {
                    let clients: Vec<Value> =
                        c.clients.iter().map(|id| json!({"client_id": id})).collect();
                    json_resp(200, &json!({"clients": clients}))
                }
            }),
        (&Method::POST, ["jobs", "users-imports"]) => {
            need("create:users").unwrap_or_else(|| import(&mut st, &body, &ctype))
        }
        (&Method::POST, ["jobs", "users-exports"]) => {
            need("read:users").unwrap_or_else(|| export(&mut st, &body))
        }
        (&Method::GET, ["jobs", id]) => {
            if scopes.iter().any(|s| s == "read:users" || s == "create:users") {
                job_status(&mut st, id)
            } else {
                api_error(
                    403,
                    "Forbidden",
                    "Insufficient scope, expected any of: create:users,read:users",
                    Some("insufficient_scope"),
                )
            }
        }
        (&Method::GET, ["jobs", id, "errors"]) => {
            need("read:users").unwrap_or_else(|| job_errors(&mut st, id))
        }
        (&Method::GET, ["users"]) => need("read:users").unwrap_or_else(|| search(&st, &q)),
        _ => api_error(404, "Not Found", "Not Found", None),
    };
    Ok(resp)
}

fn parse_query(q: &str) -> HashMap<String, String> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn token(st: &mut State, body: &[u8], ctype: &str) -> Resp {
    let fields: HashMap<String, String> = if ctype.starts_with("application/json") {
        serde_json::from_slice::<HashMap<String, Value>>(body)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.as_str().unwrap_or_default().to_owned()))
            .collect()
    } else {
        parse_query(&String::from_utf8_lossy(body))
    };
    let get = |k: &str| fields.get(k).map_or("", String::as_str);
    if get("grant_type") != "client_credentials" {
        return json_resp(
            400,
            &json!({"error":"unsupported_grant_type","error_description":"Unsupported grant type"}),
        );
    }
    if get("client_id") != st.opts.client_id || get("client_secret") != st.opts.client_secret {
        return json_resp(
            401,
            &json!({"error":"access_denied","error_description":"Unauthorized"}),
        );
    }
    let expected_audience = format!("{}/api/v2/", st.base);
    if get("audience") != expected_audience {
        return json_resp(
            403,
            &json!({"error":"access_denied","error_description":format!("Service not found: {}", get("audience"))}),
        );
    }
    st.counter += 1;
    st.stats.tokens_issued += 1;
    let tok = format!("mocktok_{}_{}", st.counter, fastish_rand(st.counter));
    let ttl = st.opts.token_ttl;
    let scopes = st.opts.scopes.clone();
    st.tokens.insert(tok.clone(), (Instant::now() + ttl, scopes.clone()));
    json_resp(
        200,
        &json!({"access_token": tok, "token_type": "Bearer", "expires_in": ttl.as_secs(), "scope": scopes.join(" ")}),
    )
}

/// Splits a multipart body into (name, bytes) parts.
fn multipart(body: &[u8], ctype: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let boundary = ctype.split(';').find_map(|p| p.trim().strip_prefix("boundary="))?;
    let boundary = boundary.trim_matches('"');
    let delim = format!("--{boundary}");
    let mut parts = Vec::new();
    let mut rest = body;
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let start = find(rest, delim.as_bytes())?;
    rest = &rest[start + delim.len()..];
    loop {
        if rest.starts_with(b"--") {
            break;
        }
        rest = rest.strip_prefix(b"\r\n")?;
        let head_end = find(rest, b"\r\n\r\n")?;
        let head = String::from_utf8_lossy(&rest[..head_end]).into_owned();
        rest = &rest[head_end + 4..];
        let end_delim = format!("\r\n{delim}");
        let end = find(rest, end_delim.as_bytes())?;
        let content = rest[..end].to_vec();
        rest = &rest[end + end_delim.len()..];
        let name = head
            .split(';')
            .find_map(|p| p.trim().strip_prefix("name="))
            .map(|n| n.split("\r\n").next().unwrap_or(n).trim_matches('"').to_owned())?;
        parts.push((name, content));
    }
    Some(parts)
}

fn active_imports(st: &State) -> usize {
    let now = Instant::now();
    st.jobs
        .values()
        .filter(|j| {
            j.kind == "users_import" && now.duration_since(j.created) < st.opts.job_duration
        })
        .count()
}

fn import(st: &mut State, body: &[u8], ctype: &str) -> Resp {
    if body.len() > st.opts.max_import_payload {
        return api_error(
            413,
            "Request Entity Too Large",
            &format!(
                "Payload content length greater than maximum allowed: {}.",
                st.opts.max_import_payload
            ),
            None,
        );
    }
    let Some(parts) = multipart(body, ctype) else {
        return api_error(
            400,
            "Bad Request",
            "Payload validation error: 'Invalid multipart payload format'.",
            None,
        );
    };
    let part = |n: &str| {
        parts.iter().find(|(k, _)| k == n).map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    };
    let Some(users) = parts.iter().find(|(k, _)| k == "users").map(|(_, v)| v.clone()) else {
        return api_error(400, "Bad Request", "Must provide 'users' file as multipart part.", None);
    };
    let Some(conn_id) = part("connection_id") else {
        return api_error(
            400,
            "Bad Request",
            "Must provide 'connection_id' as multipart part.",
            None,
        );
    };
    let Some(conn) = st.connections.iter().find(|c| c.id == conn_id) else {
        return api_error(400, "Bad Request", "The connection does not exist.", None);
    };
    if conn.strategy != "auth0" {
        return api_error(400, "Bad Request", "Connection must be a database connection.", None);
    }
    if conn.clients.is_empty() {
        return api_error(
            400,
            "Bad Request",
            "Connection must be enabled.",
            Some("connection_is_disabled"),
        );
    }
    if users.iter().all(u8::is_ascii_whitespace) {
        return api_error(400, "Bad Request", "Users file must not be empty.", None);
    }
    if active_imports(st) >= st.opts.max_active_imports {
        st.stats.concurrency_rejections += 1;
        return api_error(
            429,
            "Too Many Requests",
            "There are 2 active import users jobs, please wait until some of them are finished and try again",
            None,
        );
    }
    let parsed: Option<Vec<Value>> = serde_json::from_slice(&users).ok();
    let mut fail = None;
    if let Some(pos) = st.faults.iter().position(|f| matches!(f, Fault::FailJob { .. }))
        && let Some(Fault::FailJob { times, details }) = st.faults.get_mut(pos)
    {
        *times = times.saturating_sub(1);
        fail = Some(details.clone());
        if *times == 0 {
            st.faults.remove(pos);
        }
    }
    if parsed.is_none() && fail.is_none() {
        fail = Some("Failed to parse users file JSON when importing users.".into());
    }
    st.counter += 1;
    let id = format!("job_{:016}", st.counter);
    let n = parsed.as_ref().map_or(0, Vec::len);
    st.stats.import_jobs.push((id.clone(), n));
    let job = Job {
        id: id.clone(),
        kind: "users_import",
        connection_id: Some(conn_id.clone()),
        created: Instant::now(),
        external_id: part("external_id"),
        upsert: part("upsert").as_deref() == Some("true"),
        users: parsed,
        fail,
        done: None,
        fields: None,
    };
    let body = job_json(st, &job);
    st.jobs.insert(id, job);
    let active = active_imports(st);
    st.stats.max_active_imports_seen = st.stats.max_active_imports_seen.max(active);
    json_resp(202, &body)
}

fn job_json(st: &State, job: &Job) -> Value {
    let conn_name = job
        .connection_id
        .as_ref()
        .and_then(|id| st.connections.iter().find(|c| &c.id == id))
        .map(|c| c.name.clone());
    let mut v = json!({
        "id": job.id,
        "type": job.kind,
        "status": job.done.as_ref().map_or("pending", |d| d.status),
        "created_at": "2026-01-01T00:00:00.000Z",
    });
    if let Some(c) = &job.connection_id {
        v["connection_id"] = json!(c);
        v["connection"] = json!(conn_name);
    }
    if job.kind == "users_import" {
        v["upsert"] = json!(job.upsert);
        if let Some(e) = &job.external_id {
            v["external_id"] = json!(e);
        }
    } else {
        v["format"] = json!("json");
        if job.done.is_none() {
            v["percentage_done"] = json!(0);
        }
    }
    if let Some(d) = &job.done {
        if let Some(det) = &d.details {
            v["status_details"] = json!(det);
        }
        if d.status == "completed" && job.kind == "users_import" {
            v["summary"] = d.summary.clone();
        }
        if let Some(l) = &d.location {
            v["location"] = json!(l);
        }
    }
    v
}

fn valid_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((l, d)) => !l.is_empty() && d.contains('.') && !d.contains('@') && !e.contains(' '),
        None => false,
    }
}

/// Runs a job whose time has come.
fn finish(st: &mut State, id: &str) {
    let Some(job) = st.jobs.get(id) else { return };
    if job.done.is_some() || job.created.elapsed() < st.opts.job_duration {
        return;
    }
    let Some(mut job) = st.jobs.remove(id) else { return };
    if let Some(details) = job.fail.take() {
        job.done = Some(JobResult {
            status: "failed",
            details: Some(details),
            summary: Value::Null,
            errors: Vec::new(),
            location: None,
        });
    } else if job.kind == "users_import" {
        let conn = job
            .connection_id
            .as_ref()
            .and_then(|id| st.connections.iter().find(|c| &c.id == id))
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let (mut inserted, mut updated) = (0u64, 0u64);
        let mut errors = Vec::new();
        let users = job.users.take().unwrap_or_default();
        let total = users.len();
        for u in users {
            let email = u.get("email").and_then(Value::as_str).unwrap_or("").to_lowercase();
            let mut errs = Vec::new();
            if !valid_email(&email) {
                errs.push(json!({"code":"FORMAT","message":format!("Object didn't pass validation for format email: {email}"),"path":"email"}));
            }
            if let Some(h) = u.get("password_hash").and_then(Value::as_str)
                && !(h.starts_with("$2a$") || h.starts_with("$2b$"))
            {
                errs.push(json!({"code":"INVALID_HASH","message":"Invalid hash: password_hash must be a bcrypt $2a$ or $2b$ hash","path":"password_hash"}));
            }
            let existing = st.by_email.get(&(conn.clone(), email.clone())).copied();
            if errs.is_empty() && existing.is_some() && !job.upsert {
                errs.push(json!({"code":"DUPLICATED_USER","message":"The user already exists.","path":""}));
            }
            if errs.is_empty() {
                let mut user = u.clone();
                let local = user.get("user_id").and_then(Value::as_str).map(str::to_owned);
                if let Some(obj) = user.as_object_mut() {
                    obj.remove("password_hash");
                    obj.remove("custom_password_hash");
                    obj.insert("email".into(), json!(email));
                    obj.insert(
                        "user_id".into(),
                        json!(format!(
                            "auth0|{}",
                            local.unwrap_or_else(|| format!("{:024x}", st.users.len()))
                        )),
                    );
                    obj.insert(
                        "identities".into(),
                        json!([{"connection": conn, "provider":"auth0","isSocial":false}]),
                    );
                }
                match existing {
                    Some(i) => {
                        if let Some(slot) = st.users.get_mut(i) {
                            *slot = user;
                        }
                        updated += 1;
                    }
                    None => {
                        inserted += 1;
                        insert_user(st, &conn, user);
                    }
                }
            } else {
                let mut echoed = u.clone();
                if let Some(h) = echoed.get_mut("password_hash") {
                    *h = json!("*****");
                }
                errors.push(json!({"user": echoed, "errors": errs}));
            }
        }
        job.done = Some(JobResult {
            status: "completed",
            details: None,
            summary: json!({"failed": errors.len(), "updated": updated, "inserted": inserted, "total": total}),
            errors,
            location: None,
        });
    } else {
        // export: gzip NDJSON of the tenant's (or the connection's) users
        let conn = job
            .connection_id
            .as_ref()
            .and_then(|id| st.connections.iter().find(|c| &c.id == id))
            .map(|c| c.name.clone());
        let mut ndjson = Vec::new();
        for u in &st.users {
            if conn.as_deref().is_some_and(|c| conn_of(u) != Some(c)) {
                continue;
            }
            let line = match &job.fields {
                Some(Value::Array(fields)) => {
                    let mut o = serde_json::Map::new();
                    for f in fields {
                        if let Some(name) = f.get("name").and_then(Value::as_str)
                            && let Some(v) = u.get(name)
                        {
                            o.insert(name.to_owned(), v.clone());
                        }
                    }
                    Value::Object(o)
                }
                _ => u.clone(),
            };
            let _ = serde_json::to_writer(&mut ndjson, &line);
            ndjson.push(b'\n');
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let _ = gz.write_all(&ndjson);
        let bytes = gz.finish().unwrap_or_default();
        let name = format!("{}/tenant.json.gz", job.id);
        st.files.insert(name.clone(), Arc::new(bytes));
        job.done = Some(JobResult {
            status: "completed",
            details: None,
            summary: Value::Null,
            errors: Vec::new(),
            location: Some(format!("{}/download/{name}?Expires=1&Signature=x", st.base)),
        });
    }
    st.jobs.insert(id.to_owned(), job);
}

fn job_status(st: &mut State, id: &str) -> Resp {
    finish(st, id);
    match st.jobs.get(id) {
        None => api_error(404, "Not Found", "Job not found", None),
        Some(job) => json_resp(200, &job_json(st, job)),
    }
}

fn job_errors(st: &mut State, id: &str) -> Resp {
    finish(st, id);
    match st.jobs.get(id) {
        None => api_error(404, "Not Found", "Job not found", None),
        Some(job) => match &job.done {
            Some(d) if d.status == "failed" => json_resp(200, &job_json(st, job)),
            Some(d) if !d.errors.is_empty() => json_resp(200, &Value::Array(d.errors.clone())),
            _ => {
                let mut r = Response::new(Full::new(Bytes::new()));
                *r.status_mut() = StatusCode::NO_CONTENT;
                r
            }
        },
    }
}

fn export(st: &mut State, body: &[u8]) -> Resp {
    let Ok(req) = serde_json::from_slice::<Value>(body) else {
        return api_error(400, "Bad Request", "Payload validation error: invalid JSON", None);
    };
    let conn_id = req.get("connection_id").and_then(Value::as_str).map(str::to_owned);
    if let Some(c) = &conn_id
        && !st.connections.iter().any(|x| &x.id == c)
    {
        return api_error(400, "Bad Request", "The connection does not exist.", None);
    }
    st.counter += 1;
    st.stats.export_jobs += 1;
    let id = format!("job_{:016}", st.counter);
    let job = Job {
        id: id.clone(),
        kind: "users_export",
        connection_id: conn_id,
        created: Instant::now(),
        external_id: None,
        upsert: false,
        users: None,
        fail: None,
        done: None,
        fields: req.get("fields").cloned(),
    };
    let v = job_json(st, &job);
    st.jobs.insert(id, job);
    json_resp(200, &v)
}

/// The search subset: `field:value`, `field:"value"`, `field:prefix*`, joined by ` AND `.
fn matches(u: &Value, q: &str) -> bool {
    q.split(" AND ").all(|term| {
        let term = term.trim();
        if term.is_empty() || term == "*" {
            return true;
        }
        let Some((field, val)) = term.split_once(':') else { return true };
        let val = val.trim_matches('"');
        let got = if field == "identities.connection" {
            conn_of(u).map(str::to_owned)
        } else {
            u.pointer(&format!("/{}", field.replace('.', "/"))).map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
        };
        let Some(got) = got else { return false };
        let ci = matches!(field, "email" | "name" | "given_name" | "family_name" | "nickname");
        let (got, val) =
            if ci { (got.to_lowercase(), val.to_lowercase()) } else { (got, val.to_owned()) };
        match val.strip_suffix('*') {
            Some(prefix) => got.starts_with(prefix),
            None => got == val,
        }
    })
}

fn search(st: &State, q: &HashMap<String, String>) -> Resp {
    if q.contains_key("q") && q.get("search_engine").map(String::as_str) != Some("v3") {
        return api_error(
            400,
            "Bad Request",
            "The 'q' parameter is available only if you specify 'search_engine=v2|v3'.",
            None,
        );
    }
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(0);
    let per_page: usize = q.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(50).min(100);
    if (page + 1) * per_page > 1000 {
        return api_error(
            400,
            "Bad Request",
            "You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation",
            Some("invalid_paging"),
        );
    }
    let query = q.get("q").map_or("", String::as_str);
    let mut hits: Vec<&Value> = st.users.iter().filter(|u| matches(u, query)).collect();
    if let Some((field, dir)) = q.get("sort").and_then(|s| s.split_once(':')) {
        let key = |u: &Value| {
            u.get(field).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
        };
        hits.sort_by_key(|u| key(u));
        if dir == "-1" {
            hits.reverse();
        }
    }
    let total = hits.len().min(1000);
    let users: Vec<Value> =
        hits.into_iter().take(1000).skip(page * per_page).take(per_page).cloned().collect();
    if q.get("include_totals").map(String::as_str) == Some("true") {
        json_resp(
            200,
            &json!({"start": page * per_page, "limit": per_page, "length": users.len(), "total": total, "users": users}),
        )
    } else {
        json_resp(200, &Value::Array(users))
    }
}
