"""Subject access and erasure through `/beneficiaries/{id}/export` and `/erase`: every plugin's
data in one document (JSON and HTML), erasure refused under retention (nothing changed) and
accepted with retention, permissions, bad input and isolation between municipalities."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from core.testing import make_staff, make_tenant
from tests.core.staff.helpers import codes, in_tenant, make_person

ROMA = "/modules/roma_branch"
ESF_ENTRY = {
    "sex": "female",
    "employment_status": "long_term_unemployed",
    "education": "isced_0_2",
    "disability": "declined",
    "third_country_national": "no",
    "foreign_background": "no",
    "minority": "yes",
    "homeless": "no",
    "rural": "no",
}


async def _audit_actions(tenant_id: UUID, object_id: str) -> list[str]:
    from core.audit.tables import AuditEvent

    async with in_tenant(tenant_id):
        rows = await AuditEvent.select(AuditEvent.action).where(
            (AuditEvent.object_type == "beneficiary") & (AuditEvent.object_id == object_id)
        )
    return [r["action"] for r in rows]


@pytest.fixture(scope="module")
async def world(client: Any) -> dict[str, Any]:
    """One municipality with the Roma branch, one without; staff of every relevant role."""
    tenant = await make_tenant(["roma_branch"])
    other = await make_tenant(["roma_branch"])
    return {
        "tenant": tenant,
        "other": other,
        "admin": await make_staff(tenant, ["tenant_admin"]),
        "worker": await make_staff(tenant, ["social_worker"]),
        "reception": await make_staff(tenant, ["reception"]),
        "other_admin": await make_staff(other, ["tenant_admin"]),
    }


async def test_export_json_and_html(client: Any, world: dict[str, Any]) -> None:
    tenant, admin, worker = world["tenant"], world["admin"], world["worker"]
    person = await make_person(
        client, tenant, worker, first_name="Σοφία", last_name="Καραγιάννη", amka="01013099997"
    )
    note = await client.post(
        f"{tenant.api}/beneficiaries/{person}/notes",
        json={"body": "Συνάντηση <b>ενημέρωσης</b>"},
        headers=worker.headers,
    )
    assert note.status_code == 201, note.text
    referral = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "internal",
            "target_module": "roma_branch",
            "reason": "Στέγαση",
        },
        headers=worker.headers,
    )
    assert referral.status_code == 201, referral.text
    esf = await client.post(
        f"{tenant.api}{ROMA}/esf-records",
        json={
            "person_id": person,
            "kind": "entry",
            "recorded_on": "2026-01-10",
            "fields": ESF_ENTRY,
        },
        headers=worker.headers,
    )
    assert esf.status_code == 201, esf.text

    url = f"{tenant.api}/beneficiaries/{person}/export"
    r = await client.get(url, headers=admin.headers)
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["format"] == "merimna.person-export" and doc["person_id"] == person
    data = doc["data"]
    assert data["beneficiary"]["first_name"] == "Σοφία"
    assert data["beneficiary"]["amka"] == "01013099997"
    assert [n["body"] for n in data["case_notes"]] == ["Συνάντηση <b>ενημέρωσης</b>"]
    assert [x["reason"] for x in data["referrals"]] == ["Στέγαση"]
    assert data["roma_branch"]["esf"][0]["fields"]["minority"] == "yes"  # a module's section
    assert "tenant_id" not in str(data["beneficiary"])
    assert "export" in await _audit_actions(tenant.id, person)

    page = await client.get(f"{url}?format=html", headers=admin.headers)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Τα δεδομένα σας" in page.text and "Καραγιάννη" in page.text
    assert "roma_branch" in page.text and "<table>" in page.text
    assert "&lt;b&gt;ενημέρωσης" in page.text and "<b>ενημέρωσης" not in page.text  # escaped
    english = await client.get(
        f"{url}?format=html", headers={**admin.headers, "Accept-Language": "en"}
    )
    assert "Your data" in english.text

    # Bad input: 422 naming the field.
    bad = await client.get(f"{url}?format=pdf", headers=admin.headers)
    assert bad.status_code == 422 and "format" in [f for f, _ in codes(bad)]
    # Roles without the right: 403; another tenant's id or an unknown one: 404.
    for staff in (worker, world["reception"]):
        assert (await client.get(url, headers=staff.headers)).status_code == 403
    theirs = f"{world['other'].api}/beneficiaries/{person}/export"
    assert (await client.get(theirs, headers=world["other_admin"].headers)).status_code == 404
    assert (await client.get(theirs, headers=admin.headers)).status_code == 404  # no membership
    unknown = f"{tenant.api}/beneficiaries/{UUID(int=7)}/export"
    assert (await client.get(unknown, headers=admin.headers)).status_code == 404


async def test_erase_refused_under_retention_then_accepted(
    client: Any, world: dict[str, Any]
) -> None:
    tenant, admin, worker = world["tenant"], world["admin"], world["worker"]
    person = await make_person(
        client, tenant, worker, first_name="Ζωή", last_name="Μιχαηλίδου", amka="02028512347"
    )
    await client.post(
        f"{tenant.api}/beneficiaries/{person}/notes",
        json={"body": "Σημείωση"},
        headers=worker.headers,
    )
    esf = await client.post(
        f"{tenant.api}{ROMA}/esf-records",
        json={
            "person_id": person,
            "kind": "entry",
            "recorded_on": "2026-01-10",
            "fields": ESF_ENTRY,
        },
        headers=worker.headers,
    )
    assert esf.status_code == 201, esf.text
    url = f"{tenant.api}/beneficiaries/{person}/erase"

    refused = await client.post(url, json={}, headers=admin.headers)
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["code"] == "retention_applies"
    assert any("ΕΚΤ" in r["message"] for r in body["retained"])
    # Nothing changed: name, identifiers and the note are all still there.
    still = (await client.get(f"{tenant.api}/beneficiaries/{person}", headers=admin.headers)).json()
    assert still["first_name"] == "Ζωή" and still["amka"] == "02028512347"
    export = (
        await client.get(f"{tenant.api}/beneficiaries/{person}/export", headers=admin.headers)
    ).json()
    assert len(export["data"]["case_notes"]) == 1

    english = await client.post(url, json={}, headers={**admin.headers, "Accept-Language": "en"})
    assert any("ESF" in r["message"] for r in english.json()["retained"])

    done = await client.post(url, json={"accept_retention": True}, headers=admin.headers)
    assert done.status_code == 200, done.text
    out = done.json()
    assert out["status"] == "erased_with_retention" and out["anonymised"] is True
    assert out["removed"]["case_notes"] == 1
    assert out["remaining"]["roma_branch.esf"] == 1  # kept for the ESF audit
    assert out["retained"]
    gone = (await client.get(f"{tenant.api}/beneficiaries/{person}", headers=admin.headers)).json()
    assert gone["first_name"] != "Ζωή" and gone["amka"] is None
    found = await client.get(f"{tenant.api}/beneficiaries?q=Μιχαηλίδου", headers=admin.headers)
    assert person not in [p["id"] for p in found.json()["items"]]
    assert "erase" in await _audit_actions(tenant.id, person)


async def test_erase_without_retention_roles_input_isolation(
    client: Any, world: dict[str, Any]
) -> None:
    tenant, admin, worker = world["tenant"], world["admin"], world["worker"]
    person = await make_person(client, tenant, worker, first_name="Άρης", last_name="Νικολάου")
    referral = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "internal",
            "target_module": "roma_branch",
            "reason": "Ιδιαίτερος λόγος",
        },
        headers=worker.headers,
    )
    assert referral.status_code == 201, referral.text
    url = f"{tenant.api}/beneficiaries/{person}/erase"

    # Bad input: 422 naming the field, nothing erased.
    bad = await client.post(url, json={"accept_retention": "maybe"}, headers=admin.headers)
    assert bad.status_code == 422 and codes(bad)[0][0] == "accept_retention"
    extra = await client.post(url, json={"tenant_id": str(UUID(int=1))}, headers=admin.headers)
    assert extra.status_code == 422 and codes(extra)[0][0] == "tenant_id"
    # Roles without the right: 403; another tenant (and its admin): 404; nothing erased.
    for staff in (worker, world["reception"]):
        assert (await client.post(url, json={}, headers=staff.headers)).status_code == 403
    theirs = f"{world['other'].api}/beneficiaries/{person}/erase"
    r = await client.post(theirs, json={}, headers=world["other_admin"].headers)
    assert r.status_code == 404
    same = (await client.get(f"{tenant.api}/beneficiaries/{person}", headers=admin.headers)).json()
    assert same["first_name"] == "Άρης"

    done = await client.post(url, json={}, headers=admin.headers)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "erased" and done.json()["retained"] == []
    ref = await client.get(
        f"{tenant.api}/referrals/{referral.json()['id']}", headers=worker.headers
    )
    assert ref.status_code == 200 and ref.json()["reason"] == ""  # free text gone, codes stay
    person_now = await client.get(f"{tenant.api}/beneficiaries/{person}", headers=admin.headers)
    assert person_now.json()["first_name"] != "Άρης"
