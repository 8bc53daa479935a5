"""Demo data of Help at Home: a unit's caseload, deterministic per seed.

Takes older people from the registry (the core areas load them first), receives their
applications, assesses them on Katz, Lawton and Barthel, and gives the most dependent a care
plan whose visits are booked through the core calendar exactly as the API does (holidays,
working hours and conflicts are respected, skipped occurrences are simply not booked). Today's
visits that have already ended are checked in and out, so the roster shows a day in progress.
Everything goes through `services`, with the system actor of the tenant.
"""

from __future__ import annotations

import logging
import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from core.api import AppError, TenantRef, active_person_ids, get_person, list_staff, system_actor
from plugins.help_at_home import rules, services
from plugins.help_at_home.schemas import (
    ApplicationForm,
    BarthelForm,
    CarePlanForm,
    CheckInForm,
    CheckOutForm,
    KatzForm,
    LawtonForm,
)

log = logging.getLogger("merimna.help_at_home")

CONDITIONS = (
    "Σακχαρώδης διαβήτης τύπου 2, υπέρταση.",
    "Οστεοαρθρίτιδα γονάτων, χρήση περιπατητήρα.",
    "Καρδιακή ανεπάρκεια, οίδημα κάτω άκρων.",
    "Ήπια νοητική διαταραχή, ξεχνά τα φάρμακα.",
    "Μετά από κάταγμα ισχίου, περιορισμένη κινητικότητα.",
    "ΧΑΠ, χρειάζεται οξυγόνο τη νύχτα.",
)
GOALS = (
    "Ασφαλής παραμονή στο σπίτι",
    "Τακτική λήψη φαρμάκων",
    "Καθαριότητα και υγιεινή του χώρου",
    "Κοινωνική επαφή και στήριξη",
    "Πρόληψη πτώσεων",
)
HOME_HELP_TASKS = (
    "Καθαριότητα κουζίνας και μπάνιου",
    "Ψώνια από το σούπερ μάρκετ",
    "Πλύσιμο ρούχων",
)
NURSING_TASKS = ("Μέτρηση πίεσης και σακχάρου", "Έλεγχος φαρμάκων της εβδομάδας")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
# Start times of the day's visits per kind of worker (within their working hours).
SLOTS = {"home_help": ("08:00", "09:45", "11:30"), "nursing_visit": ("08:30", "10:00", "11:30")}
MINUTES = {"home_help": 90, "nursing_visit": 45}


def _age(person: dict[str, Any], today: date) -> int | None:
    birth = person.get("birth_date")
    if isinstance(birth, str):
        birth = date.fromisoformat(birth)
    return rules.age_on(birth, today) if isinstance(birth, date) else None


def _katz(rng: random.Random, frail: float) -> dict[str, int]:
    return {item: 0 if rng.random() < frail else 1 for item in rules.KATZ_ITEMS}


def _lawton(rng: random.Random, frail: float) -> dict[str, int]:
    out = {}
    for item, last in rules.LAWTON_OPTIONS.items():
        out[item] = rng.randint(2, last) if rng.random() < frail else 1
    return out


def _barthel(rng: random.Random, frail: float) -> dict[str, int]:
    out = {}
    for item, values in rules.BARTHEL_VALUES.items():
        out[item] = rng.choice(values[:-1]) if rng.random() < frail else values[-1]
    return out


async def _staff(profession: str) -> list[UUID]:
    items, _ = await list_staff(active=True, profession=profession, limit=50)
    return [UUID(str(s["id"])) for s in items]


async def load_demo(tenant: TenantRef, seed: int, today: date | None = None) -> int:
    """Load the caseload; returns how many visits were booked."""
    helpers = await _staff("home_helper")
    nurses = await _staff("nurse")
    if not helpers or not nurses:
        return 0
    actor = await system_actor(tenant.slug, request_id="demo")
    tz = ZoneInfo(actor.tenant.timezone or "Europe/Athens")
    now = datetime.now(UTC)
    today = today or now.astimezone(tz).date()
    rng = random.Random(seed * 7919 + 5)
    older = []
    for person_id in await active_person_ids(200):
        person = await get_person(person_id)
        age = _age(person, today)
        if age is not None and age >= 65:
            older.append(person_id)
    if not older:
        return 0
    older = older[:14]
    next_slot: dict[tuple[UUID, str], int] = {}
    booked = 0
    for index, person_id in enumerate(older):
        frail = 0.15 + 0.55 * rng.random()
        lives_alone = rng.random() < 0.55
        received = today - timedelta(days=rng.randint(20, 120))
        assessed = received + timedelta(days=rng.randint(3, 12))
        for scale, form_model, items in (
            ("katz", KatzForm, _katz(rng, frail)),
            ("lawton", LawtonForm, _lawton(rng, frail)),
            ("barthel", BarthelForm, _barthel(rng, frail)),
        ):
            form = form_model.model_validate(
                {"person_id": person_id, "assessed_on": assessed, "items": items}
            )
            await services.create_assessment(actor, scale, form)
        application = await services.create_application(
            actor,
            ApplicationForm(
                person_id=person_id,
                received_on=received,
                referral_source=rng.choice(("self", "family", "hospital", "social_service")),
                living_situation="alone"
                if lives_alone
                else rng.choice(("with_spouse", "with_family")),
                family_support=rng.choice(("none", "partial", "partial", "full")),
                annual_income=Decimal(rng.randrange(4200, 14000, 100)),
                mobility_problems=frail > 0.4,
                health_conditions=rng.choice(CONDITIONS),
                doctor_name=rng.choice(("Δρ. Νικολάου", "Δρ. Παπαδάκη", "Κέντρο Υγείας")),
                emergency_contact_name=rng.choice(
                    ("Μαρία (κόρη)", "Γιώργος (γιος)", "Ελένη (ανιψιά)")
                ),
                emergency_contact_phone=f"69{rng.randint(10_000_000, 99_999_999)}",
                emergency_contact_relation="συγγενής",
            ),
        )
        if index >= 9 or application["decision"] != "eligible":
            continue  # the rest wait on the list
        start = today - timedelta(days=rng.randint(7, 40))
        helper = helpers[index % len(helpers)]
        nurse = nurses[index % len(nurses)]
        services_ = []
        for service, staff_id, count, tasks in (
            ("home_help", helper, 2, HOME_HELP_TASKS),
            ("nursing_visit", nurse, 1, NURSING_TASKS),
        ):
            days: list[str] = []
            time = "08:00"
            # Today's weekday first (when a working day), so the roster shows a live day.
            order = sorted(
                WEEKDAYS,
                key=lambda d: (WEEKDAYS.index(d) != today.weekday(), rng.random()),
            )
            for day in order:
                slot = next_slot.get((staff_id, day), 0)
                if slot < len(SLOTS[service]) and len(days) < count:
                    days.append(day)
                    time = SLOTS[service][slot]
                    next_slot[(staff_id, day)] = slot + 1
            if len(days) < count:
                continue
            services_.append(
                {
                    "service": service,
                    "staff_id": staff_id,
                    "frequency_per_week": count,
                    "weekdays": sorted(days, key=WEEKDAYS.index),
                    "start_time": time,
                    "minutes": MINUTES[service],
                    "tasks": list(tasks),
                }
            )
        if not services_:
            continue
        try:
            plan = await services.create_plan(
                actor,
                CarePlanForm.model_validate(
                    {
                        "person_id": person_id,
                        "application_id": application["id"],
                        "goals": rng.sample(GOALS, 2),
                        "services": services_,
                        "start_date": start,
                        "review_date": start + timedelta(days=90),
                    }
                ),
            )
        except AppError as exc:  # e.g. nothing bookable for these weekdays
            log.info("demo care plan not created: %s", exc.code)
            continue
        booked += plan["scheduled"]["created"]
    await _today_in_progress(actor, today, now)
    return booked


async def _today_in_progress(actor: Any, today: date, now: datetime) -> None:
    """Check in and out today's visits that have already ended."""
    visits, _ = await services.list_visits(
        actor,
        staff_id=None,
        person_id=None,
        plan_id=None,
        date_from=today,
        date_to=today,
        status="planned",
        flagged=None,
        limit=200,
        cursor=None,
    )
    for visit in visits:
        if visit["planned_end"] > now:
            continue
        await services.check_in(actor, visit["id"], CheckInForm(at=visit["planned_start"]))
        await services.check_out(
            actor,
            visit["id"],
            CheckOutForm(at=visit["planned_end"], tasks_done=visit["tasks"][:2]),
        )
