//! `Column` and `defaultColumns()`: export columns (attribute paths or JavaScript).

use napi::bindgen_prelude::{Either, Error, Result, Status};
use napi_derive::napi;
use serde_json::Value;
use userio_core::expr::{Column, ErrorPolicy, Limits, LimitsError, Tier};

use crate::errors::{NativeError, expr_error, options_error};

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

/// How to build a column: a forced tier and what an export does when a cell fails.
#[napi(object)]
#[derive(Clone, Default)]
pub struct NativeColumnOptions {
    /// `path`, `native` or `js`: build in this tier or fail (default: the fastest that fits).
    pub tier: Option<String>,
    /// `empty` (default), `marker` (write `marker`) or `abort` (stop the export).
    pub on_error: Option<String>,
    /// The text written for a failed cell with `onError: 'marker'`.
    pub marker: Option<String>,
    /// Wall-clock milliseconds a JavaScript cell may take (default 500; at least 1).
    pub time_limit_ms: Option<f64>,
    /// Loop iterations a JavaScript cell may run per function call (default 1,000,000; at
    /// least 1).
    pub loop_limit: Option<f64>,
}

/// One evaluated cell: `text` and `json` (the `JSON.stringify` text), or the `error`
/// message (`TypeError: …`).
#[napi(object)]
pub struct NativeCell {
    /// The CSV text of the cell.
    pub text: Option<String>,
    /// The cell's JSON value as text (`null` for `undefined`).
    pub json: Option<String>,
    /// The JavaScript error message when the expression failed.
    pub error: Option<String>,
}

fn describe(c: &Column) -> NativeColumn {
    NativeColumn {
        name: c.name().to_owned(),
        source: c.source().to_owned(),
        tier: c.tier().as_str().into(),
    }
}

/// The extension's default columns, in its order.
#[napi]
pub fn default_columns() -> Vec<NativeColumn> {
    Column::defaults().iter().map(describe).collect()
}

/// Builds a column as the core does (`Column::new`, or `Column::with_tier` when a tier is
/// forced) with its error policy.
pub fn build_column(
    name: String,
    source: String,
    opts: &NativeColumnOptions,
) -> std::result::Result<Column, Box<NativeError>> {
    let column = match opts.tier.as_deref() {
        None => Column::new(name, source),
        Some(t) => {
            let tier = match t {
                "path" => Tier::Path,
                "native" => Tier::Native,
                "js" => Tier::Js,
                other => {
                    return Err(Box::new(options_error(format!(
                        "tier must be \"path\", \"native\" or \"js\", not {other:?}"
                    ))));
                }
            };
            Column::with_tier(name, source, tier)
        }
    }
    .map_err(|e| Box::new(expr_error(&e)))?;
    let policy = match (opts.on_error.as_deref(), &opts.marker) {
        (None | Some("empty"), _) => ErrorPolicy::Empty,
        (Some("abort"), _) => ErrorPolicy::Abort,
        (Some("marker"), Some(m)) => ErrorPolicy::Marker(m.clone()),
        (Some("marker"), None) => {
            return Err(Box::new(options_error("onError \"marker\" needs a marker string".into())));
        }
        (Some(other), _) => {
            return Err(Box::new(options_error(format!(
                "onError must be \"empty\", \"marker\" or \"abort\", not {other:?}"
            ))));
        }
    };
    Ok(column.with_error_policy(policy).with_limits(limits(opts)?))
}

/// The sandbox limits of `opts` (the JavaScript side has checked they are whole numbers).
fn limits(opts: &NativeColumnOptions) -> std::result::Result<Limits, Box<NativeError>> {
    let whole = |v: Option<f64>| v.map(|v| v.max(0.0) as u64);
    Limits::with(whole(opts.time_limit_ms), whole(opts.loop_limit)).map_err(|e| {
        let name = match e {
            LimitsError::Time => "timeLimitMs",
            LimitsError::Loops => "loopLimit",
        };
        Box::new(options_error(format!("{name}: {e}")))
    })
}

/// A compiled column.
#[napi]
pub struct NativeColumnHandle {
    inner: Column,
}

/// Compiles a column; a bad source or option comes back as data.
#[napi]
pub fn compile_column(
    name: String,
    source: String,
    opts: Option<NativeColumnOptions>,
) -> Either<NativeColumnHandle, NativeError> {
    match build_column(name, source, &opts.unwrap_or_default()) {
        Ok(inner) => Either::A(NativeColumnHandle { inner }),
        Err(e) => Either::B(*e),
    }
}

#[napi]
impl NativeColumnHandle {
    /// Name, source and tier.
    #[napi]
    pub fn describe(&self) -> NativeColumn {
        describe(&self.inner)
    }

    /// Evaluates the column for one user (JSON text).
    #[napi]
    pub fn eval_json(&self, user: String) -> Result<NativeCell> {
        let user: Value = serde_json::from_str(&user).map_err(|e| {
            Error::new(Status::InvalidArg, format!("the user is not valid JSON text: {e}"))
        })?;
        Ok(match self.inner.eval(&user) {
            Ok(cell) => NativeCell {
                text: Some(cell.to_text()),
                json: Some(cell.to_json_text()),
                error: None,
            },
            Err(e) => NativeCell { text: None, json: None, error: Some(e.message) },
        })
    }
}
