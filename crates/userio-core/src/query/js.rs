//! Compiles a query to the source of a JavaScript predicate, for hosts that hold users as
//! JavaScript objects (the Node binding): matching in the host's engine avoids turning every
//! user into JSON text.
//!
//! [`Query::to_js`] emits a *factory*, one JavaScript expression:
//!
//! ```text
//! (function (rt) { "use strict"; …constants and helpers…; return function (u) { … }; })
//! ```
//!
//! Evaluate [`JS_RUNTIME`] once (it is an expression giving an object of helpers), evaluate
//! the factory, call it with the runtime: the result is `function (u) -> boolean`. It judges a
//! user exactly as [`Query::matches`] judges the user's JSON form (`JSON.stringify` semantics:
//! `undefined`, functions and symbols are absent keys or `null` items, non-finite numbers are
//! `null`). Where it cannot know the JSON form in place (a BigInt, an object that is not plain
//! or has `toJSON`, a string with a lone surrogate, nesting deeper than 100) it throws
//! `rt.U` ("undecided"); the caller then matches that user through its JSON text.
//!
//! Every literal of the query (field names, values, patterns) is embedded as a JSON string or
//! number literal, so no query text can become code. `to_js` returns `None` for what it does
//! not translate exactly: Lucene regexes (`/…/`).

use std::fmt::Write;

use super::Query;
use super::ast::WildPart;
use super::compile::{
    CASE_INSENSITIVE_FIELDS, CNode, METADATA_FIELDS, RangeEnd, Target, Test, Tests, Wild,
};

/// The helpers every predicate uses: a JavaScript expression giving a frozen object. Evaluate
/// it once per engine and pass the object to each factory [`Query::to_js`] emits.
pub const JS_RUNTIME: &str = include_str!("runtime.js");

impl Query {
    /// The source of a JavaScript predicate factory for this query (see the module docs of
    /// `query::js`), or `None` when the query holds something not translated (a regex).
    pub fn to_js(&self) -> Option<String> {
        let mut e = Emitter { defs: String::new(), n: 0 };
        let body = e.node(&self.compiled)?;
        let mut out = String::with_capacity(e.defs.len() + body.len() + 256);
        out.push_str("(function (rt) {\n\"use strict\";\n");
        out.push_str(
            "const { undecided, obj, arr, isEnum, getProto, OP, dropped, s, other, exists, fuzzy, range, cps, ciPrefix, isArray, DEPTH } = rt;\n",
        );
        out.push_str(&e.defs);
        // The user object is checked once here; the leaves check what is below it.
        let _ = write!(
            out,
            "return function (u) {{\nif (typeof u === \"object\" && u !== null && !isArray(u)) {{ const p = getProto(u); if ((p !== OP && p !== null) || typeof u.toJSON === \"function\") undecided(); }}\nreturn {body};\n}};\n}})"
        );
        Some(out)
    }
}

/// A JSON string literal that is also safe inside HTML and older JavaScript parsers.
pub(crate) fn js_str(s: &str) -> Option<String> {
    let json = serde_json::to_string(s).ok()?;
    Some(
        json.replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
            .replace('<', "\\u003c")
            .replace('>', "\\u003e"),
    )
}

/// A finite number as a JavaScript literal (`null` would be a bug; callers pass finite ones).
fn js_num(x: f64) -> Option<String> {
    if x.is_finite() { serde_json::to_string(&x).ok() } else { None }
}

/// Escapes `s` for a JavaScript regex with the `u` flag (only syntax characters may be escaped).
fn regex_escape(s: &str, out: &mut String) {
    for c in s.chars() {
        if "\\^$.*+?()[]{}|/".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
}

struct Emitter {
    defs: String,
    n: usize,
}

/// The own property names of `Object.prototype` (ES2024): a path segment with one of these
/// names is read only when it is an own enumerable property. Other inherited names are
/// excluded by the caller's check that `Object.prototype` holds only these (`rt.pristine`).
pub(crate) const OBJECT_PROTOTYPE_KEYS: [&str; 12] = [
    "constructor",
    "__defineGetter__",
    "__defineSetter__",
    "hasOwnProperty",
    "__lookupGetter__",
    "__lookupSetter__",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toString",
    "valueOf",
    "__proto__",
    "toLocaleString",
];

const NOT_OBJECT: &str = "if (typeof v !== \"object\" || v === null) return typeof v === \"bigint\" ? undecided() : false;";

impl Emitter {
    fn id(&mut self) -> usize {
        self.n += 1;
        self.n
    }

    /// The boolean expression of `node` on the user `u`.
    fn node(&mut self, node: &CNode) -> Option<String> {
        Some(match node {
            CNode::All => "true".to_owned(),
            CNode::Bool { must, should, not } => {
                let mut parts = Vec::new();
                for m in must {
                    parts.push(self.node(m)?);
                }
                for n in not {
                    parts.push(format!("!{}", self.node(n)?));
                }
                if must.is_empty() && !should.is_empty() {
                    let mut any = Vec::new();
                    for s in should {
                        any.push(self.node(s)?);
                    }
                    parts.push(format!("({})", any.join(" || ")));
                }
                if parts.is_empty() {
                    "true".to_owned()
                } else {
                    format!("({})", parts.join(" && "))
                }
            }
            CNode::Leaf { target, tests } => format!("l{}(u)", self.leaf(target, tests)?),
        })
    }

    /// Emits `function lN(u)` for a leaf; returns N.
    fn leaf(&mut self, target: &Target, tests: &Tests) -> Option<usize> {
        let n = self.id();
        let user_prelude = format!(
            "function l{n}(v) {{\n{NOT_OBJECT}\nif (isArray(v)) {{ arr(v, 0); return false; }}\n"
        );
        match target {
            Target::Path(segs) => {
                let t = self.test(tests.pick(false))?;
                let first = self.path(segs, t)?;
                let _ = writeln!(self.defs, "function l{n}(u) {{ return {first}(u, 0); }}");
            }
            Target::EmailDomain => {
                let t = self.test(tests.pick(true))?;
                let domain = self.path(&["domain".to_owned()], t)?;
                let email = js_str("email")?;
                let _ = write!(
                    self.defs,
                    "{user_prelude}const e = v[{email}];\nif (dropped(e)) return false;\n\
                     if (typeof e === \"string\") {{ s(e); const i = e.lastIndexOf(\"@\"); return t{t}(i < 0 ? \"\" : e.slice(i + 1)); }}\n\
                     return {domain}(e, 1);\n}}\n"
                );
            }
            Target::Default | Target::All => {
                let deep = matches!(target, Target::All);
                let ts = self.test(tests.pick(false))?;
                let ti = self.test(tests.pick(true))?;
                let (fs, fi) = if deep {
                    (self.deep(ts), self.deep(ti))
                } else {
                    (self.path(&[], ts)?, self.path(&[], ti)?)
                };
                let mut ci = Vec::new();
                for f in CASE_INSENSITIVE_FIELDS {
                    ci.push(format!("k === {}", js_str(f)?));
                }
                let mut skip = String::new();
                if !deep {
                    let mut meta = Vec::new();
                    for f in METADATA_FIELDS {
                        meta.push(format!("k === {}", js_str(f)?));
                    }
                    skip = format!("if ({}) continue;\n", meta.join(" || "));
                }
                let _ = write!(
                    self.defs,
                    "{user_prelude}for (const k in v) {{\n{skip}const c = v[k];\nif (dropped(c)) continue;\n\
                     if ({} ? {fi}(c, 1) : {fs}(c, 1)) return true;\n}}\nreturn false;\n}}\n",
                    ci.join(" || ")
                );
            }
        }
        Some(n)
    }

    /// Emits the functions walking `segs` (arrays passed through) then applying test `t`;
    /// returns the name of the first.
    fn path(&mut self, segs: &[String], t: usize) -> Option<String> {
        let n = self.id();
        let name = |i: usize| format!("p{n}_{i}");
        // The end: arrays passed through, then the test.
        let end = name(segs.len());
        let _ = writeln!(
            self.defs,
            "function {end}(v, d) {{\nif (isArray(v)) {{ arr(v, d); for (let i = 0; i < v.length; i++) if ({end}(v[i], d + 1)) return true; return false; }}\nreturn t{t}(v);\n}}"
        );
        for (i, seg) in segs.iter().enumerate().rev() {
            let f = name(i);
            let next = name(i + 1);
            let key = js_str(seg)?;
            // A key Object.prototype has must be an own enumerable property to count.
            let own = if OBJECT_PROTOTYPE_KEYS.contains(&seg.as_str()) {
                format!(" || !isEnum.call(v, {key})")
            } else {
                String::new()
            };
            let _ = writeln!(
                self.defs,
                "function {f}(v, d) {{\n{NOT_OBJECT}\n\
                 if (isArray(v)) {{ arr(v, d); for (let i = 0; i < v.length; i++) if ({f}(v[i], d + 1)) return true; return false; }}\n\
                 if (d !== 0) {{ const p = getProto(v); if ((p !== OP && p !== null) || d > DEPTH || typeof v.toJSON === \"function\") undecided(); }}\n\
                 const c = v[{key}];\nif (dropped(c){own}) return false;\nreturn {next}(c, d + 1);\n}}"
            );
        }
        Some(name(0))
    }

    /// Emits a function applying test `t` to every scalar inside a value (`*:`); returns its name.
    fn deep(&mut self, t: usize) -> String {
        let n = self.id();
        let f = format!("a{n}");
        let _ = writeln!(
            self.defs,
            "function {f}(v, d) {{\nif (typeof v === \"object\" && v !== null) {{\n\
             if (isArray(v)) {{ arr(v, d); for (let i = 0; i < v.length; i++) if ({f}(v[i], d + 1)) return true; return false; }}\n\
             if (d > DEPTH) undecided();\nobj(v);\n\
             for (const k in v) {{ const c = v[k]; if (!dropped(c) && {f}(c, d + 1)) return true; }}\n\
             return false;\n}}\nreturn t{t}(v);\n}}"
        );
        f
    }

    /// Emits `function tN(v)` for one value test; returns N.
    fn test(&mut self, test: &Test) -> Option<usize> {
        let n = self.id();
        let string_test = |cond: String, ci: bool| {
            let x = if ci { "v.toLowerCase()" } else { "v" };
            format!(
                "if (typeof v === \"string\") {{ s(v); return {}; }}\nreturn other(v);",
                cond.replace("$X", x)
            )
        };
        let body = match test {
            Test::Exists => "return exists(v);".to_owned(),
            Test::Eq { text, ci, num, boolean } => {
                let lit = js_str(text)?;
                let x = if *ci { "v.toLowerCase()" } else { "v" };
                let num = match num {
                    Some(x) => format!("v === {}", js_num(*x)?),
                    None => "false".to_owned(),
                };
                let boolean = match boolean {
                    Some(b) => format!("v === {b}"),
                    None => "false".to_owned(),
                };
                let _ = writeln!(self.defs, "const c{n} = {lit};");
                format!(
                    "switch (typeof v) {{\ncase \"string\": return {x} === c{n} || (s(v), false);\n\
                     case \"number\": return {num};\ncase \"boolean\": return {boolean};\n\
                     default: return other(v);\n}}"
                )
            }
            Test::Wild { m, ci } => {
                let (lit, method) = match m {
                    Wild::Prefix(p) => (js_str(p)?, "startsWith"),
                    Wild::Suffix(p) => (js_str(p)?, "endsWith"),
                    Wild::Contains(p) => (js_str(p)?, "includes"),
                    Wild::Regex(_, parts) => {
                        let mut re = String::from("^(?:");
                        for p in parts {
                            match p {
                                WildPart::Lit(s) => regex_escape(s, &mut re),
                                WildPart::Star => re.push_str(".*"),
                                WildPart::One => re.push('.'),
                            }
                        }
                        re.push_str(")$");
                        (format!("new RegExp({}, \"su\")", js_str(&re)?), "")
                    }
                };
                let _ = writeln!(self.defs, "const c{n} = {lit};");
                let cond = if method.is_empty() {
                    format!("c{n}.test($X)")
                } else if *ci && method == "startsWith" {
                    format!("ciPrefix(v, c{n})")
                } else {
                    format!("$X.{method}(c{n})")
                };
                string_test(cond, *ci)
            }
            Test::Regex(_) => return None,
            Test::Fuzzy { term, edits, ci } => {
                let term: String = term.iter().collect();
                let _ = writeln!(self.defs, "const c{n} = cps({});", js_str(&term)?);
                string_test(format!("fuzzy(c{n}, $X, {edits})"), *ci)
            }
            Test::Range { lower, upper } => {
                let dated = |e: &RangeEnd| match e {
                    RangeEnd::Open => true,
                    RangeEnd::Val { date, .. } => date.is_some(),
                };
                let both_open = matches!((lower, upper), (RangeEnd::Open, RangeEnd::Open));
                let is_dated = !both_open && dated(lower) && dated(upper);
                let _ = writeln!(
                    self.defs,
                    "const c{n}l = {};\nconst c{n}h = {};",
                    range_end(lower)?,
                    range_end(upper)?
                );
                format!("return range(v, c{n}l, c{n}h, {is_dated});")
            }
        };
        let _ = writeln!(self.defs, "function t{n}(v) {{\n{body}\n}}");
        Some(n)
    }
}

fn range_end(e: &RangeEnd) -> Option<String> {
    Some(match e {
        RangeEnd::Open => "null".to_owned(),
        RangeEnd::Val { text, num, date, inclusive } => {
            let num = match num {
                Some(x) => js_num(*x)?,
                None => "null".to_owned(),
            };
            let (start, stop) = match date {
                Some((a, b)) => (a.to_string(), b.to_string()),
                None => ("null".to_owned(), "null".to_owned()),
            };
            format!(
                "{{ text: {}, num: {num}, start: {start}, stop: {stop}, inc: {inclusive} }}",
                js_str(text)?
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(q: &str) -> String {
        Query::parse(q).unwrap_or_else(|e| panic!("{q}: {e}")).to_js().expect("translated")
    }

    #[test]
    fn literals_are_json_and_inert() {
        assert_eq!(js_str("a\"b\\c").unwrap(), r#""a\"b\\c""#);
        assert_eq!(js_str("</script>").unwrap(), r#""\u003c/script\u003e""#);
        assert_eq!(js_str("x\u{2028}y\u{2029}").unwrap(), r#""x\u2028y\u2029""#);
        assert_eq!(js_str("\n\t\u{0}").unwrap(), r#""\n\t\u0000""#);
        let src = js(r#"name:"a\"b\\c</script>\u2028" OR "x\"); throw 1; (\"""#);
        assert!(src.contains(r#""a\"b\\c\u003c/script\u003e\u2028""#), "{src}");
        assert!(!src.contains("</script>") && !src.contains('\u{2028}'), "{src}");
        // Field names are literals too.
        let src = js(r#"a\"\)\;x:1"#);
        assert!(src.contains(r#"v["a\");x"]"#), "{src}");
        // Numbers are JSON numbers.
        assert!(js(r#"n:"-1.5e3""#).contains("v === -1500.0"));
    }

    #[test]
    fn every_test_kind() {
        assert!(js("_exists_:a.b").contains("return exists(v);"));
        assert!(js("a.b:*").contains("return exists(v);"));
        let eq = js("name:JoHn");
        assert!(eq.contains(r#"const c"#) && eq.contains(r#""john""#), "{eq}");
        assert!(eq.contains("v.toLowerCase() === c"), "{eq}");
        let eq = js("flag:true");
        assert!(eq.contains("case \"boolean\": return v === true;"), "{eq}");
        assert!(js("n:10").contains("case \"number\": return v === 10.0;"));
        assert!(js("a:jo*").contains("v.startsWith(c"));
        assert!(js("a:*jo").contains("v.endsWith(c"));
        assert!(js("a:*jo*").contains("v.includes(c"));
        let w = js("name:J?h*n.");
        assert!(w.contains(r#"new RegExp("^(?:j.h.*n\\.)$", "su")"#), "{w}");
        assert!(w.contains("c2.test(v.toLowerCase())") || w.contains(".test(v.toLowerCase())"));
        let f = js("a:jane~1");
        assert!(f.contains(r#"cps("jane")"#) && f.contains("fuzzy(c"), "{f}");
        let r = js("a:[1 TO 2020-01-01}");
        assert!(r.contains(r#"text: "1", num: 1.0, start: null"#), "{r}");
        assert!(r.contains(r#"text: "2020-01-01", num: null, start: 1577836800000"#), "{r}");
        assert!(r.contains("inc: false"), "{r}");
        assert!(js("a:[* TO *]").contains("range(v, c2l, c2h, false)"));
        assert!(js("email.domain:x.com").contains("lastIndexOf(\"@\")"));
        let d = js("jane");
        assert!(d.contains(r#"k === "app_metadata""#) && d.contains(r#"k === "email""#), "{d}");
        assert!(!js("*:jane").contains("app_metadata"));
        assert_eq!(Query::parse("a:/jo.*/").unwrap().to_js(), None);
        assert_eq!(Query::parse("b:1 AND (a:/x/ OR c:2)").unwrap().to_js(), None);
    }

    #[test]
    fn occurrences() {
        let src = js("a:1 AND b:2 OR c:3");
        assert!(src.contains("return (l1(u) && l4(u));\n};"), "{src}");
        let src = js("NOT a:1");
        assert!(src.contains("return (!l1(u));\n};"), "{src}");
        let src = js("a:1 b:2 -c:3");
        assert!(src.contains("return (!l1(u) && (l4(u) || l7(u)));\n};"), "{src}");
        assert!(js("*:*").contains("return true;\n};"));
    }
}
