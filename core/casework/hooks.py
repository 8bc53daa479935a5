"""Hook implementations of the casework area: the only file the plugin host calls."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.manifest import PermissionSpec
from core.platform.roles import PROFESSIONALS, STAFF
from core.refs import TenantRef


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["core.casework.piccolo_app"]


@hookimpl
def merimna_permissions() -> list[PermissionSpec]:
    return [
        PermissionSpec(
            code="consents.read",
            title_el="Ανάγνωση συγκαταθέσεων",
            title_en="Read consent records",
            roles=STAFF,
        ),
        PermissionSpec(
            code="consents.write",
            title_el="Καταχώριση και ανάκληση συγκαταθέσεων",
            title_en="Record and withdraw consents",
            roles=STAFF,
        ),
        PermissionSpec(
            code="notes.write",
            title_el="Σύνταξη σημειώσεων περίπτωσης",
            title_en="Write case notes",
            roles=tuple(r for r in PROFESSIONALS if r != "tenant_admin"),
        ),
    ]


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from core.casework.routes import ROUTES

    return list(ROUTES)


@hookimpl
def merimna_export_tables() -> list[Any]:
    from core.casework.tables import TENANT_TABLES

    return list(TENANT_TABLES)


@hookimpl
def merimna_export_person(tenant: TenantRef, person_id: Any) -> Any:
    from core.casework.gdpr import export_person

    return export_person(person_id)


@hookimpl
def merimna_erase_person(tenant: TenantRef, person_id: Any) -> Any:
    from core.casework.gdpr import erase_person

    return erase_person(person_id)


@hookimpl
def merimna_persons_merged(tenant: TenantRef, survivor_id: Any, merged_id: Any) -> Any:
    from core.casework.gdpr import move_person

    return move_person(survivor_id, merged_id)
