"""userio.export: sources, targets, options (↔ export.rs)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import userio

from conftest import needs_core_export, needs_core_formats, sample_users

COLS = [("Id", "user_id"), ("Email", "email")]


def test_path_source_to_file_objects(users_file: Path) -> None:
    text = io.StringIO()
    summary = userio.export(users_file, columns=COLS, output=text)
    assert isinstance(summary, userio.ExportSummary)
    assert (summary.read, summary.matched, summary.written) == (5, 5, 5)
    binary = io.BytesIO()
    userio.export(str(users_file), columns=COLS, output=binary)
    assert binary.getvalue().decode() == text.getvalue()
    assert "user3@example.com" in text.getvalue()
    assert repr(summary).startswith("ExportSummary(read=5")


def test_path_target_and_text_mode_file(users_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    summary = userio.export(users_file, columns=COLS, output=out)
    assert summary.written == 5
    with open(tmp_path / "out2.csv", "w", encoding="utf-8", newline="") as f:
        userio.export(users_file, columns=COLS, output=f)
    assert (tmp_path / "out2.csv").read_bytes() == out.read_bytes()
    assert out.read_text(encoding="utf-8") == userio.export(users_file, columns=COLS)


def test_text_targets_get_whole_characters() -> None:
    # 70,000 two-byte characters: the 64 KiB write chunks split one of them in half.
    users = json.dumps([{"name": "é" * 70_000}]).encode()
    out = io.StringIO()
    userio.export(users, columns=[("Name", "name")], output=out)
    assert out.getvalue().count("é") == 70_000


def test_returns_str_without_output(users_file: Path) -> None:
    out = userio.export(users_file, columns=COLS, format="ndjson")
    assert isinstance(out, str) and out.count("\n") == 5


def test_output_write_errors_propagate_unchanged(users_file: Path) -> None:
    class Broken(io.RawIOBase):
        def write(self, b):  # type: ignore[override]
            raise OSError(28, "disk full (test)")

    with pytest.raises(OSError, match="disk full"):
        userio.export(users_file, columns=COLS, output=Broken())


def test_progress_receives_the_summary(users_file: Path) -> None:
    seen = []
    userio.export(users_file, columns=COLS, progress=seen.append)
    assert seen and seen[-1].read == 5


def test_failed_export_leaves_no_output_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'[{"email": "a"}, {"email": ]')
    out = tmp_path / "out.csv"
    with pytest.raises(userio.ExportError):
        userio.export(bad, output=out)
    assert not out.exists()


def test_columns_as_objects_pairs_and_dict(users_file: Path) -> None:
    a = userio.export(users_file, columns=[userio.Column("Id", "user_id"), ("Email", "email")])
    b = userio.export(users_file, columns={"Id": "user_id", "Email": "email"})
    assert a == b


def test_query_as_text_or_object(users_file: Path) -> None:
    a = userio.export(users_file, query="_exists_:email", columns=COLS)
    b = userio.export(users_file, query=userio.Query("_exists_:email"), columns=COLS)
    assert a == b
    with pytest.raises(userio.QueryError):
        userio.export(users_file, query="  ")


@needs_core_export
def test_generators_and_lists_as_sources(users_file: Path) -> None:
    users = sample_users(5)
    from_file = userio.export(users_file, columns=COLS)
    assert userio.export(users, columns=COLS) == from_file
    assert userio.export((u for u in users), columns=COLS) == from_file
    assert userio.export(iter(users), columns=COLS, format="json") == [
        {"Id": u["user_id"], "Email": u["email"]} for u in users
    ]


@needs_core_export
def test_generator_exceptions_propagate_unchanged() -> None:
    def users():
        yield {"email": "a"}
        raise KeyError("from the generator")

    with pytest.raises(KeyError, match="from the generator"):
        userio.export(users())


@needs_core_export
def test_non_json_values_in_a_source_name_user_and_path() -> None:
    users = [{"email": "a"}, {"email": "b", "app_metadata": {"tags": {"x"}}}]
    with pytest.raises(TypeError, match=r"user 1 at /app_metadata/tags: a set"):
        userio.export(users)


@needs_core_formats
def test_formats_and_options(users_file: Path) -> None:
    rows = list(csv.reader(io.StringIO(userio.export(users_file, columns=COLS))))
    assert rows[0] == ["Id", "Email"] and len(rows) == 6
    as_json = userio.export(users_file, columns=COLS, format="json", sort="user_id", descending=True, limit=2)
    assert [r["Id"] for r in as_json] == ["auth0|000004", "auth0|000003"]
    ndjson = userio.export(users_file, columns=COLS, format="ndjson", limit=1)
    assert json.loads(ndjson) == {"Id": "auth0|000000", "Email": "user0@example.com"}


@needs_core_formats
def test_bom(users_file: Path) -> None:
    with_bom = io.BytesIO()
    userio.export(users_file, columns=COLS, bom=True, output=with_bom)
    assert with_bom.getvalue().startswith(b"\xef\xbb\xbfId,Email")
