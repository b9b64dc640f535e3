//! The shapes columns mostly have, lowered from the tree once per column so that a CSV
//! export writes their cells without walking it.
//!
//! [`Plan::of`] recognises: an attribute path (`user.a.b`), a concatenation or template of
//! literals and values, `a || b` (and `&&`, `??`), `c ? a : b` and
//! `base.map(x => x.a.b).join('sep')`. Each becomes one node that does its whole job in
//! straight-line code: a path walks the JSON in place (the first attribute by slot on
//! projected users), a comparison of numbers compares them. Anything else, and any part of
//! these the shapes do not cover, is evaluated by the tree walk ([`eval`]), so the text is
//! always the tree's: the plan only changes how fast it is found. The expression corpus
//! (`tests/vectors/expr/`) checks every column written both ways against JavaScript.

use std::borrow::Cow;

use serde_json::Value;

use super::eval::{Arrow, arrow_items, binary, compare, compare_numbers, eval, takes_left};
use super::parse::{ArrowMethod, BinOp, Expr, Link, LogOp, UnOp};
use super::write::{map_join, write_value};
use crate::expr::CellError;
use crate::expr::value::{JsVal, push_joined};
use crate::user::{SlotCache, UserRef, member};

type R<'u> = Result<JsVal<'u>, CellError>;

/// How a native column writes its cell text.
#[derive(Debug, Clone)]
pub(crate) enum Plan {
    /// Literal text.
    Text(Box<str>),
    /// A value's cell text.
    Value(Get),
    /// `ToString` of each piece, in turn: `a + ' ' + b`, templates.
    Concat(Vec<Piece>),
    /// `a || b`, `a && b`, `a ?? b`: the left value's text, or the right side's.
    Logical(LogOp, Get, Box<Plan>),
    /// `c ? a : b`.
    Cond(Test, Box<Plan>, Box<Plan>),
    /// `c ? 'text' : 'other text'`: one of two texts, picked by the test alone.
    Choose(Test, [Box<str>; 2]),
    /// `base.map(f).join('sep')`: each item's value, joined as JavaScript joins, with no
    /// array in between. `callee` is the source of the `map` (for its `TypeError`).
    MapJoin { base: Get, optional: bool, item: Item, sep: Box<str>, callee: Box<str> },
    /// Anything else: the tree walk.
    Tree(Expr),
}

/// What a `.map` arrow gives for an item.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    /// `x => x.a.b` (`x => x`: no steps), read in place.
    Path(Vec<Step>),
    /// Any other arrow, evaluated by the tree.
    Arrow { params: usize, slot: usize, body: Expr },
}

/// A value an operand reads. Not recursive, so that reading one is inlined.
#[derive(Debug, Clone)]
pub(crate) enum Get {
    Num(f64),
    Str(Box<str>),
    Path(UserPath),
    /// `path || other` (`&&`, `??`): `(user.identities || [])`.
    Logical(LogOp, UserPath, Box<Expr>),
    Tree(Expr),
}

/// One piece of a concatenation.
#[derive(Debug, Clone)]
pub(crate) enum Piece {
    Text(Box<str>),
    Value(Get),
}

/// The condition of a `? :`: a check, negated by an odd number of `!`. Not recursive, so
/// that testing it is inlined.
#[derive(Debug, Clone)]
pub(crate) struct Test {
    check: Check,
    negated: bool,
}

#[derive(Debug, Clone)]
enum Check {
    /// `user.a.b op number`, or `number op user.a.b` when `swapped`: `user.logins_count > 10`.
    PathNum {
        op: BinOp,
        path: UserPath,
        num: f64,
        swapped: bool,
    },
    /// Any binary operator: comparisons answer directly, the others by their value.
    Binary(BinOp, Get, Get),
    Truthy(Get),
}

/// One `.key` / `?.key` / `["key"]` read.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    key: Box<str>,
    optional: bool,
}

impl Step {
    /// The property read, for [`UserRef::start_cached`].
    fn key(&self) -> Option<&str> {
        Some(&self.key)
    }
}

/// `user.a.b…`: reads only, no calls. The first attribute is found by slot on projected
/// users (see [`SlotCache`]).
#[derive(Debug, Clone)]
pub(crate) struct UserPath {
    /// At least one.
    steps: Vec<Step>,
    first: SlotCache,
}

impl Plan {
    /// The plan of a column's whole expression.
    pub(crate) fn of(expr: &Expr) -> Plan {
        match expr {
            Expr::Str(s) => Plan::Text(s.as_str().into()),
            Expr::Logical(op, a, b) => Plan::Logical(*op, Get::of(a), Box::new(Plan::of(b))),
            Expr::Cond(c, a, b) => match (Plan::of(a), Plan::of(b)) {
                (Plan::Text(a), Plan::Text(b)) => Plan::Choose(Test::of(c), [a, b]),
                (a, b) => Plan::Cond(Test::of(c), Box::new(a), Box::new(b)),
            },
            Expr::Binary(BinOp::Concat, ..) | Expr::Template(..) => {
                let mut pieces = Vec::new();
                concat_pieces(expr, &mut pieces);
                Plan::Concat(pieces)
            }
            Expr::Chain(base, links) => {
                if let Some(path) = UserPath::of(base, links) {
                    return Plan::Value(Get::Path(path));
                }
                Plan::map_join(base, links).unwrap_or_else(|| Plan::Tree(expr.clone()))
            }
            _ => Plan::Tree(expr.clone()),
        }
    }

    /// `base.links` when they end in `.map(f).join('sep')` (see `write::map_join`).
    fn map_join(base: &Expr, links: &[Link]) -> Option<Plan> {
        let (prefix, Link::Arrow { params, slot, body, optional, callee, .. }, sep) =
            map_join(links)?
        else {
            return None;
        };
        let path = match &**body {
            Expr::Local(s) if s == slot && *params == 1 => Some(Vec::new()),
            Expr::Chain(head, links)
                if *params == 1 && matches!(**head, Expr::Local(s) if s == *slot) =>
            {
                steps(links)
            }
            _ => None,
        };
        let item = path.map(Item::Path).unwrap_or_else(|| Item::Arrow {
            params: *params,
            slot: *slot,
            body: (**body).clone(),
        });
        let base = if prefix.is_empty() {
            Get::of(base)
        } else {
            Get::of(&Expr::Chain(Box::new(base.clone()), prefix.to_vec()))
        };
        Some(Plan::MapJoin {
            base,
            optional: *optional,
            item,
            sep: sep.into(),
            callee: callee.as_str().into(),
        })
    }

    /// Whether writing binds arrow parameters (an arrow the plan or its tree parts
    /// evaluate); a plan that does not is written with no locals, which spares setting
    /// them up and dropping them per cell.
    pub(crate) fn uses_locals(&self) -> bool {
        match self {
            Plan::Text(_) => false,
            Plan::Value(get) => get.uses_locals(),
            Plan::Concat(pieces) => {
                pieces.iter().any(|p| matches!(p, Piece::Value(get) if get.uses_locals()))
            }
            Plan::Logical(_, a, b) => a.uses_locals() || b.uses_locals(),
            Plan::Cond(c, a, b) => c.uses_locals() || a.uses_locals() || b.uses_locals(),
            Plan::Choose(c, _) => c.uses_locals(),
            Plan::MapJoin { base, item, .. } => {
                base.uses_locals() || matches!(item, Item::Arrow { .. })
            }
            Plan::Tree(e) => e.has_arrow(),
        }
    }

    /// Appends the cell text for `user` (partly, on error).
    pub(crate) fn write<'u>(
        &'u self,
        user: UserRef<'u>,
        locals: &mut [JsVal<'u>],
        out: &mut String,
    ) -> Result<(), CellError> {
        match self {
            Plan::Text(s) => out.push_str(s),
            Plan::Value(get) => get.write(user, locals, out)?,
            Plan::Concat(pieces) => {
                for piece in pieces {
                    match piece {
                        Piece::Text(s) => out.push_str(s),
                        Piece::Value(get) => get.push_str(user, locals, out)?,
                    }
                }
            }
            Plan::Logical(op, a, b) => {
                let left = a.get(user, locals)?;
                if takes_left(*op, &left) {
                    write_value(left, out);
                } else {
                    // The common right side written here: through `b.write` (a call) `||`
                    // cost 345 instructions a cell instead of 307.
                    match &**b {
                        Plan::Value(get) => get.write(user, locals, out)?,
                        b => b.write(user, locals, out)?,
                    }
                }
            }
            Plan::Choose(c, texts) => {
                let [yes, no] = texts;
                out.push_str(if c.test(user, locals)? { yes } else { no });
            }
            Plan::Cond(c, a, b) => {
                (if c.test(user, locals)? { a } else { b }).write(user, locals, out)?
            }
            Plan::MapJoin { base, optional, item, sep, callee } => {
                let cur = base.get(user, locals)?;
                if *optional && cur.is_nullish() {
                    return Ok(()); // `undefined`: an empty cell.
                }
                match (item, &cur) {
                    (Item::Path(steps), JsVal::Json(Value::Array(items))) => {
                        for (i, v) in items.iter().enumerate() {
                            push_joined(out, i, sep, &find_in(v, steps).value()?);
                        }
                    }
                    (Item::Path(steps), _) => {
                        for (i, v) in arrow_items(&cur, ArrowMethod::Map, callee)?.enumerate() {
                            push_joined(out, i, sep, &walk(v, steps)?);
                        }
                    }
                    (Item::Arrow { params, slot, body }, _) => {
                        let arrow = Arrow { params: *params, slot: *slot, body };
                        arrow.join_into(
                            arrow_items(&cur, ArrowMethod::Map, callee)?,
                            sep,
                            user,
                            locals,
                            out,
                        )?;
                    }
                }
            }
            Plan::Tree(expr) => write_value(eval(expr, user, locals)?, out),
        }
        Ok(())
    }
}

/// The pieces `push_string` appends for `e`, in its order.
fn concat_pieces(e: &Expr, out: &mut Vec<Piece>) {
    match e {
        Expr::Str(s) => out.push(Piece::Text(s.as_str().into())),
        Expr::Binary(BinOp::Concat, a, b) => {
            concat_pieces(a, out);
            concat_pieces(b, out);
        }
        Expr::Template(parts, exprs) => {
            for (i, part) in parts.iter().enumerate() {
                out.push(Piece::Text(part.as_str().into()));
                if let Some(e) = exprs.get(i) {
                    concat_pieces(e, out);
                }
            }
        }
        _ => out.push(Piece::Value(Get::of(e))),
    }
}

impl Get {
    fn of(e: &Expr) -> Get {
        match e {
            Expr::Num(n) => Get::Num(*n),
            Expr::Str(s) => Get::Str(s.as_str().into()),
            Expr::Chain(base, links) => match UserPath::of(base, links) {
                Some(path) => Get::Path(path),
                None => Get::Tree(e.clone()),
            },
            Expr::Logical(op, a, b) => match &**a {
                Expr::Chain(base, links) => match UserPath::of(base, links) {
                    Some(path) => Get::Logical(*op, path, b.clone()),
                    None => Get::Tree(e.clone()),
                },
                _ => Get::Tree(e.clone()),
            },
            _ => Get::Tree(e.clone()),
        }
    }

    fn uses_locals(&self) -> bool {
        match self {
            Get::Num(_) | Get::Str(_) | Get::Path(_) => false,
            Get::Logical(_, _, e) => e.has_arrow(),
            Get::Tree(e) => e.has_arrow(),
        }
    }

    /// Appends the cell text of the value for `user` ([`write_value`]).
    #[inline(always)]
    fn write<'u>(
        &'u self,
        user: UserRef<'u>,
        locals: &mut [JsVal<'u>],
        out: &mut String,
    ) -> Result<(), CellError> {
        self.append(user, locals, out, write_value)
    }

    /// Appends the value for `user` as `+` makes it a string ([`JsVal::push_str`]).
    #[inline(always)]
    fn push_str<'u>(
        &'u self,
        user: UserRef<'u>,
        locals: &mut [JsVal<'u>],
        out: &mut String,
    ) -> Result<(), CellError> {
        self.append(user, locals, out, |v, out| v.push_str(out))
    }

    /// Appends the value for `user` as `text` writes it; a string found on a path is the
    /// same text for both and is appended in place, with no value made and dropped.
    #[inline(always)]
    fn append<'u>(
        &'u self,
        user: UserRef<'u>,
        locals: &mut [JsVal<'u>],
        out: &mut String,
        text: impl FnOnce(JsVal<'u>, &mut String),
    ) -> Result<(), CellError> {
        match self {
            Get::Path(path) => match path.find(user) {
                Found::Json(Value::String(s)) => out.push_str(s),
                found => text(found.value()?, out),
            },
            get => text(get.get(user, locals)?, out),
        }
        Ok(())
    }

    /// The value for `user`.
    #[inline(always)]
    fn get<'u>(&'u self, user: UserRef<'u>, locals: &mut [JsVal<'u>]) -> R<'u> {
        match self {
            Get::Num(n) => Ok(JsVal::Num(*n)),
            Get::Str(s) => Ok(JsVal::Str(Cow::Borrowed(s))),
            Get::Path(path) => path.find(user).value(),
            Get::Logical(op, a, b) => {
                let left = a.find(user).value()?;
                if takes_left(*op, &left) { Ok(left) } else { eval(b, user, locals) }
            }
            Get::Tree(e) => eval(e, user, locals),
        }
    }
}

impl Test {
    fn of(e: &Expr) -> Test {
        let check = match e {
            Expr::Binary(op, a, b) => match (Get::of(a), Get::of(b)) {
                (Get::Path(path), Get::Num(num)) => {
                    Check::PathNum { op: *op, path, num, swapped: false }
                }
                (Get::Num(num), Get::Path(path)) => {
                    Check::PathNum { op: *op, path, num, swapped: true }
                }
                (a, b) => Check::Binary(*op, a, b),
            },
            Expr::Unary(UnOp::Not, e) => {
                let inner = Test::of(e);
                return Test { negated: !inner.negated, ..inner };
            }
            _ => Check::Truthy(Get::of(e)),
        };
        Test { check, negated: false }
    }

    fn uses_locals(&self) -> bool {
        match &self.check {
            Check::PathNum { .. } => false,
            Check::Binary(_, a, b) => a.uses_locals() || b.uses_locals(),
            Check::Truthy(get) => get.uses_locals(),
        }
    }

    /// `ToBoolean` of the condition (as `eval::test`). `path op number` with a number or
    /// nothing at the path is answered in line, the path read in place; the rest out of line.
    #[inline(always)]
    fn test<'u>(&'u self, user: UserRef<'u>, locals: &mut [JsVal<'u>]) -> Result<bool, CellError> {
        let answer = match &self.check {
            Check::PathNum { op, path, num, swapped } => match path.find(user) {
                Found::Json(Value::Number(n)) => {
                    number_test(*op, n.as_f64().unwrap_or(f64::NAN), *num, *swapped) // `from_json`
                }
                // `undefined` and NaN answer alike: false for every comparison with a number,
                // NaN (falsy) for every arithmetic operator.
                Found::Absent => number_test(*op, f64::NAN, *num, *swapped),
                found => path_num_test(*op, found, *num, *swapped)?,
            },
            Check::Binary(op, a, b) => binary_check(*op, a, b, user, locals)?,
            Check::Truthy(get) => truthy_check(get, user, locals)?,
        };
        Ok(answer != self.negated)
    }
}

/// `ToBoolean(x op num)` (`num op x` when `swapped`).
#[inline(always)]
fn number_test(op: BinOp, x: f64, num: f64, swapped: bool) -> bool {
    let (a, b) = if swapped { (num, x) } else { (x, num) };
    match compare_numbers(op, a, b) {
        Some(answer) => answer,
        None => binary(op, JsVal::Num(a), JsVal::Num(b)).truthy(),
    }
}

/// [`number_test`] for what a path found that is neither a number nor absent.
#[inline(never)]
fn path_num_test<'u>(
    op: BinOp,
    found: Found<'u>,
    num: f64,
    swapped: bool,
) -> Result<bool, CellError> {
    let (v, num) = (found.value()?, JsVal::Num(num));
    Ok(if swapped { binary_test(op, num, v) } else { binary_test(op, v, num) })
}

/// `ToBoolean(a op b)` for a test's operands.
#[inline(never)]
fn binary_check<'u>(
    op: BinOp,
    a: &'u Get,
    b: &'u Get,
    user: UserRef<'u>,
    locals: &mut [JsVal<'u>],
) -> Result<bool, CellError> {
    let x = a.get(user, locals)?;
    let y = b.get(user, locals)?;
    Ok(binary_test(op, x, y))
}

/// `ToBoolean` of a test's operand.
#[inline(never)]
fn truthy_check<'u>(
    get: &'u Get,
    user: UserRef<'u>,
    locals: &mut [JsVal<'u>],
) -> Result<bool, CellError> {
    Ok(get.get(user, locals)?.truthy())
}

/// `ToBoolean(x op y)`; a comparison answers without building a boolean value.
#[inline(always)]
fn binary_test<'u>(op: BinOp, x: JsVal<'u>, y: JsVal<'u>) -> bool {
    match compare(op, &x, &y) {
        Some(answer) => answer,
        None => binary(op, x, y).truthy(),
    }
}

/// The steps of `links` when they are all reads.
fn steps(links: &[Link]) -> Option<Vec<Step>> {
    links
        .iter()
        .map(|link| match link {
            Link::Get { key, optional, .. } => {
                Some(Step { key: key.as_str().into(), optional: *optional })
            }
            Link::Call { .. } | Link::Arrow { .. } => None,
        })
        .collect()
}

impl UserPath {
    /// `base.links` when `base` is `user` and every link is a read.
    fn of(base: &Expr, links: &[Link]) -> Option<UserPath> {
        if !matches!(base, Expr::User) || links.is_empty() {
            return None;
        }
        Some(UserPath { steps: steps(links)?, first: SlotCache::default() })
    }

    /// Where the path leads for `user` ([`Found::value`] is its value).
    #[inline(always)]
    fn find<'u>(&'u self, user: UserRef<'u>) -> Found<'u> {
        match user.start_cached(&self.steps, Step::key, Some(&self.first)) {
            (Some(v), rest) => find_in(v, rest),
            // Parsed fields are an object's: its member is absent.
            (None, []) => Found::Absent,
            (None, rest) => Found::Walk(None, rest),
        }
    }
}

/// Where a path's reads lead.
enum Found<'u> {
    /// A JSON value, each step having read a member of an object.
    Json(&'u Value),
    /// The last step's object has no such member: `undefined`.
    Absent,
    /// A value that is not an object (`None`: `undefined`) and the steps still to read
    /// from it, as JavaScript does ([`walk`]).
    Walk(Option<&'u Value>, &'u [Step]),
}

impl<'u> Found<'u> {
    /// The value the path gives.
    #[inline(always)]
    fn value(self) -> R<'u> {
        match self {
            Found::Json(v) => Ok(JsVal::from_json(v)),
            Found::Absent => Ok(JsVal::Undefined),
            Found::Walk(cur, rest) => walk(cur.map_or(JsVal::Undefined, JsVal::from_json), rest),
        }
    }
}

/// `steps` read from a JSON value, object members in place.
#[inline(always)]
fn find_in<'u>(mut v: &'u Value, steps: &'u [Step]) -> Found<'u> {
    for (i, step) in steps.iter().enumerate() {
        v = match v {
            Value::Object(map) => match member(map, &step.key) {
                Some(next) => next,
                None if i + 1 == steps.len() => return Found::Absent,
                None => return Found::Walk(None, &steps[i + 1..]),
            },
            _ => return Found::Walk(Some(v), &steps[i..]),
        };
    }
    Found::Json(v)
}

/// `steps` read from `cur` as the tree's chains read them: `?.` on `null` or `undefined`
/// ends the path with `undefined`, a read of them is a `TypeError`. Out of line: the usual
/// reads are members of objects ([`find_in`]).
#[inline(never)]
fn walk<'u>(mut cur: JsVal<'u>, steps: &'u [Step]) -> R<'u> {
    if let JsVal::Json(v @ Value::Object(_)) = cur {
        return find_in(v, steps).value();
    }
    for step in steps {
        if step.optional && cur.is_nullish() {
            return Ok(JsVal::Undefined);
        }
        cur = cur.get(&step.key)?;
    }
    Ok(cur)
}
