"""The booking rules: facts in, refusals with reasons out. Pure: no I/O, no clock.

`check_booking` answers whether an appointment may take the range `[start, end)`:

* `holiday`: a closed day of the tenant (national, Holy Saturday, local, override), or a
  half-day after its early closing time;
* `outside_hours`: not inside one span of the operating hours (of the unit where it has its
  own, else of the tenant) or of a participating staff member's working hours;
* `staff_absent`: a participating staff member is on leave, sick or in training;
* `conflict`: a participant already has an appointment overlapping the range. Touching
  ranges (one ends when the other starts) do not overlap; cancelled appointments and the
  appointments being moved do not count.

The first three can be overridden by a permitted role (explicitly, audited); a conflict never.
`free_slots` is the same rules turned around: the ranges where a booking would pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from core.scheduling.days import EARLY_CLOSE, Day

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS: dict[str, list[list[str]]] = {
    day: [["08:00", "15:00"]] for day in ("mon", "tue", "wed", "thu", "fri")
}
MAX_MINUTES = 12 * 60

HOLIDAY = "holiday"
OUTSIDE_HOURS = "outside_hours"
STAFF_ABSENT = "staff_absent"
CONFLICT = "conflict"
OVERRIDABLE = frozenset({HOLIDAY, OUTSIDE_HOURS, STAFF_ABSENT})

Span = tuple[time, time]
Hours = Mapping[int, tuple[Span, ...]]  # weekday (0 = Monday) -> local spans


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    def overlaps(self, other: Interval) -> bool:
        """Half-open ranges: touching ends do not overlap."""
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Busy:
    """A participant's existing appointment."""

    appointment_id: UUID
    kind: str  # staff | beneficiary
    person_id: UUID
    start: datetime
    end: datetime
    status: str = "scheduled"


@dataclass(frozen=True)
class Absence:
    staff_id: UUID
    kind: str  # leave | sick | training
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Refusal:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def overridable(self) -> bool:
        return self.code in OVERRIDABLE


@dataclass(frozen=True)
class BookingFacts:
    start: datetime
    end: datetime
    timezone: str = "Europe/Athens"
    # Opening hours that apply (the unit's, else the tenant's); None: no restriction.
    opening: Hours | None = None
    staff_hours: Mapping[UUID, Hours | None] = field(default_factory=dict)
    days: Mapping[date, Day] = field(default_factory=dict)
    absences: Sequence[Absence] = ()
    busy: Sequence[Busy] = ()
    staff_ids: Sequence[UUID] = ()
    beneficiary_ids: Sequence[UUID] = ()
    # Appointments being moved: their current places do not conflict with their new ones.
    ignore: frozenset[UUID] = frozenset()


def parse_hours(raw: Mapping[str, Any] | None) -> Hours | None:
    """`{"mon": [["08:00", "15:00"]], ...}` to spans per weekday; None or `{}` gives None."""
    if not raw:
        return None
    out: dict[int, tuple[Span, ...]] = {}
    for index, key in enumerate(WEEKDAY_KEYS):
        spans = [
            (time.fromisoformat(str(a)), time.fromisoformat(str(b))) for a, b in raw.get(key) or []
        ]
        out[index] = tuple(sorted(s for s in spans if s[0] < s[1]))
    return out


def local_range(start: datetime, end: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return start.astimezone(tz), end.astimezone(tz)


def local_dates(start: datetime, end: datetime, tz: ZoneInfo) -> list[date]:
    """The tenant-local dates a range touches (an end at midnight stays on the day before)."""
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    if last < first:
        last = first
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def spans_on(hours: Hours, day: date) -> tuple[Span, ...]:
    return hours.get(day.weekday(), ())


def cut_early(spans: Sequence[Span], by: timedelta = EARLY_CLOSE) -> tuple[Span, ...]:
    """A half-day's spans: the usual closing time brought forward by `by`."""
    if not spans:
        return ()
    closing = max(e for _, e in spans)
    early = (datetime.combine(date.min, closing) - by).time() if closing >= _t(by) else time(0)
    return tuple((s, min(e, early)) for s, e in spans if s < early)


def _t(delta: timedelta) -> time:
    seconds = int(delta.total_seconds())
    return time(seconds // 3600, (seconds % 3600) // 60)


def fits(start_local: datetime, end_local: datetime, spans: Sequence[Span]) -> bool:
    """Whether a local range lies inside one span of one day."""
    if start_local.date() != end_local.date():
        return False
    return any(s <= start_local.time() and end_local.time() <= e for s, e in spans)


def check_booking(facts: BookingFacts) -> list[Refusal]:
    """Every reason the range may not be booked; empty when it may."""
    tz = ZoneInfo(facts.timezone)
    refusals: list[Refusal] = []
    start_local, end_local = local_range(facts.start, facts.end, tz)
    closed = False
    for day in local_dates(facts.start, facts.end, tz):
        info = facts.days.get(day)
        if info is not None and info.closed:
            closed = True
            refusals.append(Refusal(HOLIDAY, _day_params(info)))
    if not closed:
        refusals.extend(_hours_refusals(facts, start_local, end_local))
    staff = set(facts.staff_ids)
    requested = Interval(facts.start, facts.end)
    absent: set[UUID] = set()
    for absence in facts.absences:
        if (
            absence.staff_id in staff
            and absence.staff_id not in absent
            and requested.overlaps(Interval(absence.start, absence.end))
        ):
            absent.add(absence.staff_id)
            refusals.append(
                Refusal(STAFF_ABSENT, {"staff_id": str(absence.staff_id), "kind": absence.kind})
            )
    refusals.extend(conflicts(facts))
    return refusals


def _day_params(info: Day, **extra: Any) -> dict[str, Any]:
    return {
        "date": info.day.isoformat(),
        "name_el": info.name_el,
        "name_en": info.name_en,
        **extra,
    }


def _hours_refusals(
    facts: BookingFacts, start_local: datetime, end_local: datetime
) -> list[Refusal]:
    out: list[Refusal] = []
    day = start_local.date()
    if facts.opening is not None:
        spans = spans_on(facts.opening, day)
        if not fits(start_local, end_local, spans):
            out.append(Refusal(OUTSIDE_HOURS, {"date": day.isoformat()}))
        else:
            info = facts.days.get(day)
            if info is not None and not info.closed:  # a half-day
                early = cut_early(spans)
                if not fits(start_local, end_local, early):
                    closes = max((e for _, e in early), default=time(0))
                    out.append(
                        Refusal(
                            HOLIDAY,
                            _day_params(info, half_day=True, closes_at=closes.strftime("%H:%M")),
                        )
                    )
    for staff_id in facts.staff_ids:
        hours = facts.staff_hours.get(staff_id)
        if hours is not None and not fits(start_local, end_local, spans_on(hours, day)):
            out.append(Refusal(OUTSIDE_HOURS, {"date": day.isoformat(), "staff_id": str(staff_id)}))
    return out


def conflicts(facts: BookingFacts) -> list[Refusal]:
    """Existing active appointments of the participants that overlap the range."""
    people = {*facts.staff_ids, *facts.beneficiary_ids}
    requested = Interval(facts.start, facts.end)
    seen: set[tuple[UUID, UUID]] = set()
    out: list[Refusal] = []
    for busy in facts.busy:
        if busy.status == "cancelled" or busy.appointment_id in facts.ignore:
            continue
        if busy.person_id not in people or (busy.appointment_id, busy.person_id) in seen:
            continue
        if requested.overlaps(Interval(busy.start, busy.end)):
            seen.add((busy.appointment_id, busy.person_id))
            out.append(
                Refusal(
                    CONFLICT,
                    {
                        "appointment_id": str(busy.appointment_id),
                        "kind": busy.kind,
                        "person_id": str(busy.person_id),
                    },
                )
            )
    return out


# -- status ----------------------------------------------------------------------------------

TRANSITIONS: dict[str, frozenset[str]] = {
    "scheduled": frozenset({"confirmed", "completed", "no_show", "cancelled"}),
    "confirmed": frozenset({"scheduled", "completed", "no_show", "cancelled"}),
    "completed": frozenset({"no_show"}),
    "no_show": frozenset({"completed"}),
    "cancelled": frozenset(),
}
MOVABLE = frozenset({"scheduled", "confirmed"})


def can_transition(old: str, new: str) -> bool:
    return old == new or new in TRANSITIONS.get(old, frozenset())


# -- free slots -----------------------------------------------------------------------------


def open_intervals(
    day: date,
    tz: ZoneInfo,
    opening: Hours | None,
    staff_hours: Hours | None,
    days: Mapping[date, Day],
) -> list[Interval]:
    """When a staff member can be booked on one local day, before existing bookings."""
    info = days.get(day)
    if info is not None and info.closed:
        return []
    spans: Sequence[Span] = (
        spans_on(opening, day) if opening is not None else ((time(0), time(23, 59)),)
    )
    if info is not None and opening is not None:
        spans = cut_early(spans)
    if staff_hours is not None:
        spans = _intersect(spans, spans_on(staff_hours, day))
    return [
        Interval(
            datetime.combine(day, s, tzinfo=tz).astimezone(ZoneInfo("UTC")),
            datetime.combine(day, e, tzinfo=tz).astimezone(ZoneInfo("UTC")),
        )
        for s, e in spans
        if s < e
    ]


def _intersect(a: Sequence[Span], b: Sequence[Span]) -> list[Span]:
    out = []
    for s1, e1 in a:
        for s2, e2 in b:
            s, e = max(s1, s2), min(e1, e2)
            if s < e:
                out.append((s, e))
    return sorted(out)


def subtract(intervals: Sequence[Interval], blockers: Sequence[Interval]) -> list[Interval]:
    """`intervals` minus every blocker (all half-open)."""
    out = list(intervals)
    for block in sorted(blockers, key=lambda b: b.start):
        nxt: list[Interval] = []
        for iv in out:
            if not iv.overlaps(block):
                nxt.append(iv)
                continue
            if iv.start < block.start:
                nxt.append(Interval(iv.start, block.start))
            if block.end < iv.end:
                nxt.append(Interval(block.end, iv.end))
        out = nxt
    return out


def free_slots(
    *,
    start: datetime,
    end: datetime,
    minutes: int,
    step_minutes: int,
    timezone: str,
    opening: Hours | None,
    staff_hours: Hours | None,
    days: Mapping[date, Day],
    blockers: Sequence[Interval],
    limit: int,
) -> list[Interval]:
    """Bookable ranges of `minutes` inside `[start, end)`, on a grid of `step_minutes` from
    local midnight, in time order, at most `limit`."""
    tz = ZoneInfo(timezone)
    length, step = timedelta(minutes=minutes), timedelta(minutes=step_minutes)
    out: list[Interval] = []
    for day in _dates(start, end, tz):
        free = subtract(open_intervals(day, tz, opening, staff_hours, days), blockers)
        for iv in free:
            for slot in _grid(iv, day, tz, length, step):
                if slot.start >= start and slot.end <= end:
                    out.append(slot)
                    if len(out) >= limit:
                        return out
    return out


def _dates(start: datetime, end: datetime, tz: ZoneInfo) -> Iterator[date]:
    day = start.astimezone(tz).date()
    last = end.astimezone(tz).date()
    while day <= last:
        yield day
        day += timedelta(days=1)


def _grid(
    iv: Interval, day: date, tz: ZoneInfo, length: timedelta, step: timedelta
) -> Iterator[Interval]:
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    local_start = iv.start.astimezone(tz)
    offset = local_start.replace(tzinfo=None) - midnight.replace(tzinfo=None)
    steps = -(-offset // step)  # ceiling
    candidate = datetime.combine(day, time(0), tzinfo=tz) + steps * step
    current = candidate.astimezone(ZoneInfo("UTC"))
    while current + length <= iv.end:
        yield Interval(current, current + length)
        current += step
