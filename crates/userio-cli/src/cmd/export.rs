//! `userio export`: query → sort → columns → CSV / JSON / NDJSON.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use userio_core::export::{ColumnSpec, Columns, ExportError, Exporter, Format, Summary};
use userio_core::expr::{Column, ExprError};
use userio_core::position::excerpt;
use userio_core::query::Query;

use crate::Outcome;

/// Output formats on the command line.
#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Csv,
    Json,
    Ndjson,
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

fn parse_delimiter(text: &str) -> anyhow::Result<u8> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        s if s.len() == 1 && s.is_ascii() => Ok(s.as_bytes()[0]),
        s => bail!("--delimiter {s:?}: give one ASCII character, or `tab`"),
    }
}

fn columns(args: &Args) -> anyhow::Result<Vec<Column>> {
    let mut cols = Columns::new();
    if args.default_columns {
        cols = Columns::defaults();
    }
    if let Some(path) = &args.columns_file {
        let file = Columns::load(path).map_err(|e| anyhow!("{}: {e}", path.display()))?;
        cols.extend(file);
    }
    for text in &args.columns {
        let spec = ColumnSpec::parse_cli(text).ok_or_else(|| {
            anyhow!("--column {text:?}: expected `Name=source`, e.g. --column 'Plan=user.app_metadata.plan'")
        })?;
        cols.push(spec.name, spec.source).map_err(|e| expr_error(&e))?;
    }
    if cols.is_empty() {
        cols = Columns::defaults();
    }
    Ok(cols.into_vec())
}

fn build(args: &Args) -> anyhow::Result<Exporter> {
    let mut ex = Exporter::new(columns(args)?)
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
    let ex = build(&args)?;
    let summary = match &args.output {
        None => {
            let stdout = std::io::stdout().lock();
            ex.export_path(&args.file, stdout).map_err(|e| export_error(e, &args.file))?
        }
        Some(out) => {
            let dir = match out.parent() {
                Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let mut tmp = tempfile::Builder::new()
                .prefix(".userio-export-")
                .tempfile_in(&dir)
                .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
            let summary = ex
                .export_path(&args.file, tmp.as_file_mut())
                .map_err(|e| export_error(e, &args.file))?;
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
