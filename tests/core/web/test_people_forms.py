"""Intake and edit forms beyond the names: the address with its postcode, the categories the
user's roles may see, a household link (one transaction with the new person), and emptying
optional fields on an edit; another tenant's person is never linked or edited."""

from __future__ import annotations

import re
from typing import Any

import httpx

from core.testing import make_staff, make_tenant
from tests.core.web.conftest import csrf_token, sign_in, unlabelled

VALID_AMKA = "01015012345"


async def _person(client: Any, tenant: Any, staff: Any, **fields: Any) -> dict[str, Any]:
    body = {"first_name": "Γεώργιος", "last_name": "Κωστόπουλος", "birth_date": "1948-05-02"}
    body.update(fields)
    response = await client.post(f"{tenant.api}/beneficiaries", json=body, headers=staff.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def _get(client: Any, tenant: Any, staff: Any, person_id: str) -> dict[str, Any]:
    response = await client.get(f"{tenant.api}/beneficiaries/{person_id}", headers=staff.headers)
    assert response.status_code == 200
    return dict(response.json())


async def test_intake_and_edit_address_categories_household_and_clearing(
    client: Any, browser: httpx.AsyncClient
) -> None:
    tenant = await make_tenant()
    worker = await make_staff(tenant, ["social_worker"])
    reception = await make_staff(tenant, ["reception"])
    head = await _person(client, tenant, worker)
    loner = await _person(client, tenant, worker, first_name="Άννα", last_name="Μαυρίδου")
    taken = await _person(
        client, tenant, worker, first_name="Ζωή", last_name="Ζαφειρίου", amka=VALID_AMKA
    )
    other = await make_tenant(prefix="other")
    stranger_staff = await make_staff(other, ["social_worker"])
    stranger = await _person(client, other, stranger_staff, first_name="Ξένη", last_name="Ξένου")

    await sign_in(browser, worker.username, worker.password)
    page = await browser.get(f"/t/{tenant.slug}/people/new")
    assert page.status_code == 200 and not unlabelled(page.text)
    assert 'name="categories" value="disability"' in page.text  # a special category: seen
    assert 'id="person-address_postcode"' in page.text
    assert 'name="household_member"' in page.text
    base = {
        "_csrf_token": csrf_token(page.text),
        "first_name": "Μαρία",
        "last_name": "Κωστοπούλου",
        "birth_date": "1952-07-09",
        "address_street": "Αγίου Κωνσταντίνου",
        "address_number": "12",
        "address_city": "Αθήνα",
    }
    bad = await browser.post(
        f"/t/{tenant.slug}/people/new", data={**base, "address_postcode": "12"}
    )
    assert bad.status_code == 422
    assert 'id="person-address_postcode-error"' in bad.text
    assert 'value="Αγίου Κωνσταντίνου"' in bad.text  # the rest is kept

    created = await browser.post(
        f"/t/{tenant.slug}/people/new",
        data={
            **base,
            "address_postcode": "105 57",
            "categories": ["unemployed", "disability"],
            "household_member": "Κωστόπουλος Γεώργιος",
            "household_relation": "spouse",
            "phone": "6912345670",
            "father_name": "Ιωάννης",
        },
    )
    assert created.status_code == 303, created.text[-3000:]
    person_id = re.search(r"/people/([0-9a-f-]{36})", created.headers["location"]).group(1)
    person = await _get(client, tenant, worker, person_id)
    assert person["address"]["street"] == "Αγίου Κωνσταντίνου"
    assert person["address"]["postcode"].replace(" ", "") == "10557"
    assert sorted(person["categories"]) == ["disability", "unemployed"]
    household_id = person["household_id"]
    assert household_id and (await _get(client, tenant, worker, head["id"]))["household_id"] == (
        household_id
    )
    shown = await browser.get(created.headers["location"])
    assert "Κωστόπουλος Γεώργιος" in shown.text and "10557" in shown.text.replace(" ", "")
    # A second member joins the same household.
    child = await browser.post(
        f"/t/{tenant.slug}/people/new",
        data={
            **base,
            "first_name": "Ελένη",
            "birth_date": "1990-01-01",
            "household_member": head["id"],
            "household_relation": "child",
        },
    )
    assert child.status_code == 303
    child_id = re.search(r"/people/([0-9a-f-]{36})", child.headers["location"]).group(1)
    assert (await _get(client, tenant, worker, child_id))["household_id"] == household_id

    # Refused intakes leave nothing: an unknown member, another tenant's person, and a
    # duplicate AMKA (after the member's new household was made: rolled back with it).
    for member in ("Ανύπαρκτος Κανένας", stranger["id"]):
        refused = await browser.post(
            f"/t/{tenant.slug}/people/new",
            data={**base, "first_name": "Νίκη", "household_member": member},
        )
        assert refused.status_code == 422, member
        assert 'id="person-household_member-error"' in refused.text
    duplicate = await browser.post(
        f"/t/{tenant.slug}/people/new",
        data={
            **base,
            "first_name": "Νίκη",
            "amka": VALID_AMKA,
            "household_member": loner["id"],
            "confirm_duplicate": "1",
        },
    )
    assert duplicate.status_code == 409
    assert (await _get(client, tenant, worker, loner["id"]))["household_id"] is None
    listed = await client.get(
        f"{tenant.api}/beneficiaries", params={"q": "Νίκη"}, headers=worker.headers
    )
    assert listed.json()["items"] == []
    assert taken["amka"] == VALID_AMKA

    # Edit: the form shows the stored address and categories; emptied optional inputs clear.
    page = await browser.get(f"/t/{tenant.slug}/people/{person_id}")
    assert 'id="edit-address_street"' in page.text and 'value="Αγίου Κωνσταντίνου"' in page.text
    assert re.search(r'value="disability"[^>]*checked', page.text)
    edited = await browser.post(
        f"/t/{tenant.slug}/people/{person_id}/edit",
        data={
            "_csrf_token": csrf_token(page.text),
            "first_name": "Μαρία",
            "last_name": "Κωστοπούλου",
            "birth_date": "1952-07-09",
            "father_name": "",
            "phone": "",
            "sex": "",
            "address_street": "",
            "address_number": "",
            "address_postcode": "",
            "address_city": "Πειραιάς",
            "categories": ["disability"],
        },
    )
    assert edited.status_code == 303, edited.text[-3000:]
    person = await _get(client, tenant, worker, person_id)
    assert person["phone"] is None and person["father_name"] == ""
    assert person["address"] == {"street": "", "number": "", "postcode": "", "city": "Πειραιάς"}
    assert person["categories"] == ["disability"]
    required = await browser.post(
        f"/t/{tenant.slug}/people/{person_id}/edit",
        data={
            "_csrf_token": csrf_token(page.text),
            "first_name": "",
            "last_name": "Κ",
            "birth_date": "1952-07-09",
            "address_postcode": "abc",
        },
    )
    assert required.status_code == 422
    assert 'id="edit-first_name-error"' in required.text
    assert 'id="edit-address_postcode-error"' in required.text
    assert (await _get(client, tenant, worker, person_id))["first_name"] == "Μαρία"
    foreign = await browser.post(
        f"/t/{tenant.slug}/people/{stranger['id']}/edit",
        data={"_csrf_token": csrf_token(page.text), "phone": ""},
    )
    assert foreign.status_code == 404

    # Reception does not see special categories: not offered, and kept on their edit.
    async with httpx.AsyncClient(
        transport=browser._transport, base_url="http://testserver"
    ) as desk:
        await sign_in(desk, reception.username, reception.password)
        page = await desk.get(f"/t/{tenant.slug}/people/{person_id}")
        assert page.status_code == 200
        assert 'value="disability"' not in page.text
        assert 'name="categories" value="unemployed"' in page.text
        saved = await desk.post(
            f"/t/{tenant.slug}/people/{person_id}/edit",
            data={
                "_csrf_token": csrf_token(page.text),
                "first_name": "Μαρία",
                "last_name": "Κωστοπούλου",
                "birth_date": "1952-07-09",
                "address_city": "Πειραιάς",
                "categories": ["unemployed"],
            },
        )
        assert saved.status_code == 303
    person = await _get(client, tenant, worker, person_id)
    assert sorted(person["categories"]) == ["disability", "unemployed"]
