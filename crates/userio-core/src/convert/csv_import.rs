//! CSV → import file.
//!
//! The header row names attribute paths; each data row becomes one user:
//!
//! | header | meaning |
//! |---|---|
//! | `email`, `given_name` | a top-level string attribute |
//! | `app_metadata.plan`, `user_metadata.address.city` | a nested attribute (objects are created as needed) |
//! | `app_metadata.roles[]` | a list: the cell is split on the list separator (default `;`) |
//! | `logins:number`, `vip:bool`, `prefs:json`, `zip:string` | a typed cell |
//!
//! Types: `:string` (the default), `:number` (integer or decimal, JSON number), `:bool` or
//! `:boolean` (`true`/`false`, `yes`/`no`, `1`/`0`, any case), `:json` (any JSON value).
//! Columns whose schema type is not a string default to that type: `email_verified`,
//! `phone_verified` and `blocked` are booleans, and `custom_password_hash.keylen`, `.cost`,
//! `.blockSize` and `.parallelization` are numbers. Write `email_verified:string` to keep
//! the text instead.
//!
//! Cells: an empty cell leaves the attribute out (an object none of whose attributes is
//! present is left out too, and a row with no cell at all is skipped and counted). String
//! cells are kept exactly, spaces included; typed cells and list items are trimmed first.
//! Empty list items (`a;;b`, `a;`) are dropped.
//!
//! Rows are numbered as a spreadsheet shows them: the header is row 1, the first user
//! row 2. Columns are numbered from 1. (The `csv` reader skips blank lines without counting
//! them; the file line is reported beside the row for conversion problems.)

use std::fmt;
use std::io::{self, Read, Write};

use serde::Serialize;
use serde_json::Value;

use super::{ArrayWriter, ConvertError, with_validation};
use crate::schema::ValidateOptions;

/// The text encoding of the CSV input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark.
    #[default]
    Utf8,
    /// ISO-8859-1 (Latin-1): every byte is one character. Windows-1252 files read as
    /// Latin-1 except for the characters at 0x80-0x9F (`€`, curly quotes).
    Latin1,
}

/// Options for [`csv_to_import`].
#[derive(Debug, Clone)]
pub struct CsvOptions {
    /// The cell delimiter. Default `,`.
    pub delimiter: u8,
    /// The input's encoding. Default UTF-8 (a BOM is skipped).
    pub encoding: Encoding,
    /// What separates the items of a `path[]` list cell. Default `;`.
    pub list_separator: char,
    /// Validate the written users (on a second thread, as they are written). Default true.
    pub validate: bool,
    /// Stop collecting conversion problems (and validation issues) after this many.
    pub max_errors: Option<usize>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: b',',
            encoding: Encoding::Utf8,
            list_separator: ';',
            validate: true,
            max_errors: None,
        }
    }
}

/// The type of a column's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    /// The text as is.
    String,
    /// A JSON number.
    Number,
    /// `true` or `false`.
    Bool,
    /// Any JSON value.
    Json,
}

/// One header cell, understood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsvColumn {
    /// The header cell as written (trimmed).
    pub header: String,
    /// 1-based column number.
    pub number: usize,
    /// The attribute path, one key per segment. Empty for an ignored (blank) header.
    pub path: Vec<String>,
    /// The type of each value.
    pub value_type: ValueType,
    /// True for `path[]`: the cell is a list.
    pub list: bool,
}

/// A problem tied to a CSV cell or row: a cell that does not convert, or a validation
/// issue of the user a row became.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CsvIssue {
    /// Stable code: `bad_number`, `bad_bool`, `bad_json`, `invalid_utf8`, `extra_cell`, or
    /// the validator's code for validation issues.
    pub code: &'static str,
    /// What is wrong and how to fix it.
    pub message: String,
    /// 1-based CSV row as a spreadsheet shows it (header = row 1).
    pub row: Option<u64>,
    /// 1-based line in the file where the row starts (conversion problems only).
    pub line: Option<u64>,
    /// 1-based column number.
    pub column: Option<usize>,
    /// The header of that column.
    pub header: Option<String>,
    /// The offending cell or value, truncated.
    pub value: Option<String>,
    /// 0-based index of the user in the output.
    pub index: Option<u64>,
    /// For validation issues: the JSON pointer inside the user.
    pub pointer: Option<String>,
}

impl fmt::Display for CsvIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.row {
            Some(row) => write!(f, "row {row}")?,
            None => write!(f, "file")?,
        }
        if let (Some(col), Some(header)) = (self.column, &self.header) {
            write!(f, ", column {col} ({header})")?;
        }
        if let Some(p) = &self.pointer
            && !p.is_empty()
        {
            write!(f, " at {p}")?;
        }
        write!(f, ": {} [{}]", self.message, self.code)
    }
}

/// What the validator said about the written users, mapped back to CSV rows and columns.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CsvValidation {
    /// Users validated.
    pub users: u64,
    /// Users without any issue.
    pub valid: u64,
    /// Every issue, in order.
    pub issues: Vec<CsvIssue>,
    /// True when `max_errors` cut the list short.
    pub truncated: bool,
}

/// The outcome of a CSV conversion.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CsvReport {
    /// The columns as understood from the header.
    pub columns: Vec<CsvColumn>,
    /// Data rows read (the header not counted).
    pub rows: u64,
    /// Users written.
    pub users: u64,
    /// Rows skipped because every cell was empty.
    pub empty_rows: u64,
    /// Cells that did not convert. When not empty the output is not usable: fix the CSV.
    pub errors: Vec<CsvIssue>,
    /// True when `max_errors` cut `errors` short.
    pub errors_truncated: bool,
    /// Validation of the written users (when asked for and the conversion had no error).
    pub validation: Option<CsvValidation>,
}

impl CsvReport {
    /// True when every cell converted and validation (if run) found nothing.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty() && self.validation.as_ref().is_none_or(|v| v.issues.is_empty())
    }
}

/// Converts a CSV (header row of attribute paths) into a JSON array of import users written
/// to `out`, one user per line, streaming. See the [module docs](self) for the header and
/// cell rules.
///
/// Header problems and unreadable input are an `Err`. Cells that do not convert are
/// collected in [`CsvReport::errors`] (the whole file is read so every problem is listed);
/// the output is then not usable. Validation issues land in [`CsvReport::validation`].
pub fn csv_to_import<R: Read, W: Write>(
    input: R,
    out: W,
    options: &CsvOptions,
) -> Result<CsvReport, ConvertError> {
    match options.encoding {
        Encoding::Utf8 => run(input, out, options),
        Encoding::Latin1 => run(Latin1Reader::new(input), out, options),
    }
}

fn run<R: Read, W: Write>(
    input: R,
    out: W,
    options: &CsvOptions,
) -> Result<CsvReport, ConvertError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(options.delimiter)
        .buffer_capacity(64 * 1024)
        .from_reader(input);
    let mut record = csv::ByteRecord::new();
    let got = reader.read_byte_record(&mut record).map_err(|e| csv_error(&e, Some(1)))?;
    if !got {
        return Err(ConvertError::Input {
            code: "csv_empty",
            message: "the CSV is empty: expected a header row naming attribute paths \
                      (email,given_name,app_metadata.plan,…)"
                .into(),
            row: None,
        });
    }
    let headers = header_cells(&record, options.encoding)?;
    let columns = parse_header(&headers)?;
    let plan = Plan::new(&columns, options.list_separator)?;

    let validate = options
        .validate
        .then(|| ValidateOptions { max_errors: options.max_errors, ..Default::default() });
    let mut state = RowState {
        errors: Vec::new(),
        errors_truncated: false,
        max_errors: options.max_errors,
        skipped: Vec::new(),
        rows: 0,
        users: 0,
        present: Vec::with_capacity(columns.len()),
    };
    let (_, report) = with_validation(out, validate.as_ref(), |tee| {
        let mut array = ArrayWriter::new();
        loop {
            let row = state.rows + 2;
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(csv_error(&e, Some(row))),
            }
            state.rows += 1;
            let line = record.position().map_or(0, csv::Position::line);
            plan.row(&record, row, line, &mut state, &mut array, tee.buf());
            tee.maybe_flush().map_err(|e| ConvertError::write(&e))?;
        }
        array.end(tee.buf());
        Ok(())
    })?;

    let validation = match report {
        Some(report) if state.errors.is_empty() => Some(CsvValidation {
            users: report.users,
            valid: report.valid,
            truncated: report.truncated,
            issues: report
                .errors
                .into_iter()
                .map(|issue| map_issue(issue, &columns, &state.skipped))
                .collect(),
        }),
        _ => None,
    };
    Ok(CsvReport {
        columns,
        rows: state.rows,
        users: state.users,
        empty_rows: state.skipped.len() as u64,
        errors: state.errors,
        errors_truncated: state.errors_truncated,
        validation,
    })
}

fn csv_error(e: &csv::Error, row: Option<u64>) -> ConvertError {
    let where_ = row.map(|r| format!("row {r}: ")).unwrap_or_default();
    match e.kind() {
        csv::ErrorKind::Io(io) => ConvertError::Input {
            code: "io_error",
            message: format!("{where_}cannot read the CSV: {io}"),
            row,
        },
        _ => ConvertError::Input {
            code: "csv_read",
            message: format!("{where_}cannot read the CSV: {e}"),
            row,
        },
    }
}

/// Decodes the header cells, refusing encodings we cannot read.
fn header_cells(record: &csv::ByteRecord, encoding: Encoding) -> Result<Vec<String>, ConvertError> {
    let enc_err =
        |message: String| ConvertError::Input { code: "csv_encoding", message, row: Some(1) };
    let first = record.get(0).unwrap_or_default();
    if first.starts_with(b"\xFF\xFE") || first.starts_with(b"\xFE\xFF") {
        return Err(enc_err(
            "the CSV is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8".into(),
        ));
    }
    let mut cells = Vec::with_capacity(record.len());
    for (i, cell) in record.iter().enumerate() {
        let text = std::str::from_utf8(cell).map_err(|_| {
            enc_err(format!(
                "the header (column {}) is not valid UTF-8: if the file is Latin-1 (ISO-8859-1), \
                 set the encoding to latin1",
                i + 1
            ))
        })?;
        let text = if i == 0 { text.strip_prefix('\u{feff}').unwrap_or(text) } else { text };
        if i == 0 && encoding == Encoding::Latin1 {
            if text.starts_with("ï»¿") {
                return Err(enc_err(
                    "the CSV starts with a UTF-8 byte-order mark but the encoding is latin1: \
                     set the encoding to utf8"
                        .into(),
                ));
            }
            if text.starts_with("ÿþ") || text.starts_with("þÿ") {
                return Err(enc_err(
                    "the CSV is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8"
                        .into(),
                ));
            }
        }
        cells.push(text.to_owned());
    }
    Ok(cells)
}

/// Parses the header row into columns. Blank header cells give ignored columns (any value
/// under them is reported). Conflicts between columns are reported by [`csv_to_import`].
pub fn parse_header<S: AsRef<str>>(headers: &[S]) -> Result<Vec<CsvColumn>, ConvertError> {
    headers.iter().enumerate().map(|(i, h)| parse_column(h.as_ref(), i + 1)).collect()
}

fn parse_column(raw: &str, number: usize) -> Result<CsvColumn, ConvertError> {
    let header = raw.trim().to_owned();
    let err = |code: &'static str, message: String| ConvertError::Header {
        code,
        message,
        column: number,
        header: header.clone(),
    };
    if header.is_empty() {
        return Ok(CsvColumn {
            header,
            number,
            path: Vec::new(),
            value_type: ValueType::String,
            list: false,
        });
    }
    let (name, explicit) = match header.rsplit_once(':') {
        Some((name, ty)) => {
            let ty = match ty.trim().to_ascii_lowercase().as_str() {
                "string" => ValueType::String,
                "number" => ValueType::Number,
                "bool" | "boolean" => ValueType::Bool,
                "json" => ValueType::Json,
                other => {
                    return Err(err(
                        "header_bad_type",
                        format!(
                            "unknown type `:{other}`: use :string, :number, :bool (or :boolean) \
                             or :json"
                        ),
                    ));
                }
            };
            (name.trim(), Some(ty))
        }
        None => (header.as_str(), None),
    };
    let (name, list) = match name.strip_suffix("[]") {
        Some(n) => (n, true),
        None => (name, false),
    };
    let path: Vec<String> = name.split('.').map(str::to_owned).collect();
    for seg in &path {
        if seg.is_empty() {
            return Err(err(
                "header_bad_path",
                format!("`{name}` has an empty segment: write paths like `app_metadata.plan`"),
            ));
        }
        if seg.contains(['[', ']']) {
            return Err(err(
                "header_bad_path",
                format!(
                    "`{seg}`: `[]` may only end a path (a list of values); for lists of \
                     objects use a `:json` column"
                ),
            ));
        }
    }
    let value_type = explicit.unwrap_or_else(|| default_type(&path));
    Ok(CsvColumn { header, number, path, value_type, list })
}

/// Schema fields whose type is not a string default to that type.
fn default_type(path: &[String]) -> ValueType {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match p.as_slice() {
        ["email_verified" | "phone_verified" | "blocked"] => ValueType::Bool,
        ["custom_password_hash", "keylen" | "cost" | "blockSize" | "parallelization"] => {
            ValueType::Number
        }
        _ => ValueType::String,
    }
}

/// The row being written.
struct Where<'a> {
    row: u64,
    line: u64,
    cells: &'a [&'a str],
}

/// The output shape: a tree of keys whose leaves are columns, in header order.
#[derive(Debug)]
enum Node {
    Leaf(usize),
    Branch { children: Vec<(String, Node)>, leaves: Vec<usize> },
}

struct Plan<'c> {
    columns: &'c [CsvColumn],
    root: Node,
    list_separator: char,
}

struct RowState {
    errors: Vec<CsvIssue>,
    errors_truncated: bool,
    max_errors: Option<usize>,
    /// For each skipped (empty) row, the number of users written before it.
    skipped: Vec<u64>,
    rows: u64,
    users: u64,
    present: Vec<bool>,
}

impl RowState {
    fn push_error(&mut self, issue: CsvIssue) {
        if self.max_errors.is_some_and(|max| self.errors.len() >= max) {
            self.errors_truncated = true;
        } else {
            self.errors.push(issue);
        }
    }
}

impl<'c> Plan<'c> {
    fn new(columns: &'c [CsvColumn], list_separator: char) -> Result<Self, ConvertError> {
        let mut root = Node::Branch { children: Vec::new(), leaves: Vec::new() };
        for (i, col) in columns.iter().enumerate() {
            if !col.path.is_empty() {
                insert(&mut root, &col.path, i, columns)?;
            }
        }
        Ok(Plan { columns, root, list_separator })
    }

    fn row(
        &self,
        record: &csv::ByteRecord,
        row: u64,
        line: u64,
        state: &mut RowState,
        array: &mut ArrayWriter,
        buf: &mut Vec<u8>,
    ) {
        let mut cells: Vec<&str> = Vec::with_capacity(self.columns.len());
        state.present.clear();
        for (i, raw) in record.iter().enumerate() {
            let Some(col) = self.columns.get(i) else {
                if !raw.is_empty() {
                    state.push_error(CsvIssue {
                        code: "extra_cell",
                        message: format!(
                            "the row has {} cells but the header has {}: add a header for \
                             column {} or remove the cell",
                            record.len(),
                            self.columns.len(),
                            i + 1
                        ),
                        row: Some(row),
                        line: Some(line),
                        column: Some(i + 1),
                        header: None,
                        value: Some(truncate(&String::from_utf8_lossy(raw))),
                        index: None,
                        pointer: None,
                    });
                }
                continue;
            };
            let text = match std::str::from_utf8(raw) {
                Ok(t) => t,
                Err(_) => {
                    state.push_error(self.issue(
                        "invalid_utf8",
                        "the cell is not valid UTF-8: if the file is Latin-1 (ISO-8859-1), set \
                         the encoding to latin1"
                            .into(),
                        row,
                        line,
                        col,
                        &String::from_utf8_lossy(raw),
                    ));
                    ""
                }
            };
            if col.path.is_empty() && !text.is_empty() {
                state.push_error(
                    self.issue(
                        "cell_without_header",
                        "the cell has a value but its column has no header: name the column or \
                     clear the cell"
                            .into(),
                        row,
                        line,
                        col,
                        text,
                    ),
                );
            }
            cells.push(text);
        }
        cells.resize(self.columns.len(), "");
        for (col, text) in self.columns.iter().zip(&cells) {
            let present = !col.path.is_empty()
                && if col.list {
                    text.split(self.list_separator).any(|item| !item.trim().is_empty())
                } else if col.value_type == ValueType::String {
                    !text.is_empty()
                } else {
                    !text.trim().is_empty()
                };
            state.present.push(present);
        }
        if !state.present.iter().any(|p| *p) {
            state.skipped.push(state.users);
            return;
        }
        array.begin(buf);
        state.users += 1;
        let at = Where { row, line, cells: &cells };
        self.write_node(&self.root, &at, state, buf);
    }

    fn write_node(&self, node: &Node, at: &Where, state: &mut RowState, buf: &mut Vec<u8>) {
        match node {
            Node::Leaf(i) => self.write_cell(*i, at, state, buf),
            Node::Branch { children, .. } => {
                buf.push(b'{');
                let mut first = true;
                for (key, child) in children {
                    let present = match child {
                        Node::Leaf(i) => state.present[*i],
                        Node::Branch { leaves, .. } => leaves.iter().any(|i| state.present[*i]),
                    };
                    if !present {
                        continue;
                    }
                    if !first {
                        buf.push(b',');
                    }
                    first = false;
                    write_str(buf, key);
                    buf.push(b':');
                    self.write_node(child, at, state, buf);
                }
                buf.push(b'}');
            }
        }
    }

    fn write_cell(&self, i: usize, at: &Where, state: &mut RowState, buf: &mut Vec<u8>) {
        let (row, line) = (at.row, at.line);
        let col = &self.columns[i];
        let text = at.cells[i];
        if !col.list {
            if let Err(issue) = self.write_value(col, text, row, line, buf) {
                state.push_error(*issue);
                buf.extend_from_slice(b"null");
            }
            return;
        }
        buf.push(b'[');
        let mut first = true;
        for item in text.split(self.list_separator) {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            if !first {
                buf.push(b',');
            }
            first = false;
            if let Err(issue) = self.write_value(col, item, row, line, buf) {
                state.push_error(*issue);
                buf.extend_from_slice(b"null");
            }
        }
        buf.push(b']');
    }

    fn write_value(
        &self,
        col: &CsvColumn,
        text: &str,
        row: u64,
        line: u64,
        buf: &mut Vec<u8>,
    ) -> Result<(), Box<CsvIssue>> {
        match col.value_type {
            ValueType::String => write_str(buf, text),
            ValueType::Number => match parse_number(text.trim()) {
                Some(n) => buf.extend_from_slice(n.to_string().as_bytes()),
                None => {
                    return Err(Box::new(self.issue(
                        "bad_number",
                        format!(
                            "`{}` is not a number: write digits such as 42, -7 or 3.5 (a dot \
                             for decimals), or make the column text with `{}:string`",
                            truncate(text),
                            base_name(col)
                        ),
                        row,
                        line,
                        col,
                        text,
                    )));
                }
            },
            ValueType::Bool => match parse_bool(text.trim()) {
                Some(b) => buf.extend_from_slice(if b { b"true" } else { b"false" }),
                None => {
                    return Err(Box::new(self.issue(
                        "bad_bool",
                        format!(
                            "`{}` is not a boolean: write true or false (yes/no and 1/0 also \
                             work), or make the column text with `{}:string`",
                            truncate(text),
                            base_name(col)
                        ),
                        row,
                        line,
                        col,
                        text,
                    )));
                }
            },
            ValueType::Json => match serde_json::from_str::<Value>(text.trim()) {
                Ok(v) => {
                    // Writing to a Vec cannot fail.
                    let _ = serde_json::to_writer(&mut *buf, &v);
                }
                Err(e) => {
                    return Err(Box::new(self.issue(
                        "bad_json",
                        format!("the cell is not valid JSON ({e}): check quotes and brackets"),
                        row,
                        line,
                        col,
                        text,
                    )));
                }
            },
        }
        Ok(())
    }

    fn issue(
        &self,
        code: &'static str,
        message: String,
        row: u64,
        line: u64,
        col: &CsvColumn,
        value: &str,
    ) -> CsvIssue {
        CsvIssue {
            code,
            message,
            row: Some(row),
            line: Some(line),
            column: Some(col.number),
            header: Some(col.header.clone()),
            value: Some(truncate(value)),
            index: None,
            pointer: None,
        }
    }
}

fn base_name(col: &CsvColumn) -> String {
    format!("{}{}", col.path.join("."), if col.list { "[]" } else { "" })
}

fn insert(
    node: &mut Node,
    path: &[String],
    col: usize,
    columns: &[CsvColumn],
) -> Result<(), ConvertError> {
    let conflict = |other: usize, code: &'static str, what: String| ConvertError::Header {
        code,
        message: what
            .replace("{other}", &format!("column {} `{}`", other + 1, columns[other].header)),
        column: columns[col].number,
        header: columns[col].header.clone(),
    };
    let Node::Branch { children, leaves } = node else {
        unreachable!("insert is only called on branches");
    };
    leaves.push(col);
    let (key, rest) = match path.split_first() {
        Some(x) => x,
        None => unreachable!("paths are never empty"),
    };
    let existing = children.iter_mut().position(|(k, _)| k == key);
    match (existing, rest.is_empty()) {
        (None, true) => children.push((key.clone(), Node::Leaf(col))),
        (None, false) => {
            let mut branch = Node::Branch { children: Vec::new(), leaves: Vec::new() };
            insert(&mut branch, rest, col, columns)?;
            children.push((key.clone(), branch));
        }
        (Some(at), _) => match &mut children[at].1 {
            Node::Leaf(other) if rest.is_empty() => {
                return Err(conflict(
                    *other,
                    "header_duplicate",
                    "the same attribute is already set by {other}: remove one of the two \
                     columns"
                        .into(),
                ));
            }
            Node::Leaf(other) => {
                return Err(conflict(
                    *other,
                    "header_conflict",
                    format!(
                        "{{other}} sets `{key}` as a value, so it cannot also hold `{}`: keep \
                         either the whole value or its parts",
                        path.join(".")
                    ),
                ));
            }
            Node::Branch { leaves, .. } if rest.is_empty() => {
                let other = leaves[0];
                return Err(conflict(
                    other,
                    "header_conflict",
                    format!(
                        "{{other}} sets a part of `{key}`, so this column cannot set all of it: \
                         keep either the whole value or its parts"
                    ),
                ));
            }
            branch => insert(branch, rest, col, columns)?,
        },
    }
    Ok(())
}

/// Parses a `:number` cell: an integer, or a finite decimal (dot as decimal separator).
pub fn parse_number(text: &str) -> Option<serde_json::Number> {
    if text.is_empty() {
        return None;
    }
    if let Ok(i) = text.parse::<i64>() {
        return Some(i.into());
    }
    if let Ok(u) = text.parse::<u64>() {
        return Some(u.into());
    }
    // Rust's float syntax also takes `inf`, `NaN`, `infinity`: only digits are allowed here.
    if !text.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E')) {
        return None;
    }
    text.parse::<f64>().ok().filter(|f| f.is_finite()).and_then(serde_json::Number::from_f64)
}

/// Parses a `:bool` cell: `true`/`false`, `yes`/`no`, `1`/`0`, any case.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

fn write_str(buf: &mut Vec<u8>, s: &str) {
    // Writing a string to a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *buf, s);
}

fn truncate(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(MAX).collect();
        t.push('…');
        t
    }
}

/// Maps a validator issue about user `index` back to its CSV row and, through the pointer's
/// leading segments, to the column that produced the value.
fn map_issue(issue: crate::schema::Issue, columns: &[CsvColumn], skipped: &[u64]) -> CsvIssue {
    let row = issue.index.map(|i| row_of(i, skipped));
    let segments: Vec<String> = if issue.pointer.is_empty() {
        Vec::new()
    } else {
        issue.pointer.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~")).collect()
    };
    let column = column_for(&segments, columns);
    CsvIssue {
        code: issue.code,
        message: issue.message,
        row,
        line: None,
        column: column.map(|c| c.number),
        header: column.map(|c| c.header.clone()),
        value: issue.value,
        index: issue.index,
        pointer: Some(issue.pointer),
    }
}

/// The spreadsheet row of user `index`: header is row 1, and skipped empty rows count.
fn row_of(index: u64, skipped: &[u64]) -> u64 {
    let before = skipped.partition_point(|&users_before| users_before <= index) as u64;
    index + 2 + before
}

/// The column whose path is the longest prefix of `segments`; else the first column
/// under `segments` (a pointer to an object several columns fill).
fn column_for<'c>(segments: &[String], columns: &'c [CsvColumn]) -> Option<&'c CsvColumn> {
    if segments.is_empty() {
        return None;
    }
    columns
        .iter()
        .filter(|c| !c.path.is_empty() && segments.starts_with(&c.path))
        .max_by_key(|c| c.path.len())
        .or_else(|| columns.iter().find(|c| c.path.starts_with(segments)))
}

/// Transcodes Latin-1 bytes to UTF-8 on the fly.
struct Latin1Reader<R> {
    inner: R,
    raw: Vec<u8>,
    pending: Vec<u8>,
    pos: usize,
}

impl<R: Read> Latin1Reader<R> {
    fn new(inner: R) -> Self {
        Latin1Reader { inner, raw: vec![0; 32 * 1024], pending: Vec::new(), pos: 0 }
    }
}

impl<R: Read> Read for Latin1Reader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.pending.len() {
            let n = loop {
                match self.inner.read(&mut self.raw) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            if n == 0 {
                return Ok(0);
            }
            self.pending.clear();
            self.pos = 0;
            for &b in &self.raw[..n] {
                if b < 0x80 {
                    self.pending.push(b);
                } else {
                    self.pending.push(0xC0 | (b >> 6));
                    self.pending.push(0x80 | (b & 0x3F));
                }
            }
        }
        let n = out.len().min(self.pending.len() - self.pos);
        out[..n].copy_from_slice(&self.pending[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(csv: &str) -> (Value, CsvReport) {
        let mut out = Vec::new();
        let opts = CsvOptions { validate: false, ..Default::default() };
        let report = csv_to_import(csv.as_bytes(), &mut out, &opts).unwrap();
        (serde_json::from_slice(&out).unwrap(), report)
    }

    #[test]
    fn nested_lists_and_types() {
        let (users, report) = convert(
            "email,app_metadata.plan,app_metadata.roles[],user_metadata.age:number,blocked\n\
             a@x.io,gold,admin; editor;,41,TRUE\n\
             b@x.io,,,,\n",
        );
        assert_eq!(
            users,
            serde_json::json!([
                {"email":"a@x.io","app_metadata":{"plan":"gold","roles":["admin","editor"]},
                 "user_metadata":{"age":41},"blocked":true},
                {"email":"b@x.io"}
            ])
        );
        assert_eq!(report.users, 2);
    }

    #[test]
    fn empty_rows_are_skipped_and_rows_map_back() {
        let (users, report) = convert("email\na@x.io\n\"\"\nb@x.io\n");
        assert_eq!(users.as_array().unwrap().len(), 2);
        assert_eq!(report.empty_rows, 1);
        assert_eq!(row_of(0, &[1]), 2);
        assert_eq!(row_of(1, &[1]), 4);
    }

    #[test]
    fn bad_cells_name_row_and_column() {
        let mut out = Vec::new();
        let r = csv_to_import(
            "email,n:number\na@x.io,1\nb@x.io,x1\n".as_bytes(),
            &mut out,
            &CsvOptions::default(),
        )
        .unwrap();
        assert_eq!(r.errors.len(), 1);
        let e = &r.errors[0];
        assert_eq!((e.code, e.row, e.column), ("bad_number", Some(3), Some(2)));
        assert!(e.to_string().starts_with("row 3, column 2 (n:number): `x1` is not a number"));
        assert!(r.validation.is_none());
    }

    #[test]
    fn header_conflicts() {
        let code = |h: &str| {
            let mut out = Vec::new();
            csv_to_import(h.as_bytes(), &mut out, &CsvOptions::default()).unwrap_err().code()
        };
        assert_eq!(code("email,a.b,a\n"), "header_conflict");
        assert_eq!(code("a,a.b\n"), "header_conflict");
        assert_eq!(code("email,email\n"), "header_duplicate");
        assert_eq!(code("email,x:int\n"), "header_bad_type");
        assert_eq!(code("email,a..b\n"), "header_bad_path");
        assert_eq!(code(""), "csv_empty");
    }

    #[test]
    fn validation_issues_map_to_cells() {
        let columns =
            parse_header(&["email", "app_metadata.plan", "app_metadata.roles[]"]).unwrap();
        let issue = |index, pointer: &str| crate::schema::Issue {
            index: Some(index),
            pointer: pointer.into(),
            code: "x",
            message: "m".into(),
            value: None,
            severity: crate::schema::Severity::Error,
            position: crate::position::Position::START,
        };
        let m = map_issue(issue(1, "/app_metadata/roles/0"), &columns, &[1]);
        assert_eq!((m.row, m.column), (Some(4), Some(3)));
        let m = map_issue(issue(0, "/app_metadata"), &columns, &[]);
        assert_eq!((m.row, m.column), (Some(2), Some(2)));
        let m = map_issue(issue(0, "/email"), &columns, &[]);
        assert_eq!(m.header.as_deref(), Some("email"));
        assert_eq!(map_issue(issue(0, ""), &columns, &[]).column, None);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("42").unwrap().to_string(), "42");
        assert_eq!(parse_number("-3.5").unwrap().to_string(), "-3.5");
        assert!(parse_number("NaN").is_none());
        assert!(parse_number("inf").is_none());
        assert!(parse_number("1,5").is_none());
    }

    #[test]
    fn latin1_is_transcoded() {
        let mut out = Vec::new();
        let opts = CsvOptions { encoding: Encoding::Latin1, validate: false, ..Default::default() };
        csv_to_import(&b"email,name\na@x.io,Zo\xEB\n"[..], &mut out, &opts).unwrap();
        let v: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v[0]["name"], "Zoë");
    }
}
