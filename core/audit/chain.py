"""The tamper-evident chain of each tenant's audit trail (issue 10 §6).

Appends stay cheap: `writer.record` inserts a row with `seq` NULL inside the request's own
transaction and never touches a shared chain head, so requests never queue behind each other.
A sequencer (`seal`) later takes the tenant's unsealed rows in (time, id) order and gives each
the next `seq` and `hash = sha256(previous hash + canonical record)`, in batches, each batch in
a transaction of its own. It is safe with several processes: on PostgreSQL the batch holds a
transaction-level advisory lock per tenant; SQLite takes its single writer lock (IMMEDIATE).

Who runs the sequencer:
* `merimna audit seal [--tenant SLUG]`: meant for cron/systemd timers (e.g. every minute);
* `merimna audit verify` and `merimna audit prune` seal first;
* opportunistically, a read of `GET /api/v1/t/{tenant}/audit` seals that tenant in a
  transaction of its own (`seal_on_read`: in the background on PostgreSQL, a few batches
  inline on SQLite), so an administrator looking at the trail keeps it sealed.

After every batch that sealed something, the new head is checkpointed outside the database
(`core.audit.checkpoints`), so a rewritten chain or a truncated tail is detected.

Pruning (`prune`): records older than a date are deleted from the start of the chain only
(a prefix: the largest seq P such that every record up to P is older), after the chain has
been verified. The seq and hash of record P become the chain's base, written as a `prune`
checkpoint before the deletion commits; verification then starts from that base, and a base
with no matching `prune` checkpoint is itself reported as tampering.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import hashlib
import json
import json.encoder
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from core import db
from core.audit import checkpoints
from core.audit.tables import AuditChain, AuditEvent
from tenants.scoping import current_tenant_id, tenant_context

log = logging.getLogger("merimna.audit")
# json's own string encoder (C when available), as `json.dumps(..., ensure_ascii=False)` uses.
_encode = json.encoder.encode_basestring

SEAL_BATCH = 500
VERIFY_BATCH = 10_000
# The verify walk's batch: fixed SQL with the tenant predicate (row-level security applies as
# for any query) and only the hashed columns; Piccolo's select with JSON loading cost about as
# much per record as the hash itself. On PostgreSQL the columns come as text, `at` already in
# its canonical form (what `_at` makes of it), so a million records are not decoded into
# UUID and datetime objects only to be turned back into text.
_VERIFY_SQL = (
    "SELECT id, tenant_id, seq, at, user_id, action, object_type, object_id, outcome, "
    "request_id, client_address, details, hash FROM audit_event "
    "WHERE tenant_id = {} AND seq IS NOT NULL AND seq > {} ORDER BY seq, id LIMIT {}"
)
_VERIFY_SQL_PG = (
    "SELECT id::text AS id, tenant_id::text AS tenant_id, seq, "
    "to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') AS at, "
    "user_id::text AS user_id, action, object_type, object_id, outcome, request_id, "
    "client_address, details::text AS details, hash FROM audit_event "
    "WHERE tenant_id = $1 AND seq IS NOT NULL AND seq > $2 "
    "ORDER BY audit_event.seq LIMIT $3"
)
# PostgreSQL orders by `seq` alone: it is unique per tenant (`audit_event_seq_uq`), so the
# batch is read in the order of that index with no sort step; a repeated seq (an inserted
# record, were that index dropped) still comes next to its twin and is reported.


_CANONICAL_FIELDS = (
    "id",
    "tenant_id",
    "seq",
    "at",
    "user_id",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "request_id",
    "client_address",
    "details",
)


# -- the hash ---------------------------------------------------------------------------------


def _is_canonical_at(value: Any) -> bool:
    """`YYYY-MM-DDTHH:MM:SS.ffffff+00:00`: what `_at` returns, so nothing to convert."""
    return (
        isinstance(value, str)
        and len(value) == 32
        and value[10] == "T"
        and value[19] == "."
        and value.endswith("+00:00")
    )


def _at(value: Any) -> str:
    if _is_canonical_at(value):  # the verify query formats it so on PostgreSQL
        return str(value)
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.astimezone(UTC).isoformat(timespec="microseconds"))


def _details(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value) if value else {}
        except ValueError:
            return value
    return value if value is not None else {}


# Canonical forms of the `details` texts seen lately. A trail repeats a few shapes (the fields
# an update touched, a report's format and row count...), and parsing and re-serialising each
# was a tenth of verifying a million records. Bounded: emptied when full.
_DETAILS_CACHE: dict[str, str] = {}
_DETAILS_CACHE_SIZE = 4096


def _details_json(value: Any) -> str:
    if value is None or value == "{}" or value == {}:
        return "{}"
    if isinstance(value, str):
        cached = _DETAILS_CACHE.get(value)
        if cached is None:
            cached = json.dumps(
                _details(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False
            )
            if len(_DETAILS_CACHE) >= _DETAILS_CACHE_SIZE:
                _DETAILS_CACHE.clear()
            _DETAILS_CACHE[value] = cached
        return cached
    return json.dumps(_details(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(row: dict[str, Any]) -> str:
    """One record as stable text: the same bytes on SQLite and PostgreSQL, today and later.

    The bytes are those of `json.dumps` of the record's fields with sorted keys, compact
    separators and `ensure_ascii=False` (tests/core/audit/test_canonical.py holds that
    definition and compares). They are assembled field by field with the json module's C
    string encoder: verifying a million records spent most of its time in `json.dumps`.
    """
    enc = _encode
    user_id = row.get("user_id")
    action, client, object_id = row["action"], row["client_address"], row["object_id"]
    object_type, outcome, request_id = row["object_type"], row["outcome"], row["request_id"]
    # One f-string: a single allocation, where chained `+` built a dozen intermediate strings.
    return (
        f'{{"action":{"null" if action is None else enc(action)},'
        f'"at":{enc(_at(row["at"]))},'
        f'"client_address":{"null" if client is None else enc(client)},'
        f'"details":{_details_json(row.get("details"))},'
        f'"id":{enc(str(row["id"]))},'
        f'"object_id":{"null" if object_id is None else enc(object_id)},'
        f'"object_type":{"null" if object_type is None else enc(object_type)},'
        f'"outcome":{"null" if outcome is None else enc(outcome)},'
        f'"request_id":{"null" if request_id is None else enc(request_id)},'
        f'"seq":{int(row["seq"])},'
        f'"tenant_id":{enc(str(row["tenant_id"]))},'
        f'"user_id":{enc(str(user_id)) if user_id else "null"}}}'
    )


def link(prev_hash: str, row: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(row)).encode()).hexdigest()


# -- locking and the head ---------------------------------------------------------------------


def _lock_key(tenant_id: UUID) -> int:
    digest = hashlib.sha256(f"merimna.audit.chain:{tenant_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def _lock(tenant_id: UUID) -> None:
    """Serialise sequencers (and verify/prune) of one tenant across processes."""
    if db.is_postgres():
        await db.fetch("SELECT pg_advisory_xact_lock({})", _lock_key(tenant_id))
    # SQLite: the write transaction (IMMEDIATE + in-process lock) already serialises writers.


async def _head() -> dict[str, Any]:
    row = await AuditChain.select().first()
    if row is None:
        fresh = AuditChain(
            id=uuid4(), head_seq=0, head_hash="", base_seq=0, base_hash="", sealed_at=None
        )
        await AuditChain.insert(fresh)
        row = await AuditChain.select().first()
    if row is None:  # the insert above runs in this very transaction
        raise RuntimeError("audit chain head missing after insert")
    return dict(row)


# -- the sequencer ----------------------------------------------------------------------------


@dataclass
class SealResult:
    sealed: int = 0
    head_seq: int = 0
    head_hash: str = ""


async def seal(
    tenant_id: UUID,
    *,
    batch: int = SEAL_BATCH,
    checkpoint: bool = True,
    max_batches: int | None = None,
) -> SealResult:
    """Chain the tenant's unsealed records (all, or `max_batches` batches); checkpoint the head."""
    result = SealResult()
    batches = 0
    while True:
        count, head_seq, head_hash = await _seal_batch(tenant_id, batch)
        batches += 1
        result.sealed += count
        result.head_seq, result.head_hash = head_seq, head_hash
        if count < batch or (max_batches is not None and batches >= max_batches):
            break
    if checkpoint and result.sealed:
        # After the commit: a checkpoint must never name a seq that a rollback undid.
        checkpoints.append(tenant_id, result.head_seq, result.head_hash)
    return result


async def _seal_batch(tenant_id: UUID, batch: int) -> tuple[int, int, str]:
    with tenant_context(tenant_id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant_id)
            await _lock(tenant_id)
            head = await _head()
            rows = (
                await AuditEvent.select()
                .where(AuditEvent.seq.is_null())
                .order_by(AuditEvent.at, AuditEvent.id)
                .limit(batch)
                .output(load_json=True)
            )
            seq, digest = int(head["head_seq"]), str(head["head_hash"])
            for row in rows:
                seq += 1
                row["seq"] = seq
                digest = link(digest, row)
                await AuditEvent.update({AuditEvent.seq: seq, AuditEvent.hash: digest}).where(
                    AuditEvent.id == row["id"]
                )
            if rows:
                await AuditChain.update(
                    {
                        AuditChain.head_seq: seq,
                        AuditChain.head_hash: digest,
                        AuditChain.sealed_at: datetime.now(UTC),
                    }
                ).where(AuditChain.id == head["id"])
            return len(rows), seq, digest


# Opportunistic sealing on a read of the audit route.
_background: dict[UUID, asyncio.Task[Any]] = {}
OPPORTUNISTIC_BATCHES = 4


def _detached(coro: Any) -> asyncio.Task[Any]:
    # An empty context: no request transaction to join, no tenant until `seal` sets its own.
    return asyncio.get_running_loop().create_task(coro, context=contextvars.Context())


async def seal_on_read(tenant_id: UUID) -> None:
    """Called by the audit route before it reads; never fails the read.

    PostgreSQL: schedules a seal in the background (fire and forget, one per tenant and
    process). It runs on its own pooled connection and commits on its own, so the request
    never waits for a second connection (safe even with a pool of one).
    SQLite: seals a few batches right away, in a transaction of its own, before the request's
    deferred transaction has read anything: a background writer committing between the
    request's first read and its own audit write would make SQLite refuse that write
    ("database is locked"), while the single writer lock makes the inline seal safe.
    """
    if db.is_postgres():
        running = _background.get(tenant_id)
        if running is not None and not running.done():
            return
        task = _detached(_quiet_seal(tenant_id, None))
        _background[tenant_id] = task

        def forget(done: asyncio.Task[Any]) -> None:
            if _background.get(tenant_id) is done:
                del _background[tenant_id]

        task.add_done_callback(forget)
        return
    await _detached(_quiet_seal(tenant_id, OPPORTUNISTIC_BATCHES))


async def _quiet_seal(tenant_id: UUID, max_batches: int | None) -> None:
    try:
        await seal(tenant_id, max_batches=max_batches)
    except Exception:  # sealing later is harmless; failing a read is not
        log.exception("opportunistic audit seal failed")


async def drain() -> None:
    """Wait for scheduled background seals (tests, shutdown)."""
    while _background:
        await asyncio.gather(*list(_background.values()), return_exceptions=True)


# -- verification -----------------------------------------------------------------------------


@dataclass
class VerifyResult:
    records: int = 0
    first_seq: int | None = None
    head_seq: int = 0
    head_hash: str = ""
    base_seq: int = 0
    checkpoints_checked: int = 0
    unreadable_checkpoints: int = 0
    bad_seq: int | None = None
    problem: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem is None


class _Broken(Exception):
    def __init__(self, seq: int, problem: str) -> None:
        super().__init__(problem)
        self.seq = seq
        self.problem = problem


async def verify(tenant_id: UUID, *, seal_first: bool = True) -> VerifyResult:
    """Walk the tenant's chain from its base and compare it with the outside checkpoints.

    Detects an edited record (its hash no longer matches), an inserted, deleted or reordered
    record (a gap, a repeated seq or a broken link), a rewritten chain (a checkpoint's hash
    differs) and a truncated tail (a checkpoint or the head names a seq that is gone).
    """
    if seal_first:
        await seal(tenant_id)
    result = VerifyResult()
    points, result.unreadable_checkpoints = checkpoints.read(tenant_id)
    try:
        with tenant_context(tenant_id):
            async with db.transaction(write=False):
                await db.set_rls_tenant(tenant_id)
                await _lock(tenant_id)  # a consistent head: no sequencer moves it meanwhile
                await _walk(result, points)
    except _Broken as broken:
        result.bad_seq, result.problem = broken.seq, broken.problem
    return result


async def _verify_batch(after_seq: int, limit: int | None = None) -> list[Any]:
    """The next `limit` (a batch) records after `after_seq`, in the verify's transaction (the
    tenant and the advisory lock are already set by `verify`, through `db.fetch`)."""
    limit = limit or VERIFY_BATCH
    if db.is_postgres():
        txn = db.engine().current_transaction.get()
        if txn is None:
            raise RuntimeError("the verify walk runs inside verify's transaction")
        return list(
            await txn.connection.fetch(_VERIFY_SQL_PG, current_tenant_id(), after_seq, limit)
        )
    return await db.fetch(_VERIFY_SQL, current_tenant_id(), after_seq, limit)


def _next_batch(last_seq: int) -> Any:
    """The batch after one ending at `last_seq`, starting again *at* that seq: a record that
    repeats the last seq of a batch would otherwise fall between the two batches unseen."""
    return _verify_batch(last_seq - 1, VERIFY_BATCH + 1)


async def _walk_batches(
    result: VerifyResult,
    by_seq: dict[int, list[checkpoints.Checkpoint]],
    prev_seq: int,
    prev_hash: str,
) -> tuple[int, str]:
    """Check every record after the base, batch by batch. On PostgreSQL the next batch is
    requested before this one is hashed, and the hashing yields every 1000 records, so the
    database reads and sends the next records while Python hashes (one query in flight on
    the connection at a time; an abandoned one is cancelled). Returns the last seq and hash.

    Every batch after the first starts with the record that ended the previous one (checked
    already: skipped when it is that very record, same seq and hash); any other record with
    that seq is reported as inserted."""
    ahead: asyncio.Task[list[Any]] | None = None
    try:
        rows = await _verify_batch(prev_seq)
        limit, first = VERIFY_BATCH, 0
        while True:
            more = len(rows) == limit
            if more and db.is_postgres():
                ahead = asyncio.ensure_future(_next_batch(int(rows[-1]["seq"])))
            for n in range(first, len(rows)):
                row = rows[n]
                if ahead is not None and n % 1000 == 999:
                    await asyncio.sleep(0)
                seq = int(row["seq"])
                if seq == prev_seq:
                    raise _Broken(seq, "the same seq appears twice (an inserted record)")
                if seq != prev_seq + 1:
                    raise _Broken(prev_seq + 1, f"record missing (next present is seq {seq})")
                expected = link(prev_hash, row)
                if row["hash"] != expected:
                    raise _Broken(
                        seq, "the record does not match its hash (edited, inserted or moved)"
                    )
                for point in by_seq.get(seq, []):
                    if point.hash != expected:
                        raise _Broken(
                            seq,
                            f"differs from the checkpoint of {point.at} "
                            "(the chain was rewritten at or before this seq)",
                        )
                    result.checkpoints_checked += 1
                if result.first_seq is None:
                    result.first_seq = seq
                result.records += 1
                prev_seq, prev_hash = seq, expected
            if not more:
                return prev_seq, prev_hash
            if ahead is not None:
                rows, ahead = await ahead, None
            else:
                rows = await _next_batch(prev_seq)
            limit = VERIFY_BATCH + 1
            # The record that ended the last batch comes first again: skip it when it is
            # that record; a twin in its place fails the check above.
            first = (
                1
                if rows and int(rows[0]["seq"]) == prev_seq and rows[0]["hash"] == prev_hash
                else 0
            )
    finally:
        if ahead is not None:
            ahead.cancel()
            with contextlib.suppress(BaseException):
                await ahead


async def _walk(result: VerifyResult, points: list[checkpoints.Checkpoint]) -> None:
    head_row = await AuditChain.select().first()
    head = dict(head_row) if head_row else {}
    head_seq = int(head.get("head_seq") or 0)
    head_hash = str(head.get("head_hash") or "")
    base_seq = int(head.get("base_seq") or 0)
    base_hash = str(head.get("base_hash") or "")
    result.head_seq, result.head_hash, result.base_seq = head_seq, head_hash, base_seq

    by_seq: dict[int, list[checkpoints.Checkpoint]] = {}
    for point in points:
        by_seq.setdefault(point.seq, []).append(point)

    if base_seq:
        anchors = [p for p in by_seq.get(base_seq, []) if p.kind == "prune"]
        if not any(p.hash == base_hash for p in anchors):
            raise _Broken(base_seq, "the pruned base has no matching prune checkpoint")
        result.checkpoints_checked += 1

    if base_seq:
        below = await AuditEvent.count().where(
            AuditEvent.seq.is_not_null() & (AuditEvent.seq <= base_seq)
        )
        if below:
            raise _Broken(base_seq, "a record at or below the pruned base")

    prev_seq, prev_hash = base_seq, base_hash
    prev_seq, prev_hash = await _walk_batches(result, by_seq, prev_seq, prev_hash)

    for point in points:
        if point.seq > prev_seq:
            raise _Broken(
                prev_seq + 1,
                f"truncated: the checkpoint of {point.at} names seq "
                f"{point.seq}, the chain ends at seq {prev_seq}",
            )
    if prev_seq < head_seq:
        raise _Broken(
            prev_seq + 1, f"truncated: the head is seq {head_seq}, the chain ends at seq {prev_seq}"
        )
    if prev_seq > head_seq:
        raise _Broken(head_seq + 1, f"records beyond the head (seq {head_seq})")
    if prev_hash != head_hash:
        raise _Broken(prev_seq, "the head does not match the last record")


# -- pruning ----------------------------------------------------------------------------------


@dataclass
class PruneResult:
    deleted: int = 0
    base_seq: int = 0
    base_hash: str = ""


class ChainBroken(RuntimeError):
    """Pruning refused: deleting records of a broken chain would destroy the evidence."""

    def __init__(self, result: VerifyResult) -> None:
        super().__init__(f"audit chain broken at seq {result.bad_seq}: {result.problem}")
        self.result = result


async def prune(tenant_id: UUID, before: datetime) -> PruneResult:
    """Delete the chain's prefix older than `before`, keeping a verifiable base."""
    checked = await verify(tenant_id)
    if not checked.ok:
        raise ChainBroken(checked)
    with tenant_context(tenant_id):
        async with db.transaction(write=True):
            await db.set_rls_tenant(tenant_id)
            await _lock(tenant_id)
            head = await _head()
            base_seq = int(head["base_seq"])
            head_seq = int(head["head_seq"])
            first_kept = (
                await AuditEvent.select(AuditEvent.seq)
                .where(
                    AuditEvent.seq.is_not_null()
                    & (AuditEvent.seq > base_seq)
                    & (AuditEvent.at >= before)
                )
                .order_by(AuditEvent.seq)
                .first()
            )
            last = int(first_kept["seq"]) - 1 if first_kept else head_seq
            if last <= base_seq:
                return PruneResult(0, base_seq, str(head["base_hash"]))
            anchor = await AuditEvent.select(AuditEvent.hash).where(AuditEvent.seq == last).first()
            if anchor is None:  # verify passed under the same lock moments ago
                raise RuntimeError(f"audit record seq {last} vanished while pruning")
            anchor_hash = str(anchor["hash"])
            # Before the deletion commits: if it rolls back, the checkpoint is still true.
            checkpoints.append(tenant_id, last, anchor_hash, kind="prune")
            where = AuditEvent.seq.is_not_null() & (AuditEvent.seq <= last)
            deleted = await AuditEvent.count().where(where)
            await AuditEvent.delete().where(where)
            await AuditChain.update(
                {AuditChain.base_seq: last, AuditChain.base_hash: anchor_hash}
            ).where(AuditChain.id == head["id"])
            return PruneResult(int(deleted), last, anchor_hash)
