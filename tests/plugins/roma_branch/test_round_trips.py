"""Issue 11 for the Roma branch: its routes within six round trips (BEGIN with the tenant,
the audit append with COMMIT, four statements of work), writes answered from what they wrote
(the answer equals a read of the record), lists constant in their size. Not here: booking and
closing an accompaniment, which wrap the core calendar's booking and status change (four
statements of their own) with the module's row.

Counted as `tests/bench/test_round_trips.py` counts: every asyncpg message on PostgreSQL,
every statement on SQLite. Each test lists every route over the budget with its statements.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import pytest

from core.testing import Staff, TenantFixture, make_staff, make_tenant
from tests.bench.test_round_trips import MAX_ROUND_TRIPS, counting
from tests.plugins.roma_branch.helpers import BASE, make_person

SETTINGS = "modules/roma_branch/settings"
ROLES = ["tenant_admin", "social_worker", "roma_mediator", "employment_officer"]


@dataclass
class World:
    tenant: TenantFixture
    other: TenantFixture
    who: Staff
    other_admin: Staff
    parent: UUID
    child: UUID
    staff_id: str = ""
    counts: dict[str, int] = field(default_factory=dict)
    over: list[str] = field(default_factory=list)

    @property
    def api(self) -> str:
        return f"{self.tenant.api}{BASE}"


async def _count(
    client: Any, world: World, method: str, path: str, body: Any = None, *, warm: bool = True
) -> Any:
    """Count one request (after one like it, which warms the caches a running server has warm,
    unless `warm` is false: then a read of the module warms the session and the tenant)."""
    from tenants.resolution import settle

    url = f"{world.api}{path}"
    await settle()
    if warm:
        await client.request(method, url, json=body, headers=world.who.headers)
    else:
        # the session, the tenant and the module's settings, as a running server has them
        await client.get(f"{world.tenant.api}/{SETTINGS}", headers=world.who.headers)
    with counting() as seen:
        r = await client.request(method, url, json=body, headers=world.who.headers)
    assert r.status_code < 300, (method, path, r.status_code, r.text)
    assert seen, "the counter saw no statement"
    world.counts[f"{method} {path}"] = len(seen)
    if len(seen) > MAX_ROUND_TRIPS:
        world.over.append(
            f"{len(seen):3d} {method} {path}" + "".join(f"\n      {s[:110]}" for s in seen)
        )
    return r.json()


async def _read(client: Any, world: World, path: str) -> Any:
    r = await client.get(f"{world.api}{path}", headers=world.who.headers)
    assert r.status_code == 200, (path, r.text)
    return r.json()


def _within(world: World) -> None:
    for key, n in world.counts.items():
        print(f"{n:3d} {key}")
    world.counts.clear()
    over, world.over = world.over, []
    assert not over, "over the budget:\n" + "\n".join(over)


@pytest.fixture(scope="module")
async def world(client: Any) -> World:
    tenant = await make_tenant(["roma_branch"], prefix="rbrt")
    other = await make_tenant(["roma_branch"], prefix="rbrt-o")
    who = await make_staff(tenant, ROLES)
    parent = await make_person(client, tenant, who, first_name="Δέσποινα")
    child = await make_person(client, tenant, who, first_name="Γιάννης", birth_date="2016-09-01")
    household = {
        "name": "Οικογένεια",
        "members": [
            {"beneficiary_id": str(parent), "relation": "head"},
            {"beneficiary_id": str(child), "relation": "child", "school_level": "primary"},
            {"first_name": "Ελπίδα", "birth_date": "2019-01-01", "relation": "child"},
        ],
    }
    r = await client.post(f"{tenant.api}/households", json=household, headers=who.headers)
    assert r.status_code == 201, r.text
    world = World(tenant, other, who, await make_staff(other, ["tenant_admin"]), parent, child)
    r = await client.post(
        f"{tenant.api}/staff",
        json={"profession": "roma_mediator", "user_id": str(who.user_id)},
        headers=who.headers,
    )
    assert r.status_code == 201, r.text
    world.staff_id = r.json()["id"]
    return world


async def test_applications(client: Any, world: World) -> None:
    # Figures left out: the household's composition fills them in (two adults... one).
    body = {"person_id": str(world.parent), "benefit": "min_income", "income_6m": "600.5"}
    app = await _count(client, world, "POST", "/applications", body, warm=False)
    assert (app["adults"], app["minors"], app["single_parent"]) == (1, 2, True)
    assert (
        app["estimate"]["income"]
        == (await _read(client, world, f"/applications/{app['id']}"))["estimate"]["income"]
    )
    assert app == await _read(client, world, f"/applications/{app['id']}")
    url = f"/applications/{app['id']}"
    await _count(client, world, "GET", url)
    patched = await _count(client, world, "PATCH", url, {"deposits": "100", "notes": "Σημείωση"})
    assert patched["deposits"] in ("100", "100.00") and patched["notes"] == "Σημείωση"
    assert patched == await _read(client, world, url)
    item = app["checklist"][0]
    body = {"received": True, "expiry_date": "2099-01-01", "issue_date": "2025-01-01"}
    patched = await _count(client, world, "PATCH", f"{url}/checklist/{item['id']}", body)
    assert patched["checklist"][0]["received"] is True
    assert patched == await _read(client, world, url)
    await _count(client, world, "GET", "/applications")
    # Every figure given: the person only has to exist.
    body = {
        "person_id": str(world.child),
        "benefit": "child",
        "adults": 2,
        "minors": 1,
        "single_parent": False,
    }
    await _count(client, world, "POST", "/applications", body, warm=False)
    _within(world)


async def test_jobs(client: Any, world: World) -> None:
    seeker = {
        "person_id": str(world.parent),
        "education": "isced_1_2",
        "skills": ["Οδήγηση"],
        "experience_years": 3,
        "licences": ["Δίπλωμα Γ"],
        "availability": "full_time",
    }
    seeker = await _count(client, world, "POST", "/job-seekers", seeker, warm=False)
    assert seeker == await _read(client, world, f"/job-seekers/{seeker['id']}")
    patched = await _count(client, world, "PATCH", f"/job-seekers/{seeker['id']}", {"active": True})
    assert patched == await _read(client, world, f"/job-seekers/{seeker['id']}")
    employer = {"name": "Μαστιχοπαραγωγική", "afm": "090000045"}
    employer = await _count(client, world, "POST", "/employers", employer, warm=False)
    assert employer == await _read(client, world, f"/employers/{employer['id']}")
    vacancy = {"employer_id": employer["id"], "title": "Οδηγός", "skills": ["οδηγηση"]}
    vacancy = await _count(client, world, "POST", "/vacancies", vacancy, warm=False)
    assert vacancy == await _read(client, world, f"/vacancies/{vacancy['id']}")
    patched = await _count(
        client, world, "PATCH", f"/vacancies/{vacancy['id']}", {"status": "open"}
    )
    assert patched == await _read(client, world, f"/vacancies/{vacancy['id']}")
    step = {
        "seeker_id": seeker["id"],
        "vacancy_id": vacancy["id"],
        "step": "cv_sent",
        "step_on": "2026-03-01",
        "notes": "Στάλθηκε",
    }
    mediation = await _count(client, world, "POST", "/mediations", step, warm=False)
    assert mediation["notes"] == "Στάλθηκε" and mediation["score"] > 0
    listed = await _read(client, world, f"/mediations?seeker_id={seeker['id']}")
    assert mediation in listed["items"]
    body = {
        "seeker_id": seeker["id"],
        "employer_id": employer["id"],
        "vacancy_id": vacancy["id"],
        "start_date": "2026-01-31",
    }
    placement = await _count(client, world, "POST", "/placements", body, warm=False)
    url = f"/placements/{placement['id']}"
    assert [f["month"] for f in placement["followups"]] == [1, 3, 6]
    assert placement == await _read(client, world, url)
    done = {"done_on": "2026-03-02", "still_employed": False, "notes": "Αποχώρησε"}
    ended = await _count(client, world, "POST", f"{url}/followups/1", done)
    assert ended["status"] == "ended" and ended["followups"][0]["notes"] == "Αποχώρησε"
    assert ended == await _read(client, world, url)
    await _count(client, world, "GET", url)
    await _count(client, world, "GET", "/placements")
    _within(world)


async def test_school_esf_reception(client: Any, world: World) -> None:
    body = {
        "child_id": str(world.child),
        "guardian_id": str(world.parent),
        "school_year": "2025-2026",
        "school": "1ο Δημοτικό Σχολείο",
        "grade": "Δ΄",
        "enrolment_status": "enrolled",
    }
    record = await _count(client, world, "POST", "/school-records", body, warm=False)
    url = f"/school-records/{record['id']}"
    assert record == await _read(client, world, url)
    action = {"on": "2026-02-10", "action": "parent_meeting", "notes": "Με τη μητέρα"}
    record = await _count(client, world, "POST", f"{url}/actions", action)
    assert [a["notes"] for a in record["actions"]] == ["Με τη μητέρα"] * 2
    assert record == await _read(client, world, url)
    patched = await _count(client, world, "PATCH", url, {"absences": 3})
    assert patched["absences"] == 3 and patched == await _read(client, world, url)
    esf = {
        "person_id": str(world.parent),
        "kind": "entry",
        "recorded_on": "2026-01-10",
        "fields": {
            "sex": "female",
            "employment_status": "long_term_unemployed",
            "education": "isced_0_2",
            "disability": "no",
            "third_country_national": "no",
            "foreign_background": "no",
            "minority": "yes",
            "homeless": "declined",
            "rural": "no",
        },
    }
    made = await _count(client, world, "POST", "/esf-records", esf, warm=False)
    assert made == await _read(client, world, f"/esf-records/{made['id']}")
    contact = {
        "person_id": str(world.parent),
        "visited_on": "2026-02-02",
        "request_type": "min_income",
        "outcome": "assisted",
        "notes": "Χρειάζεται βοήθεια",
        "follow_up": "Φέρνει Ε1",
        "follow_up_on": "2026-02-09",
    }
    made = await _count(client, world, "POST", "/reception", contact, warm=False)
    assert made == await _read(client, world, f"/reception/{made['id']}")
    done = await _count(
        client,
        world,
        "POST",
        f"/reception/{made['id']}/follow-up-done",
        {"done_on": "2026-02-05"},
        warm=False,
    )
    assert done == await _read(client, world, f"/reception/{made['id']}")
    _within(world)


async def test_lists_are_constant_in_their_size(client: Any, world: World) -> None:
    paths = ["/school-records", "/placements", "/reception", "/applications", "/mediations"]
    small = {p: await _count(client, world, "GET", f"{p}?limit=1") for p in paths}
    large = {p: await _count(client, world, "GET", f"{p}?limit=50") for p in paths}
    for p in paths:
        assert world.counts[f"GET {p}?limit=1"] == world.counts[f"GET {p}?limit=50"], p
        assert len(small[p]["items"]) <= len(large[p]["items"])
    # Another municipality's user sees none of them.
    r = await client.get(f"{world.other.api}{BASE}/placements", headers=world.other_admin.headers)
    assert r.status_code == 200 and r.json()["items"] == []
    _within(world)


async def test_one_persons_export_is_one_statement(client: Any, world: World) -> None:
    from core import db
    from plugins.roma_branch import services
    from tenants.scoping import tenant_context

    with tenant_context(world.tenant.id):
        async with db.transaction(tenant=world.tenant.id):
            with counting() as seen:
                exported = await services.export_person(world.parent)
    assert len(seen) == 1, seen
    assert exported["applications"] and exported["applications"][0]["checklist"]
    assert exported["placements"] and exported["placements"][0]["followups"]
    assert exported["mediations"] and exported["school"] and exported["esf"]
