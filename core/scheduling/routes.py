"""HTTP routes of scheduling (CONTRACT.md: `services`, `appointments`), inside a tenant.

Handlers check the permission, parse the query, call a service and shape the answer. Times
in query strings are ISO 8601 with an offset, or a bare date (midnight in the tenant's time
zone); a time without an offset is refused, as in bodies.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, Response, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.exceptions import ValidationException
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from core.context import RequestContext
from core.errors import FieldError, NotFound, RequestValidationError
from core.i18n import t
from core.scheduling import ics, services
from core.scheduling.catalogue import module_of
from core.scheduling.schemas import (
    AbsenceCreate,
    AbsenceOut,
    AbsencePage,
    AppointmentCreate,
    AppointmentOut,
    AppointmentPage,
    AppointmentUpdate,
    CalendarDay,
    CalendarWeek,
    CancelRequest,
    CancelResult,
    HolidayList,
    HolidayOut,
    IcsSecretOut,
    LocalHolidayCreate,
    LocalHolidayOut,
    MoveRequest,
    MoveResult,
    OverrideCreate,
    OverrideOut,
    SeriesCreate,
    SeriesCreated,
    ServiceOut,
    SlotList,
    SlotOut,
)
from core.scheduling.services import ADMIN, READ, WRITE

TAGS = ["scheduling"]
Ctx = NamedDependency[RequestContext]
STATUSES = ("scheduled", "confirmed", "completed", "cancelled", "no_show")


# -- body errors ---------------------------------------------------------------------------------


def _pydantic_errors(exc: BaseException) -> list[dict[str, Any]] | None:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        errors = getattr(current, "errors", None)
        if (
            isinstance(errors, list)
            and errors
            and all(isinstance(e, dict) and "type" in e for e in errors)
        ):
            return errors
        current = current.__cause__ or current.__context__
    return None


def body_errors(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    """A 422 naming every field with its stable code (Litestar keeps only generic text)."""
    errors = _pydantic_errors(exc)
    if errors is None:
        from core.app import handle_exception

        return handle_exception(request, exc)
    fields = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ()) if p != "__root__"]
        code = str(err.get("type", "invalid"))
        params = {
            k: v for k, v in (err.get("ctx") or {}).items() if isinstance(v, str | int | float)
        }
        message = t(f"validation.{code}", **params)
        if message == f"validation.{code}":
            message = str(err.get("msg") or t("validation.invalid"))
        fields.append(FieldError(".".join(loc) or "body", code, message))
    failure = RequestValidationError(errors=fields)
    return Response(failure.body(), status_code=failure.status_code)


BODY_ERRORS: dict[Any, Any] = {ValidationException: body_errors}


# -- query parsing -------------------------------------------------------------------------------


def _when(ctx: RequestContext, value: str | None, field: str) -> datetime | None:
    """An ISO date-time with offset, or a date (local midnight); 422 otherwise."""
    if value is None or value == "":
        return None
    text = value.strip()
    if len(text) == 10:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise RequestValidationError.single(field, "datetime_parsing") from None
        return datetime.combine(day, time(0), tzinfo=ZoneInfo(ctx.tenant.timezone))
    if " " in text:  # an unencoded "+" in a query string arrives as a space
        head, _, tail = text.rpartition(" ")
        text = f"{head}+{tail}"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise RequestValidationError.single(field, "datetime_parsing") from None
    if parsed.tzinfo is None:
        raise RequestValidationError.single(field, "timezone_aware")
    return parsed


def _range(
    ctx: RequestContext, start: str | None, end: str | None
) -> tuple[datetime | None, datetime | None]:
    lo, hi = _when(ctx, start, "start"), _when(ctx, end, "end")
    if lo is not None and hi is not None and hi <= lo:
        raise RequestValidationError.single("end", "end_before_start")
    return lo, hi


def _uuid(value: str | None, field: str) -> UUID | None:
    if value is None or value == "":
        return None
    try:
        return UUID(value)
    except ValueError:
        raise RequestValidationError.single(field, "uuid_parsing") from None


# -- services ------------------------------------------------------------------------------------


@get("/services", tags=TAGS, summary="Bookable services (core and the tenant's modules)")
async def list_services(ctx: Ctx) -> dict[str, Any]:
    ctx.require(READ)
    items = [
        ServiceOut(
            code=s.code,
            title=services.service_title(s, s.code),
            title_el=s.title_el,
            title_en=s.title_en,
            default_minutes=s.default_minutes,
            modes=list(s.modes),
            professions=list(s.professions),
            group=s.group,
            module=module_of(s.code),
        ).model_dump()
        for s in ctx.hooks.services()
    ]
    return {"items": items, "next_cursor": None}


# -- appointments --------------------------------------------------------------------------------


@get(
    "/appointments",
    tags=TAGS,
    summary="Appointments in a time range",
    description="Appointments overlapping `[start, end)` (ISO 8601 with offset, or a date: "
    "midnight in the tenant's time zone), in time order, optionally of one staff member, "
    "one beneficiary, one unit, status, service or series.",
)
async def list_appointments(
    ctx: Ctx,
    start: FromQuery[str | None] = None,
    end: FromQuery[str | None] = None,
    staff_id: FromQuery[str | None] = None,
    beneficiary_id: FromQuery[str | None] = None,
    unit: FromQuery[str | None] = None,
    status: FromQuery[str | None] = None,
    service: FromQuery[str | None] = None,
    series_id: FromQuery[str | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> AppointmentPage:
    ctx.require(READ)
    lo, hi = _range(ctx, start, end)
    if status is not None and status not in STATUSES:
        raise RequestValidationError.single("status", "literal_error", expected=", ".join(STATUSES))
    items, next_cursor = await services.list_appointments(
        ctx,
        start=lo,
        end=hi,
        staff_id=_uuid(staff_id, "staff_id"),
        beneficiary_id=_uuid(beneficiary_id, "beneficiary_id"),
        unit_id=_uuid(unit, "unit"),
        status=status,
        service=service,
        series_id=_uuid(series_id, "series_id"),
        limit=limit,
        cursor=cursor,
    )
    return AppointmentPage(items=[AppointmentOut(**i) for i in items], next_cursor=next_cursor)


@post(
    "/appointments",
    tags=TAGS,
    summary="Book an appointment",
    description="`staff_id`/`beneficiary_id` for the simple case, `staff_ids`/"
    "`beneficiary_ids` for several people (several beneficiaries only when the service "
    "allows groups). Refusals: 409 `conflict` (naming `appointment_id`), 422 `holiday`, "
    "`outside_hours`, `staff_absent` with the reason; `override: true` with an "
    "`override_reason` books despite the last three for roles with `scheduling.override`.",
    exception_handlers=BODY_ERRORS,
)
async def create_appointment(ctx: Ctx, data: JSONBody[AppointmentCreate]) -> AppointmentOut:
    ctx.require(WRITE)
    return AppointmentOut(**await services.create_appointment(ctx, data))


@post(
    "/appointments/series",
    tags=TAGS,
    summary="Book a recurring series",
    description="Weekly or every N weeks on given weekdays until a date or a count "
    "(`recurrence`, or an RFC 5545 `rrule`). Occurrences on a holiday, outside hours, "
    "during an absence or in conflict are skipped and listed in `skipped` with reasons.",
    exception_handlers=BODY_ERRORS,
)
async def create_series(ctx: Ctx, data: JSONBody[SeriesCreate]) -> SeriesCreated:
    ctx.require(WRITE)
    return SeriesCreated(**await services.create_series(ctx, data))


@get("/appointments/{appointment_id:uuid}", tags=TAGS, summary="Read an appointment")
async def read_appointment(ctx: Ctx, appointment_id: FromPath[UUID]) -> AppointmentOut:
    ctx.require(READ)
    return AppointmentOut(**await services.get_appointment(ctx, appointment_id))


@patch(
    "/appointments/{appointment_id:uuid}",
    tags=TAGS,
    summary="Change an appointment",
    description="Status (`cancelled` needs `cancel_reason`), outcome `notes`, place, or "
    "time (`start`/`end`: checked like a new booking).",
    exception_handlers=BODY_ERRORS,
)
async def update_appointment(
    ctx: Ctx, appointment_id: FromPath[UUID], data: JSONBody[AppointmentUpdate]
) -> AppointmentOut:
    ctx.require(WRITE)
    return AppointmentOut(**await services.update_appointment(ctx, appointment_id, data))


@post(
    "/appointments/{appointment_id:uuid}/move",
    tags=TAGS,
    status_code=200,
    summary="Move an appointment, or it and the rest of its series",
    exception_handlers=BODY_ERRORS,
)
async def move_appointment(
    ctx: Ctx, appointment_id: FromPath[UUID], data: JSONBody[MoveRequest]
) -> MoveResult:
    ctx.require(WRITE)
    return MoveResult(**await services.move_appointment(ctx, appointment_id, data))


@post(
    "/appointments/{appointment_id:uuid}/cancel",
    tags=TAGS,
    status_code=200,
    summary="Cancel an appointment, or it and the rest of its series",
    exception_handlers=BODY_ERRORS,
)
async def cancel_appointment(
    ctx: Ctx, appointment_id: FromPath[UUID], data: JSONBody[CancelRequest]
) -> CancelResult:
    ctx.require(WRITE)
    ids = await services.cancel_appointment(ctx, appointment_id, data.reason, data.scope)
    return CancelResult(cancelled=ids)


# -- calendars -----------------------------------------------------------------------------------


def _week(ctx: RequestContext, week: str | None) -> date:
    """Monday of an ISO week (`2026-W48`) or of the week holding a date; default: this week."""
    if not week:
        return _monday(datetime.now(ZoneInfo(ctx.tenant.timezone)).date())
    try:
        if "W" in week.upper():
            year, _, number = week.upper().partition("-W")
            return date.fromisocalendar(int(year), int(number), 1)
        return _monday(date.fromisoformat(week))
    except ValueError:
        raise RequestValidationError.single("week", "invalid_week") from None


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


@get(
    "/calendar/staff/{staff_id:uuid}",
    tags=TAGS,
    summary="A staff member's week",
    description="`week` is an ISO week (`2026-W48`) or any date in it; default this week. "
    "Days in the tenant's time zone, with holidays and half-days.",
)
async def staff_week(
    ctx: Ctx, staff_id: FromPath[UUID], week: FromQuery[str | None] = None
) -> CalendarWeek:
    ctx.require(READ)
    if not await services.staff_exists(staff_id):
        raise NotFound()
    monday = _week(ctx, week)
    tz = ZoneInfo(ctx.tenant.timezone)
    start = datetime.combine(monday, time(0), tzinfo=tz)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=tz)
    special = await services.calendar_between(monday, monday + timedelta(days=6))
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page, cursor = await services.list_appointments(
            ctx, start=start, end=end, staff_id=staff_id, limit=200, cursor=cursor
        )
        items.extend(page)
        if cursor is None:
            break
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        info = special.get(day)
        days.append(
            CalendarDay(
                date=day,
                holiday=HolidayOut(**services.holiday_out(info)) if info else None,
                appointments=[AppointmentOut(**i) for i in items if i["start_local"].date() == day],
            )
        )
    iso = monday.isocalendar()
    return CalendarWeek(
        staff_id=staff_id,
        week=f"{iso.year}-W{iso.week:02d}",
        start=monday,
        end=monday + timedelta(days=6),
        days=days,
    )


# -- availability --------------------------------------------------------------------------------


@get(
    "/availability/slots",
    tags=TAGS,
    summary="Free slots for a service",
    description="With `staff_id`, that staff member's; with `profession` (a role), anyone "
    "holding it; with neither, anyone who may deliver the service. `from`/`to` bound the "
    "search (default the next 14 days, at most 62); `duration` (minutes) defaults to the "
    "service's; `step` is the grid in minutes (default 30). A `beneficiary_id` also avoids "
    "that person's appointments.",
)
async def availability_slots(
    ctx: Ctx,
    service: FromQuery[str],
    staff_id: FromQuery[str | None] = None,
    profession: FromQuery[str | None] = None,
    start: Annotated[str | None, QueryParameter(name="from")] = None,
    end: Annotated[str | None, QueryParameter(name="to")] = None,
    limit: FromQuery[int] = 20,
    duration: FromQuery[int | None] = None,
    step: FromQuery[int] = 30,
    beneficiary_id: FromQuery[str | None] = None,
    unit: FromQuery[str | None] = None,
) -> SlotList:
    ctx.require(READ)
    lo, hi = _when(ctx, start, "from"), _when(ctx, end, "to")
    if not 5 <= step <= 240:
        raise RequestValidationError.single("step", "less_than_equal", le=240)
    slots = await services.free_slots(
        ctx,
        service=service,
        staff_id=_uuid(staff_id, "staff_id"),
        profession=profession,
        start=lo,
        end=hi,
        limit=limit,
        minutes=duration,
        step_minutes=step,
        beneficiary_id=_uuid(beneficiary_id, "beneficiary_id"),
        unit_id=_uuid(unit, "unit"),
    )
    return SlotList(items=[SlotOut(**s) for s in slots])


# -- holidays ------------------------------------------------------------------------------------


@get(
    "/holidays",
    tags=TAGS,
    summary="Closed days and half-days of a year",
    description="National public-sector holidays (Orthodox Easter feasts included), Holy "
    "Saturday, the half-days of 24 and 31 December, the tenant's local days and this "
    "year's overrides, merged.",
)
async def list_holidays(ctx: Ctx, year: FromQuery[int | None] = None) -> HolidayList:
    ctx.require(READ)
    year = year or datetime.now(ZoneInfo(ctx.tenant.timezone)).year
    if not 1990 <= year <= 2100:
        raise RequestValidationError.single("year", "less_than_equal", le=2100)
    days = await services.tenant_holidays(ctx.tenant, year)
    return HolidayList(year=year, items=[HolidayOut(**services.holiday_out(d)) for d in days])


@post(
    "/holidays",
    tags=TAGS,
    summary="Add a local closed day (tenant administrators)",
    description="The patron saint's day or another local holiday; `recurring` repeats it "
    "every year.",
    exception_handlers=BODY_ERRORS,
)
async def create_local_holiday(ctx: Ctx, data: JSONBody[LocalHolidayCreate]) -> LocalHolidayOut:
    ctx.require(ADMIN)
    return LocalHolidayOut(**await services.create_local_holiday(ctx, data))


@get("/holidays/overrides", tags=TAGS, summary="Corrections of the national calendar")
async def list_overrides(ctx: Ctx, year: FromQuery[int | None] = None) -> dict[str, Any]:
    ctx.require(READ)
    items = [OverrideOut(**o).model_dump() for o in await services.list_overrides(year)]
    return {"items": items, "next_cursor": None}


@post(
    "/holidays/overrides",
    tags=TAGS,
    summary="Correct one year's national calendar (tenant administrators)",
    description="E.g. Labour Day moved: `add` the new date, `remove` the library's one; "
    "`half_day` marks an early closing.",
    exception_handlers=BODY_ERRORS,
)
async def create_override(ctx: Ctx, data: JSONBody[OverrideCreate]) -> OverrideOut:
    ctx.require(ADMIN)
    return OverrideOut(**await services.create_override(ctx, data))


@delete(
    "/holidays/{holiday_id:uuid}",
    tags=TAGS,
    summary="Remove a local day or an override (tenant administrators)",
)
async def delete_holiday(ctx: Ctx, holiday_id: FromPath[UUID]) -> None:
    ctx.require(ADMIN)
    await services.delete_holiday(ctx, holiday_id)


# -- staff: absences and calendar feeds ----------------------------------------------------------


async def _self_or_admin(ctx: RequestContext, staff_id: UUID) -> None:
    if ctx.has(ADMIN):
        return
    if await services.staff_for_user(ctx.user_id) != staff_id:
        from core.errors import Forbidden

        raise Forbidden()


@get("/staff/{staff_id:uuid}/absences", tags=TAGS, summary="A staff member's absences")
async def list_absences(
    ctx: Ctx,
    staff_id: FromPath[UUID],
    start: FromQuery[str | None] = None,
    end: FromQuery[str | None] = None,
    limit: FromQuery[int | None] = None,
    cursor: FromQuery[str | None] = None,
) -> AbsencePage:
    ctx.require(READ)
    lo, hi = _range(ctx, start, end)
    items, next_cursor = await services.list_absences(
        staff_id, start=lo, end=hi, limit=limit, cursor=cursor
    )
    return AbsencePage(items=[AbsenceOut(**i) for i in items], next_cursor=next_cursor)


@post(
    "/staff/{staff_id:uuid}/absences",
    tags=TAGS,
    exception_handlers=BODY_ERRORS,
    summary="Record leave, sick leave or training (the staff member or an administrator)",
)
async def create_absence(
    ctx: Ctx, staff_id: FromPath[UUID], data: JSONBody[AbsenceCreate]
) -> AbsenceOut:
    ctx.require(READ)
    if not await services.staff_exists(staff_id):
        raise NotFound()
    await _self_or_admin(ctx, staff_id)
    return AbsenceOut(**await services.create_absence(ctx, staff_id, data))


@delete(
    "/staff/{staff_id:uuid}/absences/{absence_id:uuid}",
    tags=TAGS,
    summary="Remove an absence (the staff member or an administrator)",
)
async def delete_absence(ctx: Ctx, staff_id: FromPath[UUID], absence_id: FromPath[UUID]) -> None:
    ctx.require(READ)
    if not await services.staff_exists(staff_id):
        raise NotFound()
    await _self_or_admin(ctx, staff_id)
    await services.delete_absence(ctx, staff_id, absence_id)


@post(
    "/staff/{staff_id:uuid}/ics-secret",
    tags=TAGS,
    summary="Create or rotate a staff member's calendar feed",
    description="Answers the feed URL `/ics/{secret}.ics` once; the previous URL stops "
    "working. The staff member themselves or a tenant administrator.",
)
async def create_ics_secret(ctx: Ctx, staff_id: FromPath[UUID]) -> IcsSecretOut:
    ctx.require(READ)
    return IcsSecretOut(**await ics.create_secret(ctx, staff_id))


@delete(
    "/staff/{staff_id:uuid}/ics-secret", tags=TAGS, summary="Revoke a staff member's calendar feed"
)
async def revoke_ics_secret(ctx: Ctx, staff_id: FromPath[UUID]) -> None:
    ctx.require(READ)
    await ics.revoke_secret(ctx, staff_id)


ROUTES = [
    list_services,
    list_appointments,
    create_appointment,
    create_series,
    read_appointment,
    update_appointment,
    move_appointment,
    cancel_appointment,
    staff_week,
    availability_slots,
    list_holidays,
    create_local_holiday,
    list_overrides,
    create_override,
    delete_holiday,
    list_absences,
    create_absence,
    delete_absence,
    create_ics_secret,
    revoke_ics_secret,
]


# -- platform: the feed itself --------------------------------------------------------------------


@get(
    "/ics/{name:str}",
    tags=TAGS,
    summary="A staff member's calendar feed (iCalendar)",
    description="Unauthenticated: the secret in the URL is the credential. Upcoming "
    "appointments with beneficiaries' initials only; 404 once revoked.",
    media_type="text/calendar",
)
async def ics_feed(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
    if not name.endswith(".ics"):
        raise NotFound()
    client = request.client.host if request.client else ""
    body = await ics.feed(
        name[:-4], request_id=request.scope.get("state", {}).get("request_id", ""), client=client
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300", "X-Robots-Tag": "noindex"},
    )


PLATFORM_ROUTES = [ics_feed]
