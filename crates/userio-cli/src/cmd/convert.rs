//! `userio convert INPUT --to import`: a CSV or an Auth0 export becomes an import file.

use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, bail};
use userio_core::convert::csv_import::{self, CsvOptions, Encoding};
use userio_core::convert::from_export::{self, DropReason, ExportOptions};
use userio_core::schema::{self, DEFAULT_MAX_CHUNK_BYTES};

use crate::Outcome;
use crate::cmd::output::{self, parse_delimiter};

/// What to convert to.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Target {
    /// Auth0's bulk-import format: one JSON array of users.
    Import,
}

/// What the input is.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Source {
    /// Decide from the file name (`.csv`, `.tsv` → csv; `.json`, `.ndjson` → export) or,
    /// failing that, the first byte (`[` or `{` → export).
    Auto,
    /// A CSV whose header names attribute paths.
    Csv,
    /// Auth0 export (NDJSON) or profiles (JSON array), optionally gzip.
    Export,
}

/// The CSV's text encoding.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum EncodingArg {
    /// UTF-8, with or without a byte-order mark.
    #[value(alias = "utf-8")]
    Utf8,
    /// ISO-8859-1.
    #[value(alias = "latin-1", alias = "iso-8859-1")]
    Latin1,
}

/// Arguments of `userio convert`.
#[derive(clap::Args)]
pub struct Args {
    /// The input: a CSV, or an Auth0 export (NDJSON or JSON array, optionally gzip); `-`
    /// for stdin.
    input: PathBuf,
    /// The output format.
    #[arg(long, value_enum)]
    to: Target,
    /// Write the import file here (`-`: stdout, the default).
    #[arg(short, long, conflicts_with = "split")]
    output: Option<PathBuf>,
    /// Write import files of at most --chunk-bytes each into this directory instead.
    #[arg(long, value_name = "DIR")]
    split: Option<PathBuf>,
    /// Maximum size of each file with --split.
    #[arg(long, default_value_t = DEFAULT_MAX_CHUNK_BYTES, requires = "split")]
    chunk_bytes: usize,
    /// What the input is.
    #[arg(long, value_enum, default_value = "auto")]
    from: Source,
    /// Export input: keep `user_id` as exported (with its `auth0|` prefix).
    #[arg(long)]
    keep_user_id: bool,
    /// CSV cell delimiter: one ASCII character, or `tab`. Default `,` (tab for `.tsv`).
    #[arg(long, value_name = "C")]
    delimiter: Option<String>,
    /// CSV text encoding.
    #[arg(long, value_enum, default_value = "utf8")]
    encoding: EncodingArg,
    /// CSV separator of the items of `path[]` list columns.
    #[arg(long, value_name = "C", default_value = ";")]
    list_separator: char,
    /// Do not validate the converted users.
    #[arg(long)]
    no_validate: bool,
    /// Stop listing problems after this many.
    #[arg(long)]
    max_errors: Option<usize>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let Target::Import = args.to;
    let raw = userio_core::read::open(&args.input)
        .with_context(|| format!("cannot open {}", args.input.display()))?;
    let mut input = BufReader::with_capacity(64 * 1024, raw);
    let name = args.input.file_name().map(|n| n.to_string_lossy().to_lowercase());
    let name = name.as_deref().map(|n| n.strip_suffix(".gz").unwrap_or(n)).unwrap_or("");
    let source = match args.from {
        Source::Auto => detect(name, &mut input)?,
        other => other,
    };

    let mut target = Output::new(&args)?;
    let outcome = match source {
        Source::Csv => {
            let delimiter = match args.delimiter.as_deref() {
                Some(d) => parse_delimiter(d)?,
                None if name.ends_with(".tsv") => b'\t',
                None => b',',
            };
            let options = CsvOptions {
                delimiter,
                encoding: match args.encoding {
                    EncodingArg::Utf8 => Encoding::Utf8,
                    EncodingArg::Latin1 => Encoding::Latin1,
                },
                list_separator: args.list_separator,
                validate: !args.no_validate,
                max_errors: args.max_errors,
            };
            let report = csv_import::csv_to_import(input, target.writer(), &options)
                .context("cannot convert the CSV")?;
            if !report.errors.is_empty() {
                for e in &report.errors {
                    eprintln!("{e}");
                }
                if report.errors_truncated {
                    eprintln!("… more problems not shown (--max-errors)");
                }
                target.discard();
                bail!(
                    "{} cell(s) did not convert; nothing was written: fix the rows above",
                    report.errors.len()
                );
            }
            let written = target.commit(&args)?;
            eprintln!(
                "{} users written from {} CSV rows{} to {written}",
                report.users,
                report.rows,
                if report.empty_rows > 0 {
                    format!(" ({} empty rows skipped)", report.empty_rows)
                } else {
                    String::new()
                }
            );
            match &report.validation {
                Some(v) if !v.issues.is_empty() => {
                    for issue in &v.issues {
                        eprintln!("{issue}");
                    }
                    eprintln!(
                        "validation: {} of {} users valid, {} problem(s){}",
                        v.valid,
                        v.users,
                        v.issues.len(),
                        if v.truncated { " (list cut short)" } else { "" }
                    );
                    Outcome::Invalid
                }
                Some(v) => {
                    eprintln!("validation: all {} users valid", v.users);
                    Outcome::Success
                }
                None => Outcome::Success,
            }
        }
        Source::Export | Source::Auto => {
            let options = ExportOptions {
                keep_user_id: args.keep_user_id,
                validate: !args.no_validate,
                max_errors: args.max_errors,
                ..Default::default()
            };
            let summary = match from_export::export_to_import(input, target.writer(), &options) {
                Ok(s) => s,
                Err(e) => {
                    target.discard();
                    return Err(e).context("cannot convert the export");
                }
            };
            let written = target.commit(&args)?;
            eprintln!("{} users written to {written}", summary.users);
            if summary.user_ids_stripped > 0 {
                eprintln!("user_id: strategy prefix stripped from {}", summary.user_ids_stripped);
            }
            if summary.foreign_user_ids > 0 {
                eprintln!(
                    "user_id: {} non-database ids (e.g. google-oauth2|…) kept as they were",
                    summary.foreign_user_ids
                );
            }
            if !summary.dropped.is_empty() {
                eprintln!("dropped fields (users):");
                for d in &summary.dropped {
                    let why = match d.reason {
                        DropReason::ReadOnly => "read-only",
                        DropReason::Unknown => "not in the import schema",
                        DropReason::Null => "null",
                    };
                    eprintln!("  {:<28} {:>9}  {why}", d.field, d.count);
                }
            }
            match &summary.validation {
                Some(r) if !r.is_ok() => {
                    for issue in &r.errors {
                        let user = issue.index.map_or("file".into(), |i| format!("user {i}"));
                        eprintln!("{user} {}: {} [{}]", issue.pointer, issue.message, issue.code);
                    }
                    eprintln!(
                        "validation: {} of {} users valid, {} problem(s)",
                        r.valid,
                        r.users,
                        r.errors.len()
                    );
                    Outcome::Invalid
                }
                Some(r) => {
                    eprintln!("validation: all {} users valid", r.users);
                    Outcome::Success
                }
                None => Outcome::Success,
            }
        }
    };
    Ok(outcome)
}

fn detect(name: &str, input: &mut impl BufRead) -> anyhow::Result<Source> {
    if name.ends_with(".csv") || name.ends_with(".tsv") {
        return Ok(Source::Csv);
    }
    if [".json", ".ndjson", ".jsonl"].iter().any(|e| name.ends_with(e)) {
        return Ok(Source::Export);
    }
    let head = input.fill_buf().context("cannot read the input")?;
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let first = head.iter().find(|b| !b.is_ascii_whitespace());
    Ok(if matches!(first, Some(b'[' | b'{')) { Source::Export } else { Source::Csv })
}

/// Where the converted users go: stdout, or a temporary file renamed (or split) on success.
enum Output {
    Stdout(BufWriter<io::Stdout>),
    Temp(tempfile::NamedTempFile),
}

impl Output {
    fn new(args: &Args) -> anyhow::Result<Self> {
        let dir = match (&args.output, &args.split) {
            (Some(out), _) if out.as_os_str() != "-" => output::dir_of(out),
            (_, Some(dir)) => dir.clone(),
            _ => return Ok(Output::Stdout(BufWriter::new(io::stdout()))),
        };
        Ok(Output::Temp(output::temp_in(&dir, ".userio-convert-")?))
    }

    fn writer(&mut self) -> Box<dyn Write + '_> {
        match self {
            Output::Stdout(w) => Box::new(w),
            Output::Temp(f) => Box::new(BufWriter::with_capacity(256 * 1024, f.as_file_mut())),
        }
    }

    fn discard(self) {
        // A temporary file removes itself when dropped.
    }

    /// Moves the result into place; returns a description of where it went.
    fn commit(self, args: &Args) -> anyhow::Result<String> {
        let tmp = match self {
            Output::Stdout(mut w) => {
                w.flush()?;
                return Ok("stdout".into());
            }
            Output::Temp(tmp) => tmp,
        };
        if let Some(out) = &args.output {
            tmp.persist(out).with_context(|| format!("cannot write {}", out.display()))?;
            return Ok(out.display().to_string());
        }
        let Some(dir) = &args.split else { unreachable!("a temp file needs -o or --split") };
        let stem = args
            .input
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.split('.').next())
            .filter(|s| !s.is_empty() && *s != "-")
            .unwrap_or("users")
            .to_owned();
        let input = fs::File::open(tmp.path()).context("cannot reopen the converted users")?;
        let mut written = Vec::new();
        let result = schema::split(BufReader::new(input), args.chunk_bytes, |chunk| {
            let path = dir.join(format!("{stem}-{:04}.json", chunk.number + 1));
            let mut part = tempfile::Builder::new().prefix(".userio-part-").tempfile_in(dir)?;
            part.write_all(&chunk.bytes)?;
            part.flush()?;
            written.push((part.into_temp_path(), path));
            Ok::<(), anyhow::Error>(())
        });
        result.context("cannot split the converted users")?;
        let n = written.len();
        for (part, path) in written {
            part.persist(&path).with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(format!("{n} file(s) {}/{stem}-NNNN.json", dir.display()))
    }
}
