"""Hook implementations of the staff area: the only file the plugin host calls."""

from __future__ import annotations

from typing import Any

from core.hookspecs import hookimpl
from core.manifest import PermissionSpec
from core.platform.roles import STAFF
from core.refs import TenantRef


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["core.staff.piccolo_app"]


@hookimpl
def merimna_permissions() -> list[PermissionSpec]:
    return [
        PermissionSpec(
            code="staff.read",
            title_el="Ανάγνωση προσωπικού και δομών",
            title_en="Read staff and units",
            roles=STAFF,
        ),
        PermissionSpec(
            code="staff.manage",
            title_el="Διαχείριση προσωπικού και δομών",
            title_en="Manage staff and units",
            roles=("tenant_admin",),
        ),
    ]


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from core.staff.routes import ROUTES

    return list(ROUTES)


@hookimpl
def merimna_export_tables() -> list[Any]:
    from core.staff.tables import TENANT_TABLES

    return list(TENANT_TABLES)


@hookimpl
def merimna_demo_data(tenant: TenantRef, seed: int) -> Any:
    from core.staff.demo import load_demo

    return load_demo(tenant, seed)
