"""Household composition for the rules of modules (eligibility, basket sizes, benefits).

`compose` is a pure function from member facts to the composition, so every figure a module's
decision rests on can be tested table by table and explained. `household_composition` reads
the facts of one household (or of one person, alone if they have none) and calls it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

PARENT_RELATIONS = ("head", "spouse")

# OECD-modified equivalence scale: 1 for the first person aged 14+, 0.5 for each further
# person aged 14+, 0.3 for each child under 14.
OECD_FIRST_ADULT = 1.0
OECD_OTHER_ADULT = 0.5
OECD_CHILD = 0.3
OECD_CHILD_AGE = 14
ADULT_AGE = 18


@dataclass(frozen=True)
class MemberFacts:
    """One member as the rules see them: no names, only what the figures need."""

    birth_date: date | None
    relation: str = "other"
    school_level: str | None = None
    beneficiary_id: object | None = None


@dataclass(frozen=True)
class HouseholdComposition:
    size: int
    adults: int  # aged 18 or more (members of unknown age count as adults)
    minors: int  # under 18
    children_under_14: int
    ages: tuple[int | None, ...]  # in member order; None where the birth date is unknown
    school_levels: tuple[str | None, ...]  # in member order
    single_parent: bool
    oecd_weight: float
    on: date


def age_on(birth_date: date, on: date) -> int:
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def compose(members: list[MemberFacts], on: date) -> HouseholdComposition:
    """The composition of a household on a date.

    `single_parent`: at least one child (relation `child`) under 18, and exactly one of the
    members in a parental relation (`head`, `spouse`) is an adult. Members of unknown age are
    counted as adults (and weigh 0.5 on the OECD scale after the first person).
    """
    ages = tuple(age_on(m.birth_date, on) if m.birth_date else None for m in members)
    adults = sum(1 for a in ages if a is None or a >= ADULT_AGE)
    minors = sum(1 for a in ages if a is not None and a < ADULT_AGE)
    under_14 = sum(1 for a in ages if a is not None and a < OECD_CHILD_AGE)
    older = len(members) - under_14
    if not members:
        weight = 0.0
    elif older == 0:  # only children: the first still counts as the reference person
        weight = OECD_FIRST_ADULT + OECD_CHILD * (under_14 - 1)
    else:
        weight = OECD_FIRST_ADULT + OECD_OTHER_ADULT * (older - 1) + OECD_CHILD * under_14
    children = sum(
        1
        for m, a in zip(members, ages, strict=True)
        if m.relation == "child" and a is not None and a < ADULT_AGE
    )
    parents = sum(
        1
        for m, a in zip(members, ages, strict=True)
        if m.relation in PARENT_RELATIONS and (a is None or a >= ADULT_AGE)
    )
    return HouseholdComposition(
        size=len(members),
        adults=adults,
        minors=minors,
        children_under_14=under_14,
        ages=ages,
        school_levels=tuple(m.school_level for m in members),
        single_parent=children > 0 and parents == 1,
        oecd_weight=round(weight, 2),
        on=on,
    )
