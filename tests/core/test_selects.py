"""`core.selects.select_together` (issue 11): several selects in one statement answer exactly
what awaiting each would, types, order, limits, `load_json` and the tenant included."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from core import db
from core.beneficiaries.tables import Beneficiary
from core.selects import select_together
from core.testing import make_person, make_staff, make_tenant
from tenants.scoping import tenant_context
from tests.bench.test_round_trips import counting


async def test_selects_together_answer_as_each_alone_in_one_statement(client: Any) -> None:
    tenant = await make_tenant()
    staff = await make_staff(tenant, ["tenant_admin", "social_worker"])
    other = await make_tenant()
    stranger = await make_staff(other, ["tenant_admin", "social_worker"])
    await make_person(client, other, stranger, first_name="Άννα", last_name="Ξένη")
    ids = [
        UUID(await make_person(client, tenant, staff, last_name=f"Μαζί{chr(0x3B1 + i)}"))
        for i in range(4)
    ]
    with tenant_context(tenant.id):
        async with db.transaction(tenant=tenant.id):

            def queries() -> list[Any]:
                return [
                    Beneficiary.select().order_by(Beneficiary.last_name, ascending=False),
                    Beneficiary.select().output(load_json=True).order_by(Beneficiary.id).limit(2),
                    Beneficiary.select(Beneficiary.id, Beneficiary.birth_date.as_alias("born"))
                    .where(Beneficiary.id.is_in(ids[:3]))
                    .order_by(Beneficiary.created_at),
                    Beneficiary.select(Beneficiary.id).where(Beneficiary.last_name == "Κανείς"),
                ]

            alone = [await q for q in queries()]
            with counting() as seen:
                together = await select_together(*queries())
    assert len(seen) == 1, seen
    assert together == alone
    assert [len(rows) for rows in together] == [4, 2, 3, 0]
    assert {r["id"] for r in together[0]} == set(ids)  # the other tenant's person is absent
    assert isinstance(together[1][0]["categories"], list)  # load_json applied to that query


async def test_only_plain_columns_of_the_querys_table_are_taken(client: Any) -> None:
    from piccolo.query.functions.aggregate import Count

    tenant = await make_tenant()
    with tenant_context(tenant.id), pytest.raises(TypeError, match="plain columns"):
        await select_together(Beneficiary.select(Count()))
