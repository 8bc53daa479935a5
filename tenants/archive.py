"""One tenant as a file: `merimna tenants export` / `import`, and the proof `delete` asks for.

The archive is a gzipped tar:

```
manifest.json           format and version, the tenant row, its modules (with settings),
                        memberships, the members' accounts (no password hashes), and per
                        table and per file: row count / size and SHA-256
tables/<table>.jsonl    one JSON object per row, for every table of `export_tables()`
files/<path>            the tenant's folder `MERIMNA_DATA_DIR/<tenant_id>/`, if any
```

Rows are read inside the tenant's context (scoping layer and row-level security), ordered by
primary key, and written as canonical JSON, so the same data always gives the same digest:
that is how `tenants delete` checks that an archive holds exactly what it is about to delete.
Values keep their types: JSON has no UUID, date, decimal or bytes, so those are written as
one-key objects (`{"$uuid": ...}`, `{"$datetime": ...}`, `{"$date": ...}`, `{"$time": ...}`,
`{"$decimal": ...}`, `{"$bytes": base64}`, `{"$float": "nan"}`, `{"$object": json-text}`).
JSON columns are copied as the text the database holds.

Accounts are platform-wide, so passwords never leave the deployment. Import keeps every
member's user id (rows refer to it): an account with that id is reused; otherwise one is
created inactive, with an unusable password, under the exported username (or, if that name
is taken here by someone else, `username~slug`); someone must then reactivate it and issue a
reset link. Encrypted fields travel as ciphertext: the target needs the tenant's data key.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import math
import os
import secrets
import shutil
import tarfile
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import IO, Any
from uuid import UUID

from piccolo.table import Table

from core import db
from core.errors import Conflict, NotFound
from core.i18n import t
from core.plugin_host import get_host
from core.settings import get_settings
from tenants.resolution import invalidate_membership, invalidate_tenant
from tenants.schemas import SLUG_RE
from tenants.scoping import tenant_context
from tenants.services import SYSTEM, Actor, audit
from tenants.tables import Membership, Tenant, TenantModule

FORMAT = "merimna-tenant-archive"
FORMAT_VERSION = 1
BATCH = 1000
CHUNK = 1 << 20


class ArchiveError(RuntimeError):
    """The archive cannot be read or restored here; the message says why, in one line."""


# -- values ---------------------------------------------------------------------------------


def encode_value(value: Any) -> Any:
    """A database value as JSON, keeping the types JSON lacks as tagged one-key objects."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"$float": repr(value)}
    if isinstance(value, UUID):
        return {"$uuid": str(value)}
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, time):
        return {"$time": value.isoformat()}
    if isinstance(value, timedelta):
        return {"$timedelta": value.total_seconds()}
    if isinstance(value, Decimal):
        return {"$decimal": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, list | tuple):
        return [encode_value(v) for v in value]
    if isinstance(value, dict):
        return {"$object": json.dumps(value, sort_keys=True, default=str)}
    raise TypeError(f"cannot export a value of type {type(value).__name__}")


_DECODERS: dict[str, Any] = {
    "$uuid": UUID,
    "$datetime": datetime.fromisoformat,
    "$date": date.fromisoformat,
    "$time": time.fromisoformat,
    "$timedelta": lambda s: timedelta(seconds=s),
    "$decimal": Decimal,
    "$bytes": base64.b64decode,
    "$float": float,
    "$object": json.loads,
}


def _decode_object(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        ((key, value),) = obj.items()
        decoder = _DECODERS.get(key)
        if decoder is not None:
            return decoder(value)
    return obj


def encode_row(row: dict[str, Any]) -> bytes:
    """One row as a canonical JSON line (same data, same bytes, same digest)."""
    data = {k: encode_value(v) for k, v in row.items()}
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return text.encode() + b"\n"


def decode_row(line: bytes | str) -> dict[str, Any]:
    data = json.loads(line, object_hook=_decode_object)
    if not isinstance(data, dict):
        raise ArchiveError("a row of the archive is not a JSON object")
    return data


# -- reading one tenant -----------------------------------------------------------------------


class _Sink:
    """Counts and hashes the lines of one table, and writes them when given a file."""

    def __init__(self, file: IO[bytes] | None = None) -> None:
        self.digest = hashlib.sha256()
        self.rows = 0
        self.file = file

    def write(self, line: bytes) -> None:
        self.digest.update(line)
        self.rows += 1
        if self.file is not None:
            self.file.write(line)


async def _rows(table: type[Table]) -> AsyncIterator[dict[str, Any]]:
    """Every row of the tenant in context, by primary key, a batch at a time."""
    pk = table._meta.primary_key
    last = None
    while True:
        query = table.select().order_by(pk).limit(BATCH)
        if last is not None:
            query = query.where(pk > last)
        batch = await query
        for row in batch:
            yield row
        if len(batch) < BATCH:
            return
        last = batch[-1][pk._meta.name]


def _plain(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: encode_value(v) for k, v in sorted(r.items())} for r in rows]


async def _platform_part(tenant_id: UUID) -> dict[str, Any]:
    """The tenant's rows in the platform tables, encoded (JSON columns as stored text)."""
    from core.auth.tables import User

    tenant = await Tenant.select().where(Tenant.id == tenant_id).first()
    if tenant is None:
        raise NotFound()
    modules = (
        await TenantModule.select()
        .where(TenantModule.tenant_id == tenant_id)
        .order_by(TenantModule.module)
    )
    memberships = (
        await Membership.select().where(Membership.tenant_id == tenant_id).order_by(Membership.id)
    )
    user_ids = sorted({m["user_id"] for m in memberships}, key=str)
    users = []
    if user_ids:
        users = (
            await User.select(User.id, User.username, User.display_name, User.email)
            .where(User.id.is_in(user_ids))
            .order_by(User.id)
        )
    return {
        "tenant": _plain([tenant])[0],
        "modules": _plain(modules),
        "memberships": _plain(memberships),
        "users": _plain(users),
    }


async def _read_tenant(
    tenant_id: UUID, tables: list[type[Table]], out_dir: Path | None
) -> dict[str, Any]:
    """The platform part and every table's count and digest (written to `out_dir` if given).

    One read transaction (REPEATABLE READ on PostgreSQL when it is ours), so the tables agree
    with each other. Inside a caller's transaction it joins it.
    """
    own = db.engine().current_transaction.get() is None
    with tenant_context(tenant_id):
        async with db.transaction(write=False):
            if own and db.is_postgres():
                await db.fetch("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            await db.set_rls_tenant(tenant_id)
            part = await _platform_part(tenant_id)
            entries = []
            for table in tables:
                name = table._meta.tablename
                file = (out_dir / f"{name}.jsonl").open("wb") if out_dir else None
                try:
                    sink = _Sink(file)
                    async for row in _rows(table):
                        sink.write(encode_row(row))
                finally:
                    if file is not None:
                        file.close()
                entries.append(
                    {
                        "table": name,
                        "file": f"tables/{name}.jsonl",
                        "rows": sink.rows,
                        "sha256": sink.digest.hexdigest(),
                        "columns": sorted(c._meta.name for c in table._meta.columns),
                    }
                )
    return {**part, "tables": entries}


def tenant_dir(tenant_id: UUID | str) -> Path:
    return Path(get_settings().data_dir) / str(tenant_id)


def _file_entries(folder: Path) -> list[dict[str, Any]]:
    if not folder.is_dir():
        return []
    entries = []
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
        entries.append(
            {
                "path": path.relative_to(folder).as_posix(),
                "size": path.stat().st_size,
                "sha256": digest.hexdigest(),
            }
        )
    return entries


# -- export ---------------------------------------------------------------------------------


@dataclass
class ExportResult:
    path: Path
    tenant_id: UUID
    slug: str
    tables: dict[str, int]
    files: int
    sha256: str


async def export_tenant(slug: str, path: Path, *, actor: Actor = SYSTEM) -> ExportResult:
    """Write the tenant's archive to `path` (atomically: a partial file never remains)."""
    row = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
    if row is None:
        raise NotFound()
    tenant_id: UUID = row["id"]
    tables = get_host().export_tables()
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="merimna-export-") as tmp:
        work = Path(tmp)
        (work / "tables").mkdir()
        snapshot = await _read_tenant(tenant_id, tables, work / "tables")
        folder = tenant_dir(tenant_id)
        files = _file_entries(folder)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": datetime.now(UTC).isoformat(),
            "tenant_id": str(tenant_id),
            "slug": slug,
            "modules_installed": {
                s: i.manifest.version for s, i in sorted(get_host().modules.items())
            },
            **snapshot,
            "files": files,
        }
        partial = path.with_name(f".{path.name}.{secrets.token_hex(4)}.partial")
        try:
            with tarfile.open(partial, "w:gz") as tar:
                _add_bytes(tar, "manifest.json", _json_bytes(manifest))
                for entry in snapshot["tables"]:
                    tar.add(work / "tables" / f"{entry['table']}.jsonl", arcname=entry["file"])
                for entry in files:
                    tar.add(folder / entry["path"], arcname=f"files/{entry['path']}")
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    digest = _sha256_file(path)
    async with db.transaction():
        await audit(
            actor,
            "tenant.export",
            tenant_id,
            object_id=tenant_id,
            details={
                "sha256": digest,
                "rows": sum(e["rows"] for e in snapshot["tables"]),
                "files": len(files),
            },
        )
    return ExportResult(
        path=path,
        tenant_id=tenant_id,
        slug=slug,
        tables={e["table"]: e["rows"] for e in snapshot["tables"]},
        files=len(files),
        sha256=digest,
    )


def _json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True).encode()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


# -- reading an archive -----------------------------------------------------------------------


@dataclass
class Archive:
    """A checked archive: its manifest, with every member present and matching its digest."""

    path: Path
    manifest: dict[str, Any]
    tenant: dict[str, Any] = field(default_factory=dict)

    @property
    def tenant_id(self) -> UUID:
        return UUID(self.manifest["tenant_id"])

    @property
    def slug(self) -> str:
        return str(self.manifest["slug"])


def _open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:gz")
    except FileNotFoundError:
        raise ArchiveError(f"{path}: no such file") from None
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError(f"{path}: not a tenant archive ({exc})") from None


def _member(tar: tarfile.TarFile, name: str) -> IO[bytes]:
    try:
        handle = tar.extractfile(name)
    except KeyError:
        handle = None
    if handle is None:
        raise ArchiveError(f"the archive lacks {name}")
    return handle


def read_archive(path: Path) -> Archive:
    """Open and check an archive: format, version, and every table and file's digest."""
    path = Path(path)
    with _open(path) as tar:
        try:
            manifest = json.loads(_member(tar, "manifest.json").read())
        except (ValueError, tarfile.TarError, OSError, EOFError) as exc:
            raise ArchiveError(f"{path}: unreadable manifest ({exc})") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ArchiveError(f"{path}: not a Merimna tenant archive")
        version = manifest.get("format_version")
        if version != FORMAT_VERSION:
            raise ArchiveError(
                f"{path}: archive format {version} is not supported (this version reads "
                f"{FORMAT_VERSION})"
            )
        try:
            for entry in manifest["tables"]:
                _check_member(tar, entry["file"], entry["sha256"], rows=entry["rows"])
            for entry in manifest["files"]:
                _safe_relative(entry["path"])
                _check_member(tar, f"files/{entry['path']}", entry["sha256"])
            tenant = decode_row(json.dumps(manifest["tenant"]))
            if not SLUG_RE.match(str(manifest["slug"])) or tenant["slug"] != manifest["slug"]:
                raise ArchiveError(f"{path}: the archive's tenant slug is not valid")
            UUID(str(manifest["tenant_id"]))
        except (KeyError, TypeError, ValueError, tarfile.TarError, OSError, EOFError) as exc:
            if isinstance(exc, ArchiveError):
                raise
            raise ArchiveError(f"{path}: damaged archive ({type(exc).__name__}: {exc})") from None
    return Archive(path=path, manifest=manifest, tenant=tenant)


def _check_member(tar: tarfile.TarFile, name: str, sha256: str, rows: int | None = None) -> None:
    handle = _member(tar, name)
    digest = hashlib.sha256()
    lines = 0
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        digest.update(chunk)
        lines += chunk.count(b"\n")
    if digest.hexdigest() != sha256 or (rows is not None and lines != rows):
        raise ArchiveError(f"{name} does not match its digest: the archive is damaged")


def _safe_relative(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ArchiveError(f"unsafe file path in the archive: {name!r}")
    return path


def _table_lines(tar: tarfile.TarFile, name: str) -> Iterator[bytes]:
    handle = _member(tar, name)
    for line in handle:
        if line.strip():
            yield line


# -- does an archive hold exactly what is here? ------------------------------------------------


async def archive_mismatches(archive: Archive, slug: str) -> list[str]:
    """What differs between the archive and the tenant's live data (empty: identical).

    Compares the tenant row, modules, memberships, every table's rows (by digest) and the
    files folder. Run inside the deleting transaction so nothing changes in between.
    """
    row = await Tenant.select(Tenant.id).where(Tenant.slug == slug).first()
    if row is None:
        raise NotFound()
    problems: list[str] = []
    if archive.tenant_id != row["id"] or archive.slug != slug:
        return [f"the archive is of another tenant ({archive.slug}, {archive.tenant_id})"]
    live = await _read_tenant(row["id"], get_host().export_tables(), None)
    saved = archive.manifest
    # Suspending the tenant after exporting it is the expected order: its lifecycle fields
    # are not data the archive must match.
    lifecycle = ("status", "updated_at")
    saved_tenant = {k: v for k, v in saved.get("tenant", {}).items() if k not in lifecycle}
    if {k: v for k, v in live["tenant"].items() if k not in lifecycle} != saved_tenant:
        problems.append("the tenant's record changed since the export")
    for part in ("modules", "memberships"):
        if live[part] != saved.get(part):
            problems.append(f"{part} changed since the export")
    saved_tables = {e["table"]: e for e in saved.get("tables", [])}
    for entry in live["tables"]:
        old = saved_tables.get(entry["table"])
        if old is None:
            if entry["rows"]:
                problems.append(f"table {entry['table']} is not in the archive")
        elif (old["rows"], old["sha256"]) != (entry["rows"], entry["sha256"]):
            problems.append(
                f"table {entry['table']} changed since the export "
                f"({old['rows']} rows then, {entry['rows']} now)"
            )
    files = {(e["path"], e["sha256"]) for e in _file_entries(tenant_dir(row["id"]))}
    if files != {(e["path"], e["sha256"]) for e in saved.get("files", [])}:
        problems.append("the tenant's files changed since the export")
    return problems


# -- import ---------------------------------------------------------------------------------


@dataclass
class ImportResult:
    tenant_id: UUID
    slug: str
    tables: dict[str, int]
    files: int
    users_created: list[str]
    users_renamed: dict[str, str]


async def import_tenant(path: Path, *, actor: Actor = SYSTEM) -> ImportResult:
    """Restore an archive into this deployment, in one transaction; nothing on failure.

    Refuses when the slug or the tenant id exists here, when a table or an enabled module
    of the archive is not installed here, or when the archive is damaged.
    """
    archive = read_archive(path)
    manifest = archive.manifest
    tenant_id, slug = archive.tenant_id, archive.slug
    local = get_host().export_tables()
    by_name = {table._meta.tablename: table for table in local}
    entries = {e["table"]: e for e in manifest["tables"]}
    for name, entry in entries.items():
        table = by_name.get(name)
        if table is None:
            if entry["rows"]:
                raise ArchiveError(f"table {name} of the archive does not exist here")
            continue
        unknown = set(entry["columns"]) - {c._meta.name for c in table._meta.columns}
        if unknown:
            raise ArchiveError(
                f"table {name}: columns {sorted(unknown)} do not exist here (upgrade first)"
            )
    installed = get_host().modules
    modules = [decode_row(json.dumps(m)) for m in manifest["modules"]]
    missing = sorted(m["module"] for m in modules if m["enabled"] and m["module"] not in installed)
    if missing:
        raise ArchiveError(f"modules enabled in the archive are not installed here: {missing}")
    await _refuse_existing(slug, tenant_id)
    target = tenant_dir(tenant_id)
    if target.exists() and any(target.iterdir()):
        raise ArchiveError(f"the tenant's files folder already exists: {target}")
    staging = target.parent / f".import-{tenant_id}-{secrets.token_hex(4)}"
    counts: dict[str, int] = {}
    try:
        if manifest["files"]:
            _extract_files(archive, staging)
        async with db.transaction():
            await _refuse_existing(slug, tenant_id)  # again, now that writers wait for us
            await Tenant.insert(Tenant(**archive.tenant))
            for module in modules:
                await TenantModule.insert(TenantModule(**module))
            created, renamed = await _restore_accounts(manifest, slug)
            memberships = [decode_row(json.dumps(m)) for m in manifest["memberships"]]
            for membership in memberships:
                await Membership.insert(Membership(**membership))
            with tenant_context(tenant_id), _open(archive.path) as tar:
                await db.set_rls_tenant(tenant_id)
                for table in local:
                    entry = entries.get(table._meta.tablename)
                    if entry is not None:
                        counts[entry["table"]] = await _restore_table(tar, table, entry)
            await audit(
                actor,
                "tenant.import",
                tenant_id,
                object_id=tenant_id,
                details={
                    "sha256": _sha256_file(archive.path),
                    "rows": sum(counts.values()),
                    "users_created": len(created),
                },
            )
        if staging.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                target.rmdir()  # empty, checked above
            os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        await invalidate_tenant(slug)
    for membership in manifest["memberships"]:
        await invalidate_membership(slug, decode_row(json.dumps(membership))["user_id"])
    return ImportResult(
        tenant_id=tenant_id,
        slug=slug,
        tables=counts,
        files=len(manifest["files"]),
        users_created=created,
        users_renamed=renamed,
    )


async def _refuse_existing(slug: str, tenant_id: UUID) -> None:
    # The slug and id are named: the operator reads this as the CLI's one line.
    if await Tenant.exists().where(Tenant.slug == slug):
        raise Conflict("duplicate_slug", detail=f"{t('error.duplicate_slug')} ({slug})")
    if await Tenant.exists().where(Tenant.id == tenant_id):
        raise Conflict("duplicate_tenant", detail=f"{t('error.duplicate_tenant')} ({tenant_id})")


async def _restore_table(tar: tarfile.TarFile, table: type[Table], entry: dict[str, Any]) -> int:
    width = max(1, len(table._meta.columns))
    size = max(1, min(500, 20_000 // width))  # stay under both engines' parameter limits
    batch: list[Table] = []
    count = 0
    for line in _table_lines(tar, entry["file"]):
        batch.append(table(**decode_row(line)))
        if len(batch) >= size:
            await table.insert(*batch)
            count += len(batch)
            batch = []
    if batch:
        await table.insert(*batch)
        count += len(batch)
    if count != entry["rows"]:
        raise ArchiveError(f"table {entry['table']}: {count} rows read, {entry['rows']} expected")
    return count


def _extract_files(archive: Archive, staging: Path) -> None:
    staging.mkdir(parents=True)
    with _open(archive.path) as tar:
        for entry in archive.manifest["files"]:
            relative = _safe_relative(entry["path"])
            destination = staging.joinpath(*relative.parts)
            destination.parent.mkdir(parents=True, exist_ok=True)
            with destination.open("wb") as out:
                digest = _copy(_member(tar, f"files/{entry['path']}"), out)
            if digest != entry["sha256"]:
                raise ArchiveError(f"files/{entry['path']} does not match its digest")


def _copy(source: IO[bytes], out: IO[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in iter(lambda: source.read(CHUNK), b""):
        digest.update(chunk)
        out.write(chunk)
    return digest.hexdigest()


async def _restore_accounts(
    manifest: dict[str, Any], slug: str
) -> tuple[list[str], dict[str, str]]:
    """Members' accounts: reuse by id, else create inactive with an unusable password.

    Accounts belong to the auth area; this is its one other writer, because an imported
    account must keep its id (the tenant's rows refer to it) and must not be usable until
    someone reactivates it and issues a reset link.
    """
    from core.auth.tables import User

    created: list[str] = []
    renamed: dict[str, str] = {}
    now = datetime.now(UTC)
    for user in (decode_row(json.dumps(u)) for u in manifest["users"]):
        if await User.exists().where(User.id == user["id"]):
            continue
        username = str(user["username"])
        if await User.exists().where(User.username == username):
            new = f"{username[: 150 - len(slug) - 1]}~{slug}"
            while await User.exists().where(User.username == new):
                new = f"{username[:130]}~{secrets.token_hex(4)}"
            renamed[username] = new
            username = new
        await User.insert(
            User(
                id=user["id"],
                username=username,
                display_name=user.get("display_name") or "",
                email=user.get("email") or "",
                password_hash=f"!imported-{secrets.token_hex(16)}",
                is_consortium_admin=False,
                active=False,
                password_changed_at=now,
                created_at=now,
            )
        )
        created.append(username)
    return created, renamed
