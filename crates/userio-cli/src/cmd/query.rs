//! `userio query 'QUERY' FILE`: print the users matching a Lucene query (Auth0 search
//! semantics) as NDJSON, or their count.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use userio_core::query::{DefaultOperator, Query, QueryOptions, Severity};
use userio_core::read::UserReader;

use crate::Outcome;

/// Arguments of `userio query`.
#[derive(clap::Args)]
pub struct Args {
    /// The Lucene query, e.g. `app_metadata.plan:gold AND logins_count:[10 TO *]`.
    query: String,
    /// The users file: a JSON array or NDJSON, optionally gzip; `-` for stdin.
    file: PathBuf,
    /// Print only the number of matching users.
    #[arg(long)]
    count: bool,
    /// Make `a b` mean `a AND b` (the default operator is OR, as in Auth0).
    #[arg(long)]
    and: bool,
    /// Also report what Auth0's user search would refuse; exit 2 if it would refuse the query.
    #[arg(long)]
    auth0_check: bool,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let options = QueryOptions {
        default_operator: if args.and { DefaultOperator::And } else { DefaultOperator::Or },
        auth0_check: args.auth0_check,
    };
    let query = match Query::parse_with(&args.query, &options) {
        Ok(q) => q,
        Err(e) => anyhow::bail!("invalid query\n{}", e.render()),
    };
    let mut refused = false;
    for issue in query.auth0_issues() {
        refused |= issue.severity == Severity::Error;
        eprintln!(
            "auth0 check: {issue}\n{}",
            userio_core::position::excerpt(query.text(), issue.start)
        );
    }
    if refused {
        anyhow::bail!("Auth0's user search would refuse this query (see above)");
    }
    let input = userio_core::read::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let mut reader = UserReader::new(input);
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut matched: u64 = 0;
    while let Some(record) = reader.next_record() {
        let record = record?;
        // Parses only the attributes the query reads.
        if query.matches_record(&record)? {
            matched += 1;
            if !args.count {
                if record.raw.contains(&b'\n') {
                    // A record over several lines (from a pretty array): one line for NDJSON.
                    serde_json::to_writer(&mut out, &record.parse()?)?;
                } else {
                    out.write_all(record.raw)?;
                }
                out.write_all(b"\n")?;
            }
        }
    }
    if args.count {
        writeln!(out, "{matched}")?;
    }
    out.flush()?;
    Ok(Outcome::Success)
}
