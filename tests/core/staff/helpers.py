"""Helpers shared by the staff, referrals, casework and documents tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID


async def make_person(client: Any, tenant: Any, staff: Any, **fields: Any) -> str:
    """A beneficiary of `tenant`, created through the API; returns its id."""
    body = {"first_name": "Ελένη", "last_name": "Παπαδάκη", "birth_date": "1975-03-14"}
    body.update(fields)
    response = await client.post(f"{tenant.api}/beneficiaries", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


@asynccontextmanager
async def in_tenant(tenant_id: UUID) -> AsyncIterator[None]:
    """Run direct queries as one tenant (scoping and, on PostgreSQL, row-level security)."""
    from core import db
    from tenants.scoping import tenant_context

    with tenant_context(tenant_id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant_id)
            yield


def codes(response: Any) -> list[tuple[str, str]]:
    """(field, code) of every error of a 422."""
    return [(e["field"], e["code"]) for e in response.json()["errors"]]
