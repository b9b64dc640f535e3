//! `userio count FILE QUERY...`: how many users match each query. The file is read once into
//! a `UserIndex` (users held by attribute path), then every query runs on the index.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use userio_core::query::{DefaultOperator, IndexReadError, Query, QueryOptions, UserIndex};

use crate::Outcome;

/// Arguments of `userio count`.
#[derive(clap::Args)]
pub struct Args {
    /// The users file: a JSON array or NDJSON, optionally gzip; `-` for stdin.
    file: PathBuf,
    /// One or more Lucene queries, e.g. `app_metadata.plan:gold` `NOT blocked:true`.
    #[arg(required = true)]
    queries: Vec<String>,
    /// Make `a b` mean `a AND b` (the default operator is OR, as in Auth0).
    #[arg(long)]
    and: bool,
}

/// Runs the command: one `COUNT<TAB>QUERY` line per query, in the order given.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let options = QueryOptions {
        default_operator: if args.and { DefaultOperator::And } else { DefaultOperator::Or },
        auth0_check: false,
    };
    // Every query is checked before the file is read.
    let mut queries = Vec::with_capacity(args.queries.len());
    for (i, text) in args.queries.iter().enumerate() {
        match Query::parse_with(text, &options) {
            Ok(q) => queries.push(q),
            Err(e) => {
                anyhow::bail!("invalid query {} of {}\n{}", i + 1, args.queries.len(), e.render())
            }
        }
    }
    let input = userio_core::read::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let index = UserIndex::from_reader(input).map_err(|e| match e {
        IndexReadError::Read(e) => anyhow::Error::new(e),
        IndexReadError::Index(e) => anyhow::Error::new(e),
    })?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (q, text) in queries.iter().zip(&args.queries) {
        writeln!(out, "{}\t{text}", index.search(q).count())?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}
