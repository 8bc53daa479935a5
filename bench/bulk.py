"""Bulk insert for the generator: `core.beneficiaries.bulk.bulk_insert` for any column type.

The import path maps column classes by name and does not know subclasses such as
`EncryptedText` (a `Text`); here the SQL array type is taken from the column's class
hierarchy. Same statement shapes: `INSERT ... SELECT FROM unnest($1::t[], ...)` on PostgreSQL
(row-level security checks every row), `executemany` on SQLite, inside the caller's
transaction, the tenant stamped from the scoping context.
"""

from __future__ import annotations

import json
from typing import Any

from piccolo.columns import JSON, UUID, Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from core import db
from tenants.scoping import current_tenant_id

PG_CHUNK = 20_000
_PG_TYPES: tuple[tuple[type, str], ...] = (
    (UUID, "uuid"),
    (Varchar, "varchar"),
    (Text, "text"),
    (Date, "date"),
    (Timestamptz, "timestamptz"),
    (Integer, "int4"),
    (Boolean, "bool"),
    (JSON, "text"),
)


def _pg_type(column: Any) -> str:
    for cls, name in _PG_TYPES:
        if isinstance(column, cls):
            return name
    raise TypeError(f"no bulk type for {type(column).__name__}")


async def bulk_insert(table: type[Table], rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    tenant_id = current_tenant_id()
    txn = db.engine().current_transaction.get()
    if txn is None:
        raise RuntimeError("bulk_insert runs inside a transaction")
    columns = table._meta.columns
    names = [c._meta.db_column_name for c in columns]
    defaults = {c._meta.db_column_name: c.get_default_value() for c in columns}
    is_json = {c._meta.db_column_name: isinstance(c, JSON) for c in columns}

    def value(row: dict[str, Any], name: str) -> Any:
        if name == "tenant_id":
            return tenant_id
        v = row[name] if name in row else defaults[name]
        if is_json[name] and v is not None and not isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        return v

    quoted = ", ".join(f'"{n}"' for n in names)
    if db.is_postgres():
        types = [_pg_type(c) for c in columns]
        unnest = ", ".join(f"${i + 1}::{t}[]" for i, t in enumerate(types))
        select = ", ".join(f'u."{n}"::json' if is_json[n] else f'u."{n}"' for n in names)
        sql = (
            f'INSERT INTO "{table._meta.tablename}" ({quoted}) SELECT {select} '
            f"FROM unnest({unnest}) AS u({quoted})"
        )
        for start in range(0, len(rows), PG_CHUNK):
            chunk = rows[start : start + PG_CHUNK]
            await txn.connection.execute(sql, *[[value(r, n) for r in chunk] for n in names])
    else:
        marks = ", ".join("?" for _ in names)
        sql = f'INSERT INTO "{table._meta.tablename}" ({quoted}) VALUES ({marks})'
        await txn.connection.executemany(sql, [tuple(value(r, n) for n in names) for r in rows])
