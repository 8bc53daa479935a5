"""Food bank services: the only writer of the module's tables.

Every write runs in one transaction (the request's, or its own when called from the demo
loader), is audited with ids and codes only, and encrypts free text with the tenant's key.
Stock leaves a lot only through `_take`, a guarded update (`on_hand >= quantity`) that the
database re-checks under the row lock, so concurrent pickups never oversell, and every
change of a lot's balance writes its ledger line in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from piccolo.query.functions.aggregate import Count

from core.api import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    RequestValidationError,
    appointments_for_record,
    appointments_for_records,
    audit,
    book_appointment,
    decrypt,
    encrypt,
    get_language,
    get_person,
    household_ids_of,
    insert_later,
    inserted,
    keyset,
    local_today,
    lock_household,
    module_settings,
    people_with_households,
    select_together,
    set_appointment_status,
    staff_exists,
    t,
    take_each,
    transaction,
    updated,
)
from plugins.food_bank import rules
from plugins.food_bank.manifest import OVERRIDE
from plugins.food_bank.schemas import (
    AdjustIn,
    BookingCreate,
    DistributionDayCreate,
    DonationCreate,
    DonorCreate,
    EligibilityCreate,
    ItemCreate,
    ItemUpdate,
    LotCreate,
    LotIn,
    PickupCreate,
    SnackDeliveryCreate,
    TransferIn,
    WasteIn,
)
from plugins.food_bank.settings import Settings
from plugins.food_bank.tables import (
    DistributionDay,
    Donation,
    Donor,
    Eligibility,
    FoodItem,
    IssueLine,
    Lot,
    Movement,
    Pickup,
    SnackDelivery,
)

SLUG = "food_bank"
PICKUP_SERVICE = "food_bank.pickup"
MAX_PICK_ROUNDS = 20


# -- helpers ----------------------------------------------------------------------------------


async def settings_for(actor: Any) -> Settings:
    """The tenant's settings (defaults for loaders that run without a request)."""
    tenant = getattr(actor, "tenant", None)
    if tenant is None or not hasattr(tenant, "name"):
        return Settings()
    found = await module_settings(tenant, SLUG)
    return found if isinstance(found, Settings) else Settings.model_validate(found.model_dump())


def today_for(actor: Any) -> date:
    """The tenant's date (never the server's): a pickup at 00:30 in Athens is today's."""
    return local_today(getattr(actor, "tenant", None))


def zone_of(actor: Any) -> ZoneInfo:
    """The tenant's time zone: distribution hours and pickup slots are local times."""
    return ZoneInfo(getattr(getattr(actor, "tenant", None), "timezone", None) or "Europe/Athens")


def _now() -> datetime:
    return datetime.now(UTC)


def _user(actor: Any) -> UUID | None:
    return getattr(actor, "user_id", None)


async def _audit(actor: Any, action: str, kind: str, object_id: Any, **details: Any) -> None:
    await audit(actor, action, f"food_bank_{kind}", object_id, details=details or None)


async def _seal(text: str, purpose: str) -> str:
    return (await encrypt(text, purpose) or "") if text else ""


async def _open(token: str, purpose: str) -> str:
    return (await decrypt(token, purpose) or "") if token else ""


def _error(field: str, code: str, **params: Any) -> FieldError:
    return FieldError(field, code, t(f"validation.{code}", **params))


def invalid_field(field: str, code: str, **params: Any) -> RequestValidationError:
    return RequestValidationError(errors=[_error(field, code, **params)])


def _dec(milli: int | None) -> Decimal:
    return rules.from_milli(milli or 0)


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


def reason_out(reason: dict[str, Any]) -> dict[str, Any]:
    params = reason.get("params") or {}
    return {
        "code": reason["code"],
        "params": params,
        "message": t(f"food_bank.reason.{reason['code']}", **params),
    }


# -- catalogue --------------------------------------------------------------------------------


def item_out(row: dict[str, Any], on_hand: int = 0) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in ("tenant_id", "created_at")}
    out["on_hand"] = _dec(on_hand)
    return out


async def _on_hand_by_item(item_ids: Sequence[UUID]) -> dict[UUID, int]:
    if not item_ids:
        return {}
    rows = await Lot.select(Lot.item_id, Lot.on_hand_milli).where(
        Lot.item_id.is_in(list(item_ids)) & (Lot.on_hand_milli > 0)
    )
    out: dict[UUID, int] = {}
    for r in rows:
        out[r["item_id"]] = out.get(r["item_id"], 0) + r["on_hand_milli"]
    return out


async def create_item(actor: Any, data: ItemCreate) -> dict[str, Any]:
    async with transaction():
        if await FoodItem.exists().where(FoodItem.code == data.code):
            raise Conflict("item_code_taken", errors=[_error("code", "item_code_taken")])
        item_id = uuid4()
        (row,) = await inserted(
            FoodItem,
            FoodItem(
                id=item_id,
                created_at=_now(),
                weight_grams=data.weight_grams or (1000 if data.unit in ("kg", "l") else None),
                **data.model_dump(exclude={"weight_grams"}),
            ),
        )
        await _audit(actor, "create", "item", item_id)
    return item_out(row, 0)  # a new item has no lots yet


def _stock_of(item_id: UUID) -> Any:
    """The lots of an item holding stock (for `on_hand`), a query for `select_together`."""
    return Lot.select(Lot.on_hand_milli).where((Lot.item_id == item_id) & (Lot.on_hand_milli > 0))


async def get_item(item_id: UUID) -> dict[str, Any]:
    items, lots = await select_together(
        FoodItem.select().where(FoodItem.id == item_id), _stock_of(item_id)
    )
    if not items:
        raise NotFound()
    return item_out(items[0], sum(r["on_hand_milli"] for r in lots))


async def update_item(actor: Any, item_id: UUID, data: ItemUpdate) -> dict[str, Any]:
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if not changes:
        return await get_item(item_id)
    async with transaction():
        rows = await updated(
            FoodItem,
            {getattr(FoodItem, k): v for k, v in changes.items()},
            FoodItem.id == item_id,
        )
        if not rows:
            raise NotFound()
        stock = await _stock_of(item_id)
        await _audit(actor, "update", "item", item_id, fields=sorted(changes))
    return item_out(rows[0], sum(r["on_hand_milli"] for r in stock))


async def list_items(
    *,
    category: str | None = None,
    active: bool | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = FoodItem.select()
    if category:
        query = query.where(FoodItem.category == category)
    if active is not None:
        query = query.where(FoodItem.active == active)
    rows, next_cursor = await keyset(
        query, sort=FoodItem.code, id_column=FoodItem.id, limit=limit, cursor=cursor
    )
    stock = await _on_hand_by_item([r["id"] for r in rows])
    return [item_out(r, stock.get(r["id"], 0)) for r in rows], next_cursor


# -- donors -----------------------------------------------------------------------------------


def donor_out(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "tenant_id"}


async def create_donor(actor: Any, data: DonorCreate) -> dict[str, Any]:
    async with transaction():
        donor_id = uuid4()
        (row,) = await inserted(Donor, Donor(id=donor_id, created_at=_now(), **data.model_dump()))
        await _audit(actor, "create", "donor", donor_id)
    return donor_out(row)


async def get_donor(donor_id: UUID) -> dict[str, Any]:
    row = await Donor.select().where(Donor.id == donor_id).first()
    if row is None:
        raise NotFound()
    return donor_out(row)


async def list_donors(
    *, kind: str | None = None, limit: int | None = None, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    query = Donor.select()
    if kind:
        query = query.where(Donor.kind == kind)
    rows, next_cursor = await keyset(
        query, sort=Donor.name, id_column=Donor.id, limit=limit, cursor=cursor
    )
    return [donor_out(r) for r in rows], next_cursor


# -- lots and the ledger --------------------------------------------------------------------------


async def _movement(
    actor: Any,
    lot: dict[str, Any],
    kind: str,
    milli: int,
    *,
    reason: str = "",
    note: str = "",
    reference: tuple[str, UUID] | None = None,
) -> Movement:
    """A ledger line (not yet written: callers insert several in one statement)."""
    return Movement(
        id=uuid4(),
        lot_id=lot["id"],
        item_id=lot["item_id"],
        kind=kind,
        quantity_milli=milli,
        reason=reason,
        note=await _seal(note, "food_bank_movement.note"),
        reference_type=reference[0] if reference else "",
        reference_id=reference[1] if reference else None,
        created_by=_user(actor),
        created_at=_now(),
    )


async def _take(lot_id: UUID, milli: int) -> dict[str, Any] | None:
    """Take stock from a lot if, and only if, that much is there (re-checked under the lock);
    the lot as it is then, or None."""
    rows = await updated(
        Lot,
        {Lot.on_hand_milli: Lot.on_hand_milli - milli},
        (Lot.id == lot_id) & (Lot.on_hand_milli >= milli),
    )
    return rows[0] if rows else None


async def _put(lot_id: UUID, milli: int) -> None:
    await Lot.update({Lot.on_hand_milli: Lot.on_hand_milli + milli}).where(Lot.id == lot_id)


def lot_out(
    row: dict[str, Any], item: dict[str, Any] | None, today: date, warning_days: int = 0
) -> dict[str, Any]:
    lang_name = ""
    if item is not None:
        lang_name = item["name_en"] if get_language() == "en" and item["name_en"] else ""
        lang_name = lang_name or item["name_el"]
    return {
        "id": row["id"],
        "item_id": row["item_id"],
        "item_code": item["code"] if item else "",
        "item_name": lang_name,
        "unit": item["unit"] if item else "",
        "lot_code": row["lot_code"],
        "received": _dec(row["received_milli"]),
        "on_hand": _dec(row["on_hand_milli"]),
        "date_kind": row["date_kind"],
        "expiry": row["expiry"],
        "state": rules.lot_state(row["date_kind"], row["expiry"], today, warning_days),
        "funding_source": row["funding_source"],
        "warehouse": row["warehouse"],
        "storage": row["storage"],
        "condition": row["condition"],
        "quarantined": row["quarantined"],
        "donor_id": row["donor_id"],
        "donation_id": row["donation_id"],
        "received_on": row["received_on"],
    }


async def _items(ids: Sequence[UUID]) -> dict[UUID, dict[str, Any]]:
    if not ids:
        return {}
    rows = await FoodItem.select().where(FoodItem.id.is_in(list(set(ids))))
    return {r["id"]: dict(r) for r in rows}


async def lots_out(
    actor: Any,
    rows: Sequence[dict[str, Any]],
    items: dict[UUID, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Lots in the API's shape; `items` when the caller has them (read otherwise)."""
    settings = await settings_for(actor)
    if items is None:
        items = await _items([r["item_id"] for r in rows])
    today = today_for(actor)
    return [lot_out(r, items.get(r["item_id"]), today, settings.expiry_warning_days) for r in rows]


@dataclass
class _LotPlan:
    data: LotIn
    item: dict[str, Any]
    milli: int
    funding_source: str


def _plan_lot(
    data: LotIn,
    item: dict[str, Any] | None,
    funding_source: str,
    settings: Settings,
    today: date,
    prefix: str,
    errors: list[FieldError],
) -> _LotPlan | None:
    """Check one lot of a receipt against its item (None: not one of this tenant's)."""
    if item is None:
        errors.append(_error(f"{prefix}item_id", "unknown_item"))
        return None
    problem = rules.quantity_problem(item["unit"], data.quantity)
    if problem:
        errors.append(_error(f"{prefix}quantity", problem, unit=item["unit"]))
    if settings.source(funding_source) is None:
        errors.append(_error(f"{prefix}funding_source", "unknown_funding_source"))
    if data.date_kind == "use_by" and data.expiry is not None and data.expiry < today:
        errors.append(_error(f"{prefix}expiry", "lot_expired_on_receipt"))
    return _LotPlan(data, dict(item), rules.to_milli(data.quantity), funding_source)


async def _insert_lots(
    actor: Any,
    plans: Sequence[_LotPlan],
    *,
    warehouse: str,
    received_on: date,
    donor_id: UUID | None,
    donation_id: UUID | None,
) -> list[dict[str, Any]]:
    """The lots of a receipt and their receipt lines, in two statements however many; the
    lots as stored, in the order of `plans`."""
    lots = [_new_lot(actor, plan, warehouse, received_on, donor_id, donation_id) for plan in plans]
    stored = {r["id"]: r for r in await inserted(Lot, *lots)}
    await Movement.insert(
        *[
            await _movement(
                actor,
                {"id": lot.id, "item_id": plan.item["id"]},
                "receipt",
                plan.milli,
                reference=("donation", donation_id) if donation_id else None,
            )
            for lot, plan in zip(lots, plans, strict=True)
        ]
    )
    return [stored[lot.id] for lot in lots]


def _new_lot(
    actor: Any,
    plan: _LotPlan,
    warehouse: str,
    received_on: date,
    donor_id: UUID | None,
    donation_id: UUID | None,
) -> Lot:
    return Lot(
        id=uuid4(),
        item_id=plan.item["id"],
        lot_code=plan.data.lot_code,
        received_milli=plan.milli,
        on_hand_milli=plan.milli,
        date_kind=plan.data.date_kind,
        expiry=plan.data.expiry if plan.data.date_kind != "none" else None,
        funding_source=plan.funding_source,
        donor_id=donor_id,
        donation_id=donation_id,
        warehouse=warehouse,
        storage=plan.data.storage,
        condition=plan.data.condition,
        quarantined=False,
        received_on=received_on,
        created_by=_user(actor),
        created_at=_now(),
    )


async def receive_lot(actor: Any, data: LotCreate) -> dict[str, Any]:
    """A receipt outside a donation: a TEBA delivery, a municipal purchase."""
    settings = await settings_for(actor)
    today = today_for(actor)
    async with transaction():
        errors: list[FieldError] = []
        if settings.warehouse(data.warehouse) is None:
            errors.append(_error("warehouse", "unknown_warehouse"))
        donors, items = await select_together(
            Donor.select(Donor.id).where(Donor.id == (data.donor_id or uuid4())),
            FoodItem.select().where(FoodItem.id == data.item_id),
        )
        if data.donor_id is not None and not donors:
            raise NotFound()
        item = items[0] if items else None
        plan = _plan_lot(data, item, data.funding_source, settings, today, "", errors)
        if errors or plan is None:
            raise RequestValidationError(errors=errors)
        (lot,) = await _insert_lots(
            actor,
            [plan],
            warehouse=data.warehouse,
            received_on=data.received_on or today,
            donor_id=data.donor_id,
            donation_id=None,
        )
        # A new lot's ledger is its receipt line: read with the answer, as a read would.
        out = await _lot_detail(actor, lot, plan.item)
        await _audit(actor, "create", "lot", lot["id"], funding_source=data.funding_source)
    return out


def _ledger_of(lot_id: UUID) -> Any:
    return Movement.select().where(Movement.lot_id == lot_id).order_by(Movement.created_at)


def _item_of_lot(lot_id: UUID) -> Any:
    return FoodItem.select().where(
        FoodItem.id.is_in(Lot.select(Lot.item_id).where(Lot.id == lot_id))
    )


async def _lot_parts(
    lot_id: UUID,
) -> tuple[dict[str, Any], dict[str, Any] | None, list[dict[str, Any]]]:
    """A lot, its item and its ledger in one statement (404 for another tenant's lot)."""
    lots, items, movements = await select_together(
        Lot.select().where(Lot.id == lot_id), _item_of_lot(lot_id), _ledger_of(lot_id)
    )
    if not lots:
        raise NotFound()
    return lots[0], (items[0] if items else None), movements


async def _lot_detail(
    actor: Any,
    lot: dict[str, Any],
    item: dict[str, Any] | None,
    movements: Sequence[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """A lot with its ledger (read when not given) in the API's shape."""
    if movements is None:
        movements = await _ledger_of(lot["id"])
    (out,) = await lots_out(actor, [lot], {item["id"]: item} if item else {})
    out["movements"] = [
        {
            "id": m["id"],
            "kind": m["kind"],
            "quantity": rules.from_milli(m["quantity_milli"]),
            "reason": m["reason"],
            "reference_type": m["reference_type"],
            "reference_id": m["reference_id"],
            "created_at": m["created_at"],
        }
        for m in sorted(movements, key=lambda m: m["created_at"])
    ]
    return out


async def get_lot(actor: Any, lot_id: UUID) -> dict[str, Any]:
    lot, item, movements = await _lot_parts(lot_id)
    return await _lot_detail(actor, lot, item, movements)


async def list_lots(
    actor: Any,
    *,
    item_id: UUID | None = None,
    warehouse: str | None = None,
    funding_source: str | None = None,
    include_empty: bool = False,
    expiring_within: int | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = Lot.select()
    if item_id is not None:
        query = query.where(Lot.item_id == item_id)
    if warehouse:
        query = query.where(Lot.warehouse == warehouse)
    if funding_source:
        query = query.where(Lot.funding_source == funding_source)
    if not include_empty:
        query = query.where(Lot.on_hand_milli > 0)
    if expiring_within is not None:
        query = query.where(
            Lot.expiry.is_not_null()
            & (Lot.expiry <= today_for(actor) + timedelta(days=expiring_within))
        )
    rows, next_cursor = await keyset(
        query, sort=Lot.created_at, id_column=Lot.id, limit=limit, cursor=cursor, descending=True
    )
    return await lots_out(actor, rows), next_cursor


async def waste(actor: Any, lot_id: UUID, data: WasteIn) -> dict[str, Any]:
    async with transaction():
        lot, item, movements = await _lot_parts(lot_id)
        if item is None:
            raise NotFound()
        problem = rules.quantity_problem(item["unit"], data.quantity)
        if problem:
            raise invalid_field("quantity", problem, unit=item["unit"])
        milli = rules.to_milli(data.quantity)
        taken = await _take(lot_id, milli)
        if taken is None:
            raise Conflict(
                "insufficient_stock",
                errors=[
                    _error("quantity", "insufficient_stock", available=_dec(lot["on_hand_milli"]))
                ],
            )
        line = await _movement(actor, lot, "waste", -milli, reason=data.reason, note=data.note)
        movements = [*movements, *await inserted(Movement, line)]
        out = await _lot_detail(actor, taken, item, movements)
        await _audit(actor, "update", "lot", lot_id, movement="waste", reason=data.reason)
    return out


async def adjust(actor: Any, lot_id: UUID, data: AdjustIn) -> dict[str, Any]:
    """A stock count: the ledger gets the difference between counted and recorded."""
    async with transaction():
        # Read the balance under the lock (a no-op update takes it on PostgreSQL).
        locked = await updated(Lot, {Lot.on_hand_milli: Lot.on_hand_milli}, Lot.id == lot_id)
        if not locked:
            raise NotFound()
        lot = locked[0]
        items, movements = await select_together(
            FoodItem.select().where(FoodItem.id == lot["item_id"]), _ledger_of(lot_id)
        )
        if not items:
            raise NotFound()
        item = items[0]
        problem = rules.quantity_problem(item["unit"], data.counted, allow_zero=True)
        if problem:
            raise invalid_field("counted", problem, unit=item["unit"])
        counted = rules.to_milli(data.counted)
        difference = counted - lot["on_hand_milli"]
        if difference:
            (lot,) = await updated(Lot, {Lot.on_hand_milli: counted}, Lot.id == lot_id)
            line = await _movement(
                actor, lot, "adjustment", difference, reason="count", note=data.note
            )
            movements = [*movements, *await inserted(Movement, line)]
        out = await _lot_detail(actor, lot, item, movements)
        if difference:
            await _audit(actor, "update", "lot", lot_id, movement="adjustment")
    return out


async def transfer(actor: Any, lot_id: UUID, data: TransferIn) -> dict[str, Any]:
    """Move part of a lot to another warehouse: a new lot there with the same dates and
    funding, a `transfer` line out of the old one and into the new one."""
    settings = await settings_for(actor)
    async with transaction():
        lots, items = await select_together(
            Lot.select().where(Lot.id == lot_id), _item_of_lot(lot_id)
        )
        if not lots or not items:
            raise NotFound()
        lot, item = lots[0], items[0]
        if settings.warehouse(data.warehouse) is None:
            raise invalid_field("warehouse", "unknown_warehouse")
        if data.warehouse == lot["warehouse"]:
            raise invalid_field("warehouse", "same_warehouse")
        problem = rules.quantity_problem(item["unit"], data.quantity)
        if problem:
            raise invalid_field("quantity", problem, unit=item["unit"])
        milli = rules.to_milli(data.quantity)
        if await _take(lot_id, milli) is None:
            raise Conflict(
                "insufficient_stock",
                errors=[
                    _error("quantity", "insufficient_stock", available=_dec(lot["on_hand_milli"]))
                ],
            )
        new_id = uuid4()
        (new,) = await inserted(
            Lot,
            Lot(
                **{
                    k: v
                    for k, v in lot.items()
                    if k not in ("id", "tenant_id", "on_hand_milli", "received_milli", "warehouse")
                },
                id=new_id,
                on_hand_milli=milli,
                received_milli=milli,
                warehouse=data.warehouse,
            ),
        )
        lines = await inserted(
            Movement,
            await _movement(actor, lot, "transfer", -milli, reference=("lot", new_id)),
            await _movement(
                actor,
                {"id": new_id, "item_id": lot["item_id"]},
                "transfer",
                milli,
                reference=("lot", lot_id),
            ),
        )
        out = await _lot_detail(actor, new, item, [m for m in lines if m["lot_id"] == new_id])
        await _audit(actor, "update", "lot", lot_id, movement="transfer", to=str(new_id))
    return out


async def set_quarantine(actor: Any, lot_id: UUID, quarantined: bool) -> dict[str, Any]:
    async with transaction():
        rows = await updated(Lot, {Lot.quarantined: quarantined}, Lot.id == lot_id)
        if not rows:
            raise NotFound()
        items, movements = await select_together(
            FoodItem.select().where(FoodItem.id == rows[0]["item_id"]), _ledger_of(lot_id)
        )
        out = await _lot_detail(actor, rows[0], items[0] if items else None, movements)
        await _audit(actor, "update", "lot", lot_id, quarantined=quarantined)
    return out


async def stock_summary(actor: Any, warehouse: str | None = None) -> list[dict[str, Any]]:
    """On hand per item: all, and what may still be handed out (not expired/quarantined)."""
    settings = await settings_for(actor)
    today = today_for(actor)
    query = Lot.select().where(Lot.on_hand_milli > 0)
    if warehouse:
        query = query.where(Lot.warehouse == warehouse)
    lots = await query
    items = await _items([r["item_id"] for r in lots])
    out: dict[UUID, dict[str, Any]] = {}
    for lot in lots:
        item = items[lot["item_id"]]
        row = out.setdefault(
            item["id"],
            {
                "item_id": item["id"],
                "item_code": item["code"],
                "item_name": item["name_el"],
                "unit": item["unit"],
                "on_hand": 0,
                "usable": 0,
                "lots": 0,
                "next_expiry": None,
            },
        )
        row["on_hand"] += lot["on_hand_milli"]
        row["lots"] += 1
        state = rules.lot_state(
            lot["date_kind"], lot["expiry"], today, settings.expiry_warning_days
        )
        if state != "expired" and not lot["quarantined"]:
            row["usable"] += lot["on_hand_milli"]
            if lot["expiry"] and (row["next_expiry"] is None or lot["expiry"] < row["next_expiry"]):
                row["next_expiry"] = lot["expiry"]
    rows = sorted(out.values(), key=lambda r: r["item_code"])
    for r in rows:
        r["on_hand"] = _dec(r["on_hand"])
        r["usable"] = _dec(r["usable"])
    return rows


async def ledger_balance(lot_id: UUID) -> int:
    """The sum of a lot's movements (what `on_hand_milli` must equal)."""
    rows = await Movement.select(Movement.quantity_milli).where(Movement.lot_id == lot_id)
    return sum(r["quantity_milli"] for r in rows)


# -- donations --------------------------------------------------------------------------------


def _last_receipt(received_on: date) -> Any:
    """The year's last receipt (numbers run on in the order donations are recorded, none is
    ever deleted: the next is its number + 1, the year's count + 1), for `select_together`."""
    return (
        Donation.select(Donation.receipt_number)
        .where(Donation.receipt_number.like(f"ΔΩΡ-{received_on.year}-%"))
        .order_by(Donation.created_at, Donation.receipt_number, ascending=False)
        .limit(1)
    )


def _next_receipt(received_on: date, last: list[dict[str, Any]]) -> str:
    prefix = f"ΔΩΡ-{received_on.year}-"
    number = int(last[0]["receipt_number"].removeprefix(prefix)) if last else 0
    return f"{prefix}{number + 1:05d}"


async def create_donation(actor: Any, data: DonationCreate) -> dict[str, Any]:
    """A donation and its lots, all or nothing; lots already past a use-by date are refused."""
    settings = await settings_for(actor)
    today = today_for(actor)
    async with transaction():
        received_on = data.received_on or today
        donors, found, last = await select_together(
            Donor.select(Donor.id, Donor.name).where(Donor.id == data.donor_id),
            FoodItem.select().where(FoodItem.id.is_in([lot.item_id for lot in data.lots])),
            _last_receipt(received_on),
        )
        if not donors:
            raise NotFound()
        items = {r["id"]: r for r in found}
        errors: list[FieldError] = []
        if settings.warehouse(data.warehouse) is None:
            errors.append(_error("warehouse", "unknown_warehouse"))
        if received_on > today:
            errors.append(_error("received_on", "date_in_future"))
        plans = [
            _plan_lot(
                lot,
                items.get(lot.item_id),
                lot.funding_source,
                settings,
                today,
                f"lots.{index}.",
                errors,
            )
            for index, lot in enumerate(data.lots)
        ]
        if errors:
            raise RequestValidationError(errors=errors)
        donation_id = uuid4()
        (donation,) = await inserted(
            Donation,
            Donation(
                id=donation_id,
                donor_id=data.donor_id,
                receipt_number=_next_receipt(received_on, last),
                received_on=received_on,
                warehouse=data.warehouse,
                notes=await _seal(data.notes, "food_bank_donation.notes"),
                created_by=_user(actor),
                created_at=_now(),
            ),
        )
        lots = await _insert_lots(
            actor,
            [plan for plan in plans if plan is not None],
            warehouse=data.warehouse,
            received_on=received_on,
            donor_id=data.donor_id,
            donation_id=donation_id,
        )
        (out,) = await _donations_out(actor, [donation], (lots, donors, found))
        await _audit(actor, "create", "donation", donation_id, lots=len(plans))
    return out


def _grams(milli: int, item: dict[str, Any]) -> int:
    per_unit = item.get("weight_grams") or (1000 if item["unit"] in ("kg", "l") else 0)
    return milli * per_unit // rules.MILLI


async def _donations_out(
    actor: Any,
    rows: Sequence[dict[str, Any]],
    parts: tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """Donations with their lots, donors' names and weights; `parts` (lots, donors, items)
    when the caller has them, read otherwise in one statement."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    if parts is None:
        lots_of = Lot.select().where(Lot.donation_id.is_in(ids))
        parts = await select_together(  # type: ignore[assignment]
            lots_of,
            Donor.select(Donor.id, Donor.name).where(
                Donor.id.is_in(list({r["donor_id"] for r in rows}))
            ),
            FoodItem.select().where(
                FoodItem.id.is_in(Lot.select(Lot.item_id).where(Lot.donation_id.is_in(ids)))
            ),
        )
    assert parts is not None
    found, donor_rows, item_rows = parts
    lots = sorted(found, key=lambda r: r["created_at"])
    donors = {d["id"]: d["name"] for d in donor_rows}
    items = {r["id"]: dict(r) for r in item_rows}
    shaped = await lots_out(actor, lots, items)
    by_donation: dict[UUID, list[dict[str, Any]]] = {i: [] for i in ids}
    grams: dict[UUID, int] = {i: 0 for i in ids}
    for raw, out in zip(lots, shaped, strict=True):
        by_donation[raw["donation_id"]].append(out)
        grams[raw["donation_id"]] += _grams(raw["received_milli"], items[raw["item_id"]])
    return [
        {
            "id": r["id"],
            "donor_id": r["donor_id"],
            "donor_name": donors.get(r["donor_id"], ""),
            "receipt_number": r["receipt_number"],
            "received_on": r["received_on"],
            "warehouse": r["warehouse"],
            "notes": await _open(r["notes"], "food_bank_donation.notes"),
            "lots": by_donation[r["id"]],
            "total_kg": Decimal(grams[r["id"]]) / 1000,
            "created_at": r["created_at"],
        }
        for r in rows
    ]


async def get_donation(actor: Any, donation_id: UUID) -> dict[str, Any]:
    row = await Donation.select().where(Donation.id == donation_id).first()
    if row is None:
        raise NotFound()
    return (await _donations_out(actor, [row]))[0]


async def list_donations(
    actor: Any,
    *,
    donor_id: UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = Donation.select()
    if donor_id is not None:
        query = query.where(Donation.donor_id == donor_id)
    rows, next_cursor = await keyset(
        query,
        sort=Donation.created_at,
        id_column=Donation.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    return await _donations_out(actor, rows), next_cursor


# -- eligibility ------------------------------------------------------------------------------


async def _person(person_id: UUID) -> dict[str, Any]:
    person = await get_person(person_id)
    if person.get("status") == "merged":
        raise NotFound()
    return person


async def get_person_checked(person_id: UUID) -> dict[str, Any]:
    """A person of the current tenant the food bank may serve (404 otherwise, merged too)."""
    return await _person(person_id)


def household_key_of(person: dict[str, Any]) -> UUID:
    return person.get("household_id") or person["id"]  # type: ignore[no-any-return]


def _keyed_by_household(table: Any, person_id: UUID) -> Any:
    """The rows of `table` keyed by the person's household, or by the person when they have
    none: a condition for a query read with the person (`people_with_households`). It may
    match rows of both keys; `_of_key` keeps those of the key the person has."""
    return table.household_key.is_in(household_ids_of([person_id])) | (
        table.household_key == person_id
    )


def _of_key(rows: Sequence[dict[str, Any]], key: UUID) -> list[dict[str, Any]]:
    return [dict(r) for r in rows if r["household_key"] == key]


def _latest(rows: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest decision of a household's (`latest_eligibility` of its rows)."""
    return max(rows, key=lambda r: r["created_at"], default=None)


def _current(latest: dict[str, Any] | None, on: date) -> dict[str, Any] | None:
    """The latest decision if it is positive and holds on `on` (`current_eligibility`)."""
    if latest is None or not latest["eligible"]:
        return None
    if latest["valid_from"] > on or (
        latest["valid_until"] is not None and latest["valid_until"] < on
    ):
        return None
    return latest


async def _person_with_household(
    person_id: UUID, on: date, *queries: Any
) -> tuple[dict[str, Any], Any, list[list[dict[str, Any]]]]:
    """The person (404 for another tenant's, a merged one or nobody), their household's
    composition on `on`, and `queries` read with them in one statement."""
    found, rows = await people_with_households([person_id], *queries, on=on)
    entry = found.get(person_id)
    if entry is None or entry.person.get("status") == "merged":
        raise NotFound()
    return entry.person, entry.composition, rows


async def eligibility_out(row: dict[str, Any]) -> dict[str, Any]:
    reasons = row["reasons"]
    if isinstance(reasons, str):
        import json

        reasons = json.loads(reasons)
    return {
        "id": row["id"],
        "person_id": row["person_id"],
        "household_key": row["household_key"],
        "mode": row["mode"],
        "eligible": row["eligible"],
        "reasons": [reason_out(r) for r in reasons],
        "household_size": row["household_size"],
        "equivalence_weight": row["equivalence_weight"],
        "annual_income": None
        if row["annual_income_cents"] is None
        else Decimal(row["annual_income_cents"]) / 100,
        "ceiling": None if row["ceiling_cents"] is None else Decimal(row["ceiling_cents"]) / 100,
        "disabled_members": row["disabled_members"],
        "valid_from": row["valid_from"],
        "valid_until": row["valid_until"],
        "notes": await _open(row["notes"], "food_bank_eligibility.notes"),
        "created_at": row["created_at"],
    }


async def check_eligibility(actor: Any, data: EligibilityCreate) -> dict[str, Any]:
    settings = await settings_for(actor)
    today = today_for(actor)
    async with transaction():
        person, composition, _ = await _person_with_household(data.person_id, today)
        if settings.eligibility_mode == "income_ceiling" and data.annual_income is None:
            raise invalid_field("annual_income", "income_required")
        disabled = data.disabled_members
        if disabled is None:
            percent = person.get("disability_percent") or 0
            disabled = 1 if percent >= settings.disability_threshold_percent else 0
        disabled = min(disabled, composition.size)
        facts = rules.EligibilityFacts(
            categories=tuple(person.get("categories") or ()),
            household_size=composition.size,
            annual_income=data.annual_income,
            disabled_members=disabled,
        )
        decision = rules.check_eligibility(facts, settings, today)
        weight = rules.equivalence_weight(
            composition.ages, settings.equivalence_scale, composition.single_parent
        )
        check_id = uuid4()
        (row,) = await inserted(
            Eligibility,
            Eligibility(
                id=check_id,
                person_id=person["id"],
                household_key=household_key_of(person),
                mode=settings.eligibility_mode,
                eligible=decision.eligible,
                reasons=[r.as_dict() for r in decision.reasons],
                household_size=composition.size,
                equivalence_weight=f"{weight:.2f}",
                annual_income_cents=_cents(data.annual_income),
                ceiling_cents=_cents(decision.ceiling),
                disabled_members=disabled,
                valid_from=decision.valid_from,
                valid_until=decision.valid_until,
                notes=await _seal(data.notes, "food_bank_eligibility.notes"),
                checked_by=_user(actor),
                created_at=_now(),
            ),
        )
        out = await eligibility_out(row)
        await _audit(
            actor,
            "create",
            "eligibility",
            check_id,
            eligible=decision.eligible,
            reasons=[r.code for r in decision.reasons],
        )
    return out


async def get_eligibility(check_id: UUID) -> dict[str, Any]:
    row = (
        await Eligibility.select().where(Eligibility.id == check_id).first().output(load_json=True)
    )
    if row is None:
        raise NotFound()
    return await eligibility_out(row)


async def list_eligibility(
    *,
    person_id: UUID | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = Eligibility.select().output(load_json=True)
    if person_id is not None:
        query = query.where(Eligibility.person_id == person_id)
    rows, next_cursor = await keyset(
        query,
        sort=Eligibility.created_at,
        id_column=Eligibility.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    return [await eligibility_out(r) for r in rows], next_cursor


async def recertifications_due(today: date, notice_days: int) -> list[dict[str, Any]]:
    """Households whose positive decision ends within the notice period (latest per household),
    in one statement: every decision of the households with one ending then."""
    ending = (
        (Eligibility.eligible == True)  # noqa: E712
        & (Eligibility.valid_until >= today)
        & (Eligibility.valid_until <= today + timedelta(days=notice_days))
    )
    rows = await Eligibility.select().where(
        Eligibility.household_key.is_in(Eligibility.select(Eligibility.household_key).where(ending))
    )
    by_household: dict[UUID, list[dict[str, Any]]] = {}
    for row in rows:
        by_household.setdefault(row["household_key"], []).append(dict(row))
    due = [
        latest
        for latest in (_latest(found) for found in by_household.values())
        if latest is not None
        and latest["eligible"]
        and latest["valid_until"] is not None
        and today <= latest["valid_until"] <= today + timedelta(days=notice_days)
    ]
    return sorted(due, key=lambda r: r["valid_until"])


# -- entitlement ------------------------------------------------------------------------------


async def entitlement(actor: Any, person_id: UUID, channel: str = "distribution") -> dict[str, Any]:
    """What a household may receive today: decision, visit limit, basket, schoolchildren.

    One statement: the person and their household with the household's decisions and
    pickups, the catalogue and the lots holding stock."""
    settings = await settings_for(actor)
    today = today_for(actor)
    since = today - timedelta(days=400)
    person, composition, (decisions, pickups, active, lots) = await _person_with_household(
        person_id,
        today,
        Eligibility.select().where(_keyed_by_household(Eligibility, person_id)),
        Pickup.select(Pickup.household_key, Pickup.day).where(
            _keyed_by_household(Pickup, person_id) & (Pickup.day >= since)
        ),
        FoodItem.select().where(FoodItem.active == True),  # noqa: E712
        Lot.select().where(Lot.on_hand_milli > 0),
    )
    key = household_key_of(person)
    weight = rules.equivalence_weight(
        composition.ages, settings.equivalence_scale, composition.single_parent
    )
    latest = _latest(_of_key(decisions, key))
    current = _current(latest, today)
    reasons: list[dict[str, Any]] = []
    if current is None:
        reasons.append({"code": "not_eligible", "params": {}})
    previous = [r["day"] for r in _of_key(pickups, key)]
    refusal = rules.frequency_refusal(previous, today, settings)
    if refusal is not None:
        reasons.append(refusal.as_dict())
    catalogue = {r["code"]: dict(r) for r in active}
    units = {code: item["unit"] for code, item in catalogue.items()}
    wanted = rules.basket(settings, composition.size, weight, units)
    template_codes = {line.item_code for band in settings.basket_bands for line in band.lines}
    usable = _usable_by_item(lots, today, settings)
    basket = [
        {
            "item_id": catalogue[b.item_code]["id"],
            "item_code": b.item_code,
            "item_name": catalogue[b.item_code]["name_el"],
            "unit": catalogue[b.item_code]["unit"],
            "quantity": _dec(b.quantity_milli),
            "available": _dec(usable[catalogue[b.item_code]["id"]])
            if catalogue[b.item_code]["id"] in usable
            else Decimal(0),
        }
        for b in wanted
    ]
    return {
        "person_id": person["id"],
        "household_key": key,
        "household_size": composition.size,
        "equivalence_weight": weight,
        "eligibility": await eligibility_out(latest) if latest else None,
        "eligible_now": current is not None and refusal is None,
        "reasons": [reason_out(r) for r in reasons],
        "next_allowed": date.fromisoformat(refusal.params["next"]) if refusal else None,
        "basket": basket,
        "missing_items": sorted(template_codes - set(catalogue)),
        "schoolchildren": rules.schoolchildren(composition.school_levels),
        "last_pickups": sorted(previous, reverse=True)[:6],
    }


def _usable_by_item(
    lots: Sequence[dict[str, Any]], today: date, settings: Settings
) -> dict[UUID, int]:
    """What may still be handed out per item (`stock_summary`'s `usable`, in milli)."""
    out: dict[UUID, int] = {}
    for lot in lots:
        state = rules.lot_state(
            lot["date_kind"], lot["expiry"], today, settings.expiry_warning_days
        )
        out.setdefault(lot["item_id"], 0)
        if state != "expired" and not lot["quarantined"]:
            out[lot["item_id"]] += lot["on_hand_milli"]
    return out


# -- issuing stock (pickups, snack packs) ---------------------------------------------------------


@dataclass
class _Want:
    """One line of a basket to issue: an item, how much, from a named lot or FEFO."""

    item: dict[str, Any]
    milli: int
    lot_id: UUID | None
    field: str


def _picks_for(
    want: _Want,
    remaining: int,
    lots: dict[UUID, dict[str, Any]],
    settings: Settings,
    *,
    channel: str,
    today: date,
    warehouse: str | None,
) -> list[rules.Pick]:
    """Which lots to take `remaining` of a line from, as the lots stand now (FEFO, or the
    line's named lot); the refusals and conflicts name the line's fields."""
    item = want.item
    if want.lot_id is not None:
        lot = lots.get(want.lot_id)
        if lot is None:
            raise NotFound()
        if lot["item_id"] != item["id"]:
            raise invalid_field(f"{want.field}.lot_id", "lot_item_mismatch")
        refusal = rules.lot_refusal(_facts(lot), channel, today, settings)
        if refusal and refusal != "lot_empty":
            raise invalid_field(f"{want.field}.lot_id", refusal)
        candidates = [lot]
    else:
        candidates = [
            lot
            for lot in lots.values()
            if lot["item_id"] == item["id"]
            and lot["on_hand_milli"] > 0
            and (not warehouse or lot["warehouse"] == warehouse)
        ]
    try:
        return rules.fefo_pick(
            [_facts(lot) for lot in candidates], remaining, channel, today, settings
        )
    except rules.InsufficientStock as exc:
        raise Conflict(
            "insufficient_stock",
            errors=[
                _error(
                    f"{want.field}.quantity",
                    "insufficient_stock",
                    available=_dec(exc.available),
                    item=item["code"],
                )
            ],
            extra={"item_code": item["code"], "available": str(_dec(exc.available))},
        ) from None


async def _issue(
    settings: Settings,
    wants: Sequence[_Want],
    lots: dict[UUID, dict[str, Any]],
    *,
    channel: str,
    today: date,
    warehouse: str | None = None,
) -> list[tuple[_Want, dict[str, Any], int]]:
    """Take every line of a basket from its lots, FEFO (or the named lot): (line, lot,
    quantity) of every pick, in the basket's order.

    `lots` are the lots read with the request (the items' lots holding stock, and named
    ones). The picks of all lines are taken in one guarded statement (`take_each`: each
    lot only if it still holds that much, re-checked under its lock, so concurrent pickups
    never oversell); a lot another request emptied meanwhile is read again and its lines
    picked anew, as many rounds as needed up to `MAX_PICK_ROUNDS`."""
    lots = {k: dict(v) for k, v in lots.items()}
    remaining = [w.milli for w in wants]
    taken: list[list[tuple[dict[str, Any], int]]] = [[] for _ in wants]
    for _ in range(MAX_PICK_ROUNDS):
        planned: list[tuple[int, rules.Pick]] = []
        for index, want in enumerate(wants):
            if remaining[index] <= 0:
                continue
            for pick in _picks_for(
                want,
                remaining[index],
                lots,
                settings,
                channel=channel,
                today=today,
                warehouse=warehouse,
            ):
                planned.append((index, pick))
                lots[pick.lot_id]["on_hand_milli"] -= pick.quantity  # later lines see it
        amounts: dict[UUID, int] = {}
        for _index, pick in planned:
            amounts[pick.lot_id] = amounts.get(pick.lot_id, 0) + pick.quantity
        done = await take_each(Lot.on_hand_milli, amounts)
        for index, pick in planned:
            if pick.lot_id in done:
                taken[index].append((lots[pick.lot_id], pick.quantity))
                remaining[index] -= pick.quantity
        if not any(remaining):
            break
        # Someone took from these lots first: read them again, pick what is still missing.
        busy = [lot_id for lot_id in amounts if lot_id not in done]
        for row in await Lot.select().where(Lot.id.is_in(busy)):
            lots[row["id"]] = dict(row)
    if any(remaining):
        raise Conflict("stock_busy")
    return [
        (want, lot, quantity)
        for want, picks in zip(wants, taken, strict=True)
        for lot, quantity in picks
    ]


async def _write_issue(
    actor: Any,
    picks: Sequence[tuple[_Want, dict[str, Any], int]],
    *,
    issue: tuple[str, UUID],
    today: date,
) -> list[dict[str, Any]]:
    """The ledger and issue lines of the picks, sent with COMMIT (`insert_later`: nothing in
    the request reads them back), and the lines in the API's shape."""
    kind = "snack_pack" if issue[0] == "snack" else "distribution"
    start = _now()
    movements, rows, lines = [], [], []
    for n, (want, lot, quantity) in enumerate(picks):
        item = want.item
        movements.append(await _movement(actor, lot, kind, -quantity, reference=issue))
        rows.append(
            IssueLine(
                id=uuid4(),
                issue_type=issue[0],
                issue_id=issue[1],
                item_id=item["id"],
                lot_id=lot["id"],
                quantity_milli=quantity,
                funding_source=lot["funding_source"],
                grams=_grams(quantity, item),
                created_at=start + timedelta(microseconds=n),  # the basket's order
            )
        )
        lines.append(
            {
                "item_id": item["id"],
                "item_code": item["code"],
                "item_name": item["name_el"],
                "lot_id": lot["id"],
                "quantity": _dec(quantity),
                "unit": item["unit"],
                "funding_source": lot["funding_source"],
                "past_best_before": rules.lot_state(lot["date_kind"], lot["expiry"], today)
                == "past_best_before",
                "grams": _grams(quantity, item),
            }
        )
    if picks:
        await insert_later(Movement.insert(*movements))
        await insert_later(IssueLine.insert(*rows))
    return lines


def _facts(lot: dict[str, Any]) -> rules.LotFacts:
    return rules.LotFacts(
        id=lot["id"],
        on_hand=lot["on_hand_milli"],
        date_kind=lot["date_kind"],
        expiry=lot["expiry"],
        received_on=lot["received_on"],
        funding_source=lot["funding_source"],
        quarantined=lot["quarantined"],
    )


async def _issue_lines(
    issue_type: str, issue_ids: Sequence[UUID], today: date
) -> dict[UUID, list[dict[str, Any]]]:
    """The issue lines of several pickups (or snack deliveries) with their items and lots'
    dates, in one statement."""
    out: dict[UUID, list[dict[str, Any]]] = {i: [] for i in issue_ids}
    if not issue_ids:
        return out
    mine = (IssueLine.issue_type == issue_type) & IssueLine.issue_id.is_in(list(issue_ids))
    found, item_rows, lot_rows = await select_together(
        IssueLine.select().where(mine),
        FoodItem.select().where(FoodItem.id.is_in(IssueLine.select(IssueLine.item_id).where(mine))),
        Lot.select(Lot.id, Lot.date_kind, Lot.expiry).where(
            Lot.id.is_in(IssueLine.select(IssueLine.lot_id).where(mine))
        ),
    )
    items = {r["id"]: r for r in item_rows}
    lots = {r["id"]: r for r in lot_rows}
    for r in sorted(found, key=lambda r: r["created_at"]):
        item = items.get(r["item_id"]) or {"code": "", "name_el": "", "unit": ""}
        lot = lots.get(r["lot_id"])
        out[r["issue_id"]].append(
            {
                "item_id": r["item_id"],
                "item_code": item["code"],
                "item_name": item["name_el"],
                "lot_id": r["lot_id"],
                "quantity": _dec(r["quantity_milli"]),
                "unit": item["unit"],
                "funding_source": r["funding_source"],
                "past_best_before": lot is not None
                and rules.lot_state(lot["date_kind"], lot["expiry"], today) == "past_best_before",
            }
        )
    return out


# -- distribution days and bookings -------------------------------------------------------------


async def create_distribution_day(actor: Any, data: DistributionDayCreate) -> dict[str, Any]:
    settings = await settings_for(actor)
    async with transaction():
        if settings.warehouse(data.warehouse) is None:
            raise invalid_field("warehouse", "unknown_warehouse")
        if data.staff_id is not None and not await staff_exists(data.staff_id):
            raise NotFound()  # another tenant's
        day_id = uuid4()
        (row,) = await inserted(
            DistributionDay,
            DistributionDay(
                id=day_id,
                status="planned",
                created_by=_user(actor),
                created_at=_now(),
                **data.model_dump(),
            ),
        )
        await _audit(actor, "create", "distribution_day", day_id)
    return _day_out(row, 0, [])  # a new day has no pickups or bookings yet


async def set_distribution_day_status(actor: Any, day_id: UUID, status: str) -> dict[str, Any]:
    """Open a day (on its date only: the pickup screen then attaches pickups to it) or close
    it (no more bookings or pickups for it); a closed day may be opened again that day."""
    async with transaction():
        days, pickups = await select_together(
            DistributionDay.select().where(DistributionDay.id == day_id),
            Pickup.select(Pickup.id).where(Pickup.distribution_day_id == day_id),
        )
        if not days:
            raise NotFound()
        day = dict(days[0])
        if status == "open" and day["day"] != today_for(actor):
            raise invalid_field("day", "distribution_day_not_today")
        changed = day["status"] != status
        if changed:
            await DistributionDay.update({DistributionDay.status: status}).where(
                DistributionDay.id == day_id
            )
            day["status"] = status
        bookings = await _bookings_of(actor, [day_id])
        out = _day_out(day, len(pickups), bookings[day_id])
        if changed:
            await _audit(actor, "update", "distribution_day", day_id, status=status)
    return out


async def open_day_today(actor: Any) -> dict[str, Any] | None:
    """Today's open distribution day, if one is open (the earliest created, if several)."""
    row = (
        await DistributionDay.select()
        .where((DistributionDay.day == today_for(actor)) & (DistributionDay.status == "open"))
        .order_by(DistributionDay.created_at)
        .first()
    )
    return dict(row) if row else None


async def _day_row(day_id: UUID) -> dict[str, Any]:
    row = await DistributionDay.select().where(DistributionDay.id == day_id).first()
    if row is None:
        raise NotFound()
    return dict(row)


async def _bookings_of(actor: Any, day_ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    if not hasattr(actor, "hooks"):  # loaders without a request have no calendar access
        return {i: [] for i in day_ids}
    return await appointments_for_records(actor, SLUG, "distribution_day", day_ids)


def _day_out(
    row: dict[str, Any], pickups: int, bookings: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    return {
        **{k: v for k, v in row.items() if k not in ("tenant_id", "created_at", "created_by")},
        "pickups": pickups,
        "bookings": len([b for b in bookings if b.get("status") != "cancelled"]),
    }


async def _days_out(actor: Any, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Days with their pickups and active bookings counted: a constant number of
    statements for a page of days."""
    ids = [r["id"] for r in rows]
    if not ids:
        return []
    counts = {
        r["distribution_day_id"]: r["count"]
        for r in await Pickup.select(Pickup.distribution_day_id, Count())
        .where(Pickup.distribution_day_id.is_in(ids))
        .group_by(Pickup.distribution_day_id)
    }
    bookings = await _bookings_of(actor, ids)
    return [_day_out(row, counts.get(row["id"], 0), bookings[row["id"]]) for row in rows]


async def get_distribution_day(actor: Any, day_id: UUID) -> dict[str, Any]:
    return (await _days_out(actor, [await _day_row(day_id)]))[0]


async def list_distribution_days(
    actor: Any,
    *,
    start: date | None = None,
    end: date | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = DistributionDay.select()
    if start:
        query = query.where(DistributionDay.day >= start)
    if end:
        query = query.where(DistributionDay.day <= end)
    rows, next_cursor = await keyset(
        query, sort=DistributionDay.day, id_column=DistributionDay.id, limit=limit, cursor=cursor
    )
    return await _days_out(actor, rows), next_cursor


async def book_slot(actor: Any, day_id: UUID, data: BookingCreate) -> dict[str, Any]:
    """A household's pickup slot on a distribution day, booked in the core calendar (the day
    and the person read in one statement)."""
    found, (days,) = await people_with_households(
        [data.person_id], DistributionDay.select().where(DistributionDay.id == day_id)
    )
    if not days:
        raise NotFound()
    day = dict(days[0])
    entry = found.get(data.person_id)
    if entry is None or entry.person.get("status") == "merged":
        raise NotFound()
    if day["status"] == "closed":
        raise invalid_field("distribution_day_id", "distribution_day_closed")
    if day["staff_id"] is None:
        raise invalid_field("staff_id", "distribution_day_no_staff")
    tz = zone_of(actor)
    start_local = data.start.astimezone(tz)
    opens = datetime.combine(day["day"], time.fromisoformat(day["starts"]), tz)
    closes = datetime.combine(day["day"], time.fromisoformat(day["ends"]), tz)
    end_local = start_local + timedelta(minutes=day["slot_minutes"])
    if start_local < opens or end_local > closes:
        raise invalid_field(
            "start", "outside_distribution_hours", starts=day["starts"], ends=day["ends"]
        )
    appointment = await book_appointment(
        actor,
        service=PICKUP_SERVICE,
        start=start_local,
        end=end_local,
        staff_ids=[day["staff_id"]],
        beneficiary_ids=[data.person_id],
        record=("distribution_day", day_id),
    )
    await _audit(actor, "create", "booking", appointment["id"], distribution_day=str(day_id))
    return appointment


async def list_bookings(actor: Any, day_id: UUID) -> list[dict[str, Any]]:
    await _day_row(day_id)
    return await appointments_for_record(actor, SLUG, "distribution_day", day_id)


# -- pickups ----------------------------------------------------------------------------------


async def create_pickup(actor: Any, data: PickupCreate) -> dict[str, Any]:
    """A household's pickup: checks, the basket taken from stock FEFO, ledger and issue
    lines, in five round trips however many items (the household lock, one read of all the
    facts, one guarded take of every lot; the rows travel with COMMIT)."""
    settings = await settings_for(actor)
    today = today_for(actor)
    lines_in = data.lines or []
    if data.lines:
        items_q = FoodItem.select().where(FoodItem.id.is_in([x.item_id for x in lines_in]))
        item_ids: Any = [x.item_id for x in lines_in]
    else:  # the template basket: the active catalogue
        items_q = FoodItem.select().where(FoodItem.active == True)  # noqa: E712
        item_ids = FoodItem.select(FoodItem.id).where(FoodItem.active == True)  # noqa: E712
    named = [x.lot_id for x in lines_in if x.lot_id is not None]
    lots_q = Lot.select().where(
        (Lot.item_id.is_in(item_ids) & (Lot.on_hand_milli > 0)) | Lot.id.is_in(named or [uuid4()])
    )
    async with transaction():
        await lock_household(data.person_id)  # a concurrent pickup of theirs waits, then sees it
        (
            person,
            composition,
            (decisions, pickups, days, found, lot_rows),
        ) = await _person_with_household(
            data.person_id,
            today,
            Eligibility.select().where(_keyed_by_household(Eligibility, data.person_id)),
            Pickup.select(Pickup.household_key, Pickup.day).where(
                _keyed_by_household(Pickup, data.person_id)
                & (Pickup.day >= today - timedelta(days=400))
            ),
            DistributionDay.select().where(
                DistributionDay.id == (data.distribution_day_id or uuid4())
            ),
            items_q,
            lots_q,
        )
        key = household_key_of(person)
        channel: str = data.channel
        warehouse = None
        if data.distribution_day_id is not None:
            if not days:
                raise NotFound()
            day = days[0]
            if day["day"] != today:
                raise invalid_field("distribution_day_id", "distribution_day_not_today")
            if day["status"] == "closed":
                raise invalid_field("distribution_day_id", "distribution_day_closed")
            channel, warehouse = day["channel"], day["warehouse"]
        if data.override and not data.override_reason:
            raise invalid_field("override_reason", "override_reason_required")
        if data.override and not actor.has(OVERRIDE):
            raise Forbidden()
        current = _current(_latest(_of_key(decisions, key)), today)
        if current is None:
            raise invalid_field("person_id", "not_eligible")
        previous = [r["day"] for r in _of_key(pickups, key)]
        refusal = rules.frequency_refusal(previous, today, settings)
        if refusal is not None and not data.override:
            raise Conflict(
                "frequency_limit",
                errors=[_error("override", "frequency_limit", **refusal.params)],
                extra={"next_allowed": refusal.params["next"]},
            )
        weight = rules.equivalence_weight(
            composition.ages, settings.equivalence_scale, composition.single_parent
        )
        # The basket: as the staff adjusted it, or the template for the household.
        wanted: list[_Want] = []
        if data.lines is not None:
            if not data.lines:
                raise invalid_field("lines", "basket_empty")
            errors: list[FieldError] = []
            items = {r["id"]: dict(r) for r in found}
            for index, line in enumerate(data.lines):
                item = items.get(line.item_id)
                if item is None:
                    errors.append(_error(f"lines.{index}.item_id", "unknown_item"))
                    continue
                problem = rules.quantity_problem(item["unit"], line.quantity)
                if problem:
                    errors.append(_error(f"lines.{index}.quantity", problem, unit=item["unit"]))
                wanted.append(
                    _Want(item, rules.to_milli(line.quantity), line.lot_id, f"lines.{index}")
                )
            if errors:
                raise RequestValidationError(errors=errors)
        else:
            catalogue = {r["code"]: dict(r) for r in found}
            units = {code: item["unit"] for code, item in catalogue.items()}
            for index, b in enumerate(rules.basket(settings, composition.size, weight, units)):
                wanted.append(
                    _Want(catalogue[b.item_code], b.quantity_milli, None, f"basket.{index}")
                )
            if not wanted:
                raise invalid_field("lines", "basket_empty")
        picks = await _issue(
            settings,
            wanted,
            {r["id"]: dict(r) for r in lot_rows},
            channel=channel,
            today=today,
            warehouse=warehouse,
        )
        if data.appointment_id is not None:
            await _complete_appointment(actor, data.appointment_id, person["id"])
        pickup_id = uuid4()
        proxy = data.proxy
        overridden = bool(data.override and refusal is not None)
        reason = data.override_reason if data.override else ""
        lines = await _write_issue(actor, picks, issue=("pickup", pickup_id), today=today)
        pickup = Pickup(
            id=pickup_id,
            person_id=person["id"],
            household_key=key,
            eligibility_id=current["id"],
            distribution_day_id=data.distribution_day_id,
            appointment_id=data.appointment_id,
            channel=channel,
            day=today,
            household_size=composition.size,
            total_grams=sum(x["grams"] for x in lines),
            by_proxy=proxy is not None,
            proxy_name=await _seal(proxy.name if proxy else "", "food_bank_pickup.proxy_name"),
            proxy_document=await _seal(
                proxy.document_number if proxy else "", "food_bank_pickup.proxy_document"
            ),
            proxy_authorisation=bool(proxy and proxy.authorisation),
            override=overridden,
            override_reason=await _seal(reason, "food_bank_pickup.override_reason"),
            confirmed=True,
            created_by=_user(actor),
            created_at=_now(),
        )
        await insert_later(Pickup.insert(pickup))
        await _audit(
            actor,
            "create",
            "pickup",
            pickup_id,
            channel=channel,
            override=overridden,
            proxy=proxy is not None,
        )
    # The answer from what was written, as `get_pickup` reads it back.
    row = pickup.to_dict()
    row.update(proxy_name=proxy.name if proxy else "", override_reason=reason)
    return _pickup_out(row, [{k: v for k, v in x.items() if k != "grams"} for x in lines])


async def _complete_appointment(actor: Any, appointment_id: UUID, person_id: UUID) -> None:
    from core.api import get_appointment

    appointment = await get_appointment(actor, appointment_id)
    if person_id not in [UUID(str(b)) for b in appointment.get("beneficiary_ids", [])]:
        raise invalid_field("appointment_id", "appointment_not_for_person")
    if appointment.get("status") in ("scheduled", "confirmed"):
        await set_appointment_status(actor, appointment_id, "completed")


def _pickup_out(r: dict[str, Any], its: list[dict[str, Any]]) -> dict[str, Any]:
    """A pickup in the API's shape (`r` with its proxy's name and the override's reason
    already opened) with its issue lines."""
    return {
        "id": r["id"],
        "person_id": r["person_id"],
        "household_key": r["household_key"],
        "channel": r["channel"],
        "day": r["day"],
        "distribution_day_id": r["distribution_day_id"],
        "appointment_id": r["appointment_id"],
        "household_size": r["household_size"],
        "total_kg": Decimal(r["total_grams"]) / 1000,
        "by_proxy": r["by_proxy"],
        "proxy_name": r["proxy_name"],
        "override": r["override"],
        "override_reason": r["override_reason"],
        "lines": its,
        "warnings": ["past_best_before"] if any(x["past_best_before"] for x in its) else [],
        "created_at": r["created_at"],
    }


async def _pickups_out(actor: Any, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    today = today_for(actor)
    lines = await _issue_lines("pickup", [r["id"] for r in rows], today)
    return [
        _pickup_out(
            {
                **r,
                "proxy_name": await _open(r["proxy_name"], "food_bank_pickup.proxy_name"),
                "override_reason": await _open(
                    r["override_reason"], "food_bank_pickup.override_reason"
                ),
            },
            lines[r["id"]],
        )
        for r in rows
    ]


async def get_pickup(actor: Any, pickup_id: UUID) -> dict[str, Any]:
    row = await Pickup.select().where(Pickup.id == pickup_id).first()
    if row is None:
        raise NotFound()
    return (await _pickups_out(actor, [row]))[0]


async def list_pickups(
    actor: Any,
    *,
    person_id: UUID | None = None,
    distribution_day_id: UUID | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = Pickup.select()
    if person_id is not None:
        query = query.where(Pickup.person_id == person_id)
    if distribution_day_id is not None:
        query = query.where(Pickup.distribution_day_id == distribution_day_id)
    if start:
        query = query.where(Pickup.day >= start)
    if end:
        query = query.where(Pickup.day <= end)
    rows, next_cursor = await keyset(
        query,
        sort=Pickup.created_at,
        id_column=Pickup.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    return await _pickups_out(actor, rows), next_cursor


# -- snack packs ------------------------------------------------------------------------------


async def snack_allocation(actor: Any, week: date) -> list[dict[str, Any]]:
    """The week's packs for schoolchildren of every eligible household: the households whose
    latest decision is positive and covers the week, newest decision first.

    Two statements for any number of households: their decisions with the week's deliveries,
    then the people who asked with their households' composition."""
    settings = await settings_for(actor)
    week = rules.week_start(week)
    covering = (
        (Eligibility.eligible == True)  # noqa: E712
        & (Eligibility.valid_from <= week + timedelta(days=6))
        & (Eligibility.valid_until >= week)
    )
    decisions, deliveries = await select_together(
        # every decision of the households with one that covers the week: the latest decides
        Eligibility.select(
            Eligibility.id,
            Eligibility.person_id,
            Eligibility.household_key,
            Eligibility.eligible,
            Eligibility.valid_from,
            Eligibility.valid_until,
            Eligibility.created_at,
        ).where(
            Eligibility.household_key.is_in(
                Eligibility.select(Eligibility.household_key).where(covering)
            )
        ),
        SnackDelivery.select(SnackDelivery.household_key).where(SnackDelivery.week_start == week),
    )
    delivered = {r["household_key"] for r in deliveries}
    by_household: dict[UUID, list[dict[str, Any]]] = {}
    for row in decisions:
        by_household.setdefault(row["household_key"], []).append(row)
    latest = [_latest(rows) for rows in by_household.values()]
    due = sorted(
        (
            row
            for row in latest
            if row is not None
            and row["eligible"]
            and row["valid_from"] <= week + timedelta(days=6)
            and row["valid_until"] is not None
            and row["valid_until"] >= week
        ),
        key=lambda r: r["created_at"],
        reverse=True,
    )
    found, _ = await people_with_households([r["person_id"] for r in due], on=week)
    out = []
    for row in due:
        key = row["household_key"]
        entry = found.get(row["person_id"])
        if entry is None:  # the person is gone from the registry (`NotFound`)
            continue
        packs = rules.snack_packs(entry.composition.school_levels, settings)
        if not packs:
            continue
        out.append(
            {
                "person_id": row["person_id"],
                "household_key": key,
                "children": rules.schoolchildren(entry.composition.school_levels),
                "packs": packs,
                "total_packs": sum(packs.values()),
                "delivered": key in delivered,
            }
        )
    return out


async def deliver_snacks(actor: Any, data: SnackDeliveryCreate) -> dict[str, Any]:
    """A household's packs of a week, issued from stock FEFO: the household lock, one read
    of all the facts, one guarded take; the rows travel with COMMIT."""
    settings = await settings_for(actor)
    today = today_for(actor)
    week = rules.week_start(data.week_start or today)
    code = settings.snack_pack_item
    async with transaction():
        await lock_household(data.person_id)
        person, composition, (decisions, delivered, found, lot_rows) = await _person_with_household(
            data.person_id,
            today,
            Eligibility.select().where(_keyed_by_household(Eligibility, data.person_id)),
            SnackDelivery.select(SnackDelivery.household_key).where(
                _keyed_by_household(SnackDelivery, data.person_id)
                & (SnackDelivery.week_start == week)
            ),
            FoodItem.select().where((FoodItem.active == True) & (FoodItem.code == code)),  # noqa: E712
            Lot.select().where(
                Lot.item_id.is_in(
                    FoodItem.select(FoodItem.id).where(
                        (FoodItem.active == True) & (FoodItem.code == code)  # noqa: E712
                    )
                )
                & (Lot.on_hand_milli > 0)
            ),
        )
        key = household_key_of(person)
        current = _current(_latest(_of_key(decisions, key)), today)
        if current is None:
            raise invalid_field("person_id", "not_eligible")
        packs = rules.snack_packs(composition.school_levels, settings)
        if not packs:
            raise invalid_field("person_id", "no_schoolchildren")
        if _of_key(delivered, key):
            raise Conflict(
                "snacks_already_delivered",
                errors=[_error("week_start", "snacks_already_delivered")],
            )
        if not found:
            raise invalid_field("person_id", "snack_item_missing", item=code)
        delivery_id = uuid4()
        total = sum(packs.values())
        picks = await _issue(
            settings,
            [_Want(dict(found[0]), total * rules.MILLI, None, "packs")],
            {r["id"]: dict(r) for r in lot_rows},
            channel="snack_packs",
            today=today,
        )
        lines = await _write_issue(actor, picks, issue=("snack", delivery_id), today=today)
        delivery = SnackDelivery(
            id=delivery_id,
            person_id=person["id"],
            household_key=key,
            week_start=week,
            delivered_via=data.delivered_via,
            school_name=data.school_name,
            children=rules.schoolchildren(composition.school_levels),
            packs=packs,
            total_packs=total,
            created_by=_user(actor),
            created_at=_now(),
        )
        await insert_later(SnackDelivery.insert(delivery))
        await _audit(actor, "create", "snack_delivery", delivery_id, packs=total)
    # The answer from what was written, as `get_snack_delivery` reads it back.
    row = {k: v for k, v in delivery.to_dict().items() if k not in ("tenant_id", "created_by")}
    return {**row, "lines": [{k: v for k, v in x.items() if k != "grams"} for x in lines]}


async def get_snack_delivery(actor: Any, delivery_id: UUID) -> dict[str, Any]:
    row = (
        await SnackDelivery.select()
        .where(SnackDelivery.id == delivery_id)
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise NotFound()
    lines = await _issue_lines("snack", [delivery_id], today_for(actor))
    return {
        **{k: v for k, v in row.items() if k not in ("tenant_id", "created_by")},
        "lines": lines[delivery_id],
    }


# -- one person's data (GDPR) -------------------------------------------------------------------


async def export_person(person_id: UUID) -> dict[str, Any]:
    """Everything the food bank holds about one person (GDPR art. 15), in one statement."""
    checks, pickups, snacks, line_rows = await select_together(
        Eligibility.select().where(Eligibility.person_id == person_id).output(load_json=True),
        Pickup.select().where(Pickup.person_id == person_id),
        SnackDelivery.select().where(SnackDelivery.person_id == person_id).output(load_json=True),
        IssueLine.select(
            IssueLine.issue_id,
            IssueLine.item_id,
            IssueLine.quantity_milli,
            IssueLine.funding_source,
        ).where(
            (IssueLine.issue_type == "pickup")
            & IssueLine.issue_id.is_in(
                Pickup.select(Pickup.id).where(Pickup.person_id == person_id)
            )
        ),
    )
    lines_of: dict[UUID, list[dict[str, Any]]] = {}
    for x in line_rows:
        lines_of.setdefault(x["issue_id"], []).append(x)

    def plain(row: dict[str, Any], drop: tuple[str, ...] = ()) -> dict[str, Any]:
        return {
            k: (
                v.isoformat()
                if isinstance(v, date | datetime)
                else str(v)
                if isinstance(v, UUID)
                else v
            )
            for k, v in row.items()
            if k not in ("tenant_id", *drop)
        }

    out_checks = []
    for row in checks:
        item = plain(row, ("notes",))
        item["notes"] = await _open(row["notes"], "food_bank_eligibility.notes")
        out_checks.append(item)
    out_pickups = []
    for row in pickups:
        item = plain(row, ("proxy_name", "proxy_document", "override_reason"))
        item["proxy_name"] = await _open(row["proxy_name"], "food_bank_pickup.proxy_name")
        item["override_reason"] = await _open(
            row["override_reason"], "food_bank_pickup.override_reason"
        )
        item["lines"] = [
            {
                "item_id": str(x["item_id"]),
                "quantity": str(_dec(x["quantity_milli"])),
                "funding_source": x["funding_source"],
            }
            for x in lines_of.get(row["id"], [])
        ]
        out_pickups.append(item)
    return {
        "food_bank_eligibility": out_checks,
        "food_bank_pickups": out_pickups,
        "food_bank_snack_deliveries": [plain(r) for r in snacks],
    }


async def erase_person(person_id: UUID) -> list[str]:
    """Eligibility decisions and free text go; pickups stay (anonymised of proxy details and
    reasons) while they evidence the distribution of EU-funded (TEBA) stock, which must be
    kept for audit (FACTS.md §8, ESF+ retention)."""
    retained: list[str] = []
    await Eligibility.delete().where(Eligibility.person_id == person_id)
    pickups = await Pickup.select(Pickup.id).where(Pickup.person_id == person_id)
    if pickups:
        await Pickup.update(
            {
                Pickup.proxy_name: "",
                Pickup.proxy_document: "",
                Pickup.override_reason: "",
            }
        ).where(Pickup.person_id == person_id)
        ids = [p["id"] for p in pickups]
        teba = await IssueLine.count().where(
            (IssueLine.issue_type == "pickup")
            & IssueLine.issue_id.is_in(ids)
            & (IssueLine.funding_source == "teba")
        )
        if teba:
            retained.append("food_bank.pickups_teba_audit")
        else:
            await IssueLine.delete().where(
                (IssueLine.issue_type == "pickup") & IssueLine.issue_id.is_in(ids)
            )
            await Pickup.delete().where(Pickup.person_id == person_id)
    await SnackDelivery.update({SnackDelivery.school_name: ""}).where(
        SnackDelivery.person_id == person_id
    )
    if await SnackDelivery.exists().where(SnackDelivery.person_id == person_id):
        retained.append("food_bank.snack_deliveries_stock_ledger")
    return retained


async def move_person(survivor_id: UUID, merged_id: UUID) -> None:
    for table in (Eligibility, Pickup, SnackDelivery):
        await table.update({table.person_id: survivor_id}).where(  # type: ignore[attr-defined]
            table.person_id == merged_id  # type: ignore[attr-defined]
        )
