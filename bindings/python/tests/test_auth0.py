"""userio.Auth0Client against the mock tenant (``cargo build -p userio-mockauth0 --bin mockauth0``)."""

from __future__ import annotations

import json
import subprocess
import threading
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

import userio

from conftest import REPO

MOCK = REPO / "target" / "debug" / "mockauth0"

pytestmark = pytest.mark.skipif(
    not MOCK.exists(), reason=f"no mock tenant binary at {MOCK}: cargo build -p userio-mockauth0 --bin mockauth0"
)


@pytest.fixture(scope="module")
def tenant() -> Iterator[Dict[str, Any]]:
    proc = subprocess.Popen([str(MOCK)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    info = json.loads(proc.stdout.readline())
    yield info
    proc.stdin.close()  # the mock serves until its stdin closes
    proc.wait(timeout=10)


def client(tenant: Dict[str, Any]) -> userio.Auth0Client:
    return userio.Auth0Client(tenant["url"], token=tenant["token"], fast=True)


USERS = [
    {"email": "ada@example.com", "email_verified": True, "app_metadata": {"plan": "gold"}},
    {"email": "alan@example.com", "email_verified": False},
    {"email": "grace@example.com", "email_verified": True},
]


def test_connections(tenant: Dict[str, Any]) -> None:
    names = [(c["name"], c["strategy"]) for c in client(tenant).connections()]
    assert (tenant["connection"], "auth0") in names


def test_import_then_export_releases_the_gil(tenant: Dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "users.json"
    path.write_text(json.dumps(USERS), encoding="utf-8")
    c = client(tenant)
    ticks = 0
    done = threading.Event()

    def tick() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            done.wait(0.001)

    t = threading.Thread(target=tick)
    t.start()
    try:
        report = c.import_users(path, tenant["connection"])
    finally:
        done.set()
        t.join()
    assert (report["users"], report["inserted"], report["failed"]) == (3, 3, 0), report
    assert ticks > 0, "another thread ran during the import"

    csv = c.export_users(query="email:a*", columns=[("Email", "email")], sort="email")
    assert csv == "Email\nada@example.com\nalan@example.com\n"
    assert "search endpoint" in c.last_strategy


def test_failures_raise_auth0_error_without_the_token(tenant: Dict[str, Any], tmp_path: Path) -> None:
    bad = userio.Auth0Client(tenant["url"], token="wrong-secret", fast=True)
    with pytest.raises(userio.Auth0Error) as info:
        bad.connections()
    assert info.value.code == "unauthorized"
    assert "wrong-secret" not in str(info.value)
    with pytest.raises(userio.Auth0Error) as info:
        userio.Auth0Client("http://example.com", token="t")
    assert info.value.code == "insecure_url"
    with pytest.raises(ValueError):
        userio.Auth0Client("tenant.auth0.com")
