"""The food bank's main workflow in a real browser, against a live server with the demo:
a donation received into stock, an eligibility check, a distribution day planned, a pickup
slot booked for a person found by name, the day opened and the pickup confirmed; then the
pickup screen on a 360x740 phone without horizontal scrolling. Every screen's inputs are
labelled."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.conftest import log_in, shoot, unlabelled

pytestmark = pytest.mark.browser
TENANT = "demo-welfare"
ROOT = f"/t/{TENANT}/food_bank/"
# A Wednesday far from every holiday (and from the other browser tests' bookings).
FUTURE = "2031-03-12"
LAST, FIRST = "Τσακαλώτου", "Ευανθία"


def _person(live_server: str) -> str:
    """A minimum-income recipient, created through the API (the intake form is core's)."""
    token = httpx.post(
        f"{live_server}/api/v1/auth/login",
        json={"username": f"admin@{TENANT}", "password": "demo"},
        timeout=30,
    ).json()["access_token"]
    r = httpx.post(
        f"{live_server}/api/v1/t/{TENANT}/beneficiaries",
        json={
            "first_name": FIRST,
            "last_name": LAST,
            "birth_date": "1979-06-14",
            "categories": ["min_income"],
        },
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _no_horizontal_scroll(page: Any) -> bool:
    return bool(
        page.evaluate(
            "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    )


def test_food_bank_workflow(page: Any, live_server: str, chromium: Any, artifacts: Path) -> None:
    person = _person(live_server)
    log_in(page, f"admin@{TENANT}")

    # The overview links to every screen.
    page.goto(ROOT)
    for name in ("Δωρεές", "Ημέρες διανομής", "Επιλεξιμότητα", "Κατάλογος ειδών"):
        assert page.get_by_role("link", name=name, exact=True).count() == 1, name

    # A donation: donor, warehouse and items chosen from selects; the receipt follows.
    page.goto(ROOT + "donations/new")
    assert not unlabelled(page)
    page.locator("#donation-donor_id").select_option(index=1)
    page.locator("#donation-warehouse").select_option("main")
    page.locator("#donation-line1_item_id").select_option(index=1)
    page.locator("#donation-line1_quantity").fill("24")
    page.locator("#donation-line1_date_kind").select_option("none")
    page.get_by_role("button", name="Καταχώριση δωρεάς").click()
    page.wait_for_url(re.compile(r"/donations/[0-9a-f-]{36}/receipt$"))
    assert page.get_by_role("heading", name=re.compile("Βεβαίωση δωρεάς ΔΩΡ-")).is_visible()
    shoot(page, artifacts, "fb-01-donation-receipt")

    # Eligibility: find the person by name, check, see the decision.
    page.goto(ROOT + "eligibility")
    page.get_by_label("Όνομα ή ΑΜΚΑ").fill(LAST)
    page.get_by_role("button", name="Αναζήτηση").click()
    page.locator(".choice-link", has_text=LAST).click()
    page.wait_for_url(re.compile(rf"/eligibility/{person}$"))
    assert not unlabelled(page)
    page.get_by_role("button", name="Έλεγχος επιλεξιμότητας").click()
    page.wait_for_load_state()
    assert page.locator("section.panel h3", has_text="Επιλέξιμο").count() == 1
    shoot(page, artifacts, "fb-02-eligibility")

    # A future distribution day with a staff member: book the person's pickup slot.
    page.goto(ROOT + "days")
    assert not unlabelled(page)
    page.locator("#day-day").fill(FUTURE)
    page.locator("#day-staff_id").select_option(index=1)
    page.locator("#day-title").fill("Διανομή Μαρτίου")
    page.get_by_role("button", name="Νέα ημέρα διανομής").click()
    page.wait_for_url(re.compile(r"/days/[0-9a-f-]{36}$"))
    day_url = page.url
    page.get_by_label("Όνομα ή ΑΜΚΑ").fill(LAST)
    page.get_by_role("button", name="Αναζήτηση").click()
    page.locator(".choice-link", has_text=LAST).click()
    page.locator("#booking-start").select_option("10:00")
    assert not unlabelled(page)
    page.get_by_role("button", name="Κλείσιμο ραντεβού").click()
    page.wait_for_url(day_url)
    booking = page.locator(".agenda li", has_text=LAST)
    assert booking.is_visible() and "10:00" in booking.inner_text()
    shoot(page, artifacts, "fb-03-day-booking")

    # Today's distribution: plan the day, open it, confirm the pickup on the pickup screen.
    page.goto(ROOT + "days")
    page.locator("#day-day").fill(
        page.evaluate("() => new Date().toLocaleDateString('sv', {timeZone: 'Europe/Athens'})")
    )
    page.locator("#day-title").fill("Διανομή σήμερα")
    page.get_by_role("button", name="Νέα ημέρα διανομής").click()
    page.wait_for_url(re.compile(r"/days/[0-9a-f-]{36}$"))
    page.get_by_role("button", name="Άνοιγμα ημέρας διανομής").click()
    page.wait_for_load_state()
    assert page.locator("h1 .badge", has_text="σε εξέλιξη").is_visible()
    page.goto(ROOT + "pickup")
    assert page.get_by_text("«Διανομή σήμερα» είναι ανοιχτή").is_visible()
    page.get_by_label("Όνομα ή ΑΜΚΑ").fill(LAST)
    page.get_by_role("button", name="Αναζήτηση").click()
    page.locator(".choice-link", has_text=LAST).click()
    page.wait_for_url(re.compile(rf"/pickup/{person}$"))
    assert page.get_by_text("Δικαιούται παραλαβή σήμερα.").is_visible()
    assert not unlabelled(page)
    page.get_by_role("button", name="Επιβεβαίωση παραλαβής").click()
    page.wait_for_url(re.compile(r"/pickups/[0-9a-f-]{36}$"))
    assert page.get_by_role("heading", name="Η παραλαβή καταγράφηκε").is_visible()
    shoot(page, artifacts, "fb-04-pickup-done")

    # The pickup screen and the day on a phone: one column, no horizontal scrolling.
    phone = chromium.new_context(
        base_url=live_server,
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        locale="el-GR",
    )
    try:
        small = phone.new_page()
        small.set_default_timeout(15_000)
        log_in(small, f"social@{TENANT}")
        for path, name in (
            (f"pickup?q={LAST}", "fb-05-phone-pickup"),
            (f"pickup/{person}", "fb-06-phone-entitlement"),
        ):
            small.goto(ROOT + path)
            assert small.get_by_role("heading", level=1).is_visible()
            assert _no_horizontal_scroll(small), path
            shoot(small, artifacts, name)
        small.goto(day_url.replace(live_server, ""))
        assert _no_horizontal_scroll(small)
    finally:
        phone.close()
