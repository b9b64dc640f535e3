//! Client configuration: where the tenant is, how to authenticate, and the timings.

use std::fmt;
use std::time::Duration;

use reqwest::Url;

use crate::error::{ErrorKind, Result};

/// A secret string (token, client secret). Its `Debug` and `Display` print `***`; the value is
/// only reachable through [`Secret::expose`].
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }

    /// The secret value. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Secret::new(s)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Secret::new(s)
    }
}

/// How the client authenticates.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// A Management API token, used as is (it is not refreshed).
    Token(Secret),
    /// Client credentials: tokens come from `POST /oauth/token` and are refreshed before they
    /// expire (and once on a 401).
    ClientCredentials {
        /// The application's client id.
        client_id: String,
        /// The application's client secret.
        client_secret: Secret,
    },
}

/// Timeouts, retries and polling. Defaults suit a real tenant; tests shrink them.
#[derive(Debug, Clone)]
pub struct Timings {
    /// Connect timeout per request.
    pub connect_timeout: Duration,
    /// Whole-request timeout (uploads and downloads included).
    pub request_timeout: Duration,
    /// Retries after a 5xx or a network error (so `max_retries + 1` attempts).
    pub max_retries: u32,
    /// First backoff delay; doubles each retry, with jitter.
    pub backoff_base: Duration,
    /// Largest backoff delay.
    pub backoff_max: Duration,
    /// How many 429 waits one request may make before giving up.
    pub max_rate_limit_waits: u32,
    /// Longest single 429 wait (a `retry-after` above it is clamped).
    pub max_rate_limit_wait: Duration,
    /// Wait before retrying when Auth0 says two import jobs are already active (no headers).
    pub busy_wait: Duration,
    /// How many such waits before giving up (default: two hours' worth).
    pub max_busy_waits: u32,
    /// First job-poll delay; grows ×1.5 up to `poll_max`.
    pub poll_initial: Duration,
    /// Largest job-poll delay.
    pub poll_max: Duration,
    /// Refresh a client-credentials token this long before it expires.
    pub token_refresh_margin: Duration,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(120),
            max_retries: 4,
            backoff_base: Duration::from_millis(500),
            backoff_max: Duration::from_secs(30),
            max_rate_limit_waits: 20,
            max_rate_limit_wait: Duration::from_secs(60),
            busy_wait: Duration::from_secs(10),
            max_busy_waits: 720,
            poll_initial: Duration::from_secs(1),
            poll_max: Duration::from_secs(10),
            token_refresh_margin: Duration::from_secs(60),
        }
    }
}

impl Timings {
    /// Millisecond-scale timings for tests against a local server.
    pub fn fast() -> Timings {
        Timings {
            connect_timeout: Duration::from_secs(2),
            request_timeout: Duration::from_secs(20),
            max_retries: 3,
            backoff_base: Duration::from_millis(5),
            backoff_max: Duration::from_millis(50),
            max_rate_limit_waits: 10,
            max_rate_limit_wait: Duration::from_millis(100),
            busy_wait: Duration::from_millis(10),
            max_busy_waits: 1000,
            poll_initial: Duration::from_millis(5),
            poll_max: Duration::from_millis(20),
            token_refresh_margin: Duration::from_millis(200),
        }
    }
}

/// Everything a [`Client`](crate::Client) needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// The tenant's base URL (`https://tenant.eu.auth0.com`).
    pub base_url: Url,
    /// How to authenticate.
    pub credentials: Credentials,
    /// Timeouts, retries, polling.
    pub timings: Timings,
}

impl Config {
    /// A config for `domain`: a bare domain (`tenant.eu.auth0.com`, HTTPS is implied) or a URL.
    /// Plain `http://` is refused unless the host is loopback.
    pub fn new(domain: &str, credentials: Credentials) -> Result<Config> {
        Ok(Config { base_url: base_url(domain)?, credentials, timings: Timings::default() })
    }

    /// Replaces the timings.
    pub fn timings(mut self, timings: Timings) -> Config {
        self.timings = timings;
        self
    }
}

/// Parses a domain or URL into a base URL, enforcing HTTPS except on loopback.
pub fn base_url(domain: &str) -> Result<Url> {
    let domain = domain.trim().trim_end_matches('/');
    if domain.is_empty() {
        return Err(ErrorKind::Config(
            "no tenant domain: pass --domain or set AUTH0_DOMAIN (e.g. tenant.eu.auth0.com)".into(),
        )
        .into());
    }
    let text = if domain.contains("://") { domain.to_owned() } else { format!("https://{domain}") };
    let url = Url::parse(&text)
        .map_err(|e| ErrorKind::Config(format!("`{domain}` is not a domain or URL: {e}")))?;
    check_scheme(&url)?;
    Ok(url)
}

/// HTTPS always; HTTP only to loopback hosts.
pub(crate) fn check_scheme(url: &Url) -> Result<()> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err(ErrorKind::InsecureUrl(url.host_str().unwrap_or("").to_owned()).into()),
        other => Err(ErrorKind::Config(format!("unsupported URL scheme `{other}`")).into()),
    }
}

fn is_loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or("");
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
