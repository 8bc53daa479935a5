"""Pure rules of Help at Home: facts in, decision with reasons out (no I/O).

Scoring follows FACTS.md §3.5 exactly:

* Katz ADL: six items, 1 = independent, 0 = dependent; total 0–6. Bands: 6 full function,
  4–5 moderate impairment, 0–3 severe impairment.
* Lawton–Brody IADL: eight domains answered with the option number of the original form;
  each option scores 1 or 0 by the per-domain table; total 0–8, higher is more independent.
  FACTS.md gives no bands for it: the band is `independent` at 8 and `dependent` below, and
  alerts follow the score.
* Barthel (Mahoney & Barthel 1965, not the modified Shah version): ten items with their own
  allowed values; total 0–100. Bands (Shah 1989): 0–20 total, 21–60 severe, 61–90 moderate,
  91–99 slight dependence, 100 independent.

Eligibility (FACTS.md §3.2), every criterion reported as met, failed or unknown:

1. target group: age >= `min_age`, or a certified disability >= `min_disability_percent`;
2. not fully self-sufficient: the latest score of at least one counted scale is below its
   maximum (an unassessed person is `unknown`, so the decision is `incomplete`);
3. a care gap: lives alone, or lacks full family care, or has low income;
4. income: at or below `income_ceiling` when the tenant sets one.

The priority score adds the weighted factors of `PriorityWeights`, each listed with its points.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from plugins.help_at_home.settings import Settings

# -- scales ---------------------------------------------------------------------------------

KATZ_ITEMS = ("bathing", "dressing", "toileting", "transferring", "continence", "feeding")

# Option numbers of the Lawton form (1-based) that score 1; every other option scores 0.
LAWTON_OPTIONS: dict[str, int] = {
    "telephone": 4,
    "shopping": 4,
    "food_preparation": 4,
    "housekeeping": 5,
    "laundry": 3,
    "transportation": 5,
    "medications": 3,
    "finances": 3,
}
LAWTON_SCORING_ONE: dict[str, frozenset[int]] = {
    "telephone": frozenset({1, 2, 3}),
    "shopping": frozenset({1}),
    "food_preparation": frozenset({1}),
    "housekeeping": frozenset({1, 2, 3, 4}),
    "laundry": frozenset({1, 2}),
    "transportation": frozenset({1, 2, 3}),
    "medications": frozenset({1}),
    "finances": frozenset({1, 2}),
}
LAWTON_ITEMS = tuple(LAWTON_OPTIONS)

BARTHEL_VALUES: dict[str, tuple[int, ...]] = {
    "feeding": (0, 5, 10),
    "bathing": (0, 5),
    "grooming": (0, 5),
    "dressing": (0, 5, 10),
    "bowels": (0, 5, 10),
    "bladder": (0, 5, 10),
    "toilet_use": (0, 5, 10),
    "transfers": (0, 5, 10, 15),
    "mobility": (0, 5, 10, 15),
    "stairs": (0, 5, 10),
}
BARTHEL_ITEMS = tuple(BARTHEL_VALUES)

SCALE_MAX = {"katz": 6, "lawton": 8, "barthel": 100}
SCALE_ITEMS = {"katz": KATZ_ITEMS, "lawton": LAWTON_ITEMS, "barthel": BARTHEL_ITEMS}

# Bands from most to least independent (their order ranks band changes).
BANDS: dict[str, tuple[str, ...]] = {
    "katz": ("full_function", "moderate", "severe"),
    "lawton": ("independent", "dependent"),
    "barthel": ("independent", "slight", "moderate", "severe", "total"),
}


class ScoreError(ValueError):
    """An item missing or answered with a value its scale does not have."""

    def __init__(self, item: str, code: str, **params: Any) -> None:
        super().__init__(f"{item}: {code}")
        self.item = item
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ScaleResult:
    scale: str
    total: int
    maximum: int
    band: str
    item_scores: dict[str, int]


def _check_items(items: Mapping[str, int], expected: Sequence[str]) -> None:
    for name in items:
        if name not in expected:
            raise ScoreError(name, "unknown_item")
    for name in expected:
        if name not in items or items[name] is None:
            raise ScoreError(name, "missing")


def katz_band(total: int) -> str:
    if total == 6:
        return "full_function"
    if total >= 4:
        return "moderate"
    return "severe"


def score_katz(items: Mapping[str, int]) -> ScaleResult:
    _check_items(items, KATZ_ITEMS)
    scores: dict[str, int] = {}
    for name in KATZ_ITEMS:
        value = items[name]
        if isinstance(value, bool) or value not in (0, 1):
            raise ScoreError(name, "invalid_score", allowed="0, 1")
        scores[name] = int(value)
    total = sum(scores.values())
    return ScaleResult("katz", total, 6, katz_band(total), scores)


def lawton_band(total: int) -> str:
    return "independent" if total == 8 else "dependent"


def score_lawton(items: Mapping[str, int]) -> ScaleResult:
    """`items` maps each domain to the option number chosen on the form (1 = most able)."""
    _check_items(items, LAWTON_ITEMS)
    scores: dict[str, int] = {}
    for name in LAWTON_ITEMS:
        option = items[name]
        last = LAWTON_OPTIONS[name]
        if isinstance(option, bool) or not isinstance(option, int) or not 1 <= option <= last:
            raise ScoreError(name, "invalid_option", allowed=f"1–{last}")
        scores[name] = 1 if option in LAWTON_SCORING_ONE[name] else 0
    total = sum(scores.values())
    return ScaleResult("lawton", total, 8, lawton_band(total), scores)


def barthel_band(total: int) -> str:
    if total == 100:
        return "independent"
    if total >= 91:
        return "slight"
    if total >= 61:
        return "moderate"
    if total >= 21:
        return "severe"
    return "total"


def score_barthel(items: Mapping[str, int]) -> ScaleResult:
    _check_items(items, BARTHEL_ITEMS)
    scores: dict[str, int] = {}
    for name in BARTHEL_ITEMS:
        value = items[name]
        allowed = BARTHEL_VALUES[name]
        if isinstance(value, bool) or value not in allowed:
            raise ScoreError(name, "invalid_score", allowed=", ".join(map(str, allowed)))
        scores[name] = int(value)
    total = sum(scores.values())
    return ScaleResult("barthel", total, 100, barthel_band(total), scores)


SCORERS = {"katz": score_katz, "lawton": score_lawton, "barthel": score_barthel}


def score(scale: str, items: Mapping[str, int]) -> ScaleResult:
    return SCORERS[scale](items)


def band_of(scale: str, total: int) -> str:
    return {"katz": katz_band, "lawton": lawton_band, "barthel": barthel_band}[scale](total)


def dependency_fraction(scale: str, total: int) -> float:
    """0.0 for full independence, 1.0 for total dependence on this scale."""
    maximum = SCALE_MAX[scale]
    return round((maximum - total) / maximum, 4)


# -- band change alerts -----------------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    code: str  # band_worsened, band_improved, score_drop
    scale: str
    previous_total: int
    total: int
    previous_band: str
    band: str


def band_change_alerts(
    scale: str,
    previous: tuple[int, str] | None,
    current: tuple[int, str],
    *,
    barthel_drop: int = 10,
) -> list[Alert]:
    """Alerts for a reassessment compared with the one before it on the same scale.

    A band moving towards dependence is `band_worsened`, the other way `band_improved`. A
    Barthel fall of `barthel_drop` points or more within one band is `score_drop`, and so is
    any fall on Lawton (which has no bands worth the name).
    """
    if previous is None:
        return []
    prev_total, prev_band = previous
    total, band = current
    order = BANDS[scale]
    alerts: list[Alert] = []
    if band != prev_band and prev_band in order and band in order:
        code = "band_worsened" if order.index(band) > order.index(prev_band) else "band_improved"
        alerts.append(Alert(code, scale, prev_total, total, prev_band, band))
    elif (scale == "barthel" and prev_total - total >= barthel_drop) or (
        scale == "lawton" and total < prev_total
    ):
        alerts.append(Alert("score_drop", scale, prev_total, total, prev_band, band))
    return alerts


# -- eligibility ------------------------------------------------------------------------------

MET, FAILED, UNKNOWN, NOT_APPLICABLE = "met", "failed", "unknown", "not_applicable"
FAMILY_SUPPORT = ("none", "partial", "full")


@dataclass(frozen=True)
class Facts:
    """What the eligibility and priority rules look at; no names."""

    age: int | None
    disability_percent: int | None = None
    lives_alone: bool = False
    family_support: str = "none"  # none | partial | full
    annual_income: Decimal | None = None
    mobility_problems: bool = False
    # Latest total per scale, for the scales that have been assessed.
    scores: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Reason:
    code: str
    status: str
    value: Any = None
    threshold: Any = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Decision:
    decision: str  # eligible | not_eligible | incomplete
    reasons: tuple[Reason, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "reasons": [r.as_dict() for r in self.reasons]}


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def eligibility(facts: Facts, settings: Settings) -> Decision:
    reasons: list[Reason] = []

    # 1. Target group: older people, or disabled people of any age.
    if facts.age is None:
        age = Reason("age", UNKNOWN, None, settings.min_age)
    else:
        age = Reason(
            "age", MET if facts.age >= settings.min_age else FAILED, facts.age, settings.min_age
        )
    if facts.disability_percent is None:
        disability = Reason("disability", NOT_APPLICABLE, None, settings.min_disability_percent)
    else:
        ok = facts.disability_percent >= settings.min_disability_percent
        disability = Reason(
            "disability",
            MET if ok else FAILED,
            facts.disability_percent,
            settings.min_disability_percent,
        )
    reasons += [age, disability]
    if MET in (age.status, disability.status):
        group = MET
    elif age.status == UNKNOWN:
        group = UNKNOWN
    else:
        group = FAILED
    reasons.append(Reason("target_group", group))

    # 2. Not fully self-sufficient, on the scales the tenant counts.
    counted = [s for s in settings.scales if s in facts.scores]
    if not counted:
        reasons.append(Reason("dependency", UNKNOWN, None, list(settings.scales)))
    else:
        dependent = [s for s in counted if facts.scores[s] < SCALE_MAX[s]]
        reasons.append(
            Reason(
                "dependency",
                MET if dependent else FAILED,
                {s: facts.scores[s] for s in counted},
                {s: SCALE_MAX[s] for s in counted},
            )
        )

    # 3. A care gap: alone, without full family care, or unable to pay for care.
    low_income = (
        facts.annual_income is not None and facts.annual_income <= settings.low_income_threshold
    )
    gap = facts.lives_alone or facts.family_support != "full" or low_income
    reasons.append(
        Reason(
            "care_gap",
            MET if gap else FAILED,
            {
                "lives_alone": facts.lives_alone,
                "family_support": facts.family_support,
                "low_income": low_income,
            },
        )
    )

    # 4. Income ceiling, where the municipality has one.
    if settings.income_ceiling is None:
        reasons.append(Reason("income", NOT_APPLICABLE))
    elif facts.annual_income is None:
        reasons.append(Reason("income", UNKNOWN, None, _jsonable(settings.income_ceiling)))
    else:
        ok = facts.annual_income <= settings.income_ceiling
        reasons.append(
            Reason(
                "income",
                MET if ok else FAILED,
                _jsonable(facts.annual_income),
                _jsonable(settings.income_ceiling),
            )
        )

    deciding = [
        r for r in reasons if r.code in ("target_group", "dependency", "care_gap", "income")
    ]
    if any(r.status == FAILED for r in deciding):
        decision = "not_eligible"
    elif any(r.status == UNKNOWN for r in deciding):
        decision = "incomplete"
    else:
        decision = "eligible"
    return Decision(decision, tuple(reasons))


# -- priority ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityItem:
    code: str
    points: int
    max_points: int
    detail: Any = None


@dataclass(frozen=True)
class Priority:
    score: int
    max_score: int
    items: tuple[PriorityItem, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "max_score": self.max_score,
            "items": [asdict(i) for i in self.items],
        }


def priority(facts: Facts, settings: Settings) -> Priority:
    """The waiting-list score: the sum of the weighted factors, each listed with its points.

    Dependency points are the weight times the mean dependency fraction of the counted scales
    that have a score, rounded half up.
    """
    w = settings.priority_weights
    items: list[PriorityItem] = []
    items.append(
        PriorityItem(
            "lives_alone",
            w.lives_alone if facts.lives_alone else 0,
            w.lives_alone,
            facts.lives_alone,
        )
    )
    support_points = {"none": w.no_family_support, "partial": w.no_family_support // 2}.get(
        facts.family_support, 0
    )
    items.append(
        PriorityItem("no_family_support", support_points, w.no_family_support, facts.family_support)
    )
    low = facts.annual_income is not None and facts.annual_income <= settings.low_income_threshold
    items.append(
        PriorityItem(
            "low_income", w.low_income if low else 0, w.low_income, _jsonable(facts.annual_income)
        )
    )
    counted = [s for s in settings.scales if s in facts.scores]
    if counted:
        fraction = sum(dependency_fraction(s, facts.scores[s]) for s in counted) / len(counted)
        dep_points = int(
            Decimal(str(w.dependency * fraction)).quantize(Decimal("1"), rounding="ROUND_HALF_UP")
        )
        detail: Any = {s: facts.scores[s] for s in counted}
    else:
        dep_points, detail = 0, None
    items.append(PriorityItem("dependency", dep_points, w.dependency, detail))
    old = facts.age is not None and facts.age >= 80
    items.append(PriorityItem("age_80_plus", w.age_80_plus if old else 0, w.age_80_plus, facts.age))
    disabled = (
        facts.disability_percent is not None
        and facts.disability_percent >= settings.min_disability_percent
    )
    items.append(
        PriorityItem(
            "disability", w.disability if disabled else 0, w.disability, facts.disability_percent
        )
    )
    return Priority(
        score=sum(i.points for i in items),
        max_score=sum(i.max_points for i in items),
        items=tuple(items),
    )


# -- reassessment -----------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """Same day of the month `months` later (the last day when that month is shorter)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Reassessment:
    scale: str
    last_assessed: date | None
    due: date
    reason: str  # interval | never_assessed | incident
    overdue: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def reassessments_due(
    last: Mapping[str, date],
    settings: Settings,
    today: date,
    *,
    incidents: Iterable[date] = (),
    plan_start: date | None = None,
) -> list[Reassessment]:
    """When each counted scale is next due.

    `interval`: the last assessment plus `reassessment_months`. `never_assessed`: due at the
    start of the plan (or today). `incident`: a fall or hospital admission after the last
    assessment makes it due on the incident's date, whichever comes first.
    """
    events = sorted(incidents)
    out: list[Reassessment] = []
    for scale in settings.scales:
        when = last.get(scale)
        if when is None:
            due, reason = plan_start or today, "never_assessed"
        else:
            due, reason = add_months(when, settings.reassessment_months), "interval"
            after = [d for d in events if d > when]
            if after and after[0] < due:
                due, reason = after[0], "incident"
        out.append(Reassessment(scale, when, due, reason, due < today))
    return out


# -- visits -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VisitFlags:
    late: bool
    late_minutes: int
    missed: bool


def visit_flags(
    planned_start: datetime,
    planned_end: datetime,
    check_in: datetime | None,
    status: str,
    now: datetime,
    settings: Settings,
) -> VisitFlags:
    """`late`: checked in more than `late_after_minutes` after the planned start. `missed`:
    recorded as missed, or still planned with no check-in `missed_after_minutes` after the
    planned end."""
    if check_in is not None:
        minutes = int((check_in - planned_start).total_seconds() // 60)
        late = minutes > settings.late_after_minutes
        return VisitFlags(late, max(minutes, 0) if late else 0, False)
    missed = status == "missed" or (
        status == "planned" and now > planned_end + timedelta(minutes=settings.missed_after_minutes)
    )
    return VisitFlags(False, 0, missed)


# Plausible ranges of the vital signs a nurse records: outside them the value is a typo.
VITAL_RANGES: dict[str, tuple[float, float]] = {
    "systolic_bp": (60, 260),
    "diastolic_bp": (30, 160),
    "pulse": (25, 220),
    "temperature_c": (32.0, 43.0),
    "spo2": (50, 100),
    "respiratory_rate": (5, 60),
    "blood_glucose_mg_dl": (20, 600),
    "weight_kg": (20, 300),
}


def vital_sign_problems(values: Mapping[str, float | None]) -> list[tuple[str, str, dict]]:
    """(field, code, params) for every implausible value; empty when all are plausible."""
    problems: list[tuple[str, str, dict]] = []
    for name, (low, high) in VITAL_RANGES.items():
        value = values.get(name)
        if value is not None and not low <= value <= high:
            problems.append((name, "implausible_vital", {"low": low, "high": high}))
    systolic, diastolic = values.get("systolic_bp"), values.get("diastolic_bp")
    if systolic is not None and diastolic is not None and diastolic >= systolic:
        problems.append(("diastolic_bp", "diastolic_not_below_systolic", {}))
    return problems


# -- roster order -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Stop:
    """A visit as the roster orders it."""

    id: Any
    start: datetime
    postcode: str = ""
    street: str = ""
    number: str = ""


def _postcode_number(postcode: str) -> int | None:
    return int(postcode) if postcode.isdigit() and len(postcode) == 5 else None


def _distance(a: str, b: str) -> int:
    """Distance between two Greek postcodes: the difference of their numbers. Neighbouring
    areas have close postcodes; an unknown postcode is as far as can be."""
    na, nb = _postcode_number(a), _postcode_number(b)
    if na is None or nb is None:
        return 10**6
    return abs(na - nb)


def _address_key(stop: Stop) -> tuple[Any, ...]:
    digits = "".join(ch for ch in stop.number if ch.isdigit())
    return (stop.street.casefold(), int(digits) if digits else 0, str(stop.id))


def visiting_order(
    stops: Sequence[Stop], *, mode: str = "time", start_postcode: str = ""
) -> list[Stop]:
    """The order of a worker's visits on one day.

    `time` (default): by planned start; visits planned at the same time go nearest neighbour
    first, starting from where the previous visit was (the unit's postcode for the first).
    `route`: planned times ignored; greedy nearest neighbour over postcodes from the unit's
    postcode (or the earliest visit's, when the unit has none); ties by street and number.
    """
    remaining = list(stops)
    ordered: list[Stop] = []
    here = start_postcode
    if mode == "route":
        if not here and remaining:
            here = min(remaining, key=lambda s: (s.start, _address_key(s))).postcode
        while remaining:
            nxt = min(remaining, key=lambda s: (_distance(here, s.postcode), _address_key(s)))
            ordered.append(nxt)
            remaining.remove(nxt)
            here = nxt.postcode
        return ordered
    while remaining:
        first_time = min(s.start for s in remaining)
        group = [s for s in remaining if s.start == first_time]
        nxt = min(
            group, key=lambda s: (_distance(here, s.postcode) if here else 0, _address_key(s))
        )
        ordered.append(nxt)
        remaining.remove(nxt)
        here = nxt.postcode
    return ordered


# -- care plan periods ------------------------------------------------------------------------


def within_period(day: date, start: date, end: date | None) -> bool:
    return day >= start and (end is None or day <= end)


def plan_end(start: date, review: date, end: date | None) -> date:
    """Visits are generated up to the plan's end date, or up to its review date."""
    return end or review


def age_on(birth: date, on: date) -> int:
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def age_group(age: int | None) -> str:
    if age is None:
        return "unknown"
    if age < 65:
        return "under_65"
    if age < 75:
        return "65_74"
    if age < 85:
        return "75_84"
    return "85_plus"


# Incident kinds and what they do to the care plan by default.
INCIDENT_EFFECT = {"fall": "none", "hospital_admission": "pause", "death": "close", "other": "none"}
