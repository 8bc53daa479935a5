"""Hook implementations of this module: the only file the core calls into."""

from __future__ import annotations

from typing import Any

from core.api import (
    Manifest,
    MenuItem,
    Panel,
    PanelItem,
    ReportSpec,
    ServiceSpec,
    TenantRef,
    Tile,
    hookimpl,
    t,
)
from plugins.roma_branch.manifest import ACCESS, MANIFEST, SLUG


@hookimpl
def merimna_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["plugins.roma_branch.piccolo_app"]


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from plugins.roma_branch.routes import ROUTES

    return list(ROUTES)


@hookimpl
def merimna_ui_routes() -> list[Any]:
    from plugins.roma_branch.pages import PAGES

    return list(PAGES)


@hookimpl
def merimna_export_tables() -> list[Any]:
    from plugins.roma_branch.tables import TENANT_TABLES

    return list(TENANT_TABLES)


@hookimpl
def merimna_services() -> list[ServiceSpec]:
    return [
        ServiceSpec(
            code=f"{SLUG}.accompaniment",
            title_el="Συνοδεία σε υπηρεσία",
            title_en="Accompaniment to a public service",
            default_minutes=120,
            modes=("in_person",),
            professions=(
                "roma_mediator",
                "social_worker",
                "health_visitor",
                "psychologist",
            ),
        ),
        ServiceSpec(
            code=f"{SLUG}.counselling",
            title_el="Συνάντηση στο Παράρτημα Ρομά",
            title_en="Meeting at the Roma branch",
            default_minutes=45,
            modes=("in_person", "phone", "home_visit"),
        ),
    ]


@hookimpl
def merimna_reports() -> list[ReportSpec]:
    from plugins.roma_branch.reports import REPORTS

    return list(REPORTS)


@hookimpl
def merimna_demo_data(tenant: TenantRef, seed: int) -> Any:
    from plugins.roma_branch.demo import load

    return load(tenant, seed)


@hookimpl
def merimna_export_person(tenant: TenantRef, person_id: Any) -> Any:
    from plugins.roma_branch.services import export_person

    async def run() -> dict[str, Any]:
        # Under the module's slug: other plugins' export keys never collide with ours.
        return {SLUG: await export_person(person_id)}

    return run()


@hookimpl
def merimna_erase_person(tenant: TenantRef, person_id: Any) -> Any:
    from plugins.roma_branch.services import erase_person

    return erase_person(person_id)


@hookimpl
def merimna_persons_merged(tenant: TenantRef, survivor_id: Any, merged_id: Any) -> Any:
    from plugins.roma_branch.services import move_person

    return move_person(survivor_id, merged_id)


# -- staff web UI -------------------------------------------------------------------------------


@hookimpl
def merimna_menu_items(ctx: Any) -> list[MenuItem]:
    return [
        MenuItem(
            id=f"{SLUG}.home",
            title_el="Παράρτημα Ρομά",
            title_en="Roma branch",
            path=f"{SLUG}/",
            permission=ACCESS,
            order=300,
        )
    ]


@hookimpl
def merimna_home_tiles(ctx: Any) -> list[Tile]:
    return [
        Tile(
            id=f"{SLUG}.home",
            title_el=MANIFEST.title_el,
            title_en=MANIFEST.title_en,
            path=f"{SLUG}/",
            description_el=MANIFEST.description_el,
            description_en=MANIFEST.description_en,
            module=SLUG,
            permission=ACCESS,
            order=300,
        )
    ]


@hookimpl
def merimna_person_panels(ctx: Any, person_id: Any) -> Any:
    # No panel at all for users outside the branch: its mere existence reveals ethnic origin.
    if not ctx.has(ACCESS):
        return None
    return _panels(ctx, person_id)


async def _panels(ctx: Any, person_id: Any) -> list[Panel]:
    """The person in the branch: applications, school years, job-seeker profile, contacts,
    each linking to its screen; `more_path` opens the person's page in the branch, where
    every form about them starts (also linked as the last item: core pages show items)."""
    from plugins.roma_branch.services import _audit, person_summary

    summary = await person_summary(person_id)
    items: list[PanelItem] = []
    if (
        summary["applications"]
        or summary["seeker_id"]
        or summary["school"]
        or summary["accompaniments"]
        or summary["visits"]
    ):
        await _audit(ctx, "read", "person_summary", person_id)
        items = [
            PanelItem(
                label=t(f"{SLUG}.benefit.{a['benefit']}"),
                detail=t(f"{SLUG}.readiness.{a['readiness']}"),
                badge=t(f"{SLUG}.outcome.{a['outcome']}"),
                path=f"{SLUG}/applications/{a['id']}",
            )
            for a in summary["applications"]
        ]
        for s in summary["school"]:
            items.append(
                PanelItem(
                    label=t(f"{SLUG}.panel.school", year=s["school_year"]),
                    detail=t(f"{SLUG}.enrolment.{s['enrolment_status']}"),
                    path=f"{SLUG}/school/{s['id']}",
                )
            )
        if summary["seeker_id"]:
            items.append(
                PanelItem(
                    label=t(f"{SLUG}.panel.job_seeker"),
                    path=f"{SLUG}/job-seekers/{summary['seeker_id']}",
                )
            )
        items.append(
            PanelItem(
                label=t(f"{SLUG}.panel.contacts"),
                detail=t(
                    f"{SLUG}.panel.contacts_detail",
                    visits=summary["visits"],
                    accompaniments=summary["accompaniments"],
                ),
                path=f"{SLUG}/people/{person_id}",
            )
        )
    # Always last, also for a person new to the branch: where every form about them starts.
    items.append(PanelItem(label=t(f"{SLUG}.panel.open"), path=f"{SLUG}/people/{person_id}"))
    return [
        Panel(
            id=f"{SLUG}.person",
            title_el=MANIFEST.title_el,
            title_en=MANIFEST.title_en,
            items=tuple(items),
            more_path=f"{SLUG}/people/{person_id}",
            order=300,
        )
    ]


@hookimpl
def merimna_tasks(ctx: Any) -> Any:
    if not ctx.has(ACCESS):
        return None
    from plugins.roma_branch.pages import tasks_for

    return tasks_for(ctx)
