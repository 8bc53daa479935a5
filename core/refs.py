"""Small immutable references handed to hooks: ids and codes, never personal data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID


@dataclass(frozen=True, slots=True)
class TenantRef:
    id: UUID
    slug: str
    timezone: str = "Europe/Athens"
    modules: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True, slots=True)
class PersonRef:
    id: UUID
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AppointmentRef:
    """An appointment as it is after a change: times, status and who takes part, by id.

    Handed to `merimna_appointment_changed` so that a reaction (a reminder, a module's
    record kept in step) need not read back what the booking has just written."""

    id: UUID
    start: datetime  # UTC
    end: datetime  # UTC
    status: str
    series_id: UUID | None = None
    staff_ids: tuple[UUID, ...] = ()
    beneficiary_ids: tuple[UUID, ...] = ()
