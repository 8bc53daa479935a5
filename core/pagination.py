"""Cursor pagination for every list: `?limit=` (default 50, max 200) and `?cursor=`.

Keyset pagination on (sort column, id): each page is one indexed range scan, however deep the
client pages, and rows inserted meanwhile neither repeat nor vanish. The cursor is opaque to
clients (base64 of the last row's key).
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from piccolo.columns import Column
from piccolo.query import Select
from pydantic import BaseModel

from core.errors import RequestValidationError

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise RequestValidationError.single("limit", "less_than_equal", le=MAX_LIMIT)
    return limit


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list):
            raise ValueError
        return values
    except ValueError:
        raise RequestValidationError.single("cursor", "invalid") from None


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _typed(column: Column, value: Any) -> Any:
    from piccolo.columns import UUID as UUIDColumn
    from piccolo.columns import Date, Timestamp, Timestamptz

    if value is None:
        return None
    if isinstance(column, Timestamptz | Timestamp):
        return datetime.fromisoformat(value)
    if isinstance(column, Date):
        return date.fromisoformat(value)
    if isinstance(column, UUIDColumn):
        return UUID(value)
    return value


def cursor_values(cursor: str | None, *, sort: Column, id_column: Column) -> tuple[Any, Any] | None:
    """The (sort value, id) a cursor points after, typed as the columns are; None for none.

    For list queries written as fixed SQL (hot paths) that page exactly as `keyset` does:
    `(sort > s) OR (sort = s AND id > i)`, ordered by (sort, id), `limit + 1` rows fetched,
    then `next_page`.
    """
    if not cursor:
        return None
    values = decode_cursor(cursor)
    if len(values) != 2:
        raise RequestValidationError.single("cursor", "invalid")
    try:
        return _typed(sort, values[0]), _typed(id_column, values[1])
    except (ValueError, TypeError):
        raise RequestValidationError.single("cursor", "invalid") from None


def next_page(
    rows: list[dict[str, Any]], size: int, *, sort: Column, id_column: Column
) -> tuple[list[dict[str, Any]], str | None]:
    """The page (at most `size` of the `size + 1` rows fetched) and the cursor after it."""
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    last = rows[-1]
    return rows, encode_cursor([last[sort._meta.name], last[id_column._meta.name]])


async def keyset(
    query: Select,
    *,
    sort: Column,
    id_column: Column,
    limit: int | None,
    cursor: str | None,
    descending: bool = False,
) -> tuple[list[dict[str, Any]], str | None]:
    """Run `query` for one page ordered by (sort, id); returns rows and the next cursor."""
    size = check_limit(limit)
    after = cursor_values(cursor, sort=sort, id_column=id_column)
    if after is not None:
        last_sort, last_id = after
        if descending:
            query = query.where((sort < last_sort) | ((sort == last_sort) & (id_column < last_id)))
        else:
            query = query.where((sort > last_sort) | ((sort == last_sort) & (id_column > last_id)))
    query = query.order_by(sort, id_column, ascending=not descending).limit(size + 1)
    rows = await query
    return next_page(rows, size, sort=sort, id_column=id_column)
