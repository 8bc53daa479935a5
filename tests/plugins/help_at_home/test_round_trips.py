"""Issue 11 for Help at Home: a person's summary and a worker's roster within six round trips
(BEGIN with the tenant, the audit append with COMMIT, four statements of work), the roster
constant in its number of visits, and typical writes without a statement per item.

Counted as `tests/bench/test_round_trips.py` counts: every asyncpg message on PostgreSQL,
every statement on SQLite.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from core.testing import Staff
from tests.bench.test_round_trips import MAX_ROUND_TRIPS, counting
from tests.plugins.help_at_home.conftest import Unit, _person, working_day
from tests.plugins.help_at_home.test_api import ATHENS, KATZ_DEPENDENT


async def _count(
    unit: Unit, method: str, path: str, who: Staff, *, warm: bool = True, **kw: Any
) -> tuple[list[str], Any]:
    """Statements of one request, after one like it (or, for a write, after a read of the
    module) has warmed the caches a running server has warm."""
    from tenants.resolution import settle

    await settle()
    url = unit.url(path)
    if warm:
        await unit.http.request(method, url, headers=who.headers, **kw)
    else:
        await unit.http.get(unit.url("/reassessments"), headers=who.headers)
    with counting() as seen:
        response = await unit.http.request(method, url, headers=who.headers, **kw)
    assert response.status_code < 300, (path, response.status_code, response.text)
    assert seen, "the counter saw no statement"
    return seen, response


def _within(seen: list[str], what: str) -> None:
    assert len(seen) <= MAX_ROUND_TRIPS, (what, len(seen), "\n".join(seen))


async def test_a_persons_summary_and_the_writes_behind_it(unit: Unit) -> None:
    person = unit.people[1]
    application = {
        "person_id": person,
        "received_on": "2025-02-01",
        "living_situation": "alone",
        "family_support": "none",
    }
    seen, r = await _count(unit, "POST", "/applications", unit.social, warm=False, json=application)
    _within(seen, "POST applications")
    katz = {"person_id": person, "assessed_on": "2025-01-10", "items": KATZ_DEPENDENT}
    seen, r = await _count(unit, "POST", "/assessments/katz", unit.nurse, warm=False, json=katz)
    _within(seen, "POST assessments/katz")
    fall = {"person_id": person, "kind": "fall", "occurred_on": "2025-02-01"}
    seen, r = await _count(unit, "POST", "/incidents", unit.social, warm=False, json=fall)
    _within(seen, "POST incidents")
    start = working_day(date.today() + timedelta(days=30))
    plan = {
        "person_id": person,
        "goals": ["Ασφάλεια"],
        "services": [
            {"service": service, "staff_id": unit.staff["home_helper"], "frequency_per_week": 1}
            for service in ("home_help", "accompaniment")
        ],
        "start_date": str(start),
        "review_date": str(start + timedelta(days=60)),
        "schedule": False,
    }
    solo = await _person(
        unit.http,
        unit.town,
        unit.admin,
        first_name="Άννα",
        last_name="Μόνη",
        birth_date="1940-05-05",
    )
    one = {**plan, "person_id": solo, "services": plan["services"][:1]}
    single, r = await _count(unit, "POST", "/plans", unit.social, warm=False, json=one)
    assert r.status_code == 201 and len(r.json()["services"]) == 1
    double, r = await _count(unit, "POST", "/plans", unit.social, warm=False, json=plan)
    assert r.status_code == 201 and len(r.json()["services"]) == 2
    # Not a statement per service (the staff member's profile is read once, the services
    # inserted together); the profile itself is the core's `get_staff`.
    assert len(single) == len(double), ("\n".join(single), "\n".join(double))

    seen, r = await _count(unit, "GET", f"/persons/{person}", unit.admin)
    _within(seen, "GET persons/{id}")
    summary = r.json()
    assert [a["person_id"] for a in summary["applications"]] == [person]
    assert summary["latest_assessments"]["katz"]["total"] == 4
    assert len(summary["open_plan"]["services"]) == 2
    due = {d["scale"]: d for d in summary["reassessments"]}
    assert due["katz"]["reason"] == "incident"  # the fall after the assessment
    # Another municipality's person is 404 here, and this person 404 there.
    other = await unit.get(unit.admin, f"/persons/{unit.other_person}")
    assert other.status_code == 404
    there = await unit.get(unit.other_admin, f"/persons/{person}", unit.other)
    assert there.status_code == 404


async def test_the_roster_is_constant_in_its_visits(unit: Unit) -> None:
    day = working_day(date.today() + timedelta(days=40), weekday=3)
    counts = []
    for n, person in enumerate((unit.people[0], unit.people[2], unit.people[3]), start=1):
        plan = {
            "person_id": person,
            "goals": ["Καθαριότητα"],
            "services": [
                {"service": "home_help", "staff_id": unit.staff["home_helper"], "tasks": ["Ψώνια"]}
            ],
            "start_date": str(day - timedelta(days=3)),
            "review_date": str(day + timedelta(days=60)),
            "schedule": False,
        }
        made = await unit.post(unit.social, "/plans", plan)
        assert made.status_code == 201, made.text
        at = datetime.combine(day, datetime.min.time(), tzinfo=ATHENS).replace(hour=8 + 2 * n)
        visit = {
            "service": "home_help",
            "staff_id": unit.staff["home_helper"],
            "start": at.isoformat(),
            "minutes": 60,
        }
        made = await unit.post(unit.social, f"/plans/{made.json()['id']}/visits", visit)
        assert made.status_code == 201, made.text
        mine, r = await _count(unit, "GET", f"/roster?day={day}", unit.helper)
        _within(mine, "GET roster (mine)")
        assert len(r.json()["items"]) == n
        theirs, r = await _count(
            unit, "GET", f"/roster?day={day}&staff_id={unit.staff['home_helper']}", unit.admin
        )
        _within(theirs, "GET roster (a colleague's)")
        assert [v["order"] for v in r.json()["items"]] == list(range(1, n + 1))
        counts.append((len(mine), len(theirs)))
    assert len(set(counts)) == 1, counts
    first = r.json()["items"][0]
    assert first["person_name"] and first["address_text"]
    seen, r = await _count(
        unit,
        "POST",
        f"/visits/{first['id']}/check-in",
        unit.helper,
        warm=False,
        json={"latitude": 37.99, "longitude": 23.73},
    )
    _within(seen, "POST check-in")
    assert r.json()["check_in_position"] == {"latitude": 37.99, "longitude": 23.73}


async def test_one_persons_export_is_one_statement(unit: Unit) -> None:
    from uuid import UUID

    from core import db
    from plugins.help_at_home.services import export_person
    from tenants.scoping import tenant_context

    person = unit.people[1]  # with an application, an assessment, an incident and a plan
    with tenant_context(unit.town.id):
        async with db.transaction(tenant=unit.town.id):
            with counting() as seen:
                exported = await export_person(UUID(person))
    assert len(seen) == 1, seen
    assert len(exported["help_at_home.hah_plan_service"]) == 2
    assert exported["help_at_home.hah_assessment"][0]["items"] == KATZ_DEPENDENT
