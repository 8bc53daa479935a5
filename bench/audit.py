"""`python -m bench audit`: a tenant with a sealed audit chain of N records, then the time of
`merimna audit verify --tenant SLUG` (issue 11: a million records verified in <= 10 s).

The records are chained with the application's own `core.audit.chain.link` and written by COPY
as the superuser of the benchmark cluster (writing them through requests would take hours);
the head row and an outside checkpoint are written as the sequencer writes them, so verify
walks a chain it cannot tell from a real one. Verify itself runs as users run it: the CLI, a
process of its own, the app role under row-level security.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = ("read", "read", "read", "read", "update", "create", "export")


def chain_rows(tenant_id: UUID, count: int, start: datetime) -> tuple[list[tuple[Any, ...]], str]:
    """`count` sealed records (seq 1..count), as COPY tuples, and the head hash."""
    from core.audit.chain import link

    prev = ""
    rows = []
    user = uuid4()
    for seq in range(1, count + 1):
        row = {
            "id": uuid4(),
            "tenant_id": tenant_id,
            "seq": seq,
            "at": start + timedelta(seconds=seq),
            "user_id": user,
            "action": ACTIONS[seq % len(ACTIONS)],
            "object_type": "beneficiary",
            "object_id": str(uuid4()),
            "outcome": "ok",
            "request_id": f"r{seq:012d}",
            "client_address": "127.0.0.1",
            "details": {"fields": ["phone"]} if seq % 7 == 4 else {},
        }
        prev = link(prev, row)
        rows.append(
            (
                tenant_id,
                row["id"],
                row["at"],
                user,
                row["action"],
                row["object_type"],
                row["object_id"],
                row["outcome"],
                row["request_id"],
                row["client_address"],
                json.dumps(row["details"]),
                seq,
                prev,
            )
        )
    return rows, prev


async def _prepare(slug: str, count: int, admin_url: str) -> UUID:
    import asyncpg

    from core import db
    from core.audit import checkpoints
    from core.migrate import migrate_all
    from tenants.schemas import TenantCreate
    from tenants.services import create_tenant
    from tenants.tables import Tenant

    await db.start()
    try:
        await migrate_all()
        await create_tenant(TenantCreate(slug=slug, name="Δήμος Ελέγχου", name_en="Audit"))
        row = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
        assert row is not None
        tenant_id: UUID = row["id"]
    finally:
        await db.stop()
    rows, head = chain_rows(tenant_id, count, datetime.now(UTC) - timedelta(days=400))
    conn = await asyncpg.connect(admin_url)
    try:
        # The tenant's own records so far (onboarding) are replaced by the generated chain.
        await conn.execute("DELETE FROM audit_event WHERE tenant_id = $1", tenant_id)
        await conn.execute("DELETE FROM audit_chain WHERE tenant_id = $1", tenant_id)
        await conn.copy_records_to_table(
            "audit_event",
            records=rows,
            columns=(
                "tenant_id",
                "id",
                "at",
                "user_id",
                "action",
                "object_type",
                "object_id",
                "outcome",
                "request_id",
                "client_address",
                "details",
                "seq",
                "hash",
            ),
        )
        await conn.execute(
            "INSERT INTO audit_chain (tenant_id, id, head_seq, head_hash, base_seq, base_hash, "
            "sealed_at) VALUES ($1, $2, $3, $4, 0, '', now())",
            tenant_id,
            uuid4(),
            count,
            head,
        )
        await conn.execute("VACUUM ANALYZE audit_event")
    finally:
        await conn.close()
    checkpoints.append(tenant_id, count, head)
    return tenant_id


def _cluster_cpu(database_url: str) -> float | None:
    """CPU seconds used so far by the PostgreSQL cluster serving `database_url`, when it runs
    on this machine: its postmaster (with the children it has reaped, such as the verify's
    backend once it disconnected) and its live children. None when it cannot be found."""
    import urllib.parse

    port = str(urllib.parse.urlsplit(database_url).port or 5432)
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, list[str]] = {}
    postmaster = None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = fields
        if (
            cmdline[0].endswith(b"postgres")
            and b"-p" in cmdline
            and cmdline[cmdline.index(b"-p") + 1].decode() == port
        ):
            postmaster = int(entry.name)
    if postmaster is None:
        return None
    # Fields after the command: [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime.
    own = stats[postmaster]
    ticks = sum(int(own[i]) for i in (11, 12, 13, 14))
    ticks += sum(int(f[11]) + int(f[12]) for f in stats.values() if int(f[1]) == postmaster)
    return ticks / tick


def run_audit(database_url: str, admin_url: str, records: int, data_dir: str) -> dict[str, Any]:
    import asyncio

    env = os.environ | {"MERIMNA_DATABASE_URL": database_url, "MERIMNA_DATA_DIR": data_dir}
    os.environ.update(env)
    slug = f"audit-{int(time.time())}"
    t = time.perf_counter()
    asyncio.run(_prepare(slug, records, admin_url))
    prepared = time.perf_counter() - t
    load = os.getloadavg()[0]
    server_before = _cluster_cpu(database_url)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "core.cli", "audit", "verify", "--tenant", slug],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_after = _cluster_cpu(database_url)
    return {
        "records": records,
        "prepare_seconds": round(prepared, 1),
        "verify_seconds": round(wall, 2),
        "verify_cpu_seconds": round(
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2
        ),
        "server_cpu_seconds": (
            round(server_after - server_before, 2)
            if server_before is not None and server_after is not None
            else None
        ),
        "load_average_before": round(load, 1),
        "exit_status": out.returncode,
        "output": (out.stdout + out.stderr).strip().splitlines()[-3:],
    }


# -- the append: the same write with and without its audit row --------------------------------


async def _append_pairs(pairs: int, sealed: bool) -> dict[str, Any]:
    """`pairs` times the same write (a person's phone changed, as `PATCH` does), once alone
    and once with its audit event, each in a transaction of its own opened as the request
    middleware opens it (`db.transaction(tenant=...)`, the audit row travelling with COMMIT
    on PostgreSQL). The two kinds alternate, in a random order within each pair, so drifts
    of a shared machine fall on both; the figure is the difference of their medians and the
    median of the paired differences."""
    import random
    import statistics
    from types import SimpleNamespace

    from core import db
    from core.audit import chain
    from core.audit.writer import record
    from core.beneficiaries.tables import Beneficiary
    from core.migrate import migrate_all
    from tenants.schemas import TenantCreate
    from tenants.scoping import tenant_context
    from tenants.services import create_tenant
    from tenants.tables import Tenant

    await db.start()
    try:
        await migrate_all()
        slug = f"audit-append-{int(time.time())}"
        await create_tenant(TenantCreate(slug=slug, name="Δήμος Μέτρησης", name_en="Append"))
        row = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
        assert row is not None
        tenant_id: UUID = row["id"]
        person = uuid4()
        ctx = SimpleNamespace(user_id=uuid4(), request_id="bench-append", client="127.0.0.1")
        with tenant_context(tenant_id):
            async with db.transaction(write=True, tenant=tenant_id):
                await Beneficiary.insert(
                    Beneficiary(
                        id=person,
                        first_name="Μαρία",
                        last_name="Μέτρηση",
                        birth_date=datetime(1960, 1, 1).date(),
                        created_at=datetime.now(UTC),
                        updated_at=datetime.now(UTC),
                    )
                )

            async def write(n: int, audited: bool) -> float:
                t = time.perf_counter_ns()
                async with db.transaction(write=True, tenant=tenant_id):
                    await Beneficiary.update(
                        {Beneficiary.phone: f"+30210{n % 10_000_000:07d}"}
                    ).where(Beneficiary.id == person)
                    if audited:
                        await record(
                            ctx,  # type: ignore[arg-type]
                            "update",
                            "beneficiary",
                            person,
                            details={"fields": ["phone"]},
                        )
                return (time.perf_counter_ns() - t) / 1e6

            rng = random.Random(11)
            for n in range(200):  # warm-up: pool, prepared statements, caches
                await write(n, n % 2 == 0)
            plain: list[float] = []
            audited: list[float] = []
            for n in range(pairs):
                if rng.random() < 0.5:
                    plain.append(await write(2 * n, False))
                    audited.append(await write(2 * n + 1, True))
                else:
                    audited.append(await write(2 * n + 1, True))
                    plain.append(await write(2 * n, False))
        out: dict[str, Any] = {
            "engine": "postgresql" if db.is_postgres() else "sqlite",
            "pairs": pairs,
            "write_p50_ms": round(statistics.median(plain), 3),
            "write_audited_p50_ms": round(statistics.median(audited), 3),
            "write_p95_ms": round(sorted(plain)[int(0.95 * pairs)], 3),
            "write_audited_p95_ms": round(sorted(audited)[int(0.95 * pairs)], 3),
            "append_p50_ms": round(statistics.median(audited) - statistics.median(plain), 3),
            "append_paired_median_ms": round(
                statistics.median(a - p for a, p in zip(audited, plain, strict=True)), 3
            ),
        }
        if sealed:
            # The sequencer chains the rows later, off the request path; its cost per record.
            t = time.perf_counter()
            result = await chain.seal(tenant_id)
            seconds = time.perf_counter() - t
            out["sealed"] = result.sealed
            out["seal_ms_per_record"] = round(1000 * seconds / max(result.sealed, 1), 3)
        return out
    finally:
        await db.stop()


def run_append(database_url: str, pairs: int, data_dir: str, seal: bool = True) -> dict[str, Any]:
    """`python -m bench audit --append`: the audit append's cost on one write (target: at
    most 1 ms at p50), measured in this process against `database_url`."""
    import asyncio

    os.environ.update({"MERIMNA_DATABASE_URL": database_url, "MERIMNA_DATA_DIR": data_dir})
    load = os.getloadavg()[0]
    t = time.perf_counter()
    out = asyncio.run(_append_pairs(pairs, seal))
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    return out | {
        "seconds": round(time.perf_counter() - t, 1),
        "process_cpu_seconds": round(cpu.ru_utime + cpu.ru_stime, 1),
        "load_average_before": round(load, 1),
    }
