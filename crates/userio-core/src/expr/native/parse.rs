//! Parser for the native subset of JavaScript expressions.
//!
//! Anything outside the subset makes [`parse`] fail with [`NotNative`] (the offset of the
//! first construct it does not handle); the column then goes to the JavaScript tier, which
//! also reports real syntax errors.

use crate::user::SlotCache;

/// Why a source is not in the native subset.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NotNative {
    pub offset: usize,
    pub what: String,
}

type R<T> = Result<T, NotNative>;

/// Names that exist on `Object.prototype`, `Array.prototype`, `String.prototype`,
/// `Number.prototype` or `Boolean.prototype`: reading them as properties gives functions
/// (or accessors) in JavaScript, so such reads go to the JavaScript tier.
const PROTOTYPE_NAMES: &[&str] = &[
    "__proto__",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
    "at",
    "concat",
    "copyWithin",
    "entries",
    "every",
    "fill",
    "filter",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "flat",
    "flatMap",
    "forEach",
    "includes",
    "indexOf",
    "join",
    "keys",
    "lastIndexOf",
    "map",
    "pop",
    "push",
    "reduce",
    "reduceRight",
    "reverse",
    "shift",
    "slice",
    "some",
    "sort",
    "splice",
    "toReversed",
    "toSorted",
    "toSpliced",
    "unshift",
    "values",
    "with",
    "charAt",
    "charCodeAt",
    "codePointAt",
    "endsWith",
    "isWellFormed",
    "localeCompare",
    "match",
    "matchAll",
    "normalize",
    "padEnd",
    "padStart",
    "repeat",
    "replace",
    "replaceAll",
    "search",
    "split",
    "startsWith",
    "substring",
    "substr",
    "toLocaleLowerCase",
    "toLocaleUpperCase",
    "toLowerCase",
    "toUpperCase",
    "toWellFormed",
    "trim",
    "trimEnd",
    "trimStart",
    "trimLeft",
    "trimRight",
    "anchor",
    "big",
    "blink",
    "bold",
    "fixed",
    "fontcolor",
    "fontsize",
    "italics",
    "link",
    "small",
    "strike",
    "sub",
    "sup",
    "toExponential",
    "toFixed",
    "toPrecision",
];

/// Whether reading `key` could reach a prototype member instead of a JSON property.
pub(crate) fn is_prototype_name(key: &str) -> bool {
    PROTOTYPE_NAMES.contains(&key)
}

/// Reserved words that cannot be identifiers.
const RESERVED: &[&str] = &[
    "await",
    "break",
    "case",
    "catch",
    "class",
    "const",
    "continue",
    "debugger",
    "default",
    "delete",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "finally",
    "for",
    "function",
    "if",
    "import",
    "in",
    "instanceof",
    "let",
    "new",
    "null",
    "return",
    "static",
    "super",
    "switch",
    "this",
    "throw",
    "true",
    "try",
    "typeof",
    "var",
    "void",
    "while",
    "with",
    "yield",
    "implements",
    "interface",
    "package",
    "private",
    "protected",
    "public",
    "async",
    "of",
    "arguments",
    "eval",
];

/// The most arguments a native [`Method`] takes (more make the source JavaScript's).
pub(crate) const MAX_METHOD_ARGS: usize = 2;

/// The native methods: name, method, the most arguments taken (at most
/// [`MAX_METHOD_ARGS`]; more make the source JavaScript's).
const METHODS: &[(&str, Method, usize)] = &[
    ("toLowerCase", Method::ToLowerCase, 0),
    ("toUpperCase", Method::ToUpperCase, 0),
    ("trim", Method::Trim, 0),
    ("trimStart", Method::TrimStart, 0),
    ("trimEnd", Method::TrimEnd, 0),
    ("join", Method::Join, 1),
    ("split", Method::Split, 2),
    ("slice", Method::Slice, 2),
    ("includes", Method::Includes, 2),
    ("startsWith", Method::StartsWith, 2),
    ("endsWith", Method::EndsWith, 2),
    ("indexOf", Method::IndexOf, 2),
    ("replace", Method::Replace, 2),
    ("replaceAll", Method::ReplaceAll, 2),
    ("substring", Method::Substring, 2),
    ("padStart", Method::PadStart, 2),
    ("padEnd", Method::PadEnd, 2),
];

impl Method {
    fn of(name: &str) -> Option<Method> {
        METHODS.iter().find(|(n, ..)| *n == name).map(|&(_, m, _)| m)
    }

    fn entry(self) -> &'static (&'static str, Method, usize) {
        METHODS.iter().find(|(_, m, _)| *m == self).expect("every method is in METHODS")
    }

    pub(crate) fn name(self) -> &'static str {
        self.entry().0
    }

    fn max_args(self) -> usize {
        self.entry().2
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Method {
    ToLowerCase,
    ToUpperCase,
    Trim,
    Split,
    Join,
    Slice,
    Includes,
    StartsWith,
    EndsWith,
    IndexOf,
    Replace,
    ReplaceAll,
    Substring,
    PadStart,
    PadEnd,
    TrimStart,
    TrimEnd,
}

/// An array method that calls a simple arrow per item: `.map(x => …)`, `.filter(…)`, ….
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ArrowMethod {
    Map,
    Filter,
    Find,
    FindIndex,
    Some,
    Every,
}

/// The native arrow methods and their names.
const ARROW_METHODS: &[(&str, ArrowMethod)] = &[
    ("map", ArrowMethod::Map),
    ("filter", ArrowMethod::Filter),
    ("find", ArrowMethod::Find),
    ("findIndex", ArrowMethod::FindIndex),
    ("some", ArrowMethod::Some),
    ("every", ArrowMethod::Every),
];

impl ArrowMethod {
    fn of(name: &str) -> Option<ArrowMethod> {
        ARROW_METHODS.iter().find(|(n, _)| *n == name).map(|&(_, m)| m)
    }

    pub(crate) fn name(self) -> &'static str {
        ARROW_METHODS.iter().find(|(_, m)| *m == self).map_or("", |(n, _)| n)
    }
}

/// A global function the native tier knows: `String(x)`, `Math.max(a, b)`, ….
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Builtin {
    String,
    Number,
    Boolean,
    JsonStringify,
    ArrayIsArray,
    Math(MathFn),
    Object(ObjectFn),
}

/// `Object.keys`, `Object.values`, `Object.entries`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ObjectFn {
    Keys,
    Values,
    Entries,
}

/// The functions of `Math` the native tier knows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum MathFn {
    Round,
    Floor,
    Ceil,
    Trunc,
    Abs,
    Sign,
    Max,
    Min,
}

/// The native global functions: global, member (empty for a plain call), builtin.
const BUILTINS: &[(&str, &str, Builtin)] = &[
    ("String", "", Builtin::String),
    ("Number", "", Builtin::Number),
    ("Boolean", "", Builtin::Boolean),
    ("JSON", "stringify", Builtin::JsonStringify),
    ("Array", "isArray", Builtin::ArrayIsArray),
    ("Math", "round", Builtin::Math(MathFn::Round)),
    ("Math", "floor", Builtin::Math(MathFn::Floor)),
    ("Math", "ceil", Builtin::Math(MathFn::Ceil)),
    ("Math", "trunc", Builtin::Math(MathFn::Trunc)),
    ("Math", "abs", Builtin::Math(MathFn::Abs)),
    ("Math", "sign", Builtin::Math(MathFn::Sign)),
    ("Math", "max", Builtin::Math(MathFn::Max)),
    ("Math", "min", Builtin::Math(MathFn::Min)),
    ("Object", "keys", Builtin::Object(ObjectFn::Keys)),
    ("Object", "values", Builtin::Object(ObjectFn::Values)),
    ("Object", "entries", Builtin::Object(ObjectFn::Entries)),
];

impl Builtin {
    /// The builtin `global.member` names (`member` empty for a plain global).
    fn of(global: &str, member: &str) -> Option<Builtin> {
        BUILTINS.iter().find(|(g, m, _)| *g == global && *m == member).map(|&(.., b)| b)
    }

    /// Whether `name` is a global with native functions (`Math`, `String`, …).
    fn has_global(name: &str) -> bool {
        BUILTINS.iter().any(|(g, ..)| *g == name)
    }

    /// The most arguments the native tier takes for it (more make the source JavaScript's:
    /// JavaScript would evaluate them, and ignore them).
    pub(crate) fn max_args(self) -> usize {
        match self {
            Builtin::Math(MathFn::Max | MathFn::Min) => MAX_BUILTIN_ARGS,
            _ => 1,
        }
    }
}

/// The most arguments of `Math.max` and `Math.min` the native tier takes.
pub(crate) const MAX_BUILTIN_ARGS: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum BinOp {
    Add,
    /// A `+` with an operand that is always a string (a string literal, a template or
    /// another such `+`), so always a concatenation: `a + ' ' + b`. Evaluated as `Add`;
    /// the CSV writer appends its pieces in place.
    Concat,
    Sub,
    Mul,
    Div,
    Rem,
    Lt,
    Gt,
    Le,
    Ge,
    Eq,
    Ne,
    StrictEq,
    StrictNe,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum LogOp {
    And,
    Or,
    Coalesce,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum UnOp {
    Not,
    Neg,
    Plus,
    TypeOf,
}

/// One link of an optional chain: `.name`, `[key]`, `.method(args)`, `.map(arrow)` (or
/// another [`ArrowMethod`]).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Link {
    Get {
        key: String,
        optional: bool,
        cache: SlotCache,
    },
    Call {
        method: Method,
        args: Vec<Expr>,
        optional: bool,
        callee: String,
    },
    Arrow {
        method: ArrowMethod,
        params: usize,
        slot: usize,
        body: Box<Expr>,
        optional: bool,
        callee: String,
    },
}

impl Link {
    /// The property a `.key` / `["key"]` link reads.
    pub(crate) fn key(&self) -> Option<&str> {
        match self {
            Link::Get { key, .. } => Some(key),
            Link::Call { .. } | Link::Arrow { .. } => None,
        }
    }

    /// Whether the link is `?.`: on `null` or `undefined` the whole chain is `undefined`.
    pub(crate) fn optional(&self) -> bool {
        match self {
            Link::Get { optional, .. }
            | Link::Call { optional, .. }
            | Link::Arrow { optional, .. } => *optional,
        }
    }
}

impl Expr {
    /// The expressions directly inside this one: operands, items, a chain's base and its
    /// links' arguments and arrow bodies. The walks below visit the tree through it.
    fn children(&self) -> Vec<&Expr> {
        match self {
            Expr::Undefined
            | Expr::Null
            | Expr::Bool(_)
            | Expr::Num(_)
            | Expr::Str(_)
            | Expr::User
            | Expr::Local(_)
            | Expr::EmptyObject(_) => Vec::new(),
            Expr::Array(items) | Expr::Template(_, items) | Expr::Call(_, items) => {
                items.iter().collect()
            }
            Expr::Chain(base, links) => {
                std::iter::once(&**base).chain(links.iter().flat_map(Link::children)).collect()
            }
            Expr::Unary(_, a) => vec![a],
            Expr::Binary(_, a, b) | Expr::Logical(_, a, b) => vec![a, b],
            Expr::Cond(a, b, c) => vec![a, b, c],
        }
    }

    /// The offset of the first `{}` that is not the fallback of a `||` or `??` only read
    /// from (`(x || {}).name`) or listed (`Object.keys(x || {})`). Only there can one empty
    /// object serve every evaluation: nothing compares it, keeps it or changes it.
    pub(crate) fn observed_empty_object(&self) -> Option<usize> {
        if let Expr::EmptyObject(at) = self {
            return Some(*at);
        }
        // The `x` of `x || {}`, when that is a chain's base or `Object.keys`'s argument.
        let fallback_of = |e: &'_ Expr| match e {
            Expr::Logical(LogOp::Or | LogOp::Coalesce, _, b)
                if matches!(**b, Expr::EmptyObject(_)) =>
            {
                Some(std::ptr::from_ref(e))
            }
            _ => None,
        };
        let allowed = match self {
            Expr::Chain(base, _) => fallback_of(base),
            Expr::Call(Builtin::Object(_), args) if args.len() == 1 => fallback_of(&args[0]),
            _ => None,
        };
        self.children().into_iter().find_map(|child| match child {
            Expr::Logical(_, x, _) if allowed == Some(std::ptr::from_ref(child)) => {
                x.observed_empty_object()
            }
            _ => child.observed_empty_object(),
        })
    }

    /// Whether evaluating the expression binds arrow parameters (it has a `.map(x => …)`),
    /// so needs locals.
    pub(crate) fn has_arrow(&self) -> bool {
        let arrow = |link: &Link| matches!(link, Link::Arrow { .. });
        matches!(self, Expr::Chain(_, links) if links.iter().any(arrow))
            || self.children().into_iter().any(Expr::has_arrow)
    }

    /// Whether the value is a string whatever the user holds.
    pub(crate) fn is_string(&self) -> bool {
        matches!(self, Expr::Str(_) | Expr::Template(..) | Expr::Binary(BinOp::Concat, ..))
    }

    /// Adds to `out` the paths of `user` this expression reads: `user.a.b` reads `[a, b]`
    /// (the value there whole; `a` only for its member `b`), `user.a.b.toUpperCase()` also
    /// `[a, b]`. False when it uses `user` other than as `user.name…` (then it needs the
    /// whole user).
    pub(crate) fn user_paths<'a>(&'a self, out: &mut Vec<Vec<&'a str>>) -> bool {
        match self {
            Expr::User => false,
            Expr::Chain(head, links) => {
                let rest = match (&**head, links.first()) {
                    (Expr::User, Some(Link::Get { .. })) => {
                        let reads = links.iter().map_while(Link::key).collect::<Vec<_>>();
                        let rest = &links[reads.len()..];
                        out.push(reads);
                        rest
                    }
                    (Expr::User, _) => return false,
                    (head, _) if !head.user_paths(out) => return false,
                    _ => &links[..],
                };
                rest.iter().flat_map(Link::children).all(|e| e.user_paths(out))
            }
            _ => self.children().into_iter().all(|e| e.user_paths(out)),
        }
    }
}

impl Link {
    /// The expressions inside the link: a call's arguments, an arrow's body.
    fn children(&self) -> Vec<&Expr> {
        match self {
            Link::Get { .. } => Vec::new(),
            Link::Call { args, .. } => args.iter().collect(),
            Link::Arrow { body, .. } => vec![body],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    Undefined,
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    User,
    /// An arrow parameter, by slot.
    Local(usize),
    Array(Vec<Expr>),
    Template(Vec<String>, Vec<Expr>),
    Chain(Box<Expr>, Vec<Link>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Logical(LogOp, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(Builtin, Vec<Expr>),
    /// `{}` (at this offset), only where nothing can tell one `{}` from another (see
    /// [`Expr::observed_empty_object`]): it is then the same empty object each time.
    EmptyObject(usize),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Str(String),
    /// A template: the literal parts (cooked) and the substitution sources with offsets.
    Template(Vec<String>, Vec<(usize, String)>),
    Ident(String),
    Punct(&'static str),
    End,
}

const PUNCTS: &[&str] = &[
    "===", "!==", "...", "?.", "??", "==", "!=", "<=", ">=", "&&", "||", "=>", "**", "++", "--",
    "(", ")", "[", "]", "{", "}", ",", ".", "?", ":", "<", ">", "+", "-", "*", "/", "%", "!", "=",
    "&", "|", "^", "~", ";",
];

fn not(offset: usize, what: impl Into<String>) -> NotNative {
    NotNative { offset, what: what.into() }
}

fn lex(src: &str, base: usize) -> R<Vec<(usize, Tok)>> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if matches!(c, b' ' | b'\t' | b'\n' | b'\r') {
            i += 1;
            continue;
        }
        let at = base + i;
        if c == b'/' && matches!(b.get(i + 1), Some(b'/') | Some(b'*')) {
            return Err(not(at, "a comment"));
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let (n, len) = lex_number(&src[i..]).ok_or_else(|| not(at, "this number literal"))?;
            i += len;
            if b.get(i).is_some_and(|c| {
                c.is_ascii_alphanumeric() || *c == b'_' || *c == b'$' || *c >= 0x80
            }) {
                return Err(not(base + i, "an identifier right after a number"));
            }
            out.push((at, Tok::Num(n)));
            continue;
        }
        if c == b'\'' || c == b'"' {
            let (s, len) = lex_string(&src[i..]).ok_or_else(|| not(at, "this string literal"))?;
            out.push((at, Tok::Str(s)));
            i += len;
            continue;
        }
        if c == b'`' {
            let (t, len) = lex_template(&src[i..], at)?;
            out.push((at, t));
            i += len;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'$') {
                i += 1;
            }
            if i < b.len() && (b[i] >= 0x80 || b[i] == b'\\') {
                return Err(not(base + i, "a non-ASCII identifier"));
            }
            out.push((at, Tok::Ident(src[s..i].to_owned())));
            continue;
        }
        match PUNCTS.iter().find(|p| src[i..].starts_with(**p)) {
            Some(p) => {
                // `?.` followed by a digit is `?` then a number (`a?.5:1`).
                if *p == "?." && b.get(i + 2).is_some_and(u8::is_ascii_digit) {
                    out.push((at, Tok::Punct("?")));
                    i += 1;
                } else {
                    out.push((at, Tok::Punct(p)));
                    i += p.len();
                }
            }
            None => return Err(not(at, "this character")),
        }
    }
    out.push((base + src.len(), Tok::End));
    Ok(out)
}

fn lex_number(s: &str) -> Option<(f64, usize)> {
    let b = s.as_bytes();
    if b[0] == b'0' && b.len() > 1 {
        let radix = match b[1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            b'b' | b'B' => 2,
            c if c.is_ascii_digit() || c == b'_' => return None,
            _ => 10,
        };
        if radix != 10 {
            let mut i = 2;
            let mut v = 0.0f64;
            while i < b.len() && (b[i] as char).is_digit(radix) {
                v = v * f64::from(radix) + f64::from((b[i] as char).to_digit(radix)?);
                i += 1;
            }
            if i == 2 || b.get(i) == Some(&b'_') || b.get(i) == Some(&b'n') {
                return None;
            }
            return Some((v, i));
        }
    }
    let mut i = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let mut j = i + 1;
        if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
            j += 1;
        }
        let s2 = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j == s2 {
            return None;
        }
        i = j;
    }
    if b.get(i) == Some(&b'_') || b.get(i) == Some(&b'n') {
        return None;
    }
    s[..i].parse().ok().map(|v| (v, i))
}

/// Reads one escape after a backslash; returns the text and bytes consumed.
fn lex_escape(s: &str) -> Option<(String, usize)> {
    let c = s.chars().next()?;
    let simple = match c {
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'b' => Some('\u{8}'),
        'f' => Some('\u{c}'),
        'v' => Some('\u{b}'),
        '0' if !s[1..].starts_with(|c: char| c.is_ascii_digit()) => Some('\0'),
        _ => None,
    };
    if let Some(ch) = simple {
        return Some((ch.to_string(), 1));
    }
    match c {
        '1'..='9' | '0' => None,
        '\r' | '\n' | '\u{2028}' | '\u{2029}' => None,
        'x' => {
            let h = s.get(1..3)?;
            let v = u32::from_str_radix(h, 16).ok()?;
            if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return None;
            }
            Some((char::from_u32(v)?.to_string(), 3))
        }
        'u' => {
            if s[1..].starts_with('{') {
                let end = s.find('}')?;
                let h = &s[2..end];
                if h.is_empty() || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                let v = u32::from_str_radix(h, 16).ok()?;
                Some((char::from_u32(v)?.to_string(), end + 1))
            } else {
                let h = s.get(1..5)?;
                if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                let v = u32::from_str_radix(h, 16).ok()?;
                if (0xD800..0xDC00).contains(&v) {
                    // A surrogate pair written as two escapes.
                    let rest = s.get(5..11)?;
                    let lo = rest.strip_prefix("\\u")?;
                    if !lo.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return None;
                    }
                    let lo = u32::from_str_radix(lo, 16).ok()?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return None;
                    }
                    let cp = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                    return Some((char::from_u32(cp)?.to_string(), 11));
                }
                Some((char::from_u32(v)?.to_string(), 5))
            }
        }
        other => Some((other.to_string(), other.len_utf8())),
    }
}

fn lex_string(s: &str) -> Option<(String, usize)> {
    let quote = s.as_bytes()[0] as char;
    let mut out = String::new();
    let mut i = 1;
    loop {
        let c = s[i..].chars().next()?;
        match c {
            c if c == quote => return Some((out, i + 1)),
            '\\' => {
                let (e, len) = lex_escape(&s[i + 1..])?;
                out.push_str(&e);
                i += 1 + len;
            }
            '\n' | '\r' => return None,
            c => {
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
}

fn lex_template(s: &str, at: usize) -> R<(Tok, usize)> {
    let mut parts = Vec::new();
    let mut subs = Vec::new();
    let mut cur = String::new();
    let mut i = 1;
    loop {
        let c = s[i..].chars().next().ok_or_else(|| not(at, "an unterminated template"))?;
        match c {
            '`' => {
                parts.push(cur);
                return Ok((Tok::Template(parts, subs), i + 1));
            }
            '\\' => {
                let (e, len) =
                    lex_escape(&s[i + 1..]).ok_or_else(|| not(at + i, "this template escape"))?;
                cur.push_str(&e);
                i += 1 + len;
            }
            '\r' => return Err(not(at + i, "a carriage return in a template")),
            '$' if s[i + 1..].starts_with('{') => {
                parts.push(std::mem::take(&mut cur));
                let start = i + 2;
                let mut depth = 0usize;
                let mut j = start;
                let bytes = s.as_bytes();
                loop {
                    match bytes.get(j) {
                        None => return Err(not(at, "an unterminated template")),
                        Some(b'{') => depth += 1,
                        Some(b'}') if depth == 0 => break,
                        Some(b'}') => depth -= 1,
                        Some(b'`') => return Err(not(at + j, "a nested template")),
                        Some(&q @ (b'\'' | b'"')) => {
                            j += 1;
                            while j < bytes.len() && bytes[j] != q {
                                if bytes[j] == b'\\' {
                                    j += 1;
                                }
                                j += 1;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                subs.push((at + start, s[start..j].to_owned()));
                i = j + 1;
            }
            c => {
                cur.push(c);
                i += c.len_utf8();
            }
        }
    }
}

struct Parser<'s> {
    src: &'s str,
    toks: Vec<(usize, Tok)>,
    pos: usize,
    /// Arrow parameters in scope, innermost last: (name, slot).
    scope: Vec<(String, usize)>,
    slots: usize,
}

/// Parses `src` as a native expression; `slots` receives the number of local slots.
pub(crate) fn parse(src: &str) -> R<(Expr, usize)> {
    let mut p = Parser { src, toks: lex(src, 0)?, pos: 0, scope: Vec::new(), slots: 0 };
    let e = p.expression()?;
    p.expect_end()?;
    if let Some(at) = e.observed_empty_object() {
        return Err(not(at, "`{}` used other than as `(x || {}).name` or `Object.keys(x || {})`"));
    }
    Ok((e, p.slots))
}

impl<'s> Parser<'s> {
    fn peek(&self) -> &Tok {
        &self.toks[self.pos].1
    }

    fn offset(&self) -> usize {
        self.toks[self.pos].0
    }

    fn next(&mut self) -> Tok {
        let t = self.toks[self.pos].1.clone();
        if self.pos + 1 < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn is(&self, p: &str) -> bool {
        matches!(self.peek(), Tok::Punct(q) if *q == p)
    }

    fn eat(&mut self, p: &str) -> bool {
        if self.is(p) {
            self.next();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &str) -> R<()> {
        if self.eat(p) { Ok(()) } else { Err(not(self.offset(), format!("expected `{p}` here"))) }
    }

    fn expect_end(&self) -> R<()> {
        match self.peek() {
            Tok::End => Ok(()),
            _ => Err(not(self.offset(), "this token")),
        }
    }

    fn expression(&mut self) -> R<Expr> {
        let start = self.offset();
        let cond = self.short_circuit()?;
        if self.eat("?") {
            let a = self.expression()?;
            self.expect(":")?;
            let b = self.expression()?;
            return Ok(Expr::Cond(Box::new(cond), Box::new(a), Box::new(b)));
        }
        let _ = start;
        Ok(cond)
    }

    /// ShortCircuitExpression: an `||`/`&&` chain, or a `??` chain; never mixed unparenthesized.
    fn short_circuit(&mut self) -> R<Expr> {
        let at = self.offset();
        let (mut left, bare_logical) = self.or()?;
        if self.is("??") {
            if bare_logical {
                return Err(not(at, "`??` mixed with `||`/`&&` (a syntax error)"));
            }
            while self.eat("??") {
                let at2 = self.offset();
                let right = self.equality()?;
                if self.is("||") || self.is("&&") {
                    return Err(not(at2, "`??` mixed with `||`/`&&` (a syntax error)"));
                }
                left = Expr::Logical(LogOp::Coalesce, Box::new(left), Box::new(right));
            }
        }
        Ok(left)
    }

    fn or(&mut self) -> R<(Expr, bool)> {
        let (mut left, mut bare) = self.and()?;
        while self.eat("||") {
            let (right, _) = self.and()?;
            left = Expr::Logical(LogOp::Or, Box::new(left), Box::new(right));
            bare = true;
        }
        Ok((left, bare))
    }

    fn and(&mut self) -> R<(Expr, bool)> {
        let mut left = self.equality()?;
        let mut bare = false;
        while self.eat("&&") {
            let right = self.equality()?;
            left = Expr::Logical(LogOp::And, Box::new(left), Box::new(right));
            bare = true;
        }
        Ok((left, bare))
    }

    fn equality(&mut self) -> R<Expr> {
        let mut left = self.relational()?;
        loop {
            let op = match self.peek() {
                Tok::Punct("==") => BinOp::Eq,
                Tok::Punct("!=") => BinOp::Ne,
                Tok::Punct("===") => BinOp::StrictEq,
                Tok::Punct("!==") => BinOp::StrictNe,
                Tok::Punct("&" | "|" | "^") => {
                    return Err(not(self.offset(), "a bitwise operator"));
                }
                _ => return Ok(left),
            };
            self.next();
            let right = self.relational()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn relational(&mut self) -> R<Expr> {
        let mut left = self.additive()?;
        loop {
            let op = match self.peek() {
                Tok::Punct("<") => BinOp::Lt,
                Tok::Punct(">") => BinOp::Gt,
                Tok::Punct("<=") => BinOp::Le,
                Tok::Punct(">=") => BinOp::Ge,
                Tok::Ident(w) if w == "in" || w == "instanceof" => {
                    return Err(not(self.offset(), format!("`{w}`")));
                }
                _ => return Ok(left),
            };
            self.next();
            if self.is("<") || self.is(">") {
                return Err(not(self.offset(), "a shift operator"));
            }
            let right = self.additive()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn additive(&mut self) -> R<Expr> {
        let mut left = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Tok::Punct("+") => BinOp::Add,
                Tok::Punct("-") => BinOp::Sub,
                _ => return Ok(left),
            };
            self.next();
            let right = self.multiplicative()?;
            let op = match op {
                BinOp::Add if left.is_string() || right.is_string() => BinOp::Concat,
                op => op,
            };
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn multiplicative(&mut self) -> R<Expr> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Punct("*") => BinOp::Mul,
                Tok::Punct("/") => BinOp::Div,
                Tok::Punct("%") => BinOp::Rem,
                Tok::Punct("**") => return Err(not(self.offset(), "`**`")),
                _ => return Ok(left),
            };
            self.next();
            let right = self.unary()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self) -> R<Expr> {
        let op = match self.peek() {
            Tok::Punct("!") => UnOp::Not,
            Tok::Punct("-") => UnOp::Neg,
            Tok::Punct("+") => UnOp::Plus,
            Tok::Ident(w) if w == "typeof" => UnOp::TypeOf,
            Tok::Punct("~" | "++" | "--") => return Err(not(self.offset(), "this operator")),
            Tok::Ident(w) if w == "void" || w == "delete" || w == "await" => {
                return Err(not(self.offset(), format!("`{w}`")));
            }
            _ => return self.postfix(),
        };
        self.next();
        let e = self.unary()?;
        if self.is("**") {
            return Err(not(self.offset(), "`**`"));
        }
        Ok(Expr::Unary(op, Box::new(e)))
    }

    fn postfix(&mut self) -> R<Expr> {
        let start = self.offset();
        // Global calls: String(x), Number(x), Boolean(x), JSON.stringify(x), Math.max(…),
        // Object.keys(x), ….
        if let Tok::Ident(name) = self.peek().clone()
            && !self.in_scope(&name)
            && Builtin::has_global(&name)
        {
            self.next();
            let member = if self.eat(".") {
                match self.next() {
                    Tok::Ident(m) => m,
                    _ => return Err(not(start, format!("this member of `{name}`"))),
                }
            } else {
                String::new()
            };
            let Some(builtin) = Builtin::of(&name, &member) else {
                let what = if member.is_empty() { name } else { format!("{name}.{member}") };
                return Err(not(start, format!("`{what}`")));
            };
            if !self.is("(") {
                return Err(not(start, "a global function used as a value"));
            }
            let args = self.arguments()?;
            if args.len() > builtin.max_args() {
                return Err(not(start, "extra arguments"));
            }
            let call = Expr::Call(builtin, args);
            return self.links(call, start);
        }
        let base = self.primary()?;
        self.links(base, start)
    }

    fn links(&mut self, base: Expr, start: usize) -> R<Expr> {
        let mut links = Vec::new();
        loop {
            let optional = self.eat("?.");
            let key = if optional && self.is("[") || self.is("[") {
                self.next();
                let at = self.offset();
                let key = match self.next() {
                    Tok::Str(s) => s,
                    Tok::Num(n) => super::super::number::number_to_string(n),
                    _ => return Err(not(at, "a computed key that is not a literal")),
                };
                self.expect("]")?;
                Some((key, at))
            } else if optional && matches!(self.peek(), Tok::Ident(_)) || self.eat(".") {
                let at = self.offset();
                match self.next() {
                    Tok::Ident(name) => Some((name, at)),
                    _ => return Err(not(at, "a property name")),
                }
            } else if optional && self.is("(") {
                return Err(not(self.offset(), "an optional call"));
            } else if optional {
                return Err(not(self.offset(), "this after `?.`"));
            } else {
                None
            };
            match key {
                Some((key, at)) => {
                    if self.is("(") {
                        let callee_end = self.offset();
                        let callee = self.src[start..callee_end].trim().to_owned();
                        let link = self.method_call(&key, at, optional, callee)?;
                        links.push(link);
                    } else {
                        if PROTOTYPE_NAMES.contains(&key.as_str()) {
                            return Err(not(at, format!("reading `{key}` (a prototype member)")));
                        }
                        links.push(Link::Get { key, optional, cache: SlotCache::default() });
                    }
                }
                None => {
                    if self.is("(") {
                        return Err(not(self.offset(), "a call of a computed value"));
                    }
                    if matches!(self.peek(), Tok::Template(..)) {
                        return Err(not(self.offset(), "a tagged template"));
                    }
                    break;
                }
            }
        }
        if links.is_empty() { Ok(base) } else { Ok(Expr::Chain(Box::new(base), links)) }
    }

    fn method_call(&mut self, name: &str, at: usize, optional: bool, callee: String) -> R<Link> {
        let Some(method) = Method::of(name) else {
            return match ArrowMethod::of(name) {
                Some(method) => self.arrow_call(method, optional, callee),
                None => Err(not(at, format!("the method `{name}`"))),
            };
        };
        let args = self.arguments()?;
        let max = method.max_args();
        if args.len() > max {
            return Err(not(at, format!("extra arguments to `{name}`")));
        }
        Ok(Link::Call { method, args, optional, callee })
    }

    /// `.map(x => body)` or `.map((x, i) => body)`, or another [`ArrowMethod`]'s.
    fn arrow_call(&mut self, method: ArrowMethod, optional: bool, callee: String) -> R<Link> {
        self.expect("(")?;
        let at = self.offset();
        let mut names = Vec::new();
        if self.eat("(") {
            loop {
                match self.next() {
                    Tok::Ident(n) if !RESERVED.contains(&n.as_str()) => names.push(n),
                    _ => return Err(not(at, "an arrow with other parameters")),
                }
                if self.eat(")") {
                    break;
                }
                self.expect(",")?;
            }
        } else {
            match self.next() {
                Tok::Ident(n) if !RESERVED.contains(&n.as_str()) => names.push(n),
                _ => {
                    let what = format!("a `{}` callback that is not an arrow", method.name());
                    return Err(not(at, what));
                }
            }
        }
        if names.len() > 2 || (names.len() == 2 && names[0] == names[1]) {
            return Err(not(at, "an arrow with other parameters"));
        }
        self.expect("=>")?;
        if self.is("{") {
            return Err(not(self.offset(), "an arrow with a block body"));
        }
        let slot = self.slots;
        self.slots += names.len();
        let depth = self.scope.len();
        for (i, n) in names.iter().enumerate() {
            self.scope.push((n.clone(), slot + i));
        }
        let body = self.expression()?;
        self.scope.truncate(depth);
        self.expect(")")?;
        let params = names.len();
        Ok(Link::Arrow { method, params, slot, body: Box::new(body), optional, callee })
    }

    fn arguments(&mut self) -> R<Vec<Expr>> {
        self.expect("(")?;
        let mut args = Vec::new();
        if self.eat(")") {
            return Ok(args);
        }
        loop {
            if self.is("...") {
                return Err(not(self.offset(), "a spread argument"));
            }
            args.push(self.expression()?);
            if self.eat(")") {
                return Ok(args);
            }
            self.expect(",")?;
            if self.eat(")") {
                return Ok(args);
            }
        }
    }

    fn in_scope(&self, name: &str) -> bool {
        self.scope.iter().any(|(n, _)| n == name)
    }

    fn primary(&mut self) -> R<Expr> {
        let at = self.offset();
        match self.next() {
            Tok::Num(n) => Ok(Expr::Num(n)),
            Tok::Str(s) => Ok(Expr::Str(s)),
            Tok::Template(parts, subs) => {
                let mut exprs = Vec::new();
                for (off, src) in subs {
                    let mut p = Parser {
                        src: self.src,
                        toks: lex(&src, off)?,
                        pos: 0,
                        scope: self.scope.clone(),
                        slots: self.slots,
                    };
                    // Offsets of the sub-parser are absolute, but callee texts slice
                    // `self.src`; templates therefore only use a fresh source slice.
                    p.src = self.src;
                    let e = p.expression()?;
                    p.expect_end()?;
                    self.slots = p.slots;
                    exprs.push(e);
                }
                Ok(Expr::Template(parts, exprs))
            }
            Tok::Ident(name) => {
                if let Some((_, slot)) = self.scope.iter().rev().find(|(n, _)| *n == name) {
                    return Ok(Expr::Local(*slot));
                }
                match name.as_str() {
                    "user" => Ok(Expr::User),
                    "true" => Ok(Expr::Bool(true)),
                    "false" => Ok(Expr::Bool(false)),
                    "null" => Ok(Expr::Null),
                    "undefined" => Ok(Expr::Undefined),
                    "NaN" => Ok(Expr::Num(f64::NAN)),
                    "Infinity" => Ok(Expr::Num(f64::INFINITY)),
                    _ => Err(not(at, format!("the name `{name}`"))),
                }
            }
            Tok::Punct("{") => {
                if !self.eat("}") {
                    return Err(not(at, "an object literal"));
                }
                Ok(Expr::EmptyObject(at))
            }
            Tok::Punct("(") => {
                let e = self.expression()?;
                self.expect(")")?;
                if self.is("=>") {
                    return Err(not(at, "an arrow function"));
                }
                Ok(e)
            }
            Tok::Punct("[") => {
                let mut items = Vec::new();
                loop {
                    if self.eat("]") {
                        break;
                    }
                    if self.is(",") || self.is("...") {
                        return Err(not(self.offset(), "an array hole or spread"));
                    }
                    items.push(self.expression()?);
                    if self.eat("]") {
                        break;
                    }
                    self.expect(",")?;
                }
                Ok(Expr::Array(items))
            }
            _ => Err(not(at, "this token")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_method_tables_name_each_method_once_within_the_argument_limit() {
        for &(name, method, max) in METHODS {
            assert!(max <= MAX_METHOD_ARGS, "{name}");
            assert_eq!((Method::of(name), method.name()), (Some(method), name));
        }
        for &(name, method) in ARROW_METHODS {
            assert_eq!((ArrowMethod::of(name), method.name()), (Some(method), name));
        }
        for &(global, member, builtin) in BUILTINS {
            assert_eq!(Builtin::of(global, member), Some(builtin), "{global}.{member}");
        }
    }

    #[test]
    fn subset() {
        for ok in [
            "user.a || user.b",
            "user.given_name + ' ' + user.family_name",
            "user.logins_count > 10 ? 'active' : 'idle'",
            "(user.identities || []).map(i => i.provider).join('|')",
            "`${user.a} and ${user.b}`",
            "user?.a?.['b-c']?.toLowerCase()",
            "JSON.stringify(user.app_metadata)",
            "Math.max(1, user.a)",
            "(user.a || {}).b + Object.keys(user.c ?? {}).length",
            "(user.ids || []).filter(i => i.on).some((x, n) => n > 1)",
            "a ?? (b || c)",
        ] {
            let src = ok.replace("a ?? (b || c)", "user.a ?? (user.b || user.c)");
            assert!(parse(&src).is_ok(), "{src}: {:?}", parse(&src));
        }
        for (bad, off) in [
            ("user.a ?? user.b || user.c", 10),
            ("Math.pow(1, 2)", 0),
            ("({}).x", 1),
            ("(user.a || {}) === user.b", 11),
            ("(user.a || {a: 1}).a", 11),
            ("Math.max(...user.a)", 9),
            ("user.a.filter(Boolean)", 21),
            ("user.toString()", 5),
            ("user.a.constructor", 7),
            ("user[user.k]", 5),
            ("user.a = 1", 7),
        ] {
            assert_eq!(parse(bad).map(|_| ()).map_err(|e| e.offset), Err(off), "{bad}");
        }
    }
}
