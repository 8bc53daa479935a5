"""`core.api.take_each`, `insert_later` and `lock_household` (issue 11): several guarded
decrements in one statement, inserts sent with COMMIT, a household's writes serialised;
another tenant's rows untouched."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from core import db
from core.api import insert_later, lock_household, take_each
from core.beneficiaries.tables import Beneficiary, HouseholdMember
from core.testing import make_person, make_staff, make_tenant
from tenants.scoping import tenant_context
from tests.bench.test_round_trips import counting


async def test_take_each_changes_only_rows_that_hold_enough_in_one_statement(client: Any) -> None:
    tenant, other = await make_tenant(), await make_tenant()
    staff = await make_staff(tenant, ["tenant_admin", "social_worker"])
    stranger = await make_staff(other, ["tenant_admin", "social_worker"])
    rich, poor = [
        UUID(await make_person(client, tenant, staff, last_name=name, disability_percent=50))
        for name in ("Πολύ", "Λίγο")
    ]
    foreign = UUID(await make_person(client, other, stranger, disability_percent=50))
    with tenant_context(tenant.id):
        async with db.transaction(tenant=tenant.id):
            with counting() as seen:
                done = await take_each(
                    Beneficiary.disability_percent, {rich: 30, poor: 80, foreign: 10}
                )
            assert len(seen) == 1, seen
            assert done == {rich}
            rows = await Beneficiary.select(Beneficiary.id, Beneficiary.disability_percent)
            assert {r["id"]: r["disability_percent"] for r in rows} == {rich: 20, poor: 50}
            assert await take_each(Beneficiary.disability_percent, {}) == set()
    with tenant_context(other.id):
        async with db.transaction(tenant=other.id):
            row = await Beneficiary.select(Beneficiary.disability_percent).first()
    assert row == {"disability_percent": 50}  # another tenant's row untouched


async def test_insert_later_travels_with_commit_and_lock_household_holds(client: Any) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["tenant_admin", "social_worker"])
    person = UUID(await make_person(client, tenant, staff))
    body = {"name": "Σπίτι", "members": [{"beneficiary_id": str(person), "relation": "head"}]}
    r = await client.post(f"{tenant.api}/households", json=body, headers=staff.headers)
    assert r.status_code == 201, r.text
    household = UUID(r.json()["id"])
    member = uuid4()
    with tenant_context(tenant.id):
        with counting() as seen:
            async with db.transaction(tenant=tenant.id):
                await lock_household(person)
                await insert_later(
                    HouseholdMember.insert(
                        HouseholdMember(
                            id=member,
                            household_id=household,
                            first_name="Μικρή",
                            relation="child",
                            created_at=datetime.now(UTC),
                        )
                    )
                )
        if db.is_postgres():  # BEGIN, the lock, the insert in the COMMIT's message (no other)
            assert len(seen) == 3 and seen[-1].startswith("INSERT"), seen
        else:  # no lock needed: one writer at a time; the insert at once
            assert len(seen) == 1 and "INSERT" in seen[0], seen
        async with db.transaction(tenant=tenant.id):
            found = await HouseholdMember.select(HouseholdMember.id).where(
                HouseholdMember.household_id == household
            )
    assert member in {r["id"] for r in found}
