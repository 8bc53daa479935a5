"""People with their households' composition, and a module's own queries, in one statement.

A module's write about a person usually needs the person (status, categories), the
composition of their household (eligibility, basket sizes, benefit figures) and some rows of
its own keyed by that household (earlier decisions, earlier pickups). `get_person` and
`household_composition` cost a round trip each, the household itself three more, and a
module's records another: issue 11 allows six per request, BEGIN and COMMIT included. Here
they are one `select_together`: the person rows, their households, the members and the
members' own birth dates, and the caller's queries side by side.

The caller's queries may select by household before the person is known, with
`household_ids_of(...)` as a sub-select (`Table.household_key.is_in(household_ids_of(ids))`):
every query stays a tenant-scoped Piccolo select (and row-level security applies), nothing
here writes SQL about tenant data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any, NamedTuple
from uuid import UUID

from piccolo.query import Select

from core import clock, db
from core.beneficiaries.composition import HouseholdComposition, MemberFacts, compose
from core.beneficiaries.tables import Beneficiary, Household, HouseholdMember
from core.selects import select_together
from tenants.scoping import current_tenant_id

# The class of the advisory locks `lock_household` takes (its own key space: the household's
# hash is the other half of the key).
_HOUSEHOLD_LOCKS = 0x484F  # "HO"


class PersonInHousehold(NamedTuple):
    """A person (the shape of `get_person`) and their household's composition on a date."""

    person: dict[str, Any]
    composition: HouseholdComposition


def household_ids_of(person_ids: Iterable[UUID]) -> Select:
    """The household ids of people of the current tenant, as a sub-select for a module's
    query (`.is_in(household_ids_of([person_id]))`), so that rows keyed by household are read
    in the same statement as the people (`people_with_households`)."""
    return Beneficiary.select(Beneficiary.household_id).where(
        Beneficiary.id.is_in(list(dict.fromkeys(person_ids)))
    )


async def people_with_households(
    person_ids: Iterable[UUID], *queries: Select, on: date | None = None
) -> tuple[dict[UUID, PersonInHousehold], list[list[dict[str, Any]]]]:
    """People of the current tenant with the composition of their households on `on` (today
    by default), and the rows of `queries` (the caller's Piccolo selects of plain columns, as
    `select_together` takes them), all in one statement.

    Each person is as `get_person` returns them (a merged person too: callers that refuse
    them check `status`), with the composition `household_composition` would compute: the
    person alone when they have no household. A person of another tenant, of nobody, or whose
    household record is gone (where `household_composition` raises `NotFound`) is absent.
    """
    from core.beneficiaries.services import person_dict

    ids = list(dict.fromkeys(person_ids))
    if not ids:
        return {}, await select_together(*queries) if queries else []
    on = on or clock.today()
    households = household_ids_of(ids)
    rows = await select_together(
        Beneficiary.select().where(Beneficiary.id.is_in(ids)).output(load_json=True),
        Household.select(Household.id).where(Household.id.is_in(households)),
        HouseholdMember.select(
            HouseholdMember.id,
            HouseholdMember.household_id,
            HouseholdMember.beneficiary_id,
            HouseholdMember.birth_date,
            HouseholdMember.relation,
            HouseholdMember.school_level,
            HouseholdMember.created_at,
        ).where(HouseholdMember.household_id.is_in(households)),
        Beneficiary.select(Beneficiary.id, Beneficiary.birth_date).where(
            Beneficiary.id.is_in(
                HouseholdMember.select(HouseholdMember.beneficiary_id).where(
                    HouseholdMember.household_id.is_in(households)
                )
            )
        ),
        *queries,
    )
    people, found, members, births = rows[:4]
    existing = {r["id"] for r in found}
    birth_of = {r["id"]: r["birth_date"] for r in births}
    by_household: dict[UUID, list[MemberFacts]] = {}
    # In the order `get_household` lists them (by when they joined).
    for m in sorted(members, key=lambda m: (m["created_at"], str(m["id"]))):
        known = m["beneficiary_id"] is not None and m["beneficiary_id"] in birth_of
        by_household.setdefault(m["household_id"], []).append(
            MemberFacts(
                birth_of[m["beneficiary_id"]] if known else m["birth_date"],
                m["relation"],
                m["school_level"],
                m["beneficiary_id"],
            )
        )
    out: dict[UUID, PersonInHousehold] = {}
    for row in people:
        household_id = row["household_id"]
        if household_id is None:
            facts = [MemberFacts(row["birth_date"], "head", None, row["id"])]
        elif household_id in existing:
            facts = by_household.get(household_id, [])
        else:
            continue
        out[row["id"]] = PersonInHousehold(person_dict(row), compose(facts, on))
    return out, rows[4:]


async def lock_household(person_id: UUID) -> None:
    """Serialise writes about a person's household (theirs alone when they have none) until
    the transaction ends: two food bank pickups of one household at once, the second waits
    and then reads the first, so a visit limit holds.

    PostgreSQL: a transaction-level advisory lock on the household, which the statement
    itself looks up (one round trip, taken before the request reads anything the lock
    guards). SQLite: nothing to do, one writer at a time holds the whole database.
    """
    if not db.is_postgres():
        return
    await db.fetch(
        "SELECT pg_advisory_xact_lock({}, hashtext(COALESCE(("
        'SELECT CAST("household_id" AS text) FROM "beneficiary" '
        'WHERE "tenant_id" = {} AND "id" = {}), CAST({} AS text)))) AS "locked"',
        _HOUSEHOLD_LOCKS,
        current_tenant_id(),
        person_id,
        str(person_id),
    )
