"""Child-protection investigations: prosecutor orders, deadlines, visits, report, dispatch."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays

from tests.plugins.family_center.conftest import World


def _fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


def _order(world: World, **extra: Any) -> dict[str, Any]:
    received = date.today() - timedelta(days=5)
    return {
        "order_protocol": "1234/2026",
        "prosecutor_office": "Εισαγγελία Πρωτοδικών Αθηνών - Τμήμα Ανηλίκων",
        "received_on": received.isoformat(),
        "priority": "urgent",
        "allegation": "neglect",
        "children_ids": [str(world.child)],
        "adult_ids": [str(world.parent)],
        "assigned": [str(world.officer.user_id)],
        **extra,
    }


def _working_day(start: date) -> date:
    greek = holidays.country_holidays("GR", years=[start.year, start.year + 1])
    day = start
    while day.weekday() >= 5 or day in greek:
        day += timedelta(days=1)
    return day


async def test_order_lifecycle(client: Any, world: World) -> None:
    api, h = world.api, world.officer.headers
    # A deadline before the receipt date: 422 naming it, nothing stored.
    bad = _order(world, deadline=(date.today() - timedelta(days=6)).isoformat())
    r = await client.post(f"{api}/investigations", json=bad, headers=h)
    assert r.status_code == 422 and _fields(r) == {"deadline"}
    assert r.json()["errors"][0]["code"] == "deadline_before_receipt"
    r = await client.post(f"{api}/investigations", json=_order(world, children_ids=[]), headers=h)
    assert r.status_code == 422 and "children_ids" in _fields(r)
    r = await client.post(
        f"{api}/investigations",
        json=_order(world, assigned=[str(world.reception.user_id)]),
        headers=h,
    )
    assert r.status_code == 422 and _fields(r) == {"assigned"}
    assert (await client.get(f"{api}/investigations", headers=h)).json()["items"] == []
    # No deadline on the order: the tenant's default (30 days from receipt).
    r = await client.post(f"{api}/investigations", json=_order(world), headers=h)
    assert r.status_code == 201, r.text
    order = r.json()
    received = date.fromisoformat(order["received_on"])
    assert date.fromisoformat(order["deadline"]) == received + timedelta(days=30)
    assert order["deadline_from_order"] is False and order["deadline_state"] == "on_time"
    # An order already past its deadline shows in the overdue list and as a task.
    r = await client.post(
        f"{api}/investigations",
        json=_order(
            world,
            order_protocol="77/2026",
            received_on=(date.today() - timedelta(days=40)).isoformat(),
            deadline=(date.today() - timedelta(days=2)).isoformat(),
        ),
        headers=h,
    )
    late = r.json()
    assert late["deadline_state"] == "overdue" and late["days_left"] == -2
    home = await client.get(f"/t/{world.tenant.slug}/", headers=h)
    assert home.status_code == 200 and "Εκπρόθεσμη εισαγγελική παραγγελία 77/2026" in home.text
    overdue = (await client.get(f"{api}/investigations/overdue", headers=h)).json()["items"]
    assert [o["id"] for o in overdue] == [late["id"]]
    filtered = (await client.get(f"{api}/investigations?deadline=on_time", headers=h)).json()
    assert [o["id"] for o in filtered["items"]] == [order["id"]]
    # Home visit through core scheduling (a staff profile, a working day in office hours).
    r = await client.post(
        f"{world.tenant.api}/staff",
        json={"user_id": str(world.officer.user_id), "profession": "child_protection_officer"},
        headers=world.admin.headers,
    )
    assert r.status_code == 201, r.text
    staff_id = r.json()["id"]
    day = _working_day(date.today() + timedelta(days=2))
    start = datetime.combine(day, time(10, 0), ZoneInfo("Europe/Athens"))
    url = f"{api}/investigations/{order['id']}"
    visit = {
        "kind": "home_visit",
        "start": start.isoformat(),
        "staff_ids": [staff_id],
        "person_ids": [str(world.child), str(world.parent)],
    }
    r = await client.post(
        f"{url}/visits", json={**visit, "person_ids": [str(world.adult)]}, headers=h
    )
    assert r.status_code == 422 and _fields(r) == {"person_ids"}
    r = await client.post(f"{url}/visits", json=visit, headers=h)
    assert r.status_code == 201, r.text
    appointment = r.json()["appointment"]
    assert appointment["service"] == "family_center.home_visit"
    assert appointment["record_id"] == order["id"]
    # The order document is a core document owned by the investigation.
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    form = {"owner_type": "family_center.investigation", "doc_type": "prosecutor_order"}
    r = await client.post(
        f"{world.tenant.api}/documents",
        data={**form, "owner_id": order["id"]},
        files={"file": ("entoli.pdf", pdf, "application/pdf")},
        headers=world.officer.headers,  # the module's role holds documents.write by grant
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"{world.other.api}/documents",
        data={**form, "owner_id": order["id"]},
        files={"file": ("entoli.pdf", pdf, "application/pdf")},
        headers=world.other_admin.headers,
    )
    assert r.status_code == 404
    docs = (await client.get(url, headers=h)).json()["documents"]
    assert [d["doc_type"] for d in docs] == ["prosecutor_order"]
    # Report: the template first, then the saved draft, as a PDF.
    report = (await client.get(f"{url}/report", headers=h)).json()
    assert report["drafted"] is False and "ΕΚΘΕΣΗ ΚΟΙΝΩΝΙΚΗΣ ΕΡΕΥΝΑΣ" in report["body"]
    assert "Κωνσταντίνου Μαρία" in report["body"] and "1 κατ' οίκον" in report["body"]
    # Sending a report before one is saved is refused.
    dispatch = {
        "sent_on": date.today().isoformat(),
        "recipient": "Εισαγγελία Ανηλίκων Αθηνών",
        "protocol": "Δ-55",
        "method": "e_filing",
    }
    r = await client.post(f"{url}/dispatches", json=dispatch, headers=h)
    assert r.status_code == 422 and _fields(r) == {"what"}
    r = await client.put(f"{url}/report", json={"body": report["body"] + "\nΕυρήματα."}, headers=h)
    assert r.status_code == 200 and r.json()["drafted"] is True
    r = await client.get(f"{url}/report.pdf", headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/pdf")
    assert r.content.startswith(b"%PDF-") and len(r.content) > 1000
    r = await client.post(
        f"{url}/dispatches",
        json={**dispatch, "sent_on": (received - timedelta(days=1)).isoformat()},
        headers=h,
    )
    assert r.status_code == 422 and _fields(r) == {"sent_on"}
    r = await client.post(f"{url}/dispatches", json=dispatch, headers=h)
    assert r.status_code == 201, r.text
    done = r.json()
    assert done["status"] == "submitted" and done["deadline_state"] == "completed"
    assert len(done["dispatches"]) == 1 and len(done["visits"]) == 1
    # The report (mean days, completed, overdue) counts them.
    rows = (
        await client.get(
            f"{world.tenant.api}/reports/family_center.prosecutor_orders?year={received.year}",
            headers=world.admin.headers,
        )
    ).json()["rows"]
    assert sum(r["received"] for r in rows) == 2 and sum(r["completed"] for r in rows) == 1
    assert sum(r["overdue"] for r in rows) == 1
    month = next(r for r in rows if r["completed"])
    assert month["mean_days"] == (date.fromisoformat(dispatch["sent_on"]) - received).days
    # Roles without the area: 403; another tenant: 404 and nothing in their lists.
    for staff in (world.pedagogue, world.reception):
        r = await client.get(f"{api}/investigations", headers=staff.headers)
        assert r.status_code == 403
    r = await client.get(
        f"{world.other_api}/investigations/{order['id']}", headers=world.other_admin.headers
    )
    assert r.status_code == 404
    r = await client.get(
        f"{world.other_api}/investigations/{order['id']}/report.pdf",
        headers=world.other_admin.headers,
    )
    assert r.status_code == 404
    items = (
        await client.get(f"{world.other_api}/investigations", headers=world.other_admin.headers)
    ).json()
    assert items["items"] == []


async def test_orders_are_seen_by_their_team_and_the_supervisor(client: Any, world: World) -> None:
    """An order names children and an allegation: a holder of the protection area who is not
    assigned to it never sees it (404, never listed); the tenant administrator supervises all."""
    api = world.api
    r = await client.post(
        f"{api}/investigations",
        json=_order(world, order_protocol="SEEN-1", assigned=[str(world.officer.user_id)]),
        headers=world.admin.headers,
    )
    assert r.status_code == 201, r.text
    order = r.json()
    url = f"{api}/investigations/{order['id']}"
    for staff in (world.officer, world.admin):
        listed = (await client.get(f"{api}/investigations", headers=staff.headers)).json()
        assert order["id"] in [o["id"] for o in listed["items"]]
        assert (await client.get(url, headers=staff.headers)).status_code == 200
    outsider = world.psychologist  # holds family_center.protection, not assigned
    listed = (await client.get(f"{api}/investigations", headers=outsider.headers)).json()
    assert order["id"] not in [o["id"] for o in listed["items"]]
    overdue = (await client.get(f"{api}/investigations/overdue", headers=outsider.headers)).json()
    assert order["id"] not in [o["id"] for o in overdue["items"]]
    for method, path, body in (
        ("GET", "", None),
        ("PATCH", "", {"priority": "normal"}),
        ("GET", "/report", None),
        ("PUT", "/report", {"body": "x"}),
        ("GET", "/report.pdf", None),
        (
            "POST",
            "/dispatches",
            {
                "sent_on": date.today().isoformat(),
                "recipient": "Εισαγγελία",
                "method": "email",
                "what": "interim",
            },
        ),
        (
            "POST",
            "/visits",
            {
                "kind": "interview",
                "start": "2030-01-07T10:00:00+02:00",
                "staff_ids": [str(world.officer.user_id)],
                "person_ids": [str(world.child)],
            },
        ),
    ):
        r = await client.request(method, url + path, json=body, headers=outsider.headers)
        assert r.status_code == 404, (method, path, r.text)
    # Assigning the psychologist opens it to them.
    r = await client.patch(
        url,
        json={"assigned": [str(world.officer.user_id), str(world.psychologist.user_id)]},
        headers=world.officer.headers,
    )
    assert r.status_code == 200
    assert (await client.get(url, headers=outsider.headers)).status_code == 200
    # Handing it over entirely: the officer's change is saved and answered, then it is gone.
    r = await client.patch(
        url, json={"assigned": [str(world.psychologist.user_id)]}, headers=world.officer.headers
    )
    assert r.status_code == 200 and r.json()["assigned"] == [str(world.psychologist.user_id)]
    assert (await client.get(url, headers=world.officer.headers)).status_code == 404


async def test_mine_filters_before_paging(client: Any, world: World) -> None:
    """`?mine=true` with a small page: the user's orders come back even when the earliest
    deadlines (the first page of all orders) belong to colleagues."""
    api, h = world.api, world.admin.headers
    received = date.today() - timedelta(days=2)
    mine = []
    for n in range(6):
        others = n < 4  # the four earliest deadlines are the officer's
        r = await client.post(
            f"{api}/investigations",
            json=_order(
                world,
                order_protocol=f"PAGE-{n}",
                received_on=received.isoformat(),
                deadline=(received + timedelta(days=100 + n)).isoformat(),
                assigned=[str(world.officer.user_id if others else world.admin.user_id)],
            ),
            headers=h,
        )
        assert r.status_code == 201, r.text
        if not others:
            mine.append(r.json()["id"])
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params = {"mine": "true", "limit": "1", **({"cursor": cursor} if cursor else {})}
        page = (await client.get(f"{api}/investigations", params=params, headers=h)).json()
        assert len(page["items"]) == 1 or (not page["items"] and not page["next_cursor"])
        seen += [o["id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [i for i in seen if i in mine] == mine
    assert all(
        str(world.admin.user_id) in o
        for o in [
            (await client.get(f"{api}/investigations/{i}", headers=h)).json()["assigned"]
            for i in seen
        ]
    )
    first = (await client.get(f"{api}/investigations?mine=true&limit=2", headers=h)).json()
    assert [o["id"] for o in first["items"]] == mine[:2]
