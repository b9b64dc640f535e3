"""The exception hierarchy and the attributes each exception carries (↔ errors.rs)."""

from __future__ import annotations

import pytest

import userio


def test_hierarchy_is_rooted_at_userio_error() -> None:
    for cls in (
        userio.ValidationError,
        userio.QueryError,
        userio.ExpressionError,
        userio.ExportError,
        userio.Auth0Error,
    ):
        assert issubclass(cls, userio.UserioError)
        assert cls.__module__ == "userio"
    assert issubclass(userio.UserioError, Exception)
    assert issubclass(userio.ValidationError, ValueError)


def test_validation_error_lists_problems() -> None:
    report = userio.validate(b'[{"email": "a@example.com"},]')
    assert not report.ok
    with pytest.raises(userio.ValidationError) as info:
        report.raise_for_errors()
    err = info.value
    assert err.report is report
    assert err.error_count() == len(report.errors) >= 1
    first = err.errors()[0]
    assert set(first) == {"index", "pointer", "code", "severity", "message", "value", "line", "column", "byte"}
    assert first["code"] == "json_trailing_comma"
    assert "json_trailing_comma" in str(err)
    assert "line 1" in str(err)


def test_ok_report_does_not_raise() -> None:
    userio.validate(b'[{"email": "a@example.com", "email_verified": true}]').raise_for_errors()


def test_query_error_attributes() -> None:
    with pytest.raises(userio.QueryError) as info:
        userio.Query("   ")
    e = info.value
    assert isinstance(e, ValueError)
    assert e.query == "   "
    assert (e.line, e.column) == (1, e.offset + 1)
    assert e.byte == len(e.query[: e.offset].encode())
    assert "^" in e.excerpt and e.excerpt in str(e)
    assert e.reason and e.reason in str(e)


def test_query_error_offset_counts_code_points() -> None:
    text = 'name:"Zoë" AND ('
    with pytest.raises(userio.QueryError) as info:
        userio.Query(text)
    e = info.value
    assert e.byte == len(text[: e.offset].encode())
    assert e.byte > e.offset  # the offset is past the 2-byte ë
    assert e.column == e.offset + 1
    assert e.code == "empty_group" and e.found == "end of query" and e.expected
    assert "^" in e.excerpt and e.excerpt in str(e)


def test_export_error_on_malformed_file(tmp_path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'[\n{"email": "a"},\n{"email": tru}\n]')
    with pytest.raises(userio.ExportError) as info:
        userio.export(bad)
    e = info.value
    assert e.code == "json_invalid"
    assert (e.index, e.line) == (1, 3)
    assert e.column >= 1 and e.byte > 0
    assert "line 3" in str(e)


def test_export_error_on_truncated_bytes() -> None:
    with pytest.raises(userio.ExportError) as info:
        userio.export(b'[{"email": "a"}')
    assert info.value.code == "file_truncated"


def test_unopenable_paths_are_os_errors(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        userio.validate(tmp_path / "missing.json")
    with pytest.raises(FileNotFoundError):
        userio.export(str(tmp_path / "missing.json"))
    with pytest.raises(FileNotFoundError):
        userio.export([], output=tmp_path / "no" / "such" / "dir.csv")


def test_bad_arguments_are_type_and_value_errors() -> None:
    with pytest.raises(TypeError, match="path .* or bytes"):
        userio.validate(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="format must be"):
        userio.export([], format="xml")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="limit must be >= 0"):
        userio.export([], limit=-1)
    with pytest.raises(TypeError, match="single dict"):
        userio.export({"email": "a"})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="columns\\[0\\]"):
        userio.export([], columns=[42])  # type: ignore[list-item]
    with pytest.raises(TypeError, match="query must be"):
        userio.export([], query=3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="write"):
        userio.export([], output=3)
