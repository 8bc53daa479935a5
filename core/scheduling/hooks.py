"""Hook implementations of the scheduling area: the only file the plugin host calls.

The area uses the same hooks as any module: its services, routes, report, permissions,
tables and demo data are declared here, and its reminders react to its own
`merimna_appointment_changed` and `merimna_appointments_tomorrow` events.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from core.hookspecs import hookimpl
from core.manifest import PermissionSpec, ReportSpec, ServiceSpec
from core.platform.roles import PROFESSIONALS, STAFF
from core.refs import AppointmentRef, TenantRef


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["core.scheduling.piccolo_app"]


@hookimpl
def merimna_permissions() -> list[PermissionSpec]:
    return [
        PermissionSpec(
            code="scheduling.read",
            title_el="Προβολή ραντεβού και ημερολογίων",
            title_en="See appointments and calendars",
            roles=STAFF,
        ),
        PermissionSpec(
            code="scheduling.write",
            title_el="Κλείσιμο και αλλαγή ραντεβού",
            title_en="Book and change appointments",
            roles=STAFF,
        ),
        PermissionSpec(
            code="scheduling.notes",
            title_el="Σημειώσεις έκβασης ραντεβού",
            title_en="Outcome notes of appointments",
            roles=PROFESSIONALS,
        ),
        PermissionSpec(
            code="scheduling.override",
            title_el="Ραντεβού εκτός ωραρίου, σε αργία ή σε άδεια (με αιτιολογία)",
            title_en="Book on holidays, outside hours or during absences (with a reason)",
            roles=("tenant_admin",),
        ),
        PermissionSpec(
            code="scheduling.admin",
            title_el="Διαχείριση αργιών, ωραρίων και απουσιών",
            title_en="Manage holidays, hours and absences",
            roles=("tenant_admin",),
        ),
    ]


@hookimpl
def merimna_services() -> list[ServiceSpec]:
    from core.scheduling.catalogue import CORE_SERVICES

    return list(CORE_SERVICES)


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from core.scheduling.routes import ROUTES

    return list(ROUTES)


@hookimpl
def merimna_platform_routes() -> list[Any]:
    from core.scheduling.routes import PLATFORM_ROUTES

    return list(PLATFORM_ROUTES)


@hookimpl
def merimna_reports() -> list[ReportSpec]:
    from core.scheduling.reports import REPORTS

    return list(REPORTS)


@hookimpl
def merimna_cli(group: Any) -> None:
    from core.scheduling.cli import add_commands

    add_commands(group)


@hookimpl
def merimna_export_tables() -> list[Any]:
    from core.scheduling.tables import TENANT_TABLES

    return list(TENANT_TABLES)


@hookimpl
def merimna_appointment_changed(
    tenant: TenantRef, appointment_id: Any, change: str, appointment: AppointmentRef | None
) -> Any:
    from core.scheduling.notifications import on_appointment_changed

    return on_appointment_changed(appointment_id, change, appointment)


@hookimpl
def merimna_appointments_tomorrow(tenant: TenantRef, day: date, appointment_ids: list[Any]) -> Any:
    from core.scheduling.notifications import on_tomorrow

    return on_tomorrow(day, appointment_ids)


@hookimpl
def merimna_persons_merged(tenant: TenantRef, survivor_id: Any, merged_id: Any) -> Any:
    from core.scheduling.services import persons_merged

    return persons_merged(survivor_id, merged_id)


@hookimpl
def merimna_export_person(tenant: TenantRef, person_id: Any) -> Any:
    from core.scheduling.services import export_person

    return export_person(person_id)


@hookimpl
def merimna_erase_person(tenant: TenantRef, person_id: Any) -> Any:
    from core.scheduling.services import erase_person

    return erase_person(person_id)


@hookimpl
def merimna_demo_data(tenant: TenantRef, seed: int) -> Any:
    from core.scheduling.demo import load_demo

    return load_demo(tenant, seed)


@hookimpl
def merimna_agenda(ctx: Any, day: date) -> Any:
    from core.scheduling.agenda import agenda

    return agenda(ctx, day)
