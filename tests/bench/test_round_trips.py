"""Issue 11, target "at most 6 database round trips per request on every endpoint (tenant
context, membership, audit and the work itself included), list endpoints constant in page
size": asserted by counting the statements the engine sends, not by timing.

Counted on PostgreSQL: every message asyncpg sends and waits for (`execute`, `fetch`,
`fetchrow`, `fetchval`, `executemany` of any connection), which is every round trip: BEGIN
with the tenant setting, each statement, the audit append that travels with COMMIT. On
SQLite, which has no round trips, every statement through the engine (`run_querystring`,
`run_ddl`) instead, the way Piccolo queries and `core.db.fetch` reach it there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from core.testing import Staff, TenantFixture, make_person, make_staff, make_tenant

MAX_ROUND_TRIPS = 6


@contextmanager
def counting() -> Iterator[list[str]]:
    """Record the SQL of every round trip (PostgreSQL) or statement (SQLite) meanwhile."""
    from core import db

    seen: list[str] = []
    # Only this task's statements: the request runs in it (httpx's ASGI transport awaits the
    # app), while background work (the audit chain's sequencer) runs in tasks of its own.
    owner = asyncio.current_task()
    if db.is_postgres():
        from asyncpg.connection import Connection

        cls: Any = Connection
        names = ["execute", "fetch", "fetchrow", "fetchval", "executemany"]
    else:
        cls = type(db.engine())  # the engine uses __slots__: patch its class for the duration
        names = ["run_querystring", "run_ddl"]
    originals = {name: getattr(cls, name) for name in names}

    def counted(original: Any) -> Any:
        async def wrapper(self: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
            if asyncio.current_task() is owner:
                seen.append(str(query)[:160])
            return await original(self, query, *args, **kwargs)

        return wrapper

    for name, original in originals.items():
        setattr(cls, name, counted(original))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(cls, name, original)


async def _count(client: Any, method: str, url: str, staff: Staff, **kw: Any) -> int:
    from tenants.resolution import settle

    # Warm caches (tenant resolution, session) the way a running server has them warm, once
    # the second invalidation after the fixture's changes has passed (it would empty them).
    await settle()
    for _ in range(2):
        await client.request(method, url, headers=staff.headers, **kw)
    with counting() as seen:
        response = await client.request(method, url, headers=staff.headers, **kw)
    assert response.status_code < 300, (url, response.status_code, response.text)
    assert seen, "the counter saw no statement: it is not hooked into the engine"
    assert len(seen) <= MAX_ROUND_TRIPS, (url, len(seen), seen)
    print(f"{method} {url}: {len(seen)} statements")
    return len(seen)


@pytest.fixture(scope="module")
async def world(client: Any) -> dict[str, Any]:
    tenant: TenantFixture = await make_tenant(["food_bank"])
    staff = await make_staff(tenant, ["tenant_admin", "social_worker"])
    ids = [
        await make_person(
            client, tenant, staff, first_name="Ελένη", last_name=f"Παπαδάκη{chr(0x3B1 + i)}"
        )
        for i in range(12)
    ]
    return {"tenant": tenant, "staff": staff, "ids": ids}


async def test_reads_and_searches_stay_within_budget(client: Any, world: dict[str, Any]) -> None:
    api, staff = world["tenant"].api, world["staff"]
    await _count(client, "GET", f"{api}/beneficiaries/{world['ids'][0]}", staff)
    await _count(client, "GET", f"{api}/beneficiaries?q=παπαδ", staff)
    await _count(client, "GET", f"{api}/beneficiaries?q=papad", staff)
    await _count(client, "GET", f"{api}/staff", staff)
    await _count(client, "GET", f"{api}/appointments?start=2025-01-06&end=2025-01-13", staff)


async def test_create_stays_within_budget(client: Any, world: dict[str, Any]) -> None:
    api, staff = world["tenant"].api, world["staff"]
    body = {"first_name": "Γιώργος", "last_name": "Μετρητής", "birth_date": "1970-01-02"}
    await client.post(
        f"{api}/beneficiaries", json=body | {"last_name": "Προθέρμανση"}, headers=staff.headers
    )
    with counting() as seen:
        response = await client.post(f"{api}/beneficiaries", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    assert len(seen) <= MAX_ROUND_TRIPS, (len(seen), seen)
    # The created person comes from INSERT ... RETURNING, not a re-read: same shape as a read.
    from datetime import date

    from core.beneficiaries.identifiers import make_amka

    amka = make_amka(date(1970, 1, 2), 77)
    body = {**body, "amka": amka, "phone": "2101234567", "other_phones": ["6912345678"]}
    body["address"] = {"street": "Οδός 1", "postcode": "11111", "city": "Αθήνα"}
    created = await client.post(f"{api}/beneficiaries", json=body, headers=staff.headers)
    assert created.status_code == 201, created.text
    person = created.json()
    person.pop("warnings", None)
    read = await client.get(f"{api}/beneficiaries/{person['id']}", headers=staff.headers)
    assert read.status_code == 200
    assert read.json() == person


@pytest.mark.parametrize(
    "path",
    ["beneficiaries", "households", "staff", "modules/food_bank/pickups"],
)
async def test_lists_are_constant_in_page_size(
    client: Any, world: dict[str, Any], path: str
) -> None:
    api, staff = world["tenant"].api, world["staff"]
    small = await _count(client, "GET", f"{api}/{path}?limit=2", staff)
    large = await _count(client, "GET", f"{api}/{path}?limit=200", staff)
    assert small == large, (path, small, large)


async def test_another_tenants_id_is_404_and_not_counted_as_found(
    client: Any, world: dict[str, Any]
) -> None:
    other = await make_tenant()
    stranger = await make_staff(other, ["tenant_admin"])
    response = await client.get(
        f"{other.api}/beneficiaries/{world['ids'][0]}", headers=stranger.headers
    )
    assert response.status_code == 404


async def test_booking_with_the_conflict_check_stays_within_budget(client: Any) -> None:
    """The hot write of the 9 a.m. workload: validate, gather the calendar facts, check, insert
    the appointment and its participants, audit, answer with the created appointment."""
    from datetime import timedelta

    from tenants.resolution import settle
    from tests.core.scheduling.helpers import MONDAY, booking, make_world

    world = await make_world(client)
    await settle()
    url = f"{world.api}/appointments"
    for day in range(2):  # warm the caches the way a running server has them warm
        body = booking(world, day=MONDAY + timedelta(days=day))
        warm = await client.post(url, json=body, headers=world.worker.headers)
        assert warm.status_code == 201, warm.text
    body = booking(world, day=MONDAY + timedelta(days=2))
    with counting() as seen:
        response = await client.post(url, json=body, headers=world.worker.headers)
    assert response.status_code == 201, response.text
    assert len(seen) <= MAX_ROUND_TRIPS, (len(seen), "\n".join(seen))
