"""Referral services: the only writer of `referral` and `referral_status_change`.

Public for modules: `open_referral(actor, **fields)`. Every write is audited with ids and
codes only; free text is encrypted with the tenant's key before it is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from core.audit.writer import record
from core.crypto import decrypt, encrypt
from core.errors import FieldError, NotFound, RequestValidationError
from core.i18n import t
from core.pagination import keyset
from core.referrals.rules import (
    OPEN_STATUSES,
    SPECIAL_AGENCIES,
    can_move,
    is_overdue,
    needs_consent,
    visible_to,
)
from core.referrals.schemas import ReferralCreate, ReferralUpdate, StatusChangeIn
from core.referrals.tables import Referral, ReferralStatusChange

if TYPE_CHECKING:
    from core.context import RequestContext


NOTE = "referral_status_change.note"


def _now() -> datetime:
    return datetime.now(UTC)


def _today(actor: Any = None) -> date:
    """Today in the tenant's zone: a deadline is a local day."""
    ref = getattr(actor, "tenant_ref", None) or getattr(actor, "tenant", None)
    zone = getattr(ref, "timezone", None) or "Europe/Athens"
    return datetime.now(ZoneInfo(zone)).date()


async def _audit(
    actor: Any, action: str, object_id: Any, details: dict[str, Any] | None = None
) -> None:
    await record(cast("RequestContext", actor), action, "referral", object_id, details=details)


async def _seal(text: str, purpose: str) -> str:
    """Free text encrypted for this tenant and column ("" stays "")."""
    return (await encrypt(text, purpose) or "") if text else ""


async def _open(token: str, purpose: str) -> str:
    return (await decrypt(token, purpose) or "") if token else ""


def _sees_special(actor: Any) -> bool:
    return bool(getattr(actor, "sees_special_categories", False))


def _error(field: str, code: str, **params: Any) -> FieldError:
    return FieldError(field, code, t(f"validation.{code}", **params))


# -- reading ----------------------------------------------------------------------------------


async def _out(row: dict[str, Any], today: date | None = None) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k != "tenant_id"}
    for name in ("reason", "legal_basis_note", "outcome"):
        out[name] = await _open(row[name], f"referral.{name}")
    out["overdue"] = is_overdue(row["status"], row["due_date"], today or _today())
    return out


async def _visible_row(actor: Any, referral_id: UUID) -> dict[str, Any]:
    row = await Referral.select().where(Referral.id == referral_id).first()
    if row is None or not visible_to(row["agency_type"], _sees_special(actor)):
        raise NotFound()
    return dict(row)


async def referral_exists(referral_id: UUID) -> bool:
    return bool(await Referral.exists().where(Referral.id == referral_id))


async def get_referral(
    actor: Any, referral_id: UUID, *, audit: bool = True, check_visible: bool = True
) -> dict[str, Any]:
    """A referral with its status history (404 for one the actor may not see)."""
    if check_visible:
        row = await _visible_row(actor, referral_id)
    else:
        found = await Referral.select().where(Referral.id == referral_id).first()
        if found is None:
            raise NotFound()
        row = dict(found)
    history = (
        await ReferralStatusChange.select()
        .where(ReferralStatusChange.referral_id == referral_id)
        .order_by(ReferralStatusChange.changed_at)
    )
    out = await _out(row, _today(actor))
    out["history"] = [
        {
            "from_status": h["from_status"],
            "to_status": h["to_status"],
            "note": await _open(h["note"], NOTE),
            "changed_by": h["changed_by"],
            "changed_at": h["changed_at"],
        }
        for h in history
    ]
    if audit:
        await _audit(actor, "read", referral_id)
    return out


async def list_referrals(
    actor: Any,
    *,
    status: str | None = None,
    person_id: UUID | None = None,
    kind: str | None = None,
    agency_type: str | None = None,
    direction: str | None = None,
    assigned_staff_id: UUID | None = None,
    overdue: bool | None = None,
    due_before: date | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    today = _today(actor)
    query = Referral.select()
    if direction is not None:
        query = query.where(Referral.direction == direction)
    if assigned_staff_id is not None:
        query = query.where(Referral.assigned_staff_id == assigned_staff_id)
    if due_before is not None:
        query = query.where(Referral.due_date < due_before)
    if overdue is True:
        query = query.where(
            Referral.status.is_in(list(OPEN_STATUSES)) & (Referral.due_date < today)
        )
    elif overdue is False:
        query = query.where(
            Referral.status.not_in(list(OPEN_STATUSES))
            | Referral.due_date.is_null()
            | (Referral.due_date >= today)
        )
    if status is not None:
        query = query.where(Referral.status == status)
    if person_id is not None:
        query = query.where(Referral.person_id == person_id)
    if kind is not None:
        query = query.where(Referral.kind == kind)
    if agency_type is not None:
        query = query.where(Referral.agency_type == agency_type)
    if not _sees_special(actor):
        query = query.where(
            Referral.agency_type.is_null() | Referral.agency_type.not_in(sorted(SPECIAL_AGENCIES))
        )
    rows, next_cursor = await keyset(
        query,
        sort=Referral.created_at,
        id_column=Referral.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    items = [await _out(r, today) for r in rows]
    await _audit(actor, "read", "", {"list": True, "ids": [str(i["id"]) for i in items]})
    return items, next_cursor


# -- writing ----------------------------------------------------------------------------------


async def _consent_for(data: ReferralCreate, errors: list[FieldError]) -> UUID | None:
    """The consent record the referral rests on (validated), or None when none is needed."""
    from core.casework.consent import consent_in_force_for, current_consent

    if data.consent_id is not None:
        # Another tenant's consent id is a 404, like any id that is not the tenant's.
        if not await consent_in_force_for(data.consent_id, data.person_id, "referral"):
            errors.append(_error("consent_id", "consent_not_in_force"))
        return data.consent_id
    if not needs_consent(data.kind, data.legal_basis, data.direction):
        return None
    current = await current_consent(data.person_id, "referral")
    if current is None:
        errors.append(_error("consent_id", "consent_required"))
        return None
    return current["id"]  # type: ignore[no-any-return]


async def _check_target(
    data: ReferralCreate, modules: Iterable[str], errors: list[FieldError]
) -> None:
    from core.staff.services import staff_exists, unit_exists

    if data.source_unit_id is not None and not await unit_exists(data.source_unit_id):
        raise NotFound()
    if data.assigned_staff_id is not None and not await staff_exists(
        data.assigned_staff_id, active_only=True
    ):
        raise NotFound()
    if data.kind == "internal":
        for name in ("agency_type",):
            if getattr(data, name) is not None:
                errors.append(_error(name, "not_for_internal"))
        if data.agency_name:
            errors.append(_error("agency_name", "not_for_internal"))
        if data.target_module is None and data.target_unit_id is None:
            errors.append(_error("target_module", "target_required"))
        if data.target_module is not None and data.target_module not in set(modules):
            errors.append(
                _error("target_module", "unknown_target_module", module=data.target_module)
            )
        if data.target_unit_id is not None and not await unit_exists(data.target_unit_id):
            raise NotFound()
    else:
        if data.agency_type is None:
            errors.append(_error("agency_type", "missing"))
        if not data.agency_name:
            errors.append(_error("agency_name", "missing"))
        if data.direction == "outgoing":
            if data.target_module is not None:
                errors.append(_error("target_module", "not_for_external"))
            if data.target_unit_id is not None:
                errors.append(_error("target_unit_id", "not_for_external"))
        else:
            # incoming: which of ours receives it (optional), checked as for internal ones
            if data.target_module is not None and data.target_module not in set(modules):
                errors.append(
                    _error("target_module", "unknown_target_module", module=data.target_module)
                )
            if data.target_unit_id is not None and not await unit_exists(data.target_unit_id):
                raise NotFound()


async def create_referral(
    actor: Any,
    data: ReferralCreate,
    modules: Iterable[str],
    *,
    source_module: str | None = None,
    record_type: str | None = None,
    record_id: UUID | None = None,
) -> dict[str, Any]:
    from core.beneficiaries.services import person_exists

    if not await person_exists(data.person_id):
        raise NotFound()
    errors: list[FieldError] = []
    await _check_target(data, modules, errors)
    consent_id = await _consent_for(data, errors)
    if errors:
        raise RequestValidationError(errors=errors)
    now = _now()
    referral_id = uuid4()
    user_id = getattr(actor, "user_id", None)
    status = data.status or ("sent" if data.direction == "incoming" else "draft")
    await Referral.insert(
        Referral(
            id=referral_id,
            person_id=data.person_id,
            kind=data.kind,
            direction=data.direction,
            source_unit_id=data.source_unit_id,
            assigned_staff_id=data.assigned_staff_id,
            target_module=data.target_module,
            target_unit_id=data.target_unit_id,
            agency_type=data.agency_type,
            agency_name=data.agency_name,
            reason=await _seal(data.reason, "referral.reason"),
            urgency=data.urgency,
            legal_basis=data.legal_basis,
            legal_basis_note=await _seal(data.legal_basis_note, "referral.legal_basis_note"),
            consent_id=consent_id,
            status=status,
            due_date=data.due_date,
            outcome="",
            source_module=source_module,
            record_type=record_type,
            record_id=record_id,
            created_by=user_id,
            created_at=now,
            updated_at=now,
        )
    )
    steps = [(None, "draft")] + ([("draft", "sent")] if status == "sent" else [])
    await ReferralStatusChange.insert(
        *[
            ReferralStatusChange(
                id=uuid4(),
                referral_id=referral_id,
                from_status=a,
                to_status=b,
                note="",
                changed_by=user_id,
                changed_at=now,
            )
            for a, b in steps
        ]
    )
    await _audit(
        actor,
        "create",
        referral_id,
        {
            "person_id": str(data.person_id),
            "kind": data.kind,
            "direction": data.direction,
            "status": status,
            "agency_type": data.agency_type,
            "consent_id": str(consent_id) if consent_id else None,
            "legal_basis": data.legal_basis,
        },
    )
    # The author gets back what they wrote, even a referral their role may not list later.
    return await get_referral(actor, referral_id, audit=False, check_visible=False)


async def change_status(actor: Any, referral_id: UUID, data: StatusChangeIn) -> dict[str, Any]:
    from core.casework.consent import consent_in_force_for

    row = await _visible_row(actor, referral_id)
    current = row["status"]
    if not can_move(current, data.status):
        raise RequestValidationError.single(
            "status", "invalid_transition", old=current, new=data.status
        )
    if data.status == "sent" and needs_consent(row["kind"], row["legal_basis"], row["direction"]):
        consent_id = row["consent_id"]
        if consent_id is None or not await consent_in_force_for(
            consent_id, row["person_id"], "referral"
        ):
            raise RequestValidationError.single("status", "consent_not_in_force")
    now = _now()
    values: dict[Any, Any] = {Referral.status: data.status, Referral.updated_at: now}
    if data.outcome is not None:
        values[Referral.outcome] = await _seal(data.outcome, "referral.outcome")
    await Referral.update(values).where(Referral.id == referral_id)
    await ReferralStatusChange.insert(
        ReferralStatusChange(
            id=uuid4(),
            referral_id=referral_id,
            from_status=current,
            to_status=data.status,
            note=await _seal(data.note, NOTE),
            changed_by=getattr(actor, "user_id", None),
            changed_at=now,
        )
    )
    await _audit(actor, "update", referral_id, {"from": current, "to": data.status})
    return await get_referral(actor, referral_id, audit=False)


async def update_referral(actor: Any, referral_id: UUID, data: ReferralUpdate) -> dict[str, Any]:
    """Change the deadline, urgency or assignee of a referral the actor may see (404
    otherwise); only the fields sent change."""
    from core.staff.services import staff_exists

    await _visible_row(actor, referral_id)
    sent = data.model_fields_set
    if "urgency" in sent and data.urgency is None:
        raise RequestValidationError.single("urgency", "required_not_null")
    values: dict[Any, Any] = {Referral.updated_at: _now()}
    if "due_date" in sent:
        values[Referral.due_date] = data.due_date
    if data.urgency is not None:
        values[Referral.urgency] = data.urgency
    if "assigned_staff_id" in sent:
        if data.assigned_staff_id is not None and not await staff_exists(
            data.assigned_staff_id, active_only=True
        ):
            raise NotFound()
        values[Referral.assigned_staff_id] = data.assigned_staff_id
    await Referral.update(values).where(Referral.id == referral_id)
    await _audit(
        actor,
        "update",
        referral_id,
        {"fields": sorted(sent), "assigned_staff_id": str(data.assigned_staff_id or "")},
    )
    return await get_referral(actor, referral_id, audit=False)


async def open_referral(actor: Any, **fields: Any) -> UUID:
    """Open a referral from a module (or any other area) and return its id.

    Args:
        actor: the request context (`ctx`) or a system actor with `user_id`,
            `request_id`, `client` and `tenant_ref`.
        fields: the fields of `POST /referrals` (`person_id`, `kind`, `reason`,
            `agency_type`, `agency_name`, `target_module`, `target_unit_id`, `direction`,
            `source_unit_id`, `assigned_staff_id`, `urgency`,
            `legal_basis`, `legal_basis_note`, `consent_id`, `due_date`, `status`), plus
            optionally `source_module`, `record_type` and `record_id` naming the module
            record it comes from.

    Raises:
        NotFound: the person, unit or consent is not the current tenant's.
        RequestValidationError: invalid fields, or an external referral without consent.
    """
    source = {k: fields.pop(k, None) for k in ("source_module", "record_type", "record_id")}
    try:
        data = ReferralCreate.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError.from_pydantic(exc) from None
    tenant_ref = getattr(actor, "tenant_ref", None)
    modules = tenant_ref.modules if tenant_ref is not None else ()
    record_id = source["record_id"]
    referral = await create_referral(
        actor,
        data,
        modules,
        source_module=source["source_module"],
        record_type=source["record_type"],
        record_id=UUID(str(record_id)) if record_id else None,
    )
    return referral["id"]  # type: ignore[no-any-return]


# -- one person's data ---------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


async def export_person(person_id: Any) -> dict[str, Any]:
    try:
        pid = UUID(str(person_id))
    except ValueError:
        return {}
    rows = await Referral.select().where(Referral.person_id == pid).order_by(Referral.created_at)
    out = []
    for row in rows:
        item = {k: _plain(v) for k, v in (await _out(row)).items()}
        history = (
            await ReferralStatusChange.select()
            .where(ReferralStatusChange.referral_id == row["id"])
            .order_by(ReferralStatusChange.changed_at)
        )
        item["history"] = [
            {
                "from_status": h["from_status"],
                "to_status": h["to_status"],
                "note": await _open(h["note"], NOTE),
                "changed_at": h["changed_at"].isoformat(),
            }
            for h in history
        ]
        out.append(item)
    return {"referrals": out}


async def erase_person(person_id: Any) -> list[str]:
    """Free text goes; codes, dates and statuses stay for the statutory counts."""
    try:
        pid = UUID(str(person_id))
    except ValueError:
        return []
    ids = [r["id"] for r in await Referral.select(Referral.id).where(Referral.person_id == pid)]
    if ids:
        await Referral.update(
            {Referral.reason: "", Referral.outcome: "", Referral.legal_basis_note: ""}
        ).where(Referral.person_id == pid)
        await ReferralStatusChange.update({ReferralStatusChange.note: ""}).where(
            ReferralStatusChange.referral_id.is_in(ids)
        )
    return []


async def move_person(survivor_id: UUID, merged_id: UUID) -> None:
    """Referrals of a merged duplicate now belong to the survivor (ids are UUIDs, the tenant
    in context, as `merimna_persons_merged` promises)."""
    await Referral.update({Referral.person_id: survivor_id, Referral.updated_at: _now()}).where(
        Referral.person_id == merged_id
    )
