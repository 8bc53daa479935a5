"""Row-level security on a pool of ONE PostgreSQL connection (issue 10 §1).

The app's engine is restarted with a single-connection pool, and 1 000 requests alternate
between two municipalities A, B, A, B...: reads of lists and of single people (own and the
other's ids), creates, creates cancelled by the client at varying points (asyncio task
cancellation), and household creations that write and then fail with a 422 (the member of
the other municipality), so the request's transaction is rolled back after a write.

Invariants, checked after every request on the one connection itself: it is not inside a
transaction and carries no tenant (`app.tenant_id` empty); and in every response, never a row
of the other municipality. At the end, as each tenant: only its own people, no household left
behind by the failed requests, nobody attached to one.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from typing import Any
from uuid import UUID

import pytest

from core.testing import make_staff, make_tenant
from tests.core.staff.helpers import in_tenant

pytestmark = pytest.mark.pg

REQUESTS = 1000
CANARY = {"a": "Αλφαδάκη", "b": "Βηταδάκη"}
HOUSEHOLD = "Νοικοκυριό δοκιμής δεξαμενής"


@contextlib.asynccontextmanager
async def single_connection_pool() -> Any:
    from core import db
    from core.settings import get_settings

    engine: Any = db.engine()
    await asyncio.wait_for(engine.close_connection_pool(), 20)
    await asyncio.wait_for(engine.start_connection_pool(min_size=1, max_size=1), 20)
    try:
        yield engine
    finally:
        settings = get_settings()
        try:
            await asyncio.wait_for(engine.close_connection_pool(), 20)
        except TimeoutError:  # a request still holds the connection: do not hang the suite
            engine.pool.terminate()
            engine.pool = None
        await engine.start_connection_pool(
            min_size=settings.db_pool_min, max_size=settings.db_pool_max
        )


async def connection_state(engine: Any) -> tuple[bool, str | None]:
    """(inside a transaction?, tenant setting) of the pool's only connection."""
    async with engine.pool.acquire() as conn:
        tenant = await conn.fetchval("SELECT current_setting('app.tenant_id', true)")
        return conn.is_in_transaction(), tenant


async def test_one_connection_alternating_tenants(client: Any) -> None:
    sides: dict[str, dict[str, Any]] = {}
    for key in ("a", "b"):
        tenant = await make_tenant([])
        staff = await make_staff(tenant, ["tenant_admin", "social_worker"])
        sides[key] = {"tenant": tenant, "staff": staff, "people": []}
    for key, side in sides.items():
        for n in range(3):
            r = await client.post(
                f"{side['tenant'].api}/beneficiaries",
                json={
                    "first_name": "Ελένη",
                    "last_name": CANARY[key],
                    "birth_date": "1980-01-0" + str(n + 1),
                },
                headers=side["staff"].headers,
            )
            assert r.status_code == 201, r.text
            side["people"].append(r.json()["id"])

    rng = random.Random(10)
    seen: dict[str, int] = {}
    outcomes = {"cancelled": 0, "completed": 0}
    async with single_connection_pool() as engine:
        assert engine.pool.get_max_size() == 1
        for i in range(REQUESTS):
            key, other = ("a", "b") if i % 2 == 0 else ("b", "a")
            side, them = sides[key], sides[other]
            api, headers = side["tenant"].api, side["staff"].headers
            kind = ("list", "read", "fail_after_write", "create", "cancel")[(i // 2) % 5]
            seen[kind] = seen.get(kind, 0) + 1
            if kind == "list":
                r = await asyncio.wait_for(
                    client.get(f"{api}/beneficiaries?limit=200", headers=headers), 30
                )
                assert r.status_code == 200, r.text
                names = {p["last_name"] for p in r.json()["items"]}
                assert names == {CANARY[key]}, (i, names)
            elif kind == "read":
                mine = rng.choice(side["people"])
                r = await asyncio.wait_for(
                    client.get(f"{api}/beneficiaries/{mine}", headers=headers), 30
                )
                assert r.status_code == 200 and r.json()["last_name"] == CANARY[key]
                theirs = rng.choice(them["people"])
                r = await asyncio.wait_for(
                    client.get(f"{api}/beneficiaries/{theirs}", headers=headers), 30
                )
                assert r.status_code == 404, (i, r.text)
                assert CANARY[other] not in r.text
            elif kind == "fail_after_write":
                body = {
                    "name": HOUSEHOLD,
                    "members": [
                        {"beneficiary_id": rng.choice(side["people"]), "relation": "head"},
                        {"beneficiary_id": rng.choice(them["people"]), "relation": "child"},
                    ],
                }
                r = await asyncio.wait_for(
                    client.post(f"{api}/households", json=body, headers=headers), 30
                )
                assert r.status_code == 422, (i, r.text)
                assert r.json()["errors"][0]["field"] == "members.1.beneficiary_id"
            elif kind == "create":
                r = await asyncio.wait_for(
                    client.post(
                        f"{api}/beneficiaries",
                        json={
                            "first_name": "Νίκη",
                            "last_name": CANARY[key],
                            "birth_date": "1990-02-02",
                        },
                        headers=headers,
                    ),
                    30,
                )
                assert r.status_code == 201, r.text
                assert r.json()["last_name"] == CANARY[key]
                side["people"].append(r.json()["id"])
            else:  # cancelled by the client somewhere along the way
                task = asyncio.create_task(
                    client.post(
                        f"{api}/beneficiaries",
                        json={
                            "first_name": "Άννα",
                            "last_name": CANARY[key],
                            "birth_date": "1991-03-03",
                        },
                        headers=headers,
                    )
                )
                for _ in range(rng.randint(0, 12)):
                    await asyncio.sleep(0)
                task.cancel()
                try:
                    response = await asyncio.wait_for(task, 30)
                except asyncio.CancelledError:
                    outcomes["cancelled"] += 1
                else:
                    outcomes["completed"] += 1
                    assert response.status_code == 201
                    side["people"].append(response.json()["id"])
            try:
                in_txn, tenant_setting = await asyncio.wait_for(connection_state(engine), 10)
            except TimeoutError:
                pytest.fail(f"request {i} ({kind}) never gave the pool's only connection back")
            assert not in_txn, f"request {i} ({kind}) left its transaction open"
            assert tenant_setting in (None, ""), (
                f"request {i} ({kind}) handed the connection back with tenant {tenant_setting}"
            )
    assert seen == {k: REQUESTS // 5 for k in seen} and len(seen) == 5
    assert outcomes["cancelled"] > 0, outcomes  # the cancellations really hit requests

    from core.beneficiaries.tables import Beneficiary, Household

    for key, side in sides.items():
        async with in_tenant(side["tenant"].id):
            rows = await Beneficiary.select(
                Beneficiary.id, Beneficiary.last_name, Beneficiary.household_id
            )
            households = await Household.count().where(Household.name == HOUSEHOLD)
        assert {r["last_name"] for r in rows} == {CANARY[key]}
        assert {str(r["id"]) for r in rows} >= set(side["people"])
        assert all(r["household_id"] is None for r in rows)  # the failed writes rolled back
        assert households == 0
        assert all(isinstance(UUID(p), UUID) for p in side["people"])
