"""Pure rules of the food bank: eligibility, scales, baskets, visit limit, FEFO, channels."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from plugins.food_bank import rules
from plugins.food_bank.settings import FundingSource, Settings

TODAY = date(2026, 3, 16)


@pytest.mark.parametrize(
    ("mode", "categories", "size", "income", "disabled", "eligible", "code"),
    [
        ("min_income", ("min_income",), 1, None, 0, True, "min_income_recipient"),
        ("min_income", ("unemployed",), 3, None, 0, False, "not_min_income_recipient"),
        ("min_income", (), 2, Decimal(100), 0, False, "not_min_income_recipient"),
        # FACTS §5.4: single person ≤ 5,500, +1,200 per dependant, +3,000 disability ≥ 67%.
        ("income_ceiling", (), 1, Decimal(5500), 0, True, "income_within_ceiling"),
        ("income_ceiling", (), 1, Decimal("5500.01"), 0, False, "income_above_ceiling"),
        ("income_ceiling", (), 3, Decimal(7900), 0, True, "income_within_ceiling"),
        ("income_ceiling", (), 3, Decimal(7901), 0, False, "income_above_ceiling"),
        ("income_ceiling", (), 3, Decimal(10900), 1, True, "income_within_ceiling"),
        ("income_ceiling", (), 2, None, 0, False, "income_missing"),
    ],
)
def test_eligibility_table(mode, categories, size, income, disabled, eligible, code) -> None:
    settings = Settings(eligibility_mode=mode)
    facts = rules.EligibilityFacts(categories, size, income, disabled)
    decision = rules.check_eligibility(facts, settings, TODAY)
    assert decision.eligible is eligible
    assert decision.reasons[0].code == code
    if eligible:
        assert decision.valid_until == date(2026, 9, 15)
    else:
        assert decision.valid_until is None


def test_validity_month_end() -> None:
    decision = rules.check_eligibility(
        rules.EligibilityFacts(("min_income",), 1), Settings(), date(2026, 8, 31)
    )
    assert decision.valid_until == date(2027, 2, 27)  # 28 Feb minus a day


@pytest.mark.parametrize(
    ("ages", "scale", "single", "weight"),
    [
        ((40, 38, 10, 8), "oecd_modified", False, 2.1),  # FACTS §5.3
        ((35, 5), "oecd_modified", False, 1.3),
        ((40, 38, 10, 8), "min_income", False, 2.0),
        ((35, 16, 5), "min_income", True, 1.75),  # oldest minor counts as an adult (378 €)
        ((35, 16, 5), "min_income", False, 1.5),
        ((12, 9), "oecd_modified", False, 1.3),
        ((None, 30), "oecd_modified", False, 1.5),
    ],
)
def test_equivalence(ages, scale, single, weight) -> None:
    assert rules.equivalence_weight(ages, scale, single) == pytest.approx(weight)


def test_basket_bands_and_equivalence() -> None:
    units = {c: "pack" for c in ("rice", "pasta", "lentils", "beans", "rusks", "sugar")}
    small = rules.basket(Settings(), 2, 1.5, units)
    large = rules.basket(Settings(), 4, 2.1, units)
    assert [b.quantity_milli for b in small] == [6000, 6000, 5000, 4000, 1000, 1000]
    assert [b.quantity_milli for b in large] == [8000, 8000, 7000, 6000, 3000, 2000]
    eq = rules.basket(Settings(basket_mode="equivalence"), 4, 2.1, units)
    assert eq[0].quantity_milli == 13000  # 6 × 2.1 = 12.6, whole packs
    assert rules.basket(Settings(), 2, 1.5, {"rice": "pack"})[0].item_code == "rice"


def test_frequency_calendar_month_and_days() -> None:
    s = Settings()
    assert rules.frequency_refusal([], TODAY, s) is None
    refusal = rules.frequency_refusal([date(2026, 3, 2)], TODAY, s)
    assert refusal is not None and refusal.params["next"] == "2026-04-01"
    assert rules.frequency_refusal([date(2026, 2, 28)], TODAY, s) is None
    rolling = Settings(visit_limit_period="days", visit_limit_days=30)
    refusal = rules.frequency_refusal([date(2026, 2, 20)], TODAY, rolling)
    assert refusal is not None and refusal.params["next"] == "2026-03-22"
    two = Settings(visits_per_period=2)
    assert rules.frequency_refusal([date(2026, 3, 2)], TODAY, two) is None


def _lot(on_hand, expiry, kind="best_before", source="donation", received=TODAY, q=False):
    return rules.LotFacts(uuid4(), on_hand, kind, expiry, received, source, q)


def test_fefo_skips_expired_and_orders_by_expiry() -> None:
    s = Settings()
    expired = _lot(5000, TODAY - timedelta(days=1), "use_by")
    late = _lot(5000, TODAY + timedelta(days=30))
    early = _lot(2000, TODAY + timedelta(days=3))
    past_bb = _lot(1000, TODAY - timedelta(days=2), "best_before")
    undated = _lot(9000, None, "none")
    picks = rules.fefo_pick(
        [late, expired, undated, early, past_bb], 4000, "distribution", TODAY, s
    )
    assert [(p.lot_id, p.quantity) for p in picks] == [
        (past_bb.id, 1000),
        (early.id, 2000),
        (late.id, 1000),
    ]
    with pytest.raises(rules.InsufficientStock):
        rules.fefo_pick([expired], 1000, "distribution", TODAY, s)
    assert rules.lot_refusal(expired, "distribution", TODAY, s) == "lot_expired"
    assert rules.lot_state("best_before", TODAY - timedelta(days=1), TODAY) == "past_best_before"


def test_teba_never_feeds_a_social_grocery() -> None:
    with pytest.raises(ValueError):
        FundingSource(code="teba", title_el="Τ", title_en="T", channels=["social_grocery"])
    s = Settings()
    teba = _lot(5000, TODAY + timedelta(days=30), source="teba")
    assert rules.channel_allowed("teba", "distribution", s)
    assert not rules.channel_allowed("teba", "social_grocery", s)
    assert not rules.channel_allowed("teba", "snack_packs", s)
    with pytest.raises(rules.InsufficientStock):
        rules.fefo_pick([teba], 1000, "social_grocery", TODAY, s)


@pytest.mark.parametrize(
    ("unit", "quantity", "problem"),
    [
        ("piece", Decimal("1.5"), "quantity_not_whole"),
        ("piece", Decimal(-1), "quantity_not_positive"),
        ("piece", Decimal(0), "quantity_not_positive"),
        ("kg", Decimal("1.5"), None),
        ("kg", Decimal("0.0005"), "quantity_too_precise"),
        ("pack", Decimal(3), None),
    ],
)
def test_quantities(unit, quantity, problem) -> None:
    assert rules.quantity_problem(unit, quantity) == problem


def test_snack_packs_by_school_level() -> None:
    s = Settings()
    levels = ("primary", "primary", "lower_secondary", "preschool", None, "upper_secondary")
    assert rules.snack_packs(levels, s) == {
        "primary": 10,
        "lower_secondary": 5,
        "upper_secondary": 5,
    }
    assert rules.schoolchildren(levels) == {
        "primary": 2,
        "lower_secondary": 1,
        "upper_secondary": 1,
    }
    assert rules.snack_packs(("preschool",), s) == {}


@hsettings(max_examples=200, deadline=None)
@given(
    lots=st.lists(
        st.tuples(
            st.integers(0, 50_000),
            st.integers(-10, 60),
            st.sampled_from(["use_by", "best_before", "none"]),
        ),
        min_size=1,
        max_size=8,
    ),
    wanted=st.lists(st.integers(1, 40_000), min_size=1, max_size=10),
)
def test_ledger_invariants(lots, wanted) -> None:
    """Apply picks like the service does: on-hand never negative, movements sum to on-hand,
    and nothing past its use-by date ever leaves."""
    s = Settings()
    state = {}
    ledger: dict = {}
    for on_hand, days, kind in lots:
        lot = _lot(on_hand, TODAY + timedelta(days=days), kind)
        state[lot.id] = lot
        ledger[lot.id] = [on_hand]
    for quantity in wanted:
        try:
            picks = rules.fefo_pick(state.values(), quantity, "distribution", TODAY, s)
        except rules.InsufficientStock:
            continue
        assert sum(p.quantity for p in picks) == quantity
        for p in picks:
            lot = state[p.lot_id]
            assert rules.lot_state(lot.date_kind, lot.expiry, TODAY) != "expired"
            state[p.lot_id] = rules.LotFacts(
                lot.id,
                lot.on_hand - p.quantity,
                lot.date_kind,
                lot.expiry,
                lot.received_on,
                lot.funding_source,
            )
            ledger[p.lot_id].append(-p.quantity)
    for lot_id, lot in state.items():
        assert lot.on_hand >= 0
        assert sum(ledger[lot_id]) == lot.on_hand
