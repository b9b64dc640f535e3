//! Evaluation of the native tier's tree with JavaScript's semantics.

use std::borrow::Cow;
use std::rc::Rc;

use serde_json::Value;

use super::parse::{
    ArrowMethod, BinOp, Builtin, Expr, Link, LogOp, MAX_METHOD_ARGS, MathFn, Method, ObjectFn, UnOp,
};
use crate::expr::json::array_index;
use crate::expr::number::is_js_space;
use crate::expr::value::{
    Items, JsVal, clamped_position, find_str, push_joined, relative_index, units_to_string,
    utf16_boundary, utf16_len, utf16_slice, utf16_suffix,
};
use crate::expr::{CellError, MAX_BUILT_LENGTH, over_built_limit};
use crate::user::UserRef;

type R<'u> = Result<JsVal<'u>, CellError>;

fn type_error(message: String) -> CellError {
    CellError { message: format!("TypeError: {message}") }
}

/// Evaluates `expr` for `user`; `locals` has one slot per arrow parameter. Strings the
/// expression writes (`'idle'`) are borrowed from it, like the user's own.
pub(crate) fn eval<'u>(expr: &'u Expr, user: UserRef<'u>, locals: &mut [JsVal<'u>]) -> R<'u> {
    Ok(match expr {
        Expr::Undefined => JsVal::Undefined,
        Expr::Null => JsVal::Null,
        Expr::Bool(b) => JsVal::Bool(*b),
        Expr::Num(n) => JsVal::Num(*n),
        Expr::Str(s) => JsVal::Str(Cow::Borrowed(s)),
        Expr::User => JsVal::from_json(user.whole()),
        Expr::Local(slot) => locals.get(*slot).cloned().unwrap_or(JsVal::Undefined),
        Expr::EmptyObject(_) => JsVal::Json(empty_object()),
        Expr::Array(items) => array(items, user, locals)?,
        Expr::Template(..) | Expr::Binary(BinOp::Concat, ..) => {
            let mut out = String::new();
            push_string(expr, user, locals, &mut out)?;
            JsVal::Str(Cow::Owned(out))
        }
        Expr::Chain(base, links) => chain_from(base, links, user, locals)?,
        Expr::Unary(op, e) => unary(*op, e, user, locals)?,
        Expr::Logical(op, a, b) => {
            let left = operand(a, user, locals)?;
            if takes_left(*op, &left) { left } else { operand(b, user, locals)? }
        }
        Expr::Cond(c, a, b) => {
            if test(c, user, locals)? {
                operand(a, user, locals)?
            } else {
                operand(b, user, locals)?
            }
        }
        Expr::Binary(op, a, b) => {
            let x = operand(a, user, locals)?;
            let y = operand(b, user, locals)?;
            binary(*op, x, y)
        }
        Expr::Call(builtin, args) => call_builtin(*builtin, args, user, locals)?,
    })
}

/// [`eval`] for an operand: literals and `user.key…` are read here, without another call
/// of `eval` (most operands are one of these, and each call costs more than they do).
#[inline(always)]
pub(super) fn operand<'u>(e: &'u Expr, user: UserRef<'u>, locals: &mut [JsVal<'u>]) -> R<'u> {
    match e {
        Expr::Num(n) => Ok(JsVal::Num(*n)),
        Expr::Str(s) => Ok(JsVal::Str(Cow::Borrowed(s))),
        Expr::Local(slot) => Ok(locals.get(*slot).cloned().unwrap_or(JsVal::Undefined)),
        Expr::Chain(base, links) if matches!(**base, Expr::User) => user_chain(links, user, locals),
        _ => eval(e, user, locals),
    }
}

/// `user` followed by `links`: on parsed fields, straight from the attribute the first link
/// names (by its remembered slot).
#[inline(always)]
fn user_chain<'u>(links: &'u [Link], user: UserRef<'u>, locals: &mut [JsVal<'u>]) -> R<'u> {
    let cache = match links.first() {
        Some(Link::Get { cache, .. }) => Some(cache),
        _ => None,
    };
    let (v, rest) = user.start_cached(links, Link::key, cache);
    let cur = v.map_or(JsVal::Undefined, JsVal::from_json);
    if rest.is_empty() { Ok(cur) } else { chain(cur, rest, user, locals) }
}

/// `base` followed by `links` (`user.key…` read in place).
#[inline(always)]
pub(super) fn chain_from<'u>(
    base: &'u Expr,
    links: &'u [Link],
    user: UserRef<'u>,
    locals: &mut [JsVal<'u>],
) -> R<'u> {
    match base {
        Expr::User => user_chain(links, user, locals),
        _ => chain(eval(base, user, locals)?, links, user, locals),
    }
}

/// Whether `a op b` (`&&`, `||`, `??`) gives its left operand, whose value is `left`.
#[inline(always)]
pub(super) fn takes_left(op: LogOp, left: &JsVal<'_>) -> bool {
    match op {
        LogOp::And => !left.truthy(),
        LogOp::Or => left.truthy(),
        LogOp::Coalesce => !left.is_nullish(),
    }
}

/// `ToBoolean` of `e`'s value; a comparison answers without building a boolean value.
pub(super) fn test<'u>(
    e: &'u Expr,
    user: UserRef<'u>,
    locals: &mut [JsVal<'u>],
) -> Result<bool, CellError> {
    match e {
        Expr::Binary(op, a, b) => {
            let x = operand(a, user, locals)?;
            let y = operand(b, user, locals)?;
            Ok(match compare(*op, &x, &y) {
                Some(answer) => answer,
                None => binary(*op, x, y).truthy(),
            })
        }
        Expr::Unary(UnOp::Not, e) => Ok(!test(e, user, locals)?),
        _ => Ok(operand(e, user, locals)?.truthy()),
    }
}

/// The one `{}` of [`Expr::EmptyObject`].
fn empty_object() -> &'static Value {
    static EMPTY: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Value::Object(serde_json::Map::new()))
}

fn array<'u>(items: &'u [Expr], user: UserRef<'u>, locals: &mut [JsVal<'u>]) -> R<'u> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(eval(item, user, locals)?);
    }
    Ok(JsVal::Arr(Rc::new(out)))
}

/// Appends `ToString` of `e`'s value. A concatenation or a template appends its pieces in
/// turn, with no string per `+`: `ToString(ToPrimitive(x))` of each, which for these values
/// is `ToString(x)`.
pub(super) fn push_string<'u>(
    e: &'u Expr,
    user: UserRef<'u>,
    locals: &mut [JsVal<'u>],
    out: &mut String,
) -> Result<(), CellError> {
    match e {
        Expr::Str(s) => out.push_str(s),
        Expr::Binary(BinOp::Concat, a, b) => {
            push_string(a, user, locals, out)?;
            push_string(b, user, locals, out)?;
        }
        Expr::Template(parts, exprs) => {
            for (i, part) in parts.iter().enumerate() {
                out.push_str(part);
                if let Some(e) = exprs.get(i) {
                    push_string(e, user, locals, out)?;
                }
            }
        }
        _ => operand(e, user, locals)?.push_str(out),
    }
    Ok(())
}

fn unary<'u>(op: UnOp, e: &'u Expr, user: UserRef<'u>, locals: &mut [JsVal<'u>]) -> R<'u> {
    let v = eval(e, user, locals)?;
    Ok(match op {
        UnOp::Not => JsVal::Bool(!v.truthy()),
        UnOp::Neg => JsVal::Num(-v.to_num()),
        UnOp::Plus => JsVal::Num(v.to_num()),
        UnOp::TypeOf => JsVal::Str(Cow::Borrowed(v.type_of())),
    })
}

fn call_builtin<'u>(
    builtin: Builtin,
    args: &'u [Expr],
    user: UserRef<'u>,
    locals: &mut [JsVal<'u>],
) -> R<'u> {
    if let Builtin::Math(f @ (MathFn::Max | MathFn::Min)) = builtin {
        // Every argument is evaluated before any is compared (a later one's error comes
        // even after a `NaN`); `ToNumber` can neither fail nor have effects here.
        let max = f == MathFn::Max;
        let (mut best, mut nan) = (if max { f64::NEG_INFINITY } else { f64::INFINITY }, false);
        for a in args {
            let n = operand(a, user, locals)?.to_num();
            // -0 is less than +0 here, as in JavaScript's `Math.max` and `Math.min`.
            let zeros = n == 0.0 && best == 0.0;
            let better = if max {
                n > best || (zeros && best.is_sign_negative())
            } else {
                n < best || (zeros && n.is_sign_negative())
            };
            nan |= n.is_nan();
            if better {
                best = n;
            }
        }
        return Ok(JsVal::Num(if nan { f64::NAN } else { best }));
    }
    let arg = match args.first() {
        Some(a) => Some(operand(a, user, locals)?),
        None => None,
    };
    Ok(match (builtin, arg) {
        (Builtin::String, None) => JsVal::Str(Cow::Borrowed("")),
        (Builtin::String, Some(v)) => JsVal::Str(v.to_str()),
        (Builtin::Number, None) => JsVal::Num(0.0),
        (Builtin::Number, Some(v)) => JsVal::Num(v.to_num()),
        (Builtin::Boolean, v) => JsVal::Bool(v.is_some_and(|v| v.truthy())),
        (Builtin::ArrayIsArray, v) => {
            JsVal::Bool(matches!(v, Some(JsVal::Json(Value::Array(_)) | JsVal::Arr(_))))
        }
        (Builtin::JsonStringify, v) => match v.and_then(|v| v.stringify()) {
            Some(s) => JsVal::Str(Cow::Owned(s)),
            None => JsVal::Undefined,
        },
        (Builtin::Object(f), v) => own_properties(f, v.unwrap_or(JsVal::Undefined))?,
        (Builtin::Math(f), v) => {
            let n = v.map_or(f64::NAN, |v| v.to_num());
            JsVal::Num(match f {
                MathFn::Round => js_round(n),
                MathFn::Floor => n.floor(),
                MathFn::Ceil => n.ceil(),
                MathFn::Trunc => n.trunc(),
                MathFn::Abs => n.abs(),
                MathFn::Sign if n > 0.0 => 1.0,
                MathFn::Sign if n < 0.0 => -1.0,
                // NaN, +0 and -0 are their own sign; `Max` and `Min` were handled above.
                MathFn::Sign | MathFn::Max | MathFn::Min => n,
            })
        }
    })
}

/// `Object.keys(v)`, `Object.values(v)` or `Object.entries(v)`: the own enumerable
/// properties, integer keys first in ascending order and then the others in the order the
/// JSON has them (as JavaScript orders keys); a string's are its UTF-16 units.
fn own_properties<'u>(f: ObjectFn, v: JsVal<'u>) -> R<'u> {
    let entry = |key: Cow<'u, str>, value: JsVal<'u>| match f {
        ObjectFn::Keys => JsVal::Str(key),
        ObjectFn::Values => value,
        ObjectFn::Entries => JsVal::Arr(Rc::new(vec![JsVal::Str(key), value])),
    };
    let index = |i: usize| Cow::Owned(i.to_string());
    let out = match v {
        JsVal::Undefined | JsVal::Null => {
            return Err(type_error("Cannot convert undefined or null to object".into()));
        }
        JsVal::Bool(_) | JsVal::Num(_) => Vec::new(),
        JsVal::Str(s) => {
            let units: Vec<u16> = s.encode_utf16().collect();
            let mut out = Vec::with_capacity(units.len());
            for (i, unit) in units.iter().enumerate() {
                let value = match f {
                    ObjectFn::Keys => JsVal::Undefined,
                    _ => JsVal::Str(Cow::Owned(units_to_string(std::slice::from_ref(unit))?)),
                };
                out.push(entry(index(i), value));
            }
            out
        }
        JsVal::Json(Value::Object(map)) => {
            let mut members: Vec<(&'u String, &'u Value)> = map.iter().collect();
            // Stable: the keys that are not integers keep their order.
            members.sort_by_key(|(k, _)| array_index(k).map_or((1, 0), |i| (0, i)));
            let pairs = members.into_iter();
            pairs.map(|(k, v)| entry(Cow::Borrowed(k.as_str()), JsVal::from_json(v))).collect()
        }
        JsVal::Json(Value::Array(items)) => {
            let items = items.iter().enumerate();
            items.map(|(i, v)| entry(index(i), JsVal::from_json(v))).collect()
        }
        JsVal::Arr(items) => {
            items.iter().enumerate().map(|(i, v)| entry(index(i), v.clone())).collect()
        }
        // `from_json` makes only objects and arrays `Json`.
        JsVal::Json(_) => Vec::new(),
    };
    Ok(JsVal::Arr(Rc::new(out)))
}

/// `Math.round`: to the nearest integer, halves up (towards +∞), keeping the sign of zero
/// (`Math.round(-0.4)` is `-0`). Not `f64::round`, which rounds halves away from zero.
fn js_round(n: f64) -> f64 {
    if !n.is_finite() || n == 0.0 {
        return n;
    }
    if (-0.5..0.0).contains(&n) {
        return -0.0;
    }
    let floor = n.floor();
    // `n - floor` is exact; `n + 0.5` is not (0.49999999999999994 + 0.5 is 1).
    if n - floor >= 0.5 { floor + 1.0 } else { floor }
}

/// Applies `links` to `cur`, left to right.
fn chain<'u>(
    mut cur: JsVal<'u>,
    links: &'u [Link],
    user: UserRef<'u>,
    locals: &mut [JsVal<'u>],
) -> R<'u> {
    let mut links = links.iter();
    while let Some(link) = links.next() {
        if link.optional() && cur.is_nullish() {
            return Ok(JsVal::Undefined);
        }
        cur = match link {
            Link::Get { key, .. } => cur.get(key)?,
            Link::Call { method, args, callee, .. } => {
                // On the stack: a method takes at most `MAX_METHOD_ARGS` (the parser's rule).
                let mut vals: [JsVal<'u>; MAX_METHOD_ARGS] =
                    std::array::from_fn(|_| JsVal::Undefined);
                for (val, a) in vals.iter_mut().zip(args) {
                    *val = operand(a, user, locals)?;
                }
                call_method(cur, *method, &vals[..args.len()], callee)?
            }
            Link::Arrow { method, params, slot, body, callee, .. } => {
                let arrow = Arrow { params: *params, slot: *slot, body };
                let items = arrow_items(&cur, *method, callee)?;
                // `.map(f).join(sep)` with a literal `sep`: join as the items come, with no
                // array in between. (With a computed `sep`, JavaScript evaluates it after
                // the map, so which error comes first could differ; those take the general
                // way.)
                if *method == ArrowMethod::Map
                    && let Some(sep) = links.as_slice().first().and_then(literal_join)
                {
                    links.next();
                    let mut out = String::new();
                    arrow.join_into(items, sep, user, locals, &mut out)?;
                    cur = JsVal::Str(Cow::Owned(out));
                    continue;
                }
                arrow.apply(*method, items, user, locals)?
            }
        };
    }
    Ok(cur)
}

/// The items an [`ArrowMethod`] walks; a `TypeError` for anything but an array
/// (`callee` is the source of the method, for the message).
pub(super) fn arrow_items<'a, 'u>(
    cur: &'a JsVal<'u>,
    method: ArrowMethod,
    callee: &str,
) -> Result<Items<'a, 'u>, CellError> {
    match cur {
        JsVal::Undefined | JsVal::Null => Err(read_error(cur, method.name())),
        v => v.items().ok_or_else(|| type_error(format!("{callee} is not a function"))),
    }
}

/// The arrow function of a `.map` link (or another [`ArrowMethod`]'s).
pub(super) struct Arrow<'u> {
    pub(super) params: usize,
    pub(super) slot: usize,
    pub(super) body: &'u Expr,
}

impl<'u> Arrow<'u> {
    /// The body's value for item `index`, its parameters set in `locals`.
    fn call(
        &self,
        index: usize,
        item: JsVal<'u>,
        user: UserRef<'u>,
        locals: &mut [JsVal<'u>],
    ) -> R<'u> {
        self.bind(index, item, locals);
        eval(self.body, user, locals)
    }

    /// `ToBoolean` of the body's value for item `index` (see [`test`]).
    fn test(
        &self,
        index: usize,
        item: JsVal<'u>,
        user: UserRef<'u>,
        locals: &mut [JsVal<'u>],
    ) -> Result<bool, CellError> {
        self.bind(index, item, locals);
        test(self.body, user, locals)
    }

    /// Sets the parameters: the item, then its index.
    fn bind(&self, index: usize, item: JsVal<'u>, locals: &mut [JsVal<'u>]) {
        if self.params >= 1
            && let Some(local) = locals.get_mut(self.slot)
        {
            *local = item;
        }
        if self.params >= 2
            && let Some(local) = locals.get_mut(self.slot + 1)
        {
            *local = JsVal::Num(index as f64);
        }
    }

    /// `items.method(this)`: the mapped array, the kept items, the item found, ….
    fn apply(
        &self,
        method: ArrowMethod,
        items: Items<'_, 'u>,
        user: UserRef<'u>,
        locals: &mut [JsVal<'u>],
    ) -> R<'u> {
        let mut out = Vec::with_capacity(if method == ArrowMethod::Map { items.len() } else { 0 });
        for (i, item) in items.enumerate() {
            if method == ArrowMethod::Map {
                out.push(self.call(i, item, user, locals)?);
                continue;
            }
            let hit = self.test(i, item.clone(), user, locals)?;
            match method {
                ArrowMethod::Filter if hit => out.push(item),
                ArrowMethod::Find if hit => return Ok(item),
                ArrowMethod::FindIndex if hit => return Ok(JsVal::Num(i as f64)),
                ArrowMethod::Some if hit => return Ok(JsVal::Bool(true)),
                ArrowMethod::Every if !hit => return Ok(JsVal::Bool(false)),
                _ => {}
            }
        }
        Ok(match method {
            ArrowMethod::Map | ArrowMethod::Filter => JsVal::Arr(Rc::new(out)),
            ArrowMethod::Find => JsVal::Undefined,
            ArrowMethod::FindIndex => JsVal::Num(-1.0),
            ArrowMethod::Some => JsVal::Bool(false),
            ArrowMethod::Every => JsVal::Bool(true),
        })
    }

    /// `.map(this).join(sep)`, appended to `out` as the items come.
    pub(super) fn join_into(
        &self,
        items: Items<'_, 'u>,
        sep: &str,
        user: UserRef<'u>,
        locals: &mut [JsVal<'u>],
        out: &mut String,
    ) -> Result<(), CellError> {
        for (i, item) in items.enumerate() {
            push_joined(out, i, sep, &self.call(i, item, user, locals)?);
        }
        Ok(())
    }
}

/// The separator of a `.join()` or `.join('literal')` link.
pub(super) fn literal_join(link: &Link) -> Option<&str> {
    match link {
        Link::Call { method: Method::Join, args, .. } => match args.as_slice() {
            [] => Some(","),
            [Expr::Str(s)] => Some(s),
            _ => None,
        },
        _ => None,
    }
}

/// The `TypeError` of reading `key` of `null` or `undefined` (`base`), made with one
/// allocation: some columns fail this way for many users.
pub(crate) fn read_error(base: &JsVal<'_>, key: &str) -> CellError {
    let what = if matches!(base, JsVal::Null) { "null" } else { "undefined" };
    let head = "TypeError: Cannot read properties of ";
    let pieces = [head, what, " (reading '", key, "')"];
    let mut message = String::with_capacity(pieces.iter().map(|p| p.len()).sum());
    for piece in pieces {
        message.push_str(piece);
    }
    CellError { message }
}

/// [`compare`] of two numbers.
#[inline(always)]
pub(super) fn compare_numbers(op: BinOp, a: f64, b: f64) -> Option<bool> {
    // IEEE comparisons are JavaScript's on numbers: false with NaN, -0 equal to 0.
    Some(match op {
        BinOp::Lt => a < b,
        BinOp::Gt => a > b,
        BinOp::Le => a <= b,
        BinOp::Ge => a >= b,
        BinOp::Eq | BinOp::StrictEq => a == b,
        BinOp::Ne | BinOp::StrictNe => a != b,
        _ => return None,
    })
}

/// The answer of a comparison operator; `None` for the arithmetic ones.
#[inline(always)]
pub(super) fn compare(op: BinOp, x: &JsVal<'_>, y: &JsVal<'_>) -> Option<bool> {
    if let (JsVal::Num(a), JsVal::Num(b)) = (x, y) {
        return compare_numbers(op, *a, *b);
    }
    Some(match op {
        BinOp::Lt => x.less_than(y) == Some(true),
        BinOp::Gt => y.less_than(x) == Some(true),
        BinOp::Le => y.less_than(x) == Some(false),
        BinOp::Ge => x.less_than(y) == Some(false),
        BinOp::Eq => x.loose_eq(y),
        BinOp::Ne => !x.loose_eq(y),
        BinOp::StrictEq => x.strict_eq(y),
        BinOp::StrictNe => !x.strict_eq(y),
        BinOp::Add | BinOp::Concat | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
            return None;
        }
    })
}

pub(super) fn binary<'u>(op: BinOp, x: JsVal<'u>, y: JsVal<'u>) -> JsVal<'u> {
    match op {
        // A `Concat` is evaluated by `push_string`; here only when a condition tests one.
        BinOp::Add | BinOp::Concat => {
            let px = x.into_primitive();
            let py = y.into_primitive();
            if matches!(px, JsVal::Str(_)) || matches!(py, JsVal::Str(_)) {
                let mut s = match px {
                    JsVal::Str(s) => s.into_owned(),
                    other => other.to_str().into_owned(),
                };
                py.push_str(&mut s);
                JsVal::Str(Cow::Owned(s))
            } else {
                JsVal::Num(px.to_num() + py.to_num())
            }
        }
        BinOp::Sub => JsVal::Num(x.to_num() - y.to_num()),
        BinOp::Mul => JsVal::Num(x.to_num() * y.to_num()),
        BinOp::Div => JsVal::Num(x.to_num() / y.to_num()),
        BinOp::Rem => JsVal::Num(x.to_num() % y.to_num()),
        // The comparisons.
        _ => JsVal::Bool(compare(op, &x, &y).unwrap_or(false)),
    }
}

fn call_method<'u>(recv: JsVal<'u>, m: Method, args: &[JsVal<'u>], callee: &str) -> R<'u> {
    let not_fn = || type_error(format!("{callee} is not a function"));
    match &recv {
        JsVal::Undefined | JsVal::Null => Err(read_error(&recv, m.name())),
        JsVal::Str(s) => {
            let s: &str = s;
            Ok(match m {
                Method::ToLowerCase => JsVal::Str(Cow::Owned(s.to_lowercase())),
                Method::ToUpperCase => JsVal::Str(Cow::Owned(s.to_uppercase())),
                Method::Trim => JsVal::Str(Cow::Owned(s.trim_matches(is_js_space).to_owned())),
                Method::Slice => {
                    let len = utf16_len(s);
                    let start = relative_index(args.first(), len, 0);
                    let end = relative_index(args.get(1), len, len);
                    JsVal::Str(Cow::Owned(if start < end {
                        utf16_slice(s, start, end)?
                    } else {
                        String::new()
                    }))
                }
                Method::Includes => {
                    let needle = search_string(args);
                    let pos = clamped_position(args.get(1), utf16_len(s), 0);
                    JsVal::Bool(find_str(utf16_suffix(s, pos), &needle).is_some())
                }
                // A needle that is not empty is whole: it can neither start inside a
                // character nor end inside one, so a position there matches nothing.
                Method::StartsWith => {
                    let needle = search_string(args);
                    let pos = clamped_position(args.get(1), utf16_len(s), 0);
                    JsVal::Bool(match utf16_boundary(s, pos) {
                        Some(at) => s[at..].starts_with(needle.as_ref()),
                        None => needle.is_empty(),
                    })
                }
                Method::EndsWith => {
                    let needle = search_string(args);
                    let len = utf16_len(s);
                    let end = clamped_position(args.get(1), len, len);
                    JsVal::Bool(match utf16_boundary(s, end) {
                        Some(at) => s[..at].ends_with(needle.as_ref()),
                        None => needle.is_empty(),
                    })
                }
                Method::IndexOf => {
                    let needle = search_string(args);
                    let len = utf16_len(s);
                    let pos = clamped_position(args.get(1), len, 0);
                    if needle.is_empty() {
                        JsVal::Num(pos as f64)
                    } else {
                        let rest = utf16_suffix(s, pos);
                        JsVal::Num(match find_str(rest, &needle) {
                            Some(at) => (len - utf16_len(rest) + utf16_len(&rest[..at])) as f64,
                            None => -1.0,
                        })
                    }
                }
                Method::Replace => replace(s, args, false)?,
                Method::ReplaceAll => replace(s, args, true)?,
                Method::Substring => {
                    let len = utf16_len(s);
                    let a = clamped_position(args.first(), len, 0);
                    let b = clamped_position(args.get(1), len, len);
                    JsVal::Str(Cow::Owned(utf16_slice(s, a.min(b), a.max(b))?))
                }
                Method::PadStart => pad(s, args, true)?,
                Method::PadEnd => pad(s, args, false)?,
                Method::TrimStart => {
                    JsVal::Str(Cow::Owned(s.trim_start_matches(is_js_space).into()))
                }
                Method::TrimEnd => JsVal::Str(Cow::Owned(s.trim_end_matches(is_js_space).into())),
                Method::Split => split(s, args)?,
                Method::Join => return Err(not_fn()),
            })
        }
        v => {
            let Some(items) = v.items() else { return Err(not_fn()) };
            let len = items.len();
            Ok(match m {
                Method::Join => {
                    let sep = match args.first() {
                        None | Some(JsVal::Undefined) => Cow::Borrowed(","),
                        Some(v) => v.to_str(),
                    };
                    let mut out = String::new();
                    for (i, item) in items.enumerate() {
                        push_joined(&mut out, i, &sep, &item);
                    }
                    JsVal::Str(Cow::Owned(out))
                }
                Method::Slice => {
                    let start = relative_index(args.first(), len, 0);
                    let end = relative_index(args.get(1), len, len);
                    let out = items.skip(start).take(end.saturating_sub(start)).collect();
                    JsVal::Arr(Rc::new(out))
                }
                Method::Includes => {
                    let needle = args.first().cloned().unwrap_or(JsVal::Undefined);
                    let from = relative_index(args.get(1), len, 0);
                    JsVal::Bool(items.skip(from).any(|x| x.same_value_zero(&needle)))
                }
                Method::IndexOf => {
                    let needle = args.first().cloned().unwrap_or(JsVal::Undefined);
                    let from = relative_index(args.get(1), len, 0);
                    let found = items.skip(from).position(|x| x.strict_eq(&needle));
                    JsVal::Num(found.map_or(-1.0, |i| (from + i) as f64))
                }
                _ => return Err(not_fn()),
            })
        }
    }
}

/// The string a search method looks for: its first argument as a string (`undefined`
/// when there is none, as JavaScript converts it).
fn search_string<'u>(args: &[JsVal<'u>]) -> Cow<'u, str> {
    args.first().map_or(Cow::Borrowed("undefined"), JsVal::to_str)
}

/// `s.replace(search, with)`, or `replaceAll`, with a string to look for (the only kind a
/// native expression can pass). In `with`, `$$`, `$&`, `` $` `` and `$'` are expanded as
/// JavaScript's GetSubstitution does; `$1` and `$<name>` stay as they are (a string search
/// has no groups). `replaceAll('')` on a character outside the Basic Multilingual Plane
/// would put text between its halves: JavaScript's to do.
fn replace<'u>(s: &str, args: &[JsVal<'u>], all: bool) -> R<'u> {
    let search = search_string(args);
    let with = args.get(1).map_or(Cow::Borrowed("undefined"), JsVal::to_str);
    let mut out = String::with_capacity(s.len());
    let (mut copied, mut from) = (0, 0);
    while let Some(at) = find_str(&s[from..], &search).map(|i| i + from) {
        let end = at + search.len();
        out.push_str(&s[copied..at]);
        substitute(&mut out, &with, s, at, end);
        copied = end;
        if !all {
            break;
        }
        from = if search.is_empty() {
            // The next match is one UTF-16 unit on.
            match s[at..].chars().next() {
                None => break,
                Some(c) if c.len_utf16() == 2 => return Err(CellError::lone_surrogate()),
                Some(c) => at + c.len_utf8(),
            }
        } else {
            end
        };
    }
    out.push_str(&s[copied..]);
    Ok(JsVal::Str(Cow::Owned(out)))
}

/// Appends `template` with its `$` patterns expanded for the match `s[start..end]`.
fn substitute(out: &mut String, template: &str, s: &str, start: usize, end: usize) {
    let mut rest = template;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (piece, used) = match after.as_bytes().first() {
            Some(b'$') => ("$", 1),
            Some(b'&') => (&s[start..end], 1),
            Some(b'`') => (&s[..start], 1),
            Some(b'\'') => (&s[end..], 1),
            _ => ("$", 0),
        };
        out.push_str(piece);
        rest = &after[used..];
    }
    out.push_str(rest);
}

/// `s.padStart(n, fill)` (`start`) or `padEnd`: `fill` (a space when missing) repeated and
/// cut to make `s` `n` UTF-16 units long. As in the JavaScript tier, past the sandbox's
/// limit on built strings this is a `RangeError` (unless `fill` is empty: nothing to add).
fn pad<'u>(s: &str, args: &[JsVal<'u>], start: bool) -> R<'u> {
    let fill = match args.get(1) {
        None | Some(JsVal::Undefined) => Cow::Borrowed(" "),
        Some(v) => v.to_str(),
    };
    let n = args.first().map_or(f64::NAN, JsVal::to_num);
    if n > MAX_BUILT_LENGTH as f64 && !fill.is_empty() {
        return Err(CellError { message: format!("RangeError: {}", over_built_limit("string")) });
    }
    // `ToLength`; at most the limit here.
    let n = if n.is_nan() { 0 } else { n.clamp(0.0, MAX_BUILT_LENGTH as f64) as usize };
    let len = utf16_len(s);
    if n <= len || fill.is_empty() {
        return Ok(JsVal::Str(Cow::Owned(s.to_owned())));
    }
    let (need, mut units) = (n - len, 0);
    let mut out = String::with_capacity(s.len() + need);
    if !start {
        out.push_str(s);
    }
    'fill: loop {
        for c in fill.chars() {
            if units == need {
                break 'fill;
            }
            if units + c.len_utf16() > need {
                // The cut falls inside a character: half of it would be left.
                return Err(CellError::lone_surrogate());
            }
            out.push(c);
            units += c.len_utf16();
        }
    }
    if start {
        out.push_str(s);
    }
    Ok(JsVal::Str(Cow::Owned(out)))
}

fn split<'u>(s: &str, args: &[JsVal<'u>]) -> R<'u> {
    let limit = match args.get(1) {
        None | Some(JsVal::Undefined) => u32::MAX as usize,
        Some(v) => {
            let n = v.to_num();
            if n.is_finite() { (n.trunc().rem_euclid(4_294_967_296.0)) as usize } else { 0 }
        }
    };
    let sep = match args.first() {
        None | Some(JsVal::Undefined) => None,
        Some(v) => Some(v.to_str()),
    };
    let mut out: Vec<JsVal<'u>> = Vec::new();
    if limit == 0 {
        return Ok(JsVal::Arr(Rc::new(out)));
    }
    let Some(sep) = sep else {
        out.push(JsVal::Str(Cow::Owned(s.to_owned())));
        return Ok(JsVal::Arr(Rc::new(out)));
    };
    if sep.is_empty() {
        let units: Vec<u16> = s.encode_utf16().collect();
        for u in units.iter().take(limit) {
            out.push(JsVal::Str(Cow::Owned(units_to_string(std::slice::from_ref(u))?)));
        }
    } else {
        for part in s.split(sep.as_ref()).take(limit) {
            out.push(JsVal::Str(Cow::Owned(part.to_owned())));
        }
    }
    Ok(JsVal::Arr(Rc::new(out)))
}
