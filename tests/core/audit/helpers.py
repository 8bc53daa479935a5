"""Helpers for the audit tests: events written straight into a tenant's trail, and tampering."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from core import db
from core.audit.tables import AuditChain, AuditEvent
from tenants.scoping import tenant_context


@asynccontextmanager
async def as_tenant(tenant_id: UUID) -> AsyncIterator[None]:
    """Direct queries as one tenant (scoping and, on PostgreSQL, row-level security).

    This is also how the tests tamper with the trail: the application's own database role,
    inside the tenant's row-level security, is exactly what an intruder holding the app's
    credentials would use.
    """
    with tenant_context(tenant_id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant_id)
            yield


async def add_events(
    tenant_id: UUID,
    count: int,
    *,
    at: datetime | None = None,
    user_id: UUID | None = None,
    action: str = "read",
    object_type: str = "beneficiary",
    object_id: str | None = None,
) -> list[str]:
    ids = []
    async with as_tenant(tenant_id):
        for i in range(count):
            row = AuditEvent(
                id=uuid4(),
                at=at or datetime.now(UTC),
                user_id=user_id,
                action=action,
                object_type=object_type,
                object_id=object_id or str(uuid4()),
                request_id=f"req-{i}",
                client_address="127.0.0.1",
                details={"n": i},
            )
            await AuditEvent.insert(row)
            ids.append(str(row.id))
    return ids


async def sealed_rows(tenant_id: UUID) -> list[dict[str, Any]]:
    async with as_tenant(tenant_id):
        rows = (
            await AuditEvent.select()
            .where(AuditEvent.seq.is_not_null())
            .order_by(AuditEvent.seq)
            .output(load_json=True)
        )
    return [dict(r) for r in rows]


async def head(tenant_id: UUID) -> dict[str, Any]:
    async with as_tenant(tenant_id):
        row = await AuditChain.select().first()
    assert row is not None
    return dict(row)
