"""The social grocery's rules: facts in, a decision with its reasons out. No I/O."""

from dataclasses import dataclass, field

from merimna_social_grocery.settings import Settings

DISABILITY_THRESHOLD = 67  # percent, as the regulations word it ("67 % and above")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Facts:
    """What the application states; the income is the household's, yearly, in euros."""

    resident: bool
    annual_income: int
    dependants: int
    disability_percent: int


def income_limit(facts: Facts, settings: Settings) -> int:
    limit = settings.income_limit_single + facts.dependants * settings.per_dependant
    if facts.disability_percent >= DISABILITY_THRESHOLD:
        limit += settings.disability_bonus
    return limit


def eligibility(facts: Facts, settings: Settings) -> Decision:
    """Residents of the municipality whose income is within the adjusted limit (FACTS §5.4)."""
    reasons = []
    if not facts.resident:
        reasons.append("not_resident")
    if facts.annual_income > income_limit(facts, settings):
        reasons.append("income_above_limit")
    return Decision(not reasons, reasons)


def equivalence_weight(persons_14_plus: int, children_under_14: int) -> float:
    """The OECD-modified scale: 1 for the first adult, 0.5 for each other person aged 14 or
    more, 0.3 for each child under 14 (FACTS §5.3), so a household's basket grows less than
    its size."""
    return 1 + 0.5 * max(persons_14_plus - 1, 0) + 0.3 * children_under_14


def monthly_points(persons_14_plus: int, children_under_14: int, settings: Settings) -> int:
    weight = equivalence_weight(persons_14_plus, children_under_14)
    return round(settings.monthly_points * weight)


def may_record(entries_this_month: int, settings: Settings) -> Decision:
    """A person may shop at most `monthly_limit` times in a calendar month."""
    if entries_this_month >= settings.monthly_limit:
        return Decision(False, ["monthly_limit_reached"])
    return Decision(True)


def may_spend(points: int, spent_this_month: int, allowance: int) -> Decision:
    if spent_this_month + points > allowance:
        return Decision(False, ["points_exceeded"])
    return Decision(True)
