"""Services of the staff area: the only writer of units and staff profiles.

Other areas and modules use the public functions at the top (`staff_exists`, `get_staff`,
`staff_for_user`, `working_hours`, `get_unit`, `list_units`); they read the current tenant
only. Writes are audited with ids only and run in the caller's transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID, uuid4

from core import db
from core.audit.writer import record
from core.auth.tables import User
from core.beneficiaries.caseload import (
    OPEN_STATUSES,
    caseload_counts,
    caseload_page,
    reassign_case_worker,
)
from core.errors import Conflict, NotFound, RequestValidationError
from core.pagination import keyset
from core.plugin_host import get_host
from core.staff.rules import WeeklyHours, minutes_per_week
from core.staff.schemas import StaffCreate, StaffUpdate, UnitCreate, UnitUpdate
from core.staff.tables import StaffMember, StaffUnit, Unit
from core.writes import updated
from tenants.scoping import current_tenant_id
from tenants.tables import Membership

if TYPE_CHECKING:
    from core.context import RequestContext

NOT_PROFESSIONS = frozenset({"consortium_admin", "tenant_admin"})


def _now() -> datetime:
    return datetime.now(UTC)


async def _audit(actor: Any, action: str, object_type: str, object_id: Any) -> None:
    """`record` for a request context or any actor with user_id, request_id and client."""
    await record(cast("RequestContext", actor), action, object_type, object_id)


# -- public: for other areas and modules ----------------------------------------------------


async def staff_exists(staff_id: UUID, *, active_only: bool = False) -> bool:
    """Whether a staff profile with this id exists in the current tenant."""
    query = StaffMember.exists().where(StaffMember.id == staff_id)
    if active_only:
        query = query.where(StaffMember.active == True)  # noqa: E712
    return bool(await query)


async def get_staff(staff_id: UUID) -> dict[str, Any]:
    """One staff profile of the current tenant (the API's shape); `NotFound` otherwise."""
    row = (
        await StaffMember.select().where(StaffMember.id == staff_id).first().output(load_json=True)
    )
    if row is None:
        raise NotFound()
    (out,) = await _staff_out([row])
    return out


async def staff_for_user(user_id: UUID) -> dict[str, Any] | None:
    """The staff profile of a login account in the current tenant, or None."""
    row = (
        await StaffMember.select()
        .where(StaffMember.user_id == user_id)
        .first()
        .output(load_json=True)
    )
    if row is None:
        return None
    (out,) = await _staff_out([row])
    return out


async def working_hours(staff_id: UUID) -> WeeklyHours:
    """The staff member's declared weekly hours (`{"mon": [["08:00", "15:00"]], ...}`, the
    tenant's local time); `{}` when none are declared. `NotFound` for an unknown id."""
    row = (
        await StaffMember.select(StaffMember.working_hours)
        .where(StaffMember.id == staff_id)
        .first()
        .output(load_json=True)
    )
    if row is None:
        raise NotFound()
    return dict(row["working_hours"] or {})


async def unit_exists(unit_id: UUID) -> bool:
    return bool(await Unit.exists().where(Unit.id == unit_id))


async def get_unit(unit_id: UUID) -> dict[str, Any]:
    """One unit of the current tenant; `operating_hours` None means the tenant's hours."""
    row = await Unit.select().where(Unit.id == unit_id).first().output(load_json=True)
    if row is None:
        raise NotFound()
    return _unit_out(row)


async def list_units(*, active_only: bool = False) -> list[dict[str, Any]]:
    query = Unit.select().order_by(Unit.code).output(load_json=True)
    if active_only:
        query = query.where(Unit.active == True)  # noqa: E712
    return [_unit_out(r) for r in await query]


def allowed_professions(modules: Iterable[str]) -> set[str]:
    """Role codes a profile may have: core roles and the roles of the tenant's modules."""
    host = get_host()
    module_of = {
        role.code: slug for slug, info in host.modules.items() for role in info.manifest.roles
    }
    enabled = set(modules)
    return {
        r.code
        for r in host.roles()
        if r.code not in NOT_PROFESSIONS
        and (r.code not in module_of or module_of[r.code] in enabled)
    }


# -- units ----------------------------------------------------------------------------------


def _unit_out(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "code": row["code"],
        "name_el": row["name_el"],
        "name_en": row["name_en"],
        "kind": row["kind"],
        "operating_hours": row["operating_hours"],
        "active": row["active"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }


def _is_unique_violation(exc: Exception) -> bool:
    if isinstance(exc, sqlite3.IntegrityError):
        return True
    return type(exc).__name__ == "UniqueViolationError"


async def create_unit(actor: Any, data: UnitCreate) -> dict[str, Any]:
    if await Unit.exists().where(Unit.code == data.code):
        raise Conflict("duplicate_unit_code")
    now = _now()
    unit_id = uuid4()
    try:
        await Unit.insert(
            Unit(
                id=unit_id,
                code=data.code,
                name_el=data.name_el,
                name_en=data.name_en,
                kind=data.kind,
                operating_hours=data.operating_hours,
                active=data.active,
                created_at=now,
                updated_at=now,
            )
        )
    except Exception as exc:
        if _is_unique_violation(exc):
            raise Conflict("duplicate_unit_code") from None
        raise
    await _audit(actor, "create", "unit", unit_id)
    return await get_unit(unit_id)


async def update_unit(actor: Any, unit_id: UUID, data: UnitUpdate) -> dict[str, Any]:
    await get_unit(unit_id)
    sent = data.model_fields_set
    for name in ("name_el", "kind", "active"):
        if name in sent and getattr(data, name) is None:
            raise RequestValidationError.single(name, "required_not_null")
    values: dict[Any, Any] = {Unit.updated_at: _now()}
    for name in ("name_el", "name_en", "kind", "active", "operating_hours"):
        if name in sent:
            value = getattr(data, name)
            if name == "name_en" and value is None:
                value = ""
            values[getattr(Unit, name)] = value
    await Unit.update(values).where(Unit.id == unit_id)
    await _audit(actor, "update", "unit", unit_id)
    return await get_unit(unit_id)


async def list_units_page(
    *, active: bool | None, kind: str | None, limit: int | None, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    query = Unit.select().output(load_json=True)
    if active is not None:
        query = query.where(Unit.active == active)
    if kind is not None:
        query = query.where(Unit.kind == kind)
    rows, next_cursor = await keyset(
        query, sort=Unit.code, id_column=Unit.id, limit=limit, cursor=cursor
    )
    return [_unit_out(r) for r in rows], next_cursor


# -- staff ----------------------------------------------------------------------------------


async def _is_member(user_id: UUID) -> bool:
    """Any membership (even a deactivated one: profiles outlive logins) in the tenant."""
    return bool(
        await Membership.exists().where(
            (Membership.tenant_id == current_tenant_id()) & (Membership.user_id == user_id)
        )
    )


async def _units_of(staff_ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
    """The units each staff member works in, by unit code (one statement)."""
    marks = ", ".join("{}" for _ in staff_ids)
    rows = await db.fetch(
        "SELECT su.staff_id, u.id, u.code, u.name_el, u.name_en FROM staff_member_unit su "
        "JOIN staff_unit u ON u.tenant_id = su.tenant_id AND u.id = su.unit_id "
        f"WHERE su.tenant_id = {{}} AND su.staff_id IN ({marks}) ORDER BY u.code",
        current_tenant_id(),
        *staff_ids,
    )
    out: dict[UUID, list[dict[str, Any]]] = {}
    for r in rows:
        unit = {k: r[k] for k in ("id", "code", "name_el", "name_en")}
        unit["id"] = _uuid(unit["id"])
        out.setdefault(_uuid(r["staff_id"]), []).append(unit)
    return out


async def _accounts(user_ids: list[UUID]) -> dict[UUID, tuple[str, list[str]]]:
    """Username and current roles in this tenant (active, unexpired membership; none
    otherwise) of these login accounts, in one statement."""
    if not user_ids:
        return {}
    marks = ", ".join("{}" for _ in user_ids)
    rows = await db.fetch(
        "SELECT u.id, u.username, m.roles, m.active, m.expires_at FROM app_user u "
        "LEFT JOIN membership m ON m.user_id = u.id AND m.tenant_id = {} "
        f"WHERE u.id IN ({marks})",
        current_tenant_id(),
        *user_ids,
    )
    now = _now()
    out: dict[UUID, tuple[str, list[str]]] = {}
    for r in rows:
        expires = _at(r["expires_at"]) if r["expires_at"] is not None else None
        current = bool(r["active"]) and (expires is None or expires > now)
        roles = r["roles"]
        if isinstance(roles, str):
            roles = json.loads(roles or "[]")
        out[_uuid(r["id"])] = (r["username"], list(roles or []) if current else [])
    return out


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _at(value: Any) -> datetime:
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def _staff_out(
    rows: list[dict[str, Any]], *, caseloads: dict[UUID, int] | None = None
) -> list[dict[str, Any]]:
    """Profiles in the API's shape: three statements for any number of them (units, the
    accounts' names and roles, caseloads unless known), so a list stays within the
    round-trip budget."""
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    by_staff = await _units_of(ids)
    user_ids = [r["user_id"] for r in rows if r["user_id"]]
    accounts = await _accounts(user_ids)
    roles = {user: roles for user, (_name, roles) in accounts.items()}
    usernames = {user: name for user, (name, _roles) in accounts.items()}
    loads = caseloads if caseloads is not None else await caseload_counts(ids)
    out = []
    for r in rows:
        hours = dict(r["working_hours"] or {})
        out.append(
            {
                "id": r["id"],
                "user_id": r["user_id"],
                "username": usernames.get(r["user_id"]) if r["user_id"] else None,
                "display_name": r["display_name"],
                "profession": r["profession"],
                "roles": roles.get(r["user_id"], []) if r["user_id"] else [],
                "units": sorted(by_staff.get(r["id"], []), key=lambda u: u["code"]),
                "working_hours": hours,
                "weekly_minutes": minutes_per_week(hours),
                "caseload": loads.get(r["id"], 0),
                "email": r["email"],
                "phone": r["phone"],
                "active": r["active"],
                "created_at": r["created_at"],
                "updated_at": r["updated_at"],
            }
        )
    return out


async def _check_user(user_id: UUID, staff_id: UUID | None = None) -> None:
    if not await _is_member(user_id):
        raise NotFound()
    existing = (
        await StaffMember.select(StaffMember.id).where(StaffMember.user_id == user_id).first()
    )
    if existing and existing["id"] != staff_id:
        raise Conflict("duplicate_staff_user", extra={"existing_id": str(existing["id"])})


async def _check_units(unit_ids: list[UUID]) -> list[UUID]:
    unique = list(dict.fromkeys(unit_ids))
    if unique:
        found = await Unit.select(Unit.id).where(Unit.id.is_in(unique))
        if len(found) != len(unique):
            raise NotFound()
    return unique


def _check_profession(profession: str, modules: Iterable[str]) -> None:
    if profession not in allowed_professions(modules):
        raise RequestValidationError.single(
            "profession", "unknown_profession", profession=profession
        )


async def _set_units(staff_id: UUID, unit_ids: list[UUID]) -> None:
    await StaffUnit.delete().where(StaffUnit.staff_id == staff_id)
    if unit_ids:
        await StaffUnit.insert(
            *[StaffUnit(id=uuid4(), staff_id=staff_id, unit_id=u) for u in unit_ids]
        )


async def create_staff(actor: Any, data: StaffCreate, modules: Iterable[str]) -> dict[str, Any]:
    _check_profession(data.profession, modules)
    display_name = data.display_name
    if data.user_id is not None:
        await _check_user(data.user_id)
        if not display_name:
            user = (
                await User.select(User.display_name, User.username)
                .where(User.id == data.user_id)
                .first()
            )
            display_name = (user or {}).get("display_name") or (user or {}).get("username")
    if not display_name:
        raise RequestValidationError.single("display_name", "missing")
    unit_ids = await _check_units(data.unit_ids)
    now = _now()
    staff_id = uuid4()
    try:
        async with db.transaction():
            await StaffMember.insert(
                StaffMember(
                    id=staff_id,
                    user_id=data.user_id,
                    display_name=display_name,
                    profession=data.profession,
                    email=data.email,
                    phone=data.phone,
                    working_hours=data.working_hours,
                    active=data.active,
                    created_by=getattr(actor, "user_id", None),
                    created_at=now,
                    updated_at=now,
                )
            )
            await _set_units(staff_id, unit_ids)
    except Exception as exc:
        if _is_unique_violation(exc):
            raise Conflict("duplicate_staff_user") from None
        raise
    await _audit(actor, "create", "staff", staff_id)
    return await get_staff(staff_id)


async def _handover_target(staff_id: UUID, handover_to: UUID) -> UUID:
    """An active staff profile of this tenant other than the one handing over."""
    if handover_to == staff_id:
        raise RequestValidationError.single("handover_to", "handover_to_self")
    if not await staff_exists(handover_to, active_only=True):
        raise NotFound()
    return handover_to


async def update_staff(
    actor: Any, staff_id: UUID, data: StaffUpdate, modules: Iterable[str]
) -> dict[str, Any]:
    """Change a profile. Deactivating someone with a caseload needs `handover_to`: their
    people move to that colleague in the same transaction, so nobody is left without a case
    worker by accident."""
    current = await _active_and_caseload(staff_id)
    sent = data.model_fields_set
    handover_to = None
    if data.handover_to is not None:
        handover_to = await _handover_target(staff_id, data.handover_to)
    elif data.active is False and current["active"] and current["caseload"]:
        raise RequestValidationError.single(
            "handover_to", "handover_required", count=current["caseload"]
        )
    for name in ("display_name", "profession", "unit_ids", "working_hours", "active"):
        if name in sent and getattr(data, name) is None:
            raise RequestValidationError.single(name, "required_not_null")
    values: dict[Any, Any] = {StaffMember.updated_at: _now()}
    if "profession" in sent and data.profession is not None:
        _check_profession(data.profession, modules)
        values[StaffMember.profession] = data.profession
    if "user_id" in sent:
        if data.user_id is not None:
            await _check_user(data.user_id, staff_id)
        values[StaffMember.user_id] = data.user_id
    unit_ids = await _check_units(data.unit_ids) if data.unit_ids is not None else None
    for name in ("display_name", "working_hours", "active"):
        if name in sent:
            values[getattr(StaffMember, name)] = getattr(data, name)
    for name in ("email", "phone"):
        if name in sent:
            values[getattr(StaffMember, name)] = getattr(data, name) or ""
    try:
        async with db.transaction():
            written = await updated(StaffMember, values, StaffMember.id == staff_id)
            if unit_ids is not None:
                await _set_units(staff_id, unit_ids)
            moved = (
                await reassign_case_worker(staff_id, handover_to) if handover_to is not None else []
            )
    except Exception as exc:
        if _is_unique_violation(exc):
            raise Conflict("duplicate_staff_user") from None
        raise
    await _audit(actor, "update", "staff", staff_id)
    if handover_to is not None:
        await record(
            cast("RequestContext", actor),
            "handover",
            "staff",
            staff_id,
            details={"to": str(handover_to), "people": [str(p) for p in moved]},
        )
    # Answered from what was written; the caseload is known (nobody is left after a handover).
    caseload = 0 if handover_to is not None else current["caseload"]
    (out,) = await _staff_out(written, caseloads={staff_id: caseload})
    return out


async def _active_and_caseload(staff_id: UUID) -> dict[str, Any]:
    """Whether a profile of this tenant is active, and its caseload, in one statement;
    `NotFound` for an id of nobody here."""
    rows = await db.fetch(
        "SELECT s.active, (SELECT count(*) FROM beneficiary b WHERE b.tenant_id = s.tenant_id "
        "AND b.case_worker_id = s.id AND b.status = {}) AS caseload FROM staff_member s "
        "WHERE s.tenant_id = {} AND s.id = {}",
        OPEN_STATUSES[0],
        current_tenant_id(),
        staff_id,
    )
    if not rows:
        raise NotFound()
    return {"active": bool(rows[0]["active"]), "caseload": int(rows[0]["caseload"])}


async def caseload(
    actor: Any, staff_id: UUID, *, limit: int | None = None, cursor: str | None = None
) -> tuple[list[dict[str, Any]], str | None]:
    """The active people a staff member of this tenant is the case worker of (audited)."""
    if not await staff_exists(staff_id):
        raise NotFound()
    rows, next_cursor = await caseload_page(staff_id, limit=limit, cursor=cursor)
    await record(
        cast("RequestContext", actor),
        "read",
        "caseload",
        staff_id,
        details={"ids": [str(r["id"]) for r in rows]},
    )
    return rows, next_cursor


async def staff_by_profession(profession: str, *, active_only: bool = True) -> list[dict[str, Any]]:
    """Staff profiles of the current tenant with this profession (a role code), by name."""
    query = (
        StaffMember.select()
        .where(StaffMember.profession == profession)
        .order_by(StaffMember.display_name)
        .output(load_json=True)
    )
    if active_only:
        query = query.where(StaffMember.active == True)  # noqa: E712
    return await _staff_out(await query)


async def list_staff(
    *,
    active: bool | None = None,
    unit_id: UUID | None = None,
    profession: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    query = StaffMember.select().output(load_json=True)
    if active is not None:
        query = query.where(StaffMember.active == active)
    if profession is not None:
        query = query.where(StaffMember.profession == profession)
    if unit_id is not None:
        links = await StaffUnit.select(StaffUnit.staff_id).where(StaffUnit.unit_id == unit_id)
        ids = [link["staff_id"] for link in links]
        if not ids:
            return [], None
        query = query.where(StaffMember.id.is_in(ids))
    rows, next_cursor = await keyset(
        query, sort=StaffMember.display_name, id_column=StaffMember.id, limit=limit, cursor=cursor
    )
    return await _staff_out(rows), next_cursor
