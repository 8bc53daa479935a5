"""Checkpoints of each tenant's audit chain head, kept outside the database.

Someone who can write to the database can rewrite the whole chain (the hash is not keyed) or
cut its tail off and move the head back. A checkpoint (tenant, seq, hash, time) appended to a
file the database cannot reach turns both into detectable tampering: `verify` fails when a
checkpointed seq is gone (truncation) or carries another hash (rewrite).

Where: one append-only JSON-lines file per tenant, `<dir>/<tenant id>.jsonl`, where `<dir>` is
`MERIMNA_AUDIT_CHECKPOINT_DIR` if set, otherwise `MERIMNA_DATA_DIR/audit-checkpoints`. In
production put it on storage the database role cannot write (another volume, a WORM bucket
synced by the operator, or a log shipper reading the file).

Kinds: `seal` (written after a sequencer batch committed) and `prune` (written *before* the
pruning transaction commits, so a crash never leaves a pruned chain without its anchor; if the
transaction rolls back, the checkpoint still describes a record that exists).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID

from core.settings import get_settings

ENV_DIR = "MERIMNA_AUDIT_CHECKPOINT_DIR"


@dataclass(frozen=True)
class Checkpoint:
    tenant_id: UUID
    seq: int
    hash: str
    at: str
    kind: str  # seal | prune


def checkpoint_dir() -> Path:
    configured = os.environ.get(ENV_DIR, "").strip()
    if configured:
        return Path(configured)
    return Path(get_settings().data_dir) / "audit-checkpoints"


def checkpoint_file(tenant_id: UUID) -> Path:
    return checkpoint_dir() / f"{tenant_id}.jsonl"


def append(tenant_id: UUID, seq: int, hash_: str, *, kind: str = "seal") -> Checkpoint:
    """Append one line and fsync it: a checkpoint that may be lost protects nothing."""
    point = Checkpoint(tenant_id, seq, hash_, datetime.now(UTC).isoformat(), kind)
    path = checkpoint_file(tenant_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {
            "tenant_id": str(tenant_id),
            "seq": seq,
            "hash": hash_,
            "at": point.at,
            "kind": kind,
        },
        separators=(",", ":"),
    )
    # O_APPEND: concurrent writers (several processes sealing) never interleave a short line.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (line + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    return point


def read(tenant_id: UUID) -> tuple[list[Checkpoint], int]:
    """Every checkpoint of the tenant, and how many lines could not be read."""
    path = checkpoint_file(tenant_id)
    if not path.exists():
        return [], 0
    points: list[Checkpoint] = []
    unreadable = 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                point = Checkpoint(
                    UUID(data["tenant_id"]),
                    int(data["seq"]),
                    str(data["hash"]),
                    str(data.get("at", "")),
                    str(data.get("kind", "seal")),
                )
            except (ValueError, KeyError, TypeError):
                unreadable += 1  # e.g. a line cut short by a crash while writing
                continue
            if point.tenant_id == tenant_id:
                points.append(point)
    return points, unreadable
