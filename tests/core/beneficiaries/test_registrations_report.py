"""`core.registrations_per_month` counts by SQL aggregate (issue 11): every month of the year
right, month boundaries exact, merged duplicates and other years and tenants left out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from core import db
from tenants.scoping import tenant_context
from tests.core.beneficiaries.test_api import create


async def _set(tenant_id: UUID, person_id: str, created_at: datetime, status: str) -> None:
    from core.beneficiaries.tables import Beneficiary

    with tenant_context(tenant_id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant_id)
            await Beneficiary.update(
                {Beneficiary.created_at: created_at, Beneficiary.status: status}
            ).where(Beneficiary.id == UUID(person_id))


async def test_monthly_registrations(
    client: Any, tenant: Any, other_tenant: Any, admin: Any, staff_factory: Any
) -> None:
    when = [
        (datetime(2026, 1, 1, 0, 0, tzinfo=UTC), "active"),  # first instant of the year
        (datetime(2026, 1, 31, 23, 59, 59, tzinfo=UTC), "active"),
        (datetime(2026, 2, 1, 0, 0, tzinfo=UTC), "active"),
        (datetime(2026, 7, 15, 12, 0, tzinfo=UTC), "active"),
        (datetime(2026, 7, 16, 12, 0, tzinfo=UTC), "merged"),  # a merged duplicate: not counted
        (datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), "inactive"),
        (datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC), "active"),  # last year
        (datetime(2027, 1, 1, 0, 0, tzinfo=UTC), "active"),  # next year
    ]
    for i, (created_at, status) in enumerate(when):
        person = await create(client, tenant, admin, last_name=f"Μηνιαίος{'αβγδεζηθ'[i]}")
        await _set(tenant.id, person["id"], created_at, status)
    stranger = await staff_factory(other_tenant, ["tenant_admin"])
    theirs = await create(client, other_tenant, stranger, last_name="Ξένος")
    await _set(other_tenant.id, theirs["id"], datetime(2026, 7, 1, tzinfo=UTC), "active")

    response = await client.get(
        f"{tenant.api}/reports/core.registrations_per_month",
        params={"format": "json", "year": 2026},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    counts = {r["month"]: r["count"] for r in response.json()["rows"]}
    expected = {f"2026-{m:02d}": 0 for m in range(1, 13)}
    expected |= {"2026-01": 2, "2026-02": 1, "2026-07": 1, "2026-12": 1}
    assert counts == expected
