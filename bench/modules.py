"""`python -m bench.modules`: the main list and the monthly report of every built-in module,
timed and explained at the seeded scale (issue 11 §2: "each module's main list and monthly
report"; §4: "an EXPLAIN of every hot query shows index use").

The consortium seed (`bench.fastseed`) writes food-bank pickups only, so the other modules'
lists and reports would be measured over empty tables. `seed_modules` first adds module
records in proportion to each tenant's people, for every tenant that has the module enabled,
generated inside PostgreSQL as the benchmark's superuser (as `fastseed` does for pickups;
the app role stays bound by row-level security):

* food_bank: a catalogue of 12 items, 3 lots per item (TEBA, donations, municipal), and 4
  issue lines per seeded pickup (what each pickup took, lot by lot), so the monthly report
  has lines to count;
* help_at_home: applications for ~3 % of the people over three years (a third waiting),
  care plans for the admitted, and two visits a week for every plan from its start to four
  weeks ahead (done, missed or planned);
* family_center: cases for ~2 % of the people, the client as a party, ten weekly sessions;
* roma_branch: reception entries (~3 % of the people, eight each over three years) and
  accompaniments (~1 %, six each).

The rows are written once (a table that already holds rows is left alone), deterministic
(hashes of ids, no random state), and dated relative to today like the rest of the seed.

`measure_modules` then runs each request in this process (Litestar's test client, the same
settings and database as the served application), as the benchmark user of the largest
tenant: one warm-up, `repeat` timed requests from one client (the unit of the report
targets), and the statements of one more request re-run as `EXPLAIN (ANALYZE, BUFFERS)` as
the app role with the tenant set (`bench.explain`).
"""

from __future__ import annotations

import statistics
import time
from datetime import date, timedelta
from typing import Any

MODULES = ("food_bank", "help_at_home", "family_center", "roma_branch")

# Each statement takes $1: the ids of the tenants that run the module.
SEED_SQL: dict[str, list[tuple[str, str]]] = {
    "food_bank": [
        (
            "food_bank_item",
            """
INSERT INTO food_bank_item (tenant_id, code, name_el, name_en, category, unit, weight_grams)
SELECT t, 'bench_' || i, 'Είδος ' || i, 'Item ' || i, 'food', 'pack', 250 * (1 + i % 4)
FROM unnest($1::uuid[]) AS t CROSS JOIN generate_series(1, 12) AS i
""",
        ),
        (
            "food_bank_lot",
            """
INSERT INTO food_bank_lot (tenant_id, item_id, lot_code, received_milli, on_hand_milli,
                           date_kind, expiry, funding_source, warehouse, received_on)
SELECT i.tenant_id, i.id, i.code || '-' || s.n, 500000, 100000, 'best_before',
       current_date + 90 * s.n, s.source, 'main', current_date - 400
FROM food_bank_item i
CROSS JOIN (VALUES (1, 'teba'), (2, 'donation'), (3, 'municipal')) AS s(n, source)
WHERE i.tenant_id = ANY($1) AND i.code LIKE 'bench\\_%'
""",
        ),
        (
            "food_bank_issue_line",
            """
WITH lots AS (
    SELECT tenant_id, array_agg(id ORDER BY lot_code) AS ids,
           array_agg(item_id ORDER BY lot_code) AS items,
           array_agg(funding_source ORDER BY lot_code) AS sources
    FROM food_bank_lot WHERE tenant_id = ANY($1) AND lot_code LIKE 'bench\\_%'
    GROUP BY tenant_id
)
INSERT INTO food_bank_issue_line (tenant_id, issue_type, issue_id, item_id, lot_id,
                                  quantity_milli, funding_source, grams, created_at)
SELECT p.tenant_id, 'pickup', p.id, l.items[k], l.ids[k], 1000, l.sources[k],
       p.total_grams / 4, p.created_at
FROM food_bank_pickup p
JOIN lots l USING (tenant_id)
CROSS JOIN generate_series(0, 3) AS j
CROSS JOIN LATERAL (
    SELECT 1 + (abs(hashtext(p.id::text)) + 7 * j) % cardinality(l.ids) AS k
) AS pick
WHERE p.tenant_id = ANY($1)
""",
        ),
    ],
    "help_at_home": [
        (
            "hah_application",
            """
INSERT INTO hah_application (tenant_id, person_id, received_on, status, decision,
                             priority_score, created_at, updated_at)
SELECT tenant_id, id, current_date - g % 1095,
       (ARRAY['waiting', 'admitted', 'closed'])[1 + g % 3], 'eligible', g % 100, now(), now()
FROM (SELECT tenant_id, id, abs(hashtext(id::text || 'hah')) AS h,
             abs(hashtext(id::text || 'hah2')) AS g
      FROM beneficiary WHERE tenant_id = ANY($1)) AS b
WHERE h % 33 = 0
""",
        ),
        (
            "hah_care_plan",
            """
INSERT INTO hah_care_plan (tenant_id, person_id, application_id, status, start_date,
                           review_date, closed_on, created_at, updated_at)
SELECT tenant_id, person_id, id, CASE WHEN status = 'admitted' THEN 'active' ELSE 'closed' END,
       received_on + 14, received_on + 194,
       CASE WHEN status = 'closed' THEN least(current_date, received_on + 380) END, now(), now()
FROM hah_application WHERE tenant_id = ANY($1) AND status IN ('admitted', 'closed')
""",
        ),
        (
            "hah_visit",
            """
WITH staff AS (
    SELECT tenant_id, array_agg(id ORDER BY id) AS ids
    FROM staff_member WHERE tenant_id = ANY($1) GROUP BY tenant_id
), days AS (
    SELECT p.tenant_id, p.id AS plan_id, p.person_id, s.ids, g::date AS d,
           abs(hashtext(p.id::text)) AS h, abs(hashtext(p.id::text || g::date)) AS hd
    FROM hah_care_plan p JOIN staff s USING (tenant_id)
    CROSS JOIN generate_series(p.start_date, coalesce(p.closed_on, current_date + 28),
                               interval '1 day') AS g
    WHERE p.tenant_id = ANY($1) AND extract(isodow FROM g) IN (1, 4)
), visits AS (
    SELECT *, CASE WHEN d >= current_date THEN 'planned'
                   WHEN hd % 20 = 0 THEN 'missed' ELSE 'done' END AS status
    FROM days
)
INSERT INTO hah_visit (tenant_id, plan_id, person_id, staff_id, service, planned_start,
                       planned_end, planned_day, status, check_in_at, check_out_at,
                       late_minutes, created_at, updated_at)
SELECT tenant_id, plan_id, person_id, ids[1 + h % cardinality(ids)],
       (ARRAY['home_help', 'nursing_visit', 'psychosocial_support', 'accompaniment'])[1 + h % 4],
       (d + time '09:00') AT TIME ZONE 'Europe/Athens',
       (d + time '10:00') AT TIME ZONE 'Europe/Athens', d, status,
       CASE WHEN status = 'done' THEN (d + time '09:00') AT TIME ZONE 'Europe/Athens'
            + make_interval(mins => hd % 30) END,
       CASE WHEN status = 'done' THEN (d + time '10:05') AT TIME ZONE 'Europe/Athens' END,
       CASE WHEN status = 'done' THEN hd % 30 ELSE 0 END, now(), now()
FROM visits
""",
        ),
    ],
    "family_center": [
        (
            "fc_case",
            """
INSERT INTO fc_case (tenant_id, person_id, problems, referral_source, status, opened_on,
                     closed_on, created_at)
SELECT tenant_id, id,
       json_build_array((ARRAY['family_conflict', 'parenting', 'divorce', 'grief',
                               'school', 'adolescence'])[1 + g % 6]),
       'self', CASE WHEN g % 2 = 0 THEN 'open' ELSE 'closed' END, current_date - g % 1095,
       CASE WHEN g % 2 = 1 THEN current_date - g % 1095 + 90 END, now()
FROM (SELECT tenant_id, id, abs(hashtext(id::text || 'fc')) AS h,
             abs(hashtext(id::text || 'fc2')) AS g
      FROM beneficiary WHERE tenant_id = ANY($1)) AS b
WHERE h % 50 = 0
""",
        ),
        (
            "fc_party",
            """
INSERT INTO fc_party (tenant_id, record_type, record_id, person_id, role)
SELECT tenant_id, 'case', id, person_id, 'client' FROM fc_case WHERE tenant_id = ANY($1)
""",
        ),
        (
            "fc_session",
            """
INSERT INTO fc_session (tenant_id, case_id, session_type, mode, held_at, duration_minutes,
                        created_at)
SELECT c.tenant_id, c.id,
       (ARRAY['individual', 'couple', 'parent_child', 'family'])[1 + (abs(hashtext(c.id::text)) + k) % 4],
       (ARRAY['in_person', 'in_person', 'phone', 'video'])[1 + k % 4],
       ((c.opened_on + 7 * k) + time '11:00') AT TIME ZONE 'Europe/Athens', 50, now()
FROM fc_case c CROSS JOIN generate_series(0, 9) AS k
WHERE c.tenant_id = ANY($1) AND c.opened_on + 7 * k < current_date
""",  # noqa: E501
        ),
    ],
    "roma_branch": [
        (
            "rb_reception",
            """
INSERT INTO rb_reception (tenant_id, person_id, visited_on, channel, request_type, outcome,
                          created_at)
SELECT tenant_id, id, current_date - (h + 137 * k) % 1095,
       CASE WHEN k % 3 = 0 THEN 'phone' ELSE 'visit' END,
       (ARRAY['benefits_info', 'min_income', 'civil_registry', 'health', 'education',
              'housing', 'employment'])[1 + (h + k) % 7],
       (ARRAY['informed', 'assisted', 'referred', 'accompanied'])[1 + (h + k) % 4], now()
FROM (SELECT tenant_id, id, abs(hashtext(id::text || 'rb')) AS h
      FROM beneficiary WHERE tenant_id = ANY($1)) AS b
CROSS JOIN generate_series(0, 7) AS k
WHERE h % 33 = 0
""",
        ),
        (
            "rb_accompaniment",
            """
WITH staff AS (
    SELECT tenant_id, array_agg(id ORDER BY id) AS ids
    FROM staff_member WHERE tenant_id = ANY($1) GROUP BY tenant_id
), acc AS (
    SELECT b.tenant_id, b.id, s.ids, b.h, k, current_date - (b.h + 173 * k) % 1095 AS d
    FROM (SELECT tenant_id, id, abs(hashtext(id::text || 'rba')) AS h
          FROM beneficiary WHERE tenant_id = ANY($1)) AS b
    JOIN staff s USING (tenant_id)
    CROSS JOIN generate_series(0, 5) AS k
    WHERE b.h % 100 = 0
)
INSERT INTO rb_accompaniment (tenant_id, person_id, agency, start, "end", day,
                              mediator_staff_id, status, created_at, updated_at)
SELECT tenant_id, id,
       (ARRAY['kep', 'opeka', 'dypa', 'hospital', 'tax_office', 'police', 'school',
              'municipality'])[1 + (h + k) % 8],
       (d + time '10:00') AT TIME ZONE 'Europe/Athens',
       (d + time '12:00') AT TIME ZONE 'Europe/Athens', d, ids[1 + h % cardinality(ids)],
       CASE WHEN d >= current_date THEN 'planned' WHEN (h + k) % 10 = 0 THEN 'cancelled'
            ELSE 'done' END, now(), now()
FROM acc
""",
        ),
    ],
}


def requests(year: int, month: str) -> list[tuple[str, str]]:
    """(name, path under /api/v1/t/{slug}) of each module's main list and monthly report."""
    return [
        ("food_bank list (pickups)", "/modules/food_bank/pickups?limit=50"),
        (
            "food_bank report distributions_monthly",
            f"/reports/food_bank.distributions_monthly?format=json&year={year}",
        ),
        ("help_at_home list (applications)", "/modules/help_at_home/applications?limit=50"),
        ("help_at_home list (visits)", "/modules/help_at_home/visits?limit=50"),
        (
            "help_at_home report visits_by_worker",
            f"/reports/help_at_home.visits_by_worker?format=json&month={month}",
        ),
        ("family_center list (cases)", "/modules/family_center/cases?limit=50"),
        (
            "family_center report sessions",
            f"/reports/family_center.sessions?format=json&year={year}",
        ),
        ("roma_branch list (reception)", "/modules/roma_branch/reception?limit=50"),
        (
            "roma_branch report accompaniments",
            f"/reports/roma_branch.accompaniments?format=json&year={year}",
        ),
    ]


async def seed_modules(admin_url: str, prefix: str) -> dict[str, Any]:
    """Add module records to the seeded consortium (once); returns rows per table."""
    import asyncpg

    out: dict[str, Any] = {}
    conn = await asyncpg.connect(admin_url)
    try:
        for module, statements in SEED_SQL.items():
            tenant_ids = [
                r["tenant_id"]
                for r in await conn.fetch(
                    "SELECT m.tenant_id FROM tenant_module m JOIN tenant t ON t.id = m.tenant_id "
                    "WHERE m.module = $1 AND m.enabled AND t.slug ~ $2",
                    module,
                    f"^{prefix}[0-9]{{3}}$",
                )
            ]
            for table, sql in statements:
                if await conn.fetchval(
                    f"SELECT count(*) FROM {table} WHERE tenant_id = ANY($1)", tenant_ids
                ):
                    out[table] = "kept"
                    continue
                t = time.perf_counter()
                status = await conn.execute(sql, tenant_ids)
                out[table] = {
                    "rows": int(status.split()[-1]),
                    "seconds": round(time.perf_counter() - t, 1),
                }
            await conn.execute(f"ANALYZE {', '.join(table for table, _ in statements)}")
    finally:
        await conn.close()
    return out


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure_modules(
    database_url: str, tenant: dict[str, Any], slug: str, repeat: int, user: tuple[str, str]
) -> dict[str, Any]:
    """Time and explain each module request for one tenant (one client, in process)."""
    import asyncpg
    from litestar.testing import AsyncTestClient

    from bench.explain import _SKIP, explain, recording
    from core.app import create_app

    today = date.today()
    last_month = today.replace(day=1) - timedelta(days=1)
    api = f"/api/v1/t/{slug}"
    out: dict[str, Any] = {}
    conn = await asyncpg.connect(database_url)
    try:
        async with AsyncTestClient(create_app()) as client:
            login = await client.post(
                "/api/v1/auth/login", json={"username": user[0], "password": user[1]}
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            for name, path in requests(today.year, last_month.strftime("%Y-%m")):
                url = api + path
                first = await client.get(url, headers=headers)
                times = []
                for _ in range(repeat):
                    t = time.perf_counter()
                    response = await client.get(url, headers=headers)
                    times.append((time.perf_counter() - t) * 1000)
                with recording() as seen:
                    response = await client.get(url, headers=headers)
                body = response.json() if response.status_code == 200 else {}
                rows = len(body.get("items", body.get("rows", [])) or [])
                statements = []
                for sql, args in seen:
                    if _SKIP.match(sql) or "audit_event" in sql:
                        continue
                    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                        statements.append({"sql": sql, "plan": "(write)", "seq_scans": []})
                        continue
                    try:
                        plan, scans = await explain(conn, tenant["tenant_id"], sql, args)
                    except Exception as exc:  # a plan we cannot get is reported, not fatal
                        plan, scans = f"(could not explain: {exc})", []
                    statements.append({"sql": sql, "plan": plan, "seq_scans": scans})
                out[name] = {
                    "path": path,
                    "status": first.status_code,
                    "rows": rows,
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(_percentile(times, 0.95), 1),
                    "max_ms": round(max(times), 1),
                    "statements": statements,
                }
    finally:
        await conn.close()
    return out


def markdown(result: dict[str, Any]) -> str:
    """A summary table (time, rows, statements and their execution times) and every plan."""
    import re

    lines = [
        "| request | status | rows | p50 ms | p95 ms | statements | SQL execution ms (each) "
        "| sequential scans |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    details = []
    for name, item in result.items():
        times = []
        scans: set[str] = set()
        for st in item["statements"]:
            m = re.search(r"Execution Time: ([\d.]+) ms", st["plan"])
            times.append(m.group(1) if m else "-")
            scans |= set(st["seq_scans"])
            details.append(f"#### {name}\n\n```sql\n{st['sql']}\n```\n\n```\n{st['plan']}\n```\n")
        lines.append(
            f"| {name} | {item['status']} | {item['rows']} | {item['p50_ms']} | "
            f"{item['p95_ms']} | {len(item['statements'])} | {', '.join(times)} | "
            f"{', '.join(sorted(scans)) or 'none'} |"
        )
    return "\n".join(lines) + "\n\n" + "\n".join(details)


def main(argv: list[str] | None = None) -> int:
    """`python -m bench.modules --database-url APP_URL --admin-url SUPERUSER_URL [--out F]`."""
    import argparse
    import asyncio
    import json
    import os
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m bench.modules", description=__doc__)
    parser.add_argument("--database-url", required=True, help="app role URL (PostgreSQL)")
    parser.add_argument("--admin-url", required=True, help="superuser URL of the same database")
    parser.add_argument("--redis-url", default="")
    parser.add_argument("--prefix", default="b", help="tenant slug prefix of the seed")
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per endpoint")
    parser.add_argument("--out", default="", help="markdown file for the table and the plans")
    args = parser.parse_args(argv)
    os.environ["MERIMNA_DATABASE_URL"] = args.database_url
    if args.redis_url:
        os.environ["MERIMNA_REDIS_URL"] = args.redis_url
    os.environ.setdefault("MERIMNA_LOGIN_RATE_PER_ADDRESS", "1000000000")
    from bench.cli import RAW, _log
    from bench.runner import sample

    seeded = asyncio.run(seed_modules(args.admin_url, args.prefix))
    _log(f"module records: {json.dumps(seeded)}")
    data = asyncio.run(sample(args.database_url, 1, args.prefix))
    slug = next(iter(data))
    figures = asyncio.run(
        measure_modules(
            args.database_url, data[slug], slug, args.repeat, ("bench", "bench-password")
        )
    )
    text = markdown(figures)
    if args.out:
        Path(args.out).write_text(text)
    RAW.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RAW / f"{stamp}-modules.json").write_text(
        json.dumps({"seeded": seeded, "figures": figures}, indent=2, default=str)
    )
    print(text.split("\n\n", 1)[0])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
