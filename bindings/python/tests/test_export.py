"""userio.export: sources, targets, options (↔ export.rs)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import userio

from conftest import sample_users

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


def test_progress_receives_the_counts(users_file: Path) -> None:
    seen = []
    userio.export(users_file, columns=COLS, progress=seen.append)
    assert seen and isinstance(seen[-1], userio.ExportProgress)
    assert (seen[-1].read, seen[-1].matched, seen[-1].written) == (5, 5, 5)
    assert repr(seen[-1]) == "ExportProgress(read=5, matched=5, written=5)"


def test_progress_is_called_as_the_export_advances() -> None:
    data = "".join(json.dumps(u) + "\n" for u in sample_users(10_000)).encode()
    seen = []
    summary = userio.export(data, columns=COLS, progress=lambda p: seen.append(p.read), output=io.BytesIO())
    assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] == summary.read == 10_000


def test_progress_exceptions_stop_the_export(tmp_path: Path) -> None:
    data = "".join(json.dumps(u) + "\n" for u in sample_users(10_000)).encode()
    calls = []

    def boom(p: userio.ExportProgress) -> None:
        calls.append(p)
        raise ZeroDivisionError("from progress")

    out = tmp_path / "out.csv"
    with pytest.raises(ZeroDivisionError, match="from progress"):
        userio.export(data, columns=COLS, progress=boom, output=out)
    assert len(calls) == 1  # not called again once it raised
    assert not out.exists()


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


def test_generators_and_lists_as_sources(users_file: Path) -> None:
    users = sample_users(5)
    from_file = userio.export(users_file, columns=COLS)
    assert userio.export(users, columns=COLS) == from_file
    assert userio.export((u for u in users), columns=COLS) == from_file
    assert userio.export(iter(users), columns=COLS, format="json") == [
        {"Id": u["user_id"], "Email": u["email"]} for u in users
    ]


def test_generator_exceptions_propagate_unchanged() -> None:
    def users():
        yield {"email": "a"}
        raise KeyError("from the generator")

    with pytest.raises(KeyError, match="from the generator"):
        userio.export(users())


def test_non_json_values_in_a_source_name_user_and_path() -> None:
    users = [{"email": "a"}, {"email": "b", "app_metadata": {"tags": {"x"}}}]
    with pytest.raises(TypeError, match=r"user 1 at /app_metadata/tags: a set"):
        userio.export(users)


def test_formats_and_options(users_file: Path) -> None:
    rows = list(csv.reader(io.StringIO(userio.export(users_file, columns=COLS))))
    assert rows[0] == ["Id", "Email"] and len(rows) == 6
    as_json = userio.export(users_file, columns=COLS, format="json", sort="user_id", descending=True, limit=2)
    assert [r["Id"] for r in as_json] == ["auth0|000004", "auth0|000003"]
    ndjson = userio.export(users_file, columns=COLS, format="ndjson", limit=1)
    assert json.loads(ndjson) == {"Id": "auth0|000000", "Email": "user0@example.com"}


def test_bom(users_file: Path) -> None:
    with_bom = io.BytesIO()
    userio.export(users_file, columns=COLS, bom=True, output=with_bom)
    assert with_bom.getvalue().startswith(b"\xef\xbb\xbfId,Email")
    assert userio.export(users_file, columns=COLS, bom=True).startswith("\ufeffId,Email")
    assert userio.export(users_file, columns=COLS, bom=True, format="ndjson").startswith("{")


def test_csv_and_sort_options() -> None:
    users = [{"n": "b", "f": "=1+1"}, {"n": "A", "f": "x"}, {"n": "c", "f": "-5"}]
    cols = [("N", "n"), ("F", "f")]
    assert userio.export(users, columns=cols, sort="n") == "N,F\nA,x\nb,'=1+1\nc,-5\n"
    tsv = userio.export(users, columns=cols, sort="n", case_insensitive=True, delimiter="\t", crlf=True, formula_escape=False)
    assert tsv == "N\tF\r\nA\tx\r\nb\t=1+1\r\nc\t-5\r\n"
    with pytest.raises(ValueError, match="one ASCII character"):
        userio.export(users, columns=cols, delimiter=";;")


def test_small_memory_budget_spills_the_sort(tmp_path: Path) -> None:
    users = sample_users(200)
    out = io.BytesIO()
    summary = userio.export(users, columns=COLS, sort="email", memory_budget=1, temp_dir=tmp_path, output=out)
    assert summary.sort_runs > 1
    assert out.getvalue().decode() == userio.export(users, columns=COLS, sort="email")


def test_cell_error_policies() -> None:
    users = [{"a": {"b": 1}}, {}]
    empty = userio.Column("B", "user.a.b")
    out = io.BytesIO()
    summary = userio.export(users, columns=[empty], output=out)
    assert out.getvalue() == b"B\n1\n\n" and summary.cell_errors == 1
    assert summary.first_cell_errors[0]["index"] == 1 and summary.first_cell_errors[0]["name"] == "B"
    assert "TypeError" in summary.first_cell_errors[0]["message"]
    assert (empty.on_error, empty.marker) == ("empty", None)
    assert userio.Column("B", "b", on_error="abort").on_error == "abort"
    with pytest.raises(ValueError):
        userio.Column("B", "b", on_error="explode")
    with pytest.raises(ValueError):
        userio.Column("B", "b", on_error="abort", marker="x")


def test_cell_error_marker_and_abort() -> None:
    users = [{"a": {"b": 1}}, {}]
    marker = userio.Column("B", "user.a.b", marker="#ERR")
    assert (marker.on_error, marker.marker) == ("marker", "#ERR")
    assert userio.export(users, columns=[marker]) == "B\n1\n#ERR\n"
    abort = userio.Column("B", "user.a.b", on_error="abort")
    with pytest.raises(userio.ExportError) as info:
        userio.export(users, columns=[abort])
    assert (info.value.code, info.value.index, info.value.name) == ("cell_error", 1, "B")


def test_javascript_limits_per_column() -> None:
    loops = "(() => { let n = 0; for (let i = 0; i < 100; i++) n++; return n; })()"
    tight = userio.Column("N", loops, loop_limit=10)
    assert (tight.loop_limit, tight.time_limit_ms) == (10, 500)
    with pytest.raises(userio.ExpressionError, match="RangeError: sandbox limit"):
        tight.text({})
    assert userio.Column("N", loops, loop_limit=1000).text({}) == "100"
    endless = userio.Column("W", "(() => { while (true) {} })()", time_limit_ms=50,
                            loop_limit=10**12)
    assert endless.time_limit_ms == 50
    with pytest.raises(userio.ExpressionError, match="time limit of 50 ms"):
        endless.text({})
    for bad in ({"time_limit_ms": 0}, {"loop_limit": 0}):
        with pytest.raises(ValueError, match="at least 1"):
            userio.Column("N", loops, **bad)


def test_duplicate_column_names_for_json() -> None:
    with pytest.raises(userio.ExportError) as info:
        userio.export([{}], columns=[("A", "a"), ("A", "b")], format="json")
    assert info.value.code == "duplicate_column"
