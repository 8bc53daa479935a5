"""The Roma branch's HTTP surface: happy paths, bad input, roles, disabled module, isolation."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from core.testing import make_staff, make_tenant
from tests.plugins.roma_branch.helpers import BASE, codes, make_person, make_world


async def _count(client: Any, world: Any, path: str) -> int:
    r = await client.get(world.url(path), headers=world.admin.headers)
    assert r.status_code == 200, r.text
    return len(r.json()["items"])


async def test_reception_log_roles_and_isolation(client: Any) -> None:
    w = await make_world(client)
    body = {
        "person_id": str(w.person),
        "visited_on": "2026-02-02",
        "request_type": "min_income",
        "outcome": "assisted",
        "notes": "Χρειάζεται βοήθεια με το gov.gr",
        "follow_up": "Φέρνει Ε1",
        "follow_up_on": "2026-02-09",
    }
    r = await client.post(w.url("/reception"), json=body, headers=w.pedagogue.headers)
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["notes"] == "Χρειάζεται βοήθεια με το gov.gr" and "notes_sealed" not in entry
    anon = {
        "visited_on": "2026-02-02",
        "request_type": "health",
        "outcome": "informed",
        "channel": "phone",
        "people_count": 3,
    }
    assert (
        await client.post(w.url("/reception"), json=anon, headers=w.mediator.headers)
    ).status_code == 201
    # bad input: a named contact counts one; follow-up before the visit; nothing stored
    bad = {**body, "people_count": 2, "follow_up_on": "2026-01-01"}
    r = await client.post(w.url("/reception"), json=bad, headers=w.worker.headers)
    assert r.status_code == 422
    assert {f for f, _ in codes(r)} == {"people_count", "follow_up_on"}
    r = await client.post(
        w.url("/reception"), json=bad, headers={**w.worker.headers, "Accept-Language": "en"}
    )
    assert "one person" in r.json()["errors"][0]["message"] or "before" in r.text
    assert await _count(client, w, "/reception") == 2
    # outside the branch (reception desk, nurse): 404 for everything, even lists
    nurse = await make_staff(w.tenant, ["nurse"])
    for staff in (w.reception, nurse):
        assert (await client.get(w.url("/reception"), headers=staff.headers)).status_code == 404
        assert (
            await client.get(w.url(f"/reception/{entry['id']}"), headers=staff.headers)
        ).status_code == 404
        assert (
            await client.post(w.url("/reception"), json=anon, headers=staff.headers)
        ).status_code == 404
    # another tenant's staff and ids
    other = await make_tenant(["roma_branch"])
    other_admin = await make_staff(other, ["tenant_admin"])
    r = await client.get(f"{other.api}{BASE}/reception/{entry['id']}", headers=other_admin.headers)
    assert r.status_code == 404
    r = await client.get(f"{other.api}{BASE}/reception", headers=other_admin.headers)
    assert r.json()["items"] == []
    foreign_person = await make_person(client, other, other_admin)
    r = await client.post(
        w.url("/reception"),
        json={**body, "person_id": str(foreign_person)},
        headers=w.worker.headers,
    )
    assert r.status_code == 404
    assert await _count(client, w, "/reception") == 2


async def test_application_checklist_estimate_and_submission(client: Any) -> None:
    w = await make_world(client)
    body = {
        "person_id": str(w.person),
        "benefit": "min_income",
        "adults": 1,
        "minors": 2,
        "single_parent": True,
        "income_6m": "600",
        "real_estate": "0",
        "vehicles": "0",
        "deposits": "100",
    }
    # roles: a pedagogue sees the branch but may not handle applications
    r = await client.post(w.url("/applications"), json=body, headers=w.pedagogue.headers)
    assert r.status_code == 403
    # bad input: negative income, impossible household; nothing stored
    r = await client.post(
        w.url("/applications"), json={**body, "income_6m": "-1"}, headers=w.worker.headers
    )
    assert r.status_code == 422 and codes(r)[0][0] == "income_6m"
    r = await client.post(
        w.url("/applications"), json={**body, "minors": 0}, headers=w.worker.headers
    )
    assert r.status_code == 422
    assert ("single_parent", "roma_branch_single_parent_without_child") in codes(r)
    assert await _count(client, w, "/applications") == 0

    r = await client.post(w.url("/applications"), json=body, headers=w.worker.headers)
    assert r.status_code == 201, r.text
    app = r.json()
    assert app["estimate"]["guaranteed"] == "378.00"  # single parent + 2 children
    assert app["estimate"]["monthly_payment"] == "278.00"  # (2268 − 600) / 6
    assert any("278.00" in line for line in app["explanation"])
    assert app["readiness"]["verdict"] == "not_ready"
    codes_ = [i["code"] for i in app["checklist"]]
    assert codes_[:3] == ["id_document", "tax_return", "iban"] and "adult_consents" in codes_
    # submitting before the documents are in
    r = await client.patch(
        w.url(f"/applications/{app['id']}"),
        json={"submitted_on": "2026-03-01"},
        headers=w.worker.headers,
    )
    assert r.status_code == 422 and codes(r) == [("submitted_on", "roma_branch_not_ready")]
    items = {i["code"]: i for i in app["checklist"]}
    item_url = w.url(f"/applications/{app['id']}/checklist/{items['id_document']['id']}")
    r = await client.patch(
        item_url,
        json={"received": True, "issue_date": "2030-01-01", "expiry_date": "2029-12-31"},
        headers=w.worker.headers,
    )
    assert r.status_code == 422 and codes(r)[0][0] == "expiry_date"
    r = await client.patch(
        item_url, json={"received": True, "document_id": str(uuid4())}, headers=w.worker.headers
    )
    assert r.status_code == 404  # not a document of this tenant
    r = await client.get(w.url(f"/applications/{app['id']}"), headers=w.worker.headers)
    assert r.json()["checklist"][0]["received"] is False  # nothing stored
    # an expired ID blocks; a valid one unblocks
    r = await client.patch(
        item_url,
        json={"received": True, "issue_date": "2015-01-01", "expiry_date": "2020-01-01"},
        headers=w.worker.headers,
    )
    assert r.status_code == 200 and r.json()["readiness"]["expired"] == ["id_document"]
    await client.patch(item_url, json={"expiry_date": "2099-01-01"}, headers=w.worker.headers)
    for item in app["checklist"]:
        if item["required"] and item["code"] != "id_document":
            r = await client.patch(
                w.url(f"/applications/{app['id']}/checklist/{item['id']}"),
                json={"received": True, "expiry_date": "2099-01-01"}
                if item["expires"]
                else {"received": True},
                headers=w.mediator.headers,
            )
            assert r.status_code == 200, r.text
    assert r.json()["readiness"]["verdict"] == "ready"
    r = await client.patch(
        w.url(f"/applications/{app['id']}"),
        json={"submitted_on": "2026-03-01", "outcome": "approved", "outcome_on": "2026-04-01"},
        headers=w.worker.headers,
    )
    assert r.status_code == 200 and r.json()["outcome"] == "approved"
    # the what-if estimate (FACTS: 2 adults + 2 children, €432) stores nothing
    r = await client.post(
        w.url("/minimum-income/estimate"),
        json={"adults": 2, "minors": 2, "income_6m": "0"},
        headers={**w.pedagogue.headers, "Accept-Language": "en"},
    )
    assert r.status_code == 200 and r.json()["guaranteed"] == "432.00"
    assert r.json()["explanation"][0] == "First adult: €216"
    # isolation: another tenant's admin
    other = await make_tenant(["roma_branch"])
    other_admin = await make_staff(other, ["tenant_admin"])
    r = await client.get(f"{other.api}{BASE}/applications/{app['id']}", headers=other_admin.headers)
    assert r.status_code == 404
    r = await client.patch(
        f"{other.api}{BASE}/applications/{app['id']}/checklist/{items['iban']['id']}",
        json={"received": False},
        headers=other_admin.headers,
    )
    assert r.status_code == 404
    assert (
        await client.get(w.url(f"/applications/{app['id']}"), headers=w.reception.headers)
    ).status_code == 404


async def test_accompaniment_is_booked_through_core_scheduling(client: Any) -> None:
    w = await make_world(client)
    r = await client.post(
        f"{w.tenant.api}/staff",
        json={"profession": "roma_mediator", "user_id": str(w.mediator.user_id)},
        headers=w.admin.headers,
    )
    assert r.status_code == 201, r.text
    staff_id = r.json()["id"]
    body = {
        "person_id": str(w.person),
        "agency": "opeka",
        "purpose": "Αίτηση επιδόματος παιδιού",
        "start": "2027-03-02T10:00:00+02:00",
        "mediator_staff_id": staff_id,
    }
    r = await client.post(w.url("/accompaniments"), json=body, headers=w.pedagogue.headers)
    assert r.status_code == 403
    r = await client.post(w.url("/accompaniments"), json=body, headers=w.mediator.headers)
    assert r.status_code == 201, r.text
    acc = r.json()
    appt = await client.get(
        f"{w.tenant.api}/appointments/{acc['appointment_id']}", headers=w.admin.headers
    )
    assert appt.status_code == 200 and appt.json()["service"] == "roma_branch.accompaniment"
    # the same mediator at the same time: 409, nothing stored
    r = await client.post(w.url("/accompaniments"), json=body, headers=w.mediator.headers)
    assert r.status_code == 409
    # a public holiday (25 March) is refused with its reason; an unknown mediator names the field
    r = await client.post(
        w.url("/accompaniments"),
        json={**body, "start": "2027-03-25T10:00:00+02:00"},
        headers=w.mediator.headers,
    )
    assert r.status_code in (409, 422) and "holiday" in r.text
    r = await client.post(
        w.url("/accompaniments"),
        json={**body, "mediator_staff_id": str(uuid4()), "start": "2027-03-03T10:00:00+02:00"},
        headers=w.mediator.headers,
    )
    assert r.status_code == 422 and codes(r)[0][0] == "mediator_staff_id"
    assert await _count(client, w, "/accompaniments") == 1
    r = await client.patch(
        w.url(f"/accompaniments/{acc['id']}"),
        json={"status": "cancelled"},
        headers=w.mediator.headers,
    )
    assert r.status_code == 422 and codes(r)[0][0] == "cancel_reason"
    r = await client.patch(
        w.url(f"/accompaniments/{acc['id']}"),
        json={"status": "cancelled", "cancel_reason": "Άλλαξε το ραντεβού στον ΟΠΕΚΑ"},
        headers=w.mediator.headers,
    )
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    appt = await client.get(
        f"{w.tenant.api}/appointments/{acc['appointment_id']}", headers=w.admin.headers
    )
    assert appt.json()["status"] == "cancelled"
    other = await make_tenant(["roma_branch"])
    other_admin = await make_staff(other, ["tenant_admin"])
    r = await client.get(
        f"{other.api}{BASE}/accompaniments/{acc['id']}", headers=other_admin.headers
    )
    assert r.status_code == 404


async def test_job_bank_match_placement_followups_and_cv(client: Any) -> None:
    w = await make_world(client)
    officer = await make_staff(w.tenant, ["employment_officer"])
    seeker_body = {
        "person_id": str(w.person),
        "education": "isced_1_2",
        "skills": ["Οδήγηση", "αποθήκη"],
        "experience_years": 3,
        "licences": ["Δίπλωμα Γ"],
        "availability": "full_time",
    }
    r = await client.post(w.url("/job-seekers"), json=seeker_body, headers=w.pedagogue.headers)
    assert r.status_code == 403
    r = await client.post(w.url("/job-seekers"), json=seeker_body, headers=officer.headers)
    assert r.status_code == 201, r.text
    seeker = r.json()
    r = await client.post(w.url("/job-seekers"), json=seeker_body, headers=officer.headers)
    assert r.status_code == 409
    r = await client.post(
        w.url("/employers"),
        json={"name": "Μαστιχοπαραγωγική", "afm": "123456789"},
        headers=officer.headers,
    )
    assert r.status_code == 422 and codes(r)[0][0] == "afm"
    r = await client.post(
        w.url("/employers"),
        json={"name": "Μαστιχοπαραγωγική", "afm": "090000045"},
        headers=officer.headers,
    )
    assert r.status_code == 201, r.text
    employer = r.json()
    r = await client.post(
        w.url("/vacancies"),
        json={
            "employer_id": employer["id"],
            "title": "Οδηγός",
            "skills": ["οδηγηση"],
            "licences": ["δίπλωμα γ"],
            "min_experience_years": 2,
            "availability": "full_time",
        },
        headers=officer.headers,
    )
    assert r.status_code == 201, r.text
    vacancy = r.json()
    r = await client.get(w.url(f"/vacancies/{vacancy['id']}/matches"), headers=officer.headers)
    assert r.status_code == 200
    match = r.json()["items"][0]
    assert match["seeker_id"] == seeker["id"] and match["score"] == 100
    assert len(match["reasons"]) == 5
    r = await client.post(
        w.url("/mediations"),
        json={
            "seeker_id": seeker["id"],
            "vacancy_id": vacancy["id"],
            "step": "cv_sent",
            "step_on": "2026-03-01",
        },
        headers=officer.headers,
    )
    assert r.status_code == 201 and r.json()["score"] == 100
    r = await client.post(
        w.url("/placements"),
        json={
            "seeker_id": seeker["id"],
            "employer_id": employer["id"],
            "vacancy_id": vacancy["id"],
            "start_date": "2026-01-31",
        },
        headers=officer.headers,
    )
    assert r.status_code == 201, r.text
    placement = r.json()
    assert [(f["month"], f["due_on"]) for f in placement["followups"]] == [
        (1, "2026-02-28"),
        (3, "2026-04-30"),
        (6, "2026-07-31"),
    ]
    r = await client.post(
        w.url(f"/placements/{placement['id']}/followups/3"),
        json={"done_on": "2026-01-01", "still_employed": True},
        headers=officer.headers,
    )
    assert r.status_code == 422 and codes(r)[0][0] == "done_on"
    r = await client.post(
        w.url(f"/placements/{placement['id']}/followups/1"),
        json={"done_on": "2026-03-02", "still_employed": True},
        headers=officer.headers,
    )
    assert r.status_code == 200 and r.json()["followups"][0]["still_employed"] is True
    r = await client.get(w.url(f"/job-seekers/{seeker['id']}/cv"), headers=officer.headers)
    assert r.status_code == 200
    cv = r.json()
    assert (
        cv["name"] == "Μαρία Αθανασίου" and cv["placements"][0]["employer"] == "Μαστιχοπαραγωγική"
    )
    other = await make_tenant(["roma_branch"])
    other_admin = await make_staff(other, ["tenant_admin"])
    for path in (
        f"/job-seekers/{seeker['id']}",
        f"/vacancies/{vacancy['id']}",
        f"/employers/{employer['id']}",
        f"/placements/{placement['id']}",
        f"/job-seekers/{seeker['id']}/cv",
    ):
        r = await client.get(f"{other.api}{BASE}{path}", headers=other_admin.headers)
        assert r.status_code == 404, path
    r = await client.post(
        f"{other.api}{BASE}/vacancies",
        json={"employer_id": employer["id"], "title": "Χ"},
        headers=other_admin.headers,
    )
    assert r.status_code == 404


async def test_school_follow_up(client: Any) -> None:
    w = await make_world(client)
    body = {
        "child_id": str(w.child),
        "guardian_id": str(w.person),
        "school_year": "2025-2026",
        "school": "1ο Δημοτικό Σχολείο Χίου",
        "grade": "Δ΄",
        "enrolment_status": "enrolled",
        "attendance_concern": "high",
        "absences": 41,
    }
    r = await client.post(
        w.url("/school-records"),
        json={**body, "school_year": "2025-2027"},
        headers=w.pedagogue.headers,
    )
    assert r.status_code == 422 and codes(r)[0][0] == "school_year"
    r = await client.post(w.url("/school-records"), json=body, headers=w.pedagogue.headers)
    assert r.status_code == 201, r.text
    record = r.json()
    r = await client.post(w.url("/school-records"), json=body, headers=w.pedagogue.headers)
    assert r.status_code == 409
    r = await client.post(
        w.url(f"/school-records/{record['id']}/actions"),
        json={"on": "2026-02-10", "action": "parent_meeting", "notes": "Συνάντηση με τη μητέρα"},
        headers=w.mediator.headers,
    )
    assert r.status_code == 201 and r.json()["actions"][0]["action"] == "parent_meeting"
    r = await client.patch(
        w.url(f"/school-records/{record['id']}"),
        json={"attendance_concern": "medium"},
        headers=w.pedagogue.headers,
    )
    assert r.status_code == 200 and r.json()["attendance_concern"] == "medium"
    officer = await make_staff(w.tenant, ["employment_officer"])
    r = await client.patch(
        w.url(f"/school-records/{record['id']}"), json={"absences": 1}, headers=officer.headers
    )
    assert r.status_code == 403
    other = await make_tenant(["roma_branch"])
    other_admin = await make_staff(other, ["tenant_admin"])
    r = await client.get(
        f"{other.api}{BASE}/school-records/{record['id']}", headers=other_admin.headers
    )
    assert r.status_code == 404


async def test_module_disabled_is_404(client: Any) -> None:
    tenant = await make_tenant([])
    admin = await make_staff(tenant, ["tenant_admin"])
    for path in ("/reception", "/applications", "/job-seekers", "/esf-records"):
        r = await client.get(f"{tenant.api}{BASE}{path}", headers=admin.headers)
        assert r.status_code == 404
    r = await client.get(f"/t/{tenant.slug}/roma_branch/", headers=admin.headers)
    assert r.status_code == 404
