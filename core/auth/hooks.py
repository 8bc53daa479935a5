"""Authentication as a plugin: its tables, routes and permission."""

from typing import Any

from core.hookspecs import hookimpl
from core.manifest import PermissionSpec


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["core.auth.piccolo_app"]


@hookimpl
def merimna_permissions() -> list[PermissionSpec]:
    return [
        PermissionSpec(
            code="accounts.manage",
            title_el="Διαχείριση λογαριασμών προσωπικού",
            title_en="Manage staff accounts",
            roles=("tenant_admin",),
        ),
    ]


@hookimpl
def merimna_platform_routes() -> list[Any]:
    from core.auth.routes import auth_router

    return [auth_router()]


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from core.auth.routes import TENANT_HANDLERS

    return list(TENANT_HANDLERS)
