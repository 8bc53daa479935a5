"""Issue 11 for the Family Support Centre: every record page within six round trips (BEGIN
with the tenant, the audit append with COMMIT, four statements of work), lists constant in
their size, writes without a statement per person, and one person's export in one statement.

Counted as `tests/bench/test_round_trips.py` counts: every asyncpg message on PostgreSQL,
every statement on SQLite.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from core.testing import Staff
from tests.bench.test_round_trips import MAX_ROUND_TRIPS, counting
from tests.plugins.family_center.conftest import World, make_person


async def _count(
    client: Any, method: str, url: str, who: Staff, *, warm: bool = True, **kw: Any
) -> tuple[list[str], Any]:
    """Statements of one request (after one like it, which warms the caches a running server
    has warm, unless `warm` is false: a write is counted the first time)."""
    from tenants.resolution import settle

    await settle()
    if warm:
        await client.request(method, url, headers=who.headers, **kw)
    else:  # a read of the module warms the session, the tenant and its settings
        module = url.split("/modules/family_center")[0] + "/modules/family_center"
        await client.get(f"{module}/cases?limit=1", headers=who.headers)
    with counting() as seen:
        response = await client.request(method, url, headers=who.headers, **kw)
    assert response.status_code < 300, (url, response.status_code, response.text)
    assert seen, "the counter saw no statement"
    return seen, response


def _within(seen: list[str], what: str) -> None:
    assert len(seen) <= MAX_ROUND_TRIPS, (what, len(seen), "\n".join(seen))


async def _people(client: Any, world: World, n: int, last: str) -> list[UUID]:
    return [
        await make_person(
            client, world.tenant, world.social, "Νίκος", f"{last}{chr(0x3B1 + i)}", date(1980, 1, 1)
        )
        for i in range(n)
    ]


async def test_a_case_and_its_writes(client: Any, world: World) -> None:
    api, who = world.api, world.psychologist
    family = await _people(client, world, 3, "Οικογένεια")
    body = {
        "person_id": str(world.adult),
        "problems": ["grief"],
        "referral_source": "self",
        "family_member_ids": [str(p) for p in family],
    }
    n, r = await _count(client, "POST", f"{api}/cases", who, warm=False, json=body)
    _within(n, "POST cases")
    case = r.json()
    assert case["family_member_ids"] == [str(p) for p in family] and case["sessions"] == 0
    url = f"{api}/cases/{case['id']}"
    consent = {"minor_id": str(family[0]), "kind": "exception", "exception_code": "imminent_risk"}
    r = await client.post(f"{url}/consents", json=consent, headers=who.headers)
    assert r.status_code == 201, r.text
    session = {
        "session_type": "family",
        "mode": "in_person",
        "held_at": (datetime.now(UTC) - timedelta(days=1)).replace(microsecond=0).isoformat(),
        "duration_minutes": 50,
        "participant_ids": [str(world.adult), *(str(p) for p in family)],
    }
    n, r = await _count(client, "POST", f"{url}/sessions", who, warm=False, json=session)
    _within(n, "POST sessions")
    created = r.json()
    assert created.pop("review")["flag"] is False
    # Built from what was written, the answer is the session as it reads back.
    read = await client.get(f"{api}/sessions/{created['id']}", headers=who.headers)
    assert read.json() == created
    assert created["participant_ids"] == session["participant_ids"]
    await client.post(f"{url}/sessions", json=session, headers=who.headers)

    n, r = await _count(client, "GET", url, who)
    _within(n, "GET case")
    read = r.json()
    assert read["sessions"] == 2 and len(read["consents"]) == 1
    assert read["family_member_ids"] == [str(p) for p in family]
    n, _ = await _count(client, "GET", f"{url}/sessions", who)
    _within(n, "GET sessions")
    # Another municipality's user gets 404 for the case, as before.
    r = await client.get(f"{world.other_api}/cases/{case['id']}", headers=world.other_admin.headers)
    assert r.status_code == 404


async def test_an_order_its_report_and_pdf(client: Any, world: World) -> None:
    api, who = world.api, world.officer
    children = await _people(client, world, 3, "Παιδί")
    order = {
        "order_protocol": "Π-11/2026",
        "prosecutor_office": "Εισαγγελία Πρωτοδικών Αθηνών",
        "received_on": (date.today() - timedelta(days=3)).isoformat(),
        "priority": "normal",
        "allegation": "neglect",
        "children_ids": [str(c) for c in children],
        "adult_ids": [str(world.parent)],
        "assigned": [str(who.user_id)],
    }
    n, r = await _count(client, "POST", f"{api}/investigations", who, warm=False, json=order)
    _within(n, "POST investigations")
    url = f"{api}/investigations/{r.json()['id']}"
    dispatch = {
        "sent_on": date.today().isoformat(),
        "recipient": "Εισαγγελία",
        "method": "email",
        "what": "interim",
    }
    r = await client.post(f"{url}/dispatches", json=dispatch, headers=who.headers)
    assert r.status_code == 201, r.text

    n, r = await _count(client, "GET", url, who)
    _within(n, "GET investigation")
    assert len(r.json()["children_ids"]) == 3 and len(r.json()["dispatches"]) == 1
    n, r = await _count(client, "GET", f"{url}/report", who)
    _within(n, "GET report (the template)")
    template = r.json()
    assert not template["drafted"]
    assert all(f"{c}" not in template["body"] for c in children)  # names, not ids
    assert "Οικογένεια" not in template["body"] and "Παιδία" in template["body"]
    n, r = await _count(client, "GET", f"{url}/report.pdf", who)
    _within(n, "GET report.pdf")
    assert r.content.startswith(b"%PDF")
    n, r = await _count(client, "PUT", f"{url}/report", who, json={"body": "Έκθεση."})
    _within(n, "PUT report")
    assert r.json()["body"] == "Έκθεση." and r.json()["drafted"]
    n, r = await _count(client, "GET", f"{url}/report", who)
    _within(n, "GET report (drafted)")
    assert r.json()["body"] == "Έκθεση."
    # Not assigned and no supervisor: the order does not exist for them.
    r = await client.get(url, headers=world.social.headers)
    assert r.status_code == 404


async def test_programmes_and_helpers_are_constant_in_their_number(
    client: Any, world: World
) -> None:
    api, who = world.api, world.pedagogue
    start = date.today() - timedelta(days=30)
    enrolled = await _people(client, world, 3, "Μέλος")

    async def programme(title: str) -> None:
        body = {
            "kind": "parents_group",
            "title": title,
            "starts_on": start.isoformat(),
            "enrolled_ids": [str(p) for p in enrolled],
        }
        r = await client.post(f"{api}/programmes", json=body, headers=who.headers)
        assert r.status_code == 201, r.text
        meeting = {"held_on": start.isoformat(), "present_ids": [str(enrolled[0])]}
        url = f"{api}/programmes/{r.json()['id']}/meetings"
        n, r = await _count(client, "POST", url, who, warm=False, json=meeting)
        _within(n, "POST meetings")
        n, _ = await _count(client, "GET", f"{api}/programmes/{r.json()['id']}", who)
        _within(n, "GET programme")

    async def helper(name: str) -> None:
        body = {"kind": "trainee", "full_name": name, "starts_on": start.isoformat()}
        r = await client.post(f"{api}/helpers", json=body, headers=who.headers)
        assert r.status_code == 201, r.text
        hours = {"supervised_on": date.today().isoformat(), "hours": 1.5}
        r = await client.post(
            f"{api}/helpers/{r.json()['id']}/supervision", json=hours, headers=who.headers
        )
        assert r.status_code == 201, r.text

    for i in range(2):
        await programme(f"Ομάδα {i}")
        await helper(f"Ασκούμενη {i}")
    small, _ = await _count(client, "GET", f"{api}/programmes?limit=1", who)
    few, r = await _count(client, "GET", f"{api}/helpers", who)
    for i in range(2, 5):
        await programme(f"Ομάδα {i}")
        await helper(f"Ασκούμενη {i}")
    large, page = await _count(client, "GET", f"{api}/programmes?limit=5", who)
    many, r = await _count(client, "GET", f"{api}/helpers", who)
    assert len(small) == len(large) and len(few) == len(many), (small, large, few, many)
    _within(large, "GET programmes")
    _within(many, "GET helpers")
    items = page.json()["items"]
    assert len(items) == 5 and {p["meetings"] for p in items} == {1}
    assert {p["enrolled"] for p in items} == {3}
    helpers = r.json()["items"]
    assert len(helpers) == 5 and {h["supervision_hours"] for h in helpers} == {1.5}
    assert (
        await client.get(f"{world.other_api}/helpers", headers=world.other_admin.headers)
    ).json()["items"] == []


async def test_one_persons_export_is_one_statement(client: Any, world: World) -> None:
    from core import db
    from plugins.family_center import services
    from tenants.scoping import tenant_context

    body = {"person_id": str(world.child), "problems": ["grief"], "referral_source": "self"}
    r = await client.post(f"{world.api}/cases", json=body, headers=world.psychologist.headers)
    assert r.status_code == 201, r.text
    with tenant_context(world.tenant.id):
        async with db.transaction(tenant=world.tenant.id):
            with counting() as seen:
                exported = (await services.export_person(world.child))["family_center"]
    assert len(seen) == 1, seen
    assert r.json()["id"] in [c["id"] for c in exported["cases"]]
