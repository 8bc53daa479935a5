"""`python -m bench ...`: seed a consortium, or run the whole benchmark at one scale."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

RAW = Path(__file__).resolve().parent / "results" / "raw"


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def tenants_note(requested: int, fitted: int, beneficiaries: int) -> str:
    """What the output says when a small scale seeds fewer tenants than asked."""
    return (
        f"{beneficiaries} people over {requested} tenants would leave the smallest tenants "
        f"below their share of the consortium's shape: seeding {fitted} tenants instead"
    )


async def _seed(args: argparse.Namespace) -> dict[str, Any]:
    from bench.generate import fit_tenants, plan_consortium, seed
    from core import db
    from core.migrate import migrate_all

    tenants = fit_tenants(args.tenants, args.beneficiaries)
    if tenants < args.tenants:
        _log(tenants_note(args.tenants, tenants, args.beneficiaries))
    await db.start()
    try:
        await migrate_all()
        plans = plan_consortium(
            tenants, args.beneficiaries, args.appointments, seed=args.seed, prefix=args.prefix
        )
        _log(
            f"seeding {len(plans)} tenants (largest {plans[0].beneficiaries} people, "
            f"smallest {plans[-1].beneficiaries}) into {'PostgreSQL' if db.is_postgres() else 'SQLite'}"  # noqa: E501
        )
        report = await seed(plans, seed_value=args.seed, progress=_log, admin_url=args.admin_url)
    finally:
        await db.stop()
    out = report.as_dict() | {
        "tenants_requested": args.tenants,
        "largest_tenant": plans[0].slug,
        "largest_size": plans[0].beneficiaries,
    }
    _log(f"seeded: {json.dumps(out)}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("seed", help="generate a consortium into MERIMNA_DATABASE_URL")
    s.add_argument("--tenants", type=int, default=330)
    s.add_argument("--beneficiaries", type=int, default=100_000)
    s.add_argument("--appointments", type=int, default=500_000)
    s.add_argument("--seed", type=int, default=11)
    s.add_argument("--prefix", default="b", help="tenant slug prefix (b000, b001, ...)")
    s.add_argument(
        "--admin-url",
        default="",
        help="PostgreSQL superuser URL of the same database: load with COPY, indexes after "
        "(bench.fastseed); without it, the application's bulk path",
    )
    r = sub.add_parser("run", help="start services, seed, serve, measure floors and scenarios")
    r.add_argument("--tenants", type=int, default=330)
    r.add_argument("--beneficiaries", type=int, default=100_000)
    r.add_argument("--appointments", type=int, default=500_000)
    r.add_argument("--workers", type=int, default=2)
    r.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    r.add_argument("--connections", type=int, default=32)
    r.add_argument("--engine", choices=["pg", "sqlite"], default="pg")
    r.add_argument("--label", default="")
    r.add_argument(
        "--database-url", default="", help="reuse a seeded database (skip services+seed)"
    )
    r.add_argument("--redis-url", default="")
    r.add_argument("--admin-url", default="", help="superuser URL of that database (floors)")
    r.add_argument("--prefix", default="b", help="tenant slug prefix of the seeded consortium")
    r.add_argument("--sample-tenants", type=int, default=60)
    r.add_argument("--largest", default="", help="slug of the largest tenant (default: first)")
    a = sub.add_parser(
        "audit",
        help="a sealed chain of N records, then `merimna audit verify`; with --append, the "
        "cost of the audit append on a write",
    )
    a.add_argument("--records", type=int, default=1_000_000)
    a.add_argument("--database-url", required=True, help="app role URL (PostgreSQL)")
    a.add_argument("--admin-url", default="", help="superuser URL of the same database (chain)")
    a.add_argument("--data-dir", default="/tmp/merimna-bench-audit")
    a.add_argument(
        "--append", action="store_true", help="the same write with and without its audit row"
    )
    a.add_argument("--pairs", type=int, default=2000, help="--append: writes of each kind")
    i = sub.add_parser("import", help="`merimna import beneficiaries` of N generated people")
    i.add_argument("--rows", type=int, default=100_000)
    i.add_argument("--database-url", required=True)
    i.add_argument("--data-dir", default="/tmp/merimna-bench-import")
    e = sub.add_parser("explain", help="EXPLAIN (ANALYZE, BUFFERS) of what the hot endpoints send")
    e.add_argument("--database-url", required=True, help="app role URL (PostgreSQL)")
    e.add_argument("--redis-url", default="")
    e.add_argument("--prefix", default="b")
    e.add_argument("--out", default="", help="markdown file for the plans")
    q = sub.add_parser("sqlite-search", help="SQLite at N people: searches from one user")
    q.add_argument("--beneficiaries", type=int, default=100_000)
    q.add_argument("--tenants", type=int, default=330)
    q.add_argument("--duration", type=int, default=8)
    q.add_argument("--keep", default="", help="SQLite file to seed once and reuse")
    args = parser.parse_args(argv)
    if args.command == "sqlite-search":
        from bench.sqlite_search import run_sqlite_search

        out = run_sqlite_search(args.beneficiaries, args.tenants, args.duration, args.keep)
        RAW.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        (RAW / f"{stamp}-sqlite-{args.beneficiaries}.json").write_text(json.dumps(out, indent=2))
        _log(f"sqlite search: {json.dumps(out)}")
        return 0
    if args.command == "explain":
        import os

        os.environ["MERIMNA_DATABASE_URL"] = args.database_url
        if args.redis_url:
            os.environ["MERIMNA_REDIS_URL"] = args.redis_url
        os.environ.setdefault("MERIMNA_LOGIN_RATE_PER_ADDRESS", "1000000000")
        from bench.explain import explain_hot, markdown
        from bench.runner import sample

        data = asyncio.run(sample(args.database_url, 1, args.prefix))
        slug = next(iter(data))
        plans = asyncio.run(
            explain_hot(args.database_url, data[slug], slug, ("bench", "bench-password"))
        )
        text = markdown(plans)
        if args.out:
            Path(args.out).write_text(text)
        print(text.split("\n\n", 1)[0])
        return 0
    if args.command == "import":
        from bench.imports import run_import

        out = run_import(args.database_url, args.rows, args.data_dir)
        _log(f"import: {json.dumps(out, ensure_ascii=False)}")
        RAW.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        (RAW / f"{stamp}-import-{args.rows}.json").write_text(json.dumps(out, indent=2))
        return 0 if out["exit_status"] == 0 else 1
    if args.command == "audit" and args.append:
        from bench.audit import run_append

        out = run_append(args.database_url, args.pairs, args.data_dir)
        _log(f"audit append: {json.dumps(out)}")
        RAW.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        (RAW / f"{stamp}-audit-append.json").write_text(json.dumps(out, indent=2))
        return 0
    if args.command == "audit":
        if not args.admin_url:
            parser.error("audit: --admin-url is required to write the chain")
        from bench.audit import run_audit

        out = run_audit(args.database_url, args.admin_url, args.records, args.data_dir)
        _log(f"audit verify: {json.dumps(out, ensure_ascii=False)}")
        RAW.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        (RAW / f"{stamp}-audit-{args.records}.json").write_text(json.dumps(out, indent=2))
        return 0 if out["exit_status"] == 0 else 1
    if args.command == "seed":
        asyncio.run(_seed(args))
        return 0
    from bench.runner import run

    return run(args)
