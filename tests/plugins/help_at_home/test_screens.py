"""The Help at Home screens of every API action, over HTTP as a browser uses them: signed in
with a session cookie, forms posted with their CSRF token.

For each screen: it renders in Greek and English with every input labelled; a bad submission
answers 422 naming the field and stores nothing; a good one stores and redirects (303); a role
without the permission gets 403; another tenant's ids give 404. The tests share one unit
(conftest `unit`) and each works on a person of its own.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from core.testing import Staff, csrf_of, make_tenant, sign_in
from tests.core.web.conftest import unlabelled
from tests.plugins.help_at_home.conftest import Unit, working_day

ATHENS = ZoneInfo("Europe/Athens")
KATZ_PAGE = {
    "bathing": "0",
    "dressing": "0",
    "toileting": "1",
    "transferring": "1",
    "continence": "1",
    "feeding": "1",
}


@dataclass
class Web:
    """One signed-in browser session of one staff member in the unit's town."""

    http: httpx.AsyncClient
    root: str
    token: str = ""

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(f"{self.root}{path}", params=params)

    async def post(self, path: str, data: dict[str, Any] | None = None) -> httpx.Response:
        return await self.http.post(
            f"{self.root}{path}", data={"_csrf_token": self.token, **(data or {})}
        )


@dataclass
class Sessions:
    admin: Web
    social: Web
    nurse: Web
    helper: Web
    reception: Web
    other: Web  # the other tenant's administrator, in the other tenant


@pytest.fixture(scope="module")
async def web(unit: Unit, merimna_app: Any) -> AsyncIterator[Sessions]:
    clients: list[httpx.AsyncClient] = []

    async def session(who: Staff, slug: str) -> Web:
        transport = httpx.ASGITransport(app=merimna_app, client=("127.0.0.1", 50003))
        http = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        clients.append(http)
        signed = await sign_in(http, who.username, who.password)
        assert signed.status_code in (302, 303), signed.text[:200]
        home = await http.get(f"/t/{slug}/")
        return Web(http, f"/t/{slug}/help_at_home", csrf_of(home.text))

    town, other = unit.town.slug, unit.other.slug
    yield Sessions(
        admin=await session(unit.admin, town),
        social=await session(unit.social, town),
        nurse=await session(unit.nurse, town),
        helper=await session(unit.helper, town),
        reception=await session(unit.reception, town),
        other=await session(unit.other_admin, other),
    )
    for http in clients:
        await http.aclose()


def error_ids(html: str) -> set[str]:
    """The inputs the page names as wrong (`<p class="field-error" id="INPUT-error">`)."""
    return set(re.findall(r'class="field-error" id="([^"]+)-error"', html))


async def in_both_languages(who: Web, path: str, el: str, en: str) -> None:
    """The page renders in Greek, then in English, with every input labelled."""
    greek = await who.get(path, lang="el")
    assert greek.status_code == 200, greek.text[:500]
    assert el in greek.text, el
    assert unlabelled(greek.text) == []
    english = await who.get(path, lang="en")
    assert english.status_code == 200, english.text[:500]
    assert en in english.text, en
    assert unlabelled(english.text) == []
    await who.get(path, lang="el")  # back to Greek for the rest of the session


def location(response: httpx.Response) -> str:
    assert response.status_code == 303, (response.status_code, response.text[:800])
    return str(response.headers["location"])


async def api(unit: Unit, path: str, **params: Any) -> Any:
    response = await unit.get(unit.admin, path, **params)
    assert response.status_code == 200, response.text
    return response.json()


# -- applications ----------------------------------------------------------------------------


async def test_application_picker_form_and_decision_workflow(unit: Unit, web: Sessions) -> None:
    person = unit.people[0]
    # the person picker: a search by name (Latin letters find the Greek name), never an id
    await in_both_languages(
        web.social, "/applications/new", "Αναζήτηση ωφελούμενου", "Find the beneficiary"
    )
    found = await web.social.get("/applications/new", q="papadop")
    assert found.status_code == 200
    assert f"{web.social.root}/persons/{person}/application" in found.text
    assert "Ελένη Παπαδοπούλου" in found.text
    short = await web.social.get("/applications/new", q="x" * 101)
    assert short.status_code == 422 and "f-q" in error_ids(short.text)

    await in_both_languages(
        web.social,
        f"/persons/{person}/application",
        "Συνθήκες διαβίωσης",
        "Living situation",
    )
    refused = await web.social.post(
        f"/persons/{person}/application",
        {"family_support": "none", "disability_percent": "150"},
    )
    assert refused.status_code == 422
    assert {"f-disability_percent", "f-living_situation"} <= error_ids(refused.text)
    assert (await api(unit, "/applications", person_id=person))["items"] == []

    saved = await web.social.post(
        f"/persons/{person}/application",
        {"living_situation": "alone", "family_support": "none", "referral_source": "hospital"},
    )
    app_path = location(saved).removeprefix(web.social.root)
    assert re.fullmatch(r"/applications/[0-9a-f-]{36}", app_path)
    app_id = app_path.rsplit("/", 1)[1]
    (stored,) = (await api(unit, "/applications", person_id=person))["items"]
    assert stored["id"] == app_id and stored["data"]["referral_source"] == "hospital"
    await in_both_languages(web.social, app_path, "Αξιολόγηση", "Assessment")
    assert stored["decision"] == "incomplete"  # no assessment yet

    # the decision: admitting needs an eligible decision, rejecting a reason
    not_yet = await web.social.post(f"{app_path}/status", {"status": "admitted"})
    assert not_yet.status_code == 422 and "decision-status" in error_ids(not_yet.text)
    no_reason = await web.social.post(f"{app_path}/status", {"status": "rejected"})
    assert no_reason.status_code == 422 and "decision-reason" in error_ids(no_reason.text)
    assert (await api(unit, f"/applications/{app_id}"))["status"] == "waiting"

    # assessed: a Katz on its page (a wrong score names its item), then decided again
    wrong = await web.nurse.post(
        f"/persons/{person}/assessments/katz",
        {**KATZ_PAGE, "bathing": "7", "assessed_on": str(date.today())},
    )
    assert wrong.status_code == 422 and "f-bathing" in error_ids(wrong.text)
    assert (await api(unit, "/assessments", person_id=person))["items"] == []
    assessed = await web.nurse.post(
        f"/persons/{person}/assessments/katz", {**KATZ_PAGE, "assessed_on": str(date.today())}
    )
    assert location(assessed) == f"{web.nurse.root}/persons/{person}"
    assert location(await web.social.post(f"{app_path}/evaluate")).startswith(
        f"{web.social.root}{app_path}"
    )
    assert (await api(unit, f"/applications/{app_id}"))["decision"] == "eligible"
    admitted = await web.social.post(f"{app_path}/status", {"status": "admitted"})
    assert location(admitted) == f"{web.social.root}{app_path}"
    assert (await api(unit, f"/applications/{app_id}"))["status"] == "admitted"
    page = await web.social.get(app_path)
    assert f"/persons/{person}/plans/new?application_id={app_id}" in page.text
    listed = await web.social.get("/applications", status="admitted")
    assert "Ελένη Παπαδοπούλου" in listed.text and app_path in listed.text
    await in_both_languages(web.social, "/applications", "Σε αναμονή", "Waiting")

    # roles: reception has no access to Help at Home, a home helper does not decide
    assert (await web.reception.get("/applications")).status_code == 403
    assert (await web.reception.get(app_path)).status_code == 403
    assert (await web.helper.post(f"{app_path}/status", {"status": "waiting"})).status_code == 403
    assert (await web.nurse.get("/applications/new")).status_code == 403
    # another tenant: its ids are unknown here, ours unknown there
    assert (await web.other.get(app_path)).status_code == 404
    assert (await web.other.post(f"{app_path}/evaluate")).status_code == 404
    other_status = await web.other.post(f"{app_path}/status", {"status": "rejected", "reason": "x"})
    assert other_status.status_code == 404
    assert (await web.social.get(f"/persons/{unit.other_person}/application")).status_code == 404
    foreign = await web.other.get("/applications/new", q="papadop")
    assert "Παπαδοπούλου" not in foreign.text


async def test_eligibility_preview_screen(unit: Unit, web: Sessions) -> None:
    await in_both_languages(web.social, "/eligibility", "Σύνολο Katz", "Katz total")
    bad = await web.social.get("/eligibility", age="80", katz="9")
    assert bad.status_code == 422 and "f-katz" in error_ids(bad.text)
    tried = await web.social.get(
        "/eligibility", age="82", lives_alone="true", family_support="none", katz="3"
    )
    assert tried.status_code == 200 and "Επιλέξιμος" in tried.text
    assert (await web.nurse.get("/eligibility")).status_code == 403


# -- care plans --------------------------------------------------------------------------------


async def test_care_plan_screens_create_edit_series_visits_and_close(
    unit: Unit, web: Sessions
) -> None:
    person = unit.people[1]
    start = working_day(date.today() + timedelta(days=21), weekday=0)
    path = f"/persons/{person}/plans/new"
    await in_both_languages(web.social, path, "Υπεύθυνος/η εργαζόμενος/η", "Assigned staff member")
    form = await web.social.get(path)
    # staff are chosen from a select of names, days from named checkboxes
    assert re.search(rf'<option value="{unit.staff["home_helper"]}"', form.text)
    assert "Πέμπτη" in form.text and 'type="time"' in form.text

    refused = await web.social.post(
        path,
        {
            "goals": "Ασφάλεια στο σπίτι",
            "start_date": str(start),
            "review_date": str(start - timedelta(days=1)),
            "service": "home_help",
            "staff_id": unit.staff["nurse"],  # a nurse does not do home help
            "frequency_per_week": "1",
            "weekdays": "TH",
            "start_time": "10:00",
        },
    )
    assert refused.status_code == 422
    assert "f-review_date" in error_ids(refused.text)
    assert (await api(unit, "/plans", person_id=person))["items"] == []
    wrong_staff = await web.social.post(
        path,
        {
            "goals": "Ασφάλεια στο σπίτι",
            "start_date": str(start),
            "review_date": str(start + timedelta(days=42)),
            "service": "home_help",
            "staff_id": unit.staff["nurse"],
            "frequency_per_week": "1",
            "weekdays": "TH",
            "start_time": "10:00",
        },
    )
    assert wrong_staff.status_code == 422 and "f-staff_id" in error_ids(wrong_staff.text)
    assert (await api(unit, "/plans", person_id=person))["items"] == []

    created = await web.social.post(
        path,
        {
            "goals": "Ασφάλεια στο σπίτι\nΚαθαριότητα",
            "start_date": str(start),
            "review_date": str(start + timedelta(days=42)),
            "schedule": "true",
            "service": "home_help",
            "staff_id": unit.staff["home_helper"],
            "frequency_per_week": "1",
            "weekdays": "TH",
            "start_time": "10:00",
            "minutes": "90",
            "tasks": "Ψώνια\nΦαρμακείο",
        },
    )
    plan_path = location(created).split("?")[0].removeprefix(web.social.root)
    plan_id = plan_path.rsplit("/", 1)[1]
    plan = await api(unit, f"/plans/{plan_id}")
    assert plan["goals"] == ["Ασφάλεια στο σπίτι", "Καθαριότητα"]
    assert plan["services"][0]["weekdays"] == ["TH"] and plan["visits_planned"] >= 5
    shown = await web.social.get(plan_path, booked="6", skipped="0")
    assert "Κλείστηκαν 6 επισκέψεις" in shown.text and "Ψώνια, Φαρμακείο" in shown.text
    await in_both_languages(web.social, plan_path, "Στόχοι και ημερομηνίες", "Goals and dates")

    # edit: a review before the start names the field; an earlier end cancels later visits
    bad_edit = await web.social.post(
        f"{plan_path}/edit", {"goals": "Ασφάλεια", "review_date": str(start)}
    )
    assert bad_edit.status_code == 422 and "edit-review_date" in error_ids(bad_edit.text)
    assert 'id="plan-edit" open' in bad_edit.text
    assert (await api(unit, f"/plans/{plan_id}"))["goals"] == plan["goals"]
    edited = await web.social.post(
        f"{plan_path}/edit",
        {
            "goals": "Ασφάλεια",
            "review_date": str(start + timedelta(days=42)),
            "end_date": str(start + timedelta(days=20)),
        },
    )
    assert "cancelled=" in location(edited)
    plan = await api(unit, f"/plans/{plan_id}")
    assert plan["goals"] == ["Ασφάλεια"] and plan["end_date"] == str(start + timedelta(days=20))
    assert plan["visits_planned"] == 3

    # a second weekly series: the nurse on Mondays; a helper cannot give nursing care
    bad_service = await web.social.post(
        f"{plan_path}/services",
        {
            "service": "nursing_visit",
            "staff_id": unit.staff["home_helper"],
            "frequency_per_week": "1",
            "weekdays": "MO",
            "start_time": "12:00",
        },
    )
    assert bad_service.status_code == 422 and "service-staff_id" in error_ids(bad_service.text)
    assert len((await api(unit, f"/plans/{plan_id}"))["services"]) == 1
    added = await web.social.post(
        f"{plan_path}/services",
        {
            "service": "nursing_visit",
            "staff_id": unit.staff["nurse"],
            "frequency_per_week": "1",
            "weekdays": "MO",
            "start_time": "12:00",
        },
    )
    assert "booked=" in location(added)
    plan = await api(unit, f"/plans/{plan_id}")
    nursing = next(s for s in plan["services"] if s["service"] == "nursing_visit")
    assert plan["visits_planned"] == 6 and nursing["active"]

    # one extra visit: outside the plan's period names the start
    outside = await web.social.post(
        f"{plan_path}/visits",
        {
            "service": "home_help",
            "staff_id": unit.staff["home_helper"],
            "start": f"{start + timedelta(days=60)}T11:00",
        },
    )
    assert outside.status_code == 422 and "visit-start" in error_ids(outside.text)
    extra_day = start + timedelta(days=1)
    extra = await web.social.post(
        f"{plan_path}/visits",
        {
            "service": "home_help",
            "staff_id": unit.staff["home_helper"],
            "start": f"{extra_day}T11:00",
            "tasks": "Συνοδεία στον γιατρό",
        },
    )
    location(extra)
    visits = (await api(unit, "/visits", plan_id=plan_id))["items"]
    (added_visit,) = [v for v in visits if v["tasks"] == ["Συνοδεία στον γιατρό"]]
    assert added_visit["planned_start"].startswith(str(extra_day))
    assert datetime.fromisoformat(added_visit["planned_start"]).astimezone(ATHENS).hour == 11

    # stop the nursing series from a day in the past: refused; from its start: cancelled
    end_path = f"{plan_path}/services/{nursing['id']}/end"
    past = await web.social.post(
        end_path, {"from_date": str(date.today() - timedelta(days=1)), "reason": "Τέλος"}
    )
    prefix = f"end-{str(nursing['id'])[:8]}"
    assert past.status_code == 422 and f"{prefix}-from_date" in error_ids(past.text)
    stopped = await web.social.post(end_path, {"from_date": str(start), "reason": "Ανάρρωση"})
    assert "cancelled=" in location(stopped)
    plan = await api(unit, f"/plans/{plan_id}")
    assert not next(s for s in plan["services"] if s["id"] == nursing["id"])["active"]

    # book again (nothing twice), then close: the reason is required
    location(await web.social.post(f"{plan_path}/schedule", {"from_date": str(start)}))
    assert (await api(unit, f"/plans/{plan_id}"))["visits_planned"] == plan["visits_planned"]
    no_reason = await web.social.post(f"{plan_path}/close", {"closed_on": str(start)})
    assert no_reason.status_code == 422 and "close-reason" in error_ids(no_reason.text)
    assert (await api(unit, f"/plans/{plan_id}"))["status"] == "active"

    # roles and tenants, before it closes
    assert (await web.nurse.get(plan_path)).status_code == 200  # clinical staff read
    nurse_edit = await web.nurse.post(
        f"{plan_path}/edit", {"goals": "x", "review_date": "2040-01-01"}
    )
    assert nurse_edit.status_code == 403
    assert (await web.reception.get(plan_path)).status_code == 403
    assert (await web.other.get(plan_path)).status_code == 404
    assert (await web.other.post(f"{plan_path}/close", {"reason": "x"})).status_code == 404
    assert (
        await web.other.post(end_path, {"from_date": str(start), "reason": "x"})
    ).status_code == 404
    assert (await web.social.get(f"/persons/{unit.other_person}/plans/new")).status_code == 404

    closed = await web.social.post(
        f"{plan_path}/close", {"closed_on": str(start), "reason": "Μετακόμιση"}
    )
    location(closed)
    plan = await api(unit, f"/plans/{plan_id}")
    assert plan["status"] == "closed" and plan["visits_planned"] == 0
    listed = await web.social.get("/plans", status="closed")
    assert plan_path in listed.text
    await in_both_languages(web.social, "/plans", "Σχέδια φροντίδας", "Care plans")


# -- incidents ----------------------------------------------------------------------------------


async def test_incident_screens_report_pause_follow_up_and_close(unit: Unit, web: Sessions) -> None:
    person = unit.people[2]
    start = working_day(date.today() + timedelta(days=3), weekday=2)
    made = await unit.post(
        unit.social,
        "/plans",
        {
            "person_id": person,
            "goals": ["Στήριξη"],
            "services": [
                {
                    "service": "accompaniment",
                    "staff_id": unit.staff["home_helper"],
                    "frequency_per_week": 5,
                    "start_time": "08:30",
                }
            ],
            "start_date": str(date.today()),
            "review_date": str(start + timedelta(days=30)),
        },
    )
    assert made.status_code == 201, made.text
    plan_id = made.json()["id"]

    path = f"/incidents/new?person_id={person}"
    await in_both_languages(web.social, path, "Επίπτωση στο σχέδιο", "Effect on the care plan")
    future = await web.social.post(
        "/incidents/new",
        {
            "person_id": person,
            "kind": "hospital_admission",
            "occurred_on": str(date.today() + timedelta(days=2)),
        },
    )
    assert future.status_code == 422 and "f-occurred_on" in error_ids(future.text)
    assert (await api(unit, "/incidents", person_id=person))["items"] == []
    assert (await api(unit, f"/plans/{plan_id}"))["status"] == "active"

    reported = await web.social.post(
        "/incidents/new",
        {
            "person_id": person,
            "kind": "hospital_admission",
            "occurred_on": str(date.today()),
            "notes": "Πυρετός",
        },
    )
    incident_path = location(reported).removeprefix(web.social.root)
    incident_id = incident_path.rsplit("/", 1)[1]
    assert (await api(unit, f"/plans/{plan_id}"))["status"] == "paused"
    await in_both_languages(web.social, incident_path, "Ανοιχτό", "Open")
    listed = await web.social.get("/incidents", status="open")
    assert incident_path in listed.text and "Σοφία Δημητρίου" in listed.text

    # the follow-up: required, and never before the incident
    empty = await web.social.post(f"{incident_path}/close", {"closed_on": str(date.today())})
    assert empty.status_code == 422 and "close-follow_up" in error_ids(empty.text)
    early = await web.social.post(
        f"{incident_path}/close",
        {"follow_up": "Επαναξιολόγηση", "closed_on": str(date.today() - timedelta(days=3))},
    )
    assert early.status_code == 422 and "close-closed_on" in error_ids(early.text)
    assert (await api(unit, f"/incidents/{incident_id}"))["status"] == "open"
    closed = await web.social.post(
        f"{incident_path}/close", {"follow_up": "Επαναξιολόγηση μετά το εξιτήριο"}
    )
    assert location(closed) == f"{web.social.root}{incident_path}"
    stored = await api(unit, f"/incidents/{incident_id}")
    assert stored["status"] == "closed" and stored["follow_up"].startswith("Επαναξιολόγηση")
    assert incident_path in (await web.social.get("/incidents", status="closed")).text

    # the paused plan resumes from its page
    plan_path = f"/plans/{plan_id}"
    page = await web.social.get(plan_path)
    assert 'id="plan-resume"' in page.text
    location(await web.social.post(f"{plan_path}/resume", {"from_date": str(start)}))
    assert (await api(unit, plan_path))["status"] == "active"

    # a home helper reports for the people of their visits, without the plan's effect
    helper_form = await web.helper.get("/incidents/new")
    assert helper_form.status_code == 200 and "Σοφία Δημητρίου" in helper_form.text
    assert 'name="action"' not in helper_form.text
    assert (await web.helper.get("/incidents/new", person_id=unit.people[3])).status_code == 404
    by_helper = await web.helper.post(
        "/incidents/new", {"person_id": person, "kind": "fall", "occurred_on": str(date.today())}
    )
    assert location(by_helper).endswith("/roster?reported=1")
    assert len((await api(unit, "/incidents", person_id=person))["items"]) == 2
    assert (await api(unit, plan_path))["status"] == "active"
    # roles and tenants
    assert (await web.helper.get("/incidents")).status_code == 403
    assert (await web.helper.post(f"{incident_path}/close", {"follow_up": "x"})).status_code == 403
    assert (await web.reception.get("/incidents/new")).status_code == 403
    assert (await web.other.get(incident_path)).status_code == 404
    assert (await web.other.post(f"{incident_path}/close", {"follow_up": "x"})).status_code == 404
    assert (await web.social.get("/incidents/new", person_id=unit.other_person)).status_code == 404
    foreign = await web.social.post(
        "/incidents/new",
        {"person_id": unit.other_person, "kind": "fall", "occurred_on": str(date.today())},
    )
    assert foreign.status_code == 422 and "f-person_id" in error_ids(foreign.text)


# -- home risks, assessments, visits, reassessments ---------------------------------------------


async def test_home_risk_and_assessment_pages(unit: Unit, web: Sessions) -> None:
    person = unit.people[3]
    path = f"/persons/{person}/home-risk"
    await in_both_languages(web.nurse, path, "Χαλιά που γλιστρούν", "Loose rugs")
    future = await web.nurse.post(
        path, {"assessed_on": str(date.today() + timedelta(days=1)), "loose_rugs": "true"}
    )
    assert future.status_code == 422 and "f-assessed_on" in error_ids(future.text)
    assert (await api(unit, "/home-risks", person_id=person))["items"] == []
    saved = await web.nurse.post(
        path,
        {
            "assessed_on": str(date.today()),
            "loose_rugs": "true",
            "poor_lighting": "true",
            "notes": "Σκάλα στην είσοδο",
        },
    )
    risk_path = location(saved).removeprefix(web.nurse.root)
    (stored,) = (await api(unit, "/home-risks", person_id=person))["items"]
    assert stored["risk_count"] == 2 and stored["notes"] == "Σκάλα στην είσοδο"
    await in_both_languages(web.social, risk_path, "κίνδυνοι: 2", "hazards: 2")

    lawton = await web.nurse.post(
        f"/persons/{person}/assessments/lawton",
        {
            "assessed_on": str(date.today()),
            "telephone": "1",
            "shopping": "2",
            "food_preparation": "1",
            "housekeeping": "2",
            "laundry": "1",
            "transportation": "1",
            "medications": "1",
            "finances": "1",
        },
    )
    location(lawton)
    (row,) = (await api(unit, "/assessments", person_id=person))["items"]
    await in_both_languages(web.social, f"/assessments/{row['id']}", "Ψώνια", "Shopping")
    person_page = await web.social.get(f"/persons/{person}")
    assert risk_path in person_page.text and f"/assessments/{row['id']}" in person_page.text

    assert (await web.helper.get(path)).status_code == 403
    assert (await web.reception.get(risk_path)).status_code == 403
    assert (await web.other.get(risk_path)).status_code == 404
    assert (await web.other.get(f"/assessments/{row['id']}")).status_code == 404
    assert (await web.nurse.get(f"/persons/{unit.other_person}/home-risk")).status_code == 404


async def test_visit_list_reassessments_and_overview(unit: Unit, web: Sessions) -> None:
    await in_both_languages(web.social, "/visits", "Επισήμανση", "Flag")
    bad = await web.social.get("/visits", date_from="not-a-date")
    assert bad.status_code == 422 and "f-date_from" in error_ids(bad.text)
    helper_own = await web.helper.get("/visits", status="planned")
    assert helper_own.status_code == 200 and 'id="f-staff_id"' not in helper_own.text
    assert (await web.reception.get("/visits")).status_code == 403

    await in_both_languages(web.social, "/reassessments", "Μέσα σε (ημέρες)", "Within (days)")
    wrong = await web.social.get("/reassessments", within_days="-1")
    assert wrong.status_code == 422 and "f-within_days" in error_ids(wrong.text)
    assert (await web.helper.get("/reassessments")).status_code == 403

    overview = await web.social.get("/")
    for screen in ("/applications", "/plans", "/visits", "/incidents", "/reassessments"):
        assert f'href="{web.social.root}{screen}"' in overview.text, screen
    await in_both_languages(web.social, "/", "Ανοιχτά συμβάντα", "Open incidents")


async def test_reports_run_a_constant_number_of_queries(client: Any) -> None:
    """Each report costs as many statements with three people as with one (no query per
    row): counted on the engine, as the benchmarks count a request's round trips."""
    report_tables = ('"hah_', '"beneficiary"', '"staff')
    from core.testing import make_staff
    from tests.bench.test_round_trips import counting

    tenant = await make_tenant(["help_at_home"], prefix="hah-count")
    boss = await make_staff(tenant, ["tenant_admin"])
    nurse = await make_staff(tenant, ["nurse"])
    profile = await client.post(
        f"{tenant.api}/staff",
        json={"user_id": str(nurse.user_id), "profession": "nurse"},
        headers=boss.headers,
    )
    assert profile.status_code == 201, profile.text
    nurse_id = profile.json()["id"]
    reports = (
        "active_by_band",
        "visits_by_worker",
        "hours_by_service",
        "waiting_list",
        "reassessments_due",
        "yearly_summary",
    )

    async def add_person(n: int) -> None:
        person = await client.post(
            f"{tenant.api}/beneficiaries",
            json={
                "first_name": "Άννα",
                "last_name": f"Μάρκου{'ΑΒΓΔ'[n]}",
                "birth_date": "1940-05-05",
            },
            headers=boss.headers,
        )
        assert person.status_code == 201, person.text
        pid = person.json()["id"]
        base = f"{tenant.api}/modules/help_at_home"
        for body, path in (
            ({"living_situation": "alone", "family_support": "none"}, "/applications"),
            (
                {
                    "goals": ["Φροντίδα"],
                    "services": [
                        {"service": "nursing_visit", "staff_id": nurse_id, "frequency_per_week": 1}
                    ],
                    "start_date": str(date.today()),
                    "review_date": str(date.today() + timedelta(days=20)),
                },
                "/plans",
            ),
        ):
            made = await client.post(
                f"{base}{path}", json={"person_id": pid, **body}, headers=boss.headers
            )
            assert made.status_code == 201, made.text

    async def statements() -> dict[str, int]:
        out = {}
        for name in reports:
            url = f"{tenant.api}/reports/help_at_home.{name}?format=json"
            warm = await client.get(url, headers=boss.headers)
            assert warm.status_code == 200, warm.text
            with counting() as seen:
                response = await client.get(url, headers=boss.headers)
            assert response.status_code == 200
            # the report's own work: the request's plumbing (membership cache refreshes,
            # sessions, audit) is the core's and counted by the benchmarks
            out[name] = sum(1 for sql in seen if any(t in sql for t in report_tables))
        return out

    await add_person(1)
    one = await statements()
    await add_person(2)
    await add_person(3)
    three = await statements()
    assert three == one, (one, three)
    rows = await client.get(
        f"{tenant.api}/reports/help_at_home.waiting_list?format=json", headers=boss.headers
    )
    assert sorted(r["person"] for r in rows.json()["rows"]) == [
        "ΜάρκουΒ Άννα",
        "ΜάρκουΓ Άννα",
        "ΜάρκουΔ Άννα",
    ]
