//! `userio.Column` and `userio.default_columns`: mirrors `userio_core::expr`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use userio_core::expr::{Cell, Column, ErrorPolicy, Limits, LimitsError, Tier};

use crate::{errors, pyjson};

/// One export column: a header ``name`` and a ``source``, either an attribute path
/// (``user.app_metadata.plan``, ``identities[0].provider``) or a JavaScript expression
/// (``user.app_metadata.plan || 'free'``). The source is compiled once, here; a source that
/// does not compile raises :class:`ExpressionError`. ``tier`` tells how it will run:
/// ``"path"``, ``"native"`` or ``"js"``.
///
/// ``tier`` forces a tier (for differential tests and benchmarks): the source must then be in
/// that tier's language, else :class:`ExpressionError`. ``on_error`` says what an export does
/// with a cell whose expression throws: ``"empty"`` (default: an empty cell, counted in
/// ``ExportSummary.cell_errors``), ``"abort"`` (stop the export with :class:`ExportError`,
/// ``code == "cell_error"``), or write ``marker`` when one is given (``on_error="marker"``
/// may be left out then).
///
/// ``time_limit_ms`` (default 500) and ``loop_limit`` (loop iterations per function call,
/// default 1,000,000) bound a JavaScript column's work for one user; past them the cell
/// fails like any other. Both must be at least 1.
#[pyclass(frozen, module = "userio", name = "Column")]
pub struct PyColumn {
    pub(crate) inner: Column,
}

#[pymethods]
impl PyColumn {
    #[new]
    #[pyo3(signature = (
        name, source, *, tier = None, on_error = None, marker = None, time_limit_ms = None,
        loop_limit = None
    ))]
    #[allow(clippy::too_many_arguments)] // Python's keyword arguments
    fn new(
        py: Python<'_>,
        name: String,
        source: String,
        tier: Option<&str>,
        on_error: Option<&str>,
        marker: Option<String>,
        time_limit_ms: Option<u64>,
        loop_limit: Option<u64>,
    ) -> PyResult<Self> {
        let limits = Limits::with(time_limit_ms, loop_limit).map_err(|e| {
            let name = match e {
                LimitsError::Time => "time_limit_ms",
                LimitsError::Loops => "loop_limit",
            };
            PyValueError::new_err(format!("{name}: {e}"))
        })?;
        let policy = match (on_error, marker) {
            (None | Some("empty"), None) => ErrorPolicy::Empty,
            (None | Some("marker"), Some(m)) => ErrorPolicy::Marker(m),
            (Some("abort"), None) => ErrorPolicy::Abort,
            (Some("marker"), None) => {
                return Err(PyValueError::new_err("on_error=\"marker\" needs marker=\"...\""));
            }
            (Some(other), None) => {
                return Err(PyValueError::new_err(format!(
                    "on_error must be \"empty\", \"abort\" or \"marker\", not {other:?}"
                )));
            }
            (Some(other), Some(_)) => {
                return Err(PyValueError::new_err(format!(
                    "marker= goes with on_error=\"marker\" (or no on_error), not {other:?}"
                )));
            }
        };
        let built = match tier {
            None => Column::new(name, source),
            Some(t) => {
                let t = match t {
                    "path" => Tier::Path,
                    "native" => Tier::Native,
                    "js" => Tier::Js,
                    other => {
                        return Err(PyValueError::new_err(format!(
                            "tier must be \"path\", \"native\" or \"js\", not {other:?}"
                        )));
                    }
                };
                Column::with_tier(name, source, t)
            }
        };
        built
            .map(|inner| PyColumn { inner: inner.with_error_policy(policy).with_limits(limits) })
            .map_err(|e| errors::expr_error(py, &e))
    }

    /// The header name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// The source text as given.
    #[getter]
    fn source(&self) -> &str {
        self.inner.source()
    }

    /// How the source is evaluated: ``"path"``, ``"native"`` or ``"js"``.
    #[getter]
    fn tier(&self) -> &'static str {
        self.inner.tier().as_str()
    }

    /// What an export does when this column throws: ``"empty"``, ``"abort"`` or
    /// ``"marker"`` (see :attr:`marker`).
    #[getter]
    fn on_error(&self) -> &'static str {
        match self.inner.error_policy() {
            ErrorPolicy::Empty => "empty",
            ErrorPolicy::Marker(_) => "marker",
            ErrorPolicy::Abort => "abort",
        }
    }

    /// The text written for a failed cell under ``on_error="marker"``, else ``None``.
    #[getter]
    fn marker(&self) -> Option<&str> {
        match self.inner.error_policy() {
            ErrorPolicy::Marker(m) => Some(m),
            _ => None,
        }
    }

    /// Wall-clock milliseconds a JavaScript cell may take.
    #[getter]
    fn time_limit_ms(&self) -> u64 {
        u64::try_from(self.inner.limits().time.as_millis()).unwrap_or(u64::MAX)
    }

    /// Loop iterations a JavaScript cell may run per function call.
    #[getter]
    fn loop_limit(&self) -> u64 {
        self.inner.limits().loop_iterations
    }

    /// The column's value for ``user`` as compact JSON text, exactly as JavaScript's
    /// ``JSON.stringify`` prints it (number format, key order, escapes); ``undefined`` gives
    /// ``"null"``.
    fn json(&self, py: Python<'_>, user: &Bound<'_, PyAny>) -> PyResult<String> {
        let user = pyjson::to_value(user, "user")?;
        Ok(self.cell(py, &user)?.to_json_text())
    }

    /// The column's value for ``user`` as a JSON-like Python value (``None`` for both
    /// JavaScript ``null`` and ``undefined``; see :meth:`is_defined`). An expression that
    /// throws raises :class:`ExpressionError`.
    fn eval<'py>(&self, py: Python<'py>, user: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let user = pyjson::to_value(user, "user")?;
        let cell = self.cell(py, &user)?;
        pyjson::to_py(py, &cell.to_json())
    }

    /// False when the column's value for ``user`` is JavaScript ``undefined`` (a missing
    /// attribute), True otherwise (``null`` included).
    fn is_defined(&self, py: Python<'_>, user: &Bound<'_, PyAny>) -> PyResult<bool> {
        let user = pyjson::to_value(user, "user")?;
        Ok(!matches!(self.cell(py, &user)?, Cell::Undefined))
    }

    /// The column's CSV cell text for ``user``: strings as is, numbers as JavaScript prints
    /// them, ``true``/``false``, empty for null and undefined, compact JSON otherwise.
    fn text(&self, py: Python<'_>, user: &Bound<'_, PyAny>) -> PyResult<String> {
        let user = pyjson::to_value(user, "user")?;
        let mut out = String::new();
        self.cell(py, &user)?.write_text(&mut out);
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!("Column({:?}, {:?})", self.inner.name(), self.inner.source())
    }
}

impl PyColumn {
    fn cell<'u>(&'u self, py: Python<'_>, user: &'u serde_json::Value) -> PyResult<Cell<'u>> {
        self.inner
            .eval(user)
            .map_err(|e| errors::cell_error(py, self.inner.name(), self.inner.source(), &e))
    }
}

/// The columns of the Auth0 extension's *Add default columns* button, in its order and with
/// its names (``Id``, ``Given Name``, …, ``Updated At``).
#[pyfunction]
pub fn default_columns() -> Vec<PyColumn> {
    Column::defaults().into_iter().map(|inner| PyColumn { inner }).collect()
}

/// Registers the column class and function.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyColumn>()?;
    m.add_function(wrap_pyfunction!(default_columns, m)?)
}
