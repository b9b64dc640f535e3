//! Evaluation of the native tier's tree with JavaScript's semantics.

use std::borrow::Cow;
use std::rc::Rc;

use super::parse::{BinOp, Builtin, Expr, Link, LogOp, Method, UnOp};
use crate::expr::CellError;
use crate::expr::number::is_js_space;
use crate::expr::value::{JsVal, push_join_element, relative_index, utf16_len, utf16_slice};
use crate::user::UserRef;

type R<'u> = Result<JsVal<'u>, CellError>;

fn type_error(message: String) -> CellError {
    CellError { message: format!("TypeError: {message}") }
}

/// Evaluates `expr` for `user`; `locals` has one slot per arrow parameter.
pub(crate) fn eval<'u>(expr: &Expr, user: UserRef<'u>, locals: &mut Vec<JsVal<'u>>) -> R<'u> {
    Ok(match expr {
        Expr::Undefined => JsVal::Undefined,
        Expr::Null => JsVal::Null,
        Expr::Bool(b) => JsVal::Bool(*b),
        Expr::Num(n) => JsVal::Num(*n),
        Expr::Str(s) => JsVal::Str(Cow::Owned(s.clone())),
        Expr::User => JsVal::from_json(user.whole()),
        Expr::Local(slot) => locals.get(*slot).cloned().unwrap_or(JsVal::Undefined),
        Expr::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                out.push(eval(item, user, locals)?);
            }
            JsVal::Arr(Rc::new(out))
        }
        Expr::Template(parts, exprs) => {
            let mut out = String::new();
            for (i, part) in parts.iter().enumerate() {
                out.push_str(part);
                if let Some(e) = exprs.get(i) {
                    eval(e, user, locals)?.push_str(&mut out);
                }
            }
            JsVal::Str(Cow::Owned(out))
        }
        Expr::Chain(base, links) => {
            let (mut cur, links) = match &**base {
                Expr::User => {
                    let (v, rest) = user.start(links, Link::key);
                    (v.map_or(JsVal::Undefined, JsVal::from_json), rest)
                }
                _ => (eval(base, user, locals)?, &links[..]),
            };
            for link in links {
                let optional = match link {
                    Link::Get { optional, .. }
                    | Link::Call { optional, .. }
                    | Link::Map { optional, .. } => *optional,
                };
                if optional && cur.is_nullish() {
                    return Ok(JsVal::Undefined);
                }
                cur = match link {
                    Link::Get { key, .. } => match cur.get(key) {
                        Some(v) => v,
                        None => return Err(read_error(&cur, key)),
                    },
                    Link::Call { method, args, callee, .. } => {
                        let mut vals = Vec::with_capacity(args.len());
                        for a in args {
                            vals.push(eval(a, user, locals)?);
                        }
                        call_method(cur, *method, &vals, callee)?
                    }
                    Link::Map { params, slot, body, .. } => {
                        let items = match &cur {
                            JsVal::Undefined | JsVal::Null => return Err(read_error(&cur, "map")),
                            v if v.is_array() => v.array_items().unwrap_or_default(),
                            _ => return Err(type_error("….map is not a function".into())),
                        };
                        let mut out = Vec::with_capacity(items.len());
                        if locals.len() < slot + params {
                            locals.resize(slot + params, JsVal::Undefined);
                        }
                        for (i, item) in items.into_iter().enumerate() {
                            if *params >= 1 {
                                locals[*slot] = item;
                            }
                            if *params >= 2 {
                                locals[*slot + 1] = JsVal::Num(i as f64);
                            }
                            out.push(eval(body, user, locals)?);
                        }
                        JsVal::Arr(Rc::new(out))
                    }
                };
            }
            cur
        }
        Expr::Unary(op, e) => {
            let v = eval(e, user, locals)?;
            match op {
                UnOp::Not => JsVal::Bool(!v.truthy()),
                UnOp::Neg => JsVal::Num(-v.to_num()),
                UnOp::Plus => JsVal::Num(v.to_num()),
                UnOp::TypeOf => JsVal::Str(Cow::Borrowed(v.type_of())),
            }
        }
        Expr::Logical(op, a, b) => {
            let left = eval(a, user, locals)?;
            let take_left = match op {
                LogOp::And => !left.truthy(),
                LogOp::Or => left.truthy(),
                LogOp::Coalesce => !left.is_nullish(),
            };
            if take_left { left } else { eval(b, user, locals)? }
        }
        Expr::Cond(c, a, b) => {
            if eval(c, user, locals)?.truthy() {
                eval(a, user, locals)?
            } else {
                eval(b, user, locals)?
            }
        }
        Expr::Binary(op, a, b) => {
            let x = eval(a, user, locals)?;
            let y = eval(b, user, locals)?;
            binary(*op, x, y)
        }
        Expr::Call(builtin, args) => {
            let arg = match args.first() {
                Some(a) => Some(eval(a, user, locals)?),
                None => None,
            };
            match (builtin, arg) {
                (Builtin::String, None) => JsVal::Str(Cow::Borrowed("")),
                (Builtin::String, Some(v)) => JsVal::Str(v.to_str()),
                (Builtin::Number, None) => JsVal::Num(0.0),
                (Builtin::Number, Some(v)) => JsVal::Num(v.to_num()),
                (Builtin::JsonStringify, v) => match v.and_then(|v| v.stringify()) {
                    Some(s) => JsVal::Str(Cow::Owned(s)),
                    None => JsVal::Undefined,
                },
            }
        }
    })
}

fn read_error(base: &JsVal<'_>, key: &str) -> CellError {
    let what = if matches!(base, JsVal::Null) { "null" } else { "undefined" };
    type_error(format!("Cannot read properties of {what} (reading '{key}')"))
}

fn binary<'u>(op: BinOp, x: JsVal<'u>, y: JsVal<'u>) -> JsVal<'u> {
    match op {
        BinOp::Add => {
            let px = x.to_primitive();
            let py = y.to_primitive();
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
        BinOp::Lt => JsVal::Bool(x.less_than(&y) == Some(true)),
        BinOp::Gt => JsVal::Bool(y.less_than(&x) == Some(true)),
        BinOp::Le => JsVal::Bool(y.less_than(&x) == Some(false)),
        BinOp::Ge => JsVal::Bool(x.less_than(&y) == Some(false)),
        BinOp::Eq => JsVal::Bool(x.loose_eq(&y)),
        BinOp::Ne => JsVal::Bool(!x.loose_eq(&y)),
        BinOp::StrictEq => JsVal::Bool(x.strict_eq(&y)),
        BinOp::StrictNe => JsVal::Bool(!x.strict_eq(&y)),
    }
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::ToLowerCase => "toLowerCase",
        Method::ToUpperCase => "toUpperCase",
        Method::Trim => "trim",
        Method::Split => "split",
        Method::Join => "join",
        Method::Slice => "slice",
        Method::Includes => "includes",
    }
}

fn call_method<'u>(recv: JsVal<'u>, m: Method, args: &[JsVal<'u>], callee: &str) -> R<'u> {
    let not_fn = || type_error(format!("{callee} is not a function"));
    match &recv {
        JsVal::Undefined | JsVal::Null => Err(read_error(&recv, method_name(m))),
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
                        utf16_slice(s, start, end).unwrap_or_default()
                    } else {
                        String::new()
                    }))
                }
                Method::Includes => {
                    let needle = args.first().map_or(Cow::Borrowed("undefined"), JsVal::to_str);
                    let len = utf16_len(s);
                    let pos = match args.get(1) {
                        None | Some(JsVal::Undefined) => 0,
                        Some(v) => {
                            let n = v.to_num();
                            let n = if n.is_nan() { 0.0 } else { n.trunc() };
                            n.clamp(0.0, len as f64) as usize
                        }
                    };
                    let hay = if pos == 0 {
                        s.to_owned()
                    } else {
                        utf16_slice(s, pos, len).unwrap_or_default()
                    };
                    JsVal::Bool(hay.contains(needle.as_ref()))
                }
                Method::Split => split(s, args),
                Method::Join => return Err(not_fn()),
            })
        }
        v if v.is_array() => {
            let items = v.array_items().unwrap_or_default();
            Ok(match m {
                Method::Join => {
                    let sep = match args.first() {
                        None | Some(JsVal::Undefined) => Cow::Borrowed(","),
                        Some(v) => v.to_str(),
                    };
                    let mut out = String::new();
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push_str(&sep);
                        }
                        push_join_element(&mut out, item);
                    }
                    JsVal::Str(Cow::Owned(out))
                }
                Method::Slice => {
                    let len = items.len();
                    let start = relative_index(args.first(), len, 0);
                    let end = relative_index(args.get(1), len, len);
                    let out = if start < end { items[start..end].to_vec() } else { Vec::new() };
                    JsVal::Arr(Rc::new(out))
                }
                Method::Includes => {
                    let needle = args.first().cloned().unwrap_or(JsVal::Undefined);
                    let len = items.len();
                    let from = relative_index(args.get(1), len, 0);
                    JsVal::Bool(items[from.min(len)..].iter().any(|x| x.same_value_zero(&needle)))
                }
                _ => return Err(not_fn()),
            })
        }
        _ => Err(not_fn()),
    }
}

fn split<'u>(s: &str, args: &[JsVal<'u>]) -> JsVal<'u> {
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
        return JsVal::Arr(Rc::new(out));
    }
    let Some(sep) = sep else {
        out.push(JsVal::Str(Cow::Owned(s.to_owned())));
        return JsVal::Arr(Rc::new(out));
    };
    if sep.is_empty() {
        let units: Vec<u16> = s.encode_utf16().collect();
        for u in units.iter().take(limit) {
            out.push(JsVal::Str(Cow::Owned(String::from_utf16_lossy(std::slice::from_ref(u)))));
        }
    } else {
        for part in s.split(sep.as_ref()).take(limit) {
            out.push(JsVal::Str(Cow::Owned(part.to_owned())));
        }
    }
    JsVal::Arr(Rc::new(out))
}
