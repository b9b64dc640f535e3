//! Column lists: the defaults, add / remove / rename, and saved column files.
//!
//! A columns file saves an export's columns so that it can be re-run. JSON:
//!
//! ```json
//! [
//!   { "name": "Id", "source": "user.user_id" },
//!   { "name": "Plan", "source": "user.app_metadata.plan || 'free'" }
//! ]
//! ```
//!
//! (or the same list under a `"columns"` key), or TOML:
//!
//! ```toml
//! [[columns]]
//! name = "Id"
//! source = "user.user_id"
//!
//! [[columns]]
//! name = "Plan"
//! source = "user.app_metadata.plan || 'free'"
//! ```

use std::fmt;
use std::ops::Deref;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::expr::{Column, ExprError};
use crate::position::Position;

/// One entry of a columns file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// The header name.
    pub name: String,
    /// An attribute path or expression over `user`.
    pub source: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum JsonFile {
    List(Vec<ColumnSpec>),
    Table(TableFile),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    columns: Vec<ColumnSpec>,
}

/// Why a columns file could not be loaded.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ColumnsFileError {
    /// The file could not be read.
    #[error("cannot read the columns file: {0}")]
    Io(String),
    /// The file is not valid JSON / TOML of the expected shape.
    #[error("{message} at {position} (expected a list of {{ name, source }} entries)")]
    Syntax {
        /// What the parser said.
        message: String,
        /// Where in the file.
        position: Position,
    },
    /// An entry's source does not compile.
    #[error("column #{index}: {error}")]
    Expr {
        /// 0-based index of the entry.
        index: usize,
        /// The compile error.
        error: ExprError,
    },
}

impl ColumnsFileError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ColumnsFileError::Io(_) => "io_error",
            ColumnsFileError::Syntax { .. } => "columns_file_invalid",
            ColumnsFileError::Expr { .. } => "expr_invalid",
        }
    }
}

/// An ordered list of columns with helpers to edit it.
///
/// ```
/// use userio_core::export::Columns;
/// let mut columns = Columns::defaults();
/// columns.push("Plan", "user.app_metadata.plan || 'free'")?;
/// columns.remove("Picture");
/// columns.rename("Id", "User ID")?;
/// assert_eq!(columns.names().next(), Some("User ID"));
/// assert_eq!(columns.names().last(), Some("Plan"));
/// assert_eq!(columns.len(), 11);
/// # Ok::<(), userio_core::expr::ExprError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Columns(Vec<Column>);

impl Columns {
    /// An empty list (which an export treats as the defaults).
    pub fn new() -> Self {
        Columns(Vec::new())
    }

    /// The extension's default columns ([`Column::defaults`]).
    pub fn defaults() -> Self {
        Columns(Column::defaults())
    }

    /// Appends a column built from `name` and `source`.
    pub fn push(
        &mut self,
        name: impl Into<String>,
        source: impl Into<String>,
    ) -> Result<&mut Self, ExprError> {
        self.0.push(Column::new(name, source)?);
        Ok(self)
    }

    /// Appends a column.
    pub fn add(&mut self, column: Column) -> &mut Self {
        self.0.push(column);
        self
    }

    /// Appends every column of `other`.
    pub fn extend(&mut self, other: Columns) -> &mut Self {
        self.0.extend(other.0);
        self
    }

    /// Removes the first column named `name` and returns it.
    pub fn remove(&mut self, name: &str) -> Option<Column> {
        let i = self.0.iter().position(|c| c.name() == name)?;
        Some(self.0.remove(i))
    }

    /// Renames the first column named `from` (rebuilding it from its source); `false`
    /// when there is none.
    pub fn rename(&mut self, from: &str, to: impl Into<String>) -> Result<bool, ExprError> {
        let Some(col) = self.0.iter_mut().find(|c| c.name() == from) else {
            return Ok(false);
        };
        *col = Column::new(to, col.source())?;
        Ok(true)
    }

    /// The column names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(Column::name)
    }

    /// The columns as a `Vec`, for [`Exporter::new`](super::Exporter::new).
    pub fn into_vec(self) -> Vec<Column> {
        self.0
    }

    /// The list as (name, source) entries, as a columns file stores them.
    pub fn specs(&self) -> Vec<ColumnSpec> {
        self.0
            .iter()
            .map(|c| ColumnSpec { name: c.name().to_owned(), source: c.source().to_owned() })
            .collect()
    }

    /// The list as a JSON columns file (pretty-printed), to save an export for re-runs.
    pub fn to_json_string(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.specs()).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Builds the columns of `specs`, in order.
    pub fn from_specs(specs: Vec<ColumnSpec>) -> Result<Columns, ColumnsFileError> {
        specs
            .into_iter()
            .enumerate()
            .map(|(index, s)| {
                Column::new(s.name, s.source)
                    .map_err(|error| ColumnsFileError::Expr { index, error })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Columns)
    }

    /// Parses a JSON columns file: a list of `{ "name", "source" }` objects, or that list
    /// under a `"columns"` key.
    ///
    /// ```
    /// use userio_core::export::Columns;
    /// let cols = Columns::from_json_str(r#"[{"name": "Email", "source": "user.email"}]"#)?;
    /// assert_eq!(cols.names().collect::<Vec<_>>(), ["Email"]);
    /// # Ok::<(), userio_core::export::ColumnsFileError>(())
    /// ```
    pub fn from_json_str(text: &str) -> Result<Columns, ColumnsFileError> {
        Self::from_specs(ColumnSpec::list_from_json_str(text)?)
    }

    /// Parses a TOML columns file: `[[columns]]` tables with `name` and `source`.
    ///
    /// ```
    /// use userio_core::export::Columns;
    /// let cols = Columns::from_toml_str("[[columns]]\nname = \"Email\"\nsource = \"user.email\"\n")?;
    /// assert_eq!(cols.names().collect::<Vec<_>>(), ["Email"]);
    /// # Ok::<(), userio_core::export::ColumnsFileError>(())
    /// ```
    pub fn from_toml_str(text: &str) -> Result<Columns, ColumnsFileError> {
        Self::from_specs(ColumnSpec::list_from_toml_str(text)?)
    }

    /// Loads a columns file: TOML when the name ends in `.toml`, JSON otherwise.
    pub fn load(path: impl AsRef<Path>) -> Result<Columns, ColumnsFileError> {
        Self::from_specs(ColumnSpec::load_list(path)?)
    }
}

impl ColumnSpec {
    /// Parses the entries of a JSON columns file without compiling them (sources may be
    /// wildcards such as `user_metadata.*`, expanded later).
    pub fn list_from_json_str(text: &str) -> Result<Vec<ColumnSpec>, ColumnsFileError> {
        let file: JsonFile = serde_json::from_str(text).map_err(|e| {
            let mut message = e.to_string();
            if let Some(cut) = message.find(" at line ") {
                message.truncate(cut);
            }
            if e.line() == 0 {
                message = "not a list of { name, source } entries".into();
            }
            let byte = byte_of_line_col(text, e.line(), e.column());
            ColumnsFileError::Syntax {
                message,
                position: Position::of_offset(text.as_bytes(), byte),
            }
        })?;
        Ok(match file {
            JsonFile::List(l) => l,
            JsonFile::Table(t) => t.columns,
        })
    }

    /// Parses the entries of a TOML columns file without compiling them.
    pub fn list_from_toml_str(text: &str) -> Result<Vec<ColumnSpec>, ColumnsFileError> {
        let file: TableFile = toml::from_str(text).map_err(|e| {
            let byte = e.span().map_or(0, |s| s.start);
            ColumnsFileError::Syntax {
                message: e.message().trim().to_owned(),
                position: Position::of_offset(text.as_bytes(), byte),
            }
        })?;
        Ok(file.columns)
    }

    /// Reads the entries of a columns file (TOML when the name ends in `.toml`, JSON
    /// otherwise) without compiling them.
    pub fn load_list(path: impl AsRef<Path>) -> Result<Vec<ColumnSpec>, ColumnsFileError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ColumnsFileError::Io(format!("{}: {e}", path.display())))?;
        if path.extension().is_some_and(|x| x.eq_ignore_ascii_case("toml")) {
            Self::list_from_toml_str(&text)
        } else {
            Self::list_from_json_str(&text)
        }
    }
}

fn byte_of_line_col(text: &str, line: usize, column: usize) -> usize {
    if line == 0 {
        return 0;
    }
    let start: usize = text.split_inclusive('\n').take(line - 1).map(str::len).sum();
    (start + column.saturating_sub(1)).min(text.len())
}

impl Deref for Columns {
    type Target = [Column];
    fn deref(&self) -> &[Column] {
        &self.0
    }
}

impl From<Columns> for Vec<Column> {
    fn from(c: Columns) -> Vec<Column> {
        c.0
    }
}

impl From<Vec<Column>> for Columns {
    fn from(v: Vec<Column>) -> Columns {
        Columns(v)
    }
}

impl FromIterator<Column> for Columns {
    fn from_iter<T: IntoIterator<Item = Column>>(iter: T) -> Self {
        Columns(iter.into_iter().collect())
    }
}

impl fmt::Display for ColumnSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.source)
    }
}

impl ColumnSpec {
    /// Parses the CLI form `Name=source`, split at the first `=` (the source may contain
    /// `=`). `None` when there is no `=` or the name is empty.
    ///
    /// ```
    /// use userio_core::export::ColumnSpec;
    /// let spec = ColumnSpec::parse_cli("Admin=user.role === 'admin'").unwrap();
    /// assert_eq!((spec.name.as_str(), spec.source.as_str()), ("Admin", "user.role === 'admin'"));
    /// ```
    pub fn parse_cli(text: &str) -> Option<ColumnSpec> {
        let (name, source) = text.split_once('=')?;
        if name.trim().is_empty() || source.trim().is_empty() {
            return None;
        }
        Some(ColumnSpec { name: name.trim().to_owned(), source: source.trim().to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_toml_files() {
        let j = Columns::from_json_str(r#"{"columns":[{"name":"A","source":"a"}]}"#).unwrap();
        assert_eq!(j.specs(), [ColumnSpec { name: "A".into(), source: "a".into() }]);
        let t = Columns::from_toml_str("[[columns]]\nname='A'\nsource='a'\n").unwrap();
        assert_eq!(t.specs(), j.specs());
        let round = Columns::from_json_str(&Columns::defaults().to_json_string()).unwrap();
        assert_eq!(round.specs(), Columns::defaults().specs());
    }

    #[test]
    fn file_errors_have_positions() {
        let e = Columns::from_json_str("[\n {\"name\": \"A\", \"sauce\": \"a\"}]").unwrap_err();
        assert_eq!(e.code(), "columns_file_invalid");
        let e = Columns::from_json_str("[\n {\"name\": \"A\",, }]").unwrap_err();
        match e {
            ColumnsFileError::Syntax { position, .. } => assert_eq!(position.line, 2),
            other => panic!("{other:?}"),
        }
        let e = Columns::from_toml_str("[[columns]]\nname = 'A'\nsource = \n").unwrap_err();
        match e {
            ColumnsFileError::Syntax { position, .. } => assert_eq!(position.line, 3),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn cli_specs() {
        assert_eq!(
            ColumnSpec::parse_cli("A=b=c"),
            Some(ColumnSpec { name: "A".into(), source: "b=c".into() })
        );
        assert_eq!(ColumnSpec::parse_cli("nope"), None);
        assert_eq!(ColumnSpec::parse_cli("=x"), None);
    }
}
