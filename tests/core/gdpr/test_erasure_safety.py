"""Erasure and retention under failure: a refused erasure keeps every row and every file and
is audited; deleted documents lose their files only once the deletion has committed; the
first save of a tenant's retention policy by two administrators at once is not a 500."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio
import pytest

from core.testing import make_staff, make_tenant
from tests.core.documents.test_documents import PDF, files_of, upload
from tests.core.gdpr.test_rights import ESF_ENTRY, ROMA
from tests.core.staff.helpers import in_tenant, make_person


async def _erase_events(tenant_id: UUID, person_id: str) -> list[dict[str, Any]]:
    from core.audit.tables import AuditEvent

    async with in_tenant(tenant_id):
        rows = (
            await AuditEvent.select(
                AuditEvent.user_id, AuditEvent.outcome, AuditEvent.details, AuditEvent.request_id
            )
            .where(
                (AuditEvent.action == "erase")
                & (AuditEvent.object_type == "beneficiary")
                & (AuditEvent.object_id == person_id)
            )
            .order_by(AuditEvent.at)
            .output(load_json=True)
        )
    return list(rows)


async def test_refused_erasure_keeps_documents_and_is_audited(client: Any) -> None:
    tenant = await make_tenant(["roma_branch"])
    admin = await make_staff(tenant, ["tenant_admin"])
    worker = await make_staff(tenant, ["social_worker"])
    person = await make_person(client, tenant, worker, first_name="Ρένα", last_name="Σαββίδου")
    esf = await client.post(
        f"{tenant.api}{ROMA}/esf-records",
        json={
            "person_id": person,
            "kind": "entry",
            "recorded_on": "2026-01-10",
            "fields": ESF_ENTRY,
        },
        headers=worker.headers,
    )
    assert esf.status_code == 201, esf.text  # kept for the ESF audit: the erasure is refused
    made = await upload(client, tenant, worker, person)
    assert made.status_code == 201, made.text
    document = made.json()["id"]
    (stored,) = files_of(tenant)
    url = f"{tenant.api}/beneficiaries/{person}/erase"

    refused = await client.post(url, json={}, headers={**admin.headers, "x-request-id": "r-409"})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "retention_applies"
    # The documents hook deleted the row and asked for the file to go; the 409 rolled the row
    # back, so the file must still be there, readable through the API.
    assert files_of(tenant) == [stored]
    meta = await client.get(f"{tenant.api}/documents/{document}", headers=worker.headers)
    assert meta.status_code == 200, meta.text
    content = await client.get(f"{tenant.api}/documents/{document}/content", headers=worker.headers)
    assert content.status_code == 200 and content.content == PDF
    kept = await client.get(f"{tenant.api}/beneficiaries/{person}", headers=admin.headers)
    assert kept.json()["first_name"] == "Ρένα"

    # Audited after the rollback: who, whom, and the reasons, with the request's id.
    (event,) = await _erase_events(tenant.id, person)
    assert event["user_id"] == admin.user_id
    assert event["outcome"] == "denied" and event["request_id"] == "r-409"
    assert event["details"]["reason"] == "retention_applies"
    reasons = [r["code"] or r["message"] for r in refused.json()["retained"]]
    assert event["details"]["retained"] == reasons and reasons
    # The trail shows it to the tenant's administrators.
    trail = await client.get(
        f"{tenant.api}/audit?action=erase&object_id={person}", headers=admin.headers
    )
    assert [e["outcome"] for e in trail.json()["items"]] == ["denied"]

    # Accepted: the document goes, and its file once the erasure has committed.
    done = await client.post(url, json={"accept_retention": True}, headers=admin.headers)
    assert done.status_code == 200, done.text
    assert files_of(tenant) == []
    gone = await client.get(f"{tenant.api}/documents/{document}", headers=worker.headers)
    assert gone.status_code == 404
    assert [e["outcome"] for e in await _erase_events(tenant.id, person)] == ["denied", "ok"]


async def test_files_go_only_when_the_deletion_commits(client: Any) -> None:
    """The hook erasing a person's documents inside a transaction that then rolls back (as a
    request failing after it would): row and file both stay. Committed: both go."""
    from core.documents.services import erase_person

    tenant = await make_tenant([])
    worker = await make_staff(tenant, ["social_worker"])
    person = await make_person(client, tenant, worker)
    assert (await upload(client, tenant, worker, person)).status_code == 201
    (stored,) = files_of(tenant)

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with in_tenant(tenant.id):
            assert await erase_person(person) == []
            assert stored.exists()  # not before the commit
            raise Boom
    assert files_of(tenant) == [stored]
    listed = await client.get(
        f"{tenant.api}/documents?owner_type=person&owner_id={person}", headers=worker.headers
    )
    assert len(listed.json()["items"]) == 1

    async with in_tenant(tenant.id):
        await erase_person(person)
        assert stored.exists()
    assert files_of(tenant) == []


async def test_transaction_callbacks_run_once_and_only_on_their_outcome(client: Any) -> None:
    from core import db

    seen: list[str] = []

    async def later(name: str) -> None:
        seen.append(name)

    async with db.transaction():
        db.on_commit(lambda: seen.append("commit"))
        db.on_rollback(lambda: later("rollback"))
        async with db.transaction():  # nested: joins the outer one
            db.on_commit(lambda: later("inner commit"))
        assert seen == []
    assert seen == ["commit", "inner commit"]

    seen.clear()
    with pytest.raises(ValueError):
        async with db.transaction():
            db.on_commit(lambda: seen.append("commit"))
            db.on_rollback(lambda: later("rollback"))
            raise ValueError
    assert seen == ["rollback"]

    seen.clear()
    async with db.transaction():

        def broken() -> None:
            raise RuntimeError("a failing callback does not stop the others")

        db.on_commit(broken)
        db.on_commit(lambda: seen.append("after"))
    assert seen == ["after"]

    with pytest.raises(RuntimeError):
        db.on_commit(lambda: None)  # no transaction: refused, never silently run or dropped


@pytest.mark.pg
async def test_concurrent_first_saves_of_a_retention_policy(client: Any) -> None:
    """Several administrators saving a tenant's first policy at the same moment: every
    request succeeds (before: both found no row, both inserted, one got a 500), one row."""
    from core.gdpr.tables import RetentionPolicy

    async def save(tenant: Any, staff: Any, months: int, statuses: list[int]) -> None:
        response = await client.put(
            f"{tenant.api}/gdpr/retention",
            json={"record_type": "appointments", "months": months, "action": "anonymise"},
            headers=staff.headers,
        )
        statuses.append(response.status_code)

    for _ in range(3):
        tenant = await make_tenant([])
        admins = [await make_staff(tenant, ["tenant_admin"]) for _ in range(4)]
        statuses: list[int] = []

        async with anyio.create_task_group() as group:
            for n, staff in enumerate(admins):
                group.start_soon(save, tenant, staff, 24 + n, statuses)
        assert statuses == [200] * len(admins)
        async with in_tenant(tenant.id):
            rows = await RetentionPolicy.select(RetentionPolicy.months).where(
                RetentionPolicy.record_type == "appointments"
            )
        assert len(rows) == 1 and rows[0]["months"] in range(24, 24 + len(admins))
        listed = await client.get(f"{tenant.api}/gdpr/retention", headers=admins[0].headers)
        (policy,) = [p for p in listed.json()["items"] if p["record_type"] == "appointments"]
        assert policy["months"] == rows[0]["months"] and policy["default"] is False
