"""The appointments HTTP surface: book, read, list, change, move, cancel; bad input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.audit.tables import AuditEvent
from tests.core.scheduling.helpers import (
    MONDAY,
    at,
    book,
    booking,
    codes,
    count_appointments,
    in_tenant,
    make_person,
    make_world,
    participant_rows,
)


async def test_services_lists_core_services_with_titles(client: Any) -> None:
    world = await make_world(client)
    response = await client.get(f"{world.api}/services", headers=world.worker.headers)
    assert response.status_code == 200
    items = {s["code"]: s for s in response.json()["items"]}
    assert {
        "core.intake",
        "core.counselling",
        "core.home_visit",
        "core.meeting",
        "core.phone_call",
    } <= set(items)
    home = items["core.home_visit"]
    assert home["modes"] == ["home_visit"]
    assert home["title_el"] == "Κατ' οίκον επίσκεψη"
    assert home["title"] == home["title_el"]  # Greek by default
    assert items["core.meeting"]["group"] is True
    assert home["default_minutes"] == 60 and "nurse" in home["professions"]
    english = await client.get(
        f"{world.api}/services", headers={**world.worker.headers, "Accept-Language": "en"}
    )
    assert {s["code"]: s["title"] for s in english.json()["items"]}["core.home_visit"] == (
        "Home visit"
    )


async def test_book_read_list_in_utc_and_local_time(client: Any) -> None:
    world = await make_world(client)
    created = await book(client, world, notes="Πρώτη συνάντηση")
    assert created["start"].startswith("2027-03-01T08:00:00")  # UTC
    assert created["start_local"] == "2027-03-01T10:00:00+02:00"
    assert created["timezone"] == "Europe/Athens"
    assert created["staff_ids"] == [str(world.staff)]
    assert created["beneficiary_ids"] == [str(world.person)]
    assert created["status"] == "scheduled"
    assert created["location_kind"] == "office"
    assert created["notes"] == "Πρώτη συνάντηση"
    assert created["service_title"] == "Συμβουλευτική συνεδρία"

    got = await client.get(
        f"{world.api}/appointments/{created['id']}", headers=world.worker.headers
    )
    assert got.status_code == 200
    assert got.json() == created

    listed = await client.get(
        f"{world.api}/appointments",
        params={
            "start": at(MONDAY, "00:00"),
            "end": at(MONDAY + timedelta(days=1), "00:00"),
            "staff_id": str(world.staff),
        },
        headers=world.worker.headers,
    )
    assert listed.status_code == 200
    assert [a["id"] for a in listed.json()["items"]] == [created["id"]]
    by_person = await client.get(
        f"{world.api}/appointments",
        params={"beneficiary_id": str(world.person2)},
        headers=world.worker.headers,
    )
    assert by_person.json()["items"] == []
    by_date = await client.get(
        f"{world.api}/appointments", params={"start": "2027-03-02"}, headers=world.worker.headers
    )
    assert by_date.json()["items"] == []


async def test_notes_are_encrypted_at_rest_and_hidden_from_reception(client: Any) -> None:
    from core.scheduling.tables import Appointment
    from core.testing import make_staff

    world = await make_world(client)
    created = await book(client, world, notes="Ανησυχία για το παιδί")
    async with in_tenant(world.tenant.id):
        row = await Appointment.select(Appointment.notes).first()
    assert row is not None and row["notes"].startswith("enc:")
    assert "παιδί" not in row["notes"]
    reception = await make_staff(world.tenant, ["reception"])
    seen = await client.get(f"{world.api}/appointments/{created['id']}", headers=reception.headers)
    assert seen.status_code == 200
    assert seen.json()["notes"] is None


async def test_list_is_paginated_in_time_order(client: Any) -> None:
    world = await make_world(client)
    for hour in ("12:00", "09:00", "11:00", "10:00"):
        end = f"{int(hour[:2]) + 1:02d}:00"
        await book(client, world, start=hour, end=end)
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = await client.get(
            f"{world.api}/appointments", params=params, headers=world.worker.headers
        )
        assert page.status_code == 200
        seen += [a["start_local"][11:16] for a in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert seen == ["09:00", "10:00", "11:00", "12:00"]


async def test_group_booking_only_for_group_services(client: Any) -> None:
    world = await make_world(client)
    group = {
        "staff_ids": [str(world.staff), str(world.psych)],
        "beneficiary_ids": [str(world.person), str(world.person2)],
    }
    refused = await client.post(
        f"{world.api}/appointments",
        json=booking(world, staff_id=None, beneficiary_id=None, **group),
        headers=world.worker.headers,
    )
    assert refused.status_code == 422
    assert ("beneficiary_ids", "group_not_allowed") in codes(refused)
    created = await book(
        client, world, staff_id=None, beneficiary_id=None, service="core.meeting", **group
    )
    assert sorted(created["beneficiary_ids"]) == sorted(map(str, [world.person, world.person2]))
    assert len(created["staff_ids"]) == 2


async def test_default_duration_and_mode_rules(client: Any) -> None:
    world = await make_world(client)
    created = await book(client, world, end=None, service="core.phone_call", mode="phone")
    assert created["end_local"] == "2027-03-01T10:15:00+02:00"
    assert created["location_kind"] == "other"
    bad = await client.post(
        f"{world.api}/appointments",
        json=booking(
            world, start="12:00", end="13:00", service="core.home_visit", mode="in_person"
        ),
        headers=world.worker.headers,
    )
    assert bad.status_code == 422 and ("mode", "mode_not_allowed") in codes(bad)
    visit = await book(
        client,
        world,
        start="12:00",
        end="13:00",
        service="core.home_visit",
        mode="home_visit",
        location_text="Αθηνάς 12",
    )
    assert visit["location_kind"] == "home"


async def test_profession_must_be_allowed(client: Any) -> None:
    world = await make_world(client)
    # core.social_report is delivered by social workers only.
    refused = await client.post(
        f"{world.api}/appointments",
        json=booking(world, staff_id=str(world.psych), service="core.social_report"),
        headers=world.worker.headers,
    )
    assert refused.status_code == 422
    assert ("staff_id", "profession_not_allowed") in codes(refused)


async def test_bad_input_is_refused_and_nothing_stored(client: Any) -> None:
    world = await make_world(client)
    other = await make_world(client)
    cases: list[tuple[dict[str, Any], int, tuple[str, str] | None]] = [
        (booking(world, start="11:00", end="10:00"), 422, ("end", "end_before_start")),
        (booking(world, start="10:00", end="10:00"), 422, ("end", "end_before_start")),
        (booking(world, start="08:00", end="21:00"), 422, ("end", "duration_too_long")),
        ({**booking(world), "end": "2027-03-20T10:00:00+02:00"}, 422, ("end", "duration_too_long")),
        ({**booking(world), "start": "2027-03-01T10:00:00"}, 422, ("start", "timezone_aware")),
        (booking(world, service="core.no_such_thing"), 422, ("service", "unknown_service")),
        (booking(world, service="nonsense"), 422, ("service", "unknown_service")),
        (booking(world, staff_id=str(other.staff)), 422, ("staff_id", "unknown_staff")),
        (
            booking(world, staff_id="3f1e7c52-8a7b-4a55-9e59-6b0d5f0c0a11"),
            422,
            ("staff_id", "unknown_staff"),
        ),
        (
            booking(world, beneficiary_id=str(other.person)),
            422,
            ("beneficiary_id", "unknown_beneficiary"),
        ),
        (booking(world, staff_id=None), 422, ("staff_id", "staff_required")),
        (booking(world, mode="telepathy"), 422, ("mode", "literal_error")),
        ({**booking(world), "colour": "blue"}, 422, ("colour", "extra_forbidden")),
        (booking(world, video_link="javascript:alert(1)"), 422, ("video_link", "invalid_url")),
        (
            booking(world, unit_id="3f1e7c52-8a7b-4a55-9e59-6b0d5f0c0a11"),
            422,
            ("unit_id", "unknown_unit"),
        ),
    ]
    for body, status, expected in cases:
        response = await client.post(
            f"{world.api}/appointments", json=body, headers=world.worker.headers
        )
        assert response.status_code == status, (body, response.text)
        if expected:
            assert expected in codes(response), (body, response.text)
        assert response.json()["detail"]
    malformed = await client.post(
        f"{world.api}/appointments",
        content=b"{not json",
        headers={**world.worker.headers, "content-type": "application/json"},
    )
    assert malformed.status_code == 400
    assert await count_appointments(world.tenant.id) == 0
    assert await participant_rows(world.tenant.id) == 0


async def test_422_messages_in_greek_and_english(client: Any) -> None:
    world = await make_world(client)
    body = booking(world, start="11:00", end="10:00")
    greek = await client.post(f"{world.api}/appointments", json=body, headers=world.worker.headers)
    english = await client.post(
        f"{world.api}/appointments",
        json=body,
        headers={**world.worker.headers, "Accept-Language": "en"},
    )
    # `validation.*` keys are one flat namespace shared with modules (family_center words
    # this one differently), so check the language and the subject, not the exact text.
    el_message, en_message = (r.json()["errors"][0]["message"] for r in (greek, english))
    assert greek.json()["errors"][0]["code"] == "end_before_start"
    assert "λήξη" in el_message and "έναρξ" in el_message
    assert "end" in en_message.lower() and "start" in en_message.lower()


async def test_conflicts_touching_and_cancelled(client: Any) -> None:
    world = await make_world(client)
    first = await book(client, world, start="10:00", end="11:00")
    # Same staff, overlapping: 409 naming the appointment.
    clash = await client.post(
        f"{world.api}/appointments",
        json=booking(world, start="10:30", end="11:30", beneficiary_id=str(world.person2)),
        headers=world.worker.headers,
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "conflict"
    assert clash.json()["appointment_id"] == first["id"]
    # Same beneficiary with another staff member: 409 too.
    clash2 = await client.post(
        f"{world.api}/appointments",
        json=booking(world, start="10:45", end="11:15", staff_id=str(world.psych)),
        headers=world.worker.headers,
    )
    assert clash2.status_code == 409
    assert clash2.json()["errors"][0]["field"] == "beneficiary_id"
    # Touching: allowed on both sides.
    await book(client, world, start="11:00", end="12:00")
    await book(client, world, start="09:00", end="10:00")
    # Cancelled frees its time.
    cancel = await client.post(
        f"{world.api}/appointments/{first['id']}/cancel",
        json={"reason": "Ασθένεια"},
        headers=world.worker.headers,
    )
    assert cancel.status_code == 200, cancel.text
    assert cancel.json()["cancelled"] == [first["id"]]
    await book(client, world, start="10:00", end="11:00", beneficiary_id=str(world.person2))


async def test_holiday_outside_hours_and_absence_are_refused_with_reasons(client: Any) -> None:
    world = await make_world(client)
    clean_monday = MONDAY + timedelta(days=14)  # 2027-03-15
    holiday = await client.post(
        f"{world.api}/appointments",
        json=booking(world, day=clean_monday),
        headers=world.worker.headers,
    )
    assert holiday.status_code == 422
    assert holiday.json()["code"] == "holiday"
    assert "Καθαρά Δευτέρα" in holiday.json()["detail"]
    english = await client.post(
        f"{world.api}/appointments",
        json=booking(world, day=clean_monday),
        headers={**world.worker.headers, "Accept-Language": "en"},
    )
    assert "Green Monday" in english.json()["detail"]
    early = await client.post(
        f"{world.api}/appointments",
        json=booking(world, start="07:00", end="08:00"),
        headers=world.worker.headers,
    )
    assert early.status_code == 422 and early.json()["code"] == "outside_hours"
    saturday = await client.post(
        f"{world.api}/appointments",
        json=booking(world, day=MONDAY + timedelta(days=5)),
        headers=world.worker.headers,
    )
    assert saturday.json()["code"] == "outside_hours"
    absence = await client.post(
        f"{world.api}/staff/{world.staff}/absences",
        json={
            "kind": "training",
            "start": at(MONDAY, "00:00"),
            "end": at(MONDAY + timedelta(days=1), "00:00"),
        },
        headers=world.admin.headers,
    )
    assert absence.status_code == 201, absence.text
    absent = await client.post(
        f"{world.api}/appointments", json=booking(world), headers=world.worker.headers
    )
    assert absent.status_code == 422 and absent.json()["code"] == "staff_absent"
    assert "επιμόρφωση" in absent.json()["detail"]
    assert await count_appointments(world.tenant.id) == 0


async def test_override_by_a_permitted_role_is_audited(client: Any) -> None:
    world = await make_world(client)
    clean_monday = MONDAY + timedelta(days=14)
    body = booking(world, day=clean_monday, override=True, override_reason="Επείγον περιστατικό")
    denied = await client.post(f"{world.api}/appointments", json=body, headers=world.worker.headers)
    assert denied.status_code == 403
    no_reason = await client.post(
        f"{world.api}/appointments",
        json={**body, "override_reason": " "},
        headers=world.admin.headers,
    )
    assert no_reason.status_code == 422
    assert ("override_reason", "override_reason_required") in codes(no_reason)
    created = await book(
        client,
        world,
        who=world.admin,
        day=clean_monday,
        override=True,
        override_reason="Επείγον περιστατικό",
    )
    assert created["override_codes"] == ["holiday"]
    async with in_tenant(world.tenant.id):
        events = (
            await AuditEvent.select(AuditEvent.action, AuditEvent.details)
            .where((AuditEvent.object_id == created["id"]) & (AuditEvent.action == "override"))
            .output(load_json=True)
        )
    assert len(events) == 1 and events[0]["details"]["codes"] == ["holiday"]
    # A conflict is never overridden.
    clash = await client.post(
        f"{world.api}/appointments",
        json=booking(
            world,
            day=clean_monday,
            beneficiary_id=str(world.person2),
            override=True,
            override_reason="Επείγον",
        ),
        headers=world.admin.headers,
    )
    assert clash.status_code == 409


async def test_patch_status_notes_and_time(client: Any) -> None:
    world = await make_world(client)
    created = await book(client, world)
    url = f"{world.api}/appointments/{created['id']}"
    confirmed = await client.patch(url, json={"status": "confirmed"}, headers=world.worker.headers)
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    moved = await client.patch(
        url, json={"start": at(MONDAY, "13:00")}, headers=world.worker.headers
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["start_local"] == "2027-03-01T13:00:00+02:00"
    assert moved.json()["end_local"] == "2027-03-01T14:00:00+02:00"  # duration kept
    late = await client.patch(
        url, json={"start": at(MONDAY, "14:30")}, headers=world.worker.headers
    )
    assert late.status_code == 422 and late.json()["code"] == "outside_hours"
    done = await client.patch(
        url, json={"status": "completed", "notes": "Έγινε."}, headers=world.worker.headers
    )
    assert done.json()["status"] == "completed" and done.json()["notes"] == "Έγινε."
    back = await client.patch(url, json={"status": "scheduled"}, headers=world.worker.headers)
    assert back.status_code == 422 and ("status", "invalid_transition") in codes(back)
    no_reason = await client.patch(url, json={"status": "cancelled"}, headers=world.worker.headers)
    assert no_reason.status_code == 422
    frozen = await client.patch(
        url, json={"start": at(MONDAY, "09:00")}, headers=world.worker.headers
    )
    assert frozen.status_code == 422 and ("start", "not_movable") in codes(frozen)


async def test_patch_cancel_needs_a_reason_and_frees_the_slot(client: Any) -> None:
    world = await make_world(client)
    created = await book(client, world)
    url = f"{world.api}/appointments/{created['id']}"
    cancelled = await client.patch(
        url, json={"status": "cancelled", "cancel_reason": "Άκυρο"}, headers=world.worker.headers
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["cancel_reason"] == "Άκυρο"
    await book(client, world)


async def test_move_endpoint_checks_like_a_booking(client: Any) -> None:
    world = await make_world(client)
    first = await book(client, world)
    second = await book(client, world, start="12:00", end="13:00")
    clash = await client.post(
        f"{world.api}/appointments/{second['id']}/move",
        json={"start": at(MONDAY, "10:30")},
        headers=world.worker.headers,
    )
    assert clash.status_code == 409 and clash.json()["appointment_id"] == first["id"]
    moved = await client.post(
        f"{world.api}/appointments/{second['id']}/move",
        json={"start": at(MONDAY, "11:00"), "end": at(MONDAY, "11:30")},
        headers=world.worker.headers,
    )
    assert moved.status_code == 200
    assert moved.json()["moved"][0]["end_local"] == "2027-03-01T11:30:00+02:00"
    # A move onto its own current place is no conflict with itself.
    same = await client.post(
        f"{world.api}/appointments/{second['id']}/move",
        json={"start": at(MONDAY, "11:15")},
        headers=world.worker.headers,
    )
    assert same.status_code == 200


async def test_permissions(client: Any) -> None:
    from core.testing import make_staff

    world = await make_world(client)
    volunteer = await make_staff(world.tenant, ["volunteer"])
    assert (
        await client.get(f"{world.api}/appointments", headers=volunteer.headers)
    ).status_code == 403
    assert (
        await client.post(
            f"{world.api}/appointments", json=booking(world), headers=volunteer.headers
        )
    ).status_code == 403
    assert (await client.get(f"{world.api}/appointments")).status_code == 401


async def test_reception_can_book_for_another_staff_member(client: Any) -> None:
    from core.testing import make_staff

    world = await make_world(client)
    reception = await make_staff(world.tenant, ["reception"])
    created = await book(client, world, who=reception)
    assert created["created_by"] == str(reception.user_id)


async def test_person_helper_makes_people(client: Any) -> None:
    world = await make_world(client)
    third = await make_person(client, world.tenant, world.worker)
    created = await book(client, world, beneficiary_id=str(third))
    assert created["beneficiary_ids"] == [str(third)]
