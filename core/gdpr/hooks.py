"""Hook implementations of the GDPR area: the only file the plugin host calls."""

from __future__ import annotations

from typing import Any

import click

from core.hookspecs import hookimpl
from core.manifest import PermissionSpec


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["core.gdpr.piccolo_app"]


@hookimpl
def merimna_permissions() -> list[PermissionSpec]:
    return [
        PermissionSpec(
            code="gdpr.manage",
            title_el="Δικαιώματα υποκειμένων (εξαγωγή, διαγραφή) και διατήρηση δεδομένων",
            title_en="Data subject rights (export, erasure) and retention",
            roles=("tenant_admin",),
        ),
    ]


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from core.gdpr.routes import ROUTES

    return list(ROUTES)


@hookimpl
def merimna_export_tables() -> list[Any]:
    from core.gdpr.tables import TENANT_TABLES

    return list(TENANT_TABLES)


@hookimpl
def merimna_cli(group: click.Group) -> None:
    from core.gdpr.cli import retention_group

    group.add_command(retention_group)
