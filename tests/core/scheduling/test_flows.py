"""Series with skips, moving and cancelling the rest of a series, free slots, local days,
the calendar feed, the report, the module-facing API (`core.api`) and isolation of every
scheduling route between tenants."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import pairwise
from typing import Any
from uuid import UUID, uuid4

import pytest

from core import api, db
from core.errors import AppError, Conflict, RequestValidationError
from core.scheduling.services import system_actor
from tenants.scoping import tenant_context
from tests.core.scheduling.helpers import MONDAY, at, book, when

# Orthodox Easter 2027 is 2 May, so Clean Monday is 15 March 2027.
CLEAN_MONDAY = date(2027, 3, 15)


async def test_series_skips_holidays_and_conflicts_then_moves_and_cancels(client: Any) -> None:
    from tests.core.scheduling.helpers import make_world

    world = await make_world(client)
    # Someone else already has the social worker on the second Monday at 10:00.
    await book(client, world, day=MONDAY + timedelta(days=7), beneficiary_id=str(world.person2))
    body = {
        "staff_id": str(world.staff),
        "beneficiary_id": str(world.person),
        "service": "core.counselling",
        "start": at(MONDAY, "10:00"),
        "end": at(MONDAY, "10:50"),
        "recurrence": {"weekdays": ["MO"], "count": 5},
    }
    response = await client.post(
        f"{world.api}/appointments/series", json=body, headers=world.worker.headers
    )
    assert response.status_code == 201, response.text
    series = response.json()
    booked = [a["start_local"][:10] for a in series["created"]]
    assert booked == ["2027-03-01", "2027-03-22", "2027-03-29"]
    skipped = {s["start"][:10]: [r["code"] for r in s["reasons"]] for s in series["skipped"]}
    assert skipped == {"2027-03-08": ["conflict"], "2027-03-15": ["holiday"]}
    assert "FREQ=WEEKLY" in series["rrule"] and "COUNT=5" in series["rrule"]

    # Move the rest of the series from the second booked one, one hour later; the first stays.
    second = series["created"][1]
    moved = await client.post(
        f"{world.api}/appointments/{second['id']}/move",
        json={"start": at(date(2027, 3, 22), "11:00"), "scope": "following"},
        headers=world.worker.headers,
    )
    assert moved.status_code == 200, moved.text
    assert [a["start_local"][:16] for a in moved.json()["moved"]] == [
        "2027-03-22T11:00",
        "2027-03-29T11:00",
    ]
    assert moved.json()["skipped"] == []
    listed = await client.get(
        f"{world.api}/appointments",
        params={"series_id": series["series_id"]},
        headers=world.worker.headers,
    )
    assert [a["start_local"][11:16] for a in listed.json()["items"]] == ["10:00", "11:00", "11:00"]

    # Cancel the rest from the second one: the first stays scheduled.
    cancelled = await client.post(
        f"{world.api}/appointments/{second['id']}/cancel",
        json={"reason": "Λήξη παρακολούθησης", "scope": "following"},
        headers=world.worker.headers,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert len(cancelled.json()["cancelled"]) == 2
    listed = await client.get(
        f"{world.api}/appointments",
        params={"series_id": series["series_id"]},
        headers=world.worker.headers,
    )
    assert [a["status"] for a in listed.json()["items"]] == ["scheduled", "cancelled", "cancelled"]

    # A series whose every occurrence is refused stores nothing and says why.
    empty = await client.post(
        f"{world.api}/appointments/series",
        json={
            **body,
            "start": at(CLEAN_MONDAY, "10:00"),
            "end": at(CLEAN_MONDAY, "10:50"),
            "recurrence": {"count": 1},
        },
        headers=world.worker.headers,
    )
    assert empty.status_code == 422 and empty.json()["code"] == "series_empty", empty.text


async def test_free_slots_local_days_calendar_feed_and_report(client: Any) -> None:
    from tests.core.scheduling.helpers import make_world

    world = await make_world(client)
    taken = await book(client, world)  # Monday 10:00-11:00
    slots = await client.get(
        f"{world.api}/availability/slots",
        params={
            "service": "core.counselling",
            "staff_id": str(world.staff),
            "from": at(MONDAY, "08:00"),
            "to": at(MONDAY, "23:00"),
            "limit": 50,
        },
        headers=world.worker.headers,
    )
    assert slots.status_code == 200, slots.text
    items = slots.json()["items"]
    assert items, "a working Monday has free slots"
    starts = [s["start_local"][11:16] for s in items]
    assert "10:00" not in starts and "10:30" not in starts and "09:30" not in starts
    assert "11:00" in starts
    assert all(s["staff_id"] == str(world.staff) for s in items)
    for s in items:  # never overlapping the booked hour
        assert s["end"] <= taken["start"] or s["start"] >= taken["end"]

    # The patron saint's day: closed, refused with `holiday`, and listed with the year.
    patron = MONDAY + timedelta(days=1)
    made = await client.post(
        f"{world.api}/holidays",
        json={"date": patron.isoformat(), "name_el": "Άγιος Πολιούχος", "recurring": True},
        headers=world.admin.headers,
    )
    assert made.status_code == 201, made.text
    refused = await client.post(
        f"{world.api}/appointments",
        json={
            "staff_id": str(world.staff),
            "beneficiary_id": str(world.person),
            "service": "core.counselling",
            "start": at(patron, "10:00"),
        },
        headers=world.worker.headers,
    )
    assert refused.status_code == 422 and refused.json()["code"] == "holiday", refused.text
    year = await client.get(
        f"{world.api}/holidays", params={"year": 2028}, headers=world.worker.headers
    )
    names = {h["date"]: h["name_el"] for h in year.json()["items"]}
    assert names[f"2028-{patron:%m-%d}"] == "Άγιος Πολιούχος"
    assert names["2028-04-17"]  # Orthodox Easter Monday 2028 (Easter is 16 April)

    # The week view shows the appointment and the local day.
    week = await client.get(
        f"{world.api}/calendar/staff/{world.staff}",
        params={"week": MONDAY.isoformat()},
        headers=world.worker.headers,
    )
    assert week.status_code == 200, week.text
    days = week.json()["days"]
    assert [a["id"] for a in days[0]["appointments"]] == [taken["id"]]
    assert days[1]["holiday"]["source"] == "local"

    # The feed: initials only; revocable.
    secret = await client.post(
        f"{world.api}/staff/{world.staff}/ics-secret", headers=world.worker.headers
    )
    assert secret.status_code in (200, 201), secret.text
    url = secret.json()["url"]
    feed = await client.get(url)
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("text/calendar")
    text = feed.text
    assert "BEGIN:VEVENT" in text and "Ε.Π." in text
    assert "Παπαδοπούλου" not in text and "Ελένη" not in text
    revoked = await client.delete(
        f"{world.api}/staff/{world.staff}/ics-secret", headers=world.worker.headers
    )
    assert revoked.status_code == 204
    assert (await client.get(url)).status_code == 404

    report = await client.get(
        f"{world.api}/reports/core.appointments",
        params={"format": "json", "start": "2027-01-01", "end": "2027-12-31"},
        headers=world.admin.headers,
    )
    assert report.status_code == 200, report.text
    rows = report.json()["rows"] if "rows" in report.json() else report.json()["items"]
    assert sum(int(r["count"]) for r in rows) == 1
    assert rows[0]["service"] in ("core.counselling", "Συμβουλευτική συνεδρία")


async def test_module_api_books_with_an_attached_record(client: Any) -> None:
    from tests.core.scheduling.helpers import make_world

    world = await make_world(client)
    actor = await system_actor(world.tenant.slug)
    record_id = uuid4()
    with tenant_context(world.tenant.id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(world.tenant.id)
            one = await api.book_appointment(
                actor,
                service="core.home_visit",
                start=when(MONDAY, "09:00"),
                staff_ids=[world.staff],
                beneficiary_ids=[world.person],
                mode="home_visit",
                record=("care_plan_visit", record_id),
                module="core",
            )
            assert one["record_id"] == record_id and one["location_kind"] == "home"
            assert one["end"] - one["start"] == timedelta(minutes=60)
            series = await api.book_series(
                actor,
                service="core.home_visit",
                start=when(MONDAY, "12:00"),
                staff_ids=[world.staff],
                beneficiary_ids=[world.person],
                mode="home_visit",
                weekdays=["MO", "WE"],
                until=MONDAY + timedelta(days=9),
                record=("care_plan_visit", record_id),
                module="core",
            )
            assert len(series["created"]) == 4 and series["skipped"] == []
            attached = await api.appointments_for_record(
                actor, "core", "care_plan_visit", record_id
            )
            assert [a["id"] for a in attached] == [one["id"]] + [a["id"] for a in series["created"]]
            mine = await api.appointments_for_person(actor, world.person)
            assert len(mine) == 5
            staffs = await api.appointments_for_person(actor, world.staff, staff=True)
            assert len(staffs) == 5
            with pytest.raises(Conflict) as clash:
                await api.book_appointment(
                    actor,
                    service="core.counselling",
                    start=when(MONDAY, "09:30"),
                    staff_ids=[world.psych],
                    beneficiary_ids=[world.person],
                )
            assert clash.value.extra["refusals"][0]["appointment_id"] == str(one["id"])
            with pytest.raises(RequestValidationError) as bad:
                await api.book_appointment(
                    actor,
                    service="core.counselling",
                    start=when(MONDAY, "15:00"),
                    end=when(MONDAY, "14:00"),
                    staff_ids=[world.staff],
                )
            assert [e.field for e in bad.value.errors] == ["end"]
            with pytest.raises(AppError) as closed:
                await api.book_appointment(
                    actor,
                    service="core.counselling",
                    start=when(CLEAN_MONDAY, "10:00"),
                    staff_ids=[world.staff],
                )
            assert closed.value.code == "holiday"
            slots = await api.find_free_slots(
                actor,
                service="core.counselling",
                staff_id=world.staff,
                start=when(MONDAY, "08:00"),
                end=when(MONDAY, "18:00"),
            )
            assert slots and all(
                s["end"] <= one["start"] or s["start"] >= one["end"] for s in slots
            )
            moved = await api.move_appointment(actor, one["id"], start=when(MONDAY, "13:00"))
            assert moved["moved"][0]["start_local"].hour == 13
            done = await api.set_appointment_status(
                actor, one["id"], "confirmed", notes="Επιβεβαιώθηκε τηλεφωνικά"
            )
            assert done["status"] == "confirmed"
            cancelled = await api.cancel_appointment(
                actor, series["created"][0]["id"], reason="Νοσηλεία", scope="following"
            )
            assert len(cancelled) == 4
            again = await api.get_appointment(actor, series["created"][0]["id"])
            assert again["status"] == "cancelled"


async def test_every_scheduling_route_is_isolated_between_tenants(client: Any) -> None:
    from tests.core.scheduling.helpers import make_world

    mine = await make_world(client)
    theirs = await make_world(client)
    their_appt = await book(client, theirs)
    absence = await client.post(
        f"{theirs.api}/staff/{theirs.staff}/absences",
        json={"kind": "leave", "start": at(MONDAY, "00:00"), "end": at(MONDAY, "23:00")},
        headers=theirs.admin.headers,
    )
    assert absence.status_code == 201, absence.text
    local = await client.post(
        f"{theirs.api}/holidays",
        json={"date": "2027-06-01", "name_el": "Τοπική εορτή"},
        headers=theirs.admin.headers,
    )
    assert local.status_code == 201, local.text
    a_id, s_id = their_appt["id"], theirs.staff
    h = mine.admin.headers
    api_ = mine.api
    not_found = [
        ("GET", f"{api_}/appointments/{a_id}", None),
        ("PATCH", f"{api_}/appointments/{a_id}", {"status": "confirmed"}),
        ("POST", f"{api_}/appointments/{a_id}/move", {"start": at(MONDAY, "12:00")}),
        ("POST", f"{api_}/appointments/{a_id}/cancel", {"reason": "x"}),
        ("GET", f"{api_}/calendar/staff/{s_id}", None),
        ("GET", f"{api_}/staff/{s_id}/absences", None),
        (
            "POST",
            f"{api_}/staff/{s_id}/absences",
            {"kind": "sick", "start": at(MONDAY, "00:00"), "end": at(MONDAY, "10:00")},
        ),
        ("DELETE", f"{api_}/staff/{s_id}/absences/{absence.json()['id']}", None),
        ("POST", f"{api_}/staff/{s_id}/ics-secret", None),
        ("DELETE", f"{api_}/staff/{s_id}/ics-secret", None),
        ("DELETE", f"{api_}/holidays/{local.json()['id']}", None),
        # A user of one tenant on another tenant's paths at all.
        ("GET", f"{theirs.api}/appointments", None),
        ("GET", f"{theirs.api}/services", None),
        ("GET", f"{theirs.api}/holidays", None),
        ("GET", f"{theirs.api}/holidays/overrides", None),
        ("GET", f"{theirs.api}/availability/slots?service=core.counselling", None),
    ]
    for method, url, body in not_found:
        response = await client.request(method, url, json=body, headers=h)
        assert response.status_code == 404, (method, url, response.status_code, response.text)
    # Their people are unknown here: booking them is refused, nothing stored.
    for fields, field_name in (
        ({"staff_id": str(s_id)}, "staff_id"),
        ({"beneficiary_id": str(theirs.person)}, "beneficiary_id"),
    ):
        response = await client.post(
            f"{api_}/appointments",
            json={
                "staff_id": str(mine.staff),
                "beneficiary_id": str(mine.person),
                "service": "core.counselling",
                "start": at(MONDAY, "10:00"),
                **fields,
            },
            headers=h,
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field_name
    slots = await client.get(
        f"{api_}/availability/slots",
        params={"service": "core.counselling", "staff_id": str(s_id)},
        headers=h,
    )
    assert slots.status_code == 422
    # Nothing of theirs in our lists, calendars, holidays or report.
    listed = await client.get(
        f"{api_}/appointments",
        params={"start": "2027-01-01T00:00:00+02:00", "end": "2027-12-31T00:00:00+02:00"},
        headers=h,
    )
    assert listed.status_code == 200 and listed.json()["items"] == []
    by_staff = await client.get(f"{api_}/appointments", params={"staff_id": str(s_id)}, headers=h)
    assert by_staff.json()["items"] == []
    holidays = await client.get(f"{api_}/holidays", params={"year": 2027}, headers=h)
    assert all(d["name_el"] != "Τοπική εορτή" for d in holidays.json()["items"])
    report = await client.get(
        f"{api_}/reports/core.appointments",
        params={"format": "json", "start": "2027-01-01", "end": "2027-12-31"},
        headers=h,
    )
    assert report.status_code == 200
    body = report.json()
    rows = body["rows"] if "rows" in body else body["items"]
    assert rows == []
    # Their appointment is untouched.
    still = await client.get(f"{theirs.api}/appointments/{a_id}", headers=theirs.worker.headers)
    assert still.json()["status"] == "scheduled"
    assert still.json()["start"] == their_appt["start"]
    assert UUID(still.json()["id"]) == UUID(a_id)


async def test_demo_weeks_are_realistic_and_conflict_free(client: Any) -> None:
    from core.scheduling.demo import load_demo
    from core.scheduling.tables import Appointment, AppointmentParticipant
    from tests.core.scheduling.helpers import make_person, make_world

    world = await make_world(client)
    for _ in range(3):
        await make_person(client, world.tenant, world.worker)
    actor = await system_actor(world.tenant.slug)
    today = MONDAY + timedelta(days=9)  # a Wednesday: two weeks before, one after
    with tenant_context(world.tenant.id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(world.tenant.id)
            created = await load_demo(actor.tenant.ref, seed=7, today=today)
            rows = await Appointment.select(
                Appointment.id, Appointment.status, Appointment.start_at, Appointment.service
            )
            busy = await AppointmentParticipant.select().where(
                AppointmentParticipant.active == True  # noqa: E712
            )
    assert created == len(rows) and created >= 20
    assert {r["service"] for r in rows} >= {"core.counselling", "core.intake"}
    past = [r for r in rows if r["start_at"].date() < today]
    assert past and all(r["status"] in ("completed", "no_show", "cancelled") for r in past)
    assert {r["status"] for r in rows if r["start_at"].date() > today} <= {
        "scheduled",
        "confirmed",
        "cancelled",
    }
    by_person: dict[Any, list[Any]] = {}
    for b in busy:
        by_person.setdefault(b["person_id"], []).append((b["start_at"], b["end_at"]))
    for ranges in by_person.values():
        ranges.sort()
        for (_, end), (start, _) in pairwise(ranges):
            assert end <= start, "the demo double-booked someone"
