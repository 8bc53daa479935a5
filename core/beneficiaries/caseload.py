"""Caseloads: the people a staff member is the case worker of (`beneficiary.case_worker_id`).

The beneficiaries area owns the column, so it alone writes it; the staff area reads caseloads
through these functions and hands a caseload over when a staff member leaves. Merged people
are not anyone's caseload (their records live on the survivor).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from piccolo.query.functions.aggregate import Count

from core.beneficiaries.tables import Beneficiary
from core.pagination import keyset

# Statuses that still need a case worker; deceased, inactive and merged records keep their
# last case worker as history but are not counted.
OPEN_STATUSES = ("active",)


async def caseload_counts(staff_ids: list[UUID]) -> dict[UUID, int]:
    """How many active people each of these staff members is the case worker of."""
    if not staff_ids:
        return {}
    rows = (
        await Beneficiary.select(Beneficiary.case_worker_id, Count(Beneficiary.id, alias="n"))
        .where(
            Beneficiary.case_worker_id.is_in(staff_ids)
            & Beneficiary.status.is_in(list(OPEN_STATUSES))
        )
        .group_by(Beneficiary.case_worker_id)
    )
    return {r["case_worker_id"]: int(r["n"]) for r in rows}


async def caseload_page(
    staff_id: UUID, *, limit: int | None = None, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """The active people of one case worker, by surname (ids and names only)."""
    query = Beneficiary.select(
        Beneficiary.id,
        Beneficiary.first_name,
        Beneficiary.last_name,
        Beneficiary.birth_date,
        Beneficiary.status,
        Beneficiary.sort_key,
    ).where(
        (Beneficiary.case_worker_id == staff_id) & Beneficiary.status.is_in(list(OPEN_STATUSES))
    )
    rows, next_cursor = await keyset(
        query, sort=Beneficiary.sort_key, id_column=Beneficiary.id, limit=limit, cursor=cursor
    )
    return [{k: v for k, v in r.items() if k != "sort_key"} for r in rows], next_cursor


async def reassign_case_worker(from_staff: UUID, to_staff: UUID | None) -> list[UUID]:
    """Hand every person of `from_staff` (any status but merged) to `to_staff`, or leave them
    without a case worker (None). Runs in the caller's transaction; returns the people moved.
    The caller checks that `to_staff` is an active staff member of the tenant."""
    rows = await Beneficiary.select(Beneficiary.id).where(
        (Beneficiary.case_worker_id == from_staff) & (Beneficiary.status != "merged")
    )
    ids = [r["id"] for r in rows]
    if ids:
        await Beneficiary.update({Beneficiary.case_worker_id: to_staff}).where(
            Beneficiary.id.is_in(ids)
        )
    return ids


async def check_case_worker(staff_id: UUID | None) -> None:
    """A person's case worker is an active staff profile of this tenant (422 otherwise: an id
    of another tenant is as unknown here as a made-up one)."""
    from core.errors import RequestValidationError
    from core.staff.services import staff_exists

    if staff_id is not None and not await staff_exists(staff_id, active_only=True):
        raise RequestValidationError.single("case_worker_id", "unknown_case_worker")
