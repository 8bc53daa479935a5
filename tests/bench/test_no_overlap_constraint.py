"""The double-booking guard after its columns were reordered for the million-people seed
(migration `scheduling_2026_11_23t17_40_00_000000`): led by the person, still the tenant in
it, still an exclusion constraint with the same name, refusing exactly what it refused."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

pytestmark = pytest.mark.pg

INSERT = (
    "INSERT INTO appointment_participant "
    "(tenant_id, appointment_id, kind, person_id, start_at, end_at, active) "
    "VALUES ({}, {}, 'staff', {}, {}, {}, {})"
)


def _at(hour: int, minute: int = 0) -> datetime:
    return datetime(2031, 3, 4, hour, minute, tzinfo=UTC)


async def _insert(
    tenant_id: UUID, person: UUID, start: datetime, end: datetime, active: bool = True
) -> None:
    from core import db
    from tenants.scoping import tenant_context

    with tenant_context(tenant_id):
        async with db.transaction(write=True, tenant=tenant_id):
            await db.fetch(INSERT, tenant_id, uuid4(), person, start, end, active)


async def test_the_constraint_is_led_by_the_person_and_keeps_the_tenant(client: Any) -> None:
    from core import db

    rows = await db.fetch(
        "SELECT contype::text AS kind, pg_get_constraintdef(oid) AS def FROM pg_constraint "
        "WHERE conname = 'appointment_participant_no_overlap'"
    )
    assert len(rows) == 1 and rows[0]["kind"] == "x"
    assert rows[0]["def"] == (
        "EXCLUDE USING gist (person_id WITH =, tenant_id WITH =, "
        "tstzrange(start_at, end_at, '[)'::text) WITH &&) WHERE (active)"
    )


async def test_it_refuses_an_overlap_of_one_person_and_nothing_else(client: Any) -> None:
    import asyncpg

    from core.testing import make_tenant

    tenant, other = await make_tenant(), await make_tenant()
    person, someone_else = uuid4(), uuid4()
    await _insert(tenant.id, person, _at(10), _at(11))
    with pytest.raises(asyncpg.exceptions.ExclusionViolationError):
        await _insert(tenant.id, person, _at(10, 30), _at(11, 30))
    await _insert(tenant.id, person, _at(11), _at(12))  # touching: [10, 11) and [11, 12)
    await _insert(tenant.id, person, _at(10, 30), _at(11, 30), active=False)  # cancelled
    await _insert(tenant.id, someone_else, _at(10), _at(11))
    await _insert(other.id, person, _at(10), _at(11))  # the tenant is part of the key
    with pytest.raises(asyncpg.exceptions.ExclusionViolationError):
        await _insert(other.id, person, _at(9), _at(12))
