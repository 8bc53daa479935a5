"""The pure rules of the Family Support Centre, with Greek edge cases."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

from plugins.family_center import rules


def test_age_counts_whole_years_and_leap_day_birthdays() -> None:
    assert rules.age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert rules.age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18
    assert rules.age_on(date(2010, 6, 15), date(2026, 6, 14)) == 15
    assert rules.age_on(date(2010, 6, 15), date(2026, 6, 15)) == 16


def test_minor_needs_consent_on_the_session_day() -> None:
    adult, minor, turns_18 = uuid4(), uuid4(), uuid4()
    births = {
        adult: date(1980, 1, 1),
        minor: date(2012, 5, 5),
        turns_18: date(2008, 3, 10),
    }
    decision = rules.minors_without_consent(births, [], date(2026, 3, 9), 18)
    assert decision.flag
    assert {r.params["person_id"] for r in decision.reasons} == {str(minor), str(turns_18)}
    # The day they come of age they need no consent; a recorded consent covers the other.
    later = rules.minors_without_consent(births, [minor], date(2026, 3, 10), 18)
    assert not later.flag and later.reasons == ()
    # The threshold is the tenant's setting, not a constant.
    assert not rules.minors_without_consent(
        {minor: date(2012, 5, 5)}, [], date(2026, 6, 1), 14
    ).flag


def test_review_due_after_threshold_sessions_since_last_review() -> None:
    assert not rules.review_due(9, 0, 10).flag
    due = rules.review_due(10, 0, 10)
    assert due.flag and due.reasons[0].params == {"sessions": 10, "threshold": 10}
    assert not rules.review_due(14, 10, 10).flag
    assert rules.review_due(14, 10, 10).reasons[0].params == {"remaining": 6}
    assert rules.review_due(20, 10, 10).flag


def test_deadline_states_and_default_deadline() -> None:
    received = date(2026, 4, 1)
    assert rules.default_deadline(received, None, 30) == date(2026, 5, 1)
    assert rules.default_deadline(received, date(2026, 4, 8), 30) == date(2026, 4, 8)
    deadline = date(2026, 4, 20)
    assert rules.deadline_state(deadline, date(2026, 4, 10), 5).state == "on_time"
    assert rules.deadline_state(deadline, date(2026, 4, 15), 5).state == "approaching"
    assert rules.deadline_state(deadline, date(2026, 4, 20), 5).days_left == 0
    overdue = rules.deadline_state(deadline, date(2026, 4, 23), 5)
    assert overdue.state == "overdue" and overdue.days_left == -3
    assert overdue.reasons[0].params == {"days": 3}
    late = rules.deadline_state(deadline, date(2026, 5, 1), 5, completed_on=date(2026, 4, 22))
    assert late.state == "completed" and late.reasons[0].code == "completed_late"
    assert rules.days_to_completion(received, date(2026, 4, 22)) == 21
    assert rules.mean([10, 21]) == 15.5 and rules.mean([]) is None


def test_clinical_notes_are_for_the_author_and_named_colleagues_only() -> None:
    author, named, other = uuid4(), uuid4(), uuid4()
    assert rules.can_read_note(author, author, [])
    assert rules.can_read_note(named, author, [str(named)])
    assert not rules.can_read_note(other, author, [str(named)])


def test_remote_link_fills_the_template() -> None:
    sid = uuid4()
    link = rules.remote_link("https://meet.example.gr/{tenant}/{session}", "chalandri", sid)
    assert link == f"https://meet.example.gr/chalandri/{sid.hex[:12]}"


def test_demo_children_take_the_parents_surname_in_their_gender() -> None:
    from plugins.family_center.demo import surname

    assert surname("Παπαδάκης", female=True) == "Παπαδάκη"
    assert surname("Παπαδόπουλος", female=True) == "Παπαδοπούλου"
    assert surname("Παπαδοπούλου", female=False) == "Παπαδόπουλος"
    assert surname("Παπαδάκη", female=False) == "Παπαδάκης"
    assert surname("Νικολάου", female=True) == surname("Νικολάου", female=False) == "Νικολάου"
