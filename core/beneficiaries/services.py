"""The beneficiary registry's services: the only writer of the area's tables.

Routes, the CSV import, the demo loader and other core areas come here; each write keeps the
person's search tokens and category rows in step, is audited with ids only, and runs inside
the caller's transaction (the request's, or the import's one transaction).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol, cast
from uuid import UUID, uuid4

from core import clock, db
from core.audit.writer import record
from core.beneficiaries import identifiers
from core.beneficiaries import search as search_keys
from core.beneficiaries.caseload import check_case_worker
from core.beneficiaries.categories import (
    CategoryInfo,
    all_known_categories,
    tenant_categories,
    visible_codes,
)
from core.beneficiaries.composition import HouseholdComposition, MemberFacts, compose
from core.beneficiaries.schemas import (
    BeneficiaryCreate,
    BeneficiaryUpdate,
    HouseholdCreate,
    MemberIn,
    ValidationScope,
)
from core.beneficiaries.tables import (
    Beneficiary,
    BeneficiaryCategory,
    BeneficiarySearchToken,
    Household,
    HouseholdMember,
)
from core.errors import Conflict, NotFound, RequestValidationError
from core.i18n import t
from core.pagination import check_limit, cursor_values, keyset, next_page
from core.refs import PersonRef, TenantRef
from core.text import elot743
from tenants.scoping import current_tenant_id

if TYPE_CHECKING:
    from core.context import RequestContext
    from core.plugin_host import TenantHooks

log = logging.getLogger("merimna.beneficiaries")

SPECIAL_FIELDS = ("disability_percent",)
_KEY_COLUMNS = ("tenant_id", "sort_key", "name_key", "latin_key", "search_key")
_ADDRESS = ("street", "number", "city", "postcode")


class Actor(Protocol):
    """Who acts: a request's `RequestContext`, or a `SystemActor` for the CLI and the demo."""

    @property
    def user_id(self) -> Any: ...

    @property
    def request_id(self) -> str: ...

    @property
    def client(self) -> str: ...

    @property
    def tenant_ref(self) -> TenantRef: ...

    @property
    def hooks(self) -> TenantHooks: ...


@dataclass(frozen=True)
class SystemActor:
    """The actor of commands and loaders that run without a request."""

    tenant: TenantRef
    hooks: TenantHooks
    user_id: UUID | None = None
    request_id: str = "cli"
    client: str = "cli"
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def tenant_ref(self) -> TenantRef:
        return self.tenant

    @property
    def sees_special_categories(self) -> bool:
        return True


async def audit(
    actor: Actor,
    action: str,
    object_type: str,
    object_id: Any = "",
    details: dict[str, Any] | None = None,
) -> None:
    """`core.audit.writer.record` for any actor (request context or system actor)."""
    await record(cast("RequestContext", actor), action, object_type, object_id, details=details)


def _now() -> datetime:
    return datetime.now(UTC)


# -- reading ----------------------------------------------------------------------------------


async def person_exists(person_id: UUID, *, include_merged: bool = False) -> bool:
    """Whether a person with this id exists in the current tenant.

    A person merged into another counts as absent unless `include_merged`: new records must
    point at the surviving person. Another tenant's person is absent (tenant scoping).
    """
    query = Beneficiary.exists().where(Beneficiary.id == person_id)
    if not include_merged:
        query = query.where(Beneficiary.status != "merged")
    return bool(await query)


async def get_person(person_id: UUID) -> dict[str, Any]:
    """One person of the current tenant as a dict (the API's shape); `NotFound` otherwise.

    Holds special categories (special category codes, `disability_percent`): code that shows
    it to a user filters it with `for_viewer`. A merged person is returned with
    `status == "merged"` and `merged_into`, so callers can follow to the survivor.
    """
    row = await _row(person_id)
    if row is None:
        raise NotFound()
    return person_dict(row)


async def get_people(person_ids: Iterable[UUID]) -> dict[UUID, dict[str, Any]]:
    """Several people of the current tenant at once, by id (the shape of `get_person`).

    One query however many ids, for lists and reports that name the people on every row;
    ids of another tenant or of nobody are simply absent from the answer.
    """
    wanted = list(dict.fromkeys(person_ids))
    out: dict[UUID, dict[str, Any]] = {}
    for start in range(0, len(wanted), 1000):  # bounded IN lists
        rows = (
            await Beneficiary.select()
            .where(Beneficiary.id.is_in(wanted[start : start + 1000]))
            .output(load_json=True)
        )
        for row in rows:
            out[row["id"]] = person_dict(row)
    return out


async def active_person_ids(limit: int = 50) -> list[UUID]:
    """Ids of the current tenant's active people, oldest first.

    For modules' demo data and seeding, which attach their records to people the core created;
    never a way to list people to a user (that is `list_beneficiaries`, with its guards).
    """
    rows = (
        await Beneficiary.select(Beneficiary.id)
        .where(Beneficiary.status == "active")
        .order_by(Beneficiary.created_at, Beneficiary.id)
        .limit(max(0, min(limit, 10_000)))
    )
    return [row["id"] for row in rows]


async def person_ref(person_id: UUID) -> PersonRef:
    """Id and category codes of a person, for hooks (no names)."""
    person = await get_person(person_id)
    return PersonRef(id=person["id"], categories=tuple(person["categories"]))


@lru_cache(maxsize=1)
def _columns() -> str:
    """Every column of a person, as `Beneficiary.select()` returns them."""
    return ", ".join(f'"{c._meta.db_column_name}"' for c in Beneficiary._meta.columns)


@lru_cache(maxsize=1)
def _row_sql() -> str:
    return f'SELECT {_columns()} FROM "beneficiary" WHERE "tenant_id" = {{}} AND "id" = {{}}'


def _load_json_columns(row: dict[str, Any]) -> dict[str, Any]:
    for column in Beneficiary._meta.json_columns:
        name = column._meta.name
        if isinstance(row.get(name), str):
            row[name] = json.loads(row[name])
    return row


async def _row(person_id: UUID) -> dict[str, Any] | None:
    """One person row, as `Beneficiary.select().where(id).first()` returns it.

    The hottest query of the API (every read of a person), so its SQL is built once per
    process: Piccolo spent about as long composing the 40-column select as the database did
    answering it. The tenant predicate is the one `TenantScoped` adds (and on PostgreSQL
    row-level security applies as for any query).
    """
    rows = await db.fetch(_row_sql(), current_tenant_id(), person_id)
    return _load_json_columns(rows[0]) if rows else None


def person_dict(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in _KEY_COLUMNS and k != "anonymised_at"}
    out["address"] = {part: out.pop(f"address_{part}", "") or "" for part in _ADDRESS}
    out["categories"] = list(out.get("categories") or [])
    out["other_phones"] = list(out.get("other_phones") or [])
    return out


def for_viewer(
    person: dict[str, Any], known: dict[str, CategoryInfo], sees_special: bool
) -> dict[str, Any]:
    """The person as a user of these roles may see them: special categories removed for
    roles that may not see them."""
    if sees_special:
        return person
    out = dict(person)
    out["categories"] = visible_codes(person["categories"], known, False)
    for name in SPECIAL_FIELDS:
        out[name] = None
    return out


async def validation_scope_for(actor: Any, modules: Any = ()) -> ValidationScope:
    """Category codes the actor may set (special ones only for roles that may see them)."""
    codes = await tenant_categories(actor.hooks, modules)
    sees = bool(getattr(actor, "sees_special_categories", False))
    allowed = frozenset(c for c, info in codes.items() if sees or not info.special)
    return ValidationScope(categories=allowed, sees_special=sees)


# -- writing ----------------------------------------------------------------------------------


def _keys(person: dict[str, Any]) -> dict[str, Any]:
    return {
        "sort_key": search_keys.sort_key(person),
        "name_key": search_keys.name_key(person),
        "latin_key": search_keys.latin_key(person),
        "search_key": search_keys.search_key(person),
    }


def _warning(
    code: str, field: str | None = None, existing: list[UUID] | None = None, **params: Any
) -> dict[str, Any]:
    return {
        "code": code,
        "message": t(f"warning.{code}", **params),
        "field": field,
        "existing_ids": existing or [],
    }


async def _reject_duplicate_amka(amka: str | None, exclude: UUID | None = None) -> None:
    if not amka:
        return
    query = Beneficiary.select(Beneficiary.id).where(Beneficiary.amka == amka)
    if exclude is not None:
        query = query.where(Beneficiary.id != exclude)
    existing = await query.first()
    if existing:
        raise Conflict("duplicate_amka", extra={"existing_id": str(existing["id"])})


async def likely_duplicates(
    person: dict[str, Any], exclude: UUID | None = None
) -> list[dict[str, Any]]:
    """Warnings for a person who may already be registered: same name (as spelled alike)
    and birth date, or the same main phone."""
    warnings: list[dict[str, Any]] = []
    key = search_keys.duplicate_key(person)
    rows = (
        await Beneficiary.select(Beneficiary.id, Beneficiary.first_name, Beneficiary.last_name)
        .where((Beneficiary.birth_date == person["birth_date"]) & (Beneficiary.status != "merged"))
        .limit(200)
    )
    same = [r["id"] for r in rows if r["id"] != exclude and search_keys.duplicate_key(r) == key]
    if same:
        warnings.append(_warning("possible_duplicate", None, same))
    if person.get("phone"):
        rows = (
            await Beneficiary.select(Beneficiary.id)
            .where((Beneficiary.phone == person["phone"]) & (Beneficiary.status != "merged"))
            .limit(20)
        )
        same_phone = [r["id"] for r in rows if r["id"] != exclude]
        if same_phone:
            warnings.append(_warning("same_phone", "phone", same_phone))
    if person.get("amka") and not identifiers.amka_matches_birth_date(
        person["amka"], person["birth_date"]
    ):
        warnings.append(_warning("amka_birth_date_mismatch", "amka"))
    return warnings


def _values_from_create(data: BeneficiaryCreate) -> dict[str, Any]:
    values = data.model_dump(exclude={"address", "household_id", "household_relation"})
    address = data.address.model_dump() if data.address else {}
    for part in _ADDRESS:
        values[f"address_{part}"] = address.get(part, "")
    values["latin_first_name"] = data.latin_first_name or elot743(data.first_name)
    values["latin_last_name"] = data.latin_last_name or elot743(data.last_name)
    return values


async def _write_tokens(person_id: UUID, person: dict[str, Any], *, replace: bool) -> None:
    if replace:
        await BeneficiarySearchToken.delete().where(
            BeneficiarySearchToken.beneficiary_id == person_id
        )
    tokens = search_keys.person_tokens(person) if person.get("status") != "merged" else set()
    if tokens:
        key = search_keys.sort_key(person)
        await BeneficiarySearchToken.insert(
            *[
                BeneficiarySearchToken(
                    id=uuid4(), beneficiary_id=person_id, token=tok, sort_key=key
                )
                for tok in sorted(tokens)
            ]
        )


async def _write_categories(person_id: UUID, codes: list[str], *, replace: bool) -> None:
    if replace:
        await BeneficiaryCategory.delete().where(BeneficiaryCategory.beneficiary_id == person_id)
    if codes:
        await BeneficiaryCategory.insert(
            *[BeneficiaryCategory(id=uuid4(), beneficiary_id=person_id, code=c) for c in codes]
        )


def _is_unique_violation(exc: Exception) -> bool:
    name = type(exc).__name__
    return name in ("UniqueViolationError", "IntegrityError") or "UNIQUE" in str(exc)


async def _insert_guarded(row: Beneficiary, amka: str | None) -> dict[str, Any]:
    """Insert, turning a lost race on the (tenant, AMKA) unique key into the same 409.

    Returns the stored row (`INSERT ... RETURNING`, shaped like `_row`), so the caller does
    not read it back with another statement. `ON CONFLICT DO NOTHING` rather than a
    savepoint around the insert (two round trips fewer, issue 11): the (tenant, AMKA) key is
    the table's only unique key besides the random primary key, so a row not inserted is a
    duplicate AMKA.
    """
    returned = (
        await Beneficiary.insert(row)
        .on_conflict(action="DO NOTHING")
        .returning(*Beneficiary.all_columns())
    )
    if not returned:
        existing = await Beneficiary.select(Beneficiary.id).where(Beneficiary.amka == amka).first()
        extra = {"existing_id": str(existing["id"]) if existing else None}
        raise Conflict("duplicate_amka", extra=extra)
    return _load_json_columns(dict(returned[0]))


async def create_beneficiary(
    actor: Actor, data: BeneficiaryCreate
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Register a person; returns the person and warnings about likely duplicates."""
    await _reject_duplicate_amka(data.amka)
    if data.household_id is not None and not await Household.exists().where(
        Household.id == data.household_id
    ):
        raise RequestValidationError.single("household_id", "unknown_household")
    await check_case_worker(data.case_worker_id)
    now = _now()
    person_id = uuid4()
    values = _values_from_create(data)
    values.update(
        id=person_id,
        status="active",
        created_at=now,
        updated_at=now,
        created_by=actor.user_id,
        updated_by=actor.user_id,
        household_id=None,
    )
    warnings = await likely_duplicates(values)
    values.update(_keys(values))
    stored = await _insert_guarded(Beneficiary(**values), data.amka)
    await _write_tokens(person_id, values, replace=False)
    await _write_categories(person_id, data.categories, replace=False)
    if data.household_id is not None:
        await _add_member_row(
            data.household_id, MemberIn(beneficiary_id=person_id, relation=data.household_relation)
        )
    await audit(actor, "create", "beneficiary", person_id)
    await actor.hooks.beneficiary_created(
        tenant=actor.tenant_ref, person=PersonRef(id=person_id, categories=tuple(data.categories))
    )
    if data.household_id is not None:  # _add_member_row set the person's household
        return await get_person(person_id), warnings
    return person_dict(stored), warnings


async def update_beneficiary(
    actor: Actor, person_id: UUID, data: BeneficiaryUpdate, *, sees_special: bool = True
) -> dict[str, Any]:
    """Change the fields sent; special codes a role cannot see are kept as they were."""
    row = await _row(person_id)
    if row is None:
        raise NotFound()
    if row["status"] == "merged":
        raise Conflict("person_merged", extra={"merged_into": str(row["merged_into"])})
    sent = data.model_dump(exclude_unset=True)
    if sent.get("case_worker_id") is not None and sent["case_worker_id"] != row["case_worker_id"]:
        await check_case_worker(sent["case_worker_id"])
    if not sees_special:  # cannot set them (422 earlier), must not clear them either
        for name in SPECIAL_FIELDS:
            sent.pop(name, None)
    changes: dict[str, Any] = {}
    for name, value in sent.items():
        if name == "address":
            address = value or {}
            for part in _ADDRESS:
                changes[f"address_{part}"] = address.get(part, "") or ""
        elif name in ("father_name", "mother_name", "latin_first_name", "latin_last_name"):
            changes[name] = value or ""
        elif name == "other_phones":
            changes[name] = value or []
        else:
            changes[name] = value
    if (
        "id_document_number" in sent
        and "id_document_type" not in sent
        and sent["id_document_number"]
    ):
        doc_type = row["id_document_type"]
        if doc_type is None:
            raise RequestValidationError.single("id_document_number", "id_document_type_required")
        try:
            changes["id_document_number"] = identifiers.id_document(
                doc_type, sent["id_document_number"]
            )
        except Exception as exc:
            code = getattr(exc, "type", "invalid")
            raise RequestValidationError.single("id_document_number", code) from None
    if "id_document_type" in sent and sent["id_document_type"] is None:
        changes["id_document_number"] = None
    if "categories" in sent:
        codes = list(sent["categories"] or [])
        if not sees_special:
            known = await all_known_categories()
            hidden = [
                c for c in row["categories"] or [] if c not in visible_codes([c], known, False)
            ]
            codes = [*codes, *[c for c in hidden if c not in codes]]
        changes["categories"] = codes
    if "amka" in changes and changes["amka"] != row["amka"]:
        await _reject_duplicate_amka(changes["amka"], exclude=person_id)
    merged = {**row, **changes}
    if (
        "first_name" in sent
        and "latin_first_name" not in sent
        and (row["latin_first_name"] == elot743(row["first_name"]))
    ):
        changes["latin_first_name"] = merged["latin_first_name"] = elot743(merged["first_name"])
    if (
        "last_name" in sent
        and "latin_last_name" not in sent
        and (row["latin_last_name"] == elot743(row["last_name"]))
    ):
        changes["latin_last_name"] = merged["latin_last_name"] = elot743(merged["last_name"])
    changes.update(_keys(merged))
    changes.update(updated_at=_now(), updated_by=actor.user_id)
    try:
        written = (
            await Beneficiary.update({getattr(Beneficiary, k): v for k, v in changes.items()})
            .where(Beneficiary.id == person_id)
            .returning(*Beneficiary.all_columns())
        )
    except Exception as exc:
        if changes.get("amka") and _is_unique_violation(exc):
            raise Conflict("duplicate_amka", extra={"existing_id": None}) from None
        raise
    if _tokens_of(merged) != _tokens_of(row):  # names, identifiers or phones changed
        await _write_tokens(person_id, merged, replace=True)
    if "categories" in changes:
        await _write_categories(person_id, changes["categories"], replace=True)
    await audit(
        actor,
        "update",
        "beneficiary",
        person_id,
        details={"fields": sorted(sent)},
    )
    # Answered from what was written (UPDATE ... RETURNING), not read back.
    return person_dict(_load_json_columns(dict(written[0])))


def _tokens_of(person: dict[str, Any]) -> tuple[frozenset[str], str]:
    """What the search tokens of a person are made of: the tokens and their sort key."""
    tokens = search_keys.person_tokens(person) if person.get("status") != "merged" else set()
    return frozenset(tokens), search_keys.sort_key(person)


async def list_beneficiaries(
    *,
    q: str | None = None,
    categories: list[str] | None = None,
    status: str | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> tuple[list[dict[str, Any]], str | None]:
    """A page of people ordered by surname, filtered by search words, categories, status.

    Merged people are hidden unless `status="merged"` is asked for; `status="all"` shows
    every status. Every search and list of the registry comes here, so the statement is SQL
    built once per shape (`_list_sql`) rather than composed by Piccolo per request (issue
    11: composing the 40-column select cost more than the database's answer). It is the
    query `Beneficiary.select()` with the same filters and `keyset` would send: the tenant
    predicate `TenantScoped` adds, in the subqueries too, and row-level security as always.
    """
    size = check_limit(limit)
    sql, args = list_statement(q=q, categories=categories, status=status, limit=size, cursor=cursor)
    rows = [_load_json_columns(row) for row in await db.fetch(sql, *args)]
    page, next_cursor = next_page(rows, size, sort=Beneficiary.sort_key, id_column=Beneficiary.id)
    return [person_dict(r) for r in page], next_cursor


def list_statement(
    *,
    q: str | None = None,
    categories: list[str] | None = None,
    status: str | None = None,
    limit: int,
    cursor: str | None = None,
) -> tuple[str, list[Any]]:
    """The statement `list_beneficiaries` sends and its values (`limit + 1` rows asked for).

    Separate so that tests and `bench` can EXPLAIN exactly what a search sends.
    """
    plans = search_keys.plan(q) if q is not None and q.strip() else []
    codes = list(categories or [])
    after = cursor_values(cursor, sort=Beneficiary.sort_key, id_column=Beneficiary.id)
    status_mode = "visible" if status in (None, "") else ("all" if status == "all" else "is")
    sql, slots = _list_sql(
        db.is_postgres(),
        status_mode,
        tuple(len(alternatives) for alternatives in plans),
        len(codes),
        after is not None,
    )
    values: dict[str, Any] = {"tenant": current_tenant_id(), "status": status, "limit": limit + 1}
    for w, alternatives in enumerate(plans):
        for a, alt in enumerate(alternatives):
            values[f"w{w}a{a}"] = alt
            values[f"w{w}e{a}"] = alt + _PREFIX_END
            values[f"w{w}h{a}"] = alt[:HEAD]
            values[f"w{w}n{a}"] = len(alt)
    for c, code in enumerate(codes):
        values[f"c{c}"] = code
    if after is not None:
        values["after_sort"], values["after_id"] = after
    return sql, [values[slot] for slot in slots]


# A prefix is a range: [alt, alt + U+10FFFF). In code point (and UTF-8 byte) order every
# string that starts with alt, and no other, falls in it, unless it holds U+10FFFF right
# after the prefix, which a folded token never does. On PostgreSQL the range uses the
# byte-wise pattern operators (`~>=~`, `~<~`: the `text_pattern_ops` indexes, whatever the
# database collation) and not LIKE: `textlike` is not leakproof, so under row-level security
# it cannot be an index condition and every token of the tenant was scanned (issue 11
# profiling: 5 ms at 20 k people, most of a search at 100 k).
_PREFIX_END = "\U0010ffff"

# The length of a token's `head`, the generated column (its first characters: migration
# `beneficiaries_2026_11_23t16_48_37_984296`) of the buckets in which a search with many
# matches walks people in sort order. At most `search.MIN_QUERY`, so that every prefix a
# search asks for lies in one bucket.
HEAD = 2

# A prefix (of a one-word search) or a word (of several) that matches at most this many
# tokens is answered from those tokens, sorted; one that matches more is walked in its
# bucket (one word) or intersected (several). Sorting costs about twice per token what
# walking does (a collation comparison against a byte comparison); at 157 k people, 1 000
# gave the lowest latencies of 500 to 8 000 (bench/results/search-r4.md).
FEW = 1000


class _Sql:
    """SQL with `{}` placeholders and, in the same order, the names of their values."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.slots: list[str] = []

    def add(self, text: str, *slots: str) -> None:
        if text.count("{}") != len(slots):
            raise ValueError(f"{text.count('{}')} placeholders, {len(slots)} values: {text}")
        self.parts.append(text)
        self.slots.extend(slots)

    def sql(self) -> str:
        return "".join(self.parts)


@lru_cache(maxsize=1)
def _person_columns() -> str:
    """Every column of a person, as `Beneficiary.select()` returns them, from alias `b`."""
    return ", ".join(f'"b"."{c._meta.db_column_name}"' for c in Beneficiary._meta.columns)


def _ge_lt(postgres: bool) -> tuple[str, str]:
    return ("~>=~", "~<~") if postgres else (">=", "<")


def _probe(postgres: bool) -> str:
    """The end of an EXISTS that must stay a probe per row. PostgreSQL would turn it into a
    join planned from its estimates of prefix ranges, which are far too low (one row for
    4 746): it then compared every token of one word with every token of another (1.3 M
    comparisons, 150 ms). `OFFSET 0` keeps it a subplan; SQLite never joins an EXISTS."""
    return " OFFSET 0)" if postgres else ")"


def _word_matches(out: _Sql, postgres: bool, w: int, alternatives: int, person: str) -> None:
    """`person` (an id expression) has a token starting with one of word `w`'s prefixes (an
    index-only probe of `(tenant_id, beneficiary_id, token)`)."""
    ge, lt = _ge_lt(postgres)
    ranges = " OR ".join(
        f'("t"."token" {ge} {{}} AND "t"."token" {lt} {{}})' for _ in range(alternatives)
    )
    slots = [s for a in range(alternatives) for s in (f"w{w}a{a}", f"w{w}e{a}")]
    out.add(
        'EXISTS (SELECT 1 FROM "beneficiary_search_token" AS "t" '
        f'WHERE "t"."tenant_id" = {{}} AND "t"."beneficiary_id" = {person} AND ({ranges})'
        + _probe(postgres),
        "tenant",
        *slots,
    )


def _filters(
    out: _Sql,
    postgres: bool,
    categories: int,
    status: bool,
    person: str,
) -> None:
    """` AND ` the conditions on a person found by the tokens besides the words: the
    categories and the status (when one is asked for), each a probe by primary key."""
    for c in range(categories):
        out.add(
            ' AND EXISTS (SELECT 1 FROM "beneficiary_category" AS "k" WHERE "k"."tenant_id" = {} '
            f'AND "k"."code" = {{}} AND "k"."beneficiary_id" = {person}' + _probe(postgres),
            "tenant",
            f"c{c}",
        )
    if status:
        out.add(
            ' AND EXISTS (SELECT 1 FROM "beneficiary" AS "s" WHERE "s"."tenant_id" = {} '
            f'AND "s"."id" = {person} AND "s"."status" = {{}}' + _probe(postgres),
            "tenant",
            "status",
        )


def _status(out: _Sql, status_mode: str) -> None:
    if status_mode == "visible":
        out.add(" AND \"status\" != 'merged'")
    elif status_mode == "is":
        out.add(' AND "status" = {}', "status")


def _range(out: _Sql, postgres: bool, w: int, a: int, after: bool) -> None:
    """The `(sort_key, beneficiary_id)` of the tokens starting with prefix `a` of word `w`
    (after the cursor): an index-only range scan of `(tenant_id, token) INCLUDE (sort_key,
    beneficiary_id)`."""
    ge, lt = _ge_lt(postgres)
    out.add(
        'SELECT "sort_key", "beneficiary_id" FROM "beneficiary_search_token" '
        f'WHERE "tenant_id" = {{}} AND "token" {ge} {{}} AND "token" {lt} {{}}',
        "tenant",
        f"w{w}a{a}",
        f"w{w}e{a}",
    )
    if after:
        out.add(' AND ("sort_key", "beneficiary_id") > ({}, {})', "after_sort", "after_id")


def _ranges(out: _Sql, postgres: bool, w: int, alternatives: int, after: bool) -> None:
    """Every prefix of word `w`, one range scan each (an OR of ranges is planned as a bitmap
    scan, which reads the table)."""
    for a in range(alternatives):
        if a:
            out.add(" UNION ALL ")
        _range(out, postgres, w, a, after)


def _one_word(
    out: _Sql, postgres: bool, alternatives: int, categories: int, status: bool, after: bool
) -> None:
    """`WITH ..., "p"`: the page of a one-word search, a merge of one stream per prefix in
    `(sort_key, beneficiary_id)` order.

    A prefix with at most `FEW` tokens (`"a{n}"` holds its first `FEW + 1`) streams them,
    sorted. One with more walks its bucket of `(tenant_id, head, sort_key, beneficiary_id)
    INCLUDE (token)` in order, testing each token for the prefix (`left`, which is not
    leakproof, so no index condition under row-level security: the planner must walk); with
    that many matches in a bucket of at most a few ten thousand tokens, the walk is short,
    and it stops with the page. Each stream is a subquery with its own order: PostgreSQL
    merges those lazily (the branches of a plain UNION ALL it would read whole and sort).
    """
    prefix = 'left("token", {}) = {}' if postgres else 'substr("token", 1, {}) = {}'
    out.add("WITH ")
    for a in range(alternatives):
        out.add(f'"a{a}" AS MATERIALIZED (')
        _range(out, postgres, 0, a, after)
        out.add(f" LIMIT {FEW + 1}), ")
    out.add(
        '"p" AS (SELECT "sort_key", "beneficiary_id" FROM (SELECT DISTINCT "sort_key", '
        '"beneficiary_id" FROM ('
    )
    for a in range(alternatives):
        out.add(
            f'{" UNION ALL " if a else ""}SELECT "sort_key", "beneficiary_id" FROM '
            f'(SELECT "sort_key", "beneficiary_id" FROM "a{a}" '
            f'WHERE (SELECT count(*) FROM "a{a}") <= {FEW} '
            f'ORDER BY "sort_key", "beneficiary_id") AS "s{a}" '
            'UNION ALL SELECT "sort_key", "beneficiary_id" FROM '
            '(SELECT "sort_key", "beneficiary_id" FROM "beneficiary_search_token" '
            f'WHERE (SELECT count(*) FROM "a{a}") > {FEW} '
            f'AND "tenant_id" = {{}} AND "head" = {{}} AND {prefix}',
            "tenant",
            f"w0h{a}",
            f"w0n{a}",
            f"w0a{a}",
        )
        if after:
            out.add(' AND ("sort_key", "beneficiary_id") > ({}, {})', "after_sort", "after_id")
        out.add(f' ORDER BY "sort_key", "beneficiary_id") AS "b{a}"')
    out.add(') AS "v" WHERE TRUE')
    _filters(out, postgres, categories, status, '"v"."beneficiary_id"')
    out.add(' ORDER BY "sort_key", "beneficiary_id" LIMIT {}) AS "g")', "limit")


def _several_words(
    out: _Sql,
    postgres: bool,
    groups: tuple[int, ...],
    categories: int,
    status: bool,
    after: bool,
) -> None:
    """`WITH ..., "p"`: the page of a search of several words, every one of which must match.

    `"m{w}"` holds word `w`'s first `FEW + 1` tokens. When some word has at most `FEW`
    ("few"), the first one with the fewest leads: its people are tested, by index-only
    probes of `(tenant_id, beneficiary_id, token)`, for the other words and the filters,
    then sorted; at most `FEW` people, whatever the tenant. Otherwise, every word being
    common ("many"), the people all of them match are an INTERSECT of each word's range
    scans (hashed), then sorted: testing people one by one cost a probe for each person of
    the first word when few match them all (5 148 probes, 80 ms, `Κατσιγιάννη Αντωνία`).
    """
    words = len(groups)
    out.add("WITH ")
    for w, alternatives in enumerate(groups):
        out.add(f'"m{w}" AS MATERIALIZED (SELECT "sort_key", "beneficiary_id" FROM (')
        _ranges(out, postgres, w, alternatives, after)
        out.add(f') AS "u" LIMIT {FEW + 1}), ')
    # The word that leads: the first with the fewest matches, if they are few; else -1.
    counts = ", ".join(f'(SELECT count(*) FROM "m{w}") AS "c{w}"' for w in range(words))
    cases = " ".join(
        f'WHEN "c{w}" <= {FEW}'
        + "".join(f' AND "c{w}" <= "c{j}"' for j in range(w + 1, words))
        + f" THEN {w}"
        for w in range(words)
    )
    out.add(
        f'"n" AS MATERIALIZED (SELECT CASE {cases} ELSE -1 END AS "lead" '
        f'FROM (SELECT {counts}) AS "c"), "d" AS MATERIALIZED ('
    )
    for w in range(words):
        out.add(
            f'{" UNION ALL " if w else ""}SELECT DISTINCT "sort_key", "beneficiary_id" '
            f'FROM "m{w}" WHERE (SELECT "lead" FROM "n") = {w}'
        )
    out.add('), "p" AS (SELECT "sort_key", "beneficiary_id" FROM (SELECT * FROM "d" WHERE TRUE')
    for w, alternatives in enumerate(groups):
        out.add(f' AND ((SELECT "lead" FROM "n") = {w} OR ')
        _word_matches(out, postgres, w, alternatives, '"d"."beneficiary_id"')
        out.add(")")
    _filters(out, postgres, categories, status, '"d"."beneficiary_id"')
    out.add(
        ' ORDER BY "sort_key", "beneficiary_id" LIMIT {}) AS "f" UNION ALL SELECT "sort_key", '
        '"beneficiary_id" FROM (SELECT "sort_key", "beneficiary_id" FROM (',
        "limit",
    )
    for w, alternatives in enumerate(groups):
        out.add(f'{" INTERSECT " if w else ""}SELECT "sort_key", "beneficiary_id" FROM (')
        _ranges(out, postgres, w, alternatives, after)
        out.add(f') AS "x{w}" WHERE (SELECT "lead" FROM "n") < 0')
    out.add(') AS "i" WHERE TRUE')
    _filters(out, postgres, categories, status, '"i"."beneficiary_id"')
    out.add(' ORDER BY "sort_key", "beneficiary_id" LIMIT {}) AS "g")', "limit")


@lru_cache(maxsize=256)
def _list_sql(
    postgres: bool, status_mode: str, groups: tuple[int, ...], categories: int, after: bool
) -> tuple[str, tuple[str, ...]]:
    """The list/search statement of one shape: SQL with `{}` placeholders, and the names of
    the values that fill them, in order (`list_statement` supplies them).

    A list walks the `(tenant_id, sort_key, id)` index from the cursor and stops after the
    page.

    A search finds the page's people as `(sort_key, beneficiary_id)` pairs from the search
    tokens alone (`_one_word`, `_several_words`: they carry their person's sort key, which
    the database keeps equal to the person's, migration
    `beneficiaries_2026_11_23t16_48_37_984296`), then reads those people by primary key.
    The rows and their order are those of the list with the search's conditions. Before,
    a search either walked every person in sort order testing each (2.3 s for `papad` in a
    tenant of 157 k: its people sort late) or read every match before sorting them (4 012
    people for `vasil`, 233 ms), depending on the planner's estimates, which are far off for
    prefix ranges (one row for 4 746; issue 11). The statement is now written so that the
    work is bounded whatever the estimates: branches of which only one runs, chosen by
    counts the statement makes itself (capped at `FEW + 1`), and probes that stay probes.
    A `merged` person has no tokens (`_write_tokens`, `merge_persons`), so the default
    status condition only guards the join; a status asked for is tested inside.
    """
    out = _Sql()
    if not groups:
        out.add(f'SELECT {_columns()} FROM "beneficiary" WHERE "tenant_id" = {{}}', "tenant")
        _status(out, status_mode)
        for c in range(categories):
            out.add(
                ' AND "id" IN (SELECT "beneficiary_id" FROM "beneficiary_category" '
                'WHERE "tenant_id" = {} AND "code" = {})',
                "tenant",
                f"c{c}",
            )
        if after:
            out.add(' AND ("sort_key", "id") > ({}, {})', "after_sort", "after_id")
        out.add(' ORDER BY "sort_key", "id" LIMIT {}', "limit")
        return out.sql(), tuple(out.slots)

    status = status_mode == "is"
    if len(groups) == 1:
        _one_word(out, postgres, groups[0], categories, status, after)
    else:
        _several_words(out, postgres, groups, categories, status, after)
    # The page's people, in order.
    out.add(
        f' SELECT {_person_columns()} FROM "p" JOIN "beneficiary" AS "b" '
        'ON "b"."tenant_id" = {} AND "b"."id" = "p"."beneficiary_id" WHERE TRUE',
        "tenant",
    )
    _status(out, status_mode)
    out.add(' ORDER BY "p"."sort_key", "p"."beneficiary_id"')
    return out.sql(), tuple(out.slots)


# -- merging ----------------------------------------------------------------------------------

_COPY_WHEN_EMPTY = (
    "amka",
    "afm",
    "personal_number",
    "iban",
    "phone",
    "email",
    "disability_percent",
    "case_worker_id",
    "sex",
)


async def merge_persons(actor: Actor, survivor_id: UUID, duplicate_id: UUID) -> dict[str, Any]:
    """Merge a duplicate registration into the surviving person.

    Identifiers missing on the survivor are taken from the duplicate, categories and phones
    are united, the household membership moves when the survivor has none, and every plugin
    with tables (enabled or not) moves its records through `merimna_persons_merged`. The
    duplicate stays as a tombstone: status `merged`, `merged_into` the survivor.
    """
    if survivor_id == duplicate_id:
        raise RequestValidationError.single("duplicate_id", "merge_self")
    survivor = await _row(survivor_id)
    if survivor is None:
        raise NotFound()
    duplicate = await _row(duplicate_id)
    if duplicate is None:
        raise RequestValidationError.single("duplicate_id", "unknown_beneficiary")
    if survivor["status"] == "merged" or duplicate["status"] == "merged":
        raise Conflict("person_merged")
    changes: dict[str, Any] = {}
    for name in _COPY_WHEN_EMPTY:
        if survivor[name] in (None, "") and duplicate[name] not in (None, ""):
            changes[name] = duplicate[name]
    if not survivor["id_document_number"] and duplicate["id_document_number"]:
        changes["id_document_type"] = duplicate["id_document_type"]
        changes["id_document_number"] = duplicate["id_document_number"]
    if not any(survivor[f"address_{p}"] for p in _ADDRESS):
        for part in _ADDRESS:
            changes[f"address_{part}"] = duplicate[f"address_{part}"]
    phones = [
        p
        for p in [
            *(survivor["other_phones"] or []),
            duplicate["phone"],
            *(duplicate["other_phones"] or []),
        ]
        if p and p != (changes.get("phone") or survivor["phone"])
    ]
    changes["other_phones"] = list(dict.fromkeys(phones))[:5]
    categories = list(
        dict.fromkeys([*(survivor["categories"] or []), *(duplicate["categories"] or [])])
    )
    changes["categories"] = categories
    now = _now()
    # The duplicate gives up its AMKA first: the key is unique per tenant.
    await Beneficiary.update(
        {
            Beneficiary.status: "merged",
            Beneficiary.merged_into: survivor_id,
            Beneficiary.amka: None,
            Beneficiary.household_id: None,
            Beneficiary.updated_at: now,
            Beneficiary.updated_by: actor.user_id,
        }
    ).where(Beneficiary.id == duplicate_id)
    await BeneficiarySearchToken.delete().where(
        BeneficiarySearchToken.beneficiary_id == duplicate_id
    )
    await BeneficiaryCategory.delete().where(BeneficiaryCategory.beneficiary_id == duplicate_id)
    membership = (
        await HouseholdMember.select().where(HouseholdMember.beneficiary_id == duplicate_id).first()
    )
    if membership is not None:
        if survivor["household_id"] is None:
            await HouseholdMember.update({HouseholdMember.beneficiary_id: survivor_id}).where(
                HouseholdMember.id == membership["id"]
            )
            changes["household_id"] = membership["household_id"]
        else:
            await HouseholdMember.delete().where(HouseholdMember.id == membership["id"])
    merged = {**survivor, **changes}
    changes.update(_keys(merged))
    changes.update(updated_at=now, updated_by=actor.user_id)
    await Beneficiary.update({getattr(Beneficiary, k): v for k, v in changes.items()}).where(
        Beneficiary.id == survivor_id
    )
    await _write_tokens(survivor_id, merged, replace=True)
    await _write_categories(survivor_id, categories, replace=True)
    from core.plugin_host import get_host

    await (
        get_host()
        .all_plugins()
        .persons_merged(tenant=actor.tenant_ref, survivor_id=survivor_id, merged_id=duplicate_id)
    )
    await audit(
        actor,
        "merge",
        "beneficiary",
        survivor_id,
        details={"merged_id": str(duplicate_id)},
    )
    await audit(
        actor,
        "update",
        "beneficiary",
        duplicate_id,
        details={"merged_into": str(survivor_id)},
    )
    return await get_person(survivor_id)


# -- households -------------------------------------------------------------------------------


async def _add_member_row(household_id: UUID, member: MemberIn, field: str = "") -> UUID:
    member_id = uuid4()
    prefix = f"{field}." if field else ""
    if member.beneficiary_id is not None:
        person = await _row(member.beneficiary_id)
        if person is None or person["status"] == "merged":
            raise RequestValidationError.single(f"{prefix}beneficiary_id", "unknown_beneficiary")
        if person["household_id"] is not None:
            raise Conflict(
                "already_in_household", extra={"household_id": str(person["household_id"])}
            )
        await Beneficiary.update({Beneficiary.household_id: household_id}).where(
            Beneficiary.id == member.beneficiary_id
        )
    await HouseholdMember.insert(
        HouseholdMember(
            id=member_id,
            household_id=household_id,
            beneficiary_id=member.beneficiary_id,
            first_name=member.first_name or "" if member.beneficiary_id is None else "",
            birth_date=member.birth_date if member.beneficiary_id is None else None,
            sex=member.sex if member.beneficiary_id is None else None,
            relation=member.relation,
            school_level=member.school_level,
            created_at=_now(),
        )
    )
    await Household.update({Household.updated_at: _now()}).where(Household.id == household_id)
    return member_id


async def create_household(actor: Actor, data: HouseholdCreate) -> dict[str, Any]:
    household_id = uuid4()
    now = _now()
    address = data.address.model_dump() if data.address else {}
    await Household.insert(
        Household(
            id=household_id,
            name=" ".join(data.name.split()),
            created_at=now,
            updated_at=now,
            created_by=actor.user_id,
            **{f"address_{p}": address.get(p, "") for p in _ADDRESS},
        )
    )
    for index, member in enumerate(data.members):
        await _add_member_row(household_id, member, field=f"members.{index}")
    await audit(actor, "create", "household", household_id)
    return await get_household(household_id)


async def get_household(household_id: UUID) -> dict[str, Any]:
    row = await Household.select().where(Household.id == household_id).first()
    if row is None:
        raise NotFound()
    return (await _households_out([row]))[0]


async def _households_out(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    members = (
        await HouseholdMember.select()
        .where(HouseholdMember.household_id.is_in(ids))
        .order_by(HouseholdMember.created_at)
        .order_by(HouseholdMember.id)
    )
    person_ids = [m["beneficiary_id"] for m in members if m["beneficiary_id"]]
    people: dict[UUID, dict[str, Any]] = {}
    if person_ids:
        for p in await Beneficiary.select(
            Beneficiary.id,
            Beneficiary.first_name,
            Beneficiary.last_name,
            Beneficiary.birth_date,
            Beneficiary.sex,
        ).where(Beneficiary.id.is_in(person_ids)):
            people[p["id"]] = p
    by_household: dict[UUID, list[dict[str, Any]]] = {i: [] for i in ids}
    for m in members:
        person = people.get(m["beneficiary_id"]) if m["beneficiary_id"] else None
        by_household[m["household_id"]].append(
            {
                "id": m["id"],
                "beneficiary_id": m["beneficiary_id"],
                "first_name": person["first_name"] if person else m["first_name"],
                "last_name": person["last_name"] if person else None,
                "birth_date": person["birth_date"] if person else m["birth_date"],
                "sex": person["sex"] if person else m["sex"],
                "relation": m["relation"],
                "school_level": m["school_level"],
            }
        )
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "address": {p: r[f"address_{p}"] for p in _ADDRESS},
            "members": by_household[r["id"]],
            "created_at": r["created_at"],
            "updated_at": r["updated_at"],
        }
        for r in rows
    ]


async def list_households(
    limit: int | None, cursor: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    rows, next_cursor = await keyset(
        Household.select(),
        sort=Household.created_at,
        id_column=Household.id,
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    return await _households_out(rows), next_cursor


async def add_member(actor: Actor, household_id: UUID, member: MemberIn) -> dict[str, Any]:
    if not await Household.exists().where(Household.id == household_id):
        raise NotFound()
    member_id = await _add_member_row(household_id, member)
    await audit(
        actor,
        "update",
        "household",
        household_id,
        details={"member_added": str(member_id)},
    )
    return await get_household(household_id)


async def remove_member(actor: Actor, household_id: UUID, member_id: UUID) -> None:
    member = (
        await HouseholdMember.select()
        .where((HouseholdMember.id == member_id) & (HouseholdMember.household_id == household_id))
        .first()
    )
    if member is None:
        raise NotFound()
    await HouseholdMember.delete().where(HouseholdMember.id == member_id)
    if member["beneficiary_id"] is not None:
        await Beneficiary.update({Beneficiary.household_id: None}).where(
            Beneficiary.id == member["beneficiary_id"]
        )
    await Household.update({Household.updated_at: _now()}).where(Household.id == household_id)
    await audit(
        actor,
        "update",
        "household",
        household_id,
        details={"member_removed": str(member_id)},
    )


async def household_composition(
    person_id: UUID | None = None, *, household_id: UUID | None = None, on: date | None = None
) -> HouseholdComposition:
    """The composition of a person's household (the person alone when they have none), or of
    a household, on a date (today by default). Raises `NotFound` for unknown ids."""
    on = on or clock.today()
    if household_id is None:
        if person_id is None:
            raise ValueError("person_id or household_id is required")
        person = await _row(person_id)
        if person is None:
            raise NotFound()
        household_id = person["household_id"]
        if household_id is None:
            return compose([MemberFacts(person["birth_date"], "head", None, person["id"])], on)
    household = await get_household(household_id)
    facts = [
        MemberFacts(m["birth_date"], m["relation"], m["school_level"], m["beneficiary_id"])
        for m in household["members"]
    ]
    return compose(facts, on)


# -- categories -------------------------------------------------------------------------------


async def visible_categories(actor: Any, modules: Any = ()) -> list[CategoryInfo]:
    codes = await tenant_categories(actor.hooks, modules)
    sees = bool(getattr(actor, "sees_special_categories", False))
    return [info for info in codes.values() if sees or not info.special]


__all__ = [
    "Actor",
    "SystemActor",
    "add_member",
    "all_known_categories",
    "create_beneficiary",
    "create_household",
    "for_viewer",
    "get_household",
    "get_person",
    "household_composition",
    "list_beneficiaries",
    "list_households",
    "merge_persons",
    "person_exists",
    "person_ref",
    "remove_member",
    "update_beneficiary",
]


async def create_local_category(actor: Actor, data: Any) -> CategoryInfo:
    """A tenant's own category code, `local.{code}` (re-adding a retired one revives it)."""
    from core.beneficiaries.categories import LOCAL_PREFIX
    from core.beneficiaries.tables import CategoryCode

    code = f"{LOCAL_PREFIX}{data.code}"
    existing = (
        await CategoryCode.select(CategoryCode.id, CategoryCode.active)
        .where(CategoryCode.code == code)
        .first()
    )
    if existing and existing["active"]:
        raise Conflict("duplicate_category", category=code)
    values = {
        CategoryCode.title_el: data.title_el,
        CategoryCode.title_en: data.title_en,
        CategoryCode.special: data.special,
        CategoryCode.active: True,
    }
    if existing:
        await CategoryCode.update(values).where(CategoryCode.id == existing["id"])
    else:
        await CategoryCode.insert(
            CategoryCode(
                id=uuid4(),
                code=code,
                title_el=data.title_el,
                title_en=data.title_en,
                special=data.special,
                active=True,
                created_at=_now(),
                created_by=actor.user_id,
            )
        )
    await audit(actor, "create", "beneficiary_category_code", code)
    return CategoryInfo(code, data.title_el, data.title_en or data.title_el, data.special, "local")


async def retire_local_category(actor: Actor, code: str) -> None:
    from core.beneficiaries.tables import CategoryCode

    row = (
        await CategoryCode.select(CategoryCode.id)
        .where(
            (CategoryCode.code == code) & (CategoryCode.active == True)  # noqa: E712
        )
        .first()
    )
    if row is None:
        raise NotFound()
    await CategoryCode.update({CategoryCode.active: False}).where(CategoryCode.id == row["id"])
    await audit(actor, "delete", "beneficiary_category_code", code)
