"""Hook implementations of the documents area: the only file the plugin host calls."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.manifest import PermissionSpec
from core.platform.roles import STAFF
from core.refs import TenantRef


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["core.documents.piccolo_app"]


@hookimpl
def merimna_permissions() -> list[PermissionSpec]:
    return [
        PermissionSpec(
            code="documents.read",
            title_el="Ανάγνωση εγγράφων",
            title_en="Read documents",
            roles=STAFF,
        ),
        PermissionSpec(
            code="documents.write",
            title_el="Ανάρτηση και διαγραφή εγγράφων",
            title_en="Upload and delete documents",
            roles=STAFF,
        ),
    ]


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from core.documents.routes import ROUTES

    return list(ROUTES)


@hookimpl
def merimna_export_tables() -> list[Any]:
    from core.documents.tables import TENANT_TABLES

    return list(TENANT_TABLES)


@hookimpl
def merimna_export_person(tenant: TenantRef, person_id: Any) -> Any:
    from core.documents.services import export_person

    return export_person(person_id)


@hookimpl
def merimna_erase_person(tenant: TenantRef, person_id: Any) -> Any:
    from core.documents.services import erase_person

    return erase_person(person_id)


@hookimpl
def merimna_persons_merged(tenant: TenantRef, survivor_id: Any, merged_id: Any) -> Any:
    from core.documents.services import move_person

    return move_person(survivor_id, merged_id)


@hookimpl
def merimna_cli(group: Any) -> None:
    from core.documents.cli import add_commands

    add_commands(group)
