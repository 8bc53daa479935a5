"""Case notes: who reads which note (normal, profession, named), encryption at rest, audit."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from tests.core.staff.helpers import codes, in_tenant, make_person


@pytest.fixture
async def team(tenant: Any, staff_factory: Any) -> dict[str, Any]:
    roles = {
        "admin": ["tenant_admin"],
        "sw1": ["social_worker"],
        "sw2": ["social_worker"],
        "psy1": ["psychologist"],
        "psy2": ["psychologist"],
        "reception": ["reception"],
    }
    return {name: await staff_factory(tenant, r) for name, r in roles.items()}


async def write(client: Any, tenant: Any, author: Any, person: str, **body: Any) -> Any:
    return await client.post(
        f"{tenant.api}/beneficiaries/{person}/notes",
        json={"body": "Σημείωση", **body},
        headers=author.headers,
    )


async def visible_ids(client: Any, tenant: Any, reader: Any, person: str) -> set[str]:
    response = await client.get(
        f"{tenant.api}/beneficiaries/{person}/notes", headers=reader.headers
    )
    assert response.status_code == 200, response.text
    return {n["id"] for n in response.json()["items"]}


async def test_visibility_per_level(client: Any, tenant: Any, team: dict[str, Any]) -> None:
    person = await make_person(client, tenant, team["sw1"])
    normal = await write(client, tenant, team["sw1"], person, body="Επίσκεψη στο σπίτι.")
    assert normal.status_code == 201, normal.text
    prof = await write(
        client,
        tenant,
        team["psy1"],
        person,
        body="Συνεδρία 3: άγχος.",
        confidentiality="profession",
    )
    assert prof.status_code == 201, prof.text
    assert prof.json()["profession"] == "psychologist"  # the author's, by default
    named = await write(
        client,
        tenant,
        team["psy1"],
        person,
        body="Κρίσιμη πληροφορία.",
        confidentiality="named",
        named_user_ids=[str(team["sw1"].user_id)],
    )
    assert named.status_code == 201, named.text
    assert named.json()["named_user_ids"] == [str(team["sw1"].user_id)]
    n, p, m = normal.json()["id"], prof.json()["id"], named.json()["id"]

    expected = {
        "psy1": {n, p, m},  # the author
        "psy2": {n, p},  # same profession
        "sw1": {n, m},  # named colleague
        "sw2": {n},
        "admin": {n},
        "reception": {n},
    }
    for who, ids in expected.items():
        assert await visible_ids(client, tenant, team[who], person) == ids, who
        for note_id in (n, p, m):
            response = await client.get(f"{tenant.api}/notes/{note_id}", headers=team[who].headers)
            assert response.status_code == (200 if note_id in ids else 404), (who, note_id)
            if response.status_code == 404:
                assert "body" not in response.json()
    read = await client.get(f"{tenant.api}/notes/{p}", headers=team["psy2"].headers)
    assert read.json()["body"] == "Συνεδρία 3: άγχος."


async def test_author_only_edits(client: Any, tenant: Any, team: dict[str, Any]) -> None:
    person = await make_person(client, tenant, team["sw1"])
    note = await write(client, tenant, team["psy1"], person, confidentiality="profession")
    url = f"{tenant.api}/notes/{note.json()['id']}"
    colleague = await client.patch(url, json={"body": "αλλαγή"}, headers=team["psy2"].headers)
    assert colleague.status_code == 403 and colleague.json()["code"] == "not_note_author"
    stranger = await client.patch(url, json={"body": "αλλαγή"}, headers=team["sw1"].headers)
    assert stranger.status_code == 404
    mine = await client.patch(
        url,
        json={
            "body": "Διορθωμένη",
            "confidentiality": "named",
            "named_user_ids": [str(team["sw2"].user_id)],
        },
        headers=team["psy1"].headers,
    )
    assert mine.status_code == 200, mine.text
    assert mine.json()["body"] == "Διορθωμένη"
    assert mine.json()["profession"] is None
    assert (await client.get(url, headers=team["sw2"].headers)).status_code == 200
    assert (await client.get(url, headers=team["psy2"].headers)).status_code == 404
    opened = await client.patch(
        url, json={"confidentiality": "normal"}, headers=team["psy1"].headers
    )
    assert opened.status_code == 200 and opened.json()["named_user_ids"] == []
    assert (await client.get(url, headers=team["sw1"].headers)).status_code == 200


async def test_validation_of_levels(
    client: Any, tenant: Any, team: dict[str, Any], staff_factory: Any, other_tenant: Any
) -> None:
    person = await make_person(client, tenant, team["sw1"])
    borrowed = await write(
        client, tenant, team["sw1"], person, confidentiality="profession", profession="psychologist"
    )
    assert codes(borrowed) == [("profession", "profession_not_held")]
    mixed = await write(client, tenant, team["sw1"], person, profession="social_worker")
    assert codes(mixed) == [("profession", "profession_only_for_profession_level")]
    stray = await write(
        client, tenant, team["sw1"], person, named_user_ids=[str(team["sw2"].user_id)]
    )
    assert codes(stray) == [("named_user_ids", "named_only_for_named_level")]
    both = await staff_factory(tenant, ["social_worker", "psychologist"])
    unsure = await write(client, tenant, both, person, confidentiality="profession")
    assert codes(unsure) == [("profession", "profession_required")]
    chosen = await write(
        client, tenant, both, person, confidentiality="profession", profession="psychologist"
    )
    assert chosen.status_code == 201
    empty = await write(client, tenant, team["sw1"], person, body="", note_date="2999-01-01")
    assert {f for f, _ in codes(empty)} == {"body", "note_date"}
    # reception reads normal notes but writes none; admins are not clinicians either
    assert (await write(client, tenant, team["reception"], person)).status_code == 403
    assert (await write(client, tenant, team["admin"], person)).status_code == 403
    outsider = await staff_factory(other_tenant, ["social_worker"])
    foreign = await write(
        client,
        tenant,
        team["sw1"],
        person,
        confidentiality="named",
        named_user_ids=[str(outsider.user_id)],
    )
    assert foreign.status_code == 404
    # nothing of sw1's refused notes was stored; the psychologist's note is not theirs to see
    assert await visible_ids(client, tenant, team["sw1"], person) == set()


async def test_body_encrypted_at_rest(client: Any, tenant: Any, team: dict[str, Any]) -> None:
    from core import db

    person = await make_person(client, tenant, team["sw1"])
    secret = "Αναφέρει κακοποίηση από τον σύζυγο"
    note = await write(client, tenant, team["sw1"], person, body=secret)
    async with in_tenant(tenant.id):
        rows = await db.fetch("SELECT body FROM case_note WHERE id = {}", UUID(note.json()["id"]))
    raw = rows[0]["body"]
    assert raw.startswith("enc:v1:")
    assert secret not in raw and "κακοποίηση" not in raw


async def test_reads_are_audited(client: Any, tenant: Any, team: dict[str, Any]) -> None:
    from core.audit.tables import AuditEvent

    person = await make_person(client, tenant, team["sw1"])
    note = await write(client, tenant, team["psy1"], person, confidentiality="profession")
    note_id = note.json()["id"]
    await client.get(f"{tenant.api}/notes/{note_id}", headers=team["psy2"].headers)
    await client.get(f"{tenant.api}/beneficiaries/{person}/notes", headers=team["psy2"].headers)
    await client.get(f"{tenant.api}/notes/{note_id}", headers=team["sw1"].headers)  # 404
    async with in_tenant(tenant.id):
        events = (
            await AuditEvent.select()
            .where(AuditEvent.user_id.is_in([team["psy2"].user_id, team["sw1"].user_id]))
            .order_by(AuditEvent.at)
            .output(load_json=True)
        )
    reads = [
        (e["user_id"], e["action"], e["object_type"], e["object_id"])
        for e in events
        if e["object_type"] == "case_note"
    ]
    assert (team["psy2"].user_id, "read", "case_note", note_id) in reads
    listed = [e for e in events if e["object_type"] == "case_note" and e["object_id"] == ""]
    assert listed and listed[0]["details"]["ids"] == [note_id]
    assert listed[0]["details"]["person_id"] == person
    denied = [e for e in events if e["user_id"] == team["sw1"].user_id and e["action"] == "denied"]
    assert denied and denied[0]["details"]["status"] == 404
    # ids only: no text of the note in the trail
    assert all("Σημείωση" not in str(e["details"]) for e in events)


async def test_other_tenant_is_404(
    client: Any, tenant: Any, other_tenant: Any, team: dict[str, Any], staff_factory: Any
) -> None:
    other_worker = await staff_factory(other_tenant, ["social_worker"])
    theirs = await make_person(client, other_tenant, other_worker)
    their_note = await write(client, other_tenant, other_worker, theirs)
    nid = their_note.json()["id"]
    me = team["sw1"]
    assert (await client.get(f"{tenant.api}/notes/{nid}", headers=me.headers)).status_code == 404
    assert (
        await client.patch(f"{tenant.api}/notes/{nid}", json={"body": "x"}, headers=me.headers)
    ).status_code == 404
    assert (
        await client.get(f"{tenant.api}/beneficiaries/{theirs}/notes", headers=me.headers)
    ).status_code == 404
    assert (await write(client, tenant, me, theirs)).status_code == 404
    still = await client.get(
        f"{other_tenant.api}/beneficiaries/{theirs}/notes", headers=other_worker.headers
    )
    assert [n["id"] for n in still.json()["items"]] == [nid]
    # the same author's id, read inside the wrong tenant, finds nothing
    assert (
        await client.get(f"{other_tenant.api}/notes/{nid}", headers=me.headers)
    ).status_code == 404
