"""The platform area: health checks, core roles and permissions."""

from typing import Any

from core.hookspecs import hookimpl
from core.manifest import PermissionSpec, RoleSpec
from core.platform.roles import CORE_PERMISSIONS, CORE_ROLES


@hookimpl
def merimna_roles() -> list[RoleSpec]:
    return list(CORE_ROLES)


@hookimpl
def merimna_permissions() -> list[PermissionSpec]:
    return list(CORE_PERMISSIONS)


@hookimpl
def merimna_platform_routes() -> list[Any]:
    from core.platform.routes import health, ready

    return [health, ready]
