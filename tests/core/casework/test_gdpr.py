"""One person across referrals, consents, notes and documents: subject-access export
(merimna_export_person), erasure (merimna_erase_person) and merging duplicates
(merimna_persons_merged)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tests.core.documents.test_documents import PDF, files_of, upload
from tests.core.staff.helpers import in_tenant, make_person


async def fill(
    client: Any, tenant: Any, worker: Any, psychologist: Any, person: str
) -> dict[str, str]:
    api, h = tenant.api, worker.headers
    form = await upload(client, tenant, worker, person, doc_type="consent_form")
    scan = await upload(client, tenant, worker, person, doc_type="id_card")
    consent = await client.post(
        f"{api}/beneficiaries/{person}/consents",
        json={"purpose": "referral", "document_id": form.json()["id"]},
        headers=h,
    )
    normal = await client.post(
        f"{api}/beneficiaries/{person}/notes", json={"body": "Διοικητική σημείωση"}, headers=h
    )
    clinical = await client.post(
        f"{api}/beneficiaries/{person}/notes",
        json={"body": "Κλινική σημείωση", "confidentiality": "profession"},
        headers=psychologist.headers,
    )
    referral = await client.post(
        f"{api}/referrals",
        json={
            "person_id": person,
            "kind": "external",
            "agency_type": "employment_service",
            "agency_name": "ΔΥΠΑ",
            "reason": "Ανεργία μακράς διάρκειας",
        },
        headers=h,
    )
    for response in (form, scan, consent, normal, clinical, referral):
        assert response.status_code == 201, response.text
    return {
        "form": form.json()["id"],
        "scan": scan.json()["id"],
        "consent": consent.json()["id"],
        "normal": normal.json()["id"],
        "clinical": clinical.json()["id"],
        "referral": referral.json()["id"],
    }


async def test_export_and_erase(
    client: Any, tenant: Any, social_worker: Any, staff_factory: Any
) -> None:
    from core.plugin_host import get_host
    from tenants.resolution import load_tenant

    psychologist = await staff_factory(tenant, ["psychologist"])
    person = await make_person(client, tenant, social_worker)
    ids = await fill(client, tenant, social_worker, psychologist, person)
    info = await load_tenant(tenant.slug)
    assert info is not None
    hooks = get_host().all_plugins()

    async with in_tenant(tenant.id):
        export = await hooks.export_person(tenant=info.ref, person_id=UUID(person))
    assert [c["id"] for c in export["consents"]] == [ids["consent"]]
    assert [n["body"] for n in export["case_notes"]] == ["Διοικητική σημείωση"]
    assert export["case_notes_withheld"]["count"] == 1
    assert export["case_notes_withheld"]["reason_code"] == "restricted_professional_notes"
    assert "Κλινική" not in str(export)
    assert [r["reason"] for r in export["referrals"]] == ["Ανεργία μακράς διάρκειας"]
    assert {d["id"] for d in export["documents"]} == {ids["form"], ids["scan"]}

    async with in_tenant(tenant.id):
        reasons = await hooks.erase_person(tenant=info.ref, person_id=UUID(person))
    assert any("casework" in r for r in reasons)  # consents kept as proof
    assert any("documents" in r for r in reasons)  # ... with their signed forms
    h = social_worker.headers
    for note in ("normal", "clinical"):
        assert (
            await client.get(f"{tenant.api}/notes/{ids[note]}", headers=psychologist.headers)
        ).status_code == 404
    referral = await client.get(f"{tenant.api}/referrals/{ids['referral']}", headers=h)
    assert referral.json()["reason"] == "" and referral.json()["status"] == "draft"
    assert (await client.get(f"{tenant.api}/documents/{ids['scan']}", headers=h)).status_code == 404
    assert (await client.get(f"{tenant.api}/documents/{ids['form']}", headers=h)).status_code == 200
    assert len(files_of(tenant)) == 1
    assert (
        await client.get(f"{tenant.api}/consents/{ids['consent']}", headers=h)
    ).status_code == 200


async def test_merge_moves_everything_to_the_survivor(
    client: Any, tenant: Any, admin: Any, social_worker: Any, staff_factory: Any
) -> None:
    psychologist = await staff_factory(tenant, ["psychologist"])
    survivor = await make_person(client, tenant, social_worker)
    duplicate = await make_person(client, tenant, social_worker, first_name="Ελενη")
    ids = await fill(client, tenant, social_worker, psychologist, duplicate)
    merged = await client.post(
        f"{tenant.api}/beneficiaries/{survivor}/merge",
        json={"duplicate_id": duplicate},
        headers=admin.headers,
    )
    assert merged.status_code == 200, merged.text
    api, h = tenant.api, social_worker.headers
    consents = await client.get(f"{api}/beneficiaries/{survivor}/consents", headers=h)
    assert [c["id"] for c in consents.json()["items"]] == [ids["consent"]]
    notes = await client.get(f"{api}/beneficiaries/{survivor}/notes", headers=psychologist.headers)
    assert {n["id"] for n in notes.json()["items"]} == {ids["normal"], ids["clinical"]}
    referrals = await client.get(f"{api}/referrals?person_id={survivor}", headers=h)
    assert [r["id"] for r in referrals.json()["items"]] == [ids["referral"]]
    documents = await client.get(
        f"{api}/documents?owner_type=person&owner_id={survivor}", headers=h
    )
    assert {d["id"] for d in documents.json()["items"]} == {ids["form"], ids["scan"]}
    content = await client.get(f"{api}/documents/{ids['scan']}/content", headers=h)
    assert content.content == PDF
