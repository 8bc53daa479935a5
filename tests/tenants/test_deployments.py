"""Whole-deployment journeys through the real command line, each into a database of its own:
moving a tenant to another deployment, and `merimna demo --reset` run twice.

`Deployment` is a second, empty installation on this tier (a SQLite file, or a new
PostgreSQL database owned by the same non-superuser role): nothing is shared with the test
session's database but the archive file.
"""

from __future__ import annotations

import json
import tarfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from core.audit.tables import AuditEvent
from tenants.archive import tenant_dir
from tests.tenants.conftest import Deployment, in_tenant
from tests.tenants.helpers import merimna, ok

# Compared between two exports of the same tenant; `exported_at` is the only volatile part.
SAME = ("tenant", "modules", "memberships", "users", "tables", "files", "slug", "tenant_id")


def manifest(path: Path) -> dict[str, Any]:
    with tarfile.open(path) as tar:
        return json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr,no-any-return]


async def test_a_tenant_moves_to_another_deployment(
    client: Any,
    tenant_factory: Any,
    staff_factory: Any,
    person_factory: Any,
    deployment: Deployment,
    tmp_path: Path,
) -> None:
    town = await tenant_factory(["food_bank"])
    boss = await staff_factory(town, ["tenant_admin"])
    worker = await staff_factory(town, ["social_worker"])
    await person_factory(town, worker, first_name="Ευάγγελος", last_name="Χατζηγεωργίου")
    await person_factory(town, worker, first_name="Σοφία", last_name="Ιωάννου")
    changed = await client.patch(
        f"{town.api}/profile",
        json={"operating_hours": {"tue": [["09:00", "13:00"]]}, "contact_phone": "2101234567"},
        headers=boss.headers,
    )
    assert changed.status_code == 200

    async def events() -> None:
        await AuditEvent.insert(
            AuditEvent(id=uuid4(), at=datetime.now(UTC), action="read", object_type="x")
        )

    await in_tenant(town.id, events)
    folder = tenant_dir(town.id)
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    (folder / "docs" / "αίτηση.pdf").write_bytes(b"%PDF-1.4 " + bytes(range(256)))

    source_archive = tmp_path / "out.tar.gz"
    ok(merimna("tenants", "export", town.slug, str(source_archive)))
    exported = manifest(source_archive)
    rows = {e["table"]: e["rows"] for e in exported["tables"]}
    assert rows["beneficiary"] == 2 and rows["audit_event"] >= 4

    # The other deployment: migrate it, import, and export again from there.
    env = deployment.env
    ok(merimna("migrate", env=env))
    imported = ok(merimna("tenants", "import", str(source_archive), env=env))
    assert f"imported {town.slug}" in imported
    assert "2 inactive account(s) created" in imported
    listed = json.loads(ok(merimna("tenants", "list", "--json", env=env)))
    assert [(t["slug"], t["modules"], t["id"]) for t in listed] == [
        (town.slug, ["food_bank"], str(town.id))
    ]
    assert listed[0]["contact_phone"] == "+302101234567"
    assert listed[0]["operating_hours"] == {"tue": [["09:00", "13:00"]]}
    restored = deployment.data_dir / str(town.id) / "docs" / "αίτηση.pdf"
    assert restored.read_bytes() == b"%PDF-1.4 " + bytes(range(256))

    round_trip = tmp_path / "back.tar.gz"
    ok(merimna("tenants", "export", town.slug, str(round_trip), env=env))
    again = manifest(round_trip)
    # Same digests per table: every row and value arrived as it left.
    for key in SAME:
        assert again[key] == exported[key], key
    # Only this tenant's rows live there; the source deployment still has it untouched.
    for table, count in rows.items():
        assert deployment.count(table) == count, table
    assert (await client.get(f"{town.api}/profile", headers=boss.headers)).status_code == 200
    # Importing twice into the same deployment is refused, and changes nothing.
    refused = merimna("tenants", "import", str(source_archive), env=env)
    assert refused.returncode != 0 and town.slug in refused.stderr
    assert deployment.count("beneficiary") == 2


# Narrow the demo to the tenant that runs every module (the full demo is five of them).
ONE_DEMO_TENANT = (
    "import core.demo as d; d.DEMO_TENANTS = tuple(t for t in d.DEMO_TENANTS "
    "if t.slug == 'demo-welfare')"
)


# The demo is the embedded default's journey; on PostgreSQL the same deletion path is
# covered by test_archive (under row-level security), at a fraction of the time.
@pytest.mark.sqlite
def test_demo_reset_twice_in_a_row(deployment: Deployment, tmp_path: Path) -> None:
    assert not deployment.database  # the sqlite marker keeps this test in the SQLite tier
    env = deployment.env
    counts = []
    ids = []
    for run in range(2):
        out = ok(merimna("demo", "--reset", env=env, prelude=ONE_DEMO_TENANT, timeout=600))
        assert "admin@demo-welfare" in out and "consortium" in out, out
        archive = tmp_path / f"demo-{run}.tar.gz"
        ok(merimna("tenants", "export", "demo-welfare", str(archive), env=env))
        saved = manifest(archive)
        ids.append(saved["tenant_id"])
        counts.append({e["table"]: e["rows"] for e in saved["tables"]})
        assert sorted(m["module"] for m in saved["modules"] if m["enabled"]) == [
            "family_center",
            "food_bank",
            "help_at_home",
            "roma_branch",
        ]
        # Nothing of the tenant the reset deleted is left behind in any table.
        for table, rows in counts[-1].items():
            assert deployment.count(table) == rows, (run, table)
        assert deployment.count("tenant") == 1
    assert ids[0] != ids[1]
    # The reloaded demo has the same tables filled (row counts of modules' demos may vary:
    # some follow today's date).
    assert {t for t, n in counts[0].items() if n} == {t for t, n in counts[1].items() if n}
    assert counts[0]["beneficiary"] == counts[1]["beneficiary"] > 0
    listed = json.loads(ok(merimna("tenants", "list", "--json", env=env)))
    assert [t["slug"] for t in listed] == ["demo-welfare"]
