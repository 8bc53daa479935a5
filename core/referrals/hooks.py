"""Hook implementations of the referrals area: the only file the plugin host calls."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.manifest import PermissionSpec, ReportSpec
from core.platform.roles import PROFESSIONALS
from core.refs import TenantRef


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["core.referrals.piccolo_app"]


@hookimpl
def merimna_permissions() -> list[PermissionSpec]:
    return [
        PermissionSpec(
            code="referrals.read",
            title_el="Ανάγνωση παραπομπών",
            title_en="Read referrals",
            roles=PROFESSIONALS,
        ),
        PermissionSpec(
            code="referrals.write",
            title_el="Παραπομπές σε υπηρεσίες",
            title_en="Refer people to services",
            roles=PROFESSIONALS,
        ),
    ]


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from core.referrals.routes import ROUTES

    return list(ROUTES)


@hookimpl
def merimna_reports() -> list[ReportSpec]:
    from core.referrals.reports import REPORTS

    return list(REPORTS)


@hookimpl
def merimna_export_tables() -> list[Any]:
    from core.referrals.tables import TENANT_TABLES

    return list(TENANT_TABLES)


@hookimpl
def merimna_export_person(tenant: TenantRef, person_id: Any) -> Any:
    from core.referrals.services import export_person

    return export_person(person_id)


@hookimpl
def merimna_erase_person(tenant: TenantRef, person_id: Any) -> Any:
    from core.referrals.services import erase_person

    return erase_person(person_id)


@hookimpl
def merimna_persons_merged(tenant: TenantRef, survivor_id: Any, merged_id: Any) -> Any:
    from core.referrals.services import move_person

    return move_person(survivor_id, merged_id)
