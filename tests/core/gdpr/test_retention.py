"""Retention policies (routes), `merimna retention run` (dry run, then apply, one tenant only,
files removed after the commit) and the records of processing."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest

from core.testing import make_staff, make_tenant
from tests.core.documents.test_documents import upload
from tests.core.staff.helpers import codes, in_tenant, make_person

OLD = datetime.now(UTC) - timedelta(days=3 * 366)


@pytest.fixture(scope="module")
async def world(client: Any) -> dict[str, Any]:
    tenant = await make_tenant(["food_bank"])
    other = await make_tenant([])
    return {
        "tenant": tenant,
        "other": other,
        "admin": await make_staff(tenant, ["tenant_admin"]),
        "worker": await make_staff(tenant, ["social_worker"]),
        "other_admin": await make_staff(other, ["tenant_admin"]),
    }


async def _old_appointment(tenant_id: UUID) -> UUID:
    from core.scheduling.tables import Appointment

    appointment_id = uuid4()
    async with in_tenant(tenant_id):
        await Appointment.insert(
            Appointment(
                id=appointment_id,
                service="core.counselling",
                start_at=OLD,
                end_at=OLD + timedelta(hours=1),
                status="completed",
                location_text="Οδός Ελπίδος 4, 2ος όροφος",
                cancel_reason="",
                created_at=OLD,
                updated_at=OLD,
            )
        )
    return appointment_id


async def _location(tenant_id: UUID, appointment_id: UUID) -> str:
    from core.scheduling.tables import Appointment

    async with in_tenant(tenant_id):
        row = (
            await Appointment.select(Appointment.location_text)
            .where(Appointment.id == appointment_id)
            .first()
        )
    assert row is not None
    return str(row["location_text"])


async def test_policies_routes(client: Any, world: dict[str, Any]) -> None:
    tenant, admin = world["tenant"], world["admin"]
    url = f"{tenant.api}/gdpr/retention"
    listed = await client.get(url, headers=admin.headers)
    assert listed.status_code == 200, listed.text
    items = {i["record_type"]: i for i in listed.json()["items"]}
    assert set(items) == {"audit_events", "appointments", "referrals_closed", "documents"}
    assert all(i["default"] for i in items.values())
    assert items["documents"]["action"] == "keep"

    bad = await client.put(
        url,
        json={"record_type": "documents", "months": 0, "action": "delete"},
        headers=admin.headers,
    )
    assert bad.status_code == 422 and codes(bad) == [("months", "months_range")]
    bad = await client.put(
        url,
        json={"record_type": "documents", "months": 12, "action": "prune"},
        headers=admin.headers,
    )
    assert bad.status_code == 422 and codes(bad) == [("action", "retention_action")]
    bad = await client.put(
        url,
        json={"record_type": "documents", "months": 12, "action": "shred"},
        headers=admin.headers,
    )
    assert bad.status_code == 422 and codes(bad)[0][0] == "action"
    bad = await client.put(
        url,
        json={"record_type": "documents", "months": 12, "action": "delete", "x": 1},
        headers=admin.headers,
    )
    assert bad.status_code == 422 and codes(bad)[0][0] == "x"
    unknown = await client.put(
        url,
        json={"record_type": "passwords", "months": 12, "action": "keep"},
        headers=admin.headers,
    )
    assert unknown.status_code == 422 and codes(unknown) == [
        ("record_type", "retention_record_type")
    ]
    assert (await client.get(url, headers=admin.headers)).json()["items"][3]["default"] is True

    forbidden = await client.put(
        url,
        json={"record_type": "documents", "months": 12, "action": "delete"},
        headers=world["worker"].headers,
    )
    assert forbidden.status_code == 403
    assert (await client.get(url, headers=world["worker"].headers)).status_code == 403

    ok = await client.put(
        url,
        json={"record_type": "appointments", "months": 24, "action": "anonymise"},
        headers=admin.headers,
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["months"] == 24 and ok.json()["default"] is False
    again = await client.put(
        url,
        json={"record_type": "appointments", "months": 30, "action": "anonymise"},
        headers=admin.headers,
    )
    assert again.json()["months"] == 30
    # Another municipality still has the defaults, and cannot reach this one's.
    theirs = await client.get(
        f"{world['other'].api}/gdpr/retention", headers=world["other_admin"].headers
    )
    assert all(i["default"] for i in theirs.json()["items"])
    assert (await client.get(url, headers=world["other_admin"].headers)).status_code == 404


async def test_run_dry_then_apply_one_tenant(client: Any, world: dict[str, Any]) -> None:
    from core.documents import storage
    from core.documents.tables import Document
    from core.gdpr.retention import run

    tenant, admin, worker = world["tenant"], world["admin"], world["worker"]
    other = world["other"]
    # A tenant of its own so other tests' settings do not move the counts.
    mine = await make_tenant([])
    mine_admin = await make_staff(mine, ["tenant_admin", "social_worker"])
    r = await client.put(
        f"{mine.api}/gdpr/retention",
        json={"record_type": "documents", "months": 12, "action": "delete"},
        headers=mine_admin.headers,
    )
    assert r.status_code == 200
    r = await client.put(
        f"{mine.api}/gdpr/retention",
        json={"record_type": "appointments", "months": 24, "action": "anonymise"},
        headers=mine_admin.headers,
    )
    assert r.status_code == 200
    person = await make_person(client, mine, mine_admin)
    doc = await upload(client, mine, mine_admin, person)
    assert doc.status_code == 201, doc.text
    fresh = await upload(client, mine, mine_admin, person)
    appointment = await _old_appointment(mine.id)
    theirs = await _old_appointment(other.id)
    async with in_tenant(mine.id):
        await Document.update({Document.created_at: OLD}).where(
            Document.id == UUID(doc.json()["id"])
        )
        key = (
            await Document.select(Document.storage_key)
            .where(Document.id == UUID(doc.json()["id"]))
            .first()
        )["storage_key"]
    assert storage.path_for(mine.id, key).exists()

    dry = dict((t.slug, o) for t, o in await run([mine.slug], apply=False))
    assert list(dry) == [mine.slug]
    by_type = {o.record_type: o for o in dry[mine.slug]}
    assert by_type["appointments"].count == 1 and not by_type["appointments"].applied
    assert by_type["documents"].count == 1
    assert await _location(mine.id, appointment) != ""  # a dry run changes nothing
    assert storage.path_for(mine.id, key).exists()

    applied = dict((t.slug, o) for t, o in await run([mine.slug], apply=True))
    by_type = {o.record_type: o for o in applied[mine.slug]}
    assert by_type["appointments"].applied and by_type["appointments"].count == 1
    assert by_type["documents"].count == 1
    assert await _location(mine.id, appointment) == ""
    assert not storage.path_for(mine.id, key).exists()
    docs = await client.get(
        f"{mine.api}/documents?owner_type=person&owner_id={person}", headers=mine_admin.headers
    )
    assert [d["id"] for d in docs.json()["items"]] == [fresh.json()["id"]]
    # Only the tenant named was visited: the other municipality's old appointment is intact.
    assert await _location(other.id, theirs) != ""
    again = dict((t.slug, o) for t, o in await run([mine.slug], apply=False))
    assert {o.record_type: o.count for o in again[mine.slug]}["appointments"] == 0

    from core.audit.tables import PlatformAuditEvent

    events = (
        await PlatformAuditEvent.select(PlatformAuditEvent.details)
        .where(
            (PlatformAuditEvent.action == "retention") & (PlatformAuditEvent.tenant_id == mine.id)
        )
        .output(load_json=True)
    )
    assert events and events[0]["details"]["appointments"]["count"] == 1
    del tenant, admin, worker


@pytest.mark.sqlite
def test_cli_dry_run_reports_without_changing() -> None:
    """The command itself, in a process of its own against the test database."""
    env = dict(os.environ)
    out = subprocess.run(
        [sys.executable, "-m", "core.cli", "retention", "run", "--tenant", "no-such-town"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode != 0 and "unknown tenant" in out.stderr
    out = subprocess.run(
        [sys.executable, "-m", "core.cli", "retention", "run"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "retention dry run:" in out.stdout and "appointments\tanonymise" in out.stdout


async def test_records_of_processing(client: Any, world: dict[str, Any]) -> None:
    tenant, admin = world["tenant"], world["admin"]
    r = await client.get(f"{tenant.api}/gdpr/processing", headers=admin.headers)
    assert r.status_code == 200, r.text
    body = r.json()
    areas = {a["area"]: a for a in body["activities"]}
    assert {"core.beneficiaries", "core.casework", "core.audit", "food_bank"} <= set(areas)
    assert "roma_branch" not in areas  # not enabled here
    assert "beneficiary" in areas["core.beneficiaries"]["tables"]
    assert areas["food_bank"]["tables"] and areas["food_bank"]["declared"] is False
    assert "Μητρώο" in areas["core.beneficiaries"]["purpose"]
    assert {x["record_type"] for x in body["retention"]} >= {"audit_events", "documents"}
    en = await client.get(
        f"{tenant.api}/gdpr/processing", headers={**admin.headers, "Accept-Language": "en"}
    )
    assert (
        "Register"
        in {a["area"]: a for a in en.json()["activities"]}["core.beneficiaries"]["purpose"]
    )
    other = await client.get(
        f"{world['other'].api}/gdpr/processing", headers=world["other_admin"].headers
    )
    assert "food_bank" not in {a["area"] for a in other.json()["activities"]}
    assert (
        await client.get(f"{tenant.api}/gdpr/processing", headers=world["other_admin"].headers)
    ).status_code == 404
    assert (
        await client.get(f"{tenant.api}/gdpr/processing", headers=world["worker"].headers)
    ).status_code == 403
