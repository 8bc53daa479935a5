"""The rules of a referral's life, as data and pure functions (no I/O)."""

from __future__ import annotations

from datetime import date

STATUSES = ("draft", "sent", "accepted", "rejected", "completed", "cancelled")
AGENCY_TYPES = (
    "mental_health_service",
    "employment_service",
    "hospital",
    "school",
    "prosecutor",
    "other_municipality",
    "other",
)
# Agencies whose mere mention reveals health or criminal-offence data (GDPR art. 9, 10):
# referrals to them are shown only to roles that may see special categories.
SPECIAL_AGENCIES = frozenset({"mental_health_service", "hospital", "prosecutor"})
# Legal bases under which an external referral needs no consent record.
NO_CONSENT_BASES = frozenset({"legal_obligation", "vital_interest"})

TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"sent", "cancelled"}),
    "sent": frozenset({"accepted", "rejected", "cancelled"}),
    "accepted": frozenset({"completed", "cancelled"}),
    "rejected": frozenset(),
    "completed": frozenset(),
    "cancelled": frozenset(),
}


OPEN_STATUSES = ("draft", "sent", "accepted")


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def needs_consent(kind: str, legal_basis: str, direction: str = "outgoing") -> bool:
    """An outgoing external referral discloses data to another controller: consent, unless a
    legal obligation or someone's vital interest is the recorded basis. An incoming one
    discloses nothing (the sender answered for its own disclosure)."""
    return kind == "external" and direction == "outgoing" and legal_basis not in NO_CONSENT_BASES


def is_overdue(status: str, due_date: date | None, today: date) -> bool:
    """Still open and past its deadline (the due day itself is not late)."""
    return due_date is not None and status in OPEN_STATUSES and due_date < today


def visible_to(agency_type: str | None, sees_special: bool) -> bool:
    return sees_special or agency_type not in SPECIAL_AGENCIES
