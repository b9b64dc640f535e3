//! Export columns: a header name plus a source that is an attribute path or a JavaScript
//! expression, evaluated per user.
//!
//! [`Column::new`] decides the [`Tier`] once, when the column is built:
//!
//! 1. [`Tier::Path`]: `user.a.b`, `user['a-b']`, `user.identities[0].provider`, or the same
//!    without `user.` (`a.b` means `user.a.b`), resolved straight on the JSON value.
//! 2. [`Tier::Native`]: the common expression forms (literals, member access, optional
//!    chaining, `||` `&&` `??` `?:` `!`, comparisons, arithmetic, template literals and a few
//!    pure methods), compiled into a small tree and evaluated natively with JavaScript's
//!    exact meaning.
//! 3. [`Tier::Js`]: anything else, compiled once per thread and run in a sandboxed
//!    `boa_engine` (cargo feature `js`, on by default).
//!
//! All three tiers give the same cell for the same user: the shared corpus in
//! `tests/vectors/expr/` checks every expression on every tier that can run it. See
//! `docs/expressions.md`.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

#[cfg(feature = "js")]
mod js;
mod json;
mod native;
mod nesting;
mod number;
mod path;
mod projected;
mod value;

#[doc(hidden)]
pub use projected::Projected;

use crate::user::UserRef;
use value::JsVal;

/// How a column's source is evaluated. Decided when the column is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// A plain attribute path, resolved straight on the JSON value.
    Path,
    /// A common expression form evaluated natively with JavaScript's exact meaning.
    Native,
    /// Anything else, run in the sandboxed JavaScript engine.
    Js,
}

impl Tier {
    /// `path`, `native` or `js`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Path => "path",
            Tier::Native => "native",
            Tier::Js => "js",
        }
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The value of one column for one user.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell<'a> {
    /// JavaScript `undefined`: a missing attribute.
    Undefined,
    /// Any JSON value, borrowed from the user where possible.
    Value(Cow<'a, Value>),
    /// A number computed by the expression (may be `NaN`, `Infinity` or `-0`).
    Number(f64),
    /// A string, borrowed from the user where possible.
    Str(Cow<'a, str>),
}

/// A column expression that failed for one user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct CellError {
    /// The JavaScript error message (`TypeError: …`) or the limit that tripped.
    pub message: String,
}

/// What the native tier says when a value would hold half of a character (see
/// [`CellError::lone_surrogate`]). With the `js` feature it is never shown: the cell is
/// then run in JavaScript.
const LONE_SURROGATE: &str = "the expression cuts a character in half (a lone UTF-16 \
    surrogate), which only the JavaScript engine can carry on with, and userio-core was \
    built without its `js` feature: rebuild it with `--features js`, or cut the string \
    between whole characters";

impl CellError {
    /// The native tier cannot go on: a value would hold half of a character outside the
    /// Basic Multilingual Plane (`'😀'[0]`), which a Rust string cannot. With the `js`
    /// feature the column runs that cell in JavaScript, which keeps halves as JavaScript
    /// does; without it the cell fails (rather than hold a U+FFFD that JavaScript would
    /// not: `s[0] + s[1]` is the whole character again).
    pub(crate) fn lone_surrogate() -> CellError {
        CellError { message: LONE_SURROGATE.to_owned() }
    }

    pub(crate) fn is_lone_surrogate(&self) -> bool {
        self.message == LONE_SURROGATE
    }
}

/// A column source that does not compile.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("column {column:?}: {message} at offset {offset} of `{source_text}`")]
pub struct ExprError {
    /// The column's name.
    pub column: String,
    /// What is wrong.
    pub message: String,
    /// Byte offset in the source.
    pub offset: usize,
    /// The source text.
    pub source_text: String,
}

impl ExprError {
    /// `message` about `source`, the source of `column`, at byte `offset`.
    fn at(column: &str, source: &str, message: String, offset: usize) -> ExprError {
        ExprError { column: column.to_owned(), message, offset, source_text: source.to_owned() }
    }
}

/// What an export does with a cell whose expression failed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ErrorPolicy {
    /// Write an empty cell (the default); the export counts it and shows the first few.
    #[default]
    Empty,
    /// Write this text instead.
    Marker(String),
    /// Stop the export with the user index, column name and error message.
    Abort,
}

impl ErrorPolicy {
    /// The cell to write in place of a failed one; `None` means abort.
    pub fn fallback(&self) -> Option<Cell<'static>> {
        match self {
            ErrorPolicy::Empty => Some(Cell::Undefined),
            ErrorPolicy::Marker(m) => Some(Cell::Str(Cow::Owned(m.clone()))),
            ErrorPolicy::Abort => None,
        }
    }
}

/// The longest array or padded string a built-in may make (a `RangeError` beyond): the
/// JavaScript tier's guards and the native `padStart`/`padEnd` share it.
pub(crate) const MAX_BUILT_LENGTH: usize = 10_000_000;

/// The `RangeError` message (without its name) of an `array` or `string` over
/// [`MAX_BUILT_LENGTH`]: the prelude's words, in every tier.
pub(crate) fn over_built_limit(what: &str) -> String {
    format!("sandbox limit: {what} longer than {MAX_BUILT_LENGTH}")
}

/// Sandbox limits of the JavaScript tier, per cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Loop iterations per function call (boa's loop limit; also charged by `repeat`).
    pub loop_iterations: u64,
    /// Nested function calls.
    pub recursion: usize,
    /// Wall-clock time per cell.
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { loop_iterations: 1_000_000, recursion: 256, time: Duration::from_millis(500) }
    }
}

impl Limits {
    /// The default limits with the time per cell (`time_ms`) and the loop iterations per
    /// function call (`loop_iterations`) that are given: what the CLI's `--js-time-limit` /
    /// `--js-loop-limit` and the bindings' options set. A limit of 0, which no cell could
    /// meet, is refused.
    pub fn with(time_ms: Option<u64>, loop_iterations: Option<u64>) -> Result<Limits, LimitsError> {
        let mut limits = Limits::default();
        if let Some(ms) = time_ms {
            if ms == 0 {
                return Err(LimitsError::Time);
            }
            limits.time = Duration::from_millis(ms);
        }
        if let Some(n) = loop_iterations {
            if n == 0 {
                return Err(LimitsError::Loops);
            }
            limits.loop_iterations = n;
        }
        Ok(limits)
    }
}

/// A sandbox limit of 0 ([`Limits::with`]); each surface names its own option for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LimitsError {
    /// The time per cell.
    #[error("the time limit per cell must be at least 1 ms")]
    Time,
    /// The loop iterations per function call.
    #[error("the loop limit must be at least 1 iteration")]
    Loops,
}

#[derive(Debug)]
struct NativeProgram {
    expr: native::parse::Expr,
    /// How a CSV export writes the cells (the same text as `expr`'s value).
    plan: native::plan::Plan,
    /// Locals the tree needs: one per arrow parameter.
    slots: usize,
    /// Locals the plan needs: `slots`, or none when it never walks the tree.
    plan_slots: usize,
    /// The same source for JavaScript, which runs the rare cell whose value would hold
    /// half of a character ([`CellError::lone_surrogate`]).
    #[cfg(feature = "js")]
    js: js::JsProgram,
}

impl NativeProgram {
    /// Calls `f` with the expression and one local per arrow parameter (on the stack when
    /// there are few).
    #[inline(always)]
    fn run<'u, T>(&'u self, f: impl FnOnce(&'u native::parse::Expr, &mut [JsVal<'u>]) -> T) -> T {
        with_locals(self.slots, |locals| f(&self.expr, locals))
    }

    /// Calls `f` with the plan and the locals it needs.
    #[inline(always)]
    fn run_plan<'u, T>(
        &'u self,
        f: impl FnOnce(&'u native::plan::Plan, &mut [JsVal<'u>]) -> T,
    ) -> T {
        with_locals(self.plan_slots, |locals| f(&self.plan, locals))
    }
}

/// Calls `f` with `n` locals, all `undefined` (on the stack when there are few).
#[inline(always)]
fn with_locals<'u, T>(n: usize, f: impl FnOnce(&mut [JsVal<'u>]) -> T) -> T {
    const ON_STACK: usize = 4;
    if n == 0 {
        f(&mut [])
    } else if n <= ON_STACK {
        let mut locals = [const { JsVal::Undefined }; ON_STACK];
        f(&mut locals[..n])
    } else {
        f(&mut vec![JsVal::Undefined; n])
    }
}

#[derive(Debug, Clone)]
enum Compiled {
    Path(Arc<path::Path>),
    Native(Arc<NativeProgram>),
    #[cfg(feature = "js")]
    Js(Arc<js::JsProgram>),
}

/// One export column: a header name and a compiled source.
///
/// `Column` is `Clone + Send + Sync`: the JavaScript tier keeps its compiled function in a
/// per-thread engine, so every export thread can evaluate the same column.
#[derive(Debug, Clone)]
pub struct Column {
    name: String,
    source: String,
    compiled: Compiled,
    policy: ErrorPolicy,
    limits: Limits,
}

impl Column {
    /// Builds a column, compiling its source once and choosing its tier.
    pub fn new(name: impl Into<String>, source: impl Into<String>) -> Result<Column, ExprError> {
        Column::build(name.into(), source.into(), None)
    }

    /// Builds a column in a given tier (for benchmarks and differential tests). Fails when
    /// the source is outside that tier's language.
    #[doc(hidden)]
    pub fn with_tier(
        name: impl Into<String>,
        source: impl Into<String>,
        tier: Tier,
    ) -> Result<Column, ExprError> {
        Column::build(name.into(), source.into(), Some(tier))
    }

    fn build(name: String, source: String, want: Option<Tier>) -> Result<Column, ExprError> {
        let err = |message, offset| ExprError::at(&name, &source, message, offset);
        if source.trim().is_empty() {
            return Err(err(
                "the source is empty; write an attribute path or an expression".into(),
                0,
            ));
        }
        if let Err(nesting::TooDeep(offset)) = nesting::check(&source) {
            let message = format!(
                "the expression nests more than {} deep here (brackets, prefix operators, \
                 `?:`, arrows, assignments, statements); split it into simpler parts",
                nesting::MAX_NESTING
            );
            return Err(err(message, offset));
        }
        nesting::on_parser_stack(|| Column::compile(name, source, want))
    }

    /// [`build`](Self::build) for a source that passed the nesting check.
    fn compile(name: String, source: String, want: Option<Tier>) -> Result<Column, ExprError> {
        let err = |message, offset| ExprError::at(&name, &source, message, offset);
        let path = path::parse(&source);
        let js_source = match &path {
            Some(p) if p.bare => p.to_js(),
            _ => source.clone(),
        };
        let compiled = match (want, path) {
            (None | Some(Tier::Path), Some(p)) => Compiled::Path(Arc::new(p)),
            (Some(Tier::Path), None) => {
                return Err(err("not a plain attribute path".into(), 0));
            }
            (None | Some(Tier::Native), _) if native::parse::parse(&js_source).is_ok() => {
                let (expr, slots) =
                    native::parse::parse(&js_source).map_err(|e| err(e.what, e.offset))?;
                #[cfg(feature = "js")]
                let js = js::JsProgram::compile(&js_source)
                    .map_err(|(o, m)| err(m, o.min(source.len())))?;
                let plan = native::plan::Plan::of(&expr);
                let plan_slots = if plan.uses_locals() { slots } else { 0 };
                Compiled::Native(Arc::new(NativeProgram {
                    expr,
                    plan,
                    slots,
                    plan_slots,
                    #[cfg(feature = "js")]
                    js,
                }))
            }
            (Some(Tier::Native), _) => {
                let e = native::parse::parse(&js_source).err();
                let (offset, what) = e.map_or((0, String::new()), |e| (e.offset, e.what));
                return Err(err(format!("not in the native subset: {what}"), offset));
            }
            (_, _) => Column::compile_js(&js_source).map_err(|(o, m)| {
                // boa names a `)` that is not the source's own (not where boa places it,
                // which may be inside the source or after it) when the source closes the
                // code it is wrapped in early (the `)` of `user.name )`, which closes
                // nothing of its own), or else when it ends too early (`user.a = `, `{`).
                let names_paren = m.contains("unexpected token ')'") || m.contains("got ')'");
                if names_paren && js_source.as_bytes().get(o) != Some(&b')') {
                    return match nesting::stray_closer(&js_source) {
                        Some(at) => err(m, at),
                        None => err(end_of_source(&m), js_source.len()),
                    };
                }
                if o != usize::MAX {
                    return err(m, o);
                }
                // boa gives no position in the expression for some errors (an unterminated
                // string; a token past its end, of the code it is wrapped in): use the native
                // lexer's. At the end, a token boa names is the wrapper's (`)` for `a +`).
                let o = native::parse::parse(&js_source).err().map_or(0, |e| e.offset);
                let names_token = m.contains("unexpected token") || m.contains("got '");
                match o >= js_source.len() && names_token {
                    true => err(end_of_source(&m), o),
                    false => err(m, o),
                }
            })?,
        };
        Ok(Column {
            name,
            source,
            compiled,
            policy: ErrorPolicy::default(),
            limits: Limits::default(),
        })
    }

    #[cfg(feature = "js")]
    fn compile_js(src: &str) -> Result<Compiled, (usize, String)> {
        Ok(Compiled::Js(Arc::new(js::JsProgram::compile(src)?)))
    }

    #[cfg(not(feature = "js"))]
    fn compile_js(src: &str) -> Result<Compiled, (usize, String)> {
        let e = native::parse::parse(src).err();
        let (offset, what) = e.map_or((0, String::new()), |e| (e.offset, e.what));
        Err((
            offset,
            format!(
                "{what} is outside the native subset and needs JavaScript, but userio-core \
                 was built without the `js` feature; rebuild with `--features js` or rewrite \
                 the expression"
            ),
        ))
    }

    /// Sets what an export does when this column fails for a user.
    pub fn with_error_policy(mut self, policy: ErrorPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// What an export does when this column fails for a user.
    pub fn error_policy(&self) -> &ErrorPolicy {
        &self.policy
    }

    /// Sets the JavaScript tier's sandbox limits (no effect on other tiers).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The JavaScript tier's sandbox limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The extension's default columns, in its order and with its names.
    pub fn defaults() -> Vec<Column> {
        [
            ("Id", "user.user_id"),
            ("Given Name", "user.given_name"),
            ("Family Name", "user.family_name"),
            ("Nickname", "user.nickname"),
            ("Name", "user.name"),
            ("Email", "user.email"),
            ("Email Verified", "user.email_verified"),
            ("Picture", "user.picture"),
            ("Connection", "user.identities[0].connection"),
            ("Created At", "user.created_at"),
            ("Updated At", "user.updated_at"),
        ]
        .into_iter()
        .filter_map(|(n, s)| path::parse(s).map(|p| (n, s, p)))
        .map(|(n, s, p)| Column {
            name: n.to_owned(),
            source: s.to_owned(),
            compiled: Compiled::Path(Arc::new(p)),
            policy: ErrorPolicy::default(),
            limits: Limits::default(),
        })
        .collect()
    }

    /// The header name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The source text as given.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The paths of the user this column reads (`user.app_metadata.name`: `[app_metadata,
    /// name]`, the value there whole and `app_metadata` only for `name`), or `None` when it
    /// may read anything (`user` used whole, or JavaScript that is not only `user.name`
    /// reads). Exports parse only these. JavaScript reads whole top-level attributes.
    pub(crate) fn user_paths(&self) -> Option<Vec<Vec<&str>>> {
        let mut paths = Vec::new();
        let known = match &self.compiled {
            // `user` alone: the whole user.
            Compiled::Path(p) if p.keys.is_empty() => false,
            Compiled::Path(p) => {
                paths.push(p.keys.iter().map(String::as_str).collect());
                true
            }
            Compiled::Native(n) => n.expr.user_paths(&mut paths),
            #[cfg(feature = "js")]
            Compiled::Js(j) => {
                j.user_keys().map(|ks| paths.extend(ks.iter().map(|k| vec![k.as_str()]))).is_some()
            }
        };
        known.then_some(paths)
    }

    /// The tier chosen when the column was built.
    pub fn tier(&self) -> Tier {
        match &self.compiled {
            Compiled::Path(_) => Tier::Path,
            Compiled::Native(_) => Tier::Native,
            #[cfg(feature = "js")]
            Compiled::Js(_) => Tier::Js,
        }
    }

    /// Evaluates the column for one user.
    ///
    /// The cell may borrow from the user and from the column (a string literal the
    /// expression returns).
    pub fn eval<'u>(&'u self, user: &'u Value) -> Result<Cell<'u>, CellError> {
        self.eval_user(UserRef::Whole(user))
    }

    /// Appends the column's cell text for one user to `out`: the same text as
    /// [`eval`](Self::eval) then [`Cell::write_text`], and what a CSV export writes. A
    /// native column writes it in place, without building the strings its `+`, templates
    /// and `.map(f).join(sep)` would make. On error `out` is left as it was.
    pub fn write_text(&self, user: &Value, out: &mut String) -> Result<(), CellError> {
        self.write_text_user(UserRef::Whole(user), out)
    }

    /// [`write_text`](Self::write_text) for a user as the export parsed it. A native
    /// column's call is inlined into the caller's loop: the user is then passed on as it
    /// is, not stored and reloaded whole (a stall that cost a cell a fifth of its time).
    #[inline(always)]
    pub(crate) fn write_text_user(
        &self,
        user: UserRef<'_>,
        out: &mut String,
    ) -> Result<(), CellError> {
        match &self.compiled {
            Compiled::Native(n) => {
                let start = out.len();
                let written = n.run_plan(|plan, locals| plan.write(user, locals, out));
                if let Err(e) = written {
                    out.truncate(start);
                    return self.native_failed(e, user, out);
                }
                Ok(())
            }
            _ => self.write_text_other(user, out),
        }
    }

    /// A native cell's error, or, for half a character, the cell run in JavaScript.
    #[cold]
    #[inline(never)]
    fn native_failed(
        &self,
        error: CellError,
        user: UserRef<'_>,
        out: &mut String,
    ) -> Result<(), CellError> {
        #[cfg(feature = "js")]
        if let Compiled::Native(n) = &self.compiled
            && error.is_lone_surrogate()
        {
            return n.js.write_text(user, &self.limits, out);
        }
        #[cfg(not(feature = "js"))]
        let _ = (user, out);
        Err(error)
    }

    /// [`write_text_user`](Self::write_text_user) for paths and JavaScript, kept out of the
    /// callers' loops (inlined there, a path's code slowed native cells down by a third
    /// until the eleventh session, and by 6 % in instructions in the thirteenth).
    #[inline(never)]
    fn write_text_other(&self, user: UserRef<'_>, out: &mut String) -> Result<(), CellError> {
        match &self.compiled {
            // A path writes nothing before it fails.
            Compiled::Path(p) => p.write_text(user, out),
            Compiled::Native(_) => self.write_text_user(user, out),
            #[cfg(feature = "js")]
            Compiled::Js(j) => j.write_text(user, &self.limits, out),
        }
    }

    /// [`eval`](Self::eval) for a user as the export parsed it.
    pub(crate) fn eval_user<'u>(&'u self, user: UserRef<'u>) -> Result<Cell<'u>, CellError> {
        match &self.compiled {
            Compiled::Path(p) => p.eval(user),
            Compiled::Native(n) => {
                match n.run(|expr, locals| native::eval::eval(expr, user, locals)) {
                    Ok(v) => Ok(cell_from_val(v)),
                    #[cfg(feature = "js")]
                    Err(e) if e.is_lone_surrogate() => n.js.eval(user, &self.limits),
                    Err(e) => Err(e),
                }
            }
            #[cfg(feature = "js")]
            Compiled::Js(j) => j.eval(user, &self.limits),
        }
    }
}

/// The cell of a native value.
pub(crate) fn cell_from_val(v: JsVal<'_>) -> Cell<'_> {
    match v {
        JsVal::Undefined => Cell::Undefined,
        JsVal::Null => Cell::Value(Cow::Owned(Value::Null)),
        JsVal::Bool(b) => Cell::Value(Cow::Owned(Value::Bool(b))),
        JsVal::Num(n) => Cell::Number(n),
        JsVal::Str(s) => Cell::Str(s),
        JsVal::Json(v) => Cell::Value(Cow::Borrowed(v)),
        arr @ JsVal::Arr(_) => Cell::Value(Cow::Owned(arr.to_json_value())),
    }
}

impl Cell<'_> {
    /// Appends the CSV text of the cell: strings as is, numbers as JavaScript prints them,
    /// `true`/`false`, empty for null and undefined, compact JSON (as `JSON.stringify`
    /// writes it) for objects and arrays.
    pub fn write_text(&self, out: &mut String) {
        match self {
            Cell::Undefined => {}
            Cell::Number(n) => number::push_number(out, *n),
            Cell::Str(s) => out.push_str(s),
            Cell::Value(v) => match v.as_ref() {
                Value::Null => {}
                Value::String(s) => out.push_str(s),
                Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                Value::Number(n) => json::push_json_number(out, n),
                other => json::stringify_into(out, other),
            },
        }
    }

    /// The CSV text of the cell as a new string.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        self.write_text(&mut s);
        s
    }

    /// The cell as a JSON value: `undefined` becomes `null`; numbers become what
    /// `JSON.stringify` would write (`NaN` and infinities are `null`, `1.0` is `1`).
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Undefined => Value::Null,
            Cell::Number(n) => json::number_value(*n),
            Cell::Str(s) => Value::String(s.to_string()),
            Cell::Value(v) => match v.as_ref() {
                Value::Number(n) if n.is_f64() => {
                    json::number_value(n.as_f64().unwrap_or(f64::NAN))
                }
                other => other.clone(),
            },
        }
    }

    /// `JSON.stringify` of the cell (`null` for `undefined`): the canonical text used to
    /// compare cells.
    pub fn to_json_text(&self) -> String {
        let mut s = String::new();
        json::stringify_into(&mut s, &self.to_json());
        s
    }

    /// The cell with no borrow of the user.
    pub fn into_owned(self) -> Cell<'static> {
        match self {
            Cell::Undefined => Cell::Undefined,
            Cell::Number(n) => Cell::Number(n),
            Cell::Str(s) => Cell::Str(Cow::Owned(s.into_owned())),
            Cell::Value(v) => Cell::Value(Cow::Owned(v.into_owned())),
        }
    }
}

/// `JSON.stringify(value)` with JavaScript's exact output (number formatting, key order,
/// escapes).
pub fn js_stringify(value: &Value) -> String {
    let mut s = String::new();
    json::stringify_into(&mut s, value);
    s
}

/// boa's syntax error `message` for a token that is past the end of the source (the
/// wrapper's): "unexpected end of the expression", or what boa expected instead of it.
fn end_of_source(message: &str) -> String {
    match message.split_once(", got ") {
        Some((expected, _)) if message.contains("expected ") => {
            format!("{expected}, got the end of the expression")
        }
        _ => "SyntaxError: unexpected end of the expression".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone + std::fmt::Debug>() {}

    #[test]
    fn column_is_send_sync() {
        assert_send_sync::<Column>();
    }

    /// JSON written by JavaScript has integer keys first already; a file need not.
    #[test]
    fn object_keys_puts_integer_keys_first_as_javascript_does() {
        let user: Value =
            serde_json::from_str(r#"{"m": {"b": 1, "10": 2, "a": 3, "2": 4, "01": 5, "-1": 6}}"#)
                .unwrap();
        let want = "2,10,b,a,01,-1";
        for tier in [Tier::Native, Tier::Js]
            .into_iter()
            .filter(|t| cfg!(feature = "js") || *t == Tier::Native)
        {
            let keys = Column::with_tier("c", "Object.keys(user.m).join()", tier).unwrap();
            assert_eq!(keys.eval(&user).unwrap().to_text(), want, "{tier}");
        }
        let values = Column::new("c", "Object.values(user.m).join()").unwrap();
        assert_eq!(values.tier(), Tier::Native);
        assert_eq!(values.eval(&user).unwrap().to_text(), "4,2,1,3,5,6");
    }

    #[test]
    #[cfg(feature = "js")]
    fn a_native_cell_that_cuts_a_character_in_half_runs_in_javascript() {
        let user = serde_json::json!({ "s": "😀x" });
        let column = |source: &str| Column::new("c", source).expect("builds");
        let json = |source: &str| column(source).eval(&user).map(|c| c.to_json_text());
        let joined = column("user.s[0] + user.s[1]");
        assert_eq!(joined.tier(), Tier::Native);
        assert_eq!(joined.eval(&user).map(|c| c.to_text()), Ok("😀".into()), "halves join");
        let mut out = String::from(">");
        assert_eq!(joined.write_text(&user, &mut out), Ok(()));
        assert_eq!(out, ">😀");
        assert_eq!(json("JSON.stringify(user.s.slice(0, 1))"), Ok(r#""\"\\ud83d\"""#.into()));
        assert_eq!(json("user.s.split('')"), Ok("[\"\u{FFFD}\",\"\u{FFFD}\",\"x\"]".into()));
        assert_eq!(json("user.s.includes('x', 1)"), Ok("true".into()));
        assert_eq!(json("user.s[0]"), Ok("\"\u{FFFD}\"".into()), "a path's half is the cell's");
    }

    #[test]
    fn limits_of_zero_are_refused() {
        let set = Limits::with(Some(50), Some(10)).unwrap();
        assert_eq!((set.time, set.loop_iterations), (Duration::from_millis(50), 10));
        assert_eq!(set.recursion, Limits::default().recursion);
        assert_eq!(Limits::with(None, None), Ok(Limits::default()));
        assert_eq!(Limits::with(Some(0), Some(10)), Err(LimitsError::Time));
        assert_eq!(Limits::with(Some(50), Some(0)), Err(LimitsError::Loops));
    }

    /// boa's message for `user.name +` is "unexpected token ')', primary expression at line
    /// 4, col 1": a token and a line of the code the source is wrapped in.
    #[cfg(feature = "js")]
    #[test]
    fn a_syntax_error_speaks_of_the_expression_not_its_wrapper() {
        let error = |s: &str| {
            let e = Column::new("c", s).expect_err(s);
            assert!(!e.message.contains(" at line "), "{e}");
            (e.offset, e.message)
        };
        let end = "SyntaxError: unexpected end of the expression".to_owned();
        assert_eq!(error("user.name +"), (11, end.clone()));
        assert_eq!(error("user.a = "), (9, end.clone()));
        assert_eq!(error("(x) =>"), (6, end.clone()));
        assert_eq!(error("user.a\n+"), (8, end));
        let got_end =
            |expected: &str| format!("SyntaxError: {expected}, got the end of the expression");
        assert_eq!(error("(user.name"), (10, got_end("expected one of ')' or ','")));
        assert_eq!(error("user.a ? 1"), (10, got_end("expected token ':'")));
        assert!(error("{").1.starts_with(&got_end("expected token 'property name'")));
        assert!(error("`${user.a").1.starts_with(&got_end("expected token '}'")));
        // A stray `)` is not the end.
        for (source, at) in [("user.name )", 10), ("user.a = )", 9), ("f(user.a = )", 11)] {
            let (offset, message) = error(source);
            assert_eq!(offset, at, "{source}");
            assert!(
                message.starts_with("SyntaxError: unexpected token ')'"),
                "{source}: {message}"
            );
        }
        let (offset, message) = error("user.a ?? user.b || 1");
        assert_eq!(offset, 17);
        assert!(message.starts_with("SyntaxError: expected token '??', got '||'"), "{message}");
    }
}
