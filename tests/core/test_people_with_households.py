"""`core.api.people_with_households` (issue 11): people with their households' composition and
a module's own queries in one statement, answering exactly what `get_person` and
`household_composition` answer, another tenant's people absent."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from core import db
from core.api import get_person, household_composition, household_ids_of, people_with_households
from core.beneficiaries.tables import Beneficiary, HouseholdMember
from core.testing import make_person, make_staff, make_tenant
from tenants.scoping import tenant_context
from tests.bench.test_round_trips import counting


async def test_people_and_compositions_as_one_by_one_in_one_statement(client: Any) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["tenant_admin", "social_worker"])
    other = await make_tenant()
    stranger = await make_staff(other, ["tenant_admin", "social_worker"])
    foreign = UUID(await make_person(client, other, stranger, last_name="Ξένη"))
    parent = UUID(
        await make_person(client, tenant, staff, last_name="Γονέας", birth_date="1980-02-03")
    )
    teen = UUID(
        await make_person(client, tenant, staff, last_name="Έφηβος", birth_date="2010-06-01")
    )
    alone = UUID(
        await make_person(client, tenant, staff, last_name="Μόνος", birth_date="1950-01-01")
    )
    household = {
        "name": "Οικογένεια",
        "members": [
            {"beneficiary_id": str(parent), "relation": "head"},
            {"beneficiary_id": str(teen), "relation": "child", "school_level": "upper_secondary"},
            {
                "first_name": "Μικρή",
                "birth_date": "2018-09-09",
                "relation": "child",
                "school_level": "primary",
            },
        ],
    }
    r = await client.post(f"{tenant.api}/households", json=household, headers=staff.headers)
    assert r.status_code == 201, r.text
    on = date(2026, 1, 15)
    people = [parent, teen, alone, foreign]
    with tenant_context(tenant.id):
        async with db.transaction(tenant=tenant.id):
            expected = {
                p: (await get_person(p), await household_composition(p, on=on))
                for p in (parent, teen, alone)
            }
            members = HouseholdMember.select(HouseholdMember.beneficiary_id).where(
                HouseholdMember.household_id.is_in(household_ids_of(people))
            )
            own = Beneficiary.select(Beneficiary.id).where(Beneficiary.id == alone)
            with counting() as seen:
                found, (listed, mine) = await people_with_households(people, members, own, on=on)
    assert len(seen) == 1, seen
    assert {p: (f.person, f.composition) for p, f in found.items()} == expected
    assert foreign not in found
    assert found[parent].composition.size == 3 and found[parent].composition.minors == 2
    assert found[alone].composition.size == 1
    assert sorted(str(m["beneficiary_id"]) for m in listed) == sorted(
        ["None", str(parent), str(teen)]
    )
    assert mine == [{"id": alone}]
    with tenant_context(other.id):
        async with db.transaction(tenant=other.id):
            found, rest = await people_with_households([parent, foreign])
    assert list(found) == [foreign] and rest == []
