"""Demo appointments: a few realistic weeks for every demo tenant, deterministic per seed.

Booked through the same services as the API, so every demo appointment is inside opening
hours, on a working day, with a staff member allowed to deliver the service and without
conflicts. Past ones are mostly completed, some no-shows and cancellations. Needs staff and
beneficiaries (the core areas before this one load them); with none, nothing is created.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from core.errors import AppError
from core.refs import TenantRef
from core.scheduling import services
from core.scheduling.schemas import AppointmentCreate, AppointmentUpdate, SeriesCreate

log = logging.getLogger("merimna.scheduling")

CORE_CHOICES = (
    ("core.counselling", "in_person", 5),
    ("core.intake", "in_person", 3),
    ("core.home_visit", "home_visit", 2),
    ("core.phone_call", "phone", 3),
    ("core.social_report", "home_visit", 1),
    ("core.accompaniment", "in_person", 1),
)
CANCEL_REASONS = ("Ασθένεια ωφελούμενου", "Αίτημα ωφελούμενου", "Υπηρεσιακός λόγος")


async def _beneficiaries(limit: int = 80) -> list[UUID]:
    try:
        from core.beneficiaries.tables import Beneficiary
    except ImportError:  # pragma: no cover
        return []
    rows = (
        await Beneficiary.select(Beneficiary.id)
        .where(Beneficiary.status == "active")
        .order_by(Beneficiary.id)
        .limit(limit)
    )
    return [r["id"] for r in rows]


async def load_demo(tenant: TenantRef, seed: int, today: date | None = None) -> int:
    """Book the demo weeks; returns how many appointments were created."""
    staff = await services.staff_ids()
    people = await _beneficiaries()
    if not staff or not people:
        return 0
    actor = await services.system_actor(tenant.slug, request_id="demo")
    rng = random.Random(seed)
    tz = ZoneInfo(actor.tenant.timezone)
    today = today or datetime.now(tz).date()
    monday = today - timedelta(days=today.weekday()) - timedelta(days=7)
    catalogue = services.services_of(actor)
    created = 0
    for staff_id in staff:
        profile = await services.staff_profile(staff_id)
        if profile is None:
            continue
        choices = [
            (code, mode, weight)
            for code, mode, weight in CORE_CHOICES
            if code in catalogue
            and (
                not catalogue[code].professions or profile.roles & set(catalogue[code].professions)
            )
        ]
        if not choices:
            continue
        for offset in range(19):  # three working weeks
            day = monday + timedelta(days=offset)
            if day.weekday() >= 5:
                continue
            for _ in range(rng.randint(1, 3)):
                code, mode, _w = rng.choices(choices, weights=[c[2] for c in choices])[0]
                if await _book_one(actor, rng, tz, day, today, staff_id, people, code, mode):
                    created += 1
    created += await _series(actor, rng, tz, today, staff, people, catalogue)
    return created


async def _book_one(
    actor: Any,
    rng: random.Random,
    tz: ZoneInfo,
    day: date,
    today: date,
    staff_id: UUID,
    people: list[UUID],
    code: str,
    mode: str,
) -> bool:
    person = rng.choice(people)
    start = datetime.combine(day, time(0), tzinfo=tz)
    try:
        slots = await services.free_slots(
            actor,
            service=code,
            staff_id=staff_id,
            start=start,
            end=start + timedelta(days=1),
            limit=12,
            beneficiary_id=person,
            now=start,
        )
    except AppError:
        return False
    if not slots:
        return False
    slot = rng.choice(slots)
    body = AppointmentCreate.model_validate(
        {
            "staff_id": staff_id,
            "beneficiary_id": person,
            "service": code,
            "mode": mode,
            "start": slot["start"],
            "end": slot["end"],
        }
    )
    try:
        appointment = await services.create_appointment(actor, body)
    except AppError as exc:  # a rule refused it after all: skip, a demo needs no heroics
        log.debug("demo booking skipped: %s", exc.code)
        return False
    if day < today:
        roll = rng.random()
        if roll < 0.8:
            update = AppointmentUpdate(status="completed", notes="Πραγματοποιήθηκε.")
        elif roll < 0.9:
            update = AppointmentUpdate(status="no_show")
        else:
            update = AppointmentUpdate(status="cancelled", cancel_reason=rng.choice(CANCEL_REASONS))
        await services.update_appointment(actor, appointment["id"], update)
    elif rng.random() < 0.4:
        await services.update_appointment(
            actor, appointment["id"], AppointmentUpdate(status="confirmed")
        )
    return True


async def _series(
    actor: Any,
    rng: random.Random,
    tz: ZoneInfo,
    today: date,
    staff: list[UUID],
    people: list[UUID],
    catalogue: dict[str, Any],
) -> int:
    """One weekly counselling series for a counsellor, from next week, six sessions."""
    spec = catalogue.get("core.counselling")
    if spec is None:
        return 0
    for staff_id in staff:
        profile = await services.staff_profile(staff_id)
        if profile is None or not profile.roles & set(spec.professions):
            continue
        next_monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        day = next_monday + timedelta(days=rng.randint(0, 4))
        start = datetime.combine(day, time(12, 0), tzinfo=tz).astimezone(UTC)
        body = SeriesCreate(
            staff_id=staff_id,
            beneficiary_id=rng.choice(people),
            service=spec.code,
            start=start,
            end=start + timedelta(minutes=spec.default_minutes),
            recurrence={"interval": 1, "count": 6},  # type: ignore[arg-type]
        )
        try:
            result = await services.create_series(actor, body)
        except AppError:
            return 0
        return len(result["created"])
    return 0
