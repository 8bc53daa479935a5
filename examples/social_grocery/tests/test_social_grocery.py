"""Tests of the social grocery, with the fixtures of Merimna's test kit (the pytest plugin
`merimna`); `--merimna-module social_grocery` adds the conformance suite."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta

from merimna_social_grocery import rules
from merimna_social_grocery.settings import Settings

API = "modules/social_grocery"
TODAY = date.today().isoformat()


# -- rules (FACTS §5.3, §5.4) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("income", "dependants", "disability", "eligible"),
    [
        (5500, 0, 0, True),  # a single person at the limit
        (5501, 0, 0, False),
        (7900, 2, 0, True),  # +1,200 per dependant
        (7901, 2, 0, False),
        (8500, 0, 67, True),  # +3,000 with a disability of 67 % or more
        (8500, 0, 66, False),
    ],
)
def test_the_income_limit(income: int, dependants: int, disability: int, eligible: bool) -> None:
    decision = rules.eligibility(rules.Facts(True, income, dependants, disability), Settings())
    assert decision.allowed is eligible
    assert decision.reasons == ([] if eligible else ["income_above_limit"])


def test_non_residents_are_refused_with_every_reason() -> None:
    decision = rules.eligibility(rules.Facts(False, 99_000, 0, 0), Settings())
    assert decision.reasons == ["not_resident", "income_above_limit"]


def test_points_follow_the_oecd_modified_scale() -> None:
    assert rules.equivalence_weight(2, 2) == pytest.approx(2.1)  # FACTS' own examples
    assert rules.equivalence_weight(1, 1) == pytest.approx(1.3)
    assert rules.monthly_points(2, 2, Settings(monthly_points=40)) == 84


def test_visits_and_points_of_the_month() -> None:
    settings = Settings(monthly_limit=2)
    assert rules.may_record(1, settings).allowed
    assert rules.may_record(2, settings).reasons == ["monthly_limit_reached"]
    assert rules.may_spend(10, 30, 40).allowed
    assert rules.may_spend(11, 30, 40).reasons == ["points_exceeded"]


# -- the API ----------------------------------------------------------------------------------


async def _card(client: Any, tenant: Any, staff: Any, person: str, **facts: Any) -> Any:
    body = {"person_id": person, "resident": True, "annual_income": 4000, **facts}
    return await client.post(f"{tenant.api}/{API}/cards", json=body, headers=staff.headers)


async def test_an_application_is_decided_and_kept_with_its_reasons(
    client: Any, tenant_factory: Any, staff_factory: Any, person_factory: Any
) -> None:
    tenant = await tenant_factory(modules=["social_grocery"])
    worker = await staff_factory(tenant, ["social_worker"])
    person = await person_factory(tenant, worker)
    approved = await _card(client, tenant, worker, person, persons_14_plus=2, children_under_14=2)
    assert approved.status_code == 201, approved.text
    card = approved.json()
    assert card["status"] == "approved" and card["points_per_month"] == 84
    start = date.fromisoformat(card["valid_from"])
    assert date.fromisoformat(card["valid_until"]) == start + relativedelta(months=6, days=-1)
    rejected = await _card(client, tenant, worker, person, annual_income=20000, resident=False)
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["reasons"] == ["not_resident", "income_above_limit"]
    listed = await client.get(
        f"{tenant.api}/{API}/cards?person_id={person}", headers=worker.headers
    )
    assert {c["status"] for c in listed.json()["items"]} == {"approved", "rejected"}


async def test_a_visit_needs_a_card_and_stays_within_the_points(
    client: Any, tenant_factory: Any, staff_factory: Any, person_factory: Any
) -> None:
    tenant = await tenant_factory(modules=["social_grocery"])
    worker = await staff_factory(tenant, ["social_worker"])
    person = await person_factory(tenant, worker)
    visit = {"person_id": person, "kind": "food", "occurred_on": TODAY, "points": 30}
    url = f"{tenant.api}/{API}/entries"
    no_card = await client.post(url, json=visit, headers=worker.headers)
    assert no_card.status_code == 409 and no_card.json()["code"] == "no_valid_card"
    await _card(client, tenant, worker, person)  # a single adult: 40 points a month
    first = await client.post(url, json=visit, headers=worker.headers)
    assert first.status_code == 201, first.text
    too_much = await client.post(url, json=visit, headers=worker.headers)
    assert too_much.status_code == 409
    assert too_much.json()["code"] == "points_exceeded" and too_much.json()["left"] == 10
    listed = await client.get(url, headers=worker.headers)
    assert [v["points"] for v in listed.json()["items"]] == [30]


async def test_bad_input_names_the_field_and_stores_nothing(
    client: Any, tenant_factory: Any, staff_factory: Any, person_factory: Any
) -> None:
    tenant = await tenant_factory(modules=["social_grocery"])
    worker = await staff_factory(tenant, ["social_worker"])
    person = await person_factory(tenant, worker)
    in_greek = {**worker.headers, "Accept-Language": "el"}
    body = {"person_id": person, "resident": True, "annual_income": -5, "persons_14_plus": 0}
    response = await client.post(f"{tenant.api}/{API}/cards", json=body, headers=in_greek)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {e["field"] for e in errors} == {"annual_income", "persons_14_plus"}
    assert all(e["message"] for e in errors)
    listed = await client.get(f"{tenant.api}/{API}/cards", headers=worker.headers)
    assert listed.json()["items"] == []


async def test_settings_change_the_limits(
    client: Any, tenant_factory: Any, staff_factory: Any, person_factory: Any
) -> None:
    tenant = await tenant_factory(modules=["social_grocery"])
    admin = await staff_factory(tenant, ["tenant_admin"])
    url = f"{tenant.api}/{API}/settings"
    refused = await client.put(url, json={"card_months": 3}, headers=admin.headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"].endswith("card_months")
    changed = await client.put(url, json={"income_limit_single": 3000}, headers=admin.headers)
    assert changed.status_code == 200, changed.text
    person = await person_factory(tenant, admin)
    card = await _card(client, tenant, admin, person, annual_income=4000)
    assert card.json()["status"] == "rejected" and card.json()["income_limit"] == 3000


async def test_another_municipality_sees_nothing(
    client: Any, tenant_factory: Any, staff_factory: Any, person_factory: Any
) -> None:
    mine = await tenant_factory(modules=["social_grocery"])
    theirs = await tenant_factory(modules=["social_grocery"])
    me = await staff_factory(mine, ["social_worker"])
    them = await staff_factory(theirs, ["social_worker"])
    their_person = await person_factory(theirs, them)
    their_card = (await _card(client, theirs, them, their_person)).json()
    visit = {"person_id": their_person, "kind": "food", "occurred_on": TODAY, "points": 1}
    their_visit = await client.post(f"{theirs.api}/{API}/entries", json=visit, headers=them.headers)
    for path in (f"cards/{their_card['id']}", f"entries/{their_visit.json()['id']}"):
        read = await client.get(f"{mine.api}/{API}/{path}", headers=me.headers)
        assert read.status_code == 404
    for path in ("cards", "entries"):
        listed = await client.get(f"{mine.api}/{API}/{path}", headers=me.headers)
        assert listed.json()["items"] == []
    # Their person does not exist here, and my token does not open their municipality.
    mine_card = await _card(client, mine, me, their_person)
    assert mine_card.status_code == 422
    probe = await client.get(f"{theirs.api}/{API}/cards", headers=me.headers)
    assert probe.status_code == 404


async def test_roles_without_the_permission_are_refused(
    client: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    tenant = await tenant_factory(modules=["social_grocery"])
    reception = await staff_factory(tenant, ["reception"])
    body = {
        "person_id": "00000000-0000-4000-8000-000000000000",
        "resident": True,
        "annual_income": 1,
    }
    response = await client.post(f"{tenant.api}/{API}/cards", json=body, headers=reception.headers)
    assert response.status_code == 403


async def test_the_pages_and_the_report(
    client: Any, tenant_factory: Any, staff_factory: Any, person_factory: Any
) -> None:
    tenant = await tenant_factory(modules=["social_grocery"])
    worker = await staff_factory(tenant, ["social_worker"])
    person = await person_factory(tenant, worker)
    await _card(client, tenant, worker, person)
    visit = {"person_id": person, "kind": "hygiene", "occurred_on": TODAY, "points": 5}
    await client.post(f"{tenant.api}/{API}/entries", json=visit, headers=worker.headers)
    page = await client.get(f"/t/{tenant.slug}/social_grocery/", headers=worker.headers)
    assert page.status_code == 200 and "Είδη υγιεινής" in page.text
    cards = await client.get(f"/t/{tenant.slug}/social_grocery/cards", headers=worker.headers)
    assert cards.status_code == 200 and "Εγκρίθηκε" in cards.text
    report = await client.get(
        f"{tenant.api}/reports/social_grocery.per_month?format=json", headers=worker.headers
    )
    assert report.status_code == 200, report.text
    assert '"points":5' in report.text.replace(" ", "")
