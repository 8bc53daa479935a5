"""The shared store: Redis when configured, process memory otherwise.

Everything cached here can be rebuilt from the database, so a Redis outage degrades to cache
misses (with a warning in /ready), never to wrong answers. Keys of tenant data carry the
tenant in a hash tag, `{t:SLUG}`, so Redis Cluster keeps a tenant's keys in one slot.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.stores.registry import StoreRegistry
from redis.asyncio import Redis
from redis.exceptions import RedisError

from core.settings import Settings

log = logging.getLogger("merimna.store")

NAMESPACE = "merimna"


def tenant_key(slug: str, *parts: str) -> str:
    return ":".join([f"{{t:{slug}}}", *parts])


class SharedStore:
    def __init__(self, settings: Settings) -> None:
        self.redis: Redis | None = None
        if settings.redis_url:
            # Short timeouts: a hung Redis must cost milliseconds, not the 5 s default.
            self.redis = Redis.from_url(
                settings.redis_url,
                socket_timeout=0.5,
                socket_connect_timeout=0.5,
                health_check_interval=15,
                max_connections=200,
            )
            self.store: Store = RedisStore(self.redis, namespace=NAMESPACE)
        else:
            self.store = MemoryStore()
        self._degraded_until = 0.0
        self.last_error: str | None = None

    @property
    def kind(self) -> str:
        return "redis" if self.redis is not None else "memory"

    def registry(self) -> StoreRegistry:
        if self.redis is not None:
            redis = self.redis
            return StoreRegistry(
                default_factory=lambda name: RedisStore(redis, namespace=f"{NAMESPACE}:{name}")
            )
        return StoreRegistry()

    def _degraded(self) -> bool:
        return time.monotonic() < self._degraded_until

    def _fail(self, exc: Exception) -> None:
        # Back off for a moment so a dead Redis is not retried on every request.
        self._degraded_until = time.monotonic() + 2.0
        self.last_error = type(exc).__name__
        log.warning("store unavailable: %s", type(exc).__name__)

    async def get_json(self, key: str) -> Any | None:
        if self._degraded():
            return None
        try:
            raw = await self.store.get(key)
        except (RedisError, OSError) as exc:
            self._fail(exc)
            return None
        return None if raw is None else json.loads(raw)

    async def set_json(self, key: str, value: Any, ttl: int = 300) -> None:
        if self._degraded():
            return
        try:
            await self.store.set(key, json.dumps(value, default=str), expires_in=ttl)
        except (RedisError, OSError) as exc:
            self._fail(exc)

    async def delete(self, *keys: str) -> None:
        for key in keys:
            try:
                await self.store.delete(key)
            except (RedisError, OSError) as exc:
                self._fail(exc)

    async def ping(self) -> str:
        if self.redis is None:
            return "memory"
        try:
            await self.redis.ping()
        except (RedisError, OSError) as exc:
            self._fail(exc)
            return "unavailable"
        self._degraded_until = 0.0
        return "ok"

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()


_STORE: SharedStore | None = None


def get_store() -> SharedStore:
    global _STORE
    if _STORE is None:
        from core.settings import get_settings

        _STORE = SharedStore(get_settings())
    return _STORE


def set_store(store: SharedStore | None) -> None:
    global _STORE
    _STORE = store
