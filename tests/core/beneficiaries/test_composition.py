"""Household composition: a pure function, table-driven."""

from __future__ import annotations

from datetime import date

import pytest

from core.beneficiaries.composition import MemberFacts, age_on, compose

ON = date(2026, 6, 30)


def born(age: int, *, birthday_passed: bool = True) -> date:
    return date(ON.year - age, 6 if birthday_passed else 7, 30 if birthday_passed else 1)


def m(age: int | None, relation: str = "other", school: str | None = None) -> MemberFacts:
    return MemberFacts(None if age is None else born(age), relation, school)


@pytest.mark.parametrize(
    ("members", "size", "adults", "minors", "under_14", "single_parent", "weight"),
    [
        ([], 0, 0, 0, 0, False, 0.0),
        ([m(70, "head")], 1, 1, 0, 0, False, 1.0),
        ([m(40, "head"), m(38, "spouse")], 2, 2, 0, 0, False, 1.5),
        ([m(40, "head"), m(38, "spouse"), m(10, "child"), m(5, "child")], 4, 2, 2, 2, False, 2.1),
        ([m(35, "head"), m(8, "child")], 2, 1, 1, 1, True, 1.3),
        ([m(35, "head"), m(16, "child")], 2, 1, 1, 0, True, 1.5),
        ([m(35, "head"), m(20, "child")], 2, 2, 0, 0, False, 1.5),  # adult child only
        ([m(35, "head"), m(8, "child"), m(65, "parent")], 3, 2, 1, 1, True, 1.8),
        ([m(17, "head"), m(1, "child")], 2, 0, 2, 1, False, 1.3),  # minor head: no parent
        ([m(None, "head"), m(3, "child")], 2, 1, 1, 1, True, 1.3),  # unknown age = adult
        ([m(14, "child"), m(13, "child")], 2, 0, 2, 1, False, 1.3),
        ([m(5, "child"), m(3, "child")], 2, 0, 2, 2, False, 1.3),
    ],
)
def test_compose(
    members: list[MemberFacts],
    size: int,
    adults: int,
    minors: int,
    under_14: int,
    single_parent: bool,
    weight: float,
) -> None:
    c = compose(members, ON)
    assert (c.size, c.adults, c.minors, c.children_under_14, c.single_parent, c.oecd_weight) == (
        size,
        adults,
        minors,
        under_14,
        single_parent,
        weight,
    )


def test_ages_and_school_levels_in_member_order() -> None:
    c = compose([m(40, "head"), m(7, "child", "primary"), m(None, "other")], ON)
    assert c.ages == (40, 7, None)
    assert c.school_levels == (None, "primary", None)


@pytest.mark.parametrize(
    ("birth", "age"),
    [
        (date(2008, 6, 30), 18),
        (date(2008, 7, 1), 17),
        (date(2012, 2, 29), 14),
        (date(2026, 6, 30), 0),
    ],
)
def test_age_on(birth: date, age: int) -> None:
    assert age_on(birth, ON) == age
