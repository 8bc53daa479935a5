"""The only writer of the module's tables: checks, rules, one transaction, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

from core.api import (
    Conflict,
    NotFound,
    RequestContext,
    RequestValidationError,
    audit,
    decrypt,
    encrypt,
    keyset,
    module_settings,
    person_exists,
    t,
    transaction,
)

from merimna_social_grocery import rules
from merimna_social_grocery.manifest import SLUG
from merimna_social_grocery.schemas import EntryIn
from merimna_social_grocery.settings import Settings
from merimna_social_grocery.tables import Entry

NOTE_PURPOSE = f"{SLUG}.entry.note"


def _month_bounds(day: date) -> tuple[date, date]:
    start = day.replace(day=1)
    end = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


async def _out(row: dict[str, Any]) -> dict[str, Any]:
    note = row["note"]
    return {
        "id": row["id"],
        "person_id": row["person_id"],
        "kind": row["kind"],
        "occurred_on": row["occurred_on"],
        "note": (await decrypt(note, NOTE_PURPOSE) or "") if note else "",
    }


async def create_entry(ctx: RequestContext, data: EntryIn) -> dict[str, Any]:
    """Record an entry for a person of this tenant, within the monthly limit."""
    if not await person_exists(data.person_id):
        raise RequestValidationError.single("person_id", "not_found")
    settings = await module_settings(ctx.tenant, SLUG)
    assert isinstance(settings, Settings)
    async with transaction():
        start, end = _month_bounds(data.occurred_on)
        count = await Entry.count().where(
            (Entry.person_id == data.person_id)
            & (Entry.occurred_on >= start)
            & (Entry.occurred_on < end)
        )
        decision = rules.may_record(count, settings)
        if not decision.allowed:
            reason = decision.reasons[0]
            raise Conflict(
                reason,
                detail=t(f"{SLUG}.error.{reason}", limit=settings.monthly_limit),
                extra={"limit": settings.monthly_limit},
            )
        row = Entry(
            id=uuid4(),
            person_id=data.person_id,
            kind=data.kind,
            occurred_on=data.occurred_on,
            note=await encrypt(data.note, NOTE_PURPOSE) if data.note else "",
            created_by=ctx.user_id,
            created_at=datetime.now(UTC),
        )
        await Entry.insert(row)
        await audit(ctx, "create", f"{SLUG}.entry", row.id)
    return await get_entry(ctx, row.id, audited=False)


async def get_entry(ctx: RequestContext, entry_id: UUID, *, audited: bool = True) -> dict[str, Any]:
    row = await Entry.select().where(Entry.id == entry_id).first()
    if row is None:
        raise NotFound()
    if audited:
        await audit(ctx, "read", f"{SLUG}.entry", entry_id)
    return await _out(row)


async def list_entries(
    ctx: RequestContext, *, person_id: UUID | None, limit: int | None, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    query = Entry.select()
    if person_id is not None:
        query = query.where(Entry.person_id == person_id)
    rows, next_cursor = await keyset(
        query,
        sort=Entry.occurred_on,
        id_column=Entry.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    await audit(ctx, "read", f"{SLUG}.entry", "", details={"count": len(rows)})
    return [await _out(row) for row in rows], next_cursor


async def entries_per_month(year: int) -> list[dict[str, Any]]:
    """Counts per month and kind: codes and numbers only."""
    rows = await Entry.select(Entry.occurred_on, Entry.kind).where(
        (Entry.occurred_on >= date(year, 1, 1)) & (Entry.occurred_on < date(year + 1, 1, 1))
    )
    counts: dict[tuple[int, str], int] = {}
    for row in rows:
        key = (row["occurred_on"].month, row["kind"])
        counts[key] = counts.get(key, 0) + 1
    return [
        {"month": f"{year}-{month:02d}", "kind": kind, "count": count}
        for (month, kind), count in sorted(counts.items())
    ]


async def export_person(person_id: UUID) -> dict[str, Any]:
    rows = await Entry.select().where(Entry.person_id == person_id).order_by(Entry.occurred_on)
    return {"entries": [await _out(row) for row in rows]}


async def erase_person(person_id: UUID) -> list[str]:
    await Entry.delete().where(Entry.person_id == person_id)
    return [Entry._meta.tablename]
