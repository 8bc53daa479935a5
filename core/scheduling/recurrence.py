"""Recurring series as RFC 5545 rules (python-dateutil), in the tenant's local wall time.

Only what social services book is accepted: weekly, every N weeks, on given weekdays, until
a date or for a count. The rule runs over naive local times and each occurrence is then
placed in the tenant's zone, so a Tuesday 10:00 session stays at 10:00 across the change to
and from summer time. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import WEEKLY, rrule, rrulestr, weekday

DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
MAX_OCCURRENCES = 200
MAX_SPAN = timedelta(days=2 * 366)
MAX_INTERVAL = 52


class RecurrenceError(ValueError):
    """A rule outside what the scheduler accepts; `code` names the reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Recurrence:
    interval: int = 1
    weekdays: tuple[str, ...] = ()  # MO..SU; empty: the first occurrence's weekday
    until: date | None = None
    count: int | None = None

    def rule_string(self, first: datetime) -> str:
        parts = ["FREQ=WEEKLY", f"INTERVAL={self.interval}"]
        parts.append("BYDAY=" + ",".join(self.days_for(first)))
        if self.until is not None:
            parts.append("UNTIL=" + self.until.strftime("%Y%m%dT235959"))
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        return ";".join(parts)

    def days_for(self, first: datetime) -> tuple[str, ...]:
        days = self.weekdays or (DAYS[first.weekday()],)
        return tuple(sorted(set(days), key=DAYS.index))

    def validate(self, first: datetime) -> None:
        if self.until is None and self.count is None:
            raise RecurrenceError("recurrence_end_required")
        if self.until is not None and self.count is not None:
            raise RecurrenceError("recurrence_until_and_count")
        if not 1 <= self.interval <= MAX_INTERVAL:
            raise RecurrenceError("recurrence_interval")
        if any(d not in DAYS for d in self.weekdays):
            raise RecurrenceError("recurrence_weekday")
        if self.count is not None and not 1 <= self.count <= MAX_OCCURRENCES:
            raise RecurrenceError("recurrence_too_long")
        if self.until is not None:
            if self.until < first.date():
                raise RecurrenceError("recurrence_until_before_start")
            if self.until - first.date() > MAX_SPAN:
                raise RecurrenceError("recurrence_too_long")


def parse_rule(text: str) -> Recurrence:
    """An RRULE value (`FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10`) to a `Recurrence`."""
    fields: dict[str, str] = {}
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    for part in body.split(";"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep:
            raise RecurrenceError("recurrence_invalid")
        fields[key.strip().upper()] = value.strip().upper()
    allowed = {"FREQ", "INTERVAL", "BYDAY", "UNTIL", "COUNT", "WKST"}
    if fields.get("FREQ") != "WEEKLY" or set(fields) - allowed:
        raise RecurrenceError("recurrence_unsupported")
    try:
        interval = int(fields.get("INTERVAL", "1"))
        count = int(fields["COUNT"]) if "COUNT" in fields else None
        until = _until(fields["UNTIL"]) if "UNTIL" in fields else None
    except ValueError:
        raise RecurrenceError("recurrence_invalid") from None
    days = tuple(d for d in fields.get("BYDAY", "").split(",") if d)
    if any(d not in DAYS for d in days):
        raise RecurrenceError("recurrence_weekday")
    return Recurrence(interval=interval, weekdays=days, until=until, count=count)


def _until(value: str) -> date:
    return datetime.strptime(value[:8], "%Y%m%d").date()


def occurrences(
    first_start: datetime, minutes: int, rule: Recurrence, timezone: str
) -> list[tuple[datetime, datetime]]:
    """UTC (start, end) of every occurrence, the first included when it matches the rule."""
    tz = ZoneInfo(timezone)
    local = first_start.astimezone(tz).replace(tzinfo=None)
    rule.validate(local)
    kwargs: dict[str, object] = {
        "dtstart": local,
        "interval": rule.interval,
        "byweekday": [weekday(DAYS.index(d)) for d in rule.days_for(local)],
        "wkst": 0,
    }
    if rule.count is not None:
        kwargs["count"] = rule.count
    if rule.until is not None:
        kwargs["until"] = datetime.combine(rule.until, time(23, 59, 59))
    starts = list(rrule(WEEKLY, **kwargs))[:MAX_OCCURRENCES]  # type: ignore[arg-type]
    utc = ZoneInfo("UTC")
    length = timedelta(minutes=minutes)
    out = []
    for naive in starts:
        start = naive.replace(tzinfo=tz)
        # End in wall time too, then both to UTC.
        out.append((start.astimezone(utc), (start + length).astimezone(utc)))
    return out


def check_rule_string(text: str) -> None:
    """Raise `RecurrenceError` when dateutil cannot read the stored rule (defensive)."""
    try:
        rrulestr(text)
    except (ValueError, TypeError):
        raise RecurrenceError("recurrence_invalid") from None
