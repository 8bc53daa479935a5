"""Demo data of the food bank: a catalogue, Greek donors and donations, TEBA stock,
eligibility decisions for minimum-income households, a distribution day and pickups.

Runs inside the demo loader's transaction, as a system actor (no user), with the module's
default settings. The same tenant gives the same data on every run (`merimna demo --reset`):
the randomness is seeded from the tenant's slug and demo seed, and people are taken in an
order of their own data (names, birth date, AMKA), never of their random ids, which the core
demo creates in bulk with equal timestamps.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from core.api import TenantRef, active_person_ids, get_person
from plugins.food_bank import services
from plugins.food_bank.schemas import (
    DistributionDayCreate,
    DonationCreate,
    DonationLotIn,
    DonorCreate,
    EligibilityCreate,
    ItemCreate,
    LotCreate,
    PickupCreate,
    SnackDeliveryCreate,
)

ITEMS: list[tuple[str, str, str, str, str, int | None]] = [
    ("rice", "Ρύζι 500 γρ.", "Rice 500 g", "food", "pack", 500),
    ("pasta", "Μακαρόνια 500 γρ.", "Pasta 500 g", "food", "pack", 500),
    ("lentils", "Φακές 500 γρ.", "Lentils 500 g", "food", "pack", 500),
    ("beans", "Φασόλια 500 γρ.", "Beans 500 g", "food", "pack", 500),
    ("rusks", "Παξιμάδια 500 γρ.", "Rusks 500 g", "food", "pack", 500),
    ("sugar", "Ζάχαρη 1 κιλό", "Sugar 1 kg", "food", "pack", 1000),
    ("olive_oil", "Ελαιόλαδο", "Olive oil", "food", "l", 920),
    ("tuna", "Τόνος σε κονσέρβα", "Canned tuna", "food", "piece", 160),
    ("feta", "Φέτα", "Feta cheese", "food", "kg", 1000),
    ("snack_pack", "Σχολικό σνακ", "School snack pack", "food", "pack", 250),
    ("soap", "Υγρό σαπούνι", "Liquid soap", "hygiene", "piece", 500),
    ("toothpaste", "Οδοντόκρεμα", "Toothpaste", "hygiene", "piece", 100),
    ("jacket_child", "Μπουφάν παιδικό", "Child's jacket", "clothing", "piece", None),
    ("puzzle", "Παζλ 100 κομματιών", "Puzzle, 100 pieces", "toy", "piece", None),
]

DONORS = [
    ("supermarket", "Σκλαβενίτης — κατάστημα Πατησίων", "094259216"),
    ("parish", "Ιερός Ναός Αγίου Παντελεήμονος Αχαρνών", None),
    ("business", "Αρτοποιία Παπαδόπουλος Ο.Ε.", "123456783"),
    ("individual", "Μαρία Κωνσταντίνου", None),
    ("ngo", "Σύλλογος Εθελοντών Γειτονιάς", None),
]


@dataclass(frozen=True)
class DemoActor:
    tenant: TenantRef
    user_id: UUID | None = None
    request_id: str = "demo"
    client: str = "demo"

    def has(self, permission: str) -> bool:
        return True


def _stable_order(person: dict[str, Any]) -> tuple[str, ...]:
    """The same order on every run of the demo (ids are random, timestamps shared)."""
    return (
        person.get("last_name") or "",
        person.get("first_name") or "",
        str(person.get("birth_date") or ""),
        person.get("amka") or "",
        person.get("afm") or "",
    )


async def load_demo(tenant: TenantRef, seed: int, today: date | None = None) -> int:
    rng = random.Random(f"food_bank:{tenant.slug}:{seed}")
    actor = DemoActor(tenant)
    today = today or services.today_for(actor)
    items = {}
    for code, el, en, category, unit, grams in ITEMS:
        out = await services.create_item(
            actor,
            ItemCreate(
                code=code,
                name_el=el,
                name_en=en,
                category=cast(Any, category),
                unit=cast(Any, unit),
                weight_grams=grams,
                size="116" if code == "jacket_child" else "",
                age_min=6 if code == "puzzle" else None,
                age_max=12 if code == "puzzle" else None,
            ),
        )
        items[code] = out["id"]
    donors = [
        (await services.create_donor(actor, DonorCreate(kind=cast(Any, kind), name=name, afm=afm)))[
            "id"
        ]
        for kind, name, afm in DONORS
    ]
    created = 0
    # TEBA deliveries (dated, best before), kept apart by their funding source.
    for code in ("rice", "pasta", "lentils", "beans", "rusks", "sugar", "olive_oil"):
        await services.receive_lot(
            actor,
            LotCreate(
                item_id=items[code],
                quantity=Decimal(rng.randint(150, 300)),
                date_kind="best_before",
                expiry=today + timedelta(days=rng.randint(60, 400)),
                lot_code=f"ΤΕΒΑ-{today.year}-{rng.randint(100, 999)}",
                funding_source="teba",
                warehouse="main",
                received_on=today - timedelta(days=rng.randint(10, 40)),
            ),
        )
        created += 1
    await services.receive_lot(
        actor,
        LotCreate(
            item_id=items["snack_pack"],
            quantity=Decimal(600),
            date_kind="best_before",
            expiry=today + timedelta(days=120),
            lot_code="ΔΗΜ-ΣΝΑΚ",
            funding_source="municipal",
            warehouse="main",
        ),
    )
    for index in range(8):
        chosen = rng.sample(list(items), 3)
        lots = []
        for code in chosen:
            unit = next(i[4] for i in ITEMS if i[0] == code)
            qty = Decimal(rng.randint(5, 60)) if unit != "kg" else Decimal("12.5")
            kind = (
                "use_by"
                if code == "feta"
                else (
                    "none"
                    if code in ("jacket_child", "puzzle", "soap", "toothpaste")
                    else "best_before"
                )
            )
            lots.append(
                DonationLotIn(
                    item_id=items[code],
                    quantity=qty,
                    date_kind=cast(Any, kind),
                    expiry=None if kind == "none" else today + timedelta(days=rng.randint(3, 200)),
                    lot_code=f"L{rng.randint(10000, 99999)}",
                    storage="chilled" if code == "feta" else "ambient",
                    condition="new" if code in ("jacket_child", "puzzle") else "",
                )
            )
        await services.create_donation(
            actor,
            DonationCreate(
                donor_id=donors[index % len(donors)],
                received_on=today - timedelta(days=rng.randint(0, 60)),
                warehouse="main",
                lots=lots,
            ),
        )
        created += 1
    everyone = [await get_person(person_id) for person_id in await active_person_ids(10_000)]
    everyone.sort(key=_stable_order)
    eligible: list[UUID] = []
    for person in everyone[:40]:
        person_id = person["id"]
        if "min_income" in person.get("categories", []) or rng.random() < 0.3:
            decision = await services.check_eligibility(
                actor, EligibilityCreate(person_id=person_id, annual_income=Decimal(4200))
            )
            if decision["eligible"]:
                eligible.append(person_id)
            created += 1
    await services.create_distribution_day(
        actor,
        DistributionDayCreate(
            day=today + timedelta(days=(3 - today.weekday()) % 7 or 7),
            title="Διανομή ΤΕΒΑ",
            warehouse="main",
        ),
    )
    seen: set[Any] = set()
    for person_id in eligible[:10]:
        entitlement = await services.entitlement(actor, person_id)
        if not entitlement["eligible_now"] or entitlement["household_key"] in seen:
            continue
        seen.add(entitlement["household_key"])
        # A failed pickup would leave half its writes in the loader's transaction: only try
        # when the stock covers the whole basket.
        if not entitlement["basket"] or any(
            line["available"] < line["quantity"] for line in entitlement["basket"]
        ):
            continue
        await services.create_pickup(actor, PickupCreate(person_id=person_id))
        created += 1
        if entitlement["schoolchildren"]:
            await services.deliver_snacks(
                actor,
                SnackDeliveryCreate(
                    person_id=person_id, delivered_via="school", school_name="1ο Δημοτικό Σχολείο"
                ),
            )
    return created
