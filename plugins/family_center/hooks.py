"""Hook implementations of this module: the only file the core calls into."""

from __future__ import annotations

from typing import Any

from core.api import (
    Manifest,
    MenuItem,
    Panel,
    PanelItem,
    RequestContext,
    ServiceSpec,
    Task,
    Tile,
    hookimpl,
    register_owner_type,
    t,
)
from plugins.family_center.manifest import COUNSEL, MANIFEST, PROTECTION, READ, SLUG


def _order_visible(record_id: Any, ctx: Any) -> Any:
    from plugins.family_center.services import investigation_visible

    return investigation_visible(record_id, ctx)


def _visible_orders(ctx: Any) -> Any:
    from plugins.family_center.services import visible_investigation_ids

    return visible_investigation_ids(ctx)


# The prosecutor's order and other evidence are core documents owned by an investigation,
# seen by whoever sees the order: its assigned team and the supervisors.
register_owner_type(f"{SLUG}.investigation", visible=_order_visible, visible_ids=_visible_orders)


@hookimpl
def merimna_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["plugins.family_center.piccolo_app"]


@hookimpl
def merimna_export_tables() -> list[Any]:
    from plugins.family_center.tables import TENANT_TABLES

    return list(TENANT_TABLES)


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from plugins.family_center.routes import ROUTES

    return list(ROUTES)


@hookimpl
def merimna_ui_routes() -> list[Any]:
    from plugins.family_center.pages import PAGES

    return list(PAGES)


@hookimpl
def merimna_services() -> list[ServiceSpec]:
    counsellors = ("psychologist", "social_worker")
    team = ("social_worker", "psychologist", "child_protection_officer")
    return [
        ServiceSpec(
            code=f"{SLUG}.counselling",
            title_el="Συνεδρία συμβουλευτικής",
            title_en="Counselling session",
            default_minutes=50,
            modes=("in_person", "phone", "video"),
            professions=counsellors,
            group=True,
        ),
        ServiceSpec(
            code=f"{SLUG}.group_meeting",
            title_el="Συνάντηση ομάδας / εργαστήριο",
            title_en="Group meeting / workshop",
            default_minutes=90,
            modes=("in_person", "video"),
            professions=(*counsellors, "pedagogue"),
            group=True,
        ),
        ServiceSpec(
            code=f"{SLUG}.home_visit",
            title_el="Κατ' οίκον επίσκεψη κοινωνικής έρευνας",
            title_en="Social-investigation home visit",
            default_minutes=90,
            modes=("home_visit",),
            professions=team,
            group=True,
        ),
        ServiceSpec(
            code=f"{SLUG}.interview",
            title_el="Συνέντευξη κοινωνικής έρευνας",
            title_en="Social-investigation interview",
            default_minutes=60,
            modes=("in_person", "video"),
            professions=team,
            group=True,
        ),
    ]


@hookimpl
def merimna_reports() -> list[Any]:
    from plugins.family_center.reports import report_specs

    return report_specs()


@hookimpl
def merimna_menu_items(ctx: RequestContext) -> list[MenuItem]:
    items = [
        MenuItem(
            id=f"{SLUG}.home",
            title_el="Κέντρο Στήριξης Οικογένειας",
            title_en="Family Support Centre",
            path=f"{SLUG}/",
            permission=READ,
            order=200,
        ),
        MenuItem(
            id=f"{SLUG}.orders",
            title_el="Εισαγγελικές παραγγελίες",
            title_en="Prosecutor orders",
            path=f"{SLUG}/investigations",
            permission=PROTECTION,
            order=201,
        ),
    ]
    return items


@hookimpl
def merimna_home_tiles(ctx: RequestContext) -> list[Tile]:
    return [
        Tile(
            id=f"{SLUG}.tile",
            title_el=MANIFEST.title_el,
            title_en=MANIFEST.title_en,
            description_el="Περιστατικά, συνεδρίες, ομάδες, εθελοντές και εισαγγελικές "
            "παραγγελίες.",
            description_en="Cases, sessions, groups, volunteers and prosecutor orders.",
            path=f"{SLUG}/",
            module=SLUG,
            permission=READ,
            order=200,
        )
    ]


async def _panels(ctx: RequestContext, person_id: Any) -> list[Panel]:
    """The person's cases, prosecutor orders (those the user may see) and programmes, with
    links to open a case or register an order for them."""
    from plugins.family_center import services

    if not ctx.has(READ):
        return []
    items: list[PanelItem] = []
    cases, _ = await services.list_cases(ctx, person_id=person_id, limit=20)
    items += [
        PanelItem(
            label=t("family_center.panel.case", date=c["opened_on"].strftime("%d/%m/%Y")),
            detail=", ".join(t(f"family_center.problem.{p}") for p in c["problems"]),
            path=f"{SLUG}/cases/{c['id']}",
            badge=t(f"family_center.status.{c['status']}"),
        )
        for c in cases
    ]
    if ctx.has(PROTECTION):
        orders, _ = await services.list_investigations(ctx, person_id=person_id, limit=20)
        items += [
            PanelItem(
                label=t("family_center.panel.order", protocol=o["order_protocol"]),
                detail=t(f"family_center.deadline.{o['deadline_state']}"),
                path=f"{SLUG}/investigations/{o['id']}",
                badge=t(f"family_center.order_status.{o['status']}"),
            )
            for o in orders
        ]
    programmes, _ = await services.list_programmes(
        ctx, kind=None, limit=20, cursor=None, person_id=person_id
    )
    items += [
        PanelItem(
            label=t("family_center.panel.programme", title=p["title"]),
            detail=p["partner"],
            path=f"{SLUG}/programmes/{p['id']}",
        )
        for p in programmes
    ]
    if ctx.has(COUNSEL):
        items.append(
            PanelItem(
                label=t("family_center.panel.new_case"), path=f"{SLUG}/cases/new?pick={person_id}"
            )
        )
    if ctx.has(PROTECTION):
        items.append(
            PanelItem(
                label=t("family_center.panel.new_order"),
                path=f"{SLUG}/investigations/new?pick={person_id}",
            )
        )
    return [
        Panel(
            id=f"{SLUG}.cases",
            title_el="Κέντρο Στήριξης Οικογένειας",
            title_en="Family Support Centre",
            items=tuple(items),
            empty_el="Κανένα περιστατικό.",
            empty_en="No cases.",
            order=200,
        )
    ]


@hookimpl
def merimna_person_panels(ctx: RequestContext, person_id: Any) -> Any:
    return _panels(ctx, person_id)


async def _tasks(ctx: RequestContext) -> list[Task]:
    from plugins.family_center import services

    if not (ctx.has(PROTECTION) or ctx.has(COUNSEL)):
        return []
    out = []
    for task in await services.open_tasks(ctx):
        if task["kind"] == f"{SLUG}.review_due":
            title = t("family_center.task.review_due")
            path = f"{SLUG}/cases/{task['id']}"
        else:
            title = t(
                f"family_center.task.{task['kind'].split('.')[-1]}", protocol=task["protocol"]
            )
            path = f"{SLUG}/investigations/{task['id']}"
        out.append(
            Task(
                id=f"{task['kind']}:{task['id']}",
                title=title,
                path=path,
                kind=task["kind"],
                due=task["due"],
                module=SLUG,
            )
        )
    return out


@hookimpl
def merimna_tasks(ctx: RequestContext) -> Any:
    return _tasks(ctx)


@hookimpl
def merimna_export_person(tenant: Any, person_id: Any) -> Any:
    from plugins.family_center.services import export_person

    return export_person(person_id)


@hookimpl
def merimna_erase_person(tenant: Any, person_id: Any) -> Any:
    from plugins.family_center.services import erase_person

    return erase_person(person_id)


@hookimpl
def merimna_persons_merged(tenant: Any, survivor_id: Any, merged_id: Any) -> Any:
    from plugins.family_center.services import move_person

    return move_person(survivor_id, merged_id)


@hookimpl
def merimna_demo_data(tenant: Any, seed: int) -> Any:
    from plugins.family_center.demo import load

    return load(tenant, seed)
