"""HTTP routes, mounted by the core under `/api/v1/t/{tenant}/modules/social_grocery/`.

The core has authenticated the user, resolved the tenant, checked that it enabled this module
and opened the request's transaction. Handlers check the permission and call `services`.
"""

from __future__ import annotations

from uuid import UUID

from core.api import RequestContext
from litestar import get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from merimna_social_grocery import services
from merimna_social_grocery.manifest import READ, WRITE
from merimna_social_grocery.schemas import (
    CardIn,
    CardOut,
    CardPage,
    EntryIn,
    EntryOut,
    EntryPage,
)

Ctx = NamedDependency[RequestContext]
TAGS = ["social_grocery"]


@post(
    "/cards",
    tags=TAGS,
    summary="Decide an application for a card (kept with its reasons when rejected)",
)
async def create_card(ctx: Ctx, data: JSONBody[CardIn]) -> CardOut:
    ctx.require(WRITE)
    return CardOut(**await services.decide_card(ctx, data))


@get("/cards", tags=TAGS, summary="List cards and decisions, newest first")
async def list_cards(
    ctx: Ctx,
    person_id: FromQuery[UUID | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> CardPage:
    ctx.require(READ)
    rows, next_cursor = await services.list_cards(
        ctx, person_id=person_id, limit=limit, cursor=cursor
    )
    return CardPage(items=[CardOut(**row) for row in rows], next_cursor=next_cursor)


@get("/cards/{card_id:uuid}", tags=TAGS, summary="Read a card or decision")
async def read_card(ctx: Ctx, card_id: FromPath[UUID]) -> CardOut:
    ctx.require(READ)
    return CardOut(**await services.get_card(ctx, card_id))


@post("/entries", tags=TAGS, summary="Record a shopping visit (needs a card in force)")
async def create_entry(ctx: Ctx, data: JSONBody[EntryIn]) -> EntryOut:
    ctx.require(WRITE)
    return EntryOut(**await services.create_entry(ctx, data))


@get("/entries", tags=TAGS, summary="List entries, newest first (optionally of one person)")
async def list_entries(
    ctx: Ctx,
    person_id: FromQuery[UUID | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> EntryPage:
    ctx.require(READ)
    rows, next_cursor = await services.list_entries(
        ctx, person_id=person_id, limit=limit, cursor=cursor
    )
    return EntryPage(items=[EntryOut(**row) for row in rows], next_cursor=next_cursor)


@get("/entries/{entry_id:uuid}", tags=TAGS, summary="Read an entry")
async def read_entry(ctx: Ctx, entry_id: FromPath[UUID]) -> EntryOut:
    ctx.require(READ)
    return EntryOut(**await services.get_entry(ctx, entry_id))


ROUTES = [create_card, list_cards, read_card, create_entry, list_entries, read_entry]
