"""Schema invariants read from the live catalogue, for every tenant table of every plugin.

A tenant table must carry a NOT NULL tenant column, lead every unique key and index with it,
and on PostgreSQL have row-level security enabled and forced with the tenant policy. A new
table that misses any of it fails here, whoever wrote it.
"""

from __future__ import annotations

from typing import Any

import pytest

from core import db
from core.plugin_host import get_host
from tenants.scoping import tenant_tables


def _all_tables() -> list[Any]:
    from piccolo.conf.apps import Finder

    tables: list[Any] = []
    for app in Finder().get_app_registry().app_configs.values():
        tables.extend(app.table_classes)
    return tables


async def test_every_tenant_table_is_exported_by_its_plugin(client: Any) -> None:
    exported = {t._meta.tablename for t in get_host().export_tables()}
    scoped = {t._meta.tablename for t in tenant_tables(_all_tables())}
    assert scoped <= exported, f"not listed by merimna_export_tables: {sorted(scoped - exported)}"


# Indexes that lead with another column on purpose: `index name: why`.
NOT_LED_BY_TENANT = {
    "appointment_participant_no_overlap": (
        "the exclusion constraint's GiST, led by person_id (a person's id belongs to one "
        "tenant; tenant_id follows it): the tree sorts far better than by 330 tenant ids "
        "(scheduling migration 2026-11-23T17:40, issue 11)"
    ),
}


async def test_tenant_tables_lead_indexes_with_the_tenant(client: Any) -> None:
    for table in tenant_tables(_all_tables()):
        name = table._meta.tablename
        if db.is_postgres():
            rows = await db.fetch(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = {}", name
            )
            defs = {r["indexname"]: r["indexdef"] for r in rows}
        else:
            rows = await db.fetch(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = {}",
                name,
            )
            defs = {r["name"]: r["sql"] or "" for r in rows}
        assert f"{name}_tenant_pk_uq" in defs, f"{name}: no (tenant_id, id) unique index"
        for index_name, definition in defs.items():
            if index_name.endswith("_pkey") or index_name.startswith("sqlite_autoindex"):
                continue
            if index_name in NOT_LED_BY_TENANT:
                assert "tenant_id" in definition, f"{name}.{index_name} lost its tenant_id"
                continue
            cols = definition.split("(", 1)[1] if "(" in definition else ""
            assert cols.lstrip().startswith("tenant_id"), (
                f"{name}.{index_name} does not lead with tenant_id: {definition}"
            )


async def test_tenant_column_is_not_null(client: Any) -> None:
    for table in tenant_tables(_all_tables()):
        name = table._meta.tablename
        if db.is_postgres():
            rows = await db.fetch(
                "SELECT is_nullable FROM information_schema.columns "
                "WHERE table_name = {} AND column_name = 'tenant_id'",
                name,
            )
            assert rows and rows[0]["is_nullable"] == "NO", f"{name}.tenant_id is nullable"
        else:
            rows = await db.fetch(f'PRAGMA table_info("{name}")')
            col = next(r for r in rows if r["name"] == "tenant_id")
            assert col["notnull"] == 1, f"{name}.tenant_id is nullable"


@pytest.mark.pg
async def test_row_level_security_is_forced_on_postgres(client: Any) -> None:
    for table in tenant_tables(_all_tables()):
        name = table._meta.tablename
        rows = await db.fetch(
            "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = {}", name
        )
        assert rows and rows[0]["relrowsecurity"] and rows[0]["relforcerowsecurity"], name
        policies = await db.fetch(
            "SELECT qual, with_check FROM pg_policies WHERE tablename = {}", name
        )
        assert policies, f"{name}: no policy"
        assert all("current_setting('app.tenant_id'" in (p["qual"] or "") for p in policies)


@pytest.mark.pg
async def test_application_role_is_neither_superuser_nor_bypassrls(client: Any) -> None:
    rows = await db.fetch(
        "SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    )
    assert rows == [{"rolsuper": False, "rolbypassrls": False}]
