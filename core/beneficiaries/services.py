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
        await BeneficiarySearchToken.insert(
            *[
                BeneficiarySearchToken(id=uuid4(), beneficiary_id=person_id, token=tok)
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
    plans = search_keys.plan(q) if q is not None and q.strip() else []
    after = cursor_values(cursor, sort=Beneficiary.sort_key, id_column=Beneficiary.id)
    status_mode = "visible" if status in (None, "") else ("all" if status == "all" else "is")
    tenant_id = current_tenant_id()
    args: list[Any] = [tenant_id]
    if status_mode == "is":
        args.append(status)
    for alternatives in plans:
        args.append(tenant_id)
        for alt in alternatives:
            args.extend((alt, alt + _PREFIX_END))
    for code in categories or []:
        args.extend((tenant_id, code))
    if after is not None:
        args.extend((after[0], after[0], after[1]))
    args.append(size + 1)
    sql = _list_sql(
        db.is_postgres(),
        status_mode,
        tuple(len(alternatives) for alternatives in plans),
        len(categories or []),
        after is not None,
    )
    rows = [_load_json_columns(row) for row in await db.fetch(sql, *args)]
    page, next_cursor = next_page(rows, size, sort=Beneficiary.sort_key, id_column=Beneficiary.id)
    return [person_dict(r) for r in page], next_cursor


# A prefix is a range: [alt, alt + U+10FFFF). In code point (and UTF-8 byte) order every
# string that starts with alt, and no other, falls in it, unless it holds U+10FFFF right
# after the prefix, which a folded token never does. On PostgreSQL the range uses the
# byte-wise pattern operators (`~>=~`, `~<~`: the `text_pattern_ops` index, whatever the
# database collation) and not LIKE: `textlike` is not leakproof, so under row-level security
# it cannot be an index condition and every token of the tenant was scanned (issue 11
# profiling: 5 ms at 20 k people, most of a search at 100 k).
_PREFIX_END = "\U0010ffff"


@lru_cache(maxsize=256)
def _list_sql(
    postgres: bool, status_mode: str, groups: tuple[int, ...], categories: int, after: bool
) -> str:
    """The list/search statement of one shape, with `{}` for the values, in this order:
    tenant, [status], per search word: tenant and (prefix, prefix end) per alternative,
    per category: tenant and code, [cursor: sort, sort, id], limit."""
    ge, lt = ("~>=~", "~<~") if postgres else (">=", "<")
    where = ['"tenant_id" = {}']
    if status_mode == "visible":
        where.append("\"status\" != 'merged'")
    elif status_mode == "is":
        where.append('"status" = {}')
    for alternatives in groups:
        ranges = " OR ".join(
            f'("token" {ge} {{}} AND "token" {lt} {{}})' for _ in range(alternatives)
        )
        where.append(
            '"id" IN (SELECT "beneficiary_id" FROM "beneficiary_search_token" '
            f'WHERE "tenant_id" = {{}} AND ({ranges}))'
        )
    for _ in range(categories):
        where.append(
            '"id" IN (SELECT "beneficiary_id" FROM "beneficiary_category" '
            'WHERE "tenant_id" = {} AND "code" = {})'
        )
    if after:
        where.append('("sort_key" > {} OR ("sort_key" = {} AND "id" > {}))')
    return (
        f'SELECT {_columns()} FROM "beneficiary" WHERE {" AND ".join(where)} '
        'ORDER BY "sort_key", "id" LIMIT {}'
    )


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
