"""`merimna tenants ...`, `merimna users create`, `merimna admins create`.

Every command is a thin shell around the same services the API uses (validation, one
transaction, platform audit with `via: cli`), exits 0 on success and otherwise prints one
line on stderr and exits non-zero.

Deleting a tenant is guarded twice: the tenant must be suspended (so nobody writes while it
goes), and `--export-file` must name an archive made by `tenants export` that holds exactly
the data about to be deleted; the check compares every table's digest inside the deleting
transaction, so a row added after the export refuses the deletion.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from core.cli import CLIError, run_async
from core.errors import RequestValidationError
from tenants.services import Actor

CLI_ACTOR = Actor(via="cli")


def _group(parent: click.Group, name: str, help_text: str) -> click.Group:
    existing = parent.commands.get(name)
    if isinstance(existing, click.Group):
        return existing
    group = click.Group(name, help=help_text)
    parent.add_command(group)
    return group


def add_commands(group: click.Group) -> None:
    tenants = _group(
        group, "tenants", "Tenants (municipalities): onboarding, modules, lifecycle, export."
    )
    for command in (
        list_command,
        create_command,
        enable_command,
        disable_command,
        suspend_command,
        resume_command,
        export_command,
        import_command,
        delete_command,
    ):
        tenants.add_command(command)
    _group(group, "users", "Staff accounts.").add_command(users_create)
    _group(group, "admins", "Consortium administrators.").add_command(admins_create)


async def _require_tenant(slug: str) -> dict[str, Any]:
    from tenants.tables import Tenant

    row = await Tenant.select(Tenant.id, Tenant.status).where(Tenant.slug == slug).first()
    if row is None:
        raise CLIError(f"unknown tenant: {slug}")
    return row  # type: ignore[no-any-return]


def _read_password() -> str:
    line = click.get_text_stream("stdin").readline()
    password = line.rstrip("\r\n")
    if not password:
        raise CLIError("no password on standard input")
    return password


# -- tenants ----------------------------------------------------------------------------------


@click.command("list", help="Every tenant with its status and enabled modules.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output (a JSON list).")
def list_command(as_json: bool) -> None:
    async def body() -> list[dict[str, Any]]:
        from tenants.services import list_tenants

        out: list[dict[str, Any]] = []
        cursor = None
        while True:
            items, cursor = await list_tenants(limit=200, cursor=cursor)
            out.extend(i.model_dump(mode="json") for i in items)
            if cursor is None:
                return out

    rows = run_async(body)()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        modules = ",".join(row["modules"]) or "-"
        click.echo(f"{row['slug']:<28} {row['status']:<11} {modules:<40} {row['name']}")


@click.command("create", help="Onboard a tenant. SLUG: lowercase ASCII letters, digits, hyphens.")
@click.argument("slug")
@click.option("--name", required=True, help="Greek name, e.g. 'Δήμος Χαλανδρίου'.")
@click.option("--name-en", default="", help="English name.")
@click.option("--module", "modules", multiple=True, help="Enable a module (repeatable).")
@click.option("--timezone", default="Europe/Athens", show_default=True)
def create_command(
    slug: str, name: str, name_en: str, modules: tuple[str, ...], timezone: str
) -> None:
    from tenants.schemas import TenantCreate

    try:
        data = TenantCreate(
            slug=slug, name=name, name_en=name_en, modules=list(modules), timezone=timezone
        )
    except ValidationError as exc:
        problems = RequestValidationError.from_pydantic(exc).errors
        raise CLIError("; ".join(f"{e.field}: {e.message}" for e in problems)) from None

    async def body() -> Any:
        from tenants.services import create_tenant

        return await create_tenant(data, actor=CLI_ACTOR)

    out = run_async(body)()
    modules_text = ", ".join(out.modules) or "no modules"
    click.echo(f"created tenant {out.slug} ({out.id}) with {modules_text}")


@click.command(
    "enable",
    help="Enable MODULE for the tenant SLUG with default settings, or with --settings. On "
    "an enabled module, --settings replaces its settings; without it nothing changes.",
)
@click.argument("slug")
@click.argument("module")
@click.option("--settings", "settings_json", default=None, help="The settings as a JSON object.")
def enable_command(slug: str, module: str, settings_json: str | None) -> None:
    raw: Any = {}
    if settings_json:
        try:
            raw = json.loads(settings_json)
        except ValueError:
            raise CLIError("--settings is not valid JSON") from None

    async def body() -> str:
        from tenants.resolution import load_tenant
        from tenants.services import enable_module

        await _require_tenant(slug)
        tenant = await load_tenant(slug)
        if tenant is not None and module in tenant.modules and settings_json is None:
            return "already enabled"  # keep its settings: only --settings replaces them
        _settings, newly = await enable_module(slug, module, raw, actor=CLI_ACTOR)
        return "enabled" if newly else "settings replaced"

    outcome = run_async(body)()
    click.echo(f"{module} {outcome} for {slug}")


@click.command("disable", help="Disable MODULE for the tenant SLUG (its data is kept).")
@click.argument("slug")
@click.argument("module")
def disable_command(slug: str, module: str) -> None:
    async def body() -> None:
        from tenants.services import disable_module

        await _require_tenant(slug)
        await disable_module(slug, module, actor=CLI_ACTOR)

    run_async(body)()
    click.echo(f"{module} disabled for {slug}")


def _status_command(name: str, status: str, help_text: str) -> click.Command:
    @click.command(name, help=help_text)
    @click.argument("slug")
    def command(slug: str) -> None:
        async def body() -> None:
            from tenants.services import set_status

            await _require_tenant(slug)
            await set_status(slug, status, actor=CLI_ACTOR)

        run_async(body)()
        click.echo(f"{slug}: {status}")

    return command


suspend_command = _status_command(
    "suspend", "suspended", "Suspend the tenant SLUG: its staff are refused until resumed."
)
resume_command = _status_command("resume", "active", "Resume the suspended tenant SLUG.")


@click.command(
    "export",
    help="Write the tenant SLUG's data to FILE (a .tar.gz archive: manifest, one JSONL "
    "file per table, the tenant's files). Passwords are never exported.",
)
@click.argument("slug")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def export_command(slug: str, file: Path, force: bool) -> None:
    if file.exists() and not force:
        raise CLIError(f"{file} exists (use --force to overwrite)")
    if not file.parent.is_dir():
        raise CLIError(f"no such folder: {file.parent}")

    async def body() -> Any:
        from tenants.archive import export_tenant

        await _require_tenant(slug)
        return await export_tenant(slug, file, actor=CLI_ACTOR)

    result = run_async(body)()
    rows = sum(result.tables.values())
    click.echo(
        f"exported {slug}: {rows} rows in {len(result.tables)} tables, {result.files} files "
        f"-> {file} (sha256 {result.sha256})"
    )


@click.command(
    "import",
    help="Restore a tenant from an archive made by `tenants export`, in one transaction. "
    "Fails if its slug exists here. Members' accounts missing here are created inactive "
    "with an unusable password (reactivate them and issue reset links).",
)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def import_command(file: Path) -> None:
    async def body() -> Any:
        from tenants.archive import import_tenant

        return await import_tenant(file, actor=CLI_ACTOR)

    result = run_async(body)()
    rows = sum(result.tables.values())
    click.echo(f"imported {result.slug} ({result.tenant_id}): {rows} rows, {result.files} files")
    if result.users_created:
        click.echo(
            f"{len(result.users_created)} inactive account(s) created: "
            + ", ".join(result.users_created)
        )
    for old, new in result.users_renamed.items():
        click.echo(f"username {old} is taken here: imported as {new}")


@click.command(
    "delete",
    help="Delete the tenant SLUG: every row in every tenant table, its modules, memberships "
    "and files. The tenant must be suspended, and --export-file must be an archive of "
    "exactly its current data (make one with `tenants export`).",
)
@click.argument("slug")
@click.option(
    "--export-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The archive from `merimna tenants export SLUG FILE`.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_command(slug: str, export_file: Path | None, yes: bool) -> None:
    from tenants.archive import ArchiveError, read_archive

    if export_file is None:
        raise CLIError(
            f"refusing to delete {slug} without --export-file: "
            f"run `merimna tenants export {slug} FILE` first"
        )
    try:
        archive = read_archive(export_file)
    except ArchiveError as exc:
        raise CLIError(str(exc)) from None
    if archive.slug != slug:
        raise CLIError(f"{export_file} is an export of {archive.slug}, not {slug}")

    async def preflight() -> None:
        row = await _require_tenant(slug)
        if row["status"] != "suspended":
            raise CLIError(f"{slug} is {row['status']}: suspend it first (merimna tenants suspend)")

    run_async(preflight)()
    if not yes:
        click.confirm(f"Delete tenant {slug} and all its data?", abort=True, err=True)

    async def body() -> dict[str, int]:
        from uuid import UUID

        from tenants.archive import archive_mismatches
        from tenants.lifecycle import delete_tenant
        from tenants.tables import Tenant

        async def check(tenant_id: UUID) -> list[str]:
            status = await Tenant.select(Tenant.status).where(Tenant.id == tenant_id).first()
            if status is None or status["status"] != "suspended":
                return [f"{slug} is no longer suspended"]
            problems = await archive_mismatches(archive, slug)
            if problems:
                problems.append(f"export {slug} again")
            return problems

        return await delete_tenant(slug, actor=CLI_ACTOR, check=check)

    counts = run_async(body)()
    click.echo(f"deleted {slug}: {sum(counts.values())} rows")


# -- accounts -------------------------------------------------------------------------------


@click.command(
    "create", help="Create a staff account in a tenant; the password is read from stdin."
)
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option("--username", required=True)
@click.option("--role", "roles", multiple=True, required=True, help="A role (repeatable).")
@click.option("--display-name", default="", help="Name shown to colleagues.")
@click.option("--email", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(
    slug: str,
    username: str,
    roles: tuple[str, ...],
    display_name: str,
    email: str,
    password_stdin: bool,
) -> None:
    if not password_stdin:
        raise CLIError("pass --password-stdin and the password on standard input")
    if "consortium_admin" in roles:
        raise CLIError("consortium_admin is not a tenant role: use `merimna admins create`")
    password = _read_password()

    async def body() -> Any:
        from core import db
        from core.auth.accounts import create_user
        from tenants.services import add_membership, audit

        async with db.transaction():
            row = await _require_tenant(slug)
            user_id = await create_user(username, password, display_name=display_name, email=email)
            await add_membership(slug, user_id, list(roles))
            await audit(
                CLI_ACTOR,
                "user.create",
                row["id"],
                object_type="user",
                object_id=user_id,
                details={"roles": list(roles)},
            )
        return user_id

    user_id = run_async(body)()
    click.echo(f"created {username} ({user_id}) in {slug}: {', '.join(roles)}")


@click.command("create", help="Create a consortium administrator; the password is read from stdin.")
@click.option("--username", required=True)
@click.option("--display-name", default="")
@click.option("--email", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def admins_create(username: str, display_name: str, email: str, password_stdin: bool) -> None:
    if not password_stdin:
        raise CLIError("pass --password-stdin and the password on standard input")
    password = _read_password()

    async def body() -> Any:
        from core import db
        from core.auth.accounts import create_user
        from tenants.services import audit

        async with db.transaction():
            user_id = await create_user(
                username, password, display_name=display_name, email=email, consortium_admin=True
            )
            await audit(CLI_ACTOR, "admin.create", None, object_type="user", object_id=user_id)
        return user_id

    user_id = run_async(body)()
    click.echo(f"created consortium administrator {username} ({user_id})")
