"""Bulk registration: the CSV import and the demo loader, all rows or none.

Every row is validated with the API's model (`BeneficiaryCreate`) and checked against the
database as the API checks one person (AMKA not registered, household and case worker of
the tenant), so a file is either accepted whole or refused with every bad row listed.
Accepted rows are inserted inside the caller's single transaction and stored exactly as
`services.create_beneficiary` stores one person (same columns, search keys and tokens,
category rows, household link, the modules' hook), with one audit record for the import.

Speed (issue 11: 100 k people in <= 30 s on PostgreSQL) comes from doing less per row, and
from doing the two halves of the work at once, not from skipping checks:
* rounds of rows are validated and built in a worker thread while PostgreSQL inserts the
  previous round (`_pipeline`): Python on one CPU, the database on the other;
* search keys and name tokens are computed once per distinct name (names repeat a lot) by
  the functions of `core.beneficiaries.search` themselves, split into the name part and the
  identifier part, which those functions combine by union and concatenation;
* values go as one array per column (`INSERT ... SELECT FROM unnest(...)`, the bulk form
  row-level security admits for the app role; COPY is refused under RLS), values every row
  shares (tenant, status, timestamps, author, empty optional fields) once;
* rows reach the indexes in order: people's ids are drawn at once and handed out ascending
  (still random version 4 UUIDs); token and category rows go sorted by token or code, with
  ids PostgreSQL draws ascending in that order within a range of the id space per round.
Two unused indexes of `beneficiary` were dropped for the same reason (migrations
`2026-11-23T17:30:00:000000`, `2026-11-23T17:45:00:000000`).
"""

from __future__ import annotations

import asyncio
import csv
import gc
import io
import json
import os
import secrets
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID, uuid4

from piccolo.columns import (
    JSON,
    JSONB,
    BigInt,
    Boolean,
    Column,
    Date,
    DoublePrecision,
    Integer,
    Numeric,
    Real,
    SmallInt,
    Text,
    Timestamp,
    Timestamptz,
    Varchar,
)
from piccolo.columns import UUID as UUIDColumn
from piccolo.table import Table
from pydantic import ValidationError

from core import db
from core.beneficiaries import search as search_keys
from core.beneficiaries.schemas import BeneficiaryCreate, ValidationScope, validation_scope
from core.beneficiaries.services import Actor, audit
from core.beneficiaries.tables import (
    Beneficiary,
    BeneficiaryCategory,
    BeneficiarySearchToken,
    Household,
    HouseholdMember,
)
from core.errors import RequestValidationError
from core.i18n import t
from core.refs import PersonRef
from core.text import elot743
from tenants.scoping import current_tenant_id

PERSON_CHUNK = 5000  # people per round: a progress step; one is built while the last inserts
PG_CHUNK = 50_000  # rows per unnest() statement
LIST_FIELDS = ("categories", "other_phones")
LIST_SEPARATOR = ";"
ADDRESS_FIELDS = ("street", "number", "city", "postcode")
_T = TypeVar("_T")


@dataclass(frozen=True)
class RowError:
    row: int  # line number in the file (the header is line 1)
    field: str
    code: str
    message: str


# -- reading and validating ------------------------------------------------------------------


@lru_cache(maxsize=1)
def csv_columns() -> tuple[str, ...]:
    """Accepted header names: the API's fields, `address.street` (or `address_street`) ..."""
    names = [n for n in BeneficiaryCreate.model_fields if n != "address"]
    return (*names, *[f"address.{p}" for p in ADDRESS_FIELDS])


@lru_cache(maxsize=256)
def _column(name: str) -> str | None:
    name = name.strip()
    if name.startswith("address_") and name[8:] in ADDRESS_FIELDS:
        name = "address." + name[8:]
    return name if name in csv_columns() else None


def row_payload(raw: dict[str, str]) -> dict[str, Any]:
    """A CSV row as the JSON body the API would receive (empty cells are absent)."""
    return _payload(((_column(h), v) for h, v in raw.items() if h is not None))


def _payload(cells: Iterable[tuple[str | None, str | None]]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    address: dict[str, str] = {}
    for name, value in cells:
        value = (value or "").strip()
        if name is None or value == "":
            continue
        if name.startswith("address."):
            address[name[8:]] = value
        elif name in LIST_FIELDS:
            body[name] = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
        else:
            body[name] = value
    if address:
        body["address"] = address
    return body


def read_csv(text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Rows as (line number, API body); errors of the header row.

    A plain `csv.reader` with the header mapped once (`DictReader` builds a dict per row
    first); a short row lacks its last cells, a long row's extra cells are ignored, as
    `DictReader` does.
    """
    reader = csv.reader(io.StringIO(text))
    headers = next(reader, [])
    names = [_column(h) for h in headers]
    errors = [
        RowError(1, h, "unknown_column", t("validation.unknown_column", column=h))
        for h, name in zip(headers, names, strict=True)
        if name is None
    ]
    for required in ("first_name", "last_name", "birth_date"):
        if required not in names:
            errors.append(
                RowError(1, required, "missing", t("validation.missing_column", column=required))
            )
    rows = [(reader.line_num, _payload(zip(names, row, strict=False))) for row in reader if row]
    return rows, errors


def validate_rows(
    rows: Iterable[tuple[int, dict[str, Any]]], scope: ValidationScope
) -> tuple[list[tuple[int, BeneficiaryCreate]], list[RowError]]:
    """Every row through the API's model; an AMKA seen on an earlier line is an error."""
    return _validate(rows, scope, {})


def _validate(
    rows: Iterable[tuple[int, dict[str, Any]]], scope: ValidationScope, seen_amka: dict[str, int]
) -> tuple[list[tuple[int, BeneficiaryCreate]], list[RowError]]:
    valid: list[tuple[int, BeneficiaryCreate]] = []
    errors: list[RowError] = []
    with validation_scope(scope):
        for line, body in rows:
            try:
                model = BeneficiaryCreate.model_validate(body)
            except ValidationError as exc:
                for err in RequestValidationError.from_pydantic(exc).errors:
                    errors.append(RowError(line, err.field, err.code, err.message))
                continue
            if model.amka:
                if model.amka in seen_amka:
                    errors.append(
                        RowError(
                            line,
                            "amka",
                            "duplicate_amka_in_file",
                            t("validation.duplicate_amka_in_file", row=seen_amka[model.amka]),
                        )
                    )
                    continue
                seen_amka[model.amka] = line
            valid.append((line, model))
    return valid, errors


async def check_against_database(
    valid: list[tuple[int, BeneficiaryCreate]], registered: set[str] | None = None
) -> list[RowError]:
    """What the API checks against the database for one person, for every row at once:
    AMKAs already registered in the tenant (`registered`, read here when not given),
    households and case workers that do not exist in it (an id of another tenant is as
    unknown as a made-up one)."""
    from core.staff.services import staff_exists

    if registered is None:
        registered = await registered_amkas()
    errors = [
        RowError(line, "amka", "duplicate_amka", t("error.duplicate_amka"))
        for line, m in valid
        if m.amka and m.amka in registered
    ]
    households = {m.household_id for _l, m in valid if m.household_id}
    if households:
        found = {
            r["id"]
            for r in await Household.select(Household.id).where(
                Household.id.is_in(list(households))
            )
        }
        for line, m in valid:
            if m.household_id and m.household_id not in found:
                errors.append(
                    RowError(
                        line, "household_id", "unknown_household", t("validation.unknown_household")
                    )
                )
    workers = {m.case_worker_id for _l, m in valid if m.case_worker_id}
    unknown = {w for w in workers if not await staff_exists(w, active_only=True)}
    for line, m in valid:
        if m.case_worker_id in unknown:
            errors.append(
                RowError(
                    line,
                    "case_worker_id",
                    "unknown_case_worker",
                    t("validation.unknown_case_worker"),
                )
            )
    return sorted(errors, key=lambda e: e.row)


async def registered_amkas() -> set[str]:
    """Every AMKA the current tenant has registered: one index-only read of its AMKA key.

    An import reads them once, before its first round, and checks each round against them
    (its own rows are checked against each other in the file). Asking the database again
    each round, with the round's AMKAs as an array, was planned as a scan of the rows the
    import had inserted so far, each compared with every AMKA of the round: seconds per
    round by the end of 100 k people. A duplicate registered meanwhile by someone else is
    still refused by the unique index, and the whole import rolls back.
    """
    rows = await Beneficiary.select(Beneficiary.amka).where(Beneficiary.amka.is_not_null())
    return {r["amka"] for r in rows}


# -- column-wise inserts ---------------------------------------------------------------------

# Ordered most specific first: a column's SQL array type is taken from its class hierarchy,
# so subclasses (`EncryptedText` is a `Text`, `Email` a `Varchar`) work too.
_PG_TYPES: tuple[tuple[type[Column], str], ...] = (
    (UUIDColumn, "uuid"),
    (Varchar, "varchar"),
    (Text, "text"),
    (Date, "date"),
    (Timestamptz, "timestamptz"),
    (Timestamp, "timestamp"),
    (BigInt, "int8"),
    (SmallInt, "int2"),
    (Integer, "int4"),
    (Boolean, "bool"),
    (Numeric, "numeric"),
    (DoublePrecision, "float8"),
    (Real, "float4"),
    (JSONB, "text"),
    (JSON, "text"),
)


def _pg_type(column: Column) -> str:
    for cls, name in _PG_TYPES:
        if isinstance(column, cls):
            return name
    raise TypeError(f"bulk_insert: no SQL array type for {type(column).__name__}")


def _json_cast(column: Column) -> str | None:
    if isinstance(column, JSONB):
        return "jsonb"
    return "json" if isinstance(column, JSON) else None


def _json_text(value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


# A fresh id in PostgreSQL: a random (version 4) UUID whose first byte is the statement's
# `id_prefix`; see `insert_columns`.
_PG_NEW_ID = "encode(overlay(uuid_send(gen_random_uuid()) PLACING {} FROM 1 FOR 1), 'hex')::uuid"


@lru_cache(maxsize=64)
def _pg_insert_sql(
    table: type[Table], arrays: tuple[str, ...], scalars: tuple[str, ...], new_ids: bool
) -> str:
    """`INSERT ... SELECT FROM unnest($1::t[], ...)`: arrays first, then one value each,
    then (`new_ids`) the first byte of the new ids."""
    columns = {c._meta.db_column_name: c for c in table._meta.columns}
    params = {name: i + 1 for i, name in enumerate((*arrays, *scalars))}
    select: list[str] = []
    for name, column in columns.items():
        cast = _json_cast(column)
        if new_ids and name == "id":
            select.append('i."ids"[u."_n"]')
        elif name in arrays:
            select.append(f'u."{name}"::{cast}' if cast else f'u."{name}"')
        else:
            value = f"${params[name]}::{_pg_type(column)}"
            select.append(f"{value}::{cast}" if cast else value)
    unnest = ", ".join(f"${params[n]}::{_pg_type(columns[n])}[]" for n in arrays)
    names = ", ".join(f'"{n}"' for n in columns)
    aliases = ", ".join(f'"{n}"' for n in arrays)
    insert = f'INSERT INTO "{table._meta.tablename}" ({names}) SELECT {", ".join(select)} '
    if not new_ids:
        return f"{insert}FROM unnest({unnest}) AS u({aliases})"
    # The n-th row gets the n-th smallest of the new ids (one sorted array, made once). The
    # rows go in in the order of the arrays (the plan reads the unnest in order; the order
    # matters for speed only): an ORDER BY measured twice the CPU.
    first = f"${params[arrays[0]]}::{_pg_type(columns[arrays[0]])}[]"
    new_id = _PG_NEW_ID.format(f"${len(params) + 1}::bytea")
    return (
        f'WITH "i" AS MATERIALIZED (SELECT array_agg("id" ORDER BY "id") AS "ids" '
        f'FROM (SELECT {new_id} AS "id" FROM generate_series(1, cardinality({first}))) AS g) '
        f'{insert}FROM "i", unnest({unnest}) WITH ORDINALITY AS u({aliases}, "_n")'
    )


async def insert_columns(
    table: type[Table],
    arrays: Mapping[str, Sequence[Any]],
    scalars: dict[str, Any] | None = None,
    *,
    id_prefix: int | None = None,
) -> None:
    """Insert rows of a tenant table given column by column, in the caller's transaction.

    `arrays`: one value per row for these columns (all of equal length); `scalars`: one value
    for every row; every other column gets its default. The tenant is stamped here from the
    scoping context, as `TenantScoped.insert` would, and on PostgreSQL row-level security
    checks every row (`WITH CHECK`). JSON columns take Python values or JSON text.

    `id_prefix` (0-255): the database draws the `id`s, for rows whose ids nobody needs back.
    On PostgreSQL they are random version 4 UUIDs whose first byte is `id_prefix`, given to
    the rows in ascending order: rows sent sorted by an indexed column then go into that
    index and into both id indexes in order, and successive statements with rising prefixes
    into successive ranges of the id indexes, instead of at random pages (measured on 35 k
    search tokens: 30 % less CPU than the same rows in id order, 45 % less than in random
    order). On SQLite they are `uuid4()`s.

    On PostgreSQL the values go as one array per column in `INSERT ... SELECT FROM unnest()`,
    the bulk form row-level security admits for the app role (COPY is refused under RLS); a
    column whose values are all equal goes as one value.
    """
    lengths = {len(v) for v in arrays.values()}
    if len(lengths) > 1:
        raise ValueError("insert_columns: columns of different lengths")
    count = lengths.pop() if lengths else 0
    if count == 0:
        return
    txn = db.engine().current_transaction.get()
    if txn is None:
        raise RuntimeError("bulk inserts run inside a transaction")
    columns = {c._meta.db_column_name: c for c in table._meta.columns}
    unknown = set(arrays) - set(columns)
    if unknown:
        raise ValueError(f"insert_columns: no such columns {sorted(unknown)}")
    new_ids = id_prefix is not None
    values = {
        name: column.get_default_value()
        for name, column in columns.items()
        if name not in arrays and not (new_ids and name == "id")
    }
    values.update(scalars or {})
    values["tenant_id"] = current_tenant_id()
    cols = dict(arrays)
    for name, column in columns.items():
        if _json_cast(column) is None:
            continue
        if name in cols:
            cols[name] = [_json_text(v) for v in cols[name]]
        elif name in values:
            values[name] = _json_text(values[name])
    if db.is_postgres():
        for name, column_values in list(cols.items()):
            if len(cols) > 1 and column_values.count(column_values[0]) == count:
                values[name] = cols.pop(name)[0]
        names = tuple(cols)
        scalar_names = tuple(n for n in columns if n in values)
        sql = _pg_insert_sql(table, names, scalar_names, new_ids)
        fixed = [values[n] for n in scalar_names]
        if id_prefix is not None:
            fixed.append(bytes([id_prefix]))
        for start in range(0, count, PG_CHUNK):
            if count <= PG_CHUNK:
                chunk = [cols[n] for n in names]
            else:
                chunk = [list(cols[n][start : start + PG_CHUNK]) for n in names]
            await txn.connection.execute(sql, *chunk, *fixed)
        return
    if new_ids:
        cols["id"] = [uuid4() for _ in range(count)]
    streams = [cols[n] if n in cols else repeat(values[n], count) for n in columns]
    quoted = ", ".join(f'"{n}"' for n in columns)
    marks = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table._meta.tablename}" ({quoted}) VALUES ({marks})'
    await txn.connection.executemany(sql, list(zip(*streams, strict=True)))


async def bulk_insert(table: type[Table], rows: list[dict[str, Any]]) -> None:
    """Insert many rows of a tenant table, given as dicts (absent keys: column defaults).

    Piccolo's multi-row `insert` spends most of its time building the query (one `Table`
    object and one query fragment per row), which made 100k people take minutes; this sends
    one array per column (`insert_columns`).
    """
    if not rows:
        return
    present: dict[str, None] = {}
    for row in rows:
        present.update(dict.fromkeys(row))
    present.pop("tenant_id", None)
    defaults = {c._meta.db_column_name: c.get_default_value() for c in table._meta.columns}
    arrays = {
        name: [r[name] if name in r else defaults[name] for r in rows]
        for name in present
        if name in defaults
    }
    await insert_columns(table, arrays)


# -- people ----------------------------------------------------------------------------------

_LIST_COLUMNS = ("other_phones", "categories")
_NO_ADDRESS = {f"address_{part}": "" for part in ADDRESS_FIELDS}


@lru_cache(maxsize=65536)
def _json_list(items: tuple[str, ...]) -> str:
    return json.dumps(list(items), ensure_ascii=False)


def person_values(data: BeneficiaryCreate) -> dict[str, Any]:
    """A person's columns from the model: `services._values_from_create` without
    `model_dump` (the fields are plain values already; a copy of the model's dict of them)."""
    values = dict(data.__dict__)
    address = values.pop("address")
    del values["household_id"], values["household_relation"]
    for name in _LIST_COLUMNS:
        values[name] = list(values[name])
    if address is None:
        values.update(_NO_ADDRESS)
    else:
        for part in ADDRESS_FIELDS:
            values[f"address_{part}"] = getattr(address, part)
    values["latin_first_name"] = data.latin_first_name or elot743(data.first_name)
    values["latin_last_name"] = data.latin_last_name or elot743(data.last_name)
    return values


_NAME_FIELDS = ("first_name", "last_name", "latin_first_name", "latin_last_name")
_ID_FIELDS = ("amka", "afm", "personal_number", "id_document_number", "phone", "other_phones")


@lru_cache(maxsize=65536)
def _name_keys(first: str, last: str) -> tuple[str, str, str, str]:
    """Sort, name and latin key, and the search key's name part, of a first and last name
    (the only fields these keys read)."""
    names = {"first_name": first, "last_name": last}
    return (
        search_keys.sort_key(names),
        search_keys.name_key(names),
        search_keys.latin_key(names),
        search_keys.search_key(names),
    )


@lru_cache(maxsize=65536)
def _field_tokens(field: str, value: str) -> frozenset[str]:
    """The tokens one name field gives (first names and surnames repeat a lot more than
    whole names do)."""
    return frozenset(search_keys.person_tokens({field: value}))


def person_keys(values: dict[str, Any]) -> tuple[dict[str, str], set[str]]:
    """`services._keys(values)` and `search.person_tokens(values)`, the names' part memoised.

    Both functions treat each field on its own: a person's tokens are the union of every
    field's tokens, and the search key is the names' part followed by the identifiers'
    part (`test_import_fast_paths` holds this to the functions' results on whole people).
    """
    sort, name, latin, search_names = _name_keys(values["first_name"], values["last_name"])
    ids = {f: values.get(f) for f in _ID_FIELDS}
    search_ids = search_keys.search_key(ids)
    keys = {
        "sort_key": sort,
        "name_key": name,
        "latin_key": latin,
        "search_key": " ".join(p for p in (search_names, search_ids) if p),
    }
    tokens = search_keys.person_tokens(ids)
    for field in _NAME_FIELDS:
        if values.get(field):
            tokens |= _field_tokens(field, values[field])
    return keys, tokens


def sorted_ids(count: int) -> list[UUID]:
    """`count` random version 4 UUIDs in ascending order.

    Handed out in this order, the rows of one import go into the id indexes (and the
    `beneficiary_id` indexes of tokens and categories) in order; each id is as random as
    `uuid4()`'s, from one call to the system's random source.
    """
    raw = os.urandom(16 * count)
    ints = sorted(int.from_bytes(raw[i : i + 16], "big") for i in range(0, 16 * count, 16))
    return [UUID(int=n, version=4) for n in ints]


@dataclass
class _Chunk:
    """A round of people as columns, ready to send; tokens sorted by token, categories by
    code and person (the order of their indexes, see `insert_columns`)."""

    people: dict[str, list[Any]]
    tokens: dict[str, list[Any]]
    categories: dict[str, list[Any]]
    members: list[dict[str, Any]]
    id_prefix: int


def _build_chunk(
    ids: Sequence[UUID], people: Sequence[BeneficiaryCreate], now: datetime, id_prefix: int
) -> _Chunk:
    """Columns of the people, their tokens, categories and household links (pure: runs in a
    worker thread while the previous chunk is inserted)."""
    rows: list[tuple[Any, ...]] = []
    columns: tuple[str, ...] = ()
    row: Callable[[dict[str, Any]], tuple[Any, ...]] | None = None
    tokens: list[tuple[str, UUID, str]] = []
    categories: list[tuple[str, UUID]] = []
    members: list[dict[str, Any]] = []
    for person_id, data in zip(ids, people, strict=True):
        values = person_values(data)
        keys, person_tokens = person_keys(values)
        values.update(keys)
        values["id"] = person_id
        values["household_id"] = data.household_id
        values["other_phones"] = _json_list(tuple(values["other_phones"]))
        values["categories"] = _json_list(tuple(values["categories"]))
        if row is None:
            columns = tuple(values)
            row = itemgetter(*columns)
        rows.append(row(values))
        sort = keys["sort_key"]
        tokens += [(token, person_id, sort) for token in person_tokens]
        categories += [(code, person_id) for code in data.categories]
        if data.household_id:
            members.append(
                {
                    "id": uuid4(),
                    "household_id": data.household_id,
                    "beneficiary_id": person_id,
                    "relation": data.household_relation,
                    "created_at": now,
                }
            )
    tokens.sort(key=itemgetter(0))  # by token alone: comparing UUIDs is slow Python code
    categories.sort(key=itemgetter(0))
    token_columns: dict[str, list[Any]] = {
        "token": [t[0] for t in tokens],
        "beneficiary_id": [t[1] for t in tokens],
        # The person's sort key, which searches order by (left out, a trigger would look
        # it up for each row).
        "sort_key": [t[2] for t in tokens],
    }
    transposed = zip(*rows, strict=True)
    return _Chunk(
        people={name: list(values) for name, values in zip(columns, transposed, strict=True)},
        tokens=token_columns,
        categories={
            "code": [c[0] for c in categories],
            "beneficiary_id": [c[1] for c in categories],
        },
        members=members,
        id_prefix=id_prefix,
    )


async def _insert_chunk(chunk: _Chunk, shared: dict[str, Any]) -> None:
    await insert_columns(Beneficiary, chunk.people, shared)
    await insert_columns(BeneficiarySearchToken, chunk.tokens, id_prefix=chunk.id_prefix)
    await insert_columns(BeneficiaryCategory, chunk.categories, id_prefix=chunk.id_prefix)
    await bulk_insert(HouseholdMember, chunk.members)


def _id_prefixes(rounds: int) -> list[int]:
    """First bytes of the new token and category ids of each round: rising through the id
    space from a random start, so successive rounds fill successive ranges of it."""
    start = secrets.randbelow(256)
    return [(start + index * 256 // max(rounds, 1)) % 256 for index in range(rounds)]


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Python's cycle collector paused for the length of a bulk load.

    A load keeps hundreds of thousands of objects alive until it ends (the rows read, their
    models, the columns and token rows built), and every pass of the collector, triggered by
    allocations, walks the objects it tracks: measured, 30 % of the time of validating rows
    and three quarters of building token rows. The load makes no reference cycles that need
    freeing before it ends; collection resumes afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class ImportRefused(Exception):
    """The rows have errors: raised inside the caller's transaction, which rolls back what
    earlier rounds inserted, so nothing is stored."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s)")
        self.errors = errors


async def import_rows(
    actor: Actor,
    rows: list[tuple[int, dict[str, Any]]],
    scope: ValidationScope,
    *,
    progress: Callable[[int], None] | None = None,
) -> list[UUID]:
    """Validate, check and insert CSV rows (`read_csv`) in the caller's transaction, all or
    none; returns the new people's ids in the order of the rows.

    The errors are those of validating the whole file first and checking it against the
    database after (`validate_rows`, then `check_against_database`): every invalid row if
    any, else every row the database refuses; `ImportRefused` carries them. The work goes
    in rounds, each validated and built in a worker thread while PostgreSQL inserts the
    previous one; after the first error no more rounds are inserted, but every row is still
    validated (and checked) for the report, and the exception rolls back what was inserted.
    """
    now = datetime.now(UTC)
    ids = sorted_ids(len(rows))
    rounds = [rows[start : start + PERSON_CHUNK] for start in range(0, len(rows), PERSON_CHUNK)]
    prefixes = _id_prefixes(len(rounds))
    seen_amka: dict[str, int] = {}
    invalid: list[RowError] = []
    conflicts: list[RowError] = []
    stored: list[UUID] = []
    created: list[PersonRef] = []  # what the hooks get; the models are not kept
    handed_out = 0

    def prepare(index: int) -> _Round:
        nonlocal handed_out
        valid, errors = _validate(rounds[index], scope, seen_amka)
        invalid.extend(errors)
        round_ids = ids[handed_out : handed_out + len(valid)]
        handed_out += len(valid)
        models = [m for _line, m in valid]
        built = (
            None if invalid or conflicts else _build_chunk(round_ids, models, now, prefixes[index])
        )
        return _Round(len(rounds[index]), valid, round_ids, built)

    async def consume(item: _Round) -> None:
        if invalid:
            return  # validation errors are the whole report, as for a file checked at once
        conflicts.extend(await check_against_database(item.valid, registered))
        if conflicts or item.built is None:
            return
        await _insert_chunk(item.built, _shared_columns(actor, now))
        stored.extend(item.ids)
        created.extend(_refs(item.ids, [m for _line, m in item.valid]))
        if progress is not None:
            progress(item.rows)

    registered = await registered_amkas()
    await _pipeline(len(rounds), prepare, consume)
    if invalid:
        raise ImportRefused(invalid)
    if conflicts:
        raise ImportRefused(conflicts)
    if stored:
        await _created(actor, created, "import")
    return stored


async def insert_people(
    actor: Actor,
    people: list[BeneficiaryCreate],
    *,
    progress: Callable[[int], None] | None = None,
    audit_action: str = "import",
) -> list[UUID]:
    """Insert validated people (and their tokens, categories, household links) in chunks;
    returns their ids in the order of `people`.

    Runs in the caller's transaction; AMKA uniqueness must have been checked (the unique
    index still refuses a duplicate, and the whole transaction then rolls back). Each chunk
    is built in a worker thread while the previous one is being inserted.
    """
    now = datetime.now(UTC)
    ids = sorted_ids(len(people))
    starts = range(0, len(people), PERSON_CHUNK)
    prefixes = _id_prefixes(len(starts))

    def prepare(index: int) -> _Chunk:
        start = starts[index]
        return _build_chunk(
            ids[start : start + PERSON_CHUNK],
            people[start : start + PERSON_CHUNK],
            now,
            prefixes[index],
        )

    async def consume(chunk: _Chunk) -> None:
        await _insert_chunk(chunk, _shared_columns(actor, now))
        if progress is not None:
            progress(len(chunk.people.get("id", ())))

    with cyclic_gc_paused():
        await _pipeline(len(starts), prepare, consume)
    await _created(actor, _refs(ids, people), audit_action)
    return ids


@dataclass
class _Round:
    """A round of CSV rows: how many, the valid ones, their ids, and their columns (None
    once an error means nothing more will be inserted)."""

    rows: int
    valid: list[tuple[int, BeneficiaryCreate]]
    ids: list[UUID]
    built: _Chunk | None


def _shared_columns(actor: Actor, now: datetime) -> dict[str, Any]:
    """Columns every person of one import shares, sent once per statement."""
    return {
        "status": "active",
        "created_at": now,
        "updated_at": now,
        "created_by": actor.user_id,
        "updated_by": actor.user_id,
    }


async def _pipeline(
    count: int, prepare: Callable[[int], _T], consume: Callable[[_T], Awaitable[None]]
) -> None:
    """`consume(prepare(i))` for i in range(count), `prepare(i + 1)` running in a worker
    thread while `consume(i)` waits for the database: Python builds the next round on one
    CPU while PostgreSQL inserts the last one on the other. `prepare` runs in order, one at
    a time (it may keep state between rounds); worker threads get a copy of the context
    (tenant, language, validation scope)."""
    pending: asyncio.Future[_T] | None = None
    try:
        for index in range(count):
            if pending is None:
                item = prepare(index)
            else:
                item, pending = await pending, None
            if index + 1 < count:
                pending = asyncio.ensure_future(asyncio.to_thread(prepare, index + 1))
            await consume(item)
    finally:
        if pending is not None:  # consume failed: let the worker finish, drop its round
            await asyncio.gather(pending, return_exceptions=True)


def _refs(ids: Sequence[UUID], people: Sequence[BeneficiaryCreate]) -> list[PersonRef]:
    return [
        PersonRef(id=person_id, categories=tuple(data.categories))
        for person_id, data in zip(ids, people, strict=True)
    ]


async def _created(actor: Actor, people: list[PersonRef], audit_action: str) -> None:
    """What follows a registration: the modules' hook for each person, one audit record."""
    for person in people:
        await actor.hooks.beneficiary_created(tenant=actor.tenant_ref, person=person)
    await audit(actor, audit_action, "beneficiary", "", details={"count": len(people)})


def read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(t("validation.csv_not_utf8", position=exc.start)) from None
