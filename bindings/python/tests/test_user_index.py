"""UserIndex: users held by attribute path in the core; answers must be Query.matches's."""

from __future__ import annotations

import json
from typing import Any, List, Tuple

import pytest

import userio
from conftest import VECTORS


def _corpus() -> Tuple[List[Tuple[str, str]], List[Any]]:
    queries: List[Tuple[str, str]] = []
    users: List[Any] = []
    for path in sorted((VECTORS / "query").glob("*.json")):
        for case in json.loads(path.read_text(encoding="utf-8"))["cases"]:
            op = (case.get("options") or {}).get("default_operator", "or")
            queries.append((case["query"], op))
            if "user" in case:
                users.append(case["user"])
    kit = VECTORS / "query" / "lucene-kit"
    users += json.loads((kit / "lucene-kit-persons.json").read_text(encoding="utf-8"))
    for line in (kit / "lucene-kit-queries.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            queries.append((json.loads(line)["query"], "or"))
    return queries, users


def test_every_vector_query_selects_what_matches_selects() -> None:
    queries, users = _corpus()
    index = userio.UserIndex(users)
    assert len(index) == len(users)
    checked = 0
    for text, op in queries:
        try:
            q = userio.Query(text, default_operator=op)  # type: ignore[arg-type]
        except userio.QueryError:
            continue
        want = [i for i, u in enumerate(users) if q.matches(u)]
        assert index.positions(q) == want, text
        assert index.count(q) == len(want), text
        checked += 1
    assert checked > 250


def test_filter_returns_the_objects_given() -> None:
    users = [{"name": "Jo", "logins_count": 12}, {"name": "x", "blocked": True}]
    index = userio.UserIndex(iter(users))
    assert index.filter("logins_count:>10")[0] is users[0]
    assert index.positions(userio.Query("NOT blocked:true")) == [0]
    assert repr(index) == "<UserIndex of 2 users>"


def test_the_index_is_a_snapshot() -> None:
    users = [{"name": "a"}]
    index = userio.UserIndex(users)
    users[0]["name"] = "b"
    assert index.count("name:a") == 1
    assert index.filter("name:a") == [{"name": "b"}]


def test_bad_input_raises_the_package_errors() -> None:
    index = userio.UserIndex([])
    assert index.count("*:*") == 0
    with pytest.raises(userio.QueryError) as e:
        index.count("a AND")
    assert e.value.code == "dangling_operator"
    with pytest.raises(TypeError):
        index.count(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        userio.UserIndex(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        userio.UserIndex([{"x": float("nan")}])
