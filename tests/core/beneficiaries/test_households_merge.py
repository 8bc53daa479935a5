"""Households, composition, merging duplicates and tenant categories over the API."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from core.hookspecs import hookimpl
from core.plugin_host import get_host
from tests.core.beneficiaries.conftest import person
from tests.core.beneficiaries.test_api import create


async def test_household_members_and_composition(
    client: Any, tenant: Any, social_worker: Any
) -> None:
    mother = await create(client, tenant, social_worker, birth=date(1985, 3, 1))
    response = await client.post(
        f"{tenant.api}/households",
        json={
            "name": "Παπαδοπούλου",
            "address": {"street": "Ερμού", "number": "3", "city": "Αθήνα", "postcode": "105 63"},
            "members": [
                {"beneficiary_id": mother["id"], "relation": "head"},
                {
                    "first_name": "Νίκος",
                    "birth_date": "2016-09-01",
                    "relation": "child",
                    "school_level": "primary",
                },
            ],
        },
        headers=social_worker.headers,
    )
    assert response.status_code == 201, response.text
    household = response.json()
    assert household["address"]["postcode"] == "10563"
    assert [m["first_name"] for m in household["members"]] == ["Ελένη", "Νίκος"]
    person_now = (
        await client.get(
            f"{tenant.api}/beneficiaries/{mother['id']}", headers=social_worker.headers
        )
    ).json()
    assert person_now["household_id"] == household["id"]

    added = await client.post(
        f"{tenant.api}/households/{household['id']}/members",
        json={
            "first_name": "Άννα",
            "birth_date": "2022-01-10",
            "relation": "child",
            "school_level": "preschool",
        },
        headers=social_worker.headers,
    )
    assert added.status_code == 201
    composition = (
        await client.get(
            f"{tenant.api}/households/{household['id']}/composition",
            params={"on": "2026-06-30"},
            headers=social_worker.headers,
        )
    ).json()
    assert composition["size"] == 3
    assert composition["children_under_14"] == 2
    assert composition["single_parent"] is True
    assert composition["oecd_weight"] == 1.6

    from core import db
    from core.beneficiaries.services import household_composition
    from tenants.scoping import tenant_context

    with tenant_context(tenant.id):
        async with db.transaction(write=False):
            await db.set_rls_tenant(tenant.id)
            via_person = await household_composition(mother["id"], on=date(2026, 6, 30))
    assert via_person.size == 3

    member_id = next(m for m in added.json()["members"] if m["first_name"] == "Άννα")["id"]
    removed = await client.delete(
        f"{tenant.api}/households/{household['id']}/members/{member_id}",
        headers=social_worker.headers,
    )
    assert removed.status_code == 204
    again = await client.get(
        f"{tenant.api}/households/{household['id']}", headers=social_worker.headers
    )
    assert len(again.json()["members"]) == 2
    listed = await client.get(f"{tenant.api}/households", headers=social_worker.headers)
    assert household["id"] in [h["id"] for h in listed.json()["items"]]


async def test_household_member_validation(client: Any, tenant: Any, social_worker: Any) -> None:
    response = await client.post(
        f"{tenant.api}/households",
        json={
            "members": [{"relation": "child"}, {"beneficiary_id": str(uuid4()), "relation": "x"}],
        },
        headers=social_worker.headers,
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"members.0.first_name", "members.0.birth_date", "members.1.relation"} <= fields
    unknown = await client.post(
        f"{tenant.api}/households",
        json={
            "members": [{"beneficiary_id": str(uuid4()), "relation": "head"}],
        },
        headers=social_worker.headers,
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "members.0.beneficiary_id"
    assert (await client.get(f"{tenant.api}/households", headers=social_worker.headers)).json()[
        "items"
    ] == []


async def test_create_person_into_household_and_conflict(
    client: Any, tenant: Any, social_worker: Any
) -> None:
    household = (
        await client.post(
            f"{tenant.api}/households", json={"name": "Α"}, headers=social_worker.headers
        )
    ).json()
    someone = await create(
        client, tenant, social_worker, household_id=household["id"], household_relation="head"
    )
    assert someone["household_id"] == household["id"]
    other = (
        await client.post(
            f"{tenant.api}/households", json={"name": "Β"}, headers=social_worker.headers
        )
    ).json()
    conflict = await client.post(
        f"{tenant.api}/households/{other['id']}/members",
        json={"beneficiary_id": someone["id"], "relation": "head"},
        headers=social_worker.headers,
    )
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "already_in_household"
    bad = await client.post(
        f"{tenant.api}/beneficiaries",
        json=person(household_id=str(uuid4())),
        headers=social_worker.headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "household_id"


class _MergeSpy:
    calls: list[tuple[Any, Any]] = []

    @staticmethod
    @hookimpl
    def merimna_persons_merged(tenant: Any, survivor_id: Any, merged_id: Any) -> None:
        _MergeSpy.calls.append((survivor_id, merged_id))


async def test_merge(client: Any, tenant: Any, social_worker: Any, admin: Any) -> None:
    survivor = await create(
        client, tenant, social_worker, categories=["unemployed"], phone="6911111111"
    )
    household = (
        await client.post(
            f"{tenant.api}/households",
            json={
                "members": [
                    {"first_name": "Παιδί", "birth_date": "2015-01-01", "relation": "child"}
                ]
            },
            headers=social_worker.headers,
        )
    ).json()
    duplicate = await create(
        client,
        tenant,
        social_worker,
        amka=None,
        first_name="Ελενη",
        categories=["min_income"],
        afm="094259216",
        phone="6922222222",
        household_id=household["id"],
        household_relation="head",
    )
    refused = await client.post(
        f"{tenant.api}/beneficiaries/{survivor['id']}/merge",
        json={"duplicate_id": duplicate["id"]},
        headers=social_worker.headers,
    )
    assert refused.status_code == 403

    host = get_host()
    host.pm.register(_MergeSpy, name="merge-spy")
    try:
        merged = await client.post(
            f"{tenant.api}/beneficiaries/{survivor['id']}/merge",
            json={"duplicate_id": duplicate["id"]},
            headers=admin.headers,
        )
    finally:
        host.pm.unregister(name="merge-spy")
        host._tenant_hooks.cache_clear()
    assert merged.status_code == 200, merged.text
    body = merged.json()
    assert body["afm"] == "094259216"
    assert set(body["categories"]) == {"unemployed", "min_income"}
    assert body["household_id"] == household["id"]
    assert "+306922222222" in body["other_phones"]
    assert (survivor["id"], duplicate["id"]) in [(str(a), str(b)) for a, b in _MergeSpy.calls]

    tomb = (
        await client.get(f"{tenant.api}/beneficiaries/{duplicate['id']}", headers=admin.headers)
    ).json()
    assert tomb["status"] == "merged" and tomb["merged_into"] == survivor["id"]
    listed = await client.get(
        f"{tenant.api}/beneficiaries", params={"q": "094259216"}, headers=admin.headers
    )
    assert [p["id"] for p in listed.json()["items"]] == [survivor["id"]]
    again = await client.post(
        f"{tenant.api}/beneficiaries/{survivor['id']}/merge",
        json={"duplicate_id": duplicate["id"]},
        headers=admin.headers,
    )
    assert again.status_code == 409
    itself = await client.post(
        f"{tenant.api}/beneficiaries/{survivor['id']}/merge",
        json={"duplicate_id": survivor["id"]},
        headers=admin.headers,
    )
    assert itself.status_code == 422
    patch = await client.patch(
        f"{tenant.api}/beneficiaries/{duplicate['id']}",
        json={"first_name": "Χ"},
        headers=admin.headers,
    )
    assert patch.status_code == 409


async def test_merge_across_tenants_is_404(
    client: Any, tenant: Any, other_tenant: Any, admin: Any, staff_factory: Any
) -> None:
    other_admin = await staff_factory(other_tenant, ["tenant_admin"])
    theirs = await create(client, other_tenant, other_admin)
    ours = await create(client, tenant, admin)
    response = await client.post(
        f"{tenant.api}/beneficiaries/{ours['id']}/merge",
        json={"duplicate_id": theirs["id"]},
        headers=admin.headers,
    )
    assert response.status_code == 422
    response = await client.post(
        f"{tenant.api}/beneficiaries/{theirs['id']}/merge",
        json={"duplicate_id": ours["id"]},
        headers=admin.headers,
    )
    assert response.status_code == 404


async def test_local_categories(
    client: Any, tenant: Any, admin: Any, social_worker: Any, staff_factory: Any
) -> None:
    reception = await staff_factory(tenant, ["reception"])
    denied = await client.post(
        f"{tenant.api}/categories",
        json={"code": "refugee_camp", "title_el": "Δομή φιλοξενίας"},
        headers=social_worker.headers,
    )
    assert denied.status_code == 403
    for code, special in (("refugee_camp", False), ("mental_health", True)):
        created = await client.post(
            f"{tenant.api}/categories",
            json={
                "code": code,
                "title_el": code,
                "title_en": code,
                "special": special,
            },
            headers=admin.headers,
        )
        assert created.status_code == 201, created.text
    dup = await client.post(
        f"{tenant.api}/categories",
        json={"code": "refugee_camp", "title_el": "x"},
        headers=admin.headers,
    )
    assert dup.status_code == 409
    someone = await create(
        client, tenant, social_worker, categories=["local.refugee_camp", "local.mental_health"]
    )
    seen = (
        await client.get(f"{tenant.api}/beneficiaries/{someone['id']}", headers=reception.headers)
    ).json()
    assert seen["categories"] == ["local.refugee_camp"]
    codes = {
        c["code"]
        for c in (await client.get(f"{tenant.api}/categories", headers=reception.headers)).json()[
            "items"
        ]
    }
    assert "local.refugee_camp" in codes and "local.mental_health" not in codes
    retired = await client.delete(
        f"{tenant.api}/categories/local.refugee_camp", headers=admin.headers
    )
    assert retired.status_code == 204
    refused = await client.post(
        f"{tenant.api}/beneficiaries",
        json=person(categories=["local.refugee_camp"]),
        headers=social_worker.headers,
    )
    assert refused.status_code == 422
