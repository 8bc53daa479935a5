"""The staff UI hooks: a module contributes menu items, home tiles, tasks, today's agenda and
panels on a person's page, and only tenants that enabled it see them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import httpx
import pytest
from pydantic import BaseModel

from core.api import Manifest, hookimpl
from core.app import create_app
from core.manifest import AgendaEntry, MenuItem, Panel, PanelItem, PermissionSpec, Task, Tile
from core.plugin_host import PluginHost, get_host, set_host
from core.testing import make_staff, make_tenant
from tests.core.web.conftest import sign_in

SLUG = "web_demo"


class NoSettings(BaseModel):
    pass


class WebDemo:
    """A module implementing every staff UI hook."""

    def __init__(self) -> None:
        self.panel_calls: list[Any] = []

    @hookimpl
    def merimna_manifest(self) -> Manifest:
        return Manifest(
            slug=SLUG,
            title_el="Δοκιμαστική ενότητα",
            title_en="Demo module",
            version="1.0",
            settings_model=NoSettings,
            permissions=(
                PermissionSpec(
                    code=f"{SLUG}.secret", title_el="Μυστικό", title_en="Secret", roles=("nurse",)
                ),
            ),
        )

    @hookimpl
    def merimna_menu_items(self, ctx: Any) -> list[MenuItem]:
        return [
            MenuItem(id=f"{SLUG}.list", title_el="Δοκιμές", title_en="Demos", path=f"{SLUG}/"),
            MenuItem(
                id=f"{SLUG}.secret",
                title_el="Κρυφό μενού",
                title_en="Hidden menu",
                path=f"{SLUG}/secret",
                permission=f"{SLUG}.secret",
            ),
        ]

    @hookimpl
    def merimna_home_tiles(self, ctx: Any) -> list[Tile]:
        return [
            Tile(
                id=f"{SLUG}.tile",
                title_el="Πλακίδιο δοκιμής",
                title_en="Demo tile",
                description_el="Περιγραφή πλακιδίου",
                description_en="Tile text",
                path=f"{SLUG}/",
                module=SLUG,
            )
        ]

    @hookimpl
    async def merimna_tasks(self, ctx: Any) -> list[Task]:
        today = date.today()
        return [
            Task(id="t2", title="Επανεκτίμηση Κ. Π.", path=f"{SLUG}/cases/2", due=today),
            Task(
                id="t1",
                title="Λείπει βεβαίωση",
                path=f"{SLUG}/cases/1",
                due=today - timedelta(days=3),
                kind=f"{SLUG}.document_missing",
            ),
        ]

    @hookimpl
    async def merimna_agenda(self, ctx: Any, day: date) -> list[AgendaEntry]:
        start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
        return [
            AgendaEntry(
                id="a1",
                start=start,
                end=start + timedelta(hours=1),
                title="Κατ' οίκον επίσκεψη",
                detail="Οδός Αθηνάς 5",
                path=f"{SLUG}/a/1",
            )
        ]

    @hookimpl
    def merimna_person_panels(self, ctx: Any, person_id: Any) -> list[Panel]:
        self.panel_calls.append(person_id)
        return [
            Panel(
                id=f"{SLUG}.profile",
                title_el="Προφίλ δοκιμής",
                title_en="Demo profile",
                items=(PanelItem(label="Βαθμός Katz", detail="4/6", badge="νέο"),),
            ),
            Panel(id=f"{SLUG}.empty", title_el="Κενό", title_en="Empty", empty_el="Τίποτα"),
        ]


@pytest.fixture
def demo_host(merimna_app: Any) -> Iterator[tuple[PluginHost, WebDemo]]:
    """A host with the demo module installed, made the process's host for the test."""
    module = WebDemo()
    previous = get_host()
    host = PluginHost(extra_modules=[(SLUG, module)])
    set_host(host)
    try:
        yield host, module
    finally:
        set_host(previous)


@pytest.fixture
async def demo_browser(demo_host: tuple[PluginHost, WebDemo]) -> Any:
    app = create_app(settings=None, host=demo_host[0])
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_home_and_menu_show_what_an_enabled_module_contributes(
    demo_browser: httpx.AsyncClient,
) -> None:
    tenant = await make_tenant(modules=[SLUG])
    staff = await make_staff(tenant, ["social_worker"])
    await sign_in(demo_browser, staff.username, staff.password)
    home = await demo_browser.get(f"/t/{tenant.slug}/")
    assert home.status_code == 200
    text = home.text
    # merimna_menu_items: shown, and hidden without the permission
    assert f'href="/t/{tenant.slug}/{SLUG}/"' in text and "Δοκιμές" in text
    assert "Κρυφό μενού" not in text
    # merimna_home_tiles: the module's own tile replaces the one from its manifest
    assert "Πλακίδιο δοκιμής" in text and "Περιγραφή πλακιδίου" in text
    assert "Δοκιμαστική ενότητα" not in text
    # merimna_tasks: sorted by due date, the overdue one marked
    assert text.index("Λείπει βεβαίωση") < text.index("Επανεκτίμηση Κ. Π.")
    assert "Εκπρόθεσμο" in text
    # merimna_agenda: today's appointments, in the tenant's time zone (UTC+2/+3)
    assert "Κατ&#39; οίκον επίσκεψη" in text or "Κατ' οίκον επίσκεψη" in text
    assert "Οδός Αθηνάς 5" in text
    assert ("10:00–11:00" in text) or ("11:00–12:00" in text)


async def test_a_tenant_without_the_module_sees_none_of_it(
    demo_browser: httpx.AsyncClient,
) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["nurse"])
    await sign_in(demo_browser, staff.username, staff.password)
    home = await demo_browser.get(f"/t/{tenant.slug}/")
    assert home.status_code == 200
    for text in ("Δοκιμές", "Πλακίδιο δοκιμής", "Λείπει βεβαίωση", "Οδός Αθηνάς 5"):
        assert text not in home.text


async def test_person_panels_reach_enabled_modules_and_render(
    demo_host: tuple[PluginHost, WebDemo], merimna_app: Any
) -> None:
    host, module = demo_host
    person = uuid4()
    enabled = await host.for_tenant([SLUG]).person_panels(ctx=stranger(), person_id=person)
    enabled = [p for p in enabled if p.id.startswith(f"{SLUG}.")]
    assert [p.id for p in enabled] == [f"{SLUG}.profile", f"{SLUG}.empty"]
    assert module.panel_calls == [person]
    disabled = await host.for_tenant([]).person_panels(ctx=stranger(), person_id=person)
    assert not [p for p in disabled if p.id.startswith(f"{SLUG}.")]
    macros = merimna_app.template_engine.get_template("macros.html").module
    html = str(macros.panel(enabled[0], "x")) + str(macros.panel(enabled[1], "x"))
    assert "Προφίλ δοκιμής" in html and "Βαθμός Katz" in html and "4/6" in html
    assert "Τίποτα" in html


def stranger() -> Any:
    """A request context that holds no permission: core areas contribute nothing to it."""
    return SimpleNamespace(
        has=lambda permission: False, roles=frozenset(), user_id=uuid4(), language="el"
    )


async def test_typed_calls_collect_every_hook(demo_host: tuple[PluginHost, WebDemo]) -> None:
    host, _module = demo_host
    hooks, off, ctx = host.for_tenant([SLUG]), host.for_tenant([]), stranger()
    assert {"core.home", "core.reports", f"{SLUG}.list"} <= {m.id for m in hooks.menu_items(ctx)}
    assert f"{SLUG}.tile" in {t.id for t in hooks.home_tiles(ctx)}
    assert {"t1", "t2"} <= {t.id for t in await hooks.tasks(ctx)}
    assert "a1" in {a.id for a in await hooks.agenda(ctx, date.today())}
    assert f"{SLUG}.list" not in {m.id for m in off.menu_items(ctx)}
    assert f"{SLUG}.tile" not in {t.id for t in off.home_tiles(ctx)}
    assert not {"t1", "t2"} & {t.id for t in await off.tasks(ctx)}
    assert "a1" not in {a.id for a in await off.agenda(ctx, date.today())}
