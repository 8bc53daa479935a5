"""Small immutable references handed to hooks: ids and codes, never personal data."""

from __future__ import annotations

from dataclasses import dataclass, field
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
