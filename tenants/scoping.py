"""The one mechanism that keeps every query inside the current municipality.

Every tenant-owned table mixes in `TenantScoped`. Its query constructors (`select`, `objects`,
`count`, `exists`, `update`, `delete`, `insert`, and through them `save`/`remove`) add the
tenant predicate and stamp the tenant on new rows, so a route cannot forget it. Without a
tenant in context they raise instead of returning everything (fail closed). On PostgreSQL,
row-level security is the second wall: the request's transaction sets `app.tenant_id`, and
policies created by `core.db.ddl` compare every row against it.

Cross-tenant work (consortium statistics, maintenance commands) does not switch this off: it
walks tenants one by one with `each_tenant_context`, so both walls stay up.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ClassVar
from uuid import UUID

from piccolo.columns import UUID as UUIDColumn
from piccolo.query import Count, Delete, Exists, Insert, Objects, Select, Update
from piccolo.table import Table

UNSET_TENANT = UUID(int=0)

_current_tenant: ContextVar[UUID | None] = ContextVar("merimna_tenant", default=None)


class TenantNotSet(RuntimeError):
    """A tenant-owned table was queried with no municipality in context."""


class CrossTenantWrite(RuntimeError):
    """A row of another municipality was about to be written."""


def current_tenant_id() -> UUID:
    tenant_id = _current_tenant.get()
    if tenant_id is None:
        raise TenantNotSet("no tenant in context: tenant-owned data is only reachable inside one")
    return tenant_id


def current_tenant_id_or_none() -> UUID | None:
    return _current_tenant.get()


@contextmanager
def tenant_context(tenant_id: UUID) -> Iterator[UUID]:
    """Run the enclosed code as one municipality (Python side; see `core.db` for RLS)."""
    token = _current_tenant.set(tenant_id)
    try:
        yield tenant_id
    finally:
        _current_tenant.reset(token)


def set_tenant(tenant_id: UUID | None) -> Any:
    """Low-level setter for middleware that cannot use a `with` block; returns a reset token."""
    return _current_tenant.set(tenant_id)


def reset_tenant(token: Any) -> None:
    _current_tenant.reset(token)


class TenantScoped:
    """Mixin for every tenant-owned table: adds `tenant_id` and scopes every query to it."""

    # Indexes that lead with the tenant are created by `core.db.ddl`, not here: Piccolo
    # cannot declare composite indexes.
    # The nil UUID only stands in until `insert` stamps the tenant; the database never keeps
    # it (row-level security refuses it on PostgreSQL).
    tenant_id = UUIDColumn(null=False, default=UNSET_TENANT, index=False)

    # Marker read by the schema helper and the invariants test.
    __merimna_tenant_table__: ClassVar[bool] = True

    @classmethod
    def _tenant_where(cls) -> Any:
        return cls.tenant_id == current_tenant_id()  # type: ignore[attr-defined]

    @classmethod
    def select(cls, *columns: Any, exclude_secrets: bool = False) -> Select:
        query: Select = super().select(*columns, exclude_secrets=exclude_secrets)  # type: ignore[misc]
        return query.where(cls._tenant_where())

    @classmethod
    def objects(cls, *prefetch: Any) -> Objects:
        query: Objects = super().objects(*prefetch)  # type: ignore[misc]
        return query.where(cls._tenant_where())

    @classmethod
    def count(cls, column: Any = None, distinct: Any = None) -> Count:
        query: Count = super().count(column=column, distinct=distinct)  # type: ignore[misc]
        return query.where(cls._tenant_where())

    @classmethod
    def exists(cls) -> Exists:
        query: Exists = super().exists()  # type: ignore[misc]
        return query.where(cls._tenant_where())

    @classmethod
    def update(
        cls, values: Any = None, force: bool = False, use_auto_update: bool = True, **kwargs: Any
    ) -> Update:
        query: Update = super().update(  # type: ignore[misc]
            values, force=force, use_auto_update=use_auto_update, **kwargs
        )
        return query.where(cls._tenant_where())

    @classmethod
    def delete(cls, force: bool = False) -> Delete:
        query: Delete = super().delete(force=force)  # type: ignore[misc]
        return query.where(cls._tenant_where())

    @classmethod
    def insert(cls, *rows: Any) -> Insert:
        query = _ScopedInsert(table=cls)  # type: ignore[arg-type]
        query.tenant_id = current_tenant_id()
        query.returning(cls._meta.primary_key)  # type: ignore[attr-defined]
        if rows:
            query.add(*rows)
        return query


class _ScopedInsert(Insert):  # type: ignore[type-arg]
    """An insert that stamps the tenant on every row added to it, however it is added."""

    __slots__ = ("tenant_id",)
    tenant_id: UUID

    def add(self, *instances: Any) -> Any:
        for row in instances:
            _stamp(row, self.tenant_id)
        return super().add(*instances)


def _stamp(row: Any, tenant_id: UUID) -> None:
    existing = getattr(row, "tenant_id", None)
    if existing not in (None, UNSET_TENANT, tenant_id):
        raise CrossTenantWrite(f"{type(row).__name__} belongs to another tenant")
    row.tenant_id = tenant_id


def tenant_tables(tables: list[type[Table]]) -> list[type[Table]]:
    return [t for t in tables if getattr(t, "__merimna_tenant_table__", False)]
