//! Evaluates a compiled query on one user.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use super::compile::{
    CASE_INSENSITIVE_FIELDS, CNode, METADATA_FIELDS, RangeEnd, Target, Test, Tests, Wild,
    parse_date,
};
use crate::user::UserRef;

impl CNode {
    pub(crate) fn eval(&self, user: UserRef<'_>) -> bool {
        match self {
            CNode::All => true,
            CNode::Bool { must, should, not } => {
                must.iter().all(|n| n.eval(user))
                    && !not.iter().any(|n| n.eval(user))
                    && (!must.is_empty()
                        || should.is_empty()
                        || should.iter().any(|n| n.eval(user)))
            }
            CNode::Leaf { target, tests } => eval_leaf(target, tests, user),
        }
    }
}

fn eval_leaf(target: &Target, tests: &Tests, user: UserRef<'_>) -> bool {
    match target {
        Target::Path(segs) => {
            let (v, rest) = user.start(segs, |s| Some(s));
            v.is_some_and(|v| any_at(v, rest, &mut |v: &Value| tests.pick(false).test(v)))
        }
        Target::EmailDomain => {
            let t = tests.pick(true);
            match user.get("email") {
                Some(Value::String(e)) => t.test_scalar(Scalar::Str(email_domain(e))),
                Some(v) => any_at(v, &["domain".to_owned()], &mut |v| t.test(v)),
                None => false,
            }
        }
        Target::Default => match user.whole() {
            Value::Object(m) => m.iter().any(|(k, v)| {
                !METADATA_FIELDS.contains(&k.as_str()) && {
                    let t = tests.pick(CASE_INSENSITIVE_FIELDS.contains(&k.as_str()));
                    any_at(v, &[], &mut |v| t.test(v))
                }
            }),
            _ => false,
        },
        Target::All => match user.whole() {
            Value::Object(m) => m.iter().any(|(k, v)| {
                let t = tests.pick(CASE_INSENSITIVE_FIELDS.contains(&k.as_str()));
                any_deep(v, &mut |v| t.test(v))
            }),
            _ => false,
        },
    }
}

/// Auth0's `email.domain` of a string `email`: what follows the last `@` (empty without one).
pub(crate) fn email_domain(email: &str) -> &str {
    email.rsplit_once('@').map_or("", |(_, d)| d)
}

impl Tests {
    /// The test for a value under a case-insensitive (`ci`) or case-sensitive key.
    pub(crate) fn pick(&self, ci: bool) -> &Test {
        match self {
            Tests::One(t) => t,
            Tests::Both { sensitive, insensitive } => {
                if ci {
                    insensitive
                } else {
                    sensitive
                }
            }
        }
    }
}

/// True when `f` holds for some value at `segs` below `v`; arrays are passed through.
fn any_at(v: &Value, segs: &[String], f: &mut impl FnMut(&Value) -> bool) -> bool {
    match (v, segs.split_first()) {
        (Value::Array(items), _) => items.iter().any(|e| any_at(e, segs, f)),
        (_, None) => f(v),
        (Value::Object(m), Some((seg, rest))) => m.get(seg).is_some_and(|c| any_at(c, rest, f)),
        _ => false,
    }
}

/// True when `f` holds for some scalar anywhere inside `v` (or `v` itself for `Exists`).
fn any_deep(v: &Value, f: &mut impl FnMut(&Value) -> bool) -> bool {
    match v {
        Value::Array(items) => items.iter().any(|e| any_deep(e, f)),
        Value::Object(m) => m.values().any(|e| any_deep(e, f)),
        v => f(v),
    }
}

/// One value as a test sees it: what `any_at` hands over (never an array: arrays are passed
/// through), borrowed from a `serde_json::Value` or from a [`UserIndex`](super::UserIndex)
/// column. Both engines run the same [`Test::test_scalar`] on it, so they cannot disagree.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scalar<'a> {
    Str(&'a str),
    /// A JSON number as `f64` (`None` only for numbers `f64` cannot hold).
    Num(Option<f64>),
    Bool(bool),
    Null,
    /// An object or array: only whether it is empty matters (for `_exists_`).
    Container {
        empty: bool,
    },
}

impl<'a> Scalar<'a> {
    #[inline]
    pub(crate) fn of(v: &'a Value) -> Scalar<'a> {
        match v {
            Value::String(s) => Scalar::Str(s),
            Value::Number(n) => Scalar::Num(n.as_f64()),
            Value::Bool(b) => Scalar::Bool(*b),
            Value::Null => Scalar::Null,
            Value::Object(m) => Scalar::Container { empty: m.is_empty() },
            Value::Array(a) => Scalar::Container { empty: a.is_empty() },
        }
    }
}

/// `s` lowercased, borrowing when it has nothing to lowercase.
fn lower(s: &str) -> Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

impl Test {
    #[inline]
    fn test(&self, v: &Value) -> bool {
        self.test_scalar(Scalar::of(v))
    }

    /// The test on one value. Null, `{}` and `[]` count as absent.
    #[inline]
    pub(crate) fn test_scalar(&self, v: Scalar<'_>) -> bool {
        match self {
            Test::Exists => !matches!(v, Scalar::Null | Scalar::Container { empty: true }),
            Test::Eq { text, ci, num, boolean } => match v {
                Scalar::Str(s) => {
                    if !*ci {
                        s == text
                    } else if s.is_ascii() {
                        // ASCII lowercases byte for byte (`text` is lowercased already).
                        s.eq_ignore_ascii_case(text)
                    } else {
                        s.to_lowercase() == *text
                    }
                }
                Scalar::Num(n) => num.is_some() && n == *num,
                Scalar::Bool(b) => *boolean == Some(b),
                _ => false,
            },
            Test::Wild { m, ci } => match v {
                Scalar::Str(s) => wild(m, s, *ci),
                _ => false,
            },
            Test::Regex(re) => match v {
                Scalar::Str(s) => re.is_match(s),
                _ => false,
            },
            Test::Fuzzy { term, edits, ci } => match v {
                Scalar::Str(s) => {
                    let s = if *ci { lower(s) } else { Cow::Borrowed(s) };
                    within_edits(term, &s, usize::from(*edits))
                }
                _ => false,
            },
            Test::Range { lower, upper } => in_range(lower, upper, v),
        }
    }
}

fn wild(m: &Wild, s: &str, ci: bool) -> bool {
    if ci {
        if let Wild::Prefix(p) = m
            && p.is_ascii()
        {
            // Lowercasing maps characters one by one (final sigma aside, which only changes
            // itself), so when `s` starts with `p.len()` ASCII bytes, `lower(s)` starts with
            // their ASCII lowercase, whatever follows.
            match s.as_bytes().get(..p.len()) {
                Some(head) if head.is_ascii() => return head.eq_ignore_ascii_case(p.as_bytes()),
                None if s.is_ascii() => return false,
                _ => {}
            }
        }
        let l = lower(s);
        return wild(m, &l, false);
    }
    match m {
        Wild::Prefix(p) => s.starts_with(p.as_str()),
        Wild::Suffix(p) => s.ends_with(p.as_str()),
        Wild::Contains(p) => s.contains(p.as_str()),
        Wild::Regex(re, _) => re.is_match(s),
    }
}

/// Levenshtein distance between `a` and `b` is at most `max` (whole value, in characters).
fn within_edits(a: &[char], b: &str, max: usize) -> bool {
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > max {
            return false;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()] <= max
}

fn in_range(lower: &RangeEnd, upper: &RangeEnd, v: Scalar<'_>) -> bool {
    match v {
        Scalar::Num(n) => {
            let Some(x) = n else { return false };
            let ok = |end: &RangeEnd, is_lower: bool| match end {
                RangeEnd::Open => true,
                RangeEnd::Val { num: None, .. } => false,
                RangeEnd::Val { num: Some(b), inclusive, .. } => {
                    let ord = x.partial_cmp(b);
                    cmp_ok(ord, is_lower, *inclusive)
                }
            };
            ok(lower, true) && ok(upper, false)
        }
        Scalar::Str(s) => {
            let dated = |e: &RangeEnd| match e {
                RangeEnd::Open => true,
                RangeEnd::Val { date, .. } => date.is_some(),
            };
            let both_open = matches!((lower, upper), (RangeEnd::Open, RangeEnd::Open));
            if !both_open
                && dated(lower)
                && dated(upper)
                && let Some((t, _)) = parse_date(s)
            {
                return date_ok(lower, t, true) && date_ok(upper, t, false);
            }
            let ok = |end: &RangeEnd, is_lower: bool| match end {
                RangeEnd::Open => true,
                RangeEnd::Val { text, inclusive, .. } => {
                    cmp_ok(Some(s.cmp(text.as_str())), is_lower, *inclusive)
                }
            };
            ok(lower, true) && ok(upper, false)
        }
        _ => false,
    }
}

fn cmp_ok(ord: Option<Ordering>, is_lower: bool, inclusive: bool) -> bool {
    match (ord, is_lower) {
        (None, _) => false,
        (Some(Ordering::Equal), _) => inclusive,
        (Some(Ordering::Greater), true) | (Some(Ordering::Less), false) => true,
        _ => false,
    }
}

/// Elasticsearch date rounding: a partial date names a period `[start, end)`; `[x` means
/// `>= start`, `{x` means `>= end`, `x]` means `< end`, `x}` means `< start`.
fn date_ok(end: &RangeEnd, t: i64, is_lower: bool) -> bool {
    match end {
        RangeEnd::Open => true,
        RangeEnd::Val { date: None, .. } => false,
        RangeEnd::Val { date: Some((start, stop)), inclusive, .. } => match (is_lower, inclusive) {
            (true, true) => t >= *start,
            (true, false) => t >= *stop,
            (false, true) => t < *stop,
            (false, false) => t < *start,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits() {
        let a: Vec<char> = "jane".chars().collect();
        assert!(within_edits(&a, "jane", 0));
        assert!(within_edits(&a, "jame", 1));
        assert!(!within_edits(&a, "jame", 0));
        assert!(within_edits(&a, "jne", 1));
        assert!(within_edits(&a, "janet", 1));
        assert!(!within_edits(&a, "jo", 1));
        assert!(within_edits(&a, "joan", 2));
    }
}
