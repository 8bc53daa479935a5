"""Help at Home through its JSON API: forms, rules, care plans, visits, rosters, isolation.

The tests of this module share one unit (conftest `unit`) and run in file order: the care
plans of the later tests use the people the earlier ones assessed.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import holidays

from core import db
from core.plugin_host import get_host
from core.refs import TenantRef
from plugins.help_at_home.services import export_person
from plugins.help_at_home.tables import Application, Assessment, Incident, Visit
from tenants.scoping import tenant_context
from tests.plugins.help_at_home.conftest import Unit, working_day

ATHENS = ZoneInfo("Europe/Athens")
KATZ_DEPENDENT = {
    "bathing": 0,
    "dressing": 0,
    "toileting": 1,
    "transferring": 1,
    "continence": 1,
    "feeding": 1,
}
BARTHEL = {
    "feeding": 10,
    "bathing": 0,
    "grooming": 5,
    "dressing": 5,
    "bowels": 10,
    "bladder": 10,
    "toilet_use": 5,
    "transfers": 10,
    "mobility": 10,
    "stairs": 0,
}
LAWTON = {
    "telephone": 2,
    "shopping": 3,
    "food_preparation": 2,
    "housekeeping": 4,
    "laundry": 3,
    "transportation": 4,
    "medications": 2,
    "finances": 2,
}


def fields(response: Any) -> set[str]:
    return {e["field"] for e in response.json()["errors"]}


async def rows(tenant: Any, table: Any, **where: Any) -> list[dict[str, Any]]:
    async with db.transaction(write=False):
        with tenant_context(tenant.id):
            await db.set_rls_tenant(tenant.id)
            query = table.select()
            for name, value in where.items():
                query = query.where(getattr(table, name) == value)
            return list(await query)


async def test_assessments_score_and_refuse_out_of_range_answers(unit: Unit) -> None:
    person = unit.people[0]
    ok = await unit.post(
        unit.nurse,
        "/assessments/katz",
        {"person_id": person, "assessed_on": "2025-01-10", "items": KATZ_DEPENDENT},
    )
    assert ok.status_code == 201, ok.text
    body = ok.json()
    assert (body["total"], body["band"], body["maximum"]) == (4, "moderate", 6)
    assert body["band_title"] == "Μέτρια έκπτωση"
    assert body["form_name"] == "help_at_home.katz" and body["form_version"] == 1
    assert body["signed_by"] == str(unit.nurse.user_id)

    barthel = await unit.post(
        unit.nurse,
        "/assessments/barthel",
        {"person_id": person, "assessed_on": "2025-01-10", "items": BARTHEL, "notes": "Πτώση"},
    )
    assert (barthel.json()["total"], barthel.json()["band"]) == (65, "moderate")
    lawton = await unit.post(
        unit.social,
        "/assessments/lawton",
        {"person_id": person, "assessed_on": "2025-01-10", "items": LAWTON},
    )
    assert lawton.json()["total"] == 3  # telephone, housekeeping, finances

    # a reassessment later is kept beside the first, with the band change flagged
    worse = await unit.post(
        unit.nurse,
        "/assessments/barthel",
        {
            "person_id": person,
            "assessed_on": "2025-03-10",
            "items": {**BARTHEL, "transfers": 5, "mobility": 0, "dressing": 0},
        },
    )
    assert worse.json()["band"] == "severe"
    assert [a["code"] for a in worse.json()["alerts"]] == ["band_worsened"]
    listed = await unit.get(unit.social, "/assessments", person_id=person, scale="barthel")
    assert [a["total"] for a in listed.json()["items"]] == [45, 65]
    # notes are stored encrypted, and shown to clinical staff only
    stored = await rows(unit.town, Assessment, id=UUID(barthel.json()["id"]))
    assert stored[0]["notes_sealed"].startswith("enc:v1:")
    assert barthel.json()["notes"] == "Πτώση"

    before = len((await unit.get(unit.admin, "/assessments", person_id=person)).json()["items"])
    bad = [
        (
            "katz",
            {
                "person_id": person,
                "assessed_on": "2025-01-10",
                "items": {**KATZ_DEPENDENT, "bathing": 2},
            },
            "items.bathing",
        ),
        (
            "lawton",
            {"person_id": person, "assessed_on": "2025-01-10", "items": {**LAWTON, "laundry": 4}},
            "items.laundry",
        ),
        (
            "barthel",
            {
                "person_id": person,
                "assessed_on": "2025-01-10",
                "items": {**BARTHEL, "transfers": 12},
            },
            "items.transfers",
        ),
        (
            "barthel",
            {
                "person_id": person,
                "assessed_on": str(date.today() + timedelta(days=2)),
                "items": BARTHEL,
            },
            "assessed_on",
        ),
        (
            "katz",
            {
                "person_id": person,
                "assessed_on": "2025-01-10",
                "items": {k: v for k, v in KATZ_DEPENDENT.items() if k != "feeding"},
            },
            "items.feeding",
        ),
    ]
    for scale, body_, field_name in bad:
        response = await unit.post(unit.nurse, f"/assessments/{scale}", body_)
        assert response.status_code == 422, (scale, response.text)
        assert field_name in fields(response), response.text
    katz_error = (await unit.post(unit.nurse, "/assessments/katz", bad[0][1])).json()["errors"][0]
    assert katz_error["message"] and not katz_error["message"].startswith("validation.")
    after = len((await unit.get(unit.admin, "/assessments", person_id=person)).json()["items"])
    assert after == before  # nothing stored

    # roles: a home helper may not assess (403); another tenant's person is 404
    denied = await unit.post(
        unit.helper,
        "/assessments/katz",
        {"person_id": person, "assessed_on": "2025-01-10", "items": KATZ_DEPENDENT},
    )
    assert denied.status_code == 403
    foreign = await unit.post(
        unit.nurse,
        "/assessments/katz",
        {"person_id": unit.other_person, "assessed_on": "2025-01-10", "items": KATZ_DEPENDENT},
    )
    assert foreign.status_code == 404
    assert (
        await unit.get(unit.other_admin, f"/assessments/{body['id']}", unit.other)
    ).status_code == 404
    other_list = await unit.get(unit.other_admin, "/assessments", unit.other)
    assert other_list.json()["items"] == []


async def test_applications_decide_eligibility_and_rank_the_waiting_list(unit: Unit) -> None:
    eligible = await unit.post(
        unit.social,
        "/applications",
        {
            "person_id": unit.people[0],
            "received_on": "2025-02-01",
            "living_situation": "alone",
            "family_support": "none",
            "annual_income": "5200.00",
            "health_conditions": "Σακχαρώδης διαβήτης",
            "emergency_contact_name": "Μαρία (κόρη)",
            "emergency_contact_phone": "6912345678",
        },
    )
    assert eligible.status_code == 201, eligible.text
    app = eligible.json()
    assert app["decision"] == "eligible"
    reasons = {r["code"]: r for r in app["eligibility"]["reasons"]}
    assert reasons["age"]["status"] == "met" and reasons["dependency"]["status"] == "met"
    assert reasons["income"]["status"] == "not_applicable"  # no national ceiling
    assert reasons["age"]["message"].startswith("Ηλικία")
    breakdown = {i["code"]: i["points"] for i in app["priority"]["items"]}
    assert breakdown["lives_alone"] == 30 and breakdown["no_family_support"] == 20
    assert app["priority_score"] == sum(breakdown.values())
    assert app["health_conditions"] == "Σακχαρώδης διαβήτης"
    stored = await rows(unit.town, Application, person_id=UUID(unit.people[0]))
    assert stored[0]["health_sealed"].startswith("enc:v1:")
    assert "Σακχαρώδης" not in str(stored[0])

    young = await unit.post(
        unit.social,
        "/applications",
        {"person_id": unit.people[3], "living_situation": "with_family", "family_support": "full"},
    )
    assert young.json()["decision"] in ("not_eligible", "incomplete")
    young_reasons = {r["code"]: r["status"] for r in young.json()["eligibility"]["reasons"]}
    assert young_reasons["age"] == "failed" and young_reasons["target_group"] == "failed"
    assert young.json()["decision"] == "not_eligible"

    unassessed = await unit.post(
        unit.admin,
        "/applications",
        {"person_id": unit.people[2], "living_situation": "alone", "family_support": "partial"},
    )
    assert unassessed.json()["decision"] == "incomplete"

    waiting = await unit.get(unit.nurse, "/applications", status="waiting")
    scores = [a["priority_score"] for a in waiting.json()["items"]]
    assert scores == sorted(scores, reverse=True) and len(scores) == 3
    # a nurse reads but sees the health details; a helper or the reception may not read at all
    assert (await unit.get(unit.helper, "/applications")).status_code == 403
    assert (await unit.get(unit.reception, "/applications")).status_code == 403
    # admitting needs an eligible decision; rejecting needs a reason
    refused = await unit.post(
        unit.social, f"/applications/{young.json()['id']}/status", {"status": "admitted"}
    )
    assert refused.status_code == 422 and fields(refused) == {"status"}
    no_reason = await unit.post(
        unit.social, f"/applications/{young.json()['id']}/status", {"status": "rejected"}
    )
    assert no_reason.status_code == 422 and fields(no_reason) == {"reason"}

    bad = await unit.post(
        unit.social,
        "/applications",
        {
            "person_id": unit.people[1],
            "living_situation": "castle",
            "family_support": "none",
            "disability_percent": 140,
            "emergency_contact_phone": "abc",
        },
    )
    assert bad.status_code == 422
    assert {"living_situation", "disability_percent", "emergency_contact_phone"} <= fields(bad)
    assert (await unit.get(unit.admin, "/applications", person_id=unit.people[1])).json()[
        "items"
    ] == []

    # isolation: another tenant neither reads nor lists these applications
    assert (
        await unit.get(unit.other_admin, f"/applications/{app['id']}", unit.other)
    ).status_code == 404
    assert (await unit.get(unit.other_admin, "/applications", unit.other)).json()["items"] == []
    report = await unit.http.get(
        f"{unit.other.api}/reports/help_at_home.waiting_list?format=json",
        headers=unit.other_admin.headers,
    )
    assert report.status_code == 200 and "Παπαδοπούλου" not in report.text
    preview = await unit.post(
        unit.social,
        "/eligibility/preview",
        {"age": 70, "lives_alone": True, "scores": {"barthel": 60}},
    )
    assert preview.status_code == 200 and preview.json()["eligibility"]["decision"] == "eligible"
    out_of_range = await unit.post(unit.social, "/eligibility/preview", {"scores": {"katz": 7}})
    assert out_of_range.status_code == 422 and fields(out_of_range) == {"scores"}


def _christmas_week() -> tuple[date, date]:
    year = date.today().year + 1
    while date(year, 12, 25).weekday() >= 5:  # a Christmas on a working day
        year += 1
    monday = date(year, 12, 25) - timedelta(days=date(year, 12, 25).weekday())
    return monday, monday + timedelta(days=13)


async def test_care_plan_books_series_around_holidays_and_refuses_foreign_staff(unit: Unit) -> None:
    start, review = _christmas_week()
    person = unit.people[1]
    plan_body = {
        "person_id": person,
        "goals": ["Τακτική παρακολούθηση πίεσης"],
        "services": [
            {
                "service": "nursing_visit",
                "staff_id": unit.staff["nurse"],
                "frequency_per_week": 5,
                "weekdays": ["MO", "TU", "WE", "TH", "FR"],
                "start_time": "09:00",
                "minutes": 45,
                "tasks": ["Μέτρηση πίεσης"],
            },
        ],
        "start_date": str(start),
        "review_date": str(review),
    }
    # another tenant's nurse, or a home helper for nursing: 422 naming the field; nothing stored
    foreign = await unit.post(
        unit.social,
        "/plans",
        {**plan_body, "services": [{**plan_body["services"][0], "staff_id": unit.other_nurse}]},
    )
    assert foreign.status_code == 422 and fields(foreign) == {"services.0.staff_id"}
    wrong = await unit.post(
        unit.social,
        "/plans",
        {
            **plan_body,
            "services": [{**plan_body["services"][0], "staff_id": unit.staff["home_helper"]}],
        },
    )
    assert wrong.status_code == 422 and fields(wrong) == {"services.0.staff_id"}
    assert wrong.json()["errors"][0]["code"] == "profession_not_allowed"
    assert (await unit.get(unit.admin, "/plans", person_id=person)).json()["items"] == []
    reversed_ = await unit.post(unit.social, "/plans", {**plan_body, "review_date": str(start)})
    assert reversed_.status_code == 422 and fields(reversed_) == {"review_date"}

    created = await unit.post(unit.social, "/plans", plan_body)
    assert created.status_code == 201, created.text
    plan = created.json()
    greek = holidays.country_holidays("GR", years=[start.year, start.year + 1])
    expected = [
        start + timedelta(days=i)
        for i in range(14)
        if (start + timedelta(days=i)).weekday() < 5 and (start + timedelta(days=i)) not in greek
    ]
    visits = (await unit.get(unit.admin, "/visits", plan_id=plan["id"], limit=50)).json()["items"]
    assert sorted(date.fromisoformat(v["planned_day"]) for v in visits) == expected
    assert plan["scheduled"]["created"] == len(expected)
    skipped_days = {s["start"][:10] for s in plan["scheduled"]["skipped"]}
    assert str(date(start.year, 12, 25)) in skipped_days
    assert all(
        any(r["code"] == "holiday" for r in s["reasons"]) for s in plan["scheduled"]["skipped"]
    )
    first = visits[0]
    assert first["service_code"] == "help_at_home.nursing_visit"
    local = datetime.fromisoformat(first["planned_start"]).astimezone(ATHENS)
    assert (local.hour, local.minute) == (9, 0)
    appointment = await unit.http.get(
        f"{unit.town.api}/appointments/{first['appointment_id']}", headers=unit.admin.headers
    )
    assert appointment.status_code == 200, appointment.text
    assert appointment.json()["record_type"] == "care_plan"
    assert appointment.json()["mode"] == "home_visit"

    again = await unit.post(unit.social, "/plans", plan_body)
    assert again.status_code == 409
    # another tenant cannot see or touch the plan
    assert (await unit.get(unit.other_admin, f"/plans/{plan['id']}", unit.other)).status_code == 404
    assert (
        await unit.post(unit.other_admin, f"/plans/{plan['id']}/close", {"reason": "x"}, unit.other)
    ).status_code == 404
    assert (await unit.get(unit.other_admin, "/visits", unit.other)).json()["items"] == []


async def _plan_for(unit: Unit, person: str, start: date) -> dict[str, Any]:
    response = await unit.post(
        unit.social,
        "/plans",
        {
            "person_id": person,
            "goals": ["Καθαριότητα σπιτιού"],
            "services": [
                {
                    "service": "home_help",
                    "staff_id": unit.staff["home_helper"],
                    "frequency_per_week": 1,
                    "tasks": ["Ψώνια", "Καθαριότητα"],
                }
            ],
            "start_date": str(start),
            "review_date": str(start + timedelta(days=60)),
            "schedule": False,
        },
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_roster_orders_the_day_and_visits_are_checked_in_and_out(unit: Unit) -> None:
    day = working_day(date.today() + timedelta(days=21), weekday=2)
    plans = {
        p: await _plan_for(unit, p, day - timedelta(days=3))
        for p in (unit.people[0], unit.people[2], unit.people[3])
    }
    times = {unit.people[2]: "09:00", unit.people[3]: "10:30", unit.people[0]: "12:00"}
    visit_ids = {}
    for person, at in times.items():
        start = datetime.combine(day, datetime.strptime(at, "%H:%M").time(), tzinfo=ATHENS)
        response = await unit.post(
            unit.social,
            f"/plans/{plans[person]['id']}/visits",
            {
                "service": "home_help",
                "staff_id": unit.staff["home_helper"],
                "start": start.isoformat(),
                "minutes": 60,
                "tasks": ["Ψώνια"],
            },
        )
        assert response.status_code == 201, response.text
        visit_ids[person] = response.json()["id"]
    # a visit outside the plan's period, or on top of another: refused, nothing stored
    outside = await unit.post(
        unit.social,
        f"/plans/{plans[unit.people[0]]['id']}/visits",
        {
            "service": "home_help",
            "staff_id": unit.staff["home_helper"],
            "start": datetime.combine(day + timedelta(days=90), datetime.min.time(), tzinfo=ATHENS)
            .replace(hour=9)
            .isoformat(),
        },
    )
    assert outside.status_code == 422 and fields(outside) == {"start"}
    error = outside.json()["errors"][0]
    assert error["code"] == "help_at_home.outside_plan_period"
    assert error["message"].startswith("Εκτός της περιόδου του σχεδίου φροντίδας")
    clash = await unit.post(
        unit.social,
        f"/plans/{plans[unit.people[0]]['id']}/visits",
        {
            "service": "home_help",
            "staff_id": unit.staff["home_helper"],
            "start": datetime.combine(day, datetime.min.time(), tzinfo=ATHENS)
            .replace(hour=9, minute=30)
            .isoformat(),
        },
    )
    assert clash.status_code == 409, clash.text

    mine = await unit.get(unit.helper, "/roster", day=str(day))
    assert mine.status_code == 200, mine.text
    order = [v["person_id"] for v in mine.json()["items"]]
    assert order == [unit.people[2], unit.people[3], unit.people[0]]
    first = mine.json()["items"][0]
    assert first["order"] == 1 and first["address_text"].startswith("Πατησίων 5")
    assert first["person_name"] == "Σοφία Δημητρίου" and first["tasks"] == ["Ψώνια"]
    # route order: from the first address to the nearest postcode each time
    route = await unit.get(
        unit.admin, "/roster", day=str(day), order="route", staff_id=unit.staff["home_helper"]
    )
    assert [v["person_id"] for v in route.json()["items"]] == [
        unit.people[2],
        unit.people[0],
        unit.people[3],
    ]
    foreign = await unit.get(
        unit.other_admin, "/roster", unit.other, staff_id=unit.staff["home_helper"], day=str(day)
    )
    assert foreign.status_code == 404

    visit = visit_ids[unit.people[2]]
    checked = await unit.post(
        unit.helper, f"/visits/{visit}/check-in", {"latitude": 37.99, "longitude": 23.73}
    )
    assert checked.status_code == 200, checked.text
    assert checked.json()["check_in_position"] == {"latitude": 37.99, "longitude": 23.73}
    assert (await unit.post(unit.helper, f"/visits/{visit}/check-in", {})).status_code == 409
    half = await unit.post(unit.helper, f"/visits/{visit}/check-in", {"latitude": 1.0})
    assert half.status_code == 422
    vitals = await unit.post(
        unit.helper, f"/visits/{visit}/check-out", {"vital_signs": {"pulse": 80}}
    )
    assert vitals.status_code == 403  # vital signs are the nurse's
    done = await unit.post(
        unit.helper,
        f"/visits/{visit}/check-out",
        {"tasks_done": ["Ψώνια"], "observations": "Κουρασμένη", "next_steps": "—"},
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "done" and done.json()["tasks_done"] == ["Ψώνια"]
    appointment = await unit.http.get(
        f"{unit.town.api}/appointments/{done.json()['appointment_id']}", headers=unit.admin.headers
    )
    assert appointment.json()["status"] == "completed"
    stored = await rows(unit.town, Visit, id=UUID(visit))
    assert stored[0]["observations_sealed"].startswith("enc:v1:")
    # a future visit cannot be recorded as missed yet
    later = visit_ids[unit.people[0]]
    not_yet = await unit.post(unit.helper, f"/visits/{later}/missed", {"reason": "Απών"})
    assert not_yet.status_code == 422 and fields(not_yet) == {"status"}
    # the helper sees only their own visits; another tenant sees none of them
    nurse_visits = await unit.get(unit.nurse, "/visits", staff_id=unit.staff["nurse"], limit=1)
    nurse_visit = nurse_visits.json()["items"][0]["id"]
    assert (await unit.get(unit.helper, f"/visits/{nurse_visit}")).status_code == 404
    own = await unit.get(unit.helper, "/visits", limit=200)
    assert {v["staff_id"] for v in own.json()["items"]} == {unit.staff["home_helper"]}
    assert (await unit.get(unit.other_admin, f"/visits/{visit}", unit.other)).status_code == 404

    # the nurse logs vital signs; implausible values are refused naming the field
    await unit.post(unit.nurse, f"/visits/{nurse_visit}/check-in", {})
    implausible = await unit.post(
        unit.nurse,
        f"/visits/{nurse_visit}/check-out",
        {"vital_signs": {"systolic_bp": 300, "diastolic_bp": 80}},
    )
    assert implausible.status_code == 422
    assert fields(implausible) == {"vital_signs.systolic_bp"}
    inverted = await unit.post(
        unit.nurse,
        f"/visits/{nurse_visit}/check-out",
        {"vital_signs": {"systolic_bp": 120, "diastolic_bp": 130}},
    )
    assert fields(inverted) == {"vital_signs.diastolic_bp"}
    still = await unit.get(unit.nurse, f"/visits/{nurse_visit}")
    assert still.json()["status"] == "planned" and still.json()["vital_signs"] is None
    logged = await unit.post(
        unit.nurse,
        f"/visits/{nurse_visit}/check-out",
        {
            "vital_signs": {
                "systolic_bp": 135,
                "diastolic_bp": 85,
                "spo2": 96,
                "temperature_c": 36.6,
            }
        },
    )
    assert logged.status_code == 200, logged.text
    assert logged.json()["vital_signs"]["systolic_bp"] == 135
    # the helper cannot read the nurse's visit, vital signs or not
    assert (await unit.get(unit.helper, f"/visits/{nurse_visit}")).status_code == 404


async def test_calendar_moves_and_cancellations_reach_the_visit(unit: Unit) -> None:
    """`merimna_appointment_changed`: the visit follows its appointment when someone moves or
    cancels it in the core calendar."""
    visits = await unit.get(unit.admin, "/visits", person_id=unit.people[3], status="planned")
    visit = visits.json()["items"][0]
    start = datetime.fromisoformat(visit["planned_start"])
    later = start + timedelta(hours=3)
    moved = await unit.http.post(
        f"{unit.town.api}/appointments/{visit['appointment_id']}/move",
        json={"start": later.isoformat()},
        headers=unit.admin.headers,
    )
    assert moved.status_code == 200, moved.text
    after = (await unit.get(unit.admin, f"/visits/{visit['id']}")).json()
    assert datetime.fromisoformat(after["planned_start"]) == later
    cancelled = await unit.http.post(
        f"{unit.town.api}/appointments/{visit['appointment_id']}/cancel",
        json={"reason": "Ο ωφελούμενος λείπει"},
        headers=unit.admin.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    gone = (await unit.get(unit.admin, f"/visits/{visit['id']}")).json()
    assert (gone["status"], gone["status_reason"]) == ("cancelled", "appointment_cancelled")


async def test_incident_pauses_the_plan_and_reassessment_comes_due(unit: Unit) -> None:
    person = unit.people[1]
    plan = (await unit.get(unit.admin, "/plans", person_id=person)).json()["items"][0]
    planned_before = plan["visits_planned"]
    assert planned_before > 0
    assessed = await unit.post(
        unit.nurse,
        "/assessments/barthel",
        {
            "person_id": person,
            "assessed_on": str(date.today() - timedelta(days=30)),
            "items": BARTHEL,
        },
    )
    assert assessed.status_code == 201
    helper_try = await unit.post(
        unit.helper,
        "/incidents",
        {"person_id": person, "kind": "hospital_admission", "occurred_on": str(date.today())},
    )
    assert helper_try.status_code == 403  # pausing a plan is the coordinator's
    admitted = await unit.post(
        unit.social,
        "/incidents",
        {
            "person_id": person,
            "kind": "hospital_admission",
            "occurred_on": str(date.today()),
            "notes": "Πνευμονία, Γενικό Νοσοκομείο",
        },
    )
    assert admitted.status_code == 201, admitted.text
    assert admitted.json()["action"] == "pause"
    assert admitted.json()["visits_cancelled"] == planned_before
    paused = (await unit.get(unit.admin, f"/plans/{plan['id']}")).json()
    assert paused["status"] == "paused" and paused["visits_planned"] == 0
    stored = await rows(unit.town, Incident, person_id=UUID(person))
    assert stored[0]["notes_sealed"].startswith("enc:v1:")
    due = await unit.get(unit.social, "/reassessments", person_id=person, within_days=1)
    # last month's Barthel is due again now (after the admission); the scales never
    # assessed are due when the plan starts (next Christmas), beyond the window
    assert [(d["scale"], d["reason"]) for d in due.json()["items"]] == [("barthel", "incident")]
    future = await unit.post(
        unit.social,
        "/incidents",
        {"person_id": person, "kind": "fall", "occurred_on": str(date.today() + timedelta(days=3))},
    )
    assert future.status_code == 422 and fields(future) == {"occurred_on"}
    foreign = await unit.post(
        unit.other_admin,
        "/incidents",
        {"person_id": person, "kind": "fall", "occurred_on": str(date.today())},
        unit.other,
    )
    assert foreign.status_code == 404


async def test_reports_in_every_format_hold_only_this_tenants_data(unit: Unit) -> None:
    listed = await unit.http.get(f"{unit.town.api}/reports", headers=unit.admin.headers)
    ids = sorted(r["id"] for r in listed.json()["items"] if r["id"].startswith("help_at_home."))
    assert ids == [
        "help_at_home.active_by_band",
        "help_at_home.hours_by_service",
        "help_at_home.reassessments_due",
        "help_at_home.visits_by_worker",
        "help_at_home.waiting_list",
        "help_at_home.yearly_summary",
    ]
    for report_id in ids:
        for fmt in ("json", "csv", "xlsx"):
            response = await unit.http.get(
                f"{unit.town.api}/reports/{report_id}?format={fmt}", headers=unit.admin.headers
            )
            assert response.status_code == 200, (report_id, fmt, response.text[:200])
    waiting = await unit.http.get(
        f"{unit.town.api}/reports/help_at_home.waiting_list?format=json",
        headers=unit.admin.headers,
    )
    names = {r["person"] for r in waiting.json()["rows"]}
    assert names == {"Παπαδοπούλου Ελένη", "Δημητρίου Σοφία", "Αντωνίου Νίκος"}
    yearly = await unit.http.get(
        f"{unit.town.api}/reports/help_at_home.yearly_summary?format=csv&year=2025",
        headers=unit.admin.headers,
    )
    assert "applications_received" in yearly.text
    bad = await unit.http.get(
        f"{unit.town.api}/reports/help_at_home.visits_by_worker?format=json&month=2025-13",
        headers=unit.admin.headers,
    )
    assert bad.status_code == 422
    theirs = await unit.http.get(
        f"{unit.other.api}/reports/help_at_home.active_by_band?format=json",
        headers=unit.other_admin.headers,
    )
    assert theirs.status_code == 200 and theirs.json()["rows"] == []


async def test_routes_are_404_when_the_module_is_disabled(unit: Unit) -> None:
    from core.testing import make_staff, make_tenant

    plain = await make_tenant(["food_bank"])
    boss = await make_staff(plain, ["tenant_admin"])
    for path in ("/applications", "/roster", "/forms"):
        response = await unit.get(boss, path, plain)
        assert response.status_code == 404, path
    page = await unit.http.get(f"/t/{plain.slug}/help_at_home/", headers=boss.headers)
    assert page.status_code == 404


async def test_person_export_and_erasure_hooks(unit: Unit) -> None:
    hooks = get_host().for_tenant(frozenset({"help_at_home"}))
    ref = TenantRef(id=unit.town.id, slug=unit.town.slug, modules=frozenset({"help_at_home"}))
    person = UUID(unit.people[0])
    async with db.transaction():
        with tenant_context(unit.town.id):
            await db.set_rls_tenant(unit.town.id)
            exported = await hooks.export_person(tenant=ref, person_id=person)
    apps = exported["help_at_home.hah_application"]
    assert apps[0]["health"] == "Σακχαρώδης διαβήτης"
    assert {a["scale"] for a in exported["help_at_home.hah_assessment"]} == {
        "katz",
        "lawton",
        "barthel",
    }
    assert exported["help_at_home.hah_visit"] and exported["help_at_home.hah_plan_service"]
    async with db.transaction():
        with tenant_context(unit.other.id):  # another tenant's context sees nothing of her
            await db.set_rls_tenant(unit.other.id)
            assert await export_person(person) == {}
    async with db.transaction():
        with tenant_context(unit.town.id):
            await db.set_rls_tenant(unit.town.id)
            kept = await hooks.erase_person(tenant=ref, person_id=person)
    assert kept == []
    assert (await unit.get(unit.admin, "/applications", person_id=str(person))).json()[
        "items"
    ] == []
    assert (await unit.get(unit.admin, "/visits", person_id=str(person))).json()["items"] == []
