"""Demo data: a few entries for people the core's demo created, reproducible from the seed."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from core.api import active_person_ids, encrypt

from merimna_social_grocery.services import NOTE_PURPOSE
from merimna_social_grocery.tables import Entry

NOTES = ["Ενημέρωση για τα δικαιολογητικά", "Τηλεφωνική υπενθύμιση", ""]


async def load(seed: int) -> None:
    rng = random.Random(seed)
    today = date.today()
    rows = []
    for person_id in await active_person_ids(limit=10):
        for _ in range(rng.randint(1, 3)):
            note = rng.choice(NOTES)
            rows.append(
                Entry(
                    id=uuid4(),
                    person_id=person_id,
                    kind=rng.choice(["visit", "call", "support"]),
                    occurred_on=today - timedelta(days=rng.randint(0, 20)),
                    note=await encrypt(note, NOTE_PURPOSE) if note else "",
                    created_at=datetime.now(UTC),
                )
            )
    if rows:
        await Entry.insert(*rows)
