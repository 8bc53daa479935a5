"""Export, delete and import of one tenant: same rows, same values, same files."""

from __future__ import annotations

import io
import json
import tarfile
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from core.audit.tables import AuditEvent, PlatformAuditEvent
from core.auth.tables import User
from core.plugin_host import PluginHost, get_host, set_host
from tenants.archive import (
    ArchiveError,
    archive_mismatches,
    decode_row,
    encode_row,
    export_tenant,
    import_tenant,
    read_archive,
    tenant_dir,
)
from tenants.lifecycle import DeletionRefused, delete_tenant
from tenants.resolution import resolve_tenant
from tenants.tables import Membership, Tenant, TenantModule
from tests.tenants.conftest import WIDGETS, in_tenant, settings_url

FILES = {
    "docs/scan.bin": bytes(range(256)) * 40,
    "notes/σημείωμα.txt": "Κοινωνική υπηρεσία\n".encode(),
}


@pytest.fixture
def http(widgets: Any) -> Any:
    return widgets.client


def test_values_keep_their_types() -> None:
    row = {
        "id": uuid4(),
        "at": datetime(2026, 3, 25, 9, 30, 15, 123456, tzinfo=UTC),
        "naive": datetime(2026, 3, 25, 9, 30),
        "day": date(1950, 1, 31),
        "clock": time(8, 15),
        "span": timedelta(hours=1, seconds=3),
        "amount": Decimal("12.50"),
        "blob": b"\x00\xffbinary",
        "nan": float("nan"),
        "inf": float("-inf"),
        "ratio": 0.25,
        "n": 2**62,
        "flag": False,
        "nothing": None,
        "text": 'Ελληνικά "quoted" {"$uuid": "not a tag"}',
        "tags": [uuid4(), "x", 3],
        "loaded": {"$uuid": "a dict that looks like a tag", "n": [1, 2]},
    }
    line = encode_row(row)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    back = decode_row(line)
    nan, inf = back.pop("nan"), back.pop("inf")
    assert nan != nan and inf == float("-inf")
    expected = {k: v for k, v in row.items() if k not in ("nan", "inf")}
    assert back == expected
    for key in ("id", "at", "day", "clock", "span", "amount", "blob"):
        assert type(back[key]) is type(row[key])
    assert encode_row(row) == encode_row(decode_row(line) | {"nan": row["nan"], "inf": row["inf"]})


async def _populate(http: Any, town: Any, staff_factory: Any) -> dict[str, Any]:
    """Rows in several tables, a changed setting, two members and a files folder."""
    boss = await staff_factory(town, ["tenant_admin"])
    worker = await staff_factory(town, ["social_worker"])
    changed = await http.put(settings_url(town.slug), json={"max_visits": 9}, headers=boss.headers)
    assert changed.status_code == 200
    person = await http.post(
        f"{town.api}/beneficiaries",
        json={"first_name": "Ελένη", "last_name": "Παπαδοπούλου", "birth_date": "1948-02-29"},
        headers=worker.headers,
    )
    assert person.status_code == 201, person.text

    async def events() -> None:
        for i in range(5):
            await AuditEvent.insert(
                AuditEvent(
                    id=uuid4(),
                    at=datetime(2026, 1, 2, 3, 4, 5, 600000 + i, tzinfo=UTC),
                    user_id=worker.user_id,
                    action="read",
                    object_type="beneficiary",
                    object_id=str(uuid4()),
                    details={"n": i, "text": "ά", "nested": {"list": [1, None, True]}},
                    seq=2**40 + i,
                    hash="ab" * 32,
                )
            )

    await in_tenant(town.id, events)
    folder = tenant_dir(town.id)
    for name, data in FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return {"boss": boss, "worker": worker}


async def _snapshot(tenant_id: UUID) -> dict[str, Any]:
    tables = get_host().export_tables()

    async def rows() -> dict[str, Any]:
        return {t._meta.tablename: await t.select().order_by(t._meta.primary_key) for t in tables}

    return {
        "tables": await in_tenant(tenant_id, rows),
        "tenant": await Tenant.select().where(Tenant.id == tenant_id),
        "modules": await TenantModule.select()
        .where(TenantModule.tenant_id == tenant_id)
        .order_by(TenantModule.module),
        "members": await Membership.select()
        .where(Membership.tenant_id == tenant_id)
        .order_by(Membership.id),
        "files": {
            p.relative_to(tenant_dir(tenant_id)).as_posix(): p.read_bytes()
            for p in sorted(tenant_dir(tenant_id).rglob("*"))
            if p.is_file()
        },
    }


async def _platform_actions(tenant_id: UUID) -> list[str]:
    rows = (
        await PlatformAuditEvent.select(PlatformAuditEvent.action)
        .where(PlatformAuditEvent.tenant_id == tenant_id)
        .order_by(PlatformAuditEvent.at)
    )
    return [r["action"] for r in rows]


async def test_round_trip_keeps_every_row_and_value(
    http: Any, tenant_factory: Any, staff_factory: Any, tmp_path: Path
) -> None:
    town = await tenant_factory([WIDGETS, "food_bank"])
    people = await _populate(http, town, staff_factory)
    before = await _snapshot(town.id)
    assert len(before["tables"]["audit_event"]) >= 6
    assert before["files"] == FILES

    archive = tmp_path / f"{town.slug}.tar.gz"
    exported = await export_tenant(town.slug, archive)
    assert exported.tables == {name: len(rows) for name, rows in before["tables"].items()}
    assert exported.files == len(FILES)
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert {"manifest.json", "tables/audit_event.jsonl", "files/docs/scan.bin"} <= names
    assert manifest["format_version"] == 1
    assert [e["table"] for e in manifest["tables"]] == [
        t._meta.tablename for t in get_host().export_tables()
    ]
    assert "password_hash" not in archive.read_bytes().decode("latin-1")
    assert {u["username"] for u in manifest["users"]} == {
        people["boss"].username,
        people["worker"].username,
    }

    counts = await delete_tenant(town.slug)
    assert counts["audit_event"] == len(before["tables"]["audit_event"])
    assert not await Tenant.exists().where(Tenant.id == town.id)
    assert not await TenantModule.exists().where(TenantModule.tenant_id == town.id)
    assert not await Membership.exists().where(Membership.tenant_id == town.id)
    gone = await _snapshot(town.id)
    assert all(rows == [] for rows in gone["tables"].values())
    assert not tenant_dir(town.id).exists()
    assert await resolve_tenant(town.slug) is None
    refused = await http.get(f"{town.api}/modules", headers=people["boss"].headers)
    assert refused.status_code == 404

    imported = await import_tenant(archive)
    assert imported.slug == town.slug and imported.tenant_id == town.id
    assert imported.users_created == [] and imported.users_renamed == {}
    after = await _snapshot(town.id)
    assert after == before
    settings = await http.get(settings_url(town.slug), headers=people["boss"].headers)
    assert settings.json()["max_visits"] == 9
    actions = await _platform_actions(town.id)
    assert actions[-3:] == ["tenant.export", "tenant.delete", "tenant.import"]


async def test_import_into_a_deployment_without_the_accounts(
    http: Any, tenant_factory: Any, staff_factory: Any, tmp_path: Path
) -> None:
    town = await tenant_factory([WIDGETS])
    people = await _populate(http, town, staff_factory)
    archive = tmp_path / "town.tar.gz"
    await export_tenant(town.slug, archive)
    await delete_tenant(town.slug)
    boss, worker = people["boss"], people["worker"]
    # "Another deployment": the members' accounts do not exist, and someone else already
    # has the administrator's username.
    await User.delete().where(User.id.is_in([boss.user_id, worker.user_id]))
    stranger = await staff_factory(None, [])
    await User.update({User.username: boss.username}).where(User.id == stranger.user_id)

    result = await import_tenant(archive)
    renamed = f"{boss.username}~{town.slug}"
    assert result.users_renamed == {boss.username: renamed}
    assert sorted(result.users_created) == sorted([renamed, worker.username])
    accounts = {
        r["id"]: r
        for r in await User.select(User.id, User.username, User.active).where(
            User.id.is_in([boss.user_id, worker.user_id])
        )
    }
    assert accounts[worker.user_id] == {
        "id": worker.user_id,
        "username": worker.username,
        "active": False,
    }
    assert accounts[boss.user_id]["username"] == renamed
    login = await http.post(
        "/api/v1/auth/login", json={"username": worker.username, "password": worker.password}
    )
    assert login.status_code == 401
    # The stranger keeps their account and gains nothing in the imported tenant.
    probe = await http.get(f"{town.api}/modules", headers=stranger.headers)
    assert probe.status_code == 404


async def test_import_fails_cleanly_when_the_slug_exists(
    http: Any, tenant_factory: Any, staff_factory: Any, tmp_path: Path
) -> None:
    town = await tenant_factory([WIDGETS])
    await _populate(http, town, staff_factory)
    archive = tmp_path / "again.tar.gz"
    await export_tenant(town.slug, archive)
    before = await _snapshot(town.id)
    tenants_before = await Tenant.count()
    with pytest.raises(Exception) as info:
        await import_tenant(archive)
    assert getattr(info.value, "code", "") == "duplicate_slug", repr(info.value)
    assert await _snapshot(town.id) == before
    assert await Tenant.count() == tenants_before
    assert not [p for p in tenant_dir(town.id).parent.iterdir() if p.name.startswith(".import")]


async def test_deleting_needs_an_archive_of_exactly_the_current_data(
    http: Any, tenant_factory: Any, staff_factory: Any, tmp_path: Path
) -> None:
    from tenants.services import enable_module, set_status

    town = await tenant_factory([WIDGETS])
    await _populate(http, town, staff_factory)
    archive_path = tmp_path / "proof.tar.gz"
    await export_tenant(town.slug, archive_path)
    archive = read_archive(archive_path)
    assert await archive_mismatches(archive, town.slug) == []
    await set_status(town.slug, "suspended")  # lifecycle fields are not compared
    assert await archive_mismatches(archive, town.slug) == []

    await in_tenant(
        town.id,
        lambda: AuditEvent.insert(
            AuditEvent(id=uuid4(), at=datetime.now(UTC), action="late", object_type="x")
        ),
    )
    await enable_module(town.slug, WIDGETS, {"max_visits": 2})
    problems = await archive_mismatches(archive, town.slug)
    assert any("audit_event" in p for p in problems)
    assert any("modules" in p for p in problems)

    async def check(_tenant_id: UUID) -> list[str]:
        return await archive_mismatches(archive, town.slug)

    with pytest.raises(DeletionRefused):
        await delete_tenant(town.slug, check=check)
    assert await Tenant.exists().where(Tenant.id == town.id)
    assert tenant_dir(town.id).exists()

    other = await tenant_factory()
    assert (await archive_mismatches(archive, other.slug))[0].startswith("the archive is of")

    await export_tenant(town.slug, archive_path)
    fresh = read_archive(archive_path)
    await delete_tenant(town.slug, check=lambda _id: archive_mismatches(fresh, town.slug))
    assert not await Tenant.exists().where(Tenant.id == town.id)


def _rewrite(
    source: Path,
    target: Path,
    manifest: Any = None,
    members: dict[str, bytes] | None = None,
) -> Path:
    """Copy an archive, replacing its manifest or some members (to damage it on purpose)."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for info in old.getmembers():
            data = old.extractfile(info).read()  # type: ignore[union-attr]
            if info.name == "manifest.json" and manifest is not None:
                data = json.dumps(manifest(json.loads(data))).encode()
            elif members and info.name in members:
                data = members[info.name]
            copy = tarfile.TarInfo(info.name)
            copy.size = len(data)
            new.addfile(copy, io.BytesIO(data))
    return target


async def test_damaged_or_foreign_archives_are_refused(
    http: Any, tenant_factory: Any, staff_factory: Any, tmp_path: Path
) -> None:
    town = await tenant_factory([WIDGETS])
    await _populate(http, town, staff_factory)
    good = tmp_path / "good.tar.gz"
    await export_tenant(town.slug, good)
    await delete_tenant(town.slug)

    not_gzip = tmp_path / "plain.tar.gz"
    not_gzip.write_bytes(b"this is not an archive")
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(good.read_bytes()[:200])
    table = _rewrite(good, tmp_path / "t.tar.gz", members={"tables/audit_event.jsonl": b"{}\n"})
    version = _rewrite(good, tmp_path / "v.tar.gz", manifest=lambda m: {**m, "format_version": 99})
    other = _rewrite(good, tmp_path / "o.tar.gz", manifest=lambda m: {**m, "format": "zip"})

    def escape(m: dict[str, Any]) -> dict[str, Any]:
        m["files"][0]["path"] = "../../escape.bin"
        return m

    traversal = _rewrite(good, tmp_path / "e.tar.gz", manifest=escape)
    cases = {
        tmp_path / "missing.tar.gz": "no such file",
        not_gzip: "not a tenant archive",
        truncated: "",
        table: "does not match",
        version: "format 99",
        other: "not a Merimna tenant archive",
        traversal: "unsafe file path",
    }
    for path, words in cases.items():
        with pytest.raises(ArchiveError, match=words):
            await import_tenant(path)
        assert not await Tenant.exists().where(Tenant.id == town.id)
    assert not (tmp_path.parent / "escape.bin").exists()
    # The intact archive still restores.
    await import_tenant(good)
    assert await Tenant.exists().where(Tenant.id == town.id)


async def test_import_refuses_a_module_not_installed_here(
    http: Any, tenant_factory: Any, tmp_path: Path
) -> None:
    town = await tenant_factory([WIDGETS])
    archive = tmp_path / "widgets.tar.gz"
    await export_tenant(town.slug, archive)
    await delete_tenant(town.slug)
    with_widgets = get_host()
    set_host(PluginHost())  # a deployment without the test_widgets module
    try:
        with pytest.raises(ArchiveError, match=WIDGETS):
            await import_tenant(archive)
    finally:
        set_host(with_widgets)
    assert not await Tenant.exists().where(Tenant.id == town.id)


async def test_export_of_an_unknown_tenant_is_not_found(tmp_path: Path) -> None:
    from core.errors import NotFound

    with pytest.raises(NotFound):
        await export_tenant("no-such-town", tmp_path / "x.tar.gz")
    assert not (tmp_path / "x.tar.gz").exists()
