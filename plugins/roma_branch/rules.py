"""Pure rules of the Roma branch: facts in, a decision with its reasons out (no I/O).

* `minimum_income`: the minimum-income (ΕΕΕ) estimate, line by line (FACTS.md §4.5).
* `household_errors`: impossible household compositions, per field.
* `readiness`: a benefit application's document checklist, with expiries.
* `match_score`: how well a job seeker fits a vacancy, with the items that made the score.
* `age_band`, `esf_table`: ESF participant indicators of either programming period (§4.4).

Every figure that can change is a parameter (from the tenant's settings), never a constant.
Texts are codes; the routes and pages turn them into Greek or English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.api import fold

CENT = Decimal("0.01")
MAX_HOUSEHOLD = 20


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


# -- minimum income ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MiParams:
    first_adult: Decimal
    extra_adult: Decimal
    child: Decimal
    cap: Decimal
    income_months: int
    real_estate_base: Decimal
    real_estate_per_member: Decimal
    real_estate_cap: Decimal
    vehicles_cap: Decimal
    deposits_base: Decimal
    deposits_adult_step: Decimal
    deposits_child_step: Decimal
    deposits_cap: Decimal

    @classmethod
    def from_settings(cls, s: Any) -> MiParams:
        return cls(
            first_adult=s.mi_first_adult,
            extra_adult=s.mi_extra_adult,
            child=s.mi_child,
            cap=s.mi_cap,
            income_months=s.mi_income_months,
            real_estate_base=s.real_estate_base,
            real_estate_per_member=s.real_estate_per_member,
            real_estate_cap=s.real_estate_cap,
            vehicles_cap=s.vehicles_cap,
            deposits_base=s.deposits_base,
            deposits_adult_step=s.deposits_adult_step,
            deposits_child_step=s.deposits_child_step,
            deposits_cap=s.deposits_cap,
        )


DEFAULT_MI = MiParams(
    first_adult=Decimal(216),
    extra_adult=Decimal(108),
    child=Decimal(54),
    cap=Decimal(972),
    income_months=6,
    real_estate_base=Decimal(90000),
    real_estate_per_member=Decimal(15000),
    real_estate_cap=Decimal(150000),
    vehicles_cap=Decimal(6000),
    deposits_base=Decimal(4800),
    deposits_adult_step=Decimal("0.5"),
    deposits_child_step=Decimal("0.25"),
    deposits_cap=Decimal(14400),
)


@dataclass(frozen=True)
class Household:
    """The household of an application as the minimum-income rules see it."""

    adults: int
    minors: int
    single_parent: bool = False
    unprotected_children: int = 0  # minors without parental care: each counts as an adult


def household_errors(h: Household) -> list[tuple[str, str]]:
    """(field, code) for every impossibility of a household composition."""
    errors: list[tuple[str, str]] = []
    if h.adults < 0:
        errors.append(("adults", "greater_than_equal"))
    if h.minors < 0:
        errors.append(("minors", "greater_than_equal"))
    if h.unprotected_children < 0:
        errors.append(("unprotected_children", "greater_than_equal"))
    if errors:
        return errors
    if h.adults + h.unprotected_children == 0:
        errors.append(("adults", "roma_branch_household_no_adult"))
    if h.adults + h.minors > MAX_HOUSEHOLD:
        errors.append(("minors", "roma_branch_household_too_large"))
    if h.single_parent and h.minors == 0:
        errors.append(("single_parent", "roma_branch_single_parent_without_child"))
    if h.single_parent and h.adults == 0:
        errors.append(("single_parent", "roma_branch_single_parent_without_parent"))
    if h.unprotected_children > h.minors:
        errors.append(("unprotected_children", "roma_branch_unprotected_over_minors"))
    return errors


@dataclass(frozen=True)
class Line:
    """One line of an explained calculation: `code` names it, the numbers say the rest."""

    code: str
    count: int = 0
    rate: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)


@dataclass(frozen=True)
class AssetTest:
    code: str  # real_estate | vehicles | deposits
    value: Decimal | None
    limit: Decimal
    passed: bool | None  # None: value not declared


@dataclass(frozen=True)
class MiEstimate:
    counted_adults: int
    counted_minors: int
    lines: tuple[Line, ...]
    guaranteed: Decimal
    income_limit: Decimal
    income: Decimal
    income_passed: bool
    monthly_payment: Decimal
    assets: tuple[AssetTest, ...]
    eligible: bool | None  # None: an asset value is missing, so the verdict is provisional
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "counted_adults": self.counted_adults,
            "counted_minors": self.counted_minors,
            "lines": [
                {"code": ln.code, "count": ln.count, "rate": str(ln.rate), "amount": str(ln.amount)}
                for ln in self.lines
            ],
            "guaranteed": str(self.guaranteed),
            "income_limit": str(self.income_limit),
            "income": str(self.income),
            "income_passed": self.income_passed,
            "monthly_payment": str(self.monthly_payment),
            "assets": [
                {
                    "code": a.code,
                    "value": None if a.value is None else str(a.value),
                    "limit": str(a.limit),
                    "passed": a.passed,
                }
                for a in self.assets
            ],
            "eligible": self.eligible,
            "reasons": list(self.reasons),
        }


def counted(h: Household) -> tuple[int, int]:
    """(adults, minors) as the guaranteed amount counts them.

    Each unprotected child counts as an adult; in a single-parent household the oldest of the
    other minors counts as an adult too (FACTS.md §4.5).
    """
    adults = h.adults + h.unprotected_children
    minors = h.minors - h.unprotected_children
    if h.single_parent and minors > 0:
        adults += 1
        minors -= 1
    return adults, minors


def minimum_income(
    h: Household,
    income: Decimal,
    *,
    real_estate: Decimal | None = None,
    vehicles: Decimal | None = None,
    deposits: Decimal | None = None,
    params: MiParams = DEFAULT_MI,
) -> MiEstimate:
    """The guaranteed amount, the income test, the monthly payment and the asset tests.

    guaranteed = first adult + extra adults + minors (single parent's oldest child and
    unprotected children as adults), at most the cap; the household qualifies on income when
    its income over `income_months` is at most `income_months` × guaranteed, and is paid
    (months × guaranteed − income) / months a month.
    """
    adults, minors = counted(h)
    lines = [Line("first_adult", 1, params.first_adult, params.first_adult)]
    if adults > 1:
        lines.append(
            Line("extra_adults", adults - 1, params.extra_adult, params.extra_adult * (adults - 1))
        )
    if minors:
        lines.append(Line("minors", minors, params.child, params.child * minors))
    if h.single_parent and h.minors - h.unprotected_children > 0:
        lines.insert(0, Line("single_parent_oldest_as_adult", 1))
    if h.unprotected_children:
        lines.insert(0, Line("unprotected_as_adults", h.unprotected_children))
    total = sum((ln.amount for ln in lines), Decimal(0))
    guaranteed = min(total, params.cap)
    if guaranteed < total:
        lines.append(Line("cap", 0, params.cap, guaranteed - total))
    months = params.income_months
    income_limit = guaranteed * months
    income_passed = income <= income_limit
    payment = _cents((income_limit - income) / months) if income_passed else Decimal("0.00")
    reasons: list[str] = []
    if not income_passed:
        reasons.append("income_over_limit")
    size = h.adults + h.minors
    re_limit = min(
        params.real_estate_base + params.real_estate_per_member * max(size - 1, 0),
        params.real_estate_cap,
    )
    scale = (
        1 + params.deposits_adult_step * max(adults - 1, 0) + params.deposits_child_step * minors
    )
    dep_limit = min(_cents(params.deposits_base * scale), params.deposits_cap)
    assets = tuple(
        AssetTest(code, value, limit, None if value is None else value <= limit)
        for code, value, limit in (
            ("real_estate", real_estate, re_limit),
            ("vehicles", vehicles, params.vehicles_cap),
            ("deposits", deposits, dep_limit),
        )
    )
    for test in assets:
        if test.passed is False:
            reasons.append(f"{test.code}_over_limit")
        elif test.passed is None:
            reasons.append(f"{test.code}_not_declared")
    if not income_passed or any(a.passed is False for a in assets):
        eligible: bool | None = False
    elif any(a.passed is None for a in assets):
        eligible = None
    else:
        eligible = True
    return MiEstimate(
        counted_adults=adults,
        counted_minors=minors,
        lines=tuple(lines),
        guaranteed=_cents(guaranteed),
        income_limit=_cents(income_limit),
        income=_cents(income),
        income_passed=income_passed,
        monthly_payment=payment if eligible is not False else Decimal("0.00"),
        assets=assets,
        eligible=eligible,
        reasons=tuple(reasons),
    )


# -- document checklist -------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistFacts:
    code: str
    required: bool
    received: bool
    expiry_date: date | None = None


@dataclass(frozen=True)
class ItemState:
    code: str
    status: str  # missing | received | expired
    expiring_soon: bool = False


@dataclass(frozen=True)
class Readiness:
    ready: bool
    items: tuple[ItemState, ...]
    missing: tuple[str, ...] = ()
    expired: tuple[str, ...] = ()
    expiring: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        return "ready" if self.ready else "not_ready"


def item_status(item: ChecklistFacts, on: date) -> str:
    if not item.received:
        return "missing"
    if item.expiry_date is not None and item.expiry_date < on:
        return "expired"
    return "received"


def readiness(items: Sequence[ChecklistFacts], on: date, warning_days: int = 30) -> Readiness:
    """Ready when every required document is received and none of them has expired on `on`.

    Optional documents never block; an optional document that expired is still reported.
    A document valid on `on` but expiring within `warning_days` is flagged, not blocking.
    """
    states: list[ItemState] = []
    missing: list[str] = []
    expired: list[str] = []
    expiring: list[str] = []
    horizon = on + timedelta(days=warning_days)
    for item in items:
        status = item_status(item, on)
        soon = status == "received" and item.expiry_date is not None and item.expiry_date <= horizon
        states.append(ItemState(item.code, status, soon))
        if status == "missing" and item.required:
            missing.append(item.code)
        if status == "expired":
            expired.append(item.code)
        if soon:
            expiring.append(item.code)
    required = {i.code for i in items if i.required}
    return Readiness(
        ready=not missing and not any(code in required for code in expired),
        items=tuple(states),
        missing=tuple(missing),
        expired=tuple(expired),
        expiring=tuple(expiring),
    )


# -- job matching -------------------------------------------------------------------------------

EDUCATION_ORDER = ("none", "isced_1_2", "isced_3_4", "isced_5_8")
AVAILABILITY = ("full_time", "part_time", "seasonal", "any")


@dataclass(frozen=True)
class SeekerFacts:
    education: str
    skills: tuple[str, ...]
    experience_years: int
    licences: tuple[str, ...]
    availability: str


@dataclass(frozen=True)
class VacancyFacts:
    min_education: str
    skills: tuple[str, ...]
    min_experience_years: int
    licences: tuple[str, ...]
    availability: str


@dataclass(frozen=True)
class ScoreItem:
    code: str  # skills | education | experience | licences | availability
    points: int
    max: int
    matched: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Score:
    total: int
    items: tuple[ScoreItem, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.total,
            "items": [
                {
                    "code": i.code,
                    "points": i.points,
                    "max": i.max,
                    "matched": list(i.matched),
                    "missing": list(i.missing),
                }
                for i in self.items
            ],
        }


WEIGHTS = {"skills": 40, "education": 20, "experience": 15, "licences": 15, "availability": 10}


def _overlap(have: Sequence[str], need: Sequence[str]) -> tuple[list[str], list[str]]:
    folded = {fold(h) for h in have}
    matched = [n for n in need if fold(n) in folded]
    missing = [n for n in need if fold(n) not in folded]
    return matched, missing


def _share(weight: int, got: int, of: int) -> int:
    if of == 0:
        return weight
    return int((Decimal(weight) * got / of).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def match_score(seeker: SeekerFacts, vacancy: VacancyFacts) -> Score:
    """0–100: skills 40, education 20, experience 15, licences 15, availability 10.

    Skills and licences compare case- and accent-insensitively ("Οδηγός" = "οδηγος"); a
    vacancy that asks for none gives full points. Experience below the minimum scores in
    proportion; education below the minimum scores nothing.
    """
    items: list[ScoreItem] = []
    matched, missing = _overlap(seeker.skills, vacancy.skills)
    items.append(
        ScoreItem(
            "skills",
            _share(WEIGHTS["skills"], len(matched), len(vacancy.skills)),
            WEIGHTS["skills"],
            tuple(matched),
            tuple(missing),
        )
    )
    have = EDUCATION_ORDER.index(seeker.education) if seeker.education in EDUCATION_ORDER else 0
    need = (
        EDUCATION_ORDER.index(vacancy.min_education)
        if vacancy.min_education in EDUCATION_ORDER
        else 0
    )
    items.append(
        ScoreItem(
            "education",
            WEIGHTS["education"] if have >= need else 0,
            WEIGHTS["education"],
            missing=() if have >= need else (vacancy.min_education,),
        )
    )
    years = min(seeker.experience_years, vacancy.min_experience_years)
    items.append(
        ScoreItem(
            "experience",
            _share(WEIGHTS["experience"], years, vacancy.min_experience_years),
            WEIGHTS["experience"],
        )
    )
    lic_matched, lic_missing = _overlap(seeker.licences, vacancy.licences)
    items.append(
        ScoreItem(
            "licences",
            _share(WEIGHTS["licences"], len(lic_matched), len(vacancy.licences)),
            WEIGHTS["licences"],
            tuple(lic_matched),
            tuple(lic_missing),
        )
    )
    fits = seeker.availability == vacancy.availability or "any" in (
        seeker.availability,
        vacancy.availability,
    )
    items.append(
        ScoreItem(
            "availability",
            WEIGHTS["availability"] if fits else 0,
            WEIGHTS["availability"],
            missing=() if fits else (vacancy.availability,),
        )
    )
    return Score(sum(i.points for i in items), tuple(items))


def followup_dates(start: date, months: Iterable[int]) -> list[tuple[int, date]]:
    """Due dates `months` after a placement's start (end of month clamps: 31 Jan + 1 = 28 Feb)."""
    out = []
    for m in months:
        year, month = divmod(start.month - 1 + m, 12)
        year += start.year
        month += 1
        day = start.day
        while True:
            try:
                out.append((m, date(year, month, day)))
                break
            except ValueError:
                day -= 1
    return out


# -- ESF indicators -----------------------------------------------------------------------------

PERIODS = ("2014_2020", "2021_2027")
YES, NO, DECLINED = "yes", "no", "declined"


def age_on(birth: date, on: date) -> int:
    years = on.year - birth.year
    if (on.month, on.day) < (birth.month, birth.day):
        years -= 1
    return years


def age_band(period: str, age: int) -> str:
    """The age band of the period's indicators (2014–20: <25, 25–54, >54; 2021–27: <18,
    18–29, 30–54, 55+)."""
    if period == "2014_2020":
        if age < 25:
            return "under_25"
        return "over_54" if age > 54 else "25_54"
    if age < 18:
        return "under_18"
    if age <= 29:
        return "18_29"
    return "55_plus" if age >= 55 else "30_54"


UNEMPLOYED = ("unemployed", "long_term_unemployed")
INACTIVE_2014 = ("inactive", "inactive_not_in_education")


def _ind(code: str, test: Any) -> tuple[str, Any]:
    return code, test


def _yes(name: str) -> Any:
    return lambda f: f.get(name) == YES


def _declined(name: str) -> Any:
    return lambda f: f.get(name) == DECLINED


INDICATORS: dict[str, list[tuple[str, Any]]] = {
    "2014_2020": [
        _ind("total", lambda f: True),
        _ind("unemployed_incl_ltu", lambda f: f.get("employment_status") in UNEMPLOYED),
        _ind(
            "long_term_unemployed", lambda f: f.get("employment_status") == "long_term_unemployed"
        ),
        _ind("inactive", lambda f: f.get("employment_status") in INACTIVE_2014),
        _ind(
            "inactive_not_in_education",
            lambda f: f.get("employment_status") == "inactive_not_in_education",
        ),
        _ind("employed", lambda f: f.get("employment_status") == "employed"),
        _ind("age_under_25", lambda f: f.get("age_band") == "under_25"),
        _ind("age_over_54", lambda f: f.get("age_band") == "over_54"),
        _ind(
            "age_over_54_unemployed_or_inactive",
            lambda f: (
                f.get("age_band") == "over_54"
                and f.get("employment_status") in (*UNEMPLOYED, *INACTIVE_2014)
            ),
        ),
        _ind("isced_1_2", lambda f: f.get("education") == "isced_1_2"),
        _ind("isced_3_4", lambda f: f.get("education") == "isced_3_4"),
        _ind("isced_5_8", lambda f: f.get("education") == "isced_5_8"),
        _ind("migrant_minority", _yes("migrant_minority")),
        _ind("migrant_minority_declined", _declined("migrant_minority")),
        _ind("disability", _yes("disability")),
        _ind("disability_declined", _declined("disability")),
        _ind("other_disadvantaged", _yes("other_disadvantaged")),
        _ind("other_disadvantaged_declined", _declined("other_disadvantaged")),
        _ind("homeless", _yes("homeless")),
        _ind("rural", _yes("rural")),
    ],
    "2021_2027": [
        _ind("total", lambda f: True),
        _ind("unemployed_incl_ltu", lambda f: f.get("employment_status") in UNEMPLOYED),
        _ind(
            "long_term_unemployed", lambda f: f.get("employment_status") == "long_term_unemployed"
        ),
        _ind("inactive", lambda f: f.get("employment_status") == "inactive"),
        _ind("employed", lambda f: f.get("employment_status") == "employed"),
        _ind("age_under_18", lambda f: f.get("age_band") == "under_18"),
        _ind("age_18_29", lambda f: f.get("age_band") == "18_29"),
        _ind("age_55_plus", lambda f: f.get("age_band") == "55_plus"),
        _ind("isced_0_2", lambda f: f.get("education") == "isced_0_2"),
        _ind("isced_3_4", lambda f: f.get("education") == "isced_3_4"),
        _ind("isced_5_8", lambda f: f.get("education") == "isced_5_8"),
        _ind("disability", _yes("disability")),
        _ind("disability_declined", _declined("disability")),
        _ind("third_country_national", _yes("third_country_national")),
        _ind("third_country_national_declined", _declined("third_country_national")),
        _ind("foreign_background", _yes("foreign_background")),
        _ind("foreign_background_declined", _declined("foreign_background")),
        _ind("minority", _yes("minority")),
        _ind("minority_declined", _declined("minority")),
        _ind("homeless", _yes("homeless")),
        _ind("homeless_declined", _declined("homeless")),
        _ind("rural", _yes("rural")),
    ],
}
RESULTS = [
    _ind("result_job_searching", _yes("job_searching")),
    _ind("result_in_education", _yes("in_education")),
    _ind("result_qualification", _yes("qualification")),
    _ind("result_in_employment", _yes("in_employment")),
]
SEXES = ("female", "male", "non_binary")


@dataclass
class IndicatorRow:
    indicator: str
    female: int = 0
    male: int = 0
    non_binary: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.female + self.male + self.non_binary


def esf_table(
    period: str, records: Iterable[Mapping[str, Any]], *, exits: bool = False
) -> list[IndicatorRow]:
    """Counts per indicator of `period`, broken down by sex (every ESF figure is), from the
    records' indicator fields; exit records add the result indicators."""
    definitions = INDICATORS[period] + (RESULTS if exits else [])
    rows = [IndicatorRow(code) for code, _ in definitions]
    for fields in records:
        sex = fields.get("sex")
        if sex not in SEXES:
            continue
        for row, (_, test) in zip(rows, definitions, strict=True):
            if test(fields):
                setattr(row, sex, getattr(row, sex) + 1)
    return rows
