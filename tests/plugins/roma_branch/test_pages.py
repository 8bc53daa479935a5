"""The branch's staff screens over HTTP, as a browser uses them (session cookie, CSRF field):
every page renders in Greek and English with every input labelled; every form refuses bad
input with a 422 naming the field and stores nothing, and stores good input and redirects;
a role without the area's permission gets 403, staff outside the branch 404, and another
tenant's ids 404."""

from __future__ import annotations

from typing import Any

import httpx

from tests.core.web.conftest import html_lang, unlabelled
from tests.plugins.roma_branch.helpers import (
    DAY,
    World,
    api,
    make_records,
    make_world,
    signed_in,
    token_of,
)

# Every screen, opened with the ids of `make_records` (GET).
PAGES = [
    "/",
    "/people?q=Αθανασίου",
    "/people/{person}",
    "/reception",
    "/reception?person={person}",
    "/reception/{reception}",
    "/accompaniments",
    "/people/{person}/accompaniments",
    "/accompaniments/{accompaniment}",
    "/applications",
    "/people/{person}/applications",
    "/applications/{application}",
    "/estimate",
    "/job-seekers",
    "/people/{child}/job-seeker",
    "/job-seekers/{seeker}",
    "/job-seekers/{seeker}/cv",
    "/employers",
    "/vacancies",
    "/vacancies/{vacancy}",
    "/placements/{placement}",
    "/school",
    "/people/{child}/school?guardian_q=Αθανασίου",
    "/school/{school}",
    "/esf",
]


def ui(w: World) -> str:
    return f"/t/{w.tenant.slug}/roma_branch"


async def listed(client: Any, w: World, path: str, **params: Any) -> list[dict[str, Any]]:
    r = await client.get(w.url(path), params=params, headers=w.admin.headers)
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def test_every_screen_renders_in_greek_and_english_with_labelled_inputs(
    client: Any, merimna_app: Any
) -> None:
    w = await make_world(client)
    ids = await make_records(client, w)
    async with signed_in(merimna_app, w.admin) as http:
        for path in PAGES:
            url = ui(w) + path.format(**ids)
            sep = "&" if "?" in url else "?"
            for lang, words in (("el", "Παράρτημα Ρομά"), ("en", "Roma branch")):
                r = await http.get(f"{url}{sep}lang={lang}")
                assert r.status_code == 200, (path, lang, r.text[:400])
                assert html_lang(r.text) == lang, path
                assert words in r.text, (path, lang)
                assert not unlabelled(r.text), (path, unlabelled(r.text))
        # The screens show the people by name, and the sealed texts opened.
        r = await http.get(ui(w) + f"/reception/{ids['reception']}?lang=el")
        assert "Αθανασίου Μαρία" in r.text and "Φέρνει πιστοποιητικό" in r.text
        r = await http.get(ui(w) + f"/accompaniments/{ids['accompaniment']}")
        assert "Πιστοποιητικό οικογενειακής κατάστασης" in r.text
        r = await http.get(ui(w) + f"/vacancies/{ids['vacancy']}")
        assert "Αθανασίου Μαρία" in r.text  # ranked among the matches
        r = await http.get(ui(w) + "/people?q=Athanasiou")  # Latin finds the Greek name
        assert f"/people/{w.person}" in r.text
        # A person's page links to every form about them; no raw id is asked anywhere.
        r = await http.get(ui(w) + f"/people/{w.person}")
        for form in ("accompaniments", "applications", "school"):
            assert f"/people/{w.person}/{form}" in r.text
        r = await http.get(ui(w) + f"/people/{w.person}/accompaniments")
        assert '<select id="rb-acc-person_id"' in r.text
        assert '<select id="rb-acc-mediator_staff_id"' in r.text
        assert 'type="text" id="rb-acc-person_id"' not in r.text


async def test_reception_accompaniment_and_applications_forms(
    client: Any, merimna_app: Any
) -> None:
    w = await make_world(client)
    ids = await make_records(client, w)
    base = ui(w)
    async with signed_in(merimna_app, w.admin) as http:
        token = await token_of(http, base + "/reception")

        async def post(path: str, data: dict[str, Any]) -> httpx.Response:
            return await http.post(base + path, data={**data, "_csrf_token": token})

        # Reception: an anonymous group, then a named visit from the person's page.
        before = len(await listed(client, w, "/reception"))
        bad = await post(
            "/reception",
            {
                "visited_on": "2026-03-02",
                "request_type": "housing",
                "outcome": "informed",
                "follow_up_on": "2026-03-01",
            },
        )
        assert bad.status_code == 422
        assert 'id="rb-reception-follow_up_on-error"' in bad.text
        assert 'value="2026-03-02"' in bad.text  # the rest is kept
        assert len(await listed(client, w, "/reception")) == before
        good = await post(
            "/reception",
            {
                "visited_on": "2026-03-02",
                "request_type": "housing",
                "outcome": "informed",
                "people_count": "3",
            },
        )
        assert good.status_code == 303 and "/reception?saved=" in good.headers["location"]
        good = await post(
            f"/reception?person={w.person}",
            {
                "person_id": str(w.person),
                "visited_on": "2026-03-03",
                "request_type": "health",
                "outcome": "pending",
                "follow_up": "Ραντεβού στο κέντρο υγείας",
                "follow_up_on": "2026-03-10",
            },
        )
        assert good.status_code == 303
        assert good.headers["location"].endswith(f"/people/{w.person}")
        rows = await listed(client, w, "/reception")
        assert len(rows) == before + 2
        assert {r["follow_up"] for r in rows} >= {"Ραντεβού στο κέντρο υγείας"}

        # Accompaniment: booked into the calendar; a double booking is refused by the form.
        before = len(await listed(client, w, "/accompaniments"))
        form = {
            "person_id": str(w.person),
            "agency": "opeka",
            "purpose": "Αίτηση επιδόματος",
            "start": f"{DAY}T10:00",
            "mediator_staff_id": ids["mediator_staff"],
        }
        bad = await post(f"/people/{w.person}/accompaniments", {**form, "purpose": ""})
        assert bad.status_code == 422 and 'id="rb-acc-purpose-error"' in bad.text
        good = await post(f"/people/{w.person}/accompaniments", form)
        assert good.status_code == 303, good.text[:500]
        acc_url = good.headers["location"].split("?")[0]
        clash = await post(f"/people/{w.person}/accompaniments", {**form, "start": f"{DAY}T11:00"})
        assert clash.status_code == 409
        assert 'class="notice notice--error"' in clash.text
        accs = await listed(client, w, "/accompaniments")
        assert len(accs) == before + 1
        new = next(a for a in accs if a["purpose"] == "Αίτηση επιδόματος")
        assert new["start"].startswith(f"{DAY}T08:00")  # 10:00 in Athens, stored in UTC
        appointment = await client.get(
            f"{w.tenant.api}/appointments/{new['appointment_id']}", headers=w.admin.headers
        )
        assert appointment.status_code == 200
        # Its outcome: cancelling needs a reason (422, nothing changed), then done.
        bad = await http.post(
            acc_url.replace("http://testserver", ""),
            data={"status": "cancelled", "_csrf_token": token},
        )
        assert bad.status_code == 422 and 'id="rb-acc-update-cancel_reason-error"' in bad.text
        got = await client.get(w.url(f"/accompaniments/{new['id']}"), headers=w.admin.headers)
        assert got.json()["status"] == "planned"
        good = await post(
            f"/accompaniments/{new['id']}",
            {"status": "done", "outcome": "completed", "outcome_notes": "Κατατέθηκε"},
        )
        assert good.status_code == 303
        got = await client.get(w.url(f"/accompaniments/{new['id']}"), headers=w.admin.headers)
        assert got.json()["status"] == "done" and got.json()["outcome_notes"] == "Κατατέθηκε"

        # Applications: a new one, the update form, and ticking the checklist.
        before = len(await listed(client, w, "/applications"))
        bad = await post(
            f"/people/{w.person}/applications",
            {"person_id": str(w.person), "benefit": "min_income", "adults": "-1"},
        )
        assert bad.status_code == 422 and 'id="rb-app-adults-error"' in bad.text
        assert len(await listed(client, w, "/applications")) == before
        good = await post(
            f"/people/{w.person}/applications",
            {
                "person_id": str(w.person),
                "benefit": "min_income",
                "adults": "2",
                "minors": "1",
                "income_6m": "0",
            },
        )
        assert good.status_code == 303 and "/applications/" in good.headers["location"]
        assert len(await listed(client, w, "/applications")) == before + 1
        app_id = ids["application"]
        bad = await post(f"/applications/{app_id}", {"adults": "1", "outcome": "approved"})
        assert bad.status_code == 422 and 'id="rb-app-update-outcome-error"' in bad.text
        good = await post(f"/applications/{app_id}", {"adults": "1", "income_6m": "150"})
        assert good.status_code == 303
        got = await client.get(w.url(f"/applications/{app_id}"), headers=w.admin.headers)
        assert got.json()["income_6m"] in ("150", "150.00", 150, 150.0)
        assert got.json()["outcome"] == "pending"
        item = f"/applications/{app_id}/checklist/{ids['item']}"
        bad = await post(item, {"received": "true"})  # an identity card expires: date needed
        assert bad.status_code == 422 and 'id="rb-item-0-expiry_date-error"' in bad.text
        got = await client.get(w.url(f"/applications/{app_id}"), headers=w.admin.headers)
        assert got.json()["checklist"][0]["received"] is False
        good = await post(item, {"received": "true", "expiry_date": "2031-01-01"})
        assert good.status_code == 303 and good.headers["location"].endswith(f"#item-{ids['item']}")
        got = await client.get(w.url(f"/applications/{app_id}"), headers=w.admin.headers)
        assert got.json()["checklist"][0]["status"] == "received"

        # The minimum-income estimate: stored nowhere, explained line by line.
        bad = await post("/estimate", {"minors": "1"})
        assert bad.status_code == 422 and 'id="rb-estimate-adults-error"' in bad.text
        good = await post("/estimate", {"adults": "2", "minors": "2", "income_6m": "0"})
        assert good.status_code == 200 and "Εγγυημένο ποσό: 432.00 €" in good.text


async def test_job_bank_and_school_forms(client: Any, merimna_app: Any) -> None:
    w = await make_world(client)
    ids = await make_records(client, w)
    base = ui(w)
    other_person = (
        await client.post(
            f"{w.tenant.api}/beneficiaries",
            json={"first_name": "Νίκος", "last_name": "Σαλονικιός", "birth_date": "1988-01-09"},
            headers=w.admin.headers,
        )
    ).json()["id"]
    async with signed_in(merimna_app, w.admin) as http:
        token = await token_of(http, base + "/employers")

        async def post(path: str, data: dict[str, Any]) -> httpx.Response:
            return await http.post(base + path, data={**data, "_csrf_token": token})

        # A job-seeker profile from the person's page; then its update form.
        before = len(await listed(client, w, "/job-seekers"))
        bad = await post(f"/people/{other_person}/job-seeker", {"person_id": other_person})
        assert bad.status_code == 422 and 'id="rb-seeker-education-error"' in bad.text
        assert len(await listed(client, w, "/job-seekers")) == before
        good = await post(
            f"/people/{other_person}/job-seeker",
            {"person_id": other_person, "education": "isced_3_4", "skills": "αποθήκη\nοδήγηση"},
        )
        assert good.status_code == 303
        seeker_url = good.headers["location"]
        seeker_id = seeker_url.rsplit("/", 1)[1]
        got = await client.get(w.url(f"/job-seekers/{seeker_id}"), headers=w.admin.headers)
        assert got.json()["skills"] == ["αποθήκη", "οδήγηση"]
        bad = await post(f"/job-seekers/{seeker_id}", {"experience_years": "99"})
        assert bad.status_code == 422 and 'id="rb-seeker-update-experience_years-error"' in bad.text
        good = await post(
            f"/job-seekers/{seeker_id}",
            {"experience_years": "4", "skills": "αποθήκη", "active": "true"},
        )
        assert good.status_code == 303
        got = await client.get(w.url(f"/job-seekers/{seeker_id}"), headers=w.admin.headers)
        assert got.json()["experience_years"] == 4

        # Employers and vacancies.
        before = len(await listed(client, w, "/employers"))
        bad = await post("/employers", {"name": "Μαστίχα ΑΕ", "afm": "123456789"})
        assert bad.status_code == 422 and 'id="rb-employer-afm-error"' in bad.text
        assert len(await listed(client, w, "/employers")) == before
        good = await post("/employers", {"name": "Μαστίχα ΑΕ", "sector": "Τρόφιμα"})
        assert good.status_code == 303
        assert len(await listed(client, w, "/employers")) == before + 1
        before = len(await listed(client, w, "/vacancies"))
        bad = await post("/vacancies", {"employer_id": ids["employer"]})
        assert bad.status_code == 422 and 'id="rb-vacancy-title-error"' in bad.text
        good = await post(
            "/vacancies",
            {"employer_id": ids["employer"], "title": "Οδηγός", "skills": "οδήγηση"},
        )
        assert good.status_code == 303
        vacancy_id = good.headers["location"].rsplit("/", 1)[1]
        assert len(await listed(client, w, "/vacancies")) == before + 1

        # On the vacancy: a mediation step, a placement, and its status.
        page = await http.get(base + f"/vacancies/{vacancy_id}")
        assert f'<option value="{seeker_id}"' in page.text  # the new seeker is a match
        bad = await post(
            f"/vacancies/{vacancy_id}/mediations",
            {"seeker_id": seeker_id, "vacancy_id": vacancy_id, "step_on": "2026-03-01"},
        )
        assert bad.status_code == 422 and 'id="rb-mediations-step-error"' in bad.text
        assert await listed(client, w, "/mediations", vacancy_id=vacancy_id) == []
        good = await post(
            f"/vacancies/{vacancy_id}/mediations",
            {
                "seeker_id": seeker_id,
                "vacancy_id": vacancy_id,
                "step": "cv_sent",
                "step_on": "2026-03-01",
                "notes": "Ενδιαφέρεται",
            },
        )
        assert good.status_code == 303
        steps = await listed(client, w, "/mediations", vacancy_id=vacancy_id)
        assert [(s["step"], s["notes"]) for s in steps] == [("cv_sent", "Ενδιαφέρεται")]
        placement_form = {
            "seeker_id": seeker_id,
            "employer_id": ids["employer"],
            "vacancy_id": vacancy_id,
        }
        bad = await post(f"/vacancies/{vacancy_id}/placements", placement_form)
        assert bad.status_code == 422 and 'id="rb-placements-start_date-error"' in bad.text
        assert await listed(client, w, "/placements", seeker_id=seeker_id) == []
        good = await post(
            f"/vacancies/{vacancy_id}/placements", {**placement_form, "start_date": "2026-02-02"}
        )
        assert good.status_code == 303 and "/placements/" in good.headers["location"]
        placement_id = good.headers["location"].rsplit("/", 1)[1]
        bad = await post(f"/vacancies/{vacancy_id}", {"status": "gone"})
        assert bad.status_code == 422 and 'id="rb-vacancy-status-status-error"' in bad.text
        good = await post(f"/vacancies/{vacancy_id}", {"status": "filled"})
        assert good.status_code == 303
        got = await client.get(w.url(f"/vacancies/{vacancy_id}"), headers=w.admin.headers)
        assert got.json()["status"] == "filled"

        # The placement's follow-up at one month.
        bad = await post(
            f"/placements/{placement_id}/followups/1",
            {"done_on": "2026-01-01", "still_employed": "true"},
        )
        assert bad.status_code == 422 and 'id="rb-followup-1-done_on-error"' in bad.text
        got = await client.get(w.url(f"/placements/{placement_id}"), headers=w.admin.headers)
        assert got.json()["followups"][0]["done_on"] is None
        good = await post(
            f"/placements/{placement_id}/followups/1",
            {"done_on": "2026-03-02", "notes": "Άλλαξε πόλη"},  # unchecked: not employed
        )
        assert good.status_code == 303
        got = await client.get(w.url(f"/placements/{placement_id}"), headers=w.admin.headers)
        assert got.json()["followups"][0]["still_employed"] is False
        assert got.json()["status"] == "ended"

        # School follow-up: a new record with a guardian found by name, its attendance and
        # an action whose notes are sealed.
        before = len(await listed(client, w, "/school-records"))
        page = await http.get(base + f"/people/{other_person}/school?guardian_q=Αθανασίου")
        assert f'<option value="{w.person}"' in page.text
        form = {
            "child_id": other_person,
            "enrolment_status": "pending",
            "guardian_id": str(w.person),
        }
        bad = await post(f"/people/{other_person}/school", {**form, "school_year": "2025-2027"})
        assert bad.status_code == 422 and 'id="rb-school-school_year-error"' in bad.text
        assert len(await listed(client, w, "/school-records")) == before
        good = await post(f"/people/{other_person}/school", {**form, "school_year": "2025-2026"})
        assert good.status_code == 303
        record_id = good.headers["location"].rsplit("/", 1)[1]
        got = await client.get(w.url(f"/school-records/{record_id}"), headers=w.admin.headers)
        assert got.json()["guardian_id"] == str(w.person)
        again = await post(f"/people/{other_person}/school", {**form, "school_year": "2025-2026"})
        assert again.status_code == 409 and 'class="notice notice--error"' in again.text
        school = ids["school"]
        bad = await post(f"/school/{school}", {"absences": "-1"})
        assert bad.status_code == 422 and 'id="rb-school-update-absences-error"' in bad.text
        good = await post(f"/school/{school}", {"absences": "12", "attendance_concern": "high"})
        assert good.status_code == 303
        got = await client.get(w.url(f"/school-records/{school}"), headers=w.admin.headers)
        assert (got.json()["absences"], got.json()["attendance_concern"]) == (12, "high")
        bad = await post(f"/school/{school}/actions", {"on": "2026-03-01"})
        assert bad.status_code == 422 and 'id="rb-school-action-action-error"' in bad.text
        got = await client.get(w.url(f"/school-records/{school}"), headers=w.admin.headers)
        assert got.json()["actions"] == []
        good = await post(
            f"/school/{school}/actions",
            {"on": "2026-03-01", "action": "parent_meeting", "notes": "Θα φέρουν βεβαίωση"},
        )
        assert good.status_code == 303
        got = await client.get(w.url(f"/school-records/{school}"), headers=w.admin.headers)
        assert [(a["action"], a["notes"]) for a in got.json()["actions"]] == [
            ("parent_meeting", "Θα φέρουν βεβαίωση")
        ]
        page = await http.get(base + f"/school/{school}")
        assert "Θα φέρουν βεβαίωση" in page.text


# (form page GET, POST path, body) per permission: a branch role without it gets 403 for both.
def _forms(ids: dict[str, Any]) -> dict[str, list[tuple[str | None, str]]]:
    p, c = ids["person"], ids["child"]
    return {
        "accompany": [
            (f"/people/{p}/accompaniments", f"/people/{p}/accompaniments"),
            (None, f"/accompaniments/{ids['accompaniment']}"),
        ],
        "applications": [
            (f"/people/{p}/applications", f"/people/{p}/applications"),
            (None, f"/applications/{ids['application']}"),
            (None, f"/applications/{ids['application']}/checklist/{ids['item']}"),
        ],
        "jobs": [
            (f"/people/{c}/job-seeker", f"/people/{c}/job-seeker"),
            (f"/job-seekers/{ids['seeker']}/cv", f"/job-seekers/{ids['seeker']}"),
            (None, "/employers"),
            (None, "/vacancies"),
            (None, f"/vacancies/{ids['vacancy']}"),
            (None, f"/vacancies/{ids['vacancy']}/mediations"),
            (None, f"/vacancies/{ids['vacancy']}/placements"),
            (None, f"/placements/{ids['placement']}/followups/1"),
        ],
        "school": [
            (f"/people/{c}/school", f"/people/{c}/school"),
            (None, f"/school/{ids['school']}"),
            (None, f"/school/{ids['school']}/actions"),
        ],
    }


async def test_permissions_403_within_the_branch_and_404_outside_it(
    client: Any, merimna_app: Any
) -> None:
    from core.testing import make_staff

    w = await make_world(client)
    ids = await make_records(client, w)
    officer = await make_staff(w.tenant, ["employment_officer"])
    forms = _forms(ids)
    base = ui(w)
    # The pedagogue lacks accompaniments, applications and the job bank; the employment
    # officer lacks school follow-up.
    lacking = {"accompany": w.pedagogue, "applications": w.pedagogue, "jobs": w.pedagogue}
    lacking["school"] = officer
    for area, staff in lacking.items():
        async with signed_in(merimna_app, staff) as http:
            token = await token_of(http, base + "/")
            for get_path, post_path in forms[area]:
                if get_path is not None:
                    r = await http.get(base + get_path)
                    assert r.status_code == 403, (area, get_path, r.status_code)
                r = await http.post(base + post_path, data={"_csrf_token": token})
                assert r.status_code == 403, (area, post_path, r.status_code)
    # Nothing was stored by the refused posts.
    assert len(await listed(client, w, "/employers")) == 1
    assert len(await listed(client, w, "/school-records")) == 1
    # The pedagogue still sees the lists and records (read access), without their forms.
    async with signed_in(merimna_app, w.pedagogue) as http:
        r = await http.get(base + f"/applications/{ids['application']}")
        assert r.status_code == 200 and "_csrf_token" not in r.text.split("<main", 1)[1]
    # Staff outside the branch: every screen and form is 404, as if it did not exist.
    async with signed_in(merimna_app, w.reception) as http:
        token = await token_of(http, f"/t/{w.tenant.slug}/")
        for path in PAGES:
            r = await http.get(base + path.format(**ids))
            assert r.status_code == 404, (path, r.status_code)
        for area in forms.values():
            for _, post_path in area:
                r = await http.post(base + post_path, data={"_csrf_token": token})
                assert r.status_code == 404, (post_path, r.status_code)
        r = await http.post(base + "/reception", data={"_csrf_token": token})
        assert r.status_code == 404


async def test_another_tenants_ids_are_404_on_every_screen_and_form(
    client: Any, merimna_app: Any
) -> None:
    w = await make_world(client)
    mine = await make_records(client, w)
    other = await make_world(client)
    theirs = await make_records(client, other)
    base = ui(w)
    async with signed_in(merimna_app, w.admin) as http:
        token = await token_of(http, base + "/")
        for path in PAGES:
            if "{" not in path:
                continue
            r = await http.get(base + path.format(**theirs))
            assert r.status_code == 404, (path, r.status_code)
        for area in _forms(theirs).values():
            for get_path, post_path in area:
                if post_path in ("/employers", "/vacancies"):
                    continue  # no id in the path
                if get_path is not None:
                    assert (await http.get(base + get_path)).status_code == 404, get_path
                r = await http.post(base + post_path, data={"_csrf_token": token})
                assert r.status_code == 404, (post_path, r.status_code)
        r = await http.post(base + f"/reception?person={other.person}", data={"_csrf_token": token})
        assert r.status_code == 404
        # Their records never appear in our lists; ours do.
        for path, key in (
            ("/reception", "reception"),
            ("/accompaniments", "accompaniment"),
            ("/applications", "application"),
            ("/job-seekers", "seeker"),
            ("/vacancies", "vacancy"),
            ("/school", "school"),
        ):
            r = await http.get(base + path)
            assert str(theirs[key]) not in r.text, path
            assert str(mine[key]) in r.text, path
        # A select offers our people only: another tenant's person id posted into a form of
        # ours is refused (404), nothing stored.
        before = len(await listed(client, w, "/school-records"))
        r = await http.post(
            base + f"/people/{w.child}/school",
            data={
                "_csrf_token": token,
                "child_id": str(w.child),
                "guardian_id": str(other.person),
                "school_year": "2026-2027",
                "enrolment_status": "enrolled",
            },
        )
        assert r.status_code == 404
        assert len(await listed(client, w, "/school-records")) == before
    # Their mediator is not offered for our accompaniments; our own is.
    async with signed_in(merimna_app, w.admin) as http:
        r = await http.get(base + f"/people/{w.person}/accompaniments")
        assert mine["mediator_staff"] in r.text and theirs["mediator_staff"] not in r.text


async def test_tasks_and_the_person_panel_link_to_the_screens(
    client: Any, merimna_app: Any
) -> None:
    w = await make_world(client)
    ids = await make_records(client, w)
    await api(
        client,
        w,
        w.worker,
        "/reception",
        {
            "visited_on": "2026-02-02",
            "request_type": "housing",
            "outcome": "pending",
            "follow_up_on": "2099-01-01",
        },
    )
    async with signed_in(merimna_app, w.admin) as http:
        r = await http.get(f"/t/{w.tenant.slug}/people/{w.person}")
        assert r.status_code == 200
        for path in (
            f"/roma_branch/applications/{ids['application']}",
            f"/roma_branch/job-seekers/{ids['seeker']}",
            f"/roma_branch/people/{w.person}",
        ):
            assert f'href="/t/{w.tenant.slug}{path}"' in r.text, path
        # A person new to the branch: the panel still opens their page in the branch.
        r = await http.get(f"/t/{w.tenant.slug}/people/{w.child}")
        assert f'href="/t/{w.tenant.slug}/roma_branch/people/{w.child}"' in r.text
        home = await http.get(f"/t/{w.tenant.slug}/")
        assert f'href="/t/{w.tenant.slug}/roma_branch/"' in home.text
        # The application holds back its documents: a task opening it.
        assert f"/t/{w.tenant.slug}/roma_branch/applications/{ids['application']}" in home.text
    async with signed_in(merimna_app, w.reception) as http:
        r = await http.get(f"/t/{w.tenant.slug}/people/{w.person}")
        assert r.status_code == 200 and "/roma_branch/" not in r.text
