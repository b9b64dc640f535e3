"""userio.validate and its report (↔ schema.rs)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import userio


def test_sources_path_pathlike_bytes_bytearray_gzip(tmp_path: Path) -> None:
    users = [{"email": "a@example.com"}, {"email": "b@example.com"}]
    data = json.dumps(users).encode()
    path = tmp_path / "users.json"
    path.write_bytes(data)
    gz = tmp_path / "users.json.gz"
    gz.write_bytes(gzip.compress(data))
    for source in (path, str(path), data, bytearray(data), gz):
        report = userio.validate(source)
        assert report.users == 2, source


def test_ndjson_and_report_fields() -> None:
    report = userio.validate(b'{"email": "a@example.com"}\n{"email": "b@example.com"}\n')
    assert report.users == 2
    assert report.ok and report.errors == [] and not report.truncated
    assert report.valid <= report.users
    assert repr(report).startswith("ValidationReport(ok=True")


def test_error_detail_positions() -> None:
    report = userio.validate(b'[\n  {"email": "a"},\n ]')
    assert not report.ok
    (e,) = [e for e in report.errors if e.code == "json_trailing_comma"]
    assert (e.line, e.column) == (3, 2)
    assert e.byte == len(b'[\n  {"email": "a"},\n ')
    assert e.pointer == "" and e.value is None
    assert e.to_dict()["line"] == 3
    assert "json_trailing_comma" in str(e) and "ErrorDetail(" in repr(e)


def test_a_str_is_a_path_not_json(tmp_path: Path) -> None:
    try:
        userio.validate("[]")
    except FileNotFoundError as e:
        assert "[]" in str(e)
    else:
        raise AssertionError("a str must be read as a path")


def test_warnings_and_severity() -> None:
    path = Path(__file__).resolve().parents[3] / "tests" / "vectors" / "import" / "valid-with-warnings.json"
    report = userio.validate(path)
    assert report.ok and report.warnings
    assert all(w.severity == "warning" for w in report.warnings)
    assert report.warnings[0].to_dict()["severity"] == "warning"
    bad = userio.validate(b'[{"email": 1}]')
    assert bad.errors and all(e.severity == "error" for e in bad.errors)


def test_size_limits() -> None:
    data = json.dumps([{"email": "a@example.com"}, {"email": "b@example.com", "name": "x" * 500}]).encode()
    assert [e.code for e in userio.validate(data, max_record_bytes=200).errors] == ["record_too_large"]
    assert "file_too_large" in [e.code for e in userio.validate(data, max_file_bytes=100).errors]
