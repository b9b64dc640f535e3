//! Tenant arguments shared by the commands that talk to Auth0 (`import`, `export --domain`).

use anyhow::{Context, bail};
use userio_auth0::{Config, Credentials, Secret};

/// Domain and credentials, from flags or `AUTH0_*` environment variables.
#[derive(clap::Args, Default)]
pub struct TenantArgs {
    /// Tenant domain (tenant.eu.auth0.com) [env: AUTH0_DOMAIN].
    #[arg(long)]
    pub domain: Option<String>,
    /// Management API token [env: AUTH0_TOKEN].
    #[arg(long, conflicts_with_all = ["client_id", "client_secret"])]
    pub token: Option<String>,
    /// Client id for client credentials [env: AUTH0_CLIENT_ID].
    #[arg(long)]
    pub client_id: Option<String>,
    /// Client secret for client credentials [env: AUTH0_CLIENT_SECRET].
    #[arg(long)]
    pub client_secret: Option<String>,
}

impl TenantArgs {
    /// The client configuration: flags first, then `AUTH0_*` environment variables.
    pub fn config(&self) -> anyhow::Result<Config> {
        let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let domain = self
            .domain
            .clone()
            .or_else(|| env("AUTH0_DOMAIN"))
            .context("no tenant: pass --domain or set AUTH0_DOMAIN")?;
        let flags_cc = self.client_id.is_some() || self.client_secret.is_some();
        let credentials = match (&self.token, flags_cc) {
            (Some(t), _) => Credentials::Token(Secret::new(t.clone())),
            (None, true) => client_credentials(self.client_id.clone(), self.client_secret.clone())?,
            (None, false) => match env("AUTH0_TOKEN") {
                Some(t) => Credentials::Token(Secret::new(t)),
                None => client_credentials(env("AUTH0_CLIENT_ID"), env("AUTH0_CLIENT_SECRET"))?,
            },
        };
        Ok(Config::new(&domain, credentials)?)
    }
}

fn client_credentials(id: Option<String>, secret: Option<String>) -> anyhow::Result<Credentials> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    match (id.or_else(|| env("AUTH0_CLIENT_ID")), secret.or_else(|| env("AUTH0_CLIENT_SECRET"))) {
        (Some(client_id), Some(s)) => {
            Ok(Credentials::ClientCredentials { client_id, client_secret: Secret::new(s) })
        }
        _ => bail!(
            "no credentials: pass --token (or set AUTH0_TOKEN), or --client-id and --client-secret (or AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET)"
        ),
    }
}
