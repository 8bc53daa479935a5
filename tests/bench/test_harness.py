"""The harness's request plans: bookings are fresh, conflict-free and never on a holiday."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from uuid import uuid4

from bench.runner import ATHENS, booking_requests, booking_start, open_days
from core.scheduling.days import orthodox_easter


def _tenant(latest: str | None) -> dict[str, object]:
    return {
        "tenant_id": str(uuid4()),
        "staff": [str(uuid4()) for _ in range(5)],
        "people": [{"id": str(uuid4())} for _ in range(40)],
        "latest_end": latest,
    }


def test_open_days_skip_weekends_and_moveable_feasts() -> None:
    easter = orthodox_easter(2027)  # 2 May 2027
    days = []
    for day in open_days(easter - timedelta(days=10)):
        if day > easter + timedelta(days=10):
            break
        days.append(day)
    assert easter - timedelta(days=2) not in days  # Good Friday
    assert easter + timedelta(days=1) not in days  # Easter Monday
    assert all(d.weekday() < 5 for d in days)
    assert easter + timedelta(days=2) not in days  # Labour Day 2027, moved to Tuesday
    assert easter + timedelta(days=3) in days


def test_bookings_start_after_the_latest_appointment_and_never_conflict() -> None:
    latest = datetime(2031, 3, 3, 14, 0, tzinfo=ATHENS)
    tenant = _tenant(latest.isoformat())
    assert booking_start(tenant) == date(2031, 3, 3)
    lines = booking_requests(tenant, "/api/v1/t/x", 300)
    assert len(lines) == 300
    busy: set[tuple[str, str]] = set()
    for line in lines:
        method, path, body = line.split("\t")
        assert (method, path) == ("POST", "/api/v1/t/x/appointments")
        b = json.loads(body)
        assert datetime.fromisoformat(b["start"]) > latest
        for who in (b["staff_id"], b["beneficiary_id"]):
            assert (who, b["start"]) not in busy
            busy.add((who, b["start"]))


def test_a_later_run_books_later_slots() -> None:
    first = booking_requests(_tenant(None), "/x", 50)
    last_start = json.loads(first[-1].split("\t")[2])["end"]
    second = booking_requests(_tenant(last_start), "/x", 50)
    assert json.loads(second[0].split("\t")[2])["start"] >= last_start
