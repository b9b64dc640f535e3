//! `userio validate FILE`: check a users file against Auth0's bulk-import schema.

use std::path::PathBuf;

use anyhow::Context;
use userio_core::schema::{self, ValidateOptions};

use crate::Outcome;

/// Arguments of `userio validate`.
#[derive(clap::Args)]
pub struct Args {
    /// The users file: a JSON array or NDJSON, optionally gzip; `-` for stdin.
    file: PathBuf,
    /// Stop after this many errors.
    #[arg(long)]
    max_errors: Option<usize>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let input = userio_core::read::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let options = ValidateOptions { max_errors: args.max_errors, ..Default::default() };
    let report = schema::validate_with(input, &options);
    for issue in &report.errors {
        println!("{}: {} ({})", issue.position, issue.message, issue.code);
    }
    println!("{} users read, {} valid", report.users, report.valid);
    Ok(if report.is_ok() { Outcome::Success } else { Outcome::Invalid })
}
