//! `userio`: validate, split, query and export Auth0 bulk user files.
//!
//! Exit codes: 0 success, 1 the input is invalid (validation found problems),
//! 2 usage, input or I/O error. A closed pipe (`userio … | head`) counts as success.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// mimalloc: parsing users allocates many small strings and maps; it takes ~25% less CPU
/// than the system allocator for that (see docs/benchmarks.md, "Export").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Bulk user import and export in the style of Auth0's User Import / Export extension.
#[derive(Parser)]
#[command(name = "userio", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a users file against Auth0's bulk-import schema.
    Validate(cmd::validate::Args),
    /// Split a users file into import files under Auth0's 500 KB job limit.
    Split(cmd::split::Args),
    /// Convert a CSV or an Auth0 export into an import file.
    Convert(cmd::convert::Args),
    /// Import a users file into an Auth0 database connection (resumable bulk import jobs).
    Import(cmd::import::Args),
    /// List the tenant's database connections (the targets `userio import` accepts).
    Connections(cmd::connections::Args),
    /// Export users: query, columns, sort, then CSV / JSON / NDJSON (no 10,000-user cap).
    Export(cmd::export::Args),
    /// Print the users matching a Lucene query (Auth0 search syntax) as NDJSON.
    Query(cmd::query::Args),
    /// Count the users matching each of several queries, in one streaming pass.
    Count(cmd::count::Args),
}

/// What a command reports back to `main`, mapped to the exit code.
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit 1: the input was read but is not valid.
    Invalid,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate(args) => cmd::validate::run(args),
        Command::Split(args) => cmd::split::run(args),
        Command::Convert(args) => cmd::convert::run(args),
        Command::Import(args) => cmd::import::run(args),
        Command::Connections(args) => cmd::connections::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Query(args) => cmd::query::run(args),
        Command::Count(args) => cmd::count::run(args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Invalid) => ExitCode::from(1),
        Err(err) => {
            if err.chain().any(|cause| {
                cause
                    .downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            eprintln!("userio: {err:#}");
            ExitCode::from(2)
        }
    }
}
