//! The JavaScript tier: boa_engine, compiled once per column and thread, sandboxed.
//!
//! A boa `Context` is neither `Send` nor `Sync`, so a [`JsProgram`] only holds the source;
//! each thread keeps one engine (a `Context` plus the compiled columns) in a thread-local.
//! A column's function is compiled the first time the thread evaluates it and called per
//! user afterwards. When a limit leaves the engine in an unknown state (the time budget
//! stops it mid-run), the thread's engine is thrown away and rebuilt on the next cell.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::mem::ManuallyDrop;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

use boa_engine::builtins::error::{Error, ErrorKind};
use boa_engine::builtins::object::OrdinaryObject;
use boa_engine::error::TryNativeError;
use boa_engine::object::builtins::JsArray;
use boa_engine::object::{FunctionObjectBuilder, ObjectInitializer};
use boa_engine::property::{Attribute, PropertyDescriptor, PropertyKey};
use boa_engine::string::JsStrVariant;
use boa_engine::value::JsVariant;
use boa_engine::{
    Context, JsError, JsNativeError, JsNativeErrorKind, JsObject, JsResult, JsString, JsSymbol,
    JsValue, NativeFunction, Script, Source, js_string,
};
use serde_json::Value;

use super::{Cell, CellError, Limits, MAX_BUILT_LENGTH, over_built_limit};
use crate::user::{Keys, Need, UserRef, member};

/// A JavaScript column source, ready to be compiled by any thread.
#[derive(Debug)]
pub(crate) struct JsProgram {
    id: u64,
    /// The source in a function of `user` ([`PREFIX`] … [`SUFFIX`]): what is checked, and
    /// what runs when `direct` is `None`.
    wrapped: String,
    /// The per-user script with the source in it directly ([`direct_script`]), when it
    /// means the same as calling `wrapped`.
    direct: Option<String>,
    /// The only paths of `user` the source can read, when that is known.
    reads: Option<Keys>,
}

impl JsProgram {
    /// The only attributes of `user` the source can read, or `None` when it may read any.
    pub(crate) fn user_keys(&self) -> Option<&[String]> {
        self.reads.as_ref().map(Keys::names)
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Where the expression starts inside the wrapper (line 3, column 1).
const PREFIX: &str = "(function (user) {\nreturn (\n";
const SUFFIX: &str = "\n);\n})";
const USER_GLOBAL: &str = "__userio_user";
/// What the call script gives when the column threw; the thrown value is then its
/// property `e` (a small object's property: cheaper to set and read than a global).
const THREW_GLOBAL: &str = "__userio_threw";

/// Guards against runaway allocation in natively implemented built-ins (which the loop
/// limit does not see): methods that build or walk huge arrays and strings throw a
/// RangeError beyond `MAX` elements.
const PRELUDE: &str = r#"(function () {
  const MAX = 10000000;
  const err = (what) => new RangeError('sandbox limit: ' + what + ' longer than ' + MAX);
  // Array.prototype's methods are guarded natively (`guard_array_methods`): in boa 0.22 a
  // JavaScript wrapper cost about 5,500 instructions per call, the native guard about 2,200.
  const keepLength = (f, orig) => Object.defineProperty(f, 'length', { value: orig.length });
  for (const name of ['padStart', 'padEnd']) {
    const orig = String.prototype[name];
    Object.defineProperty(String.prototype, name, { configurable: true, writable: true, value: keepLength({
      // An empty fill string leaves the string as it is, however long `n`.
      [name](n, fill) {
        if (n > MAX && (fill === undefined || String(fill) !== '')) throw err('string');
        return orig.call(this, n, fill);
      }
    }[name], orig) });
  }
  const from_ = Array.from;
  Array.from = keepLength(function from(items, mapFn, thisArg) {
    if (items != null && items.length > MAX) throw err('array');
    return from_.call(this, items, mapFn, thisArg);
  }, from_);
})();"#;

impl JsProgram {
    /// Checks the syntax of `source` (the expression) and prepares it.
    pub(crate) fn compile(source: &str) -> Result<JsProgram, (usize, String)> {
        let wrapped = format!("{PREFIX}{source}{SUFFIX}");
        let direct = with_engine(|engine| {
            let parse = |text: &str, ctx: &mut Context| {
                Script::parse(Source::from_bytes(text.as_bytes()), None, ctx)
            };
            if let Err(e) = parse(&wrapped, &mut engine.ctx) {
                let message = error_message(&e, &mut engine.ctx);
                let (text, offset) = syntax_error(source, &message);
                return Err((offset.unwrap_or(usize::MAX), text.to_owned()));
            }
            if !is_one_expression(&wrapped) {
                // In brackets the code after the early `)` is a syntax error, which boa
                // places: that is where the expression stops being one.
                let open = PREFIX.trim_end_matches('\n');
                let bracketed = format!("{open}[\n{source}\n]{SUFFIX}");
                let offset = match parse(&bracketed, &mut engine.ctx) {
                    Err(e) => syntax_error(source, &error_message(&e, &mut engine.ctx)).1,
                    Ok(_) => None,
                };
                return Err((offset.unwrap_or(usize::MAX), NOT_ONE_EXPRESSION.to_string()));
            }
            let direct = direct_script(source);
            Ok(direct.filter(|text| parse(text, &mut engine.ctx).is_ok()))
        })
        .map_err(|e| (0, e.message))??;
        Ok(JsProgram {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            wrapped,
            direct,
            reads: user_paths(source).map(|paths| {
                let mut keys = Keys::default();
                paths.iter().for_each(|path| keys.add_path(path));
                keys
            }),
        })
    }

    /// Evaluates the program for one user.
    pub(crate) fn eval(
        &self,
        user: UserRef<'_>,
        limits: &Limits,
    ) -> Result<Cell<'static>, CellError> {
        self.run(user, limits, Engine::cell_of)
    }

    /// Evaluates the program for one user and appends the cell text to `out` (a string
    /// with no `String` made for it); on error `out` is left as it was.
    pub(crate) fn write_text(
        &self,
        user: UserRef<'_>,
        limits: &Limits,
        out: &mut String,
    ) -> Result<(), CellError> {
        self.run(user, limits, |engine, value| match value.as_string() {
            Some(s) => {
                push_js_string(&s, out);
                Ok(())
            }
            None => engine.cell_of(value).map(|cell| cell.write_text(out)),
        })
    }

    /// Runs the program for one user and gives its value to `then`.
    fn run<T>(
        &self,
        user: UserRef<'_>,
        limits: &Limits,
        then: impl FnOnce(&mut Engine, JsValue) -> Result<T, CellError>,
    ) -> Result<T, CellError> {
        let result = with_engine(|engine| {
            let value = engine.run(self, user, limits)?;
            then(engine, value).map_err(RunError::Cell)
        });
        match result {
            Ok(Ok(cell)) => Ok(cell),
            Ok(Err(RunError::Cell(e))) => Err(e),
            Ok(Err(RunError::Poisoned(e))) => {
                ENGINE.with(|slot| {
                    if let Some(engine) = slot.borrow_mut().take() {
                        drop(ManuallyDrop::into_inner(engine));
                    }
                });
                Err(e)
            }
            Err(e) => Err(e),
        }
    }
}

/// The script run for each user: `body`, whose completion value is the cell, with a throw
/// caught inside (boa 0.22 leaves a few values on its stack for each exception that leaves
/// a script, and after some hundreds of them every run fails with "maximum stack size").
/// Limits (not catchable) still leave as errors.
fn per_user_script(body: &str) -> String {
    format!("try {{ {body} }} catch (e) {{ {THREW_GLOBAL}.e = e; {THREW_GLOBAL} }}")
}

/// The per-user script with `source` in it directly: `user` a block-scoped binding of this
/// user, then the expression. Calling the column's function costs about 2,000 instructions
/// a cell more (a global lookup, a call, a frame).
///
/// This means what the function means for one expression ([`is_one_expression`]): `this`
/// is the global object in both (the function is sloppy and called without one), and the
/// expression sees the same bindings. The differences are left to the function: the source
/// names `arguments` or `eval` (a direct `eval` declares `var`s in the function, but here
/// in the global scope) or holds a `\u` escape (which can spell those names), or it uses
/// syntax only a function allows (`new.target`), for which the caller finds this script
/// does not parse.
fn direct_script(source: &str) -> Option<String> {
    let names = |word: &str| {
        source.match_indices(word).any(|(at, _)| {
            let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$' || c == '\\';
            !source[..at].ends_with(ident) && !source[at + word.len()..].starts_with(ident)
        })
    };
    // `\u0065val` is `eval`: escapes in names are left to the function too.
    if names("arguments") || names("eval") || source.contains("\\u") {
        return None;
    }
    Some(per_user_script(&format!("let user = {USER_GLOBAL};\n(\n{source}\n)\n")))
}

/// Why a source that closes the wrapper's brackets is refused.
const NOT_ONE_EXPRESSION: &str = "SyntaxError: a column is one expression, but this one \
    closes its brackets early and goes on with more code; to run statements, wrap them in \
    a function called at once: `(() => { …; return value })()`";

/// Whether `wrapped` (known to parse) is the wrapper's one function with one `return`:
/// then the returned expression is exactly `(\n{source}\n)`, the function's `}` and the
/// script's last `)` being the wrapper's own. A source such as `1); (2` is not one
/// expression: it closes the wrapper's `(` early to add a statement.
fn is_one_expression(wrapped: &str) -> bool {
    use boa_engine::ast::{Expression, Statement, StatementListItem};
    let mut parser = boa_engine::parser::Parser::new(Source::from_bytes(wrapped.as_bytes()));
    let scope = boa_engine::ast::scope::Scope::new_global();
    let mut interner = boa_engine::interner::Interner::default();
    let Ok(script) = parser.parse_script(&scope, &mut interner) else { return false };
    fn one(items: &[StatementListItem]) -> Option<&Statement> {
        match items {
            [StatementListItem::Statement(s)] => Some(s),
            _ => None,
        }
    }
    let Some(Statement::Expression(Expression::Parenthesized(p))) =
        one(script.statements().statements())
    else {
        return false;
    };
    let Expression::FunctionExpression(f) = p.expression() else { return false };
    matches!(one(f.body().statements()), Some(Statement::Return(r)) if r.target().is_some())
}

/// A boa syntax error ("… at line L, col C") as its text without that position, whose
/// lines are the wrapper's (the expression starts on line 3), and the byte offset in the
/// expression it maps to (`None` when it is outside it, or there is none).
fn syntax_error<'m>(source: &str, message: &'m str) -> (&'m str, Option<usize>) {
    let Some(cut) = message.rfind(" at line ") else { return (message, None) };
    let number = |s: &str| s.chars().take_while(char::is_ascii_digit).collect::<String>().parse();
    let Some((line, col)) = message[cut + " at line ".len()..].split_once(", col ") else {
        return (message, None);
    };
    let (Ok(line), Ok(col)) = (number(line), number(col)) else { return (message, None) };
    (&message[..cut], source_offset(source, line, col))
}

/// The byte offset in `source` of boa's 1-based `line` (of the wrapper, where the source
/// starts on line 3) and `col` (in characters); `None` outside the source.
fn source_offset(source: &str, line: usize, col: usize) -> Option<usize> {
    let text = source.split('\n').nth(line.checked_sub(3)?)?;
    let start = text.as_ptr() as usize - source.as_ptr() as usize;
    Some(start + text.chars().take(col.saturating_sub(1)).map(char::len_utf8).sum::<usize>())
}

thread_local! {
    /// The thread's engine. `ManuallyDrop`: boa's garbage collector lives in its own
    /// thread-local, which may be torn down first when the thread exits, so the engine is
    /// deliberately leaked at thread exit (it is dropped normally when rebuilt). Boxed:
    /// inline it took 616 bytes of thread-local storage, which a Node addon (loaded with
    /// `dlopen`) takes from glibc's small static TLS reserve; past that reserve the addon
    /// no longer loads ("cannot allocate memory in static TLS block").
    static ENGINE: RefCell<Option<ManuallyDrop<Box<Engine>>>> = const { RefCell::new(None) };
}

/// A column compiled on this thread: its call script and what it reads of users.
#[derive(Clone)]
struct Compiled {
    script: Script,
    /// The attributes of [`JsProgram::reads`], in slot order.
    reads: Rc<[Read]>,
    /// Every member read below an attribute (`b` of `user.a.b`). The user's objects are
    /// handed in with only the members read, which no expression can tell apart as long as
    /// objects inherit none of these names (a getter an expression put on
    /// `Object.prototype` would see the object); when one does, users are handed in whole.
    inner: Rc<[PropertyKey]>,
}

/// A top-level attribute a column reads, and which of its members.
struct Read {
    key: String,
    js_key: JsString,
    need: JsNeed,
}

/// [`Need`] with the engine's strings.
enum JsNeed {
    Whole,
    Members(Vec<(String, JsString, JsNeed)>),
}

impl JsNeed {
    /// `need`, adding each member's key to `inner`.
    fn of(need: &Need, inner: &mut Vec<PropertyKey>) -> JsNeed {
        match need {
            Need::Whole => JsNeed::Whole,
            Need::Members(members) => JsNeed::Members(
                members
                    .iter()
                    .map(|(name, need)| {
                        let js = JsString::from(name.as_str());
                        inner.push(js.clone().into());
                        (name.clone(), js, JsNeed::of(need, inner))
                    })
                    .collect(),
            ),
        }
    }
}

enum RunError {
    /// The cell failed; the engine is fine.
    Cell(CellError),
    /// The cell failed and the engine must be rebuilt.
    Poisoned(CellError),
}

fn with_engine<T>(f: impl FnOnce(&mut Engine) -> T) -> Result<T, CellError> {
    ENGINE.with(|slot| {
        let mut slot = slot.try_borrow_mut().map_err(|_| CellError {
            message: "the JavaScript engine is busy on this thread (re-entrant call)".into(),
        })?;
        if slot.is_none() {
            *slot = Some(ManuallyDrop::new(Box::new(Engine::new()?)));
        }
        match slot.as_mut() {
            Some(engine) => Ok(f(engine)),
            None => Err(CellError { message: "the JavaScript engine could not start".into() }),
        }
    })
}

struct Engine {
    ctx: Context,
    /// Compiled columns by program id.
    programs: HashMap<u64, Compiled, BuildHasherDefault<IdHasher>>,
    /// `__userio_user`, made once.
    user_global: JsString,
    stringify: boa_engine::JsObject,
    keys: KeyCache,
    /// The value of [`THREW_GLOBAL`].
    threw: JsObject,
}

/// Hashes program ids, which are distinct `u64`s: one multiplication instead of SipHash
/// (which cost about 300 instructions a cell in the table lookup).
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write_u64(&mut self, id: u64) {
        self.0 = id.wrapping_mul(0x9E37_79B9_7F4A_7C15); // Fibonacci hashing
    }

    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|&b| self.write_u64(self.0 ^ u64::from(b)));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Most compiled columns a thread keeps (old ones are dropped all at once beyond this).
const MAX_PROGRAMS: usize = 4096;

impl Engine {
    fn new() -> Result<Engine, CellError> {
        let mut ctx = Context::default();
        let fail = |e: JsError, ctx: &mut Context| CellError {
            message: format!("the JavaScript engine could not start: {}", error_message(&e, ctx)),
        };
        if let Err(e) = ctx.eval(Source::from_bytes(PRELUDE)) {
            return Err(fail(e, &mut ctx));
        }
        if let Err(e) = guard_array_methods(&mut ctx) {
            return Err(fail(e, &mut ctx));
        }
        let stringify = match ctx.eval(Source::from_bytes("JSON.stringify")) {
            Ok(v) => v.as_callable(),
            Err(e) => return Err(fail(e, &mut ctx)),
        };
        let Some(stringify) = stringify else {
            return Err(CellError { message: "JSON.stringify is missing".into() });
        };
        let threw = JsObject::with_null_proto();
        // The sentinel is read-only: an expression that assigns it must not turn a later
        // throw into a value.
        if let Err(e) = ctx.register_global_property(
            js_string!(THREW_GLOBAL),
            threw.clone(),
            Attribute::empty(),
        ) {
            return Err(fail(e, &mut ctx));
        }
        let user_global = js_string!(USER_GLOBAL);
        Ok(Engine {
            ctx,
            programs: HashMap::default(),
            user_global,
            stringify,
            keys: KeyCache::new(),
            threw,
        })
    }

    fn compiled(&mut self, program: &JsProgram) -> Result<Compiled, RunError> {
        match self.programs.get(&program.id) {
            Some(c) => Ok(c.clone()),
            // Once per thread and column, on the parser's stack (a new one each time: not
            // for every cell).
            None => super::nesting::on_parser_stack(|| self.compile(program)),
        }
    }

    fn compile(&mut self, program: &JsProgram) -> Result<Compiled, RunError> {
        if self.programs.len() >= MAX_PROGRAMS {
            self.programs.clear();
        }
        let cell = |e: JsError, ctx: &mut Context| {
            RunError::Cell(CellError { message: error_message(&e, ctx) })
        };
        let defined;
        let call = match &program.direct {
            Some(direct) => direct,
            None => {
                defined = self.define_function(program).map_err(|e| cell(e, &mut self.ctx))?;
                &defined
            }
        };
        let script = Script::parse(Source::from_bytes(call.as_bytes()), None, &mut self.ctx)
            .map_err(|e| cell(e, &mut self.ctx))?;
        // Compiled here, on the parser's stack, rather than by the first run.
        script.codeblock(&mut self.ctx).map_err(|e| cell(e, &mut self.ctx))?;
        let mut inner = Vec::new();
        let mut reads = Vec::new();
        if let Some(keys) = &program.reads {
            for (slot, key) in keys.names().iter().enumerate() {
                let need = JsNeed::of(keys.need(slot), &mut inner);
                reads.push(Read { key: key.clone(), js_key: JsString::from(key.as_str()), need });
            }
        }
        let reads = reads.into();
        let compiled = Compiled { script, reads, inner: inner.into() };
        self.programs.insert(program.id, compiled.clone());
        Ok(compiled)
    }

    /// Defines the column's function (`wrapped`) as a global and gives the per-user script
    /// that calls it.
    fn define_function(&mut self, program: &JsProgram) -> JsResult<String> {
        let func = self.ctx.eval(Source::from_bytes(program.wrapped.as_bytes()))?;
        let name = format!("__userio_column_{}", program.id);
        // Read-only, and put in place directly: a global object an earlier expression froze
        // or made non-extensible still gets it.
        self.ctx.global_object().insert_property(
            js_string!(name.as_str()),
            PropertyDescriptor::builder()
                .value(func)
                .writable(false)
                .enumerable(false)
                .configurable(false),
        );
        // The throw is caught inside the script: boa 0.22 leaves a few values on its stack
        // for each exception that leaves a script, and after some hundreds of them every
        // run fails with "maximum stack size". Limits (not catchable) still leave as errors.
        Ok(per_user_script(&format!("{name}({USER_GLOBAL})")))
    }

    fn run(
        &mut self,
        program: &JsProgram,
        user: UserRef<'_>,
        limits: &Limits,
    ) -> Result<JsValue, RunError> {
        let Compiled { script, reads, inner } = self.compiled(program)?;
        let cell_err = |e: JsError, ctx: &mut Context| {
            RunError::Cell(CellError { message: error_message(&e, ctx) })
        };
        let user_js = match &program.reads {
            // Hand in only what the source reads, as data properties (what `JSON.parse`
            // makes; no setter on the prototype runs).
            Some(_) if user.is_object() => {
                let inherited = !inner.is_empty() && {
                    let proto = self.ctx.intrinsics().constructors().object().prototype();
                    let proto = proto.borrow();
                    inner.iter().any(|k| proto.properties().contains_key(k))
                };
                let obj = new_object(&mut self.ctx);
                for read in reads.iter() {
                    if let Some(v) = user.get(&read.key) {
                        let v = match inherited {
                            false => to_js_part(v, &read.need, &mut self.ctx, &mut self.keys),
                            true => to_js(v, &mut self.ctx, &mut self.keys),
                        };
                        obj.insert_property(read.js_key.clone(), data_property(v));
                    }
                }
                JsValue::from(obj)
            }
            _ => to_js(user.whole(), &mut self.ctx, &mut self.keys),
        };
        // The next cell replaces it; nothing else reads it. Put in place directly, not by
        // [[Set]]: whatever an earlier expression made of the global (an accessor, a frozen
        // global object) the script reads this user, and it costs less.
        self.ctx.global_object().insert_property(self.user_global.clone(), data_property(user_js));
        {
            let rl = self.ctx.runtime_limits_mut();
            rl.set_loop_iteration_limit(limits.loop_iterations);
            rl.set_recursion_limit(limits.recursion);
        }
        let outcome = run_with_deadline(&script, &mut self.ctx, limits.time);
        let value = match outcome {
            Some(Ok(v)) if v.as_object().is_some_and(|o| JsObject::equals(&o, &self.threw)) => {
                let message = match self.threw.get(js_string!("e"), &mut self.ctx) {
                    Ok(v) => thrown_message(v, &mut self.ctx),
                    Err(e) => error_message(&e, &mut self.ctx),
                };
                return Err(RunError::Cell(CellError { message }));
            }
            Some(Ok(v)) => v,
            Some(Err(e)) => return Err(cell_err(e, &mut self.ctx)),
            None => {
                return Err(RunError::Poisoned(CellError {
                    message: format!(
                        "RangeError: time limit of {} ms per cell exceeded",
                        limits.time.as_millis()
                    ),
                }));
            }
        };
        Ok(value)
    }

    fn cell_of(&mut self, v: JsValue) -> Result<Cell<'static>, CellError> {
        Ok(match v.variant() {
            JsVariant::Undefined => Cell::Undefined,
            JsVariant::Null => Cell::Value(std::borrow::Cow::Owned(Value::Null)),
            JsVariant::Boolean(b) => Cell::Value(std::borrow::Cow::Owned(Value::Bool(b))),
            JsVariant::Integer32(i) => Cell::Number(f64::from(i)),
            JsVariant::Float64(f) => Cell::Number(f),
            JsVariant::String(s) => Cell::Str(std::borrow::Cow::Owned(to_rust_string(&s))),
            JsVariant::BigInt(_) => {
                return Err(CellError { message: "TypeError: a BigInt has no cell value".into() });
            }
            JsVariant::Symbol(_) => {
                return Err(CellError { message: "TypeError: a Symbol has no cell value".into() });
            }
            JsVariant::Object(o) => {
                if o.is_callable() {
                    return Err(CellError {
                        message:
                            "TypeError: the expression gave a function, not a value (missing `()`?)"
                                .into(),
                    });
                }
                let s = self
                    .stringify
                    .call(&JsValue::undefined(), std::slice::from_ref(&v), &mut self.ctx)
                    .map_err(|e| CellError { message: error_message(&e, &mut self.ctx) })?;
                match s.as_string() {
                    None => Cell::Undefined,
                    Some(s) => {
                        let text = to_rust_string(&s);
                        let json: Value = serde_json::from_str(&lone_surrogates_replaced(&text))
                            .map_err(|e| CellError {
                                message: format!("the value could not be read back as JSON: {e}"),
                            })?;
                        Cell::Value(std::borrow::Cow::Owned(json))
                    }
                }
            }
        })
    }
}

/// Runs `script`, polling boa's budgeted evaluation and giving up after `limit`.
/// `None` means the time limit tripped (the context is then in an unknown state).
/// `Array.prototype` methods that build or walk arrays: each is replaced by a native guard
/// that throws [`array_limit_error`] when `this.length` is over [`MAX_BUILT_LENGTH`], then
/// calls the original with the very same `this` and arguments.
const GUARDED_ARRAY_METHODS: &[&str] = &[
    "fill",
    "join",
    "map",
    "forEach",
    "filter",
    "some",
    "every",
    "find",
    "findIndex",
    "findLast",
    "findLastIndex",
    "indexOf",
    "includes",
    "flat",
    "flatMap",
    "toString",
    "slice",
    "reverse",
    "sort",
    "toSorted",
    "toReversed",
    "copyWithin",
    "with",
    "reduce",
    "reduceRight",
    "lastIndexOf",
    "concat",
    "splice",
    "toSpliced",
];

/// Puts the guards of [`GUARDED_ARRAY_METHODS`] on `Array.prototype`, keeping each method's
/// `name`, `length` and attributes.
fn guard_array_methods(ctx: &mut Context) -> JsResult<()> {
    let array = ctx.intrinsics().constructors().array().clone();
    let proto = array.prototype();
    // The built-in `Array[Symbol.species]` getter, for `plain_array`.
    let species = (array.constructor().borrow().properties().get(&JsSymbol::species().into()))
        .and_then(|d| d.get().and_then(JsValue::as_object));
    let realm = ctx.realm().clone();
    for name in GUARDED_ARRAY_METHODS {
        let key = JsString::from(*name);
        let Some(orig) = proto.get(key.clone(), ctx)?.as_callable() else { continue };
        let length = orig.get(js_string!("length"), ctx)?.to_length(ctx)?;
        let guard = match (*name, &species) {
            ("map" | "filter", Some(species)) => NativeFunction::from_copy_closure_with_captures(
                guarded_plain,
                (orig, species.clone(), *name == "filter"),
            ),
            ("join", _) => NativeFunction::from_fn_ptr(guarded_join),
            _ => NativeFunction::from_copy_closure_with_captures(guarded_call, orig),
        };
        let guard = FunctionObjectBuilder::new(&realm, guard)
            .name(key.clone())
            .length(usize::try_from(length).unwrap_or(0))
            .constructor(false)
            .build();
        let attributes =
            PropertyDescriptor::builder().value(guard).writable(true).enumerable(false);
        proto.define_property_or_throw(key, attributes.configurable(true), ctx)?;
    }
    Ok(())
}

/// A guarded method's body: `this.length > MAX` (as JavaScript compares) throws, anything
/// else is the original method's call.
fn guarded_call(
    this: &JsValue,
    args: &[JsValue],
    orig: &JsObject,
    ctx: &mut Context,
) -> JsResult<JsValue> {
    stack_left()?;
    if !this.is_null_or_undefined() {
        let length = this.to_object(ctx)?.get(js_string!("length"), ctx)?;
        if length.gt(&JsValue::new(MAX_BUILT_LENGTH as f64), ctx)? {
            return Err(array_limit_error());
        }
    }
    orig.call(this, args, ctx)
}

/// `Array.prototype.join`, guarded, done here: as boa 0.22 does it (the specification, an
/// element that is the array itself joining as empty) but with `length` read once, for the
/// limit and the join. A guard in front of boa's own cost as much as the join.
fn guarded_join(this: &JsValue, args: &[JsValue], ctx: &mut Context) -> JsResult<JsValue> {
    stack_left()?;
    let o = this.to_object(ctx)?;
    let len = length_within_limit(&o, ctx)?;
    let separator = match args.first() {
        Some(v) if !v.is_undefined() => v.to_string(ctx)?,
        _ => js_string!(","),
    };
    let mut parts = Vec::with_capacity((len as usize).saturating_mul(2));
    for k in 0..len {
        if k > 0 {
            parts.push(separator.clone());
        }
        let element = get(&o, k, ctx)?;
        parts.push(match element.is_null_or_undefined() || &element == this {
            true => js_string!(),
            false => element.to_string(ctx)?,
        });
    }
    Ok(JsString::from(&parts[..]).into())
}

/// The guard of `Array.prototype.map` and `filter` (`is_filter`): on a plain array
/// ([`plain_call`]) the method is done here, as the specification does it but with
/// `ArraySpeciesCreate` known to be `ArrayCreate` (in boa 0.22 finding that out costs two
/// thirds of a short map); anything else goes to [`guarded_call`].
fn guarded_plain(
    this: &JsValue,
    args: &[JsValue],
    (orig, species, is_filter): &(JsObject, JsObject, bool),
    ctx: &mut Context,
) -> JsResult<JsValue> {
    stack_left()?;
    match plain_call(this, args, species, ctx)? {
        Some(call) if *is_filter => filter_plain(call, this, ctx),
        Some(call) => map_plain(call, this, ctx),
        None => guarded_call(this, args, orig, ctx),
    }
}

/// `map` on a plain array.
fn map_plain(call: PlainCall, this: &JsValue, ctx: &mut Context) -> JsResult<JsValue> {
    let PlainCall { o, len, callback, this_arg } = call;
    // `A` is built after the calls: nothing can see it before it is returned.
    let mut mapped = Vec::with_capacity(len as usize);
    for k in 0..len {
        mapped.push(match element(&o, k, ctx)? {
            Some(value) => {
                Some(callback.call(&this_arg, &[value, JsValue::new(k), this.clone()], ctx)?)
            }
            None => None,
        });
    }
    if mapped.iter().all(Option::is_some) {
        return Ok(JsArray::from_iter(mapped.into_iter().flatten(), ctx).into());
    }
    let a = JsArray::new(ctx)?;
    for (k, value) in mapped.into_iter().enumerate() {
        if let Some(value) = value {
            a.create_data_property_or_throw(k, value, ctx)?;
        }
    }
    a.set(js_string!("length"), JsValue::new(len), true, ctx)?;
    Ok(a.into())
}

/// `filter` on a plain array.
fn filter_plain(call: PlainCall, this: &JsValue, ctx: &mut Context) -> JsResult<JsValue> {
    let PlainCall { o, len, callback, this_arg } = call;
    let mut kept = Vec::new();
    for k in 0..len {
        if let Some(value) = element(&o, k, ctx)? {
            let args = [value.clone(), JsValue::new(k), this.clone()];
            if callback.call(&this_arg, &args, ctx)?.to_boolean() {
                kept.push(value);
            }
        }
    }
    Ok(JsArray::from_iter(kept, ctx).into())
}

/// Element `k` as `map` and `filter` visit it: `None` for a hole (`HasProperty` is false),
/// else its `Get`. An own element is read in place; a hole may still be found on a
/// prototype, so that is asked the long way.
fn element(o: &JsObject, k: u32, ctx: &mut Context) -> JsResult<Option<JsValue>> {
    if let Some(value) = array_own_data(o, &k.into()) {
        return Ok(Some(value));
    }
    Ok(if o.has_property(k, ctx)? { Some(o.get(k, ctx)?) } else { None })
}

/// What [`map_plain`] and [`filter_plain`] work with: a plain array ([`plain_array`]),
/// its length, a callable callback and `thisArg`.
struct PlainCall {
    o: JsObject,
    len: u32,
    callback: JsObject,
    this_arg: JsValue,
}

/// The [`PlainCall`] of `this` and `args`, or `None` when the original method must do the
/// work (not a plain array, or a callback that is not callable: the original throws).
fn plain_call(
    this: &JsValue,
    args: &[JsValue],
    species: &JsObject,
    ctx: &mut Context,
) -> JsResult<Option<PlainCall>> {
    let Some(callback) = args.first().and_then(JsValue::as_callable) else { return Ok(None) };
    let Some((o, len)) = plain_array(this, species, ctx)? else { return Ok(None) };
    let this_arg = args.get(1).cloned().unwrap_or_default();
    Ok(Some(PlainCall { o, len, callback, this_arg }))
}

/// `this` and its length when it is an array (not a proxy) whose `ArraySpeciesCreate` is
/// `ArrayCreate` with no step anyone could observe: its prototype is `Array.prototype`, it
/// has no own `constructor`, `Array.prototype.constructor` is a data property holding
/// `Array`, and `Array[Symbol.species]` is still the built-in getter (`species`). Reading
/// those own properties runs nothing. Over [`MAX_BUILT_LENGTH`] it throws, as the guard does.
fn plain_array(
    this: &JsValue,
    species: &JsObject,
    ctx: &mut Context,
) -> JsResult<Option<(JsObject, u32)>> {
    let Some(o) = this.as_object().filter(JsObject::is_array) else { return Ok(None) };
    let array = ctx.intrinsics().constructors().array();
    let (proto, ctor) = (array.prototype(), array.constructor());
    let constructor = PropertyKey::from(js_string!("constructor"));
    let is = |v: Option<&JsValue>, what: &JsObject| {
        v.and_then(JsValue::as_object).is_some_and(|v| JsObject::equals(&v, what))
    };
    let plain = o.prototype().is_some_and(|p| JsObject::equals(&p, &proto))
        && !o.borrow().properties().contains_key(&constructor)
        && proto.borrow().properties().get(&constructor).is_some_and(|d| is(d.value(), &ctor))
        && (ctor.borrow().properties().get(&JsSymbol::species().into()))
            .is_some_and(|d| is(d.get(), species));
    if !plain {
        return Ok(None);
    }
    let length = length_within_limit(&o, ctx)?;
    Ok(Some((o, length as u32)))
}

/// `LengthOfArrayLike(o)`, or [`array_limit_error`] over [`MAX_BUILT_LENGTH`].
fn length_within_limit(o: &JsObject, ctx: &mut Context) -> JsResult<u64> {
    let length = get(o, js_string!("length"), ctx)?.to_length(ctx)?;
    if length > MAX_BUILT_LENGTH as u64 {
        return Err(array_limit_error());
    }
    Ok(length)
}

/// `Get(o, key)`, an array's own data property read in place ([`array_own_data`]).
fn get(o: &JsObject, key: impl Into<PropertyKey>, ctx: &mut Context) -> JsResult<JsValue> {
    let key = key.into();
    match array_own_data(o, &key) {
        Some(value) => Ok(value),
        None => o.get(key, ctx),
    }
}

/// `o[key]` when `o` is an array and that is an own data property: what `Get` gives, read
/// with no lookup along the prototypes and nothing run (an array's own data properties are
/// ordinary ones; its `length` always is one). `None`: ask `Get`.
#[inline]
fn array_own_data(o: &JsObject, key: &PropertyKey) -> Option<JsValue> {
    if !o.is_array() {
        return None;
    }
    o.borrow().properties().get(key)?.value().cloned()
}

/// Stack a guarded built-in leaves free for the one level of boa's own recursion that runs
/// before the next check (tens of KB unoptimised).
const STACK_RESERVE: usize = 512 * 1024;

/// V8's `RangeError` when the thread's stack is nearly used up. boa's built-ins recurse
/// natively without looking (`String(a)` of arrays nested by a loop recurses through
/// `join` once per level), and running out of stack aborts the process; the guarded
/// built-ins ([`guard_array_methods`]) are on that path and check here.
fn stack_left() -> JsResult<()> {
    match stacker::remaining_stack() {
        Some(left) if left < STACK_RESERVE => {
            Err(JsNativeError::range().with_message("Maximum call stack size exceeded").into())
        }
        _ => Ok(()),
    }
}

/// The `RangeError` of a guarded built-in over [`MAX_BUILT_LENGTH`] (the prelude's words).
fn array_limit_error() -> JsError {
    let message = over_built_limit("array");
    JsNativeError::range().with_message(message).into()
}

fn run_with_deadline(
    script: &Script,
    ctx: &mut Context,
    limit: Duration,
) -> Option<Result<JsValue, JsError>> {
    let start = Instant::now();
    let fut = script.evaluate_async_with_budget(ctx, 20_000);
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(Waker::noop());
    loop {
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(r) => return Some(r),
            Poll::Pending => {
                if start.elapsed() > limit {
                    return None;
                }
            }
        }
    }
}

/// A JSON value as `JSON.parse` gives it (as boa's `JsValue::from_json`), but with objects
/// of shared shapes: users' objects mostly have the same keys in the same order, so they
/// share one shape per layout, which is cheaper to build and lets boa's property caches
/// work on `i.provider`-style reads (`from_json` gives each object a shape of its own).
fn to_js(json: &Value, ctx: &mut Context, keys: &mut KeyCache) -> JsValue {
    match json {
        Value::Null => JsValue::null(),
        Value::Bool(b) => JsValue::new(*b),
        // As `from_json`: an `i32` when the number is one, else an `f64`.
        Value::Number(n) => match n.as_i64().and_then(|i| i32::try_from(i).ok()) {
            Some(i) => JsValue::new(i),
            None => JsValue::new(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => JsValue::from(JsString::from(s.as_str())),
        Value::Array(items) => {
            let items: Vec<JsValue> = items.iter().map(|v| to_js(v, ctx, keys)).collect();
            JsArray::from_iter(items, ctx).into()
        }
        Value::Object(map) => {
            let obj = new_object(ctx);
            for (key, value) in map {
                let value = to_js(value, ctx, keys);
                obj.insert_property(keys.get(key), data_property(value));
            }
            obj.into()
        }
    }
}

/// [`to_js`] of what `need` reads of `json`: of an object, only those members.
fn to_js_part(json: &Value, need: &JsNeed, ctx: &mut Context, keys: &mut KeyCache) -> JsValue {
    match (need, json) {
        (JsNeed::Members(members), Value::Object(map)) => {
            let obj = new_object(ctx);
            for (name, js_key, need) in members {
                if let Some(v) = member(map, name) {
                    let v = to_js_part(v, need, ctx, keys);
                    obj.insert_property(js_key.clone(), data_property(v));
                }
            }
            obj.into()
        }
        _ => to_js(json, ctx, keys),
    }
}

/// Object keys as engine strings, remembered by a small table: users' objects mostly have
/// the same few keys, and making a `JsString` allocates (and gives the collector work).
struct KeyCache(Vec<Option<(Box<str>, JsString)>>);

impl KeyCache {
    /// Entries in the table (a power of two).
    const SIZE: usize = 256;
    /// Longer keys are not remembered.
    const MAX_LEN: usize = 32;

    fn new() -> KeyCache {
        KeyCache(vec![None; KeyCache::SIZE])
    }

    /// `key` as a `JsString`.
    fn get(&mut self, key: &str) -> JsString {
        if key.len() > KeyCache::MAX_LEN {
            return JsString::from(key);
        }
        // FNV-1a: short keys, no need for a strong hash.
        let hash = (key.bytes()).fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let slot = &mut self.0[hash as usize & (KeyCache::SIZE - 1)];
        match slot {
            Some((k, js)) if **k == *key => js.clone(),
            _ => {
                let js = JsString::from(key);
                *slot = Some((key.into(), js.clone()));
                js
            }
        }
    }
}

/// A writable, enumerable, configurable data property (what `JSON.parse` makes).
fn data_property(value: JsValue) -> PropertyDescriptor {
    PropertyDescriptor::builder()
        .value(value)
        .writable(true)
        .enumerable(true)
        .configurable(true)
        .build()
}

/// An empty ordinary object (`{}`), of the shared root shape.
fn new_object(ctx: &mut Context) -> JsObject {
    ObjectInitializer::with_native_data(OrdinaryObject, ctx).build()
}

/// `JSON.stringify`'s text with each lone surrogate it escaped (`\\ud83d`, which no UTF-8
/// text can hold) escaped as U+FFFD instead, as [`to_rust_string`] writes one in a string.
/// Paired surrogates never come escaped: `JSON.stringify` writes the character itself.
fn lone_surrogates_replaced(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains("\\ud") && !text.contains("\\uD") {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        // An escape is `\\` and one ASCII character, or `\\u` and four hex digits.
        let len = if rest.as_bytes().get(at + 1) == Some(&b'u') { 6 } else { 2 };
        let escape = rest.get(at..at + len).unwrap_or(&rest[at..]);
        let lone = len == 6
            && u16::from_str_radix(&escape[2..], 16).is_ok_and(|u| (0xD800..0xE000).contains(&u));
        out.push_str(&rest[..at]);
        out.push_str(if lone { "\\ufffd" } else { escape });
        rest = &rest[at + escape.len()..];
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// A JavaScript string as UTF-8, a lone surrogate becoming U+FFFD (as
/// `to_std_string_lossy`, which goes through `Display` one character at a time).
fn to_rust_string(s: &JsString) -> String {
    let mut out = String::with_capacity(s.len());
    push_js_string(s, &mut out);
    out
}

/// Appends [`to_rust_string`] of `s` to `out`.
fn push_js_string(s: &JsString, out: &mut String) {
    match s.variant() {
        JsStrVariant::Latin1(bytes) if bytes.is_ascii() => {
            out.push_str(std::str::from_utf8(bytes).unwrap_or_default()); // ASCII is UTF-8
        }
        JsStrVariant::Latin1(bytes) => out.extend(bytes.iter().copied().map(char::from)),
        JsStrVariant::Utf16(units) => out.extend(
            char::decode_utf16(units.iter().copied())
                .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER)),
        ),
    }
}

/// The built-in error kinds and their names.
const ERROR_KINDS: [(ErrorKind, &str); 8] = [
    (ErrorKind::Type, "TypeError"),
    (ErrorKind::Range, "RangeError"),
    (ErrorKind::Reference, "ReferenceError"),
    (ErrorKind::Syntax, "SyntaxError"),
    (ErrorKind::Error, "Error"),
    (ErrorKind::Eval, "EvalError"),
    (ErrorKind::Uri, "URIError"),
    (ErrorKind::Aggregate, "AggregateError"),
];

/// The message of a value a column threw. An error object with a string `message` of its
/// own (what the engine throws, and `new TypeError('…')`) gives `TypeError: message`, read
/// in place: no getter of the expression's runs, and it costs a tenth of the engine's
/// conversion to a native error ([`error_message`], which says what anything else gives).
fn thrown_message(thrown: JsValue, ctx: &mut Context) -> String {
    let in_place = thrown.as_object().and_then(|o| {
        let name = {
            let data = o.downcast_ref::<Error>()?;
            ERROR_KINDS.iter().find(|(kind, _)| *data == Error::new(*kind))?.1
        };
        let message = o.borrow().properties().get(&js_string!("message").into())?;
        let message = message.value()?.as_string()?;
        Some(format!("{name}: {}", to_rust_string(&message)))
    });
    in_place.unwrap_or_else(|| error_message(&JsError::from_opaque(thrown), ctx))
}

/// `TypeError: message`, the engine limit that tripped, or `Uncaught <value>`.
fn error_message(e: &JsError, ctx: &mut Context) -> String {
    match e.try_native(ctx) {
        Ok(native) => {
            let kind = match native.kind() {
                JsNativeErrorKind::Aggregate(_) => "AggregateError",
                JsNativeErrorKind::Error => "Error",
                JsNativeErrorKind::Eval => "EvalError",
                JsNativeErrorKind::Range => "RangeError",
                JsNativeErrorKind::Reference => "ReferenceError",
                JsNativeErrorKind::Syntax => "SyntaxError",
                JsNativeErrorKind::Type => "TypeError",
                JsNativeErrorKind::Uri => "URIError",
                _ => "Error",
            };
            format!("{kind}: {}", native.message())
        }
        Err(TryNativeError::EngineError { source }) => {
            format!("RangeError: sandbox limit: {source}")
        }
        Err(_) => match e.as_opaque() {
            // An object displays over several lines: a cell error is one.
            Some(v) => {
                let shown = v.display().to_string();
                format!(
                    "Uncaught {}",
                    shown.split('\n').map(str::trim).collect::<Vec<_>>().join(" ")
                )
            }
            None => format!("Error: {e}"),
        },
    }
}

/// The paths of `user` a source reads when it only ever uses `user` as `user.name` or
/// `user?.name` (and never `user` whole, `this`, `arguments`, `eval`, …): `user.a?.b.c(…)`
/// reads `[a, b, c]`, the value at its end whole and each object before it only for the
/// next member. A chain ends before anything but `.name` / `?.name` on the same line, and
/// before a name that objects inherit (`user.a.toString()` reads `a` whole). `None` means
/// the whole user is needed.
///
/// Paths go below the top level only when the source cannot reach `Object.prototype` to put
/// a getter there that would see an object handed in with only some members
/// ([`can_reach_prototypes`]); the engine checks the names read against `Object.prototype`
/// before each call for what other expressions put there.
fn user_paths(source: &str) -> Option<Vec<Vec<&str>>> {
    const WHOLE: &[&str] =
        &["this", "arguments", "eval", "Function", "globalThis", "with", "import", "__userio"];
    if !source.is_ascii() || source.contains('\\') {
        return None;
    }
    let b = source.as_bytes();
    let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80;
    // The member name of a `.name` or `?.name` at `j` (spaces allowed around the dot).
    let member = |mut j: usize| -> Option<(usize, usize)> {
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        if source[j..].starts_with("?.") {
            j += 2;
        } else if source[j..].starts_with('.') {
            j += 1;
        } else {
            return None;
        }
        while j < b.len() && b[j] == b' ' {
            j += 1;
        }
        let k = j;
        while j < b.len() && is_ident(b[j]) {
            j += 1;
        }
        (k < j && !b[k].is_ascii_digit()).then_some((k, j))
    };
    let mut paths: Vec<Vec<&str>> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !is_ident(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_ident(b[i]) {
            i += 1;
        }
        let word = &source[start..i];
        if WHOLE.iter().any(|w| word.contains(w)) {
            return None;
        }
        if word != "user" || (start > 0 && b[start - 1] == b'.') {
            continue;
        }
        // `user` as a variable: it must be followed by `.name` or `?.name`, and not by a
        // name every object has (`user.hasOwnProperty(…)` sees the whole object).
        let (k, j) = member(i)?;
        let mut path = vec![&source[k..j]];
        if super::native::parse::is_prototype_name(path[0]) {
            return None;
        }
        i = j;
        while let Some((k, j)) = member(i) {
            let name = &source[k..j];
            if super::native::parse::is_prototype_name(name) {
                break;
            }
            path.push(name);
            i = j;
        }
        paths.push(path);
    }
    if can_reach_prototypes(source) {
        paths.iter_mut().for_each(|p| p.truncate(1));
    }
    Some(paths)
}

/// Whether `source` might get hold of a prototype object: it names one of the ways
/// (`Object`, `Reflect`, `__proto__`, `prototype`, `constructor`, `__defineGetter__`, …,
/// in any case, even inside a string), or computes a member name (`x[k]`: anything in
/// brackets but an index or nothing).
fn can_reach_prototypes(source: &str) -> bool {
    const WAYS: &[&str] = &[
        "object",
        "reflect",
        "proto",
        "constructor",
        "define",
        "lookup",
        "proxy",
        "class",
        "super",
    ];
    let lower = source.to_ascii_lowercase();
    if WAYS.iter().any(|w| lower.contains(w)) {
        return true;
    }
    source.split('[').skip(1).any(|after| {
        let inside = after.split(']').next().unwrap_or(after);
        after.len() == inside.len() || !inside.trim().bytes().all(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use boa_engine::JsString;

    use super::{JsProgram, lone_surrogates_replaced, to_rust_string, user_paths};

    #[test]
    fn the_prelude_guards_with_the_shared_limit() {
        let max = format!("const MAX = {};", crate::expr::MAX_BUILT_LENGTH);
        assert!(super::PRELUDE.contains(&max), "{max}");
    }

    #[test]
    fn most_sources_run_directly_in_the_per_user_script() {
        let direct = |s: &str| JsProgram::compile(s).expect("compiles").direct.is_some();
        assert!(direct("user.email"));
        assert!(direct("[user.a, user.b].filter(Boolean).join(' ')"));
        assert!(direct("user.evaluation + user.arguments_count")); // names, not the words
        // What only the function gives: its `arguments`, a direct `eval`'s own scope, a
        // name spelled with an escape, `new.target`.
        assert!(!direct("arguments[0].email"));
        assert!(!direct("eval('user.email')"));
        assert!(!direct("typeof \\u0061rguments"));
        assert!(!direct("typeof new.target"));
    }

    #[test]
    fn strings_convert_as_the_lossy_display_does() {
        let lone = [0x61, 0xD83D, 0x62]; // 'a', half of an emoji, 'b'
        let emoji: Vec<u16> = "x😀é".encode_utf16().collect();
        for s in [
            JsString::from("plain ascii"),
            JsString::from("café"), // Latin-1, not ASCII
            JsString::from(&emoji[..]),
            JsString::from(&lone[..]),
            JsString::from(""),
        ] {
            assert_eq!(to_rust_string(&s), s.to_std_string_lossy());
        }
        assert_eq!(to_rust_string(&JsString::from(&lone[..])), "a\u{FFFD}b");
    }

    #[test]
    fn escaped_halves_of_characters_become_u_fffd_escapes() {
        // JSON.stringify's text: a half, an escaped backslash before `ud83d` (text, not a
        // half), an escaped backslash right before a half, an escape that is whole, and an
        // upper-case half.
        let text = r#"["\ud83d","\\ud83d","\\\ude00x","\u00e9","\uD800"]"#;
        let json: serde_json::Value =
            serde_json::from_str(&lone_surrogates_replaced(text)).expect("JSON");
        let want = serde_json::json!(["\u{FFFD}", "\\ud83d", "\\\u{FFFD}x", "é", "\u{FFFD}"]);
        assert_eq!(json, want);
        let upper: serde_json::Value =
            serde_json::from_str(&lone_surrogates_replaced(r#"["\uDE00"]"#)).expect("JSON");
        assert_eq!(upper, serde_json::json!(["\u{FFFD}"]));
        let plain = lone_surrogates_replaced(r#"["\n","é"]"#);
        assert!(matches!(plain, std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn keys_read_by_a_source() {
        let k = |s: &str| {
            let paths = user_paths(s)?;
            Some(paths.iter().map(|p| p.join(".")).collect::<Vec<_>>())
        };
        assert_eq!(
            k("user.a || user?.b.c + user.a"),
            Some(vec!["a".into(), "b.c".into(), "a".into()])
        );
        assert_eq!(k("Math.max(user.x, 1)"), Some(vec!["x".into()]));
        // A chain ends at anything but `.name` / `?.name`, and before an inherited name.
        assert_eq!(
            k("user.a ?. b .c[0] + user.e.f.toString() + user.g\n.h + user.i?.[0] + user.j ?.5:1"),
            Some(vec!["a.b.c".into(), "e.f".into(), "g".into(), "i".into(), "j".into()])
        );
        assert_eq!(k("user.a.b.map(x => x.c).join()"), Some(vec!["a.b".into()]));
        assert_eq!(k("(user.a.b || [])[0] + user.c.d"), Some(vec!["a.b".into(), "c.d".into()]));
        // Only top-level attributes for a source that could put a getter on a prototype.
        for source in [
            "(Object.defineProperty(Object.prototype, 'n', { get() { return 1 } }), user.a.n)",
            "(({})['__pro' + 'to__'].n = 1, user.a.n)",
            "[user.a.b, user.c.d]",
            "({}).constructor, user.a.b",
            "user.a.b.__lookupGetter__",
        ] {
            let paths = user_paths(source).unwrap();
            assert!(paths.iter().all(|p| p.len() == 1), "{source}: {paths:?}");
        }
        for whole in [
            "Object.keys(user)",
            "user['a']",
            "'user'",
            "(user => user.a)(user)",
            "this.__userio_user.a",
            "arguments[0].a",
            "\\u0075ser.a",
            "user.\u{e9}",
            "user.hasOwnProperty('a')",
        ] {
            assert_eq!(k(whole), None, "{whole}");
        }
    }
}
