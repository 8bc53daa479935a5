"""The food bank's routes: happy paths, bad input (422 naming the field, nothing stored),
permissions, module disabled, isolation between municipalities, reports, export/erase, pages."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from core.testing import make_staff, make_tenant

M = "/modules/food_bank"


def today() -> date:
    return datetime.now(ZoneInfo("Europe/Athens")).date()


async def _person(client, tenant, admin, **extra) -> dict[str, Any]:
    body = {"first_name": "Ελένη", "last_name": "Παπαδοπούλου", "birth_date": "1980-05-04", **extra}
    r = await client.post(f"{tenant.api}/beneficiaries", json=body, headers=admin.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def _setup(client) -> dict[str, Any]:
    tenant = await make_tenant(["food_bank"])
    admin = await make_staff(tenant, ["tenant_admin"])
    api = tenant.api + M
    items = {}
    for code, unit in (("rice", "pack"), ("pasta", "pack"), ("feta", "kg"), ("snack_pack", "pack")):
        r = await client.post(
            f"{api}/items",
            json={
                "code": code,
                "name_el": code,
                "category": "food",
                "unit": unit,
                "weight_grams": 500,
            },
            headers=admin.headers,
        )
        assert r.status_code == 201, r.text
        items[code] = r.json()["id"]
    r = await client.post(
        f"{api}/donors",
        json={"kind": "supermarket", "name": "Σούπερ Μάρκετ Α.Ε.", "afm": "094259216"},
        headers=admin.headers,
    )
    assert r.status_code == 201, r.text
    donor = r.json()["id"]
    person = await _person(client, tenant, admin, categories=["min_income"])
    return {
        "tenant": tenant,
        "admin": admin,
        "api": api,
        "items": items,
        "donor": donor,
        "person": person,
    }


async def _lot(client, s, item, qty, *, source="donation", expiry_days=30, kind="best_before"):
    r = await client.post(
        f"{s['api']}/lots",
        json={
            "item_id": s["items"][item],
            "quantity": str(qty),
            "date_kind": kind,
            "expiry": (today() + timedelta(days=expiry_days)).isoformat(),
            "funding_source": source,
            "warehouse": "main",
        },
        headers=s["admin"].headers,
    )
    assert r.status_code == 201, r.text
    return r.json()


async def _eligible(client, s, person_id):
    r = await client.post(
        f"{s['api']}/eligibility", json={"person_id": person_id}, headers=s["admin"].headers
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_stock_donation_ledger_and_bad_input(client) -> None:
    s = await _setup(client)
    api, h = s["api"], s["admin"].headers
    body = {
        "donor_id": s["donor"],
        "warehouse": "main",
        "lots": [
            {
                "item_id": s["items"]["rice"],
                "quantity": "40",
                "expiry": (today() + timedelta(days=90)).isoformat(),
            },
            {
                "item_id": s["items"]["feta"],
                "quantity": "2.5",
                "date_kind": "use_by",
                "expiry": (today() + timedelta(days=5)).isoformat(),
            },
        ],
    }
    r = await client.post(f"{api}/donations", json=body, headers=h)
    assert r.status_code == 201, r.text
    donation = r.json()
    assert donation["receipt_number"].startswith("ΔΩΡ-") and len(donation["lots"]) == 2
    # Fractional pieces, an expired use-by lot, an unknown warehouse: 422 naming each field.
    bad = {
        **body,
        "warehouse": "nowhere",
        "lots": [
            {**body["lots"][0], "quantity": "1.5"},
            {**body["lots"][1], "expiry": (today() - timedelta(days=1)).isoformat()},
        ],
    }
    r = await client.post(
        f"{api}/donations",
        json=bad,
        headers=h,
    )
    assert r.status_code == 422, r.text
    fields = {e["field"]: e["code"] for e in r.json()["errors"]}
    assert fields == {
        "warehouse": "unknown_warehouse",
        "lots.0.quantity": "quantity_not_whole",
        "lots.1.expiry": "lot_expired_on_receipt",
    }
    r = await client.post(
        f"{api}/donations",
        json={**body, "lots": [{**body["lots"][0], "quantity": "-3"}]},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lots.0.quantity"
    r = await client.get(f"{api}/donations", headers=h)
    assert len(r.json()["items"]) == 1  # nothing stored by the refusals
    rice_lot = donation["lots"][0]["id"]
    r = await client.post(
        f"{api}/lots/{rice_lot}/waste", json={"quantity": "3", "reason": "damaged"}, headers=h
    )
    assert r.status_code == 200 and r.json()["on_hand"] == "37"
    r = await client.post(
        f"{api}/lots/{rice_lot}/waste", json={"quantity": "300", "reason": "damaged"}, headers=h
    )
    assert r.status_code == 409 and r.json()["code"] == "insufficient_stock"
    r = await client.post(f"{api}/lots/{rice_lot}/adjust", json={"counted": "35"}, headers=h)
    assert r.json()["on_hand"] == "35"
    r = await client.post(
        f"{api}/lots/{rice_lot}/transfer", json={"quantity": "5", "warehouse": "main"}, headers=h
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "warehouse"
    lot = (await client.get(f"{api}/lots/{rice_lot}", headers=h)).json()
    assert [m["kind"] for m in lot["movements"]] == ["receipt", "waste", "adjustment"]
    assert sum(float(m["quantity"]) for m in lot["movements"]) == float(lot["on_hand"])
    stock = (await client.get(f"{api}/stock", headers=h)).json()
    assert {row["item_code"]: row["on_hand"] for row in stock} == {"rice": "35", "feta": "2.5"}
    page = await client.get(
        f"/t/{s['tenant'].slug}/food_bank/donations/{donation['id']}/receipt", headers=h
    )
    assert page.status_code == 200 and "Σούπερ Μάρκετ" in page.text


async def test_pickup_eligibility_frequency_and_fefo(client) -> None:
    s = await _setup(client)
    api, h, person = s["api"], s["admin"].headers, s["person"]
    early = await _lot(client, s, "rice", 4, expiry_days=10)
    late = await _lot(client, s, "rice", 20, expiry_days=60)
    await _lot(client, s, "pasta", 20, source="teba")
    # No decision yet: 422 naming the person.
    r = await client.post(f"{api}/pickups", json={"person_id": person["id"]}, headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_eligible"
    # A household without min_income is refused with the reason.
    other = await _person(client, s["tenant"], s["admin"], first_name="Γιώργος")
    decision = await _eligible(client, s, other["id"])
    assert decision["eligible"] is False
    assert decision["reasons"][0]["code"] == "not_min_income_recipient"
    decision = await _eligible(client, s, person["id"])
    assert decision["eligible"] and decision["valid_until"]
    ent = (await client.get(f"{api}/entitlement/{person['id']}", headers=h)).json()
    assert ent["eligible_now"] and ent["household_size"] == 1
    assert {b["item_code"]: b["quantity"] for b in ent["basket"]} == {"rice": "6", "pasta": "6"}
    lines = [
        {"item_id": s["items"]["rice"], "quantity": "6"},
        {"item_id": s["items"]["pasta"], "quantity": "2"},
    ]
    body = {
        "person_id": person["id"],
        "lines": lines,
        "proxy": {"name": "Νίκος Ιωάννου", "document_number": "ΑΒ123456", "authorisation": True},
    }
    r = await client.post(f"{api}/pickups", json=body, headers=h)
    assert r.status_code == 201, r.text
    pickup = r.json()
    rice = [(x["lot_id"], x["quantity"]) for x in pickup["lines"] if x["item_code"] == "rice"]
    assert rice == [(early["id"], "4"), (late["id"], "2")]  # FEFO
    assert pickup["by_proxy"] and pickup["proxy_name"] == "Νίκος Ιωάννου"
    assert pickup["total_kg"] == "4"
    # Second pickup this month: 409 with the reason; an override needs a reason, then works.
    r = await client.post(
        f"{api}/pickups", json={"person_id": person["id"], "lines": lines[1:]}, headers=h
    )
    assert r.status_code == 409 and r.json()["code"] == "frequency_limit"
    r = await client.post(
        f"{api}/pickups",
        json={"person_id": person["id"], "lines": lines[1:], "override": True},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "override_reason"
    volunteer = await make_staff(s["tenant"], ["volunteer"])
    r = await client.post(
        f"{api}/pickups",
        json={
            "person_id": person["id"],
            "lines": lines[1:],
            "override": True,
            "override_reason": "Πυρκαγιά στο σπίτι",
        },
        headers=volunteer.headers,
    )
    assert r.status_code == 403
    r = await client.post(
        f"{api}/pickups",
        json={
            "person_id": person["id"],
            "lines": lines[1:],
            "override": True,
            "override_reason": "Πυρκαγιά στο σπίτι",
        },
        headers=h,
    )
    assert r.status_code == 201 and r.json()["override"] is True
    # Bad input: fractional packs, a proxy without authorisation, an expired lot: nothing stored.
    second = await _person(
        client, s["tenant"], s["admin"], first_name="Άννα", categories=["min_income"]
    )
    await _eligible(client, s, second["id"])
    expired = await _lot(client, s, "feta", "3", kind="best_before", expiry_days=1)
    r = await client.post(
        f"{api}/pickups",
        json={
            "person_id": second["id"],
            "lines": [{"item_id": s["items"]["rice"], "quantity": "1.5"}],
        },
        headers=h,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lines.0.quantity"
    r = await client.post(
        f"{api}/pickups",
        json={
            **body,
            "person_id": second["id"],
            "proxy": {**body["proxy"], "authorisation": False},
        },
        headers=h,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "proxy.authorisation"
    r = await client.post(
        f"{api}/pickups",
        json={"person_id": second["id"], "channel": "social_grocery", "lines": lines[1:]},
        headers=h,
    )
    assert r.status_code == 409 and r.json()["code"] == "insufficient_stock"  # TEBA pasta only
    r = await client.post(
        f"{api}/pickups",
        json={
            "person_id": second["id"],
            "channel": "social_grocery",
            "lines": [
                {
                    "item_id": s["items"]["pasta"],
                    "quantity": "1",
                    "lot_id": ent["basket"][0]["item_id"],
                }
            ],
        },
        headers=h,
    )
    assert r.status_code == 404  # not a lot of this tenant
    teba_lot = (await client.get(f"{api}/lots?funding_source=teba", headers=h)).json()["items"][0][
        "id"
    ]
    r = await client.post(
        f"{api}/pickups",
        json={
            "person_id": second["id"],
            "channel": "social_grocery",
            "lines": [{"item_id": s["items"]["pasta"], "quantity": "1", "lot_id": teba_lot}],
        },
        headers=h,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "lot_channel_forbidden"
    assert (await client.get(f"{api}/pickups?person_id={second['id']}", headers=h)).json()[
        "items"
    ] == []
    lot = (await client.get(f"{api}/lots/{expired['id']}", headers=h)).json()
    assert lot["on_hand"] == "3"
    # Reports list and run, JSON and CSV.
    for report in (
        "stock_on_hand",
        "expiring",
        "distributions_monthly",
        "teba_list",
        "donations",
        "waste",
        "snack_packs",
    ):
        for fmt in ("json", "csv"):
            r = await client.get(
                f"{s['tenant'].api}/reports/food_bank.{report}?format={fmt}", headers=h
            )
            assert r.status_code == 200, (report, r.text)
    teba = (
        await client.get(f"{s['tenant'].api}/reports/food_bank.teba_list?format=json", headers=h)
    ).json()
    rows = teba["rows"] if isinstance(teba, dict) and "rows" in teba else teba
    assert len(rows) == 2 and {r["last_name"] for r in rows} == {"Παπαδοπούλου"}
    # The pickup screen renders the entitlement, then refuses a second pickup.
    page = await client.get(f"/t/{s['tenant'].slug}/food_bank/pickup/{second['id']}", headers=h)
    assert page.status_code == 200 and "Επιβεβαίωση παραλαβής" in page.text
    for path in ("", "stock", "pickup?q=Παπαδοπούλου", f"pickups/{pickup['id']}"):
        page = await client.get(f"/t/{s['tenant'].slug}/food_bank/{path}", headers=h)
        assert page.status_code == 200, (path, page.text[:300])
    # Export and erasure of one person.
    from core import db
    from plugins.food_bank import services
    from tenants.scoping import tenant_context

    with tenant_context(s["tenant"].id):
        async with db.transaction():
            await db.set_rls_tenant(s["tenant"].id)  # as core's export/erase callers do
            exported = await services.export_person(UUID(person["id"]))
            assert len(exported["food_bank_pickups"]) == 2
            assert "Νίκος Ιωάννου" in [p["proxy_name"] for p in exported["food_bank_pickups"]]
            kept = await services.erase_person(UUID(person["id"]))
            assert kept == ["food_bank.pickups_teba_audit"]
            after = await services.export_person(UUID(person["id"]))
            assert after["food_bank_eligibility"] == []
            assert all(p["proxy_name"] == "" for p in after["food_bank_pickups"])


async def test_snack_packs(client) -> None:
    s = await _setup(client)
    api, h = s["api"], s["admin"].headers
    r = await client.post(
        f"{s['tenant'].api}/households",
        json={
            "name": "Οικογένεια Νικολάου",
            "members": [
                {"beneficiary_id": s["person"]["id"], "relation": "head"},
                {
                    "first_name": "Μαρία",
                    "birth_date": "2016-02-01",
                    "relation": "child",
                    "school_level": "primary",
                },
                {
                    "first_name": "Πέτρος",
                    "birth_date": "2012-02-01",
                    "relation": "child",
                    "school_level": "lower_secondary",
                },
                {
                    "first_name": "Ζωή",
                    "birth_date": "2022-02-01",
                    "relation": "child",
                    "school_level": "preschool",
                },
            ],
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    await _lot(client, s, "snack_pack", 12)
    r = await client.post(
        f"{api}/snack-packs/deliveries", json={"person_id": s["person"]["id"]}, headers=h
    )
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "not_eligible"
    decision = await _eligible(client, s, s["person"]["id"])
    assert decision["household_size"] == 4
    alloc = (await client.get(f"{api}/snack-packs/allocation", headers=h)).json()
    assert alloc[0]["packs"] == {"primary": 5, "lower_secondary": 5} and not alloc[0]["delivered"]
    r = await client.post(
        f"{api}/snack-packs/deliveries",
        json={
            "person_id": s["person"]["id"],
            "delivered_via": "school",
            "school_name": "2ο Δημοτικό",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    assert r.json()["total_packs"] == 10
    r = await client.post(
        f"{api}/snack-packs/deliveries", json={"person_id": s["person"]["id"]}, headers=h
    )
    assert r.status_code == 409
    stock = (await client.get(f"{api}/stock", headers=h)).json()
    assert stock[0]["on_hand"] == "2"
    rows = (
        await client.get(f"{s['tenant'].api}/reports/food_bank.snack_packs?format=json", headers=h)
    ).json()
    assert rows  # primary and lower secondary


async def test_permissions_disabled_and_isolation(client) -> None:
    s = await _setup(client)
    api, h = s["api"], s["admin"].headers
    lot = await _lot(client, s, "rice", 10)
    # Roles: a psychologist has no food bank at all; a volunteer may read but not manage stock.
    psychologist = await make_staff(s["tenant"], ["psychologist"])
    assert (await client.get(f"{api}/items", headers=psychologist.headers)).status_code == 403
    volunteer = await make_staff(s["tenant"], ["volunteer"])
    assert (await client.get(f"{api}/stock", headers=volunteer.headers)).status_code == 200
    r = await client.post(
        f"{api}/lots/{lot['id']}/waste",
        json={"quantity": "1", "reason": "other"},
        headers=volunteer.headers,
    )
    assert r.status_code == 403
    item = {"code": "milk", "name_el": "Γάλα", "category": "food", "unit": "l"}
    assert (
        await client.post(f"{api}/items", json=item, headers=volunteer.headers)
    ).status_code == 403
    # Module disabled: 404 for every route and page.
    plain = await make_tenant([])
    plain_admin = await make_staff(plain, ["tenant_admin"])
    for path in ("/items", "/stock", "/lots", "/pickups", "/distribution-days"):
        assert (
            await client.get(f"{plain.api}{M}{path}", headers=plain_admin.headers)
        ).status_code == 404
    assert (
        await client.get(f"/t/{plain.slug}/food_bank/", headers=plain_admin.headers)
    ).status_code == 404
    # Another municipality with the module: none of the first one's ids, lists or reports.
    other = await make_tenant(["food_bank"])
    other_admin = await make_staff(other, ["tenant_admin"])
    oapi, oh = other.api + M, other_admin.headers
    for path in (
        f"/lots/{lot['id']}",
        f"/items/{s['items']['rice']}",
        f"/donors/{s['donor']}",
        f"/entitlement/{s['person']['id']}",
    ):
        assert (await client.get(f"{oapi}{path}", headers=oh)).status_code == 404, path
    r = await client.post(
        f"{oapi}/lots/{lot['id']}/waste", json={"quantity": "1", "reason": "other"}, headers=oh
    )
    assert r.status_code == 404
    r = await client.post(f"{oapi}/eligibility", json={"person_id": s["person"]["id"]}, headers=oh)
    assert r.status_code == 404
    assert (await client.get(f"{oapi}/lots", headers=oh)).json()["items"] == []
    assert (await client.get(f"{oapi}/stock", headers=oh)).json() == []
    assert (await client.get(f"{oapi}/items", headers=oh)).json()["items"] == []
    r = await client.get(f"{other.api}/reports/food_bank.stock_on_hand?format=csv", headers=oh)
    assert r.status_code == 200 and "rice" not in r.text
    # A user of the first tenant asking in the second: 404.
    assert (await client.get(f"{oapi}/items", headers=h)).status_code == 404


@pytest.mark.pg
async def test_concurrent_pickups_never_oversell(client) -> None:
    s = await _setup(client)
    api, h = s["api"], s["admin"].headers
    lot = await _lot(client, s, "rice", 10)
    people = []
    for i in range(20):
        p = await _person(
            client,
            s["tenant"],
            s["admin"],
            first_name="Δοκιμή " + "ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥ"[i],
            categories=["min_income"],
        )
        await _eligible(client, s, p["id"])
        people.append(p["id"])
    lines = [{"item_id": s["items"]["rice"], "quantity": "1"}]
    results = await asyncio.gather(
        *[
            client.post(f"{api}/pickups", json={"person_id": p, "lines": lines}, headers=h)
            for p in people
        ]
    )
    codes = sorted(r.status_code for r in results)
    assert codes.count(201) == 10 and codes.count(409) == 10, codes
    detail = (await client.get(f"{api}/lots/{lot['id']}", headers=h)).json()
    assert detail["on_hand"] == "0"
    assert sum(float(m["quantity"]) for m in detail["movements"]) == 0
