"""TypedDicts describing the plain dicts userio hands out."""

from __future__ import annotations

from typing import Optional, TypedDict


class ErrorDict(TypedDict):
    """One validation problem, as returned by ``ErrorDetail.to_dict()`` and
    ``ValidationError.errors()``."""

    index: Optional[int]
    pointer: str
    code: str
    severity: str
    message: str
    value: Optional[str]
    line: int
    column: int
    byte: int


class Auth0IssueDict(TypedDict):
    """What Auth0's user search would refuse or read differently, from
    ``Query.auth0_issues()``; ``start`` / ``end`` are code-point offsets into the query."""

    code: str
    severity: str
    message: str
    start: int
    end: int


class CellErrorDict(TypedDict):
    """A failed cell, from ``ExportSummary.first_cell_errors``."""

    index: int
    name: str
    message: str
