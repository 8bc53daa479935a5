"""The first wall: every query on a tenant table is scoped by `TenantScoped` (both tiers)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from core import db
from core.audit.tables import AuditEvent
from core.testing import make_tenant
from tenants.scoping import CrossTenantWrite, TenantNotSet, tenant_context


def _event(marker: str, **extra: Any) -> AuditEvent:
    return AuditEvent(
        id=uuid4(),
        at=datetime.now(UTC),
        action="test",
        object_type="scoping",
        object_id=marker,
        **extra,
    )


async def _insert(tenant_id: Any, marker: str) -> None:
    with tenant_context(tenant_id):
        async with db.transaction():
            await db.set_rls_tenant(tenant_id)
            await AuditEvent.insert(_event(marker))


async def test_queries_without_a_tenant_raise(client: Any) -> None:
    builders = (AuditEvent.select, AuditEvent.objects, AuditEvent.count, AuditEvent.exists)
    for build in builders:
        with pytest.raises(TenantNotSet):  # refused while building, before any SQL is sent
            build()
    with pytest.raises(TenantNotSet):
        AuditEvent.insert(_event("x"))
    with pytest.raises(TenantNotSet):
        AuditEvent.delete(force=True)


async def test_every_query_kind_sees_only_the_current_tenant(client: Any) -> None:
    a, b = await make_tenant(), await make_tenant()
    await _insert(a.id, "scope-a")
    await _insert(b.id, "scope-b")
    with tenant_context(a.id):
        async with db.transaction():
            await db.set_rls_tenant(a.id)
            markers = {r["object_id"] for r in await AuditEvent.select(AuditEvent.object_id)}
            objects = {o.object_id for o in await AuditEvent.objects()}
            count_b = await AuditEvent.count().where(AuditEvent.object_id == "scope-b")
            exists_b = await AuditEvent.exists().where(AuditEvent.object_id == "scope-b")
            await AuditEvent.update({AuditEvent.outcome: "touched"}, force=True)
            await AuditEvent.delete().where(AuditEvent.object_id == "scope-b")
    assert "scope-a" in markers and "scope-b" not in markers
    assert "scope-a" in objects and "scope-b" not in objects
    assert count_b == 0 and exists_b is False
    with tenant_context(b.id):
        async with db.transaction():
            await db.set_rls_tenant(b.id)
            row = await AuditEvent.select().where(AuditEvent.object_id == "scope-b").first()
    assert row is not None, "a delete in tenant A removed a row of tenant B"
    assert row["outcome"] == "ok", "an update in tenant A touched a row of tenant B"


async def test_inserts_are_stamped_and_foreign_rows_refused(client: Any) -> None:
    a, b = await make_tenant(), await make_tenant()
    with tenant_context(a.id):
        row = _event("stamped")
        AuditEvent.insert(row)
        assert row.tenant_id == a.id
        with pytest.raises(CrossTenantWrite):
            AuditEvent.insert(_event("foreign", tenant_id=b.id))
        query = AuditEvent.insert()
        with pytest.raises(CrossTenantWrite):
            query.add(_event("foreign-added", tenant_id=b.id))
