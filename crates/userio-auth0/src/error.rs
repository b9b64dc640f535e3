//! The crate's error: [`Error`] wraps an [`ErrorKind`]; every kind has a stable snake_case
//! [`code`](Error::code) and a message that says what, where and how to fix it. No message
//! ever contains a token or a client secret.

use std::fmt;

use userio_core::read::ReadError;
use userio_core::schema::Report;

/// An error from the Auth0 client.
pub struct Error(Box<ErrorKind>);

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The configuration is unusable (bad domain, missing credentials).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Plain `http://` to a host that is not loopback.
    #[error(
        "refusing plain HTTP to {0}: the Management API token would travel unencrypted; use https:// (plain http is only allowed to 127.0.0.1/localhost for tests)"
    )]
    InsecureUrl(String),
    /// `/oauth/token` refused the client credentials.
    #[error(
        "the token request was refused ({status} {error}: {description}); check the client id and secret (AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET) and that the application is authorized for the Management API"
    )]
    TokenRequest {
        /// HTTP status.
        status: u16,
        /// Auth0's `error`.
        error: String,
        /// Auth0's `error_description`.
        description: String,
    },
    /// 401 on a Management API call.
    #[error(
        "{method} {path}: the Management API refused the token (401: {message}); the token is invalid or expired: get a new one, or use client credentials so userio refreshes it"
    )]
    Unauthorized {
        /// HTTP method.
        method: String,
        /// API path.
        path: String,
        /// Auth0's message.
        message: String,
    },
    /// 403 insufficient scope.
    #[error(
        "{method} {path}: the token lacks the scope `{scope}` (403: {message}); grant `{scope}` to the application in Dashboard > Applications > APIs > Auth0 Management API"
    )]
    MissingScope {
        /// HTTP method.
        method: String,
        /// API path.
        path: String,
        /// The scope this call needs.
        scope: String,
        /// Auth0's message.
        message: String,
    },
    /// 413 from the import endpoint.
    #[error(
        "{path}: the request of {bytes} bytes is over Auth0's limit (413: {message}); use a smaller chunk size"
    )]
    PayloadTooLarge {
        /// API path.
        path: String,
        /// Size of the request body sent.
        bytes: usize,
        /// Auth0's message.
        message: String,
    },
    /// Still rate limited after the allowed waits.
    #[error(
        "{method} {path}: still rate limited (429) after {waits} waits; {message}. Try later or lower the request rate"
    )]
    RateLimited {
        /// HTTP method.
        method: String,
        /// API path.
        path: String,
        /// How many times the client waited.
        waits: u32,
        /// Auth0's message.
        message: String,
    },
    /// Any other 4xx answer.
    #[error("{method} {path}: Auth0 answered {status}: {message}")]
    Api {
        /// HTTP method.
        method: String,
        /// API path.
        path: String,
        /// HTTP status.
        status: u16,
        /// Auth0's `errorCode`, if any.
        error_code: Option<String>,
        /// Auth0's message.
        message: String,
    },
    /// 5xx after every retry.
    #[error("{method} {path}: Auth0 answered {status} after {attempts} attempts: {message}")]
    Server {
        /// HTTP method.
        method: String,
        /// API path.
        path: String,
        /// HTTP status.
        status: u16,
        /// Attempts made.
        attempts: u32,
        /// Auth0's message.
        message: String,
    },
    /// The connection failed, dropped or timed out after every retry.
    #[error("{method} {path}: network error after {attempts} attempts: {message}")]
    Network {
        /// HTTP method.
        method: String,
        /// API path.
        path: String,
        /// Attempts made.
        attempts: u32,
        /// What happened.
        message: String,
    },
    /// An import upload was cut off after it may have reached Auth0.
    #[error(
        "chunk {chunk}: the upload was interrupted after it may have reached Auth0 ({message}); to avoid importing it twice it is not resent. Check the tenant's logs for the job, then run again with --resume (and --resubmit-uncertain if Auth0 did not receive it)"
    )]
    UploadUncertain {
        /// Chunk number.
        chunk: usize,
        /// What happened.
        message: String,
    },
    /// A response that does not have the documented shape.
    #[error("{path}: unexpected response from Auth0: {message}")]
    BadResponse {
        /// API path.
        path: String,
        /// What was wrong.
        message: String,
    },
    /// No connection with that name.
    #[error(
        "there is no database connection named `{0}` in the tenant (see `userio connections` / Dashboard > Authentication > Database)"
    )]
    ConnectionNotFound(String),
    /// The connection is not a database connection.
    #[error(
        "cannot import users into `{name}`: it is a `{strategy}` connection, and Auth0 imports users only into database connections (strategy `auth0`)"
    )]
    ConnectionNotDatabase {
        /// Connection name.
        name: String,
        /// Its strategy.
        strategy: String,
    },
    /// The connection is enabled for no application.
    #[error(
        "Cannot import users to a connection that is not enabled. Please enable at least one client for {0}"
    )]
    ConnectionDisabled(String),
    /// The users file did not pass validation; nothing was uploaded.
    #[error("{}", invalid_file_message(.0))]
    InvalidFile(Box<Report>),
    /// The users file could not be read or split.
    #[error("cannot read the users file: {0}")]
    Read(#[from] ReadError),
    /// A job ended as `failed` or `expired` (export jobs; import jobs are reported per chunk).
    #[error("job {job_id} {status}: {details}")]
    JobFailed {
        /// The job.
        job_id: String,
        /// `failed` or `expired`.
        status: String,
        /// Auth0's `status_details`.
        details: String,
    },
    /// The journal could not be used.
    #[error("import journal {path}: {message}")]
    Journal {
        /// The journal's path.
        path: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// Local I/O.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The error.
        source: std::io::Error,
    },
}

fn invalid_file_message(report: &Report) -> String {
    let mut s = format!(
        "the users file has {} problem(s) in {} of {} users; nothing was uploaded. Fix them (see `userio validate`) and run again",
        report.errors.len(),
        report.users - report.valid,
        report.users
    );
    for issue in report.errors.iter().take(3) {
        s.push_str(&format!("\n  {}: {} ({})", issue.position, issue.message, issue.code));
    }
    s
}

impl Error {
    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0
    }

    /// Unwraps the kind.
    pub fn into_kind(self) -> ErrorKind {
        *self.0
    }

    /// A stable machine-readable code (`missing_scope`, `rate_limited`, …).
    pub fn code(&self) -> &'static str {
        match &*self.0 {
            ErrorKind::Config(_) => "invalid_config",
            ErrorKind::InsecureUrl(_) => "insecure_url",
            ErrorKind::TokenRequest { .. } => "token_request_failed",
            ErrorKind::Unauthorized { .. } => "unauthorized",
            ErrorKind::MissingScope { .. } => "missing_scope",
            ErrorKind::PayloadTooLarge { .. } => "payload_too_large",
            ErrorKind::RateLimited { .. } => "rate_limited",
            ErrorKind::Api { .. } => "api_error",
            ErrorKind::Server { .. } => "server_error",
            ErrorKind::Network { .. } => "network_error",
            ErrorKind::UploadUncertain { .. } => "upload_uncertain",
            ErrorKind::BadResponse { .. } => "bad_response",
            ErrorKind::ConnectionNotFound(_) => "connection_not_found",
            ErrorKind::ConnectionNotDatabase { .. } => "connection_not_database",
            ErrorKind::ConnectionDisabled(_) => "connection_disabled",
            ErrorKind::InvalidFile(_) => "invalid_file",
            ErrorKind::Read(_) => "read_error",
            ErrorKind::JobFailed { .. } => "job_failed",
            ErrorKind::Journal { .. } => "journal_error",
            ErrorKind::Io { .. } => "io_error",
        }
    }

    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Error {
        ErrorKind::Io { what: what.into(), source }.into()
    }

    pub(crate) fn journal(path: &std::path::Path, message: impl Into<String>) -> Error {
        ErrorKind::Journal { path: path.display().to_string(), message: message.into() }.into()
    }
}

impl<E: Into<ErrorKind>> From<E> for Error {
    fn from(e: E) -> Self {
        Error(Box::new(e.into()))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({}: {})", self.code(), self.0)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&*self.0)
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
