"""Pure rules of the Family Support Centre: facts in, a decision with its reasons out.

No I/O here. Thresholds come in as arguments (from the tenant's settings), never constants.
Reasons are stable codes with parameters; `services` turns them into Greek or English text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

# Why a minor may be counselled without a guardian's consent (recorded, never assumed):
# a prosecutor's or court order, or a risk to the minor's life or physical or mental integrity
# (disclosure to protect a minor is no breach: FACTS.md 6.3).
CONSENT_EXCEPTIONS = ("prosecutor_order", "court_order", "imminent_risk")


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """`flag` is the answer (due, blocked, overdue...); `reasons` say why."""

    flag: bool
    reasons: tuple[Reason, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "flag": self.flag,
            "reasons": [{"code": r.code, "params": r.params} for r in self.reasons],
        }


def age_on(birth: date, day: date) -> int:
    """Whole years on `day` (a person born on 29 February turns a year older on 1 March)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def is_minor(birth: date | None, day: date, age_of_majority: int) -> bool:
    """Unknown birth date: not treated as a minor (the registry requires one anyway)."""
    return birth is not None and age_on(birth, day) < age_of_majority


def minors_without_consent(
    births: dict[UUID, date | None],
    covered: Iterable[UUID],
    day: date,
    age_of_majority: int,
) -> Decision:
    """Which minors among the participants lack a guardian's consent or a permitted exception.

    Args:
        births: participant -> date of birth.
        covered: participants with a consent or a recorded exception in the case.
        day: the session's date (age is taken on that day).
    """
    have = set(covered)
    missing = [
        pid
        for pid, birth in births.items()
        if is_minor(birth, day, age_of_majority) and pid not in have
    ]
    return Decision(
        flag=bool(missing),
        reasons=tuple(
            Reason(
                "minor_without_consent",
                {"person_id": str(pid), "age": age_on(births[pid], day)},  # type: ignore[arg-type]
            )
            for pid in missing
        ),
    )


def review_due(sessions: int, reviewed_at_sessions: int, threshold: int) -> Decision:
    """A supervision review is due once `threshold` sessions were held since the last one."""
    since = sessions - reviewed_at_sessions
    if since >= threshold:
        return Decision(True, (Reason("review_due", {"sessions": since, "threshold": threshold}),))
    return Decision(False, (Reason("review_not_due", {"remaining": threshold - since}),))


def default_deadline(received_on: date, deadline: date | None, default_days: int) -> date:
    """The order's own deadline, or the tenant's default counted from receipt."""
    return deadline if deadline is not None else received_on + timedelta(days=default_days)


@dataclass(frozen=True)
class DeadlineState:
    state: str  # completed | overdue | approaching | on_time
    days_left: int  # negative when overdue
    reasons: tuple[Reason, ...]


def deadline_state(
    deadline: date, today: date, warning_days: int, completed_on: date | None = None
) -> DeadlineState:
    """Where an order stands against its deadline. Urgent orders are warned the same way;
    their deadline is already short."""
    if completed_on is not None:
        late = (completed_on - deadline).days
        reason = Reason("completed_late", {"days": late}) if late > 0 else Reason("completed")
        return DeadlineState("completed", (deadline - completed_on).days, (reason,))
    left = (deadline - today).days
    if left < 0:
        return DeadlineState("overdue", left, (Reason("deadline_overdue", {"days": -left}),))
    if left <= warning_days:
        return DeadlineState("approaching", left, (Reason("deadline_approaching", {"days": left}),))
    return DeadlineState("on_time", left, ())


def can_read_note(viewer: UUID, author: UUID, readers: Sequence[UUID | str]) -> bool:
    """Only the author and the colleagues the author named. No role overrides this: not the
    tenant administrator, not another psychologist (ν. 991/1979 art. 9; FACTS.md 6.3)."""
    return viewer == author or str(viewer) in {str(r) for r in readers}


def remote_link(template: str, tenant: str, session: UUID) -> str:
    return template.replace("{tenant}", tenant).replace("{session}", session.hex[:12])


def days_to_completion(received_on: date, completed_on: date) -> int:
    return (completed_on - received_on).days


def mean(values: Sequence[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None
