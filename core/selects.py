"""Several independent selects in one round trip.

A page that shows a record with its parts asks several independent questions (a case's
parties, its consents, its referrals; a person's applications, plans and assessments), and
each awaited query is a round trip: issue 11 allows six per request, the tenant context, the
membership and the audit append included. `select_together` sends such queries as one
statement and hands back each query's rows exactly as awaiting it would have.

The queries are the caller's own Piccolo selects, built by `TenantScoped.select`, so each
keeps its tenant predicate (and row-level security applies on PostgreSQL): nothing here
writes SQL about tenant data, it only places the queries side by side in a `UNION ALL`.
Each query gets slots of its own in one wide row; rows carry the query's number and their
position in it. A first branch that returns no row types every slot from the tables' own
columns (`LEFT JOIN table ON 1 = 0`): PostgreSQL types a UNION's columns pair by pair (two
untyped NULLs would become text), and SQLite declares a compound's column types from its
leftmost SELECT, so Piccolo's converters (UUIDs, dates, booleans, JSON) apply as they do to
a plain select. Piccolo then post-processes each query's rows itself (`load_json` and so on).
"""

from __future__ import annotations

from typing import Any

from piccolo.columns import Column
from piccolo.query import Select

from core import db


def _columns(query: Select) -> list[tuple[str, Column]]:
    """(output name, column) of every column the query selects: plain columns of its own
    table only (no joins, no aggregates), which is what a slot can be typed from."""
    table = query.table
    selected = list(query.columns_delegate.selected_columns) or table._meta.columns
    out = []
    for column in selected:
        if (
            not isinstance(column, Column)
            or column._meta.table is not table
            or column._meta.call_chain
        ):
            raise TypeError(f"select_together takes plain columns of {table.__name__} only")
        out.append((column._alias or column._meta.name, column))
    return out


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def select_together(*queries: Select) -> list[list[dict[str, Any]]]:
    """Run `queries` (Piccolo selects of plain columns) in one statement; the answer holds
    each query's rows, in the query's order, as `await query` returns them."""
    if not queries:
        return []
    shapes = [_columns(q) for q in queries]
    slots = [[f"s{i}_{k}" for k in range(len(cols))] for i, cols in enumerate(shapes)]
    typed = ", ".join(
        f"{_quote(f't{i}')}.{_quote(column._meta.db_column_name)} AS {_quote(slot)}"
        for i, cols in enumerate(shapes)
        for (_name, column), slot in zip(cols, slots[i], strict=True)
    )
    joins = " ".join(
        f"LEFT JOIN {_quote(q.table._meta.tablename)} AS {_quote(f't{i}')} ON 1 = 0"
        for i, q in enumerate(queries)
    )
    branches = [
        f'SELECT NULL AS "q", NULL AS "n", {typed} FROM (SELECT 1 AS "one") AS "d" {joins} '
        "WHERE 1 = 0"
    ]
    for i in range(len(shapes)):
        values = ", ".join(
            f"{_quote(f's{i}')}.{_quote(name)}" if j == i else "NULL"
            for j, other in enumerate(shapes)
            for name, _column in other
        )
        branches.append(f'SELECT {i}, ROW_NUMBER() OVER (), {values} FROM ({{}}) AS "s{i}"')
    rows = await db.fetch(" UNION ALL ".join(branches), *(q.querystrings[0] for q in queries))
    rows.sort(key=lambda r: (r["q"], r["n"]))
    out: list[list[dict[str, Any]]] = []
    for i, (query, cols) in enumerate(zip(queries, shapes, strict=True)):
        mine = [
            {name: row[slot] for (name, _c), slot in zip(cols, slots[i], strict=True)}
            for row in rows
            if row["q"] == i
        ]
        out.append(await query._process_results(mine))
    return out
