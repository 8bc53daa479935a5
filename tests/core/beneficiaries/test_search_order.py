"""Searches answered from the search tokens (issue 11) give exactly what the list gives with
the search's conditions: the same people, in `(sort_key, id)` order, page after page.

The statement has branches chosen by counts it makes itself (`services.FEW`): a prefix with
few tokens is sorted, one with many is walked in its bucket, several words lead with the
rarest or are intersected. With `FEW` at its value the data here takes the first; set to 2,
the others. Each answer is compared with a reference computed in Python from the people
themselves (`search.plan` and `search.matches`, the rule the statement implements).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any
from uuid import UUID

import pytest

from core import db
from core.beneficiaries import search as search_keys
from core.beneficiaries import services
from core.beneficiaries.tables import Beneficiary, BeneficiarySearchToken
from tenants.scoping import tenant_context
from tests.core.beneficiaries.test_api import create

SURNAMES = (
    "Παπαδοπούλου",
    "Παπαδάκης",
    "Παππάς",
    "Παπαγεωργίου",
    "Πανταζή",
    "Βασιλείου",
    "Βασιλάκης",
    "Αλεξίου",
)
FIRST_NAMES = ("Βασίλειος", "Παναγιώτης", "Ελένη", "Μαρία", "Παρασκευή")

QUERIES = (
    "παπ",
    "pap",
    "παπαδ",
    "papad",
    "πα",
    "pa",
    "βασιλ",
    "vasil",
    "Ελένη",
    "παπ ελ",
    "βασιλ παπ",
    "papadopoulou eleni",
    "Παπαδοπούλου-Ελένη",
    "μαρ πα",
    "ζζζ",
    "69",
)


@contextmanager
def few(value: int) -> Iterator[None]:
    """Statements built with `services.FEW = value` (the cache of shapes emptied before and
    after, so no other test gets them)."""
    saved = services.FEW
    services.FEW = value
    services._list_sql.cache_clear()
    try:
        yield
    finally:
        services.FEW = saved
        services._list_sql.cache_clear()


async def _people(client: Any, tenant: Any, staff: Any) -> list[dict[str, Any]]:
    people = []
    for i, last in enumerate(SURNAMES):
        for j, first in enumerate(FIRST_NAMES):
            if (i + j) % 3 == 2:
                continue
            fields: dict[str, Any] = {"last_name": last, "first_name": first}
            if (i + j) % 4 == 0:
                fields["phone"] = f"69{4 + j}{i:03d}{j:04d}"
            if j == 1:
                fields["categories"] = ["unemployed"]
            people.append(await create(client, tenant, staff, **fields))
    # Two people of exactly the same name: their order is by id.
    people.append(await create(client, tenant, staff, last_name="Παπαδάκης", first_name="Ελένη"))
    return people


def _expected(
    people: list[dict[str, Any]],
    q: str,
    *,
    status: str | None = None,
    category: str | None = None,
) -> list[str]:
    plans = search_keys.plan(q)

    def tokens(p: dict[str, Any]) -> set[str]:  # a merged person has none
        return set() if p["status"] == "merged" else search_keys.person_tokens(p)

    chosen = [
        p
        for p in people
        if search_keys.matches(plans, tokens(p))
        and (p["status"] != "merged" if status is None else status in ("all", p["status"]))
        and (category is None or category in p["categories"])
    ]
    chosen.sort(key=lambda p: (search_keys.sort_key(p), str(p["id"])))
    return [str(p["id"]) for p in chosen]


async def _search(client: Any, tenant: Any, staff: Any, limit: int, **params: Any) -> list[str]:
    """Every page, in order; a person twice or a page longer than `limit` fails."""
    seen: list[str] = []
    cursor = None
    while True:
        query = dict(params, limit=limit) | ({"cursor": cursor} if cursor else {})
        response = await client.get(
            f"{tenant.api}/beneficiaries", params=query, headers=staff.headers
        )
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
        assert page["items"], "a cursor after an empty page"
    assert len(seen) == len(set(seen)), "a person on two pages"
    return seen


@pytest.mark.parametrize("threshold", [2, 1000])
async def test_search_pages_equal_the_filtered_list(
    client: Any,
    tenant: Any,
    other_tenant: Any,
    admin: Any,
    staff_factory: Any,
    threshold: int,
) -> None:
    people = await _people(client, tenant, admin)
    # Another tenant with the same names: never in this tenant's answers, whatever branch.
    stranger = await staff_factory(other_tenant, ["tenant_admin"])
    theirs = {
        str((await create(client, other_tenant, stranger, last_name=s))["id"]) for s in SURNAMES
    }
    with few(threshold):
        for q in QUERIES:
            for limit in (3, 50):
                found = await _search(client, tenant, admin, limit, q=q)
                assert found == _expected(people, q), (q, limit)
                assert not set(found) & theirs
        found = await _search(client, tenant, admin, 2, q="πα", category="unemployed")
        assert found == _expected(people, "πα", category="unemployed")


async def test_status_and_merged_people(client: Any, tenant: Any, admin: Any) -> None:
    people = await _people(client, tenant, admin)
    by_id = {str(p["id"]): p for p in people}
    inactive, survivor, duplicate = people[1], people[2], people[3]
    response = await client.patch(
        f"{tenant.api}/beneficiaries/{inactive['id']}",
        json={"status": "inactive"},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    by_id[str(inactive["id"])]["status"] = "inactive"
    response = await client.post(
        f"{tenant.api}/beneficiaries/{survivor['id']}/merge",
        json={"duplicate_id": duplicate["id"]},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    by_id[str(survivor["id"])] = response.json()
    by_id[str(duplicate["id"])]["status"] = "merged"
    current = list(by_id.values())
    for threshold in (2, 1000):
        with few(threshold):
            for q in ("πα", "παπ ελ", "βασιλ"):
                assert await _search(client, tenant, admin, 3, q=q) == _expected(current, q)
                for status in ("inactive", "active", "all", "merged"):
                    found = await _search(client, tenant, admin, 3, q=q, status=status)
                    assert found == _expected(current, q, status=status), (q, status)
    assert str(duplicate["id"]) not in await _search(client, tenant, admin, 50, q="πα")


@asynccontextmanager
async def _in(tenant_id: UUID) -> AsyncIterator[None]:
    """A transaction of the tenant, as a request has (row-level security on PostgreSQL)."""
    with tenant_context(tenant_id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant_id)
            yield


async def _tokens(tenant_id: UUID, person_id: str) -> list[dict[str, Any]]:
    async with _in(tenant_id):
        return await BeneficiarySearchToken.select(
            BeneficiarySearchToken.token, BeneficiarySearchToken.sort_key
        ).where(BeneficiarySearchToken.beneficiary_id == UUID(person_id))


async def test_tokens_carry_the_sort_key_whoever_writes(
    client: Any, tenant: Any, admin: Any
) -> None:
    person = await create(client, tenant, admin, last_name="Σωτηρίου", first_name="Άννα")
    key = search_keys.sort_key(person)
    assert {t["sort_key"] for t in await _tokens(tenant.id, person["id"])} == {key}

    # A writer that leaves it out (the tenant import, an older bulk path): the database
    # fills it in from the person.
    async with _in(tenant.id):
        await BeneficiarySearchToken.insert(
            BeneficiarySearchToken(beneficiary_id=UUID(person["id"]), token="zzextra")
        )
    rows = {t["token"]: t["sort_key"] for t in await _tokens(tenant.id, person["id"])}
    assert rows["zzextra"] == key

    # A change of the person's sort key, by the API or directly: the tokens follow.
    response = await client.patch(
        f"{tenant.api}/beneficiaries/{person['id']}",
        json={"last_name": "Αβραμίδου"},
        headers=admin.headers,
    )
    assert response.status_code == 200, response.text
    key = search_keys.sort_key(response.json())
    assert {t["sort_key"] for t in await _tokens(tenant.id, person["id"])} == {key}
    async with _in(tenant.id):
        await Beneficiary.update({Beneficiary.sort_key: "ωμεγα"}).where(
            Beneficiary.id == UUID(person["id"])
        )
    assert {t["sort_key"] for t in await _tokens(tenant.id, person["id"])} == {"ωμεγα"}


async def test_head_is_the_bucket_of_every_prefix(client: Any, tenant: Any, admin: Any) -> None:
    """`head` (a generated column) is the token's first `HEAD` characters, and no prefix a
    search asks for is shorter: each lies in one bucket."""
    assert services.HEAD <= search_keys.MIN_QUERY
    person = await create(client, tenant, admin, last_name="Ωραιόπουλος", first_name="Ίων")
    async with _in(tenant.id):
        rows = await db.fetch(
            'SELECT "token", "head" FROM "beneficiary_search_token" '
            'WHERE "tenant_id" = {} AND "beneficiary_id" = {}',
            tenant.id,
            UUID(person["id"]),
        )
    assert rows
    for row in rows:
        assert row["head"] == row["token"][: services.HEAD]


@pytest.mark.pg
async def test_search_plans_read_indexes_only(client: Any, tenant: Any, admin: Any) -> None:
    """Every branch of the statement, on PostgreSQL with row-level security and statistics of
    a tenant of some size: no sequential scan, and the index each branch is written for (few:
    the range index; many: the head buckets, merged; several words: probes by person, or
    the range index for an intersection)."""
    await _people(client, tenant, admin)
    async with _in(tenant.id):
        # 20 000 more people, two tokens each, spread over the buckets: a tenant's worth for
        # the planner to plan for (only plans are looked at).
        await db.fetch(
            'WITH "p" AS (INSERT INTO "beneficiary" ("tenant_id", "id", "first_name", '
            '"last_name", "birth_date", "created_at", "updated_at", "sort_key") '
            "SELECT {}, gen_random_uuid(), 'Σ', 'Σ', DATE '1980-01-01', now(), now(), "
            'md5(i::text) FROM generate_series(1, 20000) AS i RETURNING "id", "sort_key") '
            'INSERT INTO "beneficiary_search_token" '
            '("tenant_id", "id", "beneficiary_id", "token", "sort_key") '
            'SELECT {}, gen_random_uuid(), "id", chr("a" + ascii("sort_key") % 26) '
            '|| chr("a" + ascii(substr("sort_key", 2)) % 26) || "sort_key", "sort_key" '
            # A Greek and a Latin token each, as people have: both alphabets' ranges are
            # planned on a table of a tenant's size.
            'FROM "p", (VALUES (945), (97)) AS "alphabet" ("a")',
            tenant.id,
            tenant.id,
        )
        await db.fetch('ANALYZE "beneficiary_search_token"')
        await db.fetch('ANALYZE "beneficiary"')
    cases = {
        (1000, "βασιλ"): "beneficiary_search_token_token_sort",
        (2, "πα"): "beneficiary_search_token_head_sort",
        (1000, "παπ ελ"): "beneficiary_search_token_person_token",
        (2, "παπ ελ"): "beneficiary_search_token_token_sort",
    }
    for (threshold, q), index in cases.items():
        with few(threshold):
            async with _in(tenant.id):
                sql, args = services.list_statement(q=q, limit=20)
                plan = "\n".join(
                    r["QUERY PLAN"] for r in await db.fetch(f"EXPLAIN ANALYZE {sql}", *args)
                )
        assert "Seq Scan" not in plan, plan
        assert index in plan, (q, plan)
        if (threshold, q) == (2, "πα"):
            assert "Merge Append" in plan, plan
