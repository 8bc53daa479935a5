"""One person's casework data: subject-access export, erasure, and a merge of duplicates.

* Export: every consent record; the `normal` case notes with their text; restricted notes
  (`profession`, `named`: process and clinical notes) are withheld and the export says how
  many and why (GDPR art. 15(4) and 23; FACTS 6.3 and 8).
* Erasure: case notes are deleted; consent records are kept, without free text, as proof
  that processing rested on consent while it did (GDPR art. 7(1)), and the answer says so.
* Merge: consents and notes of the duplicate move to the surviving person.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from core.casework.notes import erase_notes, export_notes
from core.casework.tables import CaseNote, Consent
from core.i18n import t


def _uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key == "tenant_id":
            continue
        if isinstance(value, UUID):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        out[key] = value
    return out


async def export_person(person_id: Any) -> dict[str, Any]:
    pid = _uuid(person_id)
    if pid is None:
        return {}
    consents = await Consent.select().where(Consent.person_id == pid).order_by(Consent.given_at)
    notes, withheld = await export_notes(pid)
    out: dict[str, Any] = {
        "consents": [_plain(c) for c in consents],
        "case_notes": notes,
    }
    if withheld:
        out["case_notes_withheld"] = {
            "count": withheld,
            "reason_code": "restricted_professional_notes",
            "reason": t("casework.export.notes_withheld", count=withheld),
        }
    return out


async def erase_person(person_id: Any) -> list[str]:
    pid = _uuid(person_id)
    if pid is None:
        return []
    await erase_notes(pid)
    kept = await Consent.count().where(Consent.person_id == pid)
    if kept:
        return [t("casework.erase.consents_kept", count=kept)]
    return []


async def move_person(survivor_id: Any, merged_id: Any) -> None:
    survivor, merged = _uuid(survivor_id), _uuid(merged_id)
    if survivor is None or merged is None:
        return
    await Consent.update({Consent.person_id: survivor}).where(Consent.person_id == merged)
    await CaseNote.update({CaseNote.person_id: survivor}).where(CaseNote.person_id == merged)
