"""Referrals: internal and external, consent, status transitions, isolation, the report."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tests.core.staff.helpers import codes, in_tenant, make_person

EXTERNAL = {
    "kind": "external",
    "agency_type": "employment_service",
    "agency_name": "ΔΥΠΑ Χίου",
    "reason": "Αναζήτηση εργασίας, χρειάζεται κατάρτιση.",
}


async def give_consent(
    client: Any, tenant: Any, staff: Any, person: str, purpose: str = "referral"
) -> str:
    response = await client.post(
        f"{tenant.api}/beneficiaries/{person}/consents",
        json={"purpose": purpose},
        headers=staff.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_internal_referral_to_a_unit_and_to_a_module(
    client: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    tenant = await tenant_factory(modules=["family_center"])
    admin = await staff_factory(tenant, ["tenant_admin"])
    worker = await staff_factory(tenant, ["social_worker"])
    person = await make_person(client, tenant, worker)
    unit = await client.post(
        f"{tenant.api}/units",
        json={"code": "ksoi", "name_el": "ΚΣΟΙ", "kind": "family_support_centre"},
        headers=admin.headers,
    )
    to_unit = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "internal",
            "target_unit_id": unit.json()["id"],
            "reason": "Συμβουλευτική γονέων",
            "urgency": "urgent",
            "due_date": "2030-01-31",
        },
        headers=worker.headers,
    )
    assert to_unit.status_code == 201, to_unit.text
    body = to_unit.json()
    assert body["status"] == "draft" and body["urgency"] == "urgent"
    assert body["reason"] == "Συμβουλευτική γονέων"
    assert body["consent_id"] is None  # internal: no consent needed
    assert [(h["from_status"], h["to_status"]) for h in body["history"]] == [(None, "draft")]
    assert body["history"][0]["changed_by"] == str(worker.user_id)

    to_module = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "internal",
            "target_module": "family_center",
            "reason": "Ψυχολογική υποστήριξη",
            "status": "sent",
        },
        headers=worker.headers,
    )
    assert to_module.status_code == 201, to_module.text
    assert to_module.json()["status"] == "sent"
    assert [h["to_status"] for h in to_module.json()["history"]] == ["draft", "sent"]

    bad = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "internal",
            "target_module": "food_bank",
            "agency_name": "X",
            "reason": "",
        },
        headers=worker.headers,
    )
    assert bad.status_code == 422
    assert set(codes(bad)) == {("reason", "string_too_short")}
    bad = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "internal",
            "target_module": "food_bank",
            "agency_name": "X",
            "reason": "x",
        },
        headers=worker.headers,
    )
    assert set(codes(bad)) == {
        ("target_module", "unknown_target_module"),
        ("agency_name", "not_for_internal"),
    }
    no_target = await client.post(
        f"{tenant.api}/referrals",
        json={"person_id": person, "kind": "internal", "reason": "x"},
        headers=worker.headers,
    )
    assert codes(no_target) == [("target_module", "target_required")]


async def test_external_referral_needs_consent(
    client: Any, tenant: Any, social_worker: Any
) -> None:
    person = await make_person(client, tenant, social_worker)
    refused = await client.post(
        f"{tenant.api}/referrals",
        json={"person_id": person, **EXTERNAL},
        headers=social_worker.headers,
    )
    assert refused.status_code == 422
    assert codes(refused) == [("consent_id", "consent_required")]
    missing = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "external",
            "reason": "x",
            "legal_basis": "vital_interest",
        },
        headers=social_worker.headers,
    )
    assert set(codes(missing)) == {("agency_type", "missing"), ("agency_name", "missing")}
    listed = await client.get(f"{tenant.api}/referrals", headers=social_worker.headers)
    assert listed.json()["items"] == []  # nothing stored

    # a legal obligation (a prosecutor's order) needs no consent
    ordered = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "external",
            "agency_type": "prosecutor",
            "agency_name": "Εισαγγελία Ανηλίκων",
            "reason": "Έκθεση κοινωνικής έρευνας",
            "legal_basis": "legal_obligation",
            "legal_basis_note": "Παραγγελία 123/2026",
        },
        headers=social_worker.headers,
    )
    assert ordered.status_code == 201, ordered.text
    assert ordered.json()["legal_basis_note"] == "Παραγγελία 123/2026"

    # a consent for another purpose does not count; one for referrals is linked by itself
    await give_consent(client, tenant, social_worker, person, purpose="notifications_sms")
    assert (
        await client.post(
            f"{tenant.api}/referrals",
            json={"person_id": person, **EXTERNAL},
            headers=social_worker.headers,
        )
    ).status_code == 422
    consent_id = await give_consent(client, tenant, social_worker, person)
    made = await client.post(
        f"{tenant.api}/referrals",
        json={"person_id": person, **EXTERNAL},
        headers=social_worker.headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["consent_id"] == consent_id

    # a withdrawn consent, named explicitly, is refused
    withdrawn = await client.post(
        f"{tenant.api}/consents/{consent_id}/withdraw", headers=social_worker.headers
    )
    assert withdrawn.status_code == 200
    again = await client.post(
        f"{tenant.api}/referrals",
        json={"person_id": person, **EXTERNAL, "consent_id": consent_id},
        headers=social_worker.headers,
    )
    assert codes(again) == [("consent_id", "consent_not_in_force")]
    # ... and the draft made while it was in force cannot be sent any more
    sent = await client.post(
        f"{tenant.api}/referrals/{made.json()['id']}/status",
        json={"status": "sent"},
        headers=social_worker.headers,
    )
    assert sent.status_code == 422
    assert codes(sent) == [("status", "consent_not_in_force")]

    # another person's consent is not this person's
    other_person = await make_person(client, tenant, social_worker, first_name="Άννα")
    theirs = await give_consent(client, tenant, social_worker, other_person)
    mixed = await client.post(
        f"{tenant.api}/referrals",
        json={"person_id": person, **EXTERNAL, "consent_id": theirs},
        headers=social_worker.headers,
    )
    assert codes(mixed) == [("consent_id", "consent_not_in_force")]


async def test_status_transitions(
    client: Any, tenant: Any, social_worker: Any, staff_factory: Any
) -> None:
    psychologist = await staff_factory(tenant, ["psychologist"])
    person = await make_person(client, tenant, social_worker)
    await give_consent(client, tenant, social_worker, person)
    made = await client.post(
        f"{tenant.api}/referrals",
        json={"person_id": person, **EXTERNAL},
        headers=social_worker.headers,
    )
    rid = made.json()["id"]
    url = f"{tenant.api}/referrals/{rid}/status"

    jump = await client.post(url, json={"status": "completed"}, headers=social_worker.headers)
    assert jump.status_code == 422
    assert codes(jump) == [("status", "invalid_transition")]
    assert "draft" in jump.json()["errors"][0]["message"]
    unknown = await client.post(url, json={"status": "lost"}, headers=social_worker.headers)
    assert unknown.status_code == 422

    for status, who in (("sent", social_worker), ("accepted", psychologist)):
        moved = await client.post(
            url, json={"status": status, "note": f"→ {status}"}, headers=who.headers
        )
        assert moved.status_code == 200, moved.text
    done = await client.post(
        url,
        json={"status": "completed", "outcome": "Εντάχθηκε σε πρόγραμμα κατάρτισης"},
        headers=social_worker.headers,
    )
    assert done.status_code == 200
    body = done.json()
    assert body["status"] == "completed"
    assert body["outcome"] == "Εντάχθηκε σε πρόγραμμα κατάρτισης"
    history = [(h["from_status"], h["to_status"], h["changed_by"]) for h in body["history"]]
    assert history == [
        (None, "draft", str(social_worker.user_id)),
        ("draft", "sent", str(social_worker.user_id)),
        ("sent", "accepted", str(psychologist.user_id)),
        ("accepted", "completed", str(social_worker.user_id)),
    ]
    assert body["history"][2]["note"] == "→ accepted"
    # terminal
    for status in ("cancelled", "sent", "draft"):
        late = await client.post(url, json={"status": status}, headers=social_worker.headers)
        assert late.status_code == 422
    read = await client.get(f"{tenant.api}/referrals/{rid}", headers=social_worker.headers)
    assert read.json()["status"] == "completed"

    # filters
    listed = await client.get(
        f"{tenant.api}/referrals?status=completed&person_id={person}", headers=social_worker.headers
    )
    assert [r["id"] for r in listed.json()["items"]] == [rid]
    none = await client.get(f"{tenant.api}/referrals?status=draft", headers=social_worker.headers)
    assert none.json()["items"] == []


async def test_free_text_is_encrypted(client: Any, tenant: Any, social_worker: Any) -> None:
    from core import db

    person = await make_person(client, tenant, social_worker)
    made = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "external",
            "agency_type": "mental_health_service",
            "agency_name": "Κέντρο Ψυχικής Υγείας",
            "reason": "Καταθλιπτικό επεισόδιο",
            "legal_basis": "vital_interest",
        },
        headers=social_worker.headers,
    )
    assert made.status_code == 201
    async with in_tenant(tenant.id):
        rows = await db.fetch("SELECT reason FROM referral WHERE id = {}", UUID(made.json()["id"]))
    assert rows and "Καταθλιπτικό" not in rows[0]["reason"] and rows[0]["reason"]


async def test_permissions_and_special_agencies(
    client: Any, tenant: Any, social_worker: Any, staff_factory: Any
) -> None:
    reception = await staff_factory(tenant, ["reception"])
    pedagogue = await staff_factory(tenant, ["pedagogue"])
    person = await make_person(client, tenant, social_worker)
    assert (
        await client.get(f"{tenant.api}/referrals", headers=reception.headers)
    ).status_code == 403
    assert (
        await client.post(
            f"{tenant.api}/referrals",
            json={"person_id": person, **EXTERNAL},
            headers=reception.headers,
        )
    ).status_code == 403
    mental = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "external",
            "agency_type": "mental_health_service",
            "agency_name": "ΚΨΥ",
            "reason": "x",
            "legal_basis": "vital_interest",
        },
        headers=social_worker.headers,
    )
    school = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "external",
            "agency_type": "school",
            "agency_name": "1ο Δημοτικό",
            "reason": "x",
            "legal_basis": "legal_obligation",
        },
        headers=social_worker.headers,
    )
    # a pedagogue may not see special categories: a mental-health referral does not exist
    seen = await client.get(f"{tenant.api}/referrals", headers=pedagogue.headers)
    assert [r["id"] for r in seen.json()["items"]] == [school.json()["id"]]
    hidden = await client.get(
        f"{tenant.api}/referrals/{mental.json()['id']}", headers=pedagogue.headers
    )
    assert hidden.status_code == 404
    both = await client.get(f"{tenant.api}/referrals", headers=social_worker.headers)
    assert len(both.json()["items"]) == 2


async def test_other_tenant_is_404_and_nothing_stored(
    client: Any, tenant: Any, other_tenant: Any, social_worker: Any, staff_factory: Any
) -> None:
    other_worker = await staff_factory(other_tenant, ["social_worker"])
    other_admin = await staff_factory(other_tenant, ["tenant_admin"])
    theirs = await make_person(client, other_tenant, other_worker)
    their_consent = await give_consent(client, other_tenant, other_worker, theirs)
    their_unit = await client.post(
        f"{other_tenant.api}/units",
        json={"code": "u", "name_el": "Δομή"},
        headers=other_admin.headers,
    )
    their_referral = await client.post(
        f"{other_tenant.api}/referrals",
        json={"person_id": theirs, **EXTERNAL},
        headers=other_worker.headers,
    )
    rid = their_referral.json()["id"]
    mine = await make_person(client, tenant, social_worker)

    for body in (
        {"person_id": theirs, **EXTERNAL, "legal_basis": "legal_obligation"},
        {"person_id": mine, **EXTERNAL, "consent_id": their_consent},
        {
            "person_id": mine,
            "kind": "internal",
            "target_unit_id": their_unit.json()["id"],
            "reason": "x",
        },
    ):
        response = await client.post(
            f"{tenant.api}/referrals", json=body, headers=social_worker.headers
        )
        assert response.status_code == 404, body
    assert (
        await client.get(f"{tenant.api}/referrals/{rid}", headers=social_worker.headers)
    ).status_code == 404
    assert (
        await client.post(
            f"{tenant.api}/referrals/{rid}/status",
            json={"status": "sent"},
            headers=social_worker.headers,
        )
    ).status_code == 404
    listed = await client.get(f"{tenant.api}/referrals", headers=social_worker.headers)
    assert listed.json()["items"] == []
    by_person = await client.get(
        f"{tenant.api}/referrals?person_id={theirs}", headers=social_worker.headers
    )
    assert by_person.json()["items"] == []
    still = await client.get(f"{other_tenant.api}/referrals/{rid}", headers=other_worker.headers)
    assert still.json()["status"] == "draft"


async def test_open_referral_for_modules_and_the_report(
    client: Any, tenant: Any, social_worker: Any, other_tenant: Any, staff_factory: Any
) -> None:
    from dataclasses import dataclass, field

    from core.referrals.services import open_referral
    from core.refs import TenantRef

    person = await make_person(client, tenant, social_worker)

    @dataclass
    class ModuleActor:
        tenant_ref: TenantRef
        user_id: UUID
        request_id: str = "test"
        client: str = "test"
        roles: frozenset[str] = field(default_factory=frozenset)

    actor = ModuleActor(TenantRef(id=tenant.id, slug=tenant.slug), social_worker.user_id)
    async with in_tenant(tenant.id):
        rid = await open_referral(
            actor,
            person_id=UUID(person),
            kind="external",
            agency_type="hospital",
            agency_name="Γενικό Νοσοκομείο",
            reason="Εξετάσεις",
            legal_basis="vital_interest",
            source_module="help_at_home",
            record_type="care_plan",
            record_id=str(UUID(int=7)),
        )
    assert isinstance(rid, UUID)
    read = await client.get(f"{tenant.api}/referrals/{rid}", headers=social_worker.headers)
    assert read.json()["source_module"] == "help_at_home"
    assert read.json()["record_id"] == str(UUID(int=7))

    await give_consent(client, tenant, social_worker, person)
    await client.post(
        f"{tenant.api}/referrals",
        json={"person_id": person, **EXTERNAL, "status": "sent"},
        headers=social_worker.headers,
    )
    other_worker = await staff_factory(other_tenant, ["social_worker"])
    theirs = await make_person(client, other_tenant, other_worker)
    await client.post(
        f"{other_tenant.api}/referrals",
        json={"person_id": theirs, **EXTERNAL, "legal_basis": "legal_obligation"},
        headers=other_worker.headers,
    )

    listing = await client.get(f"{tenant.api}/reports", headers=social_worker.headers)
    assert "core.referrals_by_status" in [r["id"] for r in listing.json()["items"]]
    report = await client.get(
        f"{tenant.api}/reports/core.referrals_by_status",
        headers={**social_worker.headers, "Accept-Language": "en"},
    )
    assert report.status_code == 200, report.text
    rows = {(r["status"], r["agency_type"]): r["count"] for r in report.json()["rows"]}
    assert rows == {("draft", "hospital"): 1, ("sent", "employment_service"): 1}
    assert report.json()["rows"][0]["status_title"] in ("Draft", "Sent")
    for fmt in ("csv", "xlsx", "html"):
        rendered = await client.get(
            f"{tenant.api}/reports/core.referrals_by_status?format={fmt}",
            headers=social_worker.headers,
        )
        assert rendered.status_code == 200, fmt
    reversed_period = await client.get(
        f"{tenant.api}/reports/core.referrals_by_status?date_from=2026-02-01&date_to=2026-01-01",
        headers=social_worker.headers,
    )
    assert reversed_period.status_code == 422
    past = await client.get(
        f"{tenant.api}/reports/core.referrals_by_status?date_to=2001-01-01",
        headers=social_worker.headers,
    )
    assert past.json()["rows"] == []
