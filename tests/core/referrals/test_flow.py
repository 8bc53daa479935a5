"""Referrals in and out, between units, deadlines (overdue), assignment, and person merge."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from tests.core.staff.helpers import codes, in_tenant, make_person


async def _unit(client: Any, tenant: Any, admin: Any, code: str) -> str:
    response = await client.post(
        f"{tenant.api}/units",
        json={"code": code, "name_el": f"Δομή {code}", "kind": "community_centre"},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _staff(client: Any, tenant: Any, admin: Any, **extra: Any) -> str:
    body = {"display_name": "Κατερίνα Ζαχαρίου", "profession": "social_worker", **extra}
    response = await client.post(f"{tenant.api}/staff", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_incoming_and_between_units(
    client: Any, tenant: Any, admin: Any, social_worker: Any
) -> None:
    person = await make_person(client, tenant, social_worker)
    kk = await _unit(client, tenant, admin, "kk")
    roma = await _unit(client, tenant, admin, "roma")
    handler = await _staff(client, tenant, admin)

    # a school refers a child's family to us: no consent record of ours is needed
    incoming = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "external",
            "direction": "incoming",
            "agency_type": "school",
            "agency_name": "3ο Δημοτικό Σχολείο Χίου",
            "target_unit_id": kk,
            "assigned_staff_id": handler,
            "reason": "Συχνές απουσίες",
        },
        headers=social_worker.headers,
    )
    assert incoming.status_code == 201, incoming.text
    body = incoming.json()
    assert body["direction"] == "incoming" and body["status"] == "sent"
    assert body["consent_id"] is None and body["assigned_staff_id"] == handler
    assert [h["to_status"] for h in body["history"]] == ["draft", "sent"]
    accepted = await client.post(
        f"{tenant.api}/referrals/{body['id']}/status",
        json={"status": "accepted"},
        headers=social_worker.headers,
    )
    assert accepted.status_code == 200, accepted.text

    # an outgoing external one still needs consent
    out = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "external",
            "agency_type": "school",
            "agency_name": "Σχολείο",
            "reason": "Ενημέρωση",
        },
        headers=social_worker.headers,
    )
    assert out.status_code == 422 and ("consent_id", "consent_required") in codes(out)
    # outgoing external may not name one of our units as its target
    out = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "external",
            "agency_type": "school",
            "agency_name": "Σχολείο",
            "reason": "Ενημέρωση",
            "legal_basis": "legal_obligation",
            "target_unit_id": kk,
        },
        headers=social_worker.headers,
    )
    assert out.status_code == 422 and ("target_unit_id", "not_for_external") in codes(out)

    # from the Community Centre to its Roma branch
    between = await client.post(
        f"{tenant.api}/referrals",
        json={
            "person_id": person,
            "kind": "internal",
            "source_unit_id": kk,
            "target_unit_id": roma,
            "reason": "Στεγαστική συνδρομή",
        },
        headers=social_worker.headers,
    )
    assert between.status_code == 201, between.text
    assert between.json()["source_unit_id"] == kk and between.json()["direction"] == "outgoing"

    listed = await client.get(
        f"{tenant.api}/referrals?direction=incoming", headers=social_worker.headers
    )
    assert [r["id"] for r in listed.json()["items"]] == [body["id"]]
    mine = await client.get(
        f"{tenant.api}/referrals?assigned_staff_id={handler}", headers=social_worker.headers
    )
    assert [r["id"] for r in mine.json()["items"]] == [body["id"]]
    bad = await client.get(f"{tenant.api}/referrals?direction=sideways", headers=admin.headers)
    assert bad.status_code in (400, 422)


async def test_deadlines_and_assignment(
    client: Any, tenant: Any, admin: Any, social_worker: Any
) -> None:
    person = await make_person(client, tenant, social_worker)
    unit = await _unit(client, tenant, admin, "ksoi")
    handler = await _staff(client, tenant, admin)
    retired = await _staff(client, tenant, admin, display_name="Παλιός", active=False)
    today = date.today()
    ids = {}
    for name, due in (
        ("late", today - timedelta(days=3)),
        ("soon", today + timedelta(days=5)),
        ("none", None),
    ):
        response = await client.post(
            f"{tenant.api}/referrals",
            json={
                "person_id": person,
                "kind": "internal",
                "target_unit_id": unit,
                "reason": name,
                "due_date": due.isoformat() if due else None,
            },
            headers=social_worker.headers,
        )
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
        assert response.json()["overdue"] is (name == "late")

    overdue = await client.get(f"{tenant.api}/referrals?overdue=true", headers=admin.headers)
    assert [r["id"] for r in overdue.json()["items"]] == [ids["late"]]
    not_overdue = await client.get(f"{tenant.api}/referrals?overdue=false", headers=admin.headers)
    assert {r["id"] for r in not_overdue.json()["items"]} == {ids["soon"], ids["none"]}
    before = await client.get(
        f"{tenant.api}/referrals?due_before={(today + timedelta(days=10)).isoformat()}",
        headers=admin.headers,
    )
    assert {r["id"] for r in before.json()["items"]} == {ids["late"], ids["soon"]}

    # a cancelled referral is no longer late
    cancelled = await client.post(
        f"{tenant.api}/referrals/{ids['late']}/status",
        json={"status": "cancelled"},
        headers=social_worker.headers,
    )
    assert cancelled.json()["overdue"] is False

    # new deadline and an assignee; an inactive or unknown staff member is 404
    patched = await client.patch(
        f"{tenant.api}/referrals/{ids['soon']}",
        json={"due_date": (today - timedelta(days=1)).isoformat(), "assigned_staff_id": handler},
        headers=social_worker.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["overdue"] is True and patched.json()["assigned_staff_id"] == handler
    assert patched.json()["reason"] == "soon"
    for staff_id in (retired, str(UUID(int=5))):
        refused = await client.patch(
            f"{tenant.api}/referrals/{ids['soon']}",
            json={"assigned_staff_id": staff_id},
            headers=social_worker.headers,
        )
        assert refused.status_code == 404
    bad = await client.patch(
        f"{tenant.api}/referrals/{ids['soon']}",
        json={"urgency": "yesterday", "due_date": "not-a-date"},
        headers=social_worker.headers,
    )
    assert bad.status_code == 422
    assert {f for f, _ in codes(bad)} == {"urgency", "due_date"}
    cleared = await client.patch(
        f"{tenant.api}/referrals/{ids['soon']}",
        json={"due_date": None, "assigned_staff_id": None},
        headers=social_worker.headers,
    )
    assert cleared.json()["due_date"] is None and cleared.json()["assigned_staff_id"] is None


async def test_patch_and_filters_are_tenant_scoped(
    client: Any, tenant: Any, other_tenant: Any, admin: Any, social_worker: Any, staff_factory: Any
) -> None:
    other_admin = await staff_factory(other_tenant, ["tenant_admin"])
    other_worker = await staff_factory(other_tenant, ["social_worker"])
    their_person = await make_person(client, other_tenant, other_worker)
    their_unit = await _unit(client, other_tenant, other_admin, "theirs")
    their_staff = await _staff(client, other_tenant, other_admin)
    theirs = await client.post(
        f"{other_tenant.api}/referrals",
        json={
            "person_id": their_person,
            "kind": "internal",
            "target_unit_id": their_unit,
            "reason": "Δική τους",
            "due_date": "2000-01-01",
        },
        headers=other_worker.headers,
    )
    assert theirs.status_code == 201
    their_id = theirs.json()["id"]

    patched = await client.patch(
        f"{tenant.api}/referrals/{their_id}", json={"urgency": "urgent"}, headers=admin.headers
    )
    assert patched.status_code == 404
    for query in ("overdue=true", "direction=outgoing", f"assigned_staff_id={their_staff}"):
        listed = await client.get(f"{tenant.api}/referrals?{query}", headers=admin.headers)
        assert listed.json()["items"] == [], query

    # their unit as our source, their staff member as our assignee: 404, nothing stored
    mine = await make_person(client, tenant, social_worker)
    my_unit = await _unit(client, tenant, admin, "mine")
    for extra in ({"source_unit_id": their_unit}, {"assigned_staff_id": their_staff}):
        refused = await client.post(
            f"{tenant.api}/referrals",
            json={
                "person_id": mine,
                "kind": "internal",
                "target_unit_id": my_unit,
                "reason": "Χ",
                **extra,
            },
            headers=social_worker.headers,
        )
        assert refused.status_code == 404, extra
    assert (await client.get(f"{tenant.api}/referrals", headers=admin.headers)).json()[
        "items"
    ] == []
    still = await client.get(
        f"{other_tenant.api}/referrals/{their_id}", headers=other_admin.headers
    )
    assert still.json()["urgency"] == "normal"


async def test_move_person_moves_referrals_of_this_tenant_only(
    client: Any, tenant: Any, other_tenant: Any, admin: Any, social_worker: Any, staff_factory: Any
) -> None:
    from core.referrals.services import move_person
    from core.referrals.tables import Referral

    unit = await _unit(client, tenant, admin, "kk")
    survivor = await make_person(client, tenant, social_worker, last_name="Καλή")
    duplicate = await make_person(client, tenant, social_worker, last_name="Διπλή")
    made = await client.post(
        f"{tenant.api}/referrals",
        json={"person_id": duplicate, "kind": "internal", "target_unit_id": unit, "reason": "Χ"},
        headers=social_worker.headers,
    )
    assert made.status_code == 201
    async with in_tenant(other_tenant.id):
        await move_person(UUID(survivor), UUID(duplicate))
    async with in_tenant(tenant.id):
        row = (
            await Referral.select(Referral.person_id)
            .where(Referral.id == UUID(made.json()["id"]))
            .first()
        )
    assert str(row["person_id"]) == duplicate  # another tenant's merge touched nothing
    async with in_tenant(tenant.id):
        await move_person(UUID(survivor), UUID(duplicate))
    listed = await client.get(f"{tenant.api}/referrals?person_id={survivor}", headers=admin.headers)
    assert [r["id"] for r in listed.json()["items"]] == [made.json()["id"]]
