"""Hook implementations of this module: the only file the core calls into."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.api import (
    Manifest,
    MenuItem,
    Panel,
    PanelItem,
    ReportSpec,
    RequestContext,
    ServiceSpec,
    Task,
    TenantRef,
    Tile,
    hookimpl,
    t,
)
from plugins.food_bank.manifest import DISTRIBUTE, ELIGIBILITY, MANIFEST, READ, STOCK


@hookimpl
def merimna_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["plugins.food_bank.piccolo_app"]


@hookimpl
def merimna_export_tables() -> list[Any]:
    from plugins.food_bank.tables import TENANT_TABLES

    return list(TENANT_TABLES)


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from plugins.food_bank.routes import ROUTES

    return list(ROUTES)


@hookimpl
def merimna_ui_routes() -> list[Any]:
    from plugins.food_bank.pages import PAGES

    return list(PAGES)


@hookimpl
def merimna_services() -> list[ServiceSpec]:
    return [
        ServiceSpec(
            code="food_bank.pickup",
            title_el="Παραλαβή τροφίμων",
            title_en="Food bank pickup",
            default_minutes=15,
            modes=("in_person",),
        ),
        ServiceSpec(
            code="food_bank.eligibility_interview",
            title_el="Συνέντευξη επιλεξιμότητας τράπεζας τροφίμων",
            title_en="Food bank eligibility interview",
            default_minutes=30,
            modes=("in_person", "phone"),
            professions=("social_worker", "food_bank_coordinator"),
        ),
    ]


@hookimpl
def merimna_reports() -> list[ReportSpec]:
    from plugins.food_bank.reports import REPORTS_LIST

    return list(REPORTS_LIST)


@hookimpl
def merimna_demo_data(tenant: TenantRef, seed: int) -> Any:
    from plugins.food_bank.demo import load_demo

    return load_demo(tenant, seed)


@hookimpl
def merimna_export_person(tenant: TenantRef, person_id: Any) -> Any:
    from plugins.food_bank.services import export_person

    return export_person(person_id)


@hookimpl
def merimna_erase_person(tenant: TenantRef, person_id: Any) -> Any:
    from plugins.food_bank.services import erase_person

    return erase_person(person_id)


@hookimpl
def merimna_persons_merged(tenant: TenantRef, survivor_id: Any, merged_id: Any) -> Any:
    from plugins.food_bank.services import move_person

    return move_person(survivor_id, merged_id)


# -- staff web UI -----------------------------------------------------------------------------


@hookimpl
def merimna_menu_items(ctx: RequestContext) -> list[MenuItem]:
    return [
        MenuItem(
            id="food_bank",
            title_el="Τράπεζα τροφίμων",
            title_en="Food bank",
            path="food_bank/",
            permission=READ,
            order=400,
        )
    ]


@hookimpl
def merimna_home_tiles(ctx: RequestContext) -> list[Tile]:
    return [
        Tile(
            id="food_bank.pickup",
            title_el="Διανομή τροφίμων",
            title_en="Food distribution",
            path="food_bank/pickup",
            description_el="Αναζήτηση νοικοκυριού, δικαιούμενα είδη, επιβεβαίωση παραλαβής.",
            description_en="Find a household, see its entitlement, confirm the pickup.",
            module="food_bank",
            permission=DISTRIBUTE,
            order=400,
        ),
        Tile(
            id="food_bank.stock",
            title_el="Αποθήκη τράπεζας τροφίμων",
            title_en="Food bank stock",
            path="food_bank/stock",
            description_el="Απόθεμα ανά είδος, παρτίδες που λήγουν, παραλαβές.",
            description_en="Stock by item, lots expiring, receipts.",
            module="food_bank",
            permission=READ,
            order=401,
        ),
        Tile(
            id="food_bank.days",
            title_el="Ημέρες διανομής",
            title_en="Distribution days",
            path="food_bank/days",
            description_el="Προγραμματισμός, ραντεβού παραλαβής, άνοιγμα και κλείσιμο ημέρας.",
            description_en="Planning, pickup bookings, opening and closing a day.",
            module="food_bank",
            permission=READ,
            order=402,
        ),
        Tile(
            id="food_bank.donations",
            title_el="Δωρεές τράπεζας τροφίμων",
            title_en="Food bank donations",
            path="food_bank/donations",
            description_el="Δωρητές, παραλαβή δωρεάς, αποδεικτικό και ευχαριστήρια επιστολή.",
            description_en="Donors, receiving a donation, receipt and thank-you letter.",
            module="food_bank",
            permission=STOCK,
            order=403,
        ),
    ]


@hookimpl
def merimna_person_panels(ctx: RequestContext, person_id: Any) -> Any:
    if not ctx.has(READ):
        return None
    return _person_panels(ctx, person_id)


async def _person_panels(ctx: RequestContext, person_id: Any) -> list[Panel]:
    from plugins.food_bank import services

    info = await services.entitlement(ctx, person_id)
    items: list[PanelItem] = []
    decision = info["eligibility"]
    if decision is None:
        items.append(PanelItem(label=t("food_bank.panel.no_decision")))
    else:
        state = t("food_bank.eligible") if decision["eligible"] else t("food_bank.not_eligible")
        until = decision["valid_until"]
        items.append(
            PanelItem(
                label=t("food_bank.panel.decision"),
                detail=state + (f" · {until.strftime('%d/%m/%Y')}" if until else ""),
                badge="ok" if info["eligible_now"] else "",
            )
        )
    for day in info["last_pickups"][:3]:
        items.append(PanelItem(label=t("food_bank.panel.pickup"), detail=day.strftime("%d/%m/%Y")))
    items.append(
        PanelItem(label=t("food_bank.panel.eligibility"), path=f"food_bank/eligibility/{person_id}")
    )
    if ctx.has(DISTRIBUTE):
        items.append(
            PanelItem(label=t("food_bank.panel.open_pickup"), path=f"food_bank/pickup/{person_id}")
        )
        items.append(
            PanelItem(label=t("food_bank.panel.book"), path=f"food_bank/days?person_id={person_id}")
        )
    return [
        Panel(
            id="food_bank.person",
            title_el="Τράπεζα τροφίμων",
            title_en="Food bank",
            items=tuple(items),
            order=400,
        )
    ]


@hookimpl
def merimna_tasks(ctx: RequestContext) -> Any:
    if not (ctx.has(ELIGIBILITY) or ctx.has(STOCK)):
        return None
    return _tasks(ctx)


async def _tasks(ctx: RequestContext) -> list[Task]:
    from plugins.food_bank import services

    settings = await services.settings_for(ctx)
    today = services.today_for(ctx)
    out: list[Task] = []
    if ctx.has(ELIGIBILITY):
        for row in (
            await services.recertifications_due(today, settings.recertification_notice_days)
        )[:20]:
            out.append(
                Task(
                    id=f"food_bank.recertify.{row['id']}",
                    title=t("food_bank.task.recertify"),
                    path=f"food_bank/eligibility/{row['person_id']}",
                    kind="food_bank.recertification",
                    due=row["valid_until"],
                    module="food_bank",
                )
            )
    if ctx.has(STOCK):
        rows, _ = await services.list_lots(ctx, expiring_within=7, limit=20)
        for lot in rows:
            if lot["expiry"] is None or lot["expiry"] < today - timedelta(days=0):
                continue
            out.append(
                Task(
                    id=f"food_bank.expiring.{lot['id']}",
                    title=t("food_bank.task.expiring", item=lot["item_name"], lot=lot["lot_code"]),
                    path=f"food_bank/lots/{lot['id']}",
                    kind="food_bank.expiring",
                    due=lot["expiry"],
                    module="food_bank",
                )
            )
    return out
