"""``userio.Auth0Client``: the Auth0 Management API client (``userio-auth0``) from Python."""

from __future__ import annotations

import os
import tempfile
from typing import Any, Dict, List, Optional, Sequence

from . import _userio


class Auth0Client:
    """A Management API client: database connections, resumable bulk import, export.

    >>> client = userio.Auth0Client("tenant.eu.auth0.com", token="...")  # doctest: +SKIP
    >>> client.connections()                                               # doctest: +SKIP
    [{'id': 'con_…', 'name': 'Username-Password-Authentication', 'strategy': 'auth0'}]

    Give either ``token`` or both ``client_id`` and ``client_secret`` (client credentials,
    refreshed before they expire). Plain ``http://`` is refused except to loopback. Every
    call blocks and releases the GIL; failures raise :class:`userio.Auth0Error` with a
    stable ``code`` (``missing_scope``, ``rate_limited``, ``connection_disabled``, …).
    """

    def __init__(
        self,
        domain: str,
        *,
        token: Optional[str] = None,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        fast: bool = False,
    ) -> None:
        self._native = _userio._Auth0Client(
            domain, token=token, client_id=client_id, client_secret=client_secret, fast=fast
        )

    def connections(self) -> List[Dict[str, str]]:
        """The tenant's database connections (the targets an import accepts)."""
        return self._native.connections()

    def import_users(
        self,
        path: "os.PathLike[str] | str",
        connection: str,
        *,
        upsert: bool = False,
        resume: bool = False,
        journal: "os.PathLike[str] | str | None" = None,
        external_id: Optional[str] = None,
        send_completion_email: bool = False,
        max_chunk_bytes: Optional[int] = None,
    ) -> Dict[str, Any]:
        """Validates ``path``, splits it under the 500 KB job limit, runs the import jobs
        (at most two at once) and returns the report: ``inserted``, ``updated``, ``failed``
        and every failed user with its index and line in ``path``. A journal (default
        ``<path>.import-journal.jsonl``) makes ``resume=True`` upload no chunk twice."""
        return self._native.import_users(
            os.fspath(path),
            connection,
            upsert=upsert,
            resume=resume,
            journal=None if journal is None else os.fspath(journal),
            external_id=external_id,
            send_completion_email=send_completion_email,
            max_chunk_bytes=max_chunk_bytes,
        )

    def export_users(
        self,
        *,
        query: Optional[str] = None,
        columns: Optional[Sequence[Any]] = None,
        sort: Optional[str] = None,
        descending: bool = False,
        connection: Optional[str] = None,
        **export_options: Any,
    ) -> Any:
        """Exports the tenant's users matching ``query`` like :func:`userio.export` (same
        ``columns``, ``format``, ``output``, … options). Under 1,000 matches it uses the
        search endpoint, else an export job whose users are filtered and sorted locally: no
        cap. ``self.last_strategy`` says which was used."""
        from . import export

        fd, tmp = tempfile.mkstemp(prefix="userio-tenant-", suffix=".ndjson")
        os.close(fd)
        try:
            choice, _local = self._native.download_users(
                tmp, query=query, sort=sort, descending=descending, connection=connection
            )
            self.last_strategy: str = choice
            return export(
                tmp, query=query, columns=columns, sort=sort, descending=descending, **export_options
            )
        finally:
            os.unlink(tmp)
