"""From a URL's slug to a tenant, and from a user to their roles in it: cached, invalidated.

These answers are read on every tenant request, so they live in the shared store (Redis in
production, so every process sees an invalidation at once) and fall back to the database.

Only committed state may be cached: code inside a transaction reads with `load_tenant`
(never cached), and writers invalidate after their transaction ends. A reader that missed the
cache just before a commit could still write the old answer back right after the writer's
invalidation; a second invalidation a moment later closes that window.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from core.refs import TenantRef
from core.store import get_store, tenant_key
from tenants.tables import Membership, Tenant, TenantModule

TTL = 300
FORGET_AGAIN_AFTER = 1.0


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


async def load_tenant(slug: str) -> TenantInfo | None:
    """The tenant as the database (or the current transaction) sees it now; never cached."""
    data = await _load(slug)
    return None if data is None else _info(data)


async def resolve_tenant(slug: str) -> TenantInfo | None:
    """The tenant of a URL, from the store when possible (read on every tenant request)."""
    store = get_store()
    key = _info_key(slug)
    cached = await store.get_json(key)
    if cached is None:
        cached = await _load(slug)
        if cached is None:
            return None
        await store.set_json(key, cached, TTL)
    return _info(cached)


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


async def membership_roles(tenant: TenantInfo, user_id: UUID) -> frozenset[str] | None:
    """The user's roles in the tenant, or None when they have no (current) membership."""
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
    if cached["roles"] is None:
        return None
    if cached["expires_at"] and datetime.fromisoformat(cached["expires_at"]) <= datetime.now(UTC):
        return None
    return frozenset(cached["roles"])


async def invalidate_tenant(slug: str) -> None:
    """Forget the tenant's cached record and module settings (after the change committed)."""
    await _forget(_info_key(slug), _settings_key(slug))


async def invalidate_membership(slug: str, user_id: UUID) -> None:
    await _forget(tenant_key(slug, "member", str(user_id)))


_pending: set[asyncio.Task[None]] = set()


async def _forget(*keys: str) -> None:
    store = get_store()
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
