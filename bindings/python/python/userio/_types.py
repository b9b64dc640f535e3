"""TypedDicts describing the plain dicts userio hands out."""

from __future__ import annotations

from typing import Optional, TypedDict


class ErrorDict(TypedDict):
    """One validation problem, as returned by ``ErrorDetail.to_dict()`` and
    ``ValidationError.errors()``."""

    index: Optional[int]
    pointer: str
    code: str
    message: str
    value: Optional[str]
    line: int
    column: int
    byte: int
