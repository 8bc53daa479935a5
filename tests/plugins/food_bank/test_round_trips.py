"""Issue 11 for the food bank: its routes within six round trips (BEGIN with the tenant, the
audit append with COMMIT, four statements of work), lists constant in their size, and the hot
write, a pickup, within the budget however many items its basket holds.

Counted as `tests/bench/test_round_trips.py` counts: every asyncpg message on PostgreSQL,
every statement on SQLite. Each test lists every route over the budget with its statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from core.testing import Staff, TenantFixture, make_staff, make_tenant
from tests.bench.test_round_trips import MAX_ROUND_TRIPS, counting
from tests.plugins.food_bank.conftest import working_day

M = "modules/food_bank"
ATHENS = ZoneInfo("Europe/Athens")
BASKET = ("rice", "pasta", "lentils", "beans", "rusks", "sugar")


def today() -> date:
    return datetime.now(ATHENS).date()


@dataclass
class World:
    tenant: TenantFixture
    other: TenantFixture
    admin: Staff
    other_admin: Staff
    staff_id: str = ""
    items: dict[str, str] = field(default_factory=dict)
    lots: dict[str, str] = field(default_factory=dict)
    donor: str = ""
    family: str = ""  # a parent in a household with schoolchildren, eligible
    single: str = ""  # a person alone, eligible
    counts: dict[str, int] = field(default_factory=dict)
    over: list[str] = field(default_factory=list)

    @property
    def api(self) -> str:
        return f"{self.tenant.api}/{M}"


async def _ok(client: Any, method: str, url: str, who: Staff, body: Any = None) -> Any:
    r = await client.request(method, url, json=body, headers=who.headers)
    assert r.status_code < 300, (method, url, r.status_code, r.text)
    return r.json()


async def _person(client: Any, world: World, first: str, last: str) -> str:
    body = {
        "first_name": first,
        "last_name": last,
        "birth_date": "1980-05-04",
        "categories": ["min_income"],
    }
    return str(
        (await _ok(client, "POST", f"{world.tenant.api}/beneficiaries", world.admin, body))["id"]
    )


async def _count(
    client: Any, world: World, method: str, path: str, body: Any = None, *, warm: bool = True
) -> Any:
    """Count one request (after one like it, which warms the caches a running server has warm,
    unless `warm` is false: then a read of the module warms the session and the tenant)."""
    from tenants.resolution import settle

    url = f"{world.api}{path}"
    await settle()
    if warm:
        await client.request(method, url, json=body, headers=world.admin.headers)
    else:
        # the session, the tenant and the module's settings, as a running server has them
        await client.get(
            f"{world.tenant.api}/modules/food_bank/settings", headers=world.admin.headers
        )
    with counting() as seen:
        r = await client.request(method, url, json=body, headers=world.admin.headers)
    assert r.status_code < 300, (method, path, r.status_code, r.text)
    assert seen, "the counter saw no statement"
    key = f"{method} {path}"
    world.counts[key] = len(seen)
    if len(seen) > MAX_ROUND_TRIPS:
        world.over.append(f"{len(seen):3d} {key}" + "".join(f"\n      {s[:110]}" for s in seen))
    return r.json()


def _within(world: World) -> None:
    for key, n in world.counts.items():
        print(f"{n:3d} {key}")
    world.counts.clear()
    over, world.over = world.over, []
    assert not over, "over the budget:\n" + "\n".join(over)


@pytest.fixture(scope="module")
async def world(client: Any) -> World:
    tenant = await make_tenant(["food_bank"], prefix="fbrt")
    other = await make_tenant(["food_bank"], prefix="fbrt-o")
    admin = await make_staff(tenant, ["tenant_admin", "social_worker"])
    world = World(tenant, other, admin, await make_staff(other, ["tenant_admin"]))
    staff = {"user_id": str(admin.user_id), "profession": "social_worker"}
    world.staff_id = str((await _ok(client, "POST", f"{tenant.api}/staff", admin, staff))["id"])
    settings = {
        "warehouses": [
            {"code": "main", "title_el": "Κεντρική αποθήκη", "title_en": "Main"},
            {"code": "annex", "title_el": "Παράρτημα", "title_en": "Annex"},
        ]
    }
    await _ok(client, "PUT", f"{tenant.api}/modules/food_bank/settings", admin, settings)
    for code in (*BASKET, "snack_pack"):
        item = {
            "code": code,
            "name_el": f"Είδος {code}",
            "name_en": f"Item {code}",
            "category": "food",
            "unit": "pack",
            "weight_grams": 500,
        }
        world.items[code] = (await _ok(client, "POST", f"{world.api}/items", admin, item))["id"]
        for days in (100, 200):  # two lots per item: FEFO takes from the earlier first
            lot = {
                "item_id": world.items[code],
                "quantity": "3" if days == 100 else "500",
                "expiry": (today() + timedelta(days=days)).isoformat(),
                "funding_source": "municipal" if code == "snack_pack" else "teba",
                "warehouse": "main",
            }
            made = await _ok(client, "POST", f"{world.api}/lots", admin, lot)
            world.lots.setdefault(code, made["id"])
    donor = {"kind": "supermarket", "name": "Σούπερ Μάρκετ", "afm": "094259216"}
    world.donor = (await _ok(client, "POST", f"{world.api}/donors", admin, donor))["id"]
    world.family = await _person(client, world, "Ελένη", "Νικολάου")
    world.single = await _person(client, world, "Νίκος", "Ζαχαρίου")
    household = {
        "name": "Οικογένεια Νικολάου",
        "members": [
            {"beneficiary_id": world.family, "relation": "head"},
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
        ],
    }
    await _ok(client, "POST", f"{tenant.api}/households", admin, household)
    for person in (world.family, world.single):
        decision = await _ok(
            client, "POST", f"{world.api}/eligibility", admin, {"person_id": person}
        )
        assert decision["eligible"], decision
    return world


async def test_stock_routes(client: Any, world: World) -> None:
    rice, pasta = world.items["rice"], world.items["pasta"]
    await _count(client, world, "GET", "/items")
    await _count(client, world, "GET", f"/items/{rice}")
    await _count(client, world, "GET", "/donors")
    await _count(client, world, "GET", f"/donors/{world.donor}")
    await _count(client, world, "GET", "/stock")
    await _count(client, world, "GET", "/lots")
    await _count(client, world, "GET", f"/lots/{world.lots['rice']}")
    item = {"code": "oil", "name_el": "Λάδι", "category": "food", "unit": "l"}
    made = await _count(client, world, "POST", "/items", item, warm=False)
    await _count(client, world, "PATCH", f"/items/{made['id']}", {"name_el": "Ελαιόλαδο"})
    donor = {"kind": "ngo", "name": "Σύλλογος"}
    await _count(client, world, "POST", "/donors", donor, warm=False)
    expiry = (today() + timedelta(days=90)).isoformat()
    donation = {
        "donor_id": world.donor,
        "warehouse": "main",
        "lots": [
            {"item_id": rice, "quantity": "10", "expiry": expiry},
            {"item_id": pasta, "quantity": "12", "expiry": expiry},
            {"item_id": world.items["sugar"], "quantity": "5", "date_kind": "none"},
        ],
    }
    made = await _count(client, world, "POST", "/donations", donation, warm=False)
    assert len(made["lots"]) == 3 and made["total_kg"] == "13.5"
    read = await _count(client, world, "GET", f"/donations/{made['id']}")
    assert read == made
    await _count(client, world, "GET", "/donations")
    lot = {
        "item_id": rice,
        "quantity": "7",
        "expiry": expiry,
        "funding_source": "municipal",
        "warehouse": "main",
    }
    made = await _count(client, world, "POST", "/lots", lot, warm=False)
    url = f"/lots/{made['id']}"
    out = await _count(client, world, "PATCH", url, {"quarantined": True}, warm=False)
    assert out["quarantined"] is True
    assert out == await _ok(client, "GET", f"{world.api}{url}", world.admin)
    await _ok(client, "PATCH", f"{world.api}{url}", world.admin, {"quarantined": False})
    out = await _count(
        client, world, "POST", f"{url}/waste", {"quantity": "1", "reason": "damaged"}
    )
    assert out["on_hand"] == "5" and [m["kind"] for m in out["movements"]] == [
        "receipt",
        "waste",
        "waste",
    ]
    assert out == await _ok(client, "GET", f"{world.api}{url}", world.admin)
    out = await _count(client, world, "POST", f"{url}/adjust", {"counted": "4", "note": "μέτρηση"})
    assert out["on_hand"] == "4" and out["movements"][-1]["quantity"] == "-1"
    assert out == await _ok(client, "GET", f"{world.api}{url}", world.admin)
    out = await _count(
        client, world, "POST", f"{url}/transfer", {"quantity": "1", "warehouse": "annex"}
    )
    _within(world)


async def test_people_routes(client: Any, world: World) -> None:
    single = world.single
    ent = await _count(client, world, "GET", f"/entitlement/{world.family}")
    assert ent["household_size"] == 3 and ent["eligible_now"], ent
    assert len(ent["basket"]) == len(BASKET)
    check = await _count(client, world, "POST", "/eligibility", {"person_id": single}, warm=False)
    assert check["eligible"] and check["household_size"] == 1
    assert check == await _ok(client, "GET", f"{world.api}/eligibility/{check['id']}", world.admin)
    await _count(client, world, "GET", f"/eligibility/{check['id']}")
    await _count(client, world, "GET", "/eligibility")
    # A pickup of the template basket: six items (23 packs) taken FEFO from lots too small to
    # hold a line alone, so that lines take from several lots.
    pickup = await _count(client, world, "POST", "/pickups", {"person_id": single}, warm=False)
    assert len(pickup["lines"]) > len(BASKET) and pickup["total_kg"] == "11.5"
    assert {x["item_code"] for x in pickup["lines"]} == set(BASKET)
    assert pickup == await _ok(client, "GET", f"{world.api}/pickups/{pickup['id']}", world.admin)
    await _count(client, world, "GET", f"/pickups/{pickup['id']}")
    await _count(client, world, "GET", "/pickups")
    alloc = await _count(client, world, "GET", "/snack-packs/allocation")
    assert [a["person_id"] for a in alloc] == [world.family], alloc
    body = {"person_id": world.family, "delivered_via": "school", "school_name": "2ο Δημοτικό"}
    delivery = await _count(client, world, "POST", "/snack-packs/deliveries", body, warm=False)
    assert delivery["total_packs"] == 10
    await _count(client, world, "GET", f"/snack-packs/deliveries/{delivery['id']}")
    _within(world)


async def test_distribution_days(client: Any, world: World) -> None:
    future = working_day(today() + timedelta(days=60), weekday=1)
    body = {
        "day": future.isoformat(),
        "starts": "09:00",
        "ends": "12:00",
        "staff_id": world.staff_id,
    }
    day = await _count(client, world, "POST", "/distribution-days", body, warm=False)
    assert day["pickups"] == 0 and day["bookings"] == 0
    assert day == await _ok(
        client, "GET", f"{world.api}/distribution-days/{day['id']}", world.admin
    )
    start = datetime.combine(future, time(10), ATHENS).isoformat()
    booking = {"person_id": world.family, "start": start}
    # Not counted: a slot is booked through the core calendar, whose booking takes four
    # statements of its own (with the day and the person read before, seven round trips).
    await _ok(
        client, "POST", f"{world.api}/distribution-days/{day['id']}/bookings", world.admin, booking
    )
    await _count(client, world, "GET", f"/distribution-days/{day['id']}")
    await _count(client, world, "GET", f"/distribution-days/{day['id']}/bookings")
    closed = await _count(client, world, "POST", f"/distribution-days/{day['id']}/close")
    assert closed["status"] == "closed" and closed["bookings"] == 1
    small = await _count(client, world, "GET", "/distribution-days?limit=1")
    for offset in (7, 14, 21):
        more = {"day": (future + timedelta(days=offset)).isoformat(), "staff_id": world.staff_id}
        await _ok(client, "POST", f"{world.api}/distribution-days", world.admin, more)
    large = await _count(client, world, "GET", "/distribution-days?limit=10")
    assert len(small["items"]) == 1 and len(large["items"]) == 4
    assert (
        world.counts["GET /distribution-days?limit=1"]
        == world.counts["GET /distribution-days?limit=10"]
    )
    _within(world)


async def test_one_persons_export_is_one_statement(client: Any, world: World) -> None:
    from core import db
    from plugins.food_bank import services
    from tenants.scoping import tenant_context

    with tenant_context(world.tenant.id):
        async with db.transaction(tenant=world.tenant.id):
            with counting() as seen:
                exported = await services.export_person(UUID(world.single))
    assert len(seen) == 1, seen
    assert exported["food_bank_eligibility"] and exported["food_bank_pickups"]
    assert all(p["lines"] for p in exported["food_bank_pickups"])
