"""userio.Column and userio.default_columns (↔ expr.rs)."""

from __future__ import annotations

import pytest

import userio

DEFAULT_NAMES = [
    "Id",
    "Given Name",
    "Family Name",
    "Nickname",
    "Name",
    "Email",
    "Email Verified",
    "Picture",
    "Connection",
    "Created At",
    "Updated At",
]


def test_default_columns_match_the_extension() -> None:
    cols = userio.default_columns()
    assert [c.name for c in cols] == DEFAULT_NAMES
    assert cols[0].source == "user.user_id"
    assert all(c.tier in ("path", "native", "js") for c in cols)


def test_column_attributes_and_eval() -> None:
    col = userio.Column("Plan", "user.app_metadata.plan")
    assert (col.name, col.source, col.tier) == ("Plan", "user.app_metadata.plan", "path")
    assert repr(col) == 'Column("Plan", "user.app_metadata.plan")'
    user = {"app_metadata": {"plan": "gold"}}
    assert col.eval(user) == "gold"
    assert col.text(user) == "gold"
    assert col.is_defined(user)
    assert not col.is_defined({"app_metadata": {}})
    meta = {"app_metadata": {}}
    assert col.eval(meta) is None and col.text(meta) == "" and col.json(meta) == "null"
    # JavaScript semantics: reading a property of a missing object throws a TypeError.
    with pytest.raises(userio.ExpressionError, match="TypeError"):
        col.eval({})
    nested = userio.Column("Meta", "user.app_metadata")
    assert nested.eval(user) == {"plan": "gold"}
    assert nested.text(user) == '{"plan":"gold"}'


def test_expression_columns() -> None:
    col = userio.Column("Plan", "user.app_metadata.plan || 'free'")
    assert col.tier == "native"
    assert col.eval({"app_metadata": {}}) == "free"
    with pytest.raises(userio.ExpressionError) as info:
        userio.Column("Bad", "user.a +* ")
    assert info.value.name == "Bad" and info.value.source == "user.a +* "
    assert info.value.offset is not None
