"""Pytest fixtures for Merimna and for module authors (registered as the `merimna` plugin).

An app with the installed modules, tenants with chosen modules, staff logged in per role, and
a second tenant for isolation checks. Tests run against SQLite by default and against real
PostgreSQL + Redis with `--tier pg` (servers started on loopback by `tests/services.py`).
"""

from __future__ import annotations

import itertools
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

_counter = itertools.count(1)


@dataclass
class Staff:
    user_id: UUID
    username: str
    password: str
    roles: list[str]
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class TenantFixture:
    id: UUID
    slug: str
    modules: list[str]

    @property
    def api(self) -> str:
        return f"/api/v1/t/{self.slug}"


def unique_slug(prefix: str = "t") -> str:
    return f"{prefix}-{os.getpid()}-{next(_counter)}-{secrets.token_hex(2)}"


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
async def merimna_app() -> AsyncIterator[Any]:
    """The app, migrated, with the database pool open in the tests' own event loop.

    Requests go through httpx's ASGI transport in the same loop as the tests, so tests can
    query the database directly (a PostgreSQL pool is bound to the loop that created it).
    """
    from core import db
    from core.app import create_app
    from core.migrate import migrate_all
    from core.store import get_store

    await db.start()
    await migrate_all()
    store = get_store()
    if store.redis is not None:
        await store.redis.flushdb()
    try:
        yield create_app()
    finally:
        await db.stop()


@pytest.fixture(scope="session")
async def client(merimna_app: Any) -> AsyncIterator[Any]:
    import httpx

    transport = httpx.ASGITransport(app=merimna_app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def make_tenant(
    modules: list[str] | None = None, *, prefix: str = "t", name: str = "Δήμος Δοκιμής"
) -> TenantFixture:
    from tenants.schemas import TenantCreate
    from tenants.services import create_tenant

    out = await create_tenant(
        TenantCreate(slug=unique_slug(prefix), name=name, name_en="Test", modules=modules or [])
    )
    return TenantFixture(out.id, out.slug, out.modules)


async def make_staff(
    tenant: TenantFixture | None, roles: list[str], *, consortium_admin: bool = False
) -> Staff:
    from core.auth.accounts import create_user
    from core.auth.sessions import create_session
    from tenants.services import add_membership

    username = f"u{next(_counter)}-{secrets.token_hex(3)}"
    password = secrets.token_urlsafe(12)
    user_id = await create_user(username, password, consortium_admin=consortium_admin)
    if tenant is not None and roles:
        await add_membership(tenant.slug, user_id, roles)
    token, _ = await create_session(user_id)
    return Staff(user_id, username, password, roles, token)


@pytest.fixture
def tenant_factory(client: Any) -> Callable[..., Awaitable[TenantFixture]]:
    return make_tenant


@pytest.fixture
def staff_factory(client: Any) -> Callable[..., Awaitable[Staff]]:
    return make_staff


@pytest.fixture
async def tenant(client: Any) -> TenantFixture:
    return await make_tenant()


@pytest.fixture
async def other_tenant(client: Any) -> TenantFixture:
    """A second municipality, for isolation checks."""
    return await make_tenant(prefix="other")


@pytest.fixture
async def admin(tenant: TenantFixture) -> Staff:
    return await make_staff(tenant, ["tenant_admin"])


@pytest.fixture
async def social_worker(tenant: TenantFixture) -> Staff:
    return await make_staff(tenant, ["social_worker"])


@pytest.fixture
async def consortium_admin(client: Any) -> Staff:
    return await make_staff(None, [], consortium_admin=True)
