"""`merimna import beneficiaries --tenant SLUG FILE.csv`: all rows or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import click

from core.cli import CLIError, run_async


def add_commands(group: click.Group) -> None:
    imports = group.commands.get("import")
    if not isinstance(imports, click.Group):
        imports = click.Group("import", help="Bulk imports into a tenant.")
        group.add_command(imports)
    imports.add_command(beneficiaries_command)


@click.command(
    "beneficiaries",
    help="Import beneficiaries from a UTF-8 CSV whose header row uses the API's field names "
    "(address.street ... address.postcode; lists such as categories separated by ';'). "
    "Every row is validated first: one bad row and nothing is stored.",
)
@click.option("--tenant", "slug", required=True, help="The tenant's slug.")
@click.option(
    "--lang",
    type=click.Choice(["el", "en"]),
    default="el",
    show_default=True,
    help="Language of the error report.",
)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def beneficiaries_command(slug: str, lang: str, quiet: bool, file: Path) -> None:
    from core.i18n import set_language

    set_language(lang)
    count = run_async(import_file)(slug, file, quiet=quiet)
    click.echo(f"imported {count} beneficiaries into {slug}")


async def import_file(slug: str, path: Path, *, quiet: bool = False) -> int:
    """Validate and insert the whole file in one transaction; returns the count.

    Validation, the database checks and the inserts go in rounds (`bulk.import_rows`); any
    error rolls the transaction back, and the report lists every bad row of the file.
    """
    from core.beneficiaries import bulk
    from core.beneficiaries.services import SystemActor
    from core.plugin_host import get_host
    from tenants.resolution import resolve_tenant

    tenant = await resolve_tenant(slug)
    if tenant is None:
        raise CLIError(f"unknown tenant: {slug}")
    try:
        text = bulk.read_file(path)
    except ValueError as exc:
        raise CLIError(str(exc)) from None
    actor = SystemActor(tenant=tenant.ref, hooks=get_host().for_tenant(tenant.modules))
    with bulk.cyclic_gc_paused():
        return await _import(actor, tenant, text, quiet=quiet)


async def _import(actor: Any, tenant: Any, text: str, *, quiet: bool) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from core import db
    from core.beneficiaries import bulk
    from core.beneficiaries.categories import tenant_categories
    from core.beneficiaries.schemas import ValidationScope
    from tenants.scoping import tenant_context

    rows, errors = bulk.read_csv(text)
    if errors:
        _report(errors)
    try:
        with tenant_context(tenant.id):
            async with db.transaction(write=True):
                await db.set_rls_tenant(tenant.id)
                codes = await tenant_categories(actor.hooks, tenant.modules)
                scope = ValidationScope(categories=frozenset(codes), sees_special=True)
                with Progress(
                    "[progress.description]{task.description}",
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeRemainingColumn(),
                    disable=quiet,
                    transient=False,
                ) as bar:
                    task = bar.add_task("beneficiaries", total=len(rows))
                    ids = await bulk.import_rows(
                        actor, rows, scope, progress=lambda n: bar.advance(task, n)
                    )
    except bulk.ImportRefused as refused:
        _report(refused.errors)
    return len(ids)


def _report(errors: list[Any]) -> NoReturn:
    for err in errors:
        click.echo(f"row {err.row}: {err.field}: {err.message} [{err.code}]", err=True)
    rows = len({e.row for e in errors})
    raise CLIError(f"{len(errors)} error(s) in {rows} row(s); nothing was imported")
