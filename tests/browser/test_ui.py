"""The staff UI in a real browser (headless Debian chromium) against a live server with the
demo consortium: the journeys of issue 9, screenshots and an accessibility smoke check."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import log_in, shoot, unlabelled

pytestmark = pytest.mark.browser
TENANT = "demo-welfare"
# A Wednesday far from every holiday and from the demo's appointments.
DAY = "2031-03-05"


def test_people_intake_search_and_booking(page: Any, artifacts: Path) -> None:
    log_in(page, f"social@{TENANT}")
    assert page.url.endswith(f"/t/{TENANT}/")
    shoot(page, artifacts, "01-home")
    assert not unlabelled(page)

    # Create a person with an invalid AMKA: the error is inline; fix it and save.
    page.goto(f"/t/{TENANT}/people/new")
    page.locator("#person-last_name").fill("Ζαφειρίου")
    page.locator("#person-first_name").fill("Σταματία")
    page.locator("#person-birth_date").fill("1948-04-12")
    page.locator("#person-amka").fill("12345678901")
    page.get_by_role("button", name="Καταχώριση").click()
    error = page.locator("#person-amka-error")
    error.wait_for()
    assert error.is_visible()
    assert page.locator("#person-amka").get_attribute("aria-invalid") == "true"
    assert not unlabelled(page)
    shoot(page, artifacts, "02-intake-error")
    page.locator("#person-amka").fill("")
    page.get_by_role("button", name="Καταχώριση").click()
    page.wait_for_url(re.compile(r"/people/[0-9a-f-]{36}\?created=1$"))
    assert page.get_by_role("heading", name="Ζαφειρίου Σταματία").is_visible()
    person_url = page.url.split("?")[0]
    shoot(page, artifacts, "03-person")
    assert not unlabelled(page)

    # Find her by typing a Latin name: the results change as one types (htmx).
    page.goto(f"/t/{TENANT}/people")
    page.get_by_label("Όνομα, ΑΜΚΑ, ΑΦΜ ή τηλέφωνο").press_sequentially("zafeiriou", delay=30)
    result = page.locator("#people-results a", has_text="Ζαφειρίου")
    result.wait_for()
    assert "q=zafeiriou" in page.url  # the search was pushed to the address bar by htmx
    shoot(page, artifacts, "04-search")
    result.click()
    page.wait_for_url(person_url)

    # Book an appointment, then the same slot again: the conflict is shown inline.
    page.goto(f"/t/{TENANT}/calendar/book")
    assert not unlabelled(page)
    page.locator("#book-person").fill("Ζαφειρίου Σταματία")
    staff = page.locator("#book-staff_id")
    value = staff.locator("option").nth(1).get_attribute("value")
    staff.select_option(value)
    page.locator("#book-service").select_option(index=1)
    page.locator("#book-start").fill(f"{DAY}T10:00")
    page.get_by_role("button", name="Κλείσιμο ραντεβού").click()
    page.wait_for_url(re.compile(r"/calendar\?staff="))
    assert page.locator(".appointment", has_text="10:00").first.is_visible()
    shoot(page, artifacts, "05-calendar-week")
    page.goto(f"/t/{TENANT}/calendar/book")
    page.locator("#book-person").fill("Ζαφειρίου Σταματία")
    page.locator("#book-staff_id").select_option(value)
    page.locator("#book-service").select_option(index=1)
    page.locator("#book-start").fill(f"{DAY}T10:30")
    page.get_by_role("button", name="Κλείσιμο ραντεβού").click()
    alert = page.locator(".notice--error")
    alert.wait_for()
    assert alert.is_visible() and alert.inner_text().strip()
    shoot(page, artifacts, "06-booking-conflict")


def test_module_form_report_download_and_language(
    page: Any, live_server: str, artifacts: Path
) -> None:
    log_in(page, f"admin@{TENANT}")
    # A module's form (food bank stock): an empty submission is refused with a summary.
    page.goto(f"/t/{TENANT}/food_bank/stock")
    if page.locator("form.form button[type=submit]").count() == 0:
        pytest.fail("the food bank stock form is missing")
    assert not unlabelled(page)
    form = page.locator("form.form").last
    # Skip the browser's own checks (an old browser has none): the server's answer counts.
    form.evaluate("f => { f.noValidate = true; }")
    form.locator("button[type=submit]").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert summary.is_visible()
    shoot(page, artifacts, "07-module-form")
    # Then a valid receipt: stored, and listed among the lots. Item, funding source and
    # warehouse are chosen from selects.
    form = page.locator("form.form").last
    form.locator("[name=item_id]").select_option(index=1)
    form.locator("[name=quantity]").fill("12")
    form.locator("[name=expiry]").fill("2031-12-31")
    form.locator("[name=lot_code]").fill("BROWSER-LOT-1")
    form.locator("[name=funding_source]").select_option("municipal")
    form.locator("[name=warehouse]").select_option("main")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/t/{TENANT}/food_bank/stock")
    assert page.locator(".error-summary").count() == 0
    row = page.locator("tr", has_text="BROWSER-LOT-1")
    assert row.count() == 1 and row.is_visible()
    assert "12" in row.inner_text()
    shoot(page, artifacts, "07b-module-form-saved")

    page.goto(f"/t/{TENANT}/reports/core.registrations_per_month")
    if page.locator(".downloads a").count() == 0:  # parameters first
        page.locator("#report form button[type=submit]").click()
        page.locator(".downloads a").first.wait_for()
    assert page.locator("svg").count() >= 1 or "0" in page.inner_text("#report")
    with page.expect_download() as download:
        page.locator(".downloads a").first.click()
    saved = artifacts / "report.csv"
    download.value.save_as(str(saved))
    assert saved.read_bytes().strip()
    shoot(page, artifacts, "08-report")
    assert not unlabelled(page)

    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto(f"/t/{TENANT}/people")
    assert page.get_by_role("heading", name="People").is_visible()
    shoot(page, artifacts, "09-english")


def test_consortium_admin_onboards_a_tenant_and_enables_a_module(
    page: Any, artifacts: Path
) -> None:
    log_in(page, "consortium")
    page.goto("/admin/tenants/new")
    assert not unlabelled(page)
    page.locator("#tenant-slug").fill("neos-dimos")
    page.locator("#tenant-name").fill("Δήμος Νέας Πόλης")
    page.locator("#tenant-name_en").fill("New Town")
    page.locator("#tenant-modules").get_by_text("Τράπεζα τροφίμων", exact=False).click()
    page.locator("#tenant-admin_username").fill("admin@neos-dimos")
    page.locator("#tenant-admin_password").fill("a-long-passphrase-1")
    shoot(page, artifacts, "10-onboarding")
    page.get_by_role("button", name="Δημιουργία και συνέχεια").click()
    page.wait_for_url(re.compile(r"/admin/tenants/neos-dimos\?created=1$"))
    section = page.locator("#module-help_at_home")
    section.locator("summary").click()
    section.get_by_role("button", name="Ενεργοποίηση").click()
    page.wait_for_url(re.compile(r"saved=help_at_home"))
    assert "ενεργό" in page.locator("#module-help_at_home h3").inner_text()
    assert "ενεργό" in page.locator("#module-food_bank h3").inner_text()
    assert not unlabelled(page)
    shoot(page, artifacts, "11-tenant-modules")
    page.goto("/admin/")
    assert page.get_by_role("link", name="Δήμος Νέας Πόλης").is_visible()


def test_help_at_home_roster_on_a_phone(chromium: Any, live_server: str, artifacts: Path) -> None:
    """The demo books every field worker's visits from today's weekday on, so a working day
    within the coming week shows a roster with entries (today, unless it is a weekend or a
    holiday)."""
    context = chromium.new_context(
        base_url=live_server, viewport={"width": 360, "height": 740}, is_mobile=True, locale="el-GR"
    )
    try:
        phone = context.new_page()
        log_in(phone, f"admin@{TENANT}")
        response = phone.goto(f"/t/{TENANT}/help_at_home/roster")
        assert response is not None and response.status == 200
        assert phone.locator("h1").first.is_visible()
        workers = phone.locator("#roster-staff option").evaluate_all(
            "options => options.map(o => o.value)"
        )
        assert workers, "no field workers to choose from"
        today = date.fromisoformat(phone.locator("#roster-day").input_value())
        found = None
        for offset in range(8):
            day = today + timedelta(days=offset)
            for worker in workers:
                phone.goto(f"/t/{TENANT}/help_at_home/roster?staff_id={worker}&day={day}")
                if phone.locator(".roster-stop").count():
                    found = day
                    break
            if found:
                break
        assert found is not None, "no roster entries in the coming week"
        stops = phone.locator(".roster-stop")
        assert stops.first.is_visible()
        assert re.search(r"\d\d:\d\d–\d\d:\d\d", stops.first.inner_text())
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 361, f"the roster scrolls sideways on a phone ({width}px)"
        assert not unlabelled(phone)
        shoot(phone, artifacts, "12-roster-phone")
        print(f"roster shown for {found} (today {today})")
    finally:
        context.close()
