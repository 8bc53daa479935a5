"""The staff web UI as a core plugin: its pages, its menu entries and `merimna web`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.hookspecs import hookimpl
from core.manifest import MenuItem

if TYPE_CHECKING:
    from core.context import RequestContext


@hookimpl
def merimna_platform_routes() -> list[Any]:
    from core.web.routes import platform_router

    return [platform_router()]


@hookimpl
def merimna_ui_routes() -> list[Any]:
    from core.web.routes import tenant_router

    return [tenant_router()]


@hookimpl
def merimna_menu_items(ctx: RequestContext) -> list[MenuItem]:
    return [
        MenuItem(id="core.home", title_el="Αρχική", title_en="Home", path="", order=0),
        MenuItem(
            id="core.reports",
            title_el="Αναφορές",
            title_en="Reports",
            path="reports",
            permission="reports.read",
            order=900,
        ),
    ]


@hookimpl
def merimna_cli(group: Any) -> None:
    from core.web.vendor import web

    group.add_command(web)
