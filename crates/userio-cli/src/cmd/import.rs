//! `userio import FILE --connection NAME`: import a users file into an Auth0 tenant through
//! bulk import jobs, resumably.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use userio_auth0::{ImportOptions, blocking};

use crate::Outcome;
use crate::cmd::tenant::TenantArgs;

/// Arguments of `userio import`.
#[derive(clap::Args)]
pub struct Args {
    /// The users file (JSON array, Auth0's import format).
    file: PathBuf,
    /// Target database connection, by name.
    #[arg(long)]
    connection: String,
    /// Update users that already exist (matched by email) instead of failing them.
    #[arg(long)]
    upsert: bool,
    /// Continue an interrupted import recorded in the journal; no chunk is uploaded twice.
    #[arg(long)]
    resume: bool,
    /// With --resume: upload again chunks whose earlier upload was cut off midway.
    #[arg(long, requires = "resume")]
    resubmit_uncertain: bool,
    /// Journal file (default: FILE.import-journal.jsonl).
    #[arg(long)]
    journal: Option<PathBuf>,
    /// Correlation id sent with each job (suffixed with the chunk number).
    #[arg(long)]
    external_id: Option<String>,
    /// Let Auth0 email the tenant admins when each job ends.
    #[arg(long)]
    send_completion_email: bool,
    /// Largest users file per job, in bytes.
    #[arg(long, default_value_t = userio_core::schema::DEFAULT_MAX_CHUNK_BYTES)]
    chunk_bytes: usize,
    #[command(flatten)]
    tenant: TenantArgs,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let config = args.tenant.config()?;
    let client = blocking::Client::new(config)?;
    let mut opts = ImportOptions::new(args.connection);
    opts.job.upsert = args.upsert;
    opts.job.external_id = args.external_id;
    opts.job.send_completion_email = args.send_completion_email;
    opts.max_chunk_bytes = args.chunk_bytes;
    opts.journal = args.journal;
    opts.resume = args.resume;
    opts.resubmit_uncertain = args.resubmit_uncertain;
    let tty = std::io::stderr().is_terminal();
    if tty {
        opts.progress = Some(Arc::new(|p: &userio_auth0::Progress| {
            let width = 30u64;
            let filled = (p.users_done * width).checked_div(p.users_total).unwrap_or(0);
            eprint!(
                "\r[{}{}] {}/{} users, {} chunk(s) done, {} running ",
                "#".repeat(filled as usize),
                "-".repeat((width - filled) as usize),
                p.users_done,
                p.users_total,
                p.chunks_done,
                p.chunks_running
            );
        }));
    }
    let result = client.import(&args.file, &opts);
    if tty {
        eprintln!();
    }
    let report = result.with_context(|| format!("import of {} failed", args.file.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for f in &report.failures {
            let at = match (f.line, f.index) {
                (Some(line), Some(i)) => format!("line {line} (user {i})"),
                _ => format!("chunk {} (user not matched)", f.chunk),
            };
            let who = f.email.as_deref().or(f.user_id.as_deref()).unwrap_or("?");
            for e in &f.errors {
                println!("{}: {at}: {who}: {} {}", args.file.display(), e.code, e.message);
            }
        }
        for c in report.failed_jobs() {
            println!(
                "{}: chunk {} (users {}..{}) job {} {}: {}",
                args.file.display(),
                c.chunk,
                c.first_index,
                c.first_index + c.users,
                c.job_id,
                c.status,
                c.details.as_deref().unwrap_or("no details")
            );
        }
        println!(
            "{} users: {} inserted, {} updated, {} failed ({} job(s){})",
            report.users,
            report.inserted,
            report.updated,
            report.failed,
            report.chunks.len(),
            if report.chunks_from_journal > 0 {
                format!(", {} from the journal", report.chunks_from_journal)
            } else {
                String::new()
            }
        );
    }
    Ok(if report.is_ok() { Outcome::Success } else { Outcome::Invalid })
}
