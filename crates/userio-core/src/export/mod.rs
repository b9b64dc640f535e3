//! The export pipeline: read → filter (query) → sort → columns → CSV / JSON / NDJSON.
//!
//! Contract (filled in by the export work): [`Exporter`] is a builder; `export_*` methods
//! stream users through it and return a [`Summary`].

use std::io::{Read, Write};
use std::path::Path;

use crate::expr::Column;
use crate::query::Query;
use crate::read::{ReadError, UserReader};

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// RFC 4180 CSV with a header row.
    #[default]
    Csv,
    /// One JSON array of objects keyed by column name.
    Json,
    /// One JSON object per line.
    Ndjson,
}

/// Counts at the end of an export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Users read from the source.
    pub read: u64,
    /// Users that matched the query.
    pub matched: u64,
    /// Rows written.
    pub written: u64,
    /// Cells whose expression failed.
    pub cell_errors: u64,
}

/// Why an export failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The input could not be read or parsed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The output could not be written.
    #[error("cannot write the output: {0}")]
    Write(#[from] std::io::Error),
}

/// Builds and runs an export.
#[derive(Debug, Clone)]
pub struct Exporter {
    columns: Vec<Column>,
    query: Option<Query>,
    sort: Option<(String, bool)>,
    format: Format,
    limit: Option<u64>,
}

impl Exporter {
    /// An exporter writing `columns`.
    pub fn new(columns: Vec<Column>) -> Self {
        Exporter { columns, query: None, sort: None, format: Format::Csv, limit: None }
    }

    /// Keeps only the users matching `query`.
    pub fn query(mut self, query: Query) -> Self {
        self.query = Some(query);
        self
    }

    /// Sorts by the attribute `path`, descending when `descending`.
    pub fn sort_by(mut self, path: impl Into<String>, descending: bool) -> Self {
        self.sort = Some((path.into(), descending));
        self
    }

    /// Sets the output format.
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// Writes at most `n` rows (the first `n` after sorting).
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }

    /// Exports users handed over by any iterator (the library and bindings' source).
    pub fn export_users<I>(&self, users: I, out: impl Write) -> Result<Summary, ExportError>
    where
        I: IntoIterator<Item = serde_json::Value>,
    {
        let _ = (users, out);
        Ok(Summary::default())
    }

    /// Exports the users in the file at `path` (`-` for stdin, gzip detected) to `out`.
    pub fn export_path(
        &self,
        path: impl AsRef<Path>,
        out: impl Write,
    ) -> Result<Summary, ExportError> {
        let input = crate::read::open(path)?;
        self.export_reader(input, out)
    }

    /// Exports the users read from `input` to `out`.
    pub fn export_reader(
        &self,
        input: impl Read,
        mut out: impl Write,
    ) -> Result<Summary, ExportError> {
        let mut reader = UserReader::new(input);
        let mut summary = Summary::default();
        let mut line = String::new();
        while let Some(rec) = reader.next_record() {
            let user = rec?.parse()?;
            summary.read += 1;
            if self.query.as_ref().is_some_and(|q| !q.matches(&user)) {
                continue;
            }
            summary.matched += 1;
            line.clear();
            for (i, col) in self.columns.iter().enumerate() {
                if i > 0 {
                    line.push(',');
                }
                if let Ok(cell) = col.eval(&user) {
                    cell.write_text(&mut line);
                }
            }
            line.push('\n');
            out.write_all(line.as_bytes())?;
            summary.written += 1;
        }
        Ok(summary)
    }
}
