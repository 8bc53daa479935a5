"""core.db's request-path shortcuts (issue 11): the tenant set with BEGIN, fixed SQL compiled
once, and a pool that does not reset sessions on release. Each must keep the guarantees of
the long way round: row-level security admits exactly the transaction's tenant, and a
pooled connection never carries a tenant or a transaction into its next use."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from core import db
from core.audit.tables import AuditEvent
from core.testing import make_tenant
from tenants.scoping import tenant_context


def test_fixed_sql_is_compiled_as_piccolo_compiles_it() -> None:
    from piccolo.querystring import QueryString

    template = "SELECT {} AS a, {} AS b WHERE x = {} AND y = '{{}}'::jsonb"
    expected, _ = QueryString(template, 1, 2, 3).compile_string(engine_type="postgres")
    assert db._pg_sql(template, 3) == expected
    assert expected == "SELECT $1 AS a, $2 AS b WHERE x = $3 AND y = '{}'::jsonb"
    # An escaped brace before a placeholder (Piccolo would misnumber this one).
    assert db._pg_sql("SELECT '{{}}', {}", 1) == "SELECT '{}', $1"
    with pytest.raises(ValueError, match="2 placeholders for 3 values"):
        db._pg_sql("SELECT {}, {}", 3)


async def _event(tenant_id: Any, marker: str) -> None:
    with tenant_context(tenant_id):
        async with db.transaction(tenant=tenant_id):
            await AuditEvent.insert(
                AuditEvent(
                    id=uuid4(), at=datetime.now(UTC), action="t", object_type="db", object_id=marker
                )
            )


async def test_a_transaction_for_a_tenant_reads_and_writes_as_that_tenant(client: Any) -> None:
    a, b = await make_tenant(), await make_tenant()
    await _event(a.id, "db-a")
    await _event(b.id, "db-b")
    for tenant, marker in ((a, "db-a"), (b, "db-b")):
        with tenant_context(tenant.id):
            async with db.transaction(write=False, tenant=tenant.id):
                rows = await AuditEvent.select(AuditEvent.object_id).where(
                    AuditEvent.object_type == "db"
                )
        assert [r["object_id"] for r in rows] == [marker]


async def test_a_nested_transaction_cannot_switch_tenant(client: Any) -> None:
    a, b = await make_tenant(), await make_tenant()
    async with db.transaction(tenant=a.id):
        async with db.transaction(tenant=a.id):  # the same tenant joins
            pass
        with pytest.raises(RuntimeError, match="another tenant"):
            async with db.transaction(tenant=b.id):
                pass


@pytest.mark.pg
async def test_row_level_security_admits_only_the_transactions_tenant(client: Any) -> None:
    """Raw SQL without any tenant predicate: only the setting sent with BEGIN filters."""
    a, b = await make_tenant(), await make_tenant()
    await _event(a.id, "rls-a")
    await _event(b.id, "rls-b")
    async with db.transaction(tenant=a.id):
        rows = await db.fetch("SELECT object_id FROM audit_event WHERE object_type = 'db'")
        setting = await db.fetch("SELECT current_setting('app.tenant_id', true) AS t")
    assert {r["object_id"] for r in rows} == {"rls-a"}
    assert setting[0]["t"] == str(a.id)


@pytest.mark.pg
async def test_a_released_connection_carries_no_tenant_and_no_transaction(client: Any) -> None:
    """On a pool of one connection, after committed, failed and cancelled-by-error uses."""
    engine: Any = db.engine()
    a = await make_tenant()
    await engine.close_connection_pool()
    await engine.start_connection_pool(min_size=1, max_size=1)
    try:
        async with db.transaction(tenant=a.id):
            await db.fetch("SELECT 1")
        with pytest.raises(ZeroDivisionError):
            async with db.transaction(tenant=a.id):
                raise ZeroDivisionError
        with pytest.raises(Exception, match="division by zero"):
            async with db.transaction(tenant=a.id):
                await db.fetch("SELECT 1 / 0")
        for _ in range(2):
            rows = await db.fetch(
                "SELECT current_setting('app.tenant_id', true) AS t, "
                "(SELECT count(*) FROM audit_event) AS n"
            )
            assert rows[0]["t"] in ("", None)
            assert rows[0]["n"] == 0  # no tenant: row-level security admits nothing
            async with engine.pool.acquire() as connection:
                assert not connection.is_in_transaction()
    finally:
        await engine.close_connection_pool()
        from core.settings import get_settings

        settings = get_settings()
        await engine.start_connection_pool(
            min_size=settings.db_pool_min, max_size=settings.db_pool_max
        )


# -- writes deferred to the COMMIT (the audit append) ------------------------------------------

NASTY = "O'Brien \\ '' \\' {} {{x}} ; COMMIT; -- Ελληνικά ✓ \n\t end"


async def _later(tenant_id: Any, marker: str, details: str = "{}") -> None:
    await db.write_later(
        "INSERT INTO audit_event (tenant_id, id, at, user_id, action, object_type, object_id, "
        "outcome, request_id, client_address, details, hash) "
        "VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        tenant_id,
        uuid4(),
        datetime.now(UTC),
        None,
        "t",
        "later",
        marker,
        "ok",
        NASTY,
        "",
        details,
        "",
    )


async def _markers(tenant_id: Any) -> dict[str, str]:
    with tenant_context(tenant_id):
        async with db.transaction(tenant=tenant_id):
            rows = await AuditEvent.select(AuditEvent.object_id, AuditEvent.request_id).where(
                AuditEvent.object_type == "later"
            )
    return {r["object_id"]: r["request_id"] for r in rows}


async def test_a_deferred_write_is_committed_exactly_with_commit(client: Any) -> None:
    a = await make_tenant()
    with tenant_context(a.id):
        async with db.transaction(tenant=a.id):
            await _later(a.id, "first")
            # Later statements do not send it early: on PostgreSQL it waits for COMMIT (on
            # SQLite, inside a write transaction, it was written at once).
            seen = await AuditEvent.count().where(AuditEvent.object_type == "later")
            await _later(a.id, NASTY, '{"q": "it\'s \\\\ {}"}')
    assert seen == (0 if db.is_postgres() else 1)
    assert await _markers(a.id) == {"first": NASTY, NASTY: NASTY}


async def test_deferred_writes_roll_back_with_their_transaction_and_savepoint(
    client: Any,
) -> None:
    a = await make_tenant()
    with tenant_context(a.id):
        with pytest.raises(ZeroDivisionError):
            async with db.transaction(tenant=a.id):
                await _later(a.id, "rolled-back")
                raise ZeroDivisionError
        async with db.transaction(tenant=a.id) as txn:
            await _later(a.id, "kept")
            if db.is_postgres():
                savepoint = await txn.savepoint()
                await _later(a.id, "after-savepoint")
                await savepoint.rollback_to()
                savepoint = await txn.savepoint()
                await _later(a.id, "released")
                await savepoint.release()
    expected = {"kept", "released"} if db.is_postgres() else {"kept"}
    assert set(await _markers(a.id)) == expected


@pytest.mark.pg
async def test_without_standard_strings_deferred_writes_go_as_parameters(client: Any) -> None:
    """With backslash escapes in force a literal would be read differently: the writes are
    then sent as parameterised statements, and the values are stored exactly all the same."""
    a = await make_tenant()
    with tenant_context(a.id):
        async with db.transaction(tenant=a.id):
            await db.fetch("SET LOCAL standard_conforming_strings = off")
            await _later(a.id, "escaped")
    assert await _markers(a.id) == {"escaped": NASTY}


def test_literals_refuse_what_they_cannot_write_exactly() -> None:
    assert db._literal("it's") == "'it''s'"
    assert db._literal(None) == "NULL"
    with pytest.raises(ValueError):
        db._literal("a\x00b")
    with pytest.raises(ValueError):
        db._literal(datetime(2026, 1, 1))  # naive: its meaning would depend on the server
    with pytest.raises(TypeError):
        db._literal(1.5)


def test_a_unix_socket_directory_is_taken_from_the_url_as_libpq_takes_it() -> None:
    from core.settings import Settings

    url = "postgresql://merimna:secret@:6543/merimna?host=/run/postgresql"
    engine: Any = db.make_engine(Settings(database_url=url))
    assert engine.config["host"] == "/run/postgresql"
    assert engine.config["port"] == 6543
    assert engine.config["database"] == "merimna"
    tcp: Any = db.make_engine(Settings(database_url="postgresql://u:p@db.example:5433/m"))
    assert (tcp.config["host"], tcp.config["port"]) == ("db.example", 5433)


@pytest.mark.pg
async def test_the_server_answers_through_its_unix_socket() -> None:
    """What the benchmark and a one-machine deployment use (`?host=` the socket directory)."""
    from urllib.parse import urlparse

    from core.settings import Settings
    from tests.conftest import _state

    pg = _state["pg"]
    tcp = urlparse(pg.url)
    url = f"postgresql://{tcp.username}:{tcp.password}@:{pg.port}/merimna?host={pg.socket_dir}"
    engine: Any = db.make_engine(Settings(database_url=url))
    connection = await engine.get_new_connection()
    try:
        assert await connection.fetchval("SELECT current_user") == "merimna"
        assert await connection.fetchval("SELECT inet_server_addr()") is None  # not TCP
    finally:
        await connection.close()
