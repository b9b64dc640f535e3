//! The async Management API client: token provider, and one `send` that applies the retry and
//! rate-limit policy to every call.
//!
//! Policy:
//! - 5xx and network errors: up to `max_retries` retries, exponential backoff with jitter. A
//!   non-idempotent call (an import upload) is retried only when it cannot have reached Auth0
//!   (connect errors, or a 5xx answer).
//! - 429: waits as `retry-after` (seconds or an HTTP date), else `x-ratelimit-reset` (epoch
//!   seconds), else backoff; the "2 active import users jobs" 429 waits `busy_wait` for a
//!   running job to finish.
//! - 401 with client credentials: refreshes the token once and retries.
//! - 401 / 403 / 413 / other 4xx: an error naming the cause (403 names the missing scope).

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::{Method, StatusCode, Url};
use serde::Deserialize;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::config::{Config, Credentials, Secret, Timings, check_scheme};
use crate::error::{Error, ErrorKind, Result};

/// The async client. Cheap to clone (shared state behind an `Arc`).
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    http: reqwest::Client,
    base: Url,
    credentials: Credentials,
    pub(crate) timings: Timings,
    token: Mutex<Option<CachedToken>>,
}

#[derive(Debug, Clone)]
struct CachedToken {
    secret: Secret,
    /// `None`: a static token that never expires from our point of view.
    refresh_at: Option<Instant>,
}

/// The body of a request, rebuilt for every attempt.
pub(crate) enum Body {
    None,
    Json(Value),
    /// An import upload: the users file and the text parts.
    Import {
        users: Arc<Vec<u8>>,
        fields: Vec<(&'static str, String)>,
    },
}

/// One API call.
pub(crate) struct Call<'a> {
    pub method: Method,
    /// Path below `/api/v2` (`/jobs/users-imports`), with its query string.
    pub path: &'a str,
    pub body: Body,
    /// The scope this call needs, named in a 403.
    pub scope: &'static str,
    /// May the call be resent after it may have reached the server?
    pub idempotent: bool,
}

fn install_crypto() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may win the race; either way a provider is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

impl Client {
    /// Builds a client. No request is made until the first call.
    pub fn new(config: Config) -> Result<Client> {
        check_scheme(&config.base_url)?;
        install_crypto();
        let http = reqwest::Client::builder()
            .connect_timeout(config.timings.connect_timeout)
            .timeout(config.timings.request_timeout)
            .user_agent(concat!("userio/", env!("CARGO_PKG_VERSION")))
            .https_only(false) // enforced by check_scheme (loopback http allowed)
            .build()
            .map_err(|e| ErrorKind::Config(format!("cannot build the HTTP client: {e}")))?;
        let mut base = config.base_url;
        base.set_path("");
        base.set_query(None);
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                credentials: config.credentials,
                timings: config.timings,
                token: Mutex::new(None),
            }),
        })
    }

    /// The timings in use.
    pub fn timings(&self) -> &Timings {
        &self.inner.timings
    }

    /// The tenant's base URL.
    pub fn base_url(&self) -> &Url {
        &self.inner.base
    }

    pub(crate) fn url(&self, path: &str) -> Result<Url> {
        let text = format!("{}api/v2{}", self.inner.base, path);
        Url::parse(&text).map_err(|e| ErrorKind::Config(format!("bad URL {text}: {e}")).into())
    }

    /// The current token, fetched or refreshed when needed.
    async fn token(&self, force_refresh: bool) -> Result<Secret> {
        let mut guard = self.inner.token.lock().await;
        if let Some(t) = guard.as_ref()
            && !force_refresh
            && t.refresh_at.is_none_or(|at| Instant::now() < at)
        {
            return Ok(t.secret.clone());
        }
        let fresh = match &self.inner.credentials {
            Credentials::Token(t) => CachedToken { secret: t.clone(), refresh_at: None },
            Credentials::ClientCredentials { client_id, client_secret } => {
                self.fetch_token(client_id, client_secret).await?
            }
        };
        let secret = fresh.secret.clone();
        *guard = Some(fresh);
        Ok(secret)
    }

    async fn fetch_token(&self, client_id: &str, client_secret: &Secret) -> Result<CachedToken> {
        #[derive(Deserialize)]
        struct TokenResponse {
            access_token: String,
            #[serde(default)]
            expires_in: Option<u64>,
        }
        let url = Url::parse(&format!("{}oauth/token", self.inner.base))
            .map_err(|e| ErrorKind::Config(e.to_string()))?;
        let body = serde_json::json!({
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": client_secret.expose(),
            "audience": format!("{}api/v2/", self.inner.base),
        });
        let t = &self.inner.timings;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let started = Instant::now();
            let res = self.inner.http.post(url.clone()).json(&body).send().await;
            let resp = match res {
                Ok(r) => r,
                Err(e) if attempt <= t.max_retries => {
                    let _ = e;
                    tokio::time::sleep(backoff(t, attempt)).await;
                    continue;
                }
                Err(e) => {
                    return Err(ErrorKind::Network {
                        method: "POST".into(),
                        path: "/oauth/token".into(),
                        attempts: attempt,
                        message: describe(&e),
                    }
                    .into());
                }
            };
            let status = resp.status();
            if status.is_success() {
                let tr: TokenResponse = resp.json().await.map_err(|e| ErrorKind::BadResponse {
                    path: "/oauth/token".into(),
                    message: describe(&e),
                })?;
                let lifetime = Duration::from_secs(tr.expires_in.unwrap_or(86_400));
                let refresh_in = lifetime.saturating_sub(t.token_refresh_margin);
                return Ok(CachedToken {
                    secret: Secret::new(tr.access_token),
                    refresh_at: Some(started + refresh_in),
                });
            }
            if (status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS)
                && attempt <= t.max_retries
            {
                let wait =
                    rate_limit_wait(resp.headers(), t).unwrap_or_else(|| backoff(t, attempt));
                tokio::time::sleep(wait).await;
                continue;
            }
            let v: Value = resp.json().await.unwrap_or(Value::Null);
            let s = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            return Err(ErrorKind::TokenRequest {
                status: status.as_u16(),
                error: s("error"),
                description: s("error_description"),
            }
            .into());
        }
    }

    /// Sends `call` with the retry and rate-limit policy; returns a 2xx response.
    pub(crate) async fn send(&self, call: Call<'_>) -> Result<reqwest::Response> {
        let t = &self.inner.timings;
        let url = self.url(call.path)?;
        let method_s = call.method.as_str().to_owned();
        let path_s = call.path.split('?').next().unwrap_or(call.path).to_owned();
        let mut attempt = 0u32;
        let mut rate_waits = 0u32;
        let mut busy_waits = 0u32;
        let mut refreshed = false;
        let mut force_refresh = false;
        loop {
            attempt += 1;
            let token = self.token(force_refresh).await?;
            force_refresh = false;
            let mut req = self
                .inner
                .http
                .request(call.method.clone(), url.clone())
                .bearer_auth(token.expose());
            let mut body_len = 0;
            match &call.body {
                Body::None => {}
                Body::Json(v) => req = req.json(v),
                Body::Import { users, fields } => {
                    body_len = users.len();
                    let part = reqwest::multipart::Part::bytes(users.as_ref().clone())
                        .file_name("users.json")
                        .mime_str("application/json")
                        .map_err(|e| ErrorKind::Config(e.to_string()))?;
                    let mut form = reqwest::multipart::Form::new().part("users", part);
                    for (k, v) in fields {
                        form = form.text(*k, v.clone());
                    }
                    req = req.multipart(form);
                }
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    let safe = call.idempotent || e.is_connect();
                    if safe && attempt <= t.max_retries {
                        tokio::time::sleep(backoff(t, attempt)).await;
                        continue;
                    }
                    if !safe {
                        return Err(
                            ErrorKind::UploadUncertain { chunk: 0, message: describe(&e) }.into()
                        );
                    }
                    return Err(ErrorKind::Network {
                        method: method_s,
                        path: path_s,
                        attempts: attempt,
                        message: describe(&e),
                    }
                    .into());
                }
            };
            let status = resp.status();
            if status.is_success() {
                return Ok(resp);
            }
            let headers = resp.headers().clone();
            let text = resp.text().await.unwrap_or_default();
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            let message = v
                .get("message")
                .or_else(|| v.get("error_description"))
                .and_then(Value::as_str)
                .map_or_else(|| truncate(&text), str::to_owned);
            match status.as_u16() {
                429 => {
                    if message.contains("active import") {
                        busy_waits += 1;
                        attempt -= 1;
                        if busy_waits <= t.max_busy_waits {
                            let wait = rate_limit_wait(&headers, t).unwrap_or(t.busy_wait);
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                    } else {
                        rate_waits += 1;
                        attempt -= 1;
                        if rate_waits <= t.max_rate_limit_waits {
                            let wait = rate_limit_wait(&headers, t)
                                .unwrap_or_else(|| backoff(t, rate_waits));
                            tokio::time::sleep(wait).await;
                            continue;
                        }
                    }
                    return Err(ErrorKind::RateLimited {
                        method: method_s,
                        path: path_s,
                        waits: rate_waits + busy_waits,
                        message,
                    }
                    .into());
                }
                401 => {
                    if matches!(self.inner.credentials, Credentials::ClientCredentials { .. })
                        && !refreshed
                    {
                        refreshed = true;
                        force_refresh = true;
                        attempt -= 1;
                        continue;
                    }
                    return Err(ErrorKind::Unauthorized {
                        method: method_s,
                        path: path_s,
                        message,
                    }
                    .into());
                }
                403 => {
                    return Err(ErrorKind::MissingScope {
                        method: method_s,
                        path: path_s,
                        scope: call.scope.to_owned(),
                        message,
                    }
                    .into());
                }
                413 => {
                    return Err(ErrorKind::PayloadTooLarge {
                        path: path_s,
                        bytes: body_len,
                        message,
                    }
                    .into());
                }
                s if s >= 500 => {
                    if attempt <= t.max_retries {
                        tokio::time::sleep(backoff(t, attempt)).await;
                        continue;
                    }
                    return Err(ErrorKind::Server {
                        method: method_s,
                        path: path_s,
                        status: s,
                        attempts: attempt,
                        message,
                    }
                    .into());
                }
                s => {
                    return Err(ErrorKind::Api {
                        method: method_s,
                        path: path_s,
                        status: s,
                        error_code: v.get("errorCode").and_then(Value::as_str).map(str::to_owned),
                        message,
                    }
                    .into());
                }
            }
        }
    }

    /// `send` + JSON decoding; `None` for a 204.
    pub(crate) async fn call_json(&self, call: Call<'_>) -> Result<Option<Value>> {
        let path = call.path.split('?').next().unwrap_or("").to_owned();
        let resp = self.send(call).await?;
        if resp.status() == StatusCode::NO_CONTENT {
            return Ok(None);
        }
        let bytes = resp.bytes().await.map_err(|e| ErrorKind::BadResponse {
            path: path.clone(),
            message: format!("the body could not be read: {}", describe(&e)),
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| ErrorKind::BadResponse { path, message: format!("not JSON: {e}") }.into())
    }

    pub(crate) async fn get(&self, path: &str, scope: &'static str) -> Result<Option<Value>> {
        self.call_json(Call {
            method: Method::GET,
            path,
            body: Body::None,
            scope,
            idempotent: true,
        })
        .await
    }

    /// Downloads `location` (no token sent: it is a signed URL) into `out`, with retries.
    pub(crate) async fn download(&self, location: &str, out: &mut std::fs::File) -> Result<u64> {
        use std::io::{Seek, Write};
        let t = &self.inner.timings;
        let text = if location.contains("://") {
            location.to_owned()
        } else {
            format!("https://{location}")
        };
        let url = Url::parse(&text).map_err(|e| ErrorKind::BadResponse {
            path: "location".into(),
            message: format!("the export location is not a URL: {e}"),
        })?;
        check_scheme(&url)?;
        let shown = url.path().to_owned();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result: std::result::Result<u64, (bool, String)> = async {
                let mut resp = self
                    .inner
                    .http
                    .get(url.clone())
                    .send()
                    .await
                    .map_err(|e| (true, describe(&e)))?;
                let status = resp.status();
                if !status.is_success() {
                    return Err((status.is_server_error(), format!("HTTP {status}")));
                }
                out.set_len(0).and_then(|()| out.rewind()).map_err(|e| (false, e.to_string()))?;
                let mut total = 0u64;
                while let Some(chunk) = resp.chunk().await.map_err(|e| (true, describe(&e)))? {
                    out.write_all(&chunk).map_err(|e| (false, e.to_string()))?;
                    total += chunk.len() as u64;
                }
                Ok(total)
            }
            .await;
            match result {
                Ok(n) => return Ok(n),
                Err((true, _)) if attempt <= t.max_retries => {
                    tokio::time::sleep(backoff(t, attempt)).await;
                }
                Err((_, message)) => {
                    return Err(ErrorKind::Network {
                        method: "GET".into(),
                        path: shown,
                        attempts: attempt,
                        message: format!("downloading the export file: {message}"),
                    }
                    .into());
                }
            }
        }
    }
}

/// Exponential backoff with jitter: base·2^(n-1), capped, scaled by a random 50–100 %.
pub(crate) fn backoff(t: &Timings, attempt: u32) -> Duration {
    let exp = t.backoff_base.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let capped = exp.min(t.backoff_max);
    capped.mul_f64(0.5 + fastrand::f64() * 0.5)
}

/// The wait a 429 asks for: `retry-after` (seconds or HTTP date), else `x-ratelimit-reset`.
fn rate_limit_wait(h: &reqwest::header::HeaderMap, t: &Timings) -> Option<Duration> {
    let get = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).map(str::trim);
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let wait = if let Some(ra) = get("retry-after") {
        match ra.parse::<u64>() {
            Ok(secs) => Some(Duration::from_secs(secs)),
            Err(_) => parse_http_date(ra).map(|at| Duration::from_secs(at.saturating_sub(now))),
        }
    } else {
        get("x-ratelimit-reset")
            .and_then(|r| r.parse::<u64>().ok())
            .map(|at| Duration::from_secs(at.saturating_sub(now)))
    }?;
    // A reset in the past or now still needs a small pause so the bucket can refill.
    Some(wait.max(t.backoff_base).min(t.max_rate_limit_wait))
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) to epoch seconds.
fn parse_http_date(s: &str) -> Option<u64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    let [_, day, mon, year, time, _] = parts.as_slice() else { return None };
    let months =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let m = months.iter().position(|x| x == mon)? as i64 + 1;
    let d: i64 = day.parse().ok()?;
    let y: i64 = year.parse().ok()?;
    let hms: Vec<i64> = time.split(':').filter_map(|x| x.parse().ok()).collect();
    let [hh, mm, ss] = hms.as_slice() else { return None };
    // days from civil (Howard Hinnant)
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + hh * 3600 + mm * 60 + ss).ok()
}

/// Describes a reqwest error without its URL (which may carry a signed query string).
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the response body was cut off or malformed"
    } else if e.is_request() {
        "the connection failed or was closed before an answer"
    } else {
        "request failed"
    };
    let mut msg = kind.to_owned();
    let mut src = std::error::Error::source(e);
    if let Some(s) = src.take() {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
    }
    msg
}

fn truncate(s: &str) -> String {
    let s = s.trim();
    if s.len() <= 200 {
        return s.to_owned();
    }
    let mut end = 200;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        std::io::Error::other(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date("soon"), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let t = Timings::default();
        assert!(backoff(&t, 1) <= Duration::from_millis(500));
        assert!(backoff(&t, 30) <= t.backoff_max);
        assert!(backoff(&t, 3) >= Duration::from_secs(1));
    }
}
