"""Writes of several rows in few round trips, for a module's hot writes (issue 11).

A food bank's pickup takes stock from a dozen lots and writes a ledger line and an issue line
for each: one guarded update and two inserts per lot was fifty round trips, where issue 11
allows six per request. Two helpers cover what Piccolo's query builder cannot say:

- `take_each`: subtract a different amount from each of several rows, each only if the row
  holds that much, in one statement (the database re-checks each under its row lock).
- `insert_later`: a Piccolo insert whose rows nothing reads back in the request, sent with
  COMMIT on PostgreSQL (`core.db.write_later`); on SQLite it runs at once.

Both keep the tenant: `take_each` adds the tenant predicate `TenantScoped` adds (and row-level
security applies on PostgreSQL); `insert_later` sends the caller's own tenant-scoped insert.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from piccolo.columns import Column
from piccolo.table import Table
from piccolo.utils.encoding import load_json

from core import db
from tenants.scoping import TenantScoped, current_tenant_id


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def take_each(column: Column, amounts: Mapping[UUID, int]) -> set[UUID]:
    """Subtract `amounts[id]` from `column` of each row `id` of the current tenant, each only
    where the row holds at least that much, in one statement; the ids of the rows changed
    (a row missing from the answer held less, or is not one of this tenant's)."""
    table = column._meta.table
    if not issubclass(table, TenantScoped):
        raise TypeError(f"{table.__name__} is not a tenant table")
    if not amounts:
        return set()
    t, c = _quote(table._meta.tablename), _quote(column._meta.db_column_name)
    args: list[Any] = []
    if db.is_postgres():
        values = ", ".join("(CAST({} AS uuid), CAST({} AS bigint))" for _ in amounts)
        source = f'(VALUES {values}) AS "v" ("id", "q")'
        returning = f'{t}."id"'
    else:  # SQLite: no column list on a VALUES alias; RETURNING names the changed table only
        source = (
            "(" + " UNION ALL ".join('SELECT {} AS "id", {} AS "q"' for _ in amounts) + ') AS "v"'
        )
        returning = '"id"'
    for row_id, amount in amounts.items():
        args.extend((row_id, int(amount)))
    args.append(current_tenant_id())
    sql = (
        f'UPDATE {t} SET {c} = {t}.{c} - "v"."q" FROM {source} '
        f'WHERE {t}."tenant_id" = {{}} AND {t}."id" = "v"."id" AND {t}.{c} >= "v"."q" '
        f"RETURNING {returning}"
    )
    rows = await db.fetch(sql, *args)
    return {UUID(str(r["id"])) for r in rows}


async def insert_later(query: Any) -> None:
    """Send `query` (a Piccolo insert of a tenant table, `Table.insert(*rows)`) as late as
    possible: with COMMIT on PostgreSQL inside the request's transaction, saving its round
    trip (later statements of the request do not see the rows); at once elsewhere."""
    for querystring in query.querystrings:
        _, bundled, args = querystring.bundle(start_index=1, bundled=[], combined_args=[])
        template = "".join(
            fragment.prefix.replace("{", "{{").replace("}", "}}")
            + ("" if fragment.no_arg else "{}")
            for fragment in bundled
        )
        await db.write_later(template, *args)


def loaded(table: type[Table], row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as `select().output(load_json=True)` returns it: JSON columns parsed (rows from
    `RETURNING` carry them as text)."""
    out = dict(row)
    for column in table._meta.json_columns:
        name = column._meta.name
        if isinstance(out.get(name), str):
            out[name] = load_json(out[name])
    return out


async def inserted(table: type[Table], *rows: Table) -> list[dict[str, Any]]:
    """Insert `rows` in one statement and answer with them as the database stored them
    (`RETURNING`: its numeric scale, its timestamps), so a write need not read them back."""
    if not rows:
        return []
    written = await table.insert(*rows).returning(*table.all_columns())
    return [loaded(table, r) for r in written]


async def updated(
    table: type[Table], changes: Mapping[Any, Any], where: Any
) -> list[dict[str, Any]]:
    """Update the rows `where` selects and answer with them as stored (`RETURNING`)."""
    written = await table.update(dict(changes)).where(where).returning(*table.all_columns())
    return [loaded(table, r) for r in written]
