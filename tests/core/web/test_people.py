"""People pages: as-you-type search, intake with inline errors and the duplicate warning,
the person's page (sections and module panels), editing, and isolation between tenants."""

from __future__ import annotations

import re
from typing import Any

import httpx

from core.i18n import t
from core.testing import make_staff, make_tenant
from tests.core.web.conftest import csrf_token, sign_in, unlabelled

VALID_AMKA = "01015012345"  # checked below against the library's own rule


async def _person(client: Any, tenant: Any, staff: Any, **fields: Any) -> str:
    body = {"first_name": "Ελένη", "last_name": "Παπαδοπούλου", "birth_date": "1950-01-01"}
    body.update(fields)
    response = await client.post(f"{tenant.api}/beneficiaries", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def test_search_finds_greek_names_by_latin_and_unaccented_text(
    client: Any, browser: httpx.AsyncClient
) -> None:
    tenant = await make_tenant()
    worker = await make_staff(tenant, ["social_worker"])
    person = await _person(client, tenant, worker)
    await _person(client, tenant, worker, first_name="Γιώργος", last_name="Νικολάου")
    other = await make_tenant(prefix="other")
    stranger = await make_staff(other, ["social_worker"])
    await _person(client, other, stranger, first_name="Ελένη", last_name="Παπαδοπούλου")
    await sign_in(browser, worker.username, worker.password)
    page = await browser.get(f"/t/{tenant.slug}/people")
    assert page.status_code == 200
    assert 'hx-get="/t/' in page.text and "people-results" in page.text
    assert not unlabelled(page.text)
    for query in ("papadopoulou", "ΠΑΠΑΔΟΠΟΥΛΟΥ", "παπαδοπουλου ελενη"):
        found = await browser.get(f"/t/{tenant.slug}/people", params={"q": query})
        assert found.status_code == 200
        links = re.findall(r"/t/[a-z0-9-]+/people/[0-9a-f-]{36}", found.text)
        assert links == [f"/t/{tenant.slug}/people/{person}"], query  # only ours, once
        assert f"/people/{person}" in found.text
        assert "Νικολάου" not in found.text
    none = await browser.get(f"/t/{tenant.slug}/people", params={"q": "zzzzzz"})
    assert t("web.people.no_results", "el") in none.text
    short = await browser.get(f"/t/{tenant.slug}/people", params={"q": "a"})
    assert short.status_code == 200 and 'role="status"' in short.text


async def test_intake_shows_inline_errors_then_warns_of_a_duplicate(
    client: Any, browser: httpx.AsyncClient
) -> None:
    tenant = await make_tenant()
    worker = await make_staff(tenant, ["social_worker"])
    existing = await _person(client, tenant, worker, phone="6912345678")
    await sign_in(browser, worker.username, worker.password)
    form = await browser.get(f"/t/{tenant.slug}/people/new")
    assert form.status_code == 200
    assert t("web.people.field.amka", "el") in form.text
    assert not unlabelled(form.text)
    fields = {
        "_csrf_token": csrf_token(form.text),
        "last_name": "Κωνσταντίνου",
        "first_name": "Μαρία",
        "birth_date": "1960-05-02",
        "amka": "12345678901",
    }
    bad = await browser.post(f"/t/{tenant.slug}/people/new", data=fields)
    assert bad.status_code == 422
    assert 'id="person-amka-error"' in bad.text and 'aria-invalid="true"' in bad.text
    assert 'value="Κωνσταντίνου"' in bad.text  # what was typed stays
    listed = await client.get(f"{tenant.api}/beneficiaries", headers=worker.headers)
    assert len(listed.json()["items"]) == 1  # nothing stored

    # Same name and birth date as someone registered: a warning with a link, not a record.
    twin = {**fields, "amka": "", "last_name": "Παπαδοπούλου", "first_name": "Ελένη"}
    twin["birth_date"] = "1950-01-01"
    warned = await browser.post(f"/t/{tenant.slug}/people/new", data=twin)
    assert warned.status_code == 409
    assert t("web.people.duplicates_title", "el") in warned.text
    assert f"/people/{existing}" in warned.text
    assert 'name="confirm_duplicate" value="1"' in warned.text
    assert (
        len(
            (await client.get(f"{tenant.api}/beneficiaries", headers=worker.headers)).json()[
                "items"
            ]
        )
        == 1
    )
    confirmed = await browser.post(
        f"/t/{tenant.slug}/people/new",
        data={**twin, "_csrf_token": csrf_token(warned.text), "confirm_duplicate": "1"},
    )
    assert confirmed.status_code == 303
    assert re.search(r"/people/[0-9a-f-]{36}\?created=1$", confirmed.headers["location"])

    fixed = await browser.post(f"/t/{tenant.slug}/people/new", data={**fields, "amka": ""})
    assert fixed.status_code == 303
    page = await browser.get(fixed.headers["location"])
    assert page.status_code == 200
    assert "Κωνσταντίνου" in page.text and t("web.people.created", "el") in page.text


async def test_person_page_sections_panels_and_edit(
    client: Any, browser: httpx.AsyncClient
) -> None:
    tenant = await make_tenant(modules=["food_bank"])
    worker = await make_staff(tenant, ["social_worker"])
    person = await _person(client, tenant, worker, phone="6912345678")
    note = await client.post(
        f"{tenant.api}/beneficiaries/{person}/notes",
        json={"body": "Πρώτη επαφή στο γραφείο", "confidentiality": "normal"},
        headers=worker.headers,
    )
    assert note.status_code == 201, note.text
    await sign_in(browser, worker.username, worker.password)
    page = await browser.get(f"/t/{tenant.slug}/people/{person}")
    assert page.status_code == 200
    text = page.text
    for key in ("personal", "household", "notes"):
        assert t(f"web.people.{key}", "el") in text, key
    assert "Πρώτη επαφή στο γραφείο" in text
    assert "+306912345678" in text or "6912345678" in text
    assert not unlabelled(text)
    # A panel from the enabled module (food_bank contributes one through the hook).
    assert 'class="panel" aria-labelledby="panel-food_bank' in text

    edit = {
        "_csrf_token": csrf_token(text),
        "last_name": "Παπαδοπούλου",
        "first_name": "Ελένη",
        "birth_date": "1950-01-01",
        "email": "not-an-email",
    }
    bad = await browser.post(f"/t/{tenant.slug}/people/{person}/edit", data=edit)
    assert bad.status_code == 422
    assert 'id="edit-email-error"' in bad.text
    good = await browser.post(
        f"/t/{tenant.slug}/people/{person}/edit", data={**edit, "email": "eleni@example.org"}
    )
    assert good.status_code == 303
    stored = await client.get(f"{tenant.api}/beneficiaries/{person}", headers=worker.headers)
    assert stored.json()["email"] == "eleni@example.org"


async def test_people_pages_of_another_tenant_are_404(
    client: Any, browser: httpx.AsyncClient
) -> None:
    mine, theirs = await make_tenant(), await make_tenant(prefix="other")
    worker = await make_staff(mine, ["social_worker"])
    stranger = await make_staff(theirs, ["social_worker"])
    their_person = await _person(client, theirs, stranger)
    await sign_in(browser, worker.username, worker.password)
    for path in (
        f"/t/{mine.slug}/people/{their_person}",
        f"/t/{theirs.slug}/people",
        f"/t/{theirs.slug}/people/{their_person}",
        f"/t/{theirs.slug}/people/new",
    ):
        response = await browser.get(path)
        assert response.status_code == 404, path
        assert "Παπαδοπούλου" not in response.text
    page = await browser.get(f"/t/{mine.slug}/people")
    post = await browser.post(
        f"/t/{mine.slug}/people/{their_person}/edit",
        data={"_csrf_token": csrf_token(page.text), "email": "x@example.org"},
    )
    assert post.status_code == 404
    stored = await client.get(
        f"{theirs.api}/beneficiaries/{their_person}", headers=stranger.headers
    )
    assert stored.json()["email"] is None


async def test_household_link_and_removal_from_the_person_page(
    client: Any, browser: httpx.AsyncClient
) -> None:
    tenant = await make_tenant()
    worker = await make_staff(tenant, ["social_worker"])
    mother = await _person(client, tenant, worker, amka=VALID_AMKA)
    child = await _person(client, tenant, worker, first_name="Νίκος", birth_date="2015-03-01")
    other = await make_tenant(prefix="other")
    stranger = await make_staff(other, ["social_worker"])
    theirs = await _person(client, other, stranger, first_name="Ξένη", last_name="Ξένου")
    await sign_in(browser, worker.username, worker.password)
    page = await browser.get(f"/t/{tenant.slug}/people/{child}")
    assert 'action="/t/' in page.text and f"/people/{child}/household" in page.text
    assert not unlabelled(page.text)
    link = f"/t/{tenant.slug}/people/{child}/household"
    token = csrf_token(page.text)

    async def household_of(person: str, as_staff: Any = worker, t_: Any = tenant) -> Any:
        got = await client.get(f"{t_.api}/beneficiaries/{person}", headers=as_staff.headers)
        return got.json()["household_id"]

    # Unknown member, the person themselves, another tenant's person: 422 naming the field.
    for member in ("zzzz-nobody", child, theirs):
        bad = await browser.post(
            link,
            data={"_csrf_token": token, "household_member": member, "household_relation": "child"},
        )
        assert bad.status_code == 422, member
        assert 'id="household-household_member-error"' in bad.text, member
        assert await household_of(child) is None
    assert await household_of(theirs, stranger, other) is None

    # Linking by AMKA: the mother heads a new household, the child joins it.
    good = await browser.post(
        link,
        data={"_csrf_token": token, "household_member": VALID_AMKA, "household_relation": "child"},
    )
    assert good.status_code == 303, good.text
    household = await household_of(child)
    assert household is not None and household == await household_of(mother)
    page = await browser.get(f"/t/{tenant.slug}/people/{child}")
    assert f"/people/{mother}" in page.text  # the mother is listed, linked

    # Removing the child takes them out; the household stays with the mother.
    members = (
        await client.get(f"{tenant.api}/households/{household}", headers=worker.headers)
    ).json()["members"]
    child_member = next(m["id"] for m in members if m["beneficiary_id"] == child)
    removed = await browser.post(
        f"/t/{tenant.slug}/people/{child}/household/remove",
        data={"_csrf_token": csrf_token(page.text), "member_id": child_member},
    )
    assert removed.status_code == 303
    assert await household_of(child) is None
    assert await household_of(mother) == household

    # Another tenant's person page cannot be used to link or unlink.
    for path in (
        f"/t/{tenant.slug}/people/{theirs}/household",
        f"/t/{tenant.slug}/people/{theirs}/household/remove",
    ):
        refused = await browser.post(
            path,
            data={"_csrf_token": token, "household_member": VALID_AMKA, "member_id": child_member},
        )
        assert refused.status_code == 404, path
