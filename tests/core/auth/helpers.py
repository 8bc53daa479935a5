"""Signing in over HTTP, for the auth tests."""

from __future__ import annotations

from typing import Any

AUTH = "/api/v1/auth"


async def login(client: Any, username: str, password: str, **extra: Any) -> Any:
    return await client.post(
        "/api/v1/auth/login", json={"username": username, "password": password, **extra}
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
