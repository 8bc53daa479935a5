"""Pure rules: facts in, a decision with its reasons out. No I/O, so they are easy to test."""

from dataclasses import dataclass, field

from merimna_social_grocery.settings import Settings


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: list[str] = field(default_factory=list)


def may_record(entries_this_month: int, settings: Settings) -> Decision:
    """A person may get at most `monthly_limit` entries in a calendar month."""
    if entries_this_month >= settings.monthly_limit:
        return Decision(False, ["monthly_limit_reached"])
    return Decision(True)
