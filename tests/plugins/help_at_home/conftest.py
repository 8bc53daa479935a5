"""One Help at Home unit per test module: a tenant with the module, its staff (with logins and
staff profiles), a few older people, and a second tenant for isolation checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import holidays
import pytest

from core.testing import Staff, TenantFixture, make_staff, make_tenant

M = "modules/help_at_home"


def working_day(start: date, weekday: int = 1) -> date:
    """The first `weekday` (0 = Monday) on or after `start` that is no Greek holiday."""
    day = start + timedelta(days=(weekday - start.weekday()) % 7)
    greek = holidays.country_holidays("GR", years=range(day.year, day.year + 2))
    while day in greek:
        day += timedelta(days=7)
    return day


@dataclass
class Unit:
    http: Any
    town: TenantFixture
    other: TenantFixture
    admin: Staff
    social: Staff
    nurse: Staff
    helper: Staff
    reception: Staff
    other_admin: Staff
    staff: dict[str, str] = field(default_factory=dict)  # role -> staff profile id
    people: list[str] = field(default_factory=list)
    other_person: str = ""
    other_nurse: str = ""

    def url(self, path: str, tenant: TenantFixture | None = None) -> str:
        return f"{(tenant or self.town).api}/{M}{path}"

    async def post(self, who: Staff, path: str, body: Any, tenant: Any = None) -> Any:
        return await self.http.post(self.url(path, tenant), json=body, headers=who.headers)

    async def get(self, who: Staff, path: str, tenant: Any = None, **params: Any) -> Any:
        return await self.http.get(self.url(path, tenant), params=params, headers=who.headers)


async def _person(http: Any, tenant: TenantFixture, who: Staff, **fields: Any) -> str:
    response = await http.post(f"{tenant.api}/beneficiaries", json=fields, headers=who.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _profile(http: Any, tenant: TenantFixture, boss: Staff, who: Staff, role: str) -> str:
    response = await http.post(
        f"{tenant.api}/staff",
        json={"user_id": str(who.user_id), "profession": role},
        headers=boss.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@pytest.fixture(scope="module")
async def unit(client: Any) -> Unit:
    town = await make_tenant(["help_at_home"], prefix="hah")
    other = await make_tenant(["help_at_home"], prefix="hah-other")
    admin = await make_staff(town, ["tenant_admin"])
    unit = Unit(
        http=client,
        town=town,
        other=other,
        admin=admin,
        social=await make_staff(town, ["social_worker"]),
        nurse=await make_staff(town, ["nurse"]),
        helper=await make_staff(town, ["home_helper"]),
        reception=await make_staff(town, ["reception"]),
        other_admin=await make_staff(other, ["tenant_admin"]),
    )
    for role, who in (
        ("social_worker", unit.social),
        ("nurse", unit.nurse),
        ("home_helper", unit.helper),
    ):
        unit.staff[role] = await _profile(client, town, admin, who, role)
    people = [
        ("Ελένη", "Παπαδοπούλου", "1941-03-02", "female", "11141", "Αχαρνών", "12"),
        ("Γεώργιος", "Νικολάου", "1950-07-15", "male", "15341", "Κηφισίας", "210"),
        ("Σοφία", "Δημητρίου", "1938-11-30", "female", "11143", "Πατησίων", "5"),
        ("Νίκος", "Αντωνίου", "1985-01-20", "male", "11145", "Ιουλιανού", "8"),
    ]
    for first, last, born, sex, postcode, street, number in people:
        unit.people.append(
            await _person(
                client,
                town,
                admin,
                first_name=first,
                last_name=last,
                birth_date=born,
                sex=sex,
                phone="2101234567",
                address={"street": street, "number": number, "postcode": postcode, "city": "Αθήνα"},
            )
        )
    unit.other_person = await _person(
        client,
        other,
        unit.other_admin,
        first_name="Μαρία",
        last_name="Ξένη",
        birth_date="1940-01-01",
    )
    other_nurse = await make_staff(other, ["nurse"])
    unit.other_nurse = await _profile(client, other, unit.other_admin, other_nurse, "nurse")
    return unit
