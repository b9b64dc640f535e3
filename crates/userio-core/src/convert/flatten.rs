//! Leaf-path discovery for `.*` export columns.
//!
//! A CSV export column whose source ends in `.*` (`user_metadata.*`) stands for one column
//! per leaf path found in the data under that prefix (`user_metadata.address.city`,
//! `user_metadata.language`, …). The set of columns is only known once every user has been
//! seen, so the exporter needs the paths before it writes the header:
//!
//! - from a **file**: read it twice; [`LeafPathCollector::scan`] is the first pass (it
//!   parses each user, keeps only the paths), the export itself is the second;
//! - from a **stream**: [`collect_buffered`] keeps the users in memory up to a byte budget
//!   and fails with [`FlattenError::OverBudget`] past it (so the caller can say so and ask
//!   for a file or explicit columns).
//!
//! ```
//! use serde_json::json;
//! use userio_core::convert::flatten::{expand_wildcard, FlattenOptions, LeafPathCollector};
//!
//! let mut paths = LeafPathCollector::new("user_metadata", FlattenOptions::default());
//! paths.add(&json!({"user_metadata": {"lang": "fr", "address": {"city": "Paris"}}}));
//! paths.add(&json!({"user_metadata": {"address": {"zip": "75001"}, "lang": "en"}}));
//! let names: Vec<String> = paths.paths().iter().map(|p| p.name()).collect();
//! assert_eq!(names, ["user_metadata.lang", "user_metadata.address.city", "user_metadata.address.zip"]);
//! let columns = expand_wildcard("user.user_metadata.*", &paths.paths()).unwrap();
//! assert_eq!(columns[1].source, "user.user_metadata?.address?.city");
//! ```

use std::collections::HashSet;
use std::fmt;
use std::io::Read;

use serde_json::Value;

use crate::export::ColumnSpec;
use crate::read::{ReadError, UserReader};

/// Order of the discovered paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Order {
    /// In the order first met, user after user, keys in their stored order.
    #[default]
    FirstSeen,
    /// Sorted by path (keys by code point, array indices numerically).
    Sorted,
}

/// How arrays are treated when discovering paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Arrays {
    /// An array is a leaf: one column, its cell the joined items or JSON ([`leaf_text`]).
    #[default]
    Leaf,
    /// Arrays are descended: one column per index (`app_metadata.roles[0]`, `[1]`, …).
    Descend,
}

/// Options for path discovery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FlattenOptions {
    /// First seen (default) or sorted.
    pub order: Order,
    /// Arrays as leaves (default) or descended.
    pub arrays: Arrays,
}

/// One step of a leaf path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    /// An object key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// A path from the user's root to a leaf value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LeafPath(pub Vec<Segment>);

impl LeafPath {
    /// The path as a column name: keys joined by `.`, indices as `[i]`
    /// (`user_metadata.address.city`, `app_metadata.roles[0]`).
    pub fn name(&self) -> String {
        self.to_string()
    }

    /// The path as a column source: `user` then optional-chaining member access, so a user
    /// missing an intermediate object gives an empty cell rather than a `TypeError`; keys
    /// that are not identifiers are quoted (`user.user_metadata?.["first name"]`).
    pub fn source(&self) -> String {
        let mut s = String::from("user");
        for (n, seg) in self.0.iter().enumerate() {
            let dot = if n == 0 { "." } else { "?." };
            match seg {
                Segment::Key(k) if is_identifier(k) => {
                    s.push_str(dot);
                    s.push_str(k);
                }
                Segment::Key(k) => {
                    s.push_str(if n == 0 { "" } else { "?." });
                    s.push('[');
                    s.push_str(&Value::String(k.clone()).to_string());
                    s.push(']');
                }
                Segment::Index(i) => {
                    s.push_str(if n == 0 { "" } else { "?." });
                    s.push_str(&format!("[{i}]"));
                }
            }
        }
        s
    }

    /// The value at this path in `user`, if any.
    pub fn get<'v>(&self, user: &'v Value) -> Option<&'v Value> {
        self.0.iter().try_fold(user, |v, seg| match seg {
            Segment::Key(k) => v.get(k),
            Segment::Index(i) => v.get(i),
        })
    }
}

impl fmt::Display for LeafPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if n == 0 => f.write_str(k)?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

fn is_identifier(k: &str) -> bool {
    let mut chars = k.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// Collects the leaf paths under a prefix across many users, as an ordered set.
#[derive(Debug, Clone)]
pub struct LeafPathCollector {
    prefix: Vec<Segment>,
    options: FlattenOptions,
    seen: HashSet<Vec<Segment>>,
    ordered: Vec<LeafPath>,
    stack: Vec<Segment>,
}

impl LeafPathCollector {
    /// A collector for leaves under `prefix` (a dotted path such as `user_metadata`; an
    /// optional `user.` and a trailing `.*` are ignored; empty: the whole user).
    pub fn new(prefix: &str, options: FlattenOptions) -> Self {
        let prefix = normalize_prefix(prefix);
        let prefix: Vec<Segment> = if prefix.is_empty() {
            Vec::new()
        } else {
            prefix.split('.').map(|k| Segment::Key(k.to_owned())).collect()
        };
        LeafPathCollector {
            stack: prefix.clone(),
            prefix,
            options,
            seen: HashSet::new(),
            ordered: Vec::new(),
        }
    }

    /// Adds the leaf paths of one user.
    pub fn add(&mut self, user: &Value) {
        let root = self.prefix.iter().try_fold(user, |v, seg| match seg {
            Segment::Key(k) => v.get(k),
            Segment::Index(i) => v.get(i),
        });
        if let Some(root) = root {
            self.stack.truncate(self.prefix.len());
            self.walk(root);
        }
    }

    fn walk(&mut self, v: &Value) {
        match v {
            Value::Object(map) => {
                for (k, child) in map {
                    self.stack.push(Segment::Key(k.clone()));
                    self.walk(child);
                    self.stack.pop();
                }
            }
            Value::Array(items) if self.options.arrays == Arrays::Descend => {
                for (i, child) in items.iter().enumerate() {
                    self.stack.push(Segment::Index(i));
                    self.walk(child);
                    self.stack.pop();
                }
            }
            _ => {
                if !self.seen.contains(self.stack.as_slice()) {
                    self.seen.insert(self.stack.clone());
                    self.ordered.push(LeafPath(self.stack.clone()));
                }
            }
        }
    }

    /// Reads every user of a file (JSON array or NDJSON) and adds its paths: the first
    /// pass of a two-pass export. Returns the number of users read.
    pub fn scan<R: Read>(&mut self, input: R) -> Result<u64, ReadError> {
        let mut reader = UserReader::new(input);
        while let Some(record) = reader.next_record() {
            let user = record?.parse()?;
            self.add(&user);
        }
        Ok(reader.records_read())
    }

    /// The paths found so far, first seen or sorted as the options say.
    pub fn paths(&self) -> Vec<LeafPath> {
        let mut paths = self.ordered.clone();
        if self.options.order == Order::Sorted {
            paths.sort();
        }
        paths
    }

    /// How many distinct paths were found.
    pub fn len(&self) -> usize {
        self.ordered.len()
    }

    /// True when no path was found.
    pub fn is_empty(&self) -> bool {
        self.ordered.is_empty()
    }
}

/// The leaf paths under `prefix` in one value (see [`LeafPathCollector`]).
pub fn leaf_paths(value: &Value, prefix: &str, options: FlattenOptions) -> Vec<LeafPath> {
    let mut c = LeafPathCollector::new(prefix, options);
    c.add(value);
    c.paths()
}

fn normalize_prefix(prefix: &str) -> &str {
    let p = prefix.trim();
    let p = p.strip_suffix(".*").or_else(|| p.strip_suffix('*')).unwrap_or(p);
    let p = if p == "user" { "" } else { p.strip_prefix("user.").unwrap_or(p) };
    p.trim_end_matches('.')
}

/// The prefix of a wildcard column source (`user.user_metadata.*` → `user_metadata`,
/// `user.*` or `*` → the whole user), or `None` when `source` is not a wildcard.
pub fn wildcard_prefix(source: &str) -> Option<&str> {
    let s = source.trim();
    if s == "*" || s.ends_with(".*") { Some(normalize_prefix(s)) } else { None }
}

/// Expands a wildcard column source into one column per leaf path under its prefix, in
/// the order of `paths` (paths outside the prefix are skipped). `None` when `source` is
/// not a wildcard.
pub fn expand_wildcard(source: &str, paths: &[LeafPath]) -> Option<Vec<ColumnSpec>> {
    let prefix = wildcard_prefix(source)?;
    let prefix: Vec<Segment> = if prefix.is_empty() {
        Vec::new()
    } else {
        prefix.split('.').map(|k| Segment::Key(k.to_owned())).collect()
    };
    Some(
        paths
            .iter()
            .filter(|p| p.0.starts_with(&prefix))
            .map(|p| ColumnSpec { name: p.name(), source: p.source() })
            .collect(),
    )
}

/// Replaces every wildcard spec in `specs` (`user_metadata.*`, `user.*`) by one spec per
/// leaf path of `paths` under its prefix, keeping the other specs and the order. With
/// [`ArrayText::Join`], a leaf that holds an array is written as its items joined by the
/// separator; with [`ArrayText::Json`] (the exporter's default cell rule) as compact JSON.
pub fn expand_specs(
    specs: Vec<ColumnSpec>,
    paths: &[LeafPath],
    arrays: &ArrayText,
) -> Vec<ColumnSpec> {
    let mut out = Vec::with_capacity(specs.len() + paths.len());
    for spec in specs {
        match expand_wildcard(&spec.source, paths) {
            None => out.push(spec),
            Some(expanded) => out.extend(expanded.into_iter().map(|mut s| {
                if let ArrayText::Join(sep) = arrays {
                    let sep = Value::String(sep.clone());
                    s.source = format!("(v => Array.isArray(v) ? v.join({sep}) : v)({})", s.source);
                }
                s
            })),
        }
    }
    out
}

/// How a leaf array is written in a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArrayText {
    /// Items joined by the separator: strings as is, other items as compact JSON.
    Join(String),
    /// The array as compact JSON.
    Json,
}

/// The cell text of a leaf value: strings as is, `null` empty, numbers and booleans as
/// JSON, arrays per `arrays`, objects as compact JSON.
pub fn leaf_text(value: &Value, arrays: &ArrayText) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => match arrays {
            ArrayText::Json => value.to_string(),
            ArrayText::Join(sep) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(sep),
        },
        other => other.to_string(),
    }
}

/// A stream that cannot be flattened in memory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FlattenError {
    /// The input could not be read.
    #[error("{0}")]
    Read(#[from] ReadError),
    /// The users exceed the memory budget.
    #[error(
        "the input is larger than the {budget}-byte memory budget for discovering `.*` \
         columns from a stream: give a file (read twice) or list the columns"
    )]
    OverBudget {
        /// The budget in bytes.
        budget: usize,
    },
}

/// Users buffered from a stream, with the leaf paths found in them.
#[derive(Debug, Clone)]
pub struct Buffered {
    /// The users, in input order.
    pub users: Vec<Value>,
    /// The leaf paths found.
    pub paths: Vec<LeafPath>,
}

/// Buffers the users of a stream (counting their raw JSON bytes against `budget`) while
/// collecting leaf paths under `prefix`: the one-pass way for input that cannot be read
/// twice.
pub fn collect_buffered<R: Read>(
    input: R,
    prefix: &str,
    options: FlattenOptions,
    budget: usize,
) -> Result<Buffered, FlattenError> {
    let mut collector = LeafPathCollector::new(prefix, options);
    let mut reader = UserReader::new(input);
    let mut users = Vec::new();
    let mut used = 0usize;
    while let Some(record) = reader.next_record() {
        let record = record?;
        used = used.saturating_add(record.raw.len());
        if used > budget {
            return Err(FlattenError::OverBudget { budget });
        }
        let user = record.parse()?;
        collector.add(&user);
        users.push(user);
    }
    Ok(Buffered { users, paths: collector.paths() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn orders_and_arrays() {
        let users = [
            json!({"app_metadata": {"z": 1, "roles": ["a", "b"], "o": {}}}),
            json!({"app_metadata": {"a": null, "roles": ["c"]}}),
        ];
        let names = |options: FlattenOptions| {
            let mut c = LeafPathCollector::new("app_metadata.*", options);
            users.iter().for_each(|u| c.add(u));
            c.paths().iter().map(LeafPath::name).collect::<Vec<_>>()
        };
        assert_eq!(
            names(FlattenOptions::default()),
            ["app_metadata.z", "app_metadata.roles", "app_metadata.a"]
        );
        assert_eq!(
            names(FlattenOptions { order: Order::Sorted, arrays: Arrays::Descend }),
            ["app_metadata.a", "app_metadata.roles[0]", "app_metadata.roles[1]", "app_metadata.z"]
        );
    }

    #[test]
    fn sources_quote_odd_keys() {
        let p = leaf_paths(
            &json!({"m": {"first name": {"x": [1]}}}),
            "",
            FlattenOptions { arrays: Arrays::Descend, ..Default::default() },
        );
        assert_eq!(p[0].source(), r#"user.m?.["first name"]?.x?.[0]"#);
        // The source runs natively and a user missing the intermediate objects gives an
        // empty cell, not a TypeError.
        let column = crate::expr::Column::new("c", p[0].source()).unwrap();
        assert_eq!(column.tier(), crate::expr::Tier::Native);
        assert_eq!(column.eval(&json!({"m": {}})).unwrap(), crate::expr::Cell::Undefined);
        assert_eq!(
            column.eval(&json!({"m": {"first name": {"x": [5]}}})).unwrap().to_json(),
            json!(5)
        );
        assert_eq!(p[0].name(), "m.first name.x[0]");
        assert_eq!(wildcard_prefix("user.*"), Some(""));
        assert_eq!(wildcard_prefix("user.email"), None);
    }

    #[test]
    fn expands_wildcards_among_other_specs() {
        let user = json!({"user_metadata": {"a": 1, "tags": ["x", "y"]}, "email": "e"});
        let paths = leaf_paths(&user, "", FlattenOptions::default());
        let spec = |n: &str, s: &str| ColumnSpec { name: n.into(), source: s.into() };
        let specs = vec![spec("Email", "user.email"), spec("meta", "user.user_metadata.*")];
        let json = expand_specs(specs.clone(), &paths, &ArrayText::Json);
        let names: Vec<_> = json.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["Email", "user_metadata.a", "user_metadata.tags"]);
        // Joined array columns are JavaScript arrow calls.
        #[cfg(feature = "js")]
        {
            let joined = expand_specs(specs, &paths, &ArrayText::Join(";".into()));
            let a = crate::expr::Column::new("a", &joined[1].source).unwrap();
            assert_eq!(a.eval(&user).unwrap().to_json(), json!(1));
            let tags = crate::expr::Column::new("t", &joined[2].source).unwrap();
            let mut text = String::new();
            tags.eval(&user).unwrap().write_text(&mut text);
            assert_eq!(text, "x;y");
        }
    }

    #[test]
    fn buffered_budget() {
        let input = br#"[{"m":{"a":1}},{"m":{"b":2}}]"#;
        let b = collect_buffered(&input[..], "m", FlattenOptions::default(), 1000).unwrap();
        assert_eq!(b.users.len(), 2);
        assert_eq!(b.paths.len(), 2);
        let e = collect_buffered(&input[..], "m", FlattenOptions::default(), 20).unwrap_err();
        assert!(matches!(e, FlattenError::OverBudget { budget: 20 }));
    }

    #[test]
    fn leaf_text_renders() {
        let v = json!(["a", 1, {"b": true}]);
        assert_eq!(leaf_text(&v, &ArrayText::Join(";".into())), r#"a;1;{"b":true}"#);
        assert_eq!(leaf_text(&v, &ArrayText::Json), r#"["a",1,{"b":true}]"#);
        assert_eq!(leaf_text(&Value::Null, &ArrayText::Json), "");
    }
}
