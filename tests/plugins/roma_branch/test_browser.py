"""The branch's main workflow in a real browser (headless Debian chromium, Playwright) against
a live server with the demo consortium, as the social worker of Chios: register a person,
find her in the branch by a Latin spelling, record her visit and mark its follow-up done, fill
in her ESF entry record, book an accompaniment into the calendar (and see a double booking
refused), support a minimum-income application and tick a document; then the branch's screens
on a 360x740 phone without sideways scrolling, the facts of a record within the width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import (  # noqa: F401 (fixtures, shared with tests/browser)
    ARGS,
    CHROMIUM,
    artifacts,
    live_server,
    log_in,
    shoot,
    unlabelled,
)

pytestmark = pytest.mark.browser
TENANT = "chios"
BRANCH = f"/t/{TENANT}/roma_branch"
DAY = "2031-03-12"  # a Wednesday far from holidays and from the demo's appointments


# Module scope (not the package's): Playwright's sync API holds an event loop in this thread
# while open, and the async tests of this folder run after this module.
@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any, live_server: str) -> Iterator[Any]:  # noqa: F811
    context = chromium.new_context(base_url=live_server, locale="el-GR")
    context.set_default_timeout(15_000)
    pg = context.new_page()
    try:
        yield pg
    finally:
        context.close()


def no_sideways_scroll(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_roma_branch_workflow_end_to_end_and_on_a_phone(
    page: Any,
    chromium: Any,
    live_server: str,  # noqa: F811
    artifacts: Path,  # noqa: F811
) -> None:
    log_in(page, f"social@{TENANT}")
    page.get_by_role("navigation", name="Κύρια πλοήγηση").get_by_role(
        "link", name="Παράρτημα Ρομά"
    ).click()
    page.wait_for_url(re.compile(rf"{BRANCH}/$"))
    assert not unlabelled(page)

    # A person registered at the front desk...
    page.goto(f"/t/{TENANT}/people/new")
    page.locator("#person-last_name").fill("Κατσαρού")
    page.locator("#person-first_name").fill("Ευανθία")
    page.locator("#person-birth_date").fill("1985-06-15")
    page.get_by_role("button", name="Καταχώριση").click()
    page.wait_for_url(re.compile(r"/people/[0-9a-f-]{36}\?created=1$"))
    # ...whose page shows the branch's panel, linking to her page in the branch.
    assert page.get_by_role("link", name=re.compile("Άνοιγμα στο Παράρτημα Ρομά")).is_visible()

    # Found in the branch by a Latin spelling.
    page.goto(f"{BRANCH}/")
    page.get_by_label("Όνομα, ΑΜΚΑ, ΑΦΜ ή τηλέφωνο").fill("katsarou")
    page.get_by_role("button", name="Αναζήτηση", exact=True).click()
    page.get_by_role("link", name=re.compile("Κατσαρού Ευανθία")).click()
    page.wait_for_url(re.compile(rf"{BRANCH}/people/[0-9a-f-]{{36}}$"))
    person_url = page.url
    assert page.get_by_role("heading", name="Κατσαρού Ευανθία").is_visible()
    shoot(page, artifacts, "rb-01-person")

    # Her visit: the reception form, with her already chosen.
    page.get_by_role("link", name="Νέα καταγραφή").click()
    assert not unlabelled(page)
    assert page.locator("#rb-reception-person_id").input_value() != ""
    page.locator("#rb-reception-visited_on").fill("2026-03-03")
    page.locator("#rb-reception-request_type").select_option("min_income")
    page.locator("#rb-reception-outcome").select_option("assisted")
    page.locator("#rb-reception-follow_up").fill("Φέρνει τα εκκαθαριστικά")
    page.get_by_role("button", name="Αποθήκευση").click()
    page.wait_for_url(person_url)
    assert page.get_by_text("Φέρνει τα εκκαθαριστικά").is_visible()
    # Its follow-up, open (a task) until marked done on the contact's page.
    page.locator("#rb-visits ~ ul a").first.click()
    page.wait_for_url(re.compile(rf"{BRANCH}/reception/[0-9a-f-]{{36}}$"))
    contact_url = page.url
    assert page.locator(".facts").get_by_text("Εκκρεμεί").first.is_visible()
    page.locator("#rb-follow-up-done-done_on").fill("2026-03-02")  # before the visit
    page.get_by_role("button", name="Σήμανση συνέχειας ως ολοκληρωμένης").click()
    assert page.locator("#rb-follow-up-done-done_on-error").is_visible()
    page.locator("#rb-follow-up-done-done_on").fill("2026-03-04")
    page.get_by_role("button", name="Σήμανση συνέχειας ως ολοκληρωμένης").click()
    page.wait_for_url(re.compile(r"\?saved=1$"))
    assert page.get_by_text("Ολοκληρώθηκε στις 2026-03-04").is_visible()
    assert page.locator("#rb-follow-up-done-done_on").count() == 0
    shoot(page, artifacts, "rb-01b-follow-up-done")

    # Her ESF entry record, from her page in the branch.
    page.goto(person_url)
    page.get_by_role("link", name="Νέο δελτίο εισόδου ΕΚΤ").click()
    assert not unlabelled(page)
    page.locator("#rb-esf-entry-recorded_on").fill("2026-06-30")
    page.locator("#rb-esf-entry-sex").select_option("female")
    page.locator("#rb-esf-entry-employment_status").select_option("long_term_unemployed")
    page.locator("#rb-esf-entry-education").select_option("isced_0_2")
    for name, answer in (
        ("disability", "no"),
        ("third_country_national", "no"),
        ("foreign_background", "no"),
        ("minority", "declined"),
        ("homeless", "no"),
        ("rural", "no"),
    ):
        page.locator(f"#rb-esf-entry-{name}").select_option(answer)
    page.get_by_role("button", name="Αποθήκευση").click()
    page.wait_for_url(re.compile(rf"{BRANCH}/esf/[0-9a-f-]{{36}}\?saved=1$"))
    assert page.locator(".facts").get_by_text("Δεν επιθυμεί να απαντήσει").is_visible()
    assert page.locator(".facts").get_by_text("30–54").is_visible()  # from the birth date
    esf_url = page.url.split("?")[0]
    assert page.get_by_role("link", name="Νέο δελτίο εξόδου ΕΚΤ").is_visible()
    shoot(page, artifacts, "rb-01c-esf-entry")
    page.goto(person_url)

    # An accompaniment booked into the calendar; the same time again is refused inline.
    page.get_by_role("link", name="Νέα συνοδεία").click()
    assert not unlabelled(page)
    page.locator("#rb-acc-agency").select_option("opeka")
    page.locator("#rb-acc-purpose").fill("Αίτηση ελάχιστου εγγυημένου εισοδήματος")
    page.locator("#rb-acc-start").fill(f"{DAY}T10:00")
    mediator = page.locator("#rb-acc-mediator_staff_id")
    choices = mediator.locator("option").evaluate_all("os => os.map(o => o.value)")
    assert [c for c in choices if c], "nobody to accompany"
    mediator.select_option(next(c for c in choices if c))
    chosen = mediator.input_value()
    page.get_by_role("button", name="Κράτηση στο ημερολόγιο").click()
    page.wait_for_url(re.compile(rf"{BRANCH}/accompaniments/[0-9a-f-]{{36}}\?saved=1$"))
    assert page.locator(".notice--ok").is_visible()
    assert page.get_by_text("Αίτηση ελάχιστου εγγυημένου εισοδήματος").is_visible()
    shoot(page, artifacts, "rb-02-accompaniment")
    page.goto(person_url)
    page.get_by_role("link", name="Νέα συνοδεία").click()
    page.locator("#rb-acc-agency").select_option("kep")
    page.locator("#rb-acc-purpose").fill("Δεύτερη")
    page.locator("#rb-acc-start").fill(f"{DAY}T11:00")
    page.locator("#rb-acc-mediator_staff_id").select_option(chosen)
    page.get_by_role("button", name="Κράτηση στο ημερολόγιο").click()
    alert = page.locator(".notice--error")
    alert.wait_for()
    assert alert.inner_text().strip()
    shoot(page, artifacts, "rb-03-double-booking")

    # A minimum-income application: the estimate explained, a document ticked.
    page.goto(person_url)
    page.get_by_role("link", name="Νέα αίτηση παροχής").click()
    assert not unlabelled(page)
    page.locator("#rb-app-benefit").select_option("min_income")
    page.locator("#rb-app-adults").fill("1")
    page.locator("#rb-app-minors").fill("2")
    page.locator("#rb-app-single_parent").check()
    page.locator("#rb-app-income_6m").fill("0")
    page.get_by_role("button", name="Αποθήκευση").click()
    page.wait_for_url(re.compile(rf"{BRANCH}/applications/[0-9a-f-]{{36}}$"))
    assert page.get_by_text(re.compile("Εγγυημένο ποσό")).is_visible()
    first = page.locator("#rb-docs + ul > li").first
    assert "Λείπει" in first.inner_text()
    first.locator("summary").click()
    first.get_by_label("Παραλήφθηκε", exact=True).check()
    first.get_by_label("Ημερομηνία λήξης").fill("2035-01-01")
    first.get_by_role("button", name="Αποθήκευση").click()
    page.wait_for_load_state()
    first = page.locator("#rb-docs + ul > li").first
    assert "Παραλήφθηκε" in first.locator(".badge").inner_text()
    assert not unlabelled(page)
    shoot(page, artifacts, "rb-04-application")
    application_url = page.url.split("#")[0]

    # On a phone: the branch's main screens fit the width.
    phone = chromium.new_context(
        base_url=live_server, viewport={"width": 360, "height": 740}, is_mobile=True, locale="el-GR"
    )
    try:
        small = phone.new_page()
        log_in(small, f"social@{TENANT}")
        for name, url in (
            ("home", f"{BRANCH}/"),
            ("person", person_url),
            ("application", application_url),
            ("reception", f"{BRANCH}/reception"),
            ("contact", contact_url),
            ("esf-record", esf_url),
            ("esf-exit-form", f"{person_url}/esf/exit"),
        ):
            response = small.goto(url)
            assert response is not None and response.status == 200, name
            assert small.locator("h1").first.is_visible()
            width = no_sideways_scroll(small)
            assert width <= 361, f"{name} scrolls sideways on a phone ({width}px)"
            # A record's facts: each label above its value, inside the screen's width.
            for fact in small.locator(".facts > li").all():
                box = fact.bounding_box()
                assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, name
            shoot(small, artifacts, f"rb-05-phone-{name}")
    finally:
        phone.close()
