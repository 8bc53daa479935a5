"""Booking for program modules: the scheduling surface re-exported by `core.api`.

A module books, moves and cancels appointments in Python, inside the request's transaction,
with the same rules as the HTTP API (service from the catalogue, people of this tenant,
holidays, opening and working hours, absences, no double booking). Failures raise the same
errors the API answers with: `RequestValidationError` (422, naming the field), `Conflict`
(409, `conflict`, the clashing appointment in `extra["refusals"]`), `AppError` with code
`holiday` / `outside_hours` / `staff_absent` (422), `Forbidden` (an override the role may not
make), `NotFound` (another tenant's appointment). Let them propagate: the route turns them
into the JSON error and the request's transaction rolls back, so nothing is stored.

Every function takes the handler's `ctx` (`RequestContext`) first. Appointments come back as
dicts in the API's shape (`AppointmentOut`: `id`, `service`, `start`/`end` in UTC,
`start_local`/`end_local` in the tenant's zone, `status`, `staff_ids`, `beneficiary_ids`,
`module`, `record_type`, `record_id`, `series_id`, ...).

A module attaches its own record with `record=("care_plan_visit", visit_id)`: the
appointment keeps `module` (the caller's slug), `record_type` and `record_id`, the module
lists them with `appointments_for_record`, and `merimna_appointment_changed` tells it when
such an appointment is moved or cancelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from core.errors import RequestValidationError
from core.scheduling import services
from core.scheduling.schemas import (
    AppointmentCreate,
    AppointmentUpdate,
    MoveRequest,
    SeriesCreate,
)
from core.scheduling.services import Actor

__all__ = [
    "appointments_for_person",
    "appointments_for_record",
    "book_appointment",
    "book_series",
    "cancel_appointment",
    "find_free_slots",
    "get_appointment",
    "move_appointment",
    "set_appointment_status",
]


def _model(model: type[Any], data: dict[str, Any]) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError.from_pydantic(exc) from None


def _booking_fields(
    *,
    module: str | None,
    service: str,
    start: datetime,
    end: datetime | None,
    staff_ids: Sequence[UUID],
    beneficiary_ids: Sequence[UUID],
    mode: str,
    location_kind: str | None,
    location_text: str,
    unit_id: UUID | None,
    video_link: str | None,
    notes: str,
    record: tuple[str, UUID] | None,
    status: str,
    override: bool,
    override_reason: str | None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "service": service,
        "start": start,
        "end": end,
        "staff_ids": list(staff_ids),
        "beneficiary_ids": list(beneficiary_ids),
        "mode": mode,
        "location_kind": location_kind,
        "location_text": location_text,
        "unit_id": unit_id,
        "video_link": video_link,
        "notes": notes,
        "status": status,
        "override": override,
        "override_reason": override_reason,
    }
    if record is not None:
        if module is None:
            module = service.split(".", 1)[0]
        record_type, record_id = record
        data["attachment"] = {"module": module, "record_type": record_type, "record_id": record_id}
    return data


async def book_appointment(
    ctx: Actor,
    *,
    service: str,
    start: datetime,
    staff_ids: Sequence[UUID],
    beneficiary_ids: Sequence[UUID] = (),
    end: datetime | None = None,
    mode: str = "in_person",
    location_kind: str | None = None,
    location_text: str = "",
    unit_id: UUID | None = None,
    video_link: str | None = None,
    notes: str = "",
    record: tuple[str, UUID] | None = None,
    module: str | None = None,
    status: str = "scheduled",
    override: bool = False,
    override_reason: str | None = None,
) -> dict[str, Any]:
    """Book one appointment and return it.

    Args:
        ctx: the request context (tenant, user, permissions).
        service: a service code from the catalogue (`core.home_visit`, `{module}.{name}`).
        start: an aware datetime; `end` defaults to the service's default duration.
        staff_ids: one or more staff member ids (staff area); all must be free.
        beneficiary_ids: the person(s) of this tenant; more than one needs a group service.
        mode: `in_person`, `home_visit`, `phone` or `video` (allowed by the service).
        location_kind: `office`, `home`, `school` or `other` (default from the mode).
        record: `(record_type, record_id)` of the module's own record to attach; the
            module is `module`, or the prefix of `service` when not given.
        override: book despite a holiday, closed hours or an absence (never despite a
            conflict); needs the `scheduling.override` permission and `override_reason`.

    Raises:
        RequestValidationError, Conflict, AppError (holiday/outside_hours/staff_absent),
        Forbidden: see the module docstring.
    """
    data = _booking_fields(
        module=module,
        service=service,
        start=start,
        end=end,
        staff_ids=staff_ids,
        beneficiary_ids=beneficiary_ids,
        mode=mode,
        location_kind=location_kind,
        location_text=location_text,
        unit_id=unit_id,
        video_link=video_link,
        notes=notes,
        record=record,
        status=status,
        override=override,
        override_reason=override_reason,
    )
    return await services.create_appointment(ctx, _model(AppointmentCreate, data))


async def book_series(
    ctx: Actor,
    *,
    service: str,
    start: datetime,
    staff_ids: Sequence[UUID],
    beneficiary_ids: Sequence[UUID] = (),
    end: datetime | None = None,
    weekdays: Sequence[str] | None = None,
    interval: int = 1,
    until: date | None = None,
    count: int | None = None,
    rrule: str | None = None,
    mode: str = "in_person",
    location_kind: str | None = None,
    location_text: str = "",
    unit_id: UUID | None = None,
    video_link: str | None = None,
    notes: str = "",
    record: tuple[str, UUID] | None = None,
    module: str | None = None,
    override: bool = False,
    override_reason: str | None = None,
) -> dict[str, Any]:
    """Book a recurring series: weekly (or every `interval` weeks) on `weekdays`
    (`"MO"`..`"SU"`, default the weekday of `start`) until `until` or `count` times, or an
    RFC 5545 `rrule` (`FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;COUNT=8`) instead.

    Occurrences on a holiday, outside hours, during an absence or in conflict are skipped,
    never double-booked. Returns `{"series_id", "rrule", "created": [appointment...],
    "skipped": [{"start", "end", "reasons": [{"code", ...}]}]}`; nothing bookable at all
    raises a 422 `series_empty` (with the skipped list). Other arguments as
    `book_appointment`; each occurrence carries the same `record`.
    """
    data = _booking_fields(
        module=module,
        service=service,
        start=start,
        end=end,
        staff_ids=staff_ids,
        beneficiary_ids=beneficiary_ids,
        mode=mode,
        location_kind=location_kind,
        location_text=location_text,
        unit_id=unit_id,
        video_link=video_link,
        notes=notes,
        record=record,
        status="scheduled",
        override=override,
        override_reason=override_reason,
    )
    if rrule is not None:
        data["rrule"] = rrule
    else:
        data["recurrence"] = {
            "interval": interval,
            "weekdays": list(weekdays) if weekdays else None,
            "until": until,
            "count": count,
        }
    return await services.create_series(ctx, _model(SeriesCreate, data))


async def move_appointment(
    ctx: Actor,
    appointment_id: UUID,
    *,
    start: datetime,
    end: datetime | None = None,
    scope: str = "this",
    override: bool = False,
    override_reason: str | None = None,
) -> dict[str, Any]:
    """Move one appointment (`scope="this"`) or it and the rest of its series
    (`"following"`: each shifts by the same local-time difference). Returns
    `{"moved": [appointment...], "skipped": [...]}`; a single move that breaks a rule raises
    like a booking. `end` defaults to the same duration."""
    data = {
        "start": start,
        "end": end,
        "scope": scope,
        "override": override,
        "override_reason": override_reason,
    }
    return await services.move_appointment(ctx, appointment_id, _model(MoveRequest, data))


async def cancel_appointment(
    ctx: Actor, appointment_id: UUID, *, reason: str, scope: str = "this"
) -> list[UUID]:
    """Cancel one appointment (or it and the rest of its series with `scope="following"`)
    with a reason; returns the ids cancelled. Their time is free again at once."""
    if scope not in ("this", "following"):
        raise RequestValidationError.single("scope", "literal_error")
    return await services.cancel_appointment(ctx, appointment_id, reason, scope)


async def set_appointment_status(
    ctx: Actor,
    appointment_id: UUID,
    status: str,
    *,
    notes: str | None = None,
    cancel_reason: str | None = None,
) -> dict[str, Any]:
    """Mark an appointment `confirmed`, `completed`, `no_show` (or `cancelled` with
    `cancel_reason`), optionally with outcome notes; invalid transitions are a 422."""
    data: dict[str, Any] = {"status": status}
    if notes is not None:
        data["notes"] = notes
    if cancel_reason is not None:
        data["cancel_reason"] = cancel_reason
    return await services.update_appointment(ctx, appointment_id, _model(AppointmentUpdate, data))


async def get_appointment(ctx: Actor, appointment_id: UUID) -> dict[str, Any]:
    """One appointment of this tenant (audited read); `NotFound` otherwise."""
    return await services.get_appointment(ctx, appointment_id)


async def appointments_for_person(
    ctx: Actor,
    person_id: UUID,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    staff: bool = False,
    limit: int = 200,
) -> list[dict[str, Any]]:
    """A beneficiary's appointments (or a staff member's with `staff=True`) overlapping
    `[start, end)`, in time order (at most `limit`, up to 200)."""
    items, _ = await services.list_appointments(
        ctx,
        start=start,
        end=end,
        staff_id=person_id if staff else None,
        beneficiary_id=None if staff else person_id,
        limit=min(limit, 200),
    )
    return items


async def appointments_for_record(
    ctx: Actor, module: str, record_type: str, record_id: UUID
) -> list[dict[str, Any]]:
    """The appointments a module attached to one of its records, in time order."""
    return await services.appointments_for_record(ctx, module, record_type, record_id)


async def find_free_slots(
    ctx: Actor,
    *,
    service: str,
    staff_id: UUID | None = None,
    profession: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    minutes: int | None = None,
    beneficiary_id: UUID | None = None,
    unit_id: UUID | None = None,
    limit: int = 20,
) -> list[dict[str, Any]]:
    """The next free slots for `service` with one staff member, or with anyone of a
    `profession` (default: the service's professions), between `start` (default now) and
    `end` (default two weeks later), skipping holidays, closed hours, absences and busy
    times (also the beneficiary's when given). Each slot: `start`, `end` (UTC),
    `start_local`, `end_local`, `staff_id`."""
    return await services.free_slots(
        ctx,
        service=service,
        staff_id=staff_id,
        profession=profession,
        start=start,
        end=end,
        minutes=minutes,
        beneficiary_id=beneficiary_id,
        unit_id=unit_id,
        limit=limit,
    )
