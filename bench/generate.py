"""A synthetic consortium at scale: uneven municipalities, people, households, staff, three
years of appointments and food-bank pickups, written through the bulk path the CSV import uses.

Everything goes through the same tables and the same isolation as the application: tenants
are onboarded with `tenants.services.create_tenant`, and each tenant's rows are written by
`tenants.maintenance.for_each_tenant` (tenant context + a transaction with `app.tenant_id` set,
so PostgreSQL's row-level security checks every row) using `core.beneficiaries.bulk.bulk_insert`
(`INSERT ... SELECT FROM unnest(...)` on PostgreSQL, `executemany` on SQLite, one transaction
per tenant). COPY is not used: PostgreSQL refuses `COPY FROM` into a table with row-level
security for a role subject to it, and the app role is (by design) not exempt.

Deterministic for a given seed. Search keys are computed by the application's own functions
(`core.beneficiaries.search`), cached per name since names repeat.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from core import db
from core.beneficiaries import identifiers
from core.beneficiaries import search as search_keys
from core.beneficiaries.bulk import bulk_insert
from core.beneficiaries.demo import _family_names
from core.beneficiaries.tables import (
    Beneficiary,
    BeneficiaryCategory,
    BeneficiarySearchToken,
    Household,
    HouseholdMember,
)
from core.scheduling.tables import Appointment, AppointmentParticipant
from core.staff.tables import StaffMember
from core.text.greek import elot743

ATHENS = ZoneInfo("Europe/Athens")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
SLOT_MINUTES = 30
SLOTS_PER_DAY = 14  # 08:00-15:00 local, half-hour slots
YEARS = 3
FUTURE_DAYS = 28
BENCH_USER = "bench"
BENCH_PASSWORD = "bench-password"
BENCH_ROLES = ["tenant_admin", "social_worker"]
MODULE_SETS = (
    ("family_center",),
    ("food_bank",),
    ("roma_branch",),
    ("help_at_home",),
    ("family_center", "food_bank"),
    (),
)
ALL_MODULES = ("help_at_home", "family_center", "roma_branch", "food_bank")
SERVICES = ("core.intake", "core.counselling", "core.home_visit", "core.social_report")
CATEGORIES = ("min_income", "unemployed", "elderly_alone", "single_parent", "large_family")
TOWNS = ("Αθήνα", "Θεσσαλονίκη", "Πάτρα", "Ηράκλειο", "Λάρισα", "Βόλος", "Ιωάννινα", "Χίος")
STREETS = ("Ερμού", "Αθηνάς", "Πατησίων", "Σταδίου", "Αιόλου", "Κηφισίας", "Εγνατίας")


@dataclass(frozen=True)
class TenantPlan:
    slug: str
    name: str
    beneficiaries: int
    appointments: int
    staff: int
    modules: tuple[str, ...]


@dataclass
class SeedReport:
    tenants: int = 0
    beneficiaries: int = 0
    households: int = 0
    staff: int = 0
    appointments: int = 0
    participants: int = 0
    pickups: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


MIN_PEOPLE = 20  # the smallest municipality of a plan


def fit_tenants(tenants: int, beneficiaries: int, min_people: int = MIN_PEOPLE) -> int:
    """The largest tenant count <= `tenants` whose Zipf shape (see `plan_consortium`) gives
    even the smallest tenant `min_people` people of its own share.

    At 10 k people 330 tenants cannot keep that shape: the tail would be floored at the
    minimum (or, below 20 people a tenant on average, be impossible), so the scale would not
    compare with 100 k and 1 M. The caller says in its output when it seeds fewer tenants."""
    fitted = max(1, tenants)
    while fitted > 1:
        harmonic = sum(1.0 / (rank + 1) for rank in range(fitted))
        if beneficiaries / (fitted * harmonic) >= min_people:
            break
        fitted -= 1
    return fitted


def plan_consortium(
    tenants: int, beneficiaries: int, appointments: int, *, seed: int = 11, prefix: str = "b"
) -> list[TenantPlan]:
    """Uneven sizes: Zipf-like (s = 1), so the largest municipality holds ~15 % of the people
    with 330 tenants and most are small; every tenant has at least a few people."""
    if tenants < 1:
        raise ValueError("tenants must be >= 1")
    rng = random.Random(seed)
    weights = [1.0 / (rank + 1) for rank in range(tenants)]
    total = sum(weights)
    floor = min(20, max(1, beneficiaries // tenants))
    sizes = [max(floor, int(beneficiaries * w / total)) for w in weights]
    sizes[0] += beneficiaries - sum(sizes)  # exact total (the largest absorbs rounding)
    if sizes[0] < floor:
        raise ValueError("too few beneficiaries for this many tenants")
    appts = [int(appointments * s / beneficiaries) for s in sizes]
    appts[0] += appointments - sum(appts)
    days = len(working_days(date.today()))
    plans = []
    for rank, (size, count) in enumerate(zip(sizes, appts, strict=True)):
        staff = max(2, size // 1500, math.ceil(count / (days * SLOTS_PER_DAY * 0.8)))
        staff = min(staff, size)
        modules = ALL_MODULES if rank < 3 else MODULE_SETS[rng.randrange(len(MODULE_SETS))]
        plans.append(
            TenantPlan(
                slug=f"{prefix}{rank:03d}",
                name=f"Δήμος Δοκιμής {rank + 1}",
                beneficiaries=size,
                appointments=count,
                staff=staff,
                modules=tuple(modules),
            )
        )
    return plans


@lru_cache(maxsize=4)
def working_days(today: date) -> tuple[date, ...]:
    """Monday to Friday over the last three years and the next four weeks, without Greek
    public holidays and half-days (Orthodox Easter and the days that move with it included:
    the calendar the booking rules use)."""
    from core.scheduling.days import national_days

    start = today - timedelta(days=365 * YEARS)
    end = today + timedelta(days=FUTURE_DAYS)
    closed = {d.day for year in range(start.year, end.year + 1) for d in national_days(year)}
    out = []
    day = start
    while day <= end:
        if day.weekday() < 5 and day not in closed:
            out.append(day)
        day += timedelta(days=1)
    return tuple(out)


@cache
def _name_keys(first: str, last: str) -> tuple[dict[str, str], frozenset[str]]:
    """Search keys and name tokens of one name (names repeat: computed once each)."""
    person = {
        "first_name": first,
        "last_name": last,
        "latin_first_name": elot743(first),
        "latin_last_name": elot743(last),
    }
    keys = {
        "sort_key": search_keys.sort_key(person),
        "name_key": search_keys.name_key(person),
        "latin_key": search_keys.latin_key(person),
    }
    return keys | {
        "latin_first_name": person["latin_first_name"],
        "latin_last_name": person["latin_last_name"],
    }, frozenset(search_keys.person_tokens(person))


@lru_cache(maxsize=1)
def _names() -> tuple[list[str], list[str], list[tuple[str, str]]]:
    from faker.providers.person.el_GR import Provider

    male = sorted(set(Provider.first_names_male))
    female = sorted(set(Provider.first_names_female))
    return male, female, _family_names()


def make_people(rng: random.Random, count: int, today: date) -> list[dict[str, Any]]:
    """`count` people of one tenant: proper Greek name forms, valid AMKA (unique per tenant,
    matching birth date and sex), AFM, phone, address, categories."""
    male, female, families = _names()
    now = datetime.now(UTC)
    per_birth_date: dict[date, int] = {}
    people = []
    for _ in range(count):
        sex = "male" if rng.random() < 0.48 else "female"
        surname_m, surname_f = families[rng.randrange(len(families))]
        first = (
            male[rng.randrange(len(male))] if sex == "male" else female[rng.randrange(len(female))]
        )
        last = surname_m if sex == "male" else surname_f
        birth = today - timedelta(days=rng.randrange(18 * 365, 95 * 365))
        n = per_birth_date.get(birth, 0)
        per_birth_date[birth] = n + 1
        amka = identifiers.make_amka(birth, n * 2 + (1 if sex == "male" else 0), sex)
        afm = identifiers.make_afm(rng.randrange(10_000_000, 99_999_999))
        phone = f"+30697{rng.randrange(10**7):07d}"
        keys, tokens = _name_keys(first, last)
        person: dict[str, Any] = {
            "id": uuid4(),
            "first_name": first,
            "last_name": last,
            "birth_date": birth,
            "sex": sex,
            "amka": amka,
            "afm": afm,
            "phone": phone,
            "address_street": STREETS[rng.randrange(len(STREETS))],
            "address_number": str(rng.randrange(1, 200)),
            "address_city": TOWNS[rng.randrange(len(TOWNS))],
            "address_postcode": f"{rng.randrange(10000, 85000)}",
            "categories": [CATEGORIES[rng.randrange(len(CATEGORIES))]]
            if rng.random() < 0.6
            else [],
            "status": "active",
            "created_at": now - timedelta(days=rng.randrange(0, 365 * YEARS)),
            "updated_at": now,
            **keys,
        }
        person["search_key"] = " ".join(
            p for p in (keys["name_key"], keys["latin_key"], amka, afm, phone[3:]) if p
        )
        person["_tokens"] = tokens | {amka, afm, identifiers.national_phone_digits(phone)}
        people.append(person)
    return people


def _households(
    rng: random.Random, people: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Group people into households of 1 to 4 at the first member's address."""
    now = datetime.now(UTC)
    households: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    i = 0
    while i < len(people):
        size = min(len(people) - i, rng.choice((1, 1, 2, 2, 3, 4)))
        head = people[i]
        hid = uuid4()
        households.append(
            {
                "id": hid,
                "name": f"Οικογένεια {head['last_name']}",
                "address_street": head["address_street"],
                "address_number": head["address_number"],
                "address_city": head["address_city"],
                "address_postcode": head["address_postcode"],
                "created_at": now,
                "updated_at": now,
            }
        )
        for j, person in enumerate(people[i : i + size]):
            person["household_id"] = hid
            members.append(
                {
                    "id": uuid4(),
                    "household_id": hid,
                    "beneficiary_id": person["id"],
                    "relation": "head" if j == 0 else "other",
                    "created_at": now,
                }
            )
        i += size
    return households, members


def _staff(rng: random.Random, count: int) -> list[dict[str, Any]]:
    _male, female, families = _names()
    now = datetime.now(UTC)
    hours = {d: [["08:00", "15:00"]] for d in WEEKDAYS}
    return [
        {
            "id": uuid4(),
            "display_name": f"{female[rng.randrange(len(female))]} "
            f"{families[rng.randrange(len(families))][1]}",
            "profession": "social_worker",
            "working_hours": hours,
            "active": True,
            "created_at": now,
            "updated_at": now,
        }
        for _ in range(count)
    ]


@lru_cache(maxsize=4)
def _slot_starts(today: date) -> tuple[datetime, ...]:
    """UTC start of every half-hour slot, day by day, 08:00-15:00 Athens time."""
    out = []
    for day in working_days(today):
        base = datetime(day.year, day.month, day.day, 8, 0, tzinfo=ATHENS)
        for s in range(SLOTS_PER_DAY):
            out.append((base + timedelta(minutes=SLOT_MINUTES * s)).astimezone(UTC))
    return tuple(out)


def appointment_rows(
    rng: random.Random,
    count: int,
    staff_ids: list[UUID],
    person_ids: list[UUID],
    today: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`count` appointments spread evenly over the calendar, conflict-free by construction:
    at time slot T staff s sees person (T * S + s) mod P, distinct for distinct s (S <= P)."""
    slots = _slot_starts(today)
    n_staff, n_people = len(staff_ids), len(person_ids)
    if n_staff > n_people:
        raise ValueError("more staff than people: conflicts could not be avoided")
    capacity = len(slots) * n_staff
    count = min(count, capacity)
    now = datetime.now(UTC)
    appts: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    step = capacity / count if count else 1.0
    length = timedelta(minutes=SLOT_MINUTES)
    for i in range(count):
        k = int(i * step)
        t, s = divmod(k, n_staff)
        start = slots[t]
        end = start + length
        if start > now:
            status = "scheduled"
        else:
            r = rng.random()
            status = "completed" if r < 0.88 else "no_show" if r < 0.94 else "cancelled"
        active = status != "cancelled"
        aid = uuid4()
        appts.append(
            {
                "id": aid,
                "service": SERVICES[k % len(SERVICES)],
                "mode": "in_person",
                "start_at": start,
                "end_at": end,
                "status": status,
                "created_at": start - timedelta(days=7),
                "updated_at": start,
            }
        )
        person = person_ids[(t * n_staff + s) % n_people]
        for kind, pid in (("staff", staff_ids[s]), ("beneficiary", person)):
            parts.append(
                {
                    "id": uuid4(),
                    "appointment_id": aid,
                    "kind": kind,
                    "person_id": pid,
                    "start_at": start,
                    "end_at": end,
                    "active": active,
                }
            )
    return appts, parts


def pickup_rows(
    rng: random.Random, people: list[dict[str, Any]], today: date
) -> list[dict[str, Any]]:
    """Monthly food-bank pickups over the last year for about 5 % of the people."""
    now = datetime.now(UTC)
    rows = []
    for person in people:
        if rng.random() >= 0.05:
            continue
        for m in range(12):
            day = (today.replace(day=1) - timedelta(days=30 * m)).replace(day=10)
            rows.append(
                {
                    "id": uuid4(),
                    "person_id": person["id"],
                    "household_key": person.get("household_id") or person["id"],
                    "channel": "distribution",
                    "day": day,
                    "household_size": 1 + rng.randrange(4),
                    "total_grams": 1000 * (5 + rng.randrange(15)),
                    "created_at": now,
                }
            )
    return rows


async def seed_tenant_rows(plan: TenantPlan, seed: int, report: SeedReport) -> None:
    """One tenant's rows, inside the caller's tenant context and transaction."""
    from plugins.food_bank.tables import Pickup  # the harness may name modules; core may not

    rng = random.Random(f"{seed}:{plan.slug}")
    today = date.today()
    people = make_people(rng, plan.beneficiaries, today)
    households, members = _households(rng, people)
    tokens = [
        {"id": uuid4(), "beneficiary_id": p["id"], "token": tok}
        for p in people
        for tok in sorted(p.pop("_tokens"))
    ]
    categories = [
        {"id": uuid4(), "beneficiary_id": p["id"], "code": c}
        for p in people
        for c in p["categories"]
    ]
    staff = _staff(rng, plan.staff)
    appts, parts = appointment_rows(
        rng, plan.appointments, [s["id"] for s in staff], [p["id"] for p in people], today
    )
    await bulk_insert(Household, households)
    await bulk_insert(Beneficiary, people)
    await bulk_insert(HouseholdMember, members)
    await bulk_insert(BeneficiarySearchToken, tokens)
    await bulk_insert(BeneficiaryCategory, categories)
    await bulk_insert(StaffMember, staff)
    await bulk_insert(Appointment, appts)
    await bulk_insert(AppointmentParticipant, parts)
    pickups = pickup_rows(rng, people, today) if "food_bank" in plan.modules else []
    await bulk_insert(Pickup, pickups)
    report.beneficiaries += len(people)
    report.households += len(households)
    report.staff += len(staff)
    report.appointments += len(appts)
    report.participants += len(parts)
    report.pickups += len(pickups)


async def seed(
    plans: list[TenantPlan],
    *,
    seed_value: int = 11,
    progress: Callable[[str], None] = lambda _m: None,
    admin_url: str = "",
) -> SeedReport:
    """Onboard the tenants, give the bench user a membership in each, then fill them.

    With `admin_url` (the PostgreSQL superuser of a benchmark cluster) the rows go through
    `bench.fastseed` (COPY, indexes built after the load); without it, through the
    application's bulk path tenant by tenant (also the SQLite path).
    """
    from core.auth.accounts import create_user
    from core.auth.tables import User
    from tenants.maintenance import for_each_tenant
    from tenants.schemas import TenantCreate
    from tenants.services import add_membership, create_tenant
    from tenants.tables import Tenant

    report = SeedReport(tenants=len(plans))
    t0 = time.perf_counter()
    row = await User.select(User.id).where(User.username == BENCH_USER).first()
    user_id = row["id"] if row else await create_user(BENCH_USER, BENCH_PASSWORD)
    for plan in plans:
        await create_tenant(
            TenantCreate(
                slug=plan.slug,
                name=plan.name,
                name_en=f"Test municipality {plan.slug}",
                modules=list(plan.modules),
            )
        )
        async with db.transaction():
            await add_membership(plan.slug, user_id, BENCH_ROLES)  # type: ignore[arg-type]
    report.seconds["tenants"] = time.perf_counter() - t0
    progress(f"{len(plans)} tenants onboarded: {report.seconds['tenants']:.0f}s")
    by_slug = {p.slug: p for p in plans}
    t1 = time.perf_counter()
    if admin_url and db.is_postgres():
        from bench.fastseed import load

        rows = await Tenant.select(Tenant.id, Tenant.slug).where(Tenant.slug.is_in(list(by_slug)))
        ids = {r["slug"]: r["id"] for r in rows}
        await load(admin_url, plans, ids, seed_value, report, progress)
    else:
        done = [0]

        async def fill(tenant: Any) -> None:
            await seed_tenant_rows(by_slug[tenant.slug], seed_value, report)
            done[0] += 1
            if done[0] % 25 == 0 or done[0] == len(plans):
                progress(
                    f"{done[0]}/{len(plans)} tenants, {report.beneficiaries} people, "
                    f"{report.appointments} appointments, {time.perf_counter() - t1:.0f}s"
                )

        await for_each_tenant("bench_seed", None, fill, slugs=list(by_slug), write=True)
    report.seconds["rows"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    await db.engine().run_ddl("ANALYZE")
    report.seconds["analyze"] = time.perf_counter() - t2
    report.seconds["total"] = time.perf_counter() - t0
    return report
