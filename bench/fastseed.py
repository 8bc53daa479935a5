"""The PostgreSQL seeding path for consortium scale (issue 11 §1: a million people, five million
appointments, in under five minutes).

The application path (`bench.generate.seed`, the import's `INSERT ... SELECT FROM unnest`)
writes every row as the app role under row-level security, with every index and the GiST
exclusion constraint maintained row by row: 100 k people + 500 k appointments took 128-375 s.
This path is a benchmark tool and only that; the app role stays bound by RLS everywhere else:

1. Tenants, memberships and the bench user are onboarded through the application's services,
   as before (`tenants.services.create_tenant`), so their schema-side effects are the real ones.
2. The rows are then written as the database superuser of the throwaway cluster (row-level
   security does not apply to it, so `COPY FROM` is allowed), with `session_replication_role
   = replica` (no triggers: the derived tables are rebuilt in one statement each at the end).
3. Secondary indexes and primary keys of the bulk tables are dropped before the load and
   recreated after it from their catalogue definitions (`pg_get_indexdef`,
   `pg_get_constraintdef`), two connections in parallel, so each is built once by a sort
   instead of row by row. The load is not one transaction: the DDL to recreate is kept in
   `bench_pending_ddl` first, and a later seed applies what a crash left pending. Recreating
   a unique index checks the generated data as the live schema would.
   The exclusion constraint against double booking stays in place during the load: a GiST
   index cannot be built by a sort on PostgreSQL 15 (btree_gist's uuid and the range opclass
   have no sortsupport), so `ADD CONSTRAINT` after the load inserts every row into the tree
   and probes it once per row on ONE core, under an exclusive lock (2 123 s of the first
   million seed). Present during the load, it costs the same insert and probe per row (a
   little less, measured), but the participants are written by both connections at once, so
   it runs on both cores; and every participant row is checked as a booking would be.
4. People, households, memberships, categories and staff are generated in Python (Greek names
   from a pool whose search keys come from the application's own functions) and sent with
   binary COPY; search tokens, appointments and their participants, and food-bank pickups are
   generated inside PostgreSQL (`INSERT ... SELECT` over `generate_series`), because sending
   tens of millions of rows costs more client CPU than the database spends writing them.

Conflict-free calendars by construction, as in `bench.generate.appointment_rows`: at slot T
staff member s sees person (T * S + s) mod P.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from bench.generate import (
    CATEGORIES,
    SERVICES,
    SLOT_MINUTES,
    STREETS,
    TOWNS,
    WEEKDAYS,
    YEARS,
    SeedReport,
    TenantPlan,
    _name_keys,
    _names,
    _slot_starts,
)
from core.beneficiaries import identifiers

BULK_TABLES = (
    "beneficiary",
    "household",
    "household_member",
    "beneficiary_search_token",
    "beneficiary_category",
    "staff_member",
    "appointment",
    "appointment_participant",
    "food_bank_pickup",
)
NAME_POOL = 40_000  # distinct (first, last) pairs; their search keys are computed once each
PEOPLE_COLUMNS = (
    "tenant_id",
    "id",
    "first_name",
    "last_name",
    "latin_first_name",
    "latin_last_name",
    "birth_date",
    "sex",
    "amka",
    "afm",
    "phone",
    "address_street",
    "address_number",
    "address_city",
    "address_postcode",
    "categories",
    "household_id",
    "sort_key",
    "name_key",
    "latin_key",
    "search_key",
    "created_at",
    "updated_at",
)


def _now() -> float:
    return time.perf_counter()


# --- indexes and constraints around the load -----------------------------------------------


def backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) a PostgreSQL backend has used: on a shared machine the
    wall time of a step depends on the neighbours, its CPU time much less."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


PENDING = "bench_pending_ddl"


async def apply_pending_ddl(
    conns: Sequence[Any],
    timings: dict[str, float] | None = None,
    tables: Sequence[str] | None = None,
    kinds: Sequence[str] = ("index", "attach", "exclude"),
) -> int:
    """Recreate what the load dropped (or an interrupted load left dropped), most expensive
    first, on every connection in parallel; `tables`/`kinds` restrict it to part of the list.

    `index` entries are `CREATE [UNIQUE] INDEX` (a SHARE lock: other builds on the same table
    and readers go on), `attach` turns such an index into the primary key (a moment's lock),
    `exclude` adds an exclusion constraint (exclusive lock, and a probe per row)."""
    conn = conns[0]
    if not await conn.fetchval(f"SELECT to_regclass('{PENDING}') IS NOT NULL"):
        return 0
    done = 0
    for kind in kinds:
        rows = await conn.fetch(
            f"SELECT id, ddl FROM {PENDING} WHERE kind = $1 "
            "AND ($2::text[] IS NULL OR tab = ANY($2::text[])) ORDER BY weight DESC, id",
            kind,
            list(tables) if tables is not None else None,
        )
        queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
        for r in rows:
            queue.put_nowait((r["id"], r["ddl"]))

        async def worker(c: Any, queue: asyncio.Queue[tuple[int, str]] = queue) -> None:
            while not queue.empty():
                ident, ddl = queue.get_nowait()
                t = _now()
                await c.execute(ddl)
                await c.execute(f"DELETE FROM {PENDING} WHERE id = $1", ident)
                if timings is not None:
                    timings[ddl[:100]] = round(_now() - t, 2)

        await asyncio.gather(*(worker(c) for c in conns))
        done += len(rows)
    if not await conn.fetchval(f"SELECT count(*) FROM {PENDING}"):
        await conn.execute(f"DROP TABLE {PENDING}")
    return done


async def drop_for_load(conn: Any, tables: Sequence[str]) -> int:
    """Drop the indexes and key constraints of `tables`, remembering how to recreate them
    in `bench_pending_ddl` (in the same transaction as the drops). Exclusion constraints and
    their indexes stay (see the module's docstring)."""
    regs = [f"public.{t}" for t in tables]
    async with conn.transaction():
        await conn.execute(
            f"CREATE TABLE IF NOT EXISTS {PENDING} (id serial PRIMARY KEY, tab text NOT NULL, "
            "kind text NOT NULL, weight bigint NOT NULL, ddl text NOT NULL)"
        )
        constraints = await conn.fetch(
            "SELECT c.conrelid::regclass::text AS tab, c.conname, c.contype::text AS contype, "
            "pg_get_constraintdef(c.oid) AS def "
            "FROM pg_constraint c WHERE c.conrelid = ANY($1::regclass[]) "
            "AND c.contype IN ('p', 'u')",
            regs,
        )
        indexes = await conn.fetch(
            "SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS def, "
            "i.indrelid::regclass::text AS tab FROM pg_index i "
            "WHERE i.indrelid = ANY($1::regclass[]) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid "
            "AND c.conrelid = i.indrelid)",
            regs,
        )
        # Weight: expected build cost, so the builders start with the slow ones.
        weights = {"appointment_participant": 10, "beneficiary_search_token": 8, "appointment": 5}

        async def remember(tab: str, kind: str, weight: int, ddl: str) -> None:
            await conn.execute(
                f"INSERT INTO {PENDING} (tab, kind, weight, ddl) VALUES ($1, $2, $3, $4)",
                tab,
                kind,
                weight,
                ddl,
            )

        for c in constraints:  # PRIMARY KEY (cols) / UNIQUE (cols): build, then attach
            tab, name, definition = c["tab"], c["conname"], c["def"]
            columns = definition[definition.index("(") :]
            word = "PRIMARY KEY" if c["contype"] == "p" else "UNIQUE"
            await remember(
                tab,
                "index",
                weights.get(tab, 1),
                f'CREATE UNIQUE INDEX "{name}" ON {tab} {columns}',
            )
            await remember(
                tab,
                "attach",
                0,
                f'ALTER TABLE {tab} ADD CONSTRAINT "{name}" {word} USING INDEX "{name}"',
            )
            await conn.execute(f'ALTER TABLE {tab} DROP CONSTRAINT "{name}"')
        for i in indexes:
            w = weights.get(i["tab"], 1) * (2 if " gin " in i["def"].lower() else 1)
            await remember(i["tab"], "index", w, i["def"])
            await conn.execute(f"DROP INDEX {i['name']}")
    return len(constraints) + len(indexes)


# --- rows generated in Python, sent by COPY --------------------------------------------------


class NamePool:
    """(first, last, sex) pairs with their search keys and tokens, computed once each."""

    def __init__(self, rng: random.Random, size: int = NAME_POOL) -> None:
        male, female, families = _names()
        self.entries: list[tuple[str, str, str, dict[str, str], frozenset[str]]] = []
        seen: set[tuple[str, str]] = set()
        for _attempt in range(size * 4):  # bounded: the name lists hold enough pairs
            if len(self.entries) >= size:
                break
            sex = "male" if rng.random() < 0.48 else "female"
            m, f = families[rng.randrange(len(families))]
            names = male if sex == "male" else female
            first = names[rng.randrange(len(names))]
            last = m if sex == "male" else f
            if (first, last) in seen:
                continue
            seen.add((first, last))
            keys, tokens = _name_keys(first, last)
            self.entries.append((first, last, sex, keys, tokens))

    def tokens(self) -> list[tuple[str, str, str]]:
        return [(first, last, tok) for first, last, _s, _k, toks in self.entries for tok in toks]


def people_rows(
    rng: random.Random,
    pool: NamePool,
    tenant_id: UUID,
    count: int,
    today: date,
) -> tuple[
    list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]
]:
    """People, households (1 to 4 people at the first one's address), memberships and
    categories of one tenant, as tuples in COPY column order."""
    now = datetime.now(UTC)
    entries = pool.entries
    per_birth_date: dict[date, int] = {}
    people: list[tuple[Any, ...]] = []
    households: list[tuple[Any, ...]] = []
    members: list[tuple[Any, ...]] = []
    categories: list[tuple[Any, ...]] = []
    rand, randrange = rng.random, rng.randrange
    min_age, span = 18 * 365, 77 * 365
    household_id: UUID | None = None
    left = 0
    head_address: tuple[str, str, str, str] = ("", "", "", "")
    for _ in range(count):
        first, last, sex, keys, _tokens = entries[randrange(len(entries))]
        birth = today - timedelta(days=min_age + randrange(span))
        n = per_birth_date.get(birth, 0)
        per_birth_date[birth] = n + 1
        amka = identifiers.make_amka(birth, n * 2 + (1 if sex == "male" else 0), sex)
        afm = identifiers.make_afm(randrange(10_000_000, 99_999_999))
        phone_digits = f"697{randrange(10**7):07d}"
        pid = uuid4()
        relation = "other"
        if left == 0:
            household_id = uuid4()
            left = (1, 1, 2, 2, 3, 4)[randrange(6)]
            head_address = (
                STREETS[randrange(len(STREETS))],
                str(randrange(1, 200)),
                TOWNS[randrange(len(TOWNS))],
                str(randrange(10000, 85000)),
            )
            households.append(
                (tenant_id, household_id, f"Οικογένεια {last}", *head_address, now, now)
            )
            relation = "head"
        left -= 1
        members.append((tenant_id, household_id, pid, relation, now))
        cats: list[str] = []
        if rand() < 0.6:
            code = CATEGORIES[randrange(len(CATEGORIES))]
            cats = [code]
            categories.append((tenant_id, pid, code))
        people.append(
            (
                tenant_id,
                pid,
                first,
                last,
                keys["latin_first_name"],
                keys["latin_last_name"],
                birth,
                sex,
                amka,
                afm,
                "+30" + phone_digits,
                *head_address,
                json.dumps(cats),
                household_id,
                keys["sort_key"],
                keys["name_key"],
                keys["latin_key"],
                f"{keys['name_key']} {keys['latin_key']} {amka} {afm} {phone_digits}",
                now - timedelta(days=randrange(365 * YEARS)),
                now,
            )
        )
    return people, households, members, categories


def staff_rows(rng: random.Random, tenant_id: UUID, count: int) -> list[tuple[Any, ...]]:
    _male, female, families = _names()
    now = datetime.now(UTC)
    hours = json.dumps({d: [["08:00", "15:00"]] for d in WEEKDAYS})
    return [
        (
            tenant_id,
            uuid4(),
            f"{female[rng.randrange(len(female))]} {families[rng.randrange(len(families))][1]}",
            "social_worker",
            hours,
            True,
            now,
            now,
        )
        for _ in range(count)
    ]


async def copy_python_rows(
    conn: Any,
    plans: list[TenantPlan],
    tenant_ids: dict[str, UUID],
    seed_value: int,
    report: SeedReport,
    progress: Callable[[str], None],
) -> None:
    today = date.today()
    pool = NamePool(random.Random(f"{seed_value}:names"))
    await conn.copy_records_to_table(
        "bench_name_token", records=pool.tokens(), columns=("first_name", "last_name", "token")
    )
    t0 = _now()
    for done, plan in enumerate(plans, 1):
        tid = tenant_ids[plan.slug]
        rng = random.Random(f"{seed_value}:{plan.slug}")
        people, households, members, categories = people_rows(
            rng, pool, tid, plan.beneficiaries, today
        )
        staff = staff_rows(rng, tid, plan.staff)
        await conn.copy_records_to_table(
            "household",
            records=households,
            columns=(
                "tenant_id",
                "id",
                "name",
                "address_street",
                "address_number",
                "address_city",
                "address_postcode",
                "created_at",
                "updated_at",
            ),
        )
        await conn.copy_records_to_table("beneficiary", records=people, columns=PEOPLE_COLUMNS)
        await conn.copy_records_to_table(
            "household_member",
            records=members,
            columns=("tenant_id", "household_id", "beneficiary_id", "relation", "created_at"),
        )
        await conn.copy_records_to_table(
            "beneficiary_category",
            records=categories,
            columns=("tenant_id", "beneficiary_id", "code"),
        )
        await conn.copy_records_to_table(
            "staff_member",
            records=staff,
            columns=(
                "tenant_id",
                "id",
                "display_name",
                "profession",
                "working_hours",
                "active",
                "created_at",
                "updated_at",
            ),
        )
        report.beneficiaries += len(people)
        report.households += len(households)
        report.staff += len(staff)
        if done % 50 == 0 or done == len(plans):
            progress(
                f"python rows: {done}/{len(plans)} tenants, {report.beneficiaries} people, "
                f"{_now() - t0:.0f}s"
            )


# --- rows generated inside PostgreSQL --------------------------------------------------------

TOKENS_SQL = """
INSERT INTO beneficiary_search_token (tenant_id, beneficiary_id, token, sort_key)
SELECT b.tenant_id, b.id, t.token, b.sort_key FROM beneficiary b
JOIN bench_name_token t ON t.first_name = b.first_name AND t.last_name = b.last_name
UNION ALL SELECT tenant_id, id, amka, sort_key FROM beneficiary WHERE amka IS NOT NULL
UNION ALL SELECT tenant_id, id, afm, sort_key FROM beneficiary WHERE afm IS NOT NULL
UNION ALL SELECT tenant_id, id, substr(phone, 4), sort_key FROM beneficiary WHERE phone IS NOT NULL
"""

TOKENS_SORTED_SQL = """
INSERT INTO beneficiary_search_token (tenant_id, beneficiary_id, token, sort_key)
SELECT b.tenant_id, b.id, t.token, b.sort_key FROM beneficiary b
JOIN bench_name_token t ON t.first_name = b.first_name AND t.last_name = b.last_name
UNION ALL SELECT tenant_id, id, amka, sort_key FROM beneficiary WHERE amka IS NOT NULL
UNION ALL SELECT tenant_id, id, afm, sort_key FROM beneficiary WHERE afm IS NOT NULL
UNION ALL SELECT tenant_id, id, substr(phone, 4), sort_key FROM beneficiary WHERE phone IS NOT NULL
"""

# Person numbers per tenant (the calendar formula picks person k mod P).
PEOPLE_NUMBERED_SQL = """
CREATE UNLOGGED TABLE bench_person AS
SELECT tenant_id, id, (row_number() OVER (PARTITION BY tenant_id ORDER BY id) - 1)::int AS n
FROM beneficiary
"""
STAFF_NUMBERED_SQL = """
CREATE UNLOGGED TABLE bench_staff AS
SELECT tenant_id, id, (row_number() OVER (PARTITION BY tenant_id ORDER BY id) - 1)::int AS n
FROM staff_member
"""
# One row per appointment: its slot k = T * S + s spread evenly over the calendar's capacity,
# a pseudo-random but deterministic outcome for past ones (88 % completed, 6 % no-show,
# 6 % cancelled), future ones scheduled.
APPOINTMENTS_PLAN_SQL = """
CREATE UNLOGGED TABLE bench_appt AS
SELECT p.tenant_id, gen_random_uuid() AS id, k, p.n_staff, p.n_people, sl.start_at,
       CASE WHEN sl.start_at > now() THEN 'scheduled'
            WHEN (g.i * 2654435761 + p.salt) % 100 < 88 THEN 'completed'
            WHEN (g.i * 2654435761 + p.salt) % 100 < 94 THEN 'no_show'
            ELSE 'cancelled' END AS status
FROM bench_plan p
CROSS JOIN LATERAL generate_series(0, p.cnt - 1) AS g(i)
CROSS JOIN LATERAL (SELECT (floor(g.i * (p.cap::float8 / p.cnt)))::bigint AS k) kk
JOIN bench_slot sl ON sl.t = kk.k / p.n_staff
"""
APPOINTMENTS_SQL = f"""
INSERT INTO appointment (tenant_id, id, service, mode, start_at, end_at, status, created_at,
                         updated_at)
SELECT tenant_id, id, (ARRAY{list(SERVICES)!r})[k % {len(SERVICES)} + 1], 'in_person', start_at,
       start_at + interval '{SLOT_MINUTES} minutes', status, start_at - interval '7 days', start_at
FROM bench_appt
"""
# Both kinds of one chunk of tenants in one statement, written in (tenant, person, start)
# order: every row is inserted into the exclusion constraint's GiST index and probed there,
# and on rows in this order both cost about half as much as in random order.
PARTICIPANTS_SQL = f"""
INSERT INTO appointment_participant (tenant_id, appointment_id, kind, person_id, start_at,
                                     end_at, active)
SELECT * FROM (
  SELECT a.tenant_id, a.id, 'staff', s.id, a.start_at,
         a.start_at + interval '{SLOT_MINUTES} minutes', a.status <> 'cancelled'
  FROM bench_appt a JOIN bench_staff s ON s.tenant_id = a.tenant_id AND s.n = a.k % a.n_staff
  WHERE a.tenant_id = ANY($1::uuid[])
  UNION ALL
  SELECT a.tenant_id, a.id, 'beneficiary', p.id, a.start_at,
         a.start_at + interval '{SLOT_MINUTES} minutes', a.status <> 'cancelled'
  FROM bench_appt a JOIN bench_person p ON p.tenant_id = a.tenant_id AND p.n = a.k % a.n_people
  WHERE a.tenant_id = ANY($1::uuid[])
) AS x(tenant_id, appointment_id, kind, person_id, start_at, end_at, active)
ORDER BY tenant_id, person_id, start_at
"""
PARTICIPANT_CHUNKS = 12  # units of work the two connections share


def participant_chunks(
    sizes: dict[UUID, int], chunks: int = PARTICIPANT_CHUNKS
) -> list[list[UUID]]:
    """Tenants in `chunks` groups of about equal appointment counts, largest group first
    (a tenant is never split: its rows stay in one sorted run)."""
    groups: list[tuple[int, list[UUID]]] = [(0, []) for _ in range(min(chunks, len(sizes)))]
    for tenant, size in sorted(sizes.items(), key=lambda kv: (-kv[1], str(kv[0]))):
        total, members = min(groups, key=lambda g: g[0])
        groups.remove((total, members))
        groups.append((total + size, [*members, tenant]))
    return [members for _total, members in sorted(groups, key=lambda g: -g[0]) if members]


# Monthly food-bank pickups over the last year for about 5 % of the people of tenants that
# run the food bank.
PICKUPS_SQL = """
INSERT INTO food_bank_pickup (tenant_id, person_id, household_key, channel, day,
                              household_size, total_grams, created_at)
SELECT b.tenant_id, b.id, coalesce(b.household_id, b.id), 'distribution',
       (date_trunc('month', current_date) - make_interval(months => m))::date + 9,
       1 + abs(hashtext(b.id::text)) % 4, 1000 * (5 + abs(hashtext(b.id::text || m)) % 15), now()
FROM beneficiary b CROSS JOIN generate_series(0, 11) AS m
WHERE b.tenant_id = ANY($1::uuid[]) AND abs(hashtext(b.id::text)) % 20 = 0
"""


async def generate_in_database(
    conns: Sequence[Any],
    plans: list[TenantPlan],
    tenant_ids: dict[str, UUID],
    report: SeedReport,
    progress: Callable[[str], None],
    timings: dict[str, float],
) -> None:
    """Connection A numbers people and staff and plans the appointments, then writes the
    search tokens and the appointments; connection B writes the pickups; as soon as the plan
    exists both write participants, chunk by chunk (the exclusion constraint's inserts and
    probes are most of the load's CPU: this puts them on both cores)."""
    a, b = conns[0], conns[1]
    today = date.today()
    slots = _slot_starts(today)
    await a.copy_records_to_table(
        "bench_slot", records=list(enumerate(slots)), columns=("t", "start_at")
    )
    rows = []
    sizes: dict[UUID, int] = {}
    for plan in plans:
        n_staff = min(plan.staff, plan.beneficiaries)
        cap = len(slots) * n_staff
        cnt = min(plan.appointments, cap)
        if cnt:
            salt = int.from_bytes(plan.slug.encode()[:4].ljust(4, b"\0"), "big")
            rows.append((tenant_ids[plan.slug], cnt, cap, n_staff, plan.beneficiaries, salt))
            sizes[tenant_ids[plan.slug]] = cnt
    await a.copy_records_to_table(
        "bench_plan",
        records=rows,
        columns=("tenant_id", "cnt", "cap", "n_staff", "n_people", "salt"),
    )
    chunks: asyncio.Queue[list[UUID]] = asyncio.Queue()
    for chunk in participant_chunks(sizes):
        chunks.put_nowait(chunk)
    planned = asyncio.Event()

    async def timed(conn: Any, label: str, sql: str, *args: Any) -> None:
        t = _now()
        await conn.execute(sql, *args)
        timings[label] = round(timings.get(label, 0.0) + _now() - t, 2)
        progress(f"  generated {label}: {_now() - t:.0f}s")

    async def participants(conn: Any, name: str) -> None:
        await planned.wait()
        t, done = _now(), 0
        while not chunks.empty():
            chunk = chunks.get_nowait()
            await conn.execute(PARTICIPANTS_SQL, chunk)
            done += 1
        timings[f"participants ({name}, {done} chunks)"] = round(_now() - t, 2)
        progress(f"  participants on connection {name}: {done} chunks, {_now() - t:.0f}s")

    async def chain_a() -> None:
        await timed(a, "numbering", PEOPLE_NUMBERED_SQL + ";" + STAFF_NUMBERED_SQL)
        await timed(a, "appointment plan", APPOINTMENTS_PLAN_SQL)
        planned.set()
        await timed(a, "search tokens", await tokens_sql(a))
        await timed(a, "appointments", APPOINTMENTS_SQL)
        await participants(a, "A")

    async def chain_b() -> None:
        food = [tenant_ids[p.slug] for p in plans if "food_bank" in p.modules]
        await timed(b, "pickups", PICKUPS_SQL, food)
        await participants(b, "B")

    await asyncio.gather(chain_a(), chain_b())
    report.appointments = await a.fetchval("SELECT count(*) FROM bench_appt")
    report.participants = 2 * report.appointments
    report.pickups = await a.fetchval("SELECT count(*) FROM food_bank_pickup")


async def tokens_sql(conn: Any) -> str:
    """TOKENS_SQL, with each token's copy of its person's `sort_key` where the schema has that
    column: the load runs without triggers, so the trigger that fills it does not fire."""
    has_sort_key = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = 'beneficiary_search_token' AND column_name = 'sort_key')"
    )
    return TOKENS_SORTED_SQL if has_sort_key else TOKENS_SQL


STAGING = (
    "CREATE UNLOGGED TABLE bench_name_token (first_name text, last_name text, token text)",
    "CREATE UNLOGGED TABLE bench_slot (t int PRIMARY KEY, start_at timestamptz)",
    "CREATE UNLOGGED TABLE bench_plan (tenant_id uuid, cnt bigint, cap bigint, n_staff int, "
    "n_people int, salt bigint)",
)
STAGING_TABLES = (
    "bench_name_token",
    "bench_slot",
    "bench_plan",
    "bench_person",
    "bench_staff",
    "bench_appt",
)


async def load(
    admin_url: str,
    plans: list[TenantPlan],
    tenant_ids: dict[str, UUID],
    seed_value: int,
    report: SeedReport,
    progress: Callable[[str], None],
) -> None:
    """Everything after onboarding: drop, COPY, generate, recreate, rebuild roll-ups."""
    import asyncpg

    conns = [await asyncpg.connect(admin_url) for _ in range(2)]
    pids = [await c.fetchval("SELECT pg_backend_pid()") for c in conns]

    def cpu() -> float:
        return sum(backend_cpu(p) for p in pids) + time.process_time()

    timings: dict[str, float] = {}

    async def step(name: str, work: Any) -> None:
        t, c0 = _now(), cpu()
        await work
        report.seconds[name] = round(_now() - t, 2)
        report.seconds[f"{name}_cpu"] = round(cpu() - c0, 2)
        progress(f"{name}: {report.seconds[name]:.0f}s (CPU {report.seconds[name + '_cpu']:.0f}s)")

    try:
        for c in conns:
            await c.execute("SET session_replication_role = replica")
            await c.execute("SET maintenance_work_mem = '1GB'")
            await c.execute("SET max_parallel_maintenance_workers = 0")
            await c.execute("SET work_mem = '256MB'")
        await apply_pending_ddl(conns)
        for name in STAGING_TABLES:
            await conns[0].execute(f"DROP TABLE IF EXISTS {name}")
        for ddl in STAGING:
            await conns[0].execute(ddl)
        await step("drop_indexes", drop_for_load(conns[0], BULK_TABLES))
        await remember_rollups(conns[0])
        await step(
            "python_rows_copy",
            copy_python_rows(conns[0], plans, tenant_ids, seed_value, report, progress),
        )
        await step(
            "generated_in_database",
            generate_in_database(conns, plans, tenant_ids, report, progress, timings),
        )
        for name in STAGING_TABLES:
            await conns[0].execute(f"DROP TABLE IF EXISTS {name}")
        await step(
            "indexes_and_rollups", apply_pending_ddl(conns, timings, kinds=("index", "attach"))
        )
        slow = sorted(timings.items(), key=lambda kv: -kv[1])[:10]
        report.seconds["slowest_statements"] = dict(slow)  # type: ignore[assignment]
    finally:
        for c in conns:
            await c.close()


ROLLUP_SQL = """
INSERT INTO appointment_month_count
    (tenant_id, month, service, mode, status, staff_id, appointments, seconds)
SELECT a.tenant_id, to_char(a.start_at AT TIME ZONE 'UTC', 'YYYY-MM'), a.service, a.mode,
       a.status, p.person_id, count(*), sum(extract(epoch FROM a.end_at - a.start_at))::bigint
FROM appointment a
JOIN appointment_participant p
  ON p.tenant_id = a.tenant_id AND p.appointment_id = a.id AND p.kind = 'staff'
GROUP BY 1, 2, 3, 4, 5, 6
"""


async def remember_rollups(conn: Any) -> None:
    """The report roll-up is kept by triggers in normal operation and the load runs without
    triggers: its rebuild (the migration's backfill, every tenant in one statement) is queued
    with the index builds, so one connection computes it while the other builds an index,
    and a load that stops half-way leaves it pending for the next seed like the indexes."""
    if not await conn.fetchval("SELECT to_regclass('appointment_month_count') IS NOT NULL"):
        return
    await conn.execute(
        f"INSERT INTO {PENDING} (tab, kind, weight, ddl) VALUES ($1, 'index', 20, $2)",
        "appointment_month_count",
        "DELETE FROM appointment_month_count;" + ROLLUP_SQL,
    )
