"""The cached tenant (status, enabled modules, settings): every change is seen at once.

Within one process on both tiers; across app instances and across processes on the pg tier,
where the cache lives in the shared Redis.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from core.store import get_store, tenant_key
from core.testing import unique_slug
from tenants.resolution import resolve_tenant, settle
from tests.tenants.conftest import ADMIN, WIDGETS, settings_url
from tests.tenants.helpers import merimna, ok


@pytest.fixture
def http(widgets: Any) -> Any:
    return widgets.client


async def test_changes_are_seen_by_the_next_request(
    http: Any, consortium_admin: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    town = await tenant_factory([WIDGETS])
    boss = await staff_factory(town, ["tenant_admin"])
    admin = consortium_admin.headers
    # Warm the cache, then change each cached fact through the consortium routes.
    assert (await http.get(settings_url(town.slug), headers=boss.headers)).json()["max_visits"] == 4
    await http.put(
        f"{ADMIN}/tenants/{town.slug}/modules/{WIDGETS}", json={"max_visits": 8}, headers=admin
    )
    assert (await http.get(settings_url(town.slug), headers=boss.headers)).json()["max_visits"] == 8
    await http.put(settings_url(town.slug), json={"max_visits": 3}, headers=boss.headers)
    assert (await http.get(settings_url(town.slug), headers=boss.headers)).json()["max_visits"] == 3
    await http.put(f"{ADMIN}/tenants/{town.slug}/modules/food_bank", json={}, headers=admin)
    listed = await http.get(f"{town.api}/modules", headers=boss.headers)
    assert [m["slug"] for m in listed.json()["items"]] == ["food_bank", WIDGETS]
    await http.delete(f"{ADMIN}/tenants/{town.slug}/modules/{WIDGETS}", headers=admin)
    assert (await http.get(settings_url(town.slug), headers=boss.headers)).status_code == 404
    await http.post(f"{ADMIN}/tenants/{town.slug}/suspend", headers=admin)
    assert (await http.get(f"{town.api}/modules", headers=boss.headers)).status_code == 403


async def test_a_failed_onboarding_leaves_nothing_cached(
    http: Any, consortium_admin: Any, staff_factory: Any
) -> None:
    taken = await staff_factory(None, [])
    slug = unique_slug("ghost")
    response = await http.post(
        f"{ADMIN}/tenants",
        json={
            "slug": slug,
            "name": "Δήμος",
            "modules": [WIDGETS],
            "admin": {"username": taken.username, "password": "pw"},
        },
        headers=consortium_admin.headers,
    )
    assert response.status_code == 409
    assert await get_store().get_json(tenant_key(slug, "info")) is None
    assert await resolve_tenant(slug) is None


@pytest.fixture
async def second_app(widgets: Any) -> AsyncIterator[Any]:
    """Another app instance (as in another worker), sharing the database and the store."""
    import httpx

    from core.app import create_app

    app = create_app(host=widgets.host)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50002))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as other:
        yield other


@pytest.mark.pg
async def test_another_app_instance_sees_the_change(
    http: Any, second_app: Any, consortium_admin: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    store = get_store()
    assert store.redis is not None
    town = await tenant_factory([WIDGETS])
    boss = await staff_factory(town, ["tenant_admin"])
    admin = consortium_admin.headers
    # The second deletion of the keys that creating the tenant and its staff scheduled (a
    # moment later) must not land after B has cached the tenant: wait for it first.
    await settle()
    # Instance B caches the tenant, in Redis.
    assert (await second_app.get(settings_url(town.slug), headers=boss.headers)).status_code == 200
    assert await store.redis.exists(f"merimna:{tenant_key(town.slug, 'info')}")
    # Instance A changes it; B sees each change on its next request.
    await http.put(
        f"{ADMIN}/tenants/{town.slug}/modules/{WIDGETS}", json={"label": "B"}, headers=admin
    )
    seen = await second_app.get(settings_url(town.slug), headers=boss.headers)
    assert seen.json()["label"] == "B"
    await http.delete(f"{ADMIN}/tenants/{town.slug}/modules/{WIDGETS}", headers=admin)
    assert (await second_app.get(settings_url(town.slug), headers=boss.headers)).status_code == 404
    await http.post(f"{ADMIN}/tenants/{town.slug}/suspend", headers=admin)
    refused = await second_app.get(f"{town.api}/modules", headers=boss.headers)
    assert refused.json()["code"] == "tenant_suspended"
    await http.post(f"{ADMIN}/tenants/{town.slug}/resume", headers=admin)
    assert (await second_app.get(f"{town.api}/modules", headers=boss.headers)).status_code == 200


@pytest.mark.pg
async def test_another_process_sees_the_change(
    client: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    """The CLI, a separate process with its own Redis connection, changes a tenant that this
    process has cached; the next request here sees it without waiting for the TTL."""
    town = await tenant_factory(["food_bank"])
    worker = await staff_factory(town, ["social_worker"])
    assert (await client.get(f"{town.api}/modules", headers=worker.headers)).status_code == 200
    ok(merimna("tenants", "suspend", town.slug))
    refused = await client.get(f"{town.api}/modules", headers=worker.headers)
    assert refused.status_code == 403
    ok(merimna("tenants", "resume", town.slug))
    ok(merimna("tenants", "disable", town.slug, "food_bank"))
    listed = await client.get(f"{town.api}/modules", headers=worker.headers)
    assert listed.json()["items"] == []
