"""Demo data: cards and shopping visits for people the core's demo created, reproducible
from the seed."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from core.api import active_person_ids
from dateutil.relativedelta import relativedelta

from merimna_social_grocery import rules
from merimna_social_grocery.settings import Settings
from merimna_social_grocery.tables import Card, Entry

KINDS = ["food", "food", "hygiene", "clothing", "toys_books"]


async def load(seed: int) -> None:
    rng = random.Random(seed)
    settings = Settings()
    today = date.today()
    cards, visits = [], []
    for person_id in await active_person_ids(limit=12):
        adults, children = rng.randint(1, 3), rng.randint(0, 3)
        income = rng.randrange(2000, 12000, 100)
        facts = rules.Facts(True, income, children, rng.choice([0, 0, 0, 80]))
        decision = rules.eligibility(facts, settings)
        start = today - timedelta(days=rng.randint(10, 60))
        points = rules.monthly_points(adults, children, settings) if decision.allowed else 0
        cards.append(
            Card(
                id=uuid4(),
                person_id=person_id,
                persons_14_plus=adults,
                children_under_14=children,
                dependants=children,
                annual_income=income,
                disability_percent=facts.disability_percent,
                status="approved" if decision.allowed else "rejected",
                reasons=",".join(decision.reasons),
                points_per_month=points,
                valid_from=start,
                valid_until=start + relativedelta(months=settings.card_months, days=-1)
                if decision.allowed
                else None,
                created_at=datetime.now(UTC),
            )
        )
        if decision.allowed:
            visits.append(
                Entry(
                    id=uuid4(),
                    person_id=person_id,
                    kind=rng.choice(KINDS),
                    occurred_on=today - timedelta(days=rng.randint(0, 9)),
                    points=rng.randint(1, max(1, points // 2)),
                    note="",
                    created_at=datetime.now(UTC),
                )
            )
    if cards:
        await Card.insert(*cards)
    if visits:
        await Entry.insert(*visits)
