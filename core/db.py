"""The database: one engine per process, chosen from `MERIMNA_DATABASE_URL`.

SQLite is the embedded default and PostgreSQL the production database. The differences that
matter are handled here and nowhere else:

* SQLite allows one writer; concurrent deferred transactions fail with "database is locked".
  Writes therefore take an in-process lock and an IMMEDIATE transaction.
* PostgreSQL needs a connection pool (a connection per query costs ~30 ms) and the tenant set
  inside every transaction for row-level security.

Round trips to PostgreSQL are the main cost of a request on a small machine (issue 11), so
the request path spends as few as it can: `transaction(tenant=...)` sends BEGIN and the
tenant setting as one message, the pool does not reset connections on release (this
application keeps no session state on them: `keep_session`), and `fetch` runs fixed SQL
without composing it again each time (asyncpg then reuses its prepared statement).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from string import Formatter
from typing import Any
from urllib.parse import parse_qs, urlparse
from uuid import UUID

from piccolo.engine.base import Engine, validate_savepoint_name
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction, Savepoint
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

from core.settings import Settings, get_settings

log = logging.getLogger("merimna.db")

_engine: Engine | None = None
_sqlite_write_lock: asyncio.Lock | None = None

Callback = Callable[[], Awaitable[None] | None]


@dataclass
class _Outcome:
    """What to do once the outermost transaction has ended, one way or the other."""

    commit: list[Callback] = field(default_factory=list)
    rollback: list[Callback] = field(default_factory=list)


_outcome: ContextVar[_Outcome | None] = ContextVar("merimna_txn_outcome", default=None)
# The tenant the outermost `transaction(tenant=...)` was opened for (checked by nested ones).
_txn_tenant: ContextVar[UUID | None] = ContextVar("merimna_txn_tenant", default=None)


class _PostgresEngine(PostgresEngine):
    """Piccolo's engine with this application's pool policy (every pool it starts), and
    writes deferred by `write_later` sent before any DDL of their transaction."""

    async def start_connection_pool(self, **kwargs: Any) -> None:
        kwargs.setdefault("reset", keep_session)
        await super().start_connection_pool(**kwargs)

    async def run_ddl(self, ddl: str, in_pool: bool = True) -> Any:
        await _flush(self)
        return await super().run_ddl(ddl, in_pool=in_pool)


async def keep_session(connection: Any) -> None:
    """The pool's reset on release: nothing beyond asyncpg's own rollback of an open transaction.

    asyncpg's default reset sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL` on every release: one more round trip per request and per query outside a
    transaction. None of it is needed here, because nothing in this application leaves state
    on a session: the tenant for row-level security is set with `set_config(..., true)`
    (transaction-local), advisory locks are `pg_advisory_xact_lock`, and there are no
    session-level SETs, LISTENs, cursors WITH HOLD or temporary tables. A connection handed
    back inside a transaction (a cancelled request) is still rolled back by asyncpg before
    this runs. tests/security/test_pool.py checks, on a pool of one connection, that after
    every request the connection is outside any transaction and carries no tenant.
    """


class _SQLiteEngine(SQLiteEngine):
    """Piccolo's SQLite engine with its connections kept open and reused.

    Piccolo opens a connection (and aiosqlite a thread) for every transaction and for every
    statement outside one, and a new connection reads the whole schema on its first
    statement: 4-17 ms on a 100 k-people database (some 400 tables, indexes and triggers)
    against 0.09 ms for a statement on an open connection, and a request opened two or three
    (its transaction, the audit append after it, reads outside one). Issue 11: with it, a
    search by AMKA took 17-26 ms at p50 from one user for 0.08 ms of SQL. Here a connection
    goes back to a small pool of this process when its transaction or statement ends (unless
    it is still inside a transaction: then it is closed), and `foreign_keys` is set once per
    connection rather than before every statement.
    """

    IDLE = 8

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._idle: list[Any] = []

    async def get_connection(self) -> Any:
        if self._idle:
            return self._idle.pop()
        return await super().get_connection()  # connects, dict rows, PRAGMA foreign_keys

    async def release(self, connection: Any) -> None:
        if connection.in_transaction or len(self._idle) >= self.IDLE:
            await connection.close()
        else:
            self._idle.append(connection)

    async def close_connections(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            await connection.close()

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return _SQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        connection = await self.get_connection()
        try:
            async with connection.execute(query, args or []) as cursor:
                rows = await cursor.fetchall()
            await connection.commit()
        except BaseException:
            await connection.close()
            raise
        await self.release(connection)
        return rows

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()


class _SQLiteTransaction(SQLiteTransaction):
    """Piccolo's SQLite transaction, giving its connection back to the engine's pool."""

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        except BaseException:
            await self.connection.close()
            self.engine.current_transaction.reset(self.context)
            raise
        await self.engine.release(self.connection)  # type: ignore[attr-defined]
        self.engine.current_transaction.reset(self.context)
        return exception is None


def make_engine(settings: Settings) -> Engine:
    url = settings.database_url
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[1] if "sqlite:///" in url else "merimna.sqlite"
        # A generous busy timeout: several CLI processes (migrate, import) may meet the server.
        return _SQLiteEngine(path=path, timeout=30, check_same_thread=False)
    if url.startswith(("postgresql://", "postgres://")):
        parsed = urlparse(url)
        # `?host=/run/postgresql` (libpq's convention): the server's Unix socket directory. On
        # one machine a round trip through it costs about half the CPU of loopback TCP.
        socket_dir = parse_qs(parsed.query).get("host", [""])[0]
        config = {
            "host": socket_dir or parsed.hostname or "localhost",
            "port": parsed.port or 5432,
            "user": parsed.username,
            "password": parsed.password,
            "database": (parsed.path or "/").lstrip("/") or None,
        }
        return _PostgresEngine(config={k: v for k, v in config.items() if v is not None})
    raise ValueError(f"MERIMNA_DATABASE_URL: unsupported scheme in {url.split(':', 1)[0]!r}")


def engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = make_engine(get_settings())
    return _engine


def is_postgres() -> bool:
    return isinstance(engine(), PostgresEngine)


async def start(settings: Settings | None = None) -> None:
    """Open the pool (PostgreSQL) and prepare SQLite for concurrent readers."""
    settings = settings or get_settings()
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.start_connection_pool(min_size=settings.db_pool_min, max_size=settings.db_pool_max)
    else:
        await db.run_ddl("PRAGMA journal_mode=WAL")


async def stop() -> None:
    db = engine()
    if isinstance(db, PostgresEngine):
        await db.close_connection_pool()
    elif isinstance(db, _SQLiteEngine):
        await db.close_connections()


def _write_lock() -> asyncio.Lock:
    global _sqlite_write_lock
    if _sqlite_write_lock is None:
        _sqlite_write_lock = asyncio.Lock()
    return _sqlite_write_lock


@asynccontextmanager
async def transaction(*, write: bool = True, tenant: UUID | None = None) -> AsyncIterator[Any]:
    """One atomic unit of work; nested calls join the outer transaction.

    `tenant`: the municipality row-level security admits in it (PostgreSQL), set together
    with BEGIN in one round trip; the same as calling `set_rls_tenant` first thing, which
    costs one more. A nested call's `tenant` must be the outer one's (or None).

    The outermost call also runs what `on_commit` and `on_rollback` registered, once the
    transaction has ended (and, on SQLite, the write lock is released).
    """
    db = engine()
    current = db.current_transaction.get()
    if current is not None:
        if tenant is not None and _txn_tenant.get() not in (None, tenant):
            raise RuntimeError("a nested transaction cannot serve another tenant")
        yield current
        return
    outcome = _Outcome()
    token = _outcome.set(outcome)
    tenant_token = _txn_tenant.set(tenant)
    try:
        if isinstance(db, SQLiteEngine):
            if write:
                async with (
                    _write_lock(),
                    db.transaction(transaction_type=TransactionType.immediate) as txn,
                ):
                    yield txn
            else:
                async with db.transaction(transaction_type=TransactionType.deferred) as txn:
                    yield txn
        else:
            async with _pg_transaction(db, tenant) as txn:
                yield txn
    except Exception:
        _forget_outcome(token, tenant_token)
        await _run(outcome.rollback, "rollback")
        raise
    except BaseException:  # cancelled: no callbacks, the task must stop promptly
        _forget_outcome(token, tenant_token)
        raise
    _forget_outcome(token, tenant_token)
    await _run(outcome.commit, "commit")


def on_commit(callback: Callback) -> None:
    """Run `callback` (sync or async) after the current transaction commits; never if it rolls
    back. For effects outside the database that must not happen for a write that did not
    (deleting a document's file). A savepoint rolled back alone does not cancel it.
    """
    _current_outcome("on_commit").commit.append(callback)


def on_rollback(callback: Callback) -> None:
    """Run `callback` after the current transaction rolled back (an exception or an error
    status), outside it: for evidence of a refusal that must survive the rollback (audit).
    A cancelled request runs none.
    """
    _current_outcome("on_rollback").rollback.append(callback)


def _current_outcome(name: str) -> _Outcome:
    outcome = _outcome.get()
    if outcome is None or engine().current_transaction.get() is None:
        raise RuntimeError(f"db.{name} needs a transaction opened by core.db.transaction")
    return outcome


def _forget_outcome(token: Any, tenant_token: Any) -> None:
    with contextlib.suppress(ValueError):  # reset from another context (a cancelled request)
        _outcome.reset(token)
    with contextlib.suppress(ValueError):
        _txn_tenant.reset(tenant_token)


async def _run(callbacks: list[Callback], when: str) -> None:
    """Each callback once, in order; one failing does not stop the others (the transaction
    has ended either way, so the error is logged, not raised)."""
    for callback in callbacks:
        try:
            result = callback()
            if inspect.isawaitable(result):
                await result
        except Exception:
            log.exception("a callback after %s failed", when)


class _TenantTransaction(PostgresTransaction):
    """A PostgreSQL transaction that begins with the tenant for row-level security set, and
    ends with the writes deferred by `write_later` in the same message as COMMIT.

    BEGIN and `set_config` travel as one simple-protocol message (two statements, one round
    trip); the tenant is a `UUID`, so its text is only hex digits and dashes. COMMIT and
    ROLLBACK are plain statements too (asyncpg's own transaction object is not used).

    Deferred writes travel with COMMIT as `INSERT ...; COMMIT`, whatever statements come
    after them (the request's later reads would otherwise each send them early, a round trip
    of their own): later statements of the transaction do not see them, which is why only
    writes that nothing reads back go this way. A savepoint or DDL sends them first, so a
    rollback to a savepoint drops exactly the writes made after it. The COMMIT message
    cannot carry parameters, so its values are SQL literals (`_literal`), and only where that
    is exact: `standard_conforming_strings` on and UTF-8, as the server reports them to
    asyncpg on every change; otherwise the writes go as parameterised statements before a
    plain COMMIT. Rolled back, they are dropped.
    """

    __slots__ = ("deferred", "tenant")

    def __init__(self, engine: PostgresEngine, tenant: UUID) -> None:
        super().__init__(engine)
        if not isinstance(tenant, UUID):
            raise TypeError("the tenant of a transaction is a UUID")
        self.tenant = tenant
        self.deferred: list[tuple[str, tuple[Any, ...]]] = []

    async def begin(self) -> None:
        await self.connection.execute(
            f"BEGIN; SELECT set_config('app.tenant_id', '{self.tenant}', true)"
        )

    async def flush(self) -> None:
        """Send the deferred writes now (a statement that may depend on them follows)."""
        while self.deferred:
            sql, args = self.deferred.pop(0)
            await self.connection.execute(_pg_sql(sql, len(args)), *args)

    async def commit(self) -> None:
        script = _inline_script(self.connection, self.deferred)
        if script is None:
            await self.flush()
            await self.connection.execute("COMMIT")
        else:
            self.deferred = []
            await self.connection.execute(f"{script}; COMMIT")
        self._committed = True

    async def rollback(self) -> None:
        self.deferred = []
        await self.connection.execute("ROLLBACK")
        self._rolled_back = True

    async def savepoint(self, name: str | None = None) -> Savepoint:
        await self.flush()
        name = name or f"savepoint_{self.get_savepoint_id()}"
        validate_savepoint_name(name)
        await self.connection.execute(f"SAVEPOINT {name}")
        return _Savepoint(name=name, transaction=self)


class _Savepoint(Savepoint):
    """A savepoint of a `_TenantTransaction`: writes deferred after it (all still pending
    were, since creating it flushed the others) are dropped when rolling back to it, as
    their statements would have been."""

    transaction: _TenantTransaction

    async def rollback_to(self) -> None:
        self.transaction.deferred = []
        await super().rollback_to()

    async def release(self) -> None:
        await self.transaction.flush()
        await super().release()


async def write_later(sql: str, *args: Any) -> None:
    """A write whose result nothing reads back (an audit event, a queued message), sent as
    late as possible.

    Inside a request's transaction on PostgreSQL (`transaction(tenant=...)`) it travels
    with COMMIT, saving a round trip (later statements of the transaction do not see it);
    inside a write transaction on SQLite it runs at once; inside a read transaction there it runs
    after the commit, in a write transaction of its own; anywhere else at once, as `fetch`.
    Values must be plain (str, int, bool, UUID, datetime, date, None).
    """
    current = engine().current_transaction.get()
    if isinstance(current, _TenantTransaction):
        current.deferred.append((sql, args))
        return
    if getattr(current, "transaction_type", None) == TransactionType.deferred:
        # SQLite, a read-only request: writing here would upgrade its read transaction to a
        # write one, which fails at once ("database is locked") whenever another connection
        # committed since the read began (WAL snapshot). Written after it commits instead, in
        # a write transaction of its own (in-process lock, then IMMEDIATE: it waits its turn).
        on_commit(lambda: _write_alone(sql, args))
        return
    await fetch(sql, *args)


async def _write_alone(sql: str, args: tuple[Any, ...]) -> None:
    async with transaction(write=True):
        await fetch(sql, *args)


async def _flush(db: Engine) -> None:
    current = db.current_transaction.get()
    if isinstance(current, _TenantTransaction) and current.deferred:
        await current.flush()


def _inline_script(connection: Any, writes: list[tuple[str, tuple[Any, ...]]]) -> str | None:
    """The deferred writes as one SQL script with literal values, or None where literals
    would not be exact (see `_TenantTransaction`) or a value is of another type."""
    if not writes:
        return None
    settings = connection.get_settings()
    if (
        getattr(settings, "standard_conforming_strings", "") != "on"
        or getattr(settings, "client_encoding", "") != "UTF8"
    ):
        return None
    try:
        return "; ".join(sql.format(*(_literal(v) for v in args)) for sql, args in writes)
    except (TypeError, ValueError):
        return None


def _literal(value: Any) -> str:
    """An exact SQL literal, given `standard_conforming_strings` and UTF-8 (checked by the
    caller): inside '...' only the quote is special then (doubled); NUL cannot be sent."""
    if value is None:
        return "NULL"
    if value is True or value is False:
        return "TRUE" if value else "FALSE"
    if type(value) is int:
        return str(value)
    if isinstance(value, UUID):
        text = str(value)
    elif isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        text = value.isoformat()
    elif isinstance(value, date):  # a date column's value (a datetime is handled above)
        text = value.isoformat()
    elif isinstance(value, str):
        text = value
    else:
        raise TypeError(type(value).__name__)
    if "\x00" in text:
        raise ValueError("NUL")
    return "'" + text.replace("'", "''") + "'"


@asynccontextmanager
async def _pg_transaction(db: Engine, tenant: UUID | None = None) -> AsyncIterator[Any]:
    """Piccolo's PostgreSQL transaction, made safe against cancellation.

    Piccolo acquires the pooled connection before BEGIN and releases it only after a
    successful COMMIT or ROLLBACK. A cancellation (a client that went away) landing in BEGIN,
    COMMIT or ROLLBACK skipped the release and leaked the connection for good: a pool of N
    hung after N such requests (tests/security/test_pool.py). Here the connection always goes
    back to the pool (asyncpg resets it on release: rollback, RESET ALL) and the task's
    current-transaction variable is always reset.
    """
    txn: Any = db.transaction() if tenant is None else _TenantTransaction(db, tenant)  # type: ignore[arg-type]
    try:
        await txn.__aenter__()
    except BaseException:
        await _give_back(db, txn)
        raise
    try:
        yield txn
    except BaseException as exc:
        try:
            await txn.__aexit__(type(exc), exc, exc.__traceback__)
        except BaseException:
            await _give_back(db, txn)
            raise
        raise
    else:
        try:
            await txn.__aexit__(None, None, None)
        except BaseException:
            await _give_back(db, txn)
            raise


async def _give_back(db: Engine, txn: Any) -> None:
    context = getattr(txn, "context", None)
    if context is not None:
        with contextlib.suppress(ValueError):  # already reset, or set in another context
            db.current_transaction.reset(context)
    connection = getattr(txn, "connection", None)
    pool = getattr(db, "pool", None)
    if connection is None:
        return
    try:
        if pool is not None:
            await pool.release(connection)  # shielded by asyncpg
        else:
            await connection.close()
    except Exception:
        connection.terminate()


async def set_rls_tenant(tenant_id: UUID | None) -> None:
    """Tell PostgreSQL's row-level security which tenant this transaction serves.

    `set_config(..., true)` is transaction-local, so a pooled connection never carries a
    tenant into the next request.
    """
    if not is_postgres():
        return
    await fetch("SELECT set_config('app.tenant_id', {}, true)", str(tenant_id or ""))


async def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Raw SQL for the few places the query builder cannot express (DDL helpers, stats), and
    fixed SQL on hot paths (`{}` placeholders, values as arguments).

    On PostgreSQL, plain values go straight to asyncpg with the template compiled once per
    process, exactly as Piccolo compiles it (`{}` -> `$1, $2, ...`), in the current
    transaction or on a pooled connection; asyncpg keeps a prepared statement per SQL text.
    """
    db = engine()
    if isinstance(db, PostgresEngine) and not any(isinstance(a, _COMPOSED) for a in args):
        current = db.current_transaction.get()
        if current is not None:
            rows = await current.connection.fetch(_pg_sql(sql, len(args)), *args)
            return [dict(row) for row in rows]
        if db.pool is not None:
            async with db.pool.acquire() as connection:
                rows = await connection.fetch(_pg_sql(sql, len(args)), *args)
            return [dict(row) for row in rows]
    rows = await db.run_querystring(_querystring(sql, args))
    return [dict(row) for row in rows or []]


def _composed() -> tuple[type, ...]:
    from piccolo.columns import Column
    from piccolo.querystring import QueryString

    return (Column, QueryString)


_COMPOSED = _composed()


@lru_cache(maxsize=1024)
def _pg_sql(template: str, arity: int) -> str:
    """A `{}` template as PostgreSQL SQL with `$n` placeholders (Piccolo's compilation)."""
    out: list[str] = []
    count = 0
    for literal, field_name, _spec, _conversion in Formatter().parse(template):
        out.append(literal)
        if field_name is not None:
            count += 1
            out.append(f"${count}")
    if count != arity:
        raise ValueError(f"{count} placeholders for {arity} values in {template[:60]!r}")
    return "".join(out)


def _querystring(sql: str, args: tuple[Any, ...]) -> Any:
    from piccolo.querystring import QueryString

    return QueryString(sql, *args)
