"""Request and response models of scheduling: the forms and the OpenAPI document.

Times travel as ISO 8601 with an offset: a time without one is refused (422
`timezone_aware`), because "10:00" means a different instant in Athens and in UTC.
Responses give UTC (`start`, `end`) and the tenant's local time (`start_local`, `end_local`).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from core.errors import invalid
from core.scheduling.rules import MAX_MINUTES

Mode = Literal["in_person", "home_visit", "phone", "video"]
LocationKind = Literal["office", "home", "school", "other"]
Status = Literal["scheduled", "confirmed", "completed", "cancelled", "no_show"]
InitialStatus = Literal["scheduled", "confirmed"]
Scope = Literal["this", "following"]
AbsenceKind = Literal["leave", "sick", "training"]
Weekday = Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
OverrideAction = Literal["add", "remove", "half_day"]

MAX_STAFF = 10
MAX_BENEFICIARIES = 50
_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)

Text500 = Annotated[str, Field(max_length=500)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _check_range(start: datetime | None, end: datetime | None) -> None:
    if start is None or end is None:
        return
    if end <= start:
        raise invalid("end_before_start")
    if (end - start).total_seconds() > MAX_MINUTES * 60:
        raise invalid("duration_too_long", hours=MAX_MINUTES // 60)


def _url(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    if not _URL.match(value):
        raise invalid("invalid_url")
    return value


class Attachment(Strict):
    """A module's own record attached to the appointment (e.g. a care-plan visit)."""

    module: Annotated[str, Field(min_length=2, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
    record_type: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
    record_id: UUID


class BookingFields(Strict):
    """What every booking needs: who, what, how, where."""

    staff_id: UUID | None = Field(default=None, description="One staff member (simple case).")
    staff_ids: list[UUID] | None = Field(default=None, max_length=MAX_STAFF)
    beneficiary_id: UUID | None = None
    beneficiary_ids: list[UUID] | None = Field(
        default=None,
        max_length=MAX_BENEFICIARIES,
        description="Several beneficiaries: only for services that allow groups.",
    )
    service: Annotated[str, Field(min_length=3, max_length=100)] = Field(
        description="A service `code` from `GET services`."
    )
    mode: Mode = "in_person"
    video_link: Text500 | None = None
    location_kind: LocationKind | None = Field(
        default=None, description="Defaults to `home` for home visits, else `office`."
    )
    location_text: Text500 = ""
    unit_id: UUID | None = Field(
        default=None,
        description="The unit (core staff area) whose opening hours apply; default the "
        "staff member's unit when they have exactly one.",
    )
    notes: Annotated[str, Field(max_length=20_000)] = ""
    attachment: Attachment | None = None
    status: InitialStatus = "scheduled"
    override: bool = Field(
        default=False,
        description="Book despite a holiday, closed hours or an absence (permission "
        "`scheduling.override`; never despite a conflict). Needs `override_reason`.",
    )
    override_reason: Annotated[str, Field(max_length=500)] | None = None

    @field_validator("service")
    @classmethod
    def _service(cls, value: str) -> str:
        if not _CODE.match(value):
            raise invalid("unknown_service", service=value)
        return value

    @field_validator("video_link")
    @classmethod
    def _video(cls, value: str | None) -> str | None:
        return _url(value)

    def staff_ids_all(self) -> list[UUID]:
        return _unique([self.staff_id, *(self.staff_ids or [])])

    def beneficiary_ids_all(self) -> list[UUID]:
        return _unique([self.beneficiary_id, *(self.beneficiary_ids or [])])


def _unique(values: list[UUID | None]) -> list[UUID]:
    out: list[UUID] = []
    for value in values:
        if value is not None and value not in out:
            out.append(value)
    return out


class AppointmentCreate(BookingFields):
    start: AwareDatetime
    end: AwareDatetime | None = Field(
        default=None, description="Defaults to the service's default duration."
    )

    @field_validator("end")
    @classmethod
    def _end(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        _check_range(info.data.get("start"), value)
        return value


class RecurrenceIn(Strict):
    """Weekly, or every `interval` weeks, on `weekdays`, until a date or `count` times."""

    interval: Annotated[int, Field(ge=1, le=52)] = 1
    weekdays: list[Weekday] | None = Field(
        default=None, max_length=7, description="Default: the first occurrence's weekday."
    )
    until: date | None = None
    count: Annotated[int, Field(ge=1, le=200)] | None = None


class SeriesCreate(AppointmentCreate):
    """The first occurrence (`start`, `end`) and either `recurrence` or an RFC 5545 `rrule`
    (`FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10`)."""

    recurrence: RecurrenceIn | None = None
    rrule: Annotated[str, Field(max_length=300)] | None = None


class AppointmentUpdate(Strict):
    """Change status, outcome notes, place or time. Only the fields sent change."""

    status: Status | None = None
    cancel_reason: Text500 | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    notes: Annotated[str, Field(max_length=20_000)] | None = None
    mode: Mode | None = None
    video_link: Text500 | None = None
    location_kind: LocationKind | None = None
    location_text: Text500 | None = None
    override: bool = False
    override_reason: Annotated[str, Field(max_length=500)] | None = None

    @field_validator("video_link")
    @classmethod
    def _video(cls, value: str | None) -> str | None:
        return _url(value)

    @field_validator("end")
    @classmethod
    def _end(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        _check_range(info.data.get("start"), value)
        return value


class MoveRequest(Strict):
    """Move one appointment, or it and the rest of its series (`scope="following"`): the
    later occurrences shift by the same amount of local time and take the new duration."""

    start: AwareDatetime
    end: AwareDatetime | None = Field(default=None, description="Default: same duration.")
    scope: Scope = "this"
    override: bool = False
    override_reason: Annotated[str, Field(max_length=500)] | None = None

    @field_validator("end")
    @classmethod
    def _end(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        _check_range(info.data.get("start"), value)
        return value


class CancelRequest(Strict):
    reason: Annotated[str, Field(min_length=1, max_length=500)]
    scope: Scope = "this"


class AppointmentOut(BaseModel):
    id: UUID
    service: str
    service_title: str = ""
    mode: str
    video_link: str | None = None
    location_kind: str | None = None
    location_text: str = ""
    unit_id: UUID | None = None
    start: datetime
    end: datetime
    start_local: datetime
    end_local: datetime
    timezone: str
    status: str
    cancel_reason: str = ""
    notes: str | None = Field(default=None, description="Outcome notes; null when not shown.")
    staff_ids: list[UUID]
    beneficiary_ids: list[UUID]
    module: str | None = None
    record_type: str | None = None
    record_id: UUID | None = None
    series_id: UUID | None = None
    override_codes: list[str] = Field(default_factory=list)
    override_reason: str = ""
    created_by: UUID | None = None
    created_at: datetime
    updated_by: UUID | None = None
    updated_at: datetime


class AppointmentPage(BaseModel):
    items: list[AppointmentOut]
    next_cursor: str | None = None


class Skipped(BaseModel):
    """An occurrence that was not booked (or not moved), and why."""

    appointment_id: UUID | None = None
    start: datetime
    end: datetime
    reasons: list[dict[str, Any]]


class SeriesCreated(BaseModel):
    series_id: UUID
    rrule: str
    created: list[AppointmentOut]
    skipped: list[Skipped]


class MoveResult(BaseModel):
    moved: list[AppointmentOut]
    skipped: list[Skipped]


class CancelResult(BaseModel):
    cancelled: list[UUID]


class ServiceOut(BaseModel):
    code: str
    title: str
    title_el: str
    title_en: str
    default_minutes: int
    modes: list[str]
    professions: list[str]
    group: bool
    module: str | None = None


class SlotOut(BaseModel):
    start: datetime
    end: datetime
    start_local: datetime
    end_local: datetime
    staff_id: UUID


class SlotList(BaseModel):
    items: list[SlotOut]


class AbsenceCreate(Strict):
    kind: AbsenceKind
    start: AwareDatetime
    end: AwareDatetime
    note: Annotated[str, Field(max_length=300)] = ""

    @field_validator("end")
    @classmethod
    def _end(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("start")
        if start is not None and value <= start:
            raise invalid("end_before_start")
        if start is not None and (value - start).days > 366:
            raise invalid("absence_too_long")
        return value


class AbsenceOut(BaseModel):
    id: UUID
    staff_id: UUID
    kind: str
    start: datetime
    end: datetime
    note: str = ""
    created_at: datetime


class AbsencePage(BaseModel):
    items: list[AbsenceOut]
    next_cursor: str | None = None


class LocalHolidayCreate(Strict):
    """A local closed day (the patron saint's); `recurring`: the same date every year."""

    date: date
    name_el: Annotated[str, Field(min_length=2, max_length=200)]
    name_en: Annotated[str, Field(max_length=200)] = ""
    recurring: bool = False


class OverrideCreate(Strict):
    """A correction of one year's national calendar, e.g. Labour Day moved to 7 May:
    `{"date": "2024-05-07", "action": "add", ...}` (and `remove` for the library's date)."""

    date: date
    action: OverrideAction
    name_el: Annotated[str, Field(max_length=200)] = ""
    name_en: Annotated[str, Field(max_length=200)] = ""


class HolidayOut(BaseModel):
    date: date
    name: str
    name_el: str
    name_en: str
    kind: str = Field(description="`holiday` (closed) or `half_day` (closes 2 hours early).")
    source: str = Field(description="national | holy_saturday | local | override")
    id: UUID | None = Field(default=None, description="Set for the tenant's own rows.")


class HolidayList(BaseModel):
    year: int
    items: list[HolidayOut]


class LocalHolidayOut(BaseModel):
    id: UUID
    date: date
    name_el: str
    name_en: str
    recurring: bool


class OverrideOut(BaseModel):
    id: UUID
    year: int
    date: date
    action: str
    name_el: str
    name_en: str


class IcsSecretOut(BaseModel):
    url: str = Field(description="The feed path; the secret is shown only this once.")
    secret: str
    staff_id: UUID


class CalendarDay(BaseModel):
    date: date
    holiday: HolidayOut | None = None
    appointments: list[AppointmentOut]


class CalendarWeek(BaseModel):
    staff_id: UUID
    week: str
    start: date
    end: date
    days: list[CalendarDay]
