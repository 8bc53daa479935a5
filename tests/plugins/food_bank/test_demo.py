"""The demo loader fills a tenant with a catalogue, donations, TEBA stock, decisions and
pickups whose ledger balances."""

from __future__ import annotations

from typing import Any

from core.testing import make_staff, make_tenant


async def test_demo_data(client) -> None:
    from core import db
    from core.refs import TenantRef
    from plugins.food_bank import services
    from plugins.food_bank.demo import load_demo
    from plugins.food_bank.tables import Donation, Lot, Pickup
    from tenants.scoping import tenant_context

    tenant = await make_tenant(["food_bank"])
    admin = await make_staff(tenant, ["tenant_admin"])
    for i, name in enumerate(("Αικατερίνη", "Δημήτριος", "Σοφία", "Ιωάννης")):
        body = {
            "first_name": name,
            "last_name": "Αθανασίου",
            "birth_date": f"197{i}-02-0{i + 1}",
            "categories": ["min_income"] if i % 2 == 0 else [],
        }
        r = await client.post(f"{tenant.api}/beneficiaries", json=body, headers=admin.headers)
        assert r.status_code == 201, r.text
    ref = TenantRef(tenant.id, tenant.slug, modules=frozenset({"food_bank"}))
    with tenant_context(tenant.id):
        async with db.transaction():
            await db.set_rls_tenant(tenant.id)
            created = await load_demo(ref, seed=3)
            assert created > 10
            assert await Donation.count() == 8
            assert await Pickup.count() >= 2
            for lot in await Lot.select(Lot.id, Lot.on_hand_milli):
                assert lot["on_hand_milli"] >= 0
                assert await services.ledger_balance(lot["id"]) == lot["on_hand_milli"]
            teba = await Lot.select().where(Lot.funding_source == "teba")
            assert teba and all(lot["lot_code"].startswith("ΤΕΒΑ") for lot in teba)
    r = await client.get(
        f"{tenant.api}/reports/food_bank.donations?format=json", headers=admin.headers
    )
    assert r.status_code == 200


async def test_demo_data_repeats(client) -> None:
    """`merimna demo --reset` gives the same food bank data although it recreates the people
    (new ids, another creation order): the randomness is seeded from the tenant, and people
    are taken in the order of their own data. Two tenants stand for the two runs."""
    from core import db
    from core.api import get_person
    from core.refs import TenantRef
    from plugins.food_bank.demo import load_demo
    from plugins.food_bank.tables import Eligibility, Lot, Pickup
    from tenants.scoping import tenant_context

    names = ("Ζωή", "Άγγελος", "Μυρτώ", "Στέλιος", "Ξανθή", "Όλγα", "Ιάσονας", "Ρένα", "Φώτης")
    people = [
        {
            "first_name": name,
            "last_name": "Ραφαηλίδη" if i % 2 else "Ραφαηλίδης",
            "birth_date": f"198{i}-03-1{i}",
            "categories": ["min_income"] if i % 3 == 0 else [],
        }
        for i, name in enumerate(names)
    ]
    runs = []
    for order in (people, people[::-1]):
        tenant = await make_tenant(["food_bank"])
        admin = await make_staff(tenant, ["tenant_admin"])
        for body in order:
            r = await client.post(f"{tenant.api}/beneficiaries", json=body, headers=admin.headers)
            assert r.status_code == 201, r.text
        # The same demo tenant (slug and seed) loaded twice.
        ref = TenantRef(tenant.id, "demo-repeat", modules=frozenset({"food_bank"}))
        with tenant_context(tenant.id):
            async with db.transaction():
                await db.set_rls_tenant(tenant.id)
                await load_demo(ref, seed=11)

                async def name(person_id: Any) -> str:
                    return (await get_person(person_id))["first_name"]

                lots = await Lot.select(
                    Lot.lot_code, Lot.received_milli, Lot.on_hand_milli, Lot.expiry
                )
                checks = await Eligibility.select(Eligibility.person_id, Eligibility.eligible)
                pickups = await Pickup.select(Pickup.person_id, Pickup.total_grams)
                runs.append(
                    (
                        sorted(tuple(r.values()) for r in lots),
                        sorted([(await name(r["person_id"]), r["eligible"]) for r in checks]),
                        sorted([(await name(r["person_id"]), r["total_grams"]) for r in pickups]),
                    )
                )
    assert runs[0] == runs[1]
    assert runs[0][0] and len(runs[0][1]) >= 3
