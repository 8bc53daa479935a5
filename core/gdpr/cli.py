"""`merimna retention run [--tenant SLUG] [--apply]`: apply the tenants' retention policies.

A dry run unless `--apply`: it prints, per tenant and record type, what would be anonymised,
deleted or pruned. With `--apply` it does it, one tenant at a time through the maintenance
path (audited in the platform trail, with the counts per tenant).
"""

from __future__ import annotations

from typing import Any

import click

from core.cli import CLIError, run_async


@click.group("retention", help="Retention policies of personal data (GDPR art. 5(1)(e)).")
def retention_group() -> None:
    pass


@retention_group.command("run", help="Apply retention policies (a dry run unless --apply).")
@click.option("--tenant", "slug", default=None, help="Only this tenant (default: every tenant).")
@click.option("--apply", is_flag=True, default=False, help="Do it (default: only report).")
def run_command(slug: str | None, apply: bool) -> None:
    from core.gdpr.retention import KEEP, run
    from tenants.tables import Tenant

    async def body() -> list[tuple[Any, Any]]:
        if slug is not None and not await Tenant.exists().where(Tenant.slug == slug):
            raise CLIError(f"unknown tenant: {slug}")
        return await run([slug] if slug else None, apply=apply)

    results = run_async(body)()
    verb = "applied" if apply else "dry run"
    for tenant, outcomes in results:
        for o in outcomes:
            if o.action == KEEP:
                click.echo(f"{tenant.slug}\t{o.record_type}\tkeep\t-")
                continue
            what = "done" if o.applied else "would"
            click.echo(
                f"{tenant.slug}\t{o.record_type}\t{o.action}\t{o.count}\t{what}"
                f"\t(older than {o.months} months, before {o.cutoff.date().isoformat()})"
            )
    click.echo(f"retention {verb}: {len(results)} tenants")
