"""JSON API of the food bank, mounted at `/api/v1/t/{tenant}/modules/food_bank/`.

Handlers check the permission, parse, and call the services; nothing else. Another
tenant's id is always 404 (the services only see the current tenant's rows).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from core.api import RequestContext
from plugins.food_bank import services
from plugins.food_bank.manifest import DISTRIBUTE, ELIGIBILITY, MANAGE, READ, STOCK
from plugins.food_bank.schemas import (
    AdjustIn,
    BookingCreate,
    Category,
    DistributionDayCreate,
    DistributionDayOut,
    DistributionDayPage,
    DonationCreate,
    DonationOut,
    DonationPage,
    DonorCreate,
    DonorKind,
    DonorOut,
    DonorPage,
    EligibilityCreate,
    EligibilityOut,
    EligibilityPage,
    EntitlementOut,
    ItemCreate,
    ItemOut,
    ItemPage,
    ItemUpdate,
    LotCreate,
    LotDetail,
    LotOut,
    LotPage,
    LotUpdate,
    PickupCreate,
    PickupOut,
    PickupPage,
    SnackAllocationRow,
    SnackDeliveryCreate,
    SnackDeliveryOut,
    StockRow,
    TransferIn,
    WasteIn,
)

Ctx = NamedDependency[RequestContext]
TAGS = ["food_bank"]


# -- catalogue --------------------------------------------------------------------------------


@get("/items", tags=TAGS, summary="Catalogue items, with stock on hand")
async def list_items(
    ctx: Ctx,
    category: FromQuery[Category | None] = None,
    active: FromQuery[bool | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> ItemPage:
    ctx.require(READ)
    rows, nxt = await services.list_items(
        category=category, active=active, limit=limit, cursor=cursor
    )
    return ItemPage(items=[ItemOut(**r) for r in rows], next_cursor=nxt)


@post("/items", tags=TAGS, summary="Add an item to the catalogue")
async def create_item(ctx: Ctx, data: JSONBody[ItemCreate]) -> ItemOut:
    ctx.require(MANAGE)
    return ItemOut(**await services.create_item(ctx, data))


@get("/items/{item_id:uuid}", tags=TAGS, summary="Read an item")
async def read_item(ctx: Ctx, item_id: FromPath[UUID]) -> ItemOut:
    ctx.require(READ)
    return ItemOut(**await services.get_item(item_id))


@patch("/items/{item_id:uuid}", tags=TAGS, summary="Rename or retire an item")
async def update_item(ctx: Ctx, item_id: FromPath[UUID], data: JSONBody[ItemUpdate]) -> ItemOut:
    ctx.require(MANAGE)
    return ItemOut(**await services.update_item(ctx, item_id, data))


# -- donors and donations ---------------------------------------------------------------------


@get("/donors", tags=TAGS, summary="Donors")
async def list_donors(
    ctx: Ctx,
    kind: FromQuery[DonorKind | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> DonorPage:
    ctx.require(STOCK)
    rows, nxt = await services.list_donors(kind=kind, limit=limit, cursor=cursor)
    return DonorPage(items=[DonorOut(**r) for r in rows], next_cursor=nxt)


@post("/donors", tags=TAGS, summary="Register a donor")
async def create_donor(ctx: Ctx, data: JSONBody[DonorCreate]) -> DonorOut:
    ctx.require(STOCK)
    return DonorOut(**await services.create_donor(ctx, data))


@get("/donors/{donor_id:uuid}", tags=TAGS, summary="Read a donor")
async def read_donor(ctx: Ctx, donor_id: FromPath[UUID]) -> DonorOut:
    ctx.require(STOCK)
    return DonorOut(**await services.get_donor(donor_id))


@get("/donations", tags=TAGS, summary="Donations, newest first")
async def list_donations(
    ctx: Ctx,
    donor_id: FromQuery[UUID | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> DonationPage:
    ctx.require(STOCK)
    rows, nxt = await services.list_donations(ctx, donor_id=donor_id, limit=limit, cursor=cursor)
    return DonationPage(items=[DonationOut(**r) for r in rows], next_cursor=nxt)


@post(
    "/donations",
    tags=TAGS,
    summary="Receive a donation and its lots",
    description="All lots or none. A lot already past its use-by date is refused (422 naming "
    "`lots.N.expiry`); best-before dates in the past are accepted and flagged.",
)
async def create_donation(ctx: Ctx, data: JSONBody[DonationCreate]) -> DonationOut:
    ctx.require(STOCK)
    return DonationOut(**await services.create_donation(ctx, data))


@get("/donations/{donation_id:uuid}", tags=TAGS, summary="Read a donation (receipt data)")
async def read_donation(ctx: Ctx, donation_id: FromPath[UUID]) -> DonationOut:
    ctx.require(STOCK)
    return DonationOut(**await services.get_donation(ctx, donation_id))


# -- lots and stock ---------------------------------------------------------------------------


@get("/stock", tags=TAGS, summary="On hand per item (all, and usable)")
async def stock(ctx: Ctx, warehouse: FromQuery[str | None] = None) -> list[StockRow]:
    ctx.require(READ)
    return [StockRow(**r) for r in await services.stock_summary(ctx, warehouse)]


@get("/lots", tags=TAGS, summary="Lots with stock, newest first")
async def list_lots(
    ctx: Ctx,
    item_id: FromQuery[UUID | None] = None,
    warehouse: FromQuery[str | None] = None,
    funding_source: FromQuery[str | None] = None,
    include_empty: FromQuery[bool] = False,
    expiring_within: FromQuery[int | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> LotPage:
    ctx.require(READ)
    rows, nxt = await services.list_lots(
        ctx,
        item_id=item_id,
        warehouse=warehouse,
        funding_source=funding_source,
        include_empty=include_empty,
        expiring_within=expiring_within,
        limit=limit,
        cursor=cursor,
    )
    return LotPage(items=[LotOut(**r) for r in rows], next_cursor=nxt)


@post("/lots", tags=TAGS, summary="Receive a lot outside a donation (TEBA, purchase)")
async def receive_lot(ctx: Ctx, data: JSONBody[LotCreate]) -> LotDetail:
    ctx.require(STOCK)
    return LotDetail(**await services.receive_lot(ctx, data))


@get("/lots/{lot_id:uuid}", tags=TAGS, summary="Read a lot and its ledger")
async def read_lot(ctx: Ctx, lot_id: FromPath[UUID]) -> LotDetail:
    ctx.require(READ)
    return LotDetail(**await services.get_lot(ctx, lot_id))


@patch("/lots/{lot_id:uuid}", tags=TAGS, summary="Put a lot in or out of quarantine")
async def update_lot(ctx: Ctx, lot_id: FromPath[UUID], data: JSONBody[LotUpdate]) -> LotDetail:
    ctx.require(STOCK)
    return LotDetail(**await services.set_quarantine(ctx, lot_id, data.quarantined))


@post("/lots/{lot_id:uuid}/waste", tags=TAGS, status_code=200, summary="Write off stock")
async def waste(ctx: Ctx, lot_id: FromPath[UUID], data: JSONBody[WasteIn]) -> LotDetail:
    ctx.require(STOCK)
    return LotDetail(**await services.waste(ctx, lot_id, data))


@post("/lots/{lot_id:uuid}/adjust", tags=TAGS, status_code=200, summary="Record a stock count")
async def adjust(ctx: Ctx, lot_id: FromPath[UUID], data: JSONBody[AdjustIn]) -> LotDetail:
    ctx.require(STOCK)
    return LotDetail(**await services.adjust(ctx, lot_id, data))


@post(
    "/lots/{lot_id:uuid}/transfer",
    tags=TAGS,
    summary="Move part of a lot to another warehouse",
    description="Returns the new lot in the target warehouse.",
)
async def transfer(ctx: Ctx, lot_id: FromPath[UUID], data: JSONBody[TransferIn]) -> LotDetail:
    ctx.require(STOCK)
    return LotDetail(**await services.transfer(ctx, lot_id, data))


# -- eligibility ------------------------------------------------------------------------------


@post(
    "/eligibility",
    tags=TAGS,
    summary="Check a household's eligibility",
    description="Applies the tenant's eligibility mode; stores the decision with its reasons "
    "and validity period.",
)
async def check_eligibility(ctx: Ctx, data: JSONBody[EligibilityCreate]) -> EligibilityOut:
    ctx.require(ELIGIBILITY)
    return EligibilityOut(**await services.check_eligibility(ctx, data))


@get("/eligibility", tags=TAGS, summary="Eligibility decisions, newest first")
async def list_eligibility(
    ctx: Ctx,
    person_id: FromQuery[UUID | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> EligibilityPage:
    ctx.require(READ)
    rows, nxt = await services.list_eligibility(person_id=person_id, limit=limit, cursor=cursor)
    return EligibilityPage(items=[EligibilityOut(**r) for r in rows], next_cursor=nxt)


@get("/eligibility/{check_id:uuid}", tags=TAGS, summary="Read an eligibility decision")
async def read_eligibility(ctx: Ctx, check_id: FromPath[UUID]) -> EligibilityOut:
    ctx.require(READ)
    return EligibilityOut(**await services.get_eligibility(check_id))


@get(
    "/entitlement/{person_id:uuid}",
    tags=TAGS,
    summary="What a household may receive today",
    description="Decision in force, visit limit, the basket for its size, schoolchildren.",
)
async def read_entitlement(ctx: Ctx, person_id: FromPath[UUID]) -> EntitlementOut:
    ctx.require(READ)
    return EntitlementOut(**await services.entitlement(ctx, person_id))


# -- distribution days ------------------------------------------------------------------------


@get("/distribution-days", tags=TAGS, summary="Distribution days")
async def list_days(
    ctx: Ctx,
    start: FromQuery[date | None] = None,
    end: FromQuery[date | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> DistributionDayPage:
    ctx.require(READ)
    rows, nxt = await services.list_distribution_days(
        ctx, start=start, end=end, limit=limit, cursor=cursor
    )
    return DistributionDayPage(items=[DistributionDayOut(**r) for r in rows], next_cursor=nxt)


@post("/distribution-days", tags=TAGS, summary="Plan a distribution day")
async def create_day(ctx: Ctx, data: JSONBody[DistributionDayCreate]) -> DistributionDayOut:
    ctx.require(MANAGE)
    return DistributionDayOut(**await services.create_distribution_day(ctx, data))


@get("/distribution-days/{day_id:uuid}", tags=TAGS, summary="Read a distribution day")
async def read_day(ctx: Ctx, day_id: FromPath[UUID]) -> DistributionDayOut:
    ctx.require(READ)
    return DistributionDayOut(**await services.get_distribution_day(ctx, day_id))


@post(
    "/distribution-days/{day_id:uuid}/open",
    tags=TAGS,
    status_code=200,
    summary="Open a distribution day (on its date)",
    description="The pickup screen attaches pickups to today's open day (its channel and "
    "warehouse). A day of another date is 422 `distribution_day_not_today`.",
)
async def open_day(ctx: Ctx, day_id: FromPath[UUID]) -> DistributionDayOut:
    ctx.require(MANAGE)
    return DistributionDayOut(**await services.set_distribution_day_status(ctx, day_id, "open"))


@post(
    "/distribution-days/{day_id:uuid}/close",
    tags=TAGS,
    status_code=200,
    summary="Close a distribution day",
    description="No more bookings or pickups for the day (422 `distribution_day_closed`); "
    "it may be opened again on its date.",
)
async def close_day(ctx: Ctx, day_id: FromPath[UUID]) -> DistributionDayOut:
    ctx.require(MANAGE)
    return DistributionDayOut(**await services.set_distribution_day_status(ctx, day_id, "closed"))


@post(
    "/distribution-days/{day_id:uuid}/bookings",
    tags=TAGS,
    summary="Book a household's pickup slot",
    description="An appointment (service `food_bank.pickup`) in the core calendar of the "
    "day's staff member; holidays, hours and double bookings are refused like any booking.",
)
async def book_slot(
    ctx: Ctx, day_id: FromPath[UUID], data: JSONBody[BookingCreate]
) -> dict[str, Any]:
    ctx.require(DISTRIBUTE)
    return await services.book_slot(ctx, day_id, data)


@get("/distribution-days/{day_id:uuid}/bookings", tags=TAGS, summary="A day's pickup slots")
async def list_bookings(ctx: Ctx, day_id: FromPath[UUID]) -> list[dict[str, Any]]:
    ctx.require(READ)
    return await services.list_bookings(ctx, day_id)


# -- pickups ----------------------------------------------------------------------------------


@post(
    "/pickups",
    tags=TAGS,
    summary="Record a pickup",
    description="Needs a positive eligibility decision in force (422 `not_eligible`); a "
    "second pickup within the visit-limit period is 409 `frequency_limit` unless `override` "
    "with `override_reason` (permission `food_bank.override`). Stock is picked FEFO from "
    "usable lots whose funding source may feed the channel; too little stock is 409 "
    "`insufficient_stock` naming the line.",
)
async def create_pickup(ctx: Ctx, data: JSONBody[PickupCreate]) -> PickupOut:
    ctx.require(DISTRIBUTE)
    return PickupOut(**await services.create_pickup(ctx, data))


@get("/pickups", tags=TAGS, summary="Pickups, newest first")
async def list_pickups(
    ctx: Ctx,
    person_id: FromQuery[UUID | None] = None,
    distribution_day_id: FromQuery[UUID | None] = None,
    start: FromQuery[date | None] = None,
    end: FromQuery[date | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> PickupPage:
    ctx.require(READ)
    rows, nxt = await services.list_pickups(
        ctx,
        person_id=person_id,
        distribution_day_id=distribution_day_id,
        start=start,
        end=end,
        limit=limit,
        cursor=cursor,
    )
    return PickupPage(items=[PickupOut(**r) for r in rows], next_cursor=nxt)


@get("/pickups/{pickup_id:uuid}", tags=TAGS, summary="Read a pickup")
async def read_pickup(ctx: Ctx, pickup_id: FromPath[UUID]) -> PickupOut:
    ctx.require(READ)
    return PickupOut(**await services.get_pickup(ctx, pickup_id))


# -- snack packs ------------------------------------------------------------------------------


@get("/snack-packs/allocation", tags=TAGS, summary="The week's snack packs per household")
async def snack_allocation(
    ctx: Ctx, week: FromQuery[date | None] = None
) -> list[SnackAllocationRow]:
    ctx.require(READ)
    rows = await services.snack_allocation(ctx, week or services.today_for(ctx))
    return [SnackAllocationRow(**r) for r in rows]


@post("/snack-packs/deliveries", tags=TAGS, summary="Deliver a household's weekly packs")
async def deliver_snacks(ctx: Ctx, data: JSONBody[SnackDeliveryCreate]) -> SnackDeliveryOut:
    ctx.require(DISTRIBUTE)
    return SnackDeliveryOut(**await services.deliver_snacks(ctx, data))


@get("/snack-packs/deliveries/{delivery_id:uuid}", tags=TAGS, summary="Read a delivery")
async def read_snack_delivery(ctx: Ctx, delivery_id: FromPath[UUID]) -> SnackDeliveryOut:
    ctx.require(READ)
    return SnackDeliveryOut(**await services.get_snack_delivery(ctx, delivery_id))


ROUTES: list[Any] = [
    list_items,
    create_item,
    read_item,
    update_item,
    list_donors,
    create_donor,
    read_donor,
    list_donations,
    create_donation,
    read_donation,
    stock,
    list_lots,
    receive_lot,
    read_lot,
    update_lot,
    waste,
    adjust,
    transfer,
    check_eligibility,
    list_eligibility,
    read_eligibility,
    read_entitlement,
    list_days,
    create_day,
    read_day,
    open_day,
    close_day,
    book_slot,
    list_bookings,
    create_pickup,
    list_pickups,
    read_pickup,
    snack_allocation,
    deliver_snacks,
    read_snack_delivery,
]
