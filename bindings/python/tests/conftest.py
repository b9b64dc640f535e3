"""Shared fixtures for the userio Python tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List

import pytest

REPO = Path(__file__).resolve().parents[3]
VECTORS = REPO / "tests" / "vectors"


def sample_users(n: int) -> List[Dict[str, Any]]:
    """`n` small users in the profile shape (what Auth0 exports)."""
    return [
        {
            "user_id": f"auth0|{i:06d}",
            "email": f"user{i}@example.com",
            "name": f"User {i}",
            "logins_count": i % 17,
            "created_at": f"2024-01-{1 + i % 28:02d}T00:00:00.000Z",
            "app_metadata": {"plan": ["gold", "silver", "free"][i % 3]},
            "identities": [{"connection": "Username-Password-Authentication", "provider": "auth0"}],
        }
        for i in range(n)
    ]


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users.json"
    path.write_text(json.dumps(sample_users(5)), encoding="utf-8")
    return path
