"""The municipality's calendar.

"Today" and "now" are the tenant's local date and time, never the server's: a server running in
UTC is still on yesterday between midnight and 02:00/03:00 in Athens, so a birth date or a
visit entered then would be refused as "in the future" (or a report would miss a day). Every
tenant so far is Greek; the zone is the tenant's own setting where a caller has the tenant.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Athens"


class HasTimezone(Protocol):
    @property
    def timezone(self) -> str: ...


def zone(tenant: HasTimezone | None = None) -> ZoneInfo:
    return ZoneInfo(getattr(tenant, "timezone", None) or DEFAULT_TIMEZONE)


def now(tenant: HasTimezone | None = None) -> datetime:
    """The tenant's wall-clock time, timezone-aware."""
    return datetime.now(zone(tenant))


def today(tenant: HasTimezone | None = None) -> date:
    """The tenant's date (the Greek date when no tenant is at hand, e.g. in a form validator)."""
    return now(tenant).date()
