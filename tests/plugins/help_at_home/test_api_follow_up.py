"""The API routes behind the care-plan and incident screens: edit a plan, add or stop one of
its weekly series, follow up and close an incident (validation, roles, other tenants)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from core import db
from plugins.help_at_home.tables import Incident
from tenants.scoping import tenant_context
from tests.plugins.help_at_home.conftest import Unit, working_day


def fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


async def test_edit_a_plan_and_add_or_stop_a_series(unit: Unit) -> None:
    start = working_day(date.today() + timedelta(days=14), weekday=0)
    made = await unit.post(
        unit.social,
        "/plans",
        {
            "person_id": unit.people[0],
            "goals": ["Ασφάλεια"],
            "services": [
                {
                    "service": "home_help",
                    "staff_id": unit.staff["home_helper"],
                    "frequency_per_week": 1,
                    "weekdays": ["TU"],
                    "start_time": "09:00",
                }
            ],
            "start_date": str(start),
            "review_date": str(start + timedelta(days=35)),
        },
    )
    assert made.status_code == 201, made.text
    plan = made.json()
    url = unit.url(f"/plans/{plan['id']}")
    assert plan["visits_planned"] == 5

    # edit: the review after the start, the end not before it; an earlier end cancels
    bad = await unit.http.patch(
        url,
        json={"goals": ["x"], "review_date": str(start), "end_date": str(start - timedelta(1))},
        headers=unit.social.headers,
    )
    assert bad.status_code == 422 and fields(bad) == {"review_date", "end_date"}
    empty = await unit.http.patch(
        url,
        json={"goals": [], "review_date": str(start + timedelta(days=35))},
        headers=unit.social.headers,
    )
    assert empty.status_code == 422 and fields(empty) == {"goals"}
    edited = await unit.http.patch(
        url,
        json={
            "goals": ["Ασφάλεια", "Κοινωνικοποίηση"],
            "review_date": str(start + timedelta(days=35)),
            "end_date": str(start + timedelta(days=14)),
        },
        headers=unit.social.headers,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["visits_cancelled"] == 3 and edited.json()["visits_planned"] == 2
    assert edited.json()["goals"] == ["Ασφάλεια", "Κοινωνικοποίηση"]

    # a second series; a staff member who cannot deliver it is 422 on staff_id
    wrong = await unit.post(
        unit.social,
        f"/plans/{plan['id']}/services",
        {"service": "nursing_visit", "staff_id": unit.staff["home_helper"]},
    )
    assert wrong.status_code == 422 and fields(wrong) == {"staff_id"}
    foreign_staff = await unit.post(
        unit.social,
        f"/plans/{plan['id']}/services",
        {"service": "nursing_visit", "staff_id": unit.other_nurse},
    )
    assert foreign_staff.status_code == 422 and fields(foreign_staff) == {"staff_id"}
    added = await unit.post(
        unit.social,
        f"/plans/{plan['id']}/services",
        {
            "service": "nursing_visit",
            "staff_id": unit.staff["nurse"],
            "frequency_per_week": 1,
            "weekdays": ["TH"],
            "start_time": "11:00",
        },
    )
    assert added.status_code == 201, added.text
    assert added.json()["scheduled"]["created"] == 2 and len(added.json()["services"]) == 2
    nursing = next(s for s in added.json()["services"] if s["service"] == "nursing_visit")

    # stop it: not from a past day; another plan's service is unknown here
    end = f"/plans/{plan['id']}/services/{nursing['id']}/end"
    past = await unit.post(
        unit.social, end, {"from_date": str(date.today() - timedelta(1)), "reason": "x"}
    )
    assert past.status_code == 422 and fields(past) == {"from_date"}
    no_reason = await unit.post(unit.social, end, {"from_date": str(start)})
    assert no_reason.status_code == 422 and fields(no_reason) == {"reason"}
    stopped = await unit.post(unit.social, end, {"from_date": str(start), "reason": "Ανάρρωση"})
    assert stopped.status_code == 200, stopped.text
    assert stopped.json()["visits_cancelled"] == 2
    again = await unit.post(unit.social, end, {"from_date": str(start), "reason": "x"})
    assert again.status_code == 422 and fields(again) == {"status"}
    plan_services = stopped.json()["services"]
    help_id = next(s["id"] for s in plan_services if s["service"] == "home_help")
    other_plan = await unit.post(
        unit.social,
        "/plans",
        {
            "person_id": unit.people[1],
            "goals": ["Στήριξη"],
            "services": [
                {
                    "service": "psychosocial_support",
                    "staff_id": unit.staff["social_worker"],
                    "frequency_per_week": 1,
                }
            ],
            "start_date": str(start),
            "review_date": str(start + timedelta(days=30)),
            "schedule": False,
        },
    )
    assert other_plan.status_code == 201, other_plan.text
    crossed = await unit.post(
        unit.social,
        f"/plans/{other_plan.json()['id']}/services/{help_id}/end",
        {"from_date": str(start), "reason": "x"},
    )
    assert crossed.status_code == 404

    # roles and tenants
    assert (
        await unit.http.patch(
            url, json={"goals": ["x"], "review_date": "2040-01-01"}, headers=unit.nurse.headers
        )
    ).status_code == 403
    assert (
        await unit.post(
            unit.nurse,
            f"/plans/{plan['id']}/services",
            {"service": "home_help", "staff_id": unit.staff["home_helper"]},
        )
    ).status_code == 403
    other_url = unit.url(f"/plans/{plan['id']}", unit.other)
    assert (
        await unit.http.patch(
            other_url,
            json={"goals": ["x"], "review_date": "2040-01-01"},
            headers=unit.other_admin.headers,
        )
    ).status_code == 404
    assert (
        await unit.post(
            unit.other_admin,
            f"/plans/{plan['id']}/services",
            {"service": "nursing_visit", "staff_id": unit.other_nurse},
            unit.other,
        )
    ).status_code == 404
    assert (
        await unit.post(unit.other_admin, end, {"from_date": str(start), "reason": "x"}, unit.other)
    ).status_code == 404

    # a closed plan changes no more
    closed = await unit.post(
        unit.social, f"/plans/{plan['id']}/close", {"reason": "Τέλος", "closed_on": str(start)}
    )
    assert closed.status_code == 200, closed.text
    late = await unit.http.patch(
        url, json={"goals": ["x"], "review_date": "2040-01-01"}, headers=unit.social.headers
    )
    assert late.status_code == 422 and fields(late) == {"status"}


async def test_follow_up_and_close_an_incident(unit: Unit) -> None:
    person = unit.people[2]
    made = await unit.post(
        unit.helper,
        "/incidents",
        {"person_id": person, "kind": "fall", "occurred_on": str(date.today() - timedelta(3))},
    )
    assert made.status_code == 201, made.text
    incident = made.json()
    assert incident["status"] == "open" and incident["closed_on"] is None
    url = f"/incidents/{incident['id']}/close"

    assert (await unit.post(unit.helper, url, {"follow_up": "x"})).status_code == 403
    assert (
        await unit.post(unit.other_admin, url, {"follow_up": "x"}, unit.other)
    ).status_code == 404
    empty = await unit.post(unit.social, url, {"follow_up": ""})
    assert empty.status_code == 422 and fields(empty) == {"follow_up"}
    future = await unit.post(
        unit.social, url, {"follow_up": "x", "closed_on": str(date.today() + timedelta(1))}
    )
    assert future.status_code == 422 and fields(future) == {"closed_on"}
    early = await unit.post(
        unit.social, url, {"follow_up": "x", "closed_on": str(date.today() - timedelta(5))}
    )
    assert early.status_code == 422 and fields(early) == {"closed_on"}
    open_list = await unit.get(unit.social, "/incidents", status="open")
    assert [i["id"] for i in open_list.json()["items"]] == [incident["id"]]

    closed = await unit.post(unit.social, url, {"follow_up": "Επαναξιολόγηση Barthel"})
    assert closed.status_code == 200, closed.text
    body = closed.json()
    assert body["status"] == "closed" and body["closed_on"] == str(date.today())
    assert body["follow_up"] == "Επαναξιολόγηση Barthel"
    again = await unit.post(unit.social, url, {"follow_up": "x"})
    assert again.status_code == 422 and fields(again) == {"status"}
    assert (await unit.get(unit.social, "/incidents", status="open")).json()["items"] == []
    closed_list = await unit.get(unit.social, "/incidents", status="closed")
    assert [i["id"] for i in closed_list.json()["items"]] == [incident["id"]]
    # the follow-up is a health detail: stored encrypted
    async with db.transaction():
        with tenant_context(unit.town.id):
            await db.set_rls_tenant(unit.town.id)
            row = (
                await Incident.select(Incident.follow_up_sealed)
                .where(Incident.id == UUID(incident["id"]))
                .first()
            )
    assert row and row["follow_up_sealed"] and "Barthel" not in row["follow_up_sealed"]
    other = await unit.get(unit.other_admin, "/incidents", unit.other, status="closed")
    assert other.json()["items"] == []
