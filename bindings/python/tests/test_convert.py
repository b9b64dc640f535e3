"""userio.convert_csv / userio.convert_export (↔ convert.rs)."""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

import pytest

import userio


def test_csv_to_import_in_memory() -> None:
    csv = b"email,app_metadata.roles[],email_verified,logins_count:number\na@example.com,admin;editor,true,3\n"
    text, report = userio.convert_csv(csv)
    users = json.loads(text)
    assert users == [
        {"email": "a@example.com", "app_metadata": {"roles": ["admin", "editor"]}, "email_verified": True, "logins_count": 3}
    ]
    assert (report["rows"], report["users"], report["errors"]) == (1, 1, [])
    assert report["validation"]["users"] == 1


def test_csv_cell_errors_are_in_the_report_and_header_errors_raise(tmp_path: Path) -> None:
    _, report = userio.convert_csv(b"email,logins_count:number\na@example.com,many\n", validate=False)
    assert report["validation"] is None
    assert [(e["code"], e["row"], e["column"]) for e in report["errors"]] == [("bad_number", 2, 2)]
    with pytest.raises(userio.ConvertError) as info:
        userio.convert_csv(b"email,email\na,b\n")
    assert info.value.code.startswith("header_") and info.value.column == 2
    out = tmp_path / "out.json"
    with pytest.raises(userio.ConvertError):
        userio.convert_csv(b"email,email\na,b\n", out)
    assert not out.exists()


def test_csv_options_and_targets(tmp_path: Path) -> None:
    src = tmp_path / "u.csv"
    src.write_bytes("email;name\na@example.com;Jos\xe9\n".encode("latin-1"))
    out = io.StringIO()
    report = userio.convert_csv(src, out, delimiter=";", encoding="latin-1")
    assert report["users"] == 1 and json.loads(out.getvalue())[0]["name"] == "José"
    with pytest.raises(ValueError):
        userio.convert_csv(b"a\n", delimiter=";;")


def test_export_to_import(tmp_path: Path) -> None:
    exported = [
        {"user_id": "auth0|abc", "email": "a@example.com", "logins_count": 3, "identities": [{"provider": "auth0"}]},
        {"user_id": "auth0|def", "email": "b@example.com", "last_login": "2024-01-01T00:00:00.000Z"},
    ]
    data = "".join(json.dumps(u) + "\n" for u in exported).encode()
    text, report = userio.convert_export(data)
    users = json.loads(text)
    assert [u["user_id"] for u in users] == ["abc", "def"]
    assert report["users"] == 2 and report["user_ids_stripped"] == 2
    assert {d["field"] for d in report["dropped"]} >= {"logins_count", "identities", "last_login"}
    gz = tmp_path / "export.json.gz"
    gz.write_bytes(gzip.compress(data))
    out = tmp_path / "import.json"
    summary = userio.convert_export(gz, out, keep_user_id=True)
    assert summary["users"] == 2 and json.loads(out.read_text())[0]["user_id"] == "auth0|abc"
    with pytest.raises(userio.ConvertError) as info:
        userio.convert_export(b'{"email": "a"}\n[1]\n')
    assert (info.value.code, info.value.index, info.value.line) == ("record_not_object", 1, 2)
