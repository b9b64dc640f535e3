"""userio.Query (↔ query.rs)."""

from __future__ import annotations

import pytest

import userio


def test_str_and_repr() -> None:
    q = userio.Query("email:jane@example.com")
    assert isinstance(str(q), str) and str(q)
    assert userio.Query(str(q)).matches({"email": "jane@example.com"}) == q.matches(
        {"email": "jane@example.com"}
    )
    assert repr(q).startswith("Query(")


def test_matches_and_filter_accept_any_iterable() -> None:
    q = userio.Query("_exists_:email")
    users = [{"email": "a@example.com"}, {"name": "no email"}, {"email": "b@example.com"}]
    assert q.matches(users[0])
    expected = [u for u in users if q.matches(u)]
    picked = q.filter(u for u in users)  # a generator
    assert picked == expected
    assert [id(p) for p in picked] == [id(u) for u in expected]  # the same objects


def test_semantics_through_python() -> None:
    assert not userio.Query("_exists_:email").matches({"name": "no email"})
    assert userio.Query("logins_count:[5 TO *]").matches({"logins_count": 7})
    assert not userio.Query("logins_count:[5 TO *]").matches({"logins_count": 2})
    assert userio.Query("NOT blocked:true").matches({"blocked": False})


@pytest.mark.parametrize(
    "bad, where",
    [
        ({"tags": {"a", "b"}}, "/tags"),
        ({"meta": {"raw": b"x"}}, "/meta/raw"),
        ({"list": [1, object()]}, "/list/1"),
        ({"f": float("nan")}, "/f"),
        ({"big": 2**64}, "/big"),
    ],
)
def test_non_json_values_name_their_path(bad, where) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        userio.Query("x:y").matches(bad)
    assert f"at {where}" in str(info.value)


def test_non_json_errors_are_type_errors_and_name_the_user() -> None:
    with pytest.raises(TypeError, match="user 1 at /tags: a set"):
        userio.Query("x:y").filter([{"ok": 1}, {"tags": {1}}])
    with pytest.raises(TypeError, match="not a str"):
        userio.Query("x:y").matches({1: "a"})


def test_self_containing_values_are_refused_not_crashing() -> None:
    loop: list = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contain itself"):
        userio.Query("x:y").matches({"loop": loop})


def test_json_values_convert() -> None:
    user = {"s": "é", "i": -3, "u": 2**63, "f": 1.5, "b": True, "n": None, "l": [1, (2, 3)], "d": {}}
    assert isinstance(userio.Query("x:y").matches(user), bool)
