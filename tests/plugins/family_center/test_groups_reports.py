"""Groups and workshops, volunteers, reports, export/erase of one person, pages, demo data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from tests.plugins.family_center.conftest import World, make_person


def _fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


async def test_programmes_attendance_and_helpers(client: Any, world: World) -> None:
    api, h = world.api, world.pedagogue.headers
    start = date.today() - timedelta(days=20)
    school = {
        "kind": "school_workshop",
        "title": "Βιωματικό εργαστήριο: Σχολικός εκφοβισμός",
        "starts_on": start.isoformat(),
    }
    r = await client.post(f"{api}/programmes", json=school, headers=h)
    assert r.status_code == 422 and _fields(r) == {"partner"}
    r = await client.post(
        f"{api}/programmes", json={**school, "partner": "1ο Γυμνάσιο Χαλανδρίου"}, headers=h
    )
    assert r.status_code == 201, r.text
    workshop = r.json()
    r = await client.post(
        f"{api}/programmes/{workshop['id']}/meetings",
        json={"held_on": start.isoformat(), "pupils": 48, "parents": 6, "teachers": 3},
        headers=h,
    )
    assert r.status_code == 201 and r.json()["meetings"][0]["pupils"] == 48
    group = {
        "kind": "parents_group",
        "title": "Ομάδα αυτογνωσίας γονέων",
        "starts_on": start.isoformat(),
        "ends_on": (start - timedelta(days=1)).isoformat(),
        "enrolled_ids": [str(world.adult), str(world.parent)],
    }
    r = await client.post(f"{api}/programmes", json=group, headers=h)
    assert r.status_code == 422 and _fields(r) == {"ends_on"}
    del group["ends_on"]
    programme = (await client.post(f"{api}/programmes", json=group, headers=h)).json()
    url = f"{api}/programmes/{programme['id']}/meetings"
    r = await client.post(
        url, json={"held_on": start.isoformat(), "present_ids": [str(world.minor)]}, headers=h
    )
    assert r.status_code == 422 and _fields(r) == {"present_ids"}
    r = await client.post(
        url, json={"held_on": start.isoformat(), "present_ids": [str(world.adult)]}, headers=h
    )
    assert r.status_code == 201 and r.json()["attendance_rate"] == 50.0
    assert (
        await client.post(f"{api}/programmes", json=group, headers=world.reception.headers)
    ).status_code == 403
    r = await client.get(
        f"{world.other_api}/programmes/{programme['id']}", headers=world.other_admin.headers
    )
    assert r.status_code == 404
    # Volunteers and trainees with supervision hours.
    r = await client.post(
        f"{api}/helpers",
        json={
            "kind": "trainee",
            "full_name": "Σοφία Αλεξίου",
            "institution": "Πάντειο",
            "starts_on": start.isoformat(),
        },
        headers=h,
    )
    helper = r.json()
    for hours in (1.5, 2):
        r = await client.post(
            f"{api}/helpers/{helper['id']}/supervision",
            json={"supervised_on": date.today().isoformat(), "hours": hours},
            headers=h,
        )
        assert r.status_code == 201
    assert r.json()["supervision_hours"] == 3.5
    r = await client.post(
        f"{api}/helpers/{helper['id']}/supervision",
        json={"supervised_on": (start - timedelta(days=3)).isoformat(), "hours": 1},
        headers=h,
    )
    assert r.status_code == 422 and _fields(r) == {"supervised_on"}
    # The programmes report counts this tenant's programmes only.
    rows = (
        await client.get(
            f"{world.tenant.api}/reports/family_center.programmes?year={start.year}",
            headers=world.admin.headers,
        )
    ).json()["rows"]
    by_title = {r["programme"]: r for r in rows}
    assert by_title[school["title"]]["pupils"] == 48
    assert by_title[group["title"]]["attendance_rate"] == 50.0
    other_rows = (
        await client.get(
            f"{world.other.api}/reports/family_center.programmes?year={start.year}",
            headers=world.other_admin.headers,
        )
    ).json()["rows"]
    assert other_rows == []


async def test_session_reports_and_gdpr(client: Any, world: World) -> None:
    person = await make_person(
        client, world.tenant, world.social, "Νίκος", "Σταύρου", date(1975, 5, 5)
    )
    h = world.psychologist.headers
    r = await client.post(
        f"{world.api}/cases",
        json={"person_id": str(person), "problems": ["grief"], "referral_source": "self"},
        headers=h,
    )
    case_id = r.json()["id"]
    held = datetime.now(UTC) - timedelta(days=1)
    session = (
        await client.post(
            f"{world.api}/cases/{case_id}/sessions",
            json={
                "session_type": "grief",
                "mode": "phone",
                "held_at": held.isoformat(),
                "duration_minutes": 60,
                "participant_ids": [str(person)],
            },
            headers=h,
        )
    ).json()
    await client.post(
        f"{world.api}/sessions/{session['id']}/notes", json={"body": "Απόρρητο κείμενο"}, headers=h
    )
    rows = (
        await client.get(
            f"{world.tenant.api}/reports/family_center.sessions?year={held.year}",
            headers=world.admin.headers,
        )
    ).json()["rows"]
    assert any(r["mode"] == "Τηλεφωνικά" and r["sessions"] >= 1 for r in rows)
    problems = (
        await client.get(
            f"{world.tenant.api}/reports/family_center.cases_by_problem",
            headers=world.admin.headers,
        )
    ).json()["rows"]
    assert any(r["problem"] == "Πένθος" and r["cases"] >= 1 for r in problems)
    others = (
        await client.get(
            f"{world.other.api}/reports/family_center.cases_by_problem",
            headers=world.other_admin.headers,
        )
    ).json()["rows"]
    assert others == []
    # Export through the hook: the case and session, never the clinical note.
    from core import db
    from core.plugin_host import get_host
    from plugins.family_center import services
    from tenants.scoping import tenant_context

    with tenant_context(world.tenant.id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(world.tenant.id)
            exported = (await services.export_person(person))["family_center"]
            assert [c["id"] for c in exported["cases"]] == [case_id]
            assert [s["id"] for s in exported["sessions"]] == [session["id"]]
            assert "Απόρρητο" not in str(exported) and len(exported["withheld"]) == 1
            assert get_host() is not None
            assert await services.erase_person(person) == []
            again = (await services.export_person(person))["family_center"]
            assert again["cases"] == [] and again["sessions"] == []
    r = await client.get(f"{world.api}/cases/{case_id}", headers=h)
    assert r.status_code == 404


async def test_pages_render(client: Any, world: World) -> None:
    base = f"/t/{world.tenant.slug}/family_center"
    r = await client.get(f"{base}/", headers=world.officer.headers)
    assert r.status_code == 200 and "Κέντρο Στήριξης Οικογένειας" in r.text
    assert "Εισαγγελικές παραγγελίες" in r.text
    r = await client.get(f"{base}/cases/new", headers=world.psychologist.headers)
    assert r.status_code == 200 and "Αιτήματα / προβλήματα" in r.text
    r = await client.get(f"{base}/investigations?deadline=overdue", headers=world.officer.headers)
    assert r.status_code == 200
    r = await client.get(f"{base}/investigations", headers=world.pedagogue.headers)
    assert r.status_code == 403
    case = (
        await client.post(
            f"{world.api}/cases",
            json={
                "person_id": str(world.adult),
                "problems": ["parenting"],
                "referral_source": "ngo",
            },
            headers=world.psychologist.headers,
        )
    ).json()
    person_page = await client.get(
        f"/t/{world.tenant.slug}/people/{world.adult}", headers=world.psychologist.headers
    )
    assert (
        person_page.status_code == 200 and f"family_center/cases/{case['id']}" in person_page.text
    )
    r = await client.get(f"{base}/cases/{case['id']}", headers=world.psychologist.headers)
    assert (
        r.status_code == 200 and "Παπαδοπούλου Ελένη" in r.text and "Καταγραφή συνεδρίας" in r.text
    )
    r = await client.get(
        f"/t/{world.other.slug}/family_center/cases/{case['id']}", headers=world.other_admin.headers
    )
    assert r.status_code == 404


async def test_demo_data_loads(client: Any, tenant_factory: Any, staff_factory: Any) -> None:
    from core import db
    from plugins.family_center import demo
    from plugins.family_center.tables import (
        CounsellingSession,
        FamilyCase,
        Investigation,
        Programme,
    )
    from tenants.resolution import resolve_tenant
    from tenants.scoping import tenant_context

    tenant = await tenant_factory(modules=["family_center"])
    admin = await staff_factory(tenant, ["tenant_admin"])
    officer = await staff_factory(tenant, ["child_protection_officer"])
    psych = await staff_factory(tenant, ["psychologist"])
    for staff, profession in ((officer, "child_protection_officer"), (psych, "psychologist")):
        r = await client.post(
            f"{tenant.api}/staff",
            json={"user_id": str(staff.user_id), "profession": profession},
            headers=admin.headers,
        )
        assert r.status_code == 201, r.text
    year = date.today().year
    people = [
        ("Ελένη", "Παπαδάκη", date(1980, 1, 5)),
        ("Κώστας", "Παπαδάκης", date(1978, 2, 1)),
        ("Ιωάννα", "Μελά", date(1990, 7, 7)),
        ("Σπύρος", "Λάμπρου", date(1985, 3, 3)),
        ("Χρήστος", "Παπαδάκης", date(year - 12, 4, 4)),
        ("Άννα", "Μελά", date(year - 8, 5, 5)),
        ("Πέτρος", "Αθανασίου", date(1970, 9, 9)),
    ]
    for first, last, born in people:
        await make_person(client, tenant, admin, first, last, born)
    info = await resolve_tenant(tenant.slug)
    assert info is not None
    with tenant_context(tenant.id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant.id)
            await demo.load(info.ref, seed=3)
            assert await FamilyCase.count() >= 3
            assert await CounsellingSession.count() >= 3
            assert await Programme.count() == 5
            assert await Investigation.count() == 10
    r = await client.get(
        f"{tenant.api}/modules/family_center/investigations", headers=officer.headers
    )
    states = {i["deadline_state"] for i in r.json()["items"]}
    assert "completed" in states and len(states) >= 2
    assert all(UUID(i["id"]) for i in r.json()["items"])
