//! The query tree after parsing: Lucene clause occurrences resolved, field groups pushed down
//! to their leaves, boosts and phrase slop dropped (they do not change which users match).
//!
//! `Display` prints the canonical query text: `Query::parse` of that text gives the same tree
//! (spans aside) whatever default operator the original was parsed with.

use std::fmt::{self, Write as _};

/// A byte range `start..end` in the query text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// `start..end`.
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
}

/// How a clause takes part in its boolean group (Lucene `BooleanClause.Occur`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Occur {
    /// `+a`, or `a AND b`: must match.
    Must,
    /// `a` or `a OR b`: at least one SHOULD must match when the group has no MUST.
    Should,
    /// `-a`, `NOT a`, `!a`: must not match.
    MustNot,
}

/// One node of the query tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// `*:*` or a bare `*`: every user.
    MatchAll {
        /// Where it is in the query text.
        span: Span,
    },
    /// A clause list with Lucene occurrences (plus Elasticsearch's fix: a list of only
    /// MUST_NOT clauses also matches everything else).
    Bool {
        /// The clauses, in query order.
        clauses: Vec<Clause>,
        /// Where the group is in the query text.
        span: Span,
    },
    /// A single field test.
    Leaf(Leaf),
}

/// A clause of a [`Node::Bool`].
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// MUST, SHOULD or MUST_NOT.
    pub occur: Occur,
    /// The clause's query.
    pub node: Node,
}

/// What a leaf looks at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Field {
    /// No field: the top-level profile fields (not `app_metadata` / `user_metadata`).
    Default,
    /// `*:`: every field, metadata included.
    All,
    /// A dotted path, e.g. `app_metadata.plan` (escapes removed).
    Path(String),
}

/// A piece of a wildcard pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum WildPart {
    /// Literal text.
    Lit(String),
    /// `*`: zero or more characters.
    Star,
    /// `?`: exactly one character.
    One,
}

/// A range endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Bound {
    /// `*`: no limit.
    Open,
    /// `[x` or `x]`.
    Inclusive(String),
    /// `{x` or `x}`.
    Exclusive(String),
}

/// What a leaf tests.
#[derive(Debug, Clone, PartialEq)]
pub enum LeafValue {
    /// An unquoted term: whole-value equality.
    Term(String),
    /// A quoted phrase: whole-value equality.
    Phrase(String),
    /// A term with `*` or `?`, anchored to the whole value.
    Wildcard(Vec<WildPart>),
    /// `/…/`: the pattern text between the slashes, as written (Lucene RegExp syntax).
    Regex(String),
    /// `term~N`: Levenshtein distance at most `edits` (0..=2).
    Fuzzy {
        /// The term.
        term: String,
        /// Maximum edit distance.
        edits: u8,
    },
    /// `[a TO b]`, `{a TO b}`, mixed, and `>`, `>=`, `<`, `<=`.
    Range {
        /// Lower endpoint.
        lower: Bound,
        /// Upper endpoint.
        upper: Bound,
    },
    /// `_exists_:field` or `field:*`: present, not null, not `[]`, not `{}`.
    Exists,
}

/// A field test.
#[derive(Debug, Clone, PartialEq)]
pub struct Leaf {
    /// What it looks at.
    pub field: Field,
    /// What it tests.
    pub value: LeafValue,
    /// Where it is in the query text.
    pub span: Span,
}

impl Node {
    /// The node's span.
    pub fn span(&self) -> Span {
        match self {
            Node::MatchAll { span } | Node::Bool { span, .. } => *span,
            Node::Leaf(l) => l.span,
        }
    }

    /// The same tree with every span set to zero (to compare trees).
    pub fn without_spans(&self) -> Node {
        match self {
            Node::MatchAll { .. } => Node::MatchAll { span: Span::default() },
            Node::Bool { clauses, .. } => Node::Bool {
                clauses: clauses
                    .iter()
                    .map(|c| Clause { occur: c.occur, node: c.node.without_spans() })
                    .collect(),
                span: Span::default(),
            },
            Node::Leaf(l) => Node::Leaf(Leaf { span: Span::default(), ..l.clone() }),
        }
    }

    /// Calls `f` on every leaf, depth first.
    pub fn for_each_leaf(&self, f: &mut impl FnMut(&Leaf)) {
        match self {
            Node::MatchAll { .. } => {}
            Node::Bool { clauses, .. } => clauses.iter().for_each(|c| c.node.for_each_leaf(f)),
            Node::Leaf(l) => f(l),
        }
    }

    fn fmt_inner(&self, f: &mut fmt::Formatter<'_>, top: bool) -> fmt::Result {
        match self {
            Node::MatchAll { .. } => f.write_str("*:*"),
            Node::Leaf(l) => fmt::Display::fmt(l, f),
            Node::Bool { clauses, .. } => {
                if !top {
                    f.write_char('(')?;
                }
                for (i, c) in clauses.iter().enumerate() {
                    if i > 0 {
                        f.write_char(' ')?;
                    }
                    match c.occur {
                        Occur::Must => f.write_char('+')?,
                        Occur::MustNot => f.write_char('-')?,
                        Occur::Should => {}
                    }
                    c.node.fmt_inner(f, false)?;
                }
                if !top {
                    f.write_char(')')?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_inner(f, true)
    }
}

/// Characters escaped when printing a term or field name: everything that cannot start a
/// term in the grammar, plus the characters of `&&`, `||` and `>=`-style comparisons.
fn needs_escape(c: char) -> bool {
    !super::grammar::is_term_start(c) || matches!(c, '|' | '&' | '<' | '>' | '=')
}

/// Writes `text` with every special character escaped by `\`.
pub(crate) fn write_escaped(out: &mut impl fmt::Write, text: &str) -> fmt::Result {
    // A term spelled like an operator must not read back as one.
    if matches!(text, "AND" | "OR" | "NOT" | "TO") {
        out.write_char('\\')?;
    }
    for c in text.chars() {
        if needs_escape(c) {
            out.write_char('\\')?;
        }
        out.write_char(c)?;
    }
    Ok(())
}

fn write_quoted(out: &mut impl fmt::Write, text: &str) -> fmt::Result {
    out.write_char('"')?;
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.write_char('\\')?;
        }
        out.write_char(c)?;
    }
    out.write_char('"')
}

fn write_bound_text(out: &mut impl fmt::Write, text: &str) -> fmt::Result {
    let bare = !text.is_empty()
        && text != "*"
        && text != "TO"
        && !text.starts_with('"')
        && !text.chars().any(|c| super::grammar::is_ws(c) || matches!(c, ']' | '}' | '\\' | '"'));
    if bare { out.write_str(text) } else { write_quoted(out, text) }
}

impl fmt::Display for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let LeafValue::Exists = self.value {
            f.write_str("_exists_:")?;
            return match &self.field {
                Field::Path(p) => write_escaped(f, p),
                Field::Default | Field::All => f.write_str("*"),
            };
        }
        match &self.field {
            Field::Default => {}
            Field::All => f.write_str("*:")?,
            Field::Path(p) => {
                write_escaped(f, p)?;
                f.write_char(':')?;
            }
        }
        match &self.value {
            LeafValue::Term(t) => write_escaped(f, t),
            LeafValue::Phrase(t) => write_quoted(f, t),
            LeafValue::Wildcard(parts) => {
                for p in parts {
                    match p {
                        WildPart::Lit(s) => {
                            for c in s.chars() {
                                if needs_escape(c) {
                                    f.write_char('\\')?;
                                }
                                f.write_char(c)?;
                            }
                        }
                        WildPart::Star => f.write_char('*')?,
                        WildPart::One => f.write_char('?')?,
                    }
                }
                Ok(())
            }
            LeafValue::Regex(r) => write!(f, "/{r}/"),
            LeafValue::Fuzzy { term, edits } => {
                write_escaped(f, term)?;
                write!(f, "~{edits}")
            }
            LeafValue::Range { lower, upper } => {
                match lower {
                    Bound::Open => f.write_str("[*")?,
                    Bound::Inclusive(t) => {
                        f.write_char('[')?;
                        write_bound_text(f, t)?;
                    }
                    Bound::Exclusive(t) => {
                        f.write_char('{')?;
                        write_bound_text(f, t)?;
                    }
                }
                f.write_str(" TO ")?;
                match upper {
                    Bound::Open => f.write_str("*]"),
                    Bound::Inclusive(t) => {
                        write_bound_text(f, t)?;
                        f.write_char(']')
                    }
                    Bound::Exclusive(t) => {
                        write_bound_text(f, t)?;
                        f.write_char('}')
                    }
                }
            }
            LeafValue::Exists => Ok(()),
        }
    }
}
