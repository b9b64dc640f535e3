//! The Lucene classic grammar plus the Elasticsearch `query_string` extras, as nom parsers.
//!
//! One function per production (see `shared/reference/lucene.md` §1.1 and §1.3):
//!
//! ```text
//! top_level  := ws* query ws* EOF
//! query      := ( conjunction? modifier? clause )*            # occurrences per QueryParserBase.addClause
//! conjunction:= AND | && | OR | ||                            # only as whole tokens (ANDROID is a term)
//! modifier   := + | - | ! | NOT                               # at most one; "+ " / "- " / "! " are terms
//! clause     := field_prefix? ( "(" query ")" boost? | value )
//! field_prefix := ( term | "*" ) ws* ":" ws*
//! value      := phrase suffix | regex suffix | range boost? | "*" boost? | term suffix
//! suffix     := ( "^" NUMBER | "~" NUMBER? ){0,2}
//! ```
//!
//! The parser never backtracks over more than one token (the first operand is parsed once, then
//! a loop collects clauses), so time is linear in the input; parentheses nest at most
//! [`MAX_DEPTH`] deep.

use std::borrow::Cow;

use nom::bytes::complete::{tag, take_while, take_while1};
use nom::character::complete::digit1;
use nom::combinator::{opt, recognize};
use nom::error::ErrorKind;
use nom::{IResult, Parser};

use super::ast::{Bound, Clause, Field, Leaf, LeafValue, Node, Occur, Span, WildPart};
use super::error::ParseError;

/// Parentheses may nest this deep; deeper input is a `too_deep` error.
pub const MAX_DEPTH: usize = 128;

/// A parse failure inside the grammar: where (the remaining input) and what.
#[derive(Debug)]
pub(crate) struct GErr<'a> {
    at: &'a str,
    code: &'static str,
    message: Cow<'static, str>,
    expected: &'static str,
}

impl<'a> nom::error::ParseError<&'a str> for GErr<'a> {
    fn from_error_kind(input: &'a str, _: ErrorKind) -> Self {
        GErr {
            at: input,
            code: "unexpected_token",
            message: Cow::Borrowed("unexpected input"),
            expected: "valid query syntax",
        }
    }
    fn append(_: &'a str, _: ErrorKind, other: Self) -> Self {
        other
    }
}

type PResult<'a, T> = IResult<&'a str, T, GErr<'a>>;

fn fail<'a, T>(
    at: &'a str,
    code: &'static str,
    message: impl Into<String>,
    expected: &'static str,
) -> PResult<'a, T> {
    Err(nom::Err::Failure(GErr { at, code, message: Cow::Owned(message.into()), expected }))
}

const VALUE: &str = "a term, a phrase, a range, a regex or `(`";

/// Lucene whitespace: space, tab, CR, LF and U+3000.
pub(crate) fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{3000}')
}

/// TERM_START_CHAR (without the `\` escape, handled by the scanner).
pub(crate) fn is_term_start(c: char) -> bool {
    !is_ws(c)
        && !matches!(
            c,
            '+' | '-'
                | '!'
                | '('
                | ')'
                | ':'
                | '^'
                | '['
                | ']'
                | '"'
                | '{'
                | '}'
                | '~'
                | '*'
                | '?'
                | '\\'
                | '/'
        )
}

/// TERM_CHAR: a start char, `-` or `+`.
pub(crate) fn is_term_char(c: char) -> bool {
    is_term_start(c) || c == '-' || c == '+'
}

/// Does a keyword end here (no term character glued to it)?
fn ends_token(rest: &str) -> bool {
    rest.chars().next().is_none_or(|c| !(is_term_char(c) || matches!(c, '*' | '?' | '\\')))
}

/// Parser state shared by the productions.
pub(crate) struct Ctx<'s> {
    src: &'s str,
    default_and: bool,
}

impl Ctx<'_> {
    fn off(&self, rest: &str) -> usize {
        self.src.len() - rest.len()
    }
}

/// Parses a whole query. `default_and` picks the default operator.
pub(crate) fn parse(src: &str, default_and: bool) -> Result<Node, ParseError> {
    let ctx = Ctx { src, default_and };
    match top_level(&ctx, src) {
        Ok((_, node)) => Ok(node),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
            Err(ParseError::new(src, ctx.off(e.at), e.code, e.message, e.expected))
        }
        Err(nom::Err::Incomplete(_)) => {
            Err(ParseError::new(src, src.len(), "unexpected_end", "the query ended early", VALUE))
        }
    }
}

/// Skips whitespace.
fn ws(i: &str) -> PResult<'_, &str> {
    take_while(is_ws)(i)
}

/// `top_level := ws* query ws* EOF`
fn top_level<'a>(ctx: &Ctx<'_>, i: &'a str) -> PResult<'a, Node> {
    let (i, _) = ws(i)?;
    if i.is_empty() {
        return fail(
            i,
            "empty_query",
            "the query is empty; use `*:*` to select every user",
            "a term, a field:value pair or `*:*`",
        );
    }
    let (i, node) = query(ctx, i, 0, &Field::Default)?;
    if i.starts_with(')') {
        return fail(
            i,
            "unbalanced_paren",
            "this `)` closes no `(`; remove it or add the matching `(`",
            "a clause, an operator or end of query",
        );
    }
    if !i.is_empty() {
        return fail(
            i,
            "unexpected_token",
            "unexpected text",
            "a clause, an operator or end of query",
        );
    }
    Ok((i, node))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conj {
    None,
    And,
    Or,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Modifier {
    None,
    Plus,
    Not,
}

/// `conjunction := AND | && | OR | ||` as whole tokens. Returns the operator's spelling.
fn conjunction(i: &str) -> PResult<'_, (Conj, &str)> {
    for (kw, c) in [("AND", Conj::And), ("&&", Conj::And), ("OR", Conj::Or), ("||", Conj::Or)] {
        if let Ok((rest, t)) = tag::<_, _, GErr<'_>>(kw)(i)
            && ends_token(rest)
        {
            return Ok((rest, (c, t)));
        }
    }
    Err(nom::Err::Error(nom::error::ParseError::from_error_kind(i, ErrorKind::Tag)))
}

/// `modifier := + | - | ! | NOT`. `+`, `-`, `!` followed by whitespace are terms (BAREOPER).
fn modifier(i: &str) -> PResult<'_, Modifier> {
    let mut chars = i.chars();
    let m = match chars.next() {
        Some('+') => Modifier::Plus,
        Some('-' | '!') => Modifier::Not,
        _ => {
            if let Ok((rest, _)) = tag::<_, _, GErr<'_>>("NOT")(i)
                && ends_token(rest)
            {
                return Ok((rest, Modifier::Not));
            }
            return Ok((i, Modifier::None));
        }
    };
    if chars.next().is_some_and(is_ws) {
        return Ok((i, Modifier::None)); // BAREOPER: a literal term
    }
    Ok((&i[1..], m))
}

/// The operator spelled at `i`, if any (for "operator where a clause belongs" errors).
fn operator_at(i: &str) -> Option<&str> {
    if let Ok((_, (_, t))) = conjunction(i) {
        return Some(t);
    }
    match modifier(i) {
        Ok((rest, m)) if m != Modifier::None => Some(&i[..i.len() - rest.len()]),
        _ => None,
    }
}

/// `query := ( conjunction? modifier? clause )*`, up to `)` or the end of the input.
fn query<'a>(ctx: &Ctx<'_>, input: &'a str, depth: usize, field: &Field) -> PResult<'a, Node> {
    let start = ctx.off(input);
    let mut clauses: Vec<Clause> = Vec::new();
    let mut i = input;
    let mut end = start;
    loop {
        i = ws(i)?.0;
        if i.is_empty() || i.starts_with(')') {
            break;
        }
        let mut conj = Conj::None;
        if let Ok((rest, (c, t))) = conjunction(i) {
            if clauses.is_empty() {
                return fail(
                    i,
                    "dangling_operator",
                    format!(
                        "`{t}` needs a clause on its left; remove it or add a clause before it"
                    ),
                    VALUE,
                );
            }
            conj = c;
            i = ws(rest)?.0;
            if i.is_empty() || i.starts_with(')') {
                return fail(
                    i,
                    "dangling_operator",
                    format!(
                        "`{t}` needs a clause on its right; remove it or add a clause after it"
                    ),
                    VALUE,
                );
            }
        }
        let op_at = i;
        let (rest, m) = modifier(i)?;
        i = rest;
        if m != Modifier::None {
            i = ws(i)?.0;
            let op = &op_at[..op_at.len() - rest.len()];
            if i.is_empty() || i.starts_with(')') {
                return fail(
                    i,
                    "dangling_operator",
                    format!("`{op}` needs a clause after it"),
                    VALUE,
                );
            }
            if let Some(next) = operator_at(i) {
                return fail(
                    i,
                    "double_operator",
                    format!(
                        "`{op}` is followed by `{next}`; a clause takes at most one of + - NOT !, write it once"
                    ),
                    VALUE,
                );
            }
        }
        let (rest, node) = clause(ctx, i, depth, field)?;
        end = ctx.off(rest);
        i = rest;
        if clauses.is_empty() && m != Modifier::Not {
            // A lone clause that is not a negation is the query itself (as below), without
            // the clause list.
            let after = ws(i)?.0;
            if after.is_empty() || after.starts_with(')') {
                return Ok((after, node));
            }
        }
        add_clause(&mut clauses, conj, m, node, ctx.default_and);
    }
    if clauses.is_empty() {
        return fail(
            i,
            "empty_group",
            "`()` holds no clause; put a clause inside or remove it",
            VALUE,
        );
    }
    if clauses.len() == 1 && clauses[0].occur != Occur::MustNot {
        let only = clauses.pop().map(|c| c.node);
        if let Some(node) = only {
            return Ok((i, node));
        }
    }
    Ok((i, Node::Bool { clauses, span: Span::new(start, end) }))
}

/// Lucene's `QueryParserBase.addClause`: the conjunction can change the previous clause.
fn add_clause(clauses: &mut Vec<Clause>, conj: Conj, m: Modifier, node: Node, default_and: bool) {
    if let Some(last) = clauses.last_mut()
        && last.occur != Occur::MustNot
    {
        if conj == Conj::And {
            last.occur = Occur::Must;
        } else if default_and && conj == Conj::Or {
            last.occur = Occur::Should;
        }
    }
    let occur = if m == Modifier::Not {
        Occur::MustNot
    } else if default_and {
        if conj == Conj::Or { Occur::Should } else { Occur::Must }
    } else if m == Modifier::Plus || conj == Conj::And {
        Occur::Must
    } else {
        Occur::Should
    };
    clauses.push(Clause { occur, node });
}

/// `clause := field_prefix? ( "(" query ")" boost? | value )`
fn clause<'a>(ctx: &Ctx<'_>, i: &'a str, depth: usize, field: &Field) -> PResult<'a, Node> {
    let start = ctx.off(i);
    if let Some(op) = operator_at(i) {
        return fail(
            i,
            "unexpected_operator",
            format!("`{op}` cannot stand here; escape it (`\\{op}`) to search for it as a word"),
            VALUE,
        );
    }
    let (i, explicit) = field_prefix(ctx, i)?;
    let field = explicit.as_ref().unwrap_or(field);
    if let Some(inner) = i.strip_prefix('(') {
        if depth + 1 > MAX_DEPTH {
            return fail(
                i,
                "too_deep",
                format!("parentheses nest deeper than {MAX_DEPTH} levels; flatten the query"),
                "fewer nested groups",
            );
        }
        let (rest, node) = query(ctx, inner, depth + 1, field)?;
        let Some(rest) = rest.strip_prefix(')') else {
            return fail(
                rest,
                "unclosed_group",
                format!("the `(` at byte {} is never closed; add a `)`", ctx.off(i)),
                "`)`",
            );
        };
        let (rest, _) = suffixes(rest, false)?;
        return Ok((rest, node));
    }
    value(ctx, i, field, start)
}

/// `field_prefix := ( term | "*" ) ws* ":" ws*`. Returns `None` (consuming nothing) when the
/// clause has no field.
fn field_prefix<'a>(ctx: &Ctx<'_>, i: &'a str) -> PResult<'a, Option<Field>> {
    if let Some(after) = i.strip_prefix('*') {
        let (a, _) = ws(after)?;
        if let Some(a) = a.strip_prefix(':') {
            return Ok((ws(a)?.0, Some(Field::All)));
        }
        return Ok((i, None));
    }
    if i.starts_with('"') {
        if let Ok((rest, _)) = phrase(ctx, i)
            && ws(rest)?.0.starts_with(':')
        {
            return fail(
                i,
                "quoted_field",
                "a field name cannot be quoted; escape spaces instead (`first\\ name:Alice`)",
                "a field name",
            );
        }
        return Ok((i, None));
    }
    let (_, Some((rest, raw, wild))) = term_token(i)? else {
        return Ok((i, None));
    };
    let (a, _) = ws(rest)?;
    let Some(a) = a.strip_prefix(':') else {
        return Ok((i, None));
    };
    if wild {
        return fail(
            i,
            "wildcard_field",
            "a field name cannot contain an unescaped `*` or `?`; escape them (`\\*`) or spell the field out",
            "a field name",
        );
    }
    let name = unescape(ctx, raw)?;
    Ok((ws(a)?.0, Some(Field::Path(name))))
}

/// A term token: (TERM_START_CHAR | `*` | `?` | escape) (TERM_CHAR | `*` | `?` | escape)*.
/// Returns the rest, the raw text and whether it holds an unescaped wildcard.
fn term_token(i: &str) -> PResult<'_, Option<(&str, &str, bool)>> {
    let mut wild = false;
    let mut it = i.char_indices();
    let mut end = 0;
    while let Some((pos, c)) = it.next() {
        match c {
            '\\' => match it.next() {
                Some((p2, c2)) => end = p2 + c2.len_utf8(),
                None => {
                    return fail(
                        &i[pos..],
                        "bad_escape",
                        "a `\\` at the end of the query escapes nothing; remove it or write `\\\\`",
                        "a character after `\\`",
                    );
                }
            },
            '*' | '?' => {
                wild = true;
                end = pos + 1;
            }
            c if is_term_start(c) || (pos > 0 && is_term_char(c)) => end = pos + c.len_utf8(),
            _ => break,
        }
    }
    if end == 0 {
        return Ok((i, None));
    }
    Ok((i, Some((&i[end..], &i[..end], wild))))
}

/// Decodes a raw token into literal text and wildcard parts (`\x` → x, `\uXXXX` → char).
fn decode<'a>(ctx: &Ctx<'_>, raw: &'a str) -> Result<Vec<WildPart>, nom::Err<GErr<'a>>> {
    let _ = ctx;
    let mut parts = Vec::with_capacity(2);
    let mut lit = String::with_capacity(raw.len());
    let mut it = raw.char_indices().peekable();
    while let Some((pos, c)) = it.next() {
        match c {
            '\\' => {
                let Some((_, e)) = it.next() else {
                    return Err(bad_escape(&raw[pos..], "a trailing `\\` escapes nothing"));
                };
                if e == 'u' {
                    let hex = raw.get(pos + 2..pos + 6).unwrap_or("");
                    let Some(cp) = parse_hex4(hex) else {
                        return Err(bad_escape(
                            &raw[pos..],
                            "`\\u` must be followed by 4 hex digits (`\\u00e9`)",
                        ));
                    };
                    for _ in 0..4 {
                        it.next();
                    }
                    let ch = if (0xD800..0xDC00).contains(&cp) {
                        // a high surrogate must be followed by `\uDC00`..`\uDFFF`
                        let low = raw
                            .get(pos + 6..pos + 12)
                            .filter(|s| s.starts_with("\\u"))
                            .and_then(|s| parse_hex4(&s[2..]))
                            .filter(|lo| (0xDC00..0xE000).contains(lo));
                        let Some(lo) = low else {
                            return Err(bad_escape(
                                &raw[pos..],
                                "a `\\u` high surrogate must be followed by a low surrogate `\\uDC00`-`\\uDFFF`",
                            ));
                        };
                        for _ in 0..6 {
                            it.next();
                        }
                        char::from_u32(0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00))
                    } else {
                        char::from_u32(cp)
                    };
                    let Some(ch) = ch else {
                        return Err(bad_escape(
                            &raw[pos..],
                            "this `\\u` escape is a lone surrogate, not a character",
                        ));
                    };
                    lit.push(ch);
                } else {
                    lit.push(e);
                }
            }
            '*' | '?' => {
                if !lit.is_empty() {
                    parts.push(WildPart::Lit(std::mem::take(&mut lit)));
                }
                parts.push(if c == '*' { WildPart::Star } else { WildPart::One });
            }
            c => lit.push(c),
        }
    }
    if !lit.is_empty() {
        parts.push(WildPart::Lit(lit));
    }
    Ok(parts)
}

fn parse_hex4(s: &str) -> Option<u32> {
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        u32::from_str_radix(s, 16).ok()
    } else {
        None
    }
}

fn bad_escape<'a>(at: &'a str, message: &str) -> nom::Err<GErr<'a>> {
    nom::Err::Failure(GErr {
        at,
        code: "bad_escape",
        message: Cow::Owned(message.to_owned()),
        expected: "`\\` followed by a character, or `\\u` and 4 hex digits",
    })
}

/// Literal text of a raw token with escapes removed (no wildcards).
fn unescape<'a>(ctx: &Ctx<'_>, raw: &'a str) -> Result<String, nom::Err<GErr<'a>>> {
    if !raw.contains('\\') {
        return Ok(raw.to_owned()); // nothing to decode (`*` and `?` stay as written)
    }
    let mut out = String::with_capacity(raw.len());
    for p in decode(ctx, raw)? {
        match p {
            WildPart::Lit(s) => out.push_str(&s),
            WildPart::Star => out.push('*'),
            WildPart::One => out.push('?'),
        }
    }
    Ok(out)
}

/// `phrase := '"' ( [^"\\] | "\\" any )* '"'`. Returns the text with escapes removed.
fn phrase<'a>(ctx: &Ctx<'_>, i: &'a str) -> PResult<'a, String> {
    let (body, _) = tag("\"")(i)?;
    let mut it = body.char_indices();
    while let Some((pos, c)) = it.next() {
        match c {
            '\\' if it.next().is_none() => break,
            '"' => {
                let text = unescape(ctx, &body[..pos])?;
                return Ok((&body[pos + 1..], text));
            }
            _ => {}
        }
    }
    fail(
        i,
        "unterminated_phrase",
        "this `\"` is never closed; add a closing `\"` (or escape it as `\\\"`)",
        "a closing `\"`",
    )
}

/// `regex := "/" ( [^/\\] | "\\" any )* "/"`. Returns the pattern as written.
fn regex(i: &str) -> PResult<'_, &str> {
    let (body, _) = tag("/")(i)?;
    let mut it = body.char_indices();
    while let Some((pos, c)) = it.next() {
        match c {
            '\\' if it.next().is_none() => break,
            '/' => return Ok((&body[pos + 1..], &body[..pos])),
            _ => {}
        }
    }
    fail(
        i,
        "unterminated_regex",
        "this `/` starts a regular expression that is never closed; add a closing `/` or escape the slash (`\\/`)",
        "a closing `/`",
    )
}

/// `NUMBER := \d+ ( "." \d+ )?`
fn number(i: &str) -> PResult<'_, &str> {
    recognize((digit1, opt((tag("."), digit1)))).parse(i)
}

/// `suffix := ( "^" NUMBER | "~" NUMBER? ){0,2}`. Returns the fuzzy / slop text if any:
/// `Some("")` for a bare `~`. Boosts are checked and dropped.
fn suffixes(i: &str, allow_fuzzy: bool) -> PResult<'_, Option<&str>> {
    let mut i = i;
    let (mut boost, mut fuzzy) = (false, None);
    loop {
        if let Some(rest) = i.strip_prefix('^') {
            if boost {
                return fail(
                    i,
                    "bad_boost",
                    "a clause takes one boost `^N`; remove the second",
                    "no second `^`",
                );
            }
            let Ok((rest, _)) = number(rest) else {
                return fail(
                    rest,
                    "bad_boost",
                    "`^` must be followed by a number (`name:jo^2`); escape it (`\\^`) to search for it",
                    "a number after `^`",
                );
            };
            boost = true;
            i = rest;
        } else if allow_fuzzy && let Some(rest) = i.strip_prefix('~') {
            if fuzzy.is_some() {
                return fail(
                    i,
                    "bad_fuzzy",
                    "a term takes one `~`; remove the second",
                    "no second `~`",
                );
            }
            let (rest, n) = opt(number).parse(rest)?;
            if rest.chars().next().is_some_and(is_term_char) {
                return fail(
                    rest,
                    "bad_fuzzy",
                    "`~` must be followed by a number of edits (`jon~1`) or nothing; escape it (`\\~`) to search for it",
                    "a number after `~`",
                );
            }
            fuzzy = Some(n.unwrap_or(""));
            i = rest;
        } else {
            return Ok((i, fuzzy));
        }
    }
}

/// `range := ("[" | "{") ws* bound ws+ "TO" ws+ bound ws* ("]" | "}")`
fn range<'a>(ctx: &Ctx<'_>, i: &'a str) -> PResult<'a, (Bound, Bound)> {
    let lower_inclusive = i.starts_with('[');
    let (rest, _) = ws(&i[1..])?;
    let (rest, lo) = range_bound(ctx, rest)?;
    let (rest, _) = ws(rest)?;
    let to: PResult<'_, &str> = tag("TO")(rest);
    let rest = match to {
        Ok((r, _)) if r.starts_with(|c: char| is_ws(c) || c == '"') => r,
        Ok((r, _)) if r.is_empty() => {
            return fail(
                r,
                "unclosed_range",
                format!(
                    "the range opened at byte {} ends after `TO`: add the upper bound and `]` or `}}` (`[10 TO *]`)",
                    ctx.off(i)
                ),
                "an upper bound after `TO`",
            );
        }
        _ if rest.get(..2).is_some_and(|s| s.eq_ignore_ascii_case("to") && s != "TO") => {
            return fail(rest, "range_syntax", "`TO` in a range must be upper case", "`TO`");
        }
        _ => {
            return fail(
                rest,
                "range_syntax",
                "a range is written `[low TO high]`; use `*` for an open end (`[10 TO *]`)",
                "`TO`",
            );
        }
    };
    let (rest, _) = ws(rest)?;
    let (rest, hi) = range_bound(ctx, rest)?;
    let (rest, _) = ws(rest)?;
    let upper_inclusive = match rest.chars().next() {
        Some(']') => true,
        Some('}') => false,
        _ => {
            return fail(
                rest,
                "unclosed_range",
                format!("the range opened at byte {} must end with `]` or `}}`", ctx.off(i)),
                "`]` or `}`",
            );
        }
    };
    let make = |b: Option<String>, inclusive: bool| match b {
        None => Bound::Open,
        Some(t) if inclusive => Bound::Inclusive(t),
        Some(t) => Bound::Exclusive(t),
    };
    Ok((&rest[1..], (make(lo, lower_inclusive), make(hi, upper_inclusive))))
}

/// `bound := "*" | phrase | goop` (goop: anything but whitespace, `]` and `}`). `None` is `*`.
fn range_bound<'a>(ctx: &Ctx<'_>, i: &'a str) -> PResult<'a, Option<String>> {
    if i.starts_with('"') {
        let (rest, text) = phrase(ctx, i)?;
        return Ok((rest, Some(text)));
    }
    let goop: PResult<'_, &str> = take_while1(|c: char| !is_ws(c) && c != ']' && c != '}')(i);
    match goop {
        Ok((rest, "*")) => Ok((rest, None)),
        Ok((rest, g)) => Ok((rest, Some(unescape(ctx, g)?))),
        Err(_) => fail(
            i,
            "range_syntax",
            "a range endpoint is missing; use `*` for an open end",
            "a range endpoint",
        ),
    }
}

/// What a value token was, before it becomes a leaf.
enum Raw<'a> {
    Star,
    Term { raw: &'a str, wild: bool, fuzzy: Option<&'a str> },
    Phrase(String),
    Regex(&'a str),
    Range(Bound, Bound),
}

/// `value := phrase suffix | regex suffix | range boost? | "*" boost? | term suffix`
fn value<'a>(ctx: &Ctx<'_>, i: &'a str, field: &Field, start: usize) -> PResult<'a, Node> {
    let (rest, raw) = match i.chars().next() {
        None => {
            return fail(i, "missing_value", "the query ends where a value belongs", VALUE);
        }
        Some('"') => {
            let (rest, text) = phrase(ctx, i)?;
            let (rest, _) = suffixes(rest, true)?;
            (rest, Raw::Phrase(text))
        }
        Some('/') => {
            let (rest, r) = regex(i)?;
            let (rest, _) = suffixes(rest, true)?;
            (rest, Raw::Regex(r))
        }
        Some('[' | '{') => {
            let (rest, (lo, hi)) = range(ctx, i)?;
            let (rest, _) = suffixes(rest, false)?;
            (rest, Raw::Range(lo, hi))
        }
        Some('*') if ends_token(&i[1..]) => {
            let (rest, _) = suffixes(&i[1..], false)?;
            (rest, Raw::Star)
        }
        Some(c @ ('+' | '-' | '!')) => {
            if i[1..].starts_with(is_ws) {
                let (rest, fuzzy) = suffixes(&i[1..], true)?;
                (rest, Raw::Term { raw: &i[..1], wild: false, fuzzy })
            } else {
                return fail(
                    i,
                    "operator_in_value",
                    format!(
                        "`{c}` here is an operator; to search for a value starting with `{c}`, quote it (`x:\"{c}12\"`) or escape it (`x:\\{c}12`)"
                    ),
                    VALUE,
                );
            }
        }
        Some(c) => match term_token(i)? {
            (_, Some((rest, raw, wild))) => {
                let (rest, fuzzy) = suffixes(rest, true)?;
                (rest, Raw::Term { raw, wild, fuzzy })
            }
            (_, None) => {
                let (message, code) = match c {
                    ')' => (
                        "this `)` closes an empty place; a value or clause belongs here".to_owned(),
                        "unexpected_token",
                    ),
                    ':' => (
                        "a second `:`; escape it (`\\:`) to search for a colon".to_owned(),
                        "unexpected_colon",
                    ),
                    _ => (
                        format!("`{c}` is special here; escape it (`\\{c}`) to search for it"),
                        "unexpected_token",
                    ),
                };
                return fail(i, code, message, VALUE);
            }
        },
    };
    let span = Span::new(start, ctx.off(rest));
    let node = make_leaf(ctx, i, field, raw, span)?;
    Ok((rest, node))
}

/// Turns a raw value under `field` into a node (`_exists_`, `field:*`, ES comparison ranges,
/// fuzzy edit counts).
fn make_leaf<'a>(
    ctx: &Ctx<'_>,
    at: &'a str,
    field: &Field,
    raw: Raw<'a>,
    span: Span,
) -> Result<Node, nom::Err<GErr<'a>>> {
    let leaf = |field: Field, value| Ok(Node::Leaf(Leaf { field, value, span }));
    if let Field::Path(p) = field
        && p == "_exists_"
    {
        let name = match raw {
            Raw::Term { raw, wild: false, .. } => unescape(ctx, raw)?,
            Raw::Phrase(t) if !t.is_empty() => t,
            _ => {
                return Err(nom::Err::Failure(GErr {
                    at,
                    code: "exists_needs_field",
                    message: Cow::Borrowed(
                        "`_exists_:` must be followed by a field name (`_exists_:user_metadata.plan`)",
                    ),
                    expected: "a field name",
                }));
            }
        };
        return leaf(Field::Path(name), LeafValue::Exists);
    }
    match raw {
        Raw::Star => match field {
            Field::Path(_) => leaf(field.clone(), LeafValue::Exists),
            Field::Default | Field::All => Ok(Node::MatchAll { span }),
        },
        Raw::Phrase(t) => leaf(field.clone(), LeafValue::Phrase(t)),
        Raw::Regex(r) => leaf(field.clone(), LeafValue::Regex(r.to_owned())),
        Raw::Range(lower, upper) => leaf(field.clone(), LeafValue::Range { lower, upper }),
        Raw::Term { raw, wild: true, .. } => {
            leaf(field.clone(), LeafValue::Wildcard(decode(ctx, raw)?))
        }
        Raw::Term { raw, wild: false, fuzzy } => {
            let text = unescape(ctx, raw)?;
            if matches!(field, Field::Path(_))
                && (raw.starts_with('>') || raw.starts_with('<'))
                && text.chars().count() > 1
            {
                return leaf(field.clone(), compare_range(&text));
            }
            match fuzzy {
                None => leaf(field.clone(), LeafValue::Term(text)),
                Some(n) => {
                    let edits = fuzzy_edits(n, text.chars().count()).ok_or_else(|| {
                        nom::Err::Failure(GErr {
                            at,
                            code: "bad_fuzzy",
                            message: Cow::Owned(format!(
                                "`~{n}`: fractional edit distances are not allowed; use 0, 1 or 2"
                            )),
                            expected: "a whole number of edits",
                        })
                    })?;
                    leaf(field.clone(), LeafValue::Fuzzy { term: text, edits })
                }
            }
        }
    }
}

/// Elasticsearch's `field:>N` family (`QueryStringQueryParser.getFieldQuery`).
fn compare_range(text: &str) -> LeafValue {
    let bound = |s: &str, inclusive: bool| match s {
        "*" => Bound::Open,
        s if inclusive => Bound::Inclusive(s.to_owned()),
        s => Bound::Exclusive(s.to_owned()),
    };
    let (lower, upper) = if let Some(rest) = text.strip_prefix('>') {
        match rest.strip_prefix('=') {
            Some(r) if !r.is_empty() => (bound(r, true), Bound::Open),
            _ => (bound(rest, false), Bound::Open),
        }
    } else {
        let rest = text.get(1..).unwrap_or("");
        match rest.strip_prefix('=') {
            Some(r) if !r.is_empty() => (Bound::Open, bound(r, true)),
            _ => (Bound::Open, bound(rest, false)),
        }
    };
    LeafValue::Range { lower, upper }
}

/// Lucene's fuzzy edits: `~` alone is 2, `~N` is N capped at 2, `~0.x` is a legacy similarity.
fn fuzzy_edits(n: &str, term_len: usize) -> Option<u8> {
    if n.is_empty() {
        return Some(2);
    }
    let f: f64 = n.parse().ok()?;
    if f >= 1.0 {
        if f.fract() != 0.0 {
            return None;
        }
        Some(f.min(2.0) as u8)
    } else if f == 0.0 {
        Some(0)
    } else {
        Some((((1.0 - f) * term_len as f64) as u64).min(2) as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        parse(s, false)
            .map(|n| n.to_string())
            .unwrap_or_else(|e| format!("ERR {} @{}", e.code, e.position.byte))
    }
    fn pa(s: &str) -> String {
        parse(s, true)
            .map(|n| n.to_string())
            .unwrap_or_else(|e| format!("ERR {} @{}", e.code, e.position.byte))
    }

    #[test]
    fn terms_and_fields() {
        assert_eq!(p("jane"), "jane");
        assert_eq!(p("email:jane@example.com"), "email:jane@example.com");
        assert_eq!(p("app_metadata.plan:gold"), "app_metadata.plan:gold");
        assert_eq!(p("foo: bar"), "foo:bar");
        assert_eq!(p("foo :bar"), "foo:bar");
        assert_eq!(p("jane-doe a+b a&b auth0|507f"), "jane\\-doe a\\+b a\\&b auth0\\|507f");
        assert_eq!(p("first\\ name:Alice"), "first\\ name:Alice");
        assert_eq!(p("_id:1 $foo:x @timestamp:1"), "_id:1 $foo:x @timestamp:1");
    }

    #[test]
    fn escapes() {
        assert_eq!(p("a\\:b"), "a\\:b");
        assert_eq!(p("\\u0041BC"), "ABC");
        assert_eq!(p("\\uD83D\\uDE00"), "😀");
        assert_eq!(p("ab\\"), "ERR bad_escape @2");
        assert_eq!(p("\\u12"), "ERR bad_escape @0");
        assert_eq!(p("\\uD83D"), "ERR bad_escape @0");
        assert_eq!(p("x:\\-12"), "x:\\-12");
    }

    #[test]
    fn operators_are_whole_upper_case_tokens() {
        assert_eq!(p("ANDROID ORacle NOTE"), "ANDROID ORacle NOTE");
        assert_eq!(p("a and b"), "a and b");
        assert_eq!(p("a &&b"), "a \\&\\&b");
        assert_eq!(p("a AND(b)"), "+a +b");
        assert_eq!(p("(a)AND(b)"), "+a +b");
        assert_eq!(p("a && b || c"), "+a +b c");
        assert_eq!(p("!a"), "-a");
        assert_eq!(p("a - b"), "a \\- b");
    }

    #[test]
    fn occurrence_rules() {
        assert_eq!(p("a AND b OR c"), "+a +b c");
        assert_eq!(p("a OR b AND c"), "a +b +c");
        assert_eq!(p("a AND b OR c AND d"), "+a +b +c +d");
        assert_eq!(p("a NOT b"), "a -b");
        assert_eq!(p("a b"), "a b");
        assert_eq!(p("NOT a"), "-a");
        assert_eq!(p("NOT a AND b"), "-a +b");
        assert_eq!(pa("a b"), "+a +b");
        assert_eq!(pa("a AND b OR c"), "+a b c");
        assert_eq!(pa("a NOT b"), "+a -b");
    }

    #[test]
    fn dangling_and_double_operators() {
        assert_eq!(p("a AND"), "ERR dangling_operator @5");
        assert_eq!(p("AND a"), "ERR dangling_operator @0");
        assert_eq!(p("a OR"), "ERR dangling_operator @4");
        assert_eq!(p("NOT"), "ERR dangling_operator @3");
        assert_eq!(p("a AND OR b"), "ERR unexpected_operator @6");
        assert_eq!(p("a AND NOT NOT b"), "ERR double_operator @10");
        assert_eq!(p("--a"), "ERR double_operator @1");
        assert_eq!(p(""), "ERR empty_query @0");
        assert_eq!(p("  "), "ERR empty_query @2");
    }

    #[test]
    fn groups() {
        assert_eq!(p("(a)"), "a");
        assert_eq!(p("title:(a OR b)"), "title:a title:b");
        assert_eq!(p("title:(+a -\"b c\")"), "+title:a -title:\"b c\"");
        assert_eq!(p("field:(abc AND b:cde)"), "+field:abc +b:cde");
        assert_eq!(p("a AND (NOT b)"), "+a +(-b)");
        assert_eq!(p("(a b)^2 c"), "(a b) c");
        assert_eq!(p("(a"), "ERR unclosed_group @2");
        assert_eq!(p("a)"), "ERR unbalanced_paren @1");
        assert_eq!(p("()"), "ERR empty_group @1");
    }

    #[test]
    fn phrases_wildcards_regex_fuzzy_boost() {
        assert_eq!(p("name:\"jane smith\""), "name:\"jane smith\"");
        assert_eq!(p("\"a \\\" b\"~2^3"), "\"a \\\" b\"");
        assert_eq!(p("\"abc"), "ERR unterminated_phrase @0");
        assert_eq!(p("name:jo*"), "name:jo*");
        assert_eq!(p("name:j?n*"), "name:j?n*");
        assert_eq!(p("name:*usa"), "name:*usa");
        assert_eq!(p("name:jo\\*"), "name:jo\\*");
        assert_eq!(p("name:/jo.*/"), "name:/jo.*/");
        assert_eq!(p("name:/foo/i"), "name:/foo/ i");
        assert_eq!(p("name:/a\\/b/"), "name:/a\\/b/");
        assert_eq!(p("/abc"), "ERR unterminated_regex @0");
        assert_eq!(p("foo~"), "foo~2");
        assert_eq!(p("foo~1"), "foo~1");
        assert_eq!(p("foo~3"), "foo~2");
        assert_eq!(p("foo~0.8"), "foo~0");
        assert_eq!(p("fooooooooooooooo~0.8"), "fooooooooooooooo~2");
        assert_eq!(p("foo~1.1"), "ERR bad_fuzzy @0");
        assert_eq!(p("foo~x"), "ERR bad_fuzzy @4");
        assert_eq!(p("foo^2"), "foo");
        assert_eq!(p("foo^0.5"), "foo");
        assert_eq!(p("foo^"), "ERR bad_boost @4");
        assert_eq!(p("foo^x"), "ERR bad_boost @4");
        assert_eq!(p("foo^2^3"), "ERR bad_boost @5");
    }

    #[test]
    fn ranges() {
        assert_eq!(p("n:[10 TO *]"), "n:[10 TO *]");
        assert_eq!(p("n:{1 TO 5]"), "n:{1 TO 5]");
        assert_eq!(p("n:[* TO 5}"), "n:[* TO 5}");
        assert_eq!(p("d:[2020-01-01T00:00:00.000Z TO *]"), "d:[2020-01-01T00:00:00.000Z TO *]");
        assert_eq!(p("n:[\"a b\" TO \"c\"]"), "n:[\"a b\" TO c]");
        assert_eq!(p("n:[1 to 5]"), "ERR range_syntax @5");
        assert_eq!(p("n:[1 5]"), "ERR range_syntax @5");
        assert_eq!(p("n:[1 TO 5 TO 6]"), "ERR unclosed_range @10");
        assert_eq!(p("n:[1 TO 5"), "ERR unclosed_range @9");
        assert_eq!(p("n:[5 TO"), "ERR unclosed_range @7");
        assert_eq!(p("n:[5 to 6]"), "ERR range_syntax @5");
        assert_eq!(p("n:[1 TO 5]^2"), "n:[1 TO 5]");
        assert_eq!(p("age:>10"), "age:{10 TO *]");
        assert_eq!(p("age:>=10"), "age:[10 TO *]");
        assert_eq!(p("age:<10"), "age:[* TO 10}");
        assert_eq!(p("age:<=10"), "age:[* TO 10]");
        assert_eq!(p("age:(>=10 AND <20)"), "+age:[10 TO *] +age:[* TO 20}");
        assert_eq!(p("age:> 10"), "age:\\> 10");
        assert_eq!(p(">10"), "\\>10");
        assert_eq!(p("age:\">10\""), "age:\">10\"");
    }

    #[test]
    fn exists_and_match_all() {
        assert_eq!(p("_exists_:user_metadata"), "_exists_:user_metadata");
        assert_eq!(p("app_metadata.plan:*"), "_exists_:app_metadata.plan");
        assert_eq!(p("*:*"), "*:*");
        assert_eq!(p("*"), "*:*");
        assert_eq!(p("*:gold"), "*:gold");
        assert_eq!(p("_exists_:(a OR b)"), "_exists_:a _exists_:b");
        assert_eq!(p("_exists_:*"), "ERR exists_needs_field @9");
    }

    #[test]
    fn lucene_errors() {
        assert_eq!(p("x:-12"), "ERR operator_in_value @2");
        assert_eq!(p("foo:bar:baz"), "ERR unexpected_colon @7");
        assert_eq!(p("\"first name\":x"), "ERR quoted_field @0");
        assert_eq!(p("app_metadata.*:gold"), "ERR wildcard_field @0");
        assert_eq!(p("name:'jane smith'"), "name:'jane smith'");
    }

    #[test]
    fn depth_cap() {
        let ok = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert_eq!(p(&ok), "a");
        let deep = format!("{}a{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        assert_eq!(p(&deep), format!("ERR too_deep @{MAX_DEPTH}"));
        let huge = "(".repeat(100_000);
        assert!(p(&huge).starts_with("ERR too_deep"));
    }

    #[test]
    fn spans() {
        let n = parse("a AND name:jo*", false).unwrap();
        let Node::Bool { clauses, span } = n else { panic!() };
        assert_eq!(span, Span::new(0, 14));
        assert_eq!(clauses[1].node.span(), Span::new(6, 14));
    }
}
