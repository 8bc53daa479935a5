"""A tenant's own module routes: `modules` and `modules/{module}/settings` (tenant admins)."""

from __future__ import annotations

from typing import Any

import pytest

from core.audit.tables import AuditEvent
from core.plugin_host import get_host
from tenants.tables import TenantModule
from tests.tenants.conftest import WIDGETS, in_tenant, settings_url


@pytest.fixture
def http(widgets: Any) -> Any:
    return widgets.client


@pytest.fixture
async def town(tenant_factory: Any) -> Any:
    return await tenant_factory([WIDGETS, "food_bank"])


@pytest.fixture
async def boss(town: Any, staff_factory: Any) -> Any:
    return await staff_factory(town, ["tenant_admin"])


async def test_enabled_modules_in_the_request_language(
    http: Any, town: Any, staff_factory: Any
) -> None:
    worker = await staff_factory(town, ["social_worker"])
    greek = await http.get(f"{town.api}/modules", headers=worker.headers)
    assert greek.status_code == 200
    body = greek.json()
    assert body["next_cursor"] is None
    by_slug = {m["slug"]: m for m in body["items"]}
    assert set(by_slug) == {WIDGETS, "food_bank"}
    assert by_slug[WIDGETS]["title"] == "Γραφικά στοιχεία"
    assert by_slug[WIDGETS]["version"] == "1.2.3"
    assert "max_visits" in by_slug[WIDGETS]["settings_schema"]["properties"]
    english = await http.get(
        f"{town.api}/modules", headers={**worker.headers, "Accept-Language": "en"}
    )
    assert {m["slug"]: m["title"] for m in english.json()["items"]}[WIDGETS] == "Widgets"


async def test_enabled_modules_paginate(http: Any, town: Any, boss: Any) -> None:
    first = (
        await http.get(f"{town.api}/modules", params={"limit": 1}, headers=boss.headers)
    ).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = (
        await http.get(
            f"{town.api}/modules",
            params={"limit": 1, "cursor": first["next_cursor"]},
            headers=boss.headers,
        )
    ).json()
    assert [m["slug"] for m in first["items"] + second["items"]] == sorted([WIDGETS, "food_bank"])
    assert second["next_cursor"] is None


async def test_no_modules_and_anonymous_and_strangers(
    http: Any, tenant: Any, admin: Any, other_tenant: Any
) -> None:
    empty = await http.get(f"{tenant.api}/modules", headers=admin.headers)
    assert empty.json() == {"items": [], "next_cursor": None}
    assert (await http.get(f"{tenant.api}/modules")).status_code == 401
    stranger = await http.get(f"{other_tenant.api}/modules", headers=admin.headers)
    assert stranger.status_code == 404


async def test_tenant_admin_reads_and_changes_settings(http: Any, town: Any, boss: Any) -> None:
    url = settings_url(town.slug)
    read = await http.get(url, headers=boss.headers)
    assert read.status_code == 200
    assert read.json() == {"max_visits": 4, "label": ""}
    changed = await http.put(url, json={"max_visits": 9, "label": "Σπίτι"}, headers=boss.headers)
    assert changed.status_code == 200, changed.text
    assert changed.json() == {"max_visits": 9, "label": "Σπίτι"}
    again = await http.get(url, headers=boss.headers)
    assert again.json() == {"max_visits": 9, "label": "Σπίτι"}
    events = await in_tenant(
        town.id,
        lambda: (
            AuditEvent.select()
            .where(
                (AuditEvent.object_type == "module_settings") & (AuditEvent.object_id == WIDGETS)
            )
            .output(load_json=True)
        ),
    )
    assert len(events) == 1
    assert events[0]["user_id"] == boss.user_id
    assert events[0]["details"]["fields"] == ["label", "max_visits"]
    assert "Σπίτι" not in str(events[0]["details"])  # ids and codes only


async def test_the_whole_object_is_replaced(http: Any, town: Any, boss: Any) -> None:
    url = settings_url(town.slug)
    await http.put(url, json={"max_visits": 9, "label": "Σπίτι"}, headers=boss.headers)
    partial = await http.put(url, json={"label": "Νέο"}, headers=boss.headers)
    assert partial.json() == {"max_visits": 4, "label": "Νέο"}


@pytest.mark.parametrize("roles", [["social_worker"], ["reception"], ["volunteer"]])
async def test_other_roles_get_403(
    http: Any, town: Any, staff_factory: Any, roles: list[str]
) -> None:
    worker = await staff_factory(town, roles)
    url = settings_url(town.slug)
    assert (await http.get(url, headers=worker.headers)).status_code == 403
    refused = await http.put(url, json={"max_visits": 2}, headers=worker.headers)
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    row = (
        await TenantModule.select(TenantModule.settings)
        .where((TenantModule.tenant_id == town.id) & (TenantModule.module == WIDGETS))
        .first()
        .output(load_json=True)
    )
    assert row["settings"]["max_visits"] == 4


async def test_a_module_not_enabled_or_unknown_is_404(http: Any, tenant: Any, admin: Any) -> None:
    assert (await http.get(settings_url(tenant.slug), headers=admin.headers)).status_code == 404
    put = await http.put(settings_url(tenant.slug), json={}, headers=admin.headers)
    assert put.status_code == 404
    assert not await TenantModule.exists().where(TenantModule.tenant_id == tenant.id)
    unknown = await http.get(settings_url(tenant.slug, "no_such_module"), headers=admin.headers)
    assert unknown.status_code == 404


async def test_admin_of_a_is_404_on_b(http: Any, tenant_factory: Any, staff_factory: Any) -> None:
    a = await tenant_factory([WIDGETS])
    b = await tenant_factory([WIDGETS])
    admin_a = await staff_factory(a, ["tenant_admin"])
    url_b = settings_url(b.slug)
    assert (await http.get(url_b, headers=admin_a.headers)).status_code == 404
    refused = await http.put(url_b, json={"max_visits": 1}, headers=admin_a.headers)
    assert refused.status_code == 404
    row = (
        await TenantModule.select(TenantModule.settings)
        .where((TenantModule.tenant_id == b.id) & (TenantModule.module == WIDGETS))
        .first()
        .output(load_json=True)
    )
    assert row["settings"]["max_visits"] == 4
    listing = await http.get(f"{b.api}/modules", headers=admin_a.headers)
    assert listing.status_code == 404


async def test_consortium_admin_without_membership_is_404(
    http: Any, town: Any, consortium_admin: Any
) -> None:
    assert (
        await http.get(settings_url(town.slug), headers=consortium_admin.headers)
    ).status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"max_visits": 21}, "settings.max_visits", "less_than_equal"),
        ({"max_visits": 0, "label": "y" * 30}, None, None),
        ({"unknown": True}, "settings.unknown", "extra_forbidden"),
        ("text", "settings", "dict_type"),
    ],
)
async def test_invalid_settings_are_422_and_store_nothing(
    http: Any, town: Any, boss: Any, body: Any, field: str | None, code: str | None
) -> None:
    response = await http.put(settings_url(town.slug), json=body, headers=boss.headers)
    assert response.status_code == 422, response.text
    errors = response.json()["errors"]
    if field is None:
        assert {e["field"] for e in errors} == {"settings.max_visits", "settings.label"}
    else:
        assert [(e["field"], e["code"]) for e in errors] == [(field, code)]
    assert (await http.get(settings_url(town.slug), headers=boss.headers)).json()["max_visits"] == 4


async def test_malformed_json_is_400(http: Any, town: Any, boss: Any) -> None:
    response = await http.put(
        settings_url(town.slug),
        content=b"{'max_visits': 3}",
        headers={**boss.headers, "content-type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


async def test_settings_route_and_module_routes_coexist(
    http: Any, town: Any, boss: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    """Litestar's router does not backtrack from a static node to a path parameter, so the
    settings routes are mounted per module, next to the module's own router."""
    api = town.api
    assert (await http.get(f"{api}/modules/{WIDGETS}/things", headers=boss.headers)).json() == {
        "module": WIDGETS,
        "route": "things",
    }
    detail = await http.get(f"{api}/modules/{WIDGETS}/thing-1/detail", headers=boss.headers)
    assert detail.json() == {"module": WIDGETS, "detail": "thing-1"}
    settings = await http.get(f"{api}/modules/{WIDGETS}/settings", headers=boss.headers)
    assert settings.json() == {"max_visits": 4, "label": ""}
    # A built-in module gets its settings route too, next to its own routes.
    defaults = get_host().modules["food_bank"].manifest.settings_model().model_dump(mode="json")
    built_in = await http.get(f"{api}/modules/food_bank/settings", headers=boss.headers)
    assert built_in.status_code == 200 and built_in.json() == defaults
    # The module's routes stay gated by enablement.
    bare = await tenant_factory()
    bare_admin = await staff_factory(bare, ["tenant_admin"])
    gated = await http.get(f"{bare.api}/modules/{WIDGETS}/things", headers=bare_admin.headers)
    assert gated.status_code == 404


async def test_settings_routes_exist_for_every_installed_module(widgets: Any) -> None:
    paths = {route.path for route in widgets.app.routes}
    for slug in get_host().module_slugs():
        assert f"/api/v1/t/{{tenant:str}}/modules/{slug}/settings" in paths
    assert "/api/v1/t/{tenant:str}/modules" in paths
    assert "/api/v1/t/{tenant:str}/profile" in paths


async def test_help_at_home_settings_reach_the_settings_route(
    http: Any, tenant_factory: Any, staff_factory: Any
) -> None:
    town = await tenant_factory(["help_at_home"])
    boss = await staff_factory(town, ["tenant_admin"])
    response = await http.get(f"{town.api}/modules/help_at_home/settings", headers=boss.headers)
    assert response.status_code == 200
    assert isinstance(response.json(), dict)
    # The placeholder model accepts its own defaults back (whatever fields it has by now).
    again = await http.put(
        f"{town.api}/modules/help_at_home/settings", json=response.json(), headers=boss.headers
    )
    assert again.status_code == 200
    assert again.json() == response.json()
