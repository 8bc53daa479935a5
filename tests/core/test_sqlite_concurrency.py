"""SQLite, the embedded default: reads and writes of several staff at the same moment.

Every read is audited. Written inside the read's own (deferred) transaction, the audit row
upgraded it to a write transaction, which SQLite refuses at once ("database is locked") when
another connection committed since the read began: under concurrent use, reads failed with
500. The audit of a read is now written after it, in a write transaction of its own.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from core.testing import make_staff, make_tenant

BODY = {"first_name": "Ελένη", "last_name": "Παπαδοπούλου", "birth_date": "1950-01-01"}


@pytest.mark.sqlite
async def test_reads_and_writes_at_the_same_moment_all_succeed_and_are_audited(
    client: Any,
) -> None:
    tenant = await make_tenant()
    worker = await make_staff(tenant, ["social_worker"])
    admin = await make_staff(tenant, ["tenant_admin"])
    first = await client.post(f"{tenant.api}/beneficiaries", json=BODY, headers=worker.headers)
    person = first.json()["id"]

    async def read() -> int:
        got = await client.get(f"{tenant.api}/beneficiaries/{person}", headers=worker.headers)
        return int(got.status_code)

    async def search() -> int:
        got = await client.get(
            f"{tenant.api}/beneficiaries", params={"q": "papad"}, headers=worker.headers
        )
        return int(got.status_code)

    async def write() -> int:
        made = await client.post(
            f"{tenant.api}/beneficiaries",
            json={**BODY, "first_name": "Μαρία", "last_name": "Νικολάου"},
            headers=worker.headers,
        )
        return int(made.status_code)

    statuses = await asyncio.gather(
        *(read() for _ in range(30)), *(search() for _ in range(10)), *(write() for _ in range(20))
    )
    assert sorted(set(statuses)) == [200, 201], statuses

    trail = await client.get(
        f"{tenant.api}/audit",
        params={"object_id": person, "action": "read", "limit": 100},
        headers=admin.headers,
    )
    assert trail.status_code == 200, trail.text
    reads = [e for e in trail.json()["items"] if e["object_id"] == person and e["action"] == "read"]
    assert len(reads) == 30  # every read is in the trail, none lost
