"""Documents of a module's records are exactly as visible as the record (issue 10).

The prosecutor orders of family_center are seen by their assigned team and by supervisors
only; their documents (the order itself, evidence) go through the core document register,
which asks the module's `visible` check on every route and `visible_ids` for the list
without an owner. An outside module registered with the one-argument `exists` keeps working.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest

from core.testing import Staff, TenantFixture, make_staff, make_tenant
from tests.core.documents.test_documents import PDF, PNG, upload
from tests.core.staff.helpers import in_tenant, make_person

ORDER = "family_center.investigation"


@dataclass
class Orders:
    tenant: TenantFixture
    other: TenantFixture
    officer: Staff  # child_protection_officer, assigned to the order
    colleague: Staff  # social_worker: family_center.protection and documents.*, not assigned
    pedagogue: Staff  # documents.read, no family_center.protection
    supervisor: Staff  # tenant_admin: family_center.protection.supervise
    other_admin: Staff  # the same roles in another municipality
    order: str
    documents: list[str]  # of the order, newest last
    person_document: str  # of a person: everyone with documents.read sees it


async def _order(
    client: Any, tenant: TenantFixture, staff: Staff, child: str, *assigned: Staff
) -> str:
    response = await client.post(
        f"{tenant.api}/modules/family_center/investigations",
        json={
            "order_protocol": "77/2026",
            "prosecutor_office": "Εισαγγελία Πρωτοδικών Αθηνών - Τμήμα Ανηλίκων",
            "received_on": (date.today() - timedelta(days=3)).isoformat(),
            "allegation": "neglect",
            "children_ids": [child],
            "assigned": [str(s.user_id) for s in assigned],
        },
        headers=staff.headers,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _attach(client: Any, tenant: TenantFixture, staff: Staff, order: str, **kw: Any) -> Any:
    fields = {"owner_type": ORDER, "doc_type": "prosecutor_order", **kw}
    return await upload(client, tenant, staff, order, **fields)


@pytest.fixture
async def orders(client: Any) -> Orders:
    tenant = await make_tenant(["family_center"], prefix="docv")
    other = await make_tenant(["family_center"], prefix="docvo")
    officer = await make_staff(tenant, ["child_protection_officer"])
    colleague = await make_staff(tenant, ["social_worker"])
    supervisor = await make_staff(tenant, ["tenant_admin"])
    child = await make_person(
        client, tenant, colleague, first_name="Μαρία", birth_date="2017-03-03"
    )
    person_document = (await upload(client, tenant, colleague, child)).json()["id"]
    order = await _order(client, tenant, supervisor, child, officer)
    documents = []
    for doc_type in ("prosecutor_order", "other"):
        made = await _attach(client, tenant, officer, order, doc_type=doc_type)
        assert made.status_code == 201, made.text
        documents.append(made.json()["id"])
    return Orders(
        tenant=tenant,
        other=other,
        officer=officer,
        colleague=colleague,
        pedagogue=await make_staff(tenant, ["pedagogue"]),
        supervisor=supervisor,
        other_admin=await make_staff(other, ["tenant_admin", "social_worker"]),
        order=order,
        documents=documents,
        person_document=person_document,
    )


async def _listed(client: Any, tenant: TenantFixture, staff: Staff, query: str = "") -> list[str]:
    response = await client.get(f"{tenant.api}/documents{query}", headers=staff.headers)
    assert response.status_code == 200, response.text
    return [d["id"] for d in response.json()["items"]]


async def _refused_everywhere(
    client: Any, tenant: TenantFixture, staff: Staff, world: Orders
) -> None:
    """Every route answers 404 for the order's documents, nothing is stored, and the
    unfiltered lists do not carry them."""
    api = tenant.api
    by_owner = await client.get(
        f"{api}/documents?owner_type={ORDER}&owner_id={world.order}", headers=staff.headers
    )
    assert by_owner.status_code == 404, by_owner.text
    for document in world.documents:
        for path in ("", "/content"):
            response = await client.get(f"{api}/documents/{document}{path}", headers=staff.headers)
            assert response.status_code == 404, (path, response.text)
        response = await client.delete(f"{api}/documents/{document}", headers=staff.headers)
        assert response.status_code == 404, response.text
    attached = await _attach(client, tenant, staff, world.order, doc_type="other")
    assert attached.status_code == 404, attached.text
    assert not set(world.documents) & set(await _listed(client, tenant, staff))
    assert await _listed(client, tenant, staff, f"?owner_type={ORDER}") == []


async def _sees_everything(client: Any, staff: Staff, world: Orders) -> None:
    api = world.tenant.api
    by_owner = await _listed(
        client, world.tenant, staff, f"?owner_type={ORDER}&owner_id={world.order}"
    )
    assert set(by_owner) == set(world.documents)
    for document in world.documents:
        meta = await client.get(f"{api}/documents/{document}", headers=staff.headers)
        assert meta.status_code == 200 and meta.json()["owner_id"] == world.order
        content = await client.get(f"{api}/documents/{document}/content", headers=staff.headers)
        assert content.status_code == 200 and content.content == PDF
    unfiltered = await _listed(client, world.tenant, staff)
    assert set(world.documents) | {world.person_document} <= set(unfiltered)
    assert set(await _listed(client, world.tenant, staff, f"?owner_type={ORDER}")) >= set(
        world.documents
    )
    attached = await _attach(client, world.tenant, staff, world.order, doc_type="other")
    assert attached.status_code == 201, attached.text
    gone = await client.delete(f"{api}/documents/{attached.json()['id']}", headers=staff.headers)
    assert gone.status_code == 204


async def test_a_colleague_off_the_order_sees_none_of_its_documents(
    client: Any, orders: Orders
) -> None:
    for staff in (orders.colleague, orders.pedagogue):
        await _refused_everywhere(client, orders.tenant, staff, orders)
        # the register itself still works for them: a person's document is listed and read
        assert orders.person_document in await _listed(client, orders.tenant, staff)
    # nothing was deleted or added by the refused requests
    assert len(await _listed(client, orders.tenant, orders.officer, f"?owner_type={ORDER}")) == 2


async def test_the_assigned_worker_and_the_supervisor_see_them(client: Any, orders: Orders) -> None:
    await _sees_everything(client, orders.officer, orders)
    await _sees_everything(client, orders.supervisor, orders)


async def test_another_tenant_gets_404_and_never_lists_them(client: Any, orders: Orders) -> None:
    await _refused_everywhere(client, orders.other, orders.other_admin, orders)
    assert await _listed(client, orders.other, orders.other_admin) == []


async def test_visibility_follows_the_assignment(client: Any, orders: Orders) -> None:
    url = f"{orders.tenant.api}/modules/family_center/investigations/{orders.order}"
    handed = await client.patch(
        url, json={"assigned": [str(orders.colleague.user_id)]}, headers=orders.supervisor.headers
    )
    assert handed.status_code == 200, handed.text
    await _sees_everything(client, orders.colleague, orders)
    await _refused_everywhere(client, orders.tenant, orders.officer, orders)


async def test_the_unfiltered_list_pages_by_what_the_user_sees(client: Any, orders: Orders) -> None:
    """The restriction is part of the query: pages are full, and the cursor walks through
    exactly the documents the user may see (the order's are the newest, so filtering after
    paging would leave the first page empty)."""
    person = await make_person(client, orders.tenant, orders.colleague)
    mine = [orders.person_document]
    for _ in range(3):
        mine.append((await upload(client, orders.tenant, orders.colleague, person)).json()["id"])
    for _ in range(3):
        made = await _attach(client, orders.tenant, orders.officer, orders.order, doc_type="other")
        assert made.status_code == 201
    seen: list[str] = []
    cursor = ""
    while True:
        response = await client.get(
            f"{orders.tenant.api}/documents?limit=2{cursor}", headers=orders.colleague.headers
        )
        page = response.json()
        seen += [d["id"] for d in page["items"]]
        if page["next_cursor"] is None:
            break
        assert len(page["items"]) == 2
        cursor = f"&cursor={page['next_cursor']}"
    assert sorted(seen) == sorted(mine) and len(seen) == len(mine)
    officer_sees = await _listed(client, orders.tenant, orders.officer, "?limit=200")
    assert len(officer_sees) == len(mine) + 2 + 3


async def test_an_actor_the_module_does_not_recognise_cannot_attach(
    client: Any, orders: Orders
) -> None:
    """A system actor (no permissions) is refused by the orders' rule: fail closed."""
    from core.documents import services
    from core.errors import NotFound
    from core.refs import TenantRef

    @dataclass
    class SystemActor:
        tenant_ref: TenantRef
        user_id: UUID | None = None
        request_id: str = "job"
        client: str = "job"
        sees_special_categories: bool = True

    actor = SystemActor(
        TenantRef(
            id=orders.tenant.id, slug=orders.tenant.slug, modules=frozenset({"family_center"})
        )
    )
    async with in_tenant(orders.tenant.id):
        with pytest.raises(NotFound):
            await services.save_document(
                actor,
                owner_type=ORDER,
                owner_id=orders.order,
                doc_type="other",
                content=PDF,
                filename="x.pdf",
            )
        with pytest.raises(NotFound):
            await services.read_document(actor, UUID(orders.documents[0]))


@pytest.fixture
def registry() -> Iterator[None]:
    """Owner types registered by a test are forgotten after it."""
    from core.documents import services

    saved = dict(services._owner_types)
    yield
    services._owner_types.clear()
    services._owner_types.update(saved)


async def test_an_outside_module_with_the_one_argument_check_still_works(
    client: Any, registry: None
) -> None:
    """The API 1.1 form (`exists(record_id)`): every member with documents.* may use the
    record's documents, and they are in the unfiltered list; unknown records are 404."""
    from core.api import current_tenant_id, register_owner_type

    tenant = await make_tenant(["help_at_home"], prefix="docx")
    worker = await make_staff(tenant, ["social_worker"])
    nurse = await make_staff(tenant, ["nurse"])
    other = await make_tenant(["help_at_home"], prefix="docxo")
    other_worker = await make_staff(other, ["social_worker"])
    plans = {(tenant.id, UUID(int=7))}  # a record of `tenant` only, as a module's table holds
    asked: list[UUID] = []

    async def plan_exists(record_id: UUID) -> bool:
        asked.append(record_id)
        return (current_tenant_id(), record_id) in plans

    register_owner_type("help_at_home.visit_sheet", plan_exists)
    owner = str(UUID(int=7))
    fields = {"owner_type": "help_at_home.visit_sheet", "doc_type": "other"}
    made = await upload(
        client, tenant, worker, owner, content=PNG, name="f.png", mime="image/png", **fields
    )
    assert made.status_code == 201, made.text
    document = made.json()["id"]
    assert asked == [UUID(int=7)]
    missing = await upload(client, tenant, worker, str(UUID(int=8)), **fields)
    assert missing.status_code == 404
    query = f"?owner_type=help_at_home.visit_sheet&owner_id={owner}"
    assert await _listed(client, tenant, nurse, query) == [document]
    assert document in await _listed(client, tenant, nurse)
    content = await client.get(f"{tenant.api}/documents/{document}/content", headers=nurse.headers)
    assert content.status_code == 200 and content.content == PNG
    # another municipality: 404 by owner and by id, never listed
    theirs = await client.get(f"{other.api}/documents{query}", headers=other_worker.headers)
    assert theirs.status_code == 404
    by_id = await client.get(f"{other.api}/documents/{document}", headers=other_worker.headers)
    assert by_id.status_code == 404
    assert await _listed(client, other, other_worker) == []
    gone = await client.delete(f"{tenant.api}/documents/{document}", headers=nurse.headers)
    assert gone.status_code == 204


async def test_a_two_argument_check_sees_the_actor(client: Any, registry: None) -> None:
    """`visible(record_id, ctx)` gets the request context; without `visible_ids` the
    documents are listed only through their record."""
    from core.api import register_owner_type

    tenant = await make_tenant(["help_at_home"], prefix="docy")
    allowed = await make_staff(tenant, ["social_worker"])
    refused = await make_staff(tenant, ["social_worker"])
    record = UUID(int=9)

    async def visible(record_id: UUID, ctx: Any) -> bool:
        return record_id == record and ctx.user_id == allowed.user_id

    register_owner_type("help_at_home.private_note", visible=visible)
    fields = {"owner_type": "help_at_home.private_note", "doc_type": "other"}
    made = await upload(client, tenant, allowed, str(record), **fields)
    assert made.status_code == 201, made.text
    assert (await upload(client, tenant, refused, str(record), **fields)).status_code == 404
    query = f"?owner_type=help_at_home.private_note&owner_id={record}"
    assert await _listed(client, tenant, allowed, query) == [made.json()["id"]]
    assert (
        await client.get(f"{tenant.api}/documents{query}", headers=refused.headers)
    ).status_code == 404
    assert await _listed(client, tenant, allowed) == []
    assert await _listed(client, tenant, refused) == []


def test_registration_needs_exactly_one_check(registry: None) -> None:
    from core.api import register_owner_type

    async def exists(record_id: UUID) -> bool:
        return True

    async def visible(record_id: UUID, ctx: Any) -> bool:
        return True

    async def ids(ctx: Any) -> list[UUID] | None:
        return None

    with pytest.raises(ValueError):
        register_owner_type("help_at_home.x")
    with pytest.raises(ValueError):
        register_owner_type("help_at_home.x", exists, visible=visible)
    with pytest.raises(ValueError):
        register_owner_type("help_at_home.x", exists, visible_ids=ids)
    with pytest.raises(ValueError):
        register_owner_type("no_module", visible=visible)
    register_owner_type("help_at_home.x", visible=visible, visible_ids=ids)
