"""The second wall: PostgreSQL row-level security holds even when the first one is bypassed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from core import db
from core.audit.tables import AuditEvent
from core.testing import make_tenant
from tenants.scoping import tenant_context

pytestmark = pytest.mark.pg


async def _event(tenant_id: Any, marker: str) -> None:
    with tenant_context(tenant_id):
        async with db.transaction():
            await db.set_rls_tenant(tenant_id)
            await AuditEvent.insert(
                AuditEvent(
                    id=uuid4(),
                    at=datetime.now(UTC),
                    action="test",
                    object_type="canary",
                    object_id=marker,
                )
            )


async def test_a_query_without_tenant_filter_sees_only_the_current_tenant(client: Any) -> None:
    a, b = await make_tenant(), await make_tenant()
    await _event(a.id, "canary-a")
    await _event(b.id, "canary-b")
    async with db.transaction():
        await db.set_rls_tenant(a.id)
        # Raw SQL with no tenant predicate: only RLS stands between A and B here.
        rows = await db.fetch("SELECT object_id FROM audit_event WHERE object_type = 'canary'")
    seen = {r["object_id"] for r in rows}
    assert "canary-a" in seen
    assert "canary-b" not in seen


async def test_no_tenant_set_sees_no_rows_fail_closed(client: Any) -> None:
    a = await make_tenant()
    await _event(a.id, "canary-closed")
    async with db.transaction():
        rows = await db.fetch("SELECT count(*) AS n FROM audit_event")
    assert rows[0]["n"] == 0


async def test_writing_a_row_for_another_tenant_is_refused(client: Any) -> None:
    a, b = await make_tenant(), await make_tenant()
    with pytest.raises(Exception, match="row-level security"):
        async with db.transaction():
            await db.set_rls_tenant(a.id)
            await db.fetch(
                "INSERT INTO audit_event (id, tenant_id, at, action, object_type, object_id, "
                "outcome, request_id, client_address, details, hash) VALUES "
                "({}, {}, now(), 'x', 'x', 'x', 'ok', '', '', '{{}}', '')",
                uuid4(),
                b.id,
            )


async def test_the_tenant_setting_does_not_leak_to_the_next_transaction(client: Any) -> None:
    a = await make_tenant()
    async with db.transaction():
        await db.set_rls_tenant(a.id)
    for _ in range(5):  # the pool hands out its connections again
        async with db.transaction():
            rows = await db.fetch("SELECT current_setting('app.tenant_id', true) AS t")
        assert rows[0]["t"] in ("", None)
