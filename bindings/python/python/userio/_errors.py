"""The exception hierarchy. Raised by the compiled module; every class is re-exported by
``userio``. All of them derive from :class:`UserioError`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional

if TYPE_CHECKING:
    from ._types import ErrorDict
    from ._userio import ValidationReport


class UserioError(Exception):
    """Root of every userio error. ``code`` is a stable snake_case slug when known."""

    code: Optional[str]

    def __init__(self, message: str, **attrs: Any) -> None:
        super().__init__(message)
        self.code = None
        for key, value in attrs.items():
            setattr(self, key, value)


class ValidationError(UserioError, ValueError):
    """Users that break Auth0's import schema. Raised by
    :meth:`ValidationReport.raise_for_errors`; the full report is in ``report``."""

    report: "ValidationReport"

    def errors(self) -> "List[ErrorDict]":
        """Every problem as a plain dict (``index``, ``pointer``, ``code``, ``message``,
        ``value``, ``line``, ``column``, ``byte``)."""
        return [e.to_dict() for e in self.report.errors]

    def error_count(self) -> int:
        """How many problems the report holds."""
        return len(self.report.errors)


class QueryError(UserioError, ValueError):
    """A Lucene query that does not parse.

    ``offset`` is a code-point index into ``query`` (``query[offset]`` is where it went
    wrong), ``byte`` the same place in UTF-8 bytes, ``line`` and ``column`` are 1-based,
    ``excerpt`` is the line with a caret under the spot (also at the end of the message)
    and ``reason`` the message without the position. ``code`` (``unexpected_token``,
    ``unterminated_phrase``, ``empty_group``, …) is stable; ``expected`` and ``found`` say
    what the parser wanted there and what it met."""

    offset: int
    byte: int
    line: int
    column: int
    excerpt: str
    query: str
    reason: str
    expected: str
    found: str


class ExpressionError(UserioError, ValueError):
    """A column source that does not compile, or that failed for one user.

    ``name`` is the column's name and ``source`` its source text; for compile errors
    ``offset`` (code points into ``source``), ``byte`` and ``excerpt`` say where."""

    name: str
    source: str
    reason: str
    offset: Optional[int]
    byte: Optional[int]
    excerpt: Optional[str]

    def __init__(self, message: str, **attrs: Any) -> None:
        self.offset = self.byte = self.excerpt = None
        super().__init__(message, **attrs)


class ExportError(UserioError):
    """An export that failed: the input file is malformed (``code`` such as
    ``json_invalid`` or ``file_truncated``, with ``index`` of the user and ``byte``,
    ``line``, ``column`` in the file), the output could not be written
    (``code == "write_failed"``), a column with ``on_error="abort"`` failed
    (``code == "cell_error"``, with ``index`` and the column's ``name``), or an option
    cannot work (``duplicate_column``, ``invalid_option``, ``temp_file_failed``)."""

    index: Optional[int]
    byte: Optional[int]
    line: Optional[int]
    column: Optional[int]
    name: Optional[str]

    def __init__(self, message: str, **attrs: Any) -> None:
        self.index = self.byte = self.line = self.column = None
        self.name = None
        super().__init__(message, **attrs)


class ConvertError(UserioError):
    """A conversion (:func:`convert_csv`, :func:`convert_export`) that cannot run: an unusable
    CSV header (``code`` such as ``header_conflict``, with ``row``, ``column`` and
    ``header``), unreadable input (``csv_empty``, ``csv_encoding``), or a malformed export
    (``json_invalid``, ``record_not_object``, with ``index``, ``byte``, ``line``, ``column``).
    Cells that do not convert are not raised: they are in the returned report."""

    row: Optional[int]
    column: Optional[int]
    header: Optional[str]
    index: Optional[int]
    byte: Optional[int]
    line: Optional[int]

    def __init__(self, message: str, **attrs: Any) -> None:
        self.row = self.column = self.index = self.byte = self.line = None
        self.header = None
        super().__init__(message, **attrs)


class Auth0Error(UserioError):
    """Errors from the Auth0 Management API client (:class:`Auth0Client`), with a stable ``code``."""


for _cls in (UserioError, ValidationError, QueryError, ExpressionError, ExportError, ConvertError, Auth0Error):
    _cls.__module__ = "userio"
del _cls
