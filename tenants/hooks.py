"""Tenancy as a plugin: its tables, the consortium routes, a tenant's module routes, the CLI."""

from typing import Any

from core.hookspecs import hookimpl


@hookimpl
def merimna_piccolo_apps() -> list[str]:
    return ["tenants.piccolo_app"]


@hookimpl
def merimna_platform_routes() -> list[Any]:
    from tenants.routes import admin_router

    return [admin_router()]


@hookimpl
def merimna_tenant_routes() -> list[Any]:
    from tenants.routes import tenant_handlers

    return tenant_handlers()


@hookimpl
def merimna_cli(group: Any) -> None:
    from tenants.cli import add_commands

    add_commands(group)
