"""Cases, sessions, guardian consent, clinical-note confidentiality and referrals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.plugins.family_center.conftest import World


def _fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def _held(days_ago: int = 1) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).replace(microsecond=0).isoformat()


async def _case(client: Any, world: World, **extra: Any) -> dict[str, Any]:
    body = {
        "person_id": str(world.parent),
        "problems": ["adolescence", "family_conflict"],
        "referral_source": "school",
        "family_member_ids": [str(world.minor)],
        **extra,
    }
    r = await client.post(f"{world.api}/cases", json=body, headers=world.psychologist.headers)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def test_case_session_and_minor_consent(client: Any, world: World) -> None:
    case = await _case(client, world)
    assert case["family_member_ids"] == [str(world.minor)]
    assert case["review"]["flag"] is False
    url = f"{world.api}/cases/{case['id']}"
    session = {
        "session_type": "parent_child",
        "mode": "video",
        "held_at": _held(),
        "duration_minutes": 50,
        "participant_ids": [str(world.parent), str(world.minor)],
    }
    h = world.psychologist.headers
    # A minor without a guardian's consent: 422 naming the participants, nothing stored.
    r = await client.post(f"{url}/sessions", json=session, headers=h)
    assert r.status_code == 422 and _fields(r) == {"participant_ids"}
    assert r.json()["errors"][0]["code"] == "minor_without_consent"
    # No participants at all: 422 naming the field.
    r = await client.post(f"{url}/sessions", json={**session, "participant_ids": []}, headers=h)
    assert r.status_code == 422 and "participant_ids" in _fields(r)
    assert (await client.get(f"{url}/sessions", headers=h)).json()["items"] == []
    # A consent needs the guardian; an exception needs its reason.
    r = await client.post(
        f"{url}/consents", json={"minor_id": str(world.minor), "kind": "consent"}, headers=h
    )
    assert r.status_code == 422 and _fields(r) == {"guardian_id"}
    r = await client.post(
        f"{url}/consents", json={"minor_id": str(world.minor), "kind": "exception"}, headers=h
    )
    assert r.status_code == 422 and _fields(r) == {"exception_code"}
    r = await client.post(
        f"{url}/consents",
        json={"minor_id": str(world.child), "kind": "consent", "guardian_id": str(world.parent)},
        headers=h,
    )
    assert r.status_code == 422 and _fields(r) == {"minor_id"}  # not part of the case
    assert (await client.get(url, headers=h)).json()["consents"] == []
    r = await client.post(
        f"{url}/consents",
        json={"minor_id": str(world.minor), "kind": "consent", "guardian_id": str(world.parent)},
        headers=h,
    )
    assert r.status_code == 201, r.text
    r = await client.post(f"{url}/sessions", json=session, headers=h)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["video_link"].startswith("https://") and world.tenant.slug in out["video_link"]
    assert set(out["participant_ids"]) == {str(world.parent), str(world.minor)}
    # A session type the tenant does not offer.
    settings_url = f"{world.tenant.api}/modules/family_center/settings"
    current = (await client.get(settings_url, headers=world.admin.headers)).json()
    changed = {**current, "session_types": ["individual", "family"], "review_threshold": 2}
    r = await client.put(settings_url, json=changed, headers=world.admin.headers)
    assert r.status_code == 200, r.text
    try:
        r = await client.post(f"{url}/sessions", json=session, headers=h)
        assert r.status_code == 422 and _fields(r) == {"session_type"}
        r = await client.post(
            f"{url}/sessions", json={**session, "session_type": "family"}, headers=h
        )
        assert r.status_code == 201 and r.json()["review"]["flag"] is True  # 2 of 2
        r = await client.post(f"{url}/review", json={}, headers=h)
        assert r.status_code == 200 and r.json()["review"]["flag"] is False
    finally:
        await client.put(settings_url, json=current, headers=world.admin.headers)
    listed = (await client.get(f"{world.api}/cases?status=open", headers=h)).json()["items"]
    assert case["id"] in {c["id"] for c in listed}


async def test_bad_case_input_and_permissions(client: Any, world: World) -> None:
    h = world.psychologist.headers
    r = await client.post(
        f"{world.api}/cases",
        json={"person_id": str(world.adult), "problems": ["bad"], "referral_source": "x"},
        headers=h,
    )
    assert r.status_code == 422 and {"problems.0", "referral_source"} <= _fields(r)
    r = await client.post(f"{world.api}/cases", content=b"{not json", headers=h)
    assert r.status_code == 400
    body = {"person_id": str(world.adult), "problems": ["grief"], "referral_source": "self"}
    for staff in (world.reception, world.pedagogue, world.admin):
        r = await client.post(f"{world.api}/cases", json=body, headers=staff.headers)
        assert r.status_code == 403, staff.roles
    assert (
        await client.get(f"{world.api}/cases", headers=world.reception.headers)
    ).status_code == 403
    # Another municipality's person is not found here.
    r = await client.post(
        f"{world.api}/cases", json={**body, "person_id": str(world.other_person)}, headers=h
    )
    assert r.status_code == 404


async def test_clinical_notes_are_confidential(client: Any, world: World) -> None:
    case = await _case(client, world, family_member_ids=[])
    r = await client.post(
        f"{world.api}/cases/{case['id']}/sessions",
        json={
            "session_type": "individual",
            "held_at": _held(2),
            "participant_ids": [str(world.parent)],
        },
        headers=world.psychologist.headers,
    )
    session_id = r.json()["id"]
    notes = f"{world.api}/sessions/{session_id}/notes"
    r = await client.post(
        notes,
        json={
            "body": "Εκφράζει θυμό προς τον σύντροφο.",
            "readers": [str(world.other_admin.user_id)],
        },
        headers=world.psychologist.headers,
    )
    assert r.status_code == 422 and _fields(r) == {"readers"}  # not a colleague here
    r = await client.post(
        notes,
        json={
            "body": "Εκφράζει θυμό προς τον σύντροφο.",
            "readers": [str(world.colleague.user_id)],
        },
        headers=world.psychologist.headers,
    )
    assert r.status_code == 201, r.text
    note_id = r.json()["id"]
    one = f"{world.api}/notes/{note_id}"
    for reader in (world.psychologist, world.colleague):
        r = await client.get(one, headers=reader.headers)
        assert r.status_code == 200 and r.json()["body"].startswith("Εκφράζει")
    # Everyone else: the note does not exist (404), whatever their role.
    for stranger in (world.outsider, world.social, world.admin, world.officer, world.other_admin):
        r = await client.get(one, headers=stranger.headers)
        assert r.status_code == 404, stranger.roles
    r = await client.get(notes, headers=world.outsider.headers)
    assert r.status_code == 200 and r.json()["items"] == []
    assert len((await client.get(notes, headers=world.colleague.headers)).json()["items"]) == 1
    # A named colleague reads but may not change it.
    r = await client.patch(one, json={"body": "x"}, headers=world.colleague.headers)
    assert r.status_code == 403
    r = await client.patch(one, json={"readers": []}, headers=world.psychologist.headers)
    assert r.status_code == 200
    assert (await client.get(one, headers=world.colleague.headers)).status_code == 404
    # Every read is audited (ids only, never the text).
    trail = (
        await client.get(f"{world.tenant.api}/audit?limit=200", headers=world.admin.headers)
    ).json()
    reads = [
        e
        for e in trail["items"]
        if e["object_type"] == "family_center.note" and e["action"] == "read"
    ]
    assert any(e["object_id"] == note_id for e in reads)
    assert "θυμό" not in str(trail)
    # The stored body is ciphertext.
    from core import db
    from plugins.family_center.tables import ClinicalNote
    from tenants.scoping import tenant_context

    with tenant_context(world.tenant.id):
        async with db.transaction():
            await db.set_rls_tenant(world.tenant.id)
            row = (
                await ClinicalNote.select(ClinicalNote.body)
                .where(ClinicalNote.id == note_id)
                .first()
            )
    assert row is not None and row["body"].startswith("enc:") and "θυμό" not in row["body"]


async def test_referral_out_through_core_referrals(client: Any, world: World) -> None:
    case = await _case(client, world, family_member_ids=[])
    url = f"{world.api}/cases/{case['id']}/referrals"
    r = await client.post(
        url,
        json={
            "kind": "external",
            "agency_type": "mental_health_service",
            "agency_name": "Κέντρο Ψυχικής Υγείας Αμαρουσίου",
            "reason": "Εκτίμηση από ψυχίατρο",
            "legal_basis": "vital_interest",
        },
        headers=world.psychologist.headers,
    )
    assert r.status_code == 201, r.text
    referral = r.json()
    assert referral["source_module"] == "family_center" and referral["record_id"] == case["id"]
    items = (await client.get(url, headers=world.psychologist.headers)).json()["items"]
    assert [i["id"] for i in items] == [referral["id"]] and items[0]["direction"] == "out"
    r = await client.post(
        url, json={"kind": "external", "reason": ""}, headers=world.psychologist.headers
    )
    assert r.status_code == 422 and "reason" in _fields(r)


async def test_isolation_and_disabled_module(
    client: Any, world: World, tenant_factory: Any, staff_factory: Any
) -> None:
    case = await _case(client, world, family_member_ids=[])
    # Another tenant's administrator: the case does not exist for them, nor in their lists.
    r = await client.get(f"{world.other_api}/cases/{case['id']}", headers=world.other_admin.headers)
    assert r.status_code == 404
    items = (
        await client.get(f"{world.other_api}/cases", headers=world.other_admin.headers)
    ).json()["items"]
    assert case["id"] not in {c["id"] for c in items}
    # And a member of another tenant cannot use this tenant's URL at all.
    r = await client.get(f"{world.api}/cases/{case['id']}", headers=world.other_admin.headers)
    assert r.status_code == 404
    # A tenant without the module: 404.
    bare = await tenant_factory(modules=[])
    worker = await staff_factory(bare, ["psychologist"])
    r = await client.get(f"{bare.api}/modules/family_center/cases", headers=worker.headers)
    assert r.status_code == 404


async def test_incoming_referral_opens_a_case(client: Any, world: World) -> None:
    r = await client.post(
        f"{world.tenant.api}/referrals",
        json={
            "person_id": str(world.adult),
            "kind": "internal",
            "target_module": "family_center",
            "reason": "Δυσκολίες στη σχέση με τον έφηβο γιο",
            "status": "sent",
        },
        headers=world.social.headers,
    )
    assert r.status_code == 201, r.text
    referral_id = r.json()["id"]
    body = {
        "person_id": str(world.adult),
        "problems": ["parenting"],
        "referral_source": "social_service",
        "referral_id": referral_id,
    }
    # The referral is for another person: refused, nothing stored.
    r = await client.post(
        f"{world.api}/cases",
        json={**body, "person_id": str(world.parent)},
        headers=world.psychologist.headers,
    )
    assert r.status_code == 422 and _fields(r) == {"referral_id"}
    r = await client.post(f"{world.api}/cases", json=body, headers=world.psychologist.headers)
    assert r.status_code == 201, r.text
    case = r.json()
    assert case["referral_ids"] == [referral_id]
    items = (
        await client.get(f"{world.api}/cases/{case['id']}/referrals", headers=world.social.headers)
    ).json()["items"]
    assert [(i["id"], i["direction"]) for i in items] == [(referral_id, "in")]
    r = await client.post(f"{world.api}/cases", json=body, headers=world.psychologist.headers)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "referral_already_linked"
