"""Pure rules of the food bank: facts in, decisions with reasons out (no I/O).

Quantities are integers in thousandths of the item's unit ("milli-units"): a kilogram of
rice is 1000, three tins are 3000. Integers keep the ledger exact on every database.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from plugins.food_bank.settings import SNACK_LEVELS, TEBA, TEBA_FORBIDDEN, Settings

MILLI = 1000
FRACTIONAL_UNITS = ("kg", "l")
UNITS = ("piece", "pack", "kg", "l")


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params}


# -- quantities -------------------------------------------------------------------------------


def to_milli(quantity: Decimal) -> int:
    return int((quantity * MILLI).to_integral_value(rounding=ROUND_HALF_UP))


def from_milli(milli: int) -> Decimal:
    """Thousandths back to the unit, without trailing zeros and never in exponent form
    (`normalize()` alone turns 10 into 1E+1, which a page or a CSV would show as such)."""
    if not milli:
        return Decimal(0)
    value = (Decimal(milli) / MILLI).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def quantity_problem(unit: str, quantity: Decimal, *, allow_zero: bool = False) -> str | None:
    """Why a quantity is not acceptable for a unit (a validation code), or None."""
    if quantity < 0 or (quantity == 0 and not allow_zero):
        return "quantity_not_positive"
    if quantity != quantity.quantize(Decimal("0.001")):
        return "quantity_too_precise"
    if unit not in FRACTIONAL_UNITS and quantity != quantity.to_integral_value():
        return "quantity_not_whole"
    return None


# -- equivalence scales and baskets -------------------------------------------------------------


def age_on(birth: date, on: date) -> int:
    years = on.year - birth.year
    return years - 1 if (on.month, on.day) < (birth.month, birth.day) else years


def equivalence_weight(
    ages: Sequence[int | None], scale: str, single_parent: bool = False
) -> float:
    """Household weight: OECD-modified (1 / 0.5 for 14+ / 0.3 under 14) or the minimum-income
    scale (1 / 0.5 per adult 18+ / 0.25 per minor; in a single-parent household the oldest
    minor counts as an adult). Members of unknown age count as adults."""
    if not ages:
        return 0.0
    if scale == "oecd_modified":
        older = sum(1 for a in ages if a is None or a >= 14)
        young = len(ages) - older
        if older == 0:
            return round(1.0 + 0.3 * (young - 1), 2)
        return round(1.0 + 0.5 * (older - 1) + 0.3 * young, 2)
    adults = sum(1 for a in ages if a is None or a >= 18)
    minors = len(ages) - adults
    if single_parent and minors:
        adults, minors = adults + 1, minors - 1
    if adults == 0:
        return round(1.0 + 0.25 * (minors - 1), 2)
    return round(1.0 + 0.5 * (adults - 1) + 0.25 * minors, 2)


@dataclass(frozen=True)
class BasketItem:
    item_code: str
    quantity_milli: int


def basket(settings: Settings, size: int, weight: float, units: dict[str, str]) -> list[BasketItem]:
    """The basket a household of `size` members (equivalence `weight`) is entitled to.

    `units` maps item codes to their unit; whole-unit items are rounded half up, and never
    below one. Items missing from the catalogue are left out (the caller reports them).
    """
    bands = sorted(settings.basket_bands, key=lambda b: b.min_size)
    if settings.basket_mode == "equivalence":
        chosen = bands[0]
        factor = Decimal(str(weight))
    else:
        chosen = next(
            (b for b in bands if b.min_size <= size and (b.max_size is None or size <= b.max_size)),
            bands[-1] if size >= bands[-1].min_size else bands[0],
        )
        factor = Decimal(1)
    out = []
    for line in chosen.lines:
        unit = units.get(line.item_code)
        if unit is None:
            continue
        quantity = line.quantity * factor
        if unit not in FRACTIONAL_UNITS:
            quantity = max(Decimal(1), quantity.to_integral_value(rounding=ROUND_HALF_UP))
        out.append(BasketItem(line.item_code, to_milli(quantity)))
    return out


# -- eligibility ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EligibilityFacts:
    categories: tuple[str, ...]  # the applicant's (and household members') category codes
    household_size: int
    annual_income: Decimal | None = None
    disabled_members: int = 0  # members at or above the disability threshold


@dataclass(frozen=True)
class EligibilityDecision:
    eligible: bool
    reasons: tuple[Reason, ...]
    valid_from: date
    valid_until: date | None
    ceiling: Decimal | None = None


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def income_ceiling(settings: Settings, household_size: int, disabled_members: int) -> Decimal:
    dependants = max(0, household_size - 1)
    return (
        settings.income_base
        + settings.income_per_dependant * dependants
        + settings.income_disability_supplement * disabled_members
    )


def check_eligibility(facts: EligibilityFacts, settings: Settings, on: date) -> EligibilityDecision:
    """The household's eligibility on `on`, with the reasons and how long it holds."""
    reasons: list[Reason] = []
    ceiling: Decimal | None = None
    if facts.household_size < 1:
        reasons.append(Reason("household_empty"))
    if settings.eligibility_mode == "min_income":
        if "min_income" in facts.categories:
            reasons.append(Reason("min_income_recipient"))
        else:
            reasons.append(Reason("not_min_income_recipient"))
        eligible = "min_income" in facts.categories and facts.household_size >= 1
    else:
        ceiling = income_ceiling(settings, facts.household_size, facts.disabled_members)
        if facts.annual_income is None:
            reasons.append(Reason("income_missing"))
            eligible = False
        elif facts.annual_income <= ceiling:
            reasons.append(
                Reason(
                    "income_within_ceiling",
                    {"income": str(facts.annual_income), "ceiling": str(ceiling)},
                )
            )
            eligible = facts.household_size >= 1
        else:
            reasons.append(
                Reason(
                    "income_above_ceiling",
                    {"income": str(facts.annual_income), "ceiling": str(ceiling)},
                )
            )
            eligible = False
    until = add_months(on, settings.eligibility_validity_months) - timedelta(days=1)
    return EligibilityDecision(
        eligible=eligible,
        reasons=tuple(reasons),
        valid_from=on,
        valid_until=until if eligible else None,
        ceiling=ceiling,
    )


def recertification_due(valid_until: date | None, today: date, notice_days: int) -> bool:
    return valid_until is not None and today <= valid_until <= today + timedelta(days=notice_days)


# -- visit frequency ----------------------------------------------------------------------------


def period_bounds(settings: Settings, on: date) -> tuple[date, date]:
    """The first and last day of the limit period that contains `on`."""
    if settings.visit_limit_period == "calendar_month":
        last = calendar.monthrange(on.year, on.month)[1]
        return on.replace(day=1), on.replace(day=last)
    if settings.visit_limit_period == "calendar_week":
        start = on - timedelta(days=on.weekday())
        return start, start + timedelta(days=6)
    return on - timedelta(days=settings.visit_limit_days - 1), on


def frequency_refusal(previous: Iterable[date], on: date, settings: Settings) -> Reason | None:
    """A reason to refuse a pickup on `on` given the household's earlier pickup days."""
    start, end = period_bounds(settings, on)
    inside = sorted(d for d in previous if start <= d <= end)
    if len(inside) < settings.visits_per_period:
        return None
    if settings.visit_limit_period == "days":
        next_day = inside[-settings.visits_per_period] + timedelta(days=settings.visit_limit_days)
    else:
        next_day = end + timedelta(days=1)
    return Reason("frequency_limit", {"last": inside[-1].isoformat(), "next": next_day.isoformat()})


# -- lots, channels and FEFO --------------------------------------------------------------------


@dataclass(frozen=True)
class LotFacts:
    id: UUID
    on_hand: int  # milli-units
    date_kind: str  # use_by | best_before | none
    expiry: date | None
    received_on: date
    funding_source: str
    quarantined: bool = False


def lot_state(date_kind: str, expiry: date | None, today: date, warning_days: int = 0) -> str:
    """expired (use-by passed: blocked), past_best_before (allowed, flagged), expiring, ok."""
    if expiry is None or date_kind == "none":
        return "ok"
    if expiry < today:
        return "expired" if date_kind == "use_by" else "past_best_before"
    if expiry <= today + timedelta(days=warning_days):
        return "expiring"
    return "ok"


def channel_allowed(funding_source: str, channel: str, settings: Settings) -> bool:
    """May stock of this funding source feed this channel? TEBA never feeds a social
    grocery, whatever the settings say."""
    if funding_source == TEBA and channel in TEBA_FORBIDDEN:
        return False
    source = settings.source(funding_source)
    return source is not None and channel in source.channels


def lot_refusal(lot: LotFacts, channel: str, today: date, settings: Settings) -> str | None:
    """Why a lot may not be picked for a channel (a code), or None."""
    if lot.quarantined:
        return "lot_quarantined"
    if lot_state(lot.date_kind, lot.expiry, today) == "expired":
        return "lot_expired"
    if not channel_allowed(lot.funding_source, channel, settings):
        return "lot_channel_forbidden"
    if lot.on_hand <= 0:
        return "lot_empty"
    return None


def fefo_order(lots: Iterable[LotFacts]) -> list[LotFacts]:
    """First expired, first out; undated lots after dated ones, first received first."""
    return sorted(
        lots,
        key=lambda lot: (
            lot.expiry is None or lot.date_kind == "none",
            lot.expiry or date.max,
            lot.received_on,
            str(lot.id),
        ),
    )


@dataclass(frozen=True)
class Pick:
    lot_id: UUID
    quantity: int


class InsufficientStock(Exception):
    def __init__(self, wanted: int, available: int) -> None:
        super().__init__(f"wanted {wanted}, available {available}")
        self.wanted = wanted
        self.available = available


def fefo_pick(
    lots: Iterable[LotFacts], quantity: int, channel: str, today: date, settings: Settings
) -> list[Pick]:
    """Which lots to take `quantity` from, earliest expiry first; raises InsufficientStock."""
    usable = [lot for lot in lots if lot_refusal(lot, channel, today, settings) is None]
    picks: list[Pick] = []
    remaining = quantity
    for lot in fefo_order(usable):
        if remaining <= 0:
            break
        take = min(lot.on_hand, remaining)
        picks.append(Pick(lot.id, take))
        remaining -= take
    if remaining > 0:
        raise InsufficientStock(quantity, quantity - remaining)
    return picks


# -- snack packs -------------------------------------------------------------------------------


def snack_packs(school_levels: Iterable[str | None], settings: Settings) -> dict[str, int]:
    """Packs a week by school level for a household's schoolchildren (other levels: none)."""
    out: dict[str, int] = {}
    for level in school_levels:
        if level in SNACK_LEVELS:
            per_child = getattr(settings.snack_packs, level)
            if per_child:
                out[level] = out.get(level, 0) + per_child
    return out


def schoolchildren(school_levels: Iterable[str | None]) -> dict[str, int]:
    out: dict[str, int] = {}
    for level in school_levels:
        if level in SNACK_LEVELS:
            out[level] = out.get(level, 0) + 1
    return out


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())
