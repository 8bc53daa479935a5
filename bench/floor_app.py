"""The framework floor: a minimal Litestar app serving the same primary-key read as the
scenario, on the same server settings as `merimna serve` (uvicorn, same worker count, no
access log), so the ratio scenario / floor isolates what Merimna adds.

  GET /raw/{tenant_id}/{id}  one `SELECT ... WHERE tenant_id = $1 AND id = $2` via asyncpg pool
  GET /orm/{tenant_id}/{id}  the same read through Piccolo (`Beneficiary.select()`, tenant
                             scoping layer), no auth, no audit, no RLS: the plain ORM read

Connects with `BENCH_FLOOR_DATABASE_URL` (the superuser: row-level security is not applied,
which is exactly what the floor leaves out). Both pools have the application's pool policy
(`core.db.keep_session`: no session reset on release), so the floors and the scenarios pay
the same round trips for the same work.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from uuid import UUID

import asyncpg
from litestar import Litestar, get
from litestar.exceptions import NotFoundException

READ_SQL = (
    "SELECT id, first_name, last_name, birth_date, amka, afm, phone, status, household_id "
    "FROM beneficiary WHERE tenant_id = $1 AND id = $2"
)
_pool: dict[str, Any] = {}


@asynccontextmanager
async def lifespan(_app: Litestar) -> AsyncIterator[None]:
    from core import db

    url = os.environ["BENCH_FLOOR_DATABASE_URL"]
    _pool["pool"] = await asyncpg.create_pool(url, min_size=2, max_size=10, reset=db.keep_session)
    await db.start()
    try:
        yield
    finally:
        await _pool["pool"].close()
        await db.stop()


@get("/raw/{tenant_id:uuid}/{person_id:uuid}")
async def raw(tenant_id: UUID, person_id: UUID) -> dict[str, Any]:
    row = await _pool["pool"].fetchrow(READ_SQL, tenant_id, person_id)
    if row is None:
        raise NotFoundException()
    return dict(row)


@get("/orm/{tenant_id:uuid}/{person_id:uuid}")
async def orm(tenant_id: UUID, person_id: UUID) -> dict[str, Any]:
    from core.beneficiaries.tables import Beneficiary
    from tenants.scoping import tenant_context

    with tenant_context(tenant_id):
        row = (
            await Beneficiary.select(
                Beneficiary.id,
                Beneficiary.first_name,
                Beneficiary.last_name,
                Beneficiary.birth_date,
                Beneficiary.amka,
                Beneficiary.afm,
                Beneficiary.phone,
                Beneficiary.status,
                Beneficiary.household_id,
            )
            .where(Beneficiary.id == person_id)
            .first()
        )
    if row is None:
        raise NotFoundException()
    return row


app = Litestar([raw, orm], lifespan=[lifespan])
