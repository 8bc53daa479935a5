"""The one sanctioned path for work that spans tenants (statistics, maintenance, exports).

Nothing here switches isolation off. Each tenant is visited on its own: inside
`tenant_context` (the scoping layer's wall) and in a transaction of its own with
`app.tenant_id` set (PostgreSQL's row-level security, the second wall), so a callback sees one
municipality's rows at a time and cannot write another's. Every run leaves one event in the
platform audit trail saying why it ran, who ran it and how many tenants it visited.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar
from uuid import UUID

from core import db
from tenants.resolution import TenantInfo, load_tenant
from tenants.scoping import tenant_context
from tenants.tables import Tenant

T = TypeVar("T")


class NestedMaintenance(RuntimeError):
    """`for_each_tenant` was called inside a transaction (it would join it)."""


async def for_each_tenant(
    reason: str,
    actor: UUID | None,
    fn: Callable[[TenantInfo], Awaitable[T]],
    *,
    slugs: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    write: bool = False,
    request_id: str = "",
    client: str = "",
) -> list[tuple[TenantInfo, T]]:
    """Call `fn(tenant)` once per tenant (ordered by slug), each in its own tenant context.

    Args:
        reason: a short code saying why (`stats`, `reindex`, ...); it is audited.
        actor: the user who asked, or None for the system (CLI, scheduled jobs).
        fn: the work for one tenant; its queries on tenant tables see that tenant only.
        slugs: visit only these tenants (default: all).
        statuses: visit only tenants in these states (default: all).
        write: open write transactions (default read-only work).

    Returns:
        `(tenant, result)` pairs. A failure stops the run, is audited as failed and re-raised;
        tenants already visited keep their committed work.
    """
    if db.engine().current_transaction.get() is not None:
        raise NestedMaintenance("for_each_tenant must not run inside a transaction")
    wanted = set(slugs) if slugs is not None else None
    allowed = set(statuses) if statuses is not None else None
    query = Tenant.select(Tenant.slug, Tenant.status).order_by(Tenant.slug)
    if wanted:
        query = query.where(Tenant.slug.is_in(sorted(wanted)))
    rows = [] if wanted is not None and not wanted else await query
    results: list[tuple[TenantInfo, T]] = []
    outcome = "ok"
    try:
        for row in rows:
            if wanted is not None and row["slug"] not in wanted:
                continue
            if allowed is not None and row["status"] not in allowed:
                continue
            tenant = await load_tenant(row["slug"])
            if tenant is None:  # deleted meanwhile
                continue
            with tenant_context(tenant.id):
                async with db.transaction(write=write):
                    await db.set_rls_tenant(tenant.id)
                    results.append((tenant, await fn(tenant)))
    except BaseException:
        outcome = "failed"
        raise
    finally:
        await _audit(reason, actor, len(results), outcome, request_id, client)
    return results


async def _audit(
    reason: str, actor: UUID | None, visited: int, outcome: str, request_id: str, client: str
) -> None:
    from core.audit.writer import record_platform

    details: dict[str, Any] = {"reason": reason, "tenants": visited}
    async with db.transaction():
        await record_platform(
            "maintenance",
            user_id=actor,
            object_type="maintenance",
            object_id=reason[:64],
            outcome=outcome,
            request_id=request_id,
            client=client,
            details=details,
        )
