"""`python -m bench sqlite-search`: the embedded tier at 100 k people (issue 11: "on SQLite
with 100 k beneficiaries: search p99 <= 20 ms for one user").

Seeds a SQLite file with the generator (the application's bulk path: `executemany` in one
transaction per tenant), serves it with `merimna serve --workers 1` (SQLite allows one writer;
the embedded deployment is one process), and replays the three searches of the PostgreSQL run
(Greek prefix, Latin prefix, AMKA) from one connection with wrk, then two more shapes: the
shortest input a search takes (2 letters, answered from the prefix buckets) and a full name
(surname and first name: two words, every one of which must match).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.cli import _log
from bench.runner import ROOT, _free_port, _login, _wait_http, wrk


def sample(path: Path, prefix: str) -> tuple[str, list[dict[str, Any]]]:
    """The largest tenant's slug and 400 of its seeded people."""
    con = sqlite3.connect(path)
    try:
        con.row_factory = sqlite3.Row
        slug, tenant_id = con.execute(
            "SELECT t.slug, t.id FROM tenant t JOIN beneficiary b ON b.tenant_id = t.id "
            "WHERE t.slug LIKE ? GROUP BY t.id ORDER BY count(*) DESC LIMIT 1",
            (f"{prefix}%",),
        ).fetchone()
        people = con.execute(
            "SELECT id, last_name, first_name, latin_last_name, amka FROM beneficiary "
            "WHERE tenant_id = ? AND created_by IS NULL ORDER BY id LIMIT 400",
            (tenant_id,),
        ).fetchall()
        return slug, [dict(p) for p in people]
    finally:
        con.close()


def run_sqlite_search(
    beneficiaries: int, tenants: int, duration: int, keep: str = ""
) -> dict[str, Any]:
    base_dir = Path(tempfile.mkdtemp(prefix="merimna-bench-sqlite-"))
    db_path = Path(keep) if keep else base_dir / "bench.sqlite"
    env = os.environ | {
        "MERIMNA_DATABASE_URL": f"sqlite:///{db_path}",
        "MERIMNA_DATA_DIR": str(base_dir / "data"),
        "MERIMNA_LOGIN_RATE_PER_ADDRESS": "1000000000",
        "MERIMNA_LOGIN_RATE_PER_ACCOUNT": "1000000000",
        "MERIMNA_ENV": "development",
    }
    env.pop("MERIMNA_REDIS_URL", None)
    result: dict[str, Any] = {"beneficiaries": beneficiaries, "tenants": tenants}
    server: subprocess.Popen[bytes] | None = None
    try:
        if not db_path.exists():
            t = time.perf_counter()
            argv = [sys.executable, "-m", "bench", "seed", "--tenants", str(tenants)]
            argv += ["--beneficiaries", str(beneficiaries), "--appointments", "0", "--prefix", "s"]
            subprocess.run(argv, env=env, cwd=ROOT, check=True)
            result["seed_seconds"] = round(time.perf_counter() - t, 1)
        slug, people = sample(db_path, "s")
        port = _free_port()
        merimna = shutil.which("merimna") or "merimna"
        server = subprocess.Popen(
            [merimna, "serve", "--workers", "1", "--port", str(port)], env=env, cwd=ROOT
        )
        base = f"http://127.0.0.1:{port}"
        _wait_http(f"{base}/health")
        token = _login(base, "bench", "bench-password")
        api = f"/api/v1/t/{slug}/beneficiaries"
        searches = {
            "search_greek": [
                f"GET\t{api}?q={urllib.parse.quote(p['last_name'][:5])}&limit=20" for p in people
            ],
            "search_latin": [
                f"GET\t{api}?q={urllib.parse.quote(p['latin_last_name'][:6].lower())}&limit=20"
                for p in people
            ],
            "search_amka": [f"GET\t{api}?q={p['amka']}" for p in people],
            "search_short": [
                f"GET\t{api}?q={urllib.parse.quote(p['last_name'][:2])}&limit=20" for p in people
            ],
            "search_full": [
                f"GET\t{api}?q={urllib.parse.quote(p['last_name'] + ' ' + p['first_name'])}"
                "&limit=20"
                for p in people
            ],
        }
        result["largest"] = slug
        for name, lines in searches.items():
            result[name] = wrk(base, lines, token=token, seconds=duration, connections=1, threads=1)
            _log(f"sqlite {name}: {json.dumps(result[name])}")
        return result
    finally:
        if server is not None:
            server.terminate()
            server.wait(15)
        shutil.rmtree(base_dir, ignore_errors=True)
