"""The shared store: Redis when configured, process memory otherwise.

Everything cached here can be rebuilt from the database, so a Redis outage degrades to cache
misses (with a warning in /ready), never to wrong answers. Keys of tenant data carry the
tenant in a hash tag, `{t:SLUG}`, so Redis Cluster keeps a tenant's keys in one slot.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
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
# Version tokens of locally cached answers (tenants.resolution) outlive every local entry by
# far; an expired token only costs each process one reload.
VERSION_TTL = 24 * 3600


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

    async def get_many(self, keys: list[str]) -> list[bytes | None] | None:
        """Several raw values in ONE round trip, or None when the store is unavailable.

        The request path reads the session and the tenant's cache version together this way
        (`core.context`). A pipeline rather than MGET: the keys live in different hash slots
        (the session has no tenant), which MGET refuses on Redis Cluster.
        """
        if self._degraded():
            return None
        try:
            if self.redis is None:
                return [await self.store.get(key) for key in keys]
            pipe = self.redis.pipeline(transaction=False)
            for key in keys:
                pipe.get(f"{NAMESPACE}:{key}")
            values: list[bytes | None] = await pipe.execute()
        except (RedisError, OSError) as exc:
            self._fail(exc)
            return None
        return values

    async def ensure_version(self, key: str, ttl: int = VERSION_TTL) -> str | None:
        """The key's version token, creating one if it has none; None if unavailable.

        Only on a missing key (first use, expiry, a flushed Redis): a local cache entry is
        never filed under "no version", which a later flush would make current again.
        """
        if self._degraded():
            return None
        token = uuid.uuid4().hex
        try:
            if self.redis is None:
                stored = await self.store.get(key)
                if stored is None:
                    await self.store.set(key, token, expires_in=ttl)
                    return token
                return stored.decode()
            full = f"{NAMESPACE}:{key}"
            if await self.redis.set(full, token, ex=ttl, nx=True):
                return token
            current: Any = await self.redis.get(full)
        except (RedisError, OSError) as exc:
            self._fail(exc)
            return None
        return None if current is None else bytes(current).decode()

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
