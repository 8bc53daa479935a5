"""Pure rules of Help at Home against hand-computed cases (FACTS.md §3.2, §3.5)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from plugins.help_at_home import rules
from plugins.help_at_home.settings import Settings

KATZ_ALL = dict.fromkeys(rules.KATZ_ITEMS, 1)
BARTHEL_FULL = {k: v[-1] for k, v in rules.BARTHEL_VALUES.items()}


def katz_with(dependent: int) -> dict[str, int]:
    items = dict(KATZ_ALL)
    for name in rules.KATZ_ITEMS[:dependent]:
        items[name] = 0
    return items


@pytest.mark.parametrize(
    ("dependent", "total", "band"),
    [
        (0, 6, "full_function"),
        (1, 5, "moderate"),
        (2, 4, "moderate"),
        (3, 3, "severe"),
        (6, 0, "severe"),
    ],
)
def test_katz_totals_and_every_band_boundary(dependent: int, total: int, band: str) -> None:
    result = rules.score_katz(katz_with(dependent))
    assert (result.total, result.band, result.maximum) == (total, band, 6)


def test_katz_refuses_a_score_outside_0_1_and_a_missing_item() -> None:
    with pytest.raises(rules.ScoreError) as bad:
        rules.score_katz({**KATZ_ALL, "bathing": 2})
    assert (bad.value.item, bad.value.code) == ("bathing", "invalid_score")
    with pytest.raises(rules.ScoreError) as missing:
        rules.score_katz({k: v for k, v in KATZ_ALL.items() if k != "feeding"})
    assert (missing.value.item, missing.value.code) == ("feeding", "missing")
    with pytest.raises(rules.ScoreError):
        rules.score_katz({**KATZ_ALL, "bathing": True})  # a bool is not a score


# Option chosen -> item score, straight from the FACTS.md table.
LAWTON_TABLE = {
    "telephone": {1: 1, 2: 1, 3: 1, 4: 0},
    "shopping": {1: 1, 2: 0, 3: 0, 4: 0},
    "food_preparation": {1: 1, 2: 0, 3: 0, 4: 0},
    "housekeeping": {1: 1, 2: 1, 3: 1, 4: 1, 5: 0},
    "laundry": {1: 1, 2: 1, 3: 0},
    "transportation": {1: 1, 2: 1, 3: 1, 4: 0, 5: 0},
    "medications": {1: 1, 2: 0, 3: 0},
    "finances": {1: 1, 2: 1, 3: 0},
}


@pytest.mark.parametrize(
    ("item", "option", "expected"),
    [(i, o, s) for i, opts in LAWTON_TABLE.items() for o, s in opts.items()],
)
def test_lawton_per_item_scoring(item: str, option: int, expected: int) -> None:
    items = dict.fromkeys(rules.LAWTON_ITEMS, 1)
    items[item] = option
    result = rules.score_lawton(items)
    assert result.item_scores[item] == expected
    assert result.total == 7 + expected
    assert result.band == ("independent" if expected else "dependent")


def test_lawton_worst_answers_score_zero_and_out_of_range_options_are_refused() -> None:
    worst = {k: max(v) for k, v in LAWTON_TABLE.items()}
    assert rules.score_lawton(worst).total == 0
    with pytest.raises(rules.ScoreError) as bad:
        rules.score_lawton({**worst, "laundry": 4})
    assert (bad.value.item, bad.value.code) == ("laundry", "invalid_option")


@pytest.mark.parametrize(
    ("changes", "total", "band"),
    [
        ({}, 100, "independent"),
        ({"bathing": 0}, 95, "slight"),
        ({"feeding": 5, "grooming": 0}, 90, "moderate"),  # 91-99 slight, 90 moderate
        ({"grooming": 0, "bathing": 0}, 90, "moderate"),
        ({"stairs": 0, "mobility": 0, "transfers": 0, "dressing": 0, "bathing": 0}, 45, "severe"),
        (
            {
                "stairs": 0,
                "mobility": 0,
                "transfers": 5,
                "dressing": 0,
                "bathing": 0,
                "feeding": 5,
                "bowels": 5,
            },
            40,
            "severe",
        ),
        (
            {
                "stairs": 0,
                "mobility": 0,
                "transfers": 0,
                "dressing": 0,
                "bathing": 0,
                "feeding": 0,
                "grooming": 0,
                "toilet_use": 0,
            },
            20,
            "total",
        ),
        (dict.fromkeys(rules.BARTHEL_ITEMS, 0), 0, "total"),
    ],
)
def test_barthel_totals_and_bands(changes: dict[str, int], total: int, band: str) -> None:
    result = rules.score_barthel({**BARTHEL_FULL, **changes})
    assert (result.total, result.band) == (total, band)


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (100, "independent"),
        (99, "slight"),
        (91, "slight"),
        (90, "moderate"),
        (61, "moderate"),
        (60, "severe"),
        (21, "severe"),
        (20, "total"),
        (0, "total"),
    ],
)
def test_barthel_band_boundaries(total: int, band: str) -> None:
    assert rules.barthel_band(total) == band


def test_barthel_refuses_modified_barthel_steps() -> None:
    with pytest.raises(rules.ScoreError) as bad:
        rules.score_barthel({**BARTHEL_FULL, "transfers": 12})  # Shah's modified scale
    assert bad.value.item == "transfers"
    assert bad.value.params["allowed"] == "0, 5, 10, 15"


# -- eligibility, table-driven ----------------------------------------------------------------

DEFAULT = Settings()
CEILING = Settings(income_ceiling=Decimal("9000"))


@pytest.mark.parametrize(
    ("facts", "settings", "decision", "failed"),
    [
        (rules.Facts(age=72, lives_alone=True, scores={"barthel": 80}), DEFAULT, "eligible", []),
        (
            rules.Facts(age=65, family_support="partial", scores={"katz": 5}),
            DEFAULT,
            "eligible",
            [],
        ),
        (
            rules.Facts(age=64, lives_alone=True, scores={"katz": 3}),
            DEFAULT,
            "not_eligible",
            ["age", "target_group"],
        ),
        # a disabled person of any age (ΑμεΑ)
        (
            rules.Facts(age=40, disability_percent=67, lives_alone=True, scores={"barthel": 50}),
            DEFAULT,
            "eligible",
            ["age"],
        ),
        (
            rules.Facts(age=40, disability_percent=50, lives_alone=True, scores={"barthel": 50}),
            DEFAULT,
            "not_eligible",
            ["age", "disability", "target_group"],
        ),
        # fully self-sufficient on every counted scale
        (
            rules.Facts(age=80, lives_alone=True, scores={"katz": 6, "barthel": 100}),
            DEFAULT,
            "not_eligible",
            ["dependency"],
        ),
        # never assessed: incomplete, not refused
        (rules.Facts(age=80, lives_alone=True), DEFAULT, "incomplete", []),
        # full family care and enough income: no care gap
        (
            rules.Facts(
                age=80, family_support="full", annual_income=Decimal("20000"), scores={"katz": 2}
            ),
            DEFAULT,
            "not_eligible",
            ["care_gap"],
        ),
        # full family care but a low income: a care gap
        (
            rules.Facts(
                age=80, family_support="full", annual_income=Decimal("6000"), scores={"katz": 2}
            ),
            DEFAULT,
            "eligible",
            [],
        ),
        # the tenant's income ceiling
        (
            rules.Facts(
                age=80, lives_alone=True, annual_income=Decimal("9000.01"), scores={"katz": 2}
            ),
            CEILING,
            "not_eligible",
            ["income"],
        ),
        (
            rules.Facts(
                age=80, lives_alone=True, annual_income=Decimal("9000"), scores={"katz": 2}
            ),
            CEILING,
            "eligible",
            [],
        ),
        (rules.Facts(age=80, lives_alone=True, scores={"katz": 2}), CEILING, "incomplete", []),
        # only the scales the tenant counts: Katz is not counted here
        (
            rules.Facts(age=80, lives_alone=True, scores={"katz": 2, "barthel": 100}),
            Settings(scales=["barthel"]),
            "not_eligible",
            ["dependency"],
        ),
        # unknown birth date and no disability: incomplete
        (rules.Facts(age=None, lives_alone=True, scores={"katz": 2}), DEFAULT, "incomplete", []),
    ],
)
def test_eligibility(
    facts: rules.Facts, settings: Settings, decision: str, failed: list[str]
) -> None:
    result = rules.eligibility(facts, settings)
    assert result.decision == decision
    assert sorted(r.code for r in result.reasons if r.status == rules.FAILED) == sorted(failed)
    # every criterion is reported, met or not
    assert {r.code for r in result.reasons} == {
        "age",
        "disability",
        "target_group",
        "dependency",
        "care_gap",
        "income",
    }


def test_min_age_is_a_setting() -> None:
    facts = rules.Facts(age=62, lives_alone=True, scores={"katz": 3})
    assert rules.eligibility(facts, DEFAULT).decision == "not_eligible"
    assert rules.eligibility(facts, Settings(min_age=60)).decision == "eligible"


@pytest.mark.parametrize(
    ("facts", "score", "items"),
    [
        # alone 30 + no support 20 + low income 20 + dependency 30*(100-40)/100=18 + 80+ 10
        (
            rules.Facts(
                age=85,
                lives_alone=True,
                family_support="none",
                annual_income=Decimal("5000"),
                scores={"barthel": 40},
            ),
            98,
            {
                "lives_alone": 30,
                "no_family_support": 20,
                "low_income": 20,
                "dependency": 18,
                "age_80_plus": 10,
                "disability": 0,
            },
        ),
        # partial support: half; Katz 3/6 and Barthel 60/100 -> mean fraction 0.45 -> 13.5 -> 14
        (
            rules.Facts(
                age=70,
                family_support="partial",
                annual_income=Decimal("6000.01"),
                disability_percent=80,
                scores={"katz": 3, "barthel": 60},
            ),
            10 + 14 + 10,
            {
                "lives_alone": 0,
                "no_family_support": 10,
                "low_income": 0,
                "dependency": 14,
                "age_80_plus": 0,
                "disability": 10,
            },
        ),
        (
            rules.Facts(age=79, family_support="full"),
            0,
            {
                "lives_alone": 0,
                "no_family_support": 0,
                "low_income": 0,
                "dependency": 0,
                "age_80_plus": 0,
                "disability": 0,
            },
        ),
    ],
)
def test_priority_score_with_its_breakdown(
    facts: rules.Facts, score: int, items: dict[str, int]
) -> None:
    result = rules.priority(facts, DEFAULT)
    assert {i.code: i.points for i in result.items} == items
    assert result.score == score
    assert result.max_score == 120


def test_priority_order_follows_need() -> None:
    alone = rules.priority(rules.Facts(age=82, lives_alone=True, scores={"katz": 1}), DEFAULT)
    cared = rules.priority(rules.Facts(age=82, family_support="full", scores={"katz": 5}), DEFAULT)
    assert alone.score > cared.score


# -- reassessments, alerts ------------------------------------------------------------------


def test_reassessment_due_dates() -> None:
    settings = Settings(reassessment_months=6)
    today = date(2025, 3, 1)
    due = {
        r.scale: r
        for r in rules.reassessments_due(
            {"katz": date(2024, 8, 31), "barthel": date(2025, 1, 10)},
            settings,
            today,
            incidents=[date(2025, 2, 1), date(2024, 12, 1)],
            plan_start=date(2025, 1, 5),
        )
    }
    # 31 Aug + 6 months is the last day of February; the fall of 1 Dec came before it
    assert (due["katz"].due, due["katz"].reason) == (date(2024, 12, 1), "incident")
    assert due["katz"].overdue
    # the fall of 1 Feb came after the Barthel of 10 Jan
    assert (due["barthel"].due, due["barthel"].reason) == (date(2025, 2, 1), "incident")
    assert (due["lawton"].due, due["lawton"].reason) == (date(2025, 1, 5), "never_assessed")
    assert rules.add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert rules.add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert rules.add_months(date(2024, 11, 15), 3) == date(2025, 2, 15)


def test_band_change_alerts() -> None:
    assert rules.band_change_alerts("barthel", None, (80, "moderate")) == []
    worse = rules.band_change_alerts("barthel", (95, "slight"), (85, "moderate"))
    assert [a.code for a in worse] == ["band_worsened"]
    better = rules.band_change_alerts("katz", (3, "severe"), (5, "moderate"))
    assert [a.code for a in better] == ["band_improved"]
    drop = rules.band_change_alerts("barthel", (90, "moderate"), (70, "moderate"), barthel_drop=15)
    assert [a.code for a in drop] == ["score_drop"]
    small = rules.band_change_alerts("barthel", (90, "moderate"), (80, "moderate"), barthel_drop=15)
    assert small == []
    assert [
        a.code for a in rules.band_change_alerts("lawton", (6, "dependent"), (5, "dependent"))
    ] == ["score_drop"]


# -- visits ---------------------------------------------------------------------------------


def test_vital_signs_plausibility() -> None:
    assert rules.vital_sign_problems({"systolic_bp": 130, "diastolic_bp": 80, "spo2": 97}) == []
    problems = rules.vital_sign_problems({"systolic_bp": 300, "temperature_c": 31.9})
    assert {p[0] for p in problems} == {"systolic_bp", "temperature_c"}
    assert rules.vital_sign_problems({"systolic_bp": 120, "diastolic_bp": 120})[0][:2] == (
        "diastolic_bp",
        "diastolic_not_below_systolic",
    )


def test_visit_flags() -> None:
    settings = Settings(late_after_minutes=15, missed_after_minutes=60)
    start = datetime(2025, 5, 6, 9, 0, tzinfo=UTC)
    end = start + timedelta(hours=1)
    on_time = rules.visit_flags(start, end, start + timedelta(minutes=15), "planned", end, settings)
    assert (on_time.late, on_time.missed) == (False, False)
    late = rules.visit_flags(start, end, start + timedelta(minutes=16), "planned", end, settings)
    assert (late.late, late.late_minutes) == (True, 16)
    still = rules.visit_flags(start, end, None, "planned", end + timedelta(minutes=60), settings)
    assert not still.missed
    missed = rules.visit_flags(start, end, None, "planned", end + timedelta(minutes=61), settings)
    assert missed.missed


def test_visiting_order_by_time_then_nearest_postcode() -> None:
    nine = datetime(2025, 5, 6, 9, 0, tzinfo=UTC)
    stops = [
        rules.Stop("far", nine, "15341", "Λεωφόρος Κηφισίας", "10"),
        rules.Stop("near", nine, "11142"),
        rules.Stop("later", nine + timedelta(hours=2), "11141"),
        rules.Stop("first", nine - timedelta(hours=1), "11141"),
    ]
    by_time = rules.visiting_order(stops, start_postcode="11141")
    assert [s.id for s in by_time] == ["first", "near", "far", "later"]
    # route: from the unit's 15341 to the nearest postcode each time; ties by address, then id
    route = rules.visiting_order(stops, mode="route", start_postcode="15341")
    assert [s.id for s in route] == ["far", "near", "first", "later"]
    # without a unit postcode the round starts at the earliest visit
    assert rules.visiting_order(stops, mode="route")[0].id == "first"


def test_age_groups_and_age_on_birthdays() -> None:
    assert rules.age_on(date(1950, 2, 28), date(2025, 2, 27)) == 74
    assert rules.age_on(date(1950, 2, 28), date(2025, 2, 28)) == 75
    assert rules.age_on(date(1948, 2, 29), date(2025, 2, 28)) == 76  # leap-day birthday
    assert [rules.age_group(a) for a in (64, 65, 74, 75, 85, None)] == [
        "under_65",
        "65_74",
        "65_74",
        "75_84",
        "85_plus",
        "unknown",
    ]
