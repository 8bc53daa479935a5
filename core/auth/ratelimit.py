"""Login throttling per account and per client address, shared by every worker.

With Redis, one Lua script does INCR and EXPIRE atomically, so N workers share one exact count
(Litestar's built-in limiter reads, modifies and writes under an in-process lock and would
over-admit). Without Redis, or while it is unreachable, each process counts on its own in a
fixed window: weaker across workers, never a reason to refuse every login.

Attempts are counted before the password is checked, so a burst cannot overshoot the limit and
a refused attempt costs no argon2 time; an attempt that succeeds is refunded, so an office of
fifty people behind one address can all sign in every morning.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass

from redis.exceptions import RedisError

from core.settings import Settings
from core.store import NAMESPACE, get_store

log = logging.getLogger("merimna.auth.ratelimit")

# KEYS[1]: the counter; ARGV[1]: window in seconds. Returns {count, seconds left}.
_HIT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {count, ttl}
"""
# Refund one attempt, never creating a key (a DECR on a missing key would live forever).
_REFUND = """
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.call('DECR', KEYS[1])
end
return 0
"""

_LOCAL_MAX_KEYS = 50_000


def account_key(username: str) -> str:
    """Case and surrounding spaces do not make a new account to guess at."""
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()
    return f"ratelimit:login:acct:{digest}"


def address_key(address: str) -> str:
    return f"ratelimit:login:ip:{address or 'unknown'}"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after: int
    # True for the first refusal of a window: worth one audit event, not one per request.
    first_refusal: bool = False


class LoginLimiter:
    def __init__(self) -> None:
        self._local: dict[str, tuple[float, int]] = {}
        self._redis_down_until = 0.0

    # -- counting -----------------------------------------------------------------------

    async def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one attempt on `key`; returns (attempts in the window, seconds left)."""
        redis = get_store().redis
        if redis is not None and time.monotonic() >= self._redis_down_until:
            try:
                count, ttl = await redis.eval(_HIT, 1, f"{NAMESPACE}:{key}", window)  # type: ignore[misc]
                return int(count), max(int(ttl), 1)
            except (RedisError, OSError) as exc:
                self._redis_failed(exc)
        return self._local_hit(key, window)

    async def refund(self, key: str) -> None:
        redis = get_store().redis
        if redis is not None and time.monotonic() >= self._redis_down_until:
            try:
                await redis.eval(_REFUND, 1, f"{NAMESPACE}:{key}")  # type: ignore[misc]
                return
            except (RedisError, OSError) as exc:
                self._redis_failed(exc)
        entry = self._local.get(key)
        if entry is not None and entry[1] > 0:
            self._local[key] = (entry[0], entry[1] - 1)

    async def reset(self, key: str) -> None:
        """Forget a counter (operators unblocking an office; tests)."""
        self._local.pop(key, None)
        redis = get_store().redis
        if redis is not None:
            try:
                await redis.delete(f"{NAMESPACE}:{key}")
            except (RedisError, OSError) as exc:
                self._redis_failed(exc)

    def _redis_failed(self, exc: Exception) -> None:
        # Count in process for a moment instead of paying a timeout on every login.
        self._redis_down_until = time.monotonic() + 2.0
        log.warning("rate limiting in process: Redis unavailable (%s)", type(exc).__name__)

    def _local_hit(self, key: str, window: int) -> tuple[int, int]:
        now = time.monotonic()
        start, count = self._local.get(key, (now, 0))
        if now - start >= window:
            start, count = now, 0
        count += 1
        if len(self._local) >= _LOCAL_MAX_KEYS and key not in self._local:
            self._prune(now, window)
        self._local[key] = (start, count)
        return count, max(int(window - (now - start)), 1)

    def _prune(self, now: float, window: int) -> None:
        for k, (start, _count) in list(self._local.items()):
            if now - start >= window:
                del self._local[k]
        if len(self._local) >= _LOCAL_MAX_KEYS:  # still full of live windows: oldest go first
            for k in sorted(self._local, key=lambda k: self._local[k][0])[: _LOCAL_MAX_KEYS // 10]:
                del self._local[k]

    # -- the login policy ---------------------------------------------------------------

    async def check_login(self, settings: Settings, *, username: str, address: str) -> Verdict:
        """Count one credential check for the account and the address."""
        window = settings.login_rate_window_seconds
        refused: list[tuple[int, int, int]] = []
        for key, limit in (
            (address_key(address), settings.login_rate_per_address),
            (account_key(username), settings.login_rate_per_account),
        ):
            count, ttl = await self.hit(key, window)
            if count > limit:
                refused.append((count, limit, ttl))
        if not refused:
            return Verdict(True, 0)
        return Verdict(
            False,
            max(ttl for _c, _l, ttl in refused),
            first_refusal=any(count == limit + 1 for count, limit, _t in refused),
        )

    async def succeeded(self, *, username: str, address: str) -> None:
        await self.refund(address_key(address))
        await self.refund(account_key(username))


LIMITER = LoginLimiter()


def get_limiter() -> LoginLimiter:
    return LIMITER
