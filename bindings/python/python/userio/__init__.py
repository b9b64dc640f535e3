"""userio: validate, query and export Auth0 bulk user files, from Python.

>>> import userio
>>> report = userio.validate(b'[{"email": "jane@example.com"}]')
>>> report.users
1
>>> q = userio.Query("_exists_:email")
>>> q.matches({"email": "jane@example.com"})
True

- :func:`validate` checks users against Auth0's bulk-import schema and returns a
  :class:`ValidationReport` (every problem, with user index, JSON pointer, line, column).
- :class:`Query` parses a Lucene query (Auth0 user-search semantics) and matches dicts;
  :class:`UserIndex` holds a list of users by attribute path for many fast queries.
- :class:`Column` and :func:`default_columns` describe export columns (paths or JavaScript).
- :func:`export` runs query → sort → columns → CSV / JSON / NDJSON over a file or any
  iterable of dicts.
- :func:`convert_csv` and :func:`convert_export` turn a CSV or an Auth0 export into an
  import file.

- :class:`Auth0Client` lists a tenant's database connections, imports files through
  resumable bulk-import jobs and exports a tenant's users.

Every error derives from :class:`UserioError`.

The work happens in Rust (``userio-core``); see docs/python.md for the full API.
"""

from __future__ import annotations

from ._errors import (
    Auth0Error,
    ConvertError,
    ExportError,
    ExpressionError,
    QueryError,
    UserioError,
    ValidationError,
)
from ._auth0 import Auth0Client
from ._types import Auth0IssueDict, CellErrorDict, ErrorDict
from ._userio import (
    Column,
    ErrorDetail,
    convert_csv,
    convert_export,
    ExportProgress,
    ExportSummary,
    Query,
    UserIndex,
    ValidationReport,
    __version__,
    default_columns,
    export,
    validate,
)

__all__ = [
    "Auth0Client",
    "Auth0Error",
    "Auth0IssueDict",
    "CellErrorDict",
    "Column",
    "ConvertError",
    "ErrorDetail",
    "ErrorDict",
    "ExportError",
    "ExportProgress",
    "ExportSummary",
    "ExpressionError",
    "Query",
    "QueryError",
    "UserIndex",
    "UserioError",
    "ValidationError",
    "ValidationReport",
    "__version__",
    "convert_csv",
    "convert_export",
    "default_columns",
    "export",
    "validate",
]
