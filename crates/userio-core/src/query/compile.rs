//! Compiles the query tree once, at parse time: field paths split into segments, literals
//! lowercased for the case-insensitive fields, numbers and dates parsed, wildcards turned into
//! prefix / suffix / contains tests or an anchored regex, Lucene regexes translated.

use crate::datetime::days_from_civil;
use regex::{Regex, RegexBuilder};

use super::ast::{Bound, Field, Leaf, LeafValue, Node, Occur, WildPart};
use super::error::{Auth0Issue, ParseError, Severity};

/// Auth0's normalised (case-insensitive) profile fields.
pub const CASE_INSENSITIVE_FIELDS: [&str; 5] =
    ["email", "name", "given_name", "family_name", "nickname"];

/// Top-level fields a bare term does not search.
pub const METADATA_FIELDS: [&str; 2] = ["app_metadata", "user_metadata"];

/// Longest regex accepted (Elasticsearch's `index.max_regex_length`).
pub const MAX_REGEX_LEN: usize = 1000;

/// A compiled node.
#[derive(Debug, Clone)]
pub(crate) enum CNode {
    All,
    Bool { must: Vec<CNode>, should: Vec<CNode>, not: Vec<CNode> },
    Leaf { target: Target, tests: Tests },
}

/// Where a leaf looks.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    /// Top-level fields except the metadata.
    Default,
    /// Every value, recursively.
    All,
    /// A path of object keys (arrays are passed through).
    Path(Vec<String>),
    /// Auth0's computed `email.domain`.
    EmailDomain,
}

/// The test compiled for the case rule(s) the target needs.
#[derive(Debug, Clone)]
pub(crate) enum Tests {
    /// One case rule (a path).
    One(Test),
    /// Both (the default or all fields: the rule depends on the top-level key).
    Both { sensitive: Test, insensitive: Test },
}

/// A compiled value test. `ci` tests expect lowercased literals and lowercase the value.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    Exists,
    Eq { text: String, ci: bool, num: Option<f64>, boolean: Option<bool> },
    Wild { m: Wild, ci: bool },
    Regex(Regex),
    Fuzzy { term: Vec<char>, edits: u8, ci: bool },
    Range { lower: RangeEnd, upper: RangeEnd },
}

/// A wildcard pattern, specialised.
#[derive(Debug, Clone)]
pub(crate) enum Wild {
    Prefix(String),
    Suffix(String),
    Contains(String),
    /// Anything else: the anchored regex, and the parts it was built from (literals folded).
    Regex(Regex, Vec<WildPart>),
}

/// A compiled range endpoint.
#[derive(Debug, Clone)]
pub(crate) enum RangeEnd {
    Open,
    Val { text: String, num: Option<f64>, date: Option<(i64, i64)>, inclusive: bool },
}

impl CNode {
    /// Adds the top-level attributes this node reads to `out`; false if it reads them all.
    pub(crate) fn user_keys<'a>(&'a self, out: &mut Vec<&'a str>) -> bool {
        match self {
            CNode::All => true,
            CNode::Bool { must, should, not } => {
                must.iter().chain(should).chain(not).all(|n| n.user_keys(out))
            }
            CNode::Leaf { target: Target::Path(segs), .. } => match segs.first() {
                Some(first) => {
                    out.push(first);
                    true
                }
                None => false,
            },
            CNode::Leaf { target: Target::EmailDomain, .. } => {
                out.push("email");
                true
            }
            CNode::Leaf { target: Target::Default | Target::All, .. } => false,
        }
    }
}

/// Compiles `node`. Errors (bad regexes) point into `text`.
pub(crate) fn compile(node: &Node, text: &str) -> Result<CNode, ParseError> {
    Ok(match node {
        Node::MatchAll { .. } => CNode::All,
        Node::Bool { clauses, .. } => {
            let (mut must, mut should, mut not) = (Vec::new(), Vec::new(), Vec::new());
            for c in clauses {
                let n = compile(&c.node, text)?;
                match c.occur {
                    Occur::Must => must.push(n),
                    Occur::Should => should.push(n),
                    Occur::MustNot => not.push(n),
                }
            }
            CNode::Bool { must, should, not }
        }
        Node::Leaf(leaf) => compile_leaf(leaf, text)?,
    })
}

fn compile_leaf(leaf: &Leaf, text: &str) -> Result<CNode, ParseError> {
    let (target, ci) = match &leaf.field {
        Field::Default => (Target::Default, None),
        Field::All => (Target::All, None),
        Field::Path(p) if p == "email.domain" => (Target::EmailDomain, Some(true)),
        Field::Path(p) => {
            let segs: Vec<String> = p.split('.').map(str::to_owned).collect();
            let ci = segs.len() == 1 && CASE_INSENSITIVE_FIELDS.contains(&segs[0].as_str());
            (Target::Path(segs), Some(ci))
        }
    };
    let tests = match ci {
        Some(ci) => Tests::One(compile_test(leaf, ci, text)?),
        None => Tests::Both {
            sensitive: compile_test(leaf, false, text)?,
            insensitive: compile_test(leaf, true, text)?,
        },
    };
    Ok(CNode::Leaf { target, tests })
}

fn fold(s: &str, ci: bool) -> String {
    if ci { s.to_lowercase() } else { s.to_owned() }
}

fn compile_test(leaf: &Leaf, ci: bool, text: &str) -> Result<Test, ParseError> {
    Ok(match &leaf.value {
        LeafValue::Exists => Test::Exists,
        LeafValue::Term(t) | LeafValue::Phrase(t) => Test::Eq {
            text: fold(t, ci),
            ci,
            num: parse_number(t),
            boolean: match t.as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
        },
        LeafValue::Wildcard(parts) => Test::Wild { m: compile_wild(parts, ci, leaf, text)?, ci },
        LeafValue::Regex(r) => Test::Regex(compile_regex(r, ci, leaf, text)?),
        LeafValue::Fuzzy { term, edits } => {
            Test::Fuzzy { term: fold(term, ci).chars().collect(), edits: *edits, ci }
        }
        LeafValue::Range { lower, upper } => {
            Test::Range { lower: range_end(lower, true), upper: range_end(upper, false) }
        }
    })
}

/// A number as Lucene/ES would read it from a term: optional sign, digits, fraction, exponent.
pub(crate) fn parse_number(t: &str) -> Option<f64> {
    let b = t.as_bytes();
    let ok = !b.is_empty()
        && b.iter().all(|c| c.is_ascii_digit() || matches!(c, b'-' | b'+' | b'.' | b'e' | b'E'))
        && b.iter().any(u8::is_ascii_digit);
    if !ok {
        return None;
    }
    t.parse::<f64>().ok().filter(|f| f.is_finite())
}

fn range_end(b: &Bound, lower: bool) -> RangeEnd {
    let _ = lower;
    match b {
        Bound::Open => RangeEnd::Open,
        Bound::Inclusive(t) | Bound::Exclusive(t) => RangeEnd::Val {
            text: t.clone(),
            num: parse_number(t),
            date: parse_date(t),
            inclusive: matches!(b, Bound::Inclusive(_)),
        },
    }
}

fn compile_wild(parts: &[WildPart], ci: bool, leaf: &Leaf, text: &str) -> Result<Wild, ParseError> {
    let lit = |s: &String| fold(s, ci);
    match parts {
        [WildPart::Lit(p), WildPart::Star] => return Ok(Wild::Prefix(lit(p))),
        [WildPart::Star, WildPart::Lit(s)] => return Ok(Wild::Suffix(lit(s))),
        [WildPart::Star, WildPart::Lit(s), WildPart::Star] => return Ok(Wild::Contains(lit(s))),
        _ => {}
    }
    let mut re = String::from("^(?s:");
    for p in parts {
        match p {
            WildPart::Lit(s) => re.push_str(&regex::escape(&lit(s))),
            WildPart::Star => re.push_str(".*"),
            WildPart::One => re.push('.'),
        }
    }
    re.push_str(")$");
    let regex = build_regex(&re).map_err(|m| {
        ParseError::new(text, leaf.span.start, "bad_wildcard", m, "a smaller wildcard pattern")
    })?;
    let folded = parts
        .iter()
        .map(|p| match p {
            WildPart::Lit(s) => WildPart::Lit(lit(s)),
            other => other.clone(),
        })
        .collect();
    Ok(Wild::Regex(regex, folded))
}

fn build_regex(re: &str) -> Result<Regex, String> {
    RegexBuilder::new(re)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("the pattern cannot be compiled: {e}"))
}

fn compile_regex(src: &str, ci: bool, leaf: &Leaf, text: &str) -> Result<Regex, ParseError> {
    // The pattern starts after the `/`; find it inside the leaf's span for error offsets.
    let base = text
        .get(leaf.span.start..leaf.span.end)
        .and_then(|s| s.find('/'))
        .map_or(leaf.span.start, |i| leaf.span.start + i + 1);
    let err = |at: usize, msg: String| {
        ParseError::new(text, base + at, "bad_regex", msg, "a Lucene regular expression")
    };
    if src.len() > MAX_REGEX_LEN {
        return Err(err(0, format!("regular expressions are limited to {MAX_REGEX_LEN} bytes")));
    }
    let translated = translate_regex(src).map_err(|(at, m)| err(at, m))?;
    let full = if ci { format!("(?i)^(?s:{translated})$") } else { format!("^(?s:{translated})$") };
    build_regex(&full).map_err(|m| err(0, m))
}

/// Translates Lucene `RegExp` syntax to the `regex` crate's, conservatively. Returns the
/// byte offset in `src` and a message for what it cannot translate.
pub(crate) fn translate_regex(src: &str) -> Result<String, (usize, String)> {
    let mut out = String::with_capacity(src.len() + 8);
    let mut it = src.char_indices().peekable();
    while let Some((pos, c)) = it.next() {
        match c {
            '\\' => {
                let Some((_, e)) = it.next() else {
                    return Err((pos, "a `\\` at the end of the regex escapes nothing".into()));
                };
                out.push_str(match e {
                    'd' => "[0-9]",
                    'D' => "[^0-9]",
                    's' => "[ \\t\\n\\r\\x0B\\x0C]",
                    'S' => "[^ \\t\\n\\r\\x0B\\x0C]",
                    'w' => "[a-zA-Z0-9_]",
                    'W' => "[^a-zA-Z0-9_]",
                    _ => {
                        out.push_str(&regex::escape(e.encode_utf8(&mut [0; 4])));
                        continue;
                    }
                });
            }
            '"' => {
                let mut closed = false;
                for (_, q) in it.by_ref() {
                    if q == '"' {
                        closed = true;
                        break;
                    }
                    out.push_str(&regex::escape(q.encode_utf8(&mut [0; 4])));
                }
                if !closed {
                    return Err((
                        pos,
                        "this `\"` starts a literal string that is never closed".into(),
                    ));
                }
            }
            '[' => {
                out.push('[');
                if it.peek().is_some_and(|&(_, c)| c == '^') {
                    it.next();
                    out.push('^');
                }
                let mut closed = false;
                let mut empty = true;
                while let Some((_, k)) = it.next() {
                    match k {
                        ']' if !empty => {
                            closed = true;
                            break;
                        }
                        '\\' => match it.next() {
                            Some((_, e)) => push_class_char(&mut out, e),
                            None => break,
                        },
                        '-' if !empty && it.peek().is_some_and(|&(_, c)| c != ']') => out.push('-'),
                        k => push_class_char(&mut out, k),
                    }
                    empty = false;
                }
                if !closed {
                    return Err((
                        pos,
                        "this `[` starts a character class that is never closed".into(),
                    ));
                }
                out.push(']');
            }
            '(' => out.push_str("(?:"),
            ')' | '|' | '*' | '+' | '?' | '.' => out.push(c),
            '{' => {
                let rest = &src[pos + 1..];
                let close = rest.find('}').ok_or((pos, "this `{` is never closed".to_owned()))?;
                let body = &rest[..close];
                let valid = !body.is_empty()
                    && body.bytes().all(|b| b.is_ascii_digit() || b == b',')
                    && body.bytes().filter(|&b| b == b',').count() <= 1
                    && !body.starts_with(',');
                if !valid {
                    return Err((pos, "a repetition is written `{n}`, `{n,}` or `{n,m}`".into()));
                }
                out.push('{');
                out.push_str(body);
                out.push('}');
                for _ in 0..=body.chars().count() {
                    it.next();
                }
            }
            '^' | '$' => {
                return Err((
                    pos,
                    format!(
                        "`{c}` is not an anchor in Lucene regular expressions (they always match the whole value); remove it, or escape it (`\\{c}`) to match it literally"
                    ),
                ));
            }
            '@' | '#' | '~' | '&' | '<' | '>' => {
                let what = match c {
                    '@' => "`@` (any string)",
                    '#' => "`#` (the empty language)",
                    '~' => "`~` (complement)",
                    '&' => "`&` (intersection)",
                    _ => "`<n-m>` (numeric interval)",
                };
                return Err((
                    pos,
                    format!(
                        "the Lucene operator {what} is not supported; escape it (`\\{c}`) to match the character"
                    ),
                ));
            }
            c => out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
        }
    }
    Ok(out)
}

fn push_class_char(out: &mut String, c: char) {
    if c.is_alphanumeric() || c == ' ' {
        out.push(c);
    } else if c.is_ascii() {
        out.push('\\');
        out.push(c);
    } else {
        out.push(c);
    }
}

/// Parses an ISO-8601 date or date-time, possibly partial (`2017`, `2017-12`, `2017-12-31`,
/// `2017-12-31T10`, `…T10:30`, `…T10:30:00`, `…T10:30:00.123`, then `Z`, `±HH:MM`, `±HHMM` or
/// nothing for UTC). Returns the period it names as `[start, end)` in milliseconds since the
/// UNIX epoch.
pub(crate) fn parse_date(s: &str) -> Option<(i64, i64)> {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<i64> {
        let part = b.get(from..from + n)?;
        if part.iter().all(u8::is_ascii_digit) {
            Some(part.iter().fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0')))
        } else {
            None
        }
    };
    let year = digits(0, 4)?;
    let (mut month, mut day, mut hour, mut min, mut sec, mut ms) = (1, 1, 0, 0, 0, 0);
    let mut i = 4;
    // precision: 0 year, 1 month, 2 day, 3 hour, 4 minute, 5 second, 6+ fraction digits
    let mut step = Step::Year;
    if b.get(i) == Some(&b'-') {
        month = digits(i + 1, 2)?;
        i += 3;
        step = Step::Month;
        if b.get(i) == Some(&b'-') {
            day = digits(i + 1, 2)?;
            i += 3;
            step = Step::Day;
            if matches!(b.get(i), Some(b'T' | b't' | b' '))
                && b.get(i + 1).is_some_and(u8::is_ascii_digit)
            {
                hour = digits(i + 1, 2)?;
                i += 3;
                step = Step::Ms(3_600_000);
                if b.get(i) == Some(&b':') {
                    min = digits(i + 1, 2)?;
                    i += 3;
                    step = Step::Ms(60_000);
                    if b.get(i) == Some(&b':') {
                        sec = digits(i + 1, 2)?;
                        i += 3;
                        step = Step::Ms(1000);
                        if matches!(b.get(i), Some(b'.' | b',')) {
                            let start = i + 1;
                            let mut j = start;
                            while b.get(j).is_some_and(u8::is_ascii_digit) {
                                j += 1;
                            }
                            let n = j - start;
                            if n == 0 {
                                return None;
                            }
                            let frac = &s[start..j.min(start + 3)];
                            let scale = 10i64.pow(3 - frac.len() as u32);
                            ms = frac.parse::<i64>().ok()? * scale;
                            step = Step::Ms(scale);
                            i = j;
                        }
                    }
                }
            }
        }
    }
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || min > 59
        || sec > 60
    {
        return None;
    }
    let mut offset_ms = 0;
    match b.get(i) {
        None => {}
        Some(b'Z' | b'z') if i + 1 == b.len() && matches!(step, Step::Ms(_)) => {}
        Some(&sign @ (b'+' | b'-')) if matches!(step, Step::Ms(_)) => {
            let oh = digits(i + 1, 2)?;
            let om = match b.get(i + 3) {
                Some(b':') => digits(i + 4, 2).filter(|_| b.len() == i + 6)?,
                Some(_) => digits(i + 3, 2).filter(|_| b.len() == i + 5)?,
                None => 0,
            };
            let off = (oh * 60 + om) * 60_000;
            offset_ms = if sign == b'+' { off } else { -off };
        }
        _ => return None,
    }
    let days = days_from_civil(year, month, day);
    let start = days * 86_400_000 + hour * 3_600_000 + min * 60_000 + sec * 1000 + ms - offset_ms;
    let end = match step {
        Step::Year => days_from_civil(year + 1, 1, 1) * 86_400_000,
        Step::Month => {
            let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
            days_from_civil(y, m, 1) * 86_400_000
        }
        Step::Day => start + 86_400_000,
        Step::Ms(n) => start + n,
    };
    Some((start, end))
}

#[derive(Clone, Copy)]
enum Step {
    Year,
    Month,
    Day,
    Ms(i64),
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// What Auth0's user search (v3) would refuse or treat differently.
pub(crate) fn auth0_issues(root: &Node) -> Vec<Auth0Issue> {
    let mut out = Vec::new();
    root.for_each_leaf(&mut |leaf| {
        let on_user_metadata = matches!(&leaf.field, Field::Path(p)
            if p == "user_metadata" || p.starts_with("user_metadata."));
        match &leaf.value {
            LeafValue::Range { .. } if on_user_metadata => out.push(Auth0Issue::new(
                "range_on_user_metadata",
                Severity::Error,
                leaf.span,
                "Auth0 does not allow range searches on user_metadata; move the field to app_metadata or filter after export",
            )),
            LeafValue::Wildcard(_) | LeafValue::Regex(_) | LeafValue::Fuzzy { .. }
                if on_user_metadata =>
            {
                out.push(Auth0Issue::new(
                    "wildcard_on_user_metadata",
                    Severity::Error,
                    leaf.span,
                    "Auth0 does not allow wildcard, regex or fuzzy searches on user_metadata; search an exact value",
                ))
            }
            _ => {}
        }
        if let LeafValue::Wildcard(parts) = &leaf.value
            && matches!(parts.first(), Some(WildPart::Star | WildPart::One))
        {
            let literal: usize = parts
                .iter()
                .map(|p| if let WildPart::Lit(s) = p { s.chars().count() } else { 0 })
                .sum();
            if literal < 3 {
                out.push(Auth0Issue::new(
                    "short_leading_wildcard",
                    Severity::Error,
                    leaf.span,
                    "Auth0 needs at least 3 literal characters in a term that starts with a wildcard (`name:*usa`, not `name:*sa`)",
                ));
            }
        }
        match &leaf.value {
            LeafValue::Regex(_) => out.push(Auth0Issue::new(
                "regex",
                Severity::Warning,
                leaf.span,
                "Auth0's search documentation does not list regular expressions; check the query against Auth0 before relying on it",
            )),
            _ if leaf.field == Field::All => out.push(Auth0Issue::new(
                "all_fields",
                Severity::Warning,
                leaf.span,
                "`*:` searches every field here, metadata included; Auth0 may search a different set",
            )),
            _ => {}
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let day = 86_400_000;
        assert_eq!(parse_date("1970-01-02"), Some((day, 2 * day)));
        assert_eq!(parse_date("1970"), Some((0, 365 * day)));
        assert_eq!(parse_date("1970-02"), Some((31 * day, 59 * day)));
        assert_eq!(parse_date("1970-01-01T00:00:01.5Z"), Some((1500, 1600)));
        assert_eq!(parse_date("1970-01-01T01:00:00+01:00"), Some((0, 1000)));
        assert_eq!(parse_date("2017-12-31T23:59:59.999Z").map(|d| d.0), Some(1_514_764_799_999));
        assert_eq!(parse_date("2017-13"), None);
        assert_eq!(parse_date("2017-02-30"), None);
        assert_eq!(parse_date("12345"), None);
        assert_eq!(parse_date("2017Z"), None);
        assert_eq!(parse_date("abcd"), None);
    }

    #[test]
    fn regex_translation() {
        assert_eq!(translate_regex("jo.*").unwrap(), "jo.*");
        assert_eq!(translate_regex("a(b|c)").unwrap(), "a(?:b|c)");
        assert_eq!(translate_regex("[a-z]{2,3}").unwrap(), "[a-z]{2,3}");
        assert_eq!(translate_regex("\"a.b\"").unwrap(), "a\\.b");
        assert_eq!(translate_regex("\\d+").unwrap(), "[0-9]+");
        assert_eq!(translate_regex("a\\@b").unwrap(), "a@b");
        assert!(translate_regex("^a").is_err());
        assert!(translate_regex("a$").is_err());
        assert!(translate_regex("a@b").is_err());
        assert!(translate_regex("~a").is_err());
        assert!(translate_regex("[ab").is_err());
        assert!(translate_regex("a{x}").is_err());
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("10"), Some(10.0));
        assert_eq!(parse_number("-1.5e3"), Some(-1500.0));
        assert_eq!(parse_number("inf"), None);
        assert_eq!(parse_number("1-2"), None);
        assert_eq!(parse_number("2017-12"), None);
    }
}
