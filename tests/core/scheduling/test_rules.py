"""The pure rules, table-driven: conflicts, hours, holidays (2024–2030), absences, slots."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import pytest

from core.scheduling import rules
from core.scheduling.days import (
    LocalDay,
    Override,
    days_between,
    holy_saturday,
    national_days,
    orthodox_easter,
    tenant_days,
)
from core.scheduling.recurrence import Recurrence, RecurrenceError, occurrences, parse_rule
from core.scheduling.rules import Absence, BookingFacts, Busy, check_booking

ATHENS = ZoneInfo("Europe/Athens")
HOURS = rules.parse_hours(rules.DEFAULT_HOURS)
STAFF, OTHER_STAFF, PERSON, OTHER_PERSON = uuid4(), uuid4(), uuid4(), uuid4()
EXISTING = uuid4()
DAY = date(2027, 3, 2)  # a Tuesday without holidays


def t(hhmm: str, day: date = DAY) -> datetime:
    return datetime.combine(day, time.fromisoformat(hhmm), tzinfo=ATHENS)


def facts(start: str, end: str, day: date = DAY, **kw: object) -> BookingFacts:
    base: dict[str, object] = {
        "start": t(start, day),
        "end": t(end, day),
        "opening": HOURS,
        "days": days_between(day, day),
        "staff_ids": (STAFF,),
        "beneficiary_ids": (PERSON,),
    }
    base.update(kw)
    return BookingFacts(**base)  # type: ignore[arg-type]


def busy(
    start: str,
    end: str,
    person: UUID = STAFF,
    status: str = "scheduled",
    kind: str = "staff",
    appointment: UUID = EXISTING,
) -> Busy:
    return Busy(appointment, kind, person, t(start), t(end), status)


def codes_of(result: list[rules.Refusal]) -> list[str]:
    return [r.code for r in result]


# -- conflicts ---------------------------------------------------------------------------------

CONFLICTS = [
    # (new start, new end, existing, expected codes)
    ("10:00", "11:00", busy("11:00", "12:00"), []),  # touching after
    ("10:00", "11:00", busy("09:00", "10:00"), []),  # touching before
    ("10:00", "11:00", busy("10:00", "11:00"), ["conflict"]),  # identical
    ("10:00", "11:00", busy("10:30", "11:30"), ["conflict"]),  # overlaps the end
    ("10:00", "11:00", busy("09:30", "10:01"), ["conflict"]),  # overlaps the start by 1 min
    ("10:00", "11:00", busy("10:15", "10:45"), ["conflict"]),  # inside
    ("10:00", "11:00", busy("09:00", "12:00"), ["conflict"]),  # around
    ("10:00", "11:00", busy("10:00", "11:00", status="cancelled"), []),  # cancelled ignored
    ("10:00", "11:00", busy("10:00", "11:00", person=OTHER_STAFF), []),  # someone else
    (
        "10:00",
        "11:00",
        busy("10:30", "11:30", person=PERSON, kind="beneficiary"),
        ["conflict"],
    ),  # the beneficiary is busy
    ("10:00", "11:00", busy("10:30", "11:30", person=OTHER_PERSON, kind="beneficiary"), []),
    ("10:00", "11:00", busy("10:30", "11:30", status="completed"), ["conflict"]),
    ("10:00", "11:00", busy("10:30", "11:30", status="no_show"), ["conflict"]),
]


@pytest.mark.parametrize(("start", "end", "existing", "expected"), CONFLICTS)
def test_conflicts(start: str, end: str, existing: Busy, expected: list[str]) -> None:
    assert codes_of(check_booking(facts(start, end, busy=[existing]))) == expected


def test_the_appointment_being_moved_does_not_conflict_with_itself() -> None:
    result = check_booking(
        facts("10:30", "11:30", busy=[busy("10:00", "11:00")], ignore=frozenset({EXISTING}))
    )
    assert result == []


def test_a_conflict_names_the_appointment_and_is_never_overridable() -> None:
    (refusal,) = check_booking(facts("10:00", "11:00", busy=[busy("10:30", "11:30")]))
    assert refusal.params["appointment_id"] == str(EXISTING)
    assert not refusal.overridable


def test_two_participants_busy_in_one_appointment_give_two_refusals() -> None:
    existing = [busy("10:00", "11:00"), busy("10:00", "11:00", person=PERSON, kind="beneficiary")]
    assert codes_of(check_booking(facts("10:00", "11:00", busy=existing))) == [
        "conflict",
        "conflict",
    ]


# -- opening and working hours ----------------------------------------------------------------

SPLIT = rules.parse_hours({"mon": [["08:00", "12:00"], ["17:00", "20:00"]]})
HOURS_CASES = [
    ("08:00", "09:00", HOURS, DAY, []),
    ("14:00", "15:00", HOURS, DAY, []),
    ("07:30", "08:30", HOURS, DAY, ["outside_hours"]),
    ("14:30", "15:30", HOURS, DAY, ["outside_hours"]),
    ("10:00", "11:00", HOURS, date(2027, 3, 6), ["outside_hours"]),  # Saturday
    ("10:00", "11:00", HOURS, date(2027, 3, 7), ["outside_hours"]),  # Sunday
    ("11:00", "12:00", SPLIT, date(2027, 3, 1), []),
    ("11:30", "17:30", SPLIT, date(2027, 3, 1), ["outside_hours"]),  # across the break
    ("18:00", "19:00", SPLIT, date(2027, 3, 1), []),
    ("03:00", "04:00", None, DAY, []),  # no restriction at all
]


@pytest.mark.parametrize(("start", "end", "hours", "day", "expected"), HOURS_CASES)
def test_opening_hours(
    start: str, end: str, hours: rules.Hours | None, day: date, expected: list[str]
) -> None:
    assert codes_of(check_booking(facts(start, end, day, opening=hours))) == expected


def test_across_midnight_is_outside_hours() -> None:
    result = check_booking(
        BookingFacts(
            start=t("23:00"),
            end=t("01:00", DAY + timedelta(days=1)),
            opening=rules.parse_hours({"tue": [["00:00", "23:59"]]}),
        )
    )
    assert codes_of(result) == ["outside_hours"]


def test_staff_working_hours_narrow_the_opening_hours() -> None:
    part_time = rules.parse_hours({"tue": [["08:00", "12:00"]]})
    ok = check_booking(facts("10:00", "11:00", staff_hours={STAFF: part_time}))
    late = check_booking(facts("12:00", "13:00", staff_hours={STAFF: part_time}))
    assert ok == []
    assert codes_of(late) == ["outside_hours"]
    assert late[0].params["staff_id"] == str(STAFF)
    assert late[0].overridable


# -- holidays ------------------------------------------------------------------------------------

# FACTS.md §2.2: Clean Monday, Good Friday, Holy Saturday, Easter, Easter Monday, Whit Monday.
EASTER_TABLE = {
    2024: ("2024-03-18", "2024-05-03", "2024-05-04", "2024-05-05", "2024-05-06", "2024-06-24"),
    2025: ("2025-03-03", "2025-04-18", "2025-04-19", "2025-04-20", "2025-04-21", "2025-06-09"),
    2026: ("2026-02-23", "2026-04-10", "2026-04-11", "2026-04-12", "2026-04-13", "2026-06-01"),
    2027: ("2027-03-15", "2027-04-30", "2027-05-01", "2027-05-02", "2027-05-03", "2027-06-21"),
    2028: ("2028-02-28", "2028-04-14", "2028-04-15", "2028-04-16", "2028-04-17", "2028-06-05"),
    2029: ("2029-02-19", "2029-04-06", "2029-04-07", "2029-04-08", "2029-04-09", "2029-05-28"),
    2030: ("2030-03-11", "2030-04-26", "2030-04-27", "2030-04-28", "2030-04-29", "2030-06-17"),
}
FIXED = ("01-01", "01-06", "03-25", "08-15", "10-28", "12-25", "12-26")


@pytest.mark.parametrize("year", sorted(EASTER_TABLE))
def test_orthodox_easter_and_moveable_feasts(year: int) -> None:
    clean, good_friday, saturday, easter, monday, whit = map(date.fromisoformat, EASTER_TABLE[year])
    assert orthodox_easter(year) == easter
    assert holy_saturday(year) == saturday
    closed = {d.day for d in national_days(year) if d.closed}
    assert {clean, good_friday, saturday, monday, whit} <= closed
    for mmdd in FIXED:
        assert date.fromisoformat(f"{year}-{mmdd}") in closed
    half = {d.day for d in national_days(year) if not d.closed}
    assert half == {date(year, 12, 24), date(year, 12, 31)}


@pytest.mark.parametrize("year", sorted(EASTER_TABLE))
def test_booking_on_each_feast_is_refused(year: int) -> None:
    for iso in EASTER_TABLE[year]:
        day = date.fromisoformat(iso)
        result = check_booking(facts("10:00", "11:00", day, days=days_between(day, day)))
        assert "holiday" in codes_of(result), iso


def test_holy_saturday_is_named_even_when_it_is_labour_day() -> None:
    (day,) = [d for d in national_days(2027) if d.day == date(2027, 5, 1)]
    assert "Μεγάλο Σάββατο" in day.name_el and "Holy Saturday" in day.name_en


HALF_DAY_CASES = [
    ("12:00", "13:00", []),
    ("12:30", "13:30", ["holiday"]),
    ("13:00", "14:00", ["holiday"]),
    ("07:00", "08:00", ["outside_hours"]),
]


@pytest.mark.parametrize("mmdd", ["12-24", "12-31"])
@pytest.mark.parametrize(("start", "end", "expected"), HALF_DAY_CASES)
def test_half_days_close_two_hours_early(
    mmdd: str, start: str, end: str, expected: list[str]
) -> None:
    day = date.fromisoformat(f"2027-{mmdd}")  # a Friday and a Friday
    result = check_booking(facts(start, end, day, days=days_between(day, day)))
    assert codes_of(result) == expected
    if expected == ["holiday"]:
        assert result[0].params["half_day"] is True
        assert result[0].params["closes_at"] == "13:00"


def test_patron_saint_day_recurs_every_year() -> None:
    patron = LocalDay(date(2020, 11, 30), "Αγίου Ανδρέα", "St Andrew", recurring=True)
    once = LocalDay(date(2027, 10, 4), "Απελευθέρωση", recurring=False)
    days_2027 = tenant_days(2027, [patron, once])
    days_2028 = tenant_days(2028, [patron, once])
    assert days_2027[date(2027, 11, 30)].source == "local"
    assert date(2028, 11, 30) in days_2028
    assert date(2027, 10, 4) in days_2027 and date(2028, 10, 4) not in days_2028
    day = date(2027, 11, 30)
    result = check_booking(facts("10:00", "11:00", day, days=days_between(day, day, [patron])))
    assert codes_of(result) == ["holiday"]
    assert result[0].params["name_el"] == "Αγίου Ανδρέα"


def test_overrides_move_labour_day() -> None:
    # 2024: Labour Day moved to Tuesday 7 May (the library already knows); a tenant may
    # also correct a year the library does not know yet.
    fixes = [
        Override(date(2029, 5, 1), "remove"),
        Override(date(2029, 5, 8), "add", "Εργατική Πρωτομαγιά (μετάθεση)"),
    ]
    days = tenant_days(2029, overrides=fixes)
    assert date(2029, 5, 1) not in days
    assert days[date(2029, 5, 8)].closed and days[date(2029, 5, 8)].source == "override"
    assert date(2024, 5, 7) in {d.day for d in national_days(2024)}
    half = tenant_days(2029, overrides=[Override(date(2029, 4, 5), "half_day", "Τοπική")])
    assert half[date(2029, 4, 5)].kind == "half_day"


# -- absences ------------------------------------------------------------------------------------

ABSENCE_CASES = [
    (Absence(STAFF, "leave", t("00:00"), t("00:00", DAY + timedelta(days=1))), ["staff_absent"]),
    (Absence(STAFF, "training", t("11:00"), t("13:00")), []),  # touching
    (Absence(STAFF, "sick", t("10:59"), t("13:00")), ["staff_absent"]),
    (Absence(OTHER_STAFF, "leave", t("00:00"), t("23:00")), []),
]


@pytest.mark.parametrize(("absence", "expected"), ABSENCE_CASES)
def test_absences(absence: Absence, expected: list[str]) -> None:
    assert codes_of(check_booking(facts("10:00", "11:00", absences=[absence]))) == expected


def test_every_refusal_at_once() -> None:
    day = date(2027, 3, 15)  # Clean Monday
    result = check_booking(
        facts(
            "10:00",
            "11:00",
            day,
            days=days_between(day, day),
            absences=[Absence(STAFF, "leave", t("00:00", day), t("23:00", day))],
            busy=[Busy(EXISTING, "staff", STAFF, t("10:00", day), t("11:00", day))],
        )
    )
    assert codes_of(result) == ["holiday", "staff_absent", "conflict"]


# -- status --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "ok"),
    [
        ("scheduled", "confirmed", True),
        ("scheduled", "cancelled", True),
        ("confirmed", "completed", True),
        ("completed", "no_show", True),
        ("cancelled", "scheduled", False),
        ("completed", "scheduled", False),
        ("no_show", "cancelled", False),
        ("scheduled", "scheduled", True),
    ],
)
def test_transitions(old: str, new: str, ok: bool) -> None:
    assert rules.can_transition(old, new) is ok


# -- free slots ----------------------------------------------------------------------------------


def slot_facts(slot: rules.Interval, blockers: list[Busy]) -> BookingFacts:
    return BookingFacts(
        start=slot.start,
        end=slot.end,
        opening=HOURS,
        days=days_between(date(2027, 12, 20), date(2027, 12, 31)),
        busy=blockers,
        staff_ids=(STAFF,),
    )


def test_free_slots_skip_busy_time_holidays_and_respect_half_days() -> None:
    start = datetime(2027, 12, 23, 0, 0, tzinfo=ATHENS)
    end = datetime(2027, 12, 28, 0, 0, tzinfo=ATHENS)
    taken = [
        Busy(
            EXISTING,
            "staff",
            STAFF,
            datetime(2027, 12, 23, 9, 0, tzinfo=ATHENS),
            datetime(2027, 12, 23, 11, 0, tzinfo=ATHENS),
        )
    ]
    slots = rules.free_slots(
        start=start,
        end=end,
        minutes=60,
        step_minutes=30,
        timezone="Europe/Athens",
        opening=HOURS,
        staff_hours=None,
        days=days_between(date(2027, 12, 20), date(2027, 12, 31)),
        blockers=[rules.Interval(b.start, b.end) for b in taken],
        limit=500,
    )
    local = [
        (s.start.astimezone(ATHENS).date(), s.start.astimezone(ATHENS).strftime("%H:%M"))
        for s in slots
    ]
    thursday = [hm for d, hm in local if d == date(2027, 12, 23)]
    assert thursday[0] == "08:00" and "09:00" not in thursday and "10:30" not in thursday
    assert "11:00" in thursday and thursday[-1] == "14:00"
    friday = [hm for d, hm in local if d == date(2027, 12, 24)]
    assert friday[-1] == "12:00"  # half-day: closes at 13:00
    assert not [d for d, _ in local if d in (date(2027, 12, 25), date(2027, 12, 26))]
    assert date(2027, 12, 27) in {d for d, _ in local}  # Monday
    for slot in slots:  # every slot passes the booking rules
        assert check_booking(slot_facts(slot, taken)) == []


def test_free_slots_limit_and_grid() -> None:
    start = datetime(2027, 3, 2, 9, 10, tzinfo=ATHENS)
    slots = rules.free_slots(
        start=start,
        end=start + timedelta(days=1),
        minutes=45,
        step_minutes=15,
        timezone="Europe/Athens",
        opening=HOURS,
        staff_hours=None,
        days={},
        blockers=[],
        limit=3,
    )
    assert [s.start.astimezone(ATHENS).strftime("%H:%M") for s in slots] == [
        "09:15",
        "09:30",
        "09:45",
    ]
    assert all(s.end - s.start == timedelta(minutes=45) for s in slots)


# -- recurrence ------------------------------------------------------------------------------------


def test_weekly_series_keeps_local_time_across_summer_time() -> None:
    first = datetime(2027, 3, 16, 10, 0, tzinfo=ATHENS)  # Tuesday, winter time
    got = occurrences(first, 50, Recurrence(count=4), "Europe/Athens")
    local = [s.astimezone(ATHENS).strftime("%m-%d %H:%M") for s, _ in got]
    assert local == ["03-16 10:00", "03-23 10:00", "03-30 10:00", "04-06 10:00"]
    assert got[0][0].astimezone(UTC).hour == 8 and got[-1][0].astimezone(UTC).hour == 7


def test_every_two_weeks_on_two_days_until_a_date() -> None:
    first = datetime(2027, 3, 1, 9, 0, tzinfo=ATHENS)  # Monday
    rule = Recurrence(interval=2, weekdays=("MO", "TH"), until=date(2027, 3, 31))
    days = [
        s.astimezone(ATHENS).date().isoformat()
        for s, _ in occurrences(first, 60, rule, "Europe/Athens")
    ]
    assert days == ["2027-03-01", "2027-03-04", "2027-03-15", "2027-03-18", "2027-03-29"]
    assert rule.rule_string(first.replace(tzinfo=None)) == (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;UNTIL=20270331T235959"
    )


def test_rrule_strings() -> None:
    assert parse_rule("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;COUNT=10") == Recurrence(
        interval=2, weekdays=("MO", "TH"), count=10
    )
    for bad, code in [
        ("FREQ=DAILY;COUNT=3", "recurrence_unsupported"),
        ("FREQ=WEEKLY;BYDAY=XX;COUNT=2", "recurrence_weekday"),
        ("FREQ=WEEKLY;COUNT=abc", "recurrence_invalid"),
        ("FREQ=WEEKLY;BYSETPOS=1;COUNT=2", "recurrence_unsupported"),
    ]:
        with pytest.raises(RecurrenceError) as info:
            parse_rule(bad)
        assert info.value.code == code


@pytest.mark.parametrize(
    ("rule", "code"),
    [
        (Recurrence(), "recurrence_end_required"),
        (Recurrence(count=3, until=date(2027, 5, 1)), "recurrence_until_and_count"),
        (Recurrence(count=500), "recurrence_too_long"),
        (Recurrence(until=date(2031, 1, 1)), "recurrence_too_long"),
        (Recurrence(until=date(2026, 1, 1)), "recurrence_until_before_start"),
        (Recurrence(interval=0, count=2), "recurrence_interval"),
    ],
)
def test_recurrence_limits(rule: Recurrence, code: str) -> None:
    with pytest.raises(RecurrenceError) as info:
        occurrences(datetime(2027, 3, 1, 9, 0, tzinfo=ATHENS), 60, rule, "Europe/Athens")
    assert info.value.code == code
