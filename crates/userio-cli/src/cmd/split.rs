//! `userio split FILE --out DIR`: write import files that each stay under Auth0's job size
//! limit, never splitting a user and keeping the order.

use std::path::PathBuf;

use anyhow::Context;
use userio_core::schema::{self, DEFAULT_MAX_CHUNK_BYTES, ValidateOptions};

use crate::Outcome;

/// Arguments of `userio split`.
#[derive(clap::Args)]
pub struct Args {
    /// The users file: a JSON array or NDJSON, optionally gzip.
    file: PathBuf,
    /// Directory for the chunk files (`users-0001.json`, …); created if missing.
    #[arg(long)]
    out: PathBuf,
    /// Largest chunk file in bytes (Auth0 refuses requests over 512,000 bytes).
    #[arg(long, default_value_t = DEFAULT_MAX_CHUNK_BYTES)]
    max_bytes: usize,
    /// Split without validating first (the file is read once instead of twice).
    #[arg(long)]
    no_validate: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    if !args.no_validate {
        anyhow::ensure!(
            args.file.as_os_str() != "-",
            "split validates the file before splitting it, which reads it twice: give a file path, or pass --no-validate to split standard input"
        );
        let input = userio_core::read::open(&args.file)
            .with_context(|| format!("cannot open {}", args.file.display()))?;
        let report = schema::validate_with(
            input,
            &ValidateOptions { max_errors: Some(20), ..Default::default() },
        );
        if !report.is_ok() {
            let mut err = std::io::stderr().lock();
            super::validate::print_text(&mut err, &args.file, &report)?;
            eprintln!(
                "userio: not splitting an invalid file: fix the errors above (or pass --no-validate)"
            );
            return Ok(Outcome::Invalid);
        }
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let input = userio_core::read::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let mut users = 0;
    let count = schema::split::<_, anyhow::Error>(input, args.max_bytes, |chunk| {
        let path = args.out.join(format!("users-{:04}.json", chunk.number + 1));
        std::fs::write(&path, &chunk.bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        users += chunk.users;
        Ok(())
    })
    .with_context(|| format!("cannot split {}", args.file.display()))?;
    eprintln!(
        "wrote {count} file{} ({users} users, at most {} bytes each) to {}",
        if count == 1 { "" } else { "s" },
        args.max_bytes,
        args.out.display()
    );
    Ok(Outcome::Success)
}
