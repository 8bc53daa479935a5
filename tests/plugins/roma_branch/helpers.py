"""A tenant with the Roma branch, its staff by role, people, and a second tenant."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from core.testing import Staff, TenantFixture, make_staff, make_tenant

BASE = "/modules/roma_branch"


@dataclass
class World:
    tenant: TenantFixture
    admin: Staff
    worker: Staff  # social worker
    mediator: Staff
    pedagogue: Staff
    reception: Staff  # core role outside the branch
    person: UUID
    child: UUID

    def url(self, path: str) -> str:
        return f"{self.tenant.api}{BASE}{path}"


async def make_person(client: Any, tenant: TenantFixture, staff: Staff, **fields: Any) -> UUID:
    body = {"first_name": "Μαρία", "last_name": "Αθανασίου", "birth_date": "1990-05-02", **fields}
    response = await client.post(f"{tenant.api}/beneficiaries", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    return UUID(response.json()["id"])


async def make_world(client: Any) -> World:
    tenant = await make_tenant(["roma_branch"])
    admin = await make_staff(tenant, ["tenant_admin"])
    worker = await make_staff(tenant, ["social_worker"])
    mediator = await make_staff(tenant, ["roma_mediator"])
    pedagogue = await make_staff(tenant, ["pedagogue"])
    reception = await make_staff(tenant, ["reception"])
    person = await make_person(client, tenant, admin)
    child = await make_person(client, tenant, admin, first_name="Γιάννης", birth_date="2016-09-01")
    return World(tenant, admin, worker, mediator, pedagogue, reception, person, child)


def codes(response: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]
