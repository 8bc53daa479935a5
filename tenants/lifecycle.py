"""The end of a tenant: every row of it, in every tenant table, and its files folder.

`delete_tenant` is the service; `merimna tenants delete` puts two conditions in front of it
(the tenant is suspended, and an archive proves that exactly this data was exported).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Awaitable, Callable
from uuid import UUID

from core import db
from core.errors import Conflict
from core.plugin_host import get_host
from tenants.archive import tenant_dir
from tenants.resolution import invalidate_membership, invalidate_tenant
from tenants.scoping import tenant_context
from tenants.services import SYSTEM, Actor, audit, get_tenant_row
from tenants.tables import Membership, Tenant, TenantModule

log = logging.getLogger("merimna.tenants")


class DeletionRefused(Conflict):
    """A precondition of deleting the tenant does not hold (the message says which)."""

    code = "deletion_refused"


async def delete_tenant(
    slug: str,
    *,
    actor: Actor = SYSTEM,
    check: Callable[[UUID], Awaitable[list[str]]] | None = None,
) -> dict[str, int]:
    """Delete the tenant's rows from every export table (in reverse restore order), its
    modules, memberships and record, in one transaction; then its files folder.

    Args:
        check: run inside the transaction before anything is deleted; any problem it
            returns refuses the deletion (used by the CLI to compare with an archive).

    Returns:
        Rows deleted per tenant table.
    """
    tables = get_host().export_tables()
    counts: dict[str, int] = {}
    members: list[UUID] = []
    try:
        async with db.transaction():
            row = await get_tenant_row(slug)
            tenant_id: UUID = row["id"]
            if check is not None:
                problems = await check(tenant_id)
                if problems:
                    raise DeletionRefused(detail="; ".join(problems))
            members = [
                m["user_id"]
                for m in await Membership.select(Membership.user_id).where(
                    Membership.tenant_id == tenant_id
                )
            ]
            with tenant_context(tenant_id):
                await db.set_rls_tenant(tenant_id)
                for table in reversed(tables):
                    counts[table._meta.tablename] = await table.count()
                    await table.delete(force=True)
            await TenantModule.delete().where(TenantModule.tenant_id == tenant_id)
            await Membership.delete().where(Membership.tenant_id == tenant_id)
            await Tenant.delete().where(Tenant.id == tenant_id)
            await audit(
                actor,
                "tenant.delete",
                tenant_id,
                object_id=tenant_id,
                details={"rows": sum(counts.values()), "members": len(members)},
            )
    finally:
        await invalidate_tenant(slug)
    for user_id in members:
        await invalidate_membership(slug, user_id)
    folder = tenant_dir(tenant_id)
    if folder.exists():
        try:
            shutil.rmtree(folder)
        except OSError as exc:  # the rows are gone; say what is left behind
            log.warning("tenant %s deleted but its folder remains: %s", tenant_id, exc)
    return counts
