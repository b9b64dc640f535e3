"""The shared, language-neutral vectors in tests/vectors/ run through the Python API.

Each area mirrors its Rust runner in crates/userio-core/tests/ (same files, same
expectations); the formats are documented in tests/vectors/<area>/README.md. The vectors
give byte offsets; the Python API gives code points (plus `byte` where it has one), so the
runners convert expected byte offsets with `_code_points` at the boundary.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

import userio

from conftest import VECTORS

Case = Dict[str, Any]


def _code_points(text: str, byte: int) -> int:
    """The code-point offset of UTF-8 byte offset `byte` in `text`."""
    return len(text.encode("utf-8")[:byte].decode("utf-8", errors="ignore"))


def _same_json(a: Any, b: Any) -> bool:
    """JSON equality as JavaScript sees it: numbers are doubles (`1 == 1.0`, and an int
    beyond 2**53 equals the double it rounds to), but `True != 1` (unlike Python's ==)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


# --- import (validate) ------------------------------------------------------------------
# Mirrors import_vectors.rs `vectors`: every `*.expected.json` sidecar.

IMPORT = VECTORS / "import"


def _import_cases() -> List[Any]:
    return [pytest.param(p, id=p.name[: -len(".expected.json")]) for p in sorted(IMPORT.glob("*.expected.json"))]


def _issue(e: userio.ErrorDetail) -> Dict[str, Any]:
    return {"index": e.index, "pointer": e.pointer, "code": e.code, "line": e.line, "column": e.column}


@pytest.mark.parametrize("sidecar", _import_cases())
def test_import(sidecar: Path) -> None:
    expected = json.loads(sidecar.read_text(encoding="utf-8"))
    options = expected.get("options", {})
    report = userio.validate(
        (IMPORT / expected["input"]).read_bytes(),
        options.get("max_errors"),
        max_file_bytes=options.get("max_file_bytes"),
        max_record_bytes=options.get("max_record_bytes"),
    )
    got = {
        "users": report.users,
        "valid": report.valid,
        "errors": [_issue(e) for e in report.errors],
        "warnings": [_issue(e) for e in report.warnings],
    }
    for key in ("users", "valid", "errors", "warnings"):
        assert got[key] == expected[key], key
    assert report.ok == (not expected["errors"])
    assert all(e.severity == "error" for e in report.errors)
    assert all(w.severity == "warning" for w in report.warnings)


def test_import_vectors_found() -> None:
    assert len(_import_cases()) >= 20


# --- query (Query) ----------------------------------------------------------------------
# Mirrors query_vectors.rs `query_vectors` and `lucene_kit_corpus`.

QUERY = VECTORS / "query"


def _query_cases() -> List[Any]:
    out = []
    for path in sorted(QUERY.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for i, case in enumerate(doc["cases"]):
            out.append(pytest.param(case, id=f"{path.stem}#{i}"))
    return out


def _parse(case: Case) -> userio.Query:
    operator = case.get("options", {}).get("default_operator", "or")
    return userio.Query(case["query"], default_operator=operator, auth0_check="auth0_issues" in case)


@pytest.mark.parametrize("case", _query_cases())
def test_query(case: Case) -> None:
    text = case["query"]
    if "error" in case:
        with pytest.raises(userio.QueryError) as info:
            _parse(case)
        e = info.value
        want = case["error"]
        assert (e.code, e.byte) == (want["code"], want["offset"]), e.reason
        assert e.offset == _code_points(text, want["offset"])
        assert "^" in e.excerpt and e.query == text
        return
    q = _parse(case)
    if "canonical" in case:
        assert str(q) == case["canonical"]
    if "expected" in case:
        assert q.matches(case["user"]) is case["expected"], str(q)
    if "auth0_issues" in case:
        got = [{"code": i["code"], "start": i["start"], "end": i["end"]} for i in q.auth0_issues()]
        want = [
            {"code": i["code"], "start": _code_points(text, i["start"]), "end": _code_points(text, i["end"])}
            for i in case["auth0_issues"]
        ]
        assert got == want
    # Every parsed vector round-trips through its canonical text (the Rust runner compares
    # the trees; Python sees the canonical text, which must be a fixed point).
    again = userio.Query(str(q))
    assert str(again) == str(q)


def test_query_vectors_found() -> None:
    assert len(list(QUERY.glob("*.json"))) >= 8


# lucene-kit queries whose meaning differs from userio's; the reasons are in
# crates/userio-core/tests/query_vectors.rs (LUCENE_KIT_DIFFERS). Every other query must give
# exactly lucene-kit's expected ids.
LUCENE_KIT_DIFFERS = {
    "lucene-kit-009", "lucene-kit-010", "lucene-kit-014", "lucene-kit-020", "lucene-kit-037",
    "lucene-kit-031", "lucene-kit-032", "lucene-kit-038", "lucene-kit-043", "lucene-kit-045",
    "lucene-kit-046", "lucene-kit-047", "lucene-kit-052", "lucene-kit-053", "lucene-kit-054",
    "lucene-kit-055", "lucene-kit-056", "lucene-kit-057", "lucene-kit-059", "lucene-kit-060",
    "lucene-kit-061", "lucene-kit-062",
}  # fmt: skip


def test_query_lucene_kit_corpus() -> None:
    kit = QUERY / "lucene-kit"
    persons = json.loads((kit / "lucene-kit-persons.json").read_text(encoding="utf-8"))
    lines = [ln for ln in (kit / "lucene-kit-queries.jsonl").read_text(encoding="utf-8").splitlines() if ln.strip()]
    failures, agree_but_listed, agreed = [], [], 0
    for line in lines:
        case = json.loads(line)
        try:
            got: Optional[List[int]] = [p["id"] for p in userio.Query(case["query"]).filter(persons)]
        except userio.QueryError:
            got = None
        same = got == case["expected_ids"]
        listed = case["id"] in LUCENE_KIT_DIFFERS
        if same and listed:
            agree_but_listed.append(case["id"])
        elif same:
            agreed += 1
        elif not listed:
            failures.append(f"{case['id']} {case['query']!r}: got {got}, want {case['expected_ids']}")
    assert not failures, "\n".join(failures)
    assert not agree_but_listed
    assert agreed + len(LUCENE_KIT_DIFFERS) == len(lines)


# --- expr (Column) ----------------------------------------------------------------------
# Mirrors expr_vectors.rs: the chosen tier, then every tier that can run the case gives the
# expected cell for every user; build errors at the expected offset.

CORPUS = json.loads((VECTORS / "expr" / "corpus.json").read_text(encoding="utf-8"))
EXPR_USERS = [u["user"] for u in CORPUS["users"]]
TIERS = {"path": ["path", "native", "js"], "native": ["native", "js"], "js": ["js"]}


def _observed(col: userio.Column, user: Any) -> Dict[str, Any]:
    try:
        return {"text": col.text(user), "json": json.loads(col.json(user)), "eval": col.eval(user)}
    except userio.ExpressionError as e:
        return {"error": e.reason.split(":")[0]}


@pytest.mark.parametrize("case", [pytest.param(c, id=c["source"][:60]) for c in CORPUS["cases"]])
def test_expr(case: Case) -> None:
    source = case["source"]
    assert userio.Column("c", source).tier == case["tier"]
    failures = []
    for tier in TIERS[case["tier"]]:
        col = userio.Column("c", source, tier=tier)
        assert col.tier == tier
        for i, (user, want) in enumerate(zip(EXPR_USERS, case["expected"])):
            got = _observed(col, user)
            if "error" in want:
                ok = got == {"error": want["error"]}
            else:
                ok = (
                    "error" not in got
                    and got["text"] == want["text"]
                    and _same_json(got["json"], want["json"])
                    and _same_json(got["eval"], want["json"])
                )
            if not ok:
                failures.append(f"[{tier}] user #{i}: got {got}, want {want}")
    assert not failures, "\n".join(failures)


def test_expr_corpus_size() -> None:
    assert len(CORPUS["cases"]) >= 200
    assert all(len(c["expected"]) == len(EXPR_USERS) for c in CORPUS["cases"])


@pytest.mark.parametrize("case", [pytest.param(c, id=c["source"]) for c in CORPUS["build_errors"]])
def test_expr_build_error(case: Case) -> None:
    source = case["source"]
    with pytest.raises(userio.ExpressionError) as info:
        userio.Column("c", source)
    e = info.value
    assert (e.byte, e.offset) == (case["offset"], _code_points(source, case["offset"]))
    assert (e.source, e.name) == (source, "c")


# --- export -----------------------------------------------------------------------------
# Mirrors export_vectors.rs `export_vectors`.

EXPORT = VECTORS / "export"


def _export_cases() -> List[Any]:
    out = []
    for path in sorted(EXPORT.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            out.append(pytest.param(case, id=f"{path.stem}/{case['name']}"))
    return out


def _export_kwargs(options: Dict[str, Any]) -> Dict[str, Any]:
    kw: Dict[str, Any] = {}
    columns: List[Any] = userio.default_columns() if options.get("default_columns") else []
    columns += [(c["name"], c["source"]) for c in options.get("columns", [])]
    kw["columns"] = columns or None
    for key in ("format", "query", "limit", "delimiter", "crlf", "bom", "formula_escape", "memory_budget"):
        if key in options:
            kw[key] = options[key]
    if "sort" in options:
        sort = options["sort"]
        kw["sort"] = sort["path"]
        kw["descending"] = sort.get("descending", False)
        kw["case_insensitive"] = sort.get("case_insensitive", False)
    return kw


@pytest.mark.parametrize("case", _export_cases())
def test_export(case: Case) -> None:
    data = case["input"].encode("utf-8")
    kw = _export_kwargs(case.get("options", {}))
    out = io.BytesIO()
    if "error" in case:
        want = case["error"]
        with pytest.raises(userio.ExportError) as info:
            userio.export(data, output=out, **kw)
        e = info.value
        assert e.code == want["code"], str(e)
        for key in ("line", "column", "index"):
            if key in want:
                assert getattr(e, key) == want[key], key
        return
    summary = userio.export(data, output=out, **kw)
    got = out.getvalue().decode("utf-8")
    assert got == case["expected"]
    for key, value in case.get("summary", {}).items():
        assert getattr(summary, key) == value, key
    if case.get("same_as_in_memory"):
        assert summary.sort_runs > 1, "the sort did not spill"
        mem = io.BytesIO()
        again = userio.export(data, output=mem, **{**kw, "memory_budget": sys.maxsize})
        assert again.sort_runs == 0
        assert mem.getvalue().decode("utf-8") == got
    # Without `output`, the same text comes back as `str` (or parsed rows for JSON).
    returned = userio.export(data, **kw)
    if kw.get("format") == "json":
        assert _same_json(returned, json.loads(got))
    else:
        assert returned == got


def test_export_vectors_found() -> None:
    assert len(_export_cases()) >= 30


def test_vector_root_is_the_shared_one() -> None:
    assert VECTORS == Path(__file__).resolve().parents[3] / "tests" / "vectors"
