"""`python -m bench explain`: the plan of every statement the hot endpoints send, with the
tenant set and row-level security on (issue 11 §4: "an EXPLAIN of every hot query in the
results shows index use").

The application runs in this process (Litestar's test client, the same settings and database
as the served one) while every statement it sends through asyncpg is recorded with its
arguments. Each recorded read is then run again as `EXPLAIN (ANALYZE, BUFFERS)` (in a
transaction that is rolled back) on a connection of the app role with `app.tenant_id` set, so
the plan is the one the endpoint gets, not one of a superuser. Writes are listed, not re-run.
Plans that read a table of the tenant by a sequential scan are flagged.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

HOT = (
    ("read", "GET", "/beneficiaries/{person}"),
    ("search_greek", "GET", "/beneficiaries?q={greek}&limit=20"),
    ("search_latin", "GET", "/beneficiaries?q={latin}&limit=20"),
    ("search_amka", "GET", "/beneficiaries?q={amka}"),
    ("staff_week", "GET", "/appointments?staff_id={staff}&start={monday}&end={sunday}"),
    ("module_list", "GET", "/modules/food_bank/pickups?limit=50"),
    ("report_monthly_fb", "GET", "/reports/food_bank.distributions_monthly?year={year}"),
    ("report_registrations", "GET", "/reports/core.registrations_per_month?year={year}"),
    (
        "report_appointments_year",
        "GET",
        "/reports/core.appointments?start={year}-01-01&end={year}-12-31",
    ),
    ("create", "POST", "/beneficiaries"),
    ("book", "POST", "/appointments"),
)
_SKIP = re.compile(
    r"^\s*(SELECT set_config|SELECT pg_advisory|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", re.I
)


@contextlib.contextmanager
def recording() -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    """Every statement sent through asyncpg meanwhile, with its arguments."""
    import asyncpg.connection

    cls = asyncpg.connection.Connection
    seen: list[tuple[str, tuple[Any, ...]]] = []
    originals = {name: getattr(cls, name) for name in ("fetch", "fetchrow", "fetchval", "execute")}

    def wrap(name: str) -> Any:
        original = originals[name]

        async def method(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            seen.append((query, args))
            return await original(self, query, *args, **kwargs)

        return method

    for name in originals:
        setattr(cls, name, wrap(name))
    try:
        yield seen
    finally:
        for name, original in originals.items():
            setattr(cls, name, original)


async def explain(
    conn: Any, tenant_id: str, sql: str, args: tuple[Any, ...]
) -> tuple[str, list[str]]:
    """The plan text, and the tenant tables it reads by a sequential scan."""
    tr = conn.transaction()
    await tr.start()
    try:
        await conn.execute("SELECT set_config('app.tenant_id', $1, true)", tenant_id)
        rows = await conn.fetch(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", *args)
    finally:
        await tr.rollback()  # writes are explained, never kept
    plan = "\n".join(r[0] for r in rows)
    scans = re.findall(r"Seq Scan on (\w+)", plan)
    return plan, sorted(set(scans))


async def explain_hot(
    database_url: str, tenant: dict[str, Any], slug: str, token_user: tuple[str, str]
) -> dict[str, Any]:
    """Run each hot request once in process, then explain what it sent."""
    import json
    import urllib.parse
    from datetime import date, timedelta

    import asyncpg
    from litestar.testing import AsyncTestClient

    from bench.runner import booking_requests
    from core.app import create_app

    person = tenant["people"][len(tenant["people"]) // 2]
    monday = date.today() - timedelta(days=date.today().weekday() + 7)
    values = {
        "person": person["id"],
        "greek": urllib.parse.quote(person["last_name"][:5]),
        "latin": urllib.parse.quote(person["latin_last_name"][:6].lower()),
        "amka": person["amka"],
        "staff": tenant["staff"][0],
        "monday": monday.isoformat(),
        "sunday": (monday + timedelta(days=7)).isoformat(),
        "year": date.today().year - 1,
    }
    bodies = {
        "create": {"first_name": "Μαρία", "last_name": "Εξήγηση", "birth_date": "1961-02-03"},
    }
    # Two fresh bookings: the first warms the path up, the second is recorded (a 201).
    warm, booked = (json.loads(line.split("\t")[2]) for line in booking_requests(tenant, "", 2))
    api = f"/api/v1/t/{slug}"
    out: dict[str, Any] = {}
    conn = await asyncpg.connect(database_url)
    try:
        async with AsyncTestClient(create_app()) as client:
            login = await client.post(
                "/api/v1/auth/login",
                json={"username": token_user[0], "password": token_user[1]},
            )
            headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
            for name, method, path in HOT:
                url = api + path.format(**values)
                first = warm if name == "book" else bodies.get(name)
                await client.request(method, url, headers=headers, json=first)
                body = booked if name == "book" else bodies.get(name)
                with recording() as seen:
                    response = await client.request(method, url, headers=headers, json=body)
                statements = []
                for sql, args in seen:
                    if _SKIP.match(sql) or "audit_event" in sql:
                        continue
                    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                        # The request committed its rows: explaining the write again would
                        # collide with them. Its reads (lookups, conflict checks) are shown.
                        statements.append(
                            {"sql": sql, "plan": "(write, not re-run)", "seq_scans": []}
                        )
                        continue
                    try:
                        plan, scans = await explain(conn, tenant["tenant_id"], sql, args)
                    except Exception as exc:
                        plan, scans = f"(could not explain: {exc})", []
                    statements.append({"sql": sql, "plan": plan, "seq_scans": scans})
                out[name] = {"status": response.status_code, "statements": statements}
    finally:
        await conn.close()
    return out


def markdown(plans: dict[str, Any]) -> str:
    """A summary table and every plan, for RESULTS.md or its appendix."""
    lines = ["| request | status | statements | execution ms (each) | sequential scans |"]
    lines.append("|---|---:|---:|---|---|")
    details = []
    for name, item in plans.items():
        times = []
        scans: set[str] = set()
        for st in item["statements"]:
            m = re.search(r"Execution Time: ([\d.]+) ms", st["plan"])
            times.append(m.group(1) if m else "?")
            scans |= set(st["seq_scans"])
            details.append(f"#### {name}\n\n```sql\n{st['sql']}\n```\n\n```\n{st['plan']}\n```\n")
        lines.append(
            f"| {name} | {item['status']} | {len(item['statements'])} | {', '.join(times)} | "
            f"{', '.join(sorted(scans)) or 'none'} |"
        )
    return "\n".join(lines) + "\n\n" + "\n".join(details)
