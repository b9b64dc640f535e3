//! `Column` and `defaultColumns()`: export columns (attribute paths or JavaScript).

use napi::bindgen_prelude::Either;
use napi_derive::napi;
use userio_core::expr::{Column, Tier};

use crate::errors::{NativeError, expr_error};

/// A compiled column, described.
#[napi(object)]
pub struct NativeColumn {
    /// Header name.
    pub name: String,
    /// Source text as given.
    pub source: String,
    /// How it is evaluated: `path`, `native` or `js`.
    pub tier: String,
}

fn describe(c: &Column) -> NativeColumn {
    let tier = match c.tier() {
        Tier::Path => "path",
        Tier::Native => "native",
        Tier::Js => "js",
    };
    NativeColumn { name: c.name().to_owned(), source: c.source().to_owned(), tier: tier.into() }
}

/// The extension's default columns, in its order.
#[napi]
pub fn default_columns() -> Vec<NativeColumn> {
    Column::defaults().iter().map(describe).collect()
}

/// Compiles a column to check it; a bad source comes back as data.
#[napi]
pub fn compile_column(name: String, source: String) -> Either<NativeColumn, NativeError> {
    match Column::new(name, source) {
        Ok(c) => Either::A(describe(&c)),
        Err(e) => Either::B(expr_error(&e)),
    }
}
