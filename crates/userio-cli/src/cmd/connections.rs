//! `userio connections`: the tenant's database connections (the import targets).

use userio_auth0::blocking;

use crate::Outcome;
use crate::cmd::tenant::TenantArgs;

/// Arguments of `userio connections`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    tenant: TenantArgs,
}

/// Runs the command: one line per database connection, `id<TAB>name`.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let client = blocking::Client::new(args.tenant.config()?)?;
    for c in client.database_connections()? {
        println!("{}\t{}", c.id, c.name);
    }
    Ok(Outcome::Success)
}
