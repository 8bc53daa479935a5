"""The maintenance path: one tenant at a time, both walls up, one audit event per run."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from core import db
from core.audit.tables import AuditEvent, PlatformAuditEvent
from tenants.maintenance import NestedMaintenance, for_each_tenant
from tenants.resolution import TenantInfo
from tenants.scoping import TenantNotSet, current_tenant_id, current_tenant_id_or_none
from tests.tenants.conftest import in_tenant


def _event(marker: str) -> AuditEvent:
    return AuditEvent(
        id=uuid4(), at=datetime.now(UTC), action="test", object_type="canary", object_id=marker
    )


async def _add_events(tenant_id: Any, n: int, marker: str) -> None:
    async def add() -> None:
        for _ in range(n):
            await AuditEvent.insert(_event(marker))

    await in_tenant(tenant_id, add)


async def _runs(reason: str) -> list[dict[str, Any]]:
    return (
        await PlatformAuditEvent.select()
        .where(  # type: ignore[no-any-return]
            (PlatformAuditEvent.action == "maintenance") & (PlatformAuditEvent.object_id == reason)
        )
        .output(load_json=True)
    )


async def test_each_tenant_is_visited_in_its_own_context(tenant_factory: Any) -> None:
    a, b = await tenant_factory(), await tenant_factory()
    await _add_events(a.id, 2, "m-a")
    await _add_events(b.id, 3, "m-b")
    actor = uuid4()

    async def census(tenant: TenantInfo) -> tuple[Any, int, list[str]]:
        markers = await AuditEvent.select(AuditEvent.object_id).where(
            AuditEvent.object_type == "canary"
        )
        return current_tenant_id(), len(markers), sorted({m["object_id"] for m in markers})

    results = await for_each_tenant("census", actor, census, slugs=[a.slug, b.slug])
    by_slug = {tenant.slug: result for tenant, result in results}
    assert by_slug == {a.slug: (a.id, 2, ["m-a"]), b.slug: (b.id, 3, ["m-b"])}
    assert [t.slug for t, _ in results] == sorted([a.slug, b.slug])
    assert current_tenant_id_or_none() is None  # nothing leaks out of the run
    runs = await _runs("census")
    assert len(runs) == 1
    assert runs[0]["user_id"] == actor
    assert runs[0]["details"] == {"reason": "census", "tenants": 2}
    assert runs[0]["outcome"] == "ok"


async def test_status_filter(tenant_factory: Any) -> None:
    from tenants.services import set_status

    a, b = await tenant_factory(), await tenant_factory()
    await set_status(b.slug, "suspended")

    async def slug(tenant: TenantInfo) -> str:
        return tenant.slug

    results = await for_each_tenant(
        "status-filter", None, slug, slugs=[a.slug, b.slug], statuses=["suspended"]
    )
    assert [r for _, r in results] == [b.slug]


async def test_writes_are_stamped_with_the_visited_tenant(tenant_factory: Any) -> None:
    a, b = await tenant_factory(), await tenant_factory()

    async def stamp(tenant: TenantInfo) -> None:
        await AuditEvent.insert(_event(f"stamp-{tenant.slug}"))

    await for_each_tenant("stamp", None, stamp, slugs=[a.slug, b.slug], write=True)
    for town in (a, b):
        rows = await in_tenant(
            town.id,
            lambda: AuditEvent.select(AuditEvent.object_id).where(
                AuditEvent.object_type == "canary"
            ),
        )
        assert rows == [{"object_id": f"stamp-{town.slug}"}]


async def test_a_failure_stops_the_run_and_is_audited(tenant_factory: Any) -> None:
    a, b = await tenant_factory(), await tenant_factory()
    seen: list[str] = []

    async def boom(tenant: TenantInfo) -> None:
        seen.append(tenant.slug)
        raise ValueError("broken")

    with pytest.raises(ValueError, match="broken"):
        await for_each_tenant("boom", None, boom, slugs=[a.slug, b.slug])
    assert len(seen) == 1
    runs = await _runs("boom")
    assert [r["outcome"] for r in runs] == ["failed"]


async def test_refuses_to_run_inside_a_transaction(tenant: Any) -> None:
    async def nothing(tenant: TenantInfo) -> None:
        return None

    with pytest.raises(NestedMaintenance):
        async with db.transaction():
            await for_each_tenant("nested", None, nothing)


async def test_outside_the_path_tenant_tables_fail_closed() -> None:
    with pytest.raises(TenantNotSet):
        await AuditEvent.count()


@pytest.mark.pg
async def test_row_level_security_is_on_inside_each_visit(tenant_factory: Any) -> None:
    """Raw SQL without a tenant predicate still sees one tenant: RLS is set per visit."""
    a, b = await tenant_factory(), await tenant_factory()
    await _add_events(a.id, 1, "rls-a")
    await _add_events(b.id, 4, "rls-b")

    async def raw(tenant: TenantInfo) -> list[str]:
        rows = await db.fetch(
            "SELECT DISTINCT object_id FROM audit_event WHERE object_type = 'canary'"
        )
        return sorted(r["object_id"] for r in rows)

    results = dict(
        (t.slug, r) for t, r in await for_each_tenant("rls", None, raw, slugs=[a.slug, b.slug])
    )
    assert results == {a.slug: ["rls-a"], b.slug: ["rls-b"]}
