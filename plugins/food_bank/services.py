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

from core.api import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    RequestValidationError,
    appointments_for_record,
    audit,
    book_appointment,
    decrypt,
    encrypt,
    get_language,
    get_person,
    household_composition,
    keyset,
    local_today,
    module_settings,
    set_appointment_status,
    t,
    transaction,
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
        await FoodItem.insert(
            FoodItem(
                id=item_id,
                created_at=_now(),
                weight_grams=data.weight_grams or (1000 if data.unit in ("kg", "l") else None),
                **data.model_dump(exclude={"weight_grams"}),
            )
        )
        await _audit(actor, "create", "item", item_id)
    return await get_item(item_id)


async def _item_row(item_id: UUID) -> dict[str, Any]:
    row = await FoodItem.select().where(FoodItem.id == item_id).first()
    if row is None:
        raise NotFound()
    return dict(row)


async def get_item(item_id: UUID) -> dict[str, Any]:
    row = await _item_row(item_id)
    return item_out(row, (await _on_hand_by_item([item_id])).get(item_id, 0))


async def update_item(actor: Any, item_id: UUID, data: ItemUpdate) -> dict[str, Any]:
    async with transaction():
        await _item_row(item_id)
        changes = data.model_dump(exclude_unset=True, exclude_none=True)
        if changes:
            await FoodItem.update({getattr(FoodItem, k): v for k, v in changes.items()}).where(
                FoodItem.id == item_id
            )
            await _audit(actor, "update", "item", item_id, fields=sorted(changes))
    return await get_item(item_id)


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


async def items_by_code() -> dict[str, dict[str, Any]]:
    rows = await FoodItem.select().where(FoodItem.active == True)  # noqa: E712
    return {r["code"]: dict(r) for r in rows}


# -- donors -----------------------------------------------------------------------------------


def donor_out(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "tenant_id"}


async def create_donor(actor: Any, data: DonorCreate) -> dict[str, Any]:
    async with transaction():
        donor_id = uuid4()
        await Donor.insert(Donor(id=donor_id, created_at=_now(), **data.model_dump()))
        await _audit(actor, "create", "donor", donor_id)
    return await get_donor(donor_id)


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
) -> None:
    await Movement.insert(
        Movement(
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
    )


async def _take(lot_id: UUID, milli: int) -> bool:
    """Take stock from a lot if, and only if, that much is there (re-checked under the lock)."""
    rows = (
        await Lot.update({Lot.on_hand_milli: Lot.on_hand_milli - milli})
        .where((Lot.id == lot_id) & (Lot.on_hand_milli >= milli))
        .returning(Lot.id)
    )
    return bool(rows)


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


async def lots_out(actor: Any, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    settings = await settings_for(actor)
    items = await _items([r["item_id"] for r in rows])
    today = today_for(actor)
    return [lot_out(r, items.get(r["item_id"]), today, settings.expiry_warning_days) for r in rows]


@dataclass
class _LotPlan:
    data: LotIn
    item: dict[str, Any]
    milli: int
    funding_source: str


async def _plan_lot(
    data: LotIn,
    funding_source: str,
    settings: Settings,
    today: date,
    prefix: str,
    errors: list[FieldError],
) -> _LotPlan | None:
    item = await FoodItem.select().where(FoodItem.id == data.item_id).first()
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


async def _insert_lot(
    actor: Any,
    plan: _LotPlan,
    *,
    warehouse: str,
    received_on: date,
    donor_id: UUID | None,
    donation_id: UUID | None,
) -> UUID:
    lot_id = uuid4()
    row = Lot(
        id=lot_id,
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
    await Lot.insert(row)
    await _movement(
        actor,
        {"id": lot_id, "item_id": plan.item["id"]},
        "receipt",
        plan.milli,
        reference=("donation", donation_id) if donation_id else None,
    )
    return lot_id


async def receive_lot(actor: Any, data: LotCreate) -> dict[str, Any]:
    """A receipt outside a donation: a TEBA delivery, a municipal purchase."""
    settings = await settings_for(actor)
    today = today_for(actor)
    async with transaction():
        errors: list[FieldError] = []
        if settings.warehouse(data.warehouse) is None:
            errors.append(_error("warehouse", "unknown_warehouse"))
        if data.donor_id is not None and not await Donor.exists().where(Donor.id == data.donor_id):
            raise NotFound()
        plan = await _plan_lot(data, data.funding_source, settings, today, "", errors)
        if errors or plan is None:
            raise RequestValidationError(errors=errors)
        lot_id = await _insert_lot(
            actor,
            plan,
            warehouse=data.warehouse,
            received_on=data.received_on or today,
            donor_id=data.donor_id,
            donation_id=None,
        )
        await _audit(actor, "create", "lot", lot_id, funding_source=data.funding_source)
    return await get_lot(actor, lot_id)


async def _lot_row(lot_id: UUID) -> dict[str, Any]:
    row = await Lot.select().where(Lot.id == lot_id).first()
    if row is None:
        raise NotFound()
    return dict(row)


async def get_lot(actor: Any, lot_id: UUID) -> dict[str, Any]:
    row = await _lot_row(lot_id)
    (out,) = await lots_out(actor, [row])
    movements = (
        await Movement.select().where(Movement.lot_id == lot_id).order_by(Movement.created_at)
    )
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
        for m in movements
    ]
    return out


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
        lot = await _lot_row(lot_id)
        item = await _item_row(lot["item_id"])
        problem = rules.quantity_problem(item["unit"], data.quantity)
        if problem:
            raise invalid_field("quantity", problem, unit=item["unit"])
        milli = rules.to_milli(data.quantity)
        if not await _take(lot_id, milli):
            raise Conflict(
                "insufficient_stock",
                errors=[
                    _error("quantity", "insufficient_stock", available=_dec(lot["on_hand_milli"]))
                ],
            )
        await _movement(actor, lot, "waste", -milli, reason=data.reason, note=data.note)
        await _audit(actor, "update", "lot", lot_id, movement="waste", reason=data.reason)
    return await get_lot(actor, lot_id)


async def adjust(actor: Any, lot_id: UUID, data: AdjustIn) -> dict[str, Any]:
    """A stock count: the ledger gets the difference between counted and recorded."""
    async with transaction():
        lot = await _lot_row(lot_id)
        item = await _item_row(lot["item_id"])
        problem = rules.quantity_problem(item["unit"], data.counted, allow_zero=True)
        if problem:
            raise invalid_field("counted", problem, unit=item["unit"])
        counted = rules.to_milli(data.counted)
        # Read the balance under the lock (a no-op update takes it on PostgreSQL).
        await Lot.update({Lot.on_hand_milli: Lot.on_hand_milli}).where(Lot.id == lot_id)
        current = (await _lot_row(lot_id))["on_hand_milli"]
        difference = counted - current
        if difference:
            await Lot.update({Lot.on_hand_milli: counted}).where(Lot.id == lot_id)
            await _movement(actor, lot, "adjustment", difference, reason="count", note=data.note)
            await _audit(actor, "update", "lot", lot_id, movement="adjustment")
    return await get_lot(actor, lot_id)


async def transfer(actor: Any, lot_id: UUID, data: TransferIn) -> dict[str, Any]:
    """Move part of a lot to another warehouse: a new lot there with the same dates and
    funding, a `transfer` line out of the old one and into the new one."""
    settings = await settings_for(actor)
    async with transaction():
        lot = await _lot_row(lot_id)
        item = await _item_row(lot["item_id"])
        if settings.warehouse(data.warehouse) is None:
            raise invalid_field("warehouse", "unknown_warehouse")
        if data.warehouse == lot["warehouse"]:
            raise invalid_field("warehouse", "same_warehouse")
        problem = rules.quantity_problem(item["unit"], data.quantity)
        if problem:
            raise invalid_field("quantity", problem, unit=item["unit"])
        milli = rules.to_milli(data.quantity)
        if not await _take(lot_id, milli):
            raise Conflict(
                "insufficient_stock",
                errors=[
                    _error("quantity", "insufficient_stock", available=_dec(lot["on_hand_milli"]))
                ],
            )
        new_id = uuid4()
        await Lot.insert(
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
            )
        )
        await _movement(actor, lot, "transfer", -milli, reference=("lot", new_id))
        await _movement(
            actor,
            {"id": new_id, "item_id": lot["item_id"]},
            "transfer",
            milli,
            reference=("lot", lot_id),
        )
        await _audit(actor, "update", "lot", lot_id, movement="transfer", to=str(new_id))
    return await get_lot(actor, new_id)


async def set_quarantine(actor: Any, lot_id: UUID, quarantined: bool) -> dict[str, Any]:
    async with transaction():
        await _lot_row(lot_id)
        await Lot.update({Lot.quarantined: quarantined}).where(Lot.id == lot_id)
        await _audit(actor, "update", "lot", lot_id, quarantined=quarantined)
    return await get_lot(actor, lot_id)


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


async def _receipt_number(received_on: date) -> str:
    prefix = f"ΔΩΡ-{received_on.year}-"
    count = await Donation.count().where(Donation.receipt_number.like(f"{prefix}%"))
    return f"{prefix}{count + 1:05d}"


async def create_donation(actor: Any, data: DonationCreate) -> dict[str, Any]:
    """A donation and its lots, all or nothing; lots already past a use-by date are refused."""
    settings = await settings_for(actor)
    today = today_for(actor)
    async with transaction():
        if not await Donor.exists().where(Donor.id == data.donor_id):
            raise NotFound()
        errors: list[FieldError] = []
        if settings.warehouse(data.warehouse) is None:
            errors.append(_error("warehouse", "unknown_warehouse"))
        received_on = data.received_on or today
        if received_on > today:
            errors.append(_error("received_on", "date_in_future"))
        plans = []
        for index, lot in enumerate(data.lots):
            plan = await _plan_lot(
                lot, lot.funding_source, settings, today, f"lots.{index}.", errors
            )
            plans.append(plan)
        if errors:
            raise RequestValidationError(errors=errors)
        donation_id = uuid4()
        await Donation.insert(
            Donation(
                id=donation_id,
                donor_id=data.donor_id,
                receipt_number=await _receipt_number(received_on),
                received_on=received_on,
                warehouse=data.warehouse,
                notes=await _seal(data.notes, "food_bank_donation.notes"),
                created_by=_user(actor),
                created_at=_now(),
            )
        )
        for plan in plans:
            assert plan is not None
            await _insert_lot(
                actor,
                plan,
                warehouse=data.warehouse,
                received_on=received_on,
                donor_id=data.donor_id,
                donation_id=donation_id,
            )
        await _audit(actor, "create", "donation", donation_id, lots=len(plans))
    return await get_donation(actor, donation_id)


def _grams(milli: int, item: dict[str, Any]) -> int:
    per_unit = item.get("weight_grams") or (1000 if item["unit"] in ("kg", "l") else 0)
    return milli * per_unit // rules.MILLI


async def _donations_out(actor: Any, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    lots = await Lot.select().where(Lot.donation_id.is_in(ids)).order_by(Lot.created_at)
    donors = {
        d["id"]: d["name"]
        for d in await Donor.select(Donor.id, Donor.name).where(
            Donor.id.is_in(list({r["donor_id"] for r in rows}))
        )
    }
    shaped = await lots_out(actor, lots)
    items = await _items([lot["item_id"] for lot in lots])
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
        person = await _person(data.person_id)
        if settings.eligibility_mode == "income_ceiling" and data.annual_income is None:
            raise invalid_field("annual_income", "income_required")
        composition = await household_composition(data.person_id, on=today)
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
        await Eligibility.insert(
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
            )
        )
        await _audit(
            actor,
            "create",
            "eligibility",
            check_id,
            eligible=decision.eligible,
            reasons=[r.code for r in decision.reasons],
        )
    return await get_eligibility(check_id)


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


async def current_eligibility(household_key: UUID, on: date) -> dict[str, Any] | None:
    """The latest decision for the household, if it is positive and holds on `on`."""
    row = (
        await Eligibility.select()
        .where(Eligibility.household_key == household_key)
        .order_by(Eligibility.created_at, ascending=False)
        .first()
        .output(load_json=True)
    )
    if row is None or not row["eligible"]:
        return None
    if row["valid_from"] > on or (row["valid_until"] is not None and row["valid_until"] < on):
        return None
    return dict(row)


async def latest_eligibility(household_key: UUID) -> dict[str, Any] | None:
    row = (
        await Eligibility.select()
        .where(Eligibility.household_key == household_key)
        .order_by(Eligibility.created_at, ascending=False)
        .first()
        .output(load_json=True)
    )
    return dict(row) if row else None


async def recertifications_due(today: date, notice_days: int) -> list[dict[str, Any]]:
    """Households whose positive decision ends within the notice period (latest per household)."""
    rows = (
        await Eligibility.select()
        .where(
            (Eligibility.eligible == True)  # noqa: E712
            & (Eligibility.valid_until >= today)
            & (Eligibility.valid_until <= today + timedelta(days=notice_days))
        )
        .order_by(Eligibility.valid_until)
    )
    out = []
    for row in rows:
        latest = await latest_eligibility(row["household_key"])
        if latest is not None and latest["id"] == row["id"]:
            out.append(dict(row))
    return out


# -- entitlement ------------------------------------------------------------------------------


async def _previous_pickup_days(household_key: UUID, since: date) -> list[date]:
    rows = await Pickup.select(Pickup.day).where(
        (Pickup.household_key == household_key) & (Pickup.day >= since)
    )
    return [r["day"] for r in rows]


async def entitlement(actor: Any, person_id: UUID, channel: str = "distribution") -> dict[str, Any]:
    """What a household may receive today: decision, visit limit, basket, schoolchildren."""
    settings = await settings_for(actor)
    today = today_for(actor)
    person = await _person(person_id)
    key = household_key_of(person)
    composition = await household_composition(person_id, on=today)
    weight = rules.equivalence_weight(
        composition.ages, settings.equivalence_scale, composition.single_parent
    )
    current = await current_eligibility(key, today)
    latest = current or await latest_eligibility(key)
    reasons: list[dict[str, Any]] = []
    if current is None:
        reasons.append({"code": "not_eligible", "params": {}})
    previous = await _previous_pickup_days(key, today - timedelta(days=400))
    refusal = rules.frequency_refusal(previous, today, settings)
    if refusal is not None:
        reasons.append(refusal.as_dict())
    catalogue = await items_by_code()
    units = {code: item["unit"] for code, item in catalogue.items()}
    wanted = rules.basket(settings, composition.size, weight, units)
    template_codes = {line.item_code for band in settings.basket_bands for line in band.lines}
    stock = await stock_summary(actor)
    usable = {row["item_id"]: row["usable"] for row in stock}
    basket = [
        {
            "item_id": catalogue[b.item_code]["id"],
            "item_code": b.item_code,
            "item_name": catalogue[b.item_code]["name_el"],
            "unit": catalogue[b.item_code]["unit"],
            "quantity": _dec(b.quantity_milli),
            "available": usable.get(catalogue[b.item_code]["id"], Decimal(0)),
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


# -- issuing stock (pickups, snack packs) ---------------------------------------------------------


async def _issue(
    actor: Any,
    settings: Settings,
    item: dict[str, Any],
    milli: int,
    *,
    channel: str,
    today: date,
    issue: tuple[str, UUID],
    field: str,
    warehouse: str | None = None,
    lot_id: UUID | None = None,
) -> list[dict[str, Any]]:
    """Take `milli` of an item FEFO (or from one named lot) and write ledger and issue lines."""
    kind = "snack_pack" if issue[0] == "snack" else "distribution"
    taken: list[tuple[dict[str, Any], int]] = []
    remaining = milli
    for _ in range(MAX_PICK_ROUNDS):
        query = Lot.select().where((Lot.item_id == item["id"]) & (Lot.on_hand_milli > 0))
        if lot_id is not None:
            query = Lot.select().where(Lot.id == lot_id)
        elif warehouse:
            query = query.where(Lot.warehouse == warehouse)
        lots = {r["id"]: dict(r) for r in await query}
        if lot_id is not None:
            lot = lots.get(lot_id)
            if lot is None:
                raise NotFound()
            if lot["item_id"] != item["id"]:
                raise invalid_field(f"{field}.lot_id", "lot_item_mismatch")
            refusal = rules.lot_refusal(_facts(lot), channel, today, settings)
            if refusal and refusal != "lot_empty":
                raise invalid_field(f"{field}.lot_id", refusal)
        facts = [_facts(lot) for lot in lots.values()]
        try:
            picks = rules.fefo_pick(facts, remaining, channel, today, settings)
        except rules.InsufficientStock as exc:
            raise Conflict(
                "insufficient_stock",
                errors=[
                    _error(
                        f"{field}.quantity",
                        "insufficient_stock",
                        available=_dec(exc.available),
                        item=item["code"],
                    )
                ],
                extra={"item_code": item["code"], "available": str(_dec(exc.available))},
            ) from None
        for pick in picks:
            if not await _take(pick.lot_id, pick.quantity):
                break  # someone took it first: read the lots again
            taken.append((lots[pick.lot_id], pick.quantity))
            remaining -= pick.quantity
        if remaining == 0:
            break
    if remaining:
        raise Conflict("stock_busy")
    lines = []
    for lot, quantity in taken:
        await _movement(actor, lot, kind, -quantity, reference=(issue[0], issue[1]))
        await IssueLine.insert(
            IssueLine(
                id=uuid4(),
                issue_type=issue[0],
                issue_id=issue[1],
                item_id=item["id"],
                lot_id=lot["id"],
                quantity_milli=quantity,
                funding_source=lot["funding_source"],
                grams=_grams(quantity, item),
                created_at=_now(),
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
    out: dict[UUID, list[dict[str, Any]]] = {i: [] for i in issue_ids}
    if not issue_ids:
        return out
    rows = (
        await IssueLine.select()
        .where((IssueLine.issue_type == issue_type) & IssueLine.issue_id.is_in(list(issue_ids)))
        .order_by(IssueLine.created_at)
    )
    items = await _items([r["item_id"] for r in rows])
    lots = {
        r["id"]: r
        for r in await Lot.select(Lot.id, Lot.date_kind, Lot.expiry).where(
            Lot.id.is_in(list({r["lot_id"] for r in rows}) or [uuid4()])
        )
    }
    for r in rows:
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
        if data.staff_id is not None:
            from core.api import get_staff

            await get_staff(data.staff_id)  # 404 for another tenant's
        day_id = uuid4()
        await DistributionDay.insert(
            DistributionDay(
                id=day_id,
                status="planned",
                created_by=_user(actor),
                created_at=_now(),
                **data.model_dump(),
            )
        )
        await _audit(actor, "create", "distribution_day", day_id)
    return await get_distribution_day(actor, day_id)


async def set_distribution_day_status(actor: Any, day_id: UUID, status: str) -> dict[str, Any]:
    """Open a day (on its date only: the pickup screen then attaches pickups to it) or close
    it (no more bookings or pickups for it); a closed day may be opened again that day."""
    async with transaction():
        day = await _day_row(day_id)
        if status == "open" and day["day"] != today_for(actor):
            raise invalid_field("day", "distribution_day_not_today")
        if day["status"] != status:
            await DistributionDay.update({DistributionDay.status: status}).where(
                DistributionDay.id == day_id
            )
            await _audit(actor, "update", "distribution_day", day_id, status=status)
    return await get_distribution_day(actor, day_id)


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


async def _days_out(actor: Any, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for row in rows:
        pickups = await Pickup.count().where(Pickup.distribution_day_id == row["id"])
        bookings = (
            await appointments_for_record(actor, SLUG, "distribution_day", row["id"])
            if hasattr(actor, "hooks")  # loaders without a request have no calendar access
            else []
        )
        active = [b for b in bookings if b.get("status") != "cancelled"]
        out.append(
            {
                **{
                    k: v
                    for k, v in row.items()
                    if k not in ("tenant_id", "created_at", "created_by")
                },
                "pickups": pickups,
                "bookings": len(active),
            }
        )
    return out


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
    """A household's pickup slot on a distribution day, booked in the core calendar."""
    day = await _day_row(day_id)
    await _person(data.person_id)
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


async def _lock_household(eligibility_id: UUID) -> None:
    """Serialise pickups of one household: a no-op update takes the decision's row lock, so
    a concurrent pickup of the same household waits and then sees this one."""
    await Eligibility.update({Eligibility.household_size: Eligibility.household_size}).where(
        Eligibility.id == eligibility_id
    )


async def create_pickup(actor: Any, data: PickupCreate) -> dict[str, Any]:
    settings = await settings_for(actor)
    today = today_for(actor)
    async with transaction():
        person = await _person(data.person_id)
        key = household_key_of(person)
        channel: str = data.channel
        warehouse = None
        if data.distribution_day_id is not None:
            day = await _day_row(data.distribution_day_id)
            if day["day"] != today:
                raise invalid_field("distribution_day_id", "distribution_day_not_today")
            if day["status"] == "closed":
                raise invalid_field("distribution_day_id", "distribution_day_closed")
            channel, warehouse = day["channel"], day["warehouse"]
        if data.override and not data.override_reason:
            raise invalid_field("override_reason", "override_reason_required")
        if data.override and not actor.has(OVERRIDE):
            raise Forbidden()
        current = await current_eligibility(key, today)
        if current is None:
            raise invalid_field("person_id", "not_eligible")
        await _lock_household(current["id"])
        previous = await _previous_pickup_days(key, today - timedelta(days=400))
        refusal = rules.frequency_refusal(previous, today, settings)
        if refusal is not None and not data.override:
            raise Conflict(
                "frequency_limit",
                errors=[_error("override", "frequency_limit", **refusal.params)],
                extra={"next_allowed": refusal.params["next"]},
            )
        composition = await household_composition(data.person_id, on=today)
        weight = rules.equivalence_weight(
            composition.ages, settings.equivalence_scale, composition.single_parent
        )
        # The basket: as the staff adjusted it, or the template for the household.
        wanted: list[tuple[dict[str, Any], int, UUID | None, str]] = []
        if data.lines is not None:
            if not data.lines:
                raise invalid_field("lines", "basket_empty")
            errors: list[FieldError] = []
            items = await _items([line.item_id for line in data.lines])
            for index, line in enumerate(data.lines):
                item = items.get(line.item_id)
                if item is None:
                    errors.append(_error(f"lines.{index}.item_id", "unknown_item"))
                    continue
                problem = rules.quantity_problem(item["unit"], line.quantity)
                if problem:
                    errors.append(_error(f"lines.{index}.quantity", problem, unit=item["unit"]))
                wanted.append((item, rules.to_milli(line.quantity), line.lot_id, f"lines.{index}"))
            if errors:
                raise RequestValidationError(errors=errors)
        else:
            catalogue = await items_by_code()
            units = {code: item["unit"] for code, item in catalogue.items()}
            for index, b in enumerate(rules.basket(settings, composition.size, weight, units)):
                wanted.append((catalogue[b.item_code], b.quantity_milli, None, f"basket.{index}"))
            if not wanted:
                raise invalid_field("lines", "basket_empty")
        pickup_id = uuid4()
        proxy = data.proxy
        await Pickup.insert(
            Pickup(
                id=pickup_id,
                person_id=person["id"],
                household_key=key,
                eligibility_id=current["id"],
                distribution_day_id=data.distribution_day_id,
                appointment_id=data.appointment_id,
                channel=channel,
                day=today,
                household_size=composition.size,
                total_grams=0,
                by_proxy=proxy is not None,
                proxy_name=await _seal(proxy.name if proxy else "", "food_bank_pickup.proxy_name"),
                proxy_document=await _seal(
                    proxy.document_number if proxy else "", "food_bank_pickup.proxy_document"
                ),
                proxy_authorisation=bool(proxy and proxy.authorisation),
                override=bool(data.override and refusal is not None),
                override_reason=await _seal(
                    data.override_reason if data.override else "",
                    "food_bank_pickup.override_reason",
                ),
                confirmed=True,
                created_by=_user(actor),
                created_at=_now(),
            )
        )
        grams = 0
        for item, milli, lot_id, field in wanted:
            for issued in await _issue(
                actor,
                settings,
                item,
                milli,
                channel=channel,
                today=today,
                issue=("pickup", pickup_id),
                field=field,
                warehouse=warehouse,
                lot_id=lot_id,
            ):
                grams += issued["grams"]
        await Pickup.update({Pickup.total_grams: grams}).where(Pickup.id == pickup_id)
        if data.appointment_id is not None:
            await _complete_appointment(actor, data.appointment_id, person["id"])
        await _audit(
            actor,
            "create",
            "pickup",
            pickup_id,
            channel=channel,
            override=bool(data.override and refusal is not None),
            proxy=proxy is not None,
        )
    return await get_pickup(actor, pickup_id)


async def _complete_appointment(actor: Any, appointment_id: UUID, person_id: UUID) -> None:
    from core.api import get_appointment

    appointment = await get_appointment(actor, appointment_id)
    if person_id not in [UUID(str(b)) for b in appointment.get("beneficiary_ids", [])]:
        raise invalid_field("appointment_id", "appointment_not_for_person")
    if appointment.get("status") in ("scheduled", "confirmed"):
        await set_appointment_status(actor, appointment_id, "completed")


async def _pickups_out(actor: Any, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    today = today_for(actor)
    lines = await _issue_lines("pickup", [r["id"] for r in rows], today)
    out = []
    for r in rows:
        its = lines[r["id"]]
        out.append(
            {
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
                "proxy_name": await _open(r["proxy_name"], "food_bank_pickup.proxy_name"),
                "override": r["override"],
                "override_reason": await _open(
                    r["override_reason"], "food_bank_pickup.override_reason"
                ),
                "lines": its,
                "warnings": ["past_best_before"] if any(x["past_best_before"] for x in its) else [],
                "created_at": r["created_at"],
            }
        )
    return out


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
    """The week's packs for schoolchildren of every eligible household."""
    settings = await settings_for(actor)
    week = rules.week_start(week)
    rows = (
        await Eligibility.select()
        .where(
            (Eligibility.eligible == True)  # noqa: E712
            & (Eligibility.valid_from <= week + timedelta(days=6))
            & (Eligibility.valid_until >= week)
        )
        .order_by(Eligibility.created_at, ascending=False)
    )
    seen: set[UUID] = set()
    delivered = {
        r["household_key"]
        for r in await SnackDelivery.select(SnackDelivery.household_key).where(
            SnackDelivery.week_start == week
        )
    }
    out = []
    for row in rows:
        key = row["household_key"]
        if key in seen:
            continue
        seen.add(key)
        latest = await latest_eligibility(key)
        if latest is None or latest["id"] != row["id"]:
            continue
        try:
            composition = await household_composition(row["person_id"], on=week)
        except NotFound:
            continue
        packs = rules.snack_packs(composition.school_levels, settings)
        if not packs:
            continue
        out.append(
            {
                "person_id": row["person_id"],
                "household_key": key,
                "children": rules.schoolchildren(composition.school_levels),
                "packs": packs,
                "total_packs": sum(packs.values()),
                "delivered": key in delivered,
            }
        )
    return out


async def deliver_snacks(actor: Any, data: SnackDeliveryCreate) -> dict[str, Any]:
    settings = await settings_for(actor)
    today = today_for(actor)
    week = rules.week_start(data.week_start or today)
    async with transaction():
        person = await _person(data.person_id)
        key = household_key_of(person)
        current = await current_eligibility(key, today)
        if current is None:
            raise invalid_field("person_id", "not_eligible")
        await _lock_household(current["id"])
        composition = await household_composition(data.person_id, on=today)
        packs = rules.snack_packs(composition.school_levels, settings)
        if not packs:
            raise invalid_field("person_id", "no_schoolchildren")
        if await SnackDelivery.exists().where(
            (SnackDelivery.household_key == key) & (SnackDelivery.week_start == week)
        ):
            raise Conflict(
                "snacks_already_delivered",
                errors=[_error("week_start", "snacks_already_delivered")],
            )
        item = (await items_by_code()).get(settings.snack_pack_item)
        if item is None:
            raise invalid_field("person_id", "snack_item_missing", item=settings.snack_pack_item)
        delivery_id = uuid4()
        total = sum(packs.values())
        await SnackDelivery.insert(
            SnackDelivery(
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
        )
        await _issue(
            actor,
            settings,
            item,
            total * rules.MILLI,
            channel="snack_packs",
            today=today,
            issue=("snack", delivery_id),
            field="packs",
        )
        await _audit(actor, "create", "snack_delivery", delivery_id, packs=total)
    return await get_snack_delivery(actor, delivery_id)


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
    checks = (
        await Eligibility.select().where(Eligibility.person_id == person_id).output(load_json=True)
    )
    pickups = await Pickup.select().where(Pickup.person_id == person_id)
    snacks = (
        await SnackDelivery.select()
        .where(SnackDelivery.person_id == person_id)
        .output(load_json=True)
    )

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
        lines = await IssueLine.select(
            IssueLine.item_id, IssueLine.quantity_milli, IssueLine.funding_source
        ).where((IssueLine.issue_type == "pickup") & (IssueLine.issue_id == row["id"]))
        item["lines"] = [
            {
                "item_id": str(x["item_id"]),
                "quantity": str(_dec(x["quantity_milli"])),
                "funding_source": x["funding_source"],
            }
            for x in lines
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
