"""The `core.appointments` report reads a roll-up kept by triggers (issue 11): after every kind
of write (book, move, status change, cancel, erasure, direct changes of service or staff,
deletes in either order, tenant deletion) it equals the figures computed from the rows
themselves, local months included (appointments in the night of a month's first day fall
in another UTC month)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

from core import db
from tests.core.scheduling.helpers import MONDAY, at, book, in_tenant, make_world

ATHENS = ZoneInfo("Europe/Athens")
PARAMS = {"format": "json", "start": "2027-01-01", "end": "2027-12-31"}


async def expected(tenant_id: UUID) -> dict[tuple[str, str, str, UUID], tuple[int, float]]:
    """The report computed the slow way: every appointment and staff participant."""
    from core.scheduling.tables import Appointment, AppointmentParticipant

    lo = datetime(2027, 1, 1, tzinfo=ATHENS)
    hi = datetime(2028, 1, 1, tzinfo=ATHENS)
    out: dict[tuple[str, str, str, UUID], list[float]] = defaultdict(lambda: [0, 0.0])
    async with in_tenant(tenant_id):
        appts = {r["id"]: r for r in await Appointment.select()}
        parts = await AppointmentParticipant.select().where(AppointmentParticipant.kind == "staff")
    for p in parts:
        a = appts.get(p["appointment_id"])
        if a is None or not (lo <= a["start_at"] < hi):
            continue
        key = (a["start_at"].astimezone(ATHENS).strftime("%Y-%m"), a["service"], a["status"])
        cell = out[(*key, p["person_id"])]
        cell[0] += 1
        cell[1] += (a["end_at"] - a["start_at"]).total_seconds() / 3600
    return {k: (int(v[0]), round(v[1], 2)) for k, v in out.items()}


async def reported(client: Any, world: Any) -> dict[tuple[str, str, str, UUID], tuple[int, float]]:
    response = await client.get(
        f"{world.api}/reports/core.appointments",
        params=PARAMS,
        headers=world.admin.headers | {"Accept-Language": "en"},
    )
    assert response.status_code == 200, response.text
    names = {"Scheduled": "scheduled", "Completed": "completed", "Cancelled": "cancelled"}
    names |= {"Confirmed": "confirmed", "No-show": "no_show"}
    out = {}
    staff_ids = await _staff_names(world)
    for r in response.json()["rows"]:
        key = (r["month"], r["service"], names.get(r["status"], r["status"]), staff_ids[r["staff"]])
        assert key not in out
        out[key] = (r["count"], r["hours"])
    return out


async def _staff_names(world: Any) -> dict[str, UUID]:
    from core.staff.tables import StaffMember

    async with in_tenant(world.tenant.id):
        rows = await StaffMember.select(StaffMember.id, StaffMember.display_name)
    return {r["display_name"] or str(r["id"]): r["id"] for r in rows} | {
        str(r["id"]): r["id"] for r in rows
    }


async def rollup_rows(tenant_id: UUID) -> int:
    async with in_tenant(tenant_id):
        rows = await db.fetch(
            "SELECT count(*) AS n FROM appointment_month_count WHERE tenant_id = {}", tenant_id
        )
    return int(rows[0]["n"])


async def insert_raw(world: Any, start: datetime, minutes: int, staff: list[UUID]) -> UUID:
    """An appointment written directly (as a module or an import might), at any hour."""
    from core.scheduling.tables import Appointment, AppointmentParticipant

    aid = uuid4()
    start = start.astimezone(UTC)
    end = start + timedelta(minutes=minutes)
    now = datetime.now(UTC)
    async with in_tenant(world.tenant.id):
        await Appointment.insert(
            Appointment(
                id=aid,
                service="core.intake",
                mode="phone",
                start_at=start,
                end_at=end,
                status="completed",
                created_at=now,
                updated_at=now,
            )
        )
        await AppointmentParticipant.insert(
            *[
                AppointmentParticipant(
                    appointment_id=aid, kind="staff", person_id=s, start_at=start, end_at=end
                )
                for s in staff
            ],
            AppointmentParticipant(
                appointment_id=aid,
                kind="beneficiary",
                person_id=world.person2,
                start_at=start,
                end_at=end,
            ),
        )
    return aid


async def check(client: Any, world: Any) -> None:
    truth = await expected(world.tenant.id)
    assert await reported(client, world) == truth


async def test_rollup_follows_every_write(client: Any) -> None:
    from core.scheduling.tables import Appointment, AppointmentParticipant

    world = await make_world(client)
    api, h = world.api, world.worker.headers
    one = await book(client, world)
    two = await book(client, world, day=MONDAY + timedelta(days=1), start="09:00", end="09:30")
    three = await book(
        client,
        world,
        day=MONDAY + timedelta(days=2),
        staff_id=str(world.psych),
        start="12:00",
        end="13:00",
    )
    await check(client, world)
    # Across a local month boundary: 1 April 2027 00:30 Athens is 31 March 21:30 UTC.
    night = await insert_raw(
        world, datetime(2027, 4, 1, 0, 30, tzinfo=ATHENS), 45, [world.staff, world.psych]
    )
    # And the first local hour of the year (31 December 2026, 22:15 UTC).
    await insert_raw(world, datetime(2027, 1, 1, 0, 15, tzinfo=ATHENS), 30, [world.staff])
    # Outside the year (31 December 2027, 23:30 Athens is still 2027; 1 January 2028 is not).
    await insert_raw(world, datetime(2027, 12, 31, 23, 30, tzinfo=ATHENS), 30, [world.staff])
    await insert_raw(world, datetime(2028, 1, 1, 0, 30, tzinfo=ATHENS), 30, [world.staff])
    report = await reported(client, world)
    assert report[("2027-04", "core.intake", "completed", world.psych)] == (1, 0.75)
    assert report[("2027-01", "core.intake", "completed", world.staff)] == (1, 0.5)
    assert not any(k[0] == "2028-01" for k in report)
    await check(client, world)

    moved = await client.post(
        f"{api}/appointments/{one['id']}/move",
        json={"start": at(MONDAY + timedelta(days=28), "10:00")},
        headers=h,
    )
    assert moved.status_code == 200, moved.text
    await check(client, world)
    done = await client.patch(
        f"{api}/appointments/{two['id']}", json={"status": "completed"}, headers=h
    )
    assert done.status_code == 200, done.text
    await check(client, world)
    cancelled = await client.post(
        f"{api}/appointments/{three['id']}/cancel", json={"reason": "άκυρο"}, headers=h
    )
    assert cancelled.status_code == 200, cancelled.text
    await check(client, world)

    async with in_tenant(world.tenant.id):
        await Appointment.update({Appointment.service: "core.home_visit"}).where(
            Appointment.id == night
        )
        await AppointmentParticipant.update({AppointmentParticipant.person_id: world.staff}).where(
            (AppointmentParticipant.appointment_id == UUID(three["id"]))
            & (AppointmentParticipant.kind == "staff")
        )
    await check(client, world)
    # Deletes in both orders: participants first, then the appointment first.
    async with in_tenant(world.tenant.id):
        await AppointmentParticipant.delete().where(AppointmentParticipant.appointment_id == night)
        await Appointment.delete().where(Appointment.id == night)
        await Appointment.delete().where(Appointment.id == UUID(two["id"]))
        await AppointmentParticipant.delete().where(
            AppointmentParticipant.appointment_id == UUID(two["id"])
        )
    await check(client, world)

    erased = await client.post(
        f"{api}/beneficiaries/{world.person}/erase",
        json={"accept_retention": True},
        headers=world.admin.headers,
    )
    assert erased.status_code == 200, erased.text
    await check(client, world)
    assert await rollup_rows(world.tenant.id) == len(await expected(world.tenant.id))


async def test_rollup_rows_of_another_tenant_never_count(client: Any) -> None:
    mine, theirs = await make_world(client), await make_world(client)
    await book(client, theirs)
    await book(client, theirs, day=MONDAY + timedelta(days=1))
    await book(client, mine)
    assert sum(c for c, _h in (await reported(client, mine)).values()) == 1
    assert sum(c for c, _h in (await reported(client, theirs)).values()) == 2
    await check(client, mine)


async def test_a_deleted_tenant_leaves_no_rollup_rows(client: Any) -> None:
    from tenants.lifecycle import delete_tenant

    world = await make_world(client)
    await book(client, world)
    assert await rollup_rows(world.tenant.id) == 1
    await delete_tenant(world.tenant.slug)
    assert await rollup_rows(world.tenant.id) == 0


def test_plan_counts_every_instant_once_in_its_local_month() -> None:
    """The UTC-month plan against brute force, in zones ahead of and behind UTC."""
    import random

    from core.scheduling.reports import plan

    for zone in ("Europe/Athens", "America/New_York", "UTC", "Pacific/Kiritimati"):
        tz = ZoneInfo(zone)
        rng = random.Random(zone)
        for _ in range(60):
            first = date(2026, 1, 1) + timedelta(days=rng.randrange(700))
            last = first + timedelta(days=rng.randrange(400))
            lo = datetime(first.year, first.month, first.day, tzinfo=tz).astimezone(UTC)
            end = last + timedelta(days=1)
            hi = datetime(end.year, end.month, end.day, tzinfo=tz).astimezone(UTC)
            months, windows = plan(lo, hi, tz)
            base = datetime(2025, 12, 1, tzinfo=UTC)
            instants = [base + timedelta(minutes=30 * rng.randrange(60_000)) for _ in range(800)]
            truth: dict[str, int] = defaultdict(int)
            got: dict[str, int] = defaultdict(int)
            for i in instants:
                if lo <= i < hi:
                    truth[i.astimezone(tz).strftime("%Y-%m")] += 1
                if i.strftime("%Y-%m") in months:
                    got[i.strftime("%Y-%m")] += 1
                for w in windows:
                    if w.lo <= i < w.hi:
                        got[w.label] += w.sign
            assert {k: v for k, v in got.items() if v} == dict(truth), (zone, first, last)


async def test_one_staff_member_only(client: Any) -> None:
    world = await make_world(client)
    await book(client, world)
    await book(client, world, day=MONDAY + timedelta(days=1), staff_id=str(world.psych))
    await insert_raw(world, datetime(2027, 4, 1, 0, 30, tzinfo=ATHENS), 45, [world.psych])
    truth = await expected(world.tenant.id)
    response = await client.get(
        f"{world.api}/reports/core.appointments",
        params=PARAMS | {"staff_id": str(world.psych)},
        headers=world.admin.headers,
    )
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    mine = {k: v for k, v in truth.items() if k[3] == world.psych}
    assert sum(r["count"] for r in rows) == sum(c for c, _h in mine.values()) == 2
    assert {r["month"] for r in rows} == {"2027-03", "2027-04"}
