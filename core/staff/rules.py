"""Weekly hours as data: `{"mon": [["08:00", "15:00"]], ...}` in the tenant's local time.

The same shape as the tenant's operating hours (tenants.schemas), so scheduling reads staff,
unit and tenant hours the same way. Pure functions, no I/O.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from pydantic_core import PydanticCustomError

from core.errors import invalid
from tenants.schemas import WEEKDAYS, validate_hours

WeeklyHours = dict[str, list[list[str]]]


def clean_hours(value: Any) -> WeeklyHours:
    """Validated weekly spans, ordered by weekday and start; overlapping spans refused."""
    if not isinstance(value, dict):
        raise invalid("invalid_hours")
    try:
        hours = validate_hours(value)
    except PydanticCustomError as exc:
        # The tenant's validator names its own code; staff and unit hours keep theirs.
        if exc.type == "tenant_hours_overlap":
            raise invalid("hours_overlap", **(exc.context or {})) from None
        raise
    out: WeeklyHours = {}
    for day in WEEKDAYS:
        spans = sorted(hours.get(day, []))
        for before, after in pairwise(spans):
            if after[0] < before[1]:
                raise invalid("hours_overlap", day=day)
        if spans:
            out[day] = spans
    return out


def minutes_per_week(hours: WeeklyHours) -> int:
    total = 0
    for spans in hours.values():
        for start, end in spans:
            total += _minutes(end) - _minutes(start)
    return total


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)
