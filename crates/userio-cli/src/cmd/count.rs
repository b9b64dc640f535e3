//! `userio count FILE QUERY...`: how many users match each query. The file is streamed once;
//! each user is parsed once, only the attributes the queries read (`QuerySet`), and every
//! query runs on it, so memory does not grow with the file. (A `UserIndex` would hold every
//! user, ~1.4 KB each; it pays off when the queries are not all known up front.)

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use userio_core::query::{DefaultOperator, Query, QueryOptions, QuerySet};
use userio_core::read::UserReader;

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
    let set = QuerySet::new(queries);
    let mut reader = UserReader::new(input);
    let mut counts = vec![0u64; args.queries.len()];
    while let Some(record) = reader.next_record() {
        // One parse per user, of the attributes the queries read.
        let hits = set.matches_record(&record?)?;
        for (count, hit) in counts.iter_mut().zip(hits) {
            *count += u64::from(hit);
        }
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    for (count, text) in counts.iter().zip(&args.queries) {
        writeln!(out, "{count}\t{text}")?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}
