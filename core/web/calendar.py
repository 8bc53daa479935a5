"""Calendar pages: a week per staff member, for the whole team or for one unit (free hours
with who is free), booking one appointment or a weekly series from a free slot, moving and
cancelling, with the scheduling service's refusals (a conflict, a holiday, closed
hours) shown inline next to the form.

Everything goes through `core.scheduling.services` (tenant scoping, conflict checks under
concurrency, audit); the week view reads the same appointments the API lists.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from litestar import Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template
from pydantic import BaseModel, ConfigDict, Field, create_model

from core import clock
from core.context import RequestContext
from core.errors import AppError, NotFound, RequestValidationError
from core.i18n import get_language, t
from core.scheduling import services as scheduling
from core.scheduling.schemas import AppointmentCreate, MoveRequest, RecurrenceIn, SeriesCreate
from core.web.forms import parse_form, render_form
from core.web.pages import csrf_token, render

Ctx = NamedDependency[RequestContext]
READ, WRITE = "scheduling.read", "scheduling.write"
MODES = ("in_person", "home_visit", "phone", "video")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
SLOT_MINUTES = 60


def _tz(ctx: RequestContext) -> ZoneInfo:
    return clock.zone(ctx.tenant)


def _root(ctx: RequestContext) -> str:
    return f"/t/{ctx.tenant.slug}/calendar"


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _week(ctx: RequestContext, raw: str | None) -> date:
    if raw:
        try:
            if "W" in raw.upper():
                year, _, number = raw.upper().partition("-W")
                return date.fromisocalendar(int(year), int(number), 1)
            return _monday(date.fromisoformat(raw))
        except ValueError:
            pass
    return _monday(datetime.now(_tz(ctx)).date())


def _iso_week(day: date) -> str:
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


async def _staff(ctx: RequestContext) -> list[dict[str, Any]]:
    from core.staff import services as staff

    rows, _ = await staff.list_staff(active=True, limit=200)
    return sorted(rows, key=lambda s: (s["display_name"] or "").lower())


async def _all_appointments(
    ctx: RequestContext, start: datetime, end: datetime, staff_id: UUID | None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        page, cursor = await scheduling.list_appointments(
            ctx, start=start, end=end, staff_id=staff_id, limit=200, cursor=cursor
        )
        items.extend(page)
        if cursor is None:
            return items


def _appointment_view(
    ctx: RequestContext, a: dict[str, Any], names: dict[UUID, str]
) -> dict[str, Any]:
    return {
        "id": str(a["id"]),
        "time": f"{a['start_local']:%H:%M}–{a['end_local']:%H:%M}",
        "service": a["service_title"],
        "status": a["status"],
        "status_text": t(f"web.calendar.status.{a['status']}"),
        "who": ", ".join(names.get(i, "") for i in a["beneficiary_ids"] if names.get(i)),
        "staff": ", ".join(names.get(i, "") for i in a["staff_ids"] if names.get(i)),
        "href": f"{_root(ctx)}/appointments/{a['id']}",
        "start": a["start_local"],
        "end": a["end_local"],
    }


async def _names(
    ctx: RequestContext, appointments: list[dict[str, Any]], staff: list[dict[str, Any]]
) -> dict[UUID, str]:
    """Staff names, and beneficiaries as initials (a calendar is seen over shoulders)."""
    names: dict[UUID, str] = {s["id"]: s["display_name"] or s.get("username") or "" for s in staff}
    for a in appointments:
        for person_id in a["beneficiary_ids"]:
            if person_id not in names:
                names[person_id] = await scheduling.person_initials(person_id)
    return names


def _slot_href(ctx: RequestContext, staff_id: UUID, when: datetime, person: str) -> str:
    return f"{_root(ctx)}/book?staff={staff_id}&start={when:%Y-%m-%dT%H:%M}" + (
        f"&person={person}" if person else ""
    )


def _free_times(
    day: date,
    spans: Any,
    busy: list[dict[str, Any]],
    tz: ZoneInfo,
    now: datetime,
) -> list[datetime]:
    """The starts of the free hour-long slots of one staff member on one day."""
    out: list[datetime] = []
    for span_start, span_end in spans:
        cursor = datetime.combine(day, span_start, tzinfo=tz)
        stop = datetime.combine(day, span_end, tzinfo=tz)
        while cursor + timedelta(minutes=SLOT_MINUTES) <= stop:
            slot_end = cursor + timedelta(minutes=SLOT_MINUTES)
            if cursor > now and not any(a["start"] < slot_end and a["end"] > cursor for a in busy):
                out.append(cursor)
            cursor = slot_end
    return out


async def _units(ctx: RequestContext) -> list[dict[str, Any]]:
    from core.staff import services as staff

    lang = get_language()
    return [
        u | {"name": u[f"name_{lang}"] or u["name_el"] or u["code"]}
        for u in await staff.list_units(active_only=True)
    ]


@get("/calendar", name="web.calendar")
async def week_page(request: Request[Any, Any, Any], ctx: Ctx) -> Template:
    """One staff member's week (free slots link to the booking form), the team's week (each
    free hour lists who is free), or one unit's week (its staff and its opening hours)."""
    ctx.require(READ)
    tz = _tz(ctx)
    monday = _week(ctx, request.query_params.get("week"))
    staff = await _staff(ctx)
    units = await _units(ctx)
    chosen = request.query_params.get("staff")
    person = request.query_params.get("person") or ""
    staff_id: UUID | None = None
    unit: dict[str, Any] | None = None
    if chosen and chosen.startswith("unit:"):
        try:
            unit_id = UUID(chosen.removeprefix("unit:"))
        except ValueError:
            raise NotFound() from None
        unit = next((u for u in units if u["id"] == unit_id), None)
        if unit is None:
            raise NotFound()
    elif chosen and chosen != "team":
        try:
            staff_id = UUID(chosen)
        except ValueError:
            raise NotFound() from None
        if staff_id not in {s["id"] for s in staff}:
            raise NotFound()
    elif chosen is None:
        staff_id = await scheduling.staff_for_user(ctx.user_id)
    if staff_id is not None:
        members = [s for s in staff if s["id"] == staff_id]
    elif unit is not None:
        members = [s for s in staff if unit["id"] in {u["id"] for u in s.get("units") or ()}]
    else:
        members = staff
    member_ids = {s["id"] for s in members}
    start = datetime.combine(monday, time(0), tzinfo=tz)
    end = start + timedelta(days=7)
    appointments = [
        a
        for a in await _all_appointments(ctx, start, end, staff_id)
        if a["status"] != "cancelled" and (unit is None or member_ids & set(a["staff_ids"]))
    ]
    names = await _names(ctx, appointments, staff)
    special = await scheduling.calendar_between(monday, monday + timedelta(days=6))
    opening = await scheduling.opening_hours(ctx.tenant, unit["id"] if unit else None)
    hours = {s["id"]: await scheduling.staff_working_hours(s["id"]) for s in members}
    now = datetime.now(tz)
    can_book = ctx.has(WRITE)
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        info = special.get(day)
        holiday = scheduling.holiday_out(info) if info else None
        todays = [
            _appointment_view(ctx, a, names) | {"staff_ids": a["staff_ids"]}
            for a in appointments
            if a["start_local"].date() == day
        ]
        open_day = any((hours.get(s) or opening).get(day.weekday()) for s in member_ids)
        if not open_day and not opening.get(day.weekday()) and not todays:
            continue
        free: dict[datetime, list[dict[str, Any]]] = {}
        if can_book and not (holiday and holiday.get("kind") != "half_day"):
            for member in members:
                spans = (hours.get(member["id"]) or opening).get(day.weekday(), ())
                busy = [a for a in todays if member["id"] in a["staff_ids"]]
                for when in _free_times(day, spans, busy, tz, now):
                    free.setdefault(when, []).append(
                        {
                            "name": member["display_name"],
                            "href": _slot_href(ctx, member["id"], when, person),
                        }
                    )
        slots = [
            {
                "time": f"{when:%H:%M}",
                "href": who[0]["href"],
                "who": who,
            }
            for when, who in sorted(free.items())
        ]
        days.append(
            {
                "date": day,
                "label": t(f"web.calendar.weekday.{day.weekday()}") + f" {day:%d/%m}",
                "holiday": holiday,
                "holiday_name": (holiday or {}).get("name", ""),
                "appointments": todays,
                "slots": slots,
                "today": day == now.date(),
            }
        )
    selected = f"unit:{unit['id']}" if unit else str(staff_id) if staff_id else "team"
    base = f"{_root(ctx)}?staff={selected}" + (f"&person={person}" if person else "")
    return await render(
        request,
        "calendar/week.html",
        ctx=ctx,
        title=t("web.calendar.title"),
        week=_iso_week(monday),
        week_label=t(
            "web.calendar.week_of",
            start=f"{monday:%d/%m/%Y}",
            end=f"{monday + timedelta(days=6):%d/%m/%Y}",
        ),
        prev_href=f"{base}&week={_iso_week(monday - timedelta(days=7))}",
        next_href=f"{base}&week={_iso_week(monday + timedelta(days=7))}",
        staff=staff,
        units=units,
        unit_name=(unit or {}).get("name", ""),
        staff_id=selected,
        team=staff_id is None,
        days=days,
        person=person,
        can_book=can_book,
    )


# -- booking --------------------------------------------------------------------------------


def _booking_model(ctx: RequestContext, staff: list[dict[str, Any]]) -> type[BaseModel]:
    """A form for the simple case of `AppointmentCreate`: its choices are this tenant's staff
    and services, so the model is built per request (the renderer turns a Literal into a
    select)."""
    services = scheduling.services_of(ctx)
    staff_ids = tuple(str(s["id"]) for s in staff) or ("",)
    codes = tuple(services) or ("",)
    lang_title = {"el": "title_el", "en": "title_en"}

    def label(key: str) -> dict[str, Any]:
        return {
            "label_el": t(f"web.calendar.field.{key}", "el"),
            "label_en": t(f"web.calendar.field.{key}", "en"),
        }

    fields: dict[str, Any] = {
        "person": (
            str,
            Field(
                min_length=2,
                max_length=100,
                json_schema_extra={
                    **label("person"),
                    "help_el": t("web.calendar.help.person", "el"),
                    "help_en": t("web.calendar.help.person", "en"),
                },
            ),
        ),
        "staff_id": (
            Literal[staff_ids],  # type: ignore[valid-type]
            Field(
                json_schema_extra={
                    **label("staff_id"),
                    "options_el": {str(s["id"]): s["display_name"] for s in staff},
                    "options_en": {str(s["id"]): s["display_name"] for s in staff},
                }
            ),
        ),
        "service": (
            Literal[codes],  # type: ignore[valid-type]
            Field(
                json_schema_extra={
                    **label("service"),
                    **{
                        f"options_{lang}": {c: getattr(s, attr) for c, s in services.items()}
                        for lang, attr in lang_title.items()
                    },
                }
            ),
        ),
        "mode": (
            Literal[MODES],  # type: ignore[valid-type]
            Field(
                default="in_person",
                json_schema_extra={
                    **label("mode"),
                    **{
                        f"options_{lang}": {m: t(f"web.calendar.mode.{m}", lang) for m in MODES}
                        for lang in ("el", "en")
                    },
                },
            ),
        ),
        "start": (datetime, Field(json_schema_extra=label("start"))),
        "minutes": (int, Field(default=60, ge=5, le=720, json_schema_extra=label("minutes"))),
        # A series (optional): every `interval` weeks on `weekdays`, until a date or `count`.
        "interval": (
            int | None,
            Field(
                default=None,
                ge=1,
                le=52,
                json_schema_extra={
                    **label("interval"),
                    "help_el": t("web.calendar.help.interval", "el"),
                    "help_en": t("web.calendar.help.interval", "en"),
                },
            ),
        ),
        "weekdays": (
            list[Literal[WEEKDAYS]] | None,  # type: ignore[valid-type]
            Field(
                default=None,
                json_schema_extra={
                    **label("weekdays"),
                    **{
                        f"options_{lang}": {
                            code: t(f"web.calendar.weekday.{i}", lang)
                            for i, code in enumerate(WEEKDAYS)
                        }
                        for lang in ("el", "en")
                    },
                },
            ),
        ),
        "until": (date | None, Field(default=None, json_schema_extra=label("until"))),
        "count": (
            int | None,
            Field(default=None, ge=1, le=200, json_schema_extra=label("count")),
        ),
    }
    return create_model("BookingForm", __config__=ConfigDict(extra="ignore"), **fields)


async def _find_person(ctx: RequestContext, text: str) -> UUID:
    from core.beneficiaries import services as people

    text = text.strip()
    try:
        return await _person_by_id(UUID(text))
    except ValueError:
        pass
    try:
        found, _ = await people.list_beneficiaries(q=text, limit=3)
    except RequestValidationError:
        found = []
    if len(found) == 1:
        return UUID(str(found[0]["id"]))
    code = "person_not_found" if not found else "person_ambiguous"
    raise RequestValidationError.single("person", code)


async def _person_by_id(person_id: UUID) -> UUID:
    if not await scheduling.person_exists(person_id):
        raise RequestValidationError.single("person", "person_not_found")
    return person_id


def _person_label(person: dict[str, Any]) -> str:
    return person.get("amka") or f"{person['last_name']} {person['first_name']}"


async def _booking_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    values: Any = None,
    errors: Any = None,
    message: str = "",
    skipped: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Template:
    staff = await _staff(ctx)
    form = render_form(
        _booking_model(ctx, staff),
        action=f"{_root(ctx)}/book",
        values=values,
        errors=errors,
        csrf_token=csrf_token(request.scope),
        submit_label=t("web.calendar.book"),
        id_prefix="book",
    )
    return await render(
        request,
        "calendar/book.html",
        ctx=ctx,
        title=t("web.calendar.book_title"),
        form=form,
        message=message,
        skipped=skipped or [],
        status_code=status_code,
    )


@get("/calendar/book", name="web.calendar.book")
async def booking_page(request: Request[Any, Any, Any], ctx: Ctx) -> Template:
    ctx.require(WRITE)
    query = request.query_params
    values: dict[str, Any] = {"mode": "in_person", "minutes": "60"}
    if query.get("staff"):
        values["staff_id"] = query["staff"]
    if query.get("start"):
        values["start"] = query["start"]
    if query.get("person"):
        from core.beneficiaries import services as people

        try:
            person_id = UUID(query["person"])
            if await people.person_exists(person_id):
                values["person"] = _person_label(await people.get_person(person_id))
        except ValueError:
            pass
    return await _booking_page(request, ctx, values=values)


def _repeats(form: Any) -> bool:
    return bool(form.interval or form.weekdays or form.until or form.count)


def _skipped_view(items: list[dict[str, Any]], tz: ZoneInfo) -> list[dict[str, Any]]:
    out = []
    for item in items:
        start = item["start"]
        if isinstance(start, str):
            start = datetime.fromisoformat(start)
        out.append(
            {
                "when": f"{start.astimezone(tz):%d/%m/%Y %H:%M}",
                "reasons": [r.get("message") or r.get("code", "") for r in item["reasons"]],
            }
        )
    return out


def _series_errors(exc: RequestValidationError) -> dict[str, str]:
    """The series service names `recurrence`; the form has its parts."""
    out: dict[str, str] = {}
    for err in exc.errors:
        key = {"beneficiary_id": "person", "end": "minutes"}.get(err.field, err.field)
        if key in ("recurrence", "rrule") or key.startswith("recurrence."):
            key = (
                "interval"
                if "interval" in err.code
                else "weekdays"
                if "weekday" in err.code
                else "count"
                if "count" in err.code and "until" not in err.code
                else "until"
            )
        out.setdefault(key, err.message)
    return out


@post("/calendar/book", name="web.calendar.book.submit", status_code=200)
async def book(request: Request[Any, Any, Any], ctx: Ctx) -> Response[Any]:
    """One appointment, or a weekly series when a repetition is filled in: the series page
    then lists what was booked and, inline, each skipped occurrence with its reason."""
    ctx.require(WRITE)
    data = await request.form()
    staff = await _staff(ctx)
    tz = _tz(ctx)
    try:
        form: Any = parse_form(_booking_model(ctx, staff), data)
        person_id = await _find_person(ctx, form.person)
        start = form.start.replace(tzinfo=tz) if form.start.tzinfo is None else form.start
        fields: dict[str, Any] = {
            "staff_id": UUID(form.staff_id),
            "beneficiary_id": person_id,
            "service": form.service,
            "mode": form.mode,
            "start": start,
            "end": start + timedelta(minutes=form.minutes),
        }
        if _repeats(form):
            series = SeriesCreate(
                **fields,
                recurrence=RecurrenceIn(
                    interval=form.interval or 1,
                    weekdays=form.weekdays or None,
                    until=form.until,
                    count=form.count,
                ),
            )
            result = await scheduling.create_series(ctx, series)
            return await _series_page(request, ctx, result)
        booking = AppointmentCreate(**fields)
        created = await scheduling.create_appointment(ctx, booking)
    except RequestValidationError as exc:
        return await _booking_page(
            request, ctx, values=data, errors=_series_errors(exc), status_code=422
        )
    except AppError as exc:
        # A conflict (409), a holiday or closed hours (422): the reason next to the form;
        # for a series where nothing could be booked, every skipped date and why.
        skipped = _skipped_view(exc.extra.get("skipped") or [], tz)
        return await _booking_page(
            request,
            ctx,
            values=data,
            errors=_inline(exc),
            message=exc.detail,
            skipped=skipped,
            status_code=exc.status_code,
        )
    week = _iso_week(_monday(created["start_local"].date()))
    return Redirect(
        f"{_root(ctx)}?staff={booking.staff_id}&week={week}&booked={created['id']}",
        status_code=303,
    )


async def _series_page(
    request: Request[Any, Any, Any], ctx: RequestContext, result: dict[str, Any]
) -> Template:
    tz = _tz(ctx)
    staff = await _staff(ctx)
    names = await _names(ctx, result["created"], staff)
    created = [
        _appointment_view(ctx, a, names) | {"day": f"{a['start_local']:%d/%m/%Y}"}
        for a in result["created"]
    ]
    first = result["created"][0]
    staff_id = first["staff_ids"][0] if first["staff_ids"] else "team"
    return await render(
        request,
        "calendar/series.html",
        ctx=ctx,
        title=t("web.calendar.series_title"),
        created=created,
        skipped=_skipped_view(result["skipped"], tz),
        back=f"{_root(ctx)}?staff={staff_id}&week={_iso_week(_monday(first['start_local'].date()))}",
        status_code=201,
    )


def _inline(exc: AppError) -> dict[str, str]:
    out: dict[str, str] = {}
    for err in exc.errors:
        key = {"beneficiary_id": "person", "end": "minutes"}.get(err.field, err.field)
        out.setdefault(key, err.message)
    return out


# -- one appointment: move, cancel ------------------------------------------------------------


class MoveForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    start: datetime = Field(
        json_schema_extra={"label_el": "Νέα ημερομηνία και ώρα", "label_en": "New date and time"}
    )


class CancelForm(BaseModel):
    model_config = ConfigDict(extra="ignore")

    reason: str = Field(
        min_length=1,
        max_length=500,
        json_schema_extra={"label_el": "Λόγος ακύρωσης", "label_en": "Reason for cancelling"},
    )


async def _appointment_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    appointment_id: UUID,
    *,
    move_values: Any = None,
    move_errors: Any = None,
    cancel_errors: Any = None,
    message: str = "",
    status_code: int = 200,
) -> Template:
    a = await scheduling.get_appointment(ctx, appointment_id)
    staff = await _staff(ctx)
    view = _appointment_view(ctx, a, await _names(ctx, [a], staff))
    token = csrf_token(request.scope)
    movable = a["status"] in ("scheduled", "confirmed") and ctx.has(WRITE)
    move = cancel = None
    if movable:
        move = render_form(
            MoveForm,
            action=f"{_root(ctx)}/appointments/{appointment_id}/move",
            values=move_values or {"start": f"{a['start_local']:%Y-%m-%dT%H:%M}"},
            errors=move_errors,
            csrf_token=token,
            submit_label=t("web.calendar.move"),
            id_prefix="move",
        )
        cancel = render_form(
            CancelForm,
            action=f"{_root(ctx)}/appointments/{appointment_id}/cancel",
            errors=cancel_errors,
            csrf_token=token,
            submit_label=t("web.calendar.cancel"),
            id_prefix="cancel",
        )
    staff_id = a["staff_ids"][0] if a["staff_ids"] else None
    monday = _monday(a["start_local"].date())
    return await render(
        request,
        "calendar/appointment.html",
        ctx=ctx,
        title=t("web.calendar.appointment"),
        a=view,
        day=f"{a['start_local']:%d/%m/%Y}",
        mode=t(f"web.calendar.mode.{a['mode']}"),
        cancel_reason=a["cancel_reason"],
        move_form=move,
        cancel_form=cancel,
        message=message,
        back=f"{_root(ctx)}?staff={staff_id or 'team'}&week={_iso_week(monday)}",
        status_code=status_code,
    )


@get("/calendar/appointments/{appointment_id:uuid}", name="web.calendar.appointment")
async def appointment_page(
    request: Request[Any, Any, Any], ctx: Ctx, appointment_id: FromPath[UUID]
) -> Template:
    ctx.require(READ)
    return await _appointment_page(request, ctx, appointment_id)


@post(
    "/calendar/appointments/{appointment_id:uuid}/move", name="web.calendar.move", status_code=200
)
async def move(
    request: Request[Any, Any, Any], ctx: Ctx, appointment_id: FromPath[UUID]
) -> Response[Any]:
    ctx.require(WRITE)
    await scheduling.get_appointment(ctx, appointment_id)  # 404 first
    data = await request.form()
    try:
        form = parse_form(MoveForm, data)
        start = form.start.replace(tzinfo=_tz(ctx)) if form.start.tzinfo is None else form.start
        await scheduling.move_appointment(ctx, appointment_id, MoveRequest(start=start))
    except RequestValidationError as exc:
        return await _appointment_page(
            request, ctx, appointment_id, move_values=data, move_errors=exc, status_code=422
        )
    except AppError as exc:
        return await _appointment_page(
            request,
            ctx,
            appointment_id,
            move_values=data,
            move_errors={"start": exc.detail},
            message=exc.detail,
            status_code=exc.status_code,
        )
    return Redirect(f"{_root(ctx)}/appointments/{appointment_id}?moved=1", status_code=303)


@post(
    "/calendar/appointments/{appointment_id:uuid}/cancel",
    name="web.calendar.cancel",
    status_code=200,
)
async def cancel(
    request: Request[Any, Any, Any], ctx: Ctx, appointment_id: FromPath[UUID]
) -> Response[Any]:
    ctx.require(WRITE)
    await scheduling.get_appointment(ctx, appointment_id)
    data = await request.form()
    try:
        form = parse_form(CancelForm, data)
        await scheduling.cancel_appointment(ctx, appointment_id, form.reason)
    except RequestValidationError as exc:
        return await _appointment_page(
            request, ctx, appointment_id, cancel_errors=exc, status_code=422
        )
    return Redirect(f"{_root(ctx)}/appointments/{appointment_id}?cancelled=1", status_code=303)


def calendar_router() -> Router:
    return Router(
        path="/",
        route_handlers=[week_page, booking_page, book, appointment_page, move, cancel],
    )
