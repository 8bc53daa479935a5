"""One municipality with the Family Support Centre, its staff and people, shared by a test
module (each test creates its own records), plus a second municipality for isolation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

import pytest

from core.testing import Staff, TenantFixture, make_staff, make_tenant

SLUG = "family_center"


@dataclass
class World:
    tenant: TenantFixture
    other: TenantFixture
    psychologist: Staff
    colleague: Staff  # a second psychologist, named on notes
    outsider: Staff  # a third psychologist, never named
    social: Staff
    officer: Staff  # child_protection_officer
    admin: Staff
    reception: Staff
    pedagogue: Staff
    other_admin: Staff
    adult: UUID
    parent: UUID
    minor: UUID
    child: UUID
    other_person: UUID

    @property
    def api(self) -> str:
        return f"{self.tenant.api}/modules/{SLUG}"

    @property
    def other_api(self) -> str:
        return f"{self.other.api}/modules/{SLUG}"


async def make_person(
    client: Any, tenant: TenantFixture, staff: Staff, first: str, last: str, born: date
) -> UUID:
    r = await client.post(
        f"{tenant.api}/beneficiaries",
        json={"first_name": first, "last_name": last, "birth_date": born.isoformat()},
        headers=staff.headers,
    )
    assert r.status_code == 201, r.text
    return UUID(r.json()["id"])


@pytest.fixture(scope="module")
async def world(client: Any) -> World:
    tenant = await make_tenant([SLUG], prefix="fc")
    other = await make_tenant([SLUG], prefix="fco")
    social = await make_staff(tenant, ["social_worker"])
    other_admin = await make_staff(other, ["tenant_admin", "social_worker"])
    today = date.today()
    return World(
        tenant=tenant,
        other=other,
        psychologist=await make_staff(tenant, ["psychologist"]),
        colleague=await make_staff(tenant, ["psychologist"]),
        outsider=await make_staff(tenant, ["psychologist"]),
        social=social,
        officer=await make_staff(tenant, ["child_protection_officer"]),
        admin=await make_staff(tenant, ["tenant_admin"]),
        reception=await make_staff(tenant, ["reception"]),
        pedagogue=await make_staff(tenant, ["pedagogue"]),
        other_admin=other_admin,
        adult=await make_person(client, tenant, social, "Ελένη", "Παπαδοπούλου", date(1982, 4, 2)),
        parent=await make_person(client, tenant, social, "Γιώργος", "Νικολάου", date(1979, 11, 20)),
        minor=await make_person(
            client, tenant, social, "Δημήτρης", "Νικολάου", date(today.year - 15, 1, 1)
        ),
        child=await make_person(
            client, tenant, social, "Μαρία", "Κωνσταντίνου", date(today.year - 9, 3, 3)
        ),
        other_person=await make_person(
            client, other, other_admin, "Άννα", "Γεωργίου", date(1990, 1, 1)
        ),
    )
