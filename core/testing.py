"""The Merimna test kit: a pytest plugin (entry point `pytest11: merimna`) for the project and
for module authors.

Fixtures: an app with the installed modules (`merimna_app`, `client`), tenants with chosen
modules (`tenant_factory`, `tenant`, `other_tenant` for isolation checks), staff logged in
per role (`staff_factory`, `admin`, `social_worker`, `consortium_admin`), people
(`person_factory`), and a browser-like client for the web pages (`browser`, `sign_in`).

`pytest --merimna-module SLUG` (repeatable) adds the conformance suite every module passes
(`core/conformance_tests.py`) for those modules. Outside this repository the kit runs on a
throwaway SQLite database; set `MERIMNA_DATABASE_URL`/`MERIMNA_REDIS_URL` to use real
servers (this repository's `tests/conftest.py` does, with `--tier pg`).
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
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


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--merimna-module",
        action="append",
        default=[],
        metavar="SLUG",
        help="run Merimna's module conformance suite for this installed module (repeatable)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # Defaults for a module author's run; this repository's conftest sets its own tier.
    if "MERIMNA_DATABASE_URL" not in os.environ:
        base = Path(tempfile.mkdtemp(prefix="merimna-kit-"))
        os.environ["MERIMNA_DATABASE_URL"] = f"sqlite:///{base / 'test.sqlite'}"
        os.environ.setdefault("MERIMNA_DATA_DIR", str(base / "data"))
    os.environ.setdefault("MERIMNA_ENV", "development")
    os.environ.setdefault("MERIMNA_LOGIN_RATE_PER_ADDRESS", "100000")
    if config.getoption("--merimna-module"):
        from core import conformance_tests

        config.args.append(str(conformance_tests.__file__))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """`module_slug`: the modules chosen with --merimna-module, else every installed one."""
    if "module_slug" not in metafunc.fixturenames:
        return
    from core.plugin_host import get_host

    installed = sorted(get_host().modules)
    chosen = metafunc.config.getoption("--merimna-module") or installed
    unknown = sorted(set(chosen) - set(installed))
    if unknown:
        raise pytest.UsageError(f"--merimna-module: not installed: {', '.join(unknown)}")
    metafunc.parametrize("module_slug", chosen)


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


async def make_person(client: Any, tenant: TenantFixture, staff: Staff, **fields: Any) -> str:
    """A beneficiary of `tenant` created through the API by `staff`; returns its id."""
    body = {"first_name": "Μαρία", "last_name": "Παπαδοπούλου", "birth_date": "1950-03-01"}
    body.update(fields)
    response = await client.post(f"{tenant.api}/beneficiaries", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture
def person_factory(client: Any) -> Callable[..., Awaitable[str]]:
    """`await person_factory(tenant, staff, **fields)`: a new person's id."""

    async def make(tenant: TenantFixture, staff: Staff, **fields: Any) -> str:
        return await make_person(client, tenant, staff, **fields)

    return make


# -- the web pages ------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture
async def browser(merimna_app: Any) -> AsyncIterator[Any]:
    """A client with its own cookie jar, like a browser: sign in with `sign_in`."""
    import httpx

    transport = httpx.ASGITransport(app=merimna_app, client=("127.0.0.1", 50001))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def csrf_of(html: str) -> str:
    """The CSRF token of a page's form, to post it back."""
    found = CSRF_RE.search(html)
    assert found, "no CSRF field in the page"
    return found.group(1)


async def sign_in(browser: Any, username: str, password: str) -> Any:
    """Sign in through the login form, as a person would; returns the form's response."""
    page = await browser.get("/login")
    return await browser.post(
        "/login",
        data={"username": username, "password": password, "_csrf_token": csrf_of(page.text)},
    )
