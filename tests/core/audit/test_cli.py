"""`merimna audit verify|seal|prune`, run as real processes (own event loop, own pool)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from core.audit.tables import AuditEvent, PlatformAuditEvent
from core.testing import make_tenant
from tests.core.audit.helpers import add_events, as_tenant, sealed_rows
from tests.tenants.helpers import ROOT, failed_with_one_line, merimna, ok


def _start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from core.cli import main; main()", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def test_seal_from_two_processes_then_verify_and_detect_an_edit(client: Any) -> None:
    tenant = await make_tenant(prefix="audit-cli")
    await add_events(tenant.id, 60)
    # Two sequencers at once, in separate processes: one chain, no seq twice.
    procs = [_start("audit", "seal", "--tenant", tenant.slug) for _ in range(2)]
    outputs = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert [r["seq"] for r in await sealed_rows(tenant.id)] == list(range(1, 61))

    out = ok(merimna("audit", "verify", "--tenant", tenant.slug))
    assert f"audit chain of {tenant.slug} intact: 60 records (seq 1..60)" in out

    async with as_tenant(tenant.id):
        await AuditEvent.update({AuditEvent.action: "read"}).where(AuditEvent.seq == 17)
        await AuditEvent.update({AuditEvent.action: "export"}).where(AuditEvent.seq == 17)
    line = failed_with_one_line(
        merimna("audit", "verify", "--tenant", tenant.slug), "broken at seq 17"
    )
    assert tenant.slug in line

    failed_with_one_line(merimna("audit", "verify", "--tenant", "no-such-tenant"), "unknown")
    missing = merimna("audit", "verify")
    assert missing.returncode != 0 and "--tenant" in missing.stderr


async def test_prune_from_the_command_line_keeps_the_chain_verifiable(client: Any) -> None:
    from datetime import UTC, datetime

    tenant = await make_tenant(prefix="audit-cli")
    await add_events(tenant.id, 3, at=datetime(2019, 6, 1, tzinfo=UTC))
    await add_events(tenant.id, 2)
    failed_with_one_line(
        merimna("audit", "prune", "--tenant", tenant.slug, "--before", "last year"), "--before"
    )
    out = ok(merimna("audit", "prune", "--tenant", tenant.slug, "--before", "2020-01-01"))
    assert "pruned 3 records" in out and "after seq 3" in out
    assert [r["seq"] for r in await sealed_rows(tenant.id)] == [4, 5]
    event = (
        await PlatformAuditEvent.select()
        .where(
            (PlatformAuditEvent.tenant_id == tenant.id)
            & (PlatformAuditEvent.action == "audit.prune")
        )
        .first()
        .output(load_json=True)
    )
    assert event is not None and event["details"]["deleted"] == 3
    out = ok(merimna("audit", "verify", "--tenant", tenant.slug))
    assert "2 records (seq 4..5, pruned up to seq 3)" in out
