"""Test tiers: `--tier sqlite` (embedded default) and `--tier pg` (PostgreSQL + Redis).

The service tier starts throwaway servers on loopback before anything imports the database
engine, and writes a marker when it passed, so `scripts/test.sh` can fail a run in which the
service suite silently did not happen.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

_state: dict[str, Any] = {}


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """One event loop for the whole session: the database pool lives in it."""
    return "asyncio"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--tier",
        choices=["sqlite", "pg"],
        default="sqlite",
        help="sqlite: embedded default; pg: real PostgreSQL + Redis on loopback",
    )


def pytest_configure(config: pytest.Config) -> None:
    tier = config.getoption("--tier")
    base = Path(tempfile.mkdtemp(prefix=f"merimna-{tier}-"))
    _state.update(tier=tier, base=base)
    os.environ["MERIMNA_ENV"] = "development"
    os.environ["MERIMNA_DATA_DIR"] = str(base / "data")
    os.environ["MERIMNA_LOGIN_RATE_PER_ADDRESS"] = "100000"
    if tier == "pg":
        from tests.services import start_postgres, start_redis

        pg = start_postgres(base)
        redis = start_redis(base)
        _state.update(pg=pg, redis=redis)
        os.environ["MERIMNA_DATABASE_URL"] = pg.url
        os.environ["MERIMNA_REDIS_URL"] = redis.url
    else:
        os.environ["MERIMNA_DATABASE_URL"] = f"sqlite:///{base / 'test.sqlite'}"
        os.environ.pop("MERIMNA_REDIS_URL", None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tier = config.getoption("--tier")
    keep, drop = [], []
    for item in items:
        if tier == "sqlite" and item.get_closest_marker("pg"):
            drop.append(item)  # needs the real servers: runs in the pg tier, never skipped
        elif tier == "pg" and item.get_closest_marker("sqlite"):
            drop.append(item)  # brings its own database (a subprocess): once is enough
        elif item.get_closest_marker("browser") and tier != "pg":
            drop.append(item)
        else:
            keep.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _state.get("tier") == "pg" and exitstatus == 0 and session.testscollected:
        marker_dir = Path(os.environ.get("MERIMNA_TIER_MARKER_DIR", ".test-tiers"))
        marker_dir.mkdir(parents=True, exist_ok=True)
        (marker_dir / "pg.ok").write_text(f"{session.testscollected} tests\n")


def pytest_unconfigure(config: pytest.Config) -> None:
    for name in ("redis", "pg"):
        service = _state.pop(name, None)
        if service is not None:
            service.stop()
    base = _state.get("base")
    if base:
        shutil.rmtree(base, ignore_errors=True)
