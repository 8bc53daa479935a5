"""Conformance of every installed program module, and of every core area's schema."""

from __future__ import annotations

from typing import Any

import pytest
from piccolo.conf.apps import Finder

from core import conformance
from core.plugin_host import get_host
from core.testing import make_staff, make_tenant

MODULES = sorted(get_host().modules)


@pytest.mark.parametrize("slug", MODULES)
def test_manifest(slug: str) -> None:
    assert conformance.check_manifest(get_host().modules[slug]) == []


@pytest.mark.parametrize("slug", MODULES)
def test_tables_are_tenant_scoped(slug: str) -> None:
    info = get_host().modules[slug]
    assert conformance.check_tables(conformance.module_apps(info)) == []


@pytest.mark.parametrize("slug", MODULES)
def test_greek_and_english_messages_are_complete(slug: str) -> None:
    folder = conformance.module_folder(get_host().modules[slug])
    assert conformance.check_locales(folder) == []


async def test_no_app_has_unmigrated_table_changes(client: Any) -> None:
    apps = list(Finder().get_app_registry().app_configs.values())
    assert await conformance.check_migrations(apps) == []


async def test_no_pending_migrations_after_migrate(client: Any) -> None:
    from core.migrate import pending_migrations

    assert await pending_migrations() == {}


@pytest.mark.parametrize("slug", MODULES)
async def test_routes_answer_404_when_the_module_is_disabled(client: Any, slug: str) -> None:
    tenant = await make_tenant([])
    admin = await make_staff(tenant, ["tenant_admin"])
    for module_slug, handlers in get_host().tenant_routes():
        if module_slug != slug:
            continue
        for handler in handlers:
            for path in getattr(handler, "paths", set()):
                if "{" in path:
                    continue
                for method in sorted(getattr(handler, "http_methods", {"GET"})):
                    url = f"{tenant.api}/modules/{slug}{path}"
                    response = await client.request(method, url, headers=admin.headers)
                    assert response.status_code == 404, (method, url, response.text[:200])


@pytest.mark.parametrize("slug", MODULES)
async def test_every_report_renders_in_every_format(client: Any, slug: str) -> None:
    tenant = await make_tenant([slug])
    admin = await make_staff(tenant, ["tenant_admin"])
    response = await client.get(f"{tenant.api}/reports", headers=admin.headers)
    assert response.status_code == 200
    ids = [r["id"] for r in response.json()["items"] if r["id"].startswith(f"{slug}.")]
    for report_id in ids:
        for fmt in ("json", "csv", "xlsx", "html"):
            r = await client.get(
                f"{tenant.api}/reports/{report_id}?format={fmt}", headers=admin.headers
            )
            assert r.status_code == 200, (report_id, fmt, r.text[:300])
