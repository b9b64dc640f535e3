//! `userio.Column` and `userio.default_columns`: mirrors `userio_core::expr`.

use pyo3::prelude::*;
use userio_core::expr::{Cell, Column, Tier};

use crate::{errors, pyjson};

/// One export column: a header ``name`` and a ``source``, either an attribute path
/// (``user.app_metadata.plan``, ``identities[0].provider``) or a JavaScript expression
/// (``user.app_metadata.plan || 'free'``). The source is compiled once, here; a source that
/// does not compile raises :class:`ExpressionError`. ``tier`` tells how it will run:
/// ``"path"``, ``"native"`` or ``"js"``.
#[pyclass(frozen, module = "userio", name = "Column")]
pub struct PyColumn {
    pub(crate) inner: Column,
}

#[pymethods]
impl PyColumn {
    #[new]
    fn new(py: Python<'_>, name: String, source: String) -> PyResult<Self> {
        Column::new(name, source)
            .map(|inner| PyColumn { inner })
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
        match self.inner.tier() {
            Tier::Path => "path",
            Tier::Native => "native",
            Tier::Js => "js",
        }
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
    fn cell<'u>(&self, py: Python<'_>, user: &'u serde_json::Value) -> PyResult<Cell<'u>> {
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
