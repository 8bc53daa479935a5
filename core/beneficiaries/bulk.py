"""Bulk registration: the CSV import and the demo loader, all rows or none.

Every row is validated first with the API's model (`BeneficiaryCreate`), so a file is either
accepted whole or refused with every bad row listed. Accepted rows are inserted in chunks of
multi-row INSERTs inside the caller's single transaction.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
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
from core.beneficiaries.services import Actor, _keys, _values_from_create, audit
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
from tenants.scoping import current_tenant_id

PERSON_CHUNK = 1000  # people per round (progress bar step)
ROW_CHUNK = 1000  # ids per `IN (...)` lookup
PG_CHUNK = 20_000  # rows per unnest() statement
LIST_FIELDS = ("categories", "other_phones")
LIST_SEPARATOR = ";"
ADDRESS_FIELDS = ("street", "number", "city", "postcode")


@dataclass(frozen=True)
class RowError:
    row: int  # line number in the file (the header is line 1)
    field: str
    code: str
    message: str


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
    body: dict[str, Any] = {}
    address: dict[str, str] = {}
    for header, value in raw.items():
        if header is None:
            continue
        name = _column(header)
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
    reader = csv.DictReader(io.StringIO(text))
    headers = reader.fieldnames or []
    errors = [
        RowError(1, h, "unknown_column", t("validation.unknown_column", column=h))
        for h in headers
        if _column(h) is None
    ]
    for required in ("first_name", "last_name", "birth_date"):
        if required not in [_column(h) for h in headers]:
            errors.append(
                RowError(1, required, "missing", t("validation.missing_column", column=required))
            )
    rows = [(reader.line_num, row_payload(row)) for row in reader]
    return rows, errors


def validate_rows(
    rows: Iterable[tuple[int, dict[str, Any]]], scope: ValidationScope
) -> tuple[list[tuple[int, BeneficiaryCreate]], list[RowError]]:
    valid: list[tuple[int, BeneficiaryCreate]] = []
    errors: list[RowError] = []
    seen_amka: dict[str, int] = {}
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


async def check_against_database(valid: list[tuple[int, BeneficiaryCreate]]) -> list[RowError]:
    """AMKAs already registered in the tenant, and households that do not exist in it."""
    errors: list[RowError] = []
    by_amka = {m.amka: line for line, m in valid if m.amka}
    amkas = list(by_amka)
    for start in range(0, len(amkas), ROW_CHUNK):
        chunk = amkas[start : start + ROW_CHUNK]
        for r in await Beneficiary.select(Beneficiary.amka).where(Beneficiary.amka.is_in(chunk)):
            errors.append(
                RowError(by_amka[r["amka"]], "amka", "duplicate_amka", t("error.duplicate_amka"))
            )
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
    return sorted(errors, key=lambda e: e.row)


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


async def bulk_insert(table: type[Table], rows: list[dict[str, Any]]) -> None:
    """Insert many rows of a tenant table in one statement per chunk.

    Piccolo's multi-row `insert` spends most of its time building the query (one `Table`
    object and one query fragment per row), which made 100k people take minutes. This sends
    the values as column arrays (`INSERT ... SELECT FROM unnest(...)`) on PostgreSQL and as
    an `executemany` on SQLite, inside the caller's transaction. The tenant is stamped here
    from the scoping context, as `TenantScoped.insert` would, and on PostgreSQL row-level
    security checks every row (`WITH CHECK`); reads never come here.
    """
    if not rows:
        return
    tenant_id = current_tenant_id()
    txn = db.engine().current_transaction.get()
    if txn is None:
        raise RuntimeError("bulk_insert runs inside a transaction")
    columns = table._meta.columns
    names = [c._meta.db_column_name for c in columns]
    defaults = {c._meta.db_column_name: c.get_default_value() for c in columns}
    json_cast = {
        c._meta.db_column_name: ("jsonb" if isinstance(c, JSONB) else "json")
        for c in columns
        if isinstance(c, JSON)
    }

    def value(row: dict[str, Any], name: str) -> Any:
        if name == "tenant_id":
            return tenant_id
        v = row[name] if name in row else defaults[name]
        if name in json_cast and v is not None and not isinstance(v, str):
            return json.dumps(v, ensure_ascii=False)
        return v

    quoted = ", ".join(f'"{n}"' for n in names)
    if db.is_postgres():
        unnest = ", ".join(f"${i + 1}::{_pg_type(c)}[]" for i, c in enumerate(columns))
        select = ", ".join(
            f'u."{n}"::{json_cast[n]}' if n in json_cast else f'u."{n}"' for n in names
        )
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


async def insert_people(
    actor: Actor,
    people: list[BeneficiaryCreate],
    *,
    progress: Callable[[int], None] | None = None,
    audit_action: str = "import",
) -> list[UUID]:
    """Insert validated people (and their tokens, categories, household links) in chunks.

    Runs in the caller's transaction; AMKA uniqueness must have been checked (the unique
    index still refuses a duplicate, and the whole transaction then rolls back).
    """
    now = datetime.now(UTC)
    ids: list[UUID] = []
    for start in range(0, len(people), PERSON_CHUNK):
        chunk = people[start : start + PERSON_CHUNK]
        rows: list[dict[str, Any]] = []
        tokens: list[dict[str, Any]] = []
        categories: list[dict[str, Any]] = []
        members: list[dict[str, Any]] = []
        for data in chunk:
            person_id = uuid4()
            ids.append(person_id)
            values = _values_from_create(data)
            values.update(
                id=person_id,
                status="active",
                created_at=now,
                updated_at=now,
                created_by=actor.user_id,
                updated_by=actor.user_id,
                household_id=data.household_id,
            )
            values.update(_keys(values))
            rows.append(values)
            tokens += [
                {"id": uuid4(), "beneficiary_id": person_id, "token": tok}
                for tok in sorted(search_keys.person_tokens(values))
            ]
            categories += [
                {"id": uuid4(), "beneficiary_id": person_id, "code": c} for c in data.categories
            ]
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
        await bulk_insert(Beneficiary, rows)
        await bulk_insert(BeneficiarySearchToken, tokens)
        await bulk_insert(BeneficiaryCategory, categories)
        await bulk_insert(HouseholdMember, members)
        if progress is not None:
            progress(len(chunk))
    for person_id, data in zip(ids, people, strict=True):
        await actor.hooks.beneficiary_created(
            tenant=actor.tenant_ref,
            person=PersonRef(id=person_id, categories=tuple(data.categories)),
        )
    await audit(
        actor,
        audit_action,
        "beneficiary",
        "",
        details={"count": len(ids)},
    )
    return ids


def read_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(t("validation.csv_not_utf8", position=exc.start)) from None
