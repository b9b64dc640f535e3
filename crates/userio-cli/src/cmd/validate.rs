//! `userio validate FILE`: check a users file against Auth0's bulk-import schema.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use userio_core::schema::{self, Issue, Report, ValidateOptions};

use crate::Outcome;

/// Output format of `userio validate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Errors grouped by user, with line:column and a caret excerpt.
    Text,
    /// The report as JSON (`users`, `valid`, `errors`, `warnings`, `truncated`).
    Json,
}

/// Arguments of `userio validate`.
#[derive(clap::Args)]
pub struct Args {
    /// The users file: a JSON array or NDJSON, optionally gzip; `-` for stdin.
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Stop collecting after this many errors (users are still counted to the end).
    #[arg(long)]
    max_errors: Option<usize>,
    /// Refuse files larger than this many bytes (after decompression).
    #[arg(long)]
    max_file_bytes: Option<u64>,
    /// Skip the duplicate email / user_id / username check (strictly flat memory).
    #[arg(long)]
    no_duplicates: bool,
    /// Threads that check users (0: one per core, up to 4; 1: none). The report is the
    /// same for any value.
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<Outcome> {
    let input = userio_core::read::open(&args.file)
        .with_context(|| format!("cannot open {}", args.file.display()))?;
    let mut options = ValidateOptions {
        max_errors: args.max_errors,
        check_duplicates: !args.no_duplicates,
        threads: args.threads,
        ..Default::default()
    };
    options.limits.max_bytes = args.max_file_bytes;
    let report = schema::validate_with(input, &options);
    if let Some(io) = report.errors.iter().find(|i| i.code == "io_error") {
        anyhow::bail!("{}: {}", args.file.display(), io.message);
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        OutputFormat::Text => print_text(&mut out, &args.file, &report)?,
    }
    out.flush()?;
    Ok(if report.is_ok() { Outcome::Success } else { Outcome::Invalid })
}

/// How many issues get a caret excerpt (re-reading the file costs a pass).
const MAX_EXCERPTS: usize = 200;

/// Prints issues grouped by user, with excerpts, then a summary line.
pub fn print_text(out: &mut impl Write, file: &Path, report: &Report) -> anyhow::Result<()> {
    let mut all: Vec<&Issue> = report.errors.iter().chain(&report.warnings).collect();
    all.sort_by_key(|i| (i.position.byte, i.severity == schema::Severity::Warning));
    let lines = excerpt_lines(file, &all);
    let name = file.display();
    let mut current: Option<Option<u64>> = None;
    for issue in &all {
        if current != Some(issue.index) {
            current = Some(issue.index);
            match issue.index {
                Some(i) => writeln!(out, "{name}: user {i} (line {})", issue.position.line)?,
                None => writeln!(out, "{name}: the file")?,
            }
        }
        let sev = match issue.severity {
            schema::Severity::Error => "error",
            schema::Severity::Warning => "warning",
        };
        let at =
            if issue.pointer.is_empty() { String::new() } else { format!(" at {}", issue.pointer) };
        writeln!(
            out,
            "  {}:{}: {sev}[{}]{at}: {}",
            issue.position.line, issue.position.column, issue.code, issue.message
        )?;
        if let Some(v) = &issue.value {
            writeln!(out, "      value: {v}")?;
        }
        if let Some(line) = lines.get(&issue.position.line) {
            writeln!(out, "{}", caret(line, issue.position.line, issue.position.column))?;
        }
    }
    let users_with_errors = {
        let mut idx: Vec<_> = report.errors.iter().filter_map(|i| i.index).collect();
        idx.dedup();
        idx.len()
    };
    writeln!(
        out,
        "{} users read, {} valid, {} error{}{}, {} warning{}{}",
        report.users,
        report.valid,
        report.errors.len(),
        if report.errors.len() == 1 { "" } else { "s" },
        if users_with_errors > 0 {
            format!(" in {users_with_errors} users")
        } else {
            String::new()
        },
        report.warnings.len(),
        if report.warnings.len() == 1 { "" } else { "s" },
        if report.truncated { " (list cut short by --max-errors)" } else { "" },
    )?;
    Ok(())
}

/// Reads the lines the first issues point at (only from a re-openable file, not stdin).
fn excerpt_lines(file: &Path, issues: &[&Issue]) -> BTreeMap<u64, String> {
    let mut wanted: BTreeMap<u64, String> =
        issues.iter().take(MAX_EXCERPTS).map(|i| (i.position.line, String::new())).collect();
    let Some(&last) = wanted.keys().next_back() else { return wanted };
    if file.as_os_str() == "-" {
        return BTreeMap::new();
    }
    let Ok(input) = userio_core::read::open(file) else { return BTreeMap::new() };
    let mut reader = BufReader::new(input);
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    while line_no < last {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        line_no += 1;
        if let Some(slot) = wanted.get_mut(&line_no) {
            let text = buf.strip_suffix(b"\n").unwrap_or(&buf);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            *slot = String::from_utf8_lossy(text).into_owned();
        }
    }
    wanted.retain(|_, v| !v.is_empty());
    wanted
}

/// `   5 | text` and a caret under `column` (1-based, characters); long lines get a window.
fn caret(line: &str, line_no: u64, column: u64) -> String {
    const WINDOW: usize = 70;
    let col = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
    let chars: Vec<char> = line.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
    let (start, prefix) = if col > WINDOW / 2 { (col - WINDOW / 2, "…") } else { (0, "") };
    let end = (start + WINDOW).min(chars.len());
    let shown: String = chars.get(start..end).map(|s| s.iter().collect()).unwrap_or_default();
    let suffix = if end < chars.len() { "…" } else { "" };
    let gutter = format!("{line_no:>6}");
    let pad = col.saturating_sub(start) + prefix.chars().count();
    format!(
        "{gutter} | {prefix}{shown}{suffix}\n{} | {}^",
        " ".repeat(gutter.len()),
        " ".repeat(pad)
    )
}

#[cfg(test)]
mod tests {
    use super::caret;

    #[test]
    fn caret_windows_long_lines() {
        assert_eq!(caret("{\"email\":1}", 3, 10), "     3 | {\"email\":1}\n       |          ^");
        let long = format!("{}X{}", "a".repeat(100), "b".repeat(100));
        let out = caret(&long, 1, 101);
        let lines: Vec<&str> = out.lines().collect();
        let x = lines[0].chars().position(|c| c == 'X').unwrap();
        assert_eq!(lines[1].chars().position(|c| c == '^').unwrap(), x);
    }
}
