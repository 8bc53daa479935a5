"""`python -m bench run`: one scale, one run, every figure next to its floors.

Steps: start PostgreSQL + Redis (tests/services.py) in a temp dir, seed, start
`merimna serve --workers N` and the floor app on the same settings, sample ids per tenant,
measure the database floor (asyncpg loop), then each scenario with wrk + bench/lua/requests.lua.
Raw outputs go to bench/results/raw/<stamp>.json; a markdown table is printed for RESULTS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from bench.cli import RAW, _log, tenants_note
from bench.generate import fit_tenants

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "lua" / "requests.lua"
RESULTS = Path(__file__).resolve().parent / "results"
ATHENS = ZoneInfo("Europe/Athens")


def bench_server_settings(mem_bytes: int | None = None) -> dict[str, str]:
    """A production-like PostgreSQL for the benchmark, sized from this machine's memory.

    The test suite's server (tests/services.py) keeps PostgreSQL's defaults, 128 MB of
    shared buffers, which are right for many small databases. At 1 M people the tables and
    indexes are several GB, and the exclusion constraint's GiST index alone 2 GB: with 128 MB
    every insert and probe of it went through the OS cache (895 s of CPU for the constraint
    at 10 M participants; 362 s with 4 GB). The usual production starting point is a quarter
    of the memory for shared buffers, the page cache counted on for half, a maintenance
    budget for index builds, and checkpoints spaced out for bulk writes."""
    if mem_bytes is None:
        kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal:")
        )
        mem_bytes = kib * 1024
    gib = mem_bytes / 2**30
    return {
        "shared_buffers": f"{max(128, int(gib * 1024 / 4))}MB",
        "effective_cache_size": f"{max(512, int(gib * 1024 / 2))}MB",
        "maintenance_work_mem": f"{min(2048, max(64, int(gib * 1024 / 16)))}MB",
        "max_parallel_maintenance_workers": "0",  # two cores: the seeder runs two builds
        "checkpoint_timeout": "30min",
        "max_wal_size": "16GB",
        "wal_buffers": "64MB",
    }


def _free_port() -> int:
    from tests.services import free_port

    return free_port()


def _wait_http(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
                last = f"status {r.status}"
        except OSError as exc:
            last = repr(exc)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {timeout}s (last: {last})")
        time.sleep(0.3)


def _login(base: str, username: str, password: str) -> str:
    body = json.dumps({"username": username, "password": password}).encode()
    req = urllib.request.Request(
        f"{base}/api/v1/auth/login", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        return str(json.loads(r.read())["access_token"])


def wrk(
    base: str, requests: list[str], *, token: str, seconds: int, connections: int, threads: int = 2
) -> dict[str, Any]:
    """Run wrk over `requests` (METHOD\\tPATH\\tBODY lines); returns the parsed JSON line."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(requests) + "\n")
        path = f.name
    env = os.environ | {
        "BENCH_REQUESTS": path,
        "BENCH_TOKEN": token,
        "BENCH_THREADS": str(threads),
    }
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    argv += ["--timeout", "10s", "-s", str(LUA), base]
    out = subprocess.run(
        argv, env=env, capture_output=True, text=True, check=False, timeout=seconds + 60
    )
    os.unlink(path)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            result: dict[str, Any] = json.loads(line[len("BENCH_JSON ") :])
            return result
    raise RuntimeError(f"wrk gave no result: {out.stdout}\n{out.stderr}")


async def sample(url: str, tenants: int, prefix: str) -> dict[str, Any]:
    """Ids and names per tenant (largest first), read as the app role with RLS set.

    Only seeded people are sampled (`created_by IS NULL`): the `create` and `mixed` scenarios
    of earlier runs add people named `Δοκιμή…`/`Μικτός…` through the API (with a creator),
    and a search for their shared prefix would match thousands, so runs would not compare.
    Called before any scenario writes. Also returns, per tenant, the end of its latest
    appointment: the booking scenarios book after it, so every run books fresh slots.
    """
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT id, slug FROM tenant WHERE slug ~ $1 ORDER BY slug", f"^{prefix}[0-9]{{3}}$"
        )
        out: dict[str, Any] = {}
        for row in rows[:tenants]:
            async with conn.transaction():
                await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(row["id"]))
                people = await conn.fetch(
                    "SELECT id, last_name, latin_last_name, amka FROM beneficiary "
                    "WHERE created_by IS NULL ORDER BY id LIMIT 400"
                )
                staff = await conn.fetch("SELECT id FROM staff_member ORDER BY id")
                latest = await conn.fetchval(
                    "SELECT end_at FROM appointment WHERE tenant_id = $1 "
                    "ORDER BY end_at DESC LIMIT 1",
                    row["id"],
                )
            out[row["slug"]] = {
                "tenant_id": str(row["id"]),
                "people": [dict(p) | {"id": str(p["id"])} for p in people],
                "staff": [str(s["id"]) for s in staff],
                "latest_end": latest.isoformat() if latest else None,
            }
        return out
    finally:
        await conn.close()


async def count_tenants(url: str, prefix: str) -> int:
    """How many tenants of the seeded consortium the database holds (a small scale seeds
    fewer than asked: `bench.generate.fit_tenants`)."""
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM tenant WHERE slug ~ $1", f"^{prefix}[0-9]{{3}}$"
            )
        )
    finally:
        await conn.close()


async def db_floor(
    admin_url: str, tenant_id: str, ids: list[str], seconds: float = 3.0
) -> dict[str, Any]:
    """The same primary-key SELECT as the floor app, one connection, tight loop."""
    import asyncpg

    from bench.floor_app import READ_SQL

    conn = await asyncpg.connect(admin_url)
    try:
        stmt = await conn.prepare(READ_SQL)
        from uuid import UUID

        tid = UUID(tenant_id)
        uids = [UUID(i) for i in ids]
        lat: list[float] = []
        end = time.perf_counter() + seconds
        i = 0
        while time.perf_counter() < end:
            t = time.perf_counter()
            await stmt.fetchrow(tid, uids[i % len(uids)])
            lat.append(time.perf_counter() - t)
            i += 1
        lat.sort()
        return {
            "rps": len(lat) / seconds,
            "p50_us": int(lat[len(lat) // 2] * 1e6),
            "p99_us": int(lat[int(len(lat) * 0.99)] * 1e6),
        }
    finally:
        await conn.close()


def open_days(after: date) -> Iterator[date]:
    """Working days after `after`: Monday to Friday, never a Greek public holiday or half-day
    (the library's calendar the booking rules use: Orthodox Easter, Clean Monday, Whit Monday
    and the fixed days included)."""
    from core.scheduling.days import national_days

    day = after
    while True:
        day += timedelta(days=1)
        if day.weekday() >= 5:
            continue
        if any(d.day == day for d in national_days(day.year)):
            continue
        yield day


def fresh_slots(after: date, per_day: int = 10) -> Iterator[tuple[str, str]]:
    """Half-hour slots 09:00-14:00 Athens time on the open days after `after`."""
    for day in open_days(after):
        for s in range(per_day):
            start = datetime(day.year, day.month, day.day, 9, 0, tzinfo=ATHENS) + timedelta(
                minutes=30 * s
            )
            yield start.isoformat(), (start + timedelta(minutes=30)).isoformat()


def booking_start(tenant: dict[str, Any]) -> date:
    """The day after the tenant's latest appointment (seeded or booked by an earlier run),
    and at least 60 days ahead: every run books slots nobody has booked yet."""
    floor = date.today() + timedelta(days=60)
    latest = tenant.get("latest_end")
    if not latest:
        return floor
    return max(floor, datetime.fromisoformat(latest).astimezone(ATHENS).date())


def booking_requests(tenant: dict[str, Any], api: str, count: int) -> list[str]:
    """`count` bookings that cannot conflict with each other or with earlier runs: at slot k
    staff member s sees person (k * S + s) mod P (distinct for distinct s, as the seed does),
    all after the tenant's latest appointment."""
    staff, people = tenant["staff"], tenant["people"]
    n_staff = min(len(staff), len(people))
    out: list[str] = []
    for k, (start, end) in enumerate(fresh_slots(booking_start(tenant))):
        for s in range(n_staff):
            person = people[(k * n_staff + s) % len(people)]
            body = {
                "staff_id": staff[s],
                "beneficiary_id": person["id"],
                "start": start,
                "end": end,
                "service": "core.counselling",
                "mode": "in_person",
            }
            out.append(f"POST\t{api}/appointments\t" + json.dumps(body))
            if len(out) >= count:
                return out
    return out


async def race_one_slot(
    base: str,
    token: str,
    url: str,
    tenant: dict[str, Any],
    api: str,
    *,
    rounds: int = 10,
    bookers: int = 32,
) -> dict[str, Any]:
    """`bookers` clients book the same staff member at the same time, each for another person,
    all at once; `rounds` times on fresh slots. Then the database is asked, as the app role
    with the tenant set, how many active bookings each slot holds and whether any two active
    bookings of one person overlap anywhere in the window: both must show no double booking.
    """
    import asyncpg
    import httpx

    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", tenant["tenant_id"])
            latest = await conn.fetchval(
                "SELECT end_at FROM appointment WHERE tenant_id = $1 ORDER BY end_at DESC LIMIT 1",
                UUID(tenant["tenant_id"]),
            )
        fresh = dict(tenant, latest_end=latest.isoformat() if latest else None)
        slots = list(itertools.islice(fresh_slots(booking_start(fresh)), rounds))
        staff_id = tenant["staff"][0]
        people = tenant["people"][:bookers]
        headers = {"Authorization": f"Bearer {token}", "Accept-Language": "el"}
        statuses: dict[str, int] = {}
        limits = httpx.Limits(max_connections=bookers, max_keepalive_connections=bookers)
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
            # Open every connection first, so the bookings leave together.
            await asyncio.gather(*[client.get("/health") for _ in range(bookers)])
            for start, end in slots:
                bodies = [
                    {
                        "staff_id": staff_id,
                        "beneficiary_id": p["id"],
                        "start": start,
                        "end": end,
                        "service": "core.counselling",
                        "mode": "in_person",
                    }
                    for p in people
                ]
                answers = await asyncio.gather(
                    *[client.post(f"{api}/appointments", json=b, headers=headers) for b in bodies]
                )
                for r in answers:
                    statuses[str(r.status_code)] = statuses.get(str(r.status_code), 0) + 1
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", tenant["tenant_id"])
            per_slot = [
                await conn.fetchval(
                    "SELECT count(*) FROM appointment_participant WHERE kind = 'staff' "
                    "AND person_id = $1 AND active AND start_at < $3 AND end_at > $2",
                    UUID(staff_id),
                    datetime.fromisoformat(start),
                    datetime.fromisoformat(end),
                )
                for start, end in slots
            ]
            overlaps = await conn.fetchval(
                "SELECT count(*) FROM appointment_participant a "
                "JOIN appointment_participant b ON b.person_id = a.person_id AND b.id > a.id "
                "AND b.active AND b.start_at < a.end_at AND b.end_at > a.start_at "
                "WHERE a.active AND a.start_at >= $1 AND a.start_at < $2 "
                "AND b.start_at >= $1 AND b.start_at < $2",
                datetime.fromisoformat(slots[0][0]),
                datetime.fromisoformat(slots[-1][1]),
            )
        return {
            "rounds": rounds,
            "bookers": bookers,
            "statuses": statuses,
            "booked_per_slot": per_slot,
            "double_bookings": int(overlaps) + sum(max(0, n - 1) for n in per_slot),
        }
    finally:
        await conn.close()


def _letters(i: int) -> str:
    """A distinct run of Greek letters per number (names must be letters only)."""
    out = ""
    while True:
        i, r = divmod(i, 24)
        out += "αβγδεζηθικλμνξοπρστυφχψω"[r]
        if i == 0:
            return out


def build_requests(data: dict[str, Any], largest: str) -> dict[str, list[str]]:
    rng = random.Random(11)
    big = data[largest]
    api = f"/api/v1/t/{largest}"
    people = big["people"]
    reqs: dict[str, list[str]] = {}
    reqs["read"] = [f"GET\t{api}/beneficiaries/{p['id']}" for p in people]
    reqs["search_greek"] = [
        f"GET\t{api}/beneficiaries?q={urllib.parse.quote(p['last_name'][:5])}&limit=20"
        for p in people
    ]
    reqs["search_latin"] = [
        f"GET\t{api}/beneficiaries?q={urllib.parse.quote(p['latin_last_name'][:6].lower())}&limit=20"
        for p in people
    ]
    reqs["search_amka"] = [f"GET\t{api}/beneficiaries?q={p['amka']}" for p in people]
    reqs["create"] = [
        f"POST\t{api}/beneficiaries\t"
        + json.dumps(
            {
                "first_name": "Μαρία",
                "last_name": f"Δοκιμή{_letters(i)}",
                "birth_date": "1961-02-03",
            },
            ensure_ascii=False,
        )
        for i in range(20000)
    ]
    staff = big["staff"]
    reqs["book"] = booking_requests(big, api, 20000)
    monday = date.today() - timedelta(days=date.today().weekday() + 7)
    reqs["staff_week"] = [
        f"GET\t{api}/appointments?staff_id={s}&start={monday.isoformat()}&end={(monday + timedelta(days=7)).isoformat()}"  # noqa: E501
        for s in staff
    ]
    reqs["module_list"] = [f"GET\t{api}/modules/food_bank/pickups?limit=50"]
    year = date.today().year - 1
    reqs["report_monthly_fb"] = [
        f"GET\t{api}/reports/food_bank.distributions_monthly?format=json&year={year}"
    ]
    reqs["report_registrations"] = [
        f"GET\t{api}/reports/core.registrations_per_month?format=json&year={year}"
    ]
    reqs["report_appointments_year"] = [
        f"GET\t{api}/reports/core.appointments?format=json&start={year}-01-01&end={year}-12-31"
    ]
    # 9 a.m.: 80 % reads, 15 % searches, 5 % writes over many tenants.
    mixed: list[str] = []
    slugs = list(data)
    for i in range(20000):
        slug = slugs[rng.randrange(len(slugs))]
        t = data[slug]
        if not t["people"]:
            continue
        p = t["people"][rng.randrange(len(t["people"]))]
        r = rng.random()
        if r < 0.80:
            mixed.append(f"GET\t/api/v1/t/{slug}/beneficiaries/{p['id']}")
        elif r < 0.95:
            mixed.append(
                f"GET\t/api/v1/t/{slug}/beneficiaries?q={urllib.parse.quote(p['last_name'][:4])}&limit=20"
            )
        else:
            mixed.append(
                f"POST\t/api/v1/t/{slug}/beneficiaries\t"
                + json.dumps(
                    {
                        "first_name": "Νίκος",
                        "last_name": f"Μικτός{_letters(i)}",
                        "birth_date": "1970-05-06",
                    },
                    ensure_ascii=False,
                )
            )
    reqs["mixed"] = mixed
    return reqs


def run(args: argparse.Namespace) -> int:
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
    RAW.mkdir(parents=True, exist_ok=True)
    base_dir = Path(tempfile.mkdtemp(prefix="merimna-bench-"))
    procs: list[subprocess.Popen[bytes]] = []
    services: list[Any] = []
    result: dict[str, Any] = {"args": vars(args), "started": time.strftime("%Y-%m-%d %H:%M:%S")}
    try:
        env = os.environ | {
            "MERIMNA_DATA_DIR": str(base_dir / "data"),
            "MERIMNA_LOGIN_RATE_PER_ADDRESS": "1000000000",
            "MERIMNA_LOGIN_RATE_PER_ACCOUNT": "1000000000",
            "MERIMNA_ENV": "development",
        }
        if args.database_url:
            env["MERIMNA_DATABASE_URL"] = args.database_url
            env["MERIMNA_REDIS_URL"] = args.redis_url
            admin_url = args.admin_url
        else:
            from tests.services import start_postgres, start_redis

            pg = start_postgres(base_dir)
            services.append(pg)
            settings = bench_server_settings()
            for name, value in settings.items():
                pg.psql(f"ALTER SYSTEM SET {name} = '{value}'")
            pg.restart()
            result["server_settings"] = settings
            _log(f"bench PostgreSQL settings: {settings}")
            redis = start_redis(base_dir)
            services.append(redis)
            env["MERIMNA_DATABASE_URL"] = pg.url
            env["MERIMNA_REDIS_URL"] = redis.url
            admin_url = pg.admin_url.rsplit("/", 1)[0] + "/merimna"  # superuser, app database
            tenants = fit_tenants(args.tenants, args.beneficiaries)
            if tenants < args.tenants:
                result["tenants_note"] = tenants_note(args.tenants, tenants, args.beneficiaries)
                _log(result["tenants_note"])
            t = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench",
                    "seed",
                    "--tenants",
                    str(tenants),
                    "--beneficiaries",
                    str(args.beneficiaries),
                    "--appointments",
                    str(args.appointments),
                    "--prefix",
                    args.prefix,
                    "--admin-url",
                    admin_url,
                ],
                env=env,
                check=True,
                cwd=ROOT,
            )
            result["seed_seconds"] = time.perf_counter() - t
        port, floor_port = _free_port(), _free_port()
        merimna = shutil.which("merimna") or "merimna"
        procs.append(
            subprocess.Popen(
                [merimna, "serve", "--workers", str(args.workers), "--port", str(port)],
                env=env,
                cwd=ROOT,
            )
        )
        procs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "bench.floor_app:app",
                    "--port",
                    str(floor_port),
                    "--workers",
                    str(args.workers),
                    "--log-level",
                    "warning",
                    "--no-access-log",
                ],
                env=env
                | {"BENCH_FLOOR_DATABASE_URL": admin_url, "MERIMNA_DATABASE_URL": admin_url},
                cwd=ROOT,
            )
        )
        base, floor = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{floor_port}"
        _wait_http(f"{base}/health")
        _wait_http(f"{floor}/docs" if False else f"{base}/health")
        data = asyncio.run(sample(env["MERIMNA_DATABASE_URL"], args.sample_tenants, args.prefix))
        result["tenants"] = asyncio.run(count_tenants(env["MERIMNA_DATABASE_URL"], args.prefix))
        largest = args.largest or next(iter(data))
        token = _login(base, "bench", "bench-password")
        reqs = build_requests(data, largest)
        big = data[largest]
        ids = [p["id"] for p in big["people"]]
        _wait_http(f"{floor}/raw/{big['tenant_id']}/{ids[0]}")
        figures: dict[str, Any] = {}
        figures["db_floor"] = asyncio.run(db_floor(admin_url, big["tenant_id"], ids))
        _log(f"db floor {figures['db_floor']}")
        floor_reqs = {
            "framework_floor": [f"GET\t/raw/{big['tenant_id']}/{i}" for i in ids],
            "orm_floor": [f"GET\t/orm/{big['tenant_id']}/{i}" for i in ids],
        }
        for name, lines in floor_reqs.items():
            figures[name] = wrk(
                floor, lines, token="", seconds=args.duration, connections=args.connections
            )
            _log(f"{name} {figures[name]}")
        order = [
            "read",
            "search_greek",
            "search_latin",
            "search_amka",
            "staff_week",
            "module_list",
            "report_monthly_fb",
            "report_registrations",
            "report_appointments_year",
            "create",
            "book",
            "mixed",
        ]
        for name in [n for n in order if n.startswith("report")]:
            # Latency of one user: the report targets (<= 100 ms, <= 1 s) are per request.
            figures[f"{name}_1user"] = wrk(
                base, reqs[name], token=token, seconds=args.duration, connections=1, threads=1
            )
            _log(f"{name}_1user {figures[name + '_1user']}")
        for name in order:
            conns = 4 if name.startswith("report") else args.connections
            figures[name] = wrk(
                base, reqs[name], token=token, seconds=args.duration, connections=conns
            )
            _log(f"{name} {figures[name]}")
        figures["book_race"] = asyncio.run(
            race_one_slot(base, token, env["MERIMNA_DATABASE_URL"], big, f"/api/v1/t/{largest}")
        )
        _log(f"book_race {figures['book_race']}")
        login_body = json.dumps({"username": "bench", "password": "bench-password"})
        figures["login"] = wrk(
            base,
            [f"POST\t/api/v1/auth/login\t{login_body}"],
            token="",
            seconds=args.duration,
            connections=8,
        )
        _log(f"login {figures['login']}")
        # Twice the mixed load, then recovery at the normal load.
        figures["mixed_2x"] = wrk(
            base,
            reqs["mixed"],
            token=token,
            seconds=args.duration,
            connections=args.connections * 2,
            threads=2,
        )
        figures["mixed_after"] = wrk(
            base, reqs["mixed"], token=token, seconds=5, connections=args.connections
        )
        figures["rss_mb"] = _rss(procs[0].pid)
        # The plan of every statement of the hot endpoints, with the tenant set (RLS on).
        plans = RESULTS / f"explain-{args.label or args.beneficiaries}.md"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench",
                "explain",
                "--database-url",
                env["MERIMNA_DATABASE_URL"],
                "--redis-url",
                env.get("MERIMNA_REDIS_URL", ""),
                "--prefix",
                args.prefix,
                "--out",
                str(plans),
            ],
            env=env,
            cwd=ROOT,
            check=False,
            capture_output=True,
        )
        result["explain"] = str(plans.relative_to(ROOT))
        result["figures"] = figures
        result["largest"] = largest
        result["largest_people"] = None
        result["commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
        ).stdout.strip()
        stamp = time.strftime("%Y%m%d-%H%M%S")
        (RAW / f"{stamp}-{args.label or args.beneficiaries}.json").write_text(
            json.dumps(result, indent=2)
        )
        print(markdown(result))
        return 0
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(15)
            except subprocess.TimeoutExpired:
                p.kill()
        for s in reversed(services):
            s.stop()
        shutil.rmtree(base_dir, ignore_errors=True)


def _rss(pid: int) -> dict[str, float]:
    """Resident memory of the server's worker processes (children of the serve process)."""
    out: dict[str, float] = {}
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        for cpid in child.read_text().split():
            try:
                for line in Path(f"/proc/{cpid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out[cpid] = int(line.split()[1]) / 1024
            except OSError:
                continue
    return out


def markdown(result: dict[str, Any]) -> str:
    f = result["figures"]
    fw, orm, dbf = f["framework_floor"]["rps"], f["orm_floor"]["rps"], f["db_floor"]["rps"]
    lines = [
        f"commit `{result['commit']}`, {result.get('tenants', '?')} tenants, "
        f"largest tenant `{result['largest']}`",
        "",
    ]
    if result.get("tenants_note"):
        lines += [str(result["tenants_note"]), ""]
    lines += [
        f"database floor (asyncpg loop, 1 connection): {dbf:.0f} q/s, p50 {f['db_floor']['p50_us']} µs",  # noqa: E501
        "",
        "| scenario | req/s | p50 ms | p95 ms | p99 ms | statuses | / framework floor | / ORM floor | / db floor |",  # noqa: E501
        "|---|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for name, v in f.items():
        if not isinstance(v, dict) or "p95_us" not in v:
            continue
        lines.append(
            f"| {name} | {v['rps']:.0f} | {v['p50_us'] / 1000:.1f} | {v['p95_us'] / 1000:.1f} | "
            f"{v['p99_us'] / 1000:.1f} | {json.dumps(v['statuses'])} sock_err={v['socket_errors']} | "  # noqa: E501
            f"{v['rps'] / fw:.2f} | {v['rps'] / orm:.2f} | {v['rps'] / dbf:.2f} |"
        )
    lines.append("")
    race = f.get("book_race")
    if race:
        lines.append(
            f"32 bookers on one slot, {race['rounds']} rounds: statuses {race['statuses']}, "
            f"active bookings per slot {race['booked_per_slot']}, double bookings "
            f"{race['double_bookings']}"
        )
    lines.append(f"worker RSS MB: {f.get('rss_mb')}")
    if result.get("explain"):
        lines.append(f"plans: {result['explain']}")
    return "\n".join(lines)
