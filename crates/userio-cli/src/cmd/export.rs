//! `userio export`: query → sort → columns → CSV / JSON / NDJSON.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use userio_core::convert::flatten;
use userio_core::export::{
    ColumnSpec, Columns, ColumnsFileError, ExportError, Exporter, Format, Summary,
};
use userio_core::expr::{Column, ErrorPolicy, ExprError, Limits, LimitsError};
use userio_core::position::excerpt;
use userio_core::query::Query;

use crate::Outcome;
use crate::cmd::output::{self, parse_delimiter};
use crate::cmd::tenant::TenantArgs;

/// Output formats on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Csv,
    Json,
    Ndjson,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FlattenOrderArg {
    FirstSeen,
    Sorted,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FlattenArraysArg {
    Json,
    Join,
    Index,
}

/// Arguments of `userio export`.
#[derive(clap::Args)]
pub struct Args {
    /// The users file: a JSON array or NDJSON, optionally gzip; `-` (the default) for stdin.
    #[arg(default_value = "-")]
    file: PathBuf,
    /// Keep only the users matching this Lucene query (Auth0 search v3 syntax).
    #[arg(long, short)]
    query: Option<String>,
    /// Start with the extension's default columns (the default when no column is given).
    #[arg(long)]
    default_columns: bool,
    /// Add a column `Name=source`; split at the first `=`, the source is an attribute path
    /// or a JavaScript expression over `user`. Repeatable.
    #[arg(long = "column", short = 'c', value_name = "NAME=SOURCE")]
    columns: Vec<String>,
    /// Add the columns of a JSON or TOML columns file (`[{"name": …, "source": …}]`).
    #[arg(long, value_name = "FILE")]
    columns_file: Option<PathBuf>,
    /// Sort by this attribute path (missing values last).
    #[arg(long, value_name = "PATH")]
    sort: Option<String>,
    /// Sort descending.
    #[arg(long, requires = "sort")]
    desc: bool,
    /// Compare strings case-insensitively when sorting.
    #[arg(long, requires = "sort")]
    ignore_case: bool,
    /// Output format.
    #[arg(long, short, value_enum, default_value = "csv")]
    format: FormatArg,
    /// Start CSV with a UTF-8 byte order mark (for Excel).
    #[arg(long)]
    bom: bool,
    /// Write at most N rows (the first N after sorting).
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Threads that parse, match and render users (0: one per core, up to 4; 1: none).
    /// The output is the same for any value.
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// CSV delimiter: one ASCII character, or `tab` / `\t`.
    #[arg(long, default_value = ",", value_name = "C")]
    delimiter: String,
    /// End CSV lines with CRLF.
    #[arg(long)]
    crlf: bool,
    /// Do not prefix CSV cells starting with = + - @ tab CR with `'`.
    #[arg(long)]
    no_formula_escape: bool,
    /// Memory budget for sorting, in MiB; beyond it sorted runs spill to temporary files.
    #[arg(long, default_value_t = 256, value_name = "MB")]
    memory_budget: usize,
    /// Directory for the sort's temporary files.
    #[arg(long, value_name = "DIR")]
    temp_dir: Option<PathBuf>,
    /// Order of the columns a `.*` source expands into: as first met, or sorted by path.
    #[arg(long, value_enum, default_value = "first-seen", value_name = "ORDER")]
    flatten_order: FlattenOrderArg,
    /// How `.*` columns write arrays: as compact JSON, joined with `;`, or one column per
    /// index (`roles[0]`, `roles[1]`, …).
    #[arg(long, value_enum, default_value = "json", value_name = "HOW")]
    flatten_arrays: FlattenArraysArg,
    /// What a cell whose expression fails (e.g. `TypeError`) becomes: `empty` (counted and
    /// the first ones shown in the summary), `abort` (stop with where and why), or
    /// `marker:TEXT` (that text in the cell).
    #[arg(long, default_value = "empty", value_name = "POLICY", value_parser = parse_policy)]
    on_cell_error: ErrorPolicy,
    /// Wall-clock time a JavaScript column may take for one user, in milliseconds; a cell
    /// that takes longer is a cell error (`RangeError: time limit …`).
    #[arg(long, default_value_t = 500, value_name = "MS")]
    js_time_limit: u64,
    /// Loop iterations a JavaScript column may run per function call for one user; more is a
    /// cell error (`RangeError: sandbox limit: … iteration loops …`).
    #[arg(long, default_value_t = 1_000_000, value_name = "N")]
    js_loop_limit: u64,
    /// Read the users from this Auth0 tenant instead of a file (with --token or
    /// --client-id/--client-secret, or AUTH0_* variables): the search endpoint when the query
    /// matches under 1,000 users, else an export job filtered locally. Says which it chose.
    #[command(flatten)]
    tenant: TenantArgs,
    /// Before exporting, print each column's name, tier and source to stderr: `path`
    /// (read straight from the JSON), `native` (evaluated in Rust) or `js` (the sandboxed
    /// JavaScript engine, much slower).
    #[arg(long)]
    explain: bool,
    /// Write to this file (through a temporary file renamed on success) instead of stdout.
    #[arg(long, short, value_name = "OUT")]
    output: Option<PathBuf>,
}

fn expr_error(e: &ExprError) -> anyhow::Error {
    anyhow!(
        "column {:?}: {} at offset {}\n{}",
        e.column,
        e.message,
        e.offset,
        excerpt(&e.source_text, e.offset)
    )
}

/// The column specs in order: defaults, then the columns file, then `--column`s.
fn column_specs(args: &Args) -> anyhow::Result<Vec<ColumnSpec>> {
    let mut specs = Vec::new();
    if args.default_columns {
        specs = Columns::defaults().specs();
    }
    if let Some(path) = &args.columns_file {
        specs.extend(ColumnSpec::load_list(path).map_err(|e| anyhow!("{}: {e}", path.display()))?);
    }
    for text in &args.columns {
        specs.push(ColumnSpec::parse_cli(text).ok_or_else(|| {
            anyhow!("--column {text:?}: expected `Name=source`, e.g. --column 'Plan=user.app_metadata.plan'")
        })?);
    }
    if specs.is_empty() {
        specs = Columns::defaults().specs();
    }
    Ok(specs)
}

/// Where the users come from: the file (read again for the export), or users already
/// buffered from a stream while discovering `.*` columns.
enum Source {
    File,
    Buffered(Vec<serde_json::Value>),
    Tenant(Box<dyn std::io::Read + Send>),
}

/// Opens the tenant's users when `--domain` is given.
fn tenant_source(args: &Args) -> anyhow::Result<Option<Source>> {
    if args.tenant.domain.is_none() {
        return Ok(None);
    }
    if args.file.as_os_str() != "-" {
        bail!("give either a FILE or --domain, not both");
    }
    let client = userio_auth0::blocking::Client::new(args.tenant.config()?)?;
    let query = userio_auth0::TenantQuery {
        q: args.query.clone(),
        sort: args.sort.clone().map(|s| (s, args.desc)),
        ..Default::default()
    };
    let (reader, choice) = client.open_tenant_users(&query)?;
    eprintln!("userio: reading from {}: {choice}", args.tenant.domain.as_deref().unwrap_or(""));
    Ok(Some(Source::Tenant(reader)))
}

/// Expands `.*` column sources into one column per leaf path found in the input: a first
/// pass over a file, or (for stdin) buffering the users within the memory budget.
fn expand_wildcards(
    args: &Args,
    specs: Vec<ColumnSpec>,
) -> anyhow::Result<(Vec<ColumnSpec>, Source)> {
    if !specs.iter().any(|s| flatten::wildcard_prefix(&s.source).is_some()) {
        return Ok((specs, Source::File));
    }
    let options = flatten::FlattenOptions {
        order: match args.flatten_order {
            FlattenOrderArg::FirstSeen => flatten::Order::FirstSeen,
            FlattenOrderArg::Sorted => flatten::Order::Sorted,
        },
        arrays: match args.flatten_arrays {
            FlattenArraysArg::Index => flatten::Arrays::Descend,
            _ => flatten::Arrays::Leaf,
        },
    };
    let arrays = match args.flatten_arrays {
        FlattenArraysArg::Join => flatten::ArrayText::Join(";".into()),
        _ => flatten::ArrayText::Json,
    };
    let (paths, source) = if args.file.as_os_str() == "-" {
        let budget = args.memory_budget.saturating_mul(1 << 20);
        let buffered = flatten::collect_buffered(std::io::stdin().lock(), "", options, budget)
            .map_err(|e| anyhow!("stdin: {e}"))?;
        eprintln!(
            "userio: buffered {} users from stdin to find the `.*` columns (a file is read twice instead)",
            buffered.users.len()
        );
        (buffered.paths, Source::Buffered(buffered.users))
    } else {
        let mut collector = flatten::LeafPathCollector::new("", options);
        let input = userio_core::read::open(&args.file)?;
        collector.scan(input).map_err(|e| anyhow!("{}: {e}", args.file.display()))?;
        (collector.paths(), Source::File)
    };
    Ok((flatten::expand_specs(specs, &paths, &arrays), source))
}

fn parse_policy(text: &str) -> Result<ErrorPolicy, String> {
    match text {
        "empty" => Ok(ErrorPolicy::Empty),
        "abort" => Ok(ErrorPolicy::Abort),
        _ => match text.strip_prefix("marker:") {
            Some(m) => Ok(ErrorPolicy::Marker(m.to_owned())),
            None => Err(format!("{text:?}: use `empty`, `abort` or `marker:TEXT`")),
        },
    }
}

/// The columns of `specs`, each with the error policy and JavaScript limits of `args`.
fn columns(specs: Vec<ColumnSpec>, args: &Args) -> anyhow::Result<Vec<Column>> {
    let columns = Columns::from_specs(specs).map_err(|e| match e {
        ColumnsFileError::Expr { error, .. } => expr_error(&error),
        other => anyhow!(other),
    })?;
    let limits = Limits::with(Some(args.js_time_limit), Some(args.js_loop_limit)).map_err(|e| {
        let flag = match e {
            LimitsError::Time => "--js-time-limit",
            LimitsError::Loops => "--js-loop-limit",
        };
        anyhow!("{flag}: {e}")
    })?;
    let column =
        |c: Column| c.with_error_policy(args.on_cell_error.clone()).with_limits(limits.clone());
    Ok(columns.into_vec().into_iter().map(column).collect())
}

fn build(args: &Args, columns: Vec<Column>) -> anyhow::Result<Exporter> {
    let mut ex = Exporter::new(columns)
        .format(match args.format {
            FormatArg::Csv => Format::Csv,
            FormatArg::Json => Format::Json,
            FormatArg::Ndjson => Format::Ndjson,
        })
        .bom(args.bom)
        .crlf(args.crlf)
        .delimiter(parse_delimiter(&args.delimiter)?)
        .formula_escape(!args.no_formula_escape)
        .memory_budget(args.memory_budget.saturating_mul(1 << 20));
    if let Some(q) = &args.query {
        let query = Query::parse(q).map_err(|e| {
            anyhow!("--query: {e}\n{}", excerpt(q, usize::try_from(e.position.byte).unwrap_or(0)))
        })?;
        ex = ex.query(query);
    }
    if let Some(path) = &args.sort {
        ex = ex.sort_by(path, args.desc).case_insensitive_sort(args.ignore_case);
    }
    if let Some(n) = args.limit {
        ex = ex.limit(n);
    }
    ex = ex.threads(args.threads);
    if let Some(dir) = &args.temp_dir {
        ex = ex.temp_dir(dir);
    }
    if std::io::stderr().is_terminal() {
        let last = Mutex::new(Instant::now());
        ex = ex.progress(move |p| {
            let Ok(mut last) = last.lock() else { return };
            if last.elapsed() >= Duration::from_millis(200) {
                *last = Instant::now();
                eprint!("\r{} read, {} matched, {} written\x1b[K", p.read, p.matched, p.written);
            }
        });
    }
    Ok(ex)
}

fn export_error(e: ExportError, file: &Path) -> anyhow::Error {
    let what = match &e {
        ExportError::Read(_) => format!("{}: {e} [{}]", file.display(), e.code()),
        _ => format!("{e} [{}]", e.code()),
    };
    anyhow!(what)
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let (specs, source) = match tenant_source(&args)? {
        Some(tenant) => {
            let specs = column_specs(&args)?;
            if specs.iter().any(|s| flatten::wildcard_prefix(&s.source).is_some()) {
                bail!(
                    "`.*` columns need a file (read twice) or stdin; save the tenant's users to a file first"
                );
            }
            (specs, tenant)
        }
        None => expand_wildcards(&args, column_specs(&args)?)?,
    };
    let columns = columns(specs, &args)?;
    if args.explain {
        explain(&columns);
    }
    let ex = build(&args, columns)?;
    let mut source = Some(source);
    let mut export = |out: &mut dyn Write| -> Result<Summary, ExportError> {
        match source.take() {
            Some(Source::Buffered(users)) => ex.export_users(users, out),
            Some(Source::Tenant(reader)) => ex.export_reader(reader, out),
            _ => ex.export_path(&args.file, out),
        }
    };
    let summary = match &args.output {
        None => {
            let mut stdout = std::io::stdout().lock();
            export(&mut stdout).map_err(|e| export_error(e, &args.file))?
        }
        Some(out) => {
            let mut tmp = output::temp_in(&output::dir_of(out), ".userio-export-")?;
            let summary = export(tmp.as_file_mut()).map_err(|e| export_error(e, &args.file))?;
            tmp.as_file_mut()
                .sync_all()
                .with_context(|| format!("cannot write {}", out.display()))?;
            tmp.persist(out).with_context(|| format!("cannot write {}", out.display()))?;
            summary
        }
    };
    print_summary(&summary);
    Ok(Outcome::Success)
}

/// One line per column: its name, tier and source, aligned.
fn explain(columns: &[Column]) {
    let name_width = columns.iter().map(|c| c.name().chars().count()).max().unwrap_or(0);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "userio export: {} columns (name, tier, source)", columns.len());
    for c in columns {
        let _ =
            writeln!(err, "  {:name_width$}  {:6}  {}", c.name(), c.tier().as_str(), c.source());
    }
}

fn print_summary(s: &Summary) {
    let mut err = std::io::stderr().lock();
    if err.is_terminal() {
        let _ = write!(err, "\r\x1b[K");
    }
    let _ = writeln!(
        err,
        "userio export: {} read, {} matched, {} written, {} cell errors",
        s.read, s.matched, s.written, s.cell_errors
    );
    for d in &s.first_cell_errors {
        let _ = writeln!(err, "  cell error: {d}");
    }
    if s.cell_errors > s.first_cell_errors.len() as u64 {
        let _ = writeln!(err, "  … and {} more", s.cell_errors - s.first_cell_errors.len() as u64);
    }
}
