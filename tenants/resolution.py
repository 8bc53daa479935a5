"""From a URL's slug to a tenant, and from a user to their roles in it: cached, invalidated.

These answers are read on every tenant request, so they are cached at two levels:

1. In this process, per tenant and per (tenant, user), filed under the tenant's *version
   token*, a random value in the shared store (`{t:SLUG}:v`). The request middleware reads
   that token in the same round trip as the session (`core.context`), so a request that
   finds its answers here makes no other store or database call for them. Every
   invalidation deletes the token and the next request makes a new random one, so every
   process sees a change on its next request: immediately, not after a TTL. Entries also
   expire after `LOCAL_TTL` seconds, which bounds staleness should a change ever bypass
   `invalidate_*` (a manual SQL edit).
   When the store is unavailable the token is unknown and the local cache is not used.
2. In the shared store (Redis in production), as JSON, for `TTL` seconds; then the database.

Only committed state may be cached: code inside a transaction reads with `load_tenant`
(never cached), and writers invalidate after their transaction ends. A reader that missed the
cache just before a commit could still write the old answer back right after the writer's
invalidation; a second invalidation a moment later closes that window (for both levels: the
second invalidation deletes the token again).
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from core.refs import TenantRef
from core.store import get_store, tenant_key
from tenants.tables import Membership, Tenant, TenantModule

TTL = 300
FORGET_AGAIN_AFTER = 1.0
LOCAL_TTL = 30.0
# Bounds of the per-process caches (a consortium: hundreds of tenants, thousands of staff).
LOCAL_TENANTS = 2_000
LOCAL_MEMBERS = 20_000


@dataclass(frozen=True)
class TenantInfo:
    id: UUID
    slug: str
    name: str
    name_en: str
    status: str
    timezone: str
    modules: frozenset[str]
    operating_hours: dict[str, Any]

    @property
    def ref(self) -> TenantRef:
        return TenantRef(id=self.id, slug=self.slug, timezone=self.timezone, modules=self.modules)


def _info_key(slug: str) -> str:
    return tenant_key(slug, "info")


def _settings_key(slug: str) -> str:
    return tenant_key(slug, "settings")


async def _load(slug: str) -> dict[str, Any] | None:
    row = await Tenant.select().where(Tenant.slug == slug).first().output(load_json=True)
    if row is None:
        return None
    modules = await TenantModule.select(TenantModule.module).where(
        (TenantModule.tenant_id == row["id"]) & (TenantModule.enabled == True)  # noqa: E712
    )
    return {
        "id": str(row["id"]),
        "slug": row["slug"],
        "name": row["name"],
        "name_en": row["name_en"],
        "status": row["status"],
        "timezone": row["timezone"],
        "modules": sorted(m["module"] for m in modules),
        "operating_hours": row["operating_hours"] or {},
    }


def _info(data: dict[str, Any]) -> TenantInfo:
    return TenantInfo(
        id=UUID(data["id"]),
        slug=data["slug"],
        name=data["name"],
        name_en=data["name_en"],
        status=data["status"],
        timezone=data["timezone"],
        modules=frozenset(data["modules"]),
        operating_hours=data["operating_hours"],
    )


class _LocalCache:
    """A bounded map of key -> (version token, expiry, value), least recently filed first out."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.entries: OrderedDict[Any, tuple[str, float, Any]] = OrderedDict()

    def get(self, key: Any, version: str | None) -> Any | None:
        if version is None:
            return None
        entry = self.entries.get(key)
        if entry is None or entry[0] != version or entry[1] <= time.monotonic():
            return None
        return entry[2]

    def put(self, key: Any, version: str | None, value: Any) -> None:
        if version is None:
            return
        self.entries[key] = (version, time.monotonic() + LOCAL_TTL, value)
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def clear(self) -> None:
        self.entries.clear()


_local_tenants = _LocalCache(LOCAL_TENANTS)
_local_members = _LocalCache(LOCAL_MEMBERS)


def version_key(slug: str) -> str:
    """The store key of the tenant's version token (read by the request middleware)."""
    return tenant_key(slug, "v")


async def ensure_tenant_version(slug: str) -> str | None:
    """The tenant's version token, created if it has none; None if the store is unavailable.

    Call it for an existing tenant only, and do not file answers read before it under the
    token it returns: a change committed in between would already carry a newer token.
    """
    return await get_store().ensure_version(version_key(slug))


def forget_local() -> None:
    """Empty this process's caches (tests; never needed for correctness)."""
    _local_tenants.clear()
    _local_members.clear()


async def load_tenant(slug: str) -> TenantInfo | None:
    """The tenant as the database (or the current transaction) sees it now; never cached."""
    data = await _load(slug)
    return None if data is None else _info(data)


async def resolve_tenant(slug: str, *, version: str | None = None) -> TenantInfo | None:
    """The tenant of a URL, from the local cache, the store, or the database.

    `version` is the tenant's token (`tenant_version`) read by the caller; without it the
    local cache is skipped. Unknown slugs are not cached (a probe must not fill the cache).
    """
    local = _local_tenants.get(slug, version)
    if local is not None:
        return local  # type: ignore[no-any-return]
    store = get_store()
    key = _info_key(slug)
    cached = await store.get_json(key)
    if cached is None:
        cached = await _load(slug)
        if cached is None:
            return None
        await store.set_json(key, cached, TTL)
    info = _info(cached)
    _local_tenants.put(slug, version, info)
    return info


async def enabled_module_settings(tenant: TenantInfo) -> dict[str, dict[str, Any]]:
    """Stored settings of every module the tenant enabled, as JSON (cached like the tenant).

    Values are as stored; `tenants.services.module_settings` validates them with the module's
    settings model (so defaults added by a newer module version fill in).
    """
    store = get_store()
    key = _settings_key(tenant.slug)
    cached = await store.get_json(key)
    if cached is None:
        rows = (
            await TenantModule.select(TenantModule.module, TenantModule.settings)
            .where(
                (TenantModule.tenant_id == tenant.id) & (TenantModule.enabled == True)  # noqa: E712
            )
            .output(load_json=True)
        )
        cached = {r["module"]: r["settings"] or {} for r in rows}
        await store.set_json(key, cached, TTL)
    return dict(cached)


async def membership_roles(
    tenant: TenantInfo, user_id: UUID, *, version: str | None = None
) -> frozenset[str] | None:
    """The user's roles in the tenant, or None when they have no (current) membership.

    `version` as for `resolve_tenant`. The expiry of a membership is checked on every call,
    also for a locally cached answer.
    """
    local_key = (tenant.slug, user_id)
    cached = _local_members.get(local_key, version)
    if cached is None:
        cached = await _membership(tenant, user_id)
        _local_members.put(local_key, version, cached)
    if cached["roles"] is None:
        return None
    if cached["expires_at"] is not None and cached["expires_at"] <= datetime.now(UTC):
        return None
    return frozenset(cached["roles"])


async def _membership(tenant: TenantInfo, user_id: UUID) -> dict[str, Any]:
    """The membership as cached: roles (None without one) and expiry (an aware datetime)."""
    store = get_store()
    key = tenant_key(tenant.slug, "member", str(user_id))
    cached = await store.get_json(key)
    if cached is None:
        row = (
            await Membership.select(Membership.roles, Membership.expires_at)
            .where(
                (Membership.tenant_id == tenant.id)
                & (Membership.user_id == user_id)
                & (Membership.active == True)  # noqa: E712
            )
            .first()
            .output(load_json=True)
        )
        cached = {
            "roles": row["roles"] if row else None,
            "expires_at": row["expires_at"].isoformat() if row and row["expires_at"] else None,
        }
        await store.set_json(key, cached, TTL)
    expires = cached["expires_at"]
    return {
        "roles": cached["roles"],
        "expires_at": datetime.fromisoformat(expires) if expires else None,
    }


async def invalidate_tenant(slug: str) -> None:
    """Forget the tenant's cached record and module settings (after the change committed).

    A new version token makes every process drop its local answers for the tenant.
    """
    await _forget(slug, _info_key(slug), _settings_key(slug))


async def invalidate_membership(slug: str, user_id: UUID) -> None:
    """Forget a user's cached roles in the tenant (and, through the new version token, the
    local answers of every process for that tenant: membership changes are rare)."""
    await _forget(slug, tenant_key(slug, "member", str(user_id)))


_pending: set[asyncio.Task[None]] = set()


async def settle() -> None:
    """Wait for the second invalidations still pending (tests that count statements)."""
    while _pending:
        await asyncio.gather(*list(_pending), return_exceptions=True)


async def _forget(slug: str, *keys: str) -> None:
    """Delete the keys and the tenant's version token, now and once more a moment later.

    Without a token, requests skip the local caches until one for an existing tenant makes
    a new random token (`ensure_tenant_version`), never equal to one a process holds.
    Deleting rather than replacing it leaves no key behind for a deleted tenant.
    """
    store = get_store()
    keys = (*keys, version_key(slug))
    await store.delete(*keys)
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # pragma: no cover - always called from async code
        return

    async def again() -> None:
        await asyncio.sleep(FORGET_AGAIN_AFTER)
        await store.delete(*keys)

    task = loop.create_task(again())
    _pending.add(task)
    task.add_done_callback(_pending.discard)
