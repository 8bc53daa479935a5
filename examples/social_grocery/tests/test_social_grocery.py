"""Tests of the module, with the fixtures of Merimna's test kit (the pytest plugin `merimna`).

`python -m pytest` runs them; with `--merimna-module social_grocery` the run adds the
conformance suite every Merimna module passes.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from merimna_social_grocery import rules
from merimna_social_grocery.settings import Settings

API = "modules/social_grocery"


def test_the_monthly_limit_rule() -> None:
    settings = Settings(monthly_limit=2)
    assert rules.may_record(1, settings).allowed
    refused = rules.may_record(2, settings)
    assert not refused.allowed and refused.reasons == ["monthly_limit_reached"]


async def test_record_list_and_read(
    client: Any, tenant_factory: Any, staff_factory: Any, person_factory: Any
) -> None:
    tenant = await tenant_factory(modules=["social_grocery"])
    worker = await staff_factory(tenant, ["social_worker"])
    person = await person_factory(tenant, worker)
    body = {
        "person_id": person,
        "kind": "visit",
        "occurred_on": date.today().isoformat(),
        "note": "Πρώτη επίσκεψη",
    }
    created = await client.post(f"{tenant.api}/{API}/entries", json=body, headers=worker.headers)
    assert created.status_code == 201, created.text
    entry = created.json()
    assert entry["note"] == "Πρώτη επίσκεψη"
    listed = await client.get(f"{tenant.api}/{API}/entries", headers=worker.headers)
    assert [e["id"] for e in listed.json()["items"]] == [entry["id"]]
    read = await client.get(f"{tenant.api}/{API}/entries/{entry['id']}", headers=worker.headers)
    assert read.json() == entry


async def test_bad_input_names_the_field_and_stores_nothing(
    client: Any, tenant_factory: Any, staff_factory: Any, person_factory: Any
) -> None:
    tenant = await tenant_factory(modules=["social_grocery"])
    worker = await staff_factory(tenant, ["social_worker"])
    person = await person_factory(tenant, worker)
    body = {"person_id": person, "kind": "teleport", "occurred_on": "2026-02-30"}
    in_greek = {**worker.headers, "Accept-Language": "el"}
    response = await client.post(f"{tenant.api}/{API}/entries", json=body, headers=in_greek)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"kind", "occurred_on"}
    listed = await client.get(f"{tenant.api}/{API}/entries", headers=worker.headers)
    assert listed.json()["items"] == []


async def test_the_monthly_limit_is_enforced(
    client: Any, tenant_factory: Any, staff_factory: Any, person_factory: Any
) -> None:
    tenant = await tenant_factory(modules=["social_grocery"])
    admin = await staff_factory(tenant, ["tenant_admin"])
    url = f"{tenant.api}/{API}/settings"
    settings = await client.put(url, json={"monthly_limit": 1}, headers=admin.headers)
    assert settings.status_code == 200, settings.text
    person = await person_factory(tenant, admin)
    body = {"person_id": person, "kind": "call", "occurred_on": date.today().isoformat()}
    first = await client.post(f"{tenant.api}/{API}/entries", json=body, headers=admin.headers)
    assert first.status_code == 201
    second = await client.post(f"{tenant.api}/{API}/entries", json=body, headers=admin.headers)
    assert second.status_code == 409
    assert second.json()["code"] == "monthly_limit_reached"


async def test_another_municipality_sees_nothing(
    client: Any, tenant_factory: Any, staff_factory: Any, person_factory: Any
) -> None:
    mine = await tenant_factory(modules=["social_grocery"])
    theirs = await tenant_factory(modules=["social_grocery"])
    me = await staff_factory(mine, ["social_worker"])
    them = await staff_factory(theirs, ["social_worker"])
    their_person = await person_factory(theirs, them)
    body = {"person_id": their_person, "kind": "visit", "occurred_on": date.today().isoformat()}
    theirs_entry = await client.post(f"{theirs.api}/{API}/entries", json=body, headers=them.headers)
    entry_id = theirs_entry.json()["id"]
    # Their entry is absent for me, and so is their person.
    read = await client.get(f"{mine.api}/{API}/entries/{entry_id}", headers=me.headers)
    assert read.status_code == 404
    listed = await client.get(f"{mine.api}/{API}/entries", headers=me.headers)
    assert listed.json()["items"] == []
    mine_body = await client.post(f"{mine.api}/{API}/entries", json=body, headers=me.headers)
    assert mine_body.status_code == 422
    # And my token does not open their municipality.
    probe = await client.get(f"{theirs.api}/{API}/entries", headers=me.headers)
    assert probe.status_code == 404


async def test_roles_without_the_permission_are_refused(
    client: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    tenant = await tenant_factory(modules=["social_grocery"])
    home_helper = await staff_factory(tenant, ["reception"])
    body = {
        "person_id": "00000000-0000-4000-8000-000000000000",
        "kind": "visit",
        "occurred_on": date.today().isoformat(),
    }
    response = await client.post(
        f"{tenant.api}/{API}/entries", json=body, headers=home_helper.headers
    )
    assert response.status_code == 403


async def test_the_page_and_the_report(
    client: Any, tenant_factory: Any, staff_factory: Any, person_factory: Any
) -> None:
    tenant = await tenant_factory(modules=["social_grocery"])
    worker = await staff_factory(tenant, ["social_worker"])
    person = await person_factory(tenant, worker)
    body = {"person_id": person, "kind": "support", "occurred_on": date.today().isoformat()}
    await client.post(f"{tenant.api}/{API}/entries", json=body, headers=worker.headers)
    page = await client.get(f"/t/{tenant.slug}/social_grocery/", headers=worker.headers)
    assert page.status_code == 200 and "Υποστήριξη" in page.text
    report = await client.get(
        f"{tenant.api}/reports/social_grocery.per_month?format=json&year={date.today().year}",
        headers=worker.headers,
    )
    assert report.status_code == 200, report.text
    assert report.text.count('"count"') >= 1
