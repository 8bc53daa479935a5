"""Faults against real servers (issue 10 §8), pg tier only.

Each test starts its own PostgreSQL, Redis and `merimna serve` (a real process on a loopback
port), so stopping and restarting them never disturbs the session's shared servers.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.services import PostgresService, RedisService, free_port, start_postgres, start_redis

pytestmark = pytest.mark.pg

PASSWORD = "fault-Test-passw0rd-long"


@dataclass
class Deployment:
    pg: PostgresService
    redis: RedisService
    env: dict[str, str]
    base: str
    server: subprocess.Popen[bytes]
    token: str
    slug: str = "faults"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def api(self) -> str:
        return f"{self.base}/api/v1/t/{self.slug}"


def _merimna(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "core.cli", *args],
        env=env,
        input=stdin.encode() if stdin else None,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()[-800:]


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} never answered 200")


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    base_dir = tmp_path_factory.mktemp("faults")
    pg = start_postgres(base_dir / "pg")
    redis = start_redis(base_dir / "redis")
    env = {
        **os.environ,
        "MERIMNA_DATABASE_URL": pg.url,
        "MERIMNA_REDIS_URL": redis.url,
        "MERIMNA_DATA_DIR": str(base_dir / "data"),
        "MERIMNA_LOGIN_RATE_PER_ADDRESS": "5",
        "MERIMNA_LOGIN_RATE_PER_ACCOUNT": "5",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    _merimna(env, "migrate")
    _merimna(env, "tenants", "create", "faults", "--name", "Δήμος Βλαβών")
    _merimna(
        env,
        "users",
        "create",
        "--tenant",
        "faults",
        "--username",
        "fault-admin",
        "--role",
        "tenant_admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{url}/health")
        login = httpx.post(
            f"{url}/api/v1/auth/login",
            json={"username": "fault-admin", "password": PASSWORD},
            timeout=10,
        )
        assert login.status_code == 200, login.text
        yield Deployment(pg, redis, env, url, server, login.json()["access_token"])
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        redis.stop()
        pg.stop()


def _person(name: str) -> dict[str, Any]:
    return {"first_name": name, "last_name": "Βλάβης", "birth_date": "1960-05-05"}


def test_redis_stopped_mid_run_degrades_and_login_limits_hold(deployment: Deployment) -> None:
    d = deployment
    assert httpx.get(f"{d.api}/beneficiaries", headers=d.headers, timeout=10).status_code == 200
    d.redis.stop_server()
    try:
        ready = httpx.get(f"{d.base}/ready", timeout=10)
        assert ready.status_code == 200
        assert ready.json()["cache"]["state"] == "unavailable"
        assert ready.json()["warnings"]
        listed = httpx.get(f"{d.api}/beneficiaries", headers=d.headers, timeout=10)
        assert listed.status_code == 200
        created = httpx.post(
            f"{d.api}/beneficiaries", json=_person("Ρέντις"), headers=d.headers, timeout=10
        )
        assert created.status_code == 201, created.text
        # Login throttling falls back to the process: a guessing run is still cut off.
        statuses = [
            httpx.post(
                f"{d.base}/api/v1/auth/login",
                json={"username": "fault-admin", "password": f"wrong-{i}"},
                timeout=10,
            ).status_code
            for i in range(8)
        ]
        assert statuses[0] == 401
        assert 429 in statuses, statuses
    finally:
        d.redis.start_server()
    deadline = time.monotonic() + 30
    state = ""
    while time.monotonic() < deadline and state != "ok":
        state = httpx.get(f"{d.base}/ready", timeout=10).json()["cache"]["state"]
        time.sleep(0.3)
    assert state == "ok"  # Redis is back in use without restarting the app


def test_postgres_restart_fails_fast_with_503_and_recovers(deployment: Deployment) -> None:
    d = deployment
    assert httpx.get(f"{d.api}/beneficiaries", headers=d.headers, timeout=10).status_code == 200
    d.pg.stop_server()
    try:
        down = httpx.get(f"{d.api}/beneficiaries", headers=d.headers, timeout=20)
        assert down.status_code == 503, down.text
        assert down.json()["code"] == "service_unavailable"
        ready = httpx.get(f"{d.base}/ready", timeout=20)
        assert ready.status_code == 503
    finally:
        d.pg.start_server()
    # The same server process recovers: no restart of the app.
    deadline = time.monotonic() + 60
    status = 0
    while time.monotonic() < deadline:
        status = httpx.get(f"{d.api}/beneficiaries", headers=d.headers, timeout=10).status_code
        if status == 200:
            break
        time.sleep(0.3)
    assert status == 200
    assert d.server.poll() is None
    created = httpx.post(
        f"{d.api}/beneficiaries", json=_person("Ανάκαμψη"), headers=d.headers, timeout=10
    )
    assert created.status_code == 201, created.text


def _count(d: Deployment, last_name: str) -> int:
    out = d.pg.psql(
        f"SELECT count(*) FROM beneficiary WHERE last_name = '{last_name}'", database="merimna"
    )
    return int(out.strip().splitlines()[-1].strip() if out.strip() else 0)


def test_a_killed_import_leaves_nothing_half_written(
    deployment: Deployment, tmp_path: Path
) -> None:
    d = deployment
    rows = ["first_name,last_name,birth_date"]
    # Enough rows that the import is still inside its transaction when it is killed (it
    # inserts thousands of rows a second since issue 11's round 4).
    rows += [f"Όνομα{chr(945 + i % 20)},Διακοπής,1970-01-{1 + i % 28:02d}" for i in range(40000)]
    csv = tmp_path / "people.csv"
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    importer = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "import", "beneficiaries", "--tenant", d.slug, str(csv)],
        env=d.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Kill it while its transaction is open and has written (uncommitted) rows.
    deadline = time.monotonic() + 60
    seen_open = False
    while time.monotonic() < deadline and importer.poll() is None:
        out = d.pg.psql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = 'merimna' "
            "AND xact_start IS NOT NULL AND query ILIKE '%beneficiary%' "
            "AND pid <> pg_backend_pid()",
            database="postgres",
        )
        if int(out.strip().splitlines()[-1].strip() or 0) > 0:
            seen_open = True
            time.sleep(0.3)  # let it write a few hundred rows first
            importer.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    importer.wait(timeout=30)
    assert seen_open, "the import finished before it could be killed: give it more rows"
    assert importer.returncode == -signal.SIGKILL, "it finished before the kill: more rows"
    time.sleep(0.5)  # PostgreSQL notices the dropped connection and rolls back
    assert _count(d, "Διακοπής") == 0
