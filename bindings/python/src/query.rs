//! `userio.Query`: mirrors `userio_core::query`.

use std::borrow::Cow;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use userio_core::query::{DefaultOperator, Matches, Query, QueryOptions, Severity, UserIndex};

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
///
/// ``default_operator="and"`` makes ``a b`` mean ``a AND b`` (default ``"or"``, as Lucene
/// and Auth0). ``auth0_check=True`` also lists what Auth0's user search would refuse or read
/// differently, in :meth:`auth0_issues`.
#[pyclass(frozen, module = "userio", name = "Query")]
pub struct PyQuery {
    pub(crate) inner: Query,
}

#[pymethods]
impl PyQuery {
    #[new]
    #[pyo3(signature = (text, *, default_operator = "or", auth0_check = false))]
    fn new(
        py: Python<'_>,
        text: &str,
        default_operator: &str,
        auth0_check: bool,
    ) -> PyResult<Self> {
        let default_operator = match default_operator.to_ascii_lowercase().as_str() {
            "or" => DefaultOperator::Or,
            "and" => DefaultOperator::And,
            other => {
                return Err(PyValueError::new_err(format!(
                    "default_operator must be \"or\" or \"and\", not {other:?}"
                )));
            }
        };
        let options = QueryOptions { default_operator, auth0_check };
        Query::parse_with(text, &options)
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

    /// With ``auth0_check=True``: what Auth0's user search (v3) would refuse
    /// (``severity == "error"``) or treat differently (``"warning"``), as dicts with
    /// ``code``, ``severity``, ``message`` and the clause's ``start`` / ``end`` (code-point
    /// offsets into the query text). Empty without the check.
    fn auth0_issues<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let text = self.inner.text();
        let out = PyList::empty(py);
        for issue in self.inner.auth0_issues() {
            let d = PyDict::new(py);
            d.set_item("code", issue.code)?;
            d.set_item(
                "severity",
                match issue.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
            )?;
            d.set_item("message", &issue.message)?;
            d.set_item("start", errors::code_points(text, issue.start))?;
            d.set_item("end", errors::code_points(text, issue.end))?;
            out.append(d)?;
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

/// Users held by attribute path, for many queries over one list.
///
/// >>> index = UserIndex([{"name": "Jo", "logins_count": 12}, {"name": "Ann"}])
/// >>> index.positions("logins_count:[10 TO *]")
/// [0]
/// >>> index.count('NOT name:jo')
/// 1
///
/// Built once from the users' JSON form (a snapshot: later changes to the dicts are not
/// seen); each query then scans only the paths it names, with the answers of
/// :meth:`Query.matches` on the users as they were when indexed. ``query`` arguments are a
/// :class:`Query` or its text.
#[pyclass(frozen, module = "userio", name = "UserIndex")]
pub struct PyUserIndex {
    inner: UserIndex,
    users: Py<PyList>,
}

#[pymethods]
impl PyUserIndex {
    #[new]
    fn new(users: &Bound<'_, PyAny>) -> PyResult<Self> {
        let py = users.py();
        let mut inner = UserIndex::new();
        let kept = PyList::empty(py);
        for (index, user) in users.try_iter()?.enumerate() {
            let user = user?;
            let value = pyjson::to_value(&user, &format!("user {index}"))?;
            inner.push(&value).map_err(|e| PyValueError::new_err(e.to_string()))?;
            kept.append(user)?;
        }
        Ok(PyUserIndex { inner, users: kept.unbind() })
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The positions (0-based, ascending) of the users that match ``query``.
    fn positions(&self, query: &Bound<'_, PyAny>) -> PyResult<Vec<usize>> {
        Ok(self.search(query)?.iter().collect())
    }

    /// How many users match ``query``.
    fn count(&self, query: &Bound<'_, PyAny>) -> PyResult<usize> {
        Ok(self.search(query)?.count())
    }

    /// The users that match ``query``, in order: the objects given, not copies.
    fn filter<'py>(&self, query: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyList>> {
        let py = query.py();
        let users = self.users.bind(py);
        let out = PyList::empty(py);
        for i in self.search(query)?.iter() {
            out.append(users.get_item(i)?)?;
        }
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!("<UserIndex of {} users>", self.inner.len())
    }
}

impl PyUserIndex {
    fn search(&self, query: &Bound<'_, PyAny>) -> PyResult<Matches> {
        let query = extract_query(query.py(), query)?;
        Ok(self.inner.search(&query))
    }
}

/// A query argument: a :class:`Query` (borrowed) or its text (parsed; a bad one raises
/// :class:`QueryError`, another type ``TypeError``).
pub(crate) fn extract_query<'q>(
    py: Python<'_>,
    q: &'q Bound<'_, PyAny>,
) -> PyResult<Cow<'q, Query>> {
    if let Ok(q) = q.cast::<PyQuery>() {
        return Ok(Cow::Borrowed(&q.get().inner));
    }
    let text: String = q.extract().map_err(|_| {
        let what = pyjson::type_name(q);
        PyTypeError::new_err(format!("query must be a str or a userio.Query, not {what}"))
    })?;
    Query::parse(&text).map(Cow::Owned).map_err(|e| errors::query_error(py, &text, &e))
}

/// Registers the query classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyQuery>()?;
    m.add_class::<PyUserIndex>()
}
