"""Which days a municipality's services are closed or close early: pure, no I/O.

The national base comes from the maintained `holidays` library (Orthodox Easter and the
moveable feasts, Labour Day with its observed rules). Public-sector services also close on
Holy Saturday (Easter − 1) and Easter Sunday, which the library does not list, and close two
hours early on 24 and 31 December (the library's `half_day` category). On top of that each
tenant has its own days (the patron saint's, `LocalDay`) and a per-year correction table
(`Override`) where an administrator records what the State announces each year (a moved Labour Day).
See ../shared/domain/FACTS.md §2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from uuid import UUID

import holidays
from dateutil.easter import EASTER_ORTHODOX, easter

CLOSED = "holiday"
HALF_DAY = "half_day"
# Half-days: services close two hours before their usual closing time (FACTS.md §2.4).
EARLY_CLOSE = timedelta(hours=2)


@dataclass(frozen=True)
class Day:
    """A closed day (`kind="holiday"`) or a half-day (`kind="half_day"`) of one tenant."""

    day: date
    name_el: str
    name_en: str
    kind: str = CLOSED
    # national | holy_saturday | local | override
    source: str = "national"
    id: UUID | None = None

    @property
    def closed(self) -> bool:
        return self.kind == CLOSED


@dataclass(frozen=True)
class LocalDay:
    """A tenant's own closed day; `recurring` repeats it every year on the same date."""

    day: date
    name_el: str
    name_en: str = ""
    recurring: bool = False
    id: UUID | None = None


@dataclass(frozen=True)
class Override:
    """A correction for one year: `add` a closed day, `remove` one, or mark a `half_day`."""

    day: date
    action: str  # add | remove | half_day
    name_el: str = ""
    name_en: str = ""
    id: UUID | None = None


def orthodox_easter(year: int) -> date:
    return easter(year, EASTER_ORTHODOX)


def holy_saturday(year: int) -> date:
    return orthodox_easter(year) - timedelta(days=1)


@lru_cache(maxsize=256)
def national_days(year: int) -> tuple[Day, ...]:
    """Public-sector closed days and half-days of Greece for one year, sorted by date."""
    names_el = holidays.country_holidays("GR", years=year, language="el")
    names_en = holidays.country_holidays("GR", years=year, language="en_US")
    out: dict[date, Day] = {}
    for day, name_el in names_el.items():
        name_en = names_en.get(day, name_el)
        out[day] = Day(day, name_el, name_en, CLOSED, "national")
    sunday = orthodox_easter(year)  # a Sunday, but named: some services open on Sundays
    out.setdefault(sunday, Day(sunday, "Κυριακή του Πάσχα", "Easter Sunday", CLOSED, "national"))
    saturday = holy_saturday(year)
    if saturday in out:  # 2027: Labour Day falls on Holy Saturday
        other = out[saturday]
        out[saturday] = Day(
            saturday,
            f"{other.name_el}; Μεγάλο Σάββατο",
            f"{other.name_en}; Holy Saturday",
            CLOSED,
            other.source,
        )
    else:
        out[saturday] = Day(saturday, "Μεγάλο Σάββατο", "Holy Saturday", CLOSED, "holy_saturday")
    half_el = holidays.country_holidays("GR", years=year, categories=("half_day",), language="el")
    half_en = holidays.country_holidays(
        "GR", years=year, categories=("half_day",), language="en_US"
    )
    defaults = {
        date(year, 12, 24): ("Παραμονή Χριστουγέννων", "Christmas Eve"),
        date(year, 12, 31): ("Παραμονή Πρωτοχρονιάς", "New Year's Eve"),
    }
    for day, (name_el, name_en) in defaults.items():
        if day not in out:
            out[day] = Day(
                day,
                half_el.get(day, name_el),
                half_en.get(day, name_en),
                HALF_DAY,
                "national",
            )
    return tuple(sorted(out.values(), key=lambda d: d.day))


def tenant_days(
    year: int, local: Iterable[LocalDay] = (), overrides: Iterable[Override] = ()
) -> dict[date, Day]:
    """The effective calendar of one tenant for one year: national, local, then overrides."""
    days = {d.day: d for d in national_days(year)}
    for item in local:
        when = _in_year(item, year)
        if when is None:
            continue
        existing = days.get(when)
        if existing is not None and existing.closed:
            continue  # already closed nationally; keep the national name
        days[when] = Day(when, item.name_el, item.name_en or item.name_el, CLOSED, "local", item.id)
    for fix in overrides:
        if fix.day.year != year:
            continue
        if fix.action == "remove":
            days.pop(fix.day, None)
        elif fix.action in ("add", HALF_DAY):
            kind = CLOSED if fix.action == "add" else HALF_DAY
            name_el = fix.name_el or (days[fix.day].name_el if fix.day in days else "")
            name_en = fix.name_en or (days[fix.day].name_en if fix.day in days else name_el)
            days[fix.day] = Day(fix.day, name_el, name_en, kind, "override", fix.id)
    return dict(sorted(days.items()))


def _in_year(item: LocalDay, year: int) -> date | None:
    if not item.recurring:
        return item.day if item.day.year == year else None
    if item.day.year > year:
        return None
    try:
        return item.day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return None


def days_between(
    first: date, last: date, local: Iterable[LocalDay] = (), overrides: Iterable[Override] = ()
) -> dict[date, Day]:
    """Every special day from `first` to `last` inclusive (spanning years if need be)."""
    local, overrides = list(local), list(overrides)
    out: dict[date, Day] = {}
    for year in range(first.year, last.year + 1):
        for day, info in tenant_days(year, local, overrides).items():
            if first <= day <= last:
                out[day] = info
    return out


def with_names(day: Day, lang: str) -> str:
    return day.name_el if lang == "el" else day.name_en


__all__ = [
    "CLOSED",
    "EARLY_CLOSE",
    "HALF_DAY",
    "Day",
    "LocalDay",
    "Override",
    "days_between",
    "holy_saturday",
    "national_days",
    "orthodox_easter",
    "tenant_days",
]
