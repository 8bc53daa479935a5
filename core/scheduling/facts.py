"""Everything a booking must know, read in one statement.

Checking a booking needs the staff members (active? profession and roles, units, weekly
hours), whether the beneficiaries are this tenant's, the opening hours of the unit, the
tenant's closed days, the staff's absences and everyone's appointments around the requested
time. Asked one question at a time that was 11 statements per booking (issue 11: at most 6
round trips per request, tenant context, audit and the write included), so this module asks
them all in one `UNION ALL` whose rows are tagged by kind.

It reads tables of the staff area, the registry and the platform's memberships directly: the
one place the scheduling area does, for the round-trip budget. What it reads is what those
areas' own functions answer (`core.staff.services.get_staff`, `person_exists`), and the
scheduling tests hold the two to the same results.

Every branch filters by tenant (row-level security applies too on PostgreSQL). Values come
back typed on PostgreSQL and as stored text on SQLite (expressions of a UNION have no declared
type there), so rows are read through the `_uuid`/`_at`/`_day`/`_json` normalisers.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from core import db
from core.scheduling import rules
from core.scheduling.days import LocalDay, Override


@dataclass(frozen=True)
class StaffFacts:
    """A staff member as a booking sees them."""

    id: UUID
    active: bool
    roles: frozenset[str]  # the profession and the account's current roles in the tenant
    unit_ids: tuple[UUID, ...]
    hours: rules.Hours | None  # declared weekly hours; None: the opening hours


@dataclass(frozen=True)
class Facts:
    staff: dict[UUID, StaffFacts] = field(default_factory=dict)
    beneficiaries: frozenset[UUID] = frozenset()  # those that exist (merged ones do not)
    unit_hours: dict[UUID, rules.Hours | None] = field(default_factory=dict)  # units found
    local_days: list[LocalDay] = field(default_factory=list)
    overrides: list[Override] = field(default_factory=list)
    absences: list[rules.Absence] = field(default_factory=list)
    busy: list[rules.Busy] = field(default_factory=list)


# Columns of every branch: k (the kind of row), id, ref, a, b, c, n, lo, hi. The first branch
# names and types them (PostgreSQL resolves a UNION's types pair by pair, and two bare NULLs
# would become text); text columns are cast to text so the branches agree.
_LOCAL_DAYS = (
    "SELECT 'local_day' AS k, h.id AS id, CAST(NULL AS uuid) AS ref, "
    "CAST(h.name_el AS text) AS a, CAST(h.name_en AS text) AS b, CAST(h.day AS text) AS c, "
    "CASE WHEN h.recurring THEN 1 ELSE 0 END AS n, "
    "CAST(NULL AS timestamptz) AS lo, CAST(NULL AS timestamptz) AS hi "
    "FROM scheduling_local_holiday h WHERE h.tenant_id = {}"
)
_OVERRIDES = (
    "SELECT 'override', o.id, NULL, o.name_el, o.name_en, CAST(o.day AS text) || ' ' || o.action, "
    "0, NULL, NULL FROM scheduling_holiday_override o "
    "WHERE o.tenant_id = {} AND o.year >= {} AND o.year <= {}"
)
_STAFF = (
    "SELECT 'staff', s.id, s.user_id, s.profession, CAST(s.working_hours AS text), NULL, "
    "CASE WHEN s.active THEN 1 ELSE 0 END, NULL, NULL "
    "FROM staff_member s WHERE s.tenant_id = {} AND s.id IN (%(staff)s)"
)
_ROLES = (
    "SELECT 'roles', m.user_id, NULL, CAST(m.roles AS text), NULL, NULL, "
    "CASE WHEN m.active THEN 1 ELSE 0 END, m.expires_at, NULL "
    "FROM membership m WHERE m.tenant_id = {} AND m.user_id IN "
    "(SELECT s.user_id FROM staff_member s WHERE s.tenant_id = {} AND s.id IN (%(staff)s))"
)
_STAFF_UNITS = (
    "SELECT 'staff_unit', su.staff_id, su.unit_id, NULL, NULL, NULL, 0, NULL, NULL "
    "FROM staff_member_unit su WHERE su.tenant_id = {} AND su.staff_id IN (%(staff)s)"
)
_UNITS = (
    "SELECT 'unit', u.id, NULL, NULL, CAST(u.operating_hours AS text), NULL, 0, NULL, NULL "
    "FROM staff_unit u WHERE u.tenant_id = {} AND (u.id IN (%(unit)s) OR u.id IN "
    "(SELECT su.unit_id FROM staff_member_unit su WHERE su.tenant_id = {} "
    "AND su.staff_id IN (%(staff)s)))"
)
_PEOPLE = (
    "SELECT 'person', b.id, NULL, NULL, NULL, NULL, 0, NULL, NULL "
    "FROM beneficiary b WHERE b.tenant_id = {} AND b.id IN (%(people)s) AND b.status <> 'merged'"
)
_ABSENCES = (
    "SELECT 'absence', x.staff_id, NULL, x.kind, NULL, NULL, 0, x.start_at, x.end_at "
    "FROM staff_absence x WHERE x.tenant_id = {} AND x.staff_id IN (%(staff)s) "
    "AND x.start_at < {} AND x.end_at > {}"
)
_BUSY = (
    "SELECT 'busy', p.appointment_id, p.person_id, p.kind, NULL, NULL, 0, p.start_at, p.end_at "
    "FROM appointment_participant p WHERE p.tenant_id = {} AND p.person_id IN (%(everyone)s) "
    "AND p.active = {} AND p.start_at < {} AND p.end_at > {}"
)
_BRANCHES = (
    _LOCAL_DAYS,
    _OVERRIDES,
    _STAFF,
    _ROLES,
    _STAFF_UNITS,
    _UNITS,
    _PEOPLE,
    _ABSENCES,
    _BUSY,
)


@lru_cache(maxsize=64)
def _sql(staff: int, people: int, unit: bool) -> str:
    """The statement for one shape (how many staff and beneficiaries, a unit asked or not);
    an empty list is `IN (NULL)`, which matches nothing."""

    def marks(n: int) -> str:
        return ", ".join("{}" for _ in range(n)) or "NULL"

    holes = {
        "staff": marks(staff),
        "people": marks(people),
        "everyone": marks(staff + people),
        "unit": marks(1 if unit else 0),
    }
    return " UNION ALL ".join(branch % holes for branch in _BRANCHES)


def _args(
    tenant: UUID,
    staff: Sequence[UUID],
    people: Sequence[UUID],
    unit_id: UUID | None,
    years: tuple[int, int],
    start: datetime,
    end: datetime,
) -> list[Any]:
    """The values in the order of `_BRANCHES`' placeholders."""
    unit = [unit_id] if unit_id is not None else []
    return [
        *(tenant,),  # local days
        *(tenant, *years),  # overrides
        *(tenant, *staff),  # staff
        *(tenant, tenant, *staff),  # roles
        *(tenant, *staff),  # staff units
        *(tenant, *unit, tenant, *staff),  # units
        *(tenant, *people),  # people
        *(tenant, *staff, end, start),  # absences
        *(tenant, *staff, *people, True, end, start),  # busy
    ]


async def read(
    tenant: UUID,
    *,
    staff: Sequence[UUID],
    beneficiaries: Sequence[UUID],
    unit_id: UUID | None,
    start: datetime,
    end: datetime,
    years: tuple[int, int],
) -> Facts:
    """The facts of a booking of `staff` and `beneficiaries` from `start` to `end` (UTC), with
    the closed days of `years` (first, last) and the hours of `unit_id` and the staff's units."""
    sql = _sql(len(staff), len(beneficiaries), unit_id is not None)
    rows = await db.fetch(sql, *_args(tenant, staff, beneficiaries, unit_id, years, start, end))
    return _facts(rows)


async def closed_days(
    tenant: UUID, years: tuple[int, int]
) -> tuple[list[LocalDay], list[Override]]:
    """The tenant's own closed days and its corrections of `years` (first, last): the calendar
    part of the facts, in one statement, for pages that show days without booking."""
    rows = await db.fetch(f"{_LOCAL_DAYS} UNION ALL {_OVERRIDES}", tenant, tenant, *years)
    known = _facts(rows)
    return known.local_days, known.overrides


def _facts(rows: list[dict[str, Any]]) -> Facts:
    staff_rows: list[dict[str, Any]] = []
    roles_of: dict[UUID, list[str]] = {}
    units_of: dict[UUID, list[UUID]] = {}
    unit_hours: dict[UUID, rules.Hours | None] = {}
    people: set[UUID] = set()
    local_days: list[LocalDay] = []
    overrides: list[Override] = []
    absences: list[rules.Absence] = []
    busy: list[rules.Busy] = []
    now = datetime.now(UTC)
    for r in rows:
        kind = r["k"]
        if kind == "busy":
            busy.append(
                rules.Busy(_uuid(r["id"]), r["a"], _uuid(r["ref"]), _at(r["lo"]), _at(r["hi"]))
            )
        elif kind == "staff":
            staff_rows.append(r)
        elif kind == "roles":
            expires = _at(r["lo"]) if r["lo"] is not None else None
            if r["n"] and (expires is None or expires > now):
                roles_of[_uuid(r["id"])] = list(_json(r["a"]) or [])
        elif kind == "staff_unit":
            units_of.setdefault(_uuid(r["id"]), []).append(_uuid(r["ref"]))
        elif kind == "unit":
            unit_hours[_uuid(r["id"])] = rules.parse_hours(_json(r["b"]))
        elif kind == "person":
            people.add(_uuid(r["id"]))
        elif kind == "absence":
            absences.append(rules.Absence(_uuid(r["id"]), r["a"], _at(r["lo"]), _at(r["hi"])))
        elif kind == "local_day":
            local_days.append(
                LocalDay(_day(r["c"]), r["a"], r["b"] or "", bool(r["n"]), _uuid(r["id"]))
            )
        elif kind == "override":
            day, action = str(r["c"]).split(" ", 1)
            overrides.append(
                Override(_day(day), action, r["a"] or "", r["b"] or "", _uuid(r["id"]))
            )
    staff: dict[UUID, StaffFacts] = {}
    for r in staff_rows:
        staff_id = _uuid(r["id"])
        user_id = _uuid(r["ref"]) if r["ref"] is not None else None
        roles = {*(roles_of.get(user_id, []) if user_id else []), r["a"] or ""} - {""}
        staff[staff_id] = StaffFacts(
            id=staff_id,
            active=bool(r["n"]),
            roles=frozenset(roles),
            # Links to units that exist (a unit row came back), as the staff area lists them.
            unit_ids=tuple(u for u in units_of.get(staff_id, []) if u in unit_hours),
            hours=rules.parse_hours(_json(r["b"])),
        )
    return Facts(staff, frozenset(people), unit_hours, local_days, overrides, absences, busy)


def _uuid(value: Any) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))


def _at(value: Any) -> datetime:
    """A stored time in UTC without microseconds, as the rules compare them."""
    if not isinstance(value, datetime):
        value = datetime.fromisoformat(str(value))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _json(value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    return json.loads(value or "null")
