"""`food_bank.distributions_monthly` counts in SQL (two grouped statements over issue lines
joined to their pickups): its figures must equal the ones computed from the rows by hand,
with households distinct per month and source, persons counted once per pickup and source,
and another municipality's pickups never counted.

The rows are written directly (as the seeded benchmark does) so that the test controls
months, sources and household sizes exactly; the pickup API is exercised in test_api.py.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from core.testing import make_staff, make_tenant

YEAR = 2025


async def _write(tenant_id: UUID, pickups: list[dict[str, Any]]) -> None:
    """Pickups, each with `lines`: (funding_source, grams) pairs, in the tenant's scope."""
    from core import db
    from plugins.food_bank.tables import IssueLine, Pickup
    from tenants.scoping import tenant_context

    with tenant_context(tenant_id):
        async with db.transaction():
            await db.set_rls_tenant(tenant_id)
            for p in pickups:
                pickup_id = uuid4()
                await Pickup.insert(
                    Pickup(
                        id=pickup_id,
                        person_id=uuid4(),
                        household_key=p["household"],
                        channel="distribution",
                        day=p["day"],
                        household_size=p["size"],
                        total_grams=sum(g for _, g in p["lines"]),
                        created_at=datetime.now(UTC),
                    )
                )
                for source, grams in p["lines"]:
                    await IssueLine.insert(
                        IssueLine(
                            issue_type="pickup",
                            issue_id=pickup_id,
                            item_id=uuid4(),
                            lot_id=uuid4(),
                            quantity_milli=1000,
                            funding_source=source,
                            grams=grams,
                            created_at=datetime.now(UTC),
                        )
                    )
            # A snack-pack line with the id of a pickup is not a pickup line: never counted.
            first = await Pickup.select(Pickup.id).first()
            assert first is not None
            await IssueLine.insert(
                IssueLine(
                    issue_type="snack",
                    issue_id=first["id"],
                    item_id=uuid4(),
                    lot_id=uuid4(),
                    quantity_milli=1000,
                    funding_source="teba",
                    grams=99_000,
                    created_at=datetime.now(UTC),
                )
            )


async def _report(client: Any, tenant: Any, headers: dict[str, str], year: int) -> list[Any]:
    r = await client.get(
        f"{tenant.api}/reports/food_bank.distributions_monthly?format=json&year={year}",
        headers=headers,
    )
    assert r.status_code == 200, r.text
    rows = list(r.json()["rows"])
    for row in rows:  # JSON numbers; compared as decimals
        row["kilograms"] = Decimal(str(row["kilograms"]))
    return rows


async def test_monthly_figures_equal_the_rows(client: Any) -> None:
    town = await make_tenant(["food_bank"])
    other = await make_tenant(["food_bank"])
    admin = await make_staff(town, ["tenant_admin"])
    a, b, c = uuid4(), uuid4(), uuid4()
    await _write(
        town.id,
        [
            # March: household a twice (sizes 3 then 4), b once; TEBA and donations mixed.
            {"household": a, "day": date(YEAR, 3, 5), "size": 3, "lines": [("teba", 2000)]},
            {
                "household": a,
                "day": date(YEAR, 3, 20),
                "size": 4,
                "lines": [("teba", 1000), ("teba", 500), ("donation", 700)],
            },
            {"household": b, "day": date(YEAR, 3, 31), "size": 2, "lines": [("donation", 300)]},
            # April: c only.
            {"household": c, "day": date(YEAR, 4, 1), "size": 5, "lines": [("municipal", 1250)]},
            # Outside the year on both sides.
            {"household": a, "day": date(YEAR - 1, 12, 31), "size": 3, "lines": [("teba", 7)]},
            {"household": a, "day": date(YEAR + 1, 1, 1), "size": 3, "lines": [("teba", 11)]},
        ],
    )
    # The other municipality's pickups in the same months never count here.
    await _write(
        other.id,
        [{"household": a, "day": date(YEAR, 3, 5), "size": 9, "lines": [("teba", 50_000)]}],
    )
    rows = await _report(client, town, admin.headers, YEAR)
    assert rows == [
        {
            "month": f"{YEAR}-03",
            "funding_source": "donation",
            "households": 2,
            "persons": 4 + 2,
            "kilograms": Decimal("1"),
        },
        {
            "month": f"{YEAR}-03",
            "funding_source": "teba",
            "households": 1,
            "persons": 3 + 4,
            "kilograms": Decimal("3.5"),
        },
        {
            "month": f"{YEAR}-04",
            "funding_source": "municipal",
            "households": 1,
            "persons": 5,
            "kilograms": Decimal("1.25"),
        },
    ]
    # Neighbouring years hold only their own pickup; a year with none is empty.
    next_year = await _report(client, town, admin.headers, YEAR + 1)
    assert [(r["month"], r["persons"], r["kilograms"]) for r in next_year] == [
        (f"{YEAR + 1}-01", 3, Decimal("0.011"))
    ]
    assert await _report(client, town, admin.headers, YEAR - 5) == []
