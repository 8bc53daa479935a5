"""Caseloads and their handover when a staff member is deactivated; staff by profession."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from tests.core.staff.helpers import codes, in_tenant, make_person


async def _staff(client: Any, tenant: Any, admin: Any, name: str, **extra: Any) -> str:
    body = {"display_name": name, "profession": "social_worker", **extra}
    response = await client.post(f"{tenant.api}/staff", json=body, headers=admin.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_caseload_and_handover_on_deactivation(
    client: Any, tenant: Any, admin: Any, social_worker: Any
) -> None:
    anna = await _staff(client, tenant, admin, "Άννα")
    babis = await _staff(client, tenant, admin, "Μπάμπης")
    gone = await _staff(client, tenant, admin, "Γιώργος", active=False)
    people = [
        await make_person(
            client, tenant, social_worker, first_name=first, last_name=last, case_worker_id=anna
        )
        for first, last in (("Μαρία", "Βλάχου"), ("Σοφία", "Αθανασίου"), ("Ρένα", "Γεωργίου"))
    ]
    await make_person(client, tenant, social_worker, last_name="Δήμου", case_worker_id=babis)

    read = await client.get(f"{tenant.api}/staff/{anna}", headers=social_worker.headers)
    assert read.json()["caseload"] == 3
    load = await client.get(
        f"{tenant.api}/staff/{anna}/caseload?limit=2", headers=social_worker.headers
    )
    assert load.status_code == 200, load.text
    assert [p["last_name"] for p in load.json()["items"]] == ["Αθανασίου", "Βλάχου"]
    more = await client.get(
        f"{tenant.api}/staff/{anna}/caseload?cursor={load.json()['next_cursor']}",
        headers=social_worker.headers,
    )
    assert [p["last_name"] for p in more.json()["items"]] == ["Γεωργίου"]

    # deactivating with a caseload needs someone to take it over
    refused = await client.patch(
        f"{tenant.api}/staff/{anna}", json={"active": False}, headers=admin.headers
    )
    assert refused.status_code == 422 and codes(refused) == [("handover_to", "handover_required")]
    for target, status in ((anna, 422), (gone, 404), (str(UUID(int=7)), 404)):
        bad = await client.patch(
            f"{tenant.api}/staff/{anna}",
            json={"active": False, "handover_to": target},
            headers=admin.headers,
        )
        assert bad.status_code == status, (target, bad.text)
    assert (await client.get(f"{tenant.api}/staff/{anna}", headers=admin.headers)).json()[
        "active"
    ] is True
    # a social worker may not hand over anything
    assert (
        await client.patch(
            f"{tenant.api}/staff/{anna}",
            json={"active": False, "handover_to": babis},
            headers=social_worker.headers,
        )
    ).status_code == 403

    done = await client.patch(
        f"{tenant.api}/staff/{anna}",
        json={"active": False, "handover_to": babis},
        headers=admin.headers,
    )
    assert done.status_code == 200, done.text
    assert done.json()["active"] is False and done.json()["caseload"] == 0
    assert (await client.get(f"{tenant.api}/staff/{babis}", headers=admin.headers)).json()[
        "caseload"
    ] == 4
    for person_id in people:
        person = await client.get(
            f"{tenant.api}/beneficiaries/{person_id}", headers=social_worker.headers
        )
        assert person.json()["case_worker_id"] == babis
    # without a caseload, deactivation needs no handover
    assert (
        await client.patch(
            f"{tenant.api}/staff/{babis}", json={"active": True}, headers=admin.headers
        )
    ).status_code == 200

    from core.audit.tables import AuditEvent

    async with in_tenant(tenant.id):
        events = (
            await AuditEvent.select(AuditEvent.action, AuditEvent.details)
            .where((AuditEvent.object_type == "staff") & (AuditEvent.object_id == anna))
            .output(load_json=True)
        )
        reads = await AuditEvent.count().where(
            (AuditEvent.object_type == "caseload") & (AuditEvent.object_id == anna)
        )
    (handover,) = [e for e in events if e["action"] == "handover"]
    assert handover["details"]["to"] == babis
    assert sorted(handover["details"]["people"]) == sorted(people)
    assert reads == 2


async def test_caseload_is_tenant_scoped(
    client: Any, tenant: Any, other_tenant: Any, admin: Any, social_worker: Any, staff_factory: Any
) -> None:
    other_admin = await staff_factory(other_tenant, ["tenant_admin"])
    theirs = await _staff(client, other_tenant, other_admin, "Ξένος")
    mine = await _staff(client, tenant, admin, "Δική μας")
    await make_person(client, tenant, social_worker, case_worker_id=mine)

    assert (
        await client.get(f"{tenant.api}/staff/{theirs}/caseload", headers=admin.headers)
    ).status_code == 404
    # another tenant's staff member cannot receive this tenant's caseload
    refused = await client.patch(
        f"{tenant.api}/staff/{mine}",
        json={"active": False, "handover_to": theirs},
        headers=admin.headers,
    )
    assert refused.status_code == 404
    still = await client.get(f"{tenant.api}/staff/{mine}", headers=admin.headers)
    assert still.json()["active"] is True and still.json()["caseload"] == 1
    # another tenant's (or an inactive) staff member cannot be a person's case worker here
    gone = await _staff(client, tenant, admin, "Αποχωρήσασα", active=False)
    person = await make_person(client, tenant, social_worker, last_name="Νικολάου")
    for staff_id in (theirs, gone):
        refused = await client.post(
            f"{tenant.api}/beneficiaries",
            json={
                "first_name": "Νίκος",
                "last_name": "Ξένου",
                "birth_date": "1980-01-01",
                "case_worker_id": staff_id,
            },
            headers=social_worker.headers,
        )
        assert codes(refused) == [("case_worker_id", "unknown_case_worker")]
        patched = await client.patch(
            f"{tenant.api}/beneficiaries/{person}",
            json={"case_worker_id": staff_id},
            headers=social_worker.headers,
        )
        assert codes(patched) == [("case_worker_id", "unknown_case_worker")]
    # and their caseload count does not see ours
    theirs_read = await client.get(
        f"{other_tenant.api}/staff/{theirs}", headers=other_admin.headers
    )
    assert theirs_read.json()["caseload"] == 0


async def test_staff_by_profession(client: Any, tenant: Any, other_tenant: Any, admin: Any) -> None:
    from core.api import staff_by_profession

    await _staff(client, tenant, admin, "Ψυχολόγος Α", profession="psychologist")
    await _staff(client, tenant, admin, "Ψυχολόγος Β", profession="psychologist", active=False)
    await _staff(client, tenant, admin, "Κοινωνική")
    async with in_tenant(tenant.id):
        names = [s["display_name"] for s in await staff_by_profession("psychologist")]
        every = await staff_by_profession("psychologist", active_only=False)
    assert names == ["Ψυχολόγος Α"]
    assert len(every) == 2
    async with in_tenant(other_tenant.id):
        assert await staff_by_profession("psychologist") == []
