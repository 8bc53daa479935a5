"""Pure decisions of the auth area: lockout back-off and who must have a second factor."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

# After this many consecutive failures the account locks; each further failure (once the
# lock has passed) doubles the lock, up to the cap.
LOCK_AFTER_FAILURES = 5
LOCK_BASE_SECONDS = 30
LOCK_MAX_SECONDS = 15 * 60

ADMIN_ROLES = frozenset({"tenant_admin"})


def lock_seconds(failures: int) -> int:
    """How long to lock after `failures` consecutive failures (0: no lock).

    5 -> 30 s, 6 -> 60 s, 7 -> 120 s, ... capped at 15 minutes.
    """
    if failures < LOCK_AFTER_FAILURES:
        return 0
    exponent = min(failures - LOCK_AFTER_FAILURES, 16)
    return int(min(LOCK_BASE_SECONDS * 2**exponent, LOCK_MAX_SECONDS))


def locked_until(failures: int, now: datetime) -> datetime | None:
    seconds = lock_seconds(failures)
    return now + timedelta(seconds=seconds) if seconds else None


def is_locked(locked_until_at: datetime | None, now: datetime) -> bool:
    return locked_until_at is not None and locked_until_at > now


def must_enrol_mfa(
    *,
    production: bool,
    mfa_enabled: bool,
    consortium_admin: bool,
    roles_per_tenant: Iterable[Iterable[str]],
) -> bool:
    """In production, administrators (consortium or any tenant's) need a second factor."""
    if not production or mfa_enabled:
        return False
    if consortium_admin:
        return True
    return any(ADMIN_ROLES & set(roles) for roles in roles_per_tenant)
