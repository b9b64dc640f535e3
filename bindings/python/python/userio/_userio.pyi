"""Type stubs for the compiled module ``userio._userio`` (re-exported by ``userio``).

Kept by hand; ``tests/test_stubs.py`` checks every name here exists at runtime with the
same kind (class / function) and the same parameters.
"""

import os
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    List,
    Literal,
    Mapping,
    Optional,
    Tuple,
    Union,
    final,
    overload,
)

from ._types import Auth0IssueDict, CellErrorDict, ErrorDict

__version__: str
__all__ = [
    "_Auth0Client",
    "Column",
    "ErrorDetail",
    "ExportProgress",
    "ExportSummary",
    "Query",
    "UserIndex",
    "ValidationReport",
    "__version__",
    "convert_csv",
    "convert_export",
    "default_columns",
    "export",
    "validate",
]

_Json = Any
_User = Mapping[str, Any]
_PathLike = Union[str, "os.PathLike[str]"]

@final
class ErrorDetail:
    """One problem found by ``validate``."""

    @property
    def index(self) -> Optional[int]: ...
    @property
    def pointer(self) -> str: ...
    @property
    def code(self) -> str: ...
    @property
    def severity(self) -> Literal["error", "warning"]: ...
    @property
    def message(self) -> str: ...
    @property
    def value(self) -> Optional[str]: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...
    @property
    def byte(self) -> int: ...
    def to_dict(self) -> ErrorDict: ...

@final
class ValidationReport:
    """The outcome of ``validate``."""

    @property
    def ok(self) -> bool: ...
    @property
    def users(self) -> int: ...
    @property
    def valid(self) -> int: ...
    @property
    def truncated(self) -> bool: ...
    @property
    def errors(self) -> List[ErrorDetail]: ...
    @property
    def warnings(self) -> List[ErrorDetail]: ...
    def raise_for_errors(self) -> None: ...

def validate(
    source: Union[_PathLike, bytes, bytearray],
    max_errors: Optional[int] = None,
    *,
    max_file_bytes: Optional[int] = None,
    max_record_bytes: Optional[int] = None,
    check_duplicates: bool = True,
) -> ValidationReport: ...

@final
class Query:
    """A parsed Lucene query with Auth0 user-search semantics."""

    def __new__(
        cls, text: str, *, default_operator: Literal["or", "and"] = "or", auth0_check: bool = False
    ) -> "Query": ...
    def matches(self, user: _User) -> bool: ...
    def filter(self, users: Iterable[_User]) -> List[_User]: ...
    def auth0_issues(self) -> List[Auth0IssueDict]: ...

@final
class UserIndex:
    """Users held by attribute path, for many queries over one list (a snapshot)."""

    def __new__(cls, users: Iterable[_User]) -> "UserIndex": ...
    def __len__(self) -> int: ...
    def positions(self, query: Union[str, Query]) -> List[int]: ...
    def count(self, query: Union[str, Query]) -> int: ...
    def filter(self, query: Union[str, Query]) -> List[_User]: ...

@final
class Column:
    """One export column: a header name and a path or JavaScript source."""

    def __new__(
        cls,
        name: str,
        source: str,
        *,
        tier: Optional[Literal["path", "native", "js"]] = None,
        on_error: Optional[Literal["empty", "abort", "marker"]] = None,
        marker: Optional[str] = None,
        time_limit_ms: Optional[int] = None,
        loop_limit: Optional[int] = None,
    ) -> "Column": ...
    @property
    def name(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def tier(self) -> Literal["path", "native", "js"]: ...
    @property
    def on_error(self) -> Literal["empty", "abort", "marker"]: ...
    @property
    def marker(self) -> Optional[str]: ...
    @property
    def time_limit_ms(self) -> int: ...
    @property
    def loop_limit(self) -> int: ...
    def json(self, user: _User) -> str: ...
    def eval(self, user: _User) -> _Json: ...
    def is_defined(self, user: _User) -> bool: ...
    def text(self, user: _User) -> str: ...

def default_columns() -> List[Column]: ...

@final
class ExportSummary:
    """Counts at the end of an export."""

    @property
    def read(self) -> int: ...
    @property
    def matched(self) -> int: ...
    @property
    def written(self) -> int: ...
    @property
    def cell_errors(self) -> int: ...
    @property
    def sort_runs(self) -> int: ...
    @property
    def first_cell_errors(self) -> List[CellErrorDict]: ...

@final
class ExportProgress:
    """The counts so far, handed to ``export(progress=...)``."""

    @property
    def read(self) -> int: ...
    @property
    def matched(self) -> int: ...
    @property
    def written(self) -> int: ...

_Columns = Union[Iterable[Union[Column, Tuple[str, str]]], Mapping[str, str]]
_Source = Union[_PathLike, bytes, bytearray, Iterable[_User]]
_Output = Union[_PathLike, Any]

@overload
def export(
    source: _Source,
    *,
    query: Union[str, Query, None] = None,
    columns: Optional[_Columns] = None,
    sort: Optional[str] = None,
    descending: bool = False,
    format: Literal["csv", "ndjson"] = "csv",
    limit: Optional[int] = None,
    bom: bool = False,
    progress: Optional[Callable[[ExportProgress], Any]] = None,
    output: None = None,
    delimiter: str = ",",
    crlf: bool = False,
    formula_escape: bool = True,
    case_insensitive: bool = False,
    memory_budget: Optional[int] = None,
    temp_dir: Optional[_PathLike] = None,
) -> str: ...
@overload
def export(
    source: _Source,
    *,
    query: Union[str, Query, None] = None,
    columns: Optional[_Columns] = None,
    sort: Optional[str] = None,
    descending: bool = False,
    format: Literal["json"],
    limit: Optional[int] = None,
    bom: bool = False,
    progress: Optional[Callable[[ExportProgress], Any]] = None,
    output: None = None,
    delimiter: str = ",",
    crlf: bool = False,
    formula_escape: bool = True,
    case_insensitive: bool = False,
    memory_budget: Optional[int] = None,
    temp_dir: Optional[_PathLike] = None,
) -> List[Dict[str, _Json]]: ...
@overload
def export(
    source: _Source,
    *,
    query: Union[str, Query, None] = None,
    columns: Optional[_Columns] = None,
    sort: Optional[str] = None,
    descending: bool = False,
    format: Literal["csv", "json", "ndjson"] = "csv",
    limit: Optional[int] = None,
    bom: bool = False,
    progress: Optional[Callable[[ExportProgress], Any]] = None,
    output: _Output,
    delimiter: str = ",",
    crlf: bool = False,
    formula_escape: bool = True,
    case_insensitive: bool = False,
    memory_budget: Optional[int] = None,
    temp_dir: Optional[_PathLike] = None,
) -> ExportSummary: ...

_ConvertSource = Union[_PathLike, bytes, bytearray]

@overload
def convert_csv(
    source: _ConvertSource,
    output: None = None,
    *,
    delimiter: str = ",",
    encoding: Literal["utf-8", "latin-1"] = "utf-8",
    list_separator: str = ";",
    validate: bool = True,
    max_errors: Optional[int] = None,
) -> Tuple[str, Dict[str, Any]]: ...
@overload
def convert_csv(
    source: _ConvertSource,
    output: _Output,
    *,
    delimiter: str = ",",
    encoding: Literal["utf-8", "latin-1"] = "utf-8",
    list_separator: str = ";",
    validate: bool = True,
    max_errors: Optional[int] = None,
) -> Dict[str, Any]: ...
@overload
def convert_export(
    source: _ConvertSource,
    output: None = None,
    *,
    keep_user_id: bool = False,
    validate: bool = True,
    max_errors: Optional[int] = None,
    input_format: Literal["auto", "array", "ndjson"] = "auto",
) -> Tuple[str, Dict[str, Any]]: ...
@overload
def convert_export(
    source: _ConvertSource,
    output: _Output,
    *,
    keep_user_id: bool = False,
    validate: bool = True,
    max_errors: Optional[int] = None,
    input_format: Literal["auto", "array", "ndjson"] = "auto",
) -> Dict[str, Any]: ...

@final
class _Auth0Client:
    def __new__(
        cls,
        domain: str,
        *,
        token: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        fast: bool = False,
    ) -> _Auth0Client: ...
    def connections(self) -> List[Dict[str, str]]: ...
    def import_users(
        self,
        path: str,
        connection: str,
        *,
        upsert: bool = False,
        resume: bool = False,
        journal: Optional[str] = None,
        external_id: Optional[str] = None,
        send_completion_email: bool = False,
        max_chunk_bytes: Optional[int] = None,
    ) -> Dict[str, Any]: ...
    def download_users(
        self,
        path: str,
        *,
        query: Optional[str] = None,
        sort: Optional[str] = None,
        descending: bool = False,
        connection: Optional[str] = None,
    ) -> Tuple[str, bool]: ...
