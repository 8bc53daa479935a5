"""The tamper-evident chain: sequencer, outside checkpoints, verification, pruning."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from core.audit import chain, checkpoints
from core.audit.tables import AuditChain, AuditEvent
from core.testing import make_tenant
from tests.core.audit.helpers import add_events, as_tenant, head, sealed_rows

OLD = datetime(2020, 5, 1, 9, 30, tzinfo=UTC)


async def _sealed_tenant(count: int = 6) -> UUID:
    tenant = await make_tenant(prefix="chain")
    await add_events(tenant.id, count)
    result = await chain.seal(tenant.id)
    assert (result.sealed, result.head_seq) == (count, count)
    return tenant.id


async def test_sealing_in_batches_chains_every_record_and_checkpoints_the_head(
    client: Any,
) -> None:
    tenant = await make_tenant(prefix="chain")
    await add_events(tenant.id, 7)
    result = await chain.seal(tenant.id, batch=3)  # three batches: 3 + 3 + 1
    assert (result.sealed, result.head_seq) == (7, 7)

    rows = await sealed_rows(tenant.id)
    assert [r["seq"] for r in rows] == list(range(1, 8))
    previous = ""
    for row in rows:  # each hash links to the previous one
        assert row["hash"] == chain.link(previous, row)
        previous = row["hash"]
    chain_head = await head(tenant.id)
    assert (chain_head["head_seq"], chain_head["head_hash"]) == (7, previous)

    points, unreadable = checkpoints.read(tenant.id)
    assert [(p.seq, p.hash, p.kind) for p in points] == [(7, previous, "seal")]
    assert unreadable == 0
    line = json.loads(checkpoints.checkpoint_file(tenant.id).read_text().splitlines()[-1])
    assert line["tenant_id"] == str(tenant.id) and line["seq"] == 7

    nothing = await chain.seal(tenant.id)
    assert nothing.sealed == 0 and len(checkpoints.read(tenant.id)[0]) == 1  # no new line

    await add_events(tenant.id, 2)
    checked = await chain.verify(tenant.id)  # seals the two first
    assert checked.ok, checked.problem
    assert (checked.records, checked.first_seq, checked.head_seq) == (9, 1, 9)
    assert checked.checkpoints_checked == 2
    assert [p.seq for p in checkpoints.read(tenant.id)[0]] == [7, 9]


async def test_concurrent_sequencers_never_fork_the_chain(client: Any) -> None:
    tenant = await make_tenant(prefix="chain")
    await add_events(tenant.id, 40)
    results = await asyncio.gather(*(chain.seal(tenant.id, batch=7) for _ in range(4)))
    assert sum(r.sealed for r in results) == 40
    assert [r["seq"] for r in await sealed_rows(tenant.id)] == list(range(1, 41))
    assert (await chain.verify(tenant.id)).ok


async def test_an_empty_trail_verifies(client: Any) -> None:
    tenant = await make_tenant(prefix="chain")
    checked = await chain.verify(tenant.id)
    assert checked.ok and checked.records == 0 and checked.head_seq == 0


# -- tampering: each kind is found, and the first bad seq is named ------------------------------


async def _edit(tenant_id: UUID) -> None:
    await AuditEvent.update({AuditEvent.object_id: "someone-else"}).where(AuditEvent.seq == 3)


async def _edit_details(tenant_id: UUID) -> None:
    await AuditEvent.update({AuditEvent.details: {"n": 99}}).where(AuditEvent.seq == 3)


async def _shift(from_seq: int, by: int) -> None:
    # Two steps, as an intruder must: sealed seqs are unique per tenant.
    await AuditEvent.update({AuditEvent.seq: AuditEvent.seq + 1000}).where(
        AuditEvent.seq >= from_seq
    )
    await AuditEvent.update({AuditEvent.seq: AuditEvent.seq - 1000 + by}).where(
        AuditEvent.seq >= from_seq + 1000
    )


async def _insert(tenant_id: UUID) -> None:
    """A forged record at seq 3, correctly linked to seq 2; the rest moved up, head moved."""
    await _shift(3, 1)
    second = await AuditEvent.select().where(AuditEvent.seq == 2).first().output(load_json=True)
    forged = {
        **second,
        "id": uuid4(),
        "seq": 3,
        "object_id": "forged",
        "details": {},
    }
    forged["hash"] = chain.link(second["hash"], forged)
    await AuditEvent.insert(AuditEvent(**{k: v for k, v in forged.items() if k != "tenant_id"}))
    await AuditChain.update({AuditChain.head_seq: 7})


async def _reorder(tenant_id: UUID) -> None:
    await AuditEvent.update({AuditEvent.seq: -1}).where(AuditEvent.seq == 3)
    await AuditEvent.update({AuditEvent.seq: 3}).where(AuditEvent.seq == 4)
    await AuditEvent.update({AuditEvent.seq: 4}).where(AuditEvent.seq == -1)


async def _delete(tenant_id: UUID) -> None:
    await AuditEvent.delete().where(AuditEvent.seq == 3)


async def _delete_and_renumber(tenant_id: UUID) -> None:
    await AuditEvent.delete().where(AuditEvent.seq == 3)
    await _shift(4, -1)
    await AuditChain.update({AuditChain.head_seq: 5})


async def _rewrite_after(edit_seq: int) -> str:
    """Edit a record and recompute every later hash and the head: only checkpoints see it."""
    await AuditEvent.update({AuditEvent.object_id: "rewritten"}).where(AuditEvent.seq == edit_seq)
    rows = await AuditEvent.select().order_by(AuditEvent.seq).output(load_json=True)
    digest = ""
    for row in rows:
        digest = chain.link(digest, row)
        await AuditEvent.update({AuditEvent.hash: digest}).where(AuditEvent.id == row["id"])
    await AuditChain.update({AuditChain.head_hash: digest, AuditChain.head_seq: rows[-1]["seq"]})
    return digest


async def _rewrite(tenant_id: UUID) -> None:
    await _rewrite_after(2)


async def _truncate(tenant_id: UUID) -> None:
    """The last two records deleted and the head moved back to a consistent seq 4."""
    await AuditEvent.delete().where(AuditEvent.seq >= 5)
    fourth = await AuditEvent.select(AuditEvent.hash).where(AuditEvent.seq == 4).first()
    await AuditChain.update({AuditChain.head_seq: 4, AuditChain.head_hash: fourth["hash"]})


async def _fake_prune(tenant_id: UUID) -> None:
    """Records 1-2 deleted with a base set as a real prune would, but no prune checkpoint."""
    second = await AuditEvent.select(AuditEvent.hash).where(AuditEvent.seq == 2).first()
    await AuditEvent.delete().where(AuditEvent.seq <= 2)
    await AuditChain.update({AuditChain.base_seq: 2, AuditChain.base_hash: second["hash"]})


async def _append_beyond_head(tenant_id: UUID) -> None:
    last = await AuditEvent.select().where(AuditEvent.seq == 6).first().output(load_json=True)
    extra = {**last, "id": uuid4(), "seq": 7, "object_id": "appended"}
    extra["hash"] = chain.link(last["hash"], extra)
    await AuditEvent.insert(AuditEvent(**{k: v for k, v in extra.items() if k != "tenant_id"}))


TAMPERING: dict[str, tuple[Callable[[UUID], Awaitable[None]], int, str]] = {
    "edited": (_edit, 3, "hash"),
    "edited_details": (_edit_details, 3, "hash"),
    "inserted": (_insert, 4, "hash"),
    "reordered": (_reorder, 3, "hash"),
    "deleted": (_delete, 3, "missing"),
    "deleted_and_renumbered": (_delete_and_renumber, 3, "hash"),
    "rewritten": (_rewrite, 6, "checkpoint"),
    "truncated": (_truncate, 5, "truncated"),
    "pruned_without_checkpoint": (_fake_prune, 2, "prune checkpoint"),
    "appended_beyond_head": (_append_beyond_head, 7, "beyond the head"),
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
async def test_verify_names_the_first_bad_seq(client: Any, kind: str) -> None:
    tamper, bad_seq, words = TAMPERING[kind]
    tenant_id = await _sealed_tenant(6)
    assert (await chain.verify(tenant_id)).ok
    async with as_tenant(tenant_id):
        await tamper(tenant_id)
    checked = await chain.verify(tenant_id)
    assert not checked.ok
    assert checked.bad_seq == bad_seq, checked.problem
    assert checked.problem is not None and words in checked.problem


async def test_a_rewritten_chain_without_checkpoints_is_only_caught_by_them(client: Any) -> None:
    """Why the checkpoints live outside the database: without them a rewrite is invisible."""
    tenant_id = await _sealed_tenant(4)
    async with as_tenant(tenant_id):
        await _rewrite_after(2)
    assert not (await chain.verify(tenant_id)).ok
    checkpoints.checkpoint_file(tenant_id).unlink()
    assert (await chain.verify(tenant_id)).ok  # internally consistent, as expected


async def test_unreadable_checkpoint_lines_are_counted_not_trusted(client: Any) -> None:
    tenant_id = await _sealed_tenant(3)
    with checkpoints.checkpoint_file(tenant_id).open("a") as fh:
        fh.write('{"tenant_id": "cut short by a cra')
    checked = await chain.verify(tenant_id)
    assert checked.ok and checked.unreadable_checkpoints == 1 and checked.checkpoints_checked == 1


# -- pruning ------------------------------------------------------------------------------------


async def test_pruning_keeps_a_verifiable_chain(client: Any) -> None:
    tenant = await make_tenant(prefix="prune")
    await add_events(tenant.id, 4, at=OLD)
    await add_events(tenant.id, 3)
    await chain.seal(tenant.id)

    pruned = await chain.prune(tenant.id, datetime(2021, 1, 1, tzinfo=UTC))
    assert (pruned.deleted, pruned.base_seq) == (4, 4)
    rows = await sealed_rows(tenant.id)
    assert [r["seq"] for r in rows] == [5, 6, 7]
    assert all(r["at"] > OLD for r in rows)
    points, _ = checkpoints.read(tenant.id)
    assert ("prune", 4, pruned.base_hash) in [(p.kind, p.seq, p.hash) for p in points]

    checked = await chain.verify(tenant.id)
    assert checked.ok, checked.problem
    assert (checked.records, checked.first_seq, checked.base_seq) == (3, 5, 4)

    again = await chain.prune(tenant.id, datetime(2021, 1, 1, tzinfo=UTC))
    assert again.deleted == 0 and again.base_seq == 4

    async with as_tenant(tenant.id):
        await AuditEvent.delete().where(AuditEvent.seq == 5)
    broken = await chain.verify(tenant.id)
    assert (broken.ok, broken.bad_seq) == (False, 5)
    with pytest.raises(chain.ChainBroken, match="seq 5"):
        await chain.prune(tenant.id, datetime.now(UTC))
    async with as_tenant(tenant.id):
        assert await AuditEvent.count().where(AuditEvent.seq.is_not_null()) == 2  # kept


async def test_pruning_stops_at_the_first_recent_record_in_chain_order(client: Any) -> None:
    """Records out of time order (a long transaction) are never pruned out from the middle."""
    tenant = await make_tenant(prefix="prune")
    await add_events(tenant.id, 2, at=OLD)
    await chain.seal(tenant.id)
    await add_events(tenant.id, 1)
    await chain.seal(tenant.id)
    await add_events(tenant.id, 1, at=OLD)  # committed late: sealed after a recent record
    pruned = await chain.prune(tenant.id, datetime(2021, 1, 1, tzinfo=UTC))
    assert (pruned.deleted, pruned.base_seq) == (2, 2)
    assert [r["seq"] for r in await sealed_rows(tenant.id)] == [3, 4]
    assert (await chain.verify(tenant.id)).ok


async def test_an_audit_write_vanishes_with_its_rolled_back_transaction(client: Any) -> None:
    tenant = await make_tenant(prefix="chain")

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with as_tenant(tenant.id):
            await AuditEvent.insert(
                AuditEvent(id=uuid4(), at=datetime.now(UTC), action="create", object_type="x")
            )
            raise Boom
    assert (await chain.seal(tenant.id)).sealed == 0
    async with as_tenant(tenant.id):
        assert await AuditEvent.count() == 0


async def test_chains_are_per_tenant(client: Any) -> None:
    a = await _sealed_tenant(3)
    b = await _sealed_tenant(2)
    async with as_tenant(b):
        await _edit(b)  # seq 3 does not exist in b: a no-op there
        await AuditEvent.update({AuditEvent.object_id: "x"}).where(AuditEvent.seq == 1)
    assert (await chain.verify(a)).ok
    assert (await chain.verify(b)).bad_seq == 1
    assert checkpoints.checkpoint_file(a) != checkpoints.checkpoint_file(b)
