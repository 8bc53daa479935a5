"""Route-wide isolation probes, generated from /schema/openapi.json (issue 10 §2).

Every tenant route and method is exercised without a hand-written test: path parameters are
filled with ids harvested from each tenant's own responses (see conftest.py), request bodies
are built from the schema. A new route is covered automatically; one the generator cannot
fill fails `test_every_tenant_route_is_probed` until it is described in `UNPROBED`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.testing import make_staff
from tests.security.bodies import example, request_schema
from tests.security.conftest import Side, World, fill, path_params, resolve, tenant_operations

# Routes the generator cannot exercise, with the reason and where they are covered instead:
# `(METHOD, template relative to the tenant): "why, and which tests cover its isolation"`.
# Empty: every tenant route is probed. Objects the demo data leaves out are seeded by
# `conftest.seed_side` (bodies in `bodies.py`); ids no list shows are remembered as created.
# A new route whose ids the seeding cannot reach fails `test_every_tenant_route_is_probed`:
# seed an object for it (best), or describe it here.
UNPROBED: dict[tuple[str, str], str] = {}

# Path values that are not ids of a tenant's objects: probed with the tenant's own value.
SHARED_VALUES = {"report_id", "code", "month", "module"}
FIXED_VALUES = {"month": "1"}

# Routes a volunteer (the least-trusted role) may read. A new route a volunteer can read fails
# `test_roles_get_403_or_404_where_their_permissions_do_not_reach` until it is reviewed here.
VOLUNTEER_MAY_READ: set[str] = {
    "/modules",  # which modules are on: menus
    "/profile",  # the municipality's name and hours
    "/reports",  # the list only; each report checks its own permission
    # food bank volunteers run distribution days: stock, bookings, pickups and entitlement
    "/modules/food_bank/distribution-days",
    "/modules/food_bank/distribution-days/{day_id}",
    "/modules/food_bank/distribution-days/{day_id}/bookings",
    "/modules/food_bank/eligibility",
    "/modules/food_bank/eligibility/{check_id}",
    "/modules/food_bank/entitlement/{person_id}",
    "/modules/food_bank/items",
    "/modules/food_bank/items/{item_id}",
    "/modules/food_bank/lots",
    "/modules/food_bank/lots/{lot_id}",
    "/modules/food_bank/pickups",
    "/modules/food_bank/pickups/{pickup_id}",
    "/modules/food_bank/snack-packs/allocation",
    "/modules/food_bank/snack-packs/deliveries/{delivery_id}",  # what the allocation shows
    "/modules/food_bank/stock",
}


CORE_ROLES = {
    "tenant_admin",
    "social_worker",
    "psychologist",
    "nurse",
    "health_visitor",
    "pedagogue",
    "employment_officer",
    "roma_mediator",
    "reception",
    "volunteer",
}
ROLE_SAMPLE = {"volunteer", "reception", "roma_mediator", "nurse"}


def _ops(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    return tenant_operations(world.openapi)


def _value(side: Side, template: str, param: str) -> str | None:
    return FIXED_VALUES.get(param) or resolve(side, template, param)


def _url(side: Side, template: str, ids_from: Side | None = None) -> str:
    """`template` for `side`'s tenant, with object ids of `ids_from` (default: the same side)."""
    source = ids_from or side
    extra = {"tenant": side.tenant.slug}
    for param in path_params(template):
        if param == "tenant":
            continue
        holder = side if param in SHARED_VALUES else source
        value = _value(holder, template, param)
        if value is None:
            raise LookupError(param)
        extra[param] = value
    return side.tenant.api + fill(side, template, extra)


def _leaks(text: str, other: Side) -> list[str]:
    found = [v for v in (other.canary, other.tenant.slug, str(other.tenant.id)) if v in text]
    found += [i for i in other.every_id if i in text]
    return found


async def _call(
    client: Any, method: str, url: str, headers: dict[str, str], body: Any = None
) -> Any:
    if method in ("GET", "DELETE"):
        return await client.request(method, url, headers=headers)
    return await client.request(method, url, headers=headers, json=body if body is not None else {})


async def test_every_tenant_route_is_probed(world: World) -> None:
    missing = []
    for method, template, _op in _ops(world):
        if (method, template) in UNPROBED:
            continue
        for param in path_params(template):
            if param == "tenant":
                continue
            if _value(world.a, template, param) is None or _value(world.b, template, param) is None:
                missing.append(f"{method} {template}: no value for {{{param}}}")
    stale = [k for k in UNPROBED if k not in {(m, p) for m, p, _ in _ops(world)}]
    hint = "routes the probes cannot fill; seed them or describe them in UNPROBED:\n"
    assert not missing, hint + "\n".join(missing)
    assert not stale, f"UNPROBED lists routes that no longer exist: {stale}"
    assert len(_ops(world)) > 150  # the generator saw the whole API, not an empty document


async def test_ids_of_another_tenant_are_404_and_never_leak(client: Any, world: World) -> None:
    a, b = world.a, world.b
    failures: list[str] = []
    probed = 0
    reached_lookup = 0
    for method, template, op in _ops(world):
        params = [p for p in path_params(template) if p != "tenant"]
        if (method, template) in UNPROBED or not params or set(params) <= SHARED_VALUES:
            continue
        url = _url(a, template, ids_from=b)
        schema = request_schema(world.openapi, op)
        body = example(world.openapi, schema, b.ids) if schema else None
        response = await _call(client, method, url, a.admin.headers, body)
        probed += 1
        status = response.status_code
        allowed = {404} if schema is None else {400, 404, 422}
        if status not in allowed:
            failures.append(f"{method} {template}: {status} {response.text[:160]}")
        if status == 404:
            reached_lookup += 1
        leaked = _leaks(response.text, b)
        if leaked:
            failures.append(f"{method} {template}: shows tenant B values {leaked[:3]}")
        if method == "GET":
            # The control: B's own user reads the same object. A 404 for A proves isolation
            # only if the object is there to be found.
            control = await client.get(_url(b, template), headers=b.admin.headers)
            if control.status_code != 200:
                failures.append(f"{method} {template}: control by B {control.status_code}")
    assert not failures, "\n".join(failures)
    print(f"probes: {len(_ops(world))} tenant operations; {probed} with path ids probed with")
    print(f"  another tenant's ids, {reached_lookup} answered 404 at the lookup")
    assert probed > 80
    assert reached_lookup > probed // 2, (reached_lookup, probed)


async def test_bodies_naming_another_tenants_objects_are_refused(client: Any, world: World) -> None:
    """A create in A whose body points at B's objects (person_id, staff_id...) never succeeds."""
    a, b = world.a, world.b
    failures = []
    tried = 0
    for method, template, op in _ops(world):
        if method not in ("POST", "PUT", "PATCH") or (method, template) in UNPROBED:
            continue
        schema = request_schema(world.openapi, op)
        if schema is None:
            continue
        body = example(world.openapi, schema, b.ids)
        if not any(v in b.every_id for v in _strings(body)):
            continue  # nothing in the body refers to another record
        try:
            url = _url(a, template)
        except LookupError:
            continue
        tried += 1
        response = await _call(client, method, url, a.admin.headers, body)
        if response.status_code < 400 or response.status_code >= 500:
            failures.append(f"{method} {template}: {response.status_code} {response.text[:160]}")
        leaked = _leaks(response.text, b)
        if leaked:
            failures.append(f"{method} {template}: shows tenant B values {leaked[:3]}")
    assert not failures, "\n".join(failures)
    assert tried > 20


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


async def test_lists_searches_reports_and_exports_of_a_never_show_b(
    client: Any, world: World
) -> None:
    a, b = world.a, world.b
    failures = []
    seen = 0
    urls = []
    for method, template, _op in _ops(world):
        if method != "GET" or (method, template) in UNPROBED:
            continue
        try:
            urls.append(_url(a, template))
        except LookupError:
            continue
    for report in a.values.get("report_id", []):
        for fmt in ("json", "csv"):
            urls.append(f"{a.tenant.api}/reports/{report}?format={fmt}")
    urls += [
        f"{a.tenant.api}/beneficiaries?q={b.canary}",
        f"{a.tenant.api}/beneficiaries?q={b.canary.lower()}",
        f"{a.tenant.api}/audit?limit=200",
    ]
    for url in urls:
        response = await client.get(url, headers=a.admin.headers)
        if response.status_code >= 500:
            failures.append(f"GET {url}: {response.status_code}")
        if response.status_code == 200:
            seen += 1
        leaked = _leaks(response.text, b)
        if leaked:
            failures.append(f"GET {url}: shows tenant B values {leaked[:3]}")
    search = await client.get(f"{a.tenant.api}/beneficiaries?q={b.canary}", headers=a.admin.headers)
    assert search.json()["items"] == []
    own = await client.get(f"{a.tenant.api}/beneficiaries?q={a.canary}", headers=a.admin.headers)
    assert len(own.json()["items"]) == 1  # the search works: the empty answer above means something
    assert not failures, "\n".join(failures)
    assert seen > 80


async def test_roles_get_403_or_404_where_their_permissions_do_not_reach(
    client: Any, world: World
) -> None:
    a = world.a
    gets = [t for m, t, _ in _ops(world) if m == "GET" and (m, t) not in UNPROBED]
    failures = []
    volunteer_reads = set()
    statuses: dict[str, dict[int, int]] = {}
    # One role per kind of work (the whole set costs ~40 s); every role module adds is in it.
    probed_roles = [r for r in world.all_roles if r in ROLE_SAMPLE or r not in CORE_ROLES]
    for role in probed_roles:
        staff = await make_staff(a.tenant, [role])
        counts = statuses.setdefault(role, {})
        for template in gets:
            response = await client.get(_url(a, template), headers=staff.headers)
            status = response.status_code
            counts[status] = counts.get(status, 0) + 1
            if status >= 500:
                failures.append(f"{role} GET {template}: {status}")
            if status in (401, 403, 404) and response.json().get("code") not in (
                "forbidden",
                "not_found",
                "unauthorized",
            ):
                failures.append(f"{role} GET {template}: {status} {response.text[:120]}")
            if status == 403 and json.loads(response.text).get("detail") is None:
                failures.append(f"{role} GET {template}: 403 without a message")
            if role == "volunteer" and status == 200:
                volunteer_reads.add(template)
    # The contract's examples: the audit trail is for tenant administrators only.
    social = await make_staff(a.tenant, ["social_worker"])
    audit = await client.get(f"{a.tenant.api}/audit", headers=social.headers)
    assert audit.status_code == 403
    assert not failures, "\n".join(failures)
    unreviewed = volunteer_reads - VOLUNTEER_MAY_READ
    assert not unreviewed, "volunteers can read routes nobody reviewed:\n" + "\n".join(
        sorted(unreviewed)
    )
    for role, counts in statuses.items():  # every role is refused somewhere: the probe bites
        if role != "tenant_admin":
            assert counts.get(403, 0) + counts.get(404, 0) > 0, (role, counts)


async def test_consortium_admin_without_membership_sees_404_everywhere(
    client: Any, world: World, consortium_admin: Any
) -> None:
    a = world.a
    failures = []
    for method, template, op in _ops(world):
        if (method, template) in UNPROBED:
            continue
        schema = request_schema(world.openapi, op)
        body = example(world.openapi, schema, a.ids) if schema else None
        response = await _call(client, method, _url(a, template), consortium_admin.headers, body)
        if response.status_code != 404:
            failures.append(f"{method} {template}: {response.status_code}")
    assert not failures, "\n".join(failures)


async def test_modules_the_tenant_has_not_enabled_are_404(client: Any, world: World) -> None:
    bare = world.bare
    failures = []
    module_ops = [
        (m, t, op) for m, t, op in _ops(world) if t.startswith("/modules/") and t.count("/") >= 3
    ]
    for method, template, op in module_ops:
        if (method, template) in UNPROBED:
            continue
        url = bare.api + fill(world.a, template, {"tenant": bare.slug, **FIXED_VALUES})
        schema = request_schema(world.openapi, op)
        body = example(world.openapi, schema, {}) if schema else None
        response = await _call(client, method, url, world.bare_admin.headers, body)
        if response.status_code != 404:
            failures.append(f"{method} {template}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert len(module_ops) > 50


async def test_every_body_refuses_a_client_sent_tenant(client: Any, world: World) -> None:
    """Mass assignment: every write route refuses a body that names a tenant (422 naming it)."""
    a, b = world.a, world.b
    failures = []
    tried = 0
    for method, template, op in _ops(world):
        schema = request_schema(world.openapi, op)
        if schema is None or (method, template) in UNPROBED:
            continue
        body = example(world.openapi, schema, a.ids)
        if not isinstance(body, dict):
            continue
        body["tenant_id"] = str(b.tenant.id)
        response = await _call(client, method, _url(a, template), a.admin.headers, body)
        tried += 1
        fields = [e.get("field") for e in response.json().get("errors", [])]
        if response.status_code != 422 or "tenant_id" not in fields:
            failures.append(f"{method} {template}: {response.status_code} {fields}")
    assert not failures, "\n".join(failures)
    assert tried > 80


async def test_a_client_sent_tenant_or_id_is_refused(client: Any, world: World) -> None:
    a, b = world.a, world.b
    body = {"first_name": "Ελένη", "last_name": "Ζαχαρίου", "birth_date": "1970-02-02"}
    for extra in ({"tenant_id": str(b.tenant.id)}, {"id": b.ids["~beneficiary"][0]}):
        response = await client.post(
            f"{a.tenant.api}/beneficiaries", json=body | extra, headers=a.admin.headers
        )
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == list(extra)
    person = a.ids["~beneficiary"][0]
    patched = await client.patch(
        f"{a.tenant.api}/beneficiaries/{person}",
        json={"tenant_id": str(b.tenant.id)},
        headers=a.admin.headers,
    )
    assert patched.status_code == 422
    still = await client.get(f"{a.tenant.api}/beneficiaries/{person}", headers=a.admin.headers)
    assert still.status_code == 200


@pytest.mark.pg
async def test_every_redis_key_is_tenant_tagged_or_allowed(client: Any, world: World) -> None:
    """Runs after the probes above (same module, defined last): they touched every route.
    The rules, and the test that drives every store on purpose: test_redis_keys.py."""
    from tests.security.test_redis_keys import keyspace, problems

    keys, slugs = await keyspace()
    assert keys, "the probes left nothing in Redis: is the store wired?"
    assert not problems(keys, slugs), "\n".join(problems(keys, slugs)[:20])
    assert any(f"{{t:{world.a.tenant.slug}}}" in k for k in keys)
