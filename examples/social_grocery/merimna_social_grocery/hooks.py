"""Hook implementations: the only file the core calls into (see Merimna's docs/modules/)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from core.api import (
    Manifest,
    MenuItem,
    ReportSpec,
    RequestContext,
    TenantRef,
    Tile,
    hookimpl,
)

from merimna_social_grocery import demo, services
from merimna_social_grocery.manifest import MANIFEST, READ, SLUG


@hookimpl
def merimna_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["merimna_social_grocery.piccolo_app"]


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from merimna_social_grocery.routes import ROUTES

    return list(ROUTES)


@hookimpl
def merimna_ui_routes() -> list[Any]:
    from merimna_social_grocery.pages import PAGES

    return list(PAGES)


@hookimpl
def merimna_reports() -> list[ReportSpec]:
    from merimna_social_grocery.reports import REPORTS

    return list(REPORTS)


@hookimpl
def merimna_export_tables() -> list[Any]:
    from merimna_social_grocery.tables import Card, Entry

    return [Card, Entry]


@hookimpl
def merimna_menu_items(ctx: RequestContext) -> list[MenuItem]:
    return [
        MenuItem(
            id=SLUG,
            title_el=MANIFEST.title_el,
            title_en=MANIFEST.title_en,
            path=f"{SLUG}/",
            permission=READ,
        )
    ]


@hookimpl
def merimna_home_tiles(ctx: RequestContext) -> list[Tile]:
    return [
        Tile(
            id=SLUG,
            title_el=MANIFEST.title_el,
            title_en=MANIFEST.title_en,
            path=f"{SLUG}/",
            module=SLUG,
            permission=READ,
        )
    ]


@hookimpl
def merimna_export_person(tenant: TenantRef, person_id: UUID) -> Any:
    return services.export_person(person_id)


@hookimpl
def merimna_erase_person(tenant: TenantRef, person_id: UUID) -> Any:
    return services.erase_person(person_id)


@hookimpl
def merimna_demo_data(tenant: TenantRef, seed: int) -> Any:
    return demo.load(seed)
