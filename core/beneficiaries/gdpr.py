"""One person's data: subject-access export (GDPR art. 15) and erasure (art. 17).

Erasure anonymises rather than deletes: ids, category codes, sex and the birth year stay, so
statutory counts (per category, sex and age band) remain right and other records that point
at the person keep a valid id; names, identifiers and contact details go.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from core.beneficiaries.services import get_person
from core.beneficiaries.tables import Beneficiary, BeneficiarySearchToken, HouseholdMember
from core.errors import NotFound

ANONYMISED_NAME = "—"


def _plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


async def export_person(person_id: Any) -> dict[str, Any]:
    try:
        person = await get_person(UUID(str(person_id)))
    except (NotFound, ValueError):
        return {}
    memberships = await HouseholdMember.select(
        HouseholdMember.household_id,
        HouseholdMember.relation,
        HouseholdMember.school_level,
        HouseholdMember.created_at,
    ).where(HouseholdMember.beneficiary_id == person["id"])
    return {"beneficiary": _plain(person), "household_memberships": _plain(memberships)}


async def erase_person(person_id: Any) -> list[str]:
    try:
        pid = UUID(str(person_id))
        person = await get_person(pid)
    except (NotFound, ValueError):
        return []
    if person["status"] == "merged":
        return [
            f"beneficiaries: record {pid} is a merged duplicate kept as a link to "
            f"{person['merged_into']}; erase the surviving person instead"
        ]
    birth: date = person["birth_date"]
    now = datetime.now(UTC)
    await Beneficiary.update(
        {
            Beneficiary.first_name: ANONYMISED_NAME,
            Beneficiary.last_name: ANONYMISED_NAME,
            Beneficiary.father_name: "",
            Beneficiary.mother_name: "",
            Beneficiary.latin_first_name: "",
            Beneficiary.latin_last_name: "",
            Beneficiary.birth_date: date(birth.year, 1, 1),
            Beneficiary.amka: None,
            Beneficiary.afm: None,
            Beneficiary.personal_number: None,
            Beneficiary.id_document_type: None,
            Beneficiary.id_document_number: None,
            Beneficiary.iban: None,
            Beneficiary.phone: None,
            Beneficiary.other_phones: [],
            Beneficiary.email: None,
            Beneficiary.address_street: "",
            Beneficiary.address_number: "",
            Beneficiary.address_postcode: "",
            Beneficiary.sort_key: "",
            Beneficiary.name_key: "",
            Beneficiary.latin_key: "",
            Beneficiary.search_key: "",
            Beneficiary.status: "inactive",
            Beneficiary.anonymised_at: now,
            Beneficiary.updated_at: now,
        }
    ).where(Beneficiary.id == pid)
    await BeneficiarySearchToken.delete().where(BeneficiarySearchToken.beneficiary_id == pid)
    return []
