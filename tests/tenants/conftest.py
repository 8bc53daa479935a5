"""Fixtures of the tenancy tests: a test-only module with real settings, and its app.

The built-in modules' settings models are still placeholders, so settings validation is
tested against `test_widgets`, registered like a third-party module through
`PluginHost(extra_modules=...)`. It also brings routes of its own under
`/modules/test_widgets/...`, to prove they coexist with the settings routes.
"""

from __future__ import annotations

import os
import secrets
import types
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from litestar import get
from litestar.params import FromPath
from pydantic import BaseModel, ConfigDict, Field

from core.api import Manifest, TenantRef, hookimpl

ADMIN = "/api/v1/admin"
WIDGETS = "test_widgets"


class WidgetSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_visits: int = Field(default=4, ge=1, le=20, description="Visits per week at most.")
    label: str = Field(default="", max_length=20, description="Shown on the tile.")


def widgets_module() -> types.SimpleNamespace:
    """A module with settings, routes of its own, and a record of its lifecycle hooks."""
    calls: list[tuple[str, str, Any]] = []

    @get("/things")
    async def things() -> dict[str, str]:
        return {"module": WIDGETS, "route": "things"}

    @get("/{name:str}/detail")
    async def detail(name: FromPath[str]) -> dict[str, str]:
        return {"module": WIDGETS, "detail": name}

    class Impl:
        @hookimpl
        def merimna_manifest(self) -> Manifest:
            return Manifest(
                slug=WIDGETS,
                title_el="Γραφικά στοιχεία",
                title_en="Widgets",
                version="1.2.3",
                description_el="Δοκιμαστική ενότητα",
                description_en="A test module",
                settings_model=WidgetSettings,
            )

        @hookimpl
        def merimna_tenant_routes(self) -> list[Any]:
            return [things, detail]

        @hookimpl
        def merimna_module_enabled(self, tenant: TenantRef, module: str, settings: Any) -> None:
            calls.append(("enabled", module, settings))

        @hookimpl
        def merimna_module_disabled(self, tenant: TenantRef, module: str) -> None:
            calls.append(("disabled", module, tenant.slug))

    return types.SimpleNamespace(plugin=Impl(), calls=calls)


@pytest.fixture(scope="module")
async def widgets(merimna_app: Any) -> AsyncIterator[types.SimpleNamespace]:
    """The process-wide host and an app, both with `test_widgets` installed (module scope).

    Services look the host up with `get_host()`, so it is swapped for the module's tests and
    put back after them.
    """
    import httpx

    from core.app import create_app
    from core.plugin_host import PluginHost, get_host, set_host

    module = widgets_module()
    previous = get_host()
    host = PluginHost(extra_modules=[(WIDGETS, module.plugin)])
    set_host(host)
    try:
        app = create_app(host=host)
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50001))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield types.SimpleNamespace(client=http, calls=module.calls, host=host, app=app)
    finally:
        set_host(previous)


def settings_url(slug: str, module: str = WIDGETS) -> str:
    return f"/api/v1/t/{slug}/modules/{module}/settings"


@dataclass
class Deployment:
    """Another Merimna installation: its own empty database and data folder, no Redis."""

    url: str
    data_dir: Path
    database: str = ""  # PostgreSQL: the database's name

    def count(self, table: str) -> int:
        """Every row of a table, all tenants together (as the database owner sees it)."""
        sql = f'SELECT count(*) AS n FROM "{table}"'
        if not self.database:
            import sqlite3

            with sqlite3.connect(self.url.removeprefix("sqlite:///")) as con:
                return int(con.execute(sql).fetchone()[0])
        from tests.conftest import _state

        out = _state["pg"].psql(sql, database=self.database)  # superuser: no RLS
        return int(out.strip())

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "MERIMNA_REDIS_URL"}
        env.update(MERIMNA_DATABASE_URL=self.url, MERIMNA_DATA_DIR=str(self.data_dir))
        return env


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    """A second deployment on this tier: a SQLite file, or a new database in the test
    PostgreSQL cluster (owned by the same non-superuser role, so row-level security holds)."""
    from tests.conftest import _state

    pg = _state.get("pg")
    name = f"second_{secrets.token_hex(4)}"
    url = pg.create_database(name) if pg else f"sqlite:///{tmp_path / 'second.sqlite'}"
    try:
        yield Deployment(url=url, data_dir=tmp_path / "second-data", database=name if pg else "")
    finally:
        if pg:
            pg.drop_database(name)


async def in_tenant(tenant_id: Any, fn: Any) -> Any:
    """Run `fn()` as the tenant: scoping context and, on PostgreSQL, row-level security."""
    from core import db
    from tenants.scoping import tenant_context

    with tenant_context(tenant_id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant_id)
            return await fn()
