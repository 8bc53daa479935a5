"""Hook implementations of this module: the only file the core calls into."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from core.api import (
    AppointmentRef,
    Manifest,
    MenuItem,
    ReportSpec,
    ServiceSpec,
    TenantRef,
    Tile,
    hookimpl,
)
from plugins.help_at_home.manifest import MANIFEST, SLUG


@hookimpl
def merimna_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["plugins.help_at_home.piccolo_app"]


@hookimpl
def merimna_export_tables() -> list[Any]:
    from plugins.help_at_home.tables import TENANT_TABLES

    return list(TENANT_TABLES)


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from plugins.help_at_home.routes import ROUTES

    return list(ROUTES)


@hookimpl
def merimna_ui_routes() -> list[Any]:
    from plugins.help_at_home.pages import PAGES

    return list(PAGES)


@hookimpl
def merimna_services() -> list[ServiceSpec]:
    from plugins.help_at_home.services import DEFAULT_MINUTES, PROFESSIONS

    titles = {
        "nursing_visit": ("Νοσηλευτική επίσκεψη στο σπίτι", "Nursing visit at home"),
        "home_help": ("Οικογενειακή βοήθεια στο σπίτι", "Home help"),
        "psychosocial_support": ("Ψυχοκοινωνική υποστήριξη", "Psychosocial support"),
        "accompaniment": ("Συνοδεία και εξωτερικές εργασίες", "Accompaniment and errands"),
    }
    return [
        ServiceSpec(
            code=f"{SLUG}.{name}",
            title_el=el,
            title_en=en,
            default_minutes=DEFAULT_MINUTES[name],
            modes=("home_visit", "phone") if name == "psychosocial_support" else ("home_visit",),
            professions=PROFESSIONS[name],
        )
        for name, (el, en) in titles.items()
    ]


@hookimpl
def merimna_reports() -> list[ReportSpec]:
    from plugins.help_at_home.reports import REPORTS

    return list(REPORTS)


@hookimpl
def merimna_export_person(tenant: TenantRef, person_id: Any) -> Any:
    from plugins.help_at_home.services import export_person

    return export_person(UUID(str(person_id)))


@hookimpl
def merimna_erase_person(tenant: TenantRef, person_id: Any) -> Any:
    from plugins.help_at_home.services import erase_person

    return erase_person(UUID(str(person_id)))


@hookimpl
def merimna_persons_merged(tenant: TenantRef, survivor_id: Any, merged_id: Any) -> Any:
    from plugins.help_at_home.services import persons_merged

    return persons_merged(UUID(str(survivor_id)), UUID(str(merged_id)))


@hookimpl
def merimna_appointment_changed(
    tenant: TenantRef, appointment_id: Any, change: str, appointment: AppointmentRef | None
) -> Any:
    from plugins.help_at_home.services import appointment_changed

    return appointment_changed(tenant, UUID(str(appointment_id)), change, appointment)


@hookimpl
def merimna_demo_data(tenant: TenantRef, seed: int) -> Any:
    from plugins.help_at_home.demo import load_demo

    return load_demo(tenant, seed)


# -- staff web UI ---------------------------------------------------------------------------


@hookimpl
def merimna_menu_items(ctx: Any) -> list[MenuItem]:
    items = [
        MenuItem(
            id="help_at_home.home",
            title_el="Βοήθεια στο Σπίτι",
            title_en="Help at Home",
            path=f"{SLUG}/",
            permission="help_at_home.read",
            order=200,
        )
    ]
    if not ctx.has("help_at_home.read"):
        items.append(
            MenuItem(
                id="help_at_home.roster",
                title_el="Το πρόγραμμά μου",
                title_en="My roster",
                path=f"{SLUG}/roster",
                permission="help_at_home.visits",
                order=200,
            )
        )
    return items


@hookimpl
def merimna_home_tiles(ctx: Any) -> list[Tile]:
    return [
        Tile(
            id="help_at_home",
            title_el="Βοήθεια στο Σπίτι",
            title_en="Help at Home",
            path=f"{SLUG}/",
            description_el="Αιτήσεις, αξιολογήσεις, σχέδια φροντίδας και επισκέψεις.",
            description_en="Applications, assessments, care plans and visits.",
            module=SLUG,
            permission="help_at_home.read",
            order=200,
        ),
        Tile(
            id="help_at_home.applications",
            title_el="Αιτήσεις Βοήθειας στο Σπίτι",
            title_en="Help at Home applications",
            path=f"{SLUG}/applications",
            description_el="Λίστα αναμονής, αξιολόγηση και απόφαση ένταξης.",
            description_en="The waiting list, assessment and the admission decision.",
            module=SLUG,
            permission="help_at_home.read",
            order=202,
        ),
        Tile(
            id="help_at_home.incidents",
            title_el="Συμβάντα",
            title_en="Incidents",
            path=f"{SLUG}/incidents",
            description_el="Πτώσεις και νοσηλείες που περιμένουν ενέργειες.",
            description_en="Falls and hospital stays waiting for a follow-up.",
            module=SLUG,
            permission="help_at_home.read",
            order=203,
        ),
        Tile(
            id="help_at_home.roster",
            title_el="Πρόγραμμα ημέρας",
            title_en="Today's roster",
            path=f"{SLUG}/roster",
            description_el="Οι επισκέψεις της ημέρας με τη σειρά, διευθύνσεις και εργασίες.",
            description_en="Today's visits in order, with addresses and tasks.",
            module=SLUG,
            permission="help_at_home.visits",
            order=201,
        ),
    ]


@hookimpl
def merimna_person_panels(ctx: Any, person_id: Any) -> Any:
    from plugins.help_at_home.pages import person_panel

    if not ctx.has("help_at_home.read"):
        return None
    return person_panel(ctx, UUID(str(person_id)))


@hookimpl
def merimna_tasks(ctx: Any) -> Any:
    from plugins.help_at_home.pages import tasks

    if not ctx.has("help_at_home.assess"):
        return None
    return tasks(ctx)
