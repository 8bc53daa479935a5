"""`python -m bench import`: a CSV of N valid people imported by `merimna import beneficiaries`
into a new tenant, timed as users run it (issue 11: 100 k beneficiaries <= 30 s).

The file uses the API's field names, as the documentation asks; the people come from the
generator (Greek names, valid AMKA/AFM matching birth date and sex, phones, addresses,
categories), each AMKA unique.

Reported: wall seconds of the command, its CPU seconds (client), the CPU seconds of the
PostgreSQL server meanwhile when it runs on this machine (all its processes: an autovacuum
of an earlier load counts too, so let one finish before measuring), and the load average
before and after (the machine is shared: compare runs made in the same conditions).
"""

from __future__ import annotations

import contextlib
import csv
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HEADER = (
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "amka",
    "afm",
    "phone",
    "address.street",
    "address.number",
    "address.city",
    "address.postcode",
    "categories",
)


def write_csv(path: Path, rows: int, seed: int = 3) -> None:
    from bench.generate import make_people

    people = make_people(random.Random(seed), rows, date.today())
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for p in people:
            out.writerow(
                (
                    p["first_name"],
                    p["last_name"],
                    p["birth_date"].isoformat(),
                    p["sex"],
                    p["amka"],
                    p["afm"],
                    p["phone"],
                    p["address_street"],
                    p["address_number"],
                    p["address_city"],
                    p["address_postcode"],
                    ";".join(p["categories"]),
                )
            )


def _postmaster(database_url: str) -> int | None:
    """The PID of the PostgreSQL server behind the URL when it runs on this machine."""
    import asyncio

    import asyncpg

    async def backend_stat() -> str:
        conn = await asyncpg.connect(database_url)
        try:  # read while the backend runs: its parent is the postmaster
            pid = int(await conn.fetchval("SELECT pg_backend_pid()"))
            return Path(f"/proc/{pid}/stat").read_text()
        finally:
            await conn.close()

    try:
        stat = asyncio.run(backend_stat())
    except (OSError, ValueError):
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _server_cpu(postmaster: int | None) -> float | None:
    """CPU seconds of the server's processes so far: the postmaster's reaped children (every
    backend that has ended, the import's included) plus the ones still running."""
    if postmaster is None:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    try:
        fields = Path(f"/proc/{postmaster}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
        for child in Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split():
            with contextlib.suppress(OSError):
                child_fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(child_fields[11]) + int(child_fields[12])
    except OSError:
        return None
    return total / tick


def run_import(database_url: str, rows: int, data_dir: str) -> dict[str, Any]:
    env = os.environ | {"MERIMNA_DATABASE_URL": database_url, "MERIMNA_DATA_DIR": data_dir}
    slug = f"import-{int(time.time())}"
    path = Path(data_dir) / f"{slug}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(path, rows)
    cli = [sys.executable, "-m", "core.cli"]
    subprocess.run(
        [*cli, "tenants", "create", slug, "--name", "Δήμος Εισαγωγής"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    postmaster = _postmaster(database_url)
    load_before = os.getloadavg()[0]
    server_before = _server_cpu(postmaster)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    out = subprocess.run(
        [*cli, "import", "beneficiaries", "--tenant", slug, "--quiet", str(path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_after = _server_cpu(postmaster)
    path.unlink(missing_ok=True)
    return {
        "rows": rows,
        "import_seconds": round(wall, 2),
        "import_client_cpu_seconds": round(
            (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 2
        ),
        "server_cpu_seconds": (
            round(server_after - server_before, 2)
            if server_before is not None and server_after is not None
            else None
        ),
        "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
        "exit_status": out.returncode,
        "output": (out.stdout + out.stderr).strip().splitlines()[-3:],
    }
