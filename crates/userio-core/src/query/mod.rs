//! Lucene queries with Auth0 search v3 semantics, matched in memory on user JSON.
//!
//! ```
//! use userio_core::query::Query;
//! use serde_json::json;
//!
//! let q = Query::parse("NOT blocked:true AND (app_metadata.plan:gold OR app_metadata.plan:silver)")?;
//! assert!(q.matches(&json!({"app_metadata": {"plan": "gold"}})));
//! assert!(!q.matches(&json!({"blocked": true, "app_metadata": {"plan": "gold"}})));
//! // Lucene occurrences, printed canonically: `+` MUST, `-` MUST_NOT, nothing SHOULD.
//! assert_eq!(q.to_string(), "-blocked:true +(app_metadata.plan:gold app_metadata.plan:silver)");
//! # Ok::<(), userio_core::query::ParseError>(())
//! ```
//!
//! - Grammar: Lucene's classic `QueryParser` plus Elasticsearch's `query_string` extras
//!   (`_exists_:f`, `f:*`, `f:>N` / `>=` / `<` / `<=`), `&&` `||` `!`; see [`grammar`].
//! - Boolean meaning: Lucene clause occurrences (`a AND b OR c` is `+a +b c`), and a clause
//!   list of only negations also matches everything else (`NOT blocked:true`).
//! - Values: whole-value matches; `email`, `name`, `given_name`, `family_name`, `nickname`
//!   (and `email.domain`) case-insensitive, everything else case-sensitive; paths pass through
//!   arrays; null, `[]` and `{}` are absent; ranges compare numbers as numbers, ISO dates as
//!   instants, other strings by code point; a bare term searches the top-level fields except
//!   `app_metadata` / `user_metadata`.
//!
//! The whole query is compiled once in [`Query::parse`]; [`Query::matches`] allocates nothing
//! on the common paths. To run many queries over one set of users, build a [`UserIndex`]
//! once: it holds the users by attribute path and answers [`UserIndex::search`] exactly as
//! `matches` would, scanning only the paths the query names.

// The compiled leaf is larger than a boolean node, which is fine for a tree built once per query.
#![allow(clippy::large_enum_variant)]

pub mod ast;
mod compile;
mod error;
pub mod grammar;
mod index;
mod js;
mod matcher;

use std::fmt;
use std::sync::OnceLock;

use serde_json::Value;

use crate::export::project::{self, Projection};
use crate::read::{ReadError, Record};
use crate::user::UserRef;

pub use ast::{Bound, Clause, Field, Leaf, LeafValue, Node, Occur, Span, WildPart};
pub use compile::{CASE_INSENSITIVE_FIELDS, MAX_REGEX_LEN, METADATA_FIELDS};
pub use error::{Auth0Issue, ParseError, Severity};
pub use grammar::MAX_DEPTH;
pub use index::{IndexError, IndexReadError, Matches, UserIndex};
pub use js::JS_RUNTIME;

/// The operator between clauses written without one (`a b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DefaultOperator {
    /// `a b` means `a OR b` (Lucene's, Elasticsearch's and Auth0's default).
    #[default]
    Or,
    /// `a b` means `a AND b`.
    And,
}

/// How to parse a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct QueryOptions {
    /// The operator between clauses written without one.
    pub default_operator: DefaultOperator,
    /// Also list what Auth0's user search would refuse ([`Query::auth0_issues`]).
    pub auth0_check: bool,
}

/// A parsed, compiled query.
#[derive(Debug, Clone)]
pub struct Query {
    text: String,
    root: Node,
    compiled: compile::CNode,
    auth0: Vec<Auth0Issue>,
    /// The top-level attributes [`Query::matches_record`] parses (`None`: all of them), worked
    /// out on its first use rather than on every parse.
    projection: OnceLock<Option<Projection>>,
}

impl Query {
    /// Parses `text` with the default options (default operator OR, no Auth0 check).
    pub fn parse(text: &str) -> Result<Query, ParseError> {
        Query::parse_with(text, &QueryOptions::default())
    }

    /// Parses `text` with `options`.
    pub fn parse_with(text: &str, options: &QueryOptions) -> Result<Query, ParseError> {
        let root = grammar::parse(text, options.default_operator == DefaultOperator::And)?;
        let compiled = compile::compile(&root, text)?;
        let auth0 = if options.auth0_check { compile::auth0_issues(&root) } else { Vec::new() };
        let projection = OnceLock::new();
        Ok(Query { text: text.to_owned(), root, compiled, auth0, projection })
    }

    /// True when `user` matches.
    pub fn matches(&self, user: &Value) -> bool {
        self.compiled.eval(UserRef::Whole(user))
    }

    /// [`matches`](Self::matches) for a user read as raw JSON (a [`Record`] of a
    /// [`UserReader`](crate::read::UserReader)), parsing only the top-level attributes the
    /// query reads: the others are checked as JSON and skipped. The answer is `matches`'s on
    /// the parsed user, and a record that is not valid JSON is the same [`ReadError`] as
    /// [`Record::parse`]'s.
    pub fn matches_record(&self, record: &Record<'_>) -> Result<bool, ReadError> {
        let projection = self.projection.get_or_init(|| Projection::of(&[], [self], None));
        let parsed = project::parse(projection.as_ref(), record)?;
        Ok(self.matches_user(parsed.user()))
    }

    /// [`matches`](Self::matches) for a user as the export (or a [`QuerySet`]) parsed it.
    pub(crate) fn matches_user(&self, user: UserRef<'_>) -> bool {
        self.compiled.eval(user)
    }

    /// The parsed tree.
    pub fn ast(&self) -> &Node {
        &self.root
    }

    /// The query text as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// What Auth0's search would refuse (errors) or may treat differently (warnings), with byte
    /// spans into [`Query::text`]. Empty unless parsed with [`QueryOptions::auth0_check`].
    pub fn auth0_issues(&self) -> &[Auth0Issue] {
        &self.auth0
    }

    /// The top-level attributes the query reads, or `None` when it reads whole users (a
    /// bare term or `*:`). The export parses only these (plus what its columns read).
    pub(crate) fn user_keys(&self) -> Option<Vec<&str>> {
        let mut keys = Vec::new();
        self.compiled.user_keys(&mut keys).then_some(keys)
    }
}

/// Several queries matched on each user with one parse, of the attributes any of them reads.
///
/// ```
/// use userio_core::query::{Query, QuerySet};
/// use userio_core::read::UserReader;
///
/// let set = QuerySet::new(vec![Query::parse("name:jo*")?, Query::parse("NOT blocked:true")?]);
/// let mut reader = UserReader::new(&b"{\"name\": \"John\", \"blocked\": true}\n"[..]);
/// let record = reader.next_record().unwrap()?;
/// assert_eq!(set.matches_record(&record)?, [true, false]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct QuerySet {
    queries: Vec<Query>,
    projection: Option<Projection>,
}

impl QuerySet {
    /// The set of `queries`, in order.
    pub fn new(queries: Vec<Query>) -> QuerySet {
        let projection = Projection::of(&[], &queries, None);
        QuerySet { queries, projection }
    }

    /// The queries, in order.
    pub fn queries(&self) -> &[Query] {
        &self.queries
    }

    /// Whether each query matches the user in `record` (in the queries' order): what
    /// [`Query::matches`] gives on the parsed user, with one parse for all of them.
    pub fn matches_record(&self, record: &Record<'_>) -> Result<Vec<bool>, ReadError> {
        let parsed = project::parse(self.projection.as_ref(), record)?;
        Ok(self.queries.iter().map(|q| q.matches_user(parsed.user())).collect())
    }
}

/// The canonical query: `Query::parse` of it gives the same tree.
impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.root, f)
    }
}

impl std::str::FromStr for Query {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Query::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn m(q: &str, u: Value) -> bool {
        Query::parse(q).unwrap_or_else(|e| panic!("{q}: {e}")).matches(&u)
    }

    #[test]
    fn issue_examples() {
        let u = json!({"email": "Jane@Example.com", "name": "John Smith", "logins_count": 12,
            "user_metadata": {"x": 1}, "app_metadata": {"plan": "gold"}});
        assert!(m("_exists_:user_metadata", u.clone()));
        assert!(m("email:\"jane@example.com\"", u.clone()));
        assert!(m("name:jo*", u.clone()));
        assert!(m("logins_count:[10 TO *]", u.clone()));
        assert!(m("NOT blocked:true AND (app_metadata.plan:gold OR app_metadata.plan:silver)", u));
    }

    #[test]
    fn pure_negation_and_occurrence() {
        let u = json!({"a": "1", "b": "1"});
        assert!(m("NOT c:1", u.clone()));
        assert!(!m("NOT a:1", u.clone()));
        assert!(m("a:1 AND (NOT c:1)", u.clone()));
        // a AND b OR c == +a +b c
        assert!(!m("a:1 AND c:1 OR b:1", u.clone()));
        assert!(m("a:1 OR c:1", u));
    }

    #[test]
    fn auth0_check() {
        let o = QueryOptions { auth0_check: true, ..Default::default() };
        let q = Query::parse_with("user_metadata.age:[1 TO 2] name:*sa name:*usa", &o).unwrap();
        let codes: Vec<_> = q.auth0_issues().iter().map(|i| i.code).collect();
        assert_eq!(codes, ["range_on_user_metadata", "short_leading_wildcard"]);
        assert_eq!((q.auth0_issues()[1].start, q.auth0_issues()[1].end), (27, 35));
    }

    #[test]
    fn error_render() {
        let e = Query::parse("name:jo AND").unwrap_err();
        assert_eq!(e.code, "dangling_operator");
        assert_eq!(e.position.column, 12);
        assert!(e.render().contains("1 | name:jo AND\n  |            ^"), "{}", e.render());
        assert!(e.to_string().contains("line 1, column 12"));
        let e = Query::parse("name:/^a/").unwrap_err();
        assert_eq!((e.code, e.offset()), ("bad_regex", 6));
    }
}
