"""`merimna tenants|users|admins ...`, run as a real process: exit codes, one-line errors.

The commands arrive through the `merimna_cli` hook of `tenants.hooks`.

The CLI runs `asyncio.run` with its own database pool, so it is driven in a subprocess; the
checks read the database directly (on the SQLite tier the CLI cannot reach this process's
in-memory cache, which is the documented single-process limit of running without Redis).
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from click.testing import CliRunner

from core.audit.tables import AuditEvent, PlatformAuditEvent
from core.auth.tables import User
from core.testing import unique_slug
from tenants.archive import tenant_dir
from tenants.tables import Membership, Tenant, TenantModule
from tests.tenants.conftest import in_tenant
from tests.tenants.helpers import failed_with_one_line, merimna, ok


async def _tenant(slug: str) -> dict[str, Any] | None:
    return await Tenant.select().where(Tenant.slug == slug).first()  # type: ignore[no-any-return]


async def _modules(tenant_id: Any) -> dict[str, bool]:
    rows = await TenantModule.select(TenantModule.module, TenantModule.enabled).where(
        TenantModule.tenant_id == tenant_id
    )
    return {r["module"]: r["enabled"] for r in rows}


async def test_tenant_commands(client: Any) -> None:
    slug = unique_slug("cli")
    out = ok(
        merimna(
            "tenants",
            "create",
            slug,
            "--name",
            "Δήμος Κλι",
            "--name-en",
            "Cli",
            "--module",
            "food_bank",
        )
    )
    assert f"created tenant {slug}" in out
    row = await _tenant(slug)
    assert row is not None and (row["name"], row["name_en"], row["status"]) == (
        "Δήμος Κλι",
        "Cli",
        "active",
    )
    assert await _modules(row["id"]) == {"food_bank": True}
    audit = (
        await PlatformAuditEvent.select()
        .where(
            (PlatformAuditEvent.tenant_id == row["id"])
            & (PlatformAuditEvent.action == "tenant.create")
        )
        .first()
        .output(load_json=True)
    )
    assert audit["user_id"] is None and audit["details"]["via"] == "cli"

    failed_with_one_line(merimna("tenants", "create", slug, "--name", "Δήμος"))
    failed_with_one_line(merimna("tenants", "create", "Bad_Slug", "--name", "Δήμος"), "slug")
    failed_with_one_line(merimna("tenants", "create", "trailing-", "--name", "Δήμος"), "slug")
    nope = unique_slug("nope")
    failed_with_one_line(
        merimna("tenants", "create", nope, "--name", "Δήμος", "--module", "no_such"), "no_such"
    )
    assert await _tenant(nope) is None

    listing = ok(merimna("tenants", "list"))
    assert any(line.startswith(slug) and "food_bank" in line for line in listing.splitlines())
    as_json = json.loads(ok(merimna("tenants", "list", "--json")))
    mine = next(t for t in as_json if t["slug"] == slug)
    assert (mine["modules"], mine["status"], mine["id"]) == (
        ["food_bank"],
        "active",
        str(row["id"]),
    )

    assert "enabled" in ok(merimna("tenants", "enable", slug, "help_at_home"))
    assert await _modules(row["id"]) == {"food_bank": True, "help_at_home": True}
    assert "already enabled" in ok(merimna("tenants", "enable", slug, "help_at_home"))
    replaced = ok(merimna("tenants", "enable", slug, "help_at_home", "--settings", "{}"))
    assert "settings replaced" in replaced
    failed_with_one_line(merimna("tenants", "enable", slug, "no_such"), "no_such")
    failed_with_one_line(merimna("tenants", "enable", "no-such-town", "food_bank"), "no-such-town")
    failed_with_one_line(merimna("tenants", "enable", slug, "food_bank", "--settings", "{bad"))
    failed_with_one_line(
        merimna("tenants", "enable", slug, "food_bank", "--settings", '{"zzz": 1}'), "settings.zzz"
    )

    ok(merimna("tenants", "disable", slug, "help_at_home"))
    assert await _modules(row["id"]) == {"food_bank": True, "help_at_home": False}
    failed_with_one_line(merimna("tenants", "disable", slug, "help_at_home"))

    ok(merimna("tenants", "suspend", slug))
    assert (await _tenant(slug))["status"] == "suspended"  # type: ignore[index]
    ok(merimna("tenants", "resume", slug))
    assert (await _tenant(slug))["status"] == "active"  # type: ignore[index]
    failed_with_one_line(merimna("tenants", "suspend", "no-such-town"), "no-such-town")


async def test_account_commands(client: Any, tenant: Any) -> None:
    admin_name = f"cons-{secrets.token_hex(3)}"
    ok(
        merimna(
            "admins", "create", "--username", admin_name, "--password-stdin", stdin="admin pass 1\n"
        )
    )
    login = await client.post(
        "/api/v1/auth/login", json={"username": admin_name, "password": "admin pass 1"}
    )
    assert login.status_code == 200, login.text
    token = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await client.get("/api/v1/admin/tenants", headers=token)).status_code == 200

    worker = f"worker-{secrets.token_hex(3)}"
    out = ok(
        merimna(
            "users",
            "create",
            "--tenant",
            tenant.slug,
            "--username",
            worker,
            "--role",
            "social_worker",
            "--role",
            "reception",
            "--password-stdin",
            stdin="worker pass 2\n",
        )
    )
    assert worker in out
    user = (
        await User.select(User.id, User.is_consortium_admin).where(User.username == worker).first()
    )
    assert user["is_consortium_admin"] is False
    member = (
        await Membership.select(Membership.roles)
        .where((Membership.user_id == user["id"]) & (Membership.tenant_id == tenant.id))
        .first()
        .output(load_json=True)
    )
    assert member["roles"] == ["social_worker", "reception"]
    signed = await client.post(
        "/api/v1/auth/login", json={"username": worker, "password": "worker pass 2"}
    )
    assert signed.status_code == 200
    headers = {"Authorization": f"Bearer {signed.json()['access_token']}"}
    assert (await client.get(f"{tenant.api}/modules", headers=headers)).status_code == 200
    assert (await client.get("/api/v1/admin/tenants", headers=headers)).status_code == 403

    def create(*extra: str, stdin: str = "pw\n", username: str | None = None) -> Any:
        return merimna(
            "users",
            "create",
            "--tenant",
            tenant.slug,
            "--username",
            username or f"x-{secrets.token_hex(3)}",
            *extra,
            stdin=stdin,
        )

    failed_with_one_line(create("--role", "social_worker"), "--password-stdin")
    failed_with_one_line(create("--role", "social_worker", "--password-stdin", stdin=""))
    failed_with_one_line(create("--role", "consortium_admin", "--password-stdin"), "admins create")
    failed_with_one_line(create("--role", "social_worker", "--password-stdin", username=worker))
    ghost = f"ghost-{secrets.token_hex(3)}"
    failed_with_one_line(create("--role", "wizard", "--password-stdin", username=ghost), "roles")
    assert not await User.exists().where(User.username == ghost)  # one transaction
    failed_with_one_line(
        merimna(
            "users",
            "create",
            "--tenant",
            "no-such-town",
            "--username",
            ghost,
            "--role",
            "social_worker",
            "--password-stdin",
            stdin="pw\n",
        ),
        "no-such-town",
    )
    assert not await User.exists().where(User.username == ghost)
    failed_with_one_line(
        merimna("admins", "create", "--username", admin_name, "--password-stdin", stdin="again\n")
    )
    failed_with_one_line(merimna("admins", "create", "--username", "someone"), "--password-stdin")


async def test_export_delete_import_from_the_command_line(
    client: Any, tenant_factory: Any, staff_factory: Any, tmp_path: Path
) -> None:
    town = await tenant_factory(["food_bank"])
    await staff_factory(town, ["tenant_admin"])

    async def add_events(n: int) -> None:
        for i in range(n):
            await AuditEvent.insert(
                AuditEvent(id=uuid4(), at=datetime.now(UTC), action="read", object_id=str(i))
            )

    await in_tenant(town.id, lambda: add_events(3))
    tenant_dir(town.id).mkdir(parents=True, exist_ok=True)
    (tenant_dir(town.id) / "doc.pdf").write_bytes(b"%PDF-1.4 fake")
    archive = tmp_path / "town.tar.gz"

    out = ok(merimna("tenants", "export", town.slug, str(archive)))
    assert f"exported {town.slug}" in out and "1 files" in out
    assert archive.exists()
    failed_with_one_line(merimna("tenants", "export", town.slug, str(archive)), "--force")
    failed_with_one_line(merimna("tenants", "export", "no-such-town", str(tmp_path / "n.tgz")))

    failed_with_one_line(merimna("tenants", "delete", town.slug), "--export-file")
    failed_with_one_line(
        merimna("tenants", "delete", town.slug, "--export-file", str(archive), "--yes"), "suspend"
    )
    ok(merimna("tenants", "suspend", town.slug))
    await in_tenant(town.id, lambda: add_events(1))  # written after the export
    failed_with_one_line(
        merimna("tenants", "delete", town.slug, "--export-file", str(archive), "--yes"),
        "audit_event",
    )
    assert await _tenant(town.slug) is not None

    ok(merimna("tenants", "export", town.slug, str(archive), "--force"))
    other = await tenant_factory()
    failed_with_one_line(
        merimna("tenants", "delete", other.slug, "--export-file", str(archive), "--yes"),
        "not " + other.slug,
    )
    declined = merimna("tenants", "delete", town.slug, "--export-file", str(archive), stdin="n\n")
    assert declined.returncode != 0
    assert await _tenant(town.slug) is not None

    ok(merimna("tenants", "delete", town.slug, "--export-file", str(archive), "--yes"))
    assert await _tenant(town.slug) is None
    assert not tenant_dir(town.id).exists()
    assert await in_tenant(town.id, lambda: AuditEvent.count()) == 0

    out = ok(merimna("tenants", "import", str(archive)))
    assert f"imported {town.slug}" in out
    restored = await _tenant(town.slug)
    assert restored is not None and restored["id"] == town.id
    assert restored["status"] == "suspended"  # as it was exported
    assert await in_tenant(town.id, lambda: AuditEvent.count()) == 4
    assert (tenant_dir(town.id) / "doc.pdf").read_bytes() == b"%PDF-1.4 fake"
    failed_with_one_line(merimna("tenants", "import", str(archive)))
    failed_with_one_line(merimna("tenants", "import", str(tmp_path / "missing.tar.gz")), "no such")


def test_argument_errors_need_no_database() -> None:
    """Refusals decided before any database work, through click's own runner."""
    from core.cli import build_cli

    runner = CliRunner()
    cli = build_cli()
    result = runner.invoke(cli, ["tenants", "delete", "some-town"])
    assert result.exit_code != 0
    assert "--export-file" in result.output
    result = runner.invoke(cli, ["admins", "create", "--username", "x"])
    assert result.exit_code != 0
    assert "--password-stdin" in result.output
    for command in (
        "list",
        "create",
        "enable",
        "disable",
        "suspend",
        "resume",
        "export",
        "import",
        "delete",
    ):
        assert runner.invoke(cli, ["tenants", command, "--help"]).exit_code == 0
    assert runner.invoke(cli, ["users", "create", "--help"]).exit_code == 0
