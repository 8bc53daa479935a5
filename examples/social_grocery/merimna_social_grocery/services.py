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
from dateutil.relativedelta import relativedelta

from merimna_social_grocery import rules
from merimna_social_grocery.manifest import SLUG
from merimna_social_grocery.schemas import CardIn, EntryIn
from merimna_social_grocery.settings import Settings
from merimna_social_grocery.tables import Card, Entry

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
        "points": row["points"],
        "note": (await decrypt(note, NOTE_PURPOSE) or "") if note else "",
    }


async def _settings(ctx: RequestContext) -> Settings:
    settings = await module_settings(ctx.tenant, SLUG)
    assert isinstance(settings, Settings)
    return settings


def _refuse(reason: str, **params: Any) -> Conflict:
    return Conflict(reason, detail=t(f"{SLUG}.error.{reason}", **params), extra=params)


# -- cards ------------------------------------------------------------------------------------


def _card_out(row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    facts = rules.Facts(True, row["annual_income"], row["dependants"], row["disability_percent"])
    return {
        "id": row["id"],
        "person_id": row["person_id"],
        "status": row["status"],
        "reasons": [r for r in row["reasons"].split(",") if r],
        "income_limit": rules.income_limit(facts, settings),
        "points_per_month": row["points_per_month"],
        "valid_from": row["valid_from"],
        "valid_until": row["valid_until"],
    }


async def decide_card(ctx: RequestContext, data: CardIn) -> dict[str, Any]:
    """Decide an application by the tenant's regulation and keep the decision either way:
    a rejection with its reasons is a record the applicant may ask to see."""
    if not await person_exists(data.person_id):
        raise RequestValidationError.single("person_id", "not_found")
    settings = await _settings(ctx)
    facts = rules.Facts(data.resident, data.annual_income, data.dependants, data.disability_percent)
    decision = rules.eligibility(facts, settings)
    approved = decision.allowed
    row = Card(
        id=uuid4(),
        person_id=data.person_id,
        persons_14_plus=data.persons_14_plus,
        children_under_14=data.children_under_14,
        dependants=data.dependants,
        annual_income=data.annual_income,
        disability_percent=data.disability_percent,
        status="approved" if approved else "rejected",
        reasons=",".join(decision.reasons),
        points_per_month=(
            rules.monthly_points(data.persons_14_plus, data.children_under_14, settings)
            if approved
            else 0
        ),
        valid_from=data.valid_from,
        valid_until=(
            data.valid_from + relativedelta(months=settings.card_months, days=-1)
            if approved
            else None
        ),
        decided_by=ctx.user_id,
        created_at=datetime.now(UTC),
    )
    async with transaction():
        await Card.insert(row)
        await audit(ctx, "create", f"{SLUG}.card", row.id, details={"status": row.status})
    return await get_card(ctx, row.id, audited=False)


async def get_card(ctx: RequestContext, card_id: UUID, *, audited: bool = True) -> dict[str, Any]:
    row = await Card.select().where(Card.id == card_id).first()
    if row is None:
        raise NotFound()
    if audited:
        await audit(ctx, "read", f"{SLUG}.card", card_id)
    return _card_out(row, await _settings(ctx))


async def list_cards(
    ctx: RequestContext, *, person_id: UUID | None, limit: int | None, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    query = Card.select()
    if person_id is not None:
        query = query.where(Card.person_id == person_id)
    rows, next_cursor = await keyset(
        query,
        sort=Card.created_at,
        id_column=Card.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    await audit(ctx, "read", f"{SLUG}.card", "", details={"count": len(rows)})
    settings = await _settings(ctx)
    return [_card_out(row, settings) for row in rows], next_cursor


async def valid_card(person_id: UUID, on: date) -> dict[str, Any] | None:
    """The person's approved card in force on `on` (the latest, if renewals overlap)."""
    return (
        await Card.select()
        .where(
            (Card.person_id == person_id)
            & (Card.status == "approved")
            & (Card.valid_from <= on)
            & (Card.valid_until >= on)
        )
        .order_by(Card.valid_from, ascending=False)
        .first()
    )


# -- shopping visits --------------------------------------------------------------------------


async def create_entry(ctx: RequestContext, data: EntryIn) -> dict[str, Any]:
    """Record a shopping visit: needs a card in force, within the visits and the points of
    the month."""
    if not await person_exists(data.person_id):
        raise RequestValidationError.single("person_id", "not_found")
    settings = await _settings(ctx)
    async with transaction():
        card = await valid_card(data.person_id, data.occurred_on)
        if card is None:
            raise _refuse("no_valid_card")
        start, end = _month_bounds(data.occurred_on)
        month = await Entry.select(Entry.points).where(
            (Entry.person_id == data.person_id)
            & (Entry.occurred_on >= start)
            & (Entry.occurred_on < end)
        )
        visits = rules.may_record(len(month), settings)
        if not visits.allowed:
            raise _refuse(visits.reasons[0], limit=settings.monthly_limit)
        spent = sum(r["points"] for r in month)
        points = rules.may_spend(data.points, spent, card["points_per_month"])
        if not points.allowed:
            raise _refuse(points.reasons[0], left=card["points_per_month"] - spent)
        row = Entry(
            id=uuid4(),
            person_id=data.person_id,
            kind=data.kind,
            occurred_on=data.occurred_on,
            points=data.points,
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
    """Visits and points per month and kind of goods: codes and numbers only."""
    rows = await Entry.select(Entry.occurred_on, Entry.kind, Entry.points).where(
        (Entry.occurred_on >= date(year, 1, 1)) & (Entry.occurred_on < date(year + 1, 1, 1))
    )
    totals: dict[tuple[int, str], list[int]] = {}
    for row in rows:
        total = totals.setdefault((row["occurred_on"].month, row["kind"]), [0, 0])
        total[0] += 1
        total[1] += row["points"]
    return [
        {"month": f"{year}-{month:02d}", "kind": kind, "count": count, "points": points}
        for (month, kind), (count, points) in sorted(totals.items())
    ]


async def export_person(person_id: UUID) -> dict[str, Any]:
    visits = await Entry.select().where(Entry.person_id == person_id).order_by(Entry.occurred_on)
    cards = await Card.select().where(Card.person_id == person_id).order_by(Card.created_at)
    return {
        "cards": [{k: v for k, v in card.items() if k != "tenant_id"} for card in cards],
        "visits": [await _out(row) for row in visits],
    }


async def erase_person(person_id: UUID) -> list[str]:
    """No statutory retention applies to a social grocery's records: erase them all, and so
    give no reason for keeping any."""
    await Entry.delete().where(Entry.person_id == person_id)
    await Card.delete().where(Card.person_id == person_id)
    return []
