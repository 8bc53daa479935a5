"""The staff pages of the Family Support Centre: every form rendered from the API's model in
Greek and English with labelled inputs and people chosen from lists (never typed-in ids), a
refused form answered 422 with the field named and nothing stored, a good one stored and
redirected, 403 for roles without the area, 404 for another municipality's records."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import holidays
import httpx
import pytest
from pydantic import ValidationError

from core.testing import Staff, csrf_of, sign_in
from tests.core.web.conftest import unlabelled
from tests.plugins.family_center.conftest import World

ATHENS = ZoneInfo("Europe/Athens")


@pytest.fixture(scope="module")
async def profiles(client: Any, world: World) -> dict[str, str]:
    """Staff profiles (the tenant's staff list is where colleagues are picked from)."""
    out = {}
    for name, profession in (
        ("psychologist", "psychologist"),
        ("colleague", "psychologist"),
        ("outsider", "psychologist"),
        ("social", "social_worker"),
        ("officer", "child_protection_officer"),
        ("pedagogue", "pedagogue"),
    ):
        staff: Staff = getattr(world, name)
        r = await client.post(
            f"{world.tenant.api}/staff",
            json={"user_id": str(staff.user_id), "profession": profession},
            headers=world.admin.headers,
        )
        assert r.status_code == 201, r.text
        out[name] = r.json()["id"]
    return out


class Web:
    """A signed-in browser of one staff member, posting forms with their CSRF token."""

    def __init__(self, http: httpx.AsyncClient, root: str) -> None:
        self.http = http
        self.root = root

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(self.root + path, params=params or None)

    async def english(self, path: str, **params: Any) -> httpx.Response:
        """The page in English; the language switch sticks (a cookie), so switch back."""
        response = await self.http.get(self.root + path, params={**params, "lang": "en"})
        await self.http.get(self.root + "/", params={"lang": "el"})
        return response

    async def post(self, path: str, data: dict[str, Any], form_page: str | None = None) -> Any:
        page = await self.http.get(self.root + (form_page or path.split("?")[0]))
        token = csrf_of(page.text) if page.status_code == 200 else "x"
        return await self.http.post(self.root + path, data={**data, "_csrf_token": token})


@pytest.fixture
async def as_staff(merimna_app: Any, world: World, profiles: dict[str, str]) -> AsyncIterator[Any]:
    clients: list[httpx.AsyncClient] = []

    async def open_as(staff: Staff) -> Web:
        transport = httpx.ASGITransport(app=merimna_app, client=("127.0.0.1", 50003))
        http = httpx.AsyncClient(transport=transport, base_url="http://testserver")
        clients.append(http)
        signed = await sign_in(http, staff.username, staff.password)
        assert signed.status_code in (302, 303), signed.text[:300]
        return Web(http, f"/t/{world.tenant.slug}/family_center")

    yield open_as
    for http in clients:
        await http.aclose()


def _no_raw_ids(html: str) -> None:
    """People and colleagues are chosen, never typed in as ids."""
    for name in (
        "person_id",
        "family_member_ids",
        "participant_ids",
        "minor_id",
        "guardian_id",
        "readers",
        "facilitators",
        "enrolled_ids",
        "present_ids",
        "person_ids",
        "children_ids",
        "adult_ids",
        "assigned",
        "staff_ids",
    ):
        assert not re.search(rf'<(input type="text"|textarea)[^>]* name="{name}"', html), name


def _ok_page(response: httpx.Response, *texts: str) -> str:
    assert response.status_code == 200, response.text[:500]
    for text in texts:
        assert text in response.text, text
    assert unlabelled(response.text) == []
    _no_raw_ids(response.text)
    return response.text


def _refused(response: httpx.Response, field_label: str) -> None:
    assert response.status_code == 422, response.text[:500]
    assert 'class="error-summary"' in response.text
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    assert field_label in summary, summary


def _working_day(start: date) -> date:
    greek = holidays.country_holidays("GR", years=[start.year, start.year + 1])
    day = start
    while day.weekday() >= 5 or day in greek:
        day += timedelta(days=1)
    return day


async def _api_count(client: Any, world: World, staff: Staff, path: str) -> int:
    r = await client.get(f"{world.api}{path}", headers=staff.headers)
    assert r.status_code == 200, r.text
    return len(r.json()["items"])


async def _other_case(client: Any, world: World) -> str:
    r = await client.post(
        f"{world.other_api}/cases",
        json={
            "person_id": str(world.other_person),
            "problems": ["grief"],
            "referral_source": "self",
        },
        headers=world.other_admin.headers,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


# -- cases ------------------------------------------------------------------------------------


async def test_case_intake_and_case_page_forms(client: Any, world: World, as_staff: Any) -> None:
    web = await as_staff(world.psychologist)
    picks = {"pick": [str(world.parent), str(world.minor), str(world.other_person)]}
    page = await web.http.get(f"{web.root}/cases/new", params=picks)
    html = _ok_page(page, "Νέο περιστατικό", "Ωφελούμενος", "Μέλη οικογένειας")
    assert "Νικολάου Δημήτρης" in html and f'<option value="{world.parent}" selected>' in html
    assert "Γεωργίου" not in html  # another tenant's person is never an option
    english = await web.english("/cases/new", **picks)
    _ok_page(english, "New case", "Client", "Family members involved")
    # The search adds people to the choices.
    found = await web.get("/cases/new", q="Papadopoulou")
    assert found.status_code == 200 and "Παπαδοπούλου Ελένη" in found.text
    assert f"pick={world.adult}" in found.text

    # Refused: no presenting problem; nothing stored.
    before = await _api_count(client, world, world.psychologist, "/cases")
    query = f"?pick={world.parent}&pick={world.minor}"
    body = {"person_id": str(world.parent), "referral_source": "school"}
    r = await web.post(f"/cases/new{query}", body, form_page="/cases/new")
    _refused(r, "Αιτήματα / προβλήματα")
    assert f'<option value="{world.minor}">' in r.text  # the picked people are still there
    assert await _api_count(client, world, world.psychologist, "/cases") == before
    # Another tenant's person: 404, nothing stored.
    r = await web.post(
        "/cases/new",
        {**body, "person_id": str(world.other_person), "problems": "parenting"},
    )
    assert r.status_code == 404
    # Stored: the case page, with the family member.
    r = await web.post(
        f"/cases/new{query}",
        {**body, "problems": ["parenting", "adolescence"], "family_member_ids": str(world.minor)},
        form_page="/cases/new",
    )
    assert r.status_code == 303, r.text[:500]
    case_path = r.headers["location"].split(web.root)[1].split("?")[0]
    case_id = case_path.rsplit("/", 1)[1]
    case = await web.http.get(r.headers["location"])
    html = _ok_page(case, "Το περιστατικό άνοιξε.", "Νικολάου Δημήτρης", "Καταγραφή συνεδρίας")
    assert await _api_count(client, world, world.psychologist, "/cases") == before + 1

    # A session with the minor before any consent: refused, naming the participants.
    held = datetime.combine(date.today() - timedelta(days=1), time(11, 0))
    session = {
        "session_type": "family",
        "mode": "in_person",
        "held_at": held.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": "50",
        "participant_ids": [str(world.parent), str(world.minor)],
    }
    r = await web.post(f"{case_path}/sessions", session, form_page=case_path)
    _refused(r, "Συμμετέχοντες")
    assert await _api_count(client, world, world.psychologist, f"{case_path}/sessions") == 0
    # A consent without the guardian: refused; with the guardian: recorded.
    r = await web.post(
        f"{case_path}/consents", {"minor_id": str(world.minor), "kind": "consent"}, case_path
    )
    _refused(r, "Κηδεμόνας")
    assert '<details class="panel" id="fc-consent" open>' in r.text
    r = await web.post(
        f"{case_path}/consents",
        {"minor_id": str(world.minor), "kind": "consent", "guardian_id": str(world.parent)},
        case_path,
    )
    assert r.status_code == 303
    r = await web.post(f"{case_path}/sessions", session, form_page=case_path)
    assert r.status_code == 303, r.text[:800]
    sessions = (
        await client.get(f"{world.api}{case_path}/sessions", headers=world.psychologist.headers)
    ).json()["items"]
    assert len(sessions) == 1
    # The browser's local time is the tenant's (Athens) time.
    stored = datetime.fromisoformat(sessions[0]["held_at"]).astimezone(ATHENS)
    assert stored.replace(tzinfo=None) == held
    page = _ok_page(await web.get(case_path), "Συναίνεση κηδεμόνα", held.strftime("%d/%m/%Y 11:00"))
    assert f"/family_center/sessions/{sessions[0]['id']}" in page

    # Supervision review, a referral (refused without a reason, then stored), closing.
    assert (await web.post(f"{case_path}/review", {}, case_path)).status_code == 303
    referral = {"kind": "external", "agency_type": "hospital", "legal_basis": "vital_interest"}
    r = await web.post(f"{case_path}/referrals", referral, case_path)
    _refused(r, "Λόγος παραπομπής")
    r = await web.post(
        f"{case_path}/referrals",
        {**referral, "agency_name": "Παίδων Αγία Σοφία", "reason": "Ψυχιατρική εκτίμηση"},
        case_path,
    )
    assert r.status_code == 303, r.text[:800]
    assert "Παίδων Αγία Σοφία" in (await web.get(case_path)).text
    too_early = (date.today() - timedelta(days=400)).isoformat()
    r = await web.post(f"{case_path}/close", {"closed_on": too_early}, case_path)
    _refused(r, "Λήξη")
    r = await web.post(f"{case_path}/close", {}, case_path)
    assert r.status_code == 303
    closed = await web.get(case_path)
    assert "Κλειστό" in closed.text and "Καταγραφή συνεδρίας" not in closed.text

    # A role without counselling: the intake is 403; reading the case is allowed.
    pedagogue = await as_staff(world.pedagogue)
    assert (await pedagogue.get("/cases/new")).status_code == 403
    assert (await pedagogue.get(case_path)).status_code == 200
    r = await pedagogue.post(f"{case_path}/review", {}, case_path)
    assert r.status_code == 403
    reception = await as_staff(world.reception)
    assert (await reception.get(case_path)).status_code == 403
    # Another municipality's case: 404 for the page and every form.
    other = await _other_case(client, world)
    assert (await web.get(f"/cases/{other}")).status_code == 404
    for action in ("sessions", "consents", "review", "close", "referrals"):
        r = await web.post(f"/cases/{other}/{action}", {}, form_page=case_path)
        assert r.status_code == 404, action
    assert case_id


async def test_session_page_and_confidential_notes(
    client: Any, world: World, as_staff: Any
) -> None:
    r = await client.post(
        f"{world.api}/cases",
        json={"person_id": str(world.adult), "problems": ["grief"], "referral_source": "self"},
        headers=world.psychologist.headers,
    )
    case_id = r.json()["id"]
    r = await client.post(
        f"{world.api}/cases/{case_id}/sessions",
        json={
            "session_type": "individual",
            "held_at": datetime.now(ATHENS).isoformat(),
            "participant_ids": [str(world.adult)],
        },
        headers=world.psychologist.headers,
    )
    session_id = r.json()["id"]
    web = await as_staff(world.psychologist)
    path = f"/sessions/{session_id}"
    html = _ok_page(await web.get(path), "Κλινικές σημειώσεις", "Συνάδελφοι με πρόσβαση")
    colleague_box = f'name="readers" value="{world.colleague.user_id}"'
    assert colleague_box in html and f'value="{world.psychologist.user_id}"' not in html
    _ok_page(await web.english(path), "Clinical notes", "Colleagues who may read")
    # Refused: an empty note; nothing stored.
    r = await web.post(f"{path}/notes", {"body": ""}, path)
    _refused(r, "Κλινική σημείωση")
    assert await _api_count(client, world, world.psychologist, f"{path}/notes") == 0
    r = await web.post(
        f"{path}/notes",
        {
            "body": "Πένθος: πρώτη συνάντηση.\nΣυνέχεια σε μία εβδομάδα.",
            "readers": str(world.colleague.user_id),
        },
        path,
    )
    assert r.status_code == 303
    notes = (
        await client.get(f"{world.api}{path}/notes", headers=world.psychologist.headers)
    ).json()["items"]
    assert len(notes) == 1
    note_path = f"/notes/{notes[0]['id']}"
    assert "Πένθος: πρώτη συνάντηση." in (await web.get(path)).text
    # The author edits it; the named colleague reads it, cannot change it; others never see it.
    edit = _ok_page(await web.get(note_path), "Διόρθωση")
    assert "Συνέχεια σε μία εβδομάδα." in edit
    r = await web.post(note_path, {"body": "", "readers": str(world.colleague.user_id)})
    _refused(r, "Κλινική σημείωση")
    r = await web.post(note_path, {"body": "Πένθος: διορθωμένη.", "readers": []})
    assert r.status_code == 303
    colleague = await as_staff(world.colleague)
    assert "Πένθος" not in (await colleague.get(path)).text
    assert (await colleague.get(note_path)).status_code == 404
    r = await web.post(
        note_path, {"body": "Πένθος: ξανά.", "readers": str(world.colleague.user_id)}
    )
    assert r.status_code == 303
    seen = await colleague.get(note_path)
    assert seen.status_code == 200 and "Πένθος: ξανά." in seen.text
    assert 'name="body"' not in seen.text  # read only
    r = await colleague.post(note_path, {"body": "Αλλαγή"}, form_page=path)
    assert r.status_code == 403
    outsider = await as_staff(world.outsider)
    assert (await outsider.get(note_path)).status_code == 404
    assert "Πένθος" not in (await outsider.get(path)).text
    # Roles: reading the session without counselling shows no notes; reception is refused.
    pedagogue = await as_staff(world.pedagogue)
    page = await pedagogue.get(path)
    assert page.status_code == 200 and "Πένθος" not in page.text
    assert (await pedagogue.get(note_path)).status_code == 404
    r = await pedagogue.post(f"{path}/notes", {"body": "x"}, path)
    assert r.status_code == 403
    # Another municipality's session and note ids: 404.
    other_case = await _other_case(client, world)
    r = await client.post(
        f"{world.other_api}/cases/{other_case}/sessions",
        json={
            "session_type": "individual",
            "held_at": datetime.now(ATHENS).isoformat(),
            "participant_ids": [str(world.other_person)],
        },
        headers=world.other_admin.headers,
    )
    other_session = r.json()["id"]
    r = await client.post(
        f"{world.other_api}/sessions/{other_session}/notes",
        json={"body": "Άλλος Δήμος"},
        headers=world.other_admin.headers,
    )
    other_note = r.json()["id"]
    assert (await web.get(f"/sessions/{other_session}")).status_code == 404
    assert (
        await web.post(f"/sessions/{other_session}/notes", {"body": "x"}, path)
    ).status_code == 404
    assert (await web.get(f"/notes/{other_note}")).status_code == 404
    assert (await web.post(f"/notes/{other_note}", {"body": "x"}, path)).status_code == 404


# -- programmes -------------------------------------------------------------------------------


async def test_programmes_meetings_and_enrolment(client: Any, world: World, as_staff: Any) -> None:
    web = await as_staff(world.pedagogue)
    _ok_page(await web.get("/programmes"), "Ομάδες και εργαστήρια", "Νέο πρόγραμμα")
    new = f"/programmes/new?pick={world.parent}&pick={world.adult}"
    html = _ok_page(await web.http.get(web.root + new), "Συντονιστές", "Εγγεγραμμένοι")
    assert f'name="facilitators" value="{world.pedagogue.user_id}"' in html
    _ok_page(
        await web.english("/programmes/new", pick=[str(world.parent)]), "Facilitators", "Enrolled"
    )
    start = date.today() - timedelta(days=30)
    body = {
        "kind": "school_workshop",
        "title": "Εργαστήριο συναισθημάτων",
        "starts_on": start.isoformat(),
        "facilitators": str(world.pedagogue.user_id),
        "enrolled_ids": [str(world.parent)],
    }
    before = await _api_count(client, world, world.pedagogue, "/programmes")
    r = await web.post(new, body, form_page="/programmes/new")
    _refused(r, "Συνεργαζόμενο σχολείο / φορέας")
    assert await _api_count(client, world, world.pedagogue, "/programmes") == before
    r = await web.post(new, {**body, "partner": "3ο Δημοτικό Σχολείο"}, "/programmes/new")
    assert r.status_code == 303, r.text[:800]
    path = r.headers["location"].split(web.root)[1].split("?")[0]
    # Enrol a second person found with the search.
    page = await web.get(path, q="Παπαδοπούλου")
    assert f"pick={world.adult}" in page.text
    r = await web.post(f"{path}/enrolments?pick={world.adult}", {"person_ids": []}, path)
    _refused(r, "Πρόσωπα για εγγραφή")
    r = await web.post(
        f"{path}/enrolments?pick={world.adult}", {"person_ids": str(world.adult)}, path
    )
    assert r.status_code == 303
    html = _ok_page(await web.get(path), "Παπαδοπούλου Ελένη", "Νικολάου Γιώργος")
    assert f'name="present_ids" value="{world.adult}"' in html
    # A meeting before the programme began: refused; then one with attendance.
    meeting = {"held_on": (start - timedelta(days=1)).isoformat(), "topic": "Θυμός", "pupils": "24"}
    r = await web.post(f"{path}/meetings", meeting, path)
    _refused(r, "Ημερομηνία")
    r = await web.post(
        f"{path}/meetings",
        {**meeting, "held_on": start.isoformat(), "present_ids": str(world.adult)},
        path,
    )
    assert r.status_code == 303
    programme = (await client.get(f"{world.api}{path}", headers=world.pedagogue.headers)).json()
    assert len(programme["meetings"]) == 1 and programme["attendance_rate"] == 50.0
    assert "50.0%" in (await web.get(path)).text
    # Reading only (a child protection officer): 403 for the forms; reception: 403.
    officer = await as_staff(world.officer)
    assert (await officer.get(path)).status_code == 200
    assert (await officer.get("/programmes/new")).status_code == 403
    assert (await officer.post(f"{path}/meetings", meeting, path)).status_code == 403
    reception = await as_staff(world.reception)
    assert (await reception.get("/programmes")).status_code == 403
    # Another municipality's programme: 404.
    r = await client.post(
        f"{world.other_api}/programmes",
        json={"kind": "parents_group", "title": "Γονείς", "starts_on": start.isoformat()},
        headers=world.other_admin.headers,
    )
    other = r.json()["id"]
    assert (await web.get(f"/programmes/{other}")).status_code == 404
    assert (await web.post(f"/programmes/{other}/meetings", meeting, path)).status_code == 404
    r = await web.post(f"/programmes/{other}/enrolments", {"person_ids": str(world.adult)}, path)
    assert r.status_code == 404


# -- volunteers and trainees ----------------------------------------------------------------------


async def test_volunteers_and_supervision(client: Any, world: World, as_staff: Any) -> None:
    web = await as_staff(world.social)
    _ok_page(await web.get("/helpers"), "Εθελοντές και ασκούμενοι", "Ονοματεπώνυμο")
    _ok_page(await web.english("/helpers"), "Volunteers and trainees", "Full name")
    start = date.today() - timedelta(days=20)
    body = {"kind": "trainee", "full_name": "Άρτεμις Λάμπρου", "institution": "ΠΑΔΑ"}
    before = await _api_count(client, world, world.social, "/helpers")
    r = await web.post(
        "/helpers",
        {
            **body,
            "starts_on": start.isoformat(),
            "ends_on": (start - timedelta(days=1)).isoformat(),
        },
    )
    _refused(r, "Λήξη")
    assert await _api_count(client, world, world.social, "/helpers") == before
    r = await web.post("/helpers", {**body, "starts_on": start.isoformat()})
    assert r.status_code == 303
    path = r.headers["location"].split(web.root)[1].split("?")[0]
    _ok_page(await web.get(path), "Άρτεμις Λάμπρου", "Ώρες εποπτείας")
    r = await web.post(
        f"{path}/supervision",
        {"supervised_on": (start - timedelta(days=2)).isoformat(), "hours": "2"},
        path,
    )
    _refused(r, "Ημερομηνία")
    r = await web.post(
        f"{path}/supervision", {"supervised_on": start.isoformat(), "hours": "1.5"}, path
    )
    assert r.status_code == 303
    helper = (await client.get(f"{world.api}{path}", headers=world.social.headers)).json()
    assert helper["supervision_hours"] == 1.5
    # Roles without the area (officer, reception): 403; another municipality's helper: 404.
    for staff in (world.officer, world.reception):
        other_web = await as_staff(staff)
        assert (await other_web.get("/helpers")).status_code == 403
        assert (await other_web.get(path)).status_code == 403
    r = await client.post(
        f"{world.other_api}/helpers",
        json={"kind": "volunteer", "full_name": "Άλλος", "starts_on": start.isoformat()},
        headers=world.other_admin.headers,
    )
    other = r.json()["id"]
    assert (await web.get(f"/helpers/{other}")).status_code == 404
    r = await web.post(
        f"/helpers/{other}/supervision", {"supervised_on": start.isoformat(), "hours": "1"}, path
    )
    assert r.status_code == 404


# -- prosecutor orders ------------------------------------------------------------------------


async def test_prosecutor_order_workflow_pages(
    client: Any, world: World, as_staff: Any, profiles: dict[str, str]
) -> None:
    web = await as_staff(world.officer)
    new = f"/investigations/new?pick={world.child}&pick={world.parent}"
    html = _ok_page(await web.http.get(web.root + new), "Νέα εισαγγελική παραγγελία", "Ανήλικοι")
    assert f'name="assigned" value="{world.officer.user_id}" checked' in html
    assert f'name="assigned" value="{world.pedagogue.user_id}"' not in html  # no protection
    _ok_page(
        await web.english("/investigations/new", pick=[str(world.child)]),
        "New prosecutor order",
        "Children",
    )
    received = date.today() - timedelta(days=3)
    body = {
        "order_protocol": "Π-901/2026",
        "prosecutor_office": "Εισαγγελία Ανηλίκων Αθηνών",
        "received_on": received.isoformat(),
        "deadline": (received - timedelta(days=1)).isoformat(),
        "priority": "urgent",
        "allegation": "neglect",
        "children_ids": str(world.child),
        "adult_ids": str(world.parent),
        "assigned": str(world.officer.user_id),
    }
    before = await _api_count(client, world, world.admin, "/investigations")
    r = await web.post(new, body, form_page="/investigations/new")
    _refused(r, "Προθεσμία")
    assert await _api_count(client, world, world.admin, "/investigations") == before
    r = await web.post(new, {**body, "deadline": ""}, form_page="/investigations/new")
    assert r.status_code == 303, r.text[:800]
    path = r.headers["location"].split(web.root)[1].split("?")[0]
    html = _ok_page(
        await web.http.get(r.headers["location"]),
        "Η εισαγγελική παραγγελία καταχωρίστηκε.",
        "Κωνσταντίνου Μαρία",
    )
    assert "Νικολάου Γιώργος" in html and "ΕΚΘΕΣΗ ΚΟΙΝΩΝΙΚΗΣ ΕΡΕΥΝΑΣ" in html
    _ok_page(await web.english(path), "Prosecutor order", "Assignment, deadline, status")

    # Re-dated; a visit booked (refused without staff first); the report saved; PDF; dispatch.
    new_deadline = (received + timedelta(days=20)).isoformat()
    r = await web.post(
        path,
        {"assigned": str(world.officer.user_id), "deadline": new_deadline, "priority": "urgent"},
    )
    assert r.status_code == 303
    order = (await client.get(f"{world.api}{path}", headers=world.officer.headers)).json()
    assert order["deadline"] == new_deadline and order["deadline_from_order"] is True
    r = await web.post(path, {"assigned": [], "deadline": new_deadline})
    _refused(r, "Χρεώνεται σε")
    day = _working_day(date.today() + timedelta(days=3))
    visit = {"kind": "home_visit", "start": f"{day}T10:00", "person_ids": [str(world.child)]}
    r = await web.post(f"{path}/visits", visit, path)
    _refused(r, "Στελέχη")
    r = await web.post(f"{path}/visits", {**visit, "staff_ids": profiles["officer"]}, path)
    assert r.status_code == 303, r.text[:800]
    assert f"{day.strftime('%d/%m/%Y')} 10:00" in (await web.get(path)).text
    r = await web.post(f"{path}/report", {"body": ""}, path)
    _refused(r, "Έκθεση κοινωνικής έρευνας")
    r = await web.post(f"{path}/report", {"body": "ΕΚΘΕΣΗ\nΕυρήματα επίσκεψης."}, path)
    assert r.status_code == 303
    pdf = await web.get(f"{path}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    # A Greek protocol number in the file name is transliterated (headers are latin-1).
    assert 'filename="ekthesi-P-901-2026.pdf"' in pdf.headers["content-disposition"]
    dispatch = {
        "sent_on": (received - timedelta(days=1)).isoformat(),
        "recipient": "Εισαγγελία Ανηλίκων Αθηνών",
        "method": "e_filing",
        "what": "report",
    }
    r = await web.post(f"{path}/dispatches", dispatch, path)
    _refused(r, "Ημερομηνία αποστολής")
    r = await web.post(
        f"{path}/dispatches", {**dispatch, "sent_on": date.today().isoformat()}, path
    )
    assert r.status_code == 303
    done = await web.get(path)
    assert "Η έκθεση στάλθηκε" in done.text and "Ολοκληρώθηκε" in done.text

    # The list: mine, deadline filters.
    listed = _ok_page(await web.get("/investigations", mine="true"), "Π-901/2026")
    assert "Βλέπετε τις παραγγελίες που έχουν χρεωθεί σε εσάς." in listed
    assert "Π-901/2026" not in (await web.get("/investigations", deadline="overdue")).text

    # A colleague with the protection area who is not assigned: never sees it (404).
    psychologist = await as_staff(world.psychologist)
    assert "Π-901/2026" not in (await psychologist.get("/investigations")).text
    for sub in ("", "/report.pdf"):
        assert (await psychologist.get(path + sub)).status_code == 404
    for sub, data in (
        ("", {"priority": "normal"}),
        ("/report", {"body": "x"}),
        ("/dispatches", dispatch),
    ):
        r = await psychologist.post(path + sub, data, form_page="/investigations/new")
        assert r.status_code == 404, sub
    # The supervisor (tenant administrator) sees every order.
    admin = await as_staff(world.admin)
    assert "Π-901/2026" in (await admin.get("/investigations")).text
    assert (await admin.get(path)).status_code == 200
    # Roles without the area: 403.
    pedagogue = await as_staff(world.pedagogue)
    assert (await pedagogue.get("/investigations")).status_code == 403
    assert (await pedagogue.get("/investigations/new")).status_code == 403
    assert (await pedagogue.get(path)).status_code == 403
    # Another municipality's order: 404 for the page and its forms.
    r = await client.post(
        f"{world.other_api}/investigations",
        json={
            "order_protocol": "1/2026",
            "prosecutor_office": "Εισαγγελία Πειραιά",
            "received_on": received.isoformat(),
            "allegation": "abuse",
            "children_ids": [str(world.other_person)],
            "assigned": [str(world.other_admin.user_id)],
        },
        headers=world.other_admin.headers,
    )
    other = r.json()["id"]
    assert (await admin.get(f"/investigations/{other}")).status_code == 404
    assert (await admin.get(f"/investigations/{other}/report.pdf")).status_code == 404
    for sub in ("", "/visits", "/report", "/dispatches"):
        r = await admin.post(f"/investigations/{other}{sub}", {"body": "x"}, "/investigations/new")
        assert r.status_code == 404, sub


async def test_handing_an_order_over_leaves_the_list(
    client: Any, world: World, as_staff: Any, profiles: dict[str, str]
) -> None:
    web = await as_staff(world.social)
    received = date.today() - timedelta(days=1)
    r = await web.post(
        f"/investigations/new?pick={world.child}",
        {
            "order_protocol": "HAND-1",
            "prosecutor_office": "Εισαγγελία Ανηλίκων Αθηνών",
            "received_on": received.isoformat(),
            "allegation": "other",
            "children_ids": str(world.child),
            "assigned": str(world.social.user_id),
        },
        form_page="/investigations/new",
    )
    assert r.status_code == 303
    path = r.headers["location"].split(web.root)[1].split("?")[0]
    r = await web.post(path, {"assigned": str(world.officer.user_id)})
    assert r.status_code == 303 and r.headers["location"].endswith("done=order_handed_over")
    assert (await web.get(path)).status_code == 404
    officer = await as_staff(world.officer)
    assert "HAND-1" in (await officer.get("/investigations", mine="true")).text


# -- entry points: menu, home, person panel -------------------------------------------------------


async def test_menu_home_and_person_panel_link_to_the_screens(
    client: Any, world: World, as_staff: Any
) -> None:
    officer = await as_staff(world.officer)
    home = await officer.http.get(f"/t/{world.tenant.slug}/")
    assert f"/t/{world.tenant.slug}/family_center/investigations" in home.text
    index = _ok_page(await officer.get("/"), "Εισαγγελικές παραγγελίες", "Ομάδες και εργαστήρια")
    assert "/family_center/investigations/new" in index
    pedagogue = await as_staff(world.pedagogue)
    home = await pedagogue.http.get(f"/t/{world.tenant.slug}/")
    assert "/family_center/investigations" not in home.text
    assert "/family_center/helpers" in (await pedagogue.get("/")).text
    # The person's page: their records and the links to open new ones for them.
    psychologist = await as_staff(world.psychologist)
    person = await psychologist.http.get(f"/t/{world.tenant.slug}/people/{world.child}")
    assert person.status_code == 200
    assert f"family_center/cases/new?pick={world.child}" in person.text
    assert f"family_center/investigations/new?pick={world.child}" in person.text
    r = await client.post(
        f"{world.api}/investigations",
        json={
            "order_protocol": "PANEL-7",
            "prosecutor_office": "Εισαγγελία Ανηλίκων Αθηνών",
            "received_on": date.today().isoformat(),
            "allegation": "other",
            "children_ids": [str(world.child)],
            "assigned": [str(world.officer.user_id)],
        },
        headers=world.officer.headers,
    )
    assert r.status_code == 201, r.text
    panel = await officer.http.get(f"/t/{world.tenant.slug}/people/{world.child}")
    assert (
        "PANEL-7" in panel.text and f"family_center/investigations/{r.json()['id']}" in panel.text
    )
    # A colleague with the area who is not assigned does not see it on the person's page.
    again = await psychologist.http.get(f"/t/{world.tenant.slug}/people/{world.child}")
    assert again.status_code == 200 and "PANEL-7" not in again.text


def test_dates_in_the_future_are_judged_by_the_tenants_calendar(monkeypatch: Any) -> None:
    """A server on UTC is still on yesterday after midnight in Athens: the check must use the
    Greek date, not the server's."""
    from plugins.family_center import schemas

    tomorrow = date.today() + timedelta(days=1)
    monkeypatch.setattr(schemas, "local_today", lambda: tomorrow)
    consent = schemas.ConsentCreate(
        minor_id=UUID(int=1), kind="exception", exception_code="court_order", recorded_on=tomorrow
    )
    assert consent.recorded_on == tomorrow
    with pytest.raises(ValidationError) as caught:
        schemas.ConsentCreate(
            minor_id=UUID(int=1),
            kind="exception",
            exception_code="court_order",
            recorded_on=tomorrow + timedelta(days=1),
        )
    assert caught.value.errors()[0]["type"] == "date_in_future"
