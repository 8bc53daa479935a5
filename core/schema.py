"""Schema that Piccolo's table classes cannot declare, emitted the same way for every table.

Migrations call `tenant_table(...)` in a raw step right after creating a tenant-owned table.
On PostgreSQL it enables and forces row-level security with a policy comparing the row's
tenant with the transaction's `app.tenant_id` (in the `(select ...)` form, so the planner
evaluates it once per query), and creates indexes and unique keys that lead with the tenant
(ready for distribution by tenant on Citus). On SQLite it creates the same indexes.
"""

from __future__ import annotations

from dataclasses import dataclass

from core import db

RLS_TENANT_EXPR = "(SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid)"


@dataclass(frozen=True)
class Index:
    """An index after the tenant column: `Index(("amka",), unique=True, where="amka <> ''")`."""

    columns: tuple[str, ...]
    unique: bool = False
    where: str | None = None
    trigram: bool = False  # PostgreSQL: GIN trigram on one text column (needs btree_gin)
    name: str | None = None

    def index_name(self, table: str) -> str:
        if self.name:
            return self.name
        kind = "uq" if self.unique else ("trgm" if self.trigram else "ix")
        return f"{table}_{'_'.join(self.columns)}_{kind}"[:63]


def tenant_table_sql(table: str, indexes: tuple[Index, ...], postgres: bool) -> list[str]:
    statements: list[str] = []
    if postgres:
        statements += [
            f'ALTER TABLE "{table}" ALTER COLUMN tenant_id SET NOT NULL',
            f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
            f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
            f'DROP POLICY IF EXISTS tenant_isolation ON "{table}"',
            f'CREATE POLICY tenant_isolation ON "{table}" '
            f"USING (tenant_id = {RLS_TENANT_EXPR}) WITH CHECK (tenant_id = {RLS_TENANT_EXPR})",
        ]
    statements.append(
        f'CREATE UNIQUE INDEX IF NOT EXISTS "{table}_tenant_pk_uq" ON "{table}" (tenant_id, id)'
    )
    for index in indexes:
        name = index.index_name(table)
        if index.trigram:
            if not postgres:
                continue  # SQLite search uses its own prefix keys (see core.text)
            col = index.columns[0]
            statements.append(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
                f"USING gin (tenant_id, {col} gin_trgm_ops)"
            )
            continue
        unique = "UNIQUE " if index.unique else ""
        cols = ", ".join(["tenant_id", *index.columns])
        where = f" WHERE {index.where}" if index.where else ""
        statements.append(
            f'CREATE {unique}INDEX IF NOT EXISTS "{name}" ON "{table}" ({cols}){where}'
        )
    return statements


async def ensure_extensions() -> None:
    """Trusted extensions a database owner may create without superuser rights."""
    if db.is_postgres():
        for ext in ("pg_trgm", "btree_gin", "btree_gist"):
            await db.engine().run_ddl(f"CREATE EXTENSION IF NOT EXISTS {ext}")


async def tenant_table(table: str, *indexes: Index) -> None:
    """Raw migration step for a tenant-owned table (call it from every such migration)."""
    postgres = db.is_postgres()
    if postgres:
        await ensure_extensions()
    for statement in tenant_table_sql(table, indexes, postgres):
        await db.engine().run_ddl(statement)


async def platform_index(table: str, columns: tuple[str, ...], unique: bool = False) -> None:
    """An index on a platform (non-tenant) table, for symmetry with `tenant_table`."""
    name = f"{table}_{'_'.join(columns)}_{'uq' if unique else 'ix'}"[:63]
    kind = "UNIQUE INDEX" if unique else "INDEX"
    await db.engine().run_ddl(
        f'CREATE {kind} IF NOT EXISTS "{name}" ON "{table}" ({", ".join(columns)})'
    )
