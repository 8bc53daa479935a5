"""Pure rules: minimum-income estimate (FACTS.md §4.5 table), readiness, match score, ESF."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from plugins.roma_branch import rules
from plugins.roma_branch.rules import Household

# FACTS.md §4.5: household -> guaranteed €/month, max 6-month income €
TABLE = [
    (Household(1, 0), 216, 1296),
    (Household(2, 0), 324, 1944),
    (Household(2, 1), 378, 2268),
    (Household(2, 2), 432, 2592),
    (Household(3, 0), 432, 2592),
    (Household(1, 1, single_parent=True), 324, 1944),
    (Household(1, 2, single_parent=True), 378, 2268),
]


@pytest.mark.parametrize(("household", "guaranteed", "limit"), TABLE)
def test_guaranteed_amount_and_income_limit_match_facts(
    household: Household, guaranteed: int, limit: int
) -> None:
    est = rules.minimum_income(household, Decimal(0))
    assert est.guaranteed == Decimal(guaranteed)
    assert est.income_limit == Decimal(limit)
    assert est.monthly_payment == Decimal(guaranteed)  # no income: the whole amount


def test_monthly_payment_is_the_shortfall_over_six_months() -> None:
    est = rules.minimum_income(
        Household(2, 2),
        Decimal(1000),
        real_estate=Decimal(0),
        vehicles=Decimal(0),
        deposits=Decimal(0),
    )
    # (6 × 432 − 1000) / 6 = 265.33
    assert est.monthly_payment == Decimal("265.33")
    assert est.eligible is True and est.reasons == ()


def test_income_over_the_limit_is_not_eligible() -> None:
    est = rules.minimum_income(Household(1, 0), Decimal("1296.01"))
    assert not est.income_passed and est.eligible is False
    assert est.monthly_payment == Decimal("0.00")
    assert "income_over_limit" in est.reasons
    at_limit = rules.minimum_income(Household(1, 0), Decimal(1296))
    assert at_limit.income_passed and at_limit.monthly_payment == Decimal("0.00")


def test_cap_of_972_whatever_the_composition() -> None:
    est = rules.minimum_income(Household(6, 8), Decimal(0))
    assert est.guaranteed == Decimal(972)
    assert est.lines[-1].code == "cap"
    assert est.income_limit == Decimal(5832)


def test_explained_line_by_line_with_single_parent_and_unprotected_children() -> None:
    est = rules.minimum_income(Household(1, 3, single_parent=True), Decimal(0))
    codes = [line.code for line in est.lines]
    assert codes == ["single_parent_oldest_as_adult", "first_adult", "extra_adults", "minors"]
    assert (est.counted_adults, est.counted_minors) == (2, 2)
    assert est.guaranteed == Decimal(216 + 108 + 2 * 54)
    orphan = rules.minimum_income(Household(1, 2, unprotected_children=1), Decimal(0))
    assert (orphan.counted_adults, orphan.counted_minors) == (2, 1)
    assert orphan.guaranteed == Decimal(378)


def test_asset_tests_use_the_equivalence_scale() -> None:
    est = rules.minimum_income(
        Household(2, 2),
        Decimal(0),
        real_estate=Decimal(150000),
        vehicles=Decimal("6000.01"),
        deposits=Decimal(9600),
    )
    by = {a.code: a for a in est.assets}
    assert by["real_estate"].limit == Decimal(135000) and by["real_estate"].passed is False
    assert by["vehicles"].passed is False
    assert by["deposits"].limit == Decimal(9600) and by["deposits"].passed is True
    assert est.eligible is False and est.monthly_payment == Decimal("0.00")
    undeclared = rules.minimum_income(Household(1, 0), Decimal(0))
    assert undeclared.eligible is None  # provisional until assets are declared
    assert "deposits_not_declared" in undeclared.reasons


def test_parameters_come_from_settings() -> None:
    old = rules.MiParams(
        **{
            **rules.DEFAULT_MI.__dict__,
            "first_adult": Decimal(200),
            "extra_adult": Decimal(100),
            "child": Decimal(50),
            "cap": Decimal(900),
        }
    )
    assert rules.minimum_income(Household(2, 1), Decimal(0), params=old).guaranteed == 350


@pytest.mark.parametrize(
    ("household", "field", "code"),
    [
        (Household(0, 2), "adults", "roma_branch_household_no_adult"),
        (
            Household(2, 0, single_parent=True),
            "single_parent",
            "roma_branch_single_parent_without_child",
        ),
        (
            Household(1, 1, unprotected_children=2),
            "unprotected_children",
            "roma_branch_unprotected_over_minors",
        ),
        (Household(-1, 0), "adults", "greater_than_equal"),
        (Household(15, 10), "minors", "roma_branch_household_too_large"),
    ],
)
def test_impossible_households(household: Household, field: str, code: str) -> None:
    assert (field, code) in rules.household_errors(household)


def test_a_household_of_unprotected_children_alone_is_possible() -> None:
    assert rules.household_errors(Household(0, 2, unprotected_children=2)) == []


def test_readiness_with_expiries() -> None:
    on = date(2026, 3, 10)
    items = [
        rules.ChecklistFacts("id_document", True, True, date(2026, 3, 9)),  # expired yesterday
        rules.ChecklistFacts("iban", True, True),
        rules.ChecklistFacts("unemployment_card", False, False),  # optional, missing
        rules.ChecklistFacts("family_status", True, True, date(2026, 3, 30)),  # valid, soon
    ]
    r = rules.readiness(items, on, warning_days=30)
    assert not r.ready and r.expired == ("id_document",) and r.missing == ()
    assert r.expiring == ("family_status",)
    renewed = [rules.ChecklistFacts("id_document", True, True, on), *items[1:]]
    ok = rules.readiness(renewed, on, warning_days=30)
    assert ok.ready and ok.verdict == "ready"  # valid through its expiry day
    missing = rules.readiness([rules.ChecklistFacts("iban", True, False)], on)
    assert missing.missing == ("iban",) and not missing.ready
    optional_expired = rules.readiness(
        [rules.ChecklistFacts("card", False, True, date(2026, 1, 1))], on
    )
    assert optional_expired.ready and optional_expired.expired == ("card",)


def test_match_score_with_reasons_and_greek_folding() -> None:
    seeker = rules.SeekerFacts("isced_1_2", ("Οδήγηση", "ΜΑΓΕΙΡΑΣ"), 1, ("δίπλωμα β",), "seasonal")
    vacancy = rules.VacancyFacts(
        "isced_3_4", ("οδηγηση", "αποθήκη"), 2, ("Δίπλωμα Β", "δίπλωμα Γ"), "full_time"
    )
    score = rules.match_score(seeker, vacancy)
    by = {i.code: i for i in score.items}
    assert by["skills"].points == 20 and by["skills"].matched == ("οδηγηση",)
    assert by["skills"].missing == ("αποθήκη",)
    assert by["education"].points == 0
    assert by["experience"].points == 8  # 1 of 2 years of 15 points, rounded half up
    assert by["licences"].points == 8 and by["licences"].missing == ("δίπλωμα Γ",)
    assert by["availability"].points == 0
    assert score.total == 36
    perfect = rules.match_score(
        rules.SeekerFacts("isced_5_8", ("αποθήκη",), 5, (), "any"),
        rules.VacancyFacts("none", (), 0, (), "full_time"),
    )
    assert perfect.total == 100


def test_followup_dates_clamp_to_month_end() -> None:
    assert rules.followup_dates(date(2026, 1, 31), [1, 3, 6]) == [
        (1, date(2026, 2, 28)),
        (3, date(2026, 4, 30)),
        (6, date(2026, 7, 31)),
    ]


def test_age_bands_of_both_periods() -> None:
    assert [rules.age_band("2014_2020", a) for a in (24, 25, 54, 55)] == [
        "under_25",
        "25_54",
        "25_54",
        "over_54",
    ]
    assert [rules.age_band("2021_2027", a) for a in (17, 18, 29, 30, 54, 55)] == [
        "under_18",
        "18_29",
        "18_29",
        "30_54",
        "30_54",
        "55_plus",
    ]
