"""Every Redis key is tenant-tagged or on an explicit allow-list (issue 10 §2).

Keys of tenant data carry the tenant as the key's first hash tag, `{t:SLUG}`, so Redis Cluster
keeps a municipality's keys in one slot and a key never mixes two tenants. The rest hold no
tenant data and are listed in `ALLOWED_REDIS_KEYS` with the reason.

`test_every_store_leaves_only_tagged_or_allowed_keys` drives every store the app has, the way
clients do, and then reads the whole keyspace: the session cache (bearer token and the web
UI's cookie), login rate limits (per account and per address), the per-tenant caches (version
token, tenant record, module settings, memberships). CSRF protection is a signed
double-submit cookie and keeps nothing in Redis; locks are PostgreSQL's (advisory and row
locks), never Redis keys; the test checks that neither shows up. A new store whose keys are
neither tagged nor listed fails it, as does a listed family that no longer appears (an
allow-list entry that allows nothing is stale). `test_probes.py` checks the keyspace again after
the route-wide probes, with the same rules.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from core.testing import csrf_of, make_staff, make_tenant, sign_in

# Redis keys that hold no tenant data (regular expressions), and why.
ALLOWED_REDIS_KEYS: dict[str, str] = {
    # staff sessions belong to a user, who may work for several municipalities (ids only)
    "session": r"^merimna:session:[0-9a-f]{32}$",
    # login throttling before any tenant is known: hashed account names and client addresses
    "login limit (account)": r"^merimna:ratelimit:login:acct:[0-9a-f]{64}$",
    "login limit (address)": r"^merimna:ratelimit:login:ip:[0-9a-f.:]+$",
}
# The tenant-tagged families the app writes: `merimna:{t:SLUG}:<what>[:<id>]`.
TAGGED = re.compile(
    r"^merimna:\{t:(?P<slug>[a-z0-9-]+)\}:(?P<what>v|info|settings|member:[0-9a-f-]{36})$"
)


def classify(key: str) -> str | None:
    """The family of a key: a tagged one (`{t}:what`), an allowed one, or None (a failure)."""
    tagged = TAGGED.match(key)
    if tagged:
        return "{t}:" + tagged["what"].split(":")[0]
    for name, pattern in ALLOWED_REDIS_KEYS.items():
        if re.match(pattern, key):
            return name
    return None


def problems(keys: list[str], slugs: set[str]) -> list[str]:
    """Keys that are neither tagged nor allowed, whose first hash tag is not the tenant's (so
    Redis Cluster would not keep them with the tenant), or that name an unknown tenant."""
    out = []
    for key in keys:
        if classify(key) is None:
            out.append(f"neither tenant-tagged nor allowed: {key}")
            continue
        tag = re.search(r"\{([^}]*)\}", key)
        if tag and not tag.group(1).startswith("t:"):
            out.append(f"first hash tag is not the tenant's: {key}")
        tagged = TAGGED.match(key)
        if tagged and tagged["slug"] not in slugs:
            out.append(f"tagged with a tenant that does not exist: {key}")
    return out


async def keyspace() -> tuple[list[str], set[str]]:
    """Every key in Redis, and the slugs of every tenant."""
    from core.store import get_store
    from tenants.tables import Tenant

    redis = get_store().redis
    assert redis is not None, "the pg tier runs with Redis"
    keys = sorted([k.decode() async for k in redis.scan_iter(count=1000)])
    slugs = {r["slug"] for r in await Tenant.select(Tenant.slug)}
    return keys, slugs


@pytest.mark.pg
async def test_every_store_leaves_only_tagged_or_allowed_keys(client: Any, browser: Any) -> None:
    from core.store import get_store

    redis = get_store().redis
    assert redis is not None
    tenant = await make_tenant(["food_bank"], prefix="rk")
    staff = await make_staff(tenant, ["tenant_admin", "social_worker"])

    # Logins through the API: the limiter counts per account and per address, a session row
    # is written and its cache filled by the requests that present the token.
    bad = await client.post(
        "/api/v1/auth/login", json={"username": staff.username, "password": "wrong-password"}
    )
    assert bad.status_code == 401
    login = await client.post(
        "/api/v1/auth/login", json={"username": staff.username, "password": staff.password}
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    for path in ("/beneficiaries", "/modules", "/modules/food_bank/settings", "/audit"):
        response = await client.get(tenant.api + path, headers=headers)
        assert response.status_code == 200, (path, response.text)
    # The staff UI: cookie session, CSRF double-submit cookie, a page and a form post.
    signed_in = await sign_in(browser, staff.username, staff.password)
    assert signed_in.status_code in (200, 302, 303), signed_in.text
    page = await browser.get(f"/t/{tenant.slug}/people")
    assert page.status_code == 200, page.text
    assert browser.cookies.get("merimna_csrf")
    logout = await browser.post("/logout", data={"_csrf_token": csrf_of(page.text)})
    assert logout.status_code in (200, 302, 303), logout.text
    # A change that invalidates the tenant's caches (a new version token).
    settings = await client.get(f"{tenant.api}/modules/food_bank/settings", headers=headers)
    saved = await client.put(
        f"{tenant.api}/modules/food_bank/settings", json=settings.json(), headers=headers
    )
    assert saved.status_code == 200, saved.text
    for path in ("/modules", "/modules/food_bank/settings", "/modules/food_bank/items"):
        response = await client.get(tenant.api + path, headers=headers)
        assert response.status_code == 200, (path, response.text)

    # Slugs of no tenant, from a member and from an operator: 404, and no key left behind.
    ghost = f"ghost-{tenant.slug}"
    operator = await make_staff(None, [], consortium_admin=True)
    assert (await client.get(f"/api/v1/t/{ghost}/modules", headers=headers)).status_code == 404
    for method, path in (("POST", "suspend"), ("POST", "resume"), ("PATCH", "")):
        response = await client.request(
            method,
            f"/api/v1/admin/tenants/{ghost}/{path}".rstrip("/"),
            json={"name": "Δήμος"} if method == "PATCH" else None,
            headers=operator.headers,
        )
        assert response.status_code == 404, (method, path, response.text)

    keys, slugs = await keyspace()
    assert not problems(keys, slugs), "\n".join(problems(keys, slugs))
    assert not [k for k in keys if ghost in k]
    families = {classify(k) for k in keys}
    expected = {"{t}:v", "{t}:info", "{t}:settings", "{t}:member", *ALLOWED_REDIS_KEYS}
    missing = expected - families
    assert not missing, f"stores the test drove left no key of: {sorted(missing)}"
    assert any(f"{{t:{tenant.slug}}}" in k for k in keys)
    assert not [k for k in keys if "csrf" in k.lower() or "lock" in k.lower()]
    # Every key expires: a cache or a counter, never state that only Redis holds.
    # TTL -1 is a key without expiry; -2 a key deleted since the scan (an invalidation's
    # second, delayed delete of an earlier test's tenant), which is no problem.
    ttls = {k: await redis.ttl(k) for k in keys}
    assert not [k for k, ttl in ttls.items() if ttl == -1], ttls


def test_the_rules_catch_untagged_and_mistagged_keys() -> None:
    """The checks themselves: what they must refuse, they refuse."""
    slugs = {"athens"}
    assert (
        problems(
            [
                "merimna:{t:athens}:info",
                "merimna:{t:athens}:member:0b4c7d5e-8f7a-4c1e-9d2b-3a5f6e7d8c9b",
                "merimna:session:" + "a" * 32,
            ],
            slugs,
        )
        == []
    )
    assert len(problems(["merimna:report:athens:core.appointments"], slugs)) == 1
    assert len(problems(["merimna:{t:chios}:info"], slugs)) == 1  # unknown tenant
    assert len(problems(["merimna:session:{x}:{t:athens}"], slugs)) == 1
    assert len(problems(["merimna:{t:athens}:people:search"], slugs)) == 1  # a new family
