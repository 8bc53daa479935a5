"""The Family Support Centre's main workflows in a real browser (headless Debian chromium
driven by Playwright) against a live server with the demo consortium: a social worker opens a
case for a person found by a Latin-letter search and records a session; registers a
prosecutor order, saves the report, downloads the PDF and logs its dispatch; and the screens
fit a 360 px phone without sideways scrolling.

Chromium is opened for this module only: Playwright's sync API keeps an event loop running
while it is open, which would stop the async tests of this package collected after it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ARGS, ARTIFACTS, CHROMIUM, live_server, log_in, shoot, unlabelled

pytestmark = pytest.mark.browser
TENANT = "chalandri"
ROOT = f"/t/{TENANT}/family_center"
__all__ = ["live_server"]  # the fixture, imported to be used here


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


def _people(page: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """An adult and a child of the demo (read with the signed-in session, as the page would)."""
    response = page.request.get(f"/api/v1/t/{TENANT}/beneficiaries?limit=200")
    assert response.ok, response.text()
    people = response.json()["items"]
    today = date.today()
    adults = [p for p in people if p.get("birth_date") and p["birth_date"] < "2000-01-01"]
    children = [
        p
        for p in people
        if p.get("birth_date")
        and date.fromisoformat(p["birth_date"]) > today.replace(year=today.year - 16)
    ]
    assert adults and children, "the demo has no adult or no child"
    return adults[0], children[0]


def _no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 361, f"{page.url} scrolls sideways on a phone ({width}px)"


def test_case_session_and_prosecutor_order_workflow(
    chromium: Any, live_server: str, artifacts: Path
) -> None:
    context = chromium.new_context(base_url=live_server, locale="el-GR", accept_downloads=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        log_in(page, f"social@{TENANT}")
        page.goto(f"{ROOT}/")
        assert page.get_by_role("heading", name="Κέντρο Στήριξης Οικογένειας").is_visible()
        adult, child = _people(page)

        # A case: find the client by the Latin spelling of their surname, add, open.
        page.get_by_role("link", name="Νέο περιστατικό").first.click()
        latin = adult.get("latin_last_name") or adult["last_name"]
        page.get_by_label("Όνομα, ΑΜΚΑ ή ΑΦΜ").fill(latin)
        page.get_by_role("button", name="Αναζήτηση").click()
        # The adult's own link (the demo may have namesakes): its address carries the id.
        page.locator(f'.choice-link[href*="{adult["id"]}"]').click()
        page.wait_for_load_state()
        assert not unlabelled(page)
        form = page.locator("form.form").last
        assert form.locator("#case-person_id").input_value() == adult["id"]
        # Nothing ticked: the server refuses and names the field next to it.
        form.evaluate("f => { f.noValidate = true; }")
        form.locator("#case-referral_source").select_option("school")
        form.locator("button[type=submit]").click()
        page.locator(".error-summary").wait_for()
        assert page.locator("#case-problems .field-error").is_visible()
        shoot(page, artifacts, "fc-01-case-refused")
        form = page.locator("form.form").last
        form.locator("#case-problems").get_by_text("Γονεϊκότητα").click()
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "Το περιστατικό άνοιξε." in page.inner_text("main")

        # A session with the client, yesterday at 10:00 (the browser's time is Athens time).
        held = date.today() - timedelta(days=1)
        session = page.locator("form.form").first
        session.locator("#session-session_type").select_option("individual")
        session.locator("#session-held_at").fill(f"{held.isoformat()}T10:00")
        session.locator("#session-participant_ids-0").check()
        session.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "Η συνεδρία καταγράφηκε." in page.inner_text("main")
        assert f"{held.strftime('%d/%m/%Y')} 10:00" in page.inner_text("main")
        shoot(page, artifacts, "fc-02-case")

        # A prosecutor order for the child, from the child's choice list.
        page.goto(f"{ROOT}/investigations/new?pick={child['id']}")
        assert not unlabelled(page)
        order = page.locator("form.form").last
        order.locator("#order-order_protocol").fill("Π-4242/2026")
        order.locator("#order-prosecutor_office").fill("Εισαγγελία Ανηλίκων Αθηνών")
        order.locator("#order-received_on").fill((date.today() - timedelta(days=2)).isoformat())
        order.locator("#order-allegation").select_option("neglect")
        assert order.locator("#order-children_ids-0").is_checked()
        assert order.locator("input[name=assigned]:checked").count() == 1  # the user
        order.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "Η εισαγγελική παραγγελία καταχωρίστηκε." in page.inner_text("main")
        order_url = page.url.split("?")[0]

        # The report (the template is in the editor), its PDF, the dispatch.
        report = page.locator("#report-body")
        assert "ΕΚΘΕΣΗ ΚΟΙΝΩΝΙΚΗΣ ΕΡΕΥΝΑΣ" in report.input_value()
        report.fill(report.input_value() + "\nΕυρήματα: επαρκής φροντίδα.")
        page.get_by_role("button", name="Αποθήκευση έκθεσης").click()
        page.wait_for_load_state()
        assert "Η έκθεση αποθηκεύτηκε." in page.inner_text("main")
        with page.expect_download() as download:
            page.get_by_role("link", name="Λήψη PDF").click()
        saved = artifacts / "fc-report.pdf"
        download.value.save_as(str(saved))
        assert saved.read_bytes().startswith(b"%PDF-")
        page.locator("#fc-dispatch summary").click()
        dispatch = page.locator("#fc-dispatch form")
        assert dispatch.locator("#dispatch-recipient").input_value() == "Εισαγγελία Ανηλίκων Αθηνών"
        dispatch.locator("#dispatch-method").select_option("e_filing")
        dispatch.locator("button[type=submit]").click()
        page.wait_for_load_state()
        assert "Η αποστολή καταγράφηκε." in page.inner_text("main")
        assert "Η έκθεση στάλθηκε" in page.inner_text("main")
        assert not unlabelled(page)
        shoot(page, artifacts, "fc-03-order")
    finally:
        context.close()

    # On a phone: the centre's home and the order fit the screen.
    phone = chromium.new_context(
        base_url=live_server, viewport={"width": 360, "height": 740}, is_mobile=True, locale="el-GR"
    )
    try:
        small = phone.new_page()
        log_in(small, f"social@{TENANT}")
        for url in (f"{ROOT}/", f"{ROOT}/investigations", order_url):
            response = small.goto(url)
            assert response is not None and response.status == 200
            assert small.locator("h1").first.is_visible()
            _no_sideways_scroll(small)
        shoot(small, artifacts, "fc-04-order-phone")
    finally:
        phone.close()
