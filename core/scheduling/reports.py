"""Core report `core.appointments`: appointments per month, service, mode, status and staff.

Months are the tenant's local months. An appointment with two staff members counts once for
each of them (it is each one's work); `hours` is the booked duration.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core import clock
from core.errors import invalid
from core.i18n import t
from core.manifest import ReportSpec
from core.scheduling import services
from core.scheduling.tables import Appointment, AppointmentParticipant


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


async def appointments(ctx: Any, params: AppointmentsParams) -> list[dict[str, Any]]:
    tz = clock.zone(ctx.tenant)
    today = datetime.now(tz).date()
    first = params.start or date(today.year, 1, 1)
    last = params.end or date(first.year, 12, 31)
    lo = datetime.combine(first, time(0), tzinfo=tz).astimezone(UTC)
    hi = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    query = Appointment.select(
        Appointment.id,
        Appointment.service,
        Appointment.mode,
        Appointment.status,
        Appointment.start_at,
        Appointment.end_at,
    ).where((Appointment.start_at >= lo) & (Appointment.start_at < hi))
    rows = await query
    staff_rows = await AppointmentParticipant.select(
        AppointmentParticipant.appointment_id, AppointmentParticipant.person_id
    ).where(
        (AppointmentParticipant.kind == "staff")
        & (AppointmentParticipant.start_at >= lo)
        & (AppointmentParticipant.start_at < hi)
    )
    staff_of: dict[UUID, list[UUID]] = defaultdict(list)
    for r in staff_rows:
        staff_of[r["appointment_id"]].append(r["person_id"])
    catalogue = services.services_of(ctx)
    lang = getattr(ctx, "language", "el")
    counts: dict[tuple[str, str, str, str, UUID], list[float]] = defaultdict(lambda: [0, 0.0])
    for r in rows:
        start, end = services.utc(r["start_at"]), services.utc(r["end_at"])
        month = start.astimezone(tz).strftime("%Y-%m")
        for staff_id in staff_of.get(r["id"], []):
            if params.staff_id and staff_id != params.staff_id:
                continue
            cell = counts[(month, r["service"], r["mode"], r["status"], staff_id)]
            cell[0] += 1
            cell[1] += (end - start).total_seconds() / 3600
    names: dict[UUID, str] = {}
    out = []
    for (month, service, mode, status, staff_id), (count, hours) in sorted(
        counts.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2], kv[0][3], str(kv[0][4]))
    ):
        if staff_id not in names:
            profile = await services.staff_profile(staff_id)
            names[staff_id] = profile.name if profile and profile.name else str(staff_id)
        spec = catalogue.get(service)
        out.append(
            {
                "month": month,
                "service": service,
                "service_title": (spec.title_el if lang == "el" else spec.title_en)
                if spec
                else service,
                "mode": t(f"scheduling.mode.{mode}", lang),
                "status": t(f"scheduling.status.{status}", lang),
                "staff": names[staff_id],
                "count": int(count),
                "hours": round(hours, 2),
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
