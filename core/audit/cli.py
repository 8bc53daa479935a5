"""`merimna audit verify|seal|prune`: the tamper-evident chain from the command line.

* `verify --tenant SLUG`: seals pending records, then checks the chain and the outside
  checkpoints; exit 0 with a one-line summary, otherwise exit 1 naming the first bad seq.
* `seal [--tenant SLUG]`: the sequencer; run it from a timer (e.g. every minute). Without
  `--tenant` it visits every tenant.
* `prune --tenant SLUG --before DATE`: the retention step for the audit trail. Verifies
  first (a broken chain is never pruned), deletes the chain's prefix older than DATE and keeps
  a `prune` checkpoint so what remains still verifies. Recorded in the platform audit trail.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from uuid import UUID

import click

from core.cli import CLIError, run_async


def _group(parent: click.Group) -> click.Group:
    existing = parent.commands.get("audit")
    if isinstance(existing, click.Group):
        return existing
    group = click.Group("audit", help="The tamper-evident audit trail of each tenant.")
    parent.add_command(group)
    return group


def add_commands(parent: click.Group) -> None:
    group = _group(parent)
    for command in (verify_command, seal_command, prune_command):
        group.add_command(command)


async def _tenant_id(slug: str) -> UUID:
    from tenants.tables import Tenant

    row = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
    if row is None:
        raise CLIError(f"unknown tenant: {slug}")
    return UUID(str(row["id"]))


@click.command("verify", help="Check the tamper-evident audit chain of a tenant.")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
def verify_command(slug: str) -> None:
    from core.audit.chain import VerifyResult, verify

    async def body() -> VerifyResult:
        return await verify(await _tenant_id(slug))

    result = run_async(body)()
    if not result.ok:
        raise CLIError(f"audit chain of {slug} broken at seq {result.bad_seq}: {result.problem}")
    span = f"seq {result.first_seq}..{result.head_seq}" if result.records else "no records"
    pruned = f", pruned up to seq {result.base_seq}" if result.base_seq else ""
    unreadable = (
        f", {result.unreadable_checkpoints} unreadable checkpoint lines"
        if result.unreadable_checkpoints
        else ""
    )
    click.echo(
        f"audit chain of {slug} intact: {result.records} records ({span}{pruned}), "
        f"head {result.head_hash[:16] or '-'}, {result.checkpoints_checked} checkpoints "
        f"matched{unreadable}"
    )


@click.command("seal", help="Chain pending audit records (one tenant, or every tenant).")
@click.option("--tenant", "slug", default=None, help="Only this tenant (default: all).")
def seal_command(slug: str | None) -> None:
    from core.audit.chain import seal
    from tenants.tables import Tenant

    async def body() -> list[tuple[str, Any]]:
        if slug:
            return [(slug, await seal(await _tenant_id(slug)))]
        out = []
        for row in await Tenant.select(Tenant.id, Tenant.slug).order_by(Tenant.slug):
            out.append((row["slug"], await seal(UUID(str(row["id"])))))
        return out

    for name, result in run_async(body)():
        if result.sealed or slug:
            click.echo(f"{name}: sealed {result.sealed}, head seq {result.head_seq}")


def _parse_day(value: str) -> datetime:
    try:
        if "T" in value:
            moment = datetime.fromisoformat(value)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return datetime.combine(date.fromisoformat(value), time.min, tzinfo=UTC)
    except ValueError:
        raise CLIError(f"--before: not an ISO date: {value!r}") from None


@click.command("prune", help="Delete a tenant's audit records older than a date (retention).")
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--before", required=True, help="ISO date (UTC midnight) or date-time.")
def prune_command(slug: str, before: str) -> None:
    from core import db
    from core.audit.chain import ChainBroken, PruneResult, prune
    from core.audit.writer import record_platform

    cutoff = _parse_day(before)

    async def body() -> PruneResult:
        tenant_id = await _tenant_id(slug)
        try:
            result = await prune(tenant_id, cutoff)
        except ChainBroken as exc:
            raise CLIError(str(exc)) from None
        async with db.transaction(write=True):
            await record_platform(
                "audit.prune",
                user_id=None,
                tenant_id=tenant_id,
                object_type="audit_chain",
                details={
                    "via": "cli",
                    "before": cutoff.isoformat(),
                    "deleted": result.deleted,
                    "base_seq": result.base_seq,
                },
            )
        return result

    result = run_async(body)()
    click.echo(
        f"audit of {slug}: pruned {result.deleted} records before {cutoff.date().isoformat()}, "
        f"chain now starts after seq {result.base_seq}"
    )
