"""Consent records: the only writer of the `consent` table.

Public for other areas and modules: `has_consent(person_id, purpose)`,
`consents_in_force(person_ids, purposes)` and
`consent_in_force_for(consent_id, person_id, purpose)`. Consent here is the record that a
person agreed to one purpose (a referral to an outside agency, data sharing, SMS reminders);
most processing in municipal social services rests on a legal obligation or public task, not
on consent, so only the purposes that need it ask for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID, uuid4

from core.audit.writer import record
from core.casework.rules import consent_in_force
from core.casework.schemas import ConsentCreate
from core.casework.tables import Consent
from core.errors import Conflict, NotFound, RequestValidationError
from core.pagination import keyset

if TYPE_CHECKING:
    from core.context import RequestContext


def _now() -> datetime:
    return datetime.now(UTC)


async def _audit(
    actor: Any, action: str, object_id: Any, details: dict[str, Any] | None = None
) -> None:
    await record(cast("RequestContext", actor), action, "consent", object_id, details=details)


def _out(row: dict[str, Any]) -> dict[str, Any]:
    out = {
        k: row[k]
        for k in (
            "id",
            "person_id",
            "purpose",
            "status",
            "given_at",
            "valid_until",
            "withdrawn_at",
            "by_whom",
            "legal_basis",
            "document_id",
            "recorded_by",
            "withdrawn_by",
            "created_at",
        )
    }
    out["in_force"] = consent_in_force(row)
    return out


# -- public ---------------------------------------------------------------------------------


async def has_consent(person_id: UUID, purpose: str) -> bool:
    """Whether the person (current tenant) has a consent in force for this purpose."""
    return await current_consent(person_id, purpose) is not None


async def consents_in_force(
    person_ids: Sequence[UUID], purposes: Sequence[str]
) -> set[tuple[UUID, str]]:
    """The (person, purpose) pairs among these with a consent in force: one statement for
    what `has_consent` would ask once per pair (the reminders of a booking, issue 11)."""
    if not person_ids or not purposes:
        return set()
    rows = await Consent.select(
        Consent.person_id,
        Consent.purpose,
        Consent.status,
        Consent.given_at,
        Consent.valid_until,
        Consent.withdrawn_at,
    ).where(
        Consent.person_id.is_in(list(person_ids))
        & Consent.purpose.is_in(list(purposes))
        & (Consent.status == "given")
    )
    return {(r["person_id"], r["purpose"]) for r in rows if consent_in_force(r)}


async def current_consent(person_id: UUID, purpose: str) -> dict[str, Any] | None:
    """The most recent consent in force for this person and purpose, or None."""
    rows = (
        await Consent.select()
        .where(
            (Consent.person_id == person_id)
            & (Consent.purpose == purpose)
            & (Consent.status == "given")
        )
        .order_by(Consent.given_at, ascending=False)
    )
    for row in rows:
        if consent_in_force(row):
            return _out(row)
    return None


async def get_consent(consent_id: UUID) -> dict[str, Any]:
    row = await Consent.select().where(Consent.id == consent_id).first()
    if row is None:
        raise NotFound()
    return _out(row)


async def consent_in_force_for(consent_id: UUID, person_id: UUID, purpose: str) -> bool:
    """Whether this consent record is the person's, for this purpose, and in force.

    Raises `NotFound` when no such record exists in the current tenant."""
    consent = await get_consent(consent_id)
    return bool(
        consent["person_id"] == person_id and consent["purpose"] == purpose and consent["in_force"]
    )


# -- writes ---------------------------------------------------------------------------------


async def _person_must_exist(person_id: UUID) -> None:
    from core.beneficiaries.services import person_exists

    if not await person_exists(person_id):
        raise NotFound()


async def record_consent(actor: Any, person_id: UUID, data: ConsentCreate) -> dict[str, Any]:
    await _person_must_exist(person_id)
    given_at = data.given_at or _now()
    if data.valid_until is not None and data.valid_until < given_at.date():
        raise RequestValidationError.single("valid_until", "valid_until_before_given")
    if data.document_id is not None:
        from core.documents.services import document_owner

        owner = await document_owner(data.document_id)  # NotFound for another tenant's
        if owner != ("person", person_id):
            raise RequestValidationError.single("document_id", "document_not_of_person")
    consent_id = uuid4()
    await Consent.insert(
        Consent(
            id=consent_id,
            person_id=person_id,
            purpose=data.purpose,
            status="given",
            given_at=given_at,
            valid_until=data.valid_until,
            by_whom=data.by_whom,
            legal_basis=data.legal_basis,
            document_id=data.document_id,
            recorded_by=getattr(actor, "user_id", None),
            created_at=_now(),
        )
    )
    await _audit(
        actor, "create", consent_id, {"person_id": str(person_id), "purpose": data.purpose}
    )
    return await get_consent(consent_id)


async def withdraw_consent(actor: Any, consent_id: UUID) -> dict[str, Any]:
    consent = await get_consent(consent_id)
    if consent["status"] == "withdrawn":
        raise Conflict("consent_already_withdrawn")
    await Consent.update(
        {
            Consent.status: "withdrawn",
            Consent.withdrawn_at: _now(),
            Consent.withdrawn_by: getattr(actor, "user_id", None),
        }
    ).where(Consent.id == consent_id)
    await _audit(actor, "update", consent_id, {"withdrawn": True})
    return await get_consent(consent_id)


async def list_consents(
    actor: Any,
    person_id: UUID,
    *,
    purpose: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    await _person_must_exist(person_id)
    query = Consent.select().where(Consent.person_id == person_id)
    if purpose is not None:
        query = query.where(Consent.purpose == purpose)
    rows, next_cursor = await keyset(
        query,
        sort=Consent.given_at,
        id_column=Consent.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    items = [_out(r) for r in rows]
    await _audit(
        actor, "read", "", {"person_id": str(person_id), "ids": [str(i["id"]) for i in items]}
    )
    return items, next_cursor


async def read_consent(actor: Any, consent_id: UUID) -> dict[str, Any]:
    consent = await get_consent(consent_id)
    await _audit(actor, "read", consent_id)
    return consent


async def document_in_use(document_id: UUID) -> bool:
    """Whether a consent record names this document as its signed form."""
    return bool(await Consent.exists().where(Consent.document_id == document_id))
