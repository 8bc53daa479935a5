"""Verification reads the chain in batches (10 000 records; 3 here): a chain that spans
several batches verifies, tampering at a batch boundary is found, and a record repeating
the last seq of a batch is not lost between two batches."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest

from core import db
from core.audit import chain
from core.audit.tables import AuditEvent
from core.testing import make_tenant
from tenants.scoping import tenant_context
from tests.core.audit.helpers import add_events, as_tenant


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chain, "VERIFY_BATCH", 3)


async def _sealed(count: int) -> Any:
    tenant = await make_tenant(prefix="vbatch")
    await add_events(tenant.id, count)
    assert (await chain.seal(tenant.id)).sealed == count
    return tenant.id


async def test_a_chain_over_several_batches_verifies(client: Any, small_batches: None) -> None:
    for count in (2, 3, 4, 6, 10):  # shorter than, equal to and over whole batches
        tenant_id = await _sealed(count)
        checked = await chain.verify(tenant_id)
        assert checked.ok, (count, checked.problem)
        assert (checked.records, checked.first_seq, checked.head_seq) == (count, 1, count)


@pytest.mark.parametrize("seq", [3, 4])  # the last record of a batch, the first of the next
async def test_an_edit_at_a_batch_boundary_is_found(
    client: Any, small_batches: None, seq: int
) -> None:
    tenant_id = await _sealed(8)
    async with as_tenant(tenant_id):
        await AuditEvent.update({AuditEvent.object_id: "edited"}).where(AuditEvent.seq == seq)
    checked = await chain.verify(tenant_id)
    assert not checked.ok and checked.bad_seq == seq and "hash" in (checked.problem or "")


async def test_a_twin_of_a_batch_boundary_record_is_found(client: Any, small_batches: None) -> None:
    """An intruder able to drop the unique index on (tenant, seq) adds a second record with
    seq 3, the last of the first batch: reading on from seq > 3 would never see it. Done in
    a transaction that is rolled back, so the index is back for everyone else."""
    tenant_id = await _sealed(8)

    class Undo(Exception):
        pass

    with pytest.raises(Undo), tenant_context(tenant_id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant_id)
            await db.fetch('DROP INDEX "audit_event_seq_uq"')
            third = (
                await AuditEvent.select().where(AuditEvent.seq == 3).first().output(load_json=True)
            )
            assert third is not None
            # Sorted after the original (SQLite orders by seq, then id): read in the next batch.
            twin = {**third, "id": UUID(int=2**128 - 1), "object_id": "twin"}
            await AuditEvent.insert(
                AuditEvent(**{k: v for k, v in twin.items() if k != "tenant_id"})
            )
            checked = await chain.verify(tenant_id, seal_first=False)  # joins this transaction
            assert not checked.ok and checked.bad_seq == 3, checked.problem
            raise Undo
    assert (await chain.verify(tenant_id)).ok
