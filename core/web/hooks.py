"""The staff web UI as a core plugin: its pages, its menu entries and `merimna web`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.hookspecs import hookimpl
from core.manifest import MenuItem

if TYPE_CHECKING:
    from core.context import RequestContext


@hookimpl
def merimna_platform_routes() -> list[Any]:
    from core.web.consortium import consortium_router
    from core.web.routes import platform_router

    return [platform_router(), consortium_router()]


@hookimpl
def merimna_ui_routes() -> list[Any]:
    from core.web.admin import admin_router
    from core.web.calendar import calendar_router
    from core.web.people import people_router
    from core.web.routes import tenant_router

    return [tenant_router(), people_router(), calendar_router(), admin_router()]


@hookimpl
def merimna_menu_items(ctx: RequestContext) -> list[MenuItem]:
    return [
        MenuItem(id="core.home", title_el="Αρχική", title_en="Home", path="", order=0),
        MenuItem(
            id="core.people",
            title_el="Ωφελούμενοι",
            title_en="People",
            path="people",
            permission="beneficiaries.read",
            order=10,
        ),
        MenuItem(
            id="core.calendar",
            title_el="Ημερολόγιο",
            title_en="Calendar",
            path="calendar",
            permission="scheduling.read",
            order=20,
        ),
        MenuItem(
            id="core.admin",
            title_el="Διαχείριση",
            title_en="Administration",
            path="admin",
            permission="accounts.manage",
            order=950,
        ),
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
