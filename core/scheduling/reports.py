"""Core report `core.appointments`: appointments per month, service, mode, status and staff.

Months are the tenant's local months. An appointment with two staff members counts once for
each of them (it is each one's work); `hours` is the booked duration.

Read from the roll-up `appointment_month_count` (UTC months, kept by triggers in the same
transaction as every appointment write: migration `scheduling_2026_11_23t14_30_00_000000`),
corrected to local months from the appointments of the few hours between a UTC and a local
month boundary; SQL with the tenant predicate, and row-level security on PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core import clock, db
from core.errors import invalid
from core.i18n import t
from core.manifest import ReportSpec
from core.scheduling import services
from core.staff.tables import StaffMember
from tenants.scoping import current_tenant_id


class AppointmentsParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: date | None = Field(default=None, description="First day (default: 1 January)")
    end: date | None = Field(default=None, description="Last day (default: 31 December)")
    staff_id: UUID | None = Field(default=None, description="One staff member only")

    @model_validator(mode="after")
    def _order(self) -> AppointmentsParams:
        if self.start and self.end and self.end < self.start:
            raise invalid("end_before_start")
        return self


def _month_start(year: int, month: int, tz: ZoneInfo) -> datetime:
    """UTC instant of the first midnight of a month in zone `tz` (UTC itself for UTC)."""
    return datetime(year, month, 1, tzinfo=tz).astimezone(UTC)


def _next(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _local_label(instant: datetime, tz: ZoneInfo) -> str:
    return instant.astimezone(tz).strftime("%Y-%m")


def plan(lo: datetime, hi: datetime, tz: ZoneInfo) -> tuple[list[str], list[Window]]:
    """How to count [lo, hi) by local month from the UTC-month roll-up.

    Returns the UTC months to read from `appointment_month_count` (each labelled with its own
    name) and the windows to count from the appointments themselves, with a sign. A UTC month
    is read from the roll-up when more than half of it lies in the range; its part outside
    the range is then taken off (-1), and its hours that belong to another local month (in
    Athens the last 2 or 3 UTC hours of a month, the local night of the 1st) are taken off
    its label and given to theirs (-1/+1). Other UTC months are counted directly (+1). Every
    window lies in one local month, so each has one label.
    """
    months: list[str] = []
    windows: list[Window] = []
    us = datetime(lo.year, lo.month, 1, tzinfo=UTC)
    while us < hi:
        ny, nm = _next(us.year, us.month)
        ue = datetime(ny, nm, 1, tzinfo=UTC)
        inside_lo, inside_hi = max(us, lo), min(ue, hi)
        if (inside_hi - inside_lo) * 2 > ue - us:
            label = us.strftime("%Y-%m")
            months.append(label)
            if us < lo:
                windows.append(Window(label, us, lo, -1))
            if ue > hi:
                windows.append(Window(label, hi, ue, -1))
            for piece in _split(inside_lo, inside_hi, tz, 1):
                if piece.label != label:
                    windows += [piece, Window(label, piece.lo, piece.hi, -1)]
        else:
            windows += _split(inside_lo, inside_hi, tz, 1)
        us = ue
    return months, windows


def _split(lo: datetime, hi: datetime, tz: ZoneInfo, sign: int) -> list[Window]:
    """[lo, hi) cut at the local month boundaries inside it, each piece with its label."""
    out: list[Window] = []
    while lo < hi:
        local = lo.astimezone(tz)
        ny, nm = _next(local.year, local.month)
        boundary = min(hi, _month_start(ny, nm, tz))
        out.append(Window(_local_label(lo, tz), lo, boundary, sign))
        lo = boundary
    return out


@dataclass(frozen=True)
class Window:
    label: str
    lo: datetime
    hi: datetime
    sign: int


def _query(
    months: list[str], windows: list[Window], tenant: UUID, staff_id: UUID | None
) -> tuple[str, list[Any]]:
    """One statement and its arguments: roll-up rows of whole UTC months, plus or minus the
    appointments of each window, summed per local month and key.

    Each window is a branch of its own with its bounds as parameters, so the planner sees
    how narrow it is (a few night hours: an index range scan on (tenant_id, start_at) and a
    participant lookup per appointment). A join with a VALUES list of windows was planned
    as a join of every appointment of the tenant (730 ms at 100 k), and as LATERAL scans
    with default estimates its cost crossed PostgreSQL's JIT threshold (30 ms of
    compilation at 1 M).
    """
    postgres = db.is_postgres()
    ts = "CAST({} AS timestamptz)" if postgres else "{}"
    seconds = (
        "extract(epoch FROM a.end_at - a.start_at)"
        if postgres
        else "CAST(round((julianday(a.end_at) - julianday(a.start_at)) * 86400) AS INTEGER)"
    )
    parts: list[str] = []
    args: list[Any] = []
    if months:
        marks = ", ".join("{}" for _ in months)
        parts.append(
            "SELECT month AS label, service, mode, status, staff_id, appointments AS n, "
            "seconds AS secs FROM appointment_month_count WHERE tenant_id = {} "
            f"AND month IN ({marks})" + (" AND staff_id = {}" if staff_id else "")
        )
        args += [tenant, *months] + ([staff_id] if staff_id else [])
    for w in windows:
        parts.append(
            "SELECT CAST({} AS varchar) AS label, a.service, a.mode, a.status, "
            "p.person_id AS staff_id, CAST({} AS integer) AS n, "
            f"CAST({{}} AS integer) * {seconds} AS secs "
            "FROM appointment a JOIN appointment_participant p ON p.tenant_id = a.tenant_id "
            "AND p.appointment_id = a.id AND p.kind = 'staff' "
            f"WHERE a.tenant_id = {{}} AND a.start_at >= {ts} AND a.start_at < {ts}"
            + (" AND p.person_id = {}" if staff_id else "")
        )
        args += [w.label, w.sign, w.sign, tenant, w.lo, w.hi] + ([staff_id] if staff_id else [])
    union = " UNION ALL ".join(parts)
    sql = (
        "SELECT label, service, mode, status, staff_id, sum(n) AS n, sum(secs) AS secs "
        f"FROM ({union}) AS x GROUP BY label, service, mode, status, staff_id "
        "HAVING sum(n) <> 0"
    )
    return sql, args


async def _counts(
    lo: datetime, hi: datetime, tz: ZoneInfo, staff_id: UUID | None
) -> list[dict[str, Any]]:
    months, windows = plan(lo, hi, tz)
    if not months and not windows:
        return []
    sql, args = _query(months, windows, current_tenant_id(), staff_id)
    return await db.fetch(sql, *args)


async def appointments(ctx: Any, params: AppointmentsParams) -> list[dict[str, Any]]:
    """One aggregate statement over the roll-up (and a few hours of appointments around
    month boundaries), then one for the staff names: a year of the largest tenant reads
    about a thousand roll-up rows instead of every appointment."""
    tz = clock.zone(ctx.tenant)
    today = datetime.now(tz).date()
    first = params.start or date(today.year, 1, 1)
    last = params.end or date(first.year, 12, 31)
    lo = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    hi = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    rows = await _counts(lo, hi, tz, params.staff_id)
    staff_ids = {UUID(str(r["staff_id"])) for r in rows}
    names: dict[UUID, str] = {}
    if staff_ids:
        for r in await StaffMember.select(StaffMember.id, StaffMember.display_name).where(
            StaffMember.id.is_in(list(staff_ids))
        ):
            names[r["id"]] = r["display_name"] or str(r["id"])
    catalogue = services.services_of(ctx)
    lang = getattr(ctx, "language", "el")
    out = []
    for r in sorted(
        rows,
        key=lambda r: (r["label"], r["service"], r["mode"], r["status"], str(r["staff_id"])),
    ):
        staff_id = UUID(str(r["staff_id"]))
        spec = catalogue.get(r["service"])
        out.append(
            {
                "month": r["label"],
                "service": r["service"],
                "service_title": (spec.title_el if lang == "el" else spec.title_en)
                if spec
                else r["service"],
                "mode": t(f"scheduling.mode.{r['mode']}", lang),
                "status": t(f"scheduling.status.{r['status']}", lang),
                "staff": names.get(staff_id, str(staff_id)),
                "count": int(r["n"]),
                "hours": round(float(r["secs"]) / 3600, 2),
            }
        )
    return out


REPORTS: tuple[ReportSpec, ...] = (
    ReportSpec(
        id="core.appointments",
        title_el="Ραντεβού ανά μήνα, υπηρεσία, τρόπο, κατάσταση και εργαζόμενο",
        title_en="Appointments by month, service, mode, status and staff member",
        params_model=AppointmentsParams,
        columns=(
            ("month", "Μήνας", "Month"),
            ("service", "Κωδικός υπηρεσίας", "Service code"),
            ("service_title", "Υπηρεσία", "Service"),
            ("mode", "Τρόπος", "Mode"),
            ("status", "Κατάσταση", "Status"),
            ("staff", "Εργαζόμενος/η", "Staff member"),
            ("count", "Πλήθος", "Count"),
            ("hours", "Ώρες", "Hours"),
        ),
        run=appointments,
        chart="bar",
    ),
)
