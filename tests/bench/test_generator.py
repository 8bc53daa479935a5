"""The generator on a tiny scale: uneven sizes, valid identifiers, conflict-free calendars,
rows land in the right tenant only."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bench.generate import appointment_rows, make_people, plan_consortium, seed_tenant_rows
from core.beneficiaries import identifiers


def test_plan_is_uneven_and_exact() -> None:
    plans = plan_consortium(40, 4000, 20000, prefix="p")
    assert sum(p.beneficiaries for p in plans) == 4000
    assert sum(p.appointments for p in plans) == 20000
    sizes = sorted((p.beneficiaries for p in plans), reverse=True)
    assert sizes[0] >= 5 * sizes[len(sizes) // 2]  # a few large, many small
    assert all(p.staff <= p.beneficiaries for p in plans)


def test_people_have_valid_unique_identifiers() -> None:
    import random

    people = make_people(random.Random(1), 3000, date(2025, 1, 1))
    amkas = [p["amka"] for p in people]
    assert len(set(amkas)) == len(amkas)
    for p in people[:300]:
        assert identifiers.amka(p["amka"]) == p["amka"]
        assert identifiers.amka_matches_birth_date(p["amka"], p["birth_date"])
        assert identifiers.afm(p["afm"]) == p["afm"]
        assert p["amka"] in p["_tokens"]


def test_appointments_never_overlap_for_anyone() -> None:
    import random
    from uuid import uuid4

    staff = [uuid4() for _ in range(3)]
    people = [uuid4() for _ in range(7)]
    appts, parts = appointment_rows(random.Random(2), 3000, staff, people, date(2025, 1, 1))
    assert len(appts) == 3000 and len(parts) == 6000
    busy: set[tuple[Any, Any]] = set()
    for part in parts:
        if part["active"]:
            key = (part["person_id"], part["start_at"])
            assert key not in busy
            busy.add(key)


async def test_seeded_rows_belong_to_their_tenant_only(client: Any) -> None:
    from bench.generate import SeedReport, TenantPlan
    from core import db
    from core.beneficiaries.tables import Beneficiary
    from core.scheduling.tables import Appointment
    from core.testing import make_tenant
    from tenants.scoping import tenant_context

    a, b = await make_tenant(["food_bank"]), await make_tenant()
    plan = TenantPlan(a.slug, "x", 60, 300, 2, ("food_bank",))
    report = SeedReport()
    with tenant_context(a.id):
        async with db.transaction():
            await db.set_rls_tenant(a.id)
            await seed_tenant_rows(plan, 5, report)
    assert report.beneficiaries == 60 and report.appointments == 300
    with tenant_context(a.id):
        async with db.transaction(write=False):
            await db.set_rls_tenant(a.id)
            assert await Beneficiary.count() == 60
            assert await Appointment.count() == 300
    with tenant_context(b.id):
        async with db.transaction(write=False):
            await db.set_rls_tenant(b.id)
            assert await Beneficiary.count() == 0
            assert await Appointment.count() == 0


def test_no_appointment_on_a_greek_holiday() -> None:
    from bench.generate import working_days
    from core.scheduling.days import orthodox_easter

    days = set(working_days(date(2026, 6, 1)))
    easter = orthodox_easter(2026)
    for closed in (
        date(2025, 12, 25),
        date(2026, 1, 6),
        date(2026, 3, 25),
        easter - timedelta(days=2),  # Good Friday
        easter + timedelta(days=1),  # Easter Monday
        easter - timedelta(days=48),  # Clean Monday
        easter + timedelta(days=50),  # Whit Monday
    ):
        assert closed not in days, closed
    assert date(2026, 2, 24) in days  # the Tuesday after Clean Monday is a working day
