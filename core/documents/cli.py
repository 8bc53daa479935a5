"""`merimna documents sweep [--tenant SLUG] [--older-than-hours H]`: remove orphan files."""

from __future__ import annotations

import click

from core.cli import CLIError, run_async


def add_commands(group: click.Group) -> None:
    documents = click.Group("documents", help="The document register's files.")
    documents.add_command(sweep_command)
    group.add_command(documents)


@click.command(
    "sweep",
    help="Remove files that no document row names (an upload whose transaction failed after "
    "the file was written) and stale temporary files, for one tenant or all.",
)
@click.option("--tenant", "slug", default=None, help="One tenant's slug (default: all).")
@click.option(
    "--older-than-hours",
    default=1.0,
    show_default=True,
    type=float,
    help="Leave younger files alone (an upload may be committing).",
)
def sweep_command(slug: str | None, older_than_hours: float) -> None:
    removed = run_async(sweep)(slug, older_than_hours * 3600)
    click.echo(f"removed {removed} orphan files")


async def sweep(slug: str | None, older_than_seconds: float) -> int:
    from core import db
    from core.documents.services import sweep_orphans
    from tenants.scoping import tenant_context
    from tenants.tables import Tenant

    query = Tenant.select(Tenant.id, Tenant.slug)
    if slug is not None:
        query = query.where(Tenant.slug == slug)
    tenants = await query
    if slug is not None and not tenants:
        raise CLIError(f"unknown tenant: {slug}")
    removed = 0
    for tenant in tenants:
        with tenant_context(tenant["id"]):
            async with db.transaction(write=False):
                await db.set_rls_tenant(tenant["id"])
                removed += await sweep_orphans(older_than_seconds)
    return removed
