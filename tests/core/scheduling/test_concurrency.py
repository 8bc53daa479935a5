"""Double booking under concurrency: many simultaneous requests for overlapping times.

On PostgreSQL against a live server with two worker processes (the exclusion constraint is
what stops the race: each request's own check sees no conflict yet); on both tiers through
the in-process app (SQLite serialises the check and the insert in its write transaction).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.core.scheduling.helpers import (
    MONDAY,
    at,
    booking,
    count_appointments,
    in_tenant,
    make_person,
    make_world,
    participant_rows,
)

ROOT = Path(__file__).resolve().parents[3]
CONTENDERS = 12


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _bodies(world: Any, people: list[Any]) -> list[dict[str, Any]]:
    """Twelve bookings of the same staff member at overlapping times (10:00-11:00 shifted by
    0..55 minutes), each with a different beneficiary: every pair overlaps."""
    out = []
    for i, person in enumerate(people):
        minute = (i * 5) % 60
        out.append(
            booking(
                world,
                start=f"10:{minute:02d}",
                end=f"11:{minute:02d}",
                beneficiary_id=str(person),
            )
        )
    return out


async def _race(http: Any, url: str, headers: dict[str, str], bodies: list[Any]) -> list[Any]:
    return list(await asyncio.gather(*(http.post(url, json=b, headers=headers) for b in bodies)))


def _check(responses: list[Any], log: str = "") -> dict[str, Any]:
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (CONTENDERS - 1), ([r.text for r in responses], log)
    winner = next(r.json() for r in responses if r.status_code == 201)
    for r in responses:
        if r.status_code == 409:
            assert r.json()["code"] == "conflict"
    return winner


async def test_concurrent_overlapping_bookings_in_process(client: Any) -> None:
    world = await make_world(client)
    people = [await make_person(client, world.tenant, world.worker) for _ in range(CONTENDERS)]
    responses = await _race(
        client, f"{world.api}/appointments", world.worker.headers, _bodies(world, people)
    )
    _check(responses)
    assert await count_appointments(world.tenant.id) == 1
    assert await participant_rows(world.tenant.id) == 2


@pytest.mark.pg
async def test_concurrent_overlapping_bookings_on_a_live_server(
    client: Any, tmp_path: Path
) -> None:
    world = await make_world(client)
    people = [await make_person(client, world.tenant, world.worker) for _ in range(CONTENDERS)]
    port = _port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    log = (tmp_path / "server.log").open("w+b")
    server = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )

    def tail() -> str:
        log.flush()
        return (tmp_path / "server.log").read_text(errors="replace")[-3000:]

    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            deadline = time.monotonic() + 45
            while True:
                assert server.poll() is None, tail()
                try:
                    if (await http.get("/ready")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert time.monotonic() < deadline, f"the server did not start:\n{tail()}"
                await asyncio.sleep(0.2)
            # Both workers warm (a pool each) before the race.
            for _ in range(4):
                await http.get(f"{world.api}/services", headers=world.worker.headers)
            responses = await _race(
                http, f"{world.api}/appointments", world.worker.headers, _bodies(world, people)
            )
            # On failure the server's log says why (a 500's body deliberately does not).
            winner = _check(
                responses, tail() if any(r.status_code >= 500 for r in responses) else ""
            )
            # The losers name the appointment that won.
            for r in responses:
                if r.status_code == 409:
                    ids = {x.get("appointment_id") for x in r.json()["refusals"]}
                    assert ids == {winner["id"]}, r.text
            # A touching booking right after the winner is fine.
            after = await http.post(
                f"{world.api}/appointments",
                json=booking(world, start=winner["end_local"][11:16], end="13:30"),
                headers=world.worker.headers,
            )
            assert after.status_code == 201, after.text
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    assert await count_appointments(world.tenant.id) == 2
    assert await participant_rows(world.tenant.id) == 4
    assert at(MONDAY, "10:00")  # the week used is a working one (helpers.MONDAY)


@pytest.mark.pg
async def test_a_deadlock_between_bookers_is_retried_not_a_500(client: Any) -> None:
    """PostgreSQL may abort one of two simultaneous exclusion-constraint writes with 40P01 (two
    moves of overlapping appointments); the write retries from its savepoint instead of
    failing the request. (Bookings insert with ON CONFLICT DO NOTHING, which waits instead.)"""
    import asyncpg

    from core import db
    from core.scheduling.services import _guarded
    from tenants.scoping import tenant_context

    world = await make_world(client)
    attempts = 0

    async def write(fail_times: int) -> None:
        nonlocal attempts
        attempts += 1
        await db.fetch("SELECT 1")  # real work on the connection before the failure
        if attempts <= fail_times:
            raise asyncpg.exceptions.DeadlockDetectedError("deadlock detected")

    start = datetime.fromisoformat(at(MONDAY, "10:00"))
    with tenant_context(world.tenant.id):
        async with db.transaction():
            await _guarded(lambda: write(2), people=[world.staff], start=start, end=start)
    assert attempts == 3
    attempts = 0
    with tenant_context(world.tenant.id), pytest.raises(asyncpg.exceptions.DeadlockDetectedError):
        async with db.transaction():
            await _guarded(lambda: write(99), people=[world.staff], start=start, end=start)
    assert attempts == 4  # the first try and three retries, then the error surfaces


@pytest.mark.pg
async def test_a_booking_that_loses_the_race_in_the_database_is_a_409_naming_the_winner(
    client: Any,
) -> None:
    """The path the rules cannot see: another transaction has booked the same staff member
    but not committed when this booking reads its facts. The participants' insert waits for
    it, skips the refused row (ON CONFLICT DO NOTHING), takes back what it wrote and answers
    409 naming the winner; the roll-up of the reports counts one appointment."""
    from core import db
    from core.scheduling import services
    from core.scheduling.schemas import AppointmentCreate
    from tenants.scoping import tenant_context

    world = await make_world(client)
    rival = await make_person(client, world.tenant, world.worker)
    actor = await services.system_actor(world.tenant.slug)
    holding = asyncio.Event()
    release = asyncio.Event()

    async def winner() -> dict[str, Any]:
        with tenant_context(world.tenant.id):
            async with db.transaction(tenant=world.tenant.id):
                out = await services.create_appointment(
                    actor, AppointmentCreate.model_validate(booking(world))
                )
                holding.set()
                await release.wait()  # not committed until the loser is waiting on it
                return out

    async def waiting_on_a_lock() -> bool:
        rows = await db.fetch(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = {}", "Lock"
        )
        return int(rows[0]["n"]) > 0

    first = asyncio.create_task(winner())
    await asyncio.wait_for(holding.wait(), 10)
    body = booking(world, start="10:30", end="11:30", beneficiary_id=str(rival))
    second = asyncio.create_task(
        client.post(f"{world.api}/appointments", json=body, headers=world.worker.headers)
    )
    for _ in range(200):
        if await waiting_on_a_lock():
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the second booking never waited for the first")
    release.set()
    won = await first
    lost = await second
    assert lost.status_code == 409, lost.text
    assert lost.json()["code"] == "conflict"
    assert lost.json()["appointment_id"] == str(won["id"])
    assert await count_appointments(world.tenant.id) == 1
    assert await participant_rows(world.tenant.id) == 2
    async with in_tenant(world.tenant.id):
        rows = await db.fetch(
            "SELECT sum(appointments) AS n FROM appointment_month_count WHERE tenant_id = {}",
            world.tenant.id,
        )
    assert int(rows[0]["n"]) == 1
