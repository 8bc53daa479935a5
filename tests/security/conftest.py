"""A seeded world for the security suite: two municipalities with every module and demo data.

Seeded once per session and shared by the probes, the fuzzer and the state machine (tests
never clean up: every tenant here has a unique slug). Tenant B also gets canary values, strings
that must never reach a response to anyone of tenant A.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from typing import Any

import pytest

from core.testing import Staff, TenantFixture, make_staff, make_tenant

UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TENANT_PREFIX = "/api/v1/t/{tenant}"


@dataclass
class Side:
    """One seeded municipality: its tenant, an all-roles user, and the ids it holds."""

    tenant: TenantFixture
    admin: Staff
    canary: str
    # param/collection name -> ids of this tenant, harvested from its own responses
    ids: dict[str, list[str]] = field(default_factory=dict)
    every_id: set[str] = field(default_factory=set)
    # report ids, category codes and other non-UUID path values
    values: dict[str, list[str]] = field(default_factory=dict)
    # ids known from creating them (no list shows them): kept across harvests
    seeded: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class World:
    a: Side
    b: Side
    bare: TenantFixture  # no modules enabled
    bare_admin: Staff
    openapi: dict[str, Any]
    all_roles: list[str]


def tenant_operations(openapi: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(METHOD, path template relative to the tenant, operation) of every tenant API route."""
    out = []
    for path, ops in openapi["paths"].items():
        if not path.startswith(TENANT_PREFIX):
            continue
        for method, op in ops.items():
            if method in ("get", "post", "put", "patch", "delete"):
                out.append((method.upper(), path[len(TENANT_PREFIX) :], op))
    return sorted(out, key=lambda o: (o[1], o[0]))


def path_params(template: str) -> list[str]:
    return re.findall(r"\{([^}:]+)(?::[^}]*)?\}", template)


def _walk(value: Any, found: list[tuple[str, str]], key: str = "") -> None:
    """Every UUID in a response with the key it sits under. The `id` of an object inside a
    named list (a household's `members`) is also found as `~member`, so `{member_id}` can be
    filled from it."""
    if isinstance(value, dict):
        for k, v in value.items():
            _walk(v, found, k)
    elif isinstance(value, list):
        for v in value:
            named = key not in ("", "items") and isinstance(v, dict)
            if named and isinstance(v.get("id"), str) and UUID_RE.fullmatch(v["id"]):
                found.append((f"~{_singular(key)}", v["id"]))
            _walk(v, found, key)
    elif isinstance(value, str) and UUID_RE.fullmatch(value):
        found.append((key, value))


def _collection_key(template: str) -> str:
    """`/cases/{case_id}/sessions` -> `sessions`; `/modules/food_bank/items` -> `items`."""
    last = template.rstrip("/").split("/")[-1]
    return last.replace("-", "_")


def _singular(name: str) -> str:
    if name.endswith("ies"):
        return name[:-3] + "y"
    return name[:-1] if name.endswith("s") else name


Operations = list[tuple[str, str, dict[str, Any]]]


async def harvest(client: Any, side: Side, operations: Operations) -> None:
    """Crawl every GET route of `side` as its all-roles user and remember the ids it shows."""
    api = side.tenant.api
    side.ids.clear()
    for name, ids in side.seeded.items():
        side.ids[name] = list(ids)
        side.every_id.update(ids)
    side.values.setdefault("report_id", [])
    done: set[str] = set()
    gets = [(p, op) for m, p, op in operations if m == "GET"]
    for _round in range(3):  # lists first, then the routes their ids open, then one level more
        for template, _op in gets:
            if template in done:
                continue
            params = path_params(template)
            if params and not all(resolve(side, template, p) for p in params):
                continue
            done.add(template)
            url = api + fill(side, template)
            response = await client.get(url, headers=side.admin.headers)
            kind = response.headers.get("content-type", "")
            if response.status_code != 200 or "json" not in kind:
                continue
            body = response.json()
            found: list[tuple[str, str]] = []
            _walk(body, found)
            collection = _collection_key(template) if not template.endswith("}") else ""
            items = body.get("items") if isinstance(body, dict) else body
            if collection and isinstance(items, list):
                for item in items:
                    if isinstance(item, dict) and isinstance(item.get("id"), str):
                        side.ids.setdefault(f"@{template}", []).append(item["id"])
                        side.ids.setdefault(f"~{_singular(collection)}", []).append(item["id"])
                    if template == "/reports" and isinstance(item, dict) and "id" in item:
                        side.values["report_id"].append(str(item["id"]))
                    if template == "/categories" and isinstance(item, dict) and "code" in item:
                        side.values.setdefault("code", []).append(str(item["code"]))
            for key, value in found:
                side.every_id.add(value)
                if key and key != "id":
                    side.ids.setdefault(key, []).append(value)


def resolve(side: Side, template: str, param: str) -> str | None:
    """A value of `side` for a path parameter, or None when the crawl found none."""
    if param == "tenant":
        return side.tenant.slug
    if side.values.get(param):
        return side.values[param][0]
    head = template.split("{" + param)[0].rstrip("/")
    from_collection = side.ids.get(f"@{head}")
    if from_collection:
        return from_collection[0]
    named = side.ids.get(param)
    if named:
        return named[0]
    stem = param.removesuffix("_id")
    aliases = {"person": "beneficiary", "app": "application", "seeker": "job_seeker"}
    for alias in (stem, aliases.get(stem, "")):
        if alias and side.ids.get(f"~{alias}"):
            return side.ids[f"~{alias}"][0]
    return None


def fill(side: Side, template: str, extra: dict[str, str] | None = None) -> str:
    out = template
    for param in path_params(template):
        value = (extra or {}).get(param) or resolve(side, template, param)
        if value is None:
            raise LookupError(param)
        out = re.sub(r"\{" + param + r"(?::[^}]*)?\}", value, out)
    return out


async def seed_side(
    client: Any, modules: list[str], prefix: str, roles: list[str], operations: Operations
) -> Side:
    """A municipality with `modules`, their demo data, one object of every kind the demo
    leaves out, a canary person, and the ids its own responses show (harvested)."""
    from core import db
    from core.plugin_host import get_host
    from tenants.resolution import load_tenant
    from tenants.scoping import tenant_context

    tenant = await make_tenant(modules, prefix=prefix)
    admin = await make_staff(tenant, roles)
    if "help_at_home" in modules:
        # The help_at_home demo books its visits for home helpers and nurses, and creates
        # none itself: without them it has nothing to plan, and its routes nothing to probe.
        for profession in ("home_helper", "nurse"):
            response = await client.post(
                f"{tenant.api}/staff",
                json={"profession": profession, "display_name": f"{profession} {prefix}"},
                headers=admin.headers,
            )
            assert response.status_code == 201, response.text
    loaded = await load_tenant(tenant.slug)
    assert loaded is not None
    with tenant_context(loaded.id):
        async with db.transaction():
            await db.set_rls_tenant(loaded.id)
            await get_host().for_tenant(loaded.modules).demo_data(tenant=loaded.ref, seed=7)
    canary = "Canary" + prefix.capitalize() + "".join(secrets.choice("qwxzjk") for _ in range(8))
    person = {
        "first_name": canary,
        "last_name": canary,
        "birth_date": "1980-01-01",
        "email": f"{canary.lower()}@example.org",
    }
    response = await client.post(f"{tenant.api}/beneficiaries", json=person, headers=admin.headers)
    assert response.status_code == 201, response.text
    side = Side(tenant, admin, canary)
    await _seed_core_objects(client, side, str(response.json()["id"]))
    await harvest(client, side, operations)
    await _seed_module_objects(client, side, str(response.json()["id"]))
    await harvest(client, side, operations)
    return side


def _next_weekday(days_ahead: int = 14) -> str:
    from datetime import date, timedelta

    day = date.today() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


def _days_ago(days: int) -> str:
    from datetime import date, timedelta

    return (date.today() - timedelta(days=days)).isoformat()


def _poster(client: Any, side: Side) -> Any:
    async def post(path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = await client.post(side.tenant.api + path, json=body, headers=side.admin.headers)
        assert response.status_code in (200, 201), (path, response.text)
        return dict(response.json())

    return post


async def _seed_core_objects(client: Any, side: Side, person_id: str) -> None:
    """Objects the demo loaders leave out, one of each, so their routes get probed too."""
    post = _poster(client, side)
    canary = side.canary
    staff = await post(
        "/staff",
        {"profession": "social_worker", "user_id": str(side.admin.user_id), "display_name": canary},
    )
    await post("/units", {"code": "u" + canary[-6:].lower(), "name_el": canary})
    referral = {"kind": "internal", "person_id": person_id, "reason": canary}
    await post("/referrals", referral | {"target_module": "food_bank"})
    await post(f"/beneficiaries/{person_id}/notes", {"body": canary})
    await post(f"/beneficiaries/{person_id}/consents", {"purpose": "data_sharing"})
    day = _next_weekday()
    # Local holidays are listed by date, merged with the national ones: only the answer to
    # their creation names their id.
    holiday = await post("/holidays", {"date": _next_weekday(40), "name_el": canary})
    side.seeded["holiday_id"] = [str(holiday["id"])]
    await post(
        f"/staff/{staff['id']}/absences",
        {
            "kind": "training",
            "start": f"{_next_weekday(60)}T09:00:00+02:00",
            "end": f"{_next_weekday(60)}T10:00:00+02:00",
        },
    )
    await post(
        "/appointments",
        {
            "service": "core.intake",
            "start": f"{day}T10:00:00+02:00",
            "end": f"{day}T10:30:00+02:00",
            "staff_id": staff["id"],
            "beneficiary_id": person_id,
            "mode": "in_person",
        },
    )
    # A document (multipart upload): the register's routes take its id.
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
    uploaded = await client.post(
        f"{side.tenant.api}/documents",
        data={"owner_type": "person", "owner_id": person_id, "doc_type": "id_card"},
        files={"file": (f"{canary}.pdf", pdf, "application/pdf")},
        headers=side.admin.headers,
    )
    assert uploaded.status_code == 201, uploaded.text


async def _seed_module_objects(client: Any, side: Side, person_id: str) -> None:
    """Objects of the modules that their demo data does not hold (bodies in `bodies.py`)."""
    from tests.security.bodies import module_seeds

    post = _poster(client, side)
    api = side.tenant.api
    modules = set(side.tenant.modules)
    child = await post(
        "/beneficiaries",
        {"first_name": "Άλκηστις", "last_name": "Ανδρέου", "birth_date": "2016-05-05"},
    )
    for module, path, body, param in await module_seeds(client, side, person_id, str(child["id"])):
        if module not in modules:
            continue
        response = await client.post(api + path, json=body, headers=side.admin.headers)
        assert response.status_code in (200, 201), (path, response.text)
        if param:
            side.seeded.setdefault(param, []).append(str(response.json()["id"]))


@pytest.fixture(scope="session")
async def world(client: Any) -> World:
    from core.plugin_host import get_host

    host = get_host()
    modules = sorted(host.modules)
    roles = sorted(r.code for r in host.roles() if r.code != "consortium_admin")
    openapi = (await client.get("/schema/openapi.json")).json()
    ops = tenant_operations(openapi)
    a = await seed_side(client, modules, "seca", roles, ops)
    b = await seed_side(client, modules, "secb", roles, ops)
    bare = await make_tenant([], prefix="secc")
    bare_admin = await make_staff(bare, roles)
    return World(a, b, bare, bare_admin, openapi, roles)


@pytest.fixture(scope="session")
async def fuzz_side(client: Any, world: World) -> Side:
    """A municipality of its own for the fuzzer, whose writes and deletions would otherwise
    remove the objects whose ids the probes try across tenants (a 404 for an id that no
    longer exists proves nothing)."""
    return await seed_side(
        client,
        sorted(world.a.tenant.modules),
        "secf",
        world.all_roles,
        tenant_operations(world.openapi),
    )
