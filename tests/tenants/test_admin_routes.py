"""Consortium routes `/api/v1/admin/*`: authorisation, onboarding, lifecycle, modules, stats."""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

import pytest

from core.audit.tables import PlatformAuditEvent
from core.auth.tables import User
from core.testing import unique_slug
from tenants.tables import Membership, Tenant, TenantModule
from tests.tenants.conftest import ADMIN, WIDGETS, settings_url


@pytest.fixture
def http(widgets: Any) -> Any:
    return widgets.client


async def _tenant_exists(slug: str) -> bool:
    return bool(await Tenant.exists().where(Tenant.slug == slug))


async def _platform_events(user_id: UUID, action: str) -> list[dict[str, Any]]:
    return await PlatformAuditEvent.select().where(  # type: ignore[no-any-return]
        (PlatformAuditEvent.user_id == user_id) & (PlatformAuditEvent.action == action)
    )


# -- who may call ---------------------------------------------------------------------------

ROUTES = [
    ("GET", "/tenants"),
    ("POST", "/tenants"),
    ("GET", "/tenants/{slug}"),
    ("PATCH", "/tenants/{slug}"),
    ("POST", "/tenants/{slug}/suspend"),
    ("POST", "/tenants/{slug}/resume"),
    ("PUT", f"/tenants/{{slug}}/modules/{WIDGETS}"),
    ("DELETE", f"/tenants/{{slug}}/modules/{WIDGETS}"),
    ("GET", "/stats"),
    ("GET", "/modules"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_anonymous_gets_401(http: Any, tenant: Any, method: str, path: str) -> None:
    response = await http.request(method, ADMIN + path.format(slug=tenant.slug), json={})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    bad_token = {"Authorization": "Bearer not-a-token"}
    response = await http.request(
        method, ADMIN + path.format(slug=tenant.slug), json={}, headers=bad_token
    )
    assert response.status_code == 401


@pytest.mark.parametrize(("method", "path"), ROUTES)
async def test_staff_get_403_and_it_is_audited(
    http: Any, tenant: Any, admin: Any, method: str, path: str
) -> None:
    """Even a tenant administrator is not a consortium administrator."""
    response = await http.request(
        method, ADMIN + path.format(slug=tenant.slug), json={}, headers=admin.headers
    )
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert await _tenant_exists(tenant.slug)
    denied = await _platform_events(admin.user_id, "denied")
    assert denied and denied[-1]["outcome"] == "denied"


async def test_anonymous_with_malformed_body_is_still_401(http: Any) -> None:
    response = await http.post(
        f"{ADMIN}/tenants", content=b"{nope", headers={"content-type": "application/json"}
    )
    assert response.status_code == 401


# -- onboarding -----------------------------------------------------------------------------


async def test_create_tenant(http: Any, consortium_admin: Any) -> None:
    slug = unique_slug("new")
    response = await http.post(
        f"{ADMIN}/tenants",
        json={
            "slug": slug,
            "name": "Δήμος Νέας Πόλης",
            "name_en": "New Town",
            "modules": [WIDGETS],
        },
        headers=consortium_admin.headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["slug"], body["name"], body["name_en"]) == (slug, "Δήμος Νέας Πόλης", "New Town")
    assert body["status"] == "active"
    assert body["modules"] == [WIDGETS]
    assert body["timezone"] == "Europe/Athens"
    row = (
        await TenantModule.select()
        .where((TenantModule.tenant_id == UUID(body["id"])) & (TenantModule.module == WIDGETS))
        .first()
        .output(load_json=True)
    )
    assert row["settings"] == {"max_visits": 4, "label": ""}  # the model's defaults
    events = await _platform_events(consortium_admin.user_id, "tenant.create")
    assert any(e["tenant_id"] == UUID(body["id"]) for e in events)


async def test_create_runs_the_module_enabled_hook(
    widgets: Any, http: Any, consortium_admin: Any
) -> None:
    """`merimna_module_enabled` reaches the module with its validated settings."""
    slug = unique_slug("hook")
    before = len(widgets.calls)
    response = await http.post(
        f"{ADMIN}/tenants",
        json={"slug": slug, "name": "Δήμος", "modules": [WIDGETS]},
        headers=consortium_admin.headers,
    )
    assert response.status_code == 201
    name, module, settings = widgets.calls[before]
    assert (name, module, settings.max_visits) == ("enabled", WIDGETS, 4)


async def test_onboarding_with_a_first_administrator(http: Any, consortium_admin: Any) -> None:
    slug = unique_slug("onb")
    username = f"first-admin-{secrets.token_hex(3)}"
    response = await http.post(
        f"{ADMIN}/tenants",
        json={
            "slug": slug,
            "name": "Δήμος",
            "modules": [WIDGETS],
            "admin": {"username": username, "password": "correct horse", "display_name": "Α"},
        },
        headers=consortium_admin.headers,
    )
    assert response.status_code == 201, response.text
    login = await http.post(
        "/api/v1/auth/login", json={"username": username, "password": "correct horse"}
    )
    assert login.status_code == 200, login.text
    token = {"Authorization": f"Bearer {login.json()['access_token']}"}
    settings = await http.get(settings_url(slug), headers=token)
    assert settings.status_code == 200  # a tenant administrator of the new tenant
    user = (
        await User.select(User.id, User.is_consortium_admin)
        .where(User.username == username)
        .first()
    )
    assert user["is_consortium_admin"] is False
    member = (
        await Membership.select(Membership.roles)
        .where(Membership.user_id == user["id"])
        .first()
        .output(load_json=True)
    )
    assert member["roles"] == ["tenant_admin"]


async def test_failing_admin_creation_leaves_no_tenant(
    http: Any, consortium_admin: Any, staff_factory: Any
) -> None:
    taken = await staff_factory(None, [])
    slug = unique_slug("atomic")
    modules_before, members_before = await TenantModule.count(), await Membership.count()
    response = await http.post(
        f"{ADMIN}/tenants",
        json={
            "slug": slug,
            "name": "Δήμος",
            "modules": [WIDGETS],
            "admin": {"username": taken.username, "password": "whatever-long"},
        },
        headers=consortium_admin.headers,
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "duplicate_username"
    assert [e["field"] for e in body["errors"]] == ["admin.username"]
    assert not await _tenant_exists(slug)
    assert await TenantModule.count() == modules_before
    assert await Membership.count() == members_before
    # The slug is free: the same onboarding succeeds with another username.
    again = await http.post(
        f"{ADMIN}/tenants",
        json={"slug": slug, "name": "Δήμος", "admin": {"username": f"x-{slug}", "password": "p"}},
        headers=consortium_admin.headers,
    )
    assert again.status_code == 201


async def test_blank_admin_username_is_422_and_nothing_stored(
    http: Any, consortium_admin: Any
) -> None:
    slug = unique_slug("blank")
    response = await http.post(
        f"{ADMIN}/tenants",
        json={"slug": slug, "name": "Δήμος", "admin": {"username": "   ", "password": "pw"}},
        headers=consortium_admin.headers,
    )
    assert response.status_code == 422
    assert "admin.username" in [e["field"] for e in response.json()["errors"]]
    assert not await _tenant_exists(slug)


@pytest.mark.parametrize(
    "slug",
    [
        "Upper",
        "with_underscore",
        "-leading",
        "trailing-",
        "a",
        "x" * 64,
        "δήμος",
        "has space",
        "dot.ted",
        "",
    ],
)
async def test_bad_slugs_are_422(http: Any, consortium_admin: Any, slug: str) -> None:
    response = await http.post(
        f"{ADMIN}/tenants", json={"slug": slug, "name": "Δήμος"}, headers=consortium_admin.headers
    )
    assert response.status_code == 422, response.text
    assert "slug" in [e["field"] for e in response.json()["errors"]]
    assert not await _tenant_exists(slug)


@pytest.mark.parametrize("slug", ["ab", "chalandri-2", "kordelio-evosmos", "a1", "x" * 63])
async def test_good_slugs(http: Any, consortium_admin: Any, slug: str) -> None:
    response = await http.post(
        f"{ADMIN}/tenants", json={"slug": slug, "name": "Δήμος"}, headers=consortium_admin.headers
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"name": "Δήμος"}, "slug", "missing"),
        ({"slug": "ok-slug"}, "name", "missing"),
        ({"slug": "ok-slug", "name": "Δ" * 201}, "name", "string_too_long"),
        ({"slug": "ok-slug", "name": "Δήμος", "colour": "red"}, "colour", "extra_forbidden"),
        ({"slug": "ok-slug", "name": "Δήμος", "modules": ["no_such"]}, "modules", "unknown_module"),
        ({"slug": "ok-slug", "name": "Δήμος", "timezone": "Mars/Base"}, "timezone", None),
        ({"slug": "ok-slug", "name": "Δήμος", "modules": "help"}, "modules", "list_type"),
    ],
)
async def test_invalid_bodies_are_422_and_store_nothing(
    http: Any, consortium_admin: Any, body: dict[str, Any], field: str, code: str | None
) -> None:
    if "slug" in body:
        body = {**body, "slug": unique_slug("bad")}
    response = await http.post(f"{ADMIN}/tenants", json=body, headers=consortium_admin.headers)
    assert response.status_code == 422, response.text
    errors = {e["field"]: e for e in response.json()["errors"]}
    assert field in errors
    if code:
        assert errors[field]["code"] == code
    assert errors[field]["message"]
    if "slug" in body:
        assert not await _tenant_exists(body["slug"])


async def test_every_offending_field_is_listed(http: Any, consortium_admin: Any) -> None:
    response = await http.post(
        f"{ADMIN}/tenants",
        json={"slug": "Bad Slug", "name": "x" * 300, "extra": 1},
        headers=consortium_admin.headers,
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"slug", "name", "extra"}


async def test_malformed_json_is_400(http: Any, consortium_admin: Any) -> None:
    response = await http.post(
        f"{ADMIN}/tenants",
        content=b'{"slug": "x",',
        headers={**consortium_admin.headers, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


async def test_messages_follow_accept_language(http: Any, consortium_admin: Any) -> None:
    body = {"slug": "NO", "name": "Δήμος"}
    greek = await http.post(f"{ADMIN}/tenants", json=body, headers=consortium_admin.headers)
    english = await http.post(
        f"{ADMIN}/tenants",
        json=body,
        headers={**consortium_admin.headers, "Accept-Language": "en"},
    )
    assert greek.json()["errors"][0]["code"] == english.json()["errors"][0]["code"]
    assert greek.json()["errors"][0]["message"] != english.json()["errors"][0]["message"]
    assert "Latin" in english.json()["errors"][0]["message"]


async def test_duplicate_slug_is_409(http: Any, consortium_admin: Any, tenant: Any) -> None:
    response = await http.post(
        f"{ADMIN}/tenants",
        json={"slug": tenant.slug, "name": "Δήμος"},
        headers=consortium_admin.headers,
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_slug"


# -- reading and updating -------------------------------------------------------------------


async def test_list_is_paginated_and_filtered(
    http: Any, consortium_admin: Any, tenant_factory: Any
) -> None:
    mine = {(await tenant_factory(prefix="list")).slug for _ in range(3)}
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = await http.get(f"{ADMIN}/tenants", params=params, headers=consortium_admin.headers)
        assert page.status_code == 200
        body = page.json()
        assert set(body) == {"items", "next_cursor"}
        assert len(body["items"]) <= 2
        seen += [t["slug"] for t in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert mine <= set(seen)
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    too_many = await http.get(
        f"{ADMIN}/tenants", params={"limit": 201}, headers=consortium_admin.headers
    )
    assert too_many.status_code == 422
    suspended = await http.get(
        f"{ADMIN}/tenants", params={"status": "suspended"}, headers=consortium_admin.headers
    )
    assert all(t["status"] == "suspended" for t in suspended.json()["items"])
    wrong = await http.get(
        f"{ADMIN}/tenants", params={"status": "sleepy"}, headers=consortium_admin.headers
    )
    assert wrong.status_code in (400, 422)


async def test_read_one_tenant(
    http: Any, consortium_admin: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    town = await tenant_factory([WIDGETS])
    await staff_factory(town, ["social_worker"])
    response = await http.get(f"{ADMIN}/tenants/{town.slug}", headers=consortium_admin.headers)
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(town.id)
    assert body["modules"] == [WIDGETS]
    assert body["module_settings"] == {WIDGETS: {"max_visits": 4, "label": ""}}
    assert body["members"] == 1
    missing = await http.get(f"{ADMIN}/tenants/no-such-town", headers=consortium_admin.headers)
    assert missing.status_code == 404


async def test_update_tenant_keeps_the_slug(http: Any, consortium_admin: Any, tenant: Any) -> None:
    url = f"{ADMIN}/tenants/{tenant.slug}"
    response = await http.patch(
        url,
        json={"name": "Δήμος Αλλαγής", "contact_email": "info@example.gr"},
        headers=consortium_admin.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Δήμος Αλλαγής"
    assert response.json()["slug"] == tenant.slug
    renamed = await http.patch(url, json={"slug": "new-slug"}, headers=consortium_admin.headers)
    assert renamed.status_code == 422
    assert renamed.json()["errors"][0]["code"] == "extra_forbidden"
    nulled = await http.patch(url, json={"name": None}, headers=consortium_admin.headers)
    assert nulled.status_code == 422
    assert nulled.json()["errors"][0]["field"] == "name"
    long = await http.patch(url, json={"name": "x" * 201}, headers=consortium_admin.headers)
    assert long.status_code == 422
    hours = await http.patch(
        url,
        json={"operating_hours": {"mon": [["15:00", "08:00"]]}},
        headers=consortium_admin.headers,
    )
    assert hours.status_code == 422
    row = await Tenant.select(Tenant.name, Tenant.slug).where(Tenant.id == tenant.id).first()
    assert row == {"name": "Δήμος Αλλαγής", "slug": tenant.slug}
    missing = await http.patch(
        f"{ADMIN}/tenants/no-such-town", json={"name": "Χώρα"}, headers=consortium_admin.headers
    )
    assert missing.status_code == 404
    events = await _platform_events(consortium_admin.user_id, "tenant.update")
    assert any(e["tenant_id"] == tenant.id for e in events)


# -- suspension -----------------------------------------------------------------------------


async def test_suspend_and_resume(
    http: Any, consortium_admin: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    town = await tenant_factory([WIDGETS])
    worker = await staff_factory(town, ["social_worker"])
    assert (await http.get(f"{town.api}/modules", headers=worker.headers)).status_code == 200

    suspended = await http.post(
        f"{ADMIN}/tenants/{town.slug}/suspend", headers=consortium_admin.headers
    )
    assert suspended.status_code == 200
    assert suspended.json()["status"] == "suspended"
    refused = await http.get(f"{town.api}/modules", headers=worker.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "tenant_suspended"
    # The consortium still manages it.
    read = await http.get(f"{ADMIN}/tenants/{town.slug}", headers=consortium_admin.headers)
    assert read.status_code == 200
    patched = await http.patch(
        f"{ADMIN}/tenants/{town.slug}", json={"name_en": "Asleep"}, headers=consortium_admin.headers
    )
    assert patched.status_code == 200

    resumed = await http.post(
        f"{ADMIN}/tenants/{town.slug}/resume", headers=consortium_admin.headers
    )
    assert resumed.status_code == 200
    assert resumed.json()["status"] == "active"
    assert (await http.get(f"{town.api}/modules", headers=worker.headers)).status_code == 200
    actions = {
        e["action"]
        for e in await PlatformAuditEvent.select(PlatformAuditEvent.action).where(
            PlatformAuditEvent.tenant_id == town.id
        )
    }
    assert {"tenant.suspend", "tenant.resume"} <= actions
    missing = await http.post(
        f"{ADMIN}/tenants/nope-nope/suspend", headers=consortium_admin.headers
    )
    assert missing.status_code == 404


# -- modules --------------------------------------------------------------------------------


async def test_enable_with_settings_then_replace_them(
    http: Any, consortium_admin: Any, tenant: Any, admin: Any
) -> None:
    url = f"{ADMIN}/tenants/{tenant.slug}/modules/{WIDGETS}"
    created = await http.put(url, json={"max_visits": 7}, headers=consortium_admin.headers)
    assert created.status_code == 201, created.text
    assert created.json() == {
        "module": WIDGETS,
        "enabled": True,
        "settings": {"max_visits": 7, "label": ""},
    }
    mine = await http.get(settings_url(tenant.slug), headers=admin.headers)
    assert mine.json() == {"max_visits": 7, "label": ""}
    replaced = await http.put(url, json={"label": "Α"}, headers=consortium_admin.headers)
    assert replaced.status_code == 200
    assert replaced.json()["settings"] == {"max_visits": 4, "label": "Α"}
    defaults = await http.put(url, headers=consortium_admin.headers)  # no body: defaults
    assert defaults.status_code == 200
    assert defaults.json()["settings"] == {"max_visits": 4, "label": ""}
    actions = [
        e["action"]
        for e in await PlatformAuditEvent.select(PlatformAuditEvent.action)
        .where(PlatformAuditEvent.tenant_id == tenant.id)
        .order_by(PlatformAuditEvent.at)
    ]
    assert "module.enable" in actions and "module.settings" in actions


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"max_visits": 0}, "settings.max_visits", "greater_than_equal"),
        ({"max_visits": "many"}, "settings.max_visits", "int_parsing"),
        ({"label": "x" * 21}, "settings.label", "string_too_long"),
        ({"colour": "red"}, "settings.colour", "extra_forbidden"),
        ([1, 2], "settings", "dict_type"),
    ],
)
async def test_settings_failing_the_model_are_422_and_store_nothing(
    http: Any, consortium_admin: Any, tenant: Any, body: Any, field: str, code: str
) -> None:
    url = f"{ADMIN}/tenants/{tenant.slug}/modules/{WIDGETS}"
    response = await http.put(url, json=body, headers=consortium_admin.headers)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert not await TenantModule.exists().where(TenantModule.tenant_id == tenant.id)


async def test_module_put_malformed_json_is_400(
    http: Any, consortium_admin: Any, tenant: Any
) -> None:
    response = await http.put(
        f"{ADMIN}/tenants/{tenant.slug}/modules/{WIDGETS}",
        content=b"{max_visits: 3}",
        headers={**consortium_admin.headers, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert not await TenantModule.exists().where(TenantModule.tenant_id == tenant.id)


async def test_unknown_module_or_tenant_is_404(
    http: Any, consortium_admin: Any, tenant: Any
) -> None:
    for method in ("PUT", "DELETE"):
        unknown = await http.request(
            method,
            f"{ADMIN}/tenants/{tenant.slug}/modules/no_such_module",
            json={},
            headers=consortium_admin.headers,
        )
        assert unknown.status_code == 404
        nowhere = await http.request(
            method,
            f"{ADMIN}/tenants/no-town/modules/{WIDGETS}",
            json={},
            headers=consortium_admin.headers,
        )
        assert nowhere.status_code == 404


async def test_disable_module(
    widgets: Any, http: Any, consortium_admin: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    town = await tenant_factory([WIDGETS])
    boss = await staff_factory(town, ["tenant_admin"])
    own = f"{town.api}/modules/{WIDGETS}/things"
    assert (await http.get(own, headers=boss.headers)).status_code == 200
    url = f"{ADMIN}/tenants/{town.slug}/modules/{WIDGETS}"
    before = len(widgets.calls)
    gone = await http.delete(url, headers=consortium_admin.headers)
    assert gone.status_code == 204
    assert ("disabled", WIDGETS, town.slug) in widgets.calls[before:]  # merimna_module_disabled
    assert (await http.get(own, headers=boss.headers)).status_code == 404
    assert (await http.get(settings_url(town.slug), headers=boss.headers)).status_code == 404
    again = await http.delete(url, headers=consortium_admin.headers)
    assert again.status_code == 404
    # Enabling again brings the stored row back on, with the settings given now.
    back = await http.put(url, json={"max_visits": 2}, headers=consortium_admin.headers)
    assert back.status_code == 201
    assert (await http.get(own, headers=boss.headers)).status_code == 200


async def test_installed_modules(http: Any, consortium_admin: Any) -> None:
    response = await http.get(f"{ADMIN}/modules", headers=consortium_admin.headers)
    assert response.status_code == 200
    items = {m["slug"]: m for m in response.json()["items"]}
    assert response.json()["next_cursor"] is None
    widgets = items[WIDGETS]
    assert widgets["version"] == "1.2.3"
    assert widgets["builtin"] is False
    assert set(widgets["settings_schema"]["properties"]) == {"max_visits", "label"}
    assert widgets["settings_schema"]["properties"]["max_visits"]["maximum"] == 20
    for builtin in ("help_at_home", "family_center", "roma_branch", "food_bank"):
        assert items[builtin]["builtin"] is True
        assert items[builtin]["settings_schema"]["type"] == "object"


# -- statistics -----------------------------------------------------------------------------


async def test_stats_count_without_personal_data(
    http: Any, consortium_admin: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    town = await tenant_factory([WIDGETS], name="Δήμος Μετρήσεων")
    quiet = await tenant_factory()
    boss = await staff_factory(town, ["tenant_admin"])
    await staff_factory(town, ["social_worker"])
    # Two settings changes leave two audit events in the town's (tenant-scoped) trail.
    for visits in (5, 6):
        changed = await http.put(
            settings_url(town.slug), json={"max_visits": visits}, headers=boss.headers
        )
        assert changed.status_code == 200
    person = await http.post(
        f"{town.api}/beneficiaries",
        json={"first_name": "Ευτέρπη", "last_name": "Ζαχαρίου", "birth_date": "1941-05-02"},
        headers=boss.headers,
    )
    assert person.status_code == 201, person.text
    # Narrowed to the two tenants of this test (the session holds many more).
    response = await http.get(
        f"{ADMIN}/stats",
        params=[("tenant", town.slug), ("tenant", quiet.slug)],
        headers=consortium_admin.headers,
    )
    assert response.status_code == 200
    body = response.json()
    by_slug = {t["slug"]: t for t in body["tenants"]}
    assert set(by_slug) == {town.slug, quiet.slug}
    mine, other = by_slug[town.slug], by_slug[quiet.slug]
    assert mine["members"] == 2
    assert mine["modules"] == [WIDGETS]
    assert mine["rows"]["audit_event"] >= 2
    assert mine["rows"]["beneficiary"] == 1
    assert other["rows"]["audit_event"] == 0 and other["rows"]["beneficiary"] == 0
    assert other["members"] == 0
    assert body["totals"]["tenants"] == 2 and body["totals"]["members"] == 2
    assert boss.username not in response.text
    assert "Δήμος Μετρήσεων" not in response.text
    for personal in ("Ευτέρπη", "Ζαχαρίου", "1941", person.json()["id"]):
        assert personal not in response.text
    runs = await PlatformAuditEvent.select().where(
        (PlatformAuditEvent.user_id == consortium_admin.user_id)
        & (PlatformAuditEvent.action == "maintenance")
    )
    assert len(runs) == 1 and runs[0]["object_id"] == "stats"
