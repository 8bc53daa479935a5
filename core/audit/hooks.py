"""The audit trail as a plugin: its tables, its route and its commands."""

from typing import Any

import click

from core.hookspecs import hookimpl


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["core.audit.piccolo_app"]


@hookimpl
def merimna_export_tables() -> list[Any]:
    from core.audit.tables import AuditChain, AuditEvent

    return [AuditEvent, AuditChain]


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from core.audit.routes import ROUTES

    return list(ROUTES)


@hookimpl
def merimna_cli(group: click.Group) -> None:
    from core.audit.cli import add_commands

    add_commands(group)
