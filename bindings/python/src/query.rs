//! `userio.Query`: mirrors `userio_core::query`.

use pyo3::prelude::*;
use pyo3::types::PyList;
use userio_core::query::Query;

use crate::{errors, pyjson};

/// A Lucene query with Auth0 user-search semantics, parsed once and matched in memory.
///
/// >>> q = Query('email:"jane@example.com" OR logins_count:[10 TO *]')
/// >>> q.matches({"email": "jane@example.com"})
/// True
///
/// ``str(q)`` is the canonical form, which parses back to the same query. A query that does
/// not parse raises :class:`QueryError` with ``offset`` (code points), ``line``, ``column``
/// and a caret excerpt in its message.
#[pyclass(frozen, module = "userio", name = "Query")]
pub struct PyQuery {
    pub(crate) inner: Query,
}

#[pymethods]
impl PyQuery {
    #[new]
    fn new(py: Python<'_>, text: &str) -> PyResult<Self> {
        Query::parse(text)
            .map(|inner| PyQuery { inner })
            .map_err(|e| errors::query_error(py, text, &e))
    }

    /// True when ``user`` (a dict of JSON-like values) matches.
    fn matches(&self, user: &Bound<'_, PyAny>) -> PyResult<bool> {
        let user = pyjson::to_value(user, "user")?;
        Ok(self.inner.matches(&user))
    }

    /// The users of ``users`` (any iterable of dicts) that match, as a list of the same
    /// objects, in order. Holds the GIL: each user is converted from Python as it is read.
    fn filter<'py>(&self, users: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let out = PyList::empty(users.py());
        for (index, user) in users.try_iter()?.enumerate() {
            let user = user?;
            let value = pyjson::to_value(&user, &format!("user {index}"))?;
            if self.inner.matches(&value) {
                out.append(user)?;
            }
        }
        Ok(out)
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        format!("Query({:?})", self.inner.to_string())
    }
}

/// Registers the query class.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyQuery>()
}
