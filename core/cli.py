"""The `merimna` command line. Core areas and modules add sub-commands via `merimna_cli`."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click

T = TypeVar("T")


class CLIError(click.ClickException):
    """Exit non-zero with a one-line reason on stderr (CONTRACT.md)."""

    def show(self, file: Any = None) -> None:
        click.echo(f"merimna: {self.format_message()}", err=True)


def run_async(fn: Callable[..., Awaitable[T]]) -> Callable[..., T]:
    """Run an async command body with the database pool open."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        async def main() -> T:
            from core import db

            await db.start()
            try:
                return await fn(*args, **kwargs)
            finally:
                await db.stop()

        try:
            return asyncio.run(main())
        except click.ClickException:
            raise
        except Exception as exc:  # one line for the operator, not a traceback
            from core.errors import AppError

            if isinstance(exc, AppError) and exc.errors:
                detail = "; ".join(f"{e.field}: {e.message}" for e in exc.errors)
                raise CLIError(f"{exc.detail} {detail}") from exc
            raise CLIError(str(exc) or type(exc).__name__) from exc

    return wrapper


@click.group(help="Merimna: social services of Greek municipalities.")
@click.version_option(package_name="merimna")
def cli() -> None:
    pass


@cli.command(help="Apply every pending migration of core, tenants and installed plugins.")
@click.option("--verbose", is_flag=True, help="Print each migration as it runs.")
def migrate(verbose: bool) -> None:
    from core.migrate import migrate_all

    log = run_async(migrate_all)(verbose)
    if verbose:
        click.echo(log)
    click.echo("migrations: up to date")


@cli.command(help="Serve the API and the staff web UI.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    from core.settings import ConfigurationError, get_settings

    try:
        get_settings().check_production()
    except ConfigurationError as exc:
        raise CLIError(str(exc)) from exc
    uvicorn.run(
        "core.asgi:app",
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
    )


@cli.group(help="Installed program modules.")
def plugins() -> None:
    pass


@plugins.command("list", help="Every installed program module with its version.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def plugins_list(as_json: bool) -> None:
    from core.plugin_host import get_host

    host = get_host()
    rows = [
        {
            "slug": info.slug,
            "title_el": info.manifest.title_el,
            "title_en": info.manifest.title_en,
            "version": info.manifest.version,
            "distribution": info.distribution,
            "builtin": info.builtin,
            "api_version": info.manifest.api_version,
        }
        for info in sorted(host.modules.values(), key=lambda i: i.slug)
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        origin = "built-in" if row["builtin"] else row["distribution"]
        click.echo(f"{row['slug']:<20} {row['version']:<10} {origin:<14} {row['title_el']}")


@plugins.command("hooks", help="The hook reference (Markdown), from core/hookspecs.py.")
def plugins_hooks() -> None:
    from core.hookdoc import hook_reference

    click.echo(hook_reference(), nl=False)


@cli.group(help="Write program modules.")
def modules() -> None:
    pass


@modules.command("new", help="Write a complete, working, tested module package to start from.")
@click.argument("name")
@click.option(
    "--path",
    "path",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Folder in which the package folder is created.",
)
@click.option("--title-el", help="Greek title (default: from NAME).")
@click.option("--title-en", help="English title (default: from NAME).")
def modules_new(name: str, path: Path, title_el: str | None, title_en: str | None) -> None:
    from core.scaffold import ScaffoldError, new_module

    try:
        target = new_module(name, path, title_el=title_el, title_en=title_en)
    except ScaffoldError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"module {name} written to {target}")
    click.echo(f"next: pip install -e {target} && merimna migrate && merimna plugins list")


def build_cli() -> click.Group:
    from core.plugin_host import get_host

    get_host().add_cli(cli)
    return cli


def main() -> None:
    try:
        group = build_cli()
    except Exception as exc:  # a broken plugin must still give a one-line reason
        click.echo(f"merimna: {exc}", err=True)
        sys.exit(2)
    group(prog_name="merimna")


@cli.command(help="Migrate, load the demo consortium and print the demo logins.")
@click.option("--reset", is_flag=True, help="Delete the demo tenants first and load them anew.")
def demo(reset: bool) -> None:
    from core.demo import load_demo
    from core.migrate import migrate_all
    from core.settings import get_settings

    async def body() -> list[tuple[str, str, str]]:
        await migrate_all()
        return await load_demo(reset=reset)

    logins = run_async(body)()
    password = get_settings().demo_password
    click.echo(f"Demo consortium ready. Logins (password: {password}):")
    for login, role, tenant in logins:
        click.echo(f"  {login:<32} {role:<20} {tenant}")


if __name__ == "__main__":
    main()
