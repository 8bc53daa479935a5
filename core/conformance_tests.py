"""The conformance suite every program module passes, built-in or third-party.

This repository runs it for every installed module (tests/contract/test_modules.py); a module
author runs it with `pytest --merimna-module SLUG` (the `merimna` pytest plugin adds this
file to the run and chooses the modules). docs/modules/checklist.md lists what it checks.
"""

from __future__ import annotations

from typing import Any

from piccolo.conf.apps import Finder

from core import conformance
from core.plugin_host import get_host
from core.testing import make_staff, make_tenant


def test_manifest(module_slug: str) -> None:
    assert conformance.check_manifest(get_host().modules[module_slug]) == []


def test_tables_are_tenant_scoped(module_slug: str) -> None:
    info = get_host().modules[module_slug]
    assert conformance.check_tables(conformance.module_apps(info)) == []


def test_tenant_tables_are_exported(module_slug: str) -> None:
    info = get_host().modules[module_slug]
    assert conformance.check_exported(info) == []


def test_greek_and_english_messages_are_complete(module_slug: str) -> None:
    folder = conformance.module_folder(get_host().modules[module_slug])
    assert conformance.check_locales(folder) == []


async def test_no_app_has_unmigrated_table_changes(client: Any) -> None:
    apps = list(Finder().get_app_registry().app_configs.values())
    assert await conformance.check_migrations(apps) == []


async def test_no_pending_migrations_after_migrate(client: Any) -> None:
    from core.migrate import pending_migrations

    assert await pending_migrations() == {}


async def test_routes_answer_404_when_the_module_is_disabled(client: Any, module_slug: str) -> None:
    tenant = await make_tenant([])
    admin = await make_staff(tenant, ["tenant_admin"])
    for owner, handlers in get_host().tenant_routes():
        if owner != module_slug:
            continue
        for handler in handlers:
            for path in getattr(handler, "paths", set()):
                if "{" in path:
                    continue
                for method in sorted(getattr(handler, "http_methods", {"GET"})):
                    url = f"{tenant.api}/modules/{module_slug}{path}"
                    response = await client.request(method, url, headers=admin.headers)
                    assert response.status_code == 404, (method, url, response.text[:200])


async def test_every_report_renders_in_every_format(client: Any, module_slug: str) -> None:
    tenant = await make_tenant([module_slug])
    admin = await make_staff(tenant, ["tenant_admin"])
    response = await client.get(f"{tenant.api}/reports", headers=admin.headers)
    assert response.status_code == 200
    ids = [r["id"] for r in response.json()["items"] if r["id"].startswith(f"{module_slug}.")]
    for report_id in ids:
        for fmt in ("json", "csv", "xlsx", "html"):
            r = await client.get(
                f"{tenant.api}/reports/{report_id}?format={fmt}", headers=admin.headers
            )
            assert r.status_code == 200, (report_id, fmt, r.text[:300])
