"""The per-process cache of tenants and memberships (tenants/resolution.py, issue 11).

A tenant request reads the shared store once (the session and the tenant's version token in
one round trip) and takes the tenant and the membership from this process's cache while the
token holds. These tests pin that down, and that every change a user could exploit (a
suspended tenant, a removed membership, a session logged out) still takes effect on the very
next request of a process that had the old answer cached.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from core.store import get_store, tenant_key
from core.testing import unique_slug
from tenants import resolution
from tenants.resolution import (
    ensure_tenant_version,
    invalidate_tenant,
    membership_roles,
    resolve_tenant,
    version_key,
)
from tenants.services import add_membership
from tenants.tables import Tenant

STORE_CALLS = ("get_many", "get_json", "set_json", "ensure_version", "delete")


def _counting(calls: list[str], name: str, original: Callable[..., Awaitable[Any]]) -> Any:
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return await original(*args, **kwargs)

    return wrapper


async def _warm(client: Any, url: str, headers: dict[str, str]) -> None:
    """Two requests: the first may create the version token, the second files the answers."""
    for _ in range(2):
        assert (await client.get(url, headers=headers)).status_code == 200


async def test_a_warm_request_reads_the_store_once(
    client: Any, tenant_factory: Any, staff_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    town = await tenant_factory([])
    worker = await staff_factory(town, ["social_worker"])
    url = f"{town.api}/modules"
    await _warm(client, url, worker.headers)
    store = get_store()
    calls: list[str] = []
    for name in STORE_CALLS:
        monkeypatch.setattr(store, name, _counting(calls, name, getattr(store, name)))
    assert (await client.get(url, headers=worker.headers)).status_code == 200
    assert calls == ["get_many"]


async def test_changes_reach_a_warm_process_on_the_next_request(
    client: Any, tenant_factory: Any, staff_factory: Any, consortium_admin: Any
) -> None:
    town = await tenant_factory([])
    elsewhere = await tenant_factory([])
    boss = await staff_factory(town, ["tenant_admin"])
    worker = await staff_factory(town, ["social_worker"])
    await add_membership(elsewhere.slug, worker.user_id, ["social_worker"])
    url = f"{town.api}/modules"
    await _warm(client, url, worker.headers)
    await _warm(client, f"{elsewhere.api}/modules", worker.headers)
    admin = consortium_admin.headers
    # Suspended and resumed by the consortium: refused, then served again.
    assert (
        await client.post(f"/api/v1/admin/tenants/{town.slug}/suspend", headers=admin)
    ).is_success
    refused = await client.get(url, headers=worker.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "tenant_suspended")
    assert (
        await client.post(f"/api/v1/admin/tenants/{town.slug}/resume", headers=admin)
    ).is_success
    assert (await client.get(url, headers=worker.headers)).status_code == 200
    # The membership removed by the tenant's administrator: 404 here at once, while the
    # account (still a member elsewhere) keeps working in the other municipality.
    out = await client.post(
        f"{town.api}/staff-accounts/{worker.user_id}/deactivate", headers=boss.headers
    )
    assert out.status_code == 200, out.text
    assert (await client.get(url, headers=worker.headers)).status_code == 404
    assert (await client.get(f"{elsewhere.api}/modules", headers=worker.headers)).status_code == 200


async def test_a_logged_out_session_is_refused_by_a_warm_process(
    client: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    town = await tenant_factory([])
    worker = await staff_factory(town, ["social_worker"])
    login = await client.post(
        "/api/v1/auth/login", json={"username": worker.username, "password": worker.password}
    )
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    await _warm(client, f"{town.api}/modules", headers)
    assert (await client.post("/api/v1/auth/logout", headers=headers)).status_code == 204
    assert (await client.get(f"{town.api}/modules", headers=headers)).status_code == 401


async def test_local_answers_hold_only_under_their_version(
    client: Any, tenant_factory: Any
) -> None:
    """The mechanism itself: a change made behind the cache's back (no invalidation) is not
    seen under the old token, and is seen as soon as the token changes."""
    town = await tenant_factory([])
    token = await ensure_tenant_version(town.slug)
    assert token is not None
    before = await resolve_tenant(town.slug, version=token)
    assert before is not None and before.status == "active"
    await Tenant.update({Tenant.status: "suspended"}).where(Tenant.slug == town.slug)
    await get_store().delete(tenant_key(town.slug, "info"))  # the shared level only
    cached = await resolve_tenant(town.slug, version=token)
    assert cached is not None and cached.status == "active"
    # Without a token (the store unavailable) the local cache is not used at all.
    fresh = await resolve_tenant(town.slug, version=None)
    assert fresh is not None and fresh.status == "suspended"
    await invalidate_tenant(town.slug)
    new_token = await ensure_tenant_version(town.slug)
    assert new_token not in (None, token)
    seen = await resolve_tenant(town.slug, version=new_token)
    assert seen is not None and seen.status == "suspended"
    await Tenant.update({Tenant.status: "active"}).where(Tenant.slug == town.slug)
    await invalidate_tenant(town.slug)


async def test_a_lost_version_token_never_comes_back(
    client: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    """A store that lost its keys (flushed, restarted) gets a new random token, never the one
    a process filed its answers under, so those answers are not used again."""
    town = await tenant_factory([])
    worker = await staff_factory(town, ["social_worker"])
    token = await ensure_tenant_version(town.slug)
    tenant = await resolve_tenant(town.slug, version=token)
    assert tenant is not None
    assert await membership_roles(tenant, worker.user_id, version=token) == {"social_worker"}
    await get_store().delete(version_key(town.slug))
    assert await ensure_tenant_version(town.slug) not in (None, token)


async def test_an_unknown_tenant_leaves_nothing_behind(
    client: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    """A member probing slugs creates no version token and no cache entry for them."""
    town = await tenant_factory([])
    worker = await staff_factory(town, ["social_worker"])
    ghost = unique_slug("ghost")
    response = await client.get(f"/api/v1/t/{ghost}/modules", headers=worker.headers)
    assert response.status_code == 404
    assert await get_store().get_many([version_key(ghost)]) == [None]
    assert ghost not in resolution._local_tenants.entries


async def test_memberships_are_cached_per_tenant(
    client: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    """A member of A, cached in A, is still a stranger to B (isolation)."""
    town = await tenant_factory([])
    other = await tenant_factory([])
    worker = await staff_factory(town, ["social_worker"])
    await _warm(client, f"{town.api}/modules", worker.headers)
    for _ in range(2):
        assert (await client.get(f"{other.api}/modules", headers=worker.headers)).status_code == 404
    token = await ensure_tenant_version(other.slug)
    info = await resolve_tenant(other.slug, version=token)
    assert info is not None
    assert await membership_roles(info, worker.user_id, version=token) is None
