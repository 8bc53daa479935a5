"""Login rate limits (per account, per address) and the lockout with back-off."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from core.auth.ratelimit import LoginLimiter, account_key, address_key, get_limiter
from core.auth.rules import lock_seconds
from core.auth.tables import User
from core.settings import Settings
from core.store import SharedStore, get_store, set_store
from tests.core.auth.helpers import login

TEST_CLIENT_ADDRESS = "127.0.0.1"  # the address core.testing's client sends from


@pytest.fixture
async def fresh_address() -> AsyncIterator[None]:
    await get_limiter().reset(address_key(TEST_CLIENT_ADDRESS))
    yield
    await get_limiter().reset(address_key(TEST_CLIENT_ADDRESS))


async def test_rate_limit_per_account(
    client: Any, admin: Any, social_worker: Any, set_settings: Any
) -> None:
    set_settings(login_rate_per_account=3)
    for _ in range(3):
        assert (await login(client, admin.username, "wrong-password")).status_code == 401
    limited = await login(client, admin.username, admin.password)
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert 0 < int(limited.headers["retry-after"]) <= 300
    # Another account from the same address is not affected.
    assert (await login(client, social_worker.username, social_worker.password)).status_code == 200


async def test_rate_limit_per_address(
    client: Any, admin: Any, set_settings: Any, fresh_address: None
) -> None:
    set_settings(login_rate_per_address=3)
    for n in range(3):
        assert (await login(client, f"sprayed-{n}", "wrong-password")).status_code == 401
    limited = await login(client, admin.username, admin.password)
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert "retry-after" in limited.headers


async def test_successful_logins_do_not_use_up_the_limit(
    client: Any, admin: Any, set_settings: Any, fresh_address: None
) -> None:
    set_settings(login_rate_per_account=2, login_rate_per_address=2)
    for _ in range(5):
        assert (await login(client, admin.username, admin.password)).status_code == 200


async def test_limiter_counts_in_process_when_redis_is_down() -> None:
    dead = SharedStore(Settings(redis_url="redis://127.0.0.1:1/0"))
    previous = get_store()
    set_store(dead)
    try:
        limiter = LoginLimiter()
        assert await limiter.hit("ratelimit:login:ip:probe", 60) == (1, 60)
        count, ttl = await limiter.hit("ratelimit:login:ip:probe", 60)
        assert count == 2 and 0 < ttl <= 60
    finally:
        set_store(previous)
        await dead.close()


@pytest.mark.pg
async def test_redis_counter_is_shared_and_expires(client: Any) -> None:
    redis = get_store().redis
    assert redis is not None
    key = account_key("shared-counter-probe")
    await get_limiter().reset(key)
    one, two = LoginLimiter(), LoginLimiter()  # two workers
    assert (await one.hit(key, 120))[0] == 1
    assert (await two.hit(key, 120))[0] == 2
    ttl = await redis.ttl(f"merimna:{key}")
    assert 0 < ttl <= 120


async def test_lockout_after_repeated_failures(client: Any, admin: Any) -> None:
    first_failure = None
    for _ in range(5):
        response = await login(client, admin.username, "wrong-password")
        first_failure = first_failure or response.json()
        assert response.status_code == 401
    row = (
        await User.select(User.failed_logins, User.locked_until)
        .where(User.id == admin.user_id)
        .first()
    )
    assert row["failed_logins"] == 5
    assert row["locked_until"] is not None
    # Locked: even the right password gets the answer of a wrong one.
    locked = await login(client, admin.username, admin.password)
    assert locked.status_code == 401
    assert locked.json() == first_failure
    # Once the lock has passed, the right password works and the counter starts again.
    await User.update({User.locked_until: datetime.now(UTC) - timedelta(seconds=1)}).where(
        User.id == admin.user_id
    )
    assert (await login(client, admin.username, admin.password)).status_code == 200
    row = (
        await User.select(User.failed_logins, User.locked_until)
        .where(User.id == admin.user_id)
        .first()
    )
    assert (row["failed_logins"], row["locked_until"]) == (0, None)


def test_lock_backs_off_exponentially_up_to_fifteen_minutes() -> None:
    assert [lock_seconds(n) for n in (1, 4, 5, 6, 7, 8)] == [0, 0, 30, 60, 120, 240]
    assert lock_seconds(10) == 900
    assert lock_seconds(100) == 900
