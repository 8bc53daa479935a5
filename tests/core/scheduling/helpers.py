"""Helpers of the scheduling tests: a tenant with staff profiles and beneficiaries."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from core.testing import Staff, TenantFixture, make_staff, make_tenant

ATHENS = ZoneInfo("Europe/Athens")
# A week of 2027 with no holiday: Monday 1 March to Friday 5 March (winter time, +02:00).
MONDAY = date(2027, 3, 1)
_names = itertools.cycle(
    [
        ("Ελένη", "Παπαδοπούλου"),
        ("Γιώργος", "Νικολάου"),
        ("Μαρία", "Κωνσταντίνου"),
        ("Νίκος", "Αντωνίου"),
        ("Σοφία", "Γεωργίου"),
    ]
)
_seq = itertools.count(1)


def at(day: date, hhmm: str) -> str:
    """ISO 8601 with the Athens offset of that day: `at(MONDAY, "10:00")`."""
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=ATHENS).isoformat()


def when(day: date, hhmm: str) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=ATHENS)


@dataclass
class World:
    tenant: TenantFixture
    admin: Staff
    worker: Staff  # a social worker's account
    staff: UUID  # the social worker's staff profile
    psych_user: Staff
    psych: UUID  # a psychologist's staff profile
    person: UUID
    person2: UUID

    @property
    def api(self) -> str:
        return self.tenant.api


async def make_profile(
    client: Any,
    tenant: TenantFixture,
    admin: Staff,
    user: Staff | None,
    profession: str,
    **fields: Any,
) -> UUID:
    body: dict[str, Any] = {"profession": profession, **fields}
    if user is not None:
        body["user_id"] = str(user.user_id)
    else:
        body.setdefault("display_name", f"Εργαζόμενος {next(_seq)}")
    response = await client.post(f"{tenant.api}/staff", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return UUID(response.json()["id"])


async def make_person(
    client: Any,
    tenant: TenantFixture,
    staff: Staff,
    first: str | None = None,
    last: str | None = None,
    **fields: Any,
) -> UUID:
    if first is None or last is None:
        first, last = next(_names)
    body = {"first_name": first, "last_name": last, "birth_date": "1975-03-14", **fields}
    response = await client.post(f"{tenant.api}/beneficiaries", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    return UUID(response.json()["id"])


async def make_world(client: Any, modules: list[str] | None = None) -> World:
    tenant = await make_tenant(modules)
    admin = await make_staff(tenant, ["tenant_admin"])
    worker = await make_staff(tenant, ["social_worker"])
    psych_user = await make_staff(tenant, ["psychologist"])
    staff = await make_profile(
        client, tenant, admin, worker, "social_worker", email="worker@example.org"
    )
    psych = await make_profile(client, tenant, admin, psych_user, "psychologist")
    person = await make_person(client, tenant, worker, "Ελένη", "Παπαδοπούλου")
    person2 = await make_person(client, tenant, worker, "Γιώργος", "Νικολάου")
    return World(tenant, admin, worker, staff, psych_user, psych, person, person2)


def booking(
    world: World, day: date = MONDAY, start: str = "10:00", end: str | None = "11:00", **fields: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "staff_id": str(world.staff),
        "beneficiary_id": str(world.person),
        "service": "core.counselling",
        "mode": "in_person",
        "start": at(day, start),
        "end": at(day, end) if end else None,
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


async def book(
    client: Any, world: World, who: Staff | None = None, expect: int = 201, **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        f"{world.api}/appointments",
        json=booking(world, **fields),
        headers=(who or world.worker).headers,
    )
    assert response.status_code == expect, response.text
    return response.json()  # type: ignore[no-any-return]


async def count_appointments(tenant_id: UUID) -> int:
    from core.scheduling.tables import Appointment, AppointmentParticipant

    async with in_tenant(tenant_id):
        return int(await Appointment.count()) + 0 * int(await AppointmentParticipant.count())


async def participant_rows(tenant_id: UUID) -> int:
    from core.scheduling.tables import AppointmentParticipant

    async with in_tenant(tenant_id):
        return int(await AppointmentParticipant.count())


@asynccontextmanager
async def in_tenant(tenant_id: UUID) -> AsyncIterator[None]:
    """Direct queries as one tenant (scoping and, on PostgreSQL, row-level security)."""
    from core import db
    from tenants.scoping import tenant_context

    with tenant_context(tenant_id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant_id)
            yield


def codes(response: Any) -> list[tuple[str, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]
