"""Who may read a case note, and whether a consent record is in force: pure functions.

Confidentiality of professional notes (FACTS 6.3): psychologists' and social workers' process
notes are readable only by the author and explicitly granted colleagues; the software keeps
them apart from the administrative file. Three levels:

* ``normal``: every member of staff who may read the registry (``beneficiaries.read``);
* ``profession``: holders of the author's profession role (another psychologist reads a
  psychologist's note, a social worker does not);
* ``named``: the author and the colleagues named on the note.

The author always reads their own note.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

LEVELS = ("normal", "profession", "named")
RESTRICTED = ("profession", "named")


def can_read_note(
    note: dict[str, Any], user_id: UUID, roles: Collection[str], named: Collection[UUID]
) -> bool:
    """Whether this user, with these roles in the tenant, may read the note.

    Args:
        note: needs ``author_id``, ``confidentiality`` and ``profession``.
        named: the user ids named on the note (only consulted for ``named`` notes).
    """
    if note["author_id"] == user_id:
        return True
    level = note["confidentiality"]
    if level == "normal":
        return True
    if level == "profession":
        return bool(note["profession"]) and note["profession"] in roles
    if level == "named":
        return user_id in named
    return False  # an unknown level fails closed


def consent_in_force(consent: dict[str, Any], on: datetime | None = None) -> bool:
    """Given, not withdrawn, already given at `on` and not past its `valid_until` date."""
    on = on or datetime.now(UTC)
    if consent["status"] != "given" or consent.get("withdrawn_at") is not None:
        return False
    given_at = consent["given_at"]
    if given_at.tzinfo is None:
        given_at = given_at.replace(tzinfo=UTC)
    if given_at > on:
        return False
    until: date | None = consent.get("valid_until")
    return until is None or until >= on.date()
