"""The Help at Home staff pages: overview, person, forms rendered from the models (with
inline errors and nothing stored on a refusal), the phone roster with check-in and check-out,
and the UI hooks (home tile, tasks, person panel)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import httpx
import pytest

from core import db
from core.api import system_actor
from plugins.help_at_home.pages import person_panel, tasks
from tenants.scoping import tenant_context
from tests.core.web.conftest import csrf_token, sign_in, unlabelled
from tests.plugins.help_at_home.conftest import Unit, working_day

ATHENS = ZoneInfo("Europe/Athens")


@pytest.fixture
async def browser(merimna_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=merimna_app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def test_overview_person_page_and_application_form(unit: Unit, browser: Any) -> None:
    root = f"/t/{unit.town.slug}/help_at_home"
    signed = await sign_in(browser, unit.admin.username, unit.admin.password)
    assert signed.status_code in (302, 303), signed.text[:200]
    overview = await browser.get(f"{root}/")
    assert overview.status_code == 200, overview.text[:300]
    assert "Λίστα αναμονής" in overview.text and "Πρόγραμμα ημέρας" in overview.text

    person = unit.people[0]
    form = await browser.get(f"{root}/persons/{person}/application")
    assert form.status_code == 200
    assert "Συνθήκες διαβίωσης" in form.text and "Οικογενειακή υποστήριξη" in form.text
    assert unlabelled(form.text) == []
    token = csrf_token(form.text)
    refused = await browser.post(
        f"{root}/persons/{person}/application",
        data={"_csrf_token": token, "family_support": "none", "disability_percent": "150"},
    )
    assert refused.status_code == 422
    assert 'aria-invalid="true"' in refused.text
    assert 'class="error-summary"' in refused.text
    listed = await unit.get(unit.admin, "/applications", person_id=person)
    assert listed.json()["items"] == []  # nothing stored

    saved = await browser.post(
        f"{root}/persons/{person}/application",
        data={
            "_csrf_token": token,
            "living_situation": "alone",
            "family_support": "none",
            "annual_income": "4800",
            "health_conditions": "Υπέρταση",
        },
    )
    assert saved.status_code == 303, saved.text[:300]
    assert re.fullmatch(rf"{root}/applications/[0-9a-f-]{{36}}", saved.headers["location"])
    listed = await unit.get(unit.admin, "/applications", person_id=person)
    assert [a["data"]["living_situation"] for a in listed.json()["items"]] == ["alone"]

    katz = await browser.get(f"{root}/persons/{person}/assessments/katz")
    assert katz.status_code == 200 and "Λουτρό" in katz.text
    done = await browser.post(
        f"{root}/persons/{person}/assessments/katz",
        data={
            "_csrf_token": csrf_token(katz.text),
            "assessed_on": str(date.today()),
            "bathing": "0",
            "dressing": "1",
            "toileting": "1",
            "transferring": "0",
            "continence": "1",
            "feeding": "1",
        },
    )
    assert done.status_code == 303, re.findall(r"field-error[^<]*<[^>]*>?[^<]*", done.text)
    bad = await browser.post(
        f"{root}/persons/{person}/assessments/barthel",
        data={
            "_csrf_token": csrf_token(katz.text),
            "assessed_on": str(date.today()),
            "feeding": "7",
        },
    )
    assert bad.status_code == 422
    page = await browser.get(f"{root}/persons/{person}")
    assert page.status_code == 200
    assert "Ελένη Παπαδοπούλου" in page.text and "4/6" in page.text
    assert "Μέτρια έκπτωση" in page.text
    assert (await browser.get(f"{root}/persons/{unit.other_person}")).status_code == 404

    home = await browser.get(f"/t/{unit.town.slug}/")
    assert home.status_code == 200
    assert "Βοήθεια στο Σπίτι" in home.text and f"{root}/roster" in home.text


async def test_phone_roster_check_in_and_out(unit: Unit, browser: Any) -> None:
    day = working_day(date.today() + timedelta(days=35), weekday=3)
    person = unit.people[2]
    plan = await unit.post(
        unit.social,
        "/plans",
        {
            "person_id": person,
            "goals": ["Ασφάλεια στο σπίτι"],
            "services": [
                {
                    "service": "home_help",
                    "staff_id": unit.staff["home_helper"],
                    "frequency_per_week": 1,
                    "tasks": ["Φαρμακείο"],
                }
            ],
            "start_date": str(day - timedelta(days=1)),
            "review_date": str(day + timedelta(days=30)),
            "schedule": False,
        },
    )
    assert plan.status_code == 201, plan.text
    start = datetime.combine(day, datetime.min.time(), tzinfo=ATHENS).replace(hour=10)
    visit = await unit.post(
        unit.social,
        f"/plans/{plan.json()['id']}/visits",
        {
            "service": "home_help",
            "staff_id": unit.staff["home_helper"],
            "start": start.isoformat(),
            "tasks": ["Φαρμακείο"],
        },
    )
    assert visit.status_code == 201, visit.text
    visit_id = visit.json()["id"]

    await sign_in(browser, unit.helper.username, unit.helper.password)
    root = f"/t/{unit.town.slug}/help_at_home"
    roster = await browser.get(f"{root}/roster", params={"day": str(day)})
    assert roster.status_code == 200, roster.text[:300]
    assert "Σοφία Δημητρίου" in roster.text and "Πατησίων 5" in roster.text
    assert "Φαρμακείο" in roster.text, re.findall(r"tel:[^\"]*|<li>[^<]*</li>", roster.text)
    assert 'href="tel:' in roster.text
    assert 'name="viewport"' in roster.text
    assert unlabelled(roster.text) == []
    checked = await browser.post(
        f"{root}/visits/{visit_id}/check-in", data={"_csrf_token": csrf_token(roster.text)}
    )
    assert checked.status_code == 303
    # checked in: the card's big button is now the check-out (the visit log)
    after = await browser.get(checked.headers["location"])
    assert f'href="{root}/visits/{visit_id}#log-title"' in after.text
    assert 'class="button button--large"' in after.text
    log = await browser.get(f"{root}/visits/{visit_id}")
    assert log.status_code == 200 and "Ημερολόγιο επίσκεψης" in log.text
    out = await browser.post(
        f"{root}/visits/{visit_id}/check-out",
        data={
            "_csrf_token": csrf_token(log.text),
            "tasks_done": "Φαρμακείο\nΨώνια",
            "observations": "Καλή διάθεση",
        },
    )
    assert out.status_code == 303, out.text[:300]
    read = await unit.get(unit.admin, f"/visits/{visit_id}")
    assert read.json()["status"] == "done" and read.json()["tasks_done"] == ["Φαρμακείο", "Ψώνια"]
    # a helper has no access to the coordinators' overview
    assert (await browser.get(f"{root}/")).status_code == 403
    # a coordinator without a staff profile picks whose day to see
    picker = await unit.http.get(f"{root}/roster", headers=unit.admin.headers)
    assert picker.status_code == 200
    assert 'id="roster-staff"' in picker.text and "προφίλ εργαζομένου" in picker.text
    helper_day = await unit.http.get(
        f"{root}/roster",
        params={"day": str(day), "staff_id": unit.staff["home_helper"]},
        headers=unit.admin.headers,
    )
    assert "Σοφία Δημητρίου" in helper_day.text and "Έγινε" in helper_day.text


async def test_person_panel_and_tasks_hooks(unit: Unit) -> None:
    person = unit.people[1]
    await unit.post(
        unit.nurse,
        "/assessments/barthel",
        {
            "person_id": person,
            "assessed_on": str(date.today()),
            "items": {
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
            },
        },
    )
    plan = await unit.post(
        unit.social,
        "/plans",
        {
            "person_id": person,
            "goals": ["Στήριξη"],
            "services": [
                {
                    "service": "psychosocial_support",
                    "staff_id": unit.staff["social_worker"],
                    "frequency_per_week": 1,
                }
            ],
            "start_date": str(date.today() + timedelta(days=1)),
            "review_date": str(date.today() + timedelta(days=90)),
            "schedule": False,
        },
    )
    assert plan.status_code == 201, plan.text
    async with db.transaction():
        with tenant_context(unit.town.id):
            await db.set_rls_tenant(unit.town.id)
            actor = await system_actor(unit.town.slug)
            panels = await person_panel(actor, UUID(person))
            due = await tasks(actor)
            empty = await person_panel(actor, UUID(unit.people[3]))
    (panel,) = panels
    details = {item.label: item.detail for item in panel.items}
    assert details["Σχέδιο φροντίδας"] == "Ενεργό"
    assert details["Δείκτης Barthel"] == "65/100 · Μέτρια εξάρτηση"
    assert panel.more_path == f"help_at_home/persons/{person}"
    assert empty[0].items == ()
    # Katz and Lawton were never done: due when the plan starts tomorrow
    mine = sorted(task.title for task in due if task.path.endswith(person))
    assert mine == [
        "Επαναξιολόγηση Κλίμακα Katz (ADL): Γεώργιος Νικολάου",
        "Επαναξιολόγηση Κλίμακα Lawton (IADL): Γεώργιος Νικολάου",
    ]
    assert all(task.kind == "help_at_home.reassessment" for task in due)
    assert all(re.match(r"help_at_home/persons/[0-9a-f-]{36}$", task.path) for task in due)
